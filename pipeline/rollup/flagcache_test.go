package rollup_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" driver

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/quality"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// flagRows reads the flags file the manifest of (year, province) names,
// every column but build_id and built_at, one line per row in file order,
// and checks that its build_id and built_at are the build's.
func flagRows(t *testing.T, dir string, year int, province string) []string {
	t.Helper()
	return tableRows(t, dir, year, province, rollup.Flags)
}

// tableRows is flagRows for any table of the manifest.
func tableRows(t *testing.T, dir string, year int, province, table string) []string {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(lake.ManifestKey(lake.RollupsPrefix, year, province))))
	if err != nil {
		t.Fatal(err)
	}
	var m lake.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	key := m.Files[table]
	if key == "" {
		return nil
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	path := strings.ReplaceAll(filepath.Join(dir, filepath.FromSlash(key)), "'", "''")
	// The rows are of the build that wrote the file: the manifest's, or
	// an earlier one whose outputs a national build reused (then only the
	// build id is known, and it is older than the manifest's).
	fileBuild := strings.TrimSuffix(filepath.Base(key), ".parquet")
	cond := fmt.Sprintf("build_id <> '%s'", fileBuild)
	if fileBuild == m.BuildID {
		cond += fmt.Sprintf(" OR built_at <> '%s'::TIMESTAMPTZ", m.BuiltAt.Format("2006-01-02T15:04:05.999999Z07:00"))
	} else if fileBuild > m.BuildID {
		t.Errorf("%s of %s: file of build %s, newer than its manifest's %s", table, province, fileBuild, m.BuildID)
	}
	var wrong int
	if err := db.QueryRow(fmt.Sprintf("SELECT count(*) FILTER (WHERE %s) FROM read_parquet('%s')", cond, path)).Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	if wrong != 0 {
		t.Errorf("%d %s rows not of the build %s (manifest %s, built at %s)", wrong, table, fileBuild, m.BuildID, m.BuiltAt)
	}
	// In file order (a single file's scan keeps it).
	rs, err := db.Query(fmt.Sprintf("SELECT x::VARCHAR FROM (SELECT * EXCLUDE (build_id, built_at) FROM read_parquet('%s')) x", path))
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var line string
		if err := rs.Scan(&line); err != nil {
			t.Fatal(err)
		}
		out = append(out, line)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// freshFlags builds (year, province) from scratch in a copy of the lake
// whose manifests of that year are gone (so no cache of any kind), and
// returns its flags rows.
func freshFlags(t *testing.T, dir string, o rollup.Options) []string {
	t.Helper()
	fresh := filepath.Join(t.TempDir(), "fresh")
	if err := os.CopyFS(fresh, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(fresh, filepath.FromSlash(lake.ManifestsYearPrefix(lake.RollupsPrefix, o.Year)))); err != nil {
		t.Fatal(err)
	}
	if res := build(t, fresh, o); res.FlagsReused != 0 {
		t.Fatalf("a build without manifests reused the flags of %d provinces", res.FlagsReused)
	}
	return flagRows(t, fresh, o.Year, o.Province)
}

// flagsLake: province 19 with flags of most kinds in 2026 against 2025.
func flagsLake(t *testing.T) (string, map[string]string) {
	dir := t.TempDir()
	st := local.New(dir)
	ids := map[string]string{}
	ids["A25"] = upload{year: 2025, commune: xaA, at: ict("2025-11-10 09:00:00"), hamlets: []hamlet{
		th("T01", "Thôn 1", h(100, 50, false)), th("T02", "Thôn Đồng", h(200, 100, false)), th("T03", "Thôn 3", h(50, 25, false))}}.write(t, st)
	ids["A26"] = upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{
		th("T01", "Thôn 1", h(100, 90, true)), th("T02", "Thôn Đồng Mới", h(200, 180, true)), th("T04", "Thôn 4", h(80, 72, true))}}.write(t, st)
	b := []hamlet{h(60, 30, true), h(40, 20, true)}
	ids["B25"] = upload{year: 2025, commune: xaB, at: ict("2025-11-10 09:00:00"), hamlets: b}.write(t, st)
	ids["B26"] = upload{year: 2026, commune: xaB, at: ict("2026-11-10 09:00:00"), hamlets: b}.write(t, st)
	var c []hamlet
	for _, n := range []int64{100, 120, 120, 130, 140, 150, 1500} {
		c = append(c, h(n, n, false))
	}
	ids["C26"] = upload{year: 2026, commune: "01849", at: ict("2026-11-10 09:00:00"), hamlets: c}.write(t, st)
	build(t, dir, rollup.Options{Year: 2025, Province: prov})
	return dir, ids
}

