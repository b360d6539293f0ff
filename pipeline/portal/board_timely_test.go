package portal_test

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
)

// TestBoardOnTimeAfterReturn (review finding M1, session 7): a returned
// file never makes a commune on time, on either tab, each judged against
// its own cut-off (province 19: 1/12 and 5/12). The reviewer's 01843: an
// upload of 20/11 (before both), returned, a re-upload of 07/12 (after
// both): late on both tabs, on the page and in the CSV.
func TestBoardOnTimeAfterReturn(t *testing.T) {
	e := newEnv(t)
	at := func(d int) time.Time { return time.Date(2026, 11, d, 2, 0, 0, 0, time.UTC) }
	h := []map[string]any{{"ho_tong": int64(100), "ho_dang_ky": int64(50), "ho_dat": int64(50)}}
	up := func(commune, file string, when time.Time) string {
		id, err := rolluptest.Upload{Year: year, Commune: commune, File: file, At: when, Hamlets: h}.Write(ctx(), e.lake)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	by := review.Actor{Role: access.RoleProvince, Province: provinceTN, CodeID: "c0de", Year: year}
	ret := func(commune, sub string) {
		if _, err := review.Apply(ctx(), e.lake, review.Action{Kind: review.KindReturn, Year: year, Province: provinceTN, Commune: commune,
			Submission: sub, Comment: "Sai số hộ", By: by, At: at(25)}); err != nil {
			t.Fatal(err)
		}
	}
	// B (01840): 20/11, returned, 07/12. A (05443): 20/11 only, never reviewed.
	ret(communeB, up(communeB, "v1.xlsx", at(20)))
	up(communeB, "v2.xlsx", time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC))
	up(communeA, "v1.xlsx", at(20))

	p := e.client()
	p.signInProvince(provinceTN)
	for _, tab := range []string{"12-01", "12-15"} {
		st := boardStatus(t, p.get("/tinh?han="+tab).body)
		if st[communeB] != "late" || st[communeA] != "ontime" {
			t.Errorf("tab %s: B %q (want late: its valid file came 07/12), A %q (want ontime)", tab, st[communeB], st[communeA])
		}
		c := p.get("/tinh/bang.csv?han=" + tab)
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c.raw, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs[1:] {
			if rec[0] == communeB && rec[2] != "late" {
				t.Errorf("CSV %s: B %q, want late", tab, rec[2])
			}
		}
	}
	// Returned with nothing since: shown returned, never on time.
	e2 := newEnv(t)
	id, err := rolluptest.Upload{Year: year, Commune: communeB, File: "v1.xlsx", At: at(20), Hamlets: h}.Write(ctx(), e2.lake)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := review.Apply(ctx(), e2.lake, review.Action{Kind: review.KindReturn, Year: year, Province: provinceTN, Commune: communeB,
		Submission: id, Comment: "Sai", By: by, At: at(25)}); err != nil {
		t.Fatal(err)
	}
	p2 := e2.client()
	p2.signInProvince(provinceTN)
	if st := boardStatus(t, p2.get("/tinh?han=12-15").body); st[communeB] != "returned" {
		t.Errorf("returned, nothing since: %q", st[communeB])
	}
}
