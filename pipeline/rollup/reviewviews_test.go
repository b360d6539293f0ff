package rollup_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

const rvYear, rvProv = 2026, "19"

var (
	rvT0 = time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	rvBy = review.Actor{Role: access.RoleProvince, Province: rvProv, CodeID: "aaaaaaaaaaaa", Year: rvYear}
)

// rvLake is a local lake with helpers writing what ingest and review write.
type rvLake struct {
	t   *testing.T
	ctx context.Context
	dir string
	st  *local.Store
	n   int // uploads so far: each is received one minute after the one before
}

func newRVLake(t *testing.T) *rvLake {
	dir := t.TempDir()
	return &rvLake{t: t, ctx: context.Background(), dir: dir, st: local.New(dir)}
}

// up writes the accepted receipt of an upload carrying forms (none: a
// receipt that names no form).
func (l *rvLake) up(commune, id string, forms ...string) {
	l.t.Helper()
	l.n++
	rc := receipt.Receipt{SubmissionID: id, Status: receipt.Accepted, Year: rvYear, ProvinceCode: rvProv, CommuneCode: commune,
		SourceKey: fmt.Sprintf("%d/%s/%s/%s.xlsx", rvYear, rvProv, commune, id), ReceivedAt: rvT0.Add(time.Duration(l.n) * time.Minute), Forms: forms}
	if len(forms) > 0 {
		rc.Form = forms[0]
	}
	b, err := rc.JSON()
	if err != nil {
		l.t.Fatal(err)
	}
	if err := l.st.Put(l.ctx, "receipts/"+lake.Partition(rvYear, rvProv, commune)+"/"+id+".json", b, "application/json"); err != nil {
		l.t.Fatal(err)
	}
}

// act applies a review action; ErrStale and ErrBadAction (an action the
// state does not allow) are returned, anything else fails the test.
func (l *rvLake) act(commune, kind, sub, comment string) error {
	l.t.Helper()
	l.n++
	a := review.Action{Kind: kind, Year: rvYear, Province: rvProv, Commune: commune, Submission: sub, Comment: comment, By: rvBy,
		At: rvT0.Add(time.Duration(l.n) * time.Minute)}
	if kind == review.KindCheck {
		a.FlagID = "rate_change/ty_le_ho_dat/-"
	}
	_, err := review.Apply(l.ctx, l.st, a)
	if err != nil && !errors.Is(err, review.ErrStale) && !errors.Is(err, review.ErrBadAction) {
		l.t.Fatalf("%s %s %s: %v", commune, kind, sub, err)
	}
	return err
}

func (l *rvLake) mustAct(commune, kind, sub, comment string) {
	l.t.Helper()
	if err := l.act(commune, kind, sub, comment); err != nil {
		l.t.Fatalf("%s %s %s: %v", commune, kind, sub, err)
	}
}

// viewRow is one row of the reviews view.
type viewRow struct {
	form, stored, shown, sub, approved, latest, live, comment, role, codeID sql.NullString
	checks                                                                  int
}

