package rollup

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/xhht/xhht/pipeline/storage/local"
)

// Views lists the query views OpenViews defines, in order.
var Views = []string{Hamlets, Communes, Districts, Provinces, Nation, Completeness, "submissions", "receipts"}

// OpenViews opens an in-memory DuckDB over a local lake directory with the
// views hamlets, communes, districts, provinces, nation, completeness
// (the current roll-ups, through their manifests, each with a `year`
// column first), submissions (every accepted row, with `counted` telling
// whether it is the row the roll-up uses) and receipts. Re-based roll-ups
// are in rebased_<view>. The caller closes the DB.
func OpenViews(ctx context.Context, lakeDir string) (*sql.DB, error) {
	work, err := viewsWorkDir()
	if err != nil {
		return nil, err
	}
	db, err := openDuckDB(ctx, work)
	if err != nil {
		return nil, err
	}
	if err := defineViews(ctx, db, lakeDir); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func defineViews(ctx context.Context, db *sql.DB, lakeDir string) error {
	lake := local.New(lakeDir)
	// Manifests of every year and register, for the plain and the
	// re-based views.
	objs, err := lake.List(ctx, "rollups/")
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	files := map[string][]string{} // view → local files
	for _, o := range objs {
		if !strings.Contains(o.Key, "_manifests/") || !strings.HasSuffix(o.Key, ".json") {
			continue
		}
		prefix := o.Key[:strings.Index(o.Key, "_manifests/")]
		view := ""
		if prefix != "rollups/" {
			view = "rebased_"
		}
		m, err := readManifest(ctx, lake, o.Key)
		if err != nil {
			return err
		}
		for t, key := range m.Files {
			files[view+t] = append(files[view+t], filepath.Join(lakeDir, filepath.FromSlash(key)))
		}
	}
	var stmts []string
	for _, pre := range []string{"", "rebased_"} {
		for _, t := range Tables {
			fs := files[pre+t]
			sort.Strings(fs)
			src := "(" + emptyTableSQL(t) + ")"
			if len(fs) > 0 {
				src = fmt.Sprintf("read_parquet(%s, union_by_name = true, hive_partitioning = false)", sqlList(fs))
			}
			stmts = append(stmts, fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT report_year AS year, * FROM %s", pre+t, src))
		}
	}
	subs := "(" + emptySubmissionsSQL() + ")"
	if has(lakeDir, "submissions") {
		subs = fmt.Sprintf("read_parquet(%s, union_by_name = true, hive_partitioning = false)", quote(filepath.Join(lakeDir, "submissions", "**", "*.parquet")))
	}
	// counted: the submission the roll-up uses for this commune, year and
	// form (latest received_at; ties by source_key, source_version).
	stmts = append(stmts, fmt.Sprintf(`CREATE OR REPLACE VIEW submissions AS
SELECT report_year AS year, *, submission_id = first_value(submission_id) OVER (
  PARTITION BY report_year, commune_code, form ORDER BY received_at DESC, source_key DESC, source_version DESC, submission_id DESC) AS counted
FROM %s`, subs))
	rc := "SELECT NULL::INTEGER AS year, NULL::VARCHAR AS submission_id, NULL::VARCHAR AS status, NULL::VARCHAR AS province_code, NULL::VARCHAR AS commune_code, NULL::VARCHAR AS commune_name, NULL::VARCHAR AS source_key, NULL::TIMESTAMPTZ AS received_at, NULL::INTEGER AS error_count, NULL::INTEGER AS warning_count, NULL::VARCHAR AS first_error WHERE false"
	if has(lakeDir, "receipts") {
		rc = fmt.Sprintf(`SELECT year, submission_id, status, province_code, commune_code, commune_name, source_key, received_at, error_count, warning_count,
  list_filter(errors, e -> e.severity = 'error')[1].message AS first_error
FROM read_json(%s, format = 'auto', columns = {submission_id: 'VARCHAR', status: 'VARCHAR', year: 'INTEGER', province_code: 'VARCHAR',
  commune_code: 'VARCHAR', commune_name: 'VARCHAR', source_key: 'VARCHAR', received_at: 'TIMESTAMPTZ', error_count: 'INTEGER', warning_count: 'INTEGER',
  errors: 'STRUCT(code VARCHAR, severity VARCHAR, message VARCHAR)[]'})`, quote(filepath.Join(lakeDir, "receipts", "**", "*.json")))
	}
	stmts = append(stmts, "CREATE OR REPLACE VIEW receipts AS "+rc)
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("rollup: define view: %w\n%s", err, s)
		}
	}
	return nil
}

// has reports whether the lake has at least one file under dir.
func has(lakeDir, dir string) bool {
	found := false
	filepath.WalkDir(filepath.Join(lakeDir, dir), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

// OpenSnapshot opens DuckDB with the level views (hamlets, communes,
// districts, provinces, completeness) over a snapshot written by a build
// with Options.OutDir. A table the snapshot lacks is an empty view.
func OpenSnapshot(ctx context.Context, dir string) (*sql.DB, error) {
	// The snapshot's own folder is DuckDB's scratch: the caller made it
	// and removes it, so nothing is left in the temp dir (a Lambda's /tmp
	// outlives the invocation).
	db, err := openDuckDB(ctx, dir)
	if err != nil {
		return nil, err
	}
	for _, t := range Tables {
		src := "(" + emptyTableSQL(t) + ")"
		f := filepath.Join(dir, t+".parquet")
		if _, err := os.Stat(f); err == nil {
			src = fmt.Sprintf("read_parquet(%s)", quote(f))
		}
		if _, err := db.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT report_year AS year, * FROM %s", t, src)); err != nil {
			db.Close()
			return nil, fmt.Errorf("rollup: snapshot view %s: %w", t, err)
		}
	}
	return db, nil
}

// viewsWorkDir is DuckDB's home and spill directory for query views: one
// shared folder, not one per call, because a *sql.DB has no hook to remove
// it on Close. DuckDB names its spill files uniquely and deletes them when
// the database closes, and the views install no extension, so sharing is
// safe.
func viewsWorkDir() (string, error) {
	dir := filepath.Join(os.TempDir(), "xhht-duckdb")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("rollup: %w", err)
	}
	return dir, nil
}
