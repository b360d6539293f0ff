package review

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// TestSeenStaleRefused: reviewer A opened the page (status version v0);
// B returned meanwhile. A's approve naming v0 is refused with ErrChanged
// (also ErrStale), writes no audit record, and leaves B's return and
// comment as they are. The same in reverse (an approval overridden by a
// stale return), and for reopen.
func TestSeenStaleRefused(t *testing.T) {
	for name, mk := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := mk(t)
			upload(t, w, "a", receipt.Accepted, t0)
			_, etag0, err := Get(ctx, w, year, prov, comm)
			if err != nil || etag0 != "" {
				t.Fatalf("never reviewed: etag %q, %v", etag0, err)
			}
			seen0 := SeenOf(etag0)

			b := act(KindReturn, "a", "Thôn 3 thiếu số hộ")
			b.By, b.Seen = reviewer2, seen0
			if _, err := Apply(ctx, w, b); err != nil {
				t.Fatalf("B's return on the version B saw: %v", err)
			}
			a := act(KindApprove, "a", "")
			a.Seen, a.At = seen0, t0.Add(time.Minute)
			_, err = Apply(ctx, w, a)
			if !errors.Is(err, ErrChanged) || !errors.Is(err, ErrStale) {
				t.Fatalf("A's approve on a stale page: %v, want ErrChanged and ErrStale", err)
			}
			s, etag1, _ := Get(ctx, w, year, prov, comm)
			if s.State != Returned || s.Comment != "Thôn 3 thiếu số hộ" || s.By.CodeID != reviewer2.CodeID {
				t.Fatalf("B's return was overridden: %+v", s)
			}
			if h := history(t, w); len(h) != 1 || h[0].Action != KindReturn {
				t.Fatalf("refused action wrote an audit record: %+v", h)
			}

			// A reloads (sees B's return) and reopens: accepted.
			r := act(KindReopen, "", "Xã đã giải trình qua điện thoại")
			r.Seen, r.At = SeenOf(etag1), t0.Add(2*time.Minute)
			if _, err := Apply(ctx, w, r); err != nil {
				t.Fatalf("reopen on the current version: %v", err)
			}
			// Reverse: B approves on a fresh page, A returns on the old one.
			_, etag2, _ := Get(ctx, w, year, prov, comm)
			ap := act(KindApprove, "a", "")
			ap.By, ap.Seen, ap.At = reviewer2, SeenOf(etag2), t0.Add(3*time.Minute)
			if _, err := Apply(ctx, w, ap); err != nil {
				t.Fatal(err)
			}
			ret := act(KindReturn, "a", "trả lại từ trang cũ")
			ret.Seen, ret.At = SeenOf(etag2), t0.Add(4*time.Minute)
			if _, err := Apply(ctx, w, ret); !errors.Is(err, ErrChanged) {
				t.Fatalf("stale return: %v, want ErrChanged", err)
			}
			// A stale reopen (the page from before the approval) too.
			ro := act(KindReopen, "", "mở lại từ trang cũ")
			ro.Seen, ro.At = SeenOf(etag1), t0.Add(5*time.Minute)
			if _, err := Apply(ctx, w, ro); !errors.Is(err, ErrChanged) {
				t.Fatalf("stale reopen: %v, want ErrChanged", err)
			}
			s, _, _ = Get(ctx, w, year, prov, comm)
			if s.State != Approved || s.ApprovedSubmission != "a" {
				t.Fatalf("the approval was overridden: %+v", s)
			}
			if h := history(t, w); len(h) != 3 {
				t.Fatalf("%d audit records, want 3 (return, reopen, approve): %+v", len(h), h)
			}
			// Without Seen (scripts), the action applies to what is stored.
			free := act(KindReturn, "a", "không kèm phiên bản")
			free.At = t0.Add(6 * time.Minute)
			if s, err := Apply(ctx, w, free); err != nil || s.State != Returned {
				t.Fatalf("action without Seen: %+v, %v", s, err)
			}
		})
	}
}

