package rollup_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/quality"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
	"github.com/xhht/xhht/pipeline/targets"
)

// outputTables are the tables a province's manifest names that a reader
// sees (the caches are checked by the builds that read them).
var outputTables = []string{rollup.Hamlets, rollup.Communes, rollup.Provinces, rollup.Completeness, rollup.Flags}

// outputs reads, for every province in provs, every output table's rows
// (tableRows: all columns but build_id and built_at, checked to be of the
// build that wrote the file), and the nation's, keyed "province/table",
// each table's rows sorted.
func outputs(t *testing.T, dir string, year int, provs ...string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range provs {
		for _, tb := range outputTables {
			out[p+"/"+tb] = tableRows(t, dir, year, p, tb)
		}
	}
	out["all/nation"] = tableRows(t, dir, year, lake.NationCode, rollup.Nation)
	out["all/completeness"] = tableRows(t, dir, year, lake.NationCode, rollup.Completeness)
	// Compared as sets of rows: a table's row order is DuckDB's (the
	// nation's completeness groups by deadline, in no set order).
	for _, rows := range out {
		slices.Sort(rows)
	}
	return out
}

// diffOutputs lists the tables whose rows differ.
func diffOutputs(a, b map[string][]string) []string {
	var d []string
	for k, rows := range a {
		if !slices.Equal(rows, b[k]) {
			d = append(d, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, k)
		}
	}
	slices.Sort(d)
	return d
}

// freshNational builds the year nationally in a copy of the lake without
// any roll-up of that year (no manifest, no cache, no file), and returns
// its outputs.
func freshNational(t *testing.T, dir string, o rollup.Options, provs ...string) map[string][]string {
	t.Helper()
	fresh := filepath.Join(t.TempDir(), "fresh")
	if err := os.CopyFS(fresh, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{lake.ManifestsYearPrefix(lake.RollupsPrefix, o.Year)} {
		if err := os.RemoveAll(filepath.Join(fresh, filepath.FromSlash(p))); err != nil {
			t.Fatal(err)
		}
	}
	if res := build(t, fresh, o); res.OutputsReused != 0 || res.FlagsReused != 0 || res.IdentityReused != 0 {
		t.Fatalf("a build without manifests reused outputs %d, flags %d, identities %d", res.OutputsReused, res.FlagsReused, res.IdentityReused)
	}
	return outputs(t, fresh, o.Year, provs...)
}

// outputsLake: province 19 (flagsLake: 2025 and 2026, flags of most
// kinds) and a commune of province 01 in 2026.
func outputsLake(t *testing.T) (string, map[string]string) {
	dir, ids := flagsLake(t)
	ids["X26"] = upload{year: 2026, commune: "00004", at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(300, 200, true)}}.write(t, local.New(dir))
	build(t, dir, rollup.Options{Year: 2025})
	return dir, ids
}

