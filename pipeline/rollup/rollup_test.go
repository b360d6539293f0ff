package rollup_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
	"github.com/xhht/xhht/pipeline/targets"
)

// Hand-made lakes: each test writes exactly the submissions it reasons
// about, in the format ingest writes (same Parquet columns, same keys,
// receipts as JSON), and checks the roll-up against numbers worked out by
// hand in the test.

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// hamlet is one Biểu 01 row; nil values are blank cells.
type hamlet map[string]any

// upload is one upload to write: accepted (rows) or rejected (receipt only).
type upload struct {
	year     int
	commune  string
	file     string // key file name; default bao-cao.xlsx
	version  string
	at       time.Time
	hamlets  []hamlet
	b02      map[string]any    // nil: no Biểu 02
	rejected string            // first error message; non-empty = rejected
	digests  map[string]string // receipt's data_sha256
	forms    []string          // receipt's forms (nil: none)
}

func (u upload) write(t testing.TB, lake storage.Store) string {
	t.Helper()
	hs := make([]map[string]any, len(u.hamlets))
	for i, h := range u.hamlets {
		hs[i] = h
	}
	id, err := rolluptest.Upload{Year: u.year, Commune: u.commune, File: u.file, Version: u.version, At: u.at,
		Hamlets: hs, Bieu02: u.b02, Rejected: u.rejected, DataSHA256: u.digests, Forms: u.forms}.Write(context.Background(), lake)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// h builds a hamlet with households (tong, dat) and the CĐHT flag.
func h(tong, dat int64, cdht bool) hamlet {
	return hamlet{"ho_tong": tong, "ho_dang_ky": dat, "ho_dat": dat, "cong_dong_dang_ky": cdht, "cong_dong_dat": cdht,
		"lao_dong_tong": tong * 2, "cong_dan_dat": dat}
}

func ict(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05 -0700", s+" +0700")
	if err != nil {
		panic(err)
	}
	return t
}

func build(t *testing.T, dir string, o rollup.Options) *rollup.Result {
	t.Helper()
	o.Lake = local.New(dir)
	o.Log = quiet
	res, err := rollup.Build(context.Background(), o)
	if err != nil {
		t.Fatalf("Build(%d, %q): %v", o.Year, o.Province, err)
	}
	return res
}

// snapshot builds o as a snapshot (OutDir) in a new temporary directory
// and opens it.
func snapshot(t *testing.T, dir string, o rollup.Options) *sql.DB {
	t.Helper()
	o.OutDir = filepath.Join(t.TempDir(), "snap")
	build(t, dir, o)
	db, err := rollup.OpenSnapshot(context.Background(), o.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func views(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := rollup.OpenViews(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// row reads one row of a query as column → value.
func row(t *testing.T, db *sql.DB, q string, args ...any) map[string]any {
	t.Helper()
	rows := all(t, db, q, args...)
	if len(rows) != 1 {
		t.Fatalf("%s: %d rows, want 1", q, len(rows))
	}
	return rows[0]
}

func all(t *testing.T, db *sql.DB, q string, args ...any) []map[string]any {
	t.Helper()
	rs, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out []map[string]any
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		for i, c := range cols {
			m[c] = vals[i]
		}
		out = append(out, m)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func wantInt(t *testing.T, what string, got any, want int64) {
	t.Helper()
	g, ok := got.(int64)
	if !ok || g != want {
		t.Errorf("%s = %v (%T), want %d", what, got, got, want)
	}
}

func wantFloat(t *testing.T, what string, got any, want float64) {
	t.Helper()
	g, ok := got.(float64)
	if !ok || math.Abs(g-want) > 1e-12 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func wantNull(t *testing.T, what string, got any) {
	t.Helper()
	if got != nil {
		t.Errorf("%s = %v, want NULL", what, got)
	}
}

// Province 19 (Thái Nguyên) in the 2026 register; two of its communes.
const (
	prov = "19"
	xaA  = "01840"
	xaB  = "01843"
)

func TestLatestAcceptedWinsWhateverTheOrder(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	// Written newest first: file order, write order and key order all
	// disagree with received_at, which alone decides.
	newer := upload{year: 2026, commune: xaA, file: "a-lan-2.xlsx", at: ict("2026-11-20 09:00:00"), hamlets: []hamlet{h(100, 80, true)}}.write(t, lake)
	upload{year: 2026, commune: xaA, file: "z-lan-1.xlsx", at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(999, 1, false)}}.write(t, lake)
	// A rejected upload after both never counts.
	upload{year: 2026, commune: xaA, file: "lan-3.xlsx", at: ict("2026-11-21 09:00:00"), rejected: "Ô D12 sai"}.write(t, lake)
	// Same received_at: the larger key wins, then the larger version.
	upload{year: 2026, commune: xaB, file: "a.xlsx", at: ict("2026-11-15 10:00:00"), hamlets: []hamlet{h(10, 1, false)}}.write(t, lake)
	tieWin := upload{year: 2026, commune: xaB, file: "b.xlsx", version: "v1", at: ict("2026-11-15 10:00:00"), hamlets: []hamlet{h(20, 2, false)}}.write(t, lake)
	upload{year: 2026, commune: xaB, file: "b.xlsx", version: "v0", at: ict("2026-11-15 10:00:00"), hamlets: []hamlet{h(30, 3, false)}}.write(t, lake)

	res := build(t, dir, rollup.Options{Year: 2026, Province: prov})
	if res.Inputs != 2 {
		t.Errorf("Inputs = %d, want 2 (one submission per commune)", res.Inputs)
	}
	db := views(t, dir)
	a := row(t, db, "SELECT * FROM communes WHERE commune_code = ?", xaA)
	wantInt(t, "A ho_tong", a["ho_tong"], 100)
	if a["submission_id_bieu01"] != newer {
		t.Errorf("A counted %v, want the newer upload %s", a["submission_id_bieu01"], newer)
	}
	b := row(t, db, "SELECT * FROM communes WHERE commune_code = ?", xaB)
	wantInt(t, "B ho_tong (tie: key b.xlsx, version v1)", b["ho_tong"], 20)
	if b["submission_id_bieu01"] != tieWin {
		t.Errorf("B counted %v, want %s", b["submission_id_bieu01"], tieWin)
	}
	// The submissions view marks the same rows as counted.
	c := row(t, db, "SELECT count(*) FILTER (WHERE counted) AS n, count(*) AS total FROM submissions")
	wantInt(t, "counted rows", c["n"], 2)
	wantInt(t, "all rows", c["total"], 5)
}

func TestFormsPickedSeparately(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	// Biểu 01 first, Biểu 02 later in a second upload: both count.
	upload{year: 2026, commune: xaA, file: "b01.xlsx", at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 80, true)}}.write(t, lake)
	upload{year: 2026, commune: xaA, file: "b02.xlsx", at: ict("2026-11-12 09:00:00"), b02: map[string]any{"don_vi_tong": int64(10), "don_vi_dat": int64(9)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	a := row(t, views(t, dir), "SELECT * FROM communes WHERE commune_code = ?", xaA)
	wantInt(t, "ho_tong from the Biểu 01 upload", a["ho_tong"], 100)
	wantInt(t, "don_vi_tong from the Biểu 02 upload", a["don_vi_tong"], 10)
	wantFloat(t, "ty_le_don_vi_dat", a["ty_le_don_vi_dat"], 0.9)
}

func TestRatesRecomputedNotAveraged(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(10, 1, true), h(10, 0, false)}}.write(t, lake)
	upload{year: 2026, commune: xaB, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 90, false)},
		b02: map[string]any{"don_vi_tong": int64(0), "don_vi_dat": int64(0)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	db := views(t, dir)
	p := row(t, db, "SELECT * FROM provinces WHERE province_code = ?", prov)
	wantInt(t, "ho_tong", p["ho_tong"], 120)
	wantInt(t, "ho_dat", p["ho_dat"], 91)
	// (1/20 + 90/100) / 2 = 0.475 would be the average of rates.
	wantFloat(t, "ty_le_ho_dat", p["ty_le_ho_dat"], 91.0/120)
	wantInt(t, "thon_tong", p["thon_tong"], 3)
	wantInt(t, "thon_dat", p["thon_dat"], 1)
	wantFloat(t, "ty_le_thon_dat", p["ty_le_thon_dat"], 1.0/3)
	// Units: 0 of 0 is no rate, not 0 %.
	wantInt(t, "don_vi_tong", p["don_vi_tong"], 0)
	wantNull(t, "ty_le_don_vi_dat (0/0)", p["ty_le_don_vi_dat"])
	// Staff: never reported anywhere: unknown sums and no rate.
	wantNull(t, "can_bo_tong", p["can_bo_tong"])
	wantNull(t, "ty_le_can_bo_dat", p["ty_le_can_bo_dat"])
	wantInt(t, "so_xa", p["so_xa"], 92)
	wantInt(t, "so_xa_bieu01", p["so_xa_bieu01"], 2)
	wantInt(t, "so_xa_bieu02", p["so_xa_bieu02"], 1)
	n := row(t, db, "SELECT * FROM nation")
	wantFloat(t, "nation ty_le_ho_dat", n["ty_le_ho_dat"], 91.0/120)
	// A commune that sent nothing has no figures, not zeros.
	m := row(t, db, "SELECT * FROM communes WHERE commune_code = '01849'")
	wantNull(t, "missing commune ho_tong", m["ho_tong"])
	wantNull(t, "missing commune rate", m["ty_le_ho_dat"])
}

func TestNullRowsCounted(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	blank := h(50, 40, true)
	blank["ho_dat"] = nil
	blank["cong_dong_dat"] = nil
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(10, 5, true), blank}}.write(t, lake)
	blank2 := h(5, 5, false)
	blank2["ho_dat"] = nil
	upload{year: 2026, commune: xaB, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{blank2}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	db := views(t, dir)
	a := row(t, db, "SELECT * FROM communes WHERE commune_code = ?", xaA)
	wantInt(t, "A ho_dat (blank skipped)", a["ho_dat"], 5)
	wantInt(t, "A ho_dat_null_rows", a["ho_dat_null_rows"], 1)
	wantInt(t, "A cong_dong_dat_null_rows", a["cong_dong_dat_null_rows"], 1)
	wantInt(t, "A ho_tong_null_rows", a["ho_tong_null_rows"], 0)
	b := row(t, db, "SELECT * FROM communes WHERE commune_code = ?", xaB)
	wantNull(t, "B ho_dat (every row blank)", b["ho_dat"])
	wantNull(t, "B rate", b["ty_le_ho_dat"])
	p := row(t, db, "SELECT * FROM provinces")
	wantInt(t, "province ho_dat_null_rows", p["ho_dat_null_rows"], 2)
	wantInt(t, "province ho_dat", p["ho_dat"], 5)
	n := row(t, db, "SELECT * FROM nation")
	wantInt(t, "nation ho_dat_null_rows", n["ho_dat_null_rows"], 2)
}

func TestHierarchyFollowsTheRegisterOfTheYear(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	// 2024: 05440 and 05443 are two communes of district 164 (province 19).
	upload{year: 2024, commune: "05440", at: ict("2024-11-10 09:00:00"), hamlets: []hamlet{h(10, 7, true)}}.write(t, lake)
	upload{year: 2024, commune: "05443", at: ict("2024-11-10 09:00:00"), hamlets: []hamlet{h(30, 3, false)}}.write(t, lake)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(10, 7, true)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2024, Province: prov})
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	db := views(t, dir)
	d := row(t, db, "SELECT * FROM districts WHERE year = 2024 AND district_code = '164'")
	wantInt(t, "district 164 ho_tong", d["ho_tong"], 40)
	wantFloat(t, "district 164 rate", d["ty_le_ho_dat"], 10.0/40)
	if n := row(t, db, "SELECT count(*) AS n FROM districts WHERE year = 2026")["n"]; n != int64(0) {
		t.Errorf("2026 has %v district rows, want none (no districts after the reform)", n)
	}
	c := row(t, db, "SELECT district_code FROM communes WHERE year = 2026 AND commune_code = ?", xaA)
	wantNull(t, "2026 commune district_code", c["district_code"])
	k := row(t, db, "SELECT count(*) AS n FROM completeness WHERE year = 2024 AND level = 'district'")
	if k["n"].(int64) == 0 {
		t.Error("2024 completeness has no district rows")
	}
}

func TestTargetsMostSpecificAndDifficult(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 85, true)}}.write(t, lake)
	upload{year: 2026, commune: xaB, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 85, true)}}.write(t, lake)
	upload{year: 2026, commune: "01849", at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 65, true)}}.write(t, lake)
	const head = "scope,registry,unit_code,unit_name,indicator,target_year,from_year,difficult,percent,source,note\n"
	tg, err := targets.LoadFS(fstest.MapFS{
		targets.TargetsFile: {Data: []byte(head +
			"national,,,VN,ty_le_ho_dat,2030,2021,,80,QĐ N,\n" +
			"province,2025,19,TN,ty_le_ho_dat,2027,2025,,84,KH tỉnh,\n" +
			"province,2025,19,TN,ty_le_ho_dat,2027,2025,yes,60,KH tỉnh,\n" +
			"commune,2025,01843,B,ty_le_ho_dat,2026,2025,,90,NQ xã,\n")},
		targets.DifficultFile: {Data: []byte("registry,commune_code,commune_name,source,note\n2025,01849,C,QĐ x,\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	build(t, dir, rollup.Options{Year: 2026, Province: prov, Targets: tg})
	db := views(t, dir)
	cases := []struct {
		commune string
		target  float64
		source  string
		met     bool
	}{
		{xaA, 0.84, "KH tỉnh (mục tiêu 2027)", true},                    // province beats national; nearest year ≥ 2026
		{xaB, 0.90, "NQ xã (mục tiêu 2026)", false},                     // commune beats province
		{"01849", 0.60, "KH tỉnh (mục tiêu 2027, vùng khó khăn)", true}, // difficult area lowers it
	}
	for _, c := range cases {
		r := row(t, db, "SELECT * FROM communes WHERE commune_code = ?", c.commune)
		wantFloat(t, c.commune+" chi_tieu_ho_dat", r["chi_tieu_ho_dat"], c.target)
		if r["nguon_chi_tieu_ho_dat"] != c.source {
			t.Errorf("%s source = %v, want %q", c.commune, r["nguon_chi_tieu_ho_dat"], c.source)
		}
		if r["dat_chi_tieu_ho_dat"] != c.met {
			t.Errorf("%s đạt = %v, want %v", c.commune, r["dat_chi_tieu_ho_dat"], c.met)
		}
		// No target for clans anywhere: null, and no verdict.
		wantNull(t, c.commune+" chi_tieu_dong_ho_dat", r["chi_tieu_dong_ho_dat"])
		wantNull(t, c.commune+" dat_chi_tieu_dong_ho_dat", r["dat_chi_tieu_dong_ho_dat"])
	}
	p := row(t, db, "SELECT * FROM provinces")
	wantFloat(t, "province target", p["chi_tieu_ho_dat"], 0.84)
	if p["dat_chi_tieu_ho_dat"] != false { // 235/300 = 78.3 % < 84 %
		t.Errorf("province đạt = %v, want false", p["dat_chi_tieu_ho_dat"])
	}
	n := row(t, db, "SELECT * FROM nation")
	wantFloat(t, "nation target", n["chi_tieu_ho_dat"], 0.80)
}

func TestCompletenessAndTimeliness(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	// Thái Nguyên's 12-15 due date is 5 December (schemas/deadlines
	// example row): before 00:00 ICT on 5 December = 17:00 UTC on the 4th.
	upload{year: 2026, commune: xaA, at: ict("2026-12-04 23:59:59"), hamlets: []hamlet{h(1, 1, true)}}.write(t, lake)      // on time
	upload{year: 2026, commune: xaB, at: ict("2026-12-05 00:00:00"), hamlets: []hamlet{h(1, 1, true)}}.write(t, lake)      // at the cut-off: late
	upload{year: 2026, commune: "01849", at: ict("2026-11-01 08:00:00"), rejected: "Ô C12: trùng tên thôn"}.write(t, lake) // rejected only
	// Rejected first, accepted late: late, not rejected-only.
	upload{year: 2026, commune: "01864", file: "1.xlsx", at: ict("2026-11-01 08:00:00"), rejected: "sai"}.write(t, lake)
	upload{year: 2026, commune: "01864", file: "2.xlsx", at: ict("2026-12-10 08:00:00"), hamlets: []hamlet{h(1, 1, true)}}.write(t, lake)
	// A later re-upload does not make an on-time commune late.
	upload{year: 2026, commune: xaA, file: "sua.xlsx", at: ict("2026-12-20 08:00:00"), hamlets: []hamlet{h(2, 2, true)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	db := views(t, dir)
	status := func(c string) string {
		r := row(t, db, "SELECT status FROM completeness WHERE level = 'commune' AND deadline = '12-15' AND commune_code = ?", c)
		return fmt.Sprint(r["status"])
	}
	for c, want := range map[string]string{xaA: "on_time", xaB: "late", "01849": "rejected_only", "01864": "late", "01879": "missing"} {
		if got := status(c); got != want {
			t.Errorf("commune %s: %s, want %s", c, got, want)
		}
	}
	r := row(t, db, "SELECT last_rejection, uploads FROM completeness WHERE level = 'commune' AND deadline = '12-15' AND commune_code = '01849'")
	if r["last_rejection"] != "Ô C12: trùng tên thôn" {
		t.Errorf("last_rejection = %v", r["last_rejection"])
	}
	p := row(t, db, "SELECT * FROM completeness WHERE level = 'province' AND deadline = '12-15'")
	if due := p["due_at"].(time.Time); !due.Equal(time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("due_at = %v, want 2026-12-04T17:00Z", due)
	}
	wantInt(t, "expected", p["expected"], 92)
	wantInt(t, "submitted", p["submitted"], 3)
	wantInt(t, "on_time", p["on_time"], 1)
	wantInt(t, "late", p["late"], 2)
	wantInt(t, "rejected_only", p["rejected_only"], 1)
	wantInt(t, "missing", p["missing"], 88)
	wantFloat(t, "ty_le_nop", p["ty_le_nop"], 3.0/92)
	// The default 12-01 due date (25 November) makes xaA late there too?
	// No: its first accepted upload (4 December) is after 25 November.
	d1 := row(t, db, "SELECT * FROM completeness WHERE level = 'province' AND deadline = '12-01'")
	wantInt(t, "12-01 on_time", d1["on_time"], 0)
	n := row(t, db, "SELECT * FROM completeness WHERE level = 'nation' AND deadline = '12-15'")
	wantInt(t, "nation expected (every commune of the register)", n["expected"], 3321)
	wantInt(t, "nation submitted", n["submitted"], 3)
	if v := row(t, db, "SELECT max(ty_le_nop) AS m FROM completeness")["m"].(float64); v > 1 {
		t.Errorf("a reporting rate is %v > 100 %%", v)
	}
}

func TestPreviousYear(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	upload{year: 2025, commune: xaA, at: ict("2025-11-10 09:00:00"), hamlets: []hamlet{h(100, 50, false)}}.write(t, lake)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 75, true)}}.write(t, lake)
	upload{year: 2024, commune: "05440", at: ict("2024-11-10 09:00:00"), hamlets: []hamlet{h(100, 10, false)}}.write(t, lake)
	for _, y := range []int{2024, 2025, 2026} {
		build(t, dir, rollup.Options{Year: y, Province: prov})
	}
	db := views(t, dir)
	c := row(t, db, "SELECT * FROM communes WHERE year = 2026 AND commune_code = ?", xaA)
	wantFloat(t, "2026 rate", c["ty_le_ho_dat"], 0.75)
	wantFloat(t, "last year's rate", c["ty_le_ho_dat_nam_truoc"], 0.5)
	wantFloat(t, "change", c["ty_le_ho_dat_thay_doi"], 0.25)
	hm := row(t, db, "SELECT * FROM hamlets WHERE year = 2026 AND commune_code = ?", xaA)
	wantFloat(t, "hamlet last year", hm["ty_le_ho_dat_nam_truoc"], 0.5)
	p := row(t, db, "SELECT * FROM provinces WHERE year = 2026")
	wantFloat(t, "province last year", p["ty_le_ho_dat_nam_truoc"], 0.5)
	// 2025 is on other units than 2024: no previous year for communes and
	// provinces, but the nation is the same unit.
	c25 := row(t, db, "SELECT * FROM communes WHERE year = 2025 AND commune_code = ?", xaA)
	wantNull(t, "2025 commune last year", c25["ty_le_ho_dat_nam_truoc"])
	p25 := row(t, db, "SELECT * FROM provinces WHERE year = 2025")
	wantNull(t, "2025 province last year", p25["ty_le_ho_dat_nam_truoc"])
	n25 := row(t, db, "SELECT * FROM nation WHERE year = 2025")
	wantFloat(t, "2025 nation last year", n25["ty_le_ho_dat_nam_truoc"], 0.1)
}

func TestRebaseOn2025Units(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	// New 00008 Phường Ngọc Hà (Hà Nội) = old 00006 and 00008 whole, and
	// parts of the split 00007, 00016 and 00022.
	at := ict("2024-11-10 09:00:00")
	upload{year: 2024, commune: "00006", at: at, hamlets: []hamlet{h(100, 70, true)}, b02: map[string]any{"don_vi_tong": int64(4), "don_vi_dat": int64(2)}}.write(t, lake)
	upload{year: 2024, commune: "00008", at: at, hamlets: []hamlet{h(200, 150, true), h(50, 10, false)}}.write(t, lake)
	// 00007 split into 00008 and 00025: T01 assigned to 00008, T02 to 00025.
	upload{year: 2024, commune: "00007", at: at, hamlets: []hamlet{h(40, 40, true), h(60, 30, false)}, b02: map[string]any{"don_vi_tong": int64(7)}}.write(t, lake)
	// 00016 split too, no assignment: not re-based.
	upload{year: 2024, commune: "00016", at: at, hamlets: []hamlet{h(1000, 1000, true)}}.write(t, lake)
	assign := fstest.MapFS{rollup.HamletAssignmentFile: {Data: []byte(
		"old_commune_code,ma_thon,new_commune_code,note\n00007,T01,00008,\n00007,T02,00025,\n")}}
	res := build(t, dir, rollup.Options{Year: 2024, Province: "01", Units: "2025", Schemas: assign})
	db := views(t, dir)
	c := row(t, db, "SELECT * FROM rebased_communes WHERE commune_code = '00008'")
	wantInt(t, "00008 ho_tong = 100 + 250 + 40", c["ho_tong"], 390)
	wantInt(t, "00008 ho_dat", c["ho_dat"], 270)
	wantInt(t, "00008 don_vi_tong (00007's Biểu 02 cannot be split)", c["don_vi_tong"], 4)
	if c["rebase_complete"] != false || c["rebase_missing"] != "00007,00016" {
		t.Errorf("00008 rebase_complete=%v missing=%v, want false, 00007,00016", c["rebase_complete"], c["rebase_missing"])
	}
	g := row(t, db, "SELECT * FROM rebased_communes WHERE commune_code = '00025'")
	wantInt(t, "00025 ho_tong (hamlet T02 of 00007)", g["ho_tong"], 60)
	// Nothing counted twice, nothing of 00016 anywhere.
	p := row(t, db, "SELECT * FROM rebased_provinces WHERE province_code = '01'")
	wantInt(t, "province 01 re-based ho_tong", p["ho_tong"], 450)
	if p["units"] != "2025" {
		t.Errorf("units = %v", p["units"])
	}
	var got []string
	for _, n := range res.NotRebased {
		got = append(got, fmt.Sprintf("%s:%d:%v", n.OldCode, n.Hamlets, n.Biểu02))
	}
	if strings.Join(got, " ") != "00007:0:true 00016:1:false" {
		t.Errorf("NotRebased = %v, want 00007 (its Biểu 02) and 00016 (1 hamlet)", got)
	}
	// The plain 2024 roll-up is untouched by re-basing.
	if n := row(t, db, "SELECT count(*) AS n FROM communes")["n"]; n != int64(0) {
		t.Errorf("plain communes view has %v rows, want 0 (only a re-based build ran)", n)
	}
}

func TestRebaseRejectsWrongDirection(t *testing.T) {
	for _, o := range []rollup.Options{
		{Year: 2026, Units: "pre2025"},
		{Year: 2024, Units: "1999"},
		{Year: 2026, Province: "06"}, // Bắc Kạn: gone since 2025
		{Year: 1990},
	} {
		o.Lake = local.New(t.TempDir())
		if _, err := rollup.Build(context.Background(), o); err == nil {
			t.Errorf("Build(%+v) succeeded, want an error", o)
		}
	}
}

func TestOlderBuildNeverReplacesNewer(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(10, 5, true)}}.write(t, lake)
	t2 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	newer := build(t, dir, rollup.Options{Year: 2026, Province: prov, Now: t2})
	older := build(t, dir, rollup.Options{Year: 2026, Province: prov, Now: t2.Add(-time.Minute)})
	if len(older.Stale) != 1 || len(older.Provinces) != 0 {
		t.Fatalf("older build: committed %v, stale %v; want stale [19]", older.Provinces, older.Stale)
	}
	m := manifest(t, lake, "rollups/_manifests/year=2026/province=19.json")
	if m.BuildID != newer.BuildID {
		t.Fatalf("manifest names %s, want the newer build %s", m.BuildID, newer.BuildID)
	}
	assertOnlyCurrentFiles(t, lake, m)
}

