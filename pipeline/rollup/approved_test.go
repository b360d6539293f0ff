package rollup_test

import (
	"context"
	"encoding/json"
	"errors"
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
			db := snapshot(t, dir, rollup.Options{Year: 2026, Province: prov, ApprovedOnly: c.approvedOnly})
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
			// B's only data was returned: no valid file, so not submitted
			// (review finding M1, session 7: rejected_only).
			wantInt(t, "submitted (a valid file)", p["submitted"], 3)
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
	db := snapshot(t, dir, rollup.Options{Year: 2026, Province: prov, ApprovedOnly: true})
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

// A commune that sent Biểu 01 and Biểu 02 as two uploads (CSV) and whose
// data set was approved as a whole: approved-only counts both forms; a
// newer Biểu 02 waits and the approved one still counts (numbers by hand).
func TestApprovedPerForm(t *testing.T) {
	dir := t.TempDir()
	st := local.New(dir)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 2, 0, 0, 0, time.UTC) }
	b01 := upload{year: 2026, commune: xaA, file: "b01.csv", at: day(10), hamlets: []hamlet{h(100, 80, true)}}.write(t, st)
	b02 := upload{year: 2026, commune: xaA, file: "b02.csv", at: day(11), b02: map[string]any{"don_vi_tong": int64(10), "don_vi_dat": int64(9)}}.write(t, st)
	set := review.Set{"bieu01": b01, "bieu02": b02}
	s := review.Status{Version: 1, Year: 2026, Province: prov, Commune: xaA, State: review.Approved, Submission: b01,
		Forms: set, ApprovedForms: set, At: time.Date(2026, 12, 20, 3, 0, 0, 0, time.UTC)}
	body, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(context.Background(), lake.ReviewKey(2026, prov, xaA), body, "application/json"); err != nil {
		t.Fatal(err)
	}
	// A newer Biểu 02 (20 units), not yet approved.
	upload{year: 2026, commune: xaA, file: "b02b.csv", at: day(12), b02: map[string]any{"don_vi_tong": int64(20), "don_vi_dat": int64(9)}}.write(t, st)
	for _, approvedOnly := range []bool{false, true} {
		db := snapshot(t, dir, rollup.Options{Year: 2026, Province: prov, ApprovedOnly: approvedOnly})
		a := row(t, db, "SELECT ho_tong, don_vi_tong FROM communes WHERE commune_code = ?", xaA)
		wantInt(t, "ho_tong from the approved Biểu 01 upload", a["ho_tong"], 100)
		wantInt(t, "don_vi_tong from the approved Biểu 02 upload", a["don_vi_tong"], 10)
		if r := row(t, db, "SELECT review_state, approved FROM completeness WHERE level = 'commune' AND deadline = '12-15' AND commune_code = ?", xaA); r["review_state"] != "submitted" {
			t.Errorf("approvedOnly=%v: review_state %v, want submitted (the new Biểu 02 waits)", approvedOnly, r["review_state"])
		}
		db.Close()
	}
}

// A damaged review status does not stop the build: that commune counts
// nothing (its state is unknown: it might be returned), the others count.
func TestUnreadableReviewCountsNothing(t *testing.T) {
	dir := t.TempDir()
	st := local.New(dir)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(10, 5, false)}}.write(t, st)
	upload{year: 2026, commune: xaB, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(20, 5, false)}}.write(t, st)
	if err := st.Put(context.Background(), lake.ReviewKey(2026, prov, xaB), []byte("{damaged"), "application/json"); err != nil {
		t.Fatal(err)
	}
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	db := views(t, dir)
	wantInt(t, "A", row(t, db, "SELECT ho_tong FROM communes WHERE commune_code = ?", xaA)["ho_tong"], 10)
	wantNull(t, "B (unreadable review)", row(t, db, "SELECT ho_tong FROM communes WHERE commune_code = ?", xaB)["ho_tong"])
}

