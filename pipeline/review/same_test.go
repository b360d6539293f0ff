package review

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// TestEffectiveData: a later upload whose data equals (data_sha256) the
// approved or returned submission's is that submission; other data still
// waits; receipts without digests behave as Effective. Expected values are
// from the rule (an approved commune stays approved, a returned
// one stays returned and its data does not count), not from the code.
func TestEffectiveData(t *testing.T) {
	const A, A2, B, R, R2 = "sub-a", "sub-a2", "sub-b", "sub-r", "sub-r2"
	both := func(id string) Set {
		if id == "" {
			return Set{}
		}
		return Set{"bieu01": id, "bieu02": id}
	}
	dig := func(x string) map[string]string { return map[string]string{"bieu01": x + "-01", "bieu02": x + "-02"} }
	d := Digests{A: dig("a"), A2: dig("a"), B: dig("b"), R: dig("r"), R2: dig("r")}
	perForm := func(state State, sub, appr string) Status {
		return Status{State: state, Submission: sub, Forms: both(sub), ApprovedForms: both(appr)}
	}
	legacy := func(state State, sub, appr string) Status {
		return Status{State: state, Submission: sub, ApprovedSubmission: appr}
	}
	cases := []struct {
		name         string
		state        State
		sub, appr    string
		latest       string
		d            Digests
		shown        State
		live, aprOut string
	}{
		{"approved A, identical A2: stays approved", Approved, A, A, A2, d, Approved, A, A},
		{"approved A, other data B waits", Approved, A, A, B, d, Submitted, A, A},
		{"approved A, A2 without digests (old receipts) waits", Approved, A, A, A2, nil, Submitted, A, A},
		{"returned R, identical R2: stays returned, nothing counts", Returned, R, "", R2, d, Returned, "", ""},
		{"returned R after approved A, identical R2: A still counts", Returned, R, A, R2, d, Returned, A, A},
		{"returned R, other data B waits and counts live", Returned, R, "", B, d, Submitted, B, ""},
		{"returned R after approved A, A's data again: waits, A counts", Returned, R, A, A2, d, Submitted, A, A},
		{"returned R, R2 without digests (old receipts) waits", Returned, R, "", R2, nil, Submitted, R2, ""},
		{"reopened A, identical A2: awaiting review", Submitted, A, "", A2, d, Submitted, A, ""},
		{"never reviewed, A2", "", "", "", A2, d, Submitted, A2, ""},
	}
	for mkName, mk := range map[string]func(State, string, string) Status{"per form": perForm, "legacy": legacy} {
		for _, c := range cases {
			t.Run(mkName+"/"+c.name, func(t *testing.T) {
				s := Status{}
				if c.state != "" {
					s = mk(c.state, c.sub, c.appr)
				}
				shown, live := EffectiveData(s, both(c.latest), c.d, false)
				if shown != c.shown || !maps.Equal(live, both(c.live)) {
					t.Errorf("live: got (%q, %v), want (%q, %v)", shown, live, c.shown, both(c.live))
				}
				shown2, appr := EffectiveData(s, both(c.latest), c.d, true)
				if shown2 != c.shown || !maps.Equal(appr, both(c.aprOut)) {
					t.Errorf("approved-only: got (%q, %v), want (%q, %v)", shown2, appr, c.shown, both(c.aprOut))
				}
			})
		}
	}
}

// TestEffectiveDataPerForm: the comparison is per form. A commune whose
// Biểu 01 and Biểu 02 were approved re-sends Biểu 01 alone as CSV.
func TestEffectiveDataPerForm(t *testing.T) {
	const X, Y, X2, Y2, W = "x", "y", "x2", "y2", "w"
	d := Digests{
		X: {"bieu01": "dx"}, X2: {"bieu01": "dx"}, Y: {"bieu02": "dy"}, Y2: {"bieu02": "dy2"},
		// W carries Biểu 01 with Biểu 02's digest of Y: forms never compare across
		W: {"bieu01": "dy", "bieu02": "dx"},
	}
	approved := Status{State: Approved, Forms: Set{"bieu01": X, "bieu02": Y}, ApprovedForms: Set{"bieu01": X, "bieu02": Y}}
	cases := []struct {
		name   string
		latest Set
		shown  State
		live   Set
	}{
		{"Biểu 01 re-sent identical", Set{"bieu01": X2, "bieu02": Y}, Approved, Set{"bieu01": X, "bieu02": Y}},
		{"Biểu 01 identical, Biểu 02 changed", Set{"bieu01": X2, "bieu02": Y2}, Submitted, Set{"bieu01": X, "bieu02": Y}},
		{"digests of the other form", Set{"bieu01": W, "bieu02": Y}, Submitted, Set{"bieu01": X, "bieu02": Y}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			shown, live := EffectiveData(approved, c.latest, d, false)
			if shown != c.shown || !maps.Equal(live, c.live) {
				t.Errorf("got (%q, %v), want (%q, %v)", shown, live, c.shown, c.live)
			}
		})
	}
	// Effective is EffectiveData without digests.
	if shown, _ := Effective(approved, Set{"bieu01": X2, "bieu02": Y}, false); shown != Submitted {
		t.Errorf("Effective without digests: %q, want submitted", shown)
	}
}

