package workbook

import (
	"bytes"
	"errors"
	"testing"
)

// Hand-written SpreadsheetML, as Excel's "XML Spreadsheet 2003" writes it
// (LibreOffice 7.4's export filter for it fails on real sheets, and
// Gnumeric does not write it): ss:Index skips, a merge across that moves
// the next cell, Boolean/DateTime/Error data, rich text, a legacy font, a
// hidden sheet, damage.
func TestSpreadsheetMLContent(t *testing.T) {
	doc := `<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">
<Styles><Style ss:ID="s1"><Font ss:FontName="VNI-Times"/></Style></Styles>
<Worksheet ss:Name="S"><Table>
<Row ss:Index="2"><Cell ss:MergeAcross="1"><Data ss:Type="String">Gia đình</Data></Cell><Cell><ss:Data ss:Type="String"><B>Thôn</B> <Font>A</Font></ss:Data></Cell></Row>
<Row><Cell ss:Index="2"><Data ss:Type="Boolean">1</Data></Cell><Cell><Data ss:Type="DateTime">2026-11-30T00:00:00.000</Data></Cell><Cell><Data ss:Type="Error">#DIV/0!</Data></Cell><Cell ss:StyleID="s1"><Data ss:Type="String">Haø Noäi</Data></Cell><Cell><Data ss:Type="Number">Inf</Data></Cell></Row>
</Table><WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetVisible</Visible></WorksheetOptions></Worksheet>
<Worksheet ss:Name="Ẩn"><Table><Row><Cell><Data ss:Type="Number">1</Data></Cell></Row></Table><WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions></Worksheet></Workbook>`
	b, err := Open("a.xls", []byte(doc), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if b.Format != "xml2003" || len(b.Sheets) != 2 || b.Sheets[1].Name != "Ẩn" || !b.Sheets[1].Hidden {
		t.Fatalf("book %s %+v", b.Format, b.Sheets)
	}
	if m := b.Sheets[0].Merges; len(m) != 1 || m[0] != (Range{2, 1, 2, 2}) || b.Sheets[0].Hidden {
		t.Errorf("merges %v hidden %v", m, b.Sheets[0].Hidden)
	}
	if rows, err := allRows(t, b.Sheets[1]); err != nil || len(rows) != 1 || rows[0].Cell(1).Num != 1 {
		t.Errorf("hidden sheet rows %+v, %v", rows, err)
	}
	rows, err := allRows(t, b.Sheets[0])
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %+v, %v", rows, err)
	}
	if r := rows[0]; r.Num != 2 || r.Cell(1).Text != "Gia đình" || r.Cell(3).Text != "Thôn A" {
		t.Errorf("row 2: %+v", r.Cells)
	}
	want := []Cell{{}, {Kind: Bool, Text: "1"}, {Kind: Number, Text: "46356", Num: 46356}, {Kind: Error, Text: "#DIV/0!"},
		{Kind: String, Text: "Hà Nội", Encoding: "vni"}, {Kind: Error, Text: "Inf"}}
	for i, w := range want {
		if got := rows[1].Cell(i + 1); got != w {
			t.Errorf("%s = %+v, want %+v", CellRef(3, i+1), got, w)
		}
	}
	bad := bytes.Replace([]byte(doc), []byte(">Inf<"), []byte(">0x10<"), 1)
	b, err = Open("a.xls", bad, DefaultLimits)
	if err == nil {
		_, err = allRows(t, b.Sheets[0])
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("0x10: %v, want ErrCorrupt", err)
	}
}
