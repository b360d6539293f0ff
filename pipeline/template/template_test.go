package template_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/hamlet"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/template"
	"github.com/xhht/xhht/pipeline/template/templatetest"
)

// The real commune of the examples: Xã Bằng Thành, Thái Nguyên.
const (
	commune  = "01864"
	province = "19"
	year     = 2026
)

func options(t *testing.T, y int, code string, hamlets []receipt.Hamlet) template.Options {
	t.Helper()
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	v := reg.ForYear(y)
	c := v.Communes[code]
	if c == nil {
		t.Fatalf("commune %s not in the %d register", code, y)
	}
	o := template.Options{Forms: forms.MustLoad(), Year: y, Commune: c, Province: v.Provinces[c.ProvinceCode], Hamlets: hamlets, BlankRows: 15}
	if c.DistrictCode != "" {
		o.District = v.Districts[c.DistrictCode]
	}
	return o
}

func write(t *testing.T, o template.Options) ([]byte, []template.Sheet) {
	t.Helper()
	var buf bytes.Buffer
	if err := template.Write(&buf, o); err != nil {
		t.Fatal(err)
	}
	sheets, err := template.Layout(o)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), sheets
}

func open(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func cell(t *testing.T, x *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := x.GetCellValue(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// check runs the validator on an upload of data for the commune and year.
func check(t *testing.T, y int, prov, code string, data []byte) *receipt.Receipt {
	t.Helper()
	key := fmt.Sprintf("%d/%s/%s/%s", y, prov, code, template.DefaultFileName(code, y))
	return templatetest.Check(t, key, time.Date(max(y, 2026), 12, 1, 3, 0, 0, 0, time.UTC), data)
}

var issues = templatetest.Issues

// warnings counts the warnings other than formula-no-value: excelize
// stores the totals formulas without results (nothing computes them until an
// office suite opens the file), which the validator may point out.
func warnings(rc *receipt.Receipt) int {
	n := 0
	for _, is := range rc.Errors {
		if is.Severity == receipt.SevWarning && is.Code != receipt.FormulaNoValue {
			n++
		}
	}
	return n
}

func mergedRanges(t *testing.T, x *excelize.File, sheet string) map[string]string {
	t.Helper()
	ms, err := x.GetMergeCells(sheet)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range ms {
		out[m.GetStartAxis()+":"+m.GetEndAxis()] = m.GetCellValue()
	}
	return out
}

func TestTitleBlockAndHeader(t *testing.T) {
	data, sheets := write(t, options(t, year, commune, nil))
	x := open(t, data)
	if got, want := x.GetSheetList(), []string{"Biểu 01", "Biểu 02", template.InstructionsSheet}; !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	b01 := "Biểu 01"
	for ref, want := range map[string]string{
		"A1": "ỦY BAN NHÂN DÂN",
		"A2": "XÃ BẰNG THÀNH",
		"H1": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"H2": "Độc lập - Tự do - Hạnh phúc",
		"A4": "BIỂU 01: KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP CẤP THÔN, TỔ DÂN PHỐ NĂM 2026",
		"A5": "Xã Bằng Thành, Tỉnh Thái Nguyên — Mã xã: 01864",
		"A7": "STT", "B7": "Mã thôn", "C7": "Tên thôn, tổ dân phố",
		"D7": "Gia đình học tập (GĐHT)", "D8": "Tổng số hộ", "E8": "Số hộ đăng ký", "F8": "Số hộ được công nhận",
		"G7": "Dòng họ học tập (DHHT)", "J7": "Cộng đồng học tập cấp thôn (CĐHT)", "J8": "Đăng ký (Có/Không)",
		"L7": "Công dân học tập (CDHT)", "M8": "Số người được công nhận",
	} {
		if got := cell(t, x, b01, ref); got != want {
			t.Errorf("%s!%s = %q, want %q", b01, ref, got, want)
		}
	}
	merged := mergedRanges(t, x, b01)
	for rng, want := range map[string]string{
		"A7:A8": "STT", "B7:B8": "Mã thôn", "C7:C8": "Tên thôn, tổ dân phố",
		"D7:F7": "Gia đình học tập (GĐHT)", "G7:I7": "Dòng họ học tập (DHHT)",
		"J7:K7": "Cộng đồng học tập cấp thôn (CĐHT)", "L7:M7": "Công dân học tập (CDHT)",
		"A1:C1": "ỦY BAN NHÂN DÂN", "H1:M1": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"A4:M4":   "BIỂU 01: KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP CẤP THÔN, TỔ DÂN PHỐ NĂM 2026",
		"A24:C24": "Tổng cộng",
	} {
		if got, ok := merged[rng]; !ok || got != want {
			t.Errorf("merge %s = %q (present %v), want %q; merges %v", rng, got, ok, want, merged)
		}
	}

	// Biểu 02: identity columns prefilled, the commune code as text.
	b02 := "Biểu 02"
	s02 := sheets[1]
	if s02.Name != b02 || s02.Column("ma_xa") != 2 || s02.Column("ten_xa") != 3 {
		t.Fatalf("Biểu 02 layout %+v", s02.Columns)
	}
	if got := cell(t, x, b02, "B9"); got != commune {
		t.Errorf("ma_xa = %q", got)
	}
	if typ, _ := x.GetCellType(b02, "B9"); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
		t.Errorf("ma_xa cell type %v, want a string (leading zero kept)", typ)
	}
	if got := cell(t, x, b02, "C9"); got != "Xã Bằng Thành" {
		t.Errorf("ten_xa = %q", got)
	}
	if got := cell(t, x, b02, "B7"); got != "Mã xã" {
		t.Errorf("Biểu 02 B7 = %q", got)
	}
	if _, ok := mergedRanges(t, x, b02)["B7:B8"]; !ok {
		t.Errorf("Biểu 02: ma_xa header not merged over both rows")
	}

	// Only read fields of the year: 2026 has the TT 25/2023 result, not the
	// TT 44/2014 points nor the grade derived from them.
	if s02.Column("cong_dong_xa_ket_qua") == 0 || s02.Column("cong_dong_xa_diem") != 0 || s02.Column("cong_dong_xa_xep_loai") != 0 {
		t.Errorf("Biểu 02 2026 columns wrong: %v", codes(s02))
	}

	// Frozen below the header.
	panes, err := x.GetPanes(b01)
	if err != nil || !panes.Freeze || panes.YSplit != 8 || panes.TopLeftCell != "A9" {
		t.Errorf("panes %+v %v", panes, err)
	}
	if w, _ := x.GetColWidth(b01, "C"); w != 26 {
		t.Errorf("ten_thon width %v, want 26 (from the schema)", w)
	}
	if w, _ := x.GetColWidth(b01, "D"); w != 14 {
		t.Errorf("default width %v, want 14", w)
	}

	// The title block has exactly one year after "năm", and the signing
	// date below keeps its ellipses.
	rows, _ := x.GetRows(b01)
	var years, signing int
	for _, r := range rows {
		for _, v := range r {
			if strings.Contains(strings.ToLower(v), "năm 2026") {
				years++
			}
			if v == "…, ngày … tháng … năm …" {
				signing++
			}
		}
	}
	if years != 1 || signing != 1 {
		t.Errorf("title years %d, signing lines %d; want 1 and 1", years, signing)
	}
	for _, want := range []string{"Người lập biểu", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"} {
		if !slices.ContainsFunc(rows, func(r []string) bool { return slices.Contains(r, want) }) {
			t.Errorf("signature block lacks %q", want)
		}
	}

	// Instructions.
	ins, _ := x.GetRows(template.InstructionsSheet)
	var all strings.Builder
	for _, r := range ins {
		all.WriteString(strings.Join(r, " ") + "\n")
	}
	for _, want := range []string{"Có hoặc Không", "CHƯA BÁO CÁO", "số 0", "Tổng cộng", "<năm>/<mã tỉnh>/<mã xã>/<tên tệp>",
		"2026/19/01864/bieu-mau-01864-2026.xlsx", "Không đổi tên"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("instructions lack %q", want)
		}
	}
}

func codes(s template.Sheet) []string {
	var out []string
	for _, c := range s.Columns {
		if c.Field != nil {
			out = append(out, c.Field.Code)
		}
	}
	return out
}

func TestDataValidations(t *testing.T) {
	data, sheets := write(t, options(t, year, commune, nil))
	x := open(t, data)
	for _, s := range sheets {
		dvs, err := x.GetDataValidations(s.Name)
		if err != nil {
			t.Fatal(err)
		}
		bySqref := map[string]*excelize.DataValidation{}
		for _, dv := range dvs {
			bySqref[dv.Sqref] = dv
		}
		for _, c := range s.Columns {
			if c.Field == nil {
				continue
			}
			sq := s.Cell(s.FirstData, c.Field.Code) + ":" + s.Cell(s.LastData, c.Field.Code)
			dv := bySqref[sq]
			switch c.Field.Type {
			case forms.Text:
				if dv != nil {
					t.Errorf("%s %s: text column has validation %+v", s.Name, c.Field.Code, dv)
				}
				continue
			case forms.Count:
				if dv == nil || dv.Type != "whole" || dv.Operator != "between" || dv.Formula1 != "0" || dv.Formula2 != "1000000000" {
					t.Errorf("%s %s (%s): validation %+v, want whole 0–1000000000", s.Name, c.Field.Code, sq, dv)
					continue
				}
			case forms.Bool:
				if dv == nil || dv.Type != "list" || dv.Formula1 != `"Có,Không"` {
					t.Errorf("%s %s: validation %+v, want list Có,Không", s.Name, c.Field.Code, dv)
					continue
				}
			case forms.Enum:
				var vals []string
				for _, v := range c.Field.Values {
					vals = append(vals, v.Value)
				}
				if dv == nil || dv.Type != "list" || dv.Formula1 != `"`+strings.Join(vals, ",")+`"` {
					t.Errorf("%s %s: validation %+v, want list %v", s.Name, c.Field.Code, dv, vals)
					continue
				}
			}
			if dv.Error == nil || !strings.Contains(*dv.Error, " ") || !dv.ShowErrorMessage || !dv.AllowBlank {
				t.Errorf("%s %s: validation lacks a Vietnamese error message or allows no blank: %+v", s.Name, c.Field.Code, dv)
			}
		}
	}
	// The count message is Vietnamese and says what to type.
	dvs, _ := x.GetDataValidations("Biểu 01")
	if len(dvs) == 0 || dvs[0].Error == nil || !strings.Contains(*dvs[0].Error, "số nguyên từ 0") {
		t.Errorf("count validation message: %+v", dvs)
	}
}

func TestPrefilledHamletsAndTotals(t *testing.T) {
	hamlets := []receipt.Hamlet{{Code: "01", Name: "Thôn Nà Pài"}, {Code: "02", Name: "Thôn Khuổi Đeng"}, {Code: "thon-ban-cai-1a2b3c", Name: "Thôn Bản Cái"}}
	data, sheets := write(t, options(t, year, commune, hamlets))
	x := open(t, data)
	s := sheets[0]
	if s.FirstData != 9 || s.LastData != 11 || s.TotalsRow != 12 {
		t.Fatalf("layout rows %d–%d, totals %d", s.FirstData, s.LastData, s.TotalsRow)
	}
	for i, h := range hamlets {
		row := 9 + i
		if got := cell(t, x, s.Name, fmt.Sprintf("A%d", row)); got != fmt.Sprint(i+1) {
			t.Errorf("STT row %d = %q", row, got)
		}
		if got := cell(t, x, s.Name, fmt.Sprintf("B%d", row)); got != h.Code {
			t.Errorf("ma_thon row %d = %q, want %q", row, got, h.Code)
		}
		if got := cell(t, x, s.Name, fmt.Sprintf("C%d", row)); got != h.Name {
			t.Errorf("ten_thon row %d = %q, want %q", row, got, h.Name)
		}
	}
	if got := cell(t, x, s.Name, "A12"); got != "Tổng cộng" {
		t.Errorf("totals label %q", got)
	}
	for ref, want := range map[string]string{
		"D12": "SUM(D9:D11)", "F12": "SUM(F9:F11)", "M12": "SUM(M9:M11)",
		"J12": `COUNTIF(J9:J11,"Có")`, "K12": `COUNTIF(K9:K11,"Có")`,
	} {
		if f, _ := x.GetCellFormula(s.Name, ref); f != want {
			t.Errorf("%s formula %q, want %q", ref, f, want)
		}
	}
	// No hamlets known: BlankRows empty rows, each numbering itself.
	_, blank := write(t, options(t, year, commune, nil))
	if blank[0].LastData-blank[0].FirstData+1 != 15 || blank[0].TotalsRow != 24 {
		t.Errorf("blank layout %+v", blank[0])
	}
	o := options(t, year, commune, nil)
	o.BlankRows = 0
	if l, _ := template.Layout(o); l[0].LastData-l[0].FirstData+1 != template.DefaultBlankRows {
		t.Errorf("BlankRows 0 gives %d rows", l[0].LastData-l[0].FirstData+1)
	}
}

func TestDeterministic(t *testing.T) {
	hamlets := []receipt.Hamlet{{Code: "01", Name: "Thôn Nà Pài"}, {Code: "02", Name: "Thôn Khuổi Đeng"}}
	a, _ := write(t, options(t, year, commune, hamlets))
	for range 3 {
		if b, _ := write(t, options(t, year, commune, hamlets)); !bytes.Equal(a, b) {
			t.Fatal("two writes of the same template differ")
		}
	}
	x := open(t, a)
	props, err := x.GetDocProps()
	if err != nil || props.Created == "" || props.Created != props.Modified {
		t.Errorf("doc props %+v %v", props, err)
	}
}

func TestFilledTemplateIsAccepted(t *testing.T) {
	for _, tc := range []struct {
		name    string
		hamlets []receipt.Hamlet
		fill    int
	}{
		{"blank rows", nil, 6},
		{"prefilled", []receipt.Hamlet{{Code: "01", Name: "Thôn Nà Pài"}, {Code: "02", Name: "Thôn Khuổi Đeng"}, {Code: "03", Name: "Thôn Bản Cái"}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, sheets := write(t, options(t, year, commune, tc.hamlets))
			f, err := templatetest.Fill(data, sheets, tc.fill)
			if err != nil {
				t.Fatal(err)
			}
			rc := check(t, year, province, commune, f.Bytes)
			if rc.Status != receipt.Accepted || warnings(rc) != 0 {
				t.Fatalf("status %s, %d errors, %d warnings:%s", rc.Status, rc.ErrorCount, rc.WarningCount, issues(rc))
			}
			if !slices.Equal(rc.Forms, []string{"bieu01", "bieu02"}) || rc.Rows != len(f.Hamlets) {
				t.Errorf("forms %v rows %d, want both forms and %d rows", rc.Forms, rc.Rows, len(f.Hamlets))
			}
			assertTotals(t, rc, f.Totals)
			for i, h := range rc.Hamlets {
				if h.Name != f.Hamlets[i] {
					t.Errorf("hamlet %d = %q, want %q", i, h.Name, f.Hamlets[i])
				}
				if i < len(tc.hamlets) && (h.Code != tc.hamlets[i].Code || h.CodeSource != hamlet.FromFile) {
					t.Errorf("hamlet %d code %q (%s), want the prefilled %q", i, h.Code, h.CodeSource, tc.hamlets[i].Code)
				}
			}
		})
	}
}

var assertTotals = templatetest.AssertTotals

func TestFilledTemplateRejected(t *testing.T) {
	data, sheets := write(t, options(t, year, commune, nil))
	f, err := templatetest.Fill(data, sheets, 4)
	if err != nil {
		t.Fatal(err)
	}
	s := sheets[0]
	// Row 11 (the third hamlet): 500 households registered of 120.
	bad, err := templatetest.Set(f.Bytes, map[string]any{s.Name + "!" + s.Cell(11, "ho_dang_ky"): 500})
	if err != nil {
		t.Fatal(err)
	}
	rc := check(t, year, province, commune, bad)
	if rc.Status != receipt.Rejected {
		t.Fatalf("registered > total accepted:%s", issues(rc))
	}
	var found bool
	for _, is := range rc.Errors {
		if is.Severity == receipt.SevError {
			if is.Code != receipt.ConstraintError || is.Sheet != "Biểu 01" || is.Cell != "E11" || is.Field != "ho_dang_ky" {
				t.Errorf("unexpected error %+v", is)
			}
			found = true
		}
	}
	if !found {
		t.Errorf("no constraint-error at E11:%s", issues(rc))
	}

	// The title block is read: the same file uploaded for 2025 is refused.
	rc = check(t, 2025, province, commune, f.Bytes)
	if rc.Status != receipt.Rejected || !slices.ContainsFunc(rc.Errors, func(is receipt.Issue) bool { return is.Code == receipt.YearMismatch }) {
		t.Errorf("2026 template uploaded for 2025: %s%s", rc.Status, issues(rc))
	}
	// … and so is the commune code: another commune of the province.
	rc = check(t, year, province, "01849", f.Bytes)
	if rc.Status != receipt.Rejected || !slices.ContainsFunc(rc.Errors, func(is receipt.Issue) bool { return is.Code == receipt.CommuneMismatch }) {
		t.Errorf("template of 01864 uploaded for another commune: %s%s", rc.Status, issues(rc))
	}
}

// A pre-2025 year: districts exist, the commune assessment is in TT 44/2014
// points, and the codes mean other places (01864 was Xã Bộc Bố, Bắc Kạn).
func TestPre2025Template(t *testing.T) {
	const y = 2020
	o := options(t, y, commune, nil)
	if o.District == nil {
		t.Fatal("no district for a 2020 commune")
	}
	data, sheets := write(t, o)
	x := open(t, data)
	if got, want := cell(t, x, "Biểu 01", "A5"), "Xã Bộc Bố, Huyện Pác Nặm, Tỉnh Bắc Kạn — Mã xã: 01864"; got != want {
		t.Errorf("place line %q, want %q", got, want)
	}
	s02 := sheets[1]
	if s02.Column("cong_dong_xa_diem") == 0 || s02.Column("cong_dong_xa_ket_qua") != 0 || s02.Column("cong_dong_xa_xep_loai") != 0 {
		t.Errorf("Biểu 02 2020 columns: %v", codes(s02))
	}
	dvs, _ := x.GetDataValidations("Biểu 02")
	sq := s02.Cell(9, "cong_dong_xa_diem") + ":" + s02.Cell(9, "cong_dong_xa_diem")
	if !slices.ContainsFunc(dvs, func(dv *excelize.DataValidation) bool {
		return dv.Sqref == sq && dv.Type == "decimal" && dv.Formula1 == "0" && dv.Formula2 == "100"
	}) {
		t.Errorf("no decimal 0–100 validation on %s", sq)
	}
	f, err := templatetest.Fill(data, sheets, 3)
	if err != nil {
		t.Fatal(err)
	}
	rc := check(t, y, o.Province.Code, commune, f.Bytes)
	if rc.Status != receipt.Accepted || warnings(rc) != 0 {
		t.Fatalf("status %s:%s", rc.Status, issues(rc))
	}
	assertTotals(t, rc, f.Totals)
}

func TestOptionsChecked(t *testing.T) {
	o := options(t, year, commune, nil)
	for name, bad := range map[string]func(*template.Options){
		"no forms":    func(o *template.Options) { o.Forms = nil },
		"no commune":  func(o *template.Options) { o.Commune = nil },
		"no province": func(o *template.Options) { o.Province = nil },
		"bad year":    func(o *template.Options) { o.Year = 26 },
	} {
		c := o
		bad(&c)
		if err := template.Write(&bytes.Buffer{}, c); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestInstructionsGiveCommuneDueDates: the instructions tell the commune
// its own due dates from schemas/deadlines (province 19 in the 2025
// register has its own 12-15 row: 05/12), not the province's 15/12; a
// province without a row gets the defaults (25/11 and 08/12).
func TestInstructionsGiveCommuneDueDates(t *testing.T) {
	for _, tc := range []struct {
		code string
		want []string
	}{
		{"01864", []string{"trước 00 giờ 00 ngày 25/11/2026, tức là nộp xong chậm nhất trong ngày 24/11/2026",
			"trước 00 giờ 00 ngày 05/12/2026, tức là nộp xong chậm nhất trong ngày 04/12/2026"}},
	} {
		data, _ := write(t, options(t, 2026, tc.code, nil))
		x := open(t, data)
		ins, _ := x.GetRows(template.InstructionsSheet)
		var all strings.Builder
		for _, r := range ins {
			all.WriteString(strings.Join(r, " ") + "\n")
		}
		for _, w := range tc.want {
			if !strings.Contains(all.String(), w) {
				t.Errorf("%s: instructions lack %q:\n%s", tc.code, w, all.String())
			}
		}
		for _, bad := range []string{"15 tháng 12", "15/12"} {
			if strings.Contains(all.String(), bad) {
				t.Errorf("%s: instructions still give the province's date %q", tc.code, bad)
			}
		}
	}
}
