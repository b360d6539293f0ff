package marked

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/workbook"
)

// Excel's bounds on a sheet.
const (
	maxRows = 1048576
	maxCols = 16384
)

// copyBook builds the .xlsx copy of an .xls or CSV upload from the cells
// the reader read, each at its row and column, marked as it is written.
// Sheets are streamed (excelize's StreamWriter writes rows to a temporary
// file), so memory does not grow with the size of the upload.
func copyBook(book *workbook.Book, fileName string, rc *receipt.Receipt) (*excelize.File, *marks, error) {
	f := excelize.NewFile()
	names := make([]string, len(book.Sheets))
	used := map[string]bool{strings.ToLower(SummarySheet): true}
	for i, sh := range book.Sheets {
		name := sh.Name
		if book.Format == "csv" {
			name = strings.TrimSuffix(path.Base(fileName), path.Ext(fileName))
		}
		names[i] = uniqueSheetName(name, used)
		var err error
		if i == 0 {
			err = f.SetSheetName("Sheet1", names[i])
		} else {
			_, err = f.NewSheet(names[i])
		}
		if err != nil {
			return f, nil, fmt.Errorf("marked: sheet %q: %w", names[i], err)
		}
	}
	ms := collect(rc, func(sheet string) (string, []workbook.Range, bool) {
		if book.Format == "csv" {
			// One sheet, named by ingest after the object key's file name,
			// which need not be the name given here.
			return names[0], nil, true
		}
		for i, sh := range book.Sheets {
			if sh.Name == sheet {
				return names[i], sh.Merges, true
			}
		}
		return "", nil, false
	})
	st := newStyles(f)
	for i, sh := range book.Sheets {
		if sh.Hidden {
			if err := f.SetSheetVisible(names[i], false); err != nil {
				return f, nil, fmt.Errorf("marked: hide %q: %w", names[i], err)
			}
		}
		if err := copySheet(f, st, ms, sh, names[i], book.Format == "csv"); err != nil {
			return f, nil, err
		}
	}
	return f, ms, nil
}