// A national rebuild with nothing changed reuses every province whole:
// nothing is computed, the manifests are this build's and name the files
// of the first, and every table (the nation's too) is what a build from
// scratch gives.
func TestOutputReuseNothingChanged(t *testing.T) {
	dir, _ := outputsLake(t)
	o := rollup.Options{Year: 2026}
	first := build(t, dir, o)
	if first.OutputsReused != 0 {
		t.Fatalf("first national build reused %d provinces", first.OutputsReused)
	}
	before := outputs(t, dir, 2026, prov, "01")
	if len(before[prov+"/"+rollup.Flags]) < 6 || len(before["01/"+rollup.Hamlets]) != 1 {
		t.Fatalf("the lake should give flags in 19 and a hamlet in 01: %q", before)
	}
	again := build(t, dir, o)
	if again.OutputsReused != 34 || len(again.Provinces) != 34 {
		t.Fatalf("rebuild reused %d provinces, committed %d; want 34 and 34", again.OutputsReused, len(again.Provinces))
	}
	if again.Inputs != first.Inputs {
		t.Errorf("rebuild counted %d inputs, the first %d", again.Inputs, first.Inputs)
	}
	if !again.Nation {
		t.Errorf("the nation was not rebuilt")
	}
	st := local.New(dir)
	m := manifest(t, st, lake.ManifestKey(lake.RollupsPrefix, 2026, prov))
	if m.BuildID != again.BuildID {
		t.Errorf("manifest of 19 is of build %s, want the rebuild's %s", m.BuildID, again.BuildID)
	}
	if k := m.Files[rollup.Hamlets]; k != lake.RollupFileKey(lake.RollupsPrefix, rollup.Hamlets, 2026, prov, first.BuildID) {
		t.Errorf("manifest of 19 names %s, want the first build's hamlets", k)
	}
	assertFilesExist(t, dir, m)
	if d := diffOutputs(outputs(t, dir, 2026, prov, "01"), before); d != nil {
		t.Errorf("reused outputs differ from the first build's: %v", d)
	}
	if d := diffOutputs(freshNational(t, dir, o, prov, "01"), before); d != nil {
		t.Errorf("reused outputs differ from a build from scratch: %v", d)
	}
	// A third build reuses the reused manifests, and a province build
	// (after an upload, say) builds the province anew.
	if res := build(t, dir, o); res.OutputsReused != 34 {
		t.Errorf("third build reused %d provinces", res.OutputsReused)
	}
	pb := build(t, dir, rollup.Options{Year: 2026, Province: prov})
	if pb.OutputsReused != 0 {
		t.Errorf("a province build reused its outputs")
	}
	m = manifest(t, st, lake.ManifestKey(lake.RollupsPrefix, 2026, prov))
	assertOnlyCurrentFiles(t, st, m)
	if d := diffOutputs(outputs(t, dir, 2026, prov, "01"), before); d != nil {
		t.Errorf("province build's outputs differ: %v", d)
	}
	// The national build after it reuses the province build's outputs.
	if res := build(t, dir, o); res.OutputsReused != 34 {
		t.Errorf("national build after a province build reused %d provinces, want 34", res.OutputsReused)
	}
}

// assertFilesExist checks that every file a manifest names is there.
func assertFilesExist(t *testing.T, dir string, m lake.Manifest) {
	t.Helper()
	for tb, k := range m.Files {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(k))); err != nil {
			t.Errorf("%s of %s: %v", tb, m.Province, err)
		}
	}
}

