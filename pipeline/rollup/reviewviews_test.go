package rollup_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// TestReviewViews: the views reviews and audit read what pipeline/review
// writes, and reviews.shown_state agrees with review.Effective for every
// kind of history (the rule is written twice, in Go and in SQL).
func TestReviewViews(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := local.New(dir)
	const year, prov = 2026, "19"
	t0 := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	by := review.Actor{Role: access.RoleProvince, Province: prov, CodeID: "aaaaaaaaaaaa"}
	up := func(commune, id string, at time.Time) {
		rc := receipt.Receipt{SubmissionID: id, Status: receipt.Accepted, Year: year, ProvinceCode: prov, CommuneCode: commune,
			SourceKey: fmt.Sprintf("%d/%s/%s/%s.xlsx", year, prov, commune, id), ReceivedAt: at}
		b, _ := rc.JSON()
		if err := st.Put(ctx, "receipts/"+lake.Partition(year, prov, commune)+"/"+id+".json", b, "application/json"); err != nil {
			t.Fatal(err)
		}
	}
	act := func(commune, kind, sub, comment string) {
		a := review.Action{Kind: kind, Year: year, Province: prov, Commune: commune, Submission: sub, Comment: comment, By: by, At: t0.Add(time.Hour)}
		if kind == review.KindCheck {
			a.FlagID = "rate_change/ty_le_ho_dat/-"
		}
		if _, err := review.Apply(ctx, st, a); err != nil {
			t.Fatalf("%s %s: %v", commune, kind, err)
		}
	}
	// One commune per history.
	up("00001", "a1", t0)
	act("00001", review.KindApprove, "a1", "") // approved, latest
	up("00002", "a2", t0)
	act("00002", review.KindApprove, "a2", "")
	up("00002", "b2", t0.Add(2*time.Hour)) // approved, newer upload waits
	up("00003", "a3", t0)
	act("00003", review.KindReturn, "a3", "sai") // returned, latest
	up("00004", "a4", t0)
	act("00004", review.KindReturn, "a4", "sai")
	up("00004", "b4", t0.Add(2*time.Hour)) // returned, newer upload
	up("00005", "a5", t0)
	act("00005", review.KindApprove, "a5", "")
	act("00005", review.KindReopen, "", "mở lại") // reopened
	up("00006", "a6", t0)
	act("00006", review.KindCheck, "", "đã gọi") // a check only

	db, err := rollup.OpenViews(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT commune_code, stored_state, shown_state, latest_accepted, coalesce(comment, ''), by_role, by_code_id, checked_flags FROM reviews ORDER BY commune_code`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var c, stored, latest, comment, role, codeID string
		var shown sql.NullString
		var checks int
		if err := rows.Scan(&c, &stored, &shown, &latest, &comment, &role, &codeID, &checks); err != nil {
			t.Fatal(err)
		}
		n++
		s, _, err := review.Get(ctx, st, year, prov, c)
		if err != nil {
			t.Fatal(err)
		}
		wantLatest, _ := review.LatestAccepted(ctx, st, year, prov, c)
		want, _ := review.Effective(s, wantLatest, false)
		if shown.String != string(want) || latest != wantLatest || stored != string(s.State) || comment != s.Comment ||
			role != "province" || codeID != by.CodeID || checks != len(s.Checks) {
			t.Errorf("%s: view (%s, %s, %s, %q, %s, %d), want (%s, %s, %s, %q, province, %d)", c, stored, shown.String, latest, comment, role, checks,
				s.State, want, wantLatest, s.Comment, len(s.Checks))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Fatalf("reviews has %d rows, want 6", n)
	}
	var records, reopens int
	if err := db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (action = 'reopen' AND from_state = 'approved' AND to_state = 'submitted' AND comment = 'mở lại') FROM audit`).Scan(&records, &reopens); err != nil {
		t.Fatal(err)
	}
	if records != 7 || reopens != 1 {
		t.Errorf("audit: %d records (want 7), %d reopen rows (want 1)", records, reopens)
	}
}

// TestReviewViewsEmpty: a lake without reviews still has both views, empty.
func TestReviewViewsEmpty(t *testing.T) {
	db, err := rollup.OpenViews(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, v := range []string{"reviews", "audit"} {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM " + v).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d rows, %v", v, n, err)
		}
	}
}