// TestSeenBurst: N reviewers act at once (approve or return), each on
// the same page version: exactly one succeeds, the others get ErrChanged,
// and the stored status and the single audit record are the winner's.
func TestSeenBurst(t *testing.T) {
	for name, mk := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := mk(t)
			upload(t, w, "a", receipt.Accepted, t0)
			// Start from a reviewed status, so the seen version is an ETag.
			if _, err := Apply(ctx, w, act(KindReturn, "a", "lần đầu")); err != nil {
				t.Fatal(err)
			}
			if _, err := Apply(ctx, w, Action{Kind: KindReopen, Year: year, Province: prov, Commune: comm,
				Comment: "mở lại", By: reviewer, At: t0.Add(time.Minute)}); err != nil {
				t.Fatal(err)
			}
			_, etag, _ := Get(ctx, w, year, prov, comm)
			const n = 10
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					a := act(KindApprove, "a", "")
					if i%2 == 1 {
						a = act(KindReturn, "a", "trả lại số "+string(rune('0'+i)))
					}
					a.By.CodeID = "cccccccccc0" + string(rune('0'+i))
					a.Seen, a.At = SeenOf(etag), t0.Add(time.Hour)
					_, errs[i] = Apply(ctx, w, a)
				}()
			}
			wg.Wait()
			won := -1
			for i, err := range errs {
				switch {
				case err == nil:
					if won >= 0 {
						t.Fatalf("reviewers %d and %d both succeeded on the same version", won, i)
					}
					won = i
				case !errors.Is(err, ErrChanged):
					t.Fatalf("reviewer %d: %v, want ErrChanged", i, err)
				}
			}
			if won < 0 {
				t.Fatal("no reviewer succeeded")
			}
			s, _, _ := Get(ctx, w, year, prov, comm)
			h := history(t, w)
			last := h[len(h)-1]
			if len(h) != 3 || s.By.CodeID != last.By.CodeID || last.By.CodeID != "cccccccccc0"+string(rune('0'+won)) {
				t.Fatalf("winner %d; status by %s; %d records, last by %s", won, s.By.CodeID, len(h), last.By.CodeID)
			}
		})
	}
}

// TestReopenRecordsWithdrawnDecision (finding L6): reopening an approved
// commune whose newer upload waits (shown "submitted") is recorded as
// approved → submitted, and a returned one as returned → submitted, so
// the history shows the decision withdrawn.
func TestReopenRecordsWithdrawnDecision(t *testing.T) {
	for _, tc := range []struct {
		decide string
		want   State
	}{{KindApprove, Approved}, {KindReturn, Returned}} {
		t.Run(tc.decide, func(t *testing.T) {
			ctx := context.Background()
			w := local.New(t.TempDir())
			upload(t, w, "a", receipt.Accepted, t0)
			if _, err := Apply(ctx, w, act(tc.decide, "a", "lý do")); err != nil {
				t.Fatal(err)
			}
			upload(t, w, "b", receipt.Accepted, t0.Add(time.Hour)) // waits: shown submitted
			r := act(KindReopen, "", "mở lại")
			r.At = t0.Add(2 * time.Hour)
			if _, err := Apply(ctx, w, r); err != nil {
				t.Fatal(err)
			}
			h := history(t, w)
			if len(h) != 2 || h[1].Action != KindReopen || h[1].FromState != tc.want || h[1].ToState != Submitted {
				t.Fatalf("reopen recorded as %+v, want %s → submitted", h[len(h)-1], tc.want)
			}
		})
	}
}

// TestSeenDoubleSubmit: the same form sent twice (a double click) on the
// same page version: the second is the change already made, not another
// reviewer's, so it succeeds and writes nothing; the same code sending a
// different decision from that page is refused.
func TestSeenDoubleSubmit(t *testing.T) {
	ctx := context.Background()
	w := local.New(t.TempDir())
	upload(t, w, "a", receipt.Accepted, t0)
	a := act(KindReturn, "a", "Thôn 2 thiếu")
	a.Seen = SeenNever
	if _, err := Apply(ctx, w, a); err != nil {
		t.Fatal(err)
	}
	a.At = t0.Add(time.Second)
	if s, err := Apply(ctx, w, a); err != nil || s.State != Returned {
		t.Fatalf("the same return sent again: %+v, %v", s, err)
	}
	other := act(KindReturn, "a", "lý do khác")
	other.Seen, other.At = SeenNever, t0.Add(2*time.Second)
	if _, err := Apply(ctx, w, other); !errors.Is(err, ErrChanged) {
		t.Fatalf("another decision from the stale page: %v, want ErrChanged", err)
	}
	if h := history(t, w); len(h) != 1 {
		t.Fatalf("%d audit records, want 1", len(h))
	}
}
