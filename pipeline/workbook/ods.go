package workbook

// OpenDocument spreadsheets (.ods), LibreOffice's own format, read with
// the guarantees of the .xlsx reader: each cell's stored type and value
// (office:value, not the displayed text), cached formula results, merged
// cells (number-columns/rows-spanned), hidden sheets (table:display
// "false"), legacy TCVN3/VNI fonts by cell and text-span style, and the
// same bounds on inflated bytes, XML tokens and rows. Reference:
// OpenDocument 1.3, part 3 (schema), §9 (tables) and §19 (attributes).

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/legacy"
)

const odsMime = "application/vnd.oasis.opendocument.spreadsheet"

// isODS reports whether the zip's files are an OpenDocument spreadsheet:
// a content.xml and a mimetype entry naming the spreadsheet type.
func (x *xlsx) isODS() bool {
	if x.files["content.xml"] == nil || x.files["mimetype"] == nil {
		return false
	}
	rc, err := x.open("mimetype")
	if err != nil {
		return false
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 200))
	return err == nil && strings.TrimSpace(string(b)) == odsMime
}

// ods is an opened .ods: the zip (through the xlsx part reader, for its
// budget and guards) and the font of each cell and text style.
type ods struct {
	x          *xlsx
	styleFont  map[string]string // style name → font family, parents resolved
	hiddenTabs map[string]bool   // table style names with table:display="false"
}

func openODS(x *xlsx, lim Limits) (*Book, error) {
	o := &ods{x: x, styleFont: map[string]string{}, hiddenTabs: map[string]bool{}}
	parents := map[string]string{}
	faces := map[string]string{}
	if x.files["styles.xml"] != nil {
		if err := o.readStyles("styles.xml", parents, faces); err != nil {
			return nil, err
		}
	}
	// content.xml is read at least twice: the pass for the sheet list and
	// merges reads all of it, and the rows passes read it again down to
	// the last visible sheet read. One over half the inflation budget
	// would cross it, after seconds of parsing (a 2 MB .ods can hold
	// 380 MiB of cells): refuse it from the size its zip entry declares,
	// before reading. A size that lies is still caught by the budget as
	// the part is inflated.
	if f := x.files["content.xml"]; f != nil && f.UncompressedSize64 > uint64(x.budget/2) {
		return nil, fmt.Errorf("%w: content.xml inflates to %d MiB; reading it twice goes over the %d MiB limit",
			ErrTooLarge, f.UncompressedSize64>>20, x.budget>>20)
	}
	if err := o.readStyles("content.xml", parents, faces); err != nil {
		return nil, err
	}
	o.resolveFonts(parents, faces)
	// One pass for the sheet list, visibility and merges, which come
	// with the cells; the rows are streamed by a pass per Sheet.Rows.
	var sheets []*Sheet
	tables := 0
	err := o.walk(-1, func(t *odsTable) {
		if tables++; lim.MaxSheets <= 0 || tables <= lim.MaxSheets {
			sheets = append(sheets, &Sheet{Name: t.name, Hidden: t.hidden})
		}
	}, func(i int, m Range) error {
		if i < len(sheets) {
			return sheets[i].addMerge(m)
		}
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	if lim.MaxSheets > 0 && tables > lim.MaxSheets {
		return nil, fmt.Errorf("%w: %d sheets, limit %d", ErrTooLarge, tables, lim.MaxSheets)
	}
	book := &Book{Format: "ods", Sheets: sheets}
	for i, sh := range sheets {
		sh.rows = func(fn func(Row) error) error { return o.walk(i, nil, nil, fn) }
	}
	return book, nil
}

// readStyles reads the font faces and the cell, text and table styles of
// one part (styles.xml: named styles; content.xml: automatic ones).
func (o *ods) readStyles(part string, parents, faces map[string]string) error {
	rc, err := o.x.open(part)
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	style := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return wrapXML(part, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "body":
				// The automatic styles come before the body (ODF 1.2,
				// 3.1.3.2): the cells after it are the walk's.
				if t.Name.Space == "urn:oasis:names:tc:opendocument:xmlns:office:1.0" {
					return nil
				}
			case "font-face":
				fam := strings.Trim(attr(t, "font-family"), `'"`)
				if fam == "" {
					fam = attr(t, "name")
				}
				faces[attr(t, "name")] = fam
			case "style", "default-style":
				style = attr(t, "name")
				if t.Name.Local == "default-style" {
					style = "#default-" + attr(t, "family")
				}
				if p := attr(t, "parent-style-name"); p != "" {
					parents[style] = p
				}
			case "text-properties":
				if f := attr(t, "font-name"); f != "" && style != "" {
					o.styleFont[style] = f
				}
			case "table-properties":
				if attr(t, "display") == "false" && style != "" {
					o.hiddenTabs[style] = true
				}
			}
		case xml.EndElement:
			if t.Name.Local == "style" || t.Name.Local == "default-style" {
				style = ""
			}
		}
	}
}

