package rollup_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
)

// TestReviewViewsReviewerSlot (finding L5): the views show the reviewer's
// slot of records that carry it (by_reviewer) and NULL for records
// written before slots were recorded.
func TestReviewViewsReviewerSlot(t *testing.T) {
	l := newRVLake(t)
	l.up("00001", "a1", f1, f2)
	l.mustAct("00001", review.KindReturn, "a1", "sai") // rvBy: no slot (an older record)
	l.up("00002", "a2", f1, f2)
	slot := rvBy
	slot.Reviewer, slot.CodeID = "02", "bbbbbbbbbbbb"
	if _, err := review.Apply(l.ctx, l.st, review.Action{Kind: review.KindApprove, Year: rvYear, Province: rvProv, Commune: "00002",
		Submission: "a2", By: slot, At: rvT0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	db, err := rollup.OpenViews(l.ctx, l.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`SELECT commune_code, by_reviewer FROM audit ORDER BY commune_code`,
		`SELECT DISTINCT commune_code, by_reviewer FROM reviews ORDER BY commune_code`,
	} {
		rs, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]sql.NullString{}
		for rs.Next() {
			var c string
			var r sql.NullString
			if err := rs.Scan(&c, &r); err != nil {
				t.Fatal(err)
			}
			got[c] = r
		}
		rs.Close()
		if len(got) != 2 || got["00001"].Valid || got["00002"].String != "02" {
			t.Errorf("%s: %v, want 00001 NULL and 00002 02", q, got)
		}
	}
}