func TestConcurrentBuildsLeaveOneConsistentSet(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(10, 5, true)}}.write(t, lake)
	var wg sync.WaitGroup
	ids := make([]string, 4)
	errs := make([]error, 4)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := rollup.Build(context.Background(), rollup.Options{Lake: lake, Year: 2026, Province: prov, Log: quiet})
			errs[i] = err
			if err == nil {
				ids[i] = res.BuildID
			}
		}()
	}
	wg.Wait()
	maxID := ""
	for i, err := range errs {
		if err != nil {
			t.Fatalf("build %d: %v", i, err)
		}
		maxID = max(maxID, ids[i])
	}
	m := manifest(t, lake, "rollups/_manifests/year=2026/province=19.json")
	if m.BuildID != maxID {
		t.Errorf("manifest names %s, want the newest build %s", m.BuildID, maxID)
	}
	assertOnlyCurrentFiles(t, lake, m)
	n := manifest(t, lake, "rollups/_manifests/year=2026/province=all.json")
	assertOnlyCurrentFiles(t, lake, n)
}

func manifest(t *testing.T, store *local.Store, key string) lake.Manifest {
	t.Helper()
	body, _, err := store.Get(context.Background(), key, "")
	if err != nil {
		t.Fatal(err)
	}
	var m lake.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// assertOnlyCurrentFiles: every file the manifest names exists, and its
// folder holds nothing else (no half-written or superseded set).
func assertOnlyCurrentFiles(t *testing.T, store *local.Store, m lake.Manifest) {
	t.Helper()
	if len(m.Files) == 0 {
		t.Fatal("manifest names no files")
	}
	for table, key := range m.Files {
		objs, err := store.List(context.Background(), filepath.Dir(key)+"/")
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) != 1 || objs[0].Key != key {
			var keys []string
			for _, o := range objs {
				keys = append(keys, o.Key)
			}
			t.Errorf("%s: folder holds %v, want only %s", table, keys, key)
		}
	}
}

