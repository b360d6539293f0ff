package rollup

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xhht/xhht/pipeline/storage"
)

// The input cache. Reading thousands of one-submission Parquet files (and
// as many receipts) costs far more than the roll-up itself: DuckDB and
// parquet-go both pay milliseconds per small file. So each province build
// also writes what it read, one Parquet per province and kind, with the
// key and ETag of the object every row came from:
//
//	rollups/cache/submissions/year=Y/province=P/<build>.parquet
//	rollups/cache/receipts/year=Y/province=P/<build>.parquet
//
// The next build lists the lake as always, keeps the cached rows whose
// (key, ETag) is still listed, and reads only the objects that are new or
// changed. Lake objects are immutable (same id, same bytes), and the ETag
// check catches the day one is rewritten anyway, so the cache can never
// make a build count something the lake does not hold. It is named by the
// province manifest like any output, so it is replaced atomically too.

// CacheVersion changes when the cached columns change; a manifest whose
// cache has another version is read as if it had none.
const CacheVersion = "1"

// readBatch is how many new objects one DuckDB read takes.
const readBatch = 400

const (
	cacheSubs     = "cache_submissions"
	cacheReceipts = "cache_receipts"
)

// subsColumns are the lake/submissions columns the roll-up reads.
func subsColumns() []string {
	cols := []string{"submission_id", "form", "report_year", "province_code", "commune_code", "commune_name",
		"source_key", "source_version", "source_row", "received_at", "ma_thon", "ten_thon"}
	for _, m := range measures {
		if m.src != "" && !slices.Contains(cols, m.src) {
			cols = append(cols, m.src)
		}
	}
	return cols
}

// receiptsSQL reads receipts JSON files into the receipts digest columns.
func receiptsSQL(paths []string) string {
	return fmt.Sprintf(`SELECT submission_id, status, year, province_code, commune_code, received_at,
  list_filter(errors, e -> e.severity = 'error')[1].message AS reason, filename AS _path
FROM read_json(%s, format = 'auto', filename = true, columns = {submission_id: 'VARCHAR', status: 'VARCHAR', year: 'INTEGER',
  province_code: 'VARCHAR', commune_code: 'VARCHAR', received_at: 'TIMESTAMPTZ',
  errors: 'STRUCT(code VARCHAR, severity VARCHAR, message VARCHAR)[]'})`, sqlList(paths))
}

const emptyReceiptsSQL = `SELECT NULL::VARCHAR AS submission_id, NULL::VARCHAR AS status, NULL::INTEGER AS year, NULL::VARCHAR AS province_code,
  NULL::VARCHAR AS commune_code, NULL::TIMESTAMPTZ AS received_at, NULL::VARCHAR AS reason WHERE false`

// subsSQL reads submission files, projected to subsColumns.
func subsSQL(paths []string) string {
	var sel []string
	for _, c := range subsColumns() {
		sel = append(sel, ident(c))
	}
	// union_by_name: a file of an older schema version lacks newer
	// columns, which then read as null.
	return fmt.Sprintf("SELECT %s, filename AS _path FROM read_parquet(%s, union_by_name = true, hive_partitioning = false, filename = true)",
		strings.Join(sel, ", "), sqlList(paths))
}

func emptySubsSQL() string {
	var sel []string
	for _, c := range subsColumns() {
		sel = append(sel, ident(c))
	}
	return fmt.Sprintf("SELECT %s FROM (%s)", strings.Join(sel, ", "), emptySubmissionsSQL())
}