// Each input a province's outputs depend on, changed after a national
// build, makes the next national build compute that province again (and
// only it, for a change confined to it), with the tables a build from
// scratch gives, which differ from before (the change matters). A digest
// that forgot the input would reuse the old tables here.
func TestOutputReuseEachDependency(t *testing.T) {
	const tgHead = "scope,registry,unit_code,unit_name,indicator,target_year,from_year,difficult,percent,source,note\n"
	const dfHead = "registry,commune_code,commune_name,source,note\n"
	tgFS := func(rows, difficult string) *targets.Set {
		tg, err := targets.LoadFS(fstest.MapFS{
			targets.TargetsFile:   {Data: []byte(tgHead + "national,,,VN,ty_le_ho_dat,2030,2021,,80,QĐ N,\nnational,,,VN,ty_le_ho_dat,2030,2021,yes,70,QĐ N,\n" + rows)},
			targets.DifficultFile: {Data: []byte(dfHead + difficult)},
		})
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	baseTargets := tgFS("", "")
	dlFS := func(due19 string) *deadlines.Set {
		fsys := fstest.MapFS{}
		for _, f := range []string{deadlines.DeadlinesFile, deadlines.CommuneDueFile} {
			body, err := os.ReadFile(filepath.Join("..", "..", "schemas", filepath.FromSlash(f)))
			if err != nil {
				t.Fatal(err)
			}
			if f == deadlines.CommuneDueFile {
				body = append(body, due19...)
			}
			fsys[f] = &fstest.MapFile{Data: body}
		}
		d, err := deadlines.LoadFS(fsys)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	baseDeadlines := dlFS("")
	strictRules := fstest.MapFS{quality.RulesFile: {Data: []byte(`{"version":1,"rules":[
{"rule":"change","indicators":["ho_tong","lao_dong_tong"],"threshold":0.05}]}`)}}
	for _, c := range []struct {
		name string
		// change changes the lake or returns changed options; rebuild
		// lists the provinces to be computed again.
		change  func(t *testing.T, dir string, ids map[string]string, o *rollup.Options)
		rebuilt int
	}{
		{"an upload of the year", func(t *testing.T, dir string, _ map[string]string, _ *rollup.Options) {
			upload{year: 2026, commune: xaB, file: "lan-2.xlsx", at: ict("2026-11-12 09:00:00"), hamlets: []hamlet{h(60, 30, true), h(40, 25, true)}}.write(t, local.New(dir))
		}, 1},
		{"a rejected upload of the year (receipt only)", func(t *testing.T, dir string, _ map[string]string, _ *rollup.Options) {
			upload{year: 2026, commune: "01864", file: "sai.xlsx", at: ict("2026-11-12 09:00:00"), rejected: "Ô C12: trùng tên thôn"}.write(t, local.New(dir))
		}, 1},
		{"an upload of last year", func(t *testing.T, dir string, _ map[string]string, _ *rollup.Options) {
			upload{year: 2025, commune: xaA, file: "lan-2.xlsx", at: ict("2025-11-12 09:00:00"), hamlets: []hamlet{
				th("T01", "Thôn 1", h(100, 90, true)), th("T02", "Thôn Đồng", h(200, 180, true)), th("T04", "Thôn 4", h(80, 72, true))}}.write(t, local.New(dir))
		}, 1},
		{"an upload of an earlier year (hamlet identity)", func(t *testing.T, dir string, _ map[string]string, _ *rollup.Options) {
			// 2024 is before the reform: it must not count.
			upload{year: 2025, commune: xaB, file: "cu.xlsx", at: ict("2025-01-10 09:00:00"), hamlets: []hamlet{h(61, 30, true), h(40, 20, true)}}.write(t, local.New(dir))
		}, 1},
		{"a review of the year", func(t *testing.T, dir string, ids map[string]string, _ *rollup.Options) {
			putReview(t, local.New(dir), 2026, xaA, review.Returned, ids["A26"], "", "Sai số hộ")
		}, 1},
		{"an approval of the year (completeness' review columns)", func(t *testing.T, dir string, ids map[string]string, _ *rollup.Options) {
			putReview(t, local.New(dir), 2026, xaB, review.Approved, ids["B26"], ids["B26"], "")
		}, 1},
		{"a review of last year", func(t *testing.T, dir string, ids map[string]string, _ *rollup.Options) {
			putReview(t, local.New(dir), 2025, xaB, review.Returned, ids["B25"], "", "Sai")
		}, 1},
		{"the rules", func(_ *testing.T, _ string, _ map[string]string, o *rollup.Options) {
			o.Schemas = strictRules
		}, 34},
		{"a province's target", func(_ *testing.T, _ string, _ map[string]string, o *rollup.Options) {
			o.Targets = tgFS("province,2025,19,TN,ty_le_ho_dat,2027,2025,,84,KH tỉnh,\n", "")
		}, 1},
		{"a difficult commune (register rows)", func(_ *testing.T, _ string, _ map[string]string, o *rollup.Options) {
			o.Targets = tgFS("", "2025,"+xaA+",A,QĐ x,\n")
		}, 1},
		{"a province's due date", func(_ *testing.T, _ string, _ map[string]string, o *rollup.Options) {
			o.Deadlines = dlFS("19,2025,12-01,11-05,\"7,1\",\n")
		}, 1},
		{"no flags", func(_ *testing.T, _ string, _ map[string]string, o *rollup.Options) {
			o.NoFlags = true
		}, 34},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, ids := outputsLake(t)
			o := rollup.Options{Year: 2026, Targets: baseTargets, Deadlines: baseDeadlines}
			build(t, dir, o)
			provs := []string{prov, "01"}
			before := outputs(t, dir, 2026, provs...)
			if res := build(t, dir, o); res.OutputsReused != 34 {
				t.Fatalf("rebuild before the change reused %d provinces, want 34", res.OutputsReused)
			}
			c.change(t, dir, ids, &o)
			if c.name == "an upload of last year" || c.name == "a review of last year" {
				build(t, dir, rollup.Options{Year: 2025})
			}
			res := build(t, dir, o)
			if got := 34 - res.OutputsReused; got != c.rebuilt {
				t.Errorf("%d provinces computed after the change, want %d", got, c.rebuilt)
			}
			got := outputs(t, dir, 2026, provs...)
			// An older upload of an earlier year must make the province
			// recompute (the hamlet identity reads that history: the count
			// above fails without it in the digest), but with these hamlets
			// it changes no code, so no table: the check below is that the
			// recomputed tables equal a build from scratch.
			if d := diffOutputs(got, before); len(d) == 0 && c.name != "an upload of an earlier year (hamlet identity)" {
				t.Errorf("the change did not change any table (test is void)")
			}
			if d := diffOutputs(got, freshNational(t, dir, o, provs...)); d != nil {
				t.Errorf("tables differ from a build from scratch: %v", d)
			}
			// And the next build, with nothing changed, reuses them all.
			if res := build(t, dir, o); res.OutputsReused != 34 {
				t.Errorf("rebuild after the change reused %d provinces, want 34", res.OutputsReused)
			}
			if d := diffOutputs(outputs(t, dir, 2026, provs...), got); d != nil {
				t.Errorf("reused tables differ: %v", d)
			}
		})
	}
}

