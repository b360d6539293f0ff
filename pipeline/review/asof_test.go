package review

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// TestAtCutoff (re-check findings N-1, N-2, session 8): the review state of
// the data set at a report's cut-off is what the province decided about
// that data, whatever it decided later about files received after the
// cut-off. "a" (both forms, or "a1"/"a2" one form each) came before the
// cut-off; "b", "c" after it. Every action is applied by Apply to the
// commune's latest upload at that moment; want is worked out by hand from
// the rules in asof.go.
func TestAtCutoff(t *testing.T) {
	type step struct {
		up   string // upload this submission (both forms; "id:form" one form) …
		kind string // … or act on the latest upload
	}
	up := func(id string) step { return step{up: id} }
	do := func(kind string) step { return step{kind: kind} }
	cases := []struct {
		name         string
		steps        []step
		shown        State
		live, apprv  string // counted per form, live and approved-only ("a" for both forms; "" nothing)
		readsHistory bool   // the case needs the audit records
	}{
		// N-1: 01882 of the re-check.
		{"approved, later file approved", []step{up("a"), do(KindApprove), up("b"), do(KindApprove)}, Approved, "a", "a", true},
		// N-2: the later file returned: "Đã duyệt", not "a new file waits".
		{"approved, later file returned", []step{up("a"), do(KindApprove), up("b"), do(KindReturn)}, Approved, "a", "a", true},
		{"approved, later file returned, reopened, approved", []step{up("a"), do(KindApprove), up("b"), do(KindReturn),
			do(KindReopen), do(KindApprove)}, Approved, "a", "a", true},
		{"approved, later file approved then reopened", []step{up("a"), do(KindApprove), up("b"), do(KindApprove),
			do(KindReopen)}, Approved, "a", "a", true},
		{"approved, later file returned twice", []step{up("a"), do(KindApprove), up("b"), do(KindReturn), up("c"),
			do(KindReturn)}, Approved, "a", "a", true},
		// A reopen of the cut-off data's approval cancels it, even when a
		// later file was already there.
		{"approved, reopened after a later upload", []step{up("a"), do(KindApprove), up("b"), do(KindReopen)}, Submitted, "a", "", true},
		{"approved, reopened, later file approved", []step{up("a"), do(KindApprove), do(KindReopen), up("b"),
			do(KindApprove)}, Submitted, "a", "", true},
		// A return of the cut-off data stands whatever came after.
		{"returned, later file approved", []step{up("a"), do(KindReturn), up("b"), do(KindApprove)}, Returned, "", "", true},
		{"approved, returned, later file approved", []step{up("a"), do(KindApprove), do(KindReturn), up("b"),
			do(KindApprove)}, Returned, "", "", true},
		// … unless it was reopened.
		{"returned, reopened after a later upload", []step{up("a"), do(KindReturn), up("b"), do(KindReopen)}, Submitted, "a", "", true},
		// Decisions only about later files: the cut-off data awaits review.
		{"only a later file approved", []step{up("a"), up("b"), do(KindApprove)}, Submitted, "a", "", true},
		// No decision about a later file: the status is used as it is.
		{"approved, later upload not reviewed", []step{up("a"), do(KindApprove), up("b")}, Approved, "a", "a", false},
		// Per form: a later CSV replaces Biểu 01 only; approving the new
		// set approves Biểu 02's earlier file; Biểu 01's earlier file keeps
		// its earlier approval.
		{"one form replaced later, new set approved", []step{up("a"), do(KindApprove), up("b:bieu01"), do(KindApprove)}, Approved, "a", "a", true},
		{"one form replaced later, new set returned", []step{up("a"), do(KindApprove), up("b:bieu01"), do(KindReturn)}, Returned, "", "", true},
	}
	cut := t0.Add(10 * time.Hour)
	before := func(id string) bool { return strings.HasPrefix(id, "a") }
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			w := local.New(t.TempDir())
			at := t0
			latest := ""
			for i, s := range c.steps {
				if s.up != "" {
					if before(s.up) {
						at = t0.Add(time.Duration(i+1) * time.Minute)
					} else if at.Before(cut) {
						at = cut.Add(time.Hour)
					}
					id, form, _ := strings.Cut(s.up, ":")
					if form == "" {
						uploadForms(t, w, id, at, "bieu01", "bieu02")
					} else {
						uploadForms(t, w, id, at, form)
					}
					latest = id
					continue
				}
				at = at.Add(time.Minute)
				a := act(s.kind, latest, "lý do")
				a.At = at
				if s.kind == KindApprove {
					a.Comment = ""
				}
				if _, err := Apply(ctx, w, a); err != nil {
					t.Fatalf("step %d %s: %v", i, s.kind, err)
				}
			}
			st, _, err := Get(ctx, w, year, prov, comm)
			if err != nil {
				t.Fatal(err)
			}
			ups, err := Uploads(ctx, w, year, prov, comm)
			if err != nil {
				t.Fatal(err)
			}
			var inputs []Upload
			for _, u := range ups {
				if before(u.SubmissionID) {
					inputs = append(inputs, u)
				}
			}
			l := Current(inputs)
			if c.readsHistory != st.actedOnLater(before) {
				t.Errorf("reads the audit records: %v, want %v", !c.readsHistory, c.readsHistory)
			}
			s, err := AtCutoff(ctx, w, st, before)
			if err != nil {
				t.Fatal(err)
			}
			shown, live := Effective(s, l, false)
			_, apprv := Effective(s, l, true)
			if shown != c.shown {
				t.Errorf("shown %q, want %q", shown, c.shown)
			}
			want := func(id string) Set {
				if id == "" {
					return Set{}
				}
				return Set{"bieu01": id, "bieu02": id}
			}
			if !live.Equal(want(c.live)) || !apprv.Equal(want(c.apprv)) {
				t.Errorf("counted %v, approved-only %v; want %v, %v", live, apprv, want(c.live), want(c.apprv))
			}
			// The timeliness of the cut-off data set reads the same state:
			// a valid file unless its data was returned.
			if _, ok := TimelyFrom(s, inputs); ok != (c.live != "") {
				t.Errorf("TimelyFrom ok %v, want %v", ok, c.live != "")
			}
		})
	}
}

