package marked

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/workbook"
)

// cellMark is one marked cell and the receipt's issues on it.
type cellMark struct {
	row, col int
	ref      string
	sev      string // receipt.SevError when any issue on the cell is an error
	issues   []receipt.Issue
}

// marks are the receipt's issues placed on cells of the output workbook.
type marks struct {
	sheets  []string                        // output sheets with marks, in the order first met
	bySheet map[string]map[[2]int]*cellMark // sheet → (row, col) → mark
	placed  []string                        // per rc.Errors index: "Sheet!E12" it is marked on, or ""
	rows    map[string]map[int][]*cellMark  // sheet → row → marks in that row (copies stream by row)
	comment int                             // comments written so far
}

// collect places each issue with a cell on its sheet. sheetOf maps the
// receipt's sheet name to the output's and gives that sheet's merged
// ranges (ok false: not in the workbook, the issue is only listed). A cell
// inside a merged range is marked on the range's first cell: the one a
// spreadsheet shows (and the one its format and comment show on). The
// table reader names the header cell of a column on its last header row,
// which is often the lower half of a merged header.
func collect(rc *receipt.Receipt, sheetOf func(string) (string, []workbook.Range, bool)) *marks {
	ms := &marks{bySheet: map[string]map[[2]int]*cellMark{}, rows: map[string]map[int][]*cellMark{},
		placed: make([]string, len(rc.Errors))}
	merged := map[string]*mergeIndex{}
	for i, is := range rc.Errors {
		row, col, ok := workbook.ParseRef(is.Cell)
		if !ok {
			continue
		}
		sheet, merges, ok := sheetOf(is.Sheet)
		if !ok {
			continue
		}
		mi := merged[sheet]
		if mi == nil {
			mi = newMergeIndex(merges)
			merged[sheet] = mi
		}
		row, col = mi.first(row, col)
		cells := ms.bySheet[sheet]
		if cells == nil {
			cells = map[[2]int]*cellMark{}
			ms.bySheet[sheet] = cells
			ms.rows[sheet] = map[int][]*cellMark{}
			ms.sheets = append(ms.sheets, sheet)
		}
		cm := cells[[2]int{row, col}]
		if cm == nil {
			cm = &cellMark{row: row, col: col, ref: workbook.CellRef(row, col), sev: receipt.SevWarning}
			cells[[2]int{row, col}] = cm
			ms.rows[sheet][row] = append(ms.rows[sheet][row], cm)
		}
		if is.Severity == receipt.SevError {
			cm.sev = receipt.SevError
		}
		cm.issues = append(cm.issues, is)
		ms.placed[i] = sheet + "!" + cm.ref
	}
	return ms
}

// mergeIndex finds the merged range a cell is in. Ranges are listed under
// each of their rows up to maxIndexedRows in all, so a lookup reads a few
// ranges; a hostile file with more (or huge) ranges costs a scan of the
// rest per marked cell, never memory.
type mergeIndex struct {
	byRow map[int][]workbook.Range
	rest  []workbook.Range
}

const maxIndexedRows = 1 << 18

func newMergeIndex(merges []workbook.Range) *mergeIndex {
	mi := &mergeIndex{byRow: map[int][]workbook.Range{}}
	n := 0
	for _, g := range merges {
		if span := g.Row2 - g.Row1 + 1; span > 0 && n+span <= maxIndexedRows {
			n += span
			for r := g.Row1; r <= g.Row2; r++ {
				mi.byRow[r] = append(mi.byRow[r], g)
			}
			continue
		}
		mi.rest = append(mi.rest, g)
	}
	return mi
}

// first returns the first cell of the range (row, col) is in, or the cell.
func (mi *mergeIndex) first(row, col int) (int, int) {
	for _, list := range [][]workbook.Range{mi.byRow[row], mi.rest} {
		for _, g := range list {
			if g.Contains(row, col) {
				return g.Row1, g.Col1
			}
		}
	}
	return row, col
}

