package rollup_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/quality"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// th is a hamlet with its code and name.
func th(code, name string, hm hamlet) hamlet {
	out := hamlet{"ma_thon": code, "ten_thon": name}
	for k, v := range hm {
		out[k] = v
	}
	return out
}

// thons are hamlets T01, T02, … ("Thôn 1", …) with the given households,
// half of them recognised.
func thons(n ...int64) []hamlet {
	var out []hamlet
	for i, v := range n {
		out = append(out, th(fmt.Sprintf("T%02d", i+1), fmt.Sprintf("Thôn %d", i+1), h(v, v/2, false)))
	}
	return out
}

// provinceActor is the province-19 reviewer the tests' review.Apply calls act as.
var provinceActor = review.Actor{Role: access.RoleProvince, Province: prov, CodeID: "c0de", Year: 2026}

// flagIDs lists "commune flag_id" of flags.
func flagIDs(fs []quality.Flag) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.CommuneCode+" "+f.FlagID)
	}
	slices.Sort(out)
	return out
}

// The roll-up writes the flags table through the manifest; ReadFlags, the
// query view and a snapshot read the same rows. Each expected flag is
// worked out by hand from the uploads below.
func TestFlagsTableThroughTheManifest(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	// xaA: T03 disappears, T04 appears, T02 is renamed (same code: no
	// flag). Households 350 → 380 (+8.6 %: under 15 %). Households
	// recognised 175/350 = 50 % → 342/380 = 90 % (+40 points), hamlets
	// recognised 0/3 → 3/3 (+100 points); CDHT 175/700 = 25 % → 342/760 =
	// 45 %: exactly +20 points, not more.
	upload{year: 2025, commune: xaA, at: ict("2025-11-10 09:00:00"), hamlets: []hamlet{
		th("T01", "Thôn 1", h(100, 50, false)), th("T02", "Thôn Đồng", h(200, 100, false)), th("T03", "Thôn 3", h(50, 25, false))}}.write(t, lake)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{
		th("T01", "Thôn 1", h(100, 90, true)), th("T02", "Thôn Đồng Mới", h(200, 180, true)), th("T04", "Thôn 4", h(80, 72, true))}}.write(t, lake)
	// xaB: 2026 repeats 2025 (copied: 7 numbers in each of 2 hamlets), and
	// its second upload repeats the first (unchanged).
	b := []hamlet{h(60, 30, true), h(40, 20, true)}
	upload{year: 2025, commune: xaB, at: ict("2025-11-10 09:00:00"), hamlets: b}.write(t, lake)
	upload{year: 2026, commune: xaB, at: ict("2026-11-10 09:00:00"), hamlets: b}.write(t, lake)
	second := upload{year: 2026, commune: xaB, file: "bao-cao-lan-2.xlsx", at: ict("2026-11-11 10:00:00"), hamlets: b}.write(t, lake)
	// 01849, 2026 only: a hamlet with a zero too many (1500 among
	// 100–150: median 130, MAD 10, M = 0.6745·1370/10 = 92.4), and every
	// hamlet's households all recognised.
	var c []hamlet
	for _, n := range []int64{100, 120, 120, 130, 140, 150, 1500} {
		c = append(c, h(n, n, false))
	}
	upload{year: 2026, commune: "01849", at: ict("2026-11-10 09:00:00"), hamlets: c}.write(t, lake)

	build(t, dir, rollup.Options{Year: 2025, Province: prov})
	build(t, dir, rollup.Options{Year: 2026, Province: prov})

	flags, err := quality.ReadFlags(context.Background(), lake, 2026, prov)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"01840 hamlet_gone/ho_tong/T03", "01840 hamlet_new/ho_tong/T04",
		"01840 rate_change/ty_le_ho_dat/-", "01840 rate_change/ty_le_thon_dat/-",
		"01843 copied/-/-", "01843 unchanged/-/-",
		"01849 hamlet_outlier/ho_tong/T07", "01849 recognised_all/ty_le_ho_dat/-",
	}
	if got := flagIDs(flags); !slices.Equal(got, want) {
		t.Fatalf("flags:\n got %q\nwant %q", got, want)
	}
	by := map[string]quality.Flag{}
	for _, f := range flags {
		by[f.CommuneCode+" "+f.FlagID] = f
	}
	if f := by["01840 rate_change/ty_le_ho_dat/-"]; !near(f.Value, 0.9) || !near(f.PreviousValue, 0.5) || !near(f.Score, 0.4) ||
		f.Year != 2026 || f.ProvinceCode != prov || f.CommuneName == "" || !f.Comparable || f.SubmissionID == "" {
		t.Errorf("rate change: %+v", f)
	}
	if f := by["01840 hamlet_gone/ho_tong/T03"]; f.TenThon != "Thôn 3" || !near(f.PreviousValue, 50) || f.Value != nil {
		t.Errorf("hamlet gone: %+v", f)
	}
	if f := by["01843 copied/-/-"]; !near(f.Value, 14) {
		t.Errorf("copied: %+v", f)
	}
	if f := by["01843 unchanged/-/-"]; f.SubmissionID != second || !near(f.Value, 2) {
		t.Errorf("unchanged: %+v, want submission %s", f, second)
	}
	if f := by["01849 hamlet_outlier/ho_tong/T07"]; !near(f.Value, 1500) || !near(f.Score, 92.4065) || f.PreviousValue != nil {
		t.Errorf("hamlet outlier: %+v", f)
	}

	// The manifest names the file, under rollups/flags/.
	body, err := os.ReadFile(filepath.Join(dir, "rollups/_manifests/year=2026/province="+prov+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Files map[string]string }
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if k := m.Files[rollup.Flags]; !strings.HasPrefix(k, "rollups/flags/year=2026/province="+prov+"/") {
		t.Errorf("manifest flags file = %q", k)
	}
	// The query view reads the same rows.
	db := views(t, dir)
	wantInt(t, "flags in the view", row(t, db, "SELECT count(*) AS n FROM flags WHERE year = 2026 AND province_code = ?", prov)["n"], int64(len(want)))
	// 2025 has no last year on its units in this lake, and nothing stands out.
	if f, err := quality.ReadFlags(context.Background(), lake, 2025, prov); err != nil || len(f) != 0 {
		t.Errorf("2025: %v, %v", flagIDs(f), err)
	}

	// A snapshot (reports) has the same flags.
	out := t.TempDir()
	if _, err := rollup.Build(context.Background(), rollup.Options{Lake: lake, Year: 2026, Province: prov, OutDir: out, Log: quiet}); err != nil {
		t.Fatal(err)
	}
	sdb, err := rollup.OpenSnapshot(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	wantInt(t, "flags in the snapshot", row(t, sdb, "SELECT count(*) AS n FROM flags")["n"], int64(len(want)))
	// NoFlags (a report's trend): no flags file.
	out2 := t.TempDir()
	if _, err := rollup.Build(context.Background(), rollup.Options{Lake: lake, Year: 2026, Province: prov, OutDir: out2, NoFlags: true, Log: quiet}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out2, "flags.parquet")); err == nil {
		t.Error("a NoFlags snapshot wrote flags.parquet")
	}
}

