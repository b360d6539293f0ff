package report_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// A rate computed over part of the rows says so next to it ("tính trên
// 9/10 thôn", "… xã" for units, whose rows are the communes' Biểu 02), in
// the .html, the .xlsx (marked, listed under the table) and the summary;
// the footnote says what a rate is computed over; the .csv keeps figures.
func TestReportShowsRateCoverage(t *testing.T) {
	ctx := context.Background()
	lake := local.New(t.TempDir())
	// 01840: nine hamlets with both household figures (823 of 1,000), a
	// tenth with 81 households and the recognised blank.
	var hs []map[string]any
	for range 8 {
		hs = append(hs, map[string]any{"ho_tong": int64(110), "ho_dat": int64(91)})
	}
	hs = append(hs, map[string]any{"ho_tong": int64(120), "ho_dat": int64(95)}, map[string]any{"ho_tong": int64(81)})
	write := func(u rolluptest.Upload) {
		t.Helper()
		if _, err := u.Write(ctx, lake); err != nil {
			t.Fatal(err)
		}
	}
	write(rolluptest.Upload{Year: 2026, Commune: "01840", At: at("2026-12-01 09:00"), Hamlets: hs,
		Bieu02: map[string]any{"don_vi_tong": int64(10), "don_vi_dat": int64(9)}})
	// 01843: every hamlet complete; its Biểu 02 leaves the recognised units blank.
	write(rolluptest.Upload{Year: 2026, Commune: "01843", At: at("2026-12-02 09:00"),
		Hamlets: []map[string]any{{"ho_tong": int64(50), "ho_dat": int64(40)}}, Bieu02: map[string]any{"don_vi_tong": int64(5)}})
	r := buildReport(t, lake, "12-15")

	var html, xlsx, csv bytes.Buffer
	if err := report.WriteHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteXLSX(&xlsx, r); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteCSV(&csv, r); err != nil {
		t.Fatal(err)
	}
	h := html.String()
	// 01840: 823 of 1,000 over 9 of its 10 hamlets (not 823 of 1,081).
	// The province: 863 of 1,050 over 10 of the 11 hamlets; units 9 of 10
	// over 1 of the 2 communes' Biểu 02. 01843's units have no row with
	// both, and the models nobody reported none: "–" says it, alone.
	for _, want := range []string{"82,3% (tính trên 9/10 thôn)", "82,2% (tính trên 10/11 thôn)", "90,0% (tính trên 1/2 xã)",
		"mỗi tỷ lệ chỉ tính trên các thôn"} {
		if !strings.Contains(h, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	if strings.Contains(h, "tỷ lệ tính trên số đã báo cáo") {
		t.Error("html keeps the old footnote, which is not what is computed")
	}
	// 01843's households are complete: no coverage next to its 80,0%.
	if strings.Contains(h, "80,0% (tính") {
		t.Error("a complete rate shows a coverage")
	}
	found := false
	for _, s := range r.Summary {
		if strings.Contains(s, "đạt 82,2% (tính trên 10/11 thôn có đủ số liệu)") {
			found = true
		}
	}
	if !found {
		t.Errorf("summary lacks the province coverage:\n%s", strings.Join(r.Summary, "\n"))
	}
	for _, bad := range []string{"(tính trên 0/", "– (tính"} {
		if strings.Contains(h, bad) {
			t.Errorf("html shows %q: an unknown rate with a coverage", bad)
		}
	}
	if strings.Contains(csv.String(), "tính trên") {
		t.Error("the csv mixes the coverage into a figure")
	}

	f, err := excelize.OpenReader(&xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Báo cáo")
	if err != nil {
		t.Fatal(err)
	}
	var marked, listed, note bool
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			// The rate stays a number (the charts read it), its format
			// adds the mark.
			if x, err := f.GetCellValue("Báo cáo", cell, excelize.Options{RawCellValue: true}); err == nil && x == "0.823" {
				id, _ := f.GetCellStyle("Báo cáo", cell)
				st, _ := f.GetStyle(id)
				typ, _ := f.GetCellType("Báo cáo", cell)
				marked = st != nil && st.CustomNumFmt != nil && strings.HasSuffix(*st.CustomNumFmt, `"*"`) &&
					(typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset)
			}
			if strings.HasPrefix(v, "(*) Tỷ lệ chỉ tính trên một phần") && strings.Contains(v, "– GĐHT: tính trên 9/10 thôn") &&
				strings.Contains(v, "TỔNG CỘNG TOÀN TỈNH – ĐVHT: tính trên 1/2 xã") {
				listed = true
			}
			if strings.Contains(v, "mỗi tỷ lệ chỉ tính trên các thôn") {
				note = true
			}
		}
	}
	if !marked || !listed || !note {
		t.Errorf("xlsx: rate marked %v, coverage listed %v, footnote %v", marked, listed, note)
	}
}
