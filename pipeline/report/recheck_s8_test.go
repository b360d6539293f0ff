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

// Final-walk H1 (session 8): a report reads the Sở's review decisions as
// they are when it is made, and says up to when; made again with no new
// decision it says the same, after a new one it says so.
func TestReportSaysUpToWhenReviewsRead(t *testing.T) {
	ctx := context.Background()
	lk := local.New(t.TempDir())
	a := uploadSub(t, lk, 2026, "01840", "2026-11-20 09:00", [2]int64{100, 80})
	uploadSub(t, lk, 2026, "01843", "2026-11-20 09:00", [2]int64{100, 60})
	if r := buildReport(t, lk, "12-01"); strings.Contains(strings.Join(r.Summary, "\n"), "Tình trạng duyệt") {
		t.Errorf("no review yet, yet the summary speaks of one:\n%s", strings.Join(r.Summary, "\n"))
	}
	act := func(kind, comment, when string) {
		t.Helper()
		if _, err := review.Apply(ctx, lk, review.Action{Kind: kind, Year: 2026, Province: "19", Commune: "01840", Submission: a,
			Comment: comment, By: province19, At: at(when)}); err != nil {
			t.Fatal(err)
		}
	}
	act(review.KindApprove, "", "2026-12-03 10:15")
	const first = "Tình trạng duyệt của Sở tính theo các quyết định đến 10:15 ngày 03/12/2026."
	for i := 0; i < 2; i++ {
		if s := strings.Join(buildReport(t, lk, "12-01").Summary, "\n"); !strings.Contains(s, first) {
			t.Errorf("build %d lacks %q:\n%s", i+1, first, s)
		}
	}
	act(review.KindReturn, "Sai số hộ", "2026-12-08 16:40")
	if s := strings.Join(buildReport(t, lk, "12-01").Summary, "\n"); !strings.Contains(s, "các quyết định đến 16:40 ngày 08/12/2026.") {
		t.Errorf("after a later return the summary does not say so:\n%s", s)
	}
}

// Final-walk M1 (session 8): the approved-only report's annex lists the
// live flags of its approved communes, so a rate that stands out among
// all the province's communes is there, as on the board; the approved-only
// roll-up alone compared the approved communes among themselves. Flags of
// communes not approved are not listed.
//
// By hand: households recognised 95, 51, 52, 53, 54, 50 of 100 in 01840,
// 01843, 01849, 01864, 01879, 01882. Median 0.525, MAD 0.015: 01840's
// modified z-score 0.6745 × 0.425 / 0.015 ≈ 19.1 > 3.5. Among the approved
// 01840 and 01843 alone there are fewer than min_units (5) communes.
func TestApprovedOnlyAnnexHasProvinceOutliers(t *testing.T) {
	lk := local.New(t.TempDir())
	for code, n := range map[string]int64{"01840": 95, "01843": 51, "01849": 52, "01864": 53, "01879": 54, "01882": 50} {
		sub := uploadSub(t, lk, 2026, code, "2026-11-20 09:00", [2]int64{100, n})
		if code == "01840" || code == "01843" {
			approve(t, lk, 2026, "19", code, sub)
		}
	}
	ao, err := report.BuildApprovedOnly(context.Background(), report.Options{Lake: lk, Year: 2026, Province: "19", Now: afterCutOffs, Log: bQuiet})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range ao.Flags {
		got = append(got, l.Code+" "+l.Rule)
		if l.Code != "01840" && l.Code != "01843" {
			t.Errorf("flag of a commune not approved: %+v", l)
		}
	}
	found := false
	for _, l := range ao.Flags {
		if l.Code == "01840" && l.Rule == "rate_outlier" && strings.Contains(l.Text, "hộ") {
			found = true
		}
	}
	if !found {
		t.Errorf("01840's households-rate outlier missing from the approved-only annex; flags: %v", got)
	}
}