// After the 2025 reform, last year is the re-based 2024 roll-up: a new
// commune the re-basing could not complete is "không so sánh được" (one
// row, comparable = false, nothing else), a complete one is compared.
// Incomplete: an old commune split without a hamlet assignment, or (review
// finding M-A, session 8) an old commune merged or split into it that has
// no accepted 2024 data, whose households and hamlets would otherwise read
// as growth and "new" hamlets. Predecessors from
// schemas/adminunits/old_to_new_communes.csv.
func TestFlagsAcrossTheReform(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	at := ict("2024-11-10 09:00:00")
	// As in TestRebaseOn2025Units: new 00008 = old 00006, 00008 whole,
	// parts of split 00007 (assigned) and 00016 (not assigned), and of
	// 00022, 00025, 00028, 00157 (no 2024 data).
	upload{year: 2024, commune: "00006", at: at, hamlets: []hamlet{h(100, 70, true)}}.write(t, lake)
	upload{year: 2024, commune: "00008", at: at, hamlets: []hamlet{h(200, 150, true), h(50, 10, false)}}.write(t, lake)
	upload{year: 2024, commune: "00007", at: at, hamlets: []hamlet{h(40, 40, true), h(60, 30, false)}}.write(t, lake)
	upload{year: 2024, commune: "00016", at: at, hamlets: []hamlet{h(1000, 1000, true)}}.write(t, lake)
	// New 00382 = old 00382, 00397, 00415, all whole, all reported:
	// 3 × 100 households (600 working-age) in 2024.
	for _, c := range []string{"00382", "00397", "00415"} {
		upload{year: 2024, commune: c, at: at, hamlets: []hamlet{th("T01", "Thôn 1", h(100, 50, false))}}.write(t, lake)
	}
	// New 09931 = old 09919, 09931, 09934, all whole; 09934's only 2024
	// upload was rejected: the re-based 2024 figure (2 × 100) is two
	// thirds of the commune.
	upload{year: 2024, commune: "09919", at: at, hamlets: []hamlet{th("T01", "Thôn 1", h(100, 50, false))}}.write(t, lake)
	upload{year: 2024, commune: "09931", at: at, hamlets: []hamlet{th("T01", "Thôn 1", h(100, 50, false))}}.write(t, lake)
	upload{year: 2024, commune: "09934", at: at, rejected: "sai mẫu"}.write(t, lake)
	assign := fstest.MapFS{rollup.HamletAssignmentFile: {Data: []byte(
		"old_commune_code,ma_thon,new_commune_code,note\n00007,T01,00008,\n00007,T02,00025,\n")}}
	build(t, dir, rollup.Options{Year: 2024, Province: "01", Units: "2025", Schemas: assign})

	at25 := ict("2025-11-10 09:00:00")
	upload{year: 2025, commune: "00008", at: at25, hamlets: []hamlet{h(5000, 100, true)}}.write(t, lake)
	// 00025: T02 with 100 households (60 last year), but old 00025, 00028,
	// 00031, 00034, 00178, 00199 feed it too and sent nothing in 2024.
	upload{year: 2025, commune: "00025", at: at25, hamlets: []hamlet{th("T02", "Thôn 2", h(100, 50, false))}}.write(t, lake)
	// 00382: 400 households (300 last year: +33.3 %, over 15 %); 800
	// working-age (600: +33.3 %).
	upload{year: 2025, commune: "00382", at: at25, hamlets: []hamlet{th("T01", "Thôn 1", h(400, 200, false))}}.write(t, lake)
	// 09931: 300 households (200 re-based: +50 %) and a hamlet "Thôn 3"
	// from 09934: neither is a change, the comparison is incomplete.
	upload{year: 2025, commune: "09931", at: at25, hamlets: []hamlet{th("T01", "Thôn 1", h(200, 100, false)), th("T03", "Thôn 3", h(100, 50, false))}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2025, Province: "01", Schemas: assign})

	flags, err := quality.ReadFlags(context.Background(), lake, 2025, "01")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"00008 not_comparable/-/-", "00025 not_comparable/-/-", "00382 change/ho_tong/-", "00382 change/lao_dong_tong/-", "09931 not_comparable/-/-"}
	if got := flagIDs(flags); !slices.Equal(got, want) {
		t.Fatalf("flags:\n got %q\nwant %q", got, want)
	}
	why := map[string][]string{ // what each not-comparable message must name
		"00008": {"00016 bị chia tách", "00022", "không có số liệu năm 2024"},
		"00025": {"00031", "không có số liệu năm 2024"},
		"09931": {"xã cũ 09934 không có số liệu năm 2024"},
	}
	for _, f := range flags {
		switch f.Rule {
		case quality.RuleNotComparable:
			if f.Comparable || !strings.Contains(f.Message, "Không so sánh được") {
				t.Errorf("not comparable: %+v", f)
			}
			for _, w := range why[f.CommuneCode] {
				if !strings.Contains(f.Message, w) {
					t.Errorf("%s: message %q does not say %q", f.CommuneCode, f.Message, w)
				}
			}
		case quality.RuleChange:
			if f.Indicator == "ho_tong" && (!near(f.PreviousValue, 300) || !near(f.Value, 400) || !f.Comparable) {
				t.Errorf("change: %+v", f)
			}
		}
	}
	db := views(t, dir)
	c := row(t, db, "SELECT rebase_complete, rebase_no_data FROM rebased_communes WHERE commune_code = '09931'")
	if c["rebase_complete"] != false || c["rebase_no_data"] != "09934" {
		t.Errorf("09931 re-based: complete %v, no data %v; want false, 09934", c["rebase_complete"], c["rebase_no_data"])
	}
	c = row(t, db, "SELECT rebase_complete, rebase_no_data FROM rebased_communes WHERE commune_code = '00382'")
	if c["rebase_complete"] != true || c["rebase_no_data"] != nil {
		t.Errorf("00382 re-based: complete %v, no data %v; want true, NULL", c["rebase_complete"], c["rebase_no_data"])
	}
}

