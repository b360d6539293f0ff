package workbook

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestXLSXLegacyFonts: text in a cell whose font is TCVN3 (.VnTime, .VnTimeH)
// or VNI (VNI-Times) is stored as Windows-1252 glyphs; the reader converts it
// to Unicode and records the encoding. Other cells are left alone, even when
// they contain the same glyphs.
func TestXLSXLegacyFonts(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sh := "Sheet1"
	style := func(font string) int {
		id, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: font}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	cells := []struct {
		ref, font, stored, want, enc string
	}{
		{"A1", ".VnTime", "Hµ Néi", "Hà Nội", "tcvn3"},
		{"A2", ".VnTimeH", "hµ néi", "HÀ NỘI", "tcvn3"},
		{"A3", "VNI-Times", "Haø Noäi", "Hà Nội", "vni"},
		{"A4", "Times New Roman", "Hµ Néi", "Hµ Néi", ""},    // not a legacy font: untouched
		{"A5", ".VnArial", "Tr\u00adêng", "Trường", "tcvn3"}, // TCVN3 ư is the soft hyphen
	}
	for _, c := range cells {
		if err := f.SetCellStr(sh, c.ref, c.stored); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellStyle(sh, c.ref, c.ref, style(c.font)); err != nil {
			t.Fatal(err)
		}
	}
	// A number in a legacy-font cell stays a number.
	if err := f.SetCellInt(sh, "B1", 1234); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStyle(sh, "B1", "B1", style(".VnTime")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	book, err := Open("a.xlsx", buf.Bytes(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]Row{}
	if err := book.Sheets[0].Rows(func(r Row) error { got[r.Num] = r; return nil }); err != nil {
		t.Fatal(err)
	}
	for i, c := range cells {
		cell := got[i+1].Cell(1)
		if cell.Text != c.want || cell.Encoding != c.enc {
			t.Errorf("%s (%s) %q: read %q enc %q, want %q enc %q", c.ref, c.font, c.stored, cell.Text, cell.Encoding, c.want, c.enc)
		}
	}
	if n := got[1].Cell(2); n.Kind != Number || n.Num != 1234 || n.Encoding != "" {
		t.Errorf("B1 = %+v, want the number 1234 untouched", n)
	}
}