// A rebuild with nothing changed reuses the flags, and gives exactly the
// rows of the first build and of a build from scratch, with its own
// build_id and built_at.
func TestFlagsCacheReuseEqualsFresh(t *testing.T) {
	dir, _ := flagsLake(t)
	o := rollup.Options{Year: 2026, Province: prov}
	if res := build(t, dir, o); res.FlagsReused != 0 {
		t.Fatalf("first build reused %d provinces' flags", res.FlagsReused)
	}
	first := flagRows(t, dir, 2026, prov)
	if len(first) < 6 {
		t.Fatalf("only %d flags: the lake should raise several", len(first))
	}
	res := build(t, dir, o)
	if res.FlagsReused != 1 {
		t.Fatalf("rebuild reused %d provinces' flags, want 1", res.FlagsReused)
	}
	again := flagRows(t, dir, 2026, prov)
	if !slices.Equal(again, first) {
		t.Errorf("reused flags differ from the first build's:\n%q\n%q", again, first)
	}
	if fresh := freshFlags(t, dir, o); !slices.Equal(again, fresh) {
		t.Errorf("reused flags differ from a build from scratch:\n%q\n%q", again, fresh)
	}
	// A national build reuses the province's flags too (the digest does
	// not depend on the build's scope): with the rest of its outputs
	// (outputs.go), and computes the others (nothing).
	if res := build(t, dir, rollup.Options{Year: 2026}); res.FlagsReused+res.OutputsReused < 1 {
		t.Errorf("national build reused %d provinces' flags, %d provinces' outputs", res.FlagsReused, res.OutputsReused)
	}
	if got := flagRows(t, dir, 2026, prov); !slices.Equal(got, first) {
		t.Errorf("flags after a national build differ:\n%q\n%q", got, first)
	}
	if res := build(t, dir, rollup.Options{Year: 2026}); res.OutputsReused != 34 {
		t.Errorf("second national build reused %d provinces' outputs, want 34", res.OutputsReused)
	}
}

// Each input the flags depend on, changed after a build, makes the next
// build compute the province's flags again, and the result equals a build
// from scratch (and differs from before: the change matters to the
// flags). A digest that forgot one of them would reuse the old rows here.
func TestFlagsCacheEachDependency(t *testing.T) {
	strictRules := fstest.MapFS{quality.RulesFile: {Data: []byte(`{"version":1,"rules":[
{"rule":"change","indicators":["ho_tong","lao_dong_tong"],"threshold":0.05}]}`)}}
	for _, c := range []struct {
		name   string
		change func(t *testing.T, dir string, ids map[string]string) rollup.Options
	}{
		{"an upload of the year", func(t *testing.T, dir string, _ map[string]string) rollup.Options {
			upload{year: 2026, commune: xaB, file: "lan-2.xlsx", at: ict("2026-11-12 09:00:00"), hamlets: []hamlet{h(60, 30, true), h(40, 20, true)}}.write(t, local.New(dir))
			return rollup.Options{}
		}},
		{"an upload of last year", func(t *testing.T, dir string, _ map[string]string) rollup.Options {
			upload{year: 2025, commune: xaA, file: "lan-2.xlsx", at: ict("2025-11-12 09:00:00"), hamlets: []hamlet{
				th("T01", "Thôn 1", h(100, 90, true)), th("T02", "Thôn Đồng", h(200, 180, true)), th("T04", "Thôn 4", h(80, 72, true))}}.write(t, local.New(dir))
			return rollup.Options{}
		}},
		{"a review of the year (returned: counts nothing)", func(t *testing.T, dir string, ids map[string]string) rollup.Options {
			putReview(t, local.New(dir), 2026, xaA, review.Returned, ids["A26"], "", "Sai số hộ")
			return rollup.Options{}
		}},
		{"a review of last year", func(t *testing.T, dir string, ids map[string]string) rollup.Options {
			putReview(t, local.New(dir), 2025, xaB, review.Returned, ids["B25"], "", "Sai")
			return rollup.Options{}
		}},
		{"the rules file", func(t *testing.T, dir string, _ map[string]string) rollup.Options {
			return rollup.Options{Schemas: strictRules}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, ids := flagsLake(t)
			build(t, dir, rollup.Options{Year: 2026, Province: prov})
			before := flagRows(t, dir, 2026, prov)
			o := c.change(t, dir, ids)
			o.Year, o.Province = 2026, prov
			if c.name == "an upload of last year" || c.name == "a review of last year" {
				build(t, dir, rollup.Options{Year: 2025, Province: prov})
			}
			res := build(t, dir, o)
			if res.FlagsReused != 0 {
				t.Errorf("flags reused after the change")
			}
			got := flagRows(t, dir, 2026, prov)
			if slices.Equal(got, before) {
				t.Errorf("the change did not change the flags (test is void): %q", got)
			}
			if fresh := freshFlags(t, dir, o); !slices.Equal(got, fresh) {
				t.Errorf("flags differ from a build from scratch:\n%q\n%q", got, fresh)
			}
			// And the next build, with nothing changed, reuses them again.
			if res := build(t, dir, o); res.FlagsReused != 1 {
				t.Errorf("rebuild after the change reused %d provinces' flags, want 1", res.FlagsReused)
			}
			if again := flagRows(t, dir, 2026, prov); !slices.Equal(again, got) {
				t.Errorf("reused flags differ:\n%q\n%q", again, got)
			}
		})
	}
}