// TestRepeats: what the commune is told about an accepted upload.
func TestRepeats(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	up := func(id string, h int, digest string) Upload {
		u := Upload{SubmissionID: id, Status: receipt.Accepted, ReceivedAt: t0.Add(time.Duration(h) * time.Hour),
			SourceKey: "2026/19/01882/" + id + ".xlsx", Forms: []string{"bieu01", "bieu02"}}
		if digest != "" {
			u.DataSHA256 = map[string]string{"bieu01": digest + "1", "bieu02": digest + "2"}
		}
		return u
	}
	rejected := Upload{SubmissionID: "bad", Status: receipt.Rejected, ReceivedAt: t0.Add(5 * time.Hour)}
	approvedA := Status{State: Approved, Forms: Set{"bieu01": "a", "bieu02": "a"}, ApprovedForms: Set{"bieu01": "a", "bieu02": "a"}}
	returnedR := Status{State: Returned, Forms: Set{"bieu01": "r", "bieu02": "r"}, Comment: "Sai số hộ thôn Nà Rì"}
	cases := []struct {
		name string
		s    Status
		ups  []Upload
		id   string
		want Repeat
	}{
		{"approved, same bytes again", approvedA, []Upload{up("a", 0, "A"), up("a2", 1, "A")}, "a2", RepeatsApproved},
		{"approved, other data", approvedA, []Upload{up("a", 0, "A"), up("b", 1, "B")}, "b", NotRepeat},
		{"approved, the approved data after other data", approvedA, []Upload{up("a", 0, "A"), up("b", 1, "B"), up("a2", 2, "A")}, "a2", RepeatsApproved},
		{"returned, the returned file again", returnedR, []Upload{up("r", 0, "R"), up("r2", 1, "R")}, "r2", RepeatsReturned},
		{"returned, a corrected file", returnedR, []Upload{up("r", 0, "R"), up("c", 1, "C")}, "c", NotRepeat},
		{"awaiting review, same data again", Status{}, []Upload{up("a", 0, "A"), rejected, up("a2", 6, "A")}, "a2", RepeatsPrevious},
		{"awaiting review, other data", Status{}, []Upload{up("a", 0, "A"), up("b", 1, "B")}, "b", NotRepeat},
		{"the first upload", Status{}, []Upload{up("a", 0, "A")}, "a", NotRepeat},
		{"old receipts without digests", approvedA, []Upload{up("a", 0, ""), up("a2", 1, "")}, "a2", NotRepeat},
		{"a rejected upload", approvedA, []Upload{up("a", 0, "A"), rejected}, "bad", NotRepeat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Repeats(c.s, c.ups, c.id); got != c.want {
				t.Errorf("Repeats = %d, want %d", got, c.want)
			}
		})
	}
}

// TestApplyRecordsWithDigests: the audit record's from state is the one the
// pages show. An approved commune that re-sends the same data still shows
// approved, so returning it is recorded approved → returned (without the
// digests it read submitted → returned).
func TestApplyRecordsWithDigests(t *testing.T) {
	ctx := context.Background()
	w := local.New(t.TempDir())
	put := func(id string, at time.Time) {
		rc := receipt.Receipt{SubmissionID: id, Status: receipt.Accepted, Form: "bieu01", Forms: []string{"bieu01"}, Year: year, ProvinceCode: prov, CommuneCode: comm,
			SourceKey: fmt.Sprintf("%d/%s/%s/%s.csv", year, prov, comm, id), ReceivedAt: at, DataSHA256: map[string]string{"bieu01": "d1"}}
		body, err := rc.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Put(ctx, lake.ReceiptKey(lake.Key{Year: year, Province: prov, Commune: comm}, id), body, "application/json"); err != nil {
			t.Fatal(err)
		}
	}
	put("a", t0)
	if _, err := Apply(ctx, w, act(KindApprove, "a", "")); err != nil {
		t.Fatal(err)
	}
	put("b", t0.Add(time.Hour)) // the same data again
	r := act(KindReturn, "b", "thôn 4 còn thiếu")
	r.At = t0.Add(2 * time.Hour)
	if _, err := Apply(ctx, w, r); err != nil {
		t.Fatal(err)
	}
	h := history(t, w)
	if len(h) != 2 || h[1].FromState != Approved || h[1].ToState != Returned {
		t.Fatalf("history %+v, want the return recorded approved → returned", h)
	}
}

