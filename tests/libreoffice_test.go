package tests

// End to end with a real office suite: the template the CLI writes, filled
// in and re-saved by LibreOffice (which recalculates the formulas and stores
// their results, as Excel does), must pass the validator — and this time the
// totals row has values, so it is checked against the hamlet rows.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/hamlet"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/table"
	"github.com/xhht/xhht/pipeline/template"
	"github.com/xhht/xhht/pipeline/template/templatetest"
	"github.com/xhht/xhht/pipeline/workbook"
)

// Xã Bằng Thành, Thái Nguyên, reporting 2026.
const (
	loYear     = 2026
	loProvince = "19"
	loCommune  = "01864"
)

func loOptions(t *testing.T, hamlets []receipt.Hamlet) template.Options {
	t.Helper()
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	v := reg.ForYear(loYear)
	c := v.Communes[loCommune]
	return template.Options{Forms: forms.MustLoad(), Year: loYear, Commune: c, Province: v.Provinces[c.ProvinceCode], Hamlets: hamlets, BlankRows: 15}
}

// loFilled writes the template and fills it in as an official would.
func loFilled(t *testing.T, hamlets []receipt.Hamlet, newHamlets int) *templatetest.Filled {
	t.Helper()
	o := loOptions(t, hamlets)
	var buf bytes.Buffer
	if err := template.Write(&buf, o); err != nil {
		t.Fatal(err)
	}
	sheets, err := template.Layout(o)
	if err != nil {
		t.Fatal(err)
	}
	f, err := templatetest.Fill(buf.Bytes(), sheets, newHamlets)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// roundTrip saves data under name in a temp dir and has LibreOffice re-save
// it as .xlsx.
func roundTrip(t *testing.T, name string, data []byte, infilter string) []byte {
	t.Helper()
	src := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return convertXLSX(t, src, infilter)
}

func loCheck(t *testing.T, data []byte) *receipt.Receipt {
	t.Helper()
	key := fmt.Sprintf("%d/%s/%s/bao-cao.xlsx", loYear, loProvince, loCommune)
	return templatetest.Check(t, key, time.Date(loYear, 12, 1, 3, 0, 0, 0, time.UTC), data)
}

var loIssues = templatetest.Issues

var loTotals = templatetest.AssertTotals

// totalsRow reads the Biểu 01 totals row of a workbook as the validator
// sees it: field code → cell.
func totalsRow(t *testing.T, data []byte) map[string]workbook.Cell {
	t.Helper()
	book, err := workbook.Open("x.xlsx", data, workbook.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	kw, err := table.LoadKeywords()
	if err != nil {
		t.Fatal(err)
	}
	tables, _, err := table.Find(book, forms.MustLoad(), kw)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if tb.Form.Code != "bieu01" {
			continue
		}
		if len(tb.Totals) != 1 {
			t.Fatalf("Biểu 01 has %d totals rows, want 1", len(tb.Totals))
		}
		out := map[string]workbook.Cell{}
		for _, c := range tb.Columns {
			out[c.Field.Code] = tb.Totals[0].Cell(c.Col)
		}
		return out
	}
	t.Fatal("no Biểu 01 table")
	return nil
}

func TestLibreOfficeFilledTemplate(t *testing.T) {
	soffice(t)
	for _, tc := range []struct {
		name       string
		hamlets    []receipt.Hamlet
		newHamlets int
	}{
		{"new hamlets typed into blank rows", nil, 5},
		{"prefilled hamlets", []receipt.Hamlet{{Code: "01", Name: "Thôn Nà Pài"}, {Code: "02", Name: "Thôn Khuổi Đeng"}, {Code: "03", Name: "Thôn Bản Cái"}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := loFilled(t, tc.hamlets, tc.newHamlets)

			// Before LibreOffice: excelize stores formulas without results,
			// so the totals row reads as blank.
			for code, c := range totalsRow(t, f.Bytes) {
				if c.Kind != workbook.Blank {
					t.Fatalf("totals %s before recalculation: %+v, want blank", code, c)
				}
			}

			data := roundTrip(t, "bao-cao.xlsx", f.Bytes, "")
			// After: every count and yes/no column of the totals row holds
			// the computed result.
			tot := totalsRow(t, data)
			for _, s := range f.Sheets[:1] {
				for _, c := range s.Columns {
					if c.Field == nil || (c.Field.Type != forms.Count && c.Field.Type != forms.Bool) {
						continue
					}
					cell := tot[c.Field.Code]
					if cell.Kind != workbook.Number || !cell.Formula || cell.Num != f.Totals[c.Field.Code] {
						t.Errorf("totals %s after LibreOffice: %+v, want the formula's result %v", c.Field.Code, cell, f.Totals[c.Field.Code])
					}
				}
			}

			rc := loCheck(t, data)
			if rc.Status != receipt.Accepted || rc.WarningCount != 0 {
				t.Fatalf("status %s, %d errors, %d warnings:%s", rc.Status, rc.ErrorCount, rc.WarningCount, loIssues(rc))
			}
			for _, is := range rc.Errors {
				if is.Code == receipt.FormulaNoValue || strings.Contains(is.Code, "formula") {
					t.Errorf("formula issue after recalculation: %+v", is)
				}
			}
			if !slices.Equal(rc.Forms, []string{"bieu01", "bieu02"}) || rc.Rows != len(f.Hamlets) {
				t.Errorf("forms %v, rows %d; want both forms and %d rows", rc.Forms, rc.Rows, len(f.Hamlets))
			}
			loTotals(t, rc, f.Totals)
			for i, h := range tc.hamlets {
				if got := rc.Hamlets[i]; got.Code != h.Code || got.Name != h.Name || got.CodeSource != hamlet.FromFile {
					t.Errorf("hamlet %d = %+v, want %+v from the file (leading zero kept)", i, got, h)
				}
			}
		})
	}

	// A total typed over the formula that does not add up is caught.
	t.Run("hand-typed wrong total", func(t *testing.T) {
		t.Parallel()
		f := loFilled(t, nil, 4)
		s := f.Sheets[0]
		ref := s.Cell(s.TotalsRow, "ho_tong")
		wrong := int(f.Totals["ho_tong"]) + 10
		edited, err := templatetest.Set(f.Bytes, map[string]any{s.Name + "!" + ref: wrong})
		if err != nil {
			t.Fatal(err)
		}
		rc := loCheck(t, roundTrip(t, "bao-cao.xlsx", edited, ""))
		if rc.Status != receipt.Rejected || rc.ErrorCount != 1 {
			t.Fatalf("status %s, %d errors, want 1 totals error:%s", rc.Status, rc.ErrorCount, loIssues(rc))
		}
		is := rc.Errors[slices.IndexFunc(rc.Errors, func(is receipt.Issue) bool { return is.Severity == receipt.SevError })]
		if is.Code != receipt.TotalsMismatch || is.Sheet != s.Name || is.Cell != ref || is.Field != "ho_tong" || is.Value != fmt.Sprint(wrong) {
			t.Errorf("error %+v, want totals-mismatch at %s!%s", is, s.Name, ref)
		}
	})
}

// csvBieu01 is a Biểu 01 typed as CSV (UTF-8): title lines, a two-row
// header (no merges: the group name once, blanks to its right), two hamlets
// and a hand-typed totals row. Hamlet codes are quoted so they stay text.
const csvBieu01 = `ỦY BAN NHÂN DÂN XÃ BẰNG THÀNH
BIỂU 01: KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP CẤP THÔN NĂM 2026
"Xã Bằng Thành, Tỉnh Thái Nguyên — Mã xã: 01864"
STT,Mã thôn,Tên thôn,Gia đình học tập (GĐHT),,,Cộng đồng học tập cấp thôn (CĐHT),
,,,Tổng số hộ,Số hộ đăng ký,Số hộ được công nhận,Đăng ký (Có/Không),Được công nhận (Có/Không)
1,"01",Thôn Nà Pài,120,100,90,Có,Có
2,"02",Thôn Khuổi Đeng,80,70,60,Có,Không
,,Tổng cộng,%d,170,150,2,1
Người lập biểu,,,,,TM. ỦY BAN NHÂN DÂN
`

func TestLibreOfficeCSV(t *testing.T) {
	soffice(t)
	// CSV import options: comma, double quote, UTF-8 (76), from line 1,
	// default column types, English (US) number parsing, quoted fields as
	// text (without it "01" becomes the number 1 and loses its zero).
	const infilter = "CSV:44,34,76,1,,1033,true"
	for _, tc := range []struct {
		name  string
		total int
		want  string // receipt status
	}{
		{"totals add up", 200, receipt.Accepted},
		{"totals do not add up", 210, receipt.Rejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := roundTrip(t, "bao-cao.csv", []byte(fmt.Sprintf(csvBieu01, tc.total)), infilter)
			rc := loCheck(t, data)
			if rc.Format != "xlsx" || rc.Status != tc.want {
				t.Fatalf("format %s status %s, want xlsx %s:%s", rc.Format, rc.Status, tc.want, loIssues(rc))
			}
			if tc.want == receipt.Rejected {
				i := slices.IndexFunc(rc.Errors, func(is receipt.Issue) bool { return is.Severity == receipt.SevError })
				if rc.ErrorCount != 1 || rc.Errors[i].Code != receipt.TotalsMismatch || rc.Errors[i].Cell != "D8" || rc.Errors[i].Field != "ho_tong" {
					t.Errorf("want one error, totals-mismatch at D8:%s", loIssues(rc))
				}
				return
			}
			// Biểu 02 is absent and the other Biểu 01 columns are missing:
			// warnings, not errors; nothing about formulas.
			for _, is := range rc.Errors {
				if is.Code != receipt.MissingColumn {
					t.Errorf("unexpected issue %+v", is)
				}
			}
			if rc.Rows != 2 {
				t.Errorf("rows %d, want 2", rc.Rows)
			}
			loTotals(t, rc, map[string]float64{"ho_tong": 200, "ho_dang_ky": 170, "ho_dat": 150, "cong_dong_dang_ky": 2, "cong_dong_dat": 1})
			want := []receipt.Hamlet{{Code: "01", Name: "Thôn Nà Pài", CodeSource: hamlet.FromFile}, {Code: "02", Name: "Thôn Khuổi Đeng", CodeSource: hamlet.FromFile}}
			if !slices.Equal(rc.Hamlets, want) {
				t.Errorf("hamlets %+v, want %+v", rc.Hamlets, want)
			}
		})
	}
}
