package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
	"github.com/xhht/xhht/pipeline/storage/s3store"
	"github.com/xhht/xhht/pipeline/storage/s3test"
)

const (
	year = 2026
	prov = "19"
	comm = "05500"
)

var (
	t0        = time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	reviewer  = Actor{Role: access.RoleProvince, Province: prov, CodeID: "aaaaaaaaaaaa"}
	reviewer2 = Actor{Role: access.RoleProvince, Province: prov, CodeID: "bbbbbbbbbbbb"}
)

// backends: a directory (the CLI's default) and a real S3 server
// (versitygw through aws-sdk-go-v2), where PutIf is an HTTP conditional
// write. The compare-and-swap rules run on both.
func backends(t *testing.T) map[string]func(t *testing.T) storage.Writer {
	srv := s3test.Start(t)
	var (
		seq int
		mu  sync.Mutex
	)
	return map[string]func(t *testing.T) storage.Writer{
		"local": func(t *testing.T) storage.Writer { return local.New(t.TempDir()) },
		"s3": func(t *testing.T) storage.Writer {
			mu.Lock()
			seq++
			name := fmt.Sprintf("review-%03d", seq)
			mu.Unlock()
			srv.CreateBucket(t, name)
			return s3store.New(srv.Client(t), name, "")
		},
	}
}

// upload writes the receipt ingest would write for one upload of comm.
func upload(t *testing.T, w storage.Writer, id, status string, at time.Time) {
	t.Helper()
	upload2(t, w, comm, id, status, at)
}

func upload2(t testing.TB, w storage.Writer, commune, id, status string, at time.Time) {
	rc := receipt.Receipt{SubmissionID: id, Status: status, Year: year, ProvinceCode: prov, CommuneCode: commune,
		SourceKey: fmt.Sprintf("%d/%s/%s/%s.xlsx", year, prov, commune, id), ReceivedAt: at}
	body, err := rc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Put(context.Background(), lake.ReceiptKey(lake.Key{Year: year, Province: prov, Commune: commune}, id), body, "application/json"); err != nil {
		t.Fatal(err)
	}
}

func act(kind, sub, comment string) Action {
	return Action{Kind: kind, Year: year, Province: prov, Commune: comm, Submission: sub, Comment: comment, By: reviewer, At: t0}
}