func near(p *float64, want float64) bool {
	return p != nil && (*p-want) < 1e-4 && (want-*p) < 1e-4
}

// A rules file naming a column the roll-up does not have stops the build
// with the file and the column named, before anything is committed.
func TestFlagsRulesFileErrors(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{`{"version":1,"rules":[{"rule":"change","indicators":["ho_tongg"],"threshold":0.1}]}`, `"ho_tongg" is not a roll-up column`},
		{`{"version":1,"rules":[{"rule":"hamlet_outlier","indicators":["don_vi_tong"],"threshold":3.5,"min_units":5}]}`, `"don_vi_tong" is not a hamlet column`},
		{`{"version":1,"rules":[{"rule":"change"}]}`, `needs indicators`},
	} {
		dir := t.TempDir()
		lake := local.New(dir)
		upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 50, true)}}.write(t, lake)
		_, err := rollup.Build(context.Background(), rollup.Options{Lake: lake, Year: 2026, Province: prov, Log: quiet,
			Schemas: fstest.MapFS{quality.RulesFile: {Data: []byte(c.body)}}})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), quality.RulesFile) {
			t.Errorf("error %v, want one naming %s and %q", err, quality.RulesFile, c.want)
		}
		if _, err := os.Stat(filepath.Join(dir, "rollups/_manifests/year=2026/province="+prov+".json")); err == nil {
			t.Error("a build with a bad rules file committed a manifest")
		}
	}
}

