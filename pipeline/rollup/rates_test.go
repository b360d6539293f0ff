package rollup_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
	"github.com/xhht/xhht/pipeline/targets"
)

// Rates on incomplete data: a rate's numerator and denominator come from
// the same rows, those that reported both; the level says how many rows
// and what share of the denominator were left out. Every expected value
// below is worked out by hand from the rows written.

// households is a hamlet with only the households model filled (nil = blank).
func households(tong, dat any) hamlet {
	return hamlet{"ho_tong": tong, "ho_dang_ky": dat, "ho_dat": dat}
}

// The example: nine hamlets report both household figures (823
// recognised of 1,000), a tenth reports 81 households and leaves the
// recognised blank. Summing every hamlet's households divides by 1,081:
// 76,1 %, "chưa đạt" against 80 %. Over the hamlets that reported both it
// is 823 / 1,000 = 82,3 %, "đạt".
func TestRateOverRowsThatReportedBoth(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	var hs []hamlet
	for range 8 {
		hs = append(hs, households(int64(110), int64(91))) // 880 households, 728 recognised
	}
	hs = append(hs, households(int64(120), int64(95)), households(int64(81), nil)) // 1,000 and 823 with the ninth
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: hs}.write(t, lake)
	const head = "scope,registry,unit_code,unit_name,indicator,target_year,from_year,difficult,percent,source,note\n"
	tg, err := targets.LoadFS(fstest.MapFS{
		targets.TargetsFile:   {Data: []byte(head + "national,,,VN,ty_le_ho_dat,2030,2021,,80,QĐ N,\n")},
		targets.DifficultFile: {Data: []byte("registry,commune_code,commune_name,source,note\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	build(t, dir, rollup.Options{Year: 2026, Province: prov, Targets: tg})
	db := views(t, dir)
	for _, level := range []string{"communes WHERE commune_code = '" + xaA + "'", "provinces", "nation"} {
		c := row(t, db, "SELECT * FROM "+level)
		wantFloat(t, level+": ty_le_ho_dat", c["ty_le_ho_dat"], 823.0/1000)
		if c["dat_chi_tieu_ho_dat"] != true {
			t.Errorf("%s: dat_chi_tieu_ho_dat = %v, want true (82,3 %% ≥ 80 %%)", level, c["dat_chi_tieu_ho_dat"])
		}
		wantInt(t, level+": tu_so", c["ty_le_ho_dat_tu_so"], 823)
		wantInt(t, level+": mau_so", c["ty_le_ho_dat_mau_so"], 1000)
		wantInt(t, level+": so_dong", c["ty_le_ho_dat_so_dong"], 9)
		wantInt(t, level+": so_dong_bo_qua", c["ty_le_ho_dat_so_dong_bo_qua"], 1)
		wantFloat(t, level+": mau_so_bo_qua", c["ty_le_ho_dat_mau_so_bo_qua"], 81.0/1081)
		// The sums stay the sums of each field, with their blanks counted.
		wantInt(t, level+": ho_tong", c["ho_tong"], 1081)
		wantInt(t, level+": ho_dat", c["ho_dat"], 823)
		wantInt(t, level+": ho_dat_null_rows", c["ho_dat_null_rows"], 1)
	}
}

// A commune where every hamlet left the numerator blank has no rate (not
// 0 %), and the province's rate is that of the other commune's rows.
func TestRateNullWhenNoRowReportedBoth(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{households(int64(40), nil), households(int64(60), nil)}}.write(t, lake)
	upload{year: 2026, commune: xaB, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{households(int64(100), int64(70))}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	db := views(t, dir)
	a := row(t, db, "SELECT * FROM communes WHERE commune_code = ?", xaA)
	wantNull(t, "A ty_le_ho_dat", a["ty_le_ho_dat"])
	wantNull(t, "A dat_chi_tieu_ho_dat", a["dat_chi_tieu_ho_dat"])
	wantNull(t, "A tu_so", a["ty_le_ho_dat_tu_so"])
	wantNull(t, "A mau_so", a["ty_le_ho_dat_mau_so"])
	wantInt(t, "A so_dong", a["ty_le_ho_dat_so_dong"], 0)
	wantInt(t, "A so_dong_bo_qua", a["ty_le_ho_dat_so_dong_bo_qua"], 2)
	wantFloat(t, "A mau_so_bo_qua", a["ty_le_ho_dat_mau_so_bo_qua"], 1)
	wantInt(t, "A ho_tong", a["ho_tong"], 100)
	wantNull(t, "A ho_dat", a["ho_dat"])
	p := row(t, db, "SELECT * FROM provinces")
	wantFloat(t, "province rate (B's rows only)", p["ty_le_ho_dat"], 0.7)
	wantInt(t, "province so_dong", p["ty_le_ho_dat_so_dong"], 1)
	wantInt(t, "province so_dong_bo_qua", p["ty_le_ho_dat_so_dong_bo_qua"], 2)
	wantFloat(t, "province mau_so_bo_qua", p["ty_le_ho_dat_mau_so_bo_qua"], 100.0/200)
	// A commune that sent nothing left out no rows: it has no rows.
	m := row(t, db, "SELECT * FROM communes WHERE commune_code = '01849'")
	wantInt(t, "missing commune so_dong_bo_qua", m["ty_le_ho_dat_so_dong_bo_qua"], 0)
	wantNull(t, "missing commune mau_so_bo_qua", m["ty_le_ho_dat_mau_so_bo_qua"])
}

// coverage is one rate's expected figures at one level.
type coverage struct {
	rate        string
	num, den    any // int64, or nil when no row reported both
	rows, left  int64
	shareLeft   any // float64, or nil
	value       any // the rate: float64, or nil
	sumNum, sum any // the plain sums of the numerator and denominator fields
}

func checkCoverage(t *testing.T, where string, got map[string]any, want []coverage) {
	t.Helper()
	for _, w := range want {
		at := where + " " + w.rate
		for col, v := range map[string]any{w.rate: w.value, w.rate + "_tu_so": w.num, w.rate + "_mau_so": w.den,
			w.rate + "_so_dong": w.rows, w.rate + "_so_dong_bo_qua": w.left, w.rate + "_mau_so_bo_qua": w.shareLeft} {
			if _, ok := got[col]; !ok {
				t.Errorf("%s: no column %s", at, col)
				continue
			}
			switch x := v.(type) {
			case nil:
				wantNull(t, at+": "+col, got[col])
			case int64:
				wantInt(t, at+": "+col, got[col], x)
			case int:
				wantInt(t, at+": "+col, got[col], int64(x))
			case float64:
				wantFloat(t, at+": "+col, got[col], x)
			}
		}
	}
}

// Every rate family follows the rule: households, clans, hamlets (a Có /
// Không column over the rows), working-age citizens (Biểu 01), units and
// unit staff (Biểu 02, one row per commune). Blanks sit in the numerator
// of some rows and in the denominator of others.
func TestEveryRateFamilyOverRowsThatReportedBoth(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	h1 := hamlet{"ho_tong": int64(100), "ho_dat": int64(80), "dong_ho_tong": int64(10), "dong_ho_dat": int64(5),
		"cong_dong_dat": true, "lao_dong_tong": int64(200), "cong_dan_dat": int64(100)}
	// Numerators blank, except the clans, whose denominator is blank.
	h2 := hamlet{"ho_tong": int64(50), "dong_ho_dat": int64(3), "lao_dong_tong": int64(100)}
	// Working-age people blank, citizens filled.
	h3 := hamlet{"ho_tong": int64(200), "ho_dat": int64(150), "dong_ho_tong": int64(20), "dong_ho_dat": int64(10),
		"cong_dong_dat": false, "cong_dan_dat": int64(40)}
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h1, h2, h3},
		b02: map[string]any{"don_vi_tong": int64(10), "don_vi_dat": int64(9), "can_bo_tong": int64(50)}}.write(t, lake)
	upload{year: 2026, commune: xaB, at: ict("2026-11-10 09:00:00"),
		b02: map[string]any{"don_vi_tong": int64(5), "can_bo_tong": int64(100), "can_bo_cong_dan_dat": int64(60)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	db := views(t, dir)

	b01 := []coverage{
		// 230 of 300 over hamlets 1 and 3; hamlet 2's 50 households left out of 350.
		{rate: "ty_le_ho_dat", num: 230, den: 300, rows: 2, left: 1, shareLeft: 50.0 / 350, value: 230.0 / 300},
		// Hamlet 2 reported 3 recognised clans but no total: left out; no
		// reported denominator is left out. (All rows summed: 18 / 30.)
		{rate: "ty_le_dong_ho_dat", num: 15, den: 30, rows: 2, left: 1, shareLeft: 0.0, value: 0.5},
		// Hamlet 2 left Được công nhận blank: 1 of 2 hamlets, not 1 of 3.
		{rate: "ty_le_thon_dat", num: 1, den: 2, rows: 2, left: 1, shareLeft: 1.0 / 3, value: 0.5},
		// Only hamlet 1 has both; hamlet 2's 100 people are left out of 300.
		{rate: "ty_le_cong_dan_dat", num: 100, den: 200, rows: 1, left: 2, shareLeft: 100.0 / 300, value: 0.5},
	}
	aB02 := []coverage{
		{rate: "ty_le_don_vi_dat", num: 9, den: 10, rows: 1, left: 0, shareLeft: 0.0, value: 0.9},
		{rate: "ty_le_can_bo_dat", num: nil, den: nil, rows: 0, left: 1, shareLeft: 1.0, value: nil},
	}
	bB02 := []coverage{
		{rate: "ty_le_don_vi_dat", num: nil, den: nil, rows: 0, left: 1, shareLeft: 1.0, value: nil},
		{rate: "ty_le_can_bo_dat", num: 60, den: 100, rows: 1, left: 0, shareLeft: 0.0, value: 0.6},
	}
	total := append(append([]coverage{}, b01...),
		coverage{rate: "ty_le_don_vi_dat", num: 9, den: 10, rows: 1, left: 1, shareLeft: 5.0 / 15, value: 0.9},
		coverage{rate: "ty_le_can_bo_dat", num: 60, den: 100, rows: 1, left: 1, shareLeft: 50.0 / 150, value: 0.6})

	checkCoverage(t, "commune A", row(t, db, "SELECT * FROM communes WHERE commune_code = ?", xaA), append(append([]coverage{}, b01...), aB02...))
	checkCoverage(t, "commune B", row(t, db, "SELECT * FROM communes WHERE commune_code = ?", xaB), bB02)
	checkCoverage(t, "province", row(t, db, "SELECT * FROM provinces"), total)
	checkCoverage(t, "nation", row(t, db, "SELECT * FROM nation"), total)

	// The hamlet level: a row is counted or left out as a whole.
	hamlets := all(t, db, "SELECT * FROM hamlets ORDER BY source_row")
	if len(hamlets) != 3 {
		t.Fatalf("%d hamlet rows, want 3", len(hamlets))
	}
	checkCoverage(t, "hamlet 1", hamlets[0], []coverage{
		{rate: "ty_le_ho_dat", num: 80, den: 100, rows: 1, left: 0, shareLeft: 0.0, value: 0.8},
		{rate: "ty_le_thon_dat", num: 1, den: 1, rows: 1, left: 0, shareLeft: 0.0, value: 1.0},
	})
	checkCoverage(t, "hamlet 2", hamlets[1], []coverage{
		{rate: "ty_le_ho_dat", num: nil, den: nil, rows: 0, left: 1, shareLeft: 1.0, value: nil},
		{rate: "ty_le_dong_ho_dat", num: nil, den: nil, rows: 0, left: 1, shareLeft: nil, value: nil},
		{rate: "ty_le_thon_dat", num: nil, den: nil, rows: 0, left: 1, shareLeft: 1.0, value: nil},
		{rate: "ty_le_cong_dan_dat", num: nil, den: nil, rows: 0, left: 1, shareLeft: 1.0, value: nil},
	})
	checkCoverage(t, "hamlet 3", hamlets[2], []coverage{
		{rate: "ty_le_thon_dat", num: 0, den: 1, rows: 1, left: 0, shareLeft: 0.0, value: 0.0},
		{rate: "ty_le_cong_dan_dat", num: nil, den: nil, rows: 0, left: 1, shareLeft: nil, value: nil},
	})
}

// Last year's rate and the change follow the same rule, and so do the
// re-based views.
func TestLastYearAndRebasedRatesOverRowsThatReportedBoth(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	// 2025: 60 of 100 over the hamlet with both; 300 households left out.
	upload{year: 2025, commune: xaA, at: ict("2025-11-10 09:00:00"), hamlets: []hamlet{households(int64(100), int64(60)), households(int64(300), nil)}}.write(t, lake)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{households(int64(100), int64(75))}}.write(t, lake)
	// 2024, re-based on the 2025 units: 00006 and 00008 went whole into
	// the new 00008; 00008 left one hamlet's recognised blank.
	at := ict("2024-11-10 09:00:00")
	upload{year: 2024, commune: "00006", at: at, hamlets: []hamlet{households(int64(100), int64(70))}}.write(t, lake)
	upload{year: 2024, commune: "00008", at: at, hamlets: []hamlet{households(int64(200), int64(150)), households(int64(50), nil)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2025, Province: prov})
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	build(t, dir, rollup.Options{Year: 2024, Province: "01", Units: "2025"})
	db := views(t, dir)
	for _, level := range []string{"communes WHERE year = 2026 AND commune_code = '" + xaA + "'", "provinces WHERE year = 2026", "nation WHERE year = 2026"} {
		c := row(t, db, "SELECT * FROM "+level)
		wantFloat(t, level+": last year", c["ty_le_ho_dat_nam_truoc"], 0.6) // not 60 / 400
		wantFloat(t, level+": change", c["ty_le_ho_dat_thay_doi"], 0.75-0.6)
	}
	c := row(t, db, "SELECT * FROM rebased_communes WHERE commune_code = '00008'")
	checkCoverage(t, "re-based 00008", c, []coverage{
		{rate: "ty_le_ho_dat", num: 220, den: 300, rows: 2, left: 1, shareLeft: 50.0 / 350, value: 220.0 / 300}})
	p := row(t, db, "SELECT * FROM rebased_provinces WHERE province_code = '01'")
	wantInt(t, "re-based province so_dong_bo_qua", p["ty_le_ho_dat_so_dong_bo_qua"], 1)
	wantFloat(t, "re-based province rate", p["ty_le_ho_dat"], 220.0/300)
}

// A province whose current files were written before the rates' operand
// columns existed does not stop the national sum: the nation's rate is
// over the rows it knows both figures of, and its coverage counts that
// province's households as left out until the province is built again.
func TestNationReadsAProvinceBuiltBeforeTheOperandColumns(t *testing.T) {
	dir := t.TempDir()
	store := local.New(dir)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{households(int64(100), int64(50))}}.write(t, store)
	upload{year: 2026, commune: "00004", at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{households(int64(200), int64(150))}}.write(t, store)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	// Province 19's file as an older version wrote it: without the
	// operand columns; and no national cache to read its rows from.
	var m lake.Manifest
	body, _, err := store.Get(context.Background(), "rollups/_manifests/year=2026/province="+prov+".json", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, filepath.FromSlash(m.Files[rollup.Provinces]))
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var newer []string
	for _, r := range rollup.RateNames() {
		for _, sfx := range []string{"_tu_so", "_mau_so", "_so_dong", "_so_dong_bo_qua", "_mau_so_bo_qua"} {
			newer = append(newer, r+sfx)
		}
	}
	if _, err := db.Exec(fmt.Sprintf(`COPY (SELECT * EXCLUDE (%[2]s) FROM read_parquet('%[1]s')) TO '%[1]s.old' (FORMAT parquet)`,
		file, strings.Join(newer, ", "))); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(file+".old", file); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "rollups", "_manifests", "year=2026", "province=all.json")); err != nil {
		t.Fatal(err)
	}
	res := build(t, dir, rollup.Options{Year: 2026, Province: "01"})
	if !res.Nation {
		t.Fatal("the nation was not built")
	}
	n := row(t, views(t, dir), "SELECT * FROM nation")
	wantInt(t, "nation ho_tong (every province)", n["ho_tong"], 300)
	wantFloat(t, "nation rate (province 01's rows)", n["ty_le_ho_dat"], 0.75)
	wantFloat(t, "nation share left out (province 19's)", n["ty_le_ho_dat_mau_so_bo_qua"], 100.0/300)
}

// Districts (years up to 2024) follow the rule too.
func TestDistrictRateOverRowsThatReportedBoth(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	// 05440 and 05443: two communes of district 164 (province 19) in 2024.
	upload{year: 2024, commune: "05440", at: ict("2024-11-10 09:00:00"), hamlets: []hamlet{households(int64(100), int64(70)), households(int64(40), nil)}}.write(t, lake)
	upload{year: 2024, commune: "05443", at: ict("2024-11-10 09:00:00"), hamlets: []hamlet{households(int64(100), int64(90))}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2024, Province: prov})
	d := row(t, views(t, dir), "SELECT * FROM districts WHERE district_code = '164'")
	checkCoverage(t, "district 164", d, []coverage{
		{rate: "ty_le_ho_dat", num: 160, den: 200, rows: 2, left: 1, shareLeft: 40.0 / 240, value: 0.8}})
}