// readInputs creates table `into` (with _key and _etag) from the listed
// objects: cached rows still valid plus the objects not in the cache.
// caches are local paths of cache files; readSQL reads new files and
// yields _path; empty is a typed empty SELECT of the same columns.
func (b *builder) readInputs(ctx context.Context, into, kind string, objs []storage.Object, caches []string,
	readSQL func([]string) string, empty string) (fromCache, read int, err error) {
	rows := [][]string{{"_key", "_etag", "_path"}}
	for _, o := range objs {
		rows = append(rows, []string{o.Key, o.ETag, b.pathOf(o.Key)})
	}
	if err := b.loadCSV(ctx, "listing "+into, into+"_listing", "*", rows, nil); err != nil {
		return 0, 0, err
	}
	q := ""
	if len(caches) > 0 {
		q += fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %[1]s_cached AS
SELECT c.* FROM read_parquet(%[2]s, union_by_name = true, hive_partitioning = false) c
SEMI JOIN %[1]s_listing l ON l._key = c._key AND l._etag = c._etag;
`, into, sqlList(caches))
	} else {
		q += fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s_cached AS SELECT *, NULL::VARCHAR AS _key, NULL::VARCHAR AS _etag FROM (%s);\n", into, empty)
	}
	if err := b.exec(ctx, "cached "+into, q); err != nil {
		return 0, 0, err
	}
	// New or changed objects, and cached objects gone from the listing:
	// the provinces they belong to need a new cache file.
	var fresh []string
	changed := b.changed[kind]
	q = fmt.Sprintf(`SELECT _path, _key FROM %[1]s_listing ANTI JOIN (SELECT DISTINCT _key, _etag FROM %[1]s_cached) c USING (_key, _etag)
UNION ALL SELECT NULL, _key FROM (SELECT DISTINCT _key, _etag FROM read_parquet(%[2]s)) ANTI JOIN %[1]s_listing USING (_key, _etag)
ORDER BY 1`, into, sqlList(caches))
	if len(caches) == 0 {
		q = fmt.Sprintf("SELECT _path, _key FROM %s_listing ORDER BY 1", into)
	}
	rs, err := b.db.QueryContext(ctx, q)
	if err != nil {
		return 0, 0, fmt.Errorf("rollup: new inputs: %w", err)
	}
	for rs.Next() {
		var p sql.NullString
		var key string
		if err := rs.Scan(&p, &key); err != nil {
			rs.Close()
			return 0, 0, fmt.Errorf("rollup: new inputs: %w", err)
		}
		if p.Valid {
			fresh = append(fresh, p.String)
		}
		if m := partRe.FindStringSubmatch(key); m != nil && m[1] == strconv.Itoa(b.o.Year) {
			changed[m[2]] = true
		}
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return 0, 0, fmt.Errorf("rollup: new inputs: %w", err)
	}
	// Local paths are fetched only now: a remote lake downloads just the
	// objects the cache lacks.
	for _, p := range fresh {
		if err := b.ensureLocal(ctx, p); err != nil {
			return 0, 0, err
		}
	}
	var cached int
	if err := b.db.QueryRowContext(ctx, fmt.Sprintf("SELECT count(DISTINCT _key) FROM %s_cached", into)).Scan(&cached); err != nil {
		return 0, 0, fmt.Errorf("rollup: %w", err)
	}
	if err := b.exec(ctx, "start "+into, fmt.Sprintf("ALTER TABLE %[1]s_cached RENAME TO %[1]s", into)); err != nil {
		return 0, 0, err
	}
	// New objects in batches: one read over thousands of files makes
	// DuckDB open them all at once (union_by_name binds every schema first),
	// which costs memory and time; a few hundred at a time keeps both flat.
	for batch := range slices.Chunk(fresh, readBatch) {
		q := fmt.Sprintf(`INSERT INTO %[1]s BY NAME SELECT n.* EXCLUDE (_path), l._key, l._etag FROM (%[2]s) n JOIN %[1]s_listing l ON l._path = n._path`,
			into, readSQL(batch))
		if err := b.exec(ctx, "read "+into, q); err != nil {
			return 0, 0, err
		}
	}
	return cached, len(fresh), nil
}

// pathOf is where an object is (or will be) on the local disk.
func (b *builder) pathOf(key string) string {
	if b.lakeDir != "" {
		return filepath.Join(b.lakeDir, filepath.FromSlash(key))
	}
	return filepath.Join(b.work, "lake", filepath.FromSlash(key))
}

// ensureLocal downloads an object of a remote lake to pathOf(key).
func (b *builder) ensureLocal(ctx context.Context, path string) error {
	if b.lakeDir != "" {
		return nil
	}
	rel, err := filepath.Rel(filepath.Join(b.work, "lake"), path)
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	_, err = b.localPath(ctx, filepath.ToSlash(rel))
	return err
}

// partRe finds the year and province of a lake key.
var partRe = regexp.MustCompile(`/year=(\d{4})/province=(\d{2})/`)

// cacheFiles returns local paths of the valid input caches of kind named
// by the manifests of year for the provinces (all when provs is nil).
func (b *builder) cacheFiles(ctx context.Context, year int, provs []string, kind string) ([]string, error) {
	ms, err := readManifests(ctx, b.lake, "rollups/", year)
	if err != nil {
		return nil, err
	}
	var out []string
	for p, m := range ms {
		if p == NationCode || m.CacheVersion != CacheVersion || (provs != nil && !slices.Contains(provs, p)) {
			continue
		}
		key, ok := m.Files[kind]
		if !ok {
			continue
		}
		if year == b.o.Year {
			b.oldCache[kind][p] = key
		}
		lp, err := b.localPath(ctx, key)
		if err == nil && b.lakeDir != "" {
			_, err = os.Stat(lp) // in place: it must still be there
		}
		if err != nil {
			// Replaced by a newer build meanwhile: read the objects instead.
			b.log.Warn("rollup cache unavailable", "key", key, "err", err)
			continue
		}
		out = append(out, lp)
	}
	slices.Sort(out)
	return out, nil
}
