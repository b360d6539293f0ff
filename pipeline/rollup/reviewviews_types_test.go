package rollup_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
)

// TestReviewViewsTypes (review finding M7, session 7): the views' column
// types are those of docs/COLUMNS.md whatever the lake holds. DuckDB's
// hive partitioning used to type province_code and year from the object
// keys: BIGINT with only province 19, VARCHAR once '01' was there.
func TestReviewViewsTypes(t *testing.T) {
	want := map[string]string{
		"reviews.year": "INTEGER", "reviews.province_code": "VARCHAR", "reviews.commune_code": "VARCHAR",
		"audit.year": "INTEGER", "audit.province_code": "VARCHAR", "audit.commune_code": "VARCHAR",
	}
	cases := []struct {
		name      string
		provinces []string
	}{
		{"only province 19", []string{"19"}},
		{"provinces 01 and 19", []string{"01", "19"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := newRVLake(t)
			for i, p := range c.provinces {
				commune := fmt.Sprintf("%05d", i+1)
				id := "s-" + p
				rc := receipt.Receipt{SubmissionID: id, Status: receipt.Accepted, Year: rvYear, ProvinceCode: p, CommuneCode: commune,
					SourceKey: fmt.Sprintf("%d/%s/%s/%s.xlsx", rvYear, p, commune, id), ReceivedAt: rvT0, Forms: []string{"bieu01"}, Form: "bieu01"}
				b, err := rc.JSON()
				if err != nil {
					t.Fatal(err)
				}
				if err := l.st.Put(l.ctx, "receipts/"+lake.Partition(rvYear, p, commune)+"/"+id+".json", b, "application/json"); err != nil {
					t.Fatal(err)
				}
				by := review.Actor{Role: access.RoleProvince, Province: p, CodeID: "aaaaaaaaaaaa", Year: rvYear}
				if _, err := review.Apply(l.ctx, l.st, review.Action{Kind: review.KindReturn, Year: rvYear, Province: p, Commune: commune,
					Submission: id, Comment: "sai", By: by, At: rvT0.Add(time.Hour)}); err != nil {
					t.Fatal(err)
				}
			}
			db, err := rollup.OpenViews(l.ctx, l.dir)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, v := range []string{"reviews", "audit"} {
				var y, p, cc string
				var n int
				err := db.QueryRow(fmt.Sprintf(`SELECT typeof(year), typeof(province_code), typeof(commune_code), count(*)
FROM %s GROUP BY ALL`, v)).Scan(&y, &p, &cc, &n)
				if err != nil {
					t.Fatalf("%s: %v", v, err)
				}
				got := map[string]string{v + ".year": y, v + ".province_code": p, v + ".commune_code": cc}
				for k, g := range got {
					if g != want[k] {
						t.Errorf("%s is %s, want %s", k, g, want[k])
					}
				}
				if n != len(c.provinces) {
					t.Errorf("%s: %d rows, want %d", v, n, len(c.provinces))
				}
			}
			// A province code compares as text: '01' is not 1.
			var n int
			if err := db.QueryRow(`SELECT count(*) FROM reviews WHERE province_code = '19'`).Scan(&n); err != nil || n != 1 {
				t.Errorf("reviews of province '19': %d, %v", n, err)
			}
		})
	}
}
