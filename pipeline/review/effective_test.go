package review

import (
	"maps"
	"testing"
)

// TestEffective checks every row of the rule (REVIEW_CONTRACT.md), in both
// modes, for a commune whose data is one upload carrying both forms, with
// statuses written as Apply writes them (forms, approved_forms) and as
// they were written before the per-form fix (submission,
// approved_submission only). Expected values are written from the
// contract's table, not from the code.
func TestEffective(t *testing.T) {
	const A, B, R = "sub-a", "sub-b", "sub-r"
	both := func(id string) Set {
		if id == "" {
			return Set{}
		}
		return Set{"bieu01": id, "bieu02": id}
	}
	type mk func(state State, sub, appr string) Status
	perForm := func(state State, sub, appr string) Status {
		return Status{State: state, Submission: sub, Forms: both(sub), ApprovedForms: both(appr)}
	}
	legacy := func(state State, sub, appr string) Status {
		return Status{State: state, Submission: sub, ApprovedSubmission: appr}
	}
	cases := []struct {
		name          string
		state         State
		sub, appr     string
		latest        string
		shown         State
		live, apprOut string
	}{
		{"no status, nothing uploaded", "", "", "", "", "", "", ""},
		{"no status, an accepted upload", "", "", "", A, Submitted, A, ""},
		{"approved A, latest A", Approved, A, A, A, Approved, A, A},
		{"approved A, newer upload B waits", Approved, A, A, B, Submitted, A, A},
		{"returned R, latest R, never approved", Returned, R, "", R, Returned, "", ""},
		{"returned R, latest R, A approved before", Returned, R, A, R, Returned, A, A},
		{"returned R, newer upload B, never approved", Returned, R, "", B, Submitted, B, ""},
		{"returned R, newer upload B, A approved before", Returned, R, A, B, Submitted, A, A},
		{"reopened, latest A", Submitted, A, "", A, Submitted, A, ""},
		{"reopened, newer upload B", Submitted, A, "", B, Submitted, B, ""},
		// Edge: no accepted upload at all cannot happen once something was
		// approved (uploads are never deleted); it keeps what was decided.
		{"approved A, no accepted upload", Approved, A, A, "", Approved, A, A},
	}
	for name, make := range map[string]mk{"per form": perForm, "legacy": legacy} {
		for _, c := range cases {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				s := Status{}
				if c.state != "" {
					s = make(c.state, c.sub, c.appr)
				}
				wantSet := func(id string) Set {
					if c.latest == "" && id != "" && name == "legacy" {
						return Set{"": id} // a legacy status without uploads knows no forms
					}
					return both(id)
				}
				shown, live := Effective(s, both(c.latest), false)
				if shown != c.shown || !maps.Equal(live, wantSet(c.live)) {
					t.Errorf("live: got (%q, %v), want (%q, %q)", shown, live, c.shown, c.live)
				}
				shown2, appr := Effective(s, both(c.latest), true)
				if shown2 != c.shown || !maps.Equal(appr, wantSet(c.apprOut)) {
					t.Errorf("approved-only: got (%q, %v), want (%q, %q)", shown2, appr, c.shown, c.apprOut)
				}
			})
		}
	}
	// A status written without approved_submission (version 1 always
	// writes it; hand-made files may not).
	if shown, c := Effective(Status{State: Approved, Submission: A}, both(A), true); shown != Approved || !maps.Equal(c, both(A)) {
		t.Errorf("approved without approved_submission: (%q, %v)", shown, c)
	}
}

// TestEffectivePerForm: a commune whose Biểu 01 and Biểu 02 came in two
// uploads (CSV). The state is decided on the set, what counts per form.
func TestEffectivePerForm(t *testing.T) {
	const x1, y1, y2, x2 = "b01-1", "b02-1", "b02-2", "b01-2"
	set := func(b01, b02 string) Set {
		s := Set{}
		if b01 != "" {
			s["bieu01"] = b01
		}
		if b02 != "" {
			s["bieu02"] = b02
		}
		return s
	}
	approved := Status{State: Approved, Forms: set(x1, y1), ApprovedForms: set(x1, y1)}
	approvedB01 := Status{State: Approved, Forms: set(x1, ""), ApprovedForms: set(x1, "")}
	returned := Status{State: Returned, Forms: set(x1, y1)}
	returnedWasApproved := Status{State: Returned, Forms: set(x1, y2), ApprovedForms: set(x1, y1)}
	cases := []struct {
		name        string
		s           Status
		latest      Set
		shown       State
		live, apprO Set
	}{
		{"approved both, unchanged", approved, set(x1, y1), Approved, set(x1, y1), set(x1, y1)},
		{"approved both, new Biểu 02 waits", approved, set(x1, y2), Submitted, set(x1, y1), set(x1, y1)},
		{"approved Biểu 01 only, Biểu 02 arrives", approvedB01, set(x1, y1), Submitted, set(x1, y1), set(x1, "")},
		{"returned both, unchanged", returned, set(x1, y1), Returned, set("", ""), set("", "")},
		{"returned both, Biểu 02 re-sent", returned, set(x1, y2), Submitted, set("", y2), set("", "")},
		{"returned both, both re-sent", returned, set(x2, y2), Submitted, set(x2, y2), set("", "")},
		// The return named x1 too (the set {x1, y2}): x1's return stands,
		// so it never counts (finding H-A; Apply would also have withdrawn
		// its approval); Biểu 02 falls back to the approved y1.
		{"returned new Biểu 02 after approval", returnedWasApproved, set(x1, y2), Returned, set("", y1), set("", y1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			shown, live := Effective(c.s, c.latest, false)
			if shown != c.shown || !maps.Equal(live, c.live) {
				t.Errorf("live: got (%q, %v), want (%q, %v)", shown, live, c.shown, c.live)
			}
			_, appr := Effective(c.s, c.latest, true)
			if !maps.Equal(appr, c.apprO) {
				t.Errorf("approved-only: got %v, want %v", appr, c.apprO)
			}
		})
	}
}

// A status written from receipts that name no form (form "") compares with
// the roll-up's per-form sets: "" stands for every form.
func TestEffectiveFormlessStatus(t *testing.T) {
	s := Status{State: Returned, Forms: Set{"": "r"}}
	latest := Set{"bieu01": "r", "bieu02": "r"}
	if shown, live := Effective(s, latest, false); shown != Returned || len(live) != 0 {
		t.Errorf("formless returned r, latest r per form: (%q, %v), want (returned, nothing)", shown, live)
	}
	a := Status{State: Approved, Forms: Set{"": "a"}, ApprovedForms: Set{"": "a"}}
	if shown, c := Effective(a, Set{"bieu01": "a", "bieu02": "b"}, true); shown != Submitted || !maps.Equal(c, Set{"bieu01": "a", "bieu02": "a"}) {
		t.Errorf("formless approved a, newer bieu02 b: (%q, %v)", shown, c)
	}
}

// A caller whose uploads name no form (form "") reads a per-form status.
func TestEffectiveFormlessLatest(t *testing.T) {
	s := Status{State: Returned, Forms: Set{"bieu01": "r", "bieu02": "r"}}
	if shown, live := Effective(s, Set{"": "r"}, false); shown != Returned || len(live) != 0 {
		t.Errorf("returned r per form, formless latest r: (%q, %v), want (returned, nothing)", shown, live)
	}
	if shown, _ := Effective(s, Set{"": "n"}, false); shown != Submitted {
		t.Errorf("returned r per form, formless latest n: %q, want submitted", shown)
	}
}