// "không thay đổi" compares the latest accepted upload with the one just
// before it, as a set of rows (their order in the file does not matter).
func TestFlagsUnchangedComparesTheLastTwo(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	a := []hamlet{th("T01", "Thôn 1", h(100, 50, true)), th("T02", "Thôn 2", h(80, 40, false))}
	aReordered := []hamlet{a[1], a[0]}
	b := []hamlet{th("T01", "Thôn 1", h(100, 51, true)), th("T02", "Thôn 2", h(80, 40, false))} // one number differs
	// xaA: A, then B, then A again: the last two differ.
	upload{year: 2026, commune: xaA, file: "1.xlsx", at: ict("2026-11-10 09:00:00"), hamlets: a}.write(t, lake)
	upload{year: 2026, commune: xaA, file: "2.xlsx", at: ict("2026-11-11 09:00:00"), hamlets: b}.write(t, lake)
	upload{year: 2026, commune: xaA, file: "3.xlsx", at: ict("2026-11-12 09:00:00"), hamlets: a}.write(t, lake)
	// xaB: B, then A, then A with its rows in another order: unchanged.
	upload{year: 2026, commune: xaB, file: "1.xlsx", at: ict("2026-11-10 09:00:00"), hamlets: b}.write(t, lake)
	prevID := upload{year: 2026, commune: xaB, file: "2.xlsx", at: ict("2026-11-11 09:00:00"), hamlets: a}.write(t, lake)
	lastID := upload{year: 2026, commune: xaB, file: "3.xlsx", at: ict("2026-11-12 09:00:00"), hamlets: aReordered}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	flags, err := quality.ReadFlags(context.Background(), lake, 2026, prov)
	if err != nil {
		t.Fatal(err)
	}
	if got := flagIDs(flags); !slices.Equal(got, []string{"01843 unchanged/-/-"}) {
		t.Fatalf("flags %q, want only xaB unchanged", got)
	}
	if f := flags[0]; f.SubmissionID != lastID || !strings.Contains(f.Message, "(không thay đổi)") || !near(f.Value, 2) {
		t.Errorf("unchanged flag %+v (previous upload %s, latest %s)", f, prevID, lastID)
	}
}

