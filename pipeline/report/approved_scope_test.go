package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/report"
)

// M-C (review of issue 15, session 8): an approved-only report over some
// of the communes speaks for the approved communes, not the province — in
// the summary, the table's total row and note, the .csv, the .html and
// the .xlsx — and gives no province target verdict. The live report of
// the same lake still speaks for the province.
//
// review15Lake, by hand: only 01840 is approved (80/100 households
// recognised, target 80 %); live: (80+60)/200 = 70 %.
func TestApprovedOnlyPartialSpeaksForApprovedCommunes(t *testing.T) {
	lk := review15Lake(t)
	ao, err := report.BuildApprovedOnly(context.Background(), report.Options{Lake: lk, Year: 2026, Province: "19", Now: afterCutOffs, Log: bQuiet})
	if err != nil {
		t.Fatal(err)
	}
	const (
		totalName = "TỔNG CỘNG 1/92 XÃ ĐÃ DUYỆT"
		sentence  = "1/92 xã đã được duyệt có 80/100 hộ được công nhận Gia đình học tập, tỷ lệ 80%."
		why       = "Vì mới có 1/92 xã được duyệt, báo cáo không đánh giá việc đạt chỉ tiêu của toàn tỉnh và không so sánh với năm 2025."
		note      = "dòng tổng cộng chỉ gồm 1/92 xã đã được duyệt, chưa phải số liệu của toàn tỉnh, nên không đánh giá đạt hay chưa đạt chỉ tiêu"
	)
	// Words that speak for the whole province, or judge it against its target
	// (the summary's verdict; the bar charts' "xã chưa đạt chỉ tiêu" is per commune).
	forbidden := []string{"Toàn tỉnh có", "TOÀN TỈNH", "vượt chỉ tiêu 80%", "bằng chỉ tiêu 80%", "chưa đạt chỉ tiêu 80%"}
	check := func(where, text string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q", where, w)
			}
		}
		for _, f := range forbidden {
			if strings.Contains(text, f) {
				t.Errorf("%s has %q", where, f)
			}
		}
	}
	check("summary", strings.Join(ao.Summary, "\n"), sentence, why, "1/92 xã đã được duyệt.")
	if m := ao.Total.Cells["ho_dat"].Met; m != nil {
		t.Errorf("total verdict %v, want none", *m)
	}

	var html bytes.Buffer
	if err := report.WriteHTML(&html, ao); err != nil {
		t.Fatal(err)
	}
	check("html", html.String(), totalName, sentence, note)

	var out bytes.Buffer
	if err := report.WriteCSV(&out, ao); err != nil {
		t.Fatal(err)
	}
	check("csv", out.String(), totalName)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	total := recs[len(recs)-1]
	if total[col["ten"]] != totalName || total[col["dat_chi_tieu_ho_dat"]] != "" || total[col["ty_le_ho_dat"]] != "0.8" || total[col["chi_tieu_ho_dat"]] != "0.8" {
		t.Errorf("csv total row %q", total)
	}
	for _, rec := range recs[1:] {
		if rec[col["ma"]] == "01840" && rec[col["dat_chi_tieu_ho_dat"]] != "true" {
			t.Errorf("01840 loses its own verdict: %q", rec)
		}
	}

	var xb bytes.Buffer
	if err := report.WriteXLSX(&xb, ao); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var all strings.Builder
	totalRows := 0
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			all.WriteString(strings.Join(row, "\t") + "\n")
			if len(row) > 1 && row[1] == totalName {
				totalRows++
				for _, v := range row {
					if v == "Đạt" || v == "Chưa đạt" {
						t.Errorf("xlsx %s: total row judged: %q", sh, row)
					}
				}
			}
		}
	}
	check("xlsx", all.String(), sentence, why, note)
	if totalRows == 0 {
		t.Errorf("xlsx has no row %q", totalName)
	}

	// The live report of the same lake speaks for the province, as before.
	live := buildReport(t, lk, "12-15")
	s := strings.Join(live.Summary, "\n")
	if !strings.Contains(s, "Toàn tỉnh có 140/200 hộ được công nhận Gia đình học tập, đạt 70%, chưa đạt chỉ tiêu 80% (còn thiếu 10 điểm phần trăm)") ||
		strings.Contains(s, "xã đã được duyệt có") {
		t.Errorf("live summary:\n%s", s)
	}
	html.Reset()
	if err := report.WriteHTML(&html, live); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "TỔNG CỘNG TOÀN TỈNH") || strings.Contains(html.String(), "XÃ ĐÃ DUYỆT") {
		t.Error("live html: total row not the province's")
	}
}
