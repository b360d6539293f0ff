package rollup_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// putReview writes a review status as h-review's Apply leaves it (the
// roll-up only reads it).
func putReview(t *testing.T, st storage.Store, year int, commune string, state review.State, sub, approved, comment string) {
	t.Helper()
	s := review.Status{Version: 1, Year: year, Province: prov, Commune: commune, State: state, Submission: sub,
		ApprovedSubmission: approved, Comment: comment, At: time.Date(2026, 12, 20, 3, 0, 0, 0, time.UTC)}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(context.Background(), lake.ReviewKey(year, prov, commune), b, "application/json"); err != nil {
		t.Fatal(err)
	}
}

// Four communes, one per review case, counted in live and approved-only
// mode (numbers by hand: each upload's single hamlet has ho_tong as given).
func TestReviewDecidesWhatCounts(t *testing.T) {
	const xaC, xaD = "01849", "01864"
	dir := t.TempDir()
	st := local.New(dir)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 2, 0, 0, 0, time.UTC) }
	// A: approved A1 (100), then a newer upload A2 (200) not yet approved.
	a1 := upload{year: 2026, commune: xaA, file: "a1.xlsx", at: day(10), hamlets: []hamlet{h(100, 50, true)}}.write(t, st)
	upload{year: 2026, commune: xaA, file: "a2.xlsx", at: day(12), hamlets: []hamlet{h(200, 50, true)}}.write(t, st)
	putReview(t, st, 2026, xaA, review.Approved, a1, a1, "")
	// B: its only upload (10) returned.
	b1 := upload{year: 2026, commune: xaB, file: "b1.xlsx", at: day(10), hamlets: []hamlet{h(10, 5, false)}}.write(t, st)
	putReview(t, st, 2026, xaB, review.Returned, b1, "", "Số hộ thôn 1 sai")
	// C: one upload (50), never reviewed.
	upload{year: 2026, commune: xaC, file: "c1.xlsx", at: day(10), hamlets: []hamlet{h(50, 5, false)}}.write(t, st)
	// D: D1 (30) returned, then D2 (40) uploaded, awaiting review.
	d1 := upload{year: 2026, commune: xaD, file: "d1.xlsx", at: day(10), hamlets: []hamlet{h(30, 5, false)}}.write(t, st)
	upload{year: 2026, commune: xaD, file: "d2.xlsx", at: day(11), hamlets: []hamlet{h(40, 5, false)}}.write(t, st)
	putReview(t, st, 2026, xaD, review.Returned, d1, "", "Thiếu thôn")

	type want struct {
		hoTong   map[string]any // commune → ho_tong (nil: nothing counted)
		province int64
	}
	cases := []struct {
		name         string
		approvedOnly bool
		want         want
	}{
		{"live", false, want{map[string]any{xaA: int64(100), xaB: nil, xaC: int64(50), xaD: int64(40)}, 190}},
		{"approved only", true, want{map[string]any{xaA: int64(100), xaB: nil, xaC: nil, xaD: nil}, 100}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "snap")
			build(t, dir, rollup.Options{Year: 2026, Province: prov, OutDir: out, ApprovedOnly: c.approvedOnly})
			db, err := rollup.OpenSnapshot(context.Background(), out)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for code, w := range c.want.hoTong {
				got := row(t, db, "SELECT ho_tong FROM communes WHERE commune_code = ?", code)["ho_tong"]
				if w == nil {
					wantNull(t, code+" ho_tong", got)
				} else {
					wantInt(t, code+" ho_tong", got, w.(int64))
				}
			}
			wantInt(t, "province ho_tong", row(t, db, "SELECT ho_tong FROM provinces")["ho_tong"], c.want.province)
			// Completeness is about uploads and reviews, the same in both modes.
			p := row(t, db, "SELECT approved, returned, submitted FROM completeness WHERE level = 'province' AND deadline = '12-15'")
			wantInt(t, "approved", p["approved"], 1)
			wantInt(t, "returned", p["returned"], 1)
			wantInt(t, "submitted (uploads accepted)", p["submitted"], 4)
			for code, state := range map[string]any{xaA: "submitted", xaB: "returned", xaC: "submitted", xaD: "submitted", "01879": nil} {
				r := row(t, db, "SELECT review_state, approved FROM completeness WHERE level = 'commune' AND deadline = '12-15' AND commune_code = ?", code)
				if r["review_state"] != state {
					t.Errorf("%s review_state = %v, want %v", code, r["review_state"], state)
				}
				wantInt(t, code+" approved", r["approved"], map[bool]int64{true: 1, false: 0}[code == xaA])
			}
		})
	}

	// Approving A2 makes it count in both modes.
	a2 := row(t, views(t, dir), "SELECT submission_id FROM submissions WHERE source_key LIKE '%a2.xlsx'")["submission_id"].(string)
	putReview(t, st, 2026, xaA, review.Approved, a2, a2, "")
	out := filepath.Join(t.TempDir(), "snap")
	build(t, dir, rollup.Options{Year: 2026, Province: prov, OutDir: out, ApprovedOnly: true})
	db, err := rollup.OpenSnapshot(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wantInt(t, "A after approving A2", row(t, db, "SELECT ho_tong FROM communes WHERE commune_code = ?", xaA)["ho_tong"], 200)
	if s := row(t, db, "SELECT review_state FROM completeness WHERE level = 'commune' AND deadline = '12-15' AND commune_code = ?", xaA)["review_state"]; s != "approved" {
		t.Errorf("A review_state = %v, want approved", s)
	}
}

// The committed (live) roll-up follows the review rule too: a returned
// file leaves the board's and the views' figures.
func TestCommittedRollupDropsReturnedFile(t *testing.T) {
	dir := t.TempDir()
	st := local.New(dir)
	b1 := upload{year: 2026, commune: xaB, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(10, 5, false)}}.write(t, st)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	wantInt(t, "before the return", row(t, views(t, dir), "SELECT ho_tong FROM communes WHERE commune_code = ?", xaB)["ho_tong"], 10)
	putReview(t, st, 2026, xaB, review.Returned, b1, "", "Sai")
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	db := views(t, dir)
	wantNull(t, "after the return", row(t, db, "SELECT ho_tong FROM communes WHERE commune_code = ?", xaB)["ho_tong"])
	// The submissions view agrees: an analyst filtering on counted never
	// exports the returned file.
	if c := row(t, db, "SELECT counted FROM submissions WHERE submission_id = ?", b1)["counted"]; c != false {
		t.Errorf("the returned file is counted = %v in the submissions view", c)
	}
	wantInt(t, "province returned", row(t, db, "SELECT returned FROM completeness WHERE level = 'province' AND deadline = '12-15'")["returned"], 1)
	wantNull(t, "nation approved", row(t, db, "SELECT approved FROM completeness WHERE level = 'nation' AND deadline = '12-15'")["approved"])
}

func TestApprovedOnlyIsASnapshot(t *testing.T) {
	_, err := rollup.Build(context.Background(), rollup.Options{Lake: local.New(t.TempDir()), Year: 2026, Province: prov, ApprovedOnly: true, Log: quiet})
	if err == nil {
		t.Fatal("an approved-only build without OutDir was accepted: it would replace the live roll-up")
	}
	if errors.Is(err, rollup.ErrNoLakeWriter) {
		t.Fatalf("wrong error: %v", err)
	}
}