// Hamlet identity reads years before last year (pre-2025: ten years): a
// code written in 2022 makes a 2024 hamlet without a code the one of 2023,
// which changes its flags (no hamlet gone/new). And across the reform,
// last year is the re-based roll-up: rebuilding it after a 2024 upload
// changes the 2025 flags.
func TestFlagsCacheHistoryAndRebased(t *testing.T) {
	t.Run("history year", func(t *testing.T) {
		dir := t.TempDir()
		st := local.New(dir)
		const xa = "00006"
		upload{year: 2023, commune: xa, at: ict("2023-11-10 09:00:00"), hamlets: []hamlet{coded("T03", "Thôn Ba Cũ", 100, 50), coded("T01", "Thôn Một", 80, 40)}}.write(t, st)
		upload{year: 2024, commune: xa, at: ict("2024-11-10 09:00:00"), hamlets: []hamlet{uncoded("Thôn Ba", 100, 50), coded("T01", "Thôn Một", 80, 40)}}.write(t, st)
		o := rollup.Options{Year: 2024, Province: "01"}
		build(t, dir, rollup.Options{Year: 2023, Province: "01"})
		build(t, dir, o)
		before := flagRows(t, dir, 2024, "01")
		upload{year: 2022, commune: xa, at: ict("2022-11-10 09:00:00"), hamlets: []hamlet{coded("T03", "Thôn Ba", 100, 50)}}.write(t, st)
		if res := build(t, dir, o); res.FlagsReused != 0 {
			t.Errorf("flags reused after a 2022 upload")
		}
		got := flagRows(t, dir, 2024, "01")
		if slices.Equal(got, before) {
			t.Errorf("the 2022 upload did not change the flags (test is void): %q", got)
		}
		if fresh := freshFlags(t, dir, o); !slices.Equal(got, fresh) {
			t.Errorf("flags differ from a build from scratch:\n%q\n%q", got, fresh)
		}
	})
	t.Run("re-based last year", func(t *testing.T) {
		dir := t.TempDir()
		st := local.New(dir)
		rb := rollup.Options{Year: 2024, Province: "01", Units: "2025"}
		// New 00382 = old 00382, 00397, 00415, all whole, all reported
		// (a predecessor without data would make it not comparable).
		upload{year: 2024, commune: "00382", at: ict("2024-11-10 09:00:00"), hamlets: []hamlet{h(100, 70, true)}}.write(t, st)
		upload{year: 2024, commune: "00397", at: ict("2024-11-10 09:00:00"), hamlets: []hamlet{h(100, 70, true)}}.write(t, st)
		upload{year: 2024, commune: "00415", at: ict("2024-11-10 09:00:00"), hamlets: []hamlet{h(100, 70, true)}}.write(t, st)
		build(t, dir, rb)
		// 300 households in 2024, 400 in 2025 (+33 %: flagged).
		upload{year: 2025, commune: "00382", at: ict("2025-11-10 09:00:00"), hamlets: []hamlet{h(400, 300, true)}}.write(t, st)
		o := rollup.Options{Year: 2025, Province: "01"}
		build(t, dir, o)
		before := flagRows(t, dir, 2025, "01")
		// A later 2024 upload of 00382: 200 + 100 + 100 = 400 households,
		// no change flag once re-based.
		upload{year: 2024, commune: "00382", file: "lan-2.xlsx", at: ict("2024-11-12 09:00:00"), hamlets: []hamlet{h(200, 150, true)}}.write(t, st)
		if res := build(t, dir, o); res.FlagsReused != 1 {
			t.Errorf("the re-based roll-up was not rebuilt, yet the flags were computed again (%d reused)", res.FlagsReused)
		}
		build(t, dir, rb)
		if res := build(t, dir, o); res.FlagsReused != 0 {
			t.Errorf("flags reused after the re-based roll-up of 2024 changed")
		}
		got := flagRows(t, dir, 2025, "01")
		if slices.Equal(got, before) {
			t.Errorf("the re-based change did not change the flags (test is void): %q", got)
		}
		if fresh := freshFlags(t, dir, o); !slices.Equal(got, fresh) {
			t.Errorf("flags differ from a build from scratch:\n%q\n%q", got, fresh)
		}
	})
}