func history(t *testing.T, w storage.Writer) []Record {
	t.Helper()
	h, err := History(context.Background(), w, year, prov, comm)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestLatestAcceptedOrder(t *testing.T) {
	w := local.New(t.TempDir())
	ctx := context.Background()
	if got, err := LatestAccepted(ctx, w, year, prov, comm); err != nil || got != "" {
		t.Fatalf("no receipts: got %q, %v", got, err)
	}
	upload(t, w, "a", receipt.Accepted, t0)
	upload(t, w, "c", receipt.Rejected, t0.Add(2*time.Hour)) // newest, but rejected
	upload(t, w, "b", receipt.Accepted, t0.Add(time.Hour))
	if got, _ := LatestAccepted(ctx, w, year, prov, comm); got != "b" {
		t.Errorf("latest accepted = %q, want b (c is rejected, a older)", got)
	}
	// Same instant: the larger source key wins, as in the roll-up.
	upload(t, w, "z", receipt.Accepted, t0.Add(time.Hour))
	if got, _ := LatestAccepted(ctx, w, year, prov, comm); got != "z" {
		t.Errorf("tie on received_at: got %q, want z", got)
	}
}

func TestApplyRules(t *testing.T) {
	for name, mk := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := mk(t)
			// Nothing uploaded: nothing to approve.
			if _, err := Apply(ctx, w, act(KindApprove, "a", "")); !errors.Is(err, ErrStale) {
				t.Fatalf("approve with no upload: %v, want ErrStale", err)
			}
			upload(t, w, "a", receipt.Accepted, t0)

			// Return needs a comment, and leaves nothing behind without one.
			if _, err := Apply(ctx, w, act(KindReturn, "a", "   ")); !errors.Is(err, ErrCommentRequired) {
				t.Fatalf("return without comment: %v", err)
			}
			if s, etag, _ := Get(ctx, w, year, prov, comm); s.State != "" || etag != "" {
				t.Fatalf("refused return wrote a status: %+v", s)
			}
			s, err := Apply(ctx, w, act(KindReturn, "a", "  Số hộ thôn 3 sai <b>x10</b>  "))
			if err != nil {
				t.Fatal(err)
			}
			if s.State != Returned || s.Submission != "a" || s.Comment != "Số hộ thôn 3 sai <b>x10</b>" {
				t.Fatalf("after return: %+v", s)
			}
			if got, _, _ := Get(ctx, w, year, prov, comm); got.State != Returned || got.Comment != s.Comment {
				t.Fatalf("stored status: %+v", got)
			}
			// Approving the returned file is allowed (the province changed its mind).
			// Approving a submission that is not the latest is stale.
			upload(t, w, "b", receipt.Accepted, t0.Add(time.Hour))
			if _, err := Apply(ctx, w, act(KindApprove, "a", "")); !errors.Is(err, ErrStale) {
				t.Fatalf("approve an older upload: %v, want ErrStale", err)
			}
			s, err = Apply(ctx, w, act(KindApprove, "b", "Đã kiểm tra"))
			if err != nil {
				t.Fatal(err)
			}
			if s.State != Approved || s.ApprovedSubmission != "b" {
				t.Fatalf("after approve: %+v", s)
			}
			// Approving again changes nothing and records nothing.
			if _, err := Apply(ctx, w, act(KindApprove, "b", "")); err != nil {
				t.Fatal(err)
			}
			// A new upload waits; approved data still counts.
			upload(t, w, "c", receipt.Accepted, t0.Add(2*time.Hour))
			st, _, _ := Get(ctx, w, year, prov, comm)
			if shown, counted := Effective(st, "c", true); shown != Submitted || counted != "b" {
				t.Fatalf("new upload after approval: (%s, %s), want (submitted, b)", shown, counted)
			}
			// Return the waiting upload: b stays approved and counted.
			s, err = Apply(ctx, w, act(KindReturn, "c", "Thôn 5 thiếu"))
			if err != nil {
				t.Fatal(err)
			}
			if s.State != Returned || s.ApprovedSubmission != "b" {
				t.Fatalf("return of a newer upload: %+v", s)
			}
			// Reopen needs a comment, clears the approval.
			if _, err := Apply(ctx, w, act(KindReopen, "", "")); !errors.Is(err, ErrCommentRequired) {
				t.Fatalf("reopen without comment: %v", err)
			}
			s, err = Apply(ctx, w, act(KindReopen, "", "Mở lại để xã sửa"))
			if err != nil {
				t.Fatal(err)
			}
			if s.State != Submitted || s.ApprovedSubmission != "" {
				t.Fatalf("after reopen: %+v", s)
			}
			// Check a flag: comment required, state unchanged.
			chk := act(KindCheck, "", "")
			chk.FlagID = "household_change/so_ho/05500-03"
			if _, err := Apply(ctx, w, chk); !errors.Is(err, ErrCommentRequired) {
				t.Fatalf("check without comment: %v", err)
			}
			chk.Comment = "Đã gọi điện xác minh: thôn mới sáp nhập"
			s, err = Apply(ctx, w, chk)
			if err != nil {
				t.Fatal(err)
			}
			if s.State != Submitted || s.Checks[chk.FlagID].Comment != chk.Comment || s.Checks[chk.FlagID].By != reviewer {
				t.Fatalf("after check: %+v", s)
			}

			h := history(t, w)
			var got []string
			for _, r := range h {
				got = append(got, fmt.Sprintf("%s %s→%s %s", r.Action, r.FromState, r.ToState, r.Submission))
				if r.By != reviewer || r.Year != year || r.Province != prov || r.Commune != comm {
					t.Errorf("record %+v: wrong who/where", r)
				}
			}
			want := []string{
				"return submitted→returned a",
				"approve submitted→approved b",
				"return submitted→returned c",
				"reopen returned→submitted c",
				"check submitted→submitted c",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			// Every action said t0: each later change moves just after the
			// one before, so the history keeps the order of the changes.
			for i, r := range h {
				if want := t0.Add(time.Duration(i) * time.Microsecond); !r.At.Equal(want) {
					t.Errorf("record %d at %v, want %v", i, r.At, want)
				}
			}
			if h[0].Comment != "Số hộ thôn 3 sai <b>x10</b>" || h[4].FlagID != chk.FlagID {
				t.Errorf("audit comments/flag: %+v", h)
			}
		})
	}
}

