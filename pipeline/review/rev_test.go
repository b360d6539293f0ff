package review

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// REVIEW: distinct flag checks grow the status without bound; past
// maxStatusBytes Get fails, so every later Apply on the commune and
// ForProvince for the WHOLE province fail.
func TestRevChecksBrickStatus(t *testing.T) {
	ctx := context.Background()
	w := local.New(t.TempDir())
	upload(t, w, "s1", receipt.Accepted, t0)
	upload2(t, w, "05501", "s9", receipt.Accepted, t0)
	if _, err := Apply(ctx, w, Action{Kind: KindApprove, Year: year, Province: prov, Commune: "05501", Submission: "s9", By: reviewer, At: t0}); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("ệ", MaxCommentRunes)
	var err error
	for i := 0; i < 200 && err == nil; i++ {
		a := act(KindCheck, "", long)
		a.FlagID = fmt.Sprintf("rate_outlier/x%03d/-", i)
		a.At = t0.Add(time.Duration(i) * time.Second)
		_, err = Apply(ctx, w, a)
	}
	if !errors.Is(err, ErrBadAction) || !strings.Contains(err.Error(), fmt.Sprint(MaxChecks)) {
		t.Fatalf("after 200 checks: %v, want the MaxChecks refusal", err)
	}
	if s, _, err := Get(ctx, w, year, prov, comm); err != nil || len(s.Checks) != MaxChecks {
		t.Fatalf("status after the refusal: %d checks, %v", len(s.Checks), err)
	}
	if _, err := Apply(ctx, w, act(KindApprove, "s1", "")); err != nil {
		t.Errorf("approve after many checks: %v", err)
	}
	if _, err := ForProvince(ctx, w, year, prov); err != nil {
		t.Errorf("ForProvince (whole province board) fails: %v", err)
	}
}

// failAudit fails create-only writes under audit/: the status (first
// write) succeeds, its record (second write) fails, as when the process
// dies between the two. A wrapper rather than a real crash: killing a
// process at that exact instant cannot be done reliably in a test, and
// what matters is the state the store is left in, which is the same.
type failAudit struct{ storage.Writer }

func (f failAudit) PutIf(ctx context.Context, key string, body []byte, ct, ifMatch string) error {
	if strings.HasPrefix(key, "audit/") {
		return errors.New("crash")
	}
	return f.Writer.PutIf(ctx, key, body, ct, ifMatch)
}

// REVIEW: a state change whose record write fails is invisible in History
// (and the audit view) until some later Apply on the same commune.
func TestRevAuditMissingWithoutLaterApply(t *testing.T) {
	ctx := context.Background()
	w := local.New(t.TempDir())
	upload(t, w, "s1", receipt.Accepted, t0)
	st, _ := Apply(ctx, failAudit{w}, act(KindApprove, "s1", ""))
	if st.State != Approved {
		t.Fatalf("state %q", st.State)
	}
	cur, _, _ := Get(ctx, w, year, prov, comm)
	h := history(t, w)
	if cur.State != Approved || len(h) != 1 || h[0].Action != KindApprove || h[0].ToState != Approved || h[0].Key != cur.LastChange.Key {
		t.Fatalf("status %q, history %+v: want the approval's record", cur.State, h)
	}
	// The record is not stored yet (History shows it from the status)…
	if _, _, err := w.Get(ctx, h[0].Key, ""); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("record stored despite the failure: %v", err)
	}
	// …and the next change stores it before its own.
	if _, err := Apply(ctx, w, act(KindReopen, "", "mở lại")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Get(ctx, h[0].Key, ""); err != nil {
		t.Fatalf("record not repaired: %v", err)
	}
	if h := history(t, w); len(h) != 2 || h[0].Action != KindApprove || h[1].Action != KindReopen {
		t.Fatalf("history after repair %+v", h)
	}
}

// Comments: C0/C1 controls other than line break and tab, and bidi
// overrides/isolates, are refused; CR LF is read as a line break.
func TestRevCommentCharacters(t *testing.T) {
	ctx := context.Background()
	w := local.New(t.TempDir())
	upload(t, w, "s1", receipt.Accepted, t0)
	for _, c := range []struct {
		comment string
		ok      bool
	}{
		{"Dòng 1\nDòng 2\tcột", true},
		{"Dòng 1\r\nDòng 2", true},
		{"chuông\a", false},
		{"xoá\x7f", false},
		{"c1\u0085x", false},
		{"đảo \u202Echiều", false},
		{"cô lập \u2066x\u2069", false},
		{"lẻ\rdòng", false},
	} {
		_, err := Apply(ctx, w, act(KindReturn, "s1", c.comment))
		if c.ok && err != nil {
			t.Errorf("%q refused: %v", c.comment, err)
		}
		if !c.ok && !errors.Is(err, ErrBadAction) {
			t.Errorf("%q: %v, want ErrBadAction", c.comment, err)
		}
	}
	if s, _, _ := Get(ctx, w, year, prov, comm); s.Comment != "Dòng 1\nDòng 2" {
		t.Errorf("stored comment %q, want CR LF read as LF", s.Comment)
	}
}