// resolveFonts gives every style the font family it shows: its own, its
// parent's, or the default cell style's; font-face names become families.
func (o *ods) resolveFonts(parents, faces map[string]string) {
	own := o.styleFont
	o.styleFont = map[string]string{}
	names := map[string]bool{}
	for n := range own {
		names[n] = true
	}
	for n := range parents {
		names[n] = true
	}
	for n := range names {
		s := n
		for depth := 0; depth < 20 && s != ""; depth++ {
			if f, ok := own[s]; ok {
				if fam, ok := faces[f]; ok {
					f = fam
				}
				o.styleFont[n] = f
				break
			}
			s = parents[s]
		}
	}
	if f, ok := own["#default-table-cell"]; ok {
		if fam, ok := faces[f]; ok {
			f = fam
		}
		o.styleFont[""] = f
	}
	if f, ok := o.styleFont["Default"]; ok {
		o.styleFont[""] = f
	}
}

// font returns the legacy encoding a style's font implies.
func (o *ods) font(style string) (legacy.Encoding, bool) {
	f, ok := o.styleFont[style]
	if !ok {
		f = o.styleFont[""]
	}
	return legacy.FromFont(f)
}

type odsTable struct {
	name   string
	hidden bool
}

// maxODSRepeat bounds how many times one non-empty row or cell is
// repeated: far more than any form, far less than a hostile count.
const maxODSRepeat = 10_000