// checkReviewsView compares the reviews view with review.Effective, commune
// by commune and form by form, for every status of the lake; it returns
// the communes' shown states.
func checkReviewsView(t *testing.T, l *rvLake) map[string]string {
	t.Helper()
	db, err := rollup.OpenViews(l.ctx, l.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(l.ctx, `SELECT commune_code, form, stored_state, shown_state, submission, approved_submission, latest_accepted,
  counted_live, comment, by_role, by_code_id, checked_flags FROM reviews ORDER BY commune_code, form`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	view := map[string][]viewRow{}
	for rows.Next() {
		var c string
		var r viewRow
		if err := rows.Scan(&c, &r.form, &r.stored, &r.shown, &r.sub, &r.approved, &r.latest, &r.live, &r.comment, &r.role, &r.codeID, &r.checks); err != nil {
			t.Fatal(err)
		}
		view[c] = append(view[c], r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	statuses, err := review.ForProvince(l.ctx, l.st, rvYear, rvProv)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := slices.Sorted(maps.Keys(view)), slices.Sorted(maps.Keys(statuses)); !slices.Equal(got, want) {
		t.Errorf("reviews has communes %v, want the reviewed ones %v", got, want)
	}
	shownOf := map[string]string{}
	for c, s := range statuses {
		cur, err := review.CurrentAccepted(l.ctx, l.st, rvYear, rvProv, c)
		if err != nil {
			t.Fatal(err)
		}
		shown, live := review.Effective(s, cur, false)
		_, appr := review.Effective(s, cur, true)
		shownOf[c] = string(shown)
		gotLive, gotAppr, gotLatest := review.Set{}, review.Set{}, review.Set{}
		seen := map[string]bool{}
		for _, r := range view[c] {
			if seen[r.form.String] {
				t.Errorf("%s: form %q twice", c, r.form.String)
			}
			seen[r.form.String] = true
			if r.shown.String != string(shown) || r.stored.String != string(s.State) || r.comment.String != s.Comment ||
				r.role.String != string(rvBy.Role) || r.codeID.String != rvBy.CodeID || r.checks != len(s.Checks) {
				t.Errorf("%s form %q: view (stored %s, shown %s, comment %q, %s %s, %d checks), want (%s, %s, %q, province %s, %d)", c, r.form.String,
					r.stored.String, r.shown.String, r.comment.String, r.role.String, r.codeID.String, r.checks, s.State, shown, s.Comment, rvBy.CodeID, len(s.Checks))
			}
			if r.live.Valid {
				gotLive[r.form.String] = r.live.String
			}
			if r.approved.Valid {
				gotAppr[r.form.String] = r.approved.String // approved data is what an approved-only report counts
			}
			if r.latest.Valid {
				gotLatest[r.form.String] = r.latest.String
			}
		}
		if !maps.Equal(gotLive, live) || !maps.Equal(gotAppr, appr) {
			t.Errorf("%s (status %s %v approved %v, current %v): view counts live %v approved-only %v; review.Effective %v %v",
				c, s.State, s.Forms, s.ApprovedForms, cur, gotLive, gotAppr, live, appr)
		}
		if _, whole := cur[""]; !whole && !maps.Equal(gotLatest, cur) {
			t.Errorf("%s: latest_accepted %v, review.CurrentAccepted %v", c, gotLatest, cur)
		}
	}
	return shownOf
}

const f1, f2 = "bieu01", "bieu02"

// TestReviewViews: the reviews view gives, per (commune, form), what
// review.Effective gives, on histories where a commune's data is two
// uploads (a CSV per form): the rule is written twice, in Go and in SQL.
func TestReviewViews(t *testing.T) {
	l := newRVLake(t)
	// Two CSVs (form 01 then form 02), approved naming the first: the
	// newest upload is not the one the action named.
	l.up("00001", "a1", f1)
	l.up("00001", "b1", f2)
	l.mustAct("00001", review.KindApprove, "a1", "")
	// Approved, then form 01 uploaded again: waits, approved data counts.
	l.up("00002", "a2", f1)
	l.up("00002", "b2", f2)
	l.mustAct("00002", review.KindApprove, "b2", "")
	l.up("00002", "c2", f1)
	// Returned naming the first of two CSVs.
	l.up("00003", "a3", f1)
	l.up("00003", "b3", f2)
	l.mustAct("00003", review.KindReturn, "a3", "sai biểu 01")
	// Returned, then form 02 uploaded again.
	l.up("00004", "a4", f1)
	l.up("00004", "b4", f2)
	l.mustAct("00004", review.KindReturn, "b4", "sai")
	l.up("00004", "c4", f2)
	// Approved, then reopened.
	l.up("00005", "a5", f1)
	l.up("00005", "b5", f2)
	l.mustAct("00005", review.KindApprove, "b5", "")
	l.mustAct("00005", review.KindReopen, "", "mở lại")
	// Approved, form 01 uploaded again and returned: form 02's approval
	// is withdrawn (it is what was returned), form 01's old one stays.
	l.up("00006", "a6", f1)
	l.up("00006", "b6", f2)
	l.mustAct("00006", review.KindApprove, "a6", "")
	l.up("00006", "c6", f1)
	l.mustAct("00006", review.KindReturn, "c6", "sai")
	// One Excel file with both forms, approved, then a CSV of form 02.
	l.up("00007", "a7", f1, f2)
	l.mustAct("00007", review.KindApprove, "a7", "")
	l.up("00007", "b7", f2)
	// A check only.
	l.up("00008", "a8", f1, f2)
	l.mustAct("00008", review.KindCheck, "", "đã gọi")
	// A receipt naming no form, approved, then a CSV of form 01.
	l.up("00009", "a9")
	l.mustAct("00009", review.KindApprove, "a9", "")
	l.up("00009", "b9", f1)
	// Approved and returned again after a new upload of both forms.
	l.up("00010", "a10", f1, f2)
	l.mustAct("00010", review.KindApprove, "a10", "")
	l.up("00010", "b10", f1, f2)
	l.mustAct("00010", review.KindReturn, "b10", "sai")
	l.up("00010", "c10", f1)
	// A status written before the per-form fix (no forms): its
	// submissions stand for every form.
	l.up("00011", "a11", f1)
	l.up("00011", "b11", f2)
	old := fmt.Sprintf(`{"version":1,"year":%d,"province":%q,"commune":"00011","state":"approved","submission":"b11","approved_submission":"b11",
"by":{"role":"province","province":%q,"code_id":%q},"at":"2026-11-20T05:00:00Z"}`, rvYear, rvProv, rvProv, rvBy.CodeID)
	if err := l.st.Put(l.ctx, lake.ReviewKey(rvYear, rvProv, "00011"), []byte(old), "application/json"); err != nil {
		t.Fatal(err)
	}

	shown := checkReviewsView(t, l)
	// The states themselves, written out (not taken from review.Effective).
	want := map[string]string{"00001": "approved", "00002": "submitted", "00003": "returned", "00004": "submitted", "00005": "submitted",
		"00006": "returned", "00007": "submitted", "00008": "submitted", "00009": "submitted", "00010": "submitted", "00011": "submitted"}
	if !maps.Equal(shown, want) {
		t.Errorf("shown states %v, want %v", shown, want)
	}

	db, err := rollup.OpenViews(l.ctx, l.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Per form, written out: what counts for 00006 (form 01: the old
	// approval a6; form 02: nothing, its approval was returned).
	got := map[string]string{}
	rs, err := db.Query(`SELECT form, coalesce(counted_live, '-') || '/' || coalesce(approved_submission, '-') FROM reviews WHERE commune_code = '00006'`)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var f, v string
		if err := rs.Scan(&f, &v); err != nil {
			t.Fatal(err)
		}
		got[f] = v
	}
	rs.Close()
	if want := map[string]string{f1: "a6/a6", f2: "-/-"}; !maps.Equal(got, want) {
		t.Errorf("00006 counted (live/approved-only) per form %v, want %v", got, want)
	}
	for v, cols := range map[string][]string{"reviews": rollup.ReviewsViewColumns, "audit": rollup.AuditViewColumns} {
		if got := columnsOf(t, db, v); !slices.Equal(got, cols) {
			t.Errorf("%s columns %v, want %v", v, got, cols)
		}
	}
	var records, reopens int
	if err := db.QueryRow(`SELECT count(*), count(*) FILTER (action = 'reopen' AND from_state = 'approved' AND to_state = 'submitted' AND comment = 'mở lại') FROM audit`).Scan(&records, &reopens); err != nil {
		t.Fatal(err)
	}
	if records != 13 || reopens != 1 {
		t.Errorf("audit: %d records (want 13), %d reopen rows (want 1)", records, reopens)
	}
}

// TestReviewViewsRandom: random histories of uploads (one form, the other,
// both, none named) and actions; after each round, the view agrees with
// review.Effective on every commune.
func TestReviewViewsRandom(t *testing.T) {
	l := newRVLake(t)
	rng := rand.New(rand.NewPCG(15, 2026))
	formsOf := [][]string{{f1}, {f2}, {f1, f2}, {f1}, {f2}, nil}
	const communes = 40
	ids := 0
	for round := range 3 {
		for i := range communes {
			c := fmt.Sprintf("%05d", 100+i)
			for range 1 + rng.IntN(3) {
				cur, err := review.CurrentAccepted(l.ctx, l.st, rvYear, rvProv, c)
				if err != nil {
					t.Fatal(err)
				}
				pick := func() string {
					if ids := cur.IDs(); len(ids) > 0 {
						return ids[rng.IntN(len(ids))]
					}
					return "none"
				}
				switch k := rng.IntN(10); {
				case k < 4 || len(cur) == 0:
					ids++
					fs := formsOf[rng.IntN(len(formsOf))]
					if i%7 != 0 && fs == nil {
						fs = []string{f1, f2} // uploads naming no form are rare: a few communes only
					}
					l.up(c, fmt.Sprintf("s%d", ids), fs...)
				case k < 6:
					l.act(c, review.KindApprove, pick(), "")
				case k < 8:
					l.act(c, review.KindReturn, pick(), []string{"sai", "thiếu thôn"}[rng.IntN(2)])
				case k < 9:
					l.act(c, review.KindReopen, "", "mở lại")
				default:
					l.act(c, review.KindCheck, pick(), "đã gọi")
				}
			}
		}
		t.Run(fmt.Sprint("round", round), func(t *testing.T) {
			shown := checkReviewsView(t, l)
			n := map[string]int{}
			for _, s := range shown {
				n[s]++
			}
			t.Logf("round %d: %d reviewed communes, shown %v", round, len(shown), n)
		})
	}
}

// TestReviewViewsEmpty: a lake without reviews still has both views, empty,
// with their documented columns.
func TestReviewViewsEmpty(t *testing.T) {
	db, err := rollup.OpenViews(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for v, cols := range map[string][]string{"reviews": rollup.ReviewsViewColumns, "audit": rollup.AuditViewColumns} {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM " + v).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d rows, %v", v, n, err)
		}
		if got := columnsOf(t, db, v); !slices.Equal(got, cols) {
			t.Errorf("%s columns %v, want %v", v, got, cols)
		}
	}
}

func columnsOf(t *testing.T, db *sql.DB, view string) []string {
	t.Helper()
	rs, err := db.Query("SELECT column_name FROM (DESCRIBE " + view + ")")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var c string
		if err := rs.Scan(&c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// faultyStore is the local store with a hook run before each PutIf: it
// stands for the moment a Lambda dies or loses a race between the status
// write and the audit record write, which a real store cannot be made to
// do at an exact point. A hook error is returned as the PutIf's, and
// nothing is written.
type faultyStore struct {
	*local.Store
	hook func(ctx context.Context, key string) error
}

func (f *faultyStore) PutIf(ctx context.Context, key string, body []byte, contentType, ifMatch string) error {
	if f.hook != nil {
		if err := f.hook(ctx, key); err != nil {
			return err
		}
	}
	return f.Store.PutIf(ctx, key, body, contentType, ifMatch)
}

// auditRow is one row of the audit view.
type auditRow struct {
	action, from, to, comment, key string
	recorded                       bool
}

func auditOf(t *testing.T, l *rvLake, commune string) []auditRow {
	t.Helper()
	db, err := rollup.OpenViews(l.ctx, l.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs, err := db.Query(`SELECT action, coalesce(from_state, ''), to_state, coalesce(comment, ''), "key", recorded FROM audit WHERE commune_code = ? ORDER BY "at"`, commune)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []auditRow
	for rs.Next() {
		var r auditRow
		if err := rs.Scan(&r.action, &r.from, &r.to, &r.comment, &r.key, &r.recorded); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// auditObjects lists a commune's audit record objects.
func auditObjects(t *testing.T, l *rvLake, commune string) []string {
	t.Helper()
	objs, err := l.st.List(l.ctx, lake.AuditCommunePrefix(rvYear, rvProv, commune))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		out = append(out, o.Key)
	}
	return out
}

// checkAuditChain: the rows are the changes that took effect, in order:
// each starts from the state the one before left (the first from
// "submitted": these communes upload before any action, and no upload
// comes between their actions), the last leaves the commune's current state,
// and they are exactly review.History's records.
func checkAuditChain(t *testing.T, l *rvLake, commune string, rows []auditRow) {
	t.Helper()
	prev := "submitted"
	for i, r := range rows {
		if r.from != prev {
			t.Errorf("audit row %d (%s) from %q, but the change before left %q: a change that did not take effect is shown, or one is missing", i, r.action, r.from, prev)
		}
		prev = r.to
	}
	s, _, err := review.Get(l.ctx, l.st, rvYear, rvProv, commune)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := review.CurrentAccepted(l.ctx, l.st, rvYear, rvProv, commune)
	if err != nil {
		t.Fatal(err)
	}
	if shown, _ := review.Effective(s, cur, false); prev != string(shown) {
		t.Errorf("the last audit row leaves %q, the commune shows %q", prev, shown)
	}
	h, err := review.History(l.ctx, l.st, rvYear, rvProv, commune)
	if err != nil {
		t.Fatal(err)
	}
	var hk, vk []string
	for _, r := range h {
		hk = append(hk, r.Key)
	}
	for _, r := range rows {
		vk = append(vk, r.key)
	}
	if !slices.Equal(hk, vk) {
		t.Errorf("audit view keys %v, review.History %v", vk, hk)
	}
}

// TestAuditViewCrash: review.Apply writes the status (compare-and-swap)
// first and the change's audit record second. The audit view shows exactly
// the changes that took effect, at once, whatever fails between the two
// writes, and never rewrites or deletes a record.
func TestAuditViewCrash(t *testing.T) {
	errCrash := errors.New("the Lambda died here")
	isAudit := func(key string) bool { return strings.HasPrefix(key, lake.AuditPrefix) }
	isStatus := func(key string) bool { return strings.HasPrefix(key, lake.ReviewsPrefix) }

	t.Run("status written, crash before its record", func(t *testing.T) {
		l := newRVLake(t)
		l.up("00001", "a1", f1, f2)
		l.mustAct("00001", review.KindApprove, "a1", "")
		fs := &faultyStore{Store: l.st, hook: func(_ context.Context, key string) error {
			if isAudit(key) {
				return errCrash
			}
			return nil
		}}
		_, err := review.Apply(l.ctx, fs, review.Action{Kind: review.KindReturn, Year: rvYear, Province: rvProv, Commune: "00001",
			Submission: "a1", Comment: "sai", By: rvBy, At: rvT0.Add(time.Hour)})
		if !errors.Is(err, errCrash) {
			t.Fatalf("Apply: %v, want the crash", err)
		}
		if n := len(auditObjects(t, l, "00001")); n != 1 {
			t.Fatalf("%d audit objects, want 1 (the return's record is not written)", n)
		}
		rows := auditOf(t, l, "00001")
		if len(rows) != 2 || rows[1].action != "return" || rows[1].to != "returned" || rows[1].comment != "sai" || rows[1].recorded || !rows[0].recorded {
			t.Fatalf("audit view after the crash %+v, want the approve (recorded) and the return (not yet recorded)", rows)
		}
		checkAuditChain(t, l, "00001", rows)
		pending := rows[1].key

		// The next action writes the missing record, under the key the
		// view showed, before its own change.
		l.mustAct("00001", review.KindReopen, "", "mở lại")
		rows = auditOf(t, l, "00001")
		if len(rows) != 3 || rows[1].key != pending || !rows[0].recorded || !rows[1].recorded || !rows[2].recorded || rows[2].action != "reopen" {
			t.Fatalf("audit view after the next action %+v, want approve, return (key %s), reopen, all recorded", rows, pending)
		}
		checkAuditChain(t, l, "00001", rows)
		if n := len(auditObjects(t, l, "00001")); n != 3 {
			t.Errorf("%d audit objects, want 3", n)
		}
	})

	t.Run("status write fails, no record", func(t *testing.T) {
		l := newRVLake(t)
		l.up("00002", "a2", f1)
		l.up("00002", "b2", f2)
		l.mustAct("00002", review.KindApprove, "b2", "")
		before := auditObjects(t, l, "00002")
		for _, fail := range []error{errCrash, fmt.Errorf("every round lost: %w", storage.ErrPrecondition)} {
			fs := &faultyStore{Store: l.st, hook: func(_ context.Context, key string) error {
				if isStatus(key) {
					return fail
				}
				return nil
			}}
			_, err := review.Apply(l.ctx, fs, review.Action{Kind: review.KindReturn, Year: rvYear, Province: rvProv, Commune: "00002",
				Submission: "a2", Comment: "sai", By: rvBy, At: rvT0.Add(time.Hour)})
			if err == nil {
				t.Fatalf("Apply succeeded with the status write failing (%v)", fail)
			}
		}
		if after := auditObjects(t, l, "00002"); !slices.Equal(after, before) {
			t.Errorf("audit objects %v after failed status writes, want %v", after, before)
		}
		rows := auditOf(t, l, "00002")
		if len(rows) != 1 || rows[0].action != "approve" || !rows[0].recorded {
			t.Errorf("audit view %+v, want only the approve", rows)
		}
		checkAuditChain(t, l, "00002", rows)
	})

	t.Run("lost race: re-validated, only what took effect", func(t *testing.T) {
		l := newRVLake(t)
		l.up("00003", "a3", f1, f2)
		raced := false
		fs := &faultyStore{Store: l.st}
		fs.hook = func(ctx context.Context, key string) error {
			if isStatus(key) && !raced {
				raced = true // another reviewer returns the file between our read and our write
				l.mustAct("00003", review.KindReturn, "a3", "thiếu thôn")
			}
			return nil
		}
		if _, err := review.Apply(l.ctx, fs, review.Action{Kind: review.KindApprove, Year: rvYear, Province: rvProv, Commune: "00003",
			Submission: "a3", By: rvBy, At: rvT0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		rows := auditOf(t, l, "00003")
		if len(rows) != 2 || rows[0].action != "return" || rows[1].action != "approve" || rows[1].from != "returned" {
			t.Fatalf("audit view %+v, want the racing return then our approve, re-validated from returned", rows)
		}
		checkAuditChain(t, l, "00003", rows)
		if n := len(auditObjects(t, l, "00003")); n != 2 {
			t.Errorf("%d audit objects, want 2", n)
		}
	})
}

// TestReviewViewsDocumented: docs/COLUMNS.md documents exactly the views'
// columns, in order (the views' own columns are checked against the same
// lists in TestReviewViewsEmpty and TestReviewViews).
func TestReviewViewsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/COLUMNS.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	_, sec, ok := strings.Cut(doc, "## Province review: query views `reviews` and `audit`")
	if !ok {
		t.Fatal("docs/COLUMNS.md has no section on the views reviews and audit")
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	// tableAfter: the backticked names in the first cells of the table
	// following the paragraph that starts with intro.
	tableAfter := func(intro string) []string {
		i := strings.Index(sec, "\n"+intro)
		if i < 0 {
			t.Fatalf("no paragraph %q", intro)
		}
		var names []string
		inTable := false
		for _, line := range strings.Split(sec[i+1:], "\n") {
			if !strings.HasPrefix(line, "|") {
				if inTable {
					break
				}
				continue
			}
			inTable = true
			cells := strings.Split(line, "|")
			for _, part := range strings.Split(cells[1], ",") {
				if n := strings.Trim(strings.TrimSpace(part), "`"); strings.HasPrefix(strings.TrimSpace(part), "`") {
					names = append(names, n)
				}
			}
		}
		return names
	}
	if got := tableAfter("`reviews`:"); !slices.Equal(got, rollup.ReviewsViewColumns) {
		t.Errorf("docs/COLUMNS.md documents reviews columns %v, the view has %v", got, rollup.ReviewsViewColumns)
	}
	if got := tableAfter("`audit`:"); !slices.Equal(got, rollup.AuditViewColumns) {
		t.Errorf("docs/COLUMNS.md documents audit columns %v, the view has %v", got, rollup.AuditViewColumns)
	}
}
