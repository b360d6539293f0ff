package rollup_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// Review finding H-A (session 8): the 1/12 report built after reviews (a
// cut-off snapshot) applies today's review decisions to the data set at
// the cut-off. A file the province returned, even before a later file was
// approved and reopened, never counts; a return of files received after
// the cut-off does not make the earlier file "rejected"; no time after the
// cut-off appears. Cut-off 00:00 1/12 ICT; the communes' due time for the
// 1/12 report is 00:00 25/11 ICT (schemas/deadlines/commune_due.csv).
// Statuses are written by review.Apply.
func TestCutoffReportReviewState(t *testing.T) {
	cut := ict("2026-12-01 00:00:00")
	cases := []struct {
		name    string
		steps   []step
		hoTong  any // the cut-off snapshot's ho_tong of the commune (nil: nothing counts)
		status  string
		from    time.Time // first_accepted_at (zero: NULL)
		reviewS string
	}{
		// 01843: the 20/11 file returned, the 07/12 file approved, then reopened.
		{"returned file, later file approved and reopened", []step{
			{file: "v1", at: "2026-11-20 09:00:00"}, {action: review.KindReturn, at: "2026-11-22 09:00:00"},
			{file: "v2", at: "2026-12-07 12:58:00"}, {action: review.KindApprove, at: "2026-12-07 13:00:00"},
			{action: review.KindReopen, at: "2026-12-07 13:05:00"}},
			nil, "rejected_only", time.Time{}, "returned"},
		// 01864: the 18/11 file never returned; two 07/12 files returned.
		{"later files returned", []step{
			{file: "v1", at: "2026-11-18 09:00:00"},
			{file: "v2", at: "2026-12-07 12:57:00"}, {action: review.KindReturn, at: "2026-12-07 12:58:00"},
			{file: "v3", at: "2026-12-07 13:01:00"}, {action: review.KindReturn, at: "2026-12-07 13:03:00"}},
			int64(100), "on_time", ict("2026-11-18 09:00:00"), "submitted"},
		// Returned and corrected before the cut-off, approved after it.
		{"corrected before the cut-off, approved after", []step{
			{file: "v1", at: "2026-11-20 09:00:00"}, {action: review.KindReturn, at: "2026-11-21 09:00:00"},
			{file: "v2", at: "2026-11-24 09:00:00"}, {action: review.KindApprove, at: "2026-12-03 09:00:00"}},
			int64(110), "on_time", ict("2026-11-24 09:00:00"), "approved"},
		// Two files returned before the cut-off (the second return used to
		// forget the first), a later file approved after it.
		{"two files returned before the cut-off, a third approved after", []step{
			{file: "v1", at: "2026-11-20 09:00:00"}, {action: review.KindReturn, at: "2026-11-21 09:00:00"},
			{file: "v2", at: "2026-11-25 09:00:00"}, {action: review.KindReturn, at: "2026-11-26 09:00:00"},
			{file: "v3", at: "2026-12-05 09:00:00"}, {action: review.KindApprove, at: "2026-12-06 09:00:00"}},
			nil, "rejected_only", time.Time{}, "returned"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			playSteps(t, local.New(dir), c.steps)
			db := snapshot(t, dir, rollup.Options{Year: 2026, Province: prov, Cutoff: cut})
			got := row(t, db, "SELECT ho_tong FROM communes WHERE commune_code = ?", xaB)["ho_tong"]
			if c.hoTong == nil {
				wantNull(t, "ho_tong", got)
			} else {
				wantInt(t, "ho_tong", got, c.hoTong.(int64))
			}
			r := row(t, db, "SELECT status, first_accepted_at, review_state FROM completeness WHERE level = 'commune' AND deadline = '12-01' AND commune_code = ?", xaB)
			if r["status"] != c.status {
				t.Errorf("status %v, want %s", r["status"], c.status)
			}
			from, _ := r["first_accepted_at"].(time.Time)
			if !from.Equal(c.from) {
				t.Errorf("first_accepted_at %v, want %v", r["first_accepted_at"], c.from)
			}
			if !from.IsZero() && !from.Before(cut) {
				t.Errorf("first_accepted_at %v is after the cut-off", from)
			}
			if rs, _ := r["review_state"].(string); rs != c.reviewS {
				t.Errorf("review_state %v, want %q", r["review_state"], c.reviewS)
			}
		})
	}
}