// The hamlet identities of a province are reused when its uploads of the
// years read did not change, and the hamlet level is then the one a build
// from scratch gives; an upload of last year (which gives a code to a
// name) makes the next build compute them again.
func TestIdentityCacheEqualsFresh(t *testing.T) {
	dir := t.TempDir()
	st := local.New(dir)
	upload{year: 2025, commune: xaA, at: ict("2025-11-10 09:00:00"), hamlets: []hamlet{coded("T05", "Thôn Năm", 100, 50)}}.write(t, st)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{uncoded("Thôn Năm", 110, 60), coded("T01", "Thôn Một", 80, 40)}}.write(t, st)
	o := rollup.Options{Year: 2026, Province: prov}
	codeOf := func(rows []string) string {
		for _, r := range rows {
			if strings.Contains(r, "'ten_thon': Thôn Năm") {
				i := strings.Index(r, "'ma_thon': ")
				return strings.SplitN(r[i+len("'ma_thon': "):], ",", 2)[0]
			}
		}
		return ""
	}
	if res := build(t, dir, o); res.IdentityReused != 0 {
		t.Fatalf("first build reused %d provinces' identities", res.IdentityReused)
	}
	first := tableRows(t, dir, 2026, prov, rollup.Hamlets)
	if got := codeOf(first); got != "T05" {
		t.Fatalf("Thôn Năm has code %q, want T05 (last year's): %q", got, first)
	}
	if res := build(t, dir, o); res.IdentityReused != 1 {
		t.Fatalf("rebuild reused %d provinces' identities, want 1", res.IdentityReused)
	}
	again := tableRows(t, dir, 2026, prov, rollup.Hamlets)
	if !slices.Equal(again, first) {
		t.Errorf("hamlets with reused identities differ:\n%q\n%q", again, first)
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	if err := os.CopyFS(fresh, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(fresh, "rollups")); err != nil {
		t.Fatal(err)
	}
	build(t, fresh, o)
	if got := tableRows(t, fresh, 2026, prov, rollup.Hamlets); !slices.Equal(again, got) {
		t.Errorf("hamlets with reused identities differ from a build from scratch:\n%q\n%q", again, got)
	}
	// Last year's later upload codes the name T07: recomputed.
	upload{year: 2025, commune: xaA, file: "lan-2.xlsx", at: ict("2025-11-12 09:00:00"), hamlets: []hamlet{coded("T07", "Thôn Năm", 100, 50)}}.write(t, st)
	if res := build(t, dir, o); res.IdentityReused != 0 {
		t.Errorf("identities reused after an upload of last year")
	}
	if got := codeOf(tableRows(t, dir, 2026, prov, rollup.Hamlets)); got != "T07" {
		t.Errorf("Thôn Năm has code %q after last year's new upload, want T07", got)
	}
	// A national build reuses the province's identities.
	if res := build(t, dir, rollup.Options{Year: 2026}); res.IdentityReused+res.OutputsReused < 1 {
		t.Errorf("national build reused %d provinces' identities, %d provinces' outputs", res.IdentityReused, res.OutputsReused)
	}
	if got := codeOf(tableRows(t, dir, 2026, prov, rollup.Hamlets)); got != "T07" {
		t.Errorf("Thôn Năm has code %q after a national build, want T07", got)
	}
}
