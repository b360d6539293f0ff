//go:build unix

package marked

// With a real office suite: .xls uploads made by LibreOffice, the real
// template filled in and re-saved by LibreOffice, and every marked
// workbook opened by LibreOffice (to PDF, and re-saved as .xlsx with its
// marks and comments intact).

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/internal/fixture"
	"github.com/xhht/xhht/pipeline/internal/officetest"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/template"
	"github.com/xhht/xhht/pipeline/template/templatetest"
)

// soffice converts data (saved as name) with LibreOffice to format ("xlsx",
// "pdf", "xls:MS Excel 97") and returns the result.
func soffice(t *testing.T, name string, data []byte, format string) []byte {
	t.Helper()
	return officetest.Convert(t, name, data, format, "")
}

// opensInLibreOffice: LibreOffice renders the marked workbook to PDF, and
// its own re-save as .xlsx still has the marks, comments and list
// (checkMarks again), so the file is sound for a real office suite, not
// only for excelize. keep, when set, gets the PDF (to look at).
func opensInLibreOffice(t *testing.T, out []byte, check func(resaved []byte)) {
	t.Helper()
	pdf := soffice(t, "danh-dau.xlsx", out, "pdf")
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || len(pdf) < 2000 {
		t.Errorf("LibreOffice made no real PDF of the marked workbook (%d bytes)", len(pdf))
	}
	if dir := os.Getenv("XHHT_MARKED_PDF_DIR"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".pdf"), pdf, 0o644)
	}
	check(soffice(t, "danh-dau.xlsx", out, "xlsx"))
}

func TestXLS(t *testing.T) {
	lay := badForm(false)
	xlsx := withOther(t, lay)
	data := soffice(t, "bao-cao.xlsx", xlsx, "xls:MS Excel 97")
	if !bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}) {
		t.Fatal("LibreOffice did not write an .xls")
	}
	rc := check(t, "bao-cao.xls", data)
	hasCodes(t, rc)
	if rc.Format != "xls" {
		t.Fatalf("read as %q", rc.Format)
	}
	out := mustWrite(t, "bao-cao.xls", data, rc)
	f := checkMarks(t, out, rc, same, nil)
	if got, want := f.GetSheetList(), []string{"Biểu 01", "Danh sách hộ", "Kết quả kiểm tra"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sheets %q, want %q", got, want)
	}
	checkCopy(t, f, "bao-cao.xls", data, same)
	checkFormulaText(t, f, "Biểu 01")
	if om, nm := mergeList(t, mustOpen(t, xlsx), "Biểu 01"), mergeList(t, f, "Biểu 01"); fmt.Sprint(om) != fmt.Sprint(nm) {
		t.Errorf("merges %q, were %q", nm, om)
	}
	opensInLibreOffice(t, out, func(resaved []byte) { checkMarks(t, resaved, rc, same, nil) })
}

// withOther is the bad form with a second sheet of the official's own.
func withOther(t *testing.T, lay fixture.Layout) []byte {
	t.Helper()
	other := fixture.NewGrid("Danh sách hộ")
	other.Put(1, 1, "Hộ")
	other.Put(2, 1, "Nguyễn Văn Bình")
	other.Put(2, 2, 3)
	return fixture.XLSX(t, lay.G, other)
}

func mustOpen(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestLibreOfficeTemplate: the real template, filled in, with mistakes,
// re-saved by LibreOffice (an office suite's file, not excelize's): the
// marks land on the receipt's cells and its formulas (the totals row) and
// sheets survive.
func TestLibreOfficeTemplate(t *testing.T) {
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	v := reg.ForYear(2026)
	c := v.Communes["01864"]
	o := template.Options{Forms: forms.MustLoad(), Year: 2026, Commune: c, Province: v.Provinces[c.ProvinceCode], BlankRows: 5}
	var buf bytes.Buffer
	if err := template.Write(&buf, o); err != nil {
		t.Fatal(err)
	}
	sheets, err := template.Layout(o)
	if err != nil {
		t.Fatal(err)
	}
	filled, err := templatetest.Fill(buf.Bytes(), sheets, 4)
	if err != nil {
		t.Fatal(err)
	}
	s := sheets[0]
	row := s.FirstData + 1
	bad, err := templatetest.Set(filled.Bytes, map[string]any{
		fmt.Sprintf("%s!%s%d", s.Name, colLetters(s.Column("ho_dang_ky")), row):      5000,
		fmt.Sprintf("%s!%s%d", s.Name, colLetters(s.Column("ho_tong")), row+1):       "=A1",
		fmt.Sprintf("%s!%s%d", s.Name, colLetters(s.Column("cong_dong_dat")), row+2): "Cóo",
	})
	if err != nil {
		t.Fatal(err)
	}
	data := soffice(t, "bao-cao.xlsx", bad, "xlsx")
	rc := check(t, "bao-cao.xlsx", data)
	if rc.ErrorCount < 3 {
		t.Fatalf("test input: want at least 3 errors:%s", templatetest.Issues(rc))
	}
	out := mustWrite(t, "bao-cao.xlsx", data, rc)
	f := checkMarks(t, out, rc, same, nil)
	orig := mustOpen(t, data)
	if got, want := f.GetSheetList(), append(orig.GetSheetList(), "Kết quả kiểm tra"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sheets %q, want %q", got, want)
	}
	formulas := 0
	for _, sh := range orig.GetSheetList() {
		rows, _ := orig.GetRows(sh)
		for ri, r := range rows {
			for ci := range r {
				ref := fmt.Sprintf("%s%d", colLetters(ci+1), ri+1)
				of, _ := orig.GetCellFormula(sh, ref)
				nf, _ := f.GetCellFormula(sh, ref)
				if of != nf {
					t.Errorf("%s!%s formula %q, was %q", sh, ref, nf, of)
				}
				if of != "" {
					formulas++
				}
			}
		}
	}
	if formulas == 0 {
		t.Fatal("test input: the template has no formulas")
	}
	if v, _ := f.GetCellValue(s.Name, fmt.Sprintf("%s%d", colLetters(s.Column("ho_tong")), row+1)); v != "=A1" {
		t.Errorf("the text =A1 reads %q", v)
	}
	opensInLibreOffice(t, out, func(resaved []byte) { checkMarks(t, resaved, rc, same, nil) })
}

func colLetters(c int) string {
	s, err := excelize.ColumnNumberToName(c)
	if err != nil {
		panic(err)
	}
	return s
}