// sorted returns a sheet's marks in reading order (row, then column).
func (ms *marks) sorted(sheet string) []*cellMark {
	var out []*cellMark
	for _, cm := range ms.bySheet[sheet] {
		out = append(out, cm)
	}
	slices.SortFunc(out, func(a, b *cellMark) int {
		if a.row != b.row {
			return a.row - b.row
		}
		return a.col - b.col
	})
	return out
}

// Comment text bounds: each message, and the whole comment. The list sheet
// has every message in full.
const (
	maxMessageRunes = 400
	maxCommentRunes = 1500
)

// severityLabel is how a severity is named to the official.
func severityLabel(sev string) string {
	if sev == receipt.SevError {
		return "Lỗi"
	}
	return "Cảnh báo"
}

// commentText is the comment of a marked cell: one line per distinct
// message, errors first, each with its severity.
func commentText(cm *cellMark) string {
	var lines []string
	seen := map[string]bool{}
	for _, sev := range []string{receipt.SevError, receipt.SevWarning} {
		for _, is := range cm.issues {
			if (is.Severity == receipt.SevError) != (sev == receipt.SevError) || seen[is.Message] {
				continue
			}
			seen[is.Message] = true
			lines = append(lines, severityLabel(sev)+": "+truncate(is.Message, maxMessageRunes))
		}
	}
	text := strings.Join(lines, "\n")
	if utf8.RuneCountInString(text) > maxCommentRunes {
		text = truncate(text, maxCommentRunes) + "\n(xem đủ ở trang " + SummarySheet + ")"
	}
	return text
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// addComments writes the comment of each marked cell of sheet, up to
// MaxComments in all. keep: a cell may already carry the official's own
// comment (an .xlsx); it is kept, after ours.
func addComments(f *excelize.File, sheet string, ms *marks, keep bool) error {
	old := map[string]excelize.Comment{}
	if keep {
		cs, err := f.GetComments(sheet)
		if err != nil {
			return fmt.Errorf("marked: read comments of %q: %w", sheet, err)
		}
		for _, c := range cs {
			old[c.Cell] = c
		}
	}
	for _, cm := range ms.sorted(sheet) {
		if ms.comment >= MaxComments {
			return nil
		}
		text := commentText(cm)
		if c, ok := old[cm.ref]; ok {
			if err := f.DeleteComment(sheet, cm.ref); err != nil {
				return fmt.Errorf("marked: replace comment %s!%s: %w", sheet, cm.ref, err)
			}
			prev := c.Text
			for _, r := range c.Paragraph {
				prev += r.Text
			}
			text += "\n— Ghi chú có sẵn: " + prev
		}
		lines := 1 + utf8.RuneCountInString(text)/45 + strings.Count(text, "\n")
		err := f.AddComment(sheet, excelize.Comment{
			Cell:      cm.ref,
			Author:    "Kiểm tra",
			Paragraph: []excelize.RichTextRun{{Text: text}},
			Width:     320,
			Height:    uint(min(24+lines*15, 400)),
		})
		if err != nil {
			return fmt.Errorf("marked: comment %s!%s: %w", sheet, cm.ref, err)
		}
		ms.comment++
	}
	return nil
}

// styles makes the fill styles: a cell's own style with the severity's
// fill, one new style per (style, severity).
type styles struct {
	f     *excelize.File
	cache map[[2]any]int
}

func newStyles(f *excelize.File) *styles { return &styles{f: f, cache: map[[2]any]int{}} }

func fillColour(sev string) string {
	if sev == receipt.SevError {
		return ErrorFill
	}
	return WarningFill
}

// filled returns the id of style base with the fill of sev.
func (s *styles) filled(base int, sev string) (int, error) {
	k := [2]any{base, sev}
	if id, ok := s.cache[k]; ok {
		return id, nil
	}
	st := &excelize.Style{}
	if base != 0 {
		got, err := s.f.GetStyle(base)
		if err != nil {
			return 0, fmt.Errorf("marked: read style %d: %w", base, err)
		}
		st = got
	}
	st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fillColour(sev)}}
	id, err := s.f.NewStyle(st)
	if err != nil {
		return 0, fmt.Errorf("marked: fill style: %w", err)
	}
	s.cache[k] = id
	return id, nil
}
