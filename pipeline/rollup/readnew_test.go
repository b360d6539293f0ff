package rollup_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// A lake holds submissions of older schema versions next to new ones. The
// first build reads new objects assuming one schema and, when a batch
// mixes them, reads it again by name: the older file's missing column is
// null, whichever file DuckDB opens first.
func TestSubmissionsOfTwoSchemasInOneRead(t *testing.T) {
	for _, older := range []string{xaA, xaB} {
		t.Run("older "+older, func(t *testing.T) {
			dir := t.TempDir()
			lake := local.New(dir)
			upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(10, 1, true), h(10, 0, false)}}.write(t, lake)
			upload{year: 2026, commune: xaB, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 90, false)}}.write(t, lake)
			dropColumn(t, dir, older, "cong_dan_dat")
			build(t, dir, rollup.Options{Year: 2026, Province: prov})
			db := views(t, dir)
			p := row(t, db, "SELECT * FROM provinces WHERE province_code = ?", prov)
			wantInt(t, "ho_tong", p["ho_tong"], 120)
			newer := map[string]int64{xaA: 1, xaB: 90}[map[string]string{xaA: xaB, xaB: xaA}[older]]
			wantInt(t, "cong_dan_dat (the newer file's only)", p["cong_dan_dat"], newer)
			c := row(t, db, "SELECT * FROM communes WHERE commune_code = ?", older)
			wantNull(t, "cong_dan_dat of the older file", c["cong_dan_dat"])
			wantInt(t, "ho_tong of the older file", c["ho_tong"], map[string]int64{xaA: 20, xaB: 100}[older])
		})
	}
}

// dropColumn rewrites the commune's submission files without column, as
// an ingest of an older schema version wrote them.
func dropColumn(t *testing.T, dir, commune, column string) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := 0
	err = filepath.WalkDir(filepath.Join(dir, "submissions"), func(p string, d os.DirEntry, err error) error {
		if err != nil || !strings.Contains(p, "commune="+commune+"/") || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		tmp := p + ".old.parquet"
		if _, err := db.ExecContext(context.Background(), "COPY (SELECT * EXCLUDE ("+column+") FROM read_parquet('"+p+"')) TO '"+tmp+"' (FORMAT parquet)"); err != nil {
			return err
		}
		n++
		return os.Rename(tmp, p)
	})
	if err != nil || n == 0 {
		t.Fatalf("rewrote %d files of %s: %v", n, commune, err)
	}
}
