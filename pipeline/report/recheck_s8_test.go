package report_test

import (
	"context"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// Re-check N-3 (session 8): a commune whose approved data still counts
// after the province returned its newer file is on time by that data, in
// the report's counts and in the province's reminder; it is not "bị Sở trả
// lại, chưa nộp lại bản sửa", nor "chưa có", while its data is in the
// table. Its own reminder still carries the comment.
//
// Lake, by hand: 01840 accepted 20/11 (80/100), approved; a newer file
// 01/12 (90/100) returned. 01849 accepted 20/11, returned (its only data).
func TestApprovedDataCountsAfterNewerReturned(t *testing.T) {
	ctx := context.Background()
	lk := local.New(t.TempDir())
	a := uploadSub(t, lk, 2026, "01840", "2026-11-20 09:00", [2]int64{100, 80})
	approve(t, lk, 2026, "19", "01840", a)
	b, err := (rolluptest.Upload{Year: 2026, Commune: "01840", File: "bao-cao-moi.xlsx", At: at("2026-12-01 09:00"),
		Hamlets: []map[string]any{{"ho_tong": int64(100), "ho_dat": int64(90), "cong_dong_dat": true}}}).Write(ctx, lk)
	if err != nil {
		t.Fatal(err)
	}
	c := uploadSub(t, lk, 2026, "01849", "2026-11-20 09:00", [2]int64{100, 70})
	for commune, sub := range map[string]string{"01840": b, "01849": c} {
		if _, err := review.Apply(ctx, lk, review.Action{Kind: review.KindReturn, Year: 2026, Province: "19", Commune: commune,
			Submission: sub, Comment: "Sai số hộ " + commune, By: province19}); err != nil {
			t.Fatal(err)
		}
	}
	r := buildReport(t, lk, "12-15")
	cs := r.Completeness
	if cs.OnTime != 1 || cs.Submitted != 1 || cs.Returned != 1 || cs.Missing != 90 || cs.Approved != 1 {
		t.Errorf("completeness on time %d submitted %d returned %d missing %d approved %d, want 1, 1, 1, 90, 1",
			cs.OnTime, cs.Submitted, cs.Returned, cs.Missing, cs.Approved)
	}
	if !strings.Contains(r.Summary[0], "1/92 xã, phường đã nộp báo cáo được chấp nhận (1 đúng hạn, 0 nộp muộn); 1 xã bị Sở trả lại") {
		t.Errorf("first sentence %q", r.Summary[0])
	}
	rm, err := report.Remind(ctx, report.RemindOptions{Lake: lk, Year: 2026, Province: "19", Deadline: "12-15", At: at("2026-12-02 08:00"), Log: bQuiet})
	if err != nil {
		t.Fatal(err)
	}
	if rm.Accepted != 1 || strings.Join(codes(rm.Returned), ",") != "01849" {
		t.Errorf("reminder: accepted %d, returned %v; want 1 (01840's approved data) and 01849 only", rm.Accepted, codes(rm.Returned))
	}
	own := false
	for _, cm := range rm.Communes {
		if cm.Code == "01840" && cm.Comment == "Sai số hộ 01840" {
			own = true
		}
	}
	if !own {
		t.Error("01840's own reminder lost the return comment")
	}
}

// Re-check N-4 (session 8): once every commune with valid data is
// approved, the approved-only report has the live report's figures and
// reads as one: a target verdict and the comparison with last year, no
// "mới có x/y" (before, the 90 communes that sent nothing kept it partial).
func TestApprovedOnlyWholeWhenEveryValidCommuneApproved(t *testing.T) {
	lk := local.New(t.TempDir())
	uploadSub(t, lk, 2025, "01840", "2025-11-20 09:00", [2]int64{100, 50})
	uploadSub(t, lk, 2025, "01843", "2025-11-20 09:00", [2]int64{100, 50})
	for code, n := range map[string]int64{"01840": 80, "01843": 60} {
		approve(t, lk, 2026, "19", code, uploadSub(t, lk, 2026, code, "2026-11-20 09:00", [2]int64{100, n}))
	}
	ao, err := report.BuildApprovedOnly(context.Background(), report.Options{Lake: lk, Year: 2026, Province: "19", Now: afterCutOffs, Log: bQuiet})
	if err != nil {
		t.Fatal(err)
	}
	if ao.NoComparison != "" || ao.Total.Part != "" {
		t.Errorf("still partial: %q, part %q", ao.NoComparison, ao.Total.Part)
	}
	cell := ao.Total.Cells["ho_dat"]
	if !near(cell.Rate, 0.7) || cell.Met == nil || *cell.Met || !near(cell.Change, 0.2) {
		t.Errorf("total GĐHT rate %v met %v change %v, want 0.7 (140/200), not met (target 80 %%), +0.2 on 2025's 0.5", deref(cell.Rate), cell.Met, deref(cell.Change))
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
