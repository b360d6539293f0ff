package workbook

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestODSFromLibreOffice: a workbook saved by LibreOffice in its own
// format (soffice --convert-to ods) reads like the .xlsx it came from:
// cell types (numbers by their stored value, percentages as fractions,
// dates as serials, booleans, text), cached formula results, merged cells,
// a hidden sheet, and text in legacy fonts converted.
func TestODSFromLibreOffice(t *testing.T) {
	if _, err := exec.LookPath("soffice"); err != nil {
		t.Fatal("soffice (LibreOffice) is not installed: run make tools (scripts/libreoffice.sh)")
	}
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	style := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		must(err)
		return id
	}
	sh := "Biểu 01"
	must(f.SetSheetName("Sheet1", sh))
	must(f.SetCellStr(sh, "A1", "UBND XÃ BẰNG THÀNH"))
	must(f.MergeCell(sh, "A1", "D1"))
	must(f.SetCellFloat(sh, "A2", 12.5, -1, 64))
	must(f.SetCellFloat(sh, "B2", 0.875, -1, 64))
	must(f.SetCellStyle(sh, "B2", "B2", style(&excelize.Style{NumFmt: 10}))) // 0.00%
	must(f.SetCellFloat(sh, "C2", 46356, -1, 64))
	must(f.SetCellStyle(sh, "C2", "C2", style(&excelize.Style{NumFmt: 14}))) // date
	must(f.SetCellBool(sh, "D2", true))
	must(f.SetCellFormula(sh, "E2", "A2*2"))
	must(f.SetCellStr(sh, "A3", "Hµ Néi"))
	must(f.SetCellStyle(sh, "A3", "A3", style(&excelize.Style{Font: &excelize.Font{Family: ".VnTime"}})))
	must(f.SetCellStr(sh, "B3", "Haø Noäi"))
	must(f.SetCellStyle(sh, "B3", "B3", style(&excelize.Style{Font: &excelize.Font{Family: "VNI-Times"}})))
	must(f.SetCellStr(sh, "C3", "Hµ Néi")) // default font: untouched
	must(f.SetCellInt(sh, "A5", 1234))
	must(f.SetCellStr(sh, "B5", "  hai  dấu cách  "))
	_, err := f.NewSheet("Ẩn")
	must(err)
	must(f.SetCellStr("Ẩn", "A1", "x"))
	must(f.SetSheetVisible("Ẩn", false))
	var buf bytes.Buffer
	must(f.Write(&buf))
	out, err := sofficeConvert(map[string][]byte{"book": buf.Bytes()}, "ods")
	must(err)

	b, err := Open("a.ods", out["book"], DefaultLimits)
	must(err)
	if b.Format != "ods" || len(b.Sheets) != 2 {
		t.Fatalf("format %s, %d sheets", b.Format, len(b.Sheets))
	}
	if s := b.Sheets[0]; s.Name != sh || s.Hidden || len(s.Merges) != 1 || s.Merges[0] != (Range{1, 1, 1, 4}) {
		t.Errorf("sheet 1: %q hidden %v merges %v", s.Name, s.Hidden, s.Merges)
	}
	if s := b.Sheets[1]; s.Name != "Ẩn" || !s.Hidden {
		t.Errorf("sheet 2: %q hidden %v", s.Name, s.Hidden)
	}
	rows, err := allRows(t, b.Sheets[0])
	must(err)
	got := map[string]Cell{}
	for _, r := range rows {
		for i, c := range r.Cells {
			got[CellRef(r.Num, i+1)] = c
		}
	}
	want := map[string]Cell{
		"A1": {Kind: String, Text: "UBND XÃ BẰNG THÀNH"},
		"A2": {Kind: Number, Text: "12.5", Num: 12.5},
		"B2": {Kind: Number, Text: "0.875", Num: 0.875},
		"C2": {Kind: Number, Text: "46356", Num: 46356},
		// LibreOffice has no boolean cells: Excel's TRUE becomes the
		// formula =TRUE() with the value 1 (the boolean value type is
		// tested on hand-written XML below).
		"D2": {Kind: Number, Text: "1", Num: 1, Formula: true},
		"E2": {Kind: Number, Text: "25", Num: 25, Formula: true},
		"A3": {Kind: String, Text: "Hà Nội", Encoding: "tcvn3"},
		"B3": {Kind: String, Text: "Hà Nội", Encoding: "vni"},
		"C3": {Kind: String, Text: "Hµ Néi"},
		"A5": {Kind: Number, Text: "1234", Num: 1234},
		"B5": {Kind: String, Text: "  hai  dấu cách  "},
	}
	for ref, w := range want {
		if got[ref] != w {
			t.Errorf("%s = %+v, want %+v", ref, got[ref], w)
		}
	}
	if len(rows) != 4 || rows[3].Num != 5 {
		t.Errorf("rows %d (last %d), want 1, 2, 3, 5", len(rows), rows[len(rows)-1].Num)
	}
	if b.Sheets[0].Converted["tcvn3"] != 1 || b.Sheets[0].Converted["vni"] != 1 {
		t.Errorf("converted %v", b.Sheets[0].Converted)
	}
}

