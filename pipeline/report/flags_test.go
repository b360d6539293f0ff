package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// flagFixture is the 15 December fixture with an annex of flags, hamlet
// names among them typed to run in a spreadsheet or a browser.
func flagFixture() *Report {
	r := fixtureReport(30, 0)
	r.Flags = []FlagLine{
		{Code: "05000", Name: r.Communes[0].Name, Rule: "change", Text: "Tổng số hộ tăng 22,0% so với năm trước (1.000 → 1.220)", Value: "1.220", Previous: "1.000"},
		{Code: "05001", Name: r.Communes[1].Name, Hamlet: hostile[0], Rule: "hamlet_outlier", Value: "1.150", Previous: "115",
			Text: "Tổng số hộ của “" + hostile[0] + "” (1.150) khác thường so với các thôn khác của xã (trung vị 117,5; điểm z hiệu chỉnh 69,6)"},
		{Code: "05002", Name: r.Communes[2].Name, Hamlet: hostile[3], Rule: "hamlet_gone", Previous: "80",
			Text: "“" + hostile[3] + "” có trong báo cáo năm trước nhưng năm nay không có"},
		{Code: "05003", Name: r.Communes[3].Name, Rule: "rate_change", Value: "90,0%", Previous: "50,0%",
			Text: "Tỷ lệ hộ đạt Gia đình học tập tăng 40,0 điểm phần trăm so với năm trước (50,0% → 90,0%)"},
		{Code: "05004", Name: r.Communes[4].Name, Rule: "unchanged", Text: "Tệp nộp lúc 15:05 06/12/2026 giống hệt tệp nộp lúc 14:05 06/12/2026 (không thay đổi)"},
	}
	r.Flags[0].Checked = "Đã gọi điện: xã nhập thêm thôn"
	r.NotComparable = []string{"Xã Tân Cương (05010)"}
	return r
}

func TestFlagsSheet(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, flagFixture()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	sheets := f.GetSheetList()
	if sheets[len(sheets)-1] != sheetFlags {
		t.Fatalf("sheets %v: want %q last", sheets, sheetFlags)
	}
	rows, err := f.GetRows(sheetFlags)
	if err != nil {
		t.Fatal(err)
	}
	var hdr int
	for i, r := range rows {
		if len(r) > 0 && r[0] == "STT" {
			hdr = i
		}
	}
	if hdr == 0 || strings.Join(rows[hdr], "|") != "STT|Mã xã|Tên xã|Thôn, tổ dân phố|Nội dung cảnh báo|Năm nay|Năm trước|Đã xác minh (ý kiến của Sở)" {
		t.Fatalf("header row %d: %q", hdr, rows[hdr])
	}
	all := ""
	for _, r := range rows[:hdr] {
		all += strings.Join(r, " ")
	}
	if !strings.Contains(all, "không phải lỗi") || !strings.Contains(all, "Xã Tân Cương (05010)") {
		t.Errorf("intro and not-comparable note missing: %q", all)
	}
	if got := rows[hdr+1]; len(got) != 8 || got[7] != "Đã gọi điện: xã nhập thêm thôn" {
		t.Errorf("first flag row %q: want the check's comment last", got)
	}
	// The checked flag (the first) is greyed in every cell; the others black.
	for i := range 8 {
		for n, want := range []string{checkedGrey, ""} {
			cell := colName(i+1) + itoa(hdr+2+n)
			id, err := f.GetCellStyle(sheetFlags, cell)
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.GetStyle(id)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimPrefix(strings.ToUpper(st.Font.Color), "FF"); got != want && !(want == "" && got == "000000") {
				t.Errorf("%s font colour %q, want %q", cell, st.Font.Color, want)
			}
		}
	}
	got := rows[hdr+2]
	if got[0] != "2" || got[1] != "05001" || got[3] != hostile[0] || got[5] != "1.150" || got[6] != "115" {
		t.Errorf("second flag row %q", got)
	}
	// The hostile hamlet name is text, never a formula.
	for _, cell := range []string{"D" + itoa(hdr+3), "E" + itoa(hdr+3)} {
		if fm, _ := f.GetCellFormula(sheetFlags, cell); fm != "" {
			t.Errorf("%s is a formula: %q", cell, fm)
		}
	}
	if len(rows) != hdr+1+5 {
		t.Errorf("%d rows after the header, want 5", len(rows)-hdr-1)
	}

	// No flag and nothing not comparable: no sheet at all.
	buf.Reset()
	if err := WriteXLSX(&buf, fixtureReport(30, 0)); err != nil {
		t.Fatal(err)
	}
	f, err = excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range f.GetSheetList() {
		if s == sheetFlags {
			t.Error("a report without flags has a flags sheet")
		}
	}
}

func TestFlagsHTML(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, flagFixture()); err != nil {
		t.Fatal(err)
	}
	h := buf.String()
	if n := strings.Count(h, `<tr class="checked">`); n != 1 || !strings.Contains(h, ".annex tr.checked td { color: #808080; }") {
		t.Errorf("the checked flag's row is not greyed (%d rows marked)", n)
	}
	for _, want := range []string{"Phụ lục: Cảnh báo về tính hợp lý của số liệu", "Năm trước", "1.220", "Xã Tân Cương (05010)", "&lt;script&gt;alert(1)&lt;/script&gt;"} {
		if !strings.Contains(h, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	if strings.Contains(h, "<script>") {
		t.Error("a hamlet name reached the page unescaped")
	}
	buf.Reset()
	if err := WriteHTML(&buf, fixtureReport(30, 0)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "Cảnh báo về tính hợp lý") {
		t.Error("a report without flags has the flags annex")
	}
}

// The printed flags sheet (LibreOffice): its title, every message and both
// values, on pages of their own after the annex.
func TestFlagsSheetPrints(t *testing.T) {
	if testing.Short() {
		t.Skip("LibreOffice conversion is slow; run without -short")
	}
	var buf bytes.Buffer
	r := flagFixture()
	if err := WriteXLSX(&buf, r); err != nil {
		t.Fatal(err)
	}
	pages := pdfText(t, xlsxToPDF(t, buf.Bytes()))
	last := pages[len(pages)-1]
	for _, want := range []string{"PHỤ LỤC: CẢNH BÁO VỀ TÍNH HỢP LÝ CỦA SỐ LIỆU", "Năm trước", "Tổng số hộ tăng 22,0% so với năm trước", "giống hệt tệp nộp lúc 14:05", "1.220", "50,0%", "Trang"} {
		if !pageHas(last, want) {
			t.Errorf("last printed page lacks %q:\n%s", want, last)
		}
	}
}
