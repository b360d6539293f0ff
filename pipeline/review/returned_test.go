package review

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// TestReturnedKeptAcrossActions (finding H-A, session 8): the submissions
// whose return stands survive every later action but an approval of that
// data or a reopen of the return, and the audit records replay to the same
// set. Each case is a sequence of (action, current data set); want is
// worked out from the rules in returned.go.
func TestReturnedKeptAcrossActions(t *testing.T) {
	type step struct {
		kind   string
		latest string // the commune's only submission (both forms) when acting
	}
	cases := []struct {
		name  string
		steps []step
		want  []string
	}{
		{"return", []step{{KindReturn, "a"}}, []string{"a"}},
		// 01843 of the review: return a, corrected b approved, then reopened.
		{"return, corrected file approved, reopened", []step{{KindReturn, "a"}, {KindApprove, "b"}, {KindReopen, "b"}}, []string{"a"}},
		// 01864: returned twice; the second return used to forget the first.
		{"returned twice", []step{{KindReturn, "a"}, {KindReturn, "b"}}, []string{"a", "b"}},
		{"returned twice, then approved", []step{{KindReturn, "a"}, {KindReturn, "b"}, {KindApprove, "c"}}, []string{"a", "b"}},
		{"return cancelled by a reopen", []step{{KindReturn, "a"}, {KindReopen, "a"}}, nil},
		{"returned twice, the last return cancelled", []step{{KindReturn, "a"}, {KindReturn, "b"}, {KindReopen, "b"}}, []string{"a"}},
		{"returned data approved after all", []step{{KindReturn, "a"}, {KindApprove, "a"}}, nil},
		{"approved, then returned", []step{{KindApprove, "a"}, {KindReturn, "a"}}, []string{"a"}},
		{"checks change nothing", []step{{KindReturn, "a"}, {KindCheck, "b"}}, []string{"a"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var s Status
			var recs []Record
			at := t0
			for i, st := range c.steps {
				at = at.Add(time.Hour)
				a := act(st.kind, st.latest, "lý do")
				a.At = at
				if st.kind == KindCheck {
					a.FlagID = "change/ho_tong/-"
				}
				next, changed, err := transition(s, Set{"bieu01": st.latest, "bieu02": st.latest}, nil, a)
				if err != nil || !changed {
					t.Fatalf("step %d %s: changed %v, %v", i, st.kind, changed, err)
				}
				s = next
				recs = append(recs, *next.LastChange)
			}
			if s.Version != StatusVersion || !slices.Equal(s.ReturnedSubmissions, c.want) {
				t.Errorf("status: version %d, returned %v, want %v", s.Version, s.ReturnedSubmissions, c.want)
			}
			if got := ReturnedFromHistory(recs); !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
				t.Errorf("from the audit records: %v, want %v", got, c.want)
			}
		})
	}
}

// TestEffectiveAtCutoff: what a report's cut-off build shows and counts,
// with today's status applied to the data set at the cut-off (AsOf), for
// the two communes of finding H-A and the cases around them. "a" is the
// one file received before the cut-off; "b" and "c" came after it.
func TestEffectiveAtCutoff(t *testing.T) {
	both := func(id string) Set { return Set{"bieu01": id, "bieu02": id} }
	before := func(id string) bool { return id == "a" } // the inputs at the cut-off
	v2 := func(s Status, ret ...string) Status { s.Version, s.ReturnedSubmissions = StatusVersion, ret; return s }
	cases := []struct {
		name    string
		s       Status
		shown   State
		counted Set // live; approved-only below
		apprO   Set
	}{
		// 01843: a returned, b approved, then reopened.
		{"returned file, a later one approved then reopened", v2(Status{State: Submitted, Forms: both("b"), ReturnedForms: both("a")}, "a"),
			Returned, Set{}, Set{}},
		// 01864: a never returned; b and c (after the cut-off) returned.
		{"later files returned", v2(Status{State: Returned, Forms: both("c"), ReturnedForms: both("c")}, "b", "c"),
			Submitted, both("a"), Set{}},
		{"later file approved", v2(Status{State: Approved, Forms: both("b"), ApprovedForms: both("b")}),
			Submitted, both("a"), Set{}},
		{"the cut-off file approved", v2(Status{State: Approved, Forms: both("a"), ApprovedForms: both("a")}),
			Approved, both("a"), both("a")},
		{"the cut-off file approved, a later one returned", v2(Status{State: Returned, Forms: both("b"), ApprovedForms: both("a"), ReturnedForms: both("b")}, "b"),
			Submitted, both("a"), both("a")},
		// A version 1 status (no returned_submissions): ReturnedForms stands for it.
		{"version 1: returned, corrected approved", Status{State: Approved, Forms: both("b"), ApprovedForms: both("b"), ReturnedForms: both("a")},
			Returned, Set{}, Set{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := c.s.AsOf(before)
			shown, live := Effective(s, both("a"), false)
			if shown != c.shown || !maps.Equal(live, c.counted) {
				t.Errorf("live: (%q, %v), want (%q, %v)", shown, live, c.shown, c.counted)
			}
			if _, appr := Effective(s, both("a"), true); !maps.Equal(appr, c.apprO) {
				t.Errorf("approved-only: %v, want %v", appr, c.apprO)
			}
		})
	}
	// Live today (no cut-off), a file returned before a later return never
	// counts even if it were the current set: the status names it.
	s := v2(Status{State: Returned, Forms: both("b"), ReturnedForms: both("b")}, "a", "b")
	if shown, counted := Effective(s, both("a"), false); shown != Returned || len(counted) != 0 {
		t.Errorf("a returned earlier: (%q, %v), want (returned, nothing)", shown, counted)
	}
}

