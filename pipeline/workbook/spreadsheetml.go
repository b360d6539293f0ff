package workbook

// Excel 2003 XML (SpreadsheetML): one XML file, saved by Excel as "XML
// Spreadsheet 2003" and by web systems that export "Excel" without a
// library. Read with the guarantees of the other readers: typed Data
// (Number, String, Boolean, DateTime, Error), cached formula results,
// merged cells (ss:MergeAcross/MergeDown), hidden sheets
// (WorksheetOptions/Visible), legacy fonts by style, and the XML bounds.

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xhht/xhht/pipeline/legacy"
)

const nsSpreadsheetML = "urn:schemas-microsoft-com:office:spreadsheet"

// looksSpreadsheetML reports whether data is an XML document in the
// SpreadsheetML namespace.
func looksSpreadsheetML(data []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF}), " \t\r\n")
	return bytes.HasPrefix(t, []byte("<?xml")) && bytes.Contains(t[:min(len(t), 4096)], []byte(nsSpreadsheetML))
}

type smlBook struct {
	data  []byte
	fonts map[string]string // style ID → font name (parents resolved)
}

func openSpreadsheetML(data []byte, lim Limits) (*Book, error) {
	s := &smlBook{data: bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF}), fonts: map[string]string{}}
	var sheets []*Sheet
	n := 0
	err := s.walk(-1, func(name string) {
		if n++; lim.MaxSheets <= 0 || n <= lim.MaxSheets {
			sheets = append(sheets, &Sheet{Name: name})
		}
	}, func(i int, hidden bool) {
		if i < len(sheets) {
			sheets[i].Hidden = hidden
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
	if lim.MaxSheets > 0 && n > lim.MaxSheets {
		return nil, fmt.Errorf("%w: %d sheets, limit %d", ErrTooLarge, n, lim.MaxSheets)
	}
	for i, sh := range sheets {
		sh.rows = func(fn func(Row) error) error { return s.walk(i, nil, nil, nil, fn) }
	}
	return &Book{Format: "xml2003", Sheets: sheets}, nil
}

// smlAttr reads an attribute in the ss: namespace (or without one).
func smlAttr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name && (a.Name.Space == nsSpreadsheetML || a.Name.Space == "") {
			return a.Value
		}
	}
	return ""
}

