package workbook

import (
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// An HTML table saved as .xls, laid out as a browser lays it out: the
// title above the table as one-cell rows, rowspan and colspan as merged
// cells with the cells after them moved right, Excel's x:num cells as
// numbers and other cells as text.
func TestHTMLTable(t *testing.T) {
	doc := `<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"><style>td{}</style><title>Báo cáo</title></head><body>
<h3>UBND XÃ BẰNG THÀNH</h3><p>BIỂU 01<br>NĂM 2026</p>
<table border="1">
<tr><th rowspan="2">STT</th><th rowspan="2">Tên thôn</th><th colspan="2">Gia đình học tập</th></tr>
<tr><th>Tổng số hộ</th><th>Số hộ
   được công nhận</th></tr>
<tr><td x:num>1</td><td>Thôn Nà Rì</td><td x:num="1120">1.120</td><td>90</td></tr>
<tr><td x:num="2">2</td><td>Thôn <b>Khuổi</b> Cái</td><td x:num>NaN</td><td x:bool>TRUE</td></tr>
</table></body></html>`
	b, err := Open("bao-cao.xls", []byte(doc), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if b.Format != "html" || len(b.Sheets) != 1 {
		t.Fatalf("format %s, %d sheets", b.Format, len(b.Sheets))
	}
	wantMerges := []Range{{4, 1, 5, 1}, {4, 2, 5, 2}, {4, 3, 4, 4}}
	if m := b.Sheets[0].Merges; len(m) != 3 || m[0] != wantMerges[0] || m[1] != wantMerges[1] || m[2] != wantMerges[2] {
		t.Errorf("merges %v, want %v", m, wantMerges)
	}
	rows, err := allRows(t, b.Sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Cell{}
	for _, r := range rows {
		for i, c := range r.Cells {
			got[CellRef(r.Num, i+1)] = c
		}
	}
	want := map[string]Cell{
		"A1": {Kind: String, Text: "UBND XÃ BẰNG THÀNH"},
		"A2": {Kind: String, Text: "BIỂU 01"},
		"A3": {Kind: String, Text: "NĂM 2026"},
		"A4": {Kind: String, Text: "STT"}, "B4": {Kind: String, Text: "Tên thôn"}, "C4": {Kind: String, Text: "Gia đình học tập"},
		"A5": {}, "B5": {}, "C5": {Kind: String, Text: "Tổng số hộ"}, "D5": {Kind: String, Text: "Số hộ được công nhận"},
		"A6": {Kind: Number, Text: "1", Num: 1}, "B6": {Kind: String, Text: "Thôn Nà Rì"}, "C6": {Kind: Number, Text: "1120", Num: 1120}, "D6": {Kind: String, Text: "90"},
		"B7": {Kind: String, Text: "Thôn Khuổi Cái"}, "C7": {Kind: Error, Text: "NaN"}, "D7": {Kind: Bool, Text: "1"},
	}
	for ref, w := range want {
		if got[ref] != w {
			t.Errorf("%s = %+v, want %+v", ref, got[ref], w)
		}
	}
	if len(rows) != 7 {
		t.Errorf("%d rows", len(rows))
	}
}

// LibreOffice's HTML export of a workbook (what "Save as HTML" writes):
// merged cells become rowspan/colspan, numbers carry sdval.
func TestHTMLFromLibreOffice(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sh := "Sheet1"
	for ref, v := range map[string]any{"A1": "UBND XÃ BẰNG THÀNH", "A3": "STT", "B3": "Tên thôn", "C3": "Gia đình học tập",
		"C4": "Tổng số hộ", "D4": "Số hộ đạt", "A5": 1, "B5": "Thôn Nà Rì", "C5": 1120, "D5": 90.5} {
		if err := f.SetCellValue(sh, ref, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range [][2]string{{"A3", "A4"}, {"B3", "B4"}, {"C3", "D3"}} {
		if err := f.MergeCell(sh, m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sofficeConvert(map[string][]byte{"book": buf.Bytes()}, "html")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open("book.xls", out["book"], DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := allRows(t, b.Sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	// Find the table's rows by their content: LibreOffice adds a heading
	// with the sheet name above the table.
	var hdr, data *Row
	for i := range rows {
		switch rows[i].Cell(1).Text {
		case "STT":
			hdr = &rows[i]
		case "1":
			data = &rows[i]
		}
	}
	if hdr == nil || data == nil {
		t.Fatalf("no header or data row in %+v", rows)
	}
	if hdr.Cell(3).Text != "Gia đình học tập" || data.Num != hdr.Num+2 {
		t.Errorf("header %+v, data at %d", hdr.Cells, data.Num)
	}
	if c := data.Cell(4); c.Kind != Number || c.Num != 90.5 {
		t.Errorf("D = %+v, want the number 90.5", c)
	}
	if c := data.Cell(3); c.Kind != Number || c.Num != 1120 {
		t.Errorf("C = %+v, want the number 1120", c)
	}
	found := false
	for _, m := range b.Sheets[0].Merges {
		if m == (Range{hdr.Num, 3, hdr.Num, 4}) {
			found = true
		}
	}
	if !found {
		t.Errorf("merges %v lack the colspan over C:D of row %d", b.Sheets[0].Merges, hdr.Num)
	}
}

// Bounds: a table wider than a sheet, an enormous cell.
func TestHTMLLimits(t *testing.T) {
	wide := `<table><tr><td colspan="16384">a</td><td>b</td></tr></table>`
	if _, err := Open("a.xls", []byte(wide), DefaultLimits); !errors.Is(err, ErrTooLarge) {
		t.Errorf("wide: %v, want ErrTooLarge", err)
	}
	long := `<table><tr><td>` + strings.Repeat("x ", MaxCellChars) + `</td></tr></table>`
	if _, err := Open("a.xls", []byte(long), DefaultLimits); !errors.Is(err, ErrTooLarge) {
		t.Errorf("long: %v, want ErrTooLarge", err)
	}
	// A CSV that mentions a table is still a CSV.
	b, err := Open("a.csv", []byte("STT;Ghi chú\n1;<table> trong ghi chú\n"), DefaultLimits)
	if err != nil || b.Format != "csv" {
		t.Errorf("csv: %v", err)
	}
}

// LibreOffice's HTML export writes one table per sheet under a heading
// "Sheet N: <em>name</em>": each table is a sheet of that name, the
// headings and the overview are not rows, text between tables is the
// title of the table below. Before, every table went into one sheet.
func TestHTMLOneSheetPerTable(t *testing.T) {
	doc := `<html><body><center><h1>Overview</h1><a href="#table0">Biểu 01</a></center><hr>
<a name="table0"><h1>Sheet 1: <em>Biểu 01</em></h1></a>
<table><tr><td>STT</td><td>Tên thôn</td></tr><tr><td sdval="1">1</td><td>Nà Pài</td></tr></table>
<hr><a name="table1"><h1>Trang tính 2: <em>Biểu 02</em></h1></a>
<table><tr><td>Tên xã</td></tr><tr><td rowspan="2">Bằng Thành</td></tr></table>
<p>BIỂU 03</p><table><tr><td>x</td></tr></table><p>Người lập biểu</p></body></html>`
	b, err := Open("t.xls", []byte(doc), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, sh := range b.Sheets {
		names = append(names, sh.Name)
	}
	if strings.Join(names, "|") != "Biểu 01|Biểu 02|t (bảng 3)" {
		t.Fatalf("sheets %q", names)
	}
	want := []string{"STT Tên thôn|1 Nà Pài", "Tên xã|Bằng Thành", "BIỂU 03|x|Người lập biểu"}
	for i, sh := range b.Sheets {
		rows, err := allRows(t, sh)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, r := range rows {
			var cells []string
			for _, c := range r.Cells {
				cells = append(cells, c.Text)
			}
			lines = append(lines, strings.Join(cells, " "))
		}
		if got := strings.Join(lines, "|"); got != want[i] {
			t.Errorf("sheet %d rows %q, want %q", i, got, want[i])
		}
	}
	if m := b.Sheets[1].Merges; len(m) != 1 || m[0] != (Range{2, 1, 3, 1}) {
		t.Errorf("sheet 2 merges %v", m)
	}
}

// LibreOffice's HTML export of a .VnTime sheet writes each cell's text in
// <font face=".VnTime">: converted from TCVN3 as the other readers do
// (before, the headers stayed glyphs and the form was not found).
func TestHTMLLegacyFont(t *testing.T) {
	doc := `<html><body><table><tr><td><font face=".VnTime" size=3>Th«n Nµ P¸i</font></td><td><font face="Times New Roman">Th«n</font></td><td sdval="5"><font face=".VnTime">5</font></td></tr></table></body></html>`
	b, err := Open("e.xls", []byte(doc), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := allRows(t, b.Sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	r := rows[0]
	if r.Cell(1) != (Cell{Kind: String, Text: "Thôn Nà Pái", Encoding: "tcvn3"}) || r.Cell(2).Text != "Th«n" || r.Cell(3).Num != 5 {
		t.Errorf("cells %+v", r.Cells)
	}
}