// A status written before returned_submissions (version 1) is completed
// from its audit records at a cut-off; a damaged audit record does not
// stop the report: the status's own returned data still applies.
func TestCutoffVersion1Status(t *testing.T) {
	cut := ict("2026-12-01 00:00:00")
	cases := []struct {
		name    string
		damaged bool
		hoTong  any // xaB's counted households at the cut-off
	}{
		// a (20/11) returned, then b (22/11) returned: version 1 kept only
		// b. The audit records say a was returned too: nothing counts.
		{"audit records read", false, nil},
		// Unreadable records: only b is known returned; a counts (the
		// version 1 behaviour), and the build does not fail.
		{"an audit record damaged", true, int64(100)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			st := local.New(dir)
			a := upload{year: 2026, commune: xaB, file: "a.xlsx", at: ict("2026-11-20 09:00:00"), hamlets: []hamlet{h(100, 50, false)}}.write(t, st)
			b := upload{year: 2026, commune: xaB, file: "b.xlsx", at: ict("2026-12-03 09:00:00"), hamlets: []hamlet{h(110, 50, false)}}.write(t, st)
			rec := func(sub string, at time.Time, id string) review.Record {
				return review.Record{Version: 1, Year: 2026, Province: prov, Commune: xaB, Action: review.KindReturn, FromState: review.Submitted,
					ToState: review.Returned, Submission: sub, Forms: review.Set{"bieu01": sub, "bieu02": sub}, Comment: "sai", By: provinceActor, At: at,
					Key: lake.AuditKey(2026, prov, xaB, at, id)}
			}
			r1, r2 := rec(a, ict("2026-12-02 09:00:00"), "00000001"), rec(b, ict("2026-12-04 09:00:00"), "00000002")
			for _, r := range []review.Record{r1, r2} {
				body, _ := json.Marshal(r)
				if c.damaged && r.Key == r1.Key {
					body = []byte("{hỏng")
				}
				if err := st.Put(context.Background(), r.Key, body, "application/json"); err != nil {
					t.Fatal(err)
				}
			}
			s := review.Status{Version: 1, Year: 2026, Province: prov, Commune: xaB, State: review.Returned, Submission: b,
				Forms: review.Set{"bieu01": b, "bieu02": b}, ReturnedForms: review.Set{"bieu01": b, "bieu02": b}, Comment: "sai", By: provinceActor, At: r2.At, LastChange: &r2}
			body, _ := json.Marshal(s)
			if err := st.Put(context.Background(), lake.ReviewKey(2026, prov, xaB), body, "application/json"); err != nil {
				t.Fatal(err)
			}
			db := snapshot(t, dir, rollup.Options{Year: 2026, Province: prov, Cutoff: cut})
			got := row(t, db, "SELECT ho_tong FROM communes WHERE commune_code = ?", xaB)["ho_tong"]
			if c.hoTong == nil {
				wantNull(t, "ho_tong", got)
			} else {
				wantInt(t, "ho_tong", got, c.hoTong.(int64))
			}
		})
	}
}

// step is one event of commune xaB's history in the cut-off tests.
type step struct {
	file   string // upload this file (100 households in v1, 110 in v2, 120 in v3) …
	at     string
	action string // … or act on the commune's latest upload
}

// playSteps uploads and acts as steps say, in order (statuses written by
// review.Apply, as the portal does).
func playSteps(t *testing.T, st storage.Writer, steps []step) {
	t.Helper()
	households := map[string]int64{"v1": 100, "v2": 110, "v3": 120}
	var sub string
	for _, s := range steps {
		at := ict(s.at)
		if s.file != "" {
			sub = upload{year: 2026, commune: xaB, file: s.file + ".xlsx", at: at, hamlets: []hamlet{h(households[s.file], 50, false)}}.write(t, st)
			continue
		}
		a := review.Action{Kind: s.action, Year: 2026, Province: prov, Commune: xaB, Submission: sub, By: provinceActor, At: at, Comment: "Sai số hộ"}
		if s.action == review.KindApprove {
			a.Comment = ""
		}
		if _, err := review.Apply(context.Background(), st, a); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
	}
}
