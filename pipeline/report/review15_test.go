package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// uploadSub writes one accepted upload (households total, recognised per
// hamlet) and returns its submission id.
func uploadSub(t *testing.T, lk storage.Store, year int, commune, when string, hamlets ...[2]int64) string {
	t.Helper()
	var hs []map[string]any
	for _, h := range hamlets {
		hs = append(hs, map[string]any{"ho_tong": h[0], "ho_dat": h[1], "cong_dong_dat": h[1]*2 > h[0]})
	}
	id, err := (rolluptest.Upload{Year: year, Commune: commune, At: at(when), Hamlets: hs}).Write(context.Background(), lk)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// review15Lake: 2025 and 2026 data for 01840 and 01843, a 2026 upload of
// 01849 that the province returned, 01840 approved, 01843 awaiting.
//
// Households recognised (GĐHT), by hand:
//
//	        2025      2026
//	01840   50/100    80/100   approved
//	01843   50/100    60/100   awaiting review
//	01849   –         70/100   returned (never counts)
//
// Live 2026: (80+60)/200 = 70 %, 2025: 100/200 = 50 %: +20 points.
// Approved only: 80/100 = 80 %, only 1 of 92 communes: no comparison.
func review15Lake(t *testing.T) storage.Store {
	t.Helper()
	lk := local.New(t.TempDir())
	uploadSub(t, lk, 2025, "01840", "2025-11-20 09:00", [2]int64{100, 50})
	uploadSub(t, lk, 2025, "01843", "2025-11-20 09:00", [2]int64{100, 50})
	a := uploadSub(t, lk, 2026, "01840", "2026-11-20 09:00", [2]int64{100, 80})
	uploadSub(t, lk, 2026, "01843", "2026-11-20 09:00", [2]int64{100, 60})
	c := uploadSub(t, lk, 2026, "01849", "2026-11-20 09:00", [2]int64{100, 70})
	approve(t, lk, 2026, "19", "01840", a)
	if _, err := review.Apply(context.Background(), lk, review.Action{Kind: review.KindReturn, Year: 2026, Province: "19",
		Commune: "01849", Submission: c, Comment: "Số hộ đạt chưa khớp sổ theo dõi", By: province19}); err != nil {
		t.Fatal(err)
	}
	return lk
}

func near(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-9 }

// M2 (review of issue 15): a returned commune is not "đúng hạn" with a
// "bản hợp lệ" time; it is counted and listed as returned, and the annex
// shows every commune's review state.
func TestReportReturnedCommuneNotOnTime(t *testing.T) {
	lk := review15Lake(t)
	r := buildReport(t, lk, "12-15")
	c := r.Completeness
	// 01840 and 01843 on time; 01849 returned; the other 89 missing.
	if c.Expected != 92 || c.OnTime != 2 || c.Submitted != 2 || c.Late != 0 || c.Returned != 1 || c.Missing != 89 || c.Approved != 1 {
		t.Errorf("completeness %+v", c)
	}
	if c.Submitted+c.Returned+c.Missing+c.RejectedOnly != c.Expected {
		t.Errorf("the counts do not add up to the expected communes: %+v", c)
	}
	if !strings.HasPrefix(r.Summary[0], "Tính đến trước 00 giờ 00 ngày 15/12/2026, 2/92 xã, phường đã nộp báo cáo được chấp nhận (2 đúng hạn, 0 nộp muộn); 1 xã bị Sở trả lại, chưa nộp lại bản sửa; 89 xã chưa nộp;") {
		t.Errorf("first sentence %q", r.Summary[0])
	}

	var html bytes.Buffer
	if err := report.WriteHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	page := html.String()
	onTime := section(t, page, "1. Xã đúng hạn", "<h3>2.")
	returned := section(t, page, "Xã bị Sở trả lại, chưa nộp lại bản sửa (1 xã)", "<h3>4.")
	if strings.Contains(onTime, "01849") || !strings.Contains(returned, "01849") {
		t.Errorf("01849 (returned) in the on-time list or not in the returned one:\non time: %s\nreturned: %s", onTime, returned)
	}
	if strings.Contains(returned, "20/11/2026") || strings.Contains(returned, "Thời điểm nhận bản hợp lệ") {
		t.Errorf("the returned commune is shown with a valid file's time:\n%s", returned)
	}
	for _, want := range []string{"<td>01840</td><td>Phường Đức Xuân</td><td>20/11/2026 09:00</td><td>Đã duyệt</td>",
		"<td>01843</td><td>Phường Bắc Kạn</td><td>20/11/2026 09:00</td><td>Chờ duyệt</td>"} {
		if !strings.Contains(onTime, want) {
			t.Errorf("on-time list lacks %q:\n%s", want, onTime)
		}
	}
	if !strings.Contains(returned, "<td>Bị trả lại</td>") {
		t.Errorf("returned list lacks the state:\n%s", returned)
	}
	if !strings.Contains(page, "<td>Số xã bị Sở trả lại, chưa nộp lại bản sửa</td><td class=\"num\">1</td>") {
		t.Error("the counts table lacks the returned communes")
	}
}

// section is page from the first from to the next until after it.
func section(t *testing.T, page, from, until string) string {
	t.Helper()
	i := strings.Index(page, from)
	if i < 0 {
		t.Fatalf("page lacks %q", from)
	}
	s := page[i:]
	if j := strings.Index(s[len(from):], until); j >= 0 {
		s = s[:len(from)+j]
	}
	return s
}

// M3 (review of issue 15): the approved-only report over part of the
// province does not compare its sum with last year's whole province; the
// live report does; each commune keeps its own change.
func TestApprovedOnlyPartialNoYearComparison(t *testing.T) {
	lk := review15Lake(t)
	opts := report.Options{Lake: lk, Year: 2026, Province: "19", Now: afterCutOffs, Log: bQuiet}

	live := buildReport(t, lk, "12-15")
	if tc := live.Total.Cells["ho_dat"]; !near(tc.Rate, 0.7) || !near(tc.Change, 0.2) {
		t.Errorf("live total rate %v change %v, want 0.7 and +0.2", tc.Rate, tc.Change)
	}
	if s := strings.Join(live.Summary, "\n"); !strings.Contains(s, "đạt 70%") || !strings.Contains(s, "tăng 20 điểm phần trăm so với năm 2025") || strings.Contains(s, "không so sánh") {
		t.Errorf("live summary:\n%s", s)
	}

	ao, err := report.BuildApprovedOnly(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	tc := ao.Total.Cells["ho_dat"]
	if !near(tc.Rate, 0.8) || tc.Change != nil || tc.PrevRate != nil {
		t.Errorf("approved-only total rate %v change %v prev %v, want 0.8 and no comparison", tc.Rate, tc.Change, tc.PrevRate)
	}
	s := strings.Join(ao.Summary, "\n")
	if !strings.Contains(s, "Vì mới có 1/92 xã được duyệt, báo cáo không đánh giá việc đạt chỉ tiêu của toàn tỉnh và không so sánh với năm 2025.") || strings.Contains(s, "so với năm 2025.") ||
		strings.Contains(s, "điểm phần trăm so với") {
		t.Errorf("approved-only summary:\n%s", s)
	}
	for _, row := range ao.Communes {
		if row.Code == "01840" && !near(row.Cells["ho_dat"].Change, 0.3) {
			t.Errorf("01840's own change %v, want +0.3 (80%% against its 50%%)", row.Cells["ho_dat"].Change)
		}
	}
	for _, p := range ao.Trend {
		if p.Year == 2026 {
			t.Errorf("the trend plots the approved subset of 2026 next to whole years: %+v", ao.Trend)
		}
	}
	var html bytes.Buffer
	if err := report.WriteHTML(&html, ao); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "Năm 2026 không đưa vào vì mới có 1/92 xã được duyệt.") {
		t.Error("the trend's note does not say why 2026 is missing")
	}
	var out bytes.Buffer
	if err := report.WriteCSV(&out, ao); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range recs[0] {
		if h == "ty_le_ho_dat_thay_doi" {
			col = i
		}
	}
	total := recs[len(recs)-1]
	// The column stays (the communes have their own change); the total's is empty.
	if col < 0 || total[col] != "" || total[1] == "" {
		t.Errorf("csv: change column %d, total row %q", col, total)
	}
}