// walk reads content.xml. onTable is called for each table; onMerge for
// each merged range of table i; rows, if set, receives the non-empty rows
// of table want (-1: no rows, read to the end). Reading stops after table
// want.
func (o *ods) walk(want int, onTable func(*odsTable), onMerge func(int, Range) error, rows func(Row) error) error {
	rc, err := o.x.open("content.xml")
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	var (
		table                  = -1
		inTable, inRow, inCell bool
		rowNum, col            int // rowNum: 1-based row of the row being read; col: next column (1-based)
		rowRepeat              int
		row                    Row
		cell                   Cell
		cellRepeat             int
		cellStyle              string
		valueType, value       string
		formula                bool
		text                   strings.Builder
		paras                  int
		spans                  []string // text-span styles open inside the cell
		spanText               strings.Builder
		lastData               int
		rowText                int
	)
	flushSpan := func() {
		if spanText.Len() == 0 {
			return
		}
		s := spanText.String()
		spanText.Reset()
		if len(spans) > 0 {
			if enc, upper := o.font(spans[len(spans)-1]); enc != legacy.None {
				s = legacy.Decode(enc, upper, s)
				cell.Encoding = string(enc)
			}
		}
		text.WriteString(s)
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return wrapXML("content.xml", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "table":
				if t.Name.Space != "urn:oasis:names:tc:opendocument:xmlns:table:1.0" || inTable {
					continue
				}
				table++
				if table > want && want >= 0 {
					return nil
				}
				inTable, rowNum = true, 0
				lastData = 0
				if onTable != nil {
					onTable(&odsTable{name: attr(t, "name"), hidden: o.hiddenTabs[attr(t, "style-name")]})
				}
			case "table-row":
				if !inTable {
					continue
				}
				inRow, col, rowText = true, 1, 0
				rowNum++
				rowRepeat = repeatAttr(t, "number-rows-repeated")
				row = Row{Num: rowNum}
			case "table-cell", "covered-table-cell":
				if !inRow {
					continue
				}
				inCell, formula = true, attr(t, "formula") != ""
				cell = Cell{}
				cellRepeat = repeatAttr(t, "number-columns-repeated")
				cellStyle = attr(t, "style-name")
				valueType, value = attr(t, "value-type"), ""
				switch valueType {
				case "float", "percentage", "currency":
					value = attr(t, "value")
				case "date":
					value = attr(t, "date-value")
				case "time":
					value = attr(t, "time-value")
				case "boolean":
					value = attr(t, "boolean-value")
				}
				text.Reset()
				spanText.Reset()
				spans, paras = spans[:0], 0
				if onMerge != nil && table >= 0 && t.Name.Local == "table-cell" {
					cs, rs := repeatAttr(t, "number-columns-spanned"), repeatAttr(t, "number-rows-spanned")
					if cs > 1 || rs > 1 {
						m := Range{rowNum, col, min(rowNum+rs-1, 1048576), min(col+cs-1, maxColumns)}
						if err := onMerge(table, m); err != nil {
							return err
						}
					}
				}
			case "p", "h":
				if inCell {
					flushSpan()
					if paras > 0 {
						text.WriteByte('\n')
					}
					paras++
				}
			case "span":
				if inCell {
					flushSpan()
					spans = append(spans, attr(t, "style-name"))
				}
			case "s", "tab", "line-break":
				if inCell {
					// Spaces count against the cell's bound like text does:
					// thousands of <text:s text:c="99999"/> in one cell
					// would otherwise ask for gigabytes from a small file.
					switch t.Name.Local {
					case "s":
						n := min(repeatAttr(t, "c"), MaxCellChars)
						spanText.WriteString(strings.Repeat(" ", n))
					case "tab":
						spanText.WriteByte('\t')
					default:
						spanText.WriteByte('\n')
					}
					if spanText.Len()+text.Len() > 4*MaxCellChars {
						return fmt.Errorf("%w: a cell of over %d characters", ErrTooLarge, MaxCellChars)
					}
				}
			case "annotation":
				// A comment on the cell is not its text.
				if inCell {
					if err := d.Skip(); err != nil {
						return wrapXML("content.xml", err)
					}
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "table":
				if t.Name.Space == "urn:oasis:names:tc:opendocument:xmlns:table:1.0" && inTable {
					inTable = false
					if table == want {
						return nil
					}
				}
			case "span":
				if inCell {
					flushSpan()
					if len(spans) > 0 {
						spans = spans[:len(spans)-1]
					}
				}
			case "table-cell", "covered-table-cell":
				if !inCell {
					continue
				}
				inCell = false
				flushSpan()
				if err := o.finishCell(&cell, valueType, value, text.String(), cellStyle, formula); err != nil {
					return fmt.Errorf("content.xml %s: %w", CellRef(rowNum, col), err)
				}
				if cell.Kind == Blank {
					col += cellRepeat
					continue
				}
				if table != want {
					col += cellRepeat
					continue
				}
				n := min(cellRepeat, maxODSRepeat)
				if col+n-1 > maxColumns {
					return fmt.Errorf("%w: column beyond XFD", ErrCorrupt)
				}
				if rowText += n * len(cell.Text); rowText > maxRowText {
					return fmt.Errorf("%w: row %d holds over %d bytes of text", ErrTooLarge, rowNum, maxRowText)
				}
				for len(row.Cells) < col-1 {
					row.Cells = append(row.Cells, Cell{})
				}
				for range n {
					row.Cells = append(row.Cells, cell)
				}
				col += cellRepeat
			case "table-row":
				if !inRow {
					continue
				}
				inRow = false
				if table != want || rows == nil {
					rowNum += rowRepeat - 1
					continue
				}
				if row.IsBlank() {
					rowNum += rowRepeat - 1
					if rowNum-lastData > MaxBlankRun {
						return nil
					}
					continue
				}
				for i := range min(rowRepeat, maxODSRepeat) {
					r := row
					r.Num = rowNum + i
					if r.Num > 1048576 {
						return fmt.Errorf("%w: row beyond 1048576", ErrCorrupt)
					}
					if i > 0 {
						r.Cells = append([]Cell(nil), row.Cells...)
					}
					if err := rows(r); err != nil {
						return err
					}
				}
				rowNum += rowRepeat - 1
				lastData = rowNum
			}
		case xml.CharData:
			if inCell && paras > 0 {
				spanText.Write(t)
				if spanText.Len()+text.Len() > 4*MaxCellChars {
					return fmt.Errorf("%w: a cell of over %d characters", ErrTooLarge, MaxCellChars)
				}
			}
		}
	}
}