// putReviewIn writes a review status of a commune of any province.
func putReviewIn(t *testing.T, st storage.Store, year int, province, commune string, state review.State, sub string) {
	t.Helper()
	s := review.Status{Version: 1, Year: year, Province: province, Commune: commune, State: state, Submission: sub,
		Comment: "Sai", At: time.Date(2026, 12, 20, 3, 0, 0, 0, time.UTC)}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(context.Background(), lake.ReviewKey(year, province, commune), b, "application/json"); err != nil {
		t.Fatal(err)
	}
}

// Year-on-year flags compare with the commune's last accepted year: last
// year, else the latest of the two years before it (issue 15), named in
// previous_year and in the message. Beyond that, nothing is compared. The
// flags cache's digest covers those years: a new upload of one, or a
// review returning the upload compared with, recomputes the flags.
func TestFlagsLastAcceptedYear(t *testing.T) {
	dir := t.TempDir()
	st := local.New(dir)
	const (
		xa22 = "00006" // accepted in 2022, nothing in 2023
		xa23 = "00007" // accepted in 2023
		xa20 = "00008" // accepted in 2020 only: too far back
	)
	at := func(y int) time.Time { return time.Date(y, 11, 10, 2, 0, 0, 0, time.UTC) }
	sub22 := upload{year: 2022, commune: xa22, at: at(2022), hamlets: []hamlet{h(100, 50, false)}}.write(t, st)
	upload{year: 2023, commune: xa23, at: at(2023), hamlets: []hamlet{h(100, 50, false)}}.write(t, st)
	upload{year: 2020, commune: xa20, at: at(2020), hamlets: []hamlet{h(100, 50, false)}}.write(t, st)
	for _, c := range []string{xa22, xa23, xa20} {
		// +50 % households (threshold 15 %), same hamlet codes, same rate.
		upload{year: 2024, commune: c, at: at(2024), hamlets: []hamlet{h(150, 75, false)}}.write(t, st)
	}
	o := rollup.Options{Year: 2024, Province: "01"}
	changes := func() map[string]quality.Flag {
		t.Helper()
		flags, err := quality.ReadFlags(context.Background(), st, 2024, "01")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]quality.Flag{}
		for _, f := range flags {
			if f.FlagID == "change/ho_tong/-" {
				out[f.CommuneCode] = f
			}
		}
		return out
	}
	build(t, dir, o)
	got := changes()
	for code, year := range map[string]int{xa22: 2022, xa23: 2023} {
		f, ok := got[code]
		if !ok {
			t.Errorf("%s: no change flag against %d", code, year)
			continue
		}
		if f.PreviousYear != year || !near(f.PreviousValue, 100) || !near(f.Value, 150) || !strings.Contains(f.Message, fmt.Sprintf("so với năm %d", year)) {
			t.Errorf("%s: %+v, want previous_year %d, 100 → 150, the year in the message", code, f, year)
		}
	}
	if f, ok := got[xa20]; ok {
		t.Errorf("%s compared with a year more than 3 years back: %+v", xa20, f)
	}

	// A 2021 upload of the third commune (within reach): flagged against
	// 2021, the flags computed again.
	upload{year: 2021, commune: xa20, at: at(2021), hamlets: []hamlet{h(100, 50, false)}}.write(t, st)
	if res := build(t, dir, o); res.FlagsReused != 0 {
		t.Errorf("flags reused after a 2021 upload")
	}
	if f, ok := changes()[xa20]; !ok || f.PreviousYear != 2021 {
		t.Errorf("%s after its 2021 upload: %+v, want a change flag against 2021", xa20, f)
	}
	// The province returns the 2022 upload: it no longer counts, so the
	// first commune has no accepted year to compare with.
	putReviewIn(t, st, 2022, "01", xa22, review.Returned, sub22)
	if res := build(t, dir, o); res.FlagsReused != 0 {
		t.Errorf("flags reused after a review of 2022")
	}
	if f, ok := changes()[xa22]; ok {
		t.Errorf("%s compared with a returned upload: %+v", xa22, f)
	}
	if res := build(t, dir, o); res.FlagsReused != 1 {
		t.Errorf("rebuild with nothing changed reused %d provinces' flags, want 1", res.FlagsReused)
	}
}