// A submission repeats only as a whole (review finding H1, session 7): a
// corrected workbook whose Biểu 02 equals the returned one's is new data
// for both forms, so both count live; a CSV carrying one form repeats on
// its own. Expected values from the rule "a returned file never counts, a
// new upload counts live".
func TestSameWholeUpload(t *testing.T) {
	const R, B, R1, R2, C = "sub-r", "sub-b", "sub-r1", "sub-r2", "sub-c"
	cases := []struct {
		name   string
		s      Status
		latest Set
		d      Digests
		shown  State
		live   Set
	}{
		{"workbook returned, corrected Biểu 01, same Biểu 02: all new",
			Status{State: Returned, Submission: R, Forms: Set{"bieu01": R, "bieu02": R}},
			Set{"bieu01": B, "bieu02": B},
			Digests{R: {"bieu01": "x", "bieu02": "y"}, B: {"bieu01": "x2", "bieu02": "y"}},
			Submitted, Set{"bieu01": B, "bieu02": B}},
		{"workbook returned, both forms identical: still returned",
			Status{State: Returned, Submission: R, Forms: Set{"bieu01": R, "bieu02": R}},
			Set{"bieu01": B, "bieu02": B},
			Digests{R: {"bieu01": "x", "bieu02": "y"}, B: {"bieu01": "x", "bieu02": "y"}},
			Returned, Set{}},
		{"two CSVs returned, Biểu 02 CSV re-sent identical, Biểu 01 corrected",
			Status{State: Returned, Submission: R1, Forms: Set{"bieu01": R1, "bieu02": R2}},
			Set{"bieu01": B, "bieu02": C},
			Digests{R1: {"bieu01": "x"}, R2: {"bieu02": "y"}, B: {"bieu01": "x2"}, C: {"bieu02": "y"}},
			Submitted, Set{"bieu01": B}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			shown, live := EffectiveData(c.s, c.latest, c.d, false)
			if shown != c.shown || !maps.Equal(live, c.live) {
				t.Errorf("got (%q, %v), want (%q, %v)", shown, live, c.shown, c.live)
			}
		})
	}
}

// A check of the flags of data re-sent unchanged: the pages show the
// earlier upload's flags (the roll-up counts the data once), so checking
// one of them is not stale; a check of other data still is (lead,
// session 8; before, both were refused "stale").
func TestCheckOfRepeatedData(t *testing.T) {
	ctx := context.Background()
	w := local.New(t.TempDir())
	put := func(id, digest string, at time.Time) {
		rc := receipt.Receipt{SubmissionID: id, Status: receipt.Accepted, Form: "bieu01", Forms: []string{"bieu01"}, Year: year, ProvinceCode: prov, CommuneCode: comm,
			SourceKey: fmt.Sprintf("%d/%s/%s/%s.csv", year, prov, comm, id), ReceivedAt: at, DataSHA256: map[string]string{"bieu01": digest}}
		body, err := rc.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Put(ctx, lake.ReceiptKey(lake.Key{Year: year, Province: prov, Commune: comm}, id), body, "application/json"); err != nil {
			t.Fatal(err)
		}
	}
	put("a", "d1", t0)
	if _, err := Apply(ctx, w, act(KindApprove, "a", "")); err != nil {
		t.Fatal(err)
	}
	put("b", "d1", t0.Add(time.Hour)) // the same data again: the commune stays approved on a
	chk := act(KindCheck, "a", "đã gọi xã: thôn mới sáp nhập")
	chk.FlagID, chk.At = "hamlet_outlier/ho_tong/T01", t0.Add(2*time.Hour)
	st, err := Apply(ctx, w, chk)
	if err != nil {
		t.Fatalf("check of the repeated data's flag: %v", err)
	}
	if _, ok := st.Checked(chk.FlagID, "a"); !ok {
		t.Errorf("the check does not grey a's flag: %+v", st.Checks)
	}
	put("c", "d2", t0.Add(3*time.Hour)) // new data: a's flags are no longer current
	old := act(KindCheck, "a", "ghi chú khác")
	old.FlagID, old.At = "rate_change/ty_le_ho_dat/-", t0.Add(4*time.Hour)
	if _, err := Apply(ctx, w, old); !errors.Is(err, ErrStale) {
		t.Errorf("check of data no longer current: %v, want ErrStale", err)
	}
}
