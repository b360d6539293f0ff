package rollup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// Views lists the query views OpenViews defines, in order.
var Views = []string{Hamlets, Communes, Districts, Provinces, Nation, Completeness, "submissions", "receipts", "reviews", "audit"}

// OpenViews opens an in-memory DuckDB over a local lake directory with the
// views hamlets, communes, districts, provinces, nation, completeness
// (the current roll-ups, through their manifests, each with a `year`
// column first), submissions (every accepted row, with `counted` telling
// whether it is the row the roll-up uses) and receipts. Re-based roll-ups
// are in rebased_<view>. The caller closes the DB.
//
// The roll-up files the manifests name are pinned (hard-linked, or copied
// across file systems) into a folder of the session, removed on Close: a
// build that commits meanwhile deletes the files it replaces, and a
// session must not lose the files its views were defined on.
func OpenViews(ctx context.Context, lakeDir string) (*sql.DB, error) {
	home := duckHome()
	pins, err := os.MkdirTemp("", "xhht-views-")
	if err != nil {
		return nil, fmt.Errorf("rollup: %w", err)
	}
	cleanup := func() { os.RemoveAll(pins) }
	db, err := openDuckDB(ctx, home, cleanup)
	if err != nil {
		cleanup()
		return nil, err
	}
	if err := defineViews(ctx, db, lakeDir, pins); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// pinCurrent links the files named by every manifest of the lake (current
// and re-based roll-ups) into pins, by view. A file collected between the
// manifest read and the link means a build committed: read again.
func pinCurrent(ctx context.Context, lakeDir, pins string) (map[string][]string, error) {
	lake := local.New(lakeDir)
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		var files map[string][]string
		if files, err = pinOnce(ctx, lake, lakeDir, pins); err == nil {
			return files, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("rollup: the roll-ups kept changing while the views were defined: %w", err)
}

func pinOnce(ctx context.Context, store *local.Store, lakeDir, pins string) (map[string][]string, error) {
	// Manifests of every year and register, for the plain and the
	// re-based views.
	objs, err := listLocal(lakeDir, lake.RollupsPrefix)
	if err != nil {
		return nil, fmt.Errorf("rollup: %w", err)
	}
	// A fresh folder each attempt: nothing of a failed one stays.
	if err := os.RemoveAll(pins); err != nil {
		return nil, fmt.Errorf("rollup: %w", err)
	}
	if err := os.MkdirAll(pins, 0o755); err != nil {
		return nil, fmt.Errorf("rollup: %w", err)
	}
	files := map[string][]string{} // view → pinned files
	for _, o := range objs {
		if !strings.Contains(o.Key, lake.ManifestsDir) || !strings.HasSuffix(o.Key, ".json") {
			continue
		}
		prefix := o.Key[:strings.Index(o.Key, lake.ManifestsDir)]
		view := ""
		if prefix != lake.RollupsPrefix {
			view = "rebased_"
		}
		m, err := readManifest(ctx, store, o.Key)
		if err != nil {
			return nil, err
		}
		if view == "" {
			manifestInputs(files, m) // views_counted.go
		}
		for t, key := range m.Files {
			if !slices.Contains(Tables, t) {
				continue // input caches
			}
			// Named after the key, so the views list files in lake order.
			dst := filepath.Join(pins, strings.ReplaceAll(key, "/", "__"))
			if err := linkOrCopy(filepath.Join(lakeDir, filepath.FromSlash(key)), dst); err != nil {
				return nil, fmt.Errorf("rollup: pin %s: %w", key, err)
			}
			files[view+t] = append(files[view+t], dst)
		}
	}
	return files, nil
}

func defineViews(ctx context.Context, db *sql.DB, lakeDir, pins string) error {
	files, err := pinCurrent(ctx, lakeDir, pins)
	if err != nil {
		return err
	}
	var stmts []string
	for _, pre := range []string{"", "rebased_"} {
		for _, t := range Tables {
			fs := files[pre+t]
			sort.Strings(fs)
			src := "(" + emptyTableSQL(t) + ")"
			if len(fs) > 0 {
				src = readParquet(fs)
			}
			stmts = append(stmts, fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT report_year AS year, * FROM %s", pre+t, src))
		}
	}
	subs := "(" + emptySubmissionsSQL() + ")"
	if has(lakeDir, lake.SubmissionsPrefix) {
		subs = fmt.Sprintf("read_parquet(%s, union_by_name = true, hive_partitioning = false)", quote(filepath.Join(lakeDir, lake.SubmissionsPrefix, "**", "*.parquet")))
	}
	// counted: the submission the roll-up uses for this commune, year and
	// form (views_counted.go: its manifest's inputs; never rolled up, the
	// latest received_at, ties by source_key, source_version).
	counted, err := countedSQL(files, pins)
	if err != nil {
		return err
	}
	stmts = append(stmts, fmt.Sprintf(`CREATE OR REPLACE VIEW submissions AS
SELECT report_year AS year, *, %s AS counted
FROM %s`, counted, subs))
	rc := "SELECT NULL::INTEGER AS year, NULL::VARCHAR AS submission_id, NULL::VARCHAR AS status, NULL::VARCHAR AS province_code, NULL::VARCHAR AS commune_code, NULL::VARCHAR AS commune_name, NULL::VARCHAR AS source_key, NULL::TIMESTAMPTZ AS received_at, NULL::INTEGER AS error_count, NULL::INTEGER AS warning_count, NULL::VARCHAR AS first_error WHERE false"
	if has(lakeDir, lake.ReceiptsPrefix) {
		rc = fmt.Sprintf(`SELECT year, submission_id, status, province_code, commune_code, commune_name, source_key, received_at, error_count, warning_count,
  list_filter(errors, lambda e: e.severity = 'error')[1].message AS first_error
FROM read_json(%s, format = 'auto', columns = {submission_id: 'VARCHAR', status: 'VARCHAR', year: 'INTEGER', province_code: 'VARCHAR',
  commune_code: 'VARCHAR', commune_name: 'VARCHAR', source_key: 'VARCHAR', received_at: 'TIMESTAMPTZ', error_count: 'INTEGER', warning_count: 'INTEGER',
  errors: 'STRUCT(code VARCHAR, severity VARCHAR, message VARCHAR)[]'})`, quote(filepath.Join(lakeDir, lake.ReceiptsPrefix, "**", "*.json")))
	}
	stmts = append(stmts, "CREATE OR REPLACE VIEW receipts AS "+rc)
	stmts = append(stmts, reviewViews(lakeDir)...) // reviewviews.go (issue 15)
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
	// The snapshot's own folder is DuckDB's home; it spills into a folder
	// of its own that DuckDB removes on Close, so nothing is left in the
	// temp dir (a Lambda's /tmp outlives the invocation).
	db, err := openDuckDB(ctx, dir, nil)
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

// duckHome is DuckDB's home and extension directory for the builds and
// the query views. It is never created: DuckDB writes there only to
// install an extension, which xhht never does (parquet, json and icu are
// built in), so a Lambda's /tmp keeps nothing between invocations. Spill
// files go to a folder per instance (spillDir).
func duckHome() string { return filepath.Join(os.TempDir(), "xhht-duckdb") }