// walk reads the document: styles, then each Worksheet. onSheet and
// onHidden get each sheet's name and visibility, onMerge its merged
// ranges; rows, if set, the non-empty rows of sheet want.
func (s *smlBook) walk(want int, onSheet func(string), onHidden func(int, bool), onMerge func(int, Range) error, rows func(Row) error) error {
	d := xml.NewDecoder(newXMLGuard(bytes.NewReader(s.data), "xml"))
	var (
		sheet                 = -1
		style                 string
		rowNum, col           int
		row                   Row
		inRow, inCell, inData bool
		inVisible             bool
		visible               strings.Builder
		cell                  Cell
		cellStyle, dataType   string
		cellSpan              int
		text                  strings.Builder
		rowText, lastData     int
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return wrapXML("xml", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "Style":
				style = smlAttr(t, "ID")
				if p := smlAttr(t, "Parent"); p != "" {
					if f, ok := s.fonts[p]; ok {
						s.fonts[style] = f
					}
				}
			case "Font":
				if inData {
					continue // rich text inside Data: only its text counts
				}
				if f := smlAttr(t, "FontName"); f != "" && style != "" {
					s.fonts[style] = f
				}
			case "Worksheet":
				sheet++
				if want >= 0 && sheet > want {
					return nil
				}
				rowNum, lastData = 0, 0
				if onSheet != nil {
					onSheet(smlAttr(t, "Name"))
				}
			case "Row":
				if sheet < 0 {
					continue
				}
				inRow, col, rowText = true, 1, 0
				rowNum++
				if v, err := strconv.Atoi(smlAttr(t, "Index")); err == nil && v > rowNum && v <= 1048576 {
					rowNum = v
				}
				row = Row{Num: rowNum}
			case "Cell":
				if !inRow {
					continue
				}
				inCell = true
				if v, err := strconv.Atoi(smlAttr(t, "Index")); err == nil && v > col && v <= maxColumns {
					col = v
				}
				cell = Cell{Formula: smlAttr(t, "Formula") != ""}
				cellStyle, dataType = smlAttr(t, "StyleID"), ""
				text.Reset()
				across, _ := strconv.Atoi(smlAttr(t, "MergeAcross"))
				down, _ := strconv.Atoi(smlAttr(t, "MergeDown"))
				if (across > 0 || down > 0) && onMerge != nil {
					m := Range{rowNum, col, min(rowNum+max(down, 0), 1048576), min(col+max(across, 0), maxColumns)}
					if err := onMerge(sheet, m); err != nil {
						return err
					}
				}
				cellSpan = max(across, 0)
			case "Data":
				if inCell {
					inData, dataType = true, smlAttr(t, "Type")
				}
			case "Visible":
				inVisible = true
				visible.Reset()
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "Style":
				style = ""
			case "Data":
				inData = false
			case "Visible":
				inVisible = false
				if onHidden != nil && sheet >= 0 {
					v := strings.TrimSpace(visible.String())
					onHidden(sheet, v == "SheetHidden" || v == "SheetVeryHidden")
				}
			case "Cell":
				if !inCell {
					continue
				}
				inCell = false
				if sheet == want && rows != nil {
					if err := s.finishCell(&cell, dataType, text.String(), cellStyle); err != nil {
						return fmt.Errorf("%s: %w", CellRef(rowNum, col), err)
					}
					if cell.Kind != Blank {
						if col > maxColumns {
							return fmt.Errorf("%w: column beyond XFD", ErrCorrupt)
						}
						if rowText += len(cell.Text); rowText > maxRowText {
							return fmt.Errorf("%w: row %d holds over %d bytes of text", ErrTooLarge, rowNum, maxRowText)
						}
						for len(row.Cells) < col-1 {
							row.Cells = append(row.Cells, Cell{})
						}
						row.Cells = append(row.Cells[:col-1], cell)
					}
				}
				col += 1 + cellSpan // a merged cell's columns are not written again
			case "Row":
				if !inRow {
					continue
				}
				inRow = false
				if sheet != want || rows == nil {
					continue
				}
				if row.IsBlank() {
					if rowNum-lastData > MaxBlankRun {
						return nil
					}
					continue
				}
				lastData = rowNum
				if err := rows(row); err != nil {
					return err
				}
			case "Worksheet":
				if sheet == want && want >= 0 {
					return nil
				}
			}
		case xml.CharData:
			switch {
			case inData:
				text.Write(t)
				if text.Len() > 4*MaxCellChars {
					return fmt.Errorf("%w: a cell of over %d characters", ErrTooLarge, MaxCellChars)
				}
			case inVisible:
				visible.Write(t)
			}
		}
	}
}

// finishCell sets a cell from its Data type and text.
func (s *smlBook) finishCell(c *Cell, typ, text, style string) error {
	switch typ {
	case "Number":
		v := strings.TrimSpace(text)
		f, err := parseExcelNumber(v)
		switch {
		case errors.Is(err, errNotANumber):
			c.Kind, c.Text = Error, notANumber(v)
		case err != nil:
			return fmt.Errorf("%w: numeric cell %q", ErrCorrupt, v)
		default:
			c.Kind, c.Text, c.Num = Number, v, f
		}
	case "DateTime":
		f, ok := isoDateSerial(strings.TrimSpace(text))
		if !ok {
			return fmt.Errorf("%w: date cell %q", ErrCorrupt, text)
		}
		c.Kind, c.Text, c.Num = Number, strconv.FormatFloat(f, 'f', -1, 64), f
	case "Boolean":
		c.Kind, c.Text = Bool, "0"
		if strings.TrimSpace(text) == "1" {
			c.Text = "1"
		}
	case "Error":
		c.Kind, c.Text = Error, strings.TrimSpace(text)
	default: // "String"
		if cellTooLong(text) {
			return fmt.Errorf("%w: a cell of over %d characters", ErrTooLarge, MaxCellChars)
		}
		if text == "" {
			return nil
		}
		c.Kind, c.Text = String, text
		if enc, upper := legacy.FromFont(s.fonts[style]); enc != legacy.None {
			c.Text, c.Encoding = legacy.Decode(enc, upper, text), string(enc)
		} else if enc, upper := legacy.FromFont(s.fonts["Default"]); style == "" && enc != legacy.None {
			c.Text, c.Encoding = legacy.Decode(enc, upper, text), string(enc)
		}
	}
	return nil
}
