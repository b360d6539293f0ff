package rolluptest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage"
)

// fileRow is the subset of the lake columns the check reads back.
type fileRow struct {
	SubmissionID    string    `parquet:"submission_id"`
	Form            string    `parquet:"form"`
	ProvinceCode    string    `parquet:"province_code"`
	CommuneCode     string    `parquet:"commune_code"`
	SourceKey       string    `parquet:"source_key"`
	SourceVersion   string    `parquet:"source_version"`
	ReceivedAt      time.Time `parquet:"received_at,timestamp(microsecond)"`
	HoTong          *int64    `parquet:"ho_tong,optional"`
	HoDat           *int64    `parquet:"ho_dat,optional"`
	DongHoTong      *int64    `parquet:"dong_ho_tong,optional"`
	CongDongDat     *bool     `parquet:"cong_dong_dat,optional"`
	LaoDongTong     *int64    `parquet:"lao_dong_tong,optional"`
	CongDanDat      *int64    `parquet:"cong_dan_dat,optional"`
	DonViTong       *int64    `parquet:"don_vi_tong,optional"`
	CanBoCongDanDat *int64    `parquet:"can_bo_cong_dan_dat,optional"`
}

// TestLakeMatchesExpected reads the generated objects back — Parquet with
// parquet-go, receipts as JSON — picks the winners again from what is
// stored, and checks the generator's expected totals and completeness
// against them, so a roll-up test failing points at the roll-up.
func TestLakeMatchesExpected(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store := Dir(dir)
	start := time.Now()
	l, err := Generate(ctx, store, Options{Year: 2026, Province: "19", Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("province 19, 2026: %d communes, %d Parquet files, %d receipts, %d rows, %d ties in %v",
		len(l.Communes), l.Parquet, l.Receipts, l.Rows, l.Ties, time.Since(start))

	// Receipts: status per commune.
	rcs, err := store.List(ctx, "receipts/")
	if err != nil {
		t.Fatal(err)
	}
	if len(rcs) != l.Receipts {
		t.Fatalf("%d receipts stored, generator says %d", len(rcs), l.Receipts)
	}
	uploads, accepted := map[string]int{}, map[string]int{}
	first := map[string]time.Time{}
	for _, o := range rcs {
		b, _, err := store.Get(ctx, o.Key, "")
		if err != nil {
			t.Fatal(err)
		}
		var rc receipt.Receipt
		if err := json.Unmarshal(b, &rc); err != nil {
			t.Fatalf("%s: %v", o.Key, err)
		}
		if !strings.Contains(o.Key, "/commune="+rc.CommuneCode+"/") || !strings.HasSuffix(o.Key, "/"+rc.SubmissionID+".json") {
			t.Errorf("%s: receipt of %s / %s", o.Key, rc.CommuneCode, rc.SubmissionID)
		}
		uploads[rc.CommuneCode]++
		switch rc.Status {
		case receipt.Accepted:
			accepted[rc.CommuneCode]++
			if f, ok := first[rc.CommuneCode]; !ok || rc.ReceivedAt.Before(f) {
				first[rc.CommuneCode] = rc.ReceivedAt
			}
			if _, _, err := store.Get(ctx, rc.Output, ""); err != nil {
				t.Errorf("%s: accepted, output: %v", o.Key, err)
			}
		case receipt.Rejected:
			if len(rc.Errors) == 0 || rc.Errors[0].Message == "" || rc.Output != "" {
				t.Errorf("%s: rejected receipt without its error, or with an output", o.Key)
			}
		default:
			t.Errorf("%s: status %q", o.Key, rc.Status)
		}
	}
	due := time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)
	var want Completeness
	for code, o := range l.Communes {
		if o.Uploads != uploads[code] || o.Accepted != accepted[code] || !o.FirstAccepted.Equal(first[code]) {
			t.Errorf("commune %s: outcome %+v, stored %d uploads, %d accepted, first %v", code, o, uploads[code], accepted[code], first[code])
		}
		want.Expected++
		switch {
		case uploads[code] == 0:
			want.Missing++
		case accepted[code] == 0:
			want.RejectedOnly++
		case first[code].Before(due):
			want.Submitted++
			want.OnTime++
		default:
			want.Submitted++
			want.Late++
		}
	}
	if got := l.Completeness("19", due); got != want || got.Missing == 0 || got.RejectedOnly == 0 || got.Late == 0 {
		t.Errorf("completeness %+v, from receipts %+v (each kind should occur)", got, want)
	}

	// Parquet: the latest accepted file per commune and form, by
	// (received_at, source_key, source_version), from the rows themselves.
	pqs, err := store.List(ctx, "submissions/")
	if err != nil {
		t.Fatal(err)
	}
	if len(pqs) != l.Parquet {
		t.Fatalf("%d Parquet files stored, generator says %d", len(pqs), l.Parquet)
	}
	type cand struct {
		at       time.Time
		key, ver string
		rows     []fileRow
	}
	best := map[[2]string]*cand{}
	for _, o := range pqs {
		rows := readRows(t, store, o.Key)
		byForm := map[string][]fileRow{}
		for _, r := range rows {
			byForm[r.Form] = append(byForm[r.Form], r)
		}
		for form, rs := range byForm {
			c := &cand{rs[0].ReceivedAt, rs[0].SourceKey, rs[0].SourceVersion, rs}
			k := [2]string{rs[0].CommuneCode, form}
			if b := best[k]; b == nil || cmp.Or(c.at.Compare(b.at), cmp.Compare(c.key, b.key), cmp.Compare(c.ver, b.ver)) > 0 {
				best[k] = c
			}
		}
	}
	var hoTong, hoDat, hoDatNull, dongHo, thonDat, ld, cdd, dv, cb, thon int64
	var pairTong, pairDat, pairRows, pairLeft int64 // households over the rows with both
	for k, c := range best {
		if l.Communes[k[0]].Winner[k[1]] != c.rows[0].SubmissionID {
			t.Errorf("commune %s form %s: winner %s, generator says %s", k[0], k[1], c.rows[0].SubmissionID, l.Communes[k[0]].Winner[k[1]])
		}
		for _, r := range c.rows {
			if k[1] == "bieu01" {
				thon++
			}
			hoTong += deref(r.HoTong)
			hoDat += deref(r.HoDat)
			if k[1] == "bieu01" && r.HoDat == nil {
				hoDatNull++
			}
			if k[1] == "bieu01" {
				if r.HoDat != nil && r.HoTong != nil {
					pairTong, pairDat, pairRows = pairTong+*r.HoTong, pairDat+*r.HoDat, pairRows+1
				} else {
					pairLeft++
				}
			}
			dongHo += deref(r.DongHoTong)
			if r.CongDongDat != nil && *r.CongDongDat {
				thonDat++
			}
			ld += deref(r.LaoDongTong)
			cdd += deref(r.CongDanDat)
			dv += deref(r.DonViTong)
			cb += deref(r.CanBoCongDanDat)
		}
	}
	p := l.Provinces["19"]
	cols := p.Columns(l.Forms)
	for name, got := range map[string]int64{"ho_tong": hoTong, "ho_dat": hoDat, "ho_dat_null_rows": hoDatNull, "dong_ho_tong": dongHo,
		"thon_dat": thonDat, "lao_dong_tong": ld, "cong_dan_dat": cdd, "don_vi_tong": dv, "can_bo_cong_dan_dat": cb, "thon_tong": thon} {
		if cols[name] != got {
			t.Errorf("%s: from the files %d, expected %v", name, got, cols[name])
		}
	}
	if r := cols["ty_le_ho_dat"].(float64); r != float64(pairDat)/float64(pairTong) {
		t.Errorf("ty_le_ho_dat %v, want %d / %d over the rows that reported both", r, pairDat, pairTong)
	}
	if pairLeft == 0 || cols["ty_le_ho_dat_so_dong_bo_qua"] != pairLeft || cols["ty_le_ho_dat_so_dong"] != pairRows {
		t.Errorf("ty_le_ho_dat rows %v, left out %v; from the files %d, %d (some must be left out)",
			cols["ty_le_ho_dat_so_dong"], cols["ty_le_ho_dat_so_dong_bo_qua"], pairRows, pairLeft)
	}
	for _, c := range RequiredColumns {
		if _, ok := cols[c]; !ok {
			t.Errorf("Columns has no %s", c)
		}
	}
	if l.Ties == 0 {
		t.Error("no received_at ties generated")
	}
	if !maps.Equal(l.Nation.Sums, p.Sums) {
		t.Error("one province: nation differs from the province")
	}
	for _, f := range []string{"ho_dat", "ho_dang_ky", "dong_ho_tong", "don_vi_dang_ky", "cong_dong_dang_ky"} {
		if p.NullRows[f] == 0 {
			t.Errorf("no null %s", f)
		}
	}
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func readRows(t *testing.T, store storage.Store, key string) []fileRow {
	t.Helper()
	b, _, err := store.Get(context.Background(), key, "")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	r := parquet.NewGenericReader[fileRow](f)
	defer r.Close()
	rows := make([]fileRow, f.NumRows())
	n, err := r.Read(rows)
	if err != nil && err != io.EOF {
		t.Fatalf("%s: %v", key, err)
	}
	return rows[:n]
}

// TestDeterministic: the same options give the same objects, byte for byte.
func TestDeterministic(t *testing.T) {
	ctx := context.Background()
	sum := func(seed uint64) string {
		dir := t.TempDir()
		store := Dir(dir)
		if _, err := Generate(ctx, store, Options{Year: 2024, Province: "48", MinHamlets: 3, MaxHamlets: 6, Seed: seed, Workers: 3}); err != nil {
			t.Fatal(err)
		}
		objs, err := store.List(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		for _, o := range slices.SortedFunc(slices.Values(objs), func(a, b storage.Object) int { return cmp.Compare(a.Key, b.Key) }) {
			fmt.Fprintf(h, "%s %s\n", o.Key, o.ETag)
		}
		return fmt.Sprintf("%x", h.Sum(nil))
	}
	if a, b := sum(1), sum(1); a != b {
		t.Errorf("seed 1 twice: %s, %s", a, b)
	}
	if a, b := sum(1), sum(2); a == b {
		t.Error("seeds 1 and 2 give the same lake")
	}
}
