package rollup

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"testing"

	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// Builds in one process share a DuckDB instance; what one build caches of
// the files it read (paths no later build uses: its pinned copies) must
// not pile up in it.
func TestSharedInstanceDoesNotGrow(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := rolluptest.Generate(ctx, rolluptest.Dir(dir), rolluptest.Options{Year: 2026, Province: "19", Seed: 7, MinHamlets: 3, MaxHamlets: 6}); err != nil {
		t.Fatal(err)
	}
	quietLog := slog.New(slog.NewTextHandler(io.Discard, nil))
	build := func(i int) {
		if _, err := Build(ctx, Options{Lake: local.New(dir), Year: 2026, Province: "19", Log: quietLog}); err != nil {
			t.Fatal(fmt.Errorf("build %d: %w", i, err))
		}
	}
	// The cache's entries by the build work dir they were read from.
	workDirs := func() map[string]int {
		rows, err := shared.db.QueryContext(ctx, "SELECT path FROM duckdb_external_file_cache()")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			if m := workDirRe.FindString(p); m != "" {
				out[m]++
			}
		}
		return out
	}
	for i := 1; i <= 6; i++ {
		build(i)
	}
	dirs := workDirs()
	if len(dirs) == 0 {
		t.Fatal("no pinned file in DuckDB's external file cache after a build: the test proves nothing")
	}
	if len(dirs) > 1 {
		t.Errorf("DuckDB's external file cache holds files of %d builds, want only the last one's: %v", len(dirs), dirs)
	}
}

var workDirRe = regexp.MustCompile(`xhht-rollup-[0-9]+`)

// A build's schema (its tables and views on the shared instance) is gone
// when the build ends, also when it fails.
func TestBuildSchemaDropped(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := rolluptest.Generate(ctx, rolluptest.Dir(dir), rolluptest.Options{Year: 2026, Province: "19", Seed: 8, MinHamlets: 2, MaxHamlets: 3}); err != nil {
		t.Fatal(err)
	}
	quietLog := slog.New(slog.NewTextHandler(io.Discard, nil))
	schemas := func() int {
		var n int
		if err := shared.db.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_schemas() WHERE starts_with(schema_name, 'build_')").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, err := Build(ctx, Options{Lake: local.New(dir), Year: 2026, Province: "19", Log: quietLog}); err != nil {
		t.Fatal(err)
	}
	if n := schemas(); n != 0 {
		t.Errorf("%d build schemas left after a build", n)
	}
	_, err := Build(ctx, Options{Lake: failingPut{local.New(dir)}, Year: 2026, Province: "19", Log: quietLog})
	if err == nil {
		t.Fatal("a build whose uploads fail succeeded")
	}
	if n := schemas(); n != 0 {
		t.Errorf("%d build schemas left after a failed build", n)
	}
}

// failingPut refuses every Put.
type failingPut struct{ *local.Store }

func (failingPut) Put(context.Context, string, []byte, string) error {
	return fmt.Errorf("disk full")
}