// A manifest replaced between the decision to reuse it and the commit (a
// build committed meanwhile, with other inputs) is not named by the stale
// decision: the build builds again without caches, and the result is the
// build from scratch's.
func TestOutputReuseManifestChangedMeanwhile(t *testing.T) {
	dir, _ := outputsLake(t)
	key := lake.ManifestKey(lake.RollupsPrefix, 2026, prov)
	// Both builds through the wrapper: its listing's version tokens (the
	// store's) differ from a local lake's (listLocal), and so would the
	// digests.
	o := rollup.Options{Year: 2026, Lake: &replaceOnSecondGet{Store: local.New(dir), dir: dir}, Log: quiet}
	if _, err := rollup.Build(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	st := &replaceOnSecondGet{Store: local.New(dir), dir: dir, key: key}
	o.Lake = st
	res, err := rollup.Build(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if st.gets < 2 {
		t.Fatalf("the manifest was read %d times: the race was not staged", st.gets)
	}
	if res.OutputsReused != 0 {
		t.Errorf("the retry reused %d provinces", res.OutputsReused)
	}
	m := manifest(t, local.New(dir), key)
	if m.BuildID != res.BuildID || m.CacheDigest["outputs"] == "changed" {
		t.Errorf("manifest of 19 is %s (digest %s), want the rebuild's %s", m.BuildID, m.CacheDigest["outputs"], res.BuildID)
	}
	assertOnlyCurrentFiles(t, local.New(dir), m)
	o.Lake = nil
	if d := diffOutputs(outputs(t, dir, 2026, prov, "01"), freshNational(t, dir, o, prov, "01")); d != nil {
		t.Errorf("tables differ from a build from scratch: %v", d)
	}
}

// replaceOnSecondGet stages a commit by another build between a national
// build's reading of key (its decision) and its commit: on the second
// read, the manifest's outputs digest is replaced first.
type replaceOnSecondGet struct {
	*local.Store
	dir, key string
	mu       sync.Mutex
	gets     int
}

func (s *replaceOnSecondGet) Get(ctx context.Context, key, version string) ([]byte, storage.Object, error) {
	if key == s.key {
		s.mu.Lock()
		s.gets++
		if s.gets == 2 {
			body, _, err := s.Store.Get(ctx, key, "")
			if err != nil {
				s.mu.Unlock()
				return nil, storage.Object{}, err
			}
			var m lake.Manifest
			if err := json.Unmarshal(body, &m); err != nil {
				s.mu.Unlock()
				return nil, storage.Object{}, err
			}
			m.CacheDigest["outputs"] = "changed"
			body, _ = json.Marshal(m)
			if err := s.Store.Put(ctx, key, body, "application/json"); err != nil {
				s.mu.Unlock()
				return nil, storage.Object{}, err
			}
		}
		s.mu.Unlock()
	}
	return s.Store.Get(ctx, key, version)
}
