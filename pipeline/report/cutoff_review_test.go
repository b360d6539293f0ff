package report_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// Re-check findings N-1 and N-2 (session 8): the 1/12 report made on
// 16/12 shows the province's approval of the file it counts (received
// 11/11), whatever the province decided after the cut-off about a file
// received on 07/12, and says nothing of that later file.
//
//	01882  11/11 approved; 07/12 file returned (N-2: was "Đã duyệt; bản nộp mới chờ duyệt")
//	01843  11/11 approved; 07/12 file approved  (N-1: was "Chờ duyệt", not counted as approved)
func TestCutoffReportKeepsApproval(t *testing.T) {
	lk := local.New(t.TempDir())
	act := func(kind, commune, sub, when, comment string) {
		t.Helper()
		if _, err := review.Apply(context.Background(), lk, review.Action{Kind: kind, Year: 2026, Province: "19", Commune: commune,
			Submission: sub, Comment: comment, By: province19, At: at(when)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ commune, later string }{{"01882", review.KindReturn}, {"01843", review.KindApprove}} {
		a := uploadFile(t, lk, c.commune, "thang-11.xlsx", "2026-11-11 09:00", 80)
		act(review.KindApprove, c.commune, a, "2026-12-02 09:00", "")
		b := uploadFile(t, lk, c.commune, "thang-12.xlsx", "2026-12-07 09:00", 90)
		comment := ""
		if c.later == review.KindReturn {
			comment = "Số hộ đạt chưa khớp"
		}
		act(c.later, c.commune, b, "2026-12-07 10:00", comment)
	}
	r := buildReportAt(t, lk, "12-01", at("2026-12-16 10:00"))
	if c := r.Completeness; c.OnTime != 2 || c.Approved != 2 || c.Returned != 0 {
		t.Errorf("completeness: on time %d, approved %d, returned %d; want 2, 2, 0", c.OnTime, c.Approved, c.Returned)
	}
	var html bytes.Buffer
	if err := report.WriteHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	page := html.String()
	onTime := section(t, page, "1. Xã đúng hạn", "<h3>2.")
	for _, want := range []string{"<td>01882</td><td>Xã Nghiên Loan</td><td>11/11/2026 09:00</td><td>Đã duyệt</td>",
		"<td>01843</td><td>Phường Bắc Kạn</td><td>11/11/2026 09:00</td><td>Đã duyệt</td>"} {
		if !strings.Contains(onTime, want) {
			t.Errorf("on-time list lacks %q:\n%s", want, onTime)
		}
	}
	// The summary's "Tình trạng duyệt của Sở tính theo các quyết định đến
	// …" names when the report read the decisions (the lead's final-walk
	// H1); nothing else may speak of the later files.
	page = regexp.MustCompile(`Tình trạng duyệt của Sở tính theo các quyết định đến [^.]*\.`).ReplaceAllString(page, "")
	for _, later := range []string{"bản nộp mới", "07/12/2026", "Bị trả lại"} {
		if strings.Contains(page, later) {
			t.Errorf("the 1/12 report speaks of the 07/12 files (%q)", later)
		}
	}
}

// uploadFile writes one accepted 2026 upload of file (one hamlet of 100
// households, recognised households dat) and returns its submission id.
func uploadFile(t *testing.T, lk storage.Store, commune, file, when string, dat int64) string {
	t.Helper()
	id, err := (rolluptest.Upload{Year: 2026, Commune: commune, File: file, At: at(when),
		Hamlets: []map[string]any{{"ho_tong": int64(100), "ho_dat": dat, "cong_dong_dat": true}}}).Write(context.Background(), lk)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
