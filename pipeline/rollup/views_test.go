package rollup_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// A query session keeps the roll-up it opened: a build that commits
// meanwhile deletes the files it replaces, which must not break (or
// change) the open views; closing the session removes its pinned files.
func TestViewsSurviveACommit(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	lake := local.New(dir)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(10, 5, true)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	before := manifest(t, lake, "rollups/_manifests/year=2026/province=19.json")

	db, err := rollup.OpenViews(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	upload{year: 2026, commune: xaA, version: "v2", at: ict("2026-11-11 09:00:00"), hamlets: []hamlet{h(20, 5, true)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(before.Files["communes"]))); !os.IsNotExist(err) {
		t.Fatalf("the second build kept the first one's commune file (err %v): the test would prove nothing", err)
	}
	for _, view := range []string{"hamlets", "communes", "provinces", "nation"} {
		wantInt(t, "open session, "+view, row(t, db, "SELECT sum(ho_tong)::BIGINT AS s FROM "+view)["s"], 10)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "xhht-views-*"))
	if len(left) != 0 {
		t.Errorf("pinned files left after Close: %v", left)
	}
	wantInt(t, "new session", row(t, views(t, dir), "SELECT sum(ho_tong)::BIGINT AS s FROM communes")["s"], 20)
}

// Every DuckDB instance spills into a folder of its own (DuckDB 1.5 names
// spill files by size class, so a shared folder mixes instances' files),
// and the folder is gone once the instance closes.
func TestViewsSpillPrivately(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("XHHT_DUCKDB_MEMORY", "32MB")
	dir := t.TempDir()
	a, err := rollup.OpenViews(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := rollup.OpenViews(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var dirA, dirB string
	if err := a.QueryRow("SELECT current_setting('temp_directory')").Scan(&dirA); err != nil {
		t.Fatal(err)
	}
	if err := b.QueryRow("SELECT current_setting('temp_directory')").Scan(&dirB); err != nil {
		t.Fatal(err)
	}
	if dirA == dirB || !strings.HasPrefix(dirA, tmp) {
		t.Fatalf("spill folders %q and %q: want two different folders under %s", dirA, dirB, tmp)
	}
	// A 6-million-row table (~100 MB) does not fit in 32 MB: DuckDB keeps
	// it in its spill folder while it exists.
	if _, err := a.Exec("CREATE TEMP TABLE big AS SELECT i, random() AS r FROM range(6000000) t(i)"); err != nil {
		t.Fatalf("table over the memory limit: %v", err)
	}
	var n int64
	if err := a.QueryRow("SELECT count(*) FROM (SELECT * FROM big ORDER BY r)").Scan(&n); err != nil || n != 6000000 {
		t.Fatalf("sorting it: %d rows, %v", n, err)
	}
	if _, err := os.Stat(dirA); err != nil {
		t.Fatalf("nothing spilled into %s (%v): the test proves nothing", dirA, err)
	}
	if _, err := os.Stat(dirB); !os.IsNotExist(err) {
		t.Errorf("the other instance's spill folder exists (%v)", err)
	}
	a.Close()
	if _, err := os.Stat(dirA); !os.IsNotExist(err) {
		t.Errorf("spill folder %s left after Close (%v)", dirA, err)
	}
}