// "Không thay đổi" (issue 15, M2): a re-upload whose data equals
// (data_sha256) the approved or returned submission's is that submission.
// Approved commune A re-sends the same data: it stays approved and its
// data counts in both modes. Returned commune B re-sends the returned
// file: it stays returned, the data does not count again. Commune C
// re-sends data the digests say differ: it waits as before. Numbers by hand.
func TestIdenticalReuploadIsTheSameSubmission(t *testing.T) {
	const xaC = "01849"
	dir := t.TempDir()
	st := local.New(dir)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 2, 0, 0, 0, time.UTC) }
	dg := func(x string) map[string]string { return map[string]string{"bieu01": x} }
	a1 := upload{year: 2026, commune: xaA, file: "a1.xlsx", at: day(10), hamlets: []hamlet{h(100, 50, true)}, digests: dg("da")}.write(t, st)
	upload{year: 2026, commune: xaA, file: "a1-lai.xlsx", at: day(12), hamlets: []hamlet{h(100, 50, true)}, digests: dg("da")}.write(t, st)
	putReview(t, st, 2026, xaA, review.Approved, a1, a1, "")
	b1 := upload{year: 2026, commune: xaB, file: "b1.xlsx", at: day(10), hamlets: []hamlet{h(10, 5, false)}, digests: dg("db")}.write(t, st)
	upload{year: 2026, commune: xaB, file: "b1-lai.xlsx", at: day(12), hamlets: []hamlet{h(10, 5, false)}, digests: dg("db")}.write(t, st)
	putReview(t, st, 2026, xaB, review.Returned, b1, "", "Số hộ thôn 1 sai")
	c1 := upload{year: 2026, commune: xaC, file: "c1.xlsx", at: day(10), hamlets: []hamlet{h(30, 5, false)}, digests: dg("dc")}.write(t, st)
	upload{year: 2026, commune: xaC, file: "c2.xlsx", at: day(12), hamlets: []hamlet{h(40, 5, false)}, digests: dg("dc2")}.write(t, st)
	putReview(t, st, 2026, xaC, review.Approved, c1, c1, "")

	for _, approvedOnly := range []bool{false, true} {
		db := snapshot(t, dir, rollup.Options{Year: 2026, Province: prov, ApprovedOnly: approvedOnly})
		wantInt(t, "A (approved, same data again)", row(t, db, "SELECT ho_tong FROM communes WHERE commune_code = ?", xaA)["ho_tong"], 100)
		wantNull(t, "B (returned file sent again)", row(t, db, "SELECT ho_tong FROM communes WHERE commune_code = ?", xaB)["ho_tong"])
		wantInt(t, "C (approved 30, new data 40 waits)", row(t, db, "SELECT ho_tong FROM communes WHERE commune_code = ?", xaC)["ho_tong"], 30)
		for code, state := range map[string]string{xaA: "approved", xaB: "returned", xaC: "submitted"} {
			if s := row(t, db, "SELECT review_state FROM completeness WHERE level = 'commune' AND deadline = '12-15' AND commune_code = ?", code)["review_state"]; s != state {
				t.Errorf("approvedOnly=%v: %s review_state = %v, want %s", approvedOnly, code, s, state)
			}
		}
		p := row(t, db, "SELECT approved, returned FROM completeness WHERE level = 'province' AND deadline = '12-15'")
		wantInt(t, "province approved (A, and C's approved data)", p["approved"], 2)
		wantInt(t, "province returned", p["returned"], 1)
		db.Close()
	}
}

// An approved-only build compares like with like: last year's province
// figures are those of the communes it counts this year, not of the whole
// province (review finding M3's remainder, session 8). Numbers by hand:
// 2025 A 40/100, C 90/100 (province 130/200 = 0.65); 2026 A 50/100
// approved, C 95/100 not reviewed.
func TestApprovedOnlyLastYearSameCommunes(t *testing.T) {
	const xaC = "01849"
	dir := t.TempDir()
	st := local.New(dir)
	upload{year: 2025, commune: xaA, at: ict("2025-11-10 09:00:00"), hamlets: []hamlet{h(100, 40, false)}}.write(t, st)
	upload{year: 2025, commune: xaC, at: ict("2025-11-10 09:00:00"), hamlets: []hamlet{h(100, 90, false)}}.write(t, st)
	a := upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 50, false)}}.write(t, st)
	upload{year: 2026, commune: xaC, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 95, false)}}.write(t, st)
	putReview(t, st, 2026, xaA, review.Approved, a, a, "")
	cases := []struct {
		name               string
		approvedOnly       bool
		rate, prev, change float64
		hoTong             int64
	}{
		{"live: the whole province both years", false, 0.725, 0.65, 0.075, 200},
		{"approved only: A alone both years", true, 0.5, 0.4, 0.1, 100},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := snapshot(t, dir, rollup.Options{Year: 2026, Province: prov, ApprovedOnly: c.approvedOnly})
			p := row(t, db, "SELECT ho_tong, ty_le_ho_dat, ty_le_ho_dat_nam_truoc, ty_le_ho_dat_thay_doi FROM provinces")
			wantInt(t, "province ho_tong", p["ho_tong"], c.hoTong)
			wantFloat(t, "province rate", p["ty_le_ho_dat"], c.rate)
			wantFloat(t, "province last year", p["ty_le_ho_dat_nam_truoc"], c.prev)
			wantFloat(t, "province change", p["ty_le_ho_dat_thay_doi"], c.change)
			// A commune keeps its own last year (its row compares with itself).
			wantFloat(t, "C last year", row(t, db, "SELECT ty_le_ho_dat_nam_truoc FROM communes WHERE commune_code = ?", xaC)["ty_le_ho_dat_nam_truoc"], 0.9)
		})
	}
}
