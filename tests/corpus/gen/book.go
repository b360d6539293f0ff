package main

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/xuri/excelize/v2"
)

// A small description of a workbook, written with excelize the way an
// office suite stores it: shared strings, numeric cells, merges, fonts,
// number formats, formulas (without results: only an office suite computes
// them; see office.go), hidden sheets.

// cell is one cell. v is string (text), int or float64 (number), or nil.
type cell struct {
	v       any
	formula string // "SUM(C9:C14)"; v is then ignored
	font    string // font family; "" = the sheet's font
	numFmt  string // custom number format ("#,##0")
	bold    bool
	wrap    bool
	border  bool
}

type sheet struct {
	name   string
	hidden bool
	font   string // font of every cell without one ("" = Calibri)
	cells  map[[2]int]cell
	merges [][2]string
	widths map[string]float64
}

func newSheet(name string) *sheet {
	return &sheet{name: name, cells: map[[2]int]cell{}, widths: map[string]float64{}}
}

// put sets cells row, col, col+1, … to vals (a value, or a cell).
func (s *sheet) put(row, col int, vals ...any) {
	for i, v := range vals {
		c, ok := v.(cell)
		if !ok {
			c = cell{v: v}
		}
		s.cells[[2]int{row, col + i}] = c
	}
}

// at changes one already placed cell.
func (s *sheet) at(row, col int, f func(c *cell)) {
	k := [2]int{row, col}
	c := s.cells[k]
	f(&c)
	s.cells[k] = c
}

func (s *sheet) merge(from, to string) { s.merges = append(s.merges, [2]string{from, to}) }

// mergeRC merges a block given by 1-based row and column numbers.
func (s *sheet) mergeRC(r1, c1, r2, c2 int) { s.merge(ref(r1, c1), ref(r2, c2)) }

func ref(row, col int) string {
	r, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		panic(err)
	}
	return r
}

type book struct {
	sheets []*sheet
	// defaultFont is the workbook's standard font (Excel: Options, General,
	// "Use this as the default font"); with it, cells without an attribute
	// of their own are written without a style, as Excel writes them.
	defaultFont string
}

type styleKey struct {
	font, numFmt       string
	bold, wrap, border bool
}

// xlsx renders the book. The output depends only on the book.
func (b *book) xlsx() []byte {
	x := excelize.NewFile()
	defer x.Close()
	styles := map[styleKey]int{}
	style := func(k styleKey) int {
		if id, ok := styles[k]; ok {
			return id
		}
		st := &excelize.Style{Font: &excelize.Font{Family: k.font, Size: 12, Bold: k.bold}}
		if k.font == "" {
			st.Font.Family = "Times New Roman"
		}
		if k.numFmt != "" {
			f := k.numFmt
			st.CustomNumFmt = &f
		}
		if k.wrap {
			st.Alignment = &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "center"}
		}
		if k.border {
			st.Border = []excelize.Border{{Type: "left", Style: 1, Color: "000000"}, {Type: "right", Style: 1, Color: "000000"},
				{Type: "top", Style: 1, Color: "000000"}, {Type: "bottom", Style: 1, Color: "000000"}}
		}
		id, err := x.NewStyle(st)
		must(err)
		styles[k] = id
		return id
	}
	if b.defaultFont != "" {
		must(x.SetDefaultFont(b.defaultFont))
	}
	for i, s := range b.sheets {
		if i == 0 {
			must(x.SetSheetName("Sheet1", s.name))
		} else {
			_, err := x.NewSheet(s.name)
			must(err)
		}
		keys := make([][2]int, 0, len(s.cells))
		for k := range s.cells {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i][0] != keys[j][0] {
				return keys[i][0] < keys[j][0]
			}
			return keys[i][1] < keys[j][1]
		})
		for _, k := range keys {
			c := s.cells[k]
			r := ref(k[0], k[1])
			switch v := c.v; {
			case c.formula != "":
				must(x.SetCellFormula(s.name, r, c.formula))
			case v == nil:
			default:
				switch v := v.(type) {
				case string:
					if v != "" {
						must(x.SetCellStr(s.name, r, v))
					}
				case int:
					must(x.SetCellInt(s.name, r, int64(v)))
				case float64:
					must(x.SetCellFloat(s.name, r, v, -1, 64))
				default:
					panic(fmt.Sprintf("cell %s!%s: %T", s.name, r, v))
				}
			}
			font := c.font
			if font == "" {
				font = s.font
			}
			if b.defaultFont != "" && font == "" && c == (cell{v: c.v, formula: c.formula}) {
				continue // the default style: no s attribute
			}
			must(x.SetCellStyle(s.name, r, r, style(styleKey{font, c.numFmt, c.bold, c.wrap, c.border})))
		}
		for _, m := range s.merges {
			must(x.MergeCell(s.name, m[0], m[1]))
		}
		cols := make([]string, 0, len(s.widths))
		for c := range s.widths {
			cols = append(cols, c)
		}
		sort.Strings(cols)
		for _, c := range cols {
			must(x.SetColWidth(s.name, c, c, s.widths[c]))
		}
	}
	for i, s := range b.sheets {
		if !s.hidden {
			x.SetActiveSheet(i)
			break
		}
	}
	for _, s := range b.sheets {
		if s.hidden {
			must(x.SetSheetVisible(s.name, false))
		}
	}
	must(x.SetDocProps(&excelize.DocProperties{
		Creator: "Văn phòng UBND xã", LastModifiedBy: "Văn phòng UBND xã", Language: "vi-VN",
		Created: "2026-12-01T08:00:00Z", Modified: "2026-12-01T08:00:00Z",
	}))
	var buf bytes.Buffer
	must(x.Write(&buf))
	return buf.Bytes()
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