// TestTimelyFromAtCutoff: timeliness at a report's cut-off is about the
// uploads received before it (the caller passes only those): a return of
// a later file does not make an earlier valid file invalid, and a
// returned file never makes the commune timely. Days of November 2026;
// the cut-off is 1 December.
func TestTimelyFromAtCutoff(t *testing.T) {
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 2, 0, 0, 0, time.UTC) }
	cut := day(12, 1)
	up := func(id string, at time.Time, digest string) Upload {
		return Upload{SubmissionID: id, Status: receipt.Accepted, ReceivedAt: at, SourceKey: id, Forms: []string{"bieu01"},
			DataSHA256: map[string]string{"bieu01": digest}}
	}
	v2 := func(s Status, ret ...string) Status { s.Version, s.ReturnedSubmissions = StatusVersion, ret; return s }
	cases := []struct {
		name string
		s    Status
		ups  []Upload
		want time.Time // zero: no valid file at the cut-off
	}{
		// 01864: a (18/11) never returned; b, c (7/12) returned.
		{"later files returned", v2(Status{State: Returned, Forms: Set{"bieu01": "c"}, ReturnedForms: Set{"bieu01": "c"}}, "b", "c"),
			[]Upload{up("a", day(11, 18), "x"), up("b", day(12, 7), "y"), up("c", day(12, 7).Add(time.Hour), "z")}, day(11, 18)},
		// 01843: a (20/11) returned, b (7/12) approved then reopened.
		{"the cut-off file returned", v2(Status{State: Submitted, Forms: Set{"bieu01": "b"}, ReturnedForms: Set{"bieu01": "a"}}, "a"),
			[]Upload{up("a", day(11, 20), "x"), up("b", day(12, 7), "y")}, time.Time{}},
		{"returned, corrected before the cut-off", v2(Status{State: Approved, Forms: Set{"bieu01": "b"}, ApprovedForms: Set{"bieu01": "b"}, ReturnedForms: Set{"bieu01": "a"}}, "a"),
			[]Upload{up("a", day(11, 20), "x"), up("b", day(11, 25), "y")}, day(11, 25)},
		{"returned twice: the re-sent first file is not valid", v2(Status{State: Returned, Forms: Set{"bieu01": "c"}, ReturnedForms: Set{"bieu01": "c"}}, "a", "c"),
			[]Upload{up("a", day(11, 10), "x"), up("a2", day(11, 12), "x"), up("c", day(12, 3), "z")}, time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ups []Upload
			for _, u := range c.ups {
				if u.ReceivedAt.Before(cut) {
					ups = append(ups, u)
				}
			}
			has := func(id string) bool {
				return slices.ContainsFunc(ups, func(u Upload) bool { return u.SubmissionID == id })
			}
			at, ok := TimelyFrom(c.s.AsOf(has), ups)
			if c.want.IsZero() {
				if ok {
					t.Errorf("got %v, want no valid file", at)
				}
				return
			}
			if !ok || !at.Equal(c.want) {
				t.Errorf("got %v %v, want %v", at, ok, c.want)
			}
		})
	}
}

// TestWithHistoryVersion1: a status written before returned_submissions,
// after two returns, gets both from its audit records, and Apply keeps
// the first return when it writes the next status.
func TestWithHistoryVersion1(t *testing.T) {
	ctx := context.Background()
	w := local.New(t.TempDir())
	upload(t, w, "a", receipt.Accepted, t0)
	upload(t, w, "b", receipt.Accepted, t0.Add(time.Hour))
	upload(t, w, "c", receipt.Accepted, t0.Add(2*time.Hour))
	// The two records and the status version 1 code wrote: return a, then
	// return b (ReturnedForms forgot a).
	rec := func(kind, sub string, at time.Time, id string) Record {
		return Record{Version: 1, Year: year, Province: prov, Commune: comm, Action: kind, FromState: Submitted, ToState: Returned,
			Submission: sub, Forms: Set{"": sub}, Comment: "sai", By: reviewer, At: at, Key: lake.AuditKey(year, prov, comm, at, id)}
	}
	r1, r2 := rec(KindReturn, "a", t0.Add(30*time.Minute), "00000001"), rec(KindReturn, "b", t0.Add(90*time.Minute), "00000002")
	for _, r := range []Record{r1, r2} {
		body, _ := json.Marshal(r)
		if err := w.Put(ctx, r.Key, body, "application/json"); err != nil {
			t.Fatal(err)
		}
	}
	old := Status{Version: 1, Year: year, Province: prov, Commune: comm, State: Returned, Submission: "b", Forms: Set{"": "b"},
		ReturnedForms: Set{"": "b"}, Comment: "sai", By: reviewer, At: r2.At, LastChange: &r2}
	body, _ := json.Marshal(old)
	if err := w.Put(ctx, lake.ReviewKey(year, prov, comm), body, "application/json"); err != nil {
		t.Fatal(err)
	}
	if got := old.ReturnedIDs(nil); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("version 1 fallback: %v, want [b]", got)
	}
	s, err := WithHistory(ctx, w, old)
	if err != nil || !slices.Equal(s.ReturnedSubmissions, []string{"a", "b"}) {
		t.Fatalf("WithHistory: %v, %v; want [a b]", s.ReturnedSubmissions, err)
	}
	a := act(KindApprove, "c", "")
	a.At = t0.Add(3 * time.Hour)
	next, err := Apply(ctx, w, a)
	if err != nil {
		t.Fatal(err)
	}
	if next.Version != StatusVersion || !slices.Equal(next.ReturnedSubmissions, []string{"a", "b"}) {
		t.Errorf("after Apply: version %d, returned %v, want 2, [a b]", next.Version, next.ReturnedSubmissions)
	}
}