// TestReturnApprovedWithdraws: returning the very data that is approved
// withdraws the approval, so a returned file never counts.
func TestReturnApprovedWithdraws(t *testing.T) {
	ctx := context.Background()
	w := local.New(t.TempDir())
	upload(t, w, "a", receipt.Accepted, t0)
	if _, err := Apply(ctx, w, act(KindApprove, "a", "")); err != nil {
		t.Fatal(err)
	}
	s, err := Apply(ctx, w, act(KindReturn, "a", "Phát hiện sai sau khi duyệt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []bool{false, true} {
		if shown, counted := Effective(s, "a", mode); shown != Returned || counted != "" {
			t.Errorf("approvedOnly=%v: (%s, %q), want (returned, nothing)", mode, shown, counted)
		}
	}
}

// TestAuthorisation: only a province code of the commune's province acts,
// for every kind of action; a refused action writes nothing.
func TestAuthorisation(t *testing.T) {
	ctx := context.Background()
	w := local.New(t.TempDir())
	upload(t, w, "a", receipt.Accepted, t0)
	actors := map[string]Actor{
		"commune code of the commune": {Role: access.RoleCommune, Province: prov, Commune: comm, CodeID: "cccccccccccc"},
		"other province":              {Role: access.RoleProvince, Province: "20", CodeID: "dddddddddddd"},
		"no role":                     {Province: prov, CodeID: "eeeeeeeeeeee"},
		"no code id":                  {Role: access.RoleProvince, Province: prov},
	}
	for name, by := range actors {
		for _, kind := range []string{KindApprove, KindReturn, KindReopen, KindCheck} {
			a := act(kind, "a", "ý kiến")
			a.FlagID = "f/x/-"
			a.By = by
			if _, err := Apply(ctx, w, a); !errors.Is(err, ErrForbidden) {
				t.Errorf("%s, %s: %v, want ErrForbidden", name, kind, err)
			}
		}
	}
	if objs, _ := w.List(ctx, lake.ReviewsPrefix); len(objs) != 0 {
		t.Errorf("refused actions wrote %v", objs)
	}
	if objs, _ := w.List(ctx, lake.AuditPrefix); len(objs) != 0 {
		t.Errorf("refused actions wrote audit %v", objs)
	}
}

func TestBadActions(t *testing.T) {
	ctx := context.Background()
	w := local.New(t.TempDir())
	upload(t, w, "a", receipt.Accepted, t0)
	for name, mod := range map[string]func(*Action){
		"unknown kind":       func(a *Action) { a.Kind = "delete" },
		"bad commune":        func(a *Action) { a.Commune = "../x" },
		"bad province":       func(a *Action) { a.Province, a.By.Province = "1", "1" },
		"bad year":           func(a *Action) { a.Year = 26 },
		"comment too long":   func(a *Action) { a.Comment = strings.Repeat("ý", MaxCommentRunes+1) },
		"comment not utf-8":  func(a *Action) { a.Comment = "a\xffb" },
		"check without flag": func(a *Action) { a.Kind = KindCheck },
		"flag with newline":  func(a *Action) { a.Kind, a.FlagID = KindCheck, "a\nb" },
	} {
		a := act(KindReturn, "a", "ý kiến")
		mod(&a)
		if _, err := Apply(ctx, w, a); !errors.Is(err, ErrBadAction) {
			t.Errorf("%s: %v, want ErrBadAction", name, err)
		}
	}
	// Reopening what was never reviewed is stale, not a silent no-op.
	if _, err := Apply(ctx, w, act(KindReopen, "", "mở")); !errors.Is(err, ErrStale) {
		t.Errorf("reopen never reviewed: %v", err)
	}
}

// TestRacingApprovals: many reviewers approve at once; all succeed, the
// status is approved and exactly one audit record exists. A return racing
// them either loses (then approve wins after it: no lost update) or wins;
// every change that happened is in the audit, in the stored order.
func TestRacingApprovals(t *testing.T) {
	for name, mk := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := mk(t)
			upload(t, w, "a", receipt.Accepted, t0)
			var wg sync.WaitGroup
			errs := make([]error, 6)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					a := act(KindApprove, "a", "")
					a.By = reviewer
					if i%2 == 1 {
						a.By = reviewer2
					}
					_, errs[i] = Apply(ctx, w, a)
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			s, _, _ := Get(ctx, w, year, prov, comm)
			if s.State != Approved || s.ApprovedSubmission != "a" {
				t.Fatalf("status %+v", s)
			}
			if h := history(t, w); len(h) != 1 || h[0].Action != KindApprove {
				t.Fatalf("%d audit records, want 1: %+v", len(h), h)
			}

			// Return and check race: both must land (neither overwrites the other).
			var errRet, errChk error
			wg.Add(2)
			go func() { defer wg.Done(); _, errRet = Apply(ctx, w, act(KindReturn, "a", "trả lại")) }()
			go func() {
				defer wg.Done()
				c := act(KindCheck, "", "đã xác minh")
				c.FlagID, c.By = "outlier/ty_le/-", reviewer2
				_, errChk = Apply(ctx, w, c)
			}()
			wg.Wait()
			if errRet != nil || errChk != nil {
				t.Fatal(errRet, errChk)
			}
			s, _, _ = Get(ctx, w, year, prov, comm)
			if s.State != Returned || s.Comment != "trả lại" || s.Checks["outlier/ty_le/-"].Comment != "đã xác minh" {
				t.Fatalf("an update was lost: %+v", s)
			}
			if h := history(t, w); len(h) != 3 {
				t.Fatalf("%d audit records, want 3", len(h))
			}
		})
	}
}