// repeatAttr reads a repeat or span count: 1 when absent or not a
// positive number; at most the sheet's size.
func repeatAttr(t xml.StartElement, name string) int {
	v := attr(t, name)
	if v == "" {
		return 1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 1
	}
	return min(n, 1048576)
}

// finishCell sets a cell's kind and value: the stored value of its type,
// not the text shown (which is "12,5" or "12.5" by locale).
func (o *ods) finishCell(c *Cell, valueType, value, text, style string, formula bool) error {
	c.Formula = formula
	switch valueType {
	case "float", "percentage", "currency":
		f, err := parseExcelNumber(value)
		switch {
		case errors.Is(err, errNotANumber):
			c.Kind, c.Text = Error, notANumber(value)
		case err != nil: // "1_000", "0x1p-2": named at the cell
			c.Kind, c.Text = Error, notANumber(value)
		default:
			c.Kind, c.Text, c.Num = Number, strings.Trim(value, " \t\r\n"), f
		}
	case "date":
		f, ok := isoDateSerial(value)
		if !ok { // 1899-12-31, no date: named at the cell
			c.Kind, c.Text = Error, notANumber(value)
			break
		}
		c.Kind, c.Text, c.Num = Number, strconv.FormatFloat(f, 'f', -1, 64), f
	case "time":
		f, ok := isoDuration(value)
		if !ok {
			c.Kind, c.Text = Error, notANumber(value)
			break
		}
		c.Kind, c.Text, c.Num = Number, strconv.FormatFloat(f, 'f', -1, 64), f
	case "boolean":
		c.Kind, c.Text = Bool, "0"
		if value == "true" {
			c.Text = "1"
		}
	default: // "string", or none: text, or a formula's error
		if cellTooLong(text) {
			return fmt.Errorf("%w: a cell of over %d characters", ErrTooLarge, MaxCellChars)
		}
		if text == "" {
			return nil
		}
		if formula && valueType == "" && isErrorText(text) {
			c.Kind, c.Text = Error, text
			return nil
		}
		c.Kind, c.Text = String, text
		if c.Encoding == "" {
			if enc, upper := o.font(style); enc != legacy.None {
				c.Text, c.Encoding = legacy.Decode(enc, upper, text), string(enc)
			}
		}
	}
	return nil
}

// isErrorText reports whether a formula's shown text is a spreadsheet
// error (#DIV/0!, #REF!, Err:502 …).
func isErrorText(s string) bool {
	for _, e := range xlsErrors {
		if s == e {
			return true
		}
	}
	return strings.HasPrefix(s, "Err:") || s == "#NAME?" || s == "#VALUE!"
}

// isoDuration reads an office:time-value ("PT12H30M00S") as a fraction of
// a day.
func isoDuration(v string) (float64, bool) {
	s, ok := strings.CutPrefix(v, "PT")
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(strings.ToLower(s))
	if err != nil || d < 0 {
		return 0, false
	}
	return d.Hours() / 24, true
}