// An unreadable audit record: AtCutoff says so and returns the status
// unchanged (the roll-up then applies it as it is).
func TestAtCutoffUnreadableHistory(t *testing.T) {
	ctx := context.Background()
	w := local.New(t.TempDir())
	uploadForms(t, w, "a", t0, "bieu01", "bieu02")
	if _, err := Apply(ctx, w, act(KindApprove, "a", "")); err != nil {
		t.Fatal(err)
	}
	uploadForms(t, w, "b", t0.Add(24*time.Hour), "bieu01", "bieu02")
	a := act(KindApprove, "b", "")
	a.At = t0.Add(25 * time.Hour)
	st, err := Apply(ctx, w, a)
	if err != nil {
		t.Fatal(err)
	}
	bad := lake.AuditKey(year, prov, comm, t0.Add(time.Minute), "ffffffff")
	if err := w.Put(ctx, bad, []byte("{hỏng"), "application/json"); err != nil {
		t.Fatal(err)
	}
	got, err := AtCutoff(ctx, w, st, func(id string) bool { return id == "a" })
	if err == nil {
		t.Fatal("no error for a damaged audit record")
	}
	if g, _ := json.Marshal(got); string(g) != string(must(json.Marshal(st))) {
		t.Errorf("status changed on error: %s", g)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// uploadForms writes the receipt of an accepted upload carrying forms.
func uploadForms(t *testing.T, w *local.Store, id string, at time.Time, forms ...string) {
	t.Helper()
	rc := receipt.Receipt{SubmissionID: id, Status: receipt.Accepted, Form: forms[0], Forms: forms, Year: year, ProvinceCode: prov, CommuneCode: comm,
		SourceKey: "2026/19/05500/" + id + ".xlsx", ReceivedAt: at}
	body, err := rc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Put(context.Background(), lake.ReceiptKey(lake.Key{Year: year, Province: prov, Commune: comm}, id), body, "application/json"); err != nil {
		t.Fatal(err)
	}
}