// TestUploadRacesApproval: an approval of upload a while upload b lands.
// Whichever order, b is never counted as approved unseen: either the
// approval of a is stale (b was first), or a is approved and b waits.
func TestUploadRacesApproval(t *testing.T) {
	for i := range 20 {
		ctx := context.Background()
		w := local.New(t.TempDir())
		upload(t, w, "a", receipt.Accepted, t0)
		var wg sync.WaitGroup
		var err error
		wg.Add(2)
		go func() { defer wg.Done(); _, err = Apply(ctx, w, act(KindApprove, "a", "")) }()
		go func() { defer wg.Done(); upload(t, w, "b", receipt.Accepted, t0.Add(time.Hour)) }()
		wg.Wait()
		s, _, _ := Get(ctx, w, year, prov, comm)
		switch {
		case err == nil:
			shown, counted := Effective(s, "b", true)
			if shown != Submitted || counted != "a" {
				t.Fatalf("run %d: approved a, then b: (%s, %s), want (submitted, a)", i, shown, counted)
			}
		case errors.Is(err, ErrStale):
			if s.State != "" {
				t.Fatalf("run %d: stale approval wrote %+v", i, s)
			}
		default:
			t.Fatal(err)
		}
	}
}

// TestAuditRepair: a status written but whose audit record was lost (the
// process died between the two writes) gets its record at the next Apply.
func TestAuditRepair(t *testing.T) {
	ctx := context.Background()
	w := local.New(t.TempDir())
	upload(t, w, "a", receipt.Accepted, t0)
	s, err := Apply(ctx, w, act(KindApprove, "a", ""))
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := w.Get(ctx, s.LastChange.Key, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Delete(ctx, s.LastChange.Key); err != nil {
		t.Fatal(err)
	}
	upload(t, w, "b", receipt.Accepted, t0.Add(time.Hour))
	a := act(KindReturn, "b", "sai")
	a.At = t0.Add(time.Minute)
	if _, err := Apply(ctx, w, a); err != nil {
		t.Fatal(err)
	}
	got, _, err := w.Get(ctx, s.LastChange.Key, "")
	if err != nil || string(got) != string(want) {
		t.Fatalf("repaired record differs or is missing (%v):\n%s\nwant\n%s", err, got, want)
	}
	h := history(t, w)
	if len(h) != 2 || h[0].Action != KindApprove || h[1].Action != KindReturn {
		t.Fatalf("history %+v", h)
	}
}

func TestForProvince(t *testing.T) {
	ctx := context.Background()
	w := local.New(t.TempDir())
	for i, c := range []string{"05500", "05503", "05506"} {
		upload2(t, w, c, "s"+c, receipt.Accepted, t0)
		if i == 2 {
			continue
		}
		a := act(KindApprove, "s"+c, "")
		a.Commune = c
		if _, err := Apply(ctx, w, a); err != nil {
			t.Fatal(err)
		}
	}
	// A status of another province is not read.
	other := Status{Version: 1, Year: year, Province: "20", Commune: "06000", State: Approved}
	b, _ := json.Marshal(other)
	if err := w.Put(ctx, lake.ReviewKey(year, "20", "06000"), b, "application/json"); err != nil {
		t.Fatal(err)
	}
	m, err := ForProvince(ctx, w, year, prov)
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 2 || m["05500"].State != Approved || m["05503"].ApprovedSubmission != "s05503" {
		t.Fatalf("ForProvince = %+v", m)
	}
	// A status stored under the wrong key is an error, not someone else's state.
	if err := w.Put(ctx, lake.ReviewKey(year, prov, "05509"), b, "application/json"); err != nil {
		t.Fatal(err)
	}
	if _, err := ForProvince(ctx, w, year, prov); err == nil {
		t.Fatal("a misplaced status was accepted")
	}
}
