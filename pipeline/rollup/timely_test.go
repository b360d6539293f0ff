package rollup_test

import (
	"context"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// Review finding M1 (session 7): a returned file never makes a commune on
// time. The reviewer's 01843: uploaded 20/11 (before both cut-offs of
// province 19: 1/12 for the 1/12 report, 5/12 for the 15/12 report,
// schemas/deadlines/commune_due.csv), returned, re-uploaded 07/12: late
// for both, its valid file received 07/12. Statuses are written by
// review.Apply.
func TestCompletenessAfterAReturn(t *testing.T) {
	first := ict("2026-11-20 09:00:00")
	again := ict("2026-12-07 09:00:00")
	cases := []struct {
		name     string
		actions  []string // on the first upload, then (after "|") on the second
		reupload bool
		status   string    // both deadlines
		from     time.Time // first_accepted_at; zero: NULL
		review   string
	}{
		{"never reviewed, a second upload", nil, true, "on_time", first, "submitted"},
		{"returned, re-uploaded 07/12 (01843)", []string{review.KindReturn}, true, "late", again, "submitted"},
		{"returned, nothing since: no valid file", []string{review.KindReturn}, false, "rejected_only", time.Time{}, "returned"},
		{"returned, re-uploaded, the new file approved", []string{review.KindReturn, "|", review.KindApprove}, true, "late", again, "approved"},
		{"returned then reopened: the return is cancelled", []string{review.KindReturn, review.KindReopen}, false, "on_time", first, "submitted"},
		{"approved (never returned), then a new upload", []string{review.KindApprove}, true, "on_time", first, "submitted"},
		// Re-check finding M1 (session 8): the approved data still counts,
		// and was on time; the return of the newer file changes nothing.
		{"approved, then the new upload returned", []string{review.KindApprove, "|", review.KindReturn}, true, "on_time", first, "returned"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			st := local.New(dir)
			s1 := upload{year: 2026, commune: xaB, file: "v1.xlsx", at: first, hamlets: []hamlet{h(100, 50, false)}}.write(t, st)
			sub, at := s1, time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
			act := func(k string) {
				a := review.Action{Kind: k, Year: 2026, Province: prov, Commune: xaB, Submission: sub, By: provinceActor, At: at, Comment: "Sai số hộ"}
				if k == review.KindApprove {
					a.Comment = ""
				}
				at = at.Add(time.Hour)
				if _, err := review.Apply(context.Background(), st, a); err != nil {
					t.Fatalf("%s: %v", k, err)
				}
			}
			i := 0
			for ; i < len(c.actions) && c.actions[i] != "|"; i++ {
				act(c.actions[i])
			}
			if c.reupload {
				sub = upload{year: 2026, commune: xaB, file: "v2.xlsx", at: again, hamlets: []hamlet{h(110, 50, false)}}.write(t, st)
				at = again.Add(time.Hour)
			}
			for i++; i < len(c.actions); i++ {
				act(c.actions[i])
			}
			build(t, dir, rollup.Options{Year: 2026, Province: prov})
			db := views(t, dir)
			for _, d := range []string{"12-01", "12-15"} {
				r := row(t, db, "SELECT status, first_accepted_at, review_state FROM completeness WHERE year = 2026 AND level = 'commune' AND deadline = ? AND commune_code = ?", d, xaB)
				if r["status"] != c.status {
					t.Errorf("%s: status %v, want %s", d, r["status"], c.status)
				}
				got, _ := r["first_accepted_at"].(time.Time)
				if !got.Equal(c.from) {
					t.Errorf("%s: first_accepted_at %v, want %v", d, r["first_accepted_at"], c.from)
				}
				if rs, _ := r["review_state"].(string); rs != c.review {
					t.Errorf("%s: review_state %v, want %q", d, r["review_state"], c.review)
				}
			}
		})
	}
}