// A check greys its flag only while the flag is about the checked
// submission; new data shows the flag again.
func TestRevCheckFollowsSubmission(t *testing.T) {
	ctx := context.Background()
	w := local.New(t.TempDir())
	upload(t, w, "s1", receipt.Accepted, t0)
	a := act(KindCheck, "", "đã gọi điện xác minh")
	a.FlagID = "rate_outlier/ty_le_ho_dat/-"
	s, err := Apply(ctx, w, a)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := s.Checked(a.FlagID, "s1"); !ok || c.Submission != "s1" {
		t.Fatalf("check of s1 does not grey s1's flag: %+v %v", c, ok)
	}
	upload(t, w, "s2", receipt.Accepted, t0.Add(time.Hour))
	if _, ok := s.Checked(a.FlagID, "s2"); ok {
		t.Error("a check of s1 greys the same flag of the new upload s2")
	}
	// A check naming a submission that is not current data is stale.
	a.Submission = "s1"
	if _, err := Apply(ctx, w, a); !errors.Is(err, ErrStale) {
		t.Errorf("check of replaced data: %v, want ErrStale", err)
	}
	// A check of s2 drops the stale check of s1 from the status.
	a.Submission, a.FlagID = "s2", "unchanged/-/-"
	s, err = Apply(ctx, w, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Checks["rate_outlier/ty_le_ho_dat/-"]; ok || len(s.Checks) != 1 {
		t.Errorf("checks after new data: %+v", s.Checks)
	}
	// A status written before checks named their submission greys nothing.
	old := Status{Checks: map[string]Check{"x/-/-": {Comment: "cũ"}}}
	if _, ok := old.Checked("x/-/-", ""); ok {
		t.Error("a check without submission greys a flag")
	}
}

// REVIEW: the roll-up counts the latest accepted submission per (commune,
// FORM) (rollup/sql.go pickSQL); a CSV carries one form, so a commune sends
// Biểu 01 and Biểu 02 as two uploads. Review acts on the commune's current
// data set (the latest accepted upload of each form): approving either
// upload approves both, and approved-only counts both.
func TestRevPerFormLatest(t *testing.T) {
	ctx := context.Background()
	w := local.New(t.TempDir())
	uploadForm(t, w, "bieu01csv", "bieu01", t0)                // Biểu 01 CSV
	uploadForm(t, w, "bieu02csv", "bieu02", t0.Add(time.Hour)) // Biểu 02 CSV
	cur, err := CurrentAccepted(ctx, w, year, prov, comm)
	if err != nil {
		t.Fatal(err)
	}
	want := Set{"bieu01": "bieu01csv", "bieu02": "bieu02csv"}
	if !maps.Equal(cur, want) {
		t.Fatalf("current set %v, want %v", cur, want)
	}
	st, err := Apply(ctx, w, act(KindApprove, "bieu01csv", ""))
	if err != nil {
		t.Fatalf("approving the commune's counted Biểu 01 upload: %v", err)
	}
	// The Biểu 02 upload is part of the approved set: nothing to do.
	if st2, err := Apply(ctx, w, act(KindApprove, "bieu02csv", "")); err != nil || !maps.Equal(st2.ApprovedForms, want) {
		t.Fatalf("approve bieu02csv: %+v, %v", st2, err)
	}
	if h := history(t, w); len(h) != 1 {
		t.Errorf("%d audit records, want 1 (the second approve changes nothing)", len(h))
	}
	shown, counted := Effective(st, cur, true)
	if shown != Approved || !maps.Equal(counted, want) {
		t.Errorf("approved-only: (%q, %v), want (approved, %v)", shown, counted, want)
	}
	// A new Biểu 02 waits; the approved Biểu 01 and Biểu 02 still count.
	uploadForm(t, w, "bieu02b", "bieu02", t0.Add(2*time.Hour))
	cur, _ = CurrentAccepted(ctx, w, year, prov, comm)
	for _, mode := range []bool{false, true} {
		if shown, counted := Effective(st, cur, mode); shown != Submitted || !maps.Equal(counted, want) {
			t.Errorf("approvedOnly=%v after a new Biểu 02: (%q, %v), want (submitted, %v)", mode, shown, counted, want)
		}
	}
	// The old Biểu 02 is no longer current data: acting on it is stale.
	if _, err := Apply(ctx, w, act(KindReturn, "bieu02csv", "sai")); !errors.Is(err, ErrStale) {
		t.Errorf("return of a replaced upload: %v, want ErrStale", err)
	}
	// Returning the set (named by its Biểu 01 upload) withdraws the
	// approval of Biểu 01, whose file is returned; the approved Biểu 02
	// stays approved data.
	st, err = Apply(ctx, w, act(KindReturn, "bieu01csv", "Biểu 01 thiếu thôn"))
	if err != nil {
		t.Fatal(err)
	}
	if shown, counted := Effective(st, cur, true); shown != Returned || !maps.Equal(counted, Set{"bieu02": "bieu02csv"}) {
		t.Errorf("after return: (%q, %v), want (returned, bieu02 only)", shown, counted)
	}
}

// uploadForm writes the receipt of an accepted upload carrying one form.
func uploadForm(t *testing.T, w storage.Writer, id, form string, at time.Time) {
	t.Helper()
	rc := receipt.Receipt{SubmissionID: id, Status: receipt.Accepted, Form: form, Forms: []string{form}, Year: year, ProvinceCode: prov, CommuneCode: comm,
		SourceKey: fmt.Sprintf("%d/%s/%s/%s.csv", year, prov, comm, id), ReceivedAt: at}
	body, err := rc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Put(context.Background(), lake.ReceiptKey(lake.Key{Year: year, Province: prov, Commune: comm}, id), body, "application/json"); err != nil {
		t.Fatal(err)
	}
}