func TestEmptyYearStillListsExpectedCommunes(t *testing.T) {
	dir := t.TempDir()
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	db := views(t, dir)
	r := row(t, db, "SELECT count(*) AS n, count(ho_tong) AS with_data FROM communes")
	wantInt(t, "communes listed", r["n"], 92)
	wantInt(t, "with data", r["with_data"], 0)
	k := row(t, db, "SELECT * FROM completeness WHERE level = 'province' AND deadline = '12-15'")
	wantInt(t, "missing", k["missing"], 92)
}

func TestNoLakeWriter(t *testing.T) {
	_, err := rollup.Build(context.Background(), rollup.Options{Lake: readOnly{local.New(t.TempDir())}, Year: 2026})
	if err == nil || !strings.Contains(err.Error(), "storage.Writer") {
		t.Fatalf("err = %v, want ErrNoLakeWriter", err)
	}
}

// readOnly hides the Writer methods of a store.
type readOnly struct{ *local.Store }

func (r readOnly) Delete() {}

// Two province builds overlap: the one that listed its province first
// commits last. The national level must include both provinces.
func TestNationIncludesAnOverlappingProvince(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(10, 5, true)}}.write(t, lake)
	upload{year: 2026, commune: "00004", at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(7, 7, true)}}.write(t, lake)
	t0 := time.Now()
	// Hà Nội (01) "listed" after Thái Nguyên but commits first.
	build(t, dir, rollup.Options{Year: 2026, Province: "01", Now: t0.Add(time.Second)})
	res := build(t, dir, rollup.Options{Year: 2026, Province: prov, Now: t0})
	if !res.Nation {
		t.Error("the later-committing build did not rebuild the national level")
	}
	db := views(t, dir)
	wantInt(t, "nation ho_tong (both provinces)", row(t, db, "SELECT * FROM nation")["ho_tong"], 17)
	// Provinces with no roll-up yet still count in the national expected.
	k := row(t, db, "SELECT * FROM completeness WHERE level = 'nation' AND deadline = '12-15'")
	wantInt(t, "nation expected = every commune of the register", k["expected"], 3321)
	wantInt(t, "nation submitted", k["submitted"], 2)
	n := row(t, db, "SELECT * FROM nation")
	wantInt(t, "nation so_xa", n["so_xa"], 3321)
}

