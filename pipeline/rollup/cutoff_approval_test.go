package rollup_test

import (
	"testing"

	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// Re-check findings N-1 and N-2 (session 8): a 1/12 report built after
// reviews keeps the province's approval of the file it counts (received
// 20/11, before the cut-off) whatever the province decided later about a
// file received after the cut-off (07/12), and does not speak of that later
// file. Before the fix the status kept only the latest approval, and the
// cut-off dropped it with the later file: 01882 read "Chờ duyệt" (N-1),
// approved 0, and the approved-only 1/12 report left it out; or "Đã duyệt;
// bản nộp mới chờ duyệt" about the returned later file (N-2). A reopen of
// the earlier file's own approval still cancels it. Statuses are written by
// review.Apply; the expected values are worked out by hand: the 20/11 file
// has 100 households, the 07/12 files 110 and 120.
func TestCutoffKeepsApprovalOfCountedFile(t *testing.T) {
	cut := ict("2026-12-01 00:00:00")
	approveV1 := []step{{file: "v1", at: "2026-11-20 09:00:00"}, {action: review.KindApprove, at: "2026-12-07 09:00:00"},
		{file: "v2", at: "2026-12-07 12:00:00"}}
	cases := []struct {
		name     string
		steps    []step
		reviewS  string
		approved int64
		apprHo   any // ho_tong of the approved-only cut-off snapshot (nil: not counted)
	}{
		{"later file approved (N-1)", append(approveV1[:3:3], step{action: review.KindApprove, at: "2026-12-07 13:00:00"}),
			"approved", 1, int64(100)},
		{"later file returned (N-2)", append(approveV1[:3:3], step{action: review.KindReturn, at: "2026-12-07 13:00:00"}),
			"approved", 1, int64(100)},
		// 01882 of the re-check: returned, reopened, approved, then a third file returned.
		{"later file returned, reopened, approved; third file returned", append(approveV1[:3:3],
			step{action: review.KindReturn, at: "2026-12-07 13:00:00"}, step{action: review.KindReopen, at: "2026-12-07 14:00:00"},
			step{action: review.KindApprove, at: "2026-12-07 15:00:00"}, step{file: "v3", at: "2026-12-08 09:00:00"},
			step{action: review.KindReturn, at: "2026-12-08 10:00:00"}),
			"approved", 1, int64(100)},
		// The earlier file's approval withdrawn (the later file waiting):
		// counted in the live report, awaiting review, not approved.
		{"earlier approval reopened", append(approveV1[:3:3], step{action: review.KindReopen, at: "2026-12-07 13:00:00"}),
			"submitted", 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			playSteps(t, local.New(dir), c.steps)
			db := snapshot(t, dir, rollup.Options{Year: 2026, Province: prov, Cutoff: cut})
			wantInt(t, "ho_tong", row(t, db, "SELECT ho_tong FROM communes WHERE commune_code = ?", xaB)["ho_tong"], 100)
			r := row(t, db, "SELECT status, review_state, approved FROM completeness WHERE level = 'commune' AND deadline = '12-01' AND commune_code = ?", xaB)
			if r["status"] != "on_time" {
				t.Errorf("status %v, want on_time", r["status"])
			}
			if rs, _ := r["review_state"].(string); rs != c.reviewS {
				t.Errorf("review_state %v, want %q", r["review_state"], c.reviewS)
			}
			wantInt(t, "approved", r["approved"], c.approved)
			p := row(t, db, "SELECT approved FROM completeness WHERE level = 'province' AND deadline = '12-01'")
			wantInt(t, "province approved", p["approved"], c.approved)

			adb := snapshot(t, dir, rollup.Options{Year: 2026, Province: prov, Cutoff: cut, ApprovedOnly: true})
			got := row(t, adb, "SELECT ho_tong FROM communes WHERE commune_code = ?", xaB)["ho_tong"]
			if c.apprHo == nil {
				wantNull(t, "approved-only ho_tong", got)
			} else {
				wantInt(t, "approved-only ho_tong", got, c.apprHo.(int64))
			}
		})
	}
}
