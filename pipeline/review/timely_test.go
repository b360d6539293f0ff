package review

import (
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/receipt"
)

// TestTimelyFrom: timeliness counts from the first accepted upload after
// the last returned data (review finding M1, session 7); expected values
// from that rule (docs/portal.md: a returned file does not make the
// report đúng hạn).
func TestTimelyFrom(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 2, 0, 0, 0, time.UTC) }
	up := func(id string, d int, status, digest string) Upload {
		u := Upload{SubmissionID: id, Status: status, ReceivedAt: day(d), SourceKey: id, Forms: []string{"bieu01"}}
		if digest != "" {
			u.DataSHA256 = map[string]string{"bieu01": digest}
		}
		return u
	}
	acc, rej := receipt.Accepted, receipt.Rejected
	both := func(id string) Set { return Set{"bieu01": id} }
	cases := []struct {
		name string
		s    Status
		ups  []Upload
		want int // day; 0: no valid file
	}{
		{"nothing", Status{}, nil, 0},
		{"only rejected", Status{}, []Upload{up("x", 3, rej, "")}, 0},
		{"never reviewed: the first accepted", Status{}, []Upload{up("a", 5, acc, ""), up("b", 9, acc, "")}, 5},
		{"returned, nothing since", Status{State: Returned, Forms: both("a")}, []Upload{up("a", 5, acc, "x")}, 0},
		{"returned, a rejected one since", Status{State: Returned, Forms: both("a")}, []Upload{up("a", 5, acc, "x"), up("r", 6, rej, "")}, 0},
		{"returned, corrected since", Status{State: Returned, Forms: both("b")},
			[]Upload{up("a", 2, acc, "w"), up("b", 5, acc, "x"), up("c", 9, acc, "y"), up("d", 12, acc, "z")}, 9},
		{"returned, the same data re-sent, then corrected", Status{State: Returned, Forms: both("a")},
			[]Upload{up("a", 5, acc, "x"), up("a2", 7, acc, "x"), up("c", 9, acc, "y")}, 9},
		{"approved after a return: still from after the return", Status{State: Approved, Forms: both("c"), ApprovedForms: both("c"), ReturnedForms: both("a")},
			[]Upload{up("a", 5, acc, "x"), up("c", 9, acc, "y")}, 9},
		{"reopened (return cancelled)", Status{State: Submitted, Forms: both("a")}, []Upload{up("a", 5, acc, "x")}, 5},
		// Re-check finding M1 (session 8): approved data, then a newer
		// file returned; the approved data still counts, as it did before
		// the return.
		{"approved, then a newer file returned: the approved data's time", Status{Version: StatusVersion, State: Returned, Forms: both("b"), ApprovedForms: both("a"), ReturnedForms: both("b"), ReturnedSubmissions: []string{"b"}},
			[]Upload{up("a", 5, acc, "x"), up("b", 9, acc, "y")}, 5},
		{"approved, a newer file returned, an earlier upload before both: as before the return", Status{Version: StatusVersion, State: Returned, Forms: both("b"), ApprovedForms: both("a"), ReturnedForms: both("b"), ReturnedSubmissions: []string{"b"}},
			[]Upload{up("w", 2, acc, "w"), up("a", 5, acc, "x"), up("b", 9, acc, "y")}, 2},
		{"returned, corrected, approved, newer returned: from the correction", Status{Version: StatusVersion, State: Returned, Forms: both("c"), ApprovedForms: both("b"), ReturnedForms: both("c"), ReturnedSubmissions: []string{"a", "c"}},
			[]Upload{up("a", 2, acc, "x"), up("b", 5, acc, "y"), up("c", 9, acc, "z")}, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			at, ok := TimelyFrom(c.s, c.ups)
			if c.want == 0 {
				if ok {
					t.Errorf("got %v, want no valid file", at)
				}
				return
			}
			if !ok || !at.Equal(day(c.want)) {
				t.Errorf("got %v %v, want %v", at, ok, day(c.want))
			}
		})
	}
}