// Hand-written content.xml: repeated rows and cells, covered cells,
// text spans in a legacy font, an error result, and the bounds.
func TestODSContent(t *testing.T) {
	content := func(body string) []byte {
		return zipParts(t, []string{"mimetype", "content.xml"}, map[string]string{
			"mimetype": odsMime,
			"content.xml": `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0">` +
				`<office:automatic-styles><style:style style:name="T1" style:family="text"><style:text-properties style:font-name=".VnTime"/></style:style></office:automatic-styles>` +
				`<office:body><office:spreadsheet><table:table table:name="S">` + body + `</table:table></office:spreadsheet></office:body></office:document-content>`,
		})
	}
	data := content(`<table:table-row table:number-rows-repeated="2"><table:table-cell office:value-type="float" office:value="7" table:number-columns-repeated="2"/></table:table-row>` +
		`<table:table-row table:number-rows-repeated="1048000"/>` +
		`<table:table-row><table:table-cell table:number-columns-spanned="2" office:value-type="string"><text:p>Thôn <text:span text:style-name="T1">Nµ</text:span> Rì<text:s text:c="2"/>x</text:p><text:p>2</text:p></table:table-cell><table:covered-table-cell/>` +
		`<table:table-cell table:formula="of:=1/0"><text:p>#DIV/0!</text:p></table:table-cell></table:table-row>`)
	b, err := Open("a.ods", data, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := allRows(t, b.Sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Num != 1 || rows[1].Num != 2 || rows[1].Cell(2).Num != 7 {
		t.Fatalf("rows %+v: the blank rows after them end the sheet", rows)
	}
	big := content(`<table:table-row><table:table-cell office:value-type="string" table:number-columns-repeated="3"><text:p>a</text:p></table:table-cell></table:table-row>` +
		`<table:table-row table:number-rows-repeated="5000"/>` +
		`<table:table-row><table:table-cell table:number-columns-spanned="2" office:value-type="string"><text:p>Thôn <text:span text:style-name="T1">Nµ</text:span> Rì<text:s text:c="2"/>x</text:p><text:p>2</text:p></table:table-cell><table:covered-table-cell/>` +
		`<table:table-cell table:formula="of:=1/0"><text:p>#DIV/0!</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="Inf"/><table:table-cell office:value-type="boolean" office:boolean-value="false"/></table:table-row>`)
	b, err = Open("a.ods", big, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if m := b.Sheets[0].Merges; len(m) != 1 || m[0] != (Range{5002, 1, 5002, 2}) {
		t.Errorf("merges %v", m)
	}
	rows, err = allRows(t, b.Sheets[0])
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %+v, %v", rows, err)
	}
	if r := rows[0]; len(r.Cells) != 3 || r.Cell(3).Text != "a" {
		t.Errorf("repeated cells: %+v", r.Cells)
	}
	r := rows[1]
	if r.Num != 5002 || r.Cell(1) != (Cell{Kind: String, Text: "Thôn Nà Rì  x\n2", Encoding: "tcvn3"}) || r.Cell(2).Kind != Blank ||
		r.Cell(3) != (Cell{Kind: Error, Text: "#DIV/0!", Formula: true}) || r.Cell(4) != (Cell{Kind: Error, Text: "Inf"}) || r.Cell(5) != (Cell{Kind: Bool, Text: "0"}) {
		t.Errorf("row %d: %+v", r.Num, r.Cells)
	}
	// A damaged number; a zip that is no spreadsheet.
	// A number or date no office suite writes is named at its cell
	// (the whole file was refused as damaged before).
	b, err = Open("a.ods", content(`<table:table-row><table:table-cell office:value-type="float" office:value="1_000"/><table:table-cell office:value-type="date" office:date-value="1899-12-31"/><table:table-cell office:value-type="float" office:value=" 112"/></table:table-row>`), DefaultLimits)
	if err == nil {
		rows, err = allRows(t, b.Sheets[0])
	}
	if err != nil || rows[0].Cell(1) != (Cell{Kind: Error, Text: "1_000"}) || rows[0].Cell(2) != (Cell{Kind: Error, Text: "1899-12-31"}) || rows[0].Cell(3).Num != 112 {
		t.Errorf("1_000, 1899-12-31, ' 112': %+v, %v", rows, err)
	}
	odt := zipParts(t, []string{"mimetype", "content.xml"}, map[string]string{"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"})
	if _, err := Open("a.odt", odt, DefaultLimits); !errors.Is(err, ErrUnsupported) {
		t.Errorf(".odt: %v, want ErrUnsupported", err)
	}
}

// A cell of nothing but <text:s text:c="99999"/> elements: 1.7 KB zipped,
// but 20,000 × 32,767 spaces if the spaces were not held to the cell's
// bound as text is (a review found it asking for 5 GB).
func TestODSSpacesAreBounded(t *testing.T) {
	body := `<table:table-row><table:table-cell office:value-type="string"><text:p>` +
		strings.Repeat(`<text:s text:c="99999"/>`, 20000) + `</text:p></table:table-cell></table:table-row>`
	data := zipParts(t, []string{"mimetype", "content.xml"}, map[string]string{
		"mimetype": odsMime,
		"content.xml": `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S">` +
			body + `</table:table></office:spreadsheet></office:body></office:document-content>`,
	})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Open("a.ods", data, DefaultLimits)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Open = %v, want ErrTooLarge", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("Open allocated %d MB before refusing a %d-byte file; want under 64 MB", alloc>>20, len(data))
	}
}

// content.xml is parsed twice, not three times: the styles pass stops at
// <office:body> (the automatic styles come before it). A budget of 2.5
// times the part reads every row (before: the styles pass read all of it,
// and the rows pass crossed the budget); one under twice the part is
// refused at Open from the size the zip entry declares, before parsing.
func TestODSContentReadTwice(t *testing.T) {
	var body strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&body, `<table:table-row><table:table-cell office:value-type="float" office:value="%d"/><table:table-cell office:value-type="string"><text:p>Thôn %d</text:p></table:table-cell></table:table-row>`, i, i)
	}
	content := `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S">` +
		body.String() + `</table:table></office:spreadsheet></office:body></office:document-content>`
	data := zipParts(t, []string{"mimetype", "content.xml"}, map[string]string{"mimetype": odsMime, "content.xml": content})
	n := int64(len(content))
	lim := DefaultLimits
	lim.MaxUnzippedBytes = n * 5 / 2
	b, err := Open("a.ods", data, lim)
	if err != nil {
		t.Fatalf("budget %d for a %d-byte content.xml: Open = %v", lim.MaxUnzippedBytes, n, err)
	}
	rows, err := allRows(t, b.Sheets[0])
	if err != nil || len(rows) != 2000 {
		t.Fatalf("budget %d for a %d-byte content.xml: %d rows, %v; want 2000 rows", lim.MaxUnzippedBytes, n, len(rows), err)
	}
	lim.MaxUnzippedBytes = n*2 - 1
	if _, err := Open("a.ods", data, lim); !errors.Is(err, ErrTooLarge) {
		t.Errorf("budget under twice content.xml: Open = %v, want ErrTooLarge", err)
	}
}