// The national sum reads most province rows from its input cache (the
// rows of the last national sum, by build id). A province whose current
// build is not the one cached must be read from its files, and a missing
// cache file only costs the reads.
func TestNationCacheFollowsTheManifests(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	ctx := context.Background()
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(10, 5, true)}}.write(t, lake)
	upload{year: 2026, commune: "00004", at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(7, 7, true)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026})
	nationKey := "rollups/_manifests/year=2026/province=all.json"
	oldNation, _, err := lake.Get(ctx, nationKey, "")
	if err != nil {
		t.Fatal(err)
	}
	old := manifest(t, lake, nationKey)
	cacheKey := old.Files["cache_nation"]
	if cacheKey == "" {
		t.Fatalf("the national manifest names no input cache: %v", old.Files)
	}
	oldCache, _, err := lake.Get(ctx, cacheKey, "")
	if err != nil {
		t.Fatal(err)
	}
	nationHo := func(what string, want int64) {
		t.Helper()
		db := views(t, dir)
		wantInt(t, what+": nation ho_tong", row(t, db, "SELECT * FROM nation")["ho_tong"], want)
		wantInt(t, what+": sum of provinces", row(t, db, "SELECT sum(ho_tong)::BIGINT AS s FROM provinces")["s"], want)
	}
	nationHo("first build", 17)

	// Hà Nội re-uploads: 7 → 30 households.
	upload{year: 2026, commune: "00004", version: "v2", at: ict("2026-11-12 09:00:00"), hamlets: []hamlet{h(30, 7, true)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026, Province: "01"})
	nationHo("after Hà Nội's build", 40)

	// Put back the national manifest and cache of the first build: they
	// hold Hà Nội's superseded rows, which must not be summed again.
	if err := lake.Put(ctx, cacheKey, oldCache, ""); err != nil {
		t.Fatal(err)
	}
	if err := lake.Put(ctx, nationKey, oldNation, ""); err != nil {
		t.Fatal(err)
	}
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	nationHo("stale cache for Hà Nội", 40)

	// No cache file at all: every other province is read from its files.
	n := manifest(t, lake, nationKey)
	if err := lake.Delete(ctx, n.Files["cache_nation"]); err != nil {
		t.Fatal(err)
	}
	upload{year: 2026, commune: xaA, version: "v2", at: ict("2026-11-13 09:00:00"), hamlets: []hamlet{h(12, 5, true)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	nationHo("missing cache", 42)
}
