package review

import "testing"

// TestEffective checks every row of the rule (REVIEW_CONTRACT.md), in both
// modes. Expected values are written from the contract's table, not from
// the code.
func TestEffective(t *testing.T) {
	const A, B, R = "sub-a", "sub-b", "sub-r"
	approved := func(a string) Status { return Status{State: Approved, Submission: a, ApprovedSubmission: a} }
	returned := func(r, appr string) Status {
		return Status{State: Returned, Submission: r, ApprovedSubmission: appr}
	}
	reopened := Status{State: Submitted, Submission: A}
	cases := []struct {
		name          string
		s             Status
		latest        string
		shown         State
		live, apprOut string
	}{
		{"no status, nothing uploaded", Status{}, "", "", "", ""},
		{"no status, an accepted upload", Status{}, A, Submitted, A, ""},
		{"approved A, latest A", approved(A), A, Approved, A, A},
		{"approved A, newer upload B waits", approved(A), B, Submitted, A, A},
		{"returned R, latest R, never approved", returned(R, ""), R, Returned, "", ""},
		{"returned R, latest R, A approved before", returned(R, A), R, Returned, A, A},
		{"returned R, newer upload B, never approved", returned(R, ""), B, Submitted, B, ""},
		{"returned R, newer upload B, A approved before", returned(R, A), B, Submitted, A, A},
		{"reopened, latest A", reopened, A, Submitted, A, ""},
		{"reopened, newer upload B", reopened, B, Submitted, B, ""},
		// Edge: no accepted upload at all cannot happen once something was
		// approved (uploads are never deleted); it keeps what was decided.
		{"approved A, no accepted upload", approved(A), "", Approved, A, A},
		// A status written without approved_submission (version 1 always
		// writes it; hand-made files may not).
		{"approved without approved_submission", Status{State: Approved, Submission: A}, A, Approved, A, A},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			shown, live := Effective(c.s, c.latest, false)
			if shown != c.shown || live != c.live {
				t.Errorf("live: got (%q, %q), want (%q, %q)", shown, live, c.shown, c.live)
			}
			shown2, appr := Effective(c.s, c.latest, true)
			if shown2 != c.shown || appr != c.apprOut {
				t.Errorf("approved-only: got (%q, %q), want (%q, %q)", shown2, appr, c.shown, c.apprOut)
			}
		})
	}
}