// copySheet streams one sheet: the column widths from a first pass over
// its rows, then the rows, the marked cells (also those the reader saw as
// blank), merges and comments.
func copySheet(f *excelize.File, st *styles, ms *marks, sh *workbook.Sheet, name string, csv bool) error {
	widths := map[int]int{}
	err := sh.Rows(func(r workbook.Row) error {
		for i, c := range r.Cells {
			// Text with a blank cell on its right spills over it (a
			// title line): only text that cannot spill sets a width.
			if i+1 < len(r.Cells) && r.Cells[i+1].Kind == workbook.Blank {
				continue
			}
			if i+1 == len(r.Cells) && c.Kind == workbook.String {
				continue
			}
			if n := utf8.RuneCountInString(c.Text); n > widths[i+1] {
				widths[i+1] = n
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	if err := printWide(f, name); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("marked: sheet %q: %w", name, err)
	}
	for col, n := range widths {
		if col > maxCols {
			continue
		}
		w := min(max(float64(n)*1.1+2, 8), 40)
		if err := sw.SetColWidth(col, col, w); err != nil {
			return fmt.Errorf("marked: sheet %q: %w", name, err)
		}
	}
	marked := ms.rows[name]
	var markedRows []int
	for r := range marked {
		markedRows = append(markedRows, r)
	}
	slices.Sort(markedRows)
	next := 0 // index in markedRows of the next marked row not yet written
	writeRow := func(num int, cells []workbook.Cell) error {
		if num > maxRows {
			return fmt.Errorf("%w: %w: row %d, a sheet has at most %d", ErrUnreadable, workbook.ErrTooLarge, num, maxRows)
		}
		n := len(cells)
		for _, cm := range marked[num] {
			n = max(n, cm.col)
		}
		if n > maxCols {
			return fmt.Errorf("%w: %w: %d columns, a sheet has at most %d", ErrUnreadable, workbook.ErrTooLarge, n, maxCols)
		}
		vals := make([]any, n)
		for i, c := range cells {
			vals[i] = value(c, csv)
		}
		for _, cm := range marked[num] {
			id, err := st.filled(0, cm.sev)
			if err != nil {
				return err
			}
			vals[cm.col-1] = excelize.Cell{StyleID: id, Value: vals[cm.col-1]}
		}
		if err := sw.SetRow(workbook.CellRef(num, 1), vals); err != nil {
			return fmt.Errorf("marked: sheet %q row %d: %w", name, num, err)
		}
		return nil
	}
	flushMarked := func(before int) error {
		for ; next < len(markedRows) && markedRows[next] < before; next++ {
			if err := writeRow(markedRows[next], nil); err != nil {
				return err
			}
		}
		return nil
	}
	last := 0
	err = sh.Rows(func(r workbook.Row) error {
		if r.Num <= last {
			return fmt.Errorf("%w: %w: row %d after row %d", ErrUnreadable, workbook.ErrCorrupt, r.Num, last)
		}
		last = r.Num
		if err := flushMarked(r.Num); err != nil {
			return err
		}
		if next < len(markedRows) && markedRows[next] == r.Num {
			next++
		}
		return writeRow(r.Num, r.Cells)
	})
	if err != nil {
		if errors.Is(err, ErrUnreadable) {
			return err
		}
		if errors.Is(err, workbook.ErrCorrupt) || errors.Is(err, workbook.ErrTooLarge) || errors.Is(err, workbook.ErrLegacyXLS) {
			return fmt.Errorf("%w: %w", ErrUnreadable, err)
		}
		return err
	}
	if err := flushMarked(maxRows + 1); err != nil {
		return err
	}
	for _, g := range sh.Merges {
		if g.Row2 > maxRows || g.Col2 > maxCols {
			continue
		}
		if err := sw.MergeCell(workbook.CellRef(g.Row1, g.Col1), workbook.CellRef(g.Row2, g.Col2)); err != nil {
			return fmt.Errorf("marked: sheet %q merge: %w", name, err)
		}
	}
	// Comments go in before Flush: the stream writer writes the sheet's
	// link to them (legacyDrawing) when it closes the sheet.
	if err := addComments(f, name, ms, false); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("marked: sheet %q: %w", name, err)
	}
	return nil
}

// plainInt is a CSV field that can only mean a whole number: no separators,
// no leading zero (codes like "01" stay text), at most 15 digits (exact in
// a spreadsheet number).
var plainInt = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,14})$`)

// value is what the copy stores for a cell read by the reader: numbers as
// numbers, text as text (an inline string: never a formula, whatever it
// begins with). A CSV stores only text; a field that can only be a whole
// number becomes a number, anything else ("1.234", "12,5") stays as typed,
// for the validator to read by its column's rule as it did.
func value(c workbook.Cell, csv bool) any {
	switch c.Kind {
	case workbook.Blank:
		return nil
	case workbook.Number:
		return c.Num
	case workbook.Bool:
		return c.Text == "1"
	case workbook.String:
		if csv && plainInt.MatchString(c.Text) {
			if n, err := strconv.ParseInt(c.Text, 10, 64); err == nil {
				return n
			}
		}
		return c.Text
	default: // Error: "#DIV/0!" as text
		return c.Text
	}
}

// uniqueSheetName makes name a valid Excel sheet name (at most 31
// characters, none of : \ / ? * [ ], not starting or ending with ') not
// yet in used (compared as Excel does, ignoring case).
func uniqueSheetName(name string, used map[string]bool) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case strings.ContainsRune(`:\/?*[]`, r), r < 0x20, r == utf8.RuneError:
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	base := strings.Trim(b.String(), "' ")
	if base == "" || strings.EqualFold(base, "History") {
		base = "Trang"
	}
	base = truncateUTF16(base, 31)
	cand := base
	for i := 2; used[strings.ToLower(cand)]; i++ {
		suffix := " (" + strconv.Itoa(i) + ")"
		cand = truncateUTF16(base, 31-len(suffix)) + suffix
	}
	used[strings.ToLower(cand)] = true
	return cand
}

// truncateUTF16 cuts s to at most n UTF-16 units (Excel counts sheet
// names so).
func truncateUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		u := 1
		if r >= 0x10000 {
			u = 2
		}
		if units+u > n {
			return s[:i]
		}
		units += u
	}
	return s
}
