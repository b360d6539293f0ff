package rollup

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/xhht/xhht/pipeline/lake"
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

// CacheVersion changes when the cached columns or their layout change; a
// manifest whose cache has another version is read as if it had none.
// Version 2: a province's cache holds the rows of the objects listed under
// that province (by key), and the manifest records their digest.
// Version 3: the national cache's province rows carry each rate's
// operands over the rows that reported both (ty_le_*_tu_so …).
const CacheVersion = "3"

// materialiseRows: inputs up to this many rows are copied into a table,
// larger ones are read through a view (see readInputs).
const materialiseRows = 20000

// readBatch is how many new objects one DuckDB read takes.
const readBatch = 400

const (
	cacheSubs     = "cache_submissions"
	cacheReceipts = "cache_receipts"
	cacheNation   = "cache_nation"   // the province rows of the last national sum
	cacheIdentity = "cache_identity" // hamlet_ids rows per province (identity.go)
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
  list_filter(errors, lambda e: e.severity = 'error')[1].message AS reason, filename AS _path
FROM read_json(%s, format = 'auto', filename = true, columns = {submission_id: 'VARCHAR', status: 'VARCHAR', year: 'INTEGER',
  province_code: 'VARCHAR', commune_code: 'VARCHAR', received_at: 'TIMESTAMPTZ',
  errors: 'STRUCT(code VARCHAR, severity VARCHAR, message VARCHAR)[]'})`, sqlList(paths))
}

const emptyReceiptsSQL = `SELECT NULL::VARCHAR AS submission_id, NULL::VARCHAR AS status, NULL::INTEGER AS year, NULL::VARCHAR AS province_code,
  NULL::VARCHAR AS commune_code, NULL::TIMESTAMPTZ AS received_at, NULL::VARCHAR AS reason WHERE false`

// subsSQL reads submission files, projected to subsColumns.
func subsSQL(paths []string) string { return subsSQLBy(paths, true) }

// subsSQLBy is subsSQL with or without union_by_name (see readNew).
func subsSQLBy(paths []string, unionByName bool) string {
	var sel []string
	for _, c := range subsColumns() {
		sel = append(sel, ident(c))
	}
	// union_by_name: a file of an older schema version lacks newer
	// columns, which then read as null.
	return fmt.Sprintf("SELECT %s, filename AS _path FROM read_parquet(%s, union_by_name = %t, hive_partitioning = false, filename = true)",
		strings.Join(sel, ", "), sqlList(paths), unionByName)
}

func emptySubsSQL() string {
	var sel []string
	for _, c := range subsColumns() {
		sel = append(sel, ident(c))
	}
	return fmt.Sprintf("SELECT %s FROM (%s)", strings.Join(sel, ", "), emptySubmissionsSQL())
}

// readInputs defines <into>_all (the columns of empty, then _key and
// _etag) over the inputs of one kind: exact, cache files known to hold
// exactly the listed objects of their province (their digest matches the
// listing: nothing to check); checked, cache files of provinces whose
// listing changed, of which only the rows of objects still listed with
// the same ETag count; and objs, the listed objects of those provinces,
// of which the ones the caches lack are read once into <into>_new.
// Small inputs (a province build) are copied into a table; large ones
// (the country) stay a view over the files, from which every statement
// reads only the columns it needs: on this machine several times cheaper
// than materialising every column of ~100,000 rows. readSQL reads new
// files and yields _path; empty is a typed empty SELECT of the columns.
func (b *builder) readInputs(ctx context.Context, into, kind string, objs []storage.Object, exact, checked []string, exactObjs int,
	readSQL func([]string) string, empty string) (fromCache, read int, err error) {
	if err := b.exec(ctx, "start "+into, fmt.Sprintf("CREATE OR REPLACE TABLE %s_new AS SELECT *, NULL::VARCHAR AS _key, NULL::VARCHAR AS _etag FROM (%s)", into, empty)); err != nil {
		return 0, 0, err
	}
	// Both parts with the same columns, in the same order.
	r, err := b.db.QueryContext(ctx, fmt.Sprintf("SELECT * FROM %s_new LIMIT 0", into))
	if err != nil {
		return 0, 0, fmt.Errorf("rollup: %w", err)
	}
	names, err := r.Columns()
	r.Close()
	if err != nil {
		return 0, 0, fmt.Errorf("rollup: %w", err)
	}
	sel := make([]string, len(names))
	for i, n := range names {
		sel[i] = ident(n)
	}
	cols := strings.Join(sel, ", ")
	parts := []string{fmt.Sprintf("SELECT %s FROM %s_new", cols, into)}
	if len(exact) > 0 {
		parts = append(parts, fmt.Sprintf("SELECT %s FROM %s", cols, readParquet(exact)))
	}
	var nStale int
	if len(objs) > 0 || len(checked) > 0 {
		if nStale, read, err = b.checkInputs(ctx, into, kind, objs, checked, readSQL); err != nil {
			return 0, 0, err
		}
		if len(checked) > 0 {
			q := fmt.Sprintf("SELECT %s FROM %s c", cols, readParquet(checked))
			if nStale > 0 {
				// NULL-safe: a stale pair without an ETag must go too.
				q += fmt.Sprintf(" ANTI JOIN %s_stale s ON s._key = c._key AND s._etag IS NOT DISTINCT FROM c._etag", into)
			}
			parts = append(parts, q)
		}
	}
	src := strings.Join(parts, "\nUNION ALL ")
	// A view costs a read of the files at every use, and binding it costs
	// each statement a few milliseconds; materialising costs a copy of
	// every column. Small inputs are copied, large ones stay a view.
	obj := "VIEW"
	var n int64
	if err := b.db.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (%s)", src)).Scan(&n); err != nil {
		return 0, 0, fmt.Errorf("rollup: count %s: %w", into, err)
	}
	if n <= materialiseRows {
		obj = "TABLE"
	}
	if err := b.exec(ctx, "inputs "+into, fmt.Sprintf("CREATE OR REPLACE %s %s_all AS %s", obj, into, src)); err != nil {
		return 0, 0, err
	}
	// Listed objects are either new (read) or found in a cache.
	return exactObjs + len(objs) - read, read, nil
}

// checkInputs compares the listed objects objs with the (key, ETag) pairs
// the checked caches hold: it creates <into>_stale (pairs no longer
// listed), marks the provinces of new, changed and vanished objects as
// changed, and reads the objects the caches lack into <into>_new. It
// returns how many pairs are stale and how many objects were read.
func (b *builder) checkInputs(ctx context.Context, into, kind string, objs []storage.Object, checked []string,
	readSQL func([]string) string) (nStale, nFresh int, err error) {
	rows := [][]string{{"_key", "_etag", "_path"}}
	for _, o := range objs {
		rows = append(rows, []string{o.Key, o.ETag, b.pathOf(o.Key)})
	}
	if err := b.loadCSV(ctx, "listing "+into, into+"_listing", "*", rows, nil); err != nil {
		return 0, 0, err
	}
	cacheSrc := "(SELECT NULL::VARCHAR AS _key, NULL::VARCHAR AS _etag WHERE false)"
	if len(checked) > 0 {
		cacheSrc = readParquet(checked)
	}
	if err := b.exec(ctx, "cached "+into, fmt.Sprintf(`CREATE OR REPLACE TABLE %[1]s_pairs AS SELECT DISTINCT _key, _etag FROM %[2]s;
CREATE OR REPLACE TABLE %[1]s_stale AS SELECT * FROM %[1]s_pairs ANTI JOIN %[1]s_listing USING (_key, _etag);`, into, cacheSrc)); err != nil {
		return 0, 0, err
	}
	var fresh []string
	changed := b.changed[kind]
	rs, err := b.db.QueryContext(ctx, fmt.Sprintf(`SELECT _path, _key FROM %[1]s_listing ANTI JOIN %[1]s_pairs USING (_key, _etag)
UNION ALL SELECT NULL, _key FROM %[1]s_stale ORDER BY 1`, into))
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
		} else {
			nStale++
		}
		if y, prov, ok := partOf(key); ok && y == b.o.Year {
			changed[prov] = true
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
	// New objects in batches: one read over thousands of files makes
	// DuckDB open them all at once (union_by_name binds every schema first),
	// which costs memory and time; a few hundred at a time keeps both flat.
	for batch := range slices.Chunk(fresh, readBatch) {
		if err := b.readNew(ctx, into, kind, batch, readSQL); err != nil {
			return 0, 0, err
		}
	}
	return nStale, len(fresh), nil
}

// pin gives a build its own hard link (or copy) of a local-lake file it
// reads more than once: a concurrent build may collect the original once
// it commits. Files downloaded from a remote lake are in the work dir
// already. A file already gone returns an error that wraps
// fs.ErrNotExist.
func (b *builder) pin(path string) (string, error) {
	if b.lakeDir == "" {
		return path, nil
	}
	if b.pins == "" {
		// A folder of this build's own, even in a WorkDir that is reused.
		dir, err := os.MkdirTemp(b.work, "pinned-")
		if err != nil {
			return "", fmt.Errorf("rollup: %w", err)
		}
		b.pins = dir
	}
	b.pinned++
	dst := filepath.Join(b.pins, fmt.Sprintf("%d.parquet", b.pinned))
	if err := linkOrCopy(path, dst); err != nil {
		return "", fmt.Errorf("rollup: pin %s: %w", path, err)
	}
	return dst, nil
}

// linkOrCopy hard-links src to a new file dst, or copies it where links
// are not possible (another file system). dst must not exist: writing
// through an existing name could write into a hard link to a lake file.
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	} else if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrExist) {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	return out.Close()
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

// partOf is the year and province of a lake key.
func partOf(key string) (year int, province string, ok bool) { return lake.ParseYearProvince(key) }

// partKey names a (year, province) of the lake.
func partKey(year int, province string) string { return fmt.Sprintf("%d/%s", year, province) }

// byPart groups objects by the year and province of their key; objects
// whose key has neither are under "".
func byPart(objs []storage.Object) map[string][]storage.Object {
	out := map[string][]storage.Object{}
	for _, o := range objs {
		k := ""
		if y, p, ok := partOf(o.Key); ok {
			k = partKey(y, p)
		}
		out[k] = append(out[k], o)
	}
	return out
}

// listingDigest identifies a set of objects by key and ETag (order does
// not matter). A manifest records the digest of the objects its input
// cache holds; when a later listing has the same digest, the cache is
// used as it is, without comparing it object by object.
func listingDigest(objs []storage.Object) string {
	lines := make([]string, len(objs))
	for i, o := range objs {
		lines[i] = o.Key + "\x00" + o.ETag
	}
	slices.Sort(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// cacheRef is the input cache of one kind of one province and year.
type cacheRef struct {
	year     int
	province string
	path     string // local path
	digest   string // of the objects it holds (lake.Manifest.CacheDigest)
}

// cacheFiles returns the valid input caches of kind named by the
// manifests of year for the provinces (all when provs is nil).
func (b *builder) cacheFiles(ctx context.Context, year int, provs []string, kind string) ([]cacheRef, error) {
	ms, ok := b.manifests[year]
	if !ok {
		var err error
		if provs == nil {
			ms, err = b.readManifests(ctx, lake.RollupsPrefix, year)
		} else {
			ms, err = b.readManifestsOf(ctx, lake.RollupsPrefix, year, provs)
		}
		if err != nil {
			return nil, err
		}
		if b.manifests == nil {
			b.manifests = map[int]map[string]*lake.Manifest{}
		}
		b.manifests[year] = ms
	}
	if b.noCache {
		return nil, nil
	}
	var out []cacheRef
	for p, m := range ms {
		if p == lake.NationCode || m.CacheVersion != CacheVersion || (provs != nil && !slices.Contains(provs, p)) {
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
		if err == nil {
			// Pinned now, before the build decides anything from it: a
			// cache that is gone by now is no cache.
			lp, err = b.pin(lp)
		}
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, storage.ErrNotFound) {
			// Replaced by a newer build meanwhile: read the objects instead.
			b.log.Warn("rollup cache unavailable", "key", key, "err", err)
			continue
		}
		if err != nil {
			return nil, err
		}
		b.usedCache = true
		out = append(out, cacheRef{year: year, province: p, path: lp, digest: m.CacheDigest[kind]})
	}
	slices.SortFunc(out, func(a, c cacheRef) int { return strings.Compare(a.path, c.path) })
	return out, nil
}

// splitInputs sorts the listed objects of one kind against the caches:
// exact caches (digest equal to their province's listing) are used as
// they are and their objects need no look; the other caches are checked
// against rest, the objects of every other province. digests receives
// the current year's listing digest of every province in provs.
func (b *builder) splitInputs(objs []storage.Object, refs []cacheRef, provs []string, digests map[string]string) (exact, checked []string, exactObjs int, rest []storage.Object) {
	parts := byPart(objs)
	for _, p := range provs {
		digests[p] = listingDigest(parts[partKey(b.o.Year, p)])
	}
	done := map[string]bool{}
	for _, r := range refs {
		k := partKey(r.year, r.province)
		if r.digest != "" && r.digest == listingDigest(parts[k]) {
			exact = append(exact, r.path)
			exactObjs += len(parts[k])
			done[k] = true
			continue
		}
		checked = append(checked, r.path)
	}
	for k, os := range parts {
		if !done[k] {
			rest = append(rest, os...)
		}
	}
	slices.SortFunc(rest, func(a, c storage.Object) int { return strings.Compare(a.Key, c.Key) })
	return exact, checked, exactObjs, rest
}
