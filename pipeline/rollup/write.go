package rollup

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/storage"
)

func (b *builder) manifestKey(province string) string {
	return lake.ManifestKey(b.prefix, b.o.Year, province)
}

func (b *builder) fileKey(table string, year int, province string) string {
	return lake.RollupFileKey(b.prefix, table, year, province, b.buildID)
}

// write copies each output table to Parquet, one file per province, uploads
// them under this build's id, and commits each province's manifest.
func (b *builder) write(ctx context.Context, provs []string) error {
	tables := []string{Hamlets, Communes, Provinces}
	if b.units.HasDistricts() {
		tables = append(tables, Districts)
	}
	if b.units == b.ver {
		tables = append(tables, Completeness)
		if !b.o.NoFlags {
			tables = append(tables, Flags)
		}
	}
	if err := os.MkdirAll(filepath.Join(b.work, "out"), 0o755); err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	src := map[string]string{}
	for _, t := range tables {
		src[t] = "out_" + t
	}
	if b.units == b.ver {
		// The input cache of the year (not last year's rows: those are
		// cached by last year's own builds).
		tables = append(tables, cacheSubs, cacheReceipts)
		src[cacheSubs] = fmt.Sprintf("(SELECT * FROM subs_all WHERE report_year = %d)", b.o.Year)
		src[cacheReceipts] = fmt.Sprintf("(SELECT * FROM receipts_all WHERE year = %d)", b.o.Year)
	}
	// A province whose inputs did not change keeps its cache file: the new
	// manifest names the old one, which collect then leaves alone.
	reuse := map[string]map[string]string{} // kind → province → key
	for _, k := range []string{cacheSubs, cacheReceipts} {
		if src[k] == "" {
			continue
		}
		reuse[k] = map[string]string{}
		var redo []string
		for _, p := range provs {
			if key, ok := b.oldCache[k][p]; ok && !b.changed[k][p] {
				reuse[k][p] = key
			} else {
				redo = append(redo, quote(p))
			}
		}
		src[k] = fmt.Sprintf("(SELECT * FROM %s WHERE %s IN (%s))", src[k], keyProvinceSQL, strings.Join(append(redo, "NULL"), ", "))
		if len(redo) == 0 {
			tables = slices.DeleteFunc(tables, func(t string) bool { return t == k })
		}
	}
	// The identity cache of the provinces whose identities were computed;
	// the others keep the file their manifest names (identity.go).
	if b.units == b.ver && b.identityDigests != nil {
		reuse[cacheIdentity] = map[string]string{}
		var redo []string
		for _, p := range provs {
			if key, ok := b.identityReused[p]; ok {
				if key != "" {
					reuse[cacheIdentity][p] = key
				}
			} else {
				redo = append(redo, quote(p))
			}
		}
		if len(redo) > 0 {
			tables = append(tables, cacheIdentity)
			src[cacheIdentity] = fmt.Sprintf("(SELECT i.submission_id, i.source_row, i.ma_thon, i.commune_code, u.province_code FROM hamlet_ids i JOIN units u USING (commune_code) WHERE u.province_code IN (%s))",
				strings.Join(redo, ", "))
		}
	}
	// Each table's files are uploaded while DuckDB writes the next table.
	up := b.newUploads(ctx)
	keys := map[string]map[string]string{} // province → table → lake key
	var keysMu sync.Mutex
	writeTable := func(lctx context.Context, c *sql.Conn, t string) error {
		if t == Flags {
			if err := b.computeFlags(lctx, c); err != nil { // flags.go
				return err
			}
		}
		dir := filepath.Join(b.work, "out", t)
		part := "province_code"
		if t == cacheSubs || t == cacheReceipts {
			part = keyProvinceSQL // a cache holds the objects listed under its province
		}
		q := fmt.Sprintf("COPY (SELECT *, %s AS province FROM %s) TO %s (FORMAT parquet, PARTITION_BY (province), FILENAME_PATTERN 'part_{i}', OVERWRITE_OR_IGNORE true)",
			part, src[t], quote(dir))
		if err := b.execOn(lctx, c, "write "+t, q); err != nil {
			return err
		}
		for _, p := range provs {
			got, _ := filepath.Glob(filepath.Join(dir, lake.ProvinceDir(p), "*.parquet"))
			if len(got) > 1 {
				return fmt.Errorf("rollup: %s of province %s came out as %d files", t, p, len(got))
			}
			if len(got) == 0 {
				continue
			}
			key := b.fileKey(t, b.o.Year, p)
			keysMu.Lock()
			if keys[p] == nil {
				keys[p] = map[string]string{}
			}
			keys[p][t] = key
			keysMu.Unlock()
			up.start(p, got[0], key)
		}
		return nil
	}
	// Two lanes, one per connection: the hamlet level (most of the rows)
	// and the input caches on one, the small levels on the other.
	var laneA, laneB []string
	for _, t := range tables {
		if t == Hamlets || t == cacheSubs || t == cacheReceipts {
			laneA = append(laneA, t)
		} else {
			laneB = append(laneB, t)
		}
	}
	// The flags (computed from the other levels, partly in Go) first, so
	// that they overlap the long hamlet write.
	if i := slices.Index(laneB, Flags); i > 0 {
		laneB = append([]string{Flags}, slices.Delete(laneB, i, i+1)...)
	}
	// The first failure stops the other lane (uploads already started
	// finish; the next commit of the province collects their files).
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	laneErr := make(chan error, 1)
	go func() {
		for _, t := range laneB {
			if err := writeTable(lctx, b.db2, t); err != nil {
				cancel()
				laneErr <- err
				return
			}
		}
		laneErr <- nil
	}()
	var errA error
	for _, t := range laneA {
		if errA = writeTable(lctx, b.db, t); errA != nil {
			cancel()
			break
		}
	}
	errB := <-laneErr
	if errA != nil || errB != nil {
		up.wait()
		for _, err := range []error{errA, errB} {
			if err != nil && !errors.Is(err, context.Canceled) {
				return err // the lane that failed first
			}
		}
		return errors.Join(errA, errB)
	}
	inputs, err := b.inputsByProvince(ctx)
	up.wait()
	if err != nil {
		return err
	}
	digests, err := b.builtOutputDigests(ctx, provs)
	if err != nil {
		return err
	}
	// Provinces are committed concurrently: each is its own manifest, and
	// on S3 (or a disk that syncs every file) the round trips dominate.
	type outcome struct {
		p     string
		stale bool
		err   error
	}
	out := make([]outcome, len(provs))
	sem := make(chan struct{}, uploadWorkers)
	var wg sync.WaitGroup
	for i, p := range provs {
		out[i].p = p
		if err := up.err(p); err != nil {
			out[i].err = err // not committed; the next build collects its files
			continue
		}
		m := &lake.Manifest{BuildID: b.buildID, BuiltAt: b.builtAt, Year: b.o.Year, Province: p, Units: b.units.Name, Registry: b.ver.Name,
			Files: map[string]string{}, Inputs: inputs[p]}
		if b.units == b.ver {
			m.CacheVersion = CacheVersion
			m.CacheDigest = map[string]string{cacheSubs: b.digests[cacheSubs][p], cacheReceipts: b.digests[cacheReceipts][p]}
			if d, ok := b.identityDigests[p]; ok {
				m.CacheDigest[cacheIdentity] = d // of the identity cache named, or of no row recoded
			}
			if d, ok := b.flagDigests[p]; ok {
				m.CacheDigest[flagsDigestKey] = d // of the flags file named, or of no flag (flagcache.go)
			}
			if d, ok := digests[p]; ok {
				m.CacheDigest[outputsDigestKey] = d // of every file named (outputs.go)
			}
		}
		for k, byProv := range reuse {
			if key, ok := byProv[p]; ok {
				m.Files[k] = key
			}
		}
		for t, key := range keys[p] {
			m.Files[t] = key
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := b.commit(ctx, b.manifestKey(p), m)
			out[i].stale = errors.Is(err, errStale)
			if !out[i].stale {
				out[i].err = err
			}
		}()
	}
	wg.Wait()
	var errs []error
	for _, o := range out {
		switch {
		case o.err != nil:
			errs = append(errs, o.err)
		case o.stale:
			b.res.Stale = append(b.res.Stale, o.p)
		default:
			b.res.Provinces = append(b.res.Provinces, o.p)
		}
	}
	return errors.Join(errs...)
}

// keyProvinceSQL is the province of an input row's object, from its key
// (…/year=Y/province=P/…).
var keyProvinceSQL = lake.ProvinceKeySQL("_key")

// uploadWorkers bounds concurrent uploads and commits.
const uploadWorkers = 8

func (b *builder) inputsByProvince(ctx context.Context) (map[string][]string, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT DISTINCT u.province_code, r.submission_id FROM cnt_cur r JOIN units u ON u.commune_code = r.ucode ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("rollup: list inputs: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var p, id string
		if err := rows.Scan(&p, &id); err != nil {
			return nil, fmt.Errorf("rollup: list inputs: %w", err)
		}
		out[p] = append(out[p], id)
	}
	return out, rows.Err()
}

// uploads runs uploads in the background, at most uploadWorkers at a
// time: each is a round trip to S3 (or an fsync on a local disk), and
// DuckDB does not need the goroutine meanwhile. Errors are kept by group
// (a province, or the nation), so a group with a failed upload is not
// committed.
type uploads struct {
	b    *builder
	ctx  context.Context
	sem  chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	errs map[string][]error
}

func (b *builder) newUploads(ctx context.Context) *uploads {
	return &uploads{b: b, ctx: ctx, sem: make(chan struct{}, uploadWorkers), errs: map[string][]error{}}
}

// start uploads a local file to key, for group.
func (u *uploads) start(group, file, key string) {
	u.wg.Add(1)
	u.sem <- struct{}{}
	go func() {
		defer func() { <-u.sem; u.wg.Done() }()
		if err := u.b.upload(u.ctx, file, key); err != nil {
			u.mu.Lock()
			u.errs[group] = append(u.errs[group], err)
			u.mu.Unlock()
		}
	}()
}

// wait returns once every upload started has ended.
func (u *uploads) wait() { u.wg.Wait() }

// err is the errors of a group's uploads (call after wait).
func (u *uploads) err(group string) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	return errors.Join(u.errs[group]...)
}

func (b *builder) upload(ctx context.Context, file, key string) error {
	body, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	if err := b.lake.Put(ctx, key, body, "application/vnd.apache.parquet"); err != nil {
		return fmt.Errorf("rollup: upload %s: %w", key, err)
	}
	return nil
}

// errStale: a build that listed its inputs later has already committed.
var errStale = errors.New("rollup: a newer build has committed")

// commit makes m current with a compare-and-swap on its manifest, unless
// the manifest there is from a newer build; then it removes the files m
// replaced (older builds) or, when m is stale, m's own files.
func (b *builder) commit(ctx context.Context, key string, m *lake.Manifest) error {
	for attempt := 0; ; attempt++ {
		if attempt == 20 {
			return fmt.Errorf("rollup: commit %s: gave up after %d conflicting writes", key, attempt)
		}
		body, obj, err := b.lake.Get(ctx, key, "")
		etag := ""
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case err != nil:
			return fmt.Errorf("rollup: read manifest %s: %w", key, err)
		default:
			var cur lake.Manifest
			// An unreadable manifest is replaced: the files it named are
			// collected below like any older build's.
			if json.Unmarshal(body, &cur) == nil && cur.BuildID >= m.BuildID {
				b.log.Warn("rollup stale: a newer build is current", "manifest", key, "current", cur.BuildID, "ours", m.BuildID)
				for _, f := range m.Files {
					if !strings.HasSuffix(f, "/"+m.BuildID+".parquet") {
						continue // reused from the current manifest, not ours
					}
					if err := b.lake.Delete(ctx, f); err != nil {
						return fmt.Errorf("rollup: remove stale %s: %w", f, err)
					}
				}
				return errStale
			}
			etag = obj.ETag
			if err := b.dropVanishedReuse(ctx, m, &cur); err != nil {
				return err
			}
		}
		if etag == "" {
			if err := b.dropVanishedReuse(ctx, m, nil); err != nil {
				return err
			}
		}
		data, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return fmt.Errorf("rollup: %w", err)
		}
		err = b.lake.PutIf(ctx, key, data, "application/json", etag)
		if errors.Is(err, storage.ErrPrecondition) {
			continue // someone committed in between: look again
		}
		if err != nil {
			return fmt.Errorf("rollup: commit %s: %w", key, err)
		}
		break
	}
	b.mu.Lock()
	b.res.Written = append(b.res.Written, key)
	for _, f := range m.Files {
		b.res.Written = append(b.res.Written, f)
	}
	b.mu.Unlock()
	for _, f := range m.Files {
		if err := b.collect(ctx, f, m); err != nil {
			return err
		}
	}
	return nil
}

// collect deletes, in the folder of key, the files of builds older than
// m's that m does not name. Files of a newer build (one still writing) are
// left alone.
func (b *builder) collect(ctx context.Context, key string, m *lake.Manifest) error {
	buildID := m.BuildID
	dir := path.Dir(key) + "/"
	objs, err := b.listKeys(ctx, dir)
	if err != nil {
		return fmt.Errorf("rollup: list %s: %w", dir, err)
	}
	for _, o := range objs {
		rest := strings.TrimPrefix(o.Key, dir)
		if strings.Contains(rest, "/") || slices.Contains(slices.Collect(maps.Values(m.Files)), o.Key) {
			continue
		}
		if id := strings.TrimSuffix(rest, ".parquet"); id < buildID {
			if err := b.lake.Delete(ctx, o.Key); err != nil {
				return fmt.Errorf("rollup: remove old %s: %w", o.Key, err)
			}
		}
	}
	return nil
}

// readManifests returns the current manifests of a year (the provinces'
// and the nation's), by province.
func (b *builder) readManifests(ctx context.Context, prefix string, year int) (map[string]*lake.Manifest, error) {
	dir := lake.ManifestsYearPrefix(prefix, year)
	objs, err := b.listKeys(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("rollup: list %s: %w", dir, err)
	}
	var keys []string
	for _, o := range objs {
		if strings.HasSuffix(o.Key, ".json") {
			keys = append(keys, o.Key)
		}
	}
	return b.readManifestKeys(ctx, keys)
}

// readManifestsOf reads the manifests of the given provinces only (a
// province build needs its own, not the country's).
func (b *builder) readManifestsOf(ctx context.Context, prefix string, year int, provs []string) (map[string]*lake.Manifest, error) {
	keys := make([]string, len(provs))
	for i, p := range provs {
		keys[i] = lake.ManifestKey(prefix, year, p)
	}
	return b.readManifestKeys(ctx, keys)
}

// readManifestKeys reads manifests by key, by province; a key that is not
// there (replaced between list and get, or never written) is skipped.
// They are read concurrently: on S3 each is a round trip, and a year has
// 35.
func (b *builder) readManifestKeys(ctx context.Context, keys []string) (map[string]*lake.Manifest, error) {
	ms := make([]*lake.Manifest, len(keys))
	errs := make([]error, len(keys))
	sem := make(chan struct{}, uploadWorkers)
	var wg sync.WaitGroup
	for i, key := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			m, err := readManifest(ctx, b.lake, key)
			if !errors.Is(err, storage.ErrNotFound) {
				ms[i], errs[i] = m, err
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := map[string]*lake.Manifest{}
	for _, m := range ms {
		if m != nil {
			out[m.Province] = m
		}
	}
	return out, nil
}

// listKeys lists a lake folder. A local lake is listed with listLocal:
// the store's own List reads every file for its MD5, and the roll-up
// only needs the keys.
func (b *builder) listKeys(ctx context.Context, dir string) ([]storage.Object, error) {
	if b.lakeDir != "" {
		return listLocal(b.lakeDir, dir)
	}
	return b.lake.List(ctx, dir)
}

// nation sums the current province roll-ups of the year (and last year's,
// for the change) into the national level and commits it.
func (b *builder) nation(ctx context.Context) error {
	// The national level gets its own id, taken now, before it reads the
	// province manifests: what makes one national sum newer than another
	// is which province results it saw, not when its province build
	// started. (A build that listed its province first but commits it
	// last is the only one whose national sum includes that commit.)
	nid := newBuildID(time.Now())
	ms, err := b.readManifests(ctx, b.prefix, b.o.Year)
	if err != nil {
		return err
	}
	cur, err := b.provinceRows(ctx, ms, b.buildID)
	if err != nil {
		return err
	}
	if len(cur.ids) == 0 {
		return nil
	}
	prevSQL := ""
	if pm, err := b.readManifests(ctx, b.prefix, b.o.Year-1); err != nil {
		return err
	} else if len(pm) > 0 {
		// The nation is the same unit across the reform, so last year
		// counts here whatever register it used.
		prev, err := b.provinceRows(ctx, pm, "")
		if err != nil {
			return err
		}
		if len(prev.ids) > 0 {
			prevSQL = fmt.Sprintf("CREATE OR REPLACE TABLE np_prev AS %s;\n%s", prev.level, groupSQL("n_prev", "np_prev", nil))
		}
	}
	// Provinces of the register with no roll-up yet (nothing accepted
	// there): their communes are expected all the same, so national
	// reporting rates are not computed over the provinces that reported.
	absentN := 0
	if b.units == b.ver {
		for code := range b.units.Provinces {
			if _, ok := ms[code]; !ok {
				absentN += len(b.units.CommunesOf(code))
			}
		}
	}
	absentSQL := ""
	if absentN > 0 {
		absentSQL = fmt.Sprintf("INSERT INTO np_cur BY NAME SELECT %d::BIGINT AS so_xa, 0::BIGINT AS so_xa_bieu01, 0::BIGINT AS so_xa_bieu02;\n", absentN)
	}
	q := fmt.Sprintf("CREATE OR REPLACE TABLE np_cur AS %s;\nCREATE OR REPLACE TABLE ncp_cur AS %s;\n%s%s\n%s\nUPDATE year_param SET build_id = %s;\n",
		cur.level, cur.comp, absentSQL, groupSQL("n_cur", "np_cur", nil), prevSQL, quote(nid))
	prevTable := ""
	if prevSQL != "" {
		prevTable = "n_prev"
	}
	q += levelSQL(Nation, "n_cur", prevTable, nil, "nation", "")
	if err := b.exec(ctx, "nation", q); err != nil {
		return err
	}
	tables := []string{Nation}
	var nComp int
	if err := b.db.QueryRowContext(ctx, "SELECT count(*) FROM ncp_cur").Scan(&nComp); err != nil {
		return fmt.Errorf("rollup: nation completeness: %w", err)
	}
	if nComp > 0 {
		cq := fmt.Sprintf(`CREATE OR REPLACE TABLE nc AS
SELECT 'nation' AS level, NULL AS province_code, NULL AS province_name, NULL AS district_code, NULL AS district_name,
  NULL AS commune_code, NULL AS commune_name, deadline,
  CASE WHEN min(due_at) = max(due_at) THEN min(due_at) END AS due_at,
  sum(expected) AS expected, sum(submitted) AS submitted, sum(on_time) AS on_time, sum(late) AS late,
  sum(missing) AS missing, sum(rejected_only) AS rejected_only, NULL AS approved, NULL AS returned, NULL AS review_state,
  NULL AS status, NULL AS first_accepted_at,
  sum(uploads) AS uploads, NULL AS last_rejection
FROM (SELECT %s FROM ncp_cur
      UNION ALL
      SELECT d.deadline, NULL::TIMESTAMPTZ, %d, 0, 0, 0, %d, 0, 0 FROM (SELECT DISTINCT deadline FROM due) d WHERE %d > 0)
GROUP BY deadline;
%s`, compColumns, absentN, absentN, absentN, completenessOutSQL("nc", "out_nation_completeness"))
		if err := b.exec(ctx, "nation completeness", cq); err != nil {
			return err
		}
		tables = append(tables, Completeness)
	}
	m := &lake.Manifest{BuildID: nid, BuiltAt: b.builtAt, Year: b.o.Year, Province: lake.NationCode, Units: b.units.Name, Registry: b.ver.Name,
		Files: map[string]string{}, Inputs: cur.ids, CacheVersion: CacheVersion}
	// The nation's tables have names of their own: out_completeness keeps
	// the provinces' rows, which a retry of this step reads again.
	src := map[string]string{Nation: "out_nation", Completeness: "out_nation_completeness",
		// The province rows summed, for the next national sum (see provinceRows).
		cacheNation: "(SELECT 'level' AS part, * FROM np_cur WHERE province_code IS NOT NULL UNION ALL BY NAME SELECT 'completeness' AS part, * FROM ncp_cur)"}
	if err := os.MkdirAll(filepath.Join(b.work, "out"), 0o755); err != nil { // write's, when no province was built
		return fmt.Errorf("rollup: %w", err)
	}
	up := b.newUploads(ctx)
	defer up.wait() // also when a COPY fails: nothing reads the work dir after the build
	for _, t := range append(tables, cacheNation) {
		f := filepath.Join(b.work, "out", "nation-"+t+".parquet")
		if err := b.exec(ctx, "write nation "+t, fmt.Sprintf("COPY %s TO %s (FORMAT parquet)", src[t], quote(f))); err != nil {
			return err
		}
		m.Files[t] = strings.Replace(b.fileKey(t, b.o.Year, lake.NationCode), "/"+b.buildID+".parquet", "/"+nid+".parquet", 1)
		up.start(lake.NationCode, f, m.Files[t])
	}
	up.wait()
	if err := up.err(lake.NationCode); err != nil {
		return err
	}
	err = b.commit(ctx, b.manifestKey(lake.NationCode), m)
	if errors.Is(err, errStale) {
		return nil // a newer build has summed a newer set already
	}
	b.res.Nation = err == nil
	return err
}

// compColumns are the province completeness columns the nation sums.
const compColumns = "deadline, due_at, expected, submitted, on_time, late, missing, rejected_only, uploads"

// cachedRows adds the "province:build" ids of a national cache file.
func (b *builder) cachedRows(ctx context.Context, file string, ids map[string]bool) error {
	rows, err := b.db.QueryContext(ctx, fmt.Sprintf("SELECT DISTINCT province_code || ':' || build_id FROM read_parquet(%s)", quote(file)))
	if err != nil {
		return fmt.Errorf("rollup: nation cache: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("rollup: nation cache: %w", err)
		}
		ids[id] = true
	}
	return rows.Err()
}

// rowSources are SQL sources of the province rows a national sum reads:
// level (province_code, build_id, summedColumns) and comp (province_code,
// build_id, compColumns, the province completeness rows); ids are the
// "province:build" inputs.
type rowSources struct {
	level, comp string
	ids         []string
}

// provinceRows finds the current province rows of the manifests ms. Each
// province's rows come, cheapest first, from this build's own tables
// (manifest build own), from the national input cache (the rows the last
// national sum read, kept with their build id: one file instead of two
// per province, which DuckDB pays ~3 ms each for here), or from the files
// its manifest names.
func (b *builder) provinceRows(ctx context.Context, ms map[string]*lake.Manifest, own string) (*rowSources, error) {
	cached := map[string]bool{} // "province:build" in the national cache
	cacheFile := ""
	if nm := ms[lake.NationCode]; !b.noCache && nm != nil && nm.CacheVersion == CacheVersion && nm.Files[cacheNation] != "" {
		lp, err := b.localPath(ctx, nm.Files[cacheNation])
		if err == nil {
			lp, err = b.pin(lp)
		}
		if err == nil {
			err = b.cachedRows(ctx, lp, cached)
		}
		if err != nil {
			// Gone, or unreadable: the province files are read instead.
			b.log.Warn("rollup nation cache unavailable", "key", nm.Files[cacheNation], "err", err)
			clear(cached)
		} else {
			cacheFile = lp
			b.usedCache = true
		}
	}
	var codes []string
	for p := range ms {
		if p != lake.NationCode {
			codes = append(codes, p)
		}
	}
	slices.Sort(codes)
	out := &rowSources{}
	var mine, fromCache []string
	var levelFiles, compFiles []string
	for _, p := range codes {
		m := ms[p]
		// A manifest that reused an earlier build's outputs (outputs.go)
		// names its files, whose rows carry that build's id.
		id := p + ":" + rowsBuild(m)
		out.ids = append(out.ids, id)
		switch {
		case own != "" && rowsBuild(m) == own:
			mine = append(mine, quote(p))
		case cached[id]:
			fromCache = append(fromCache, quote(id))
		default:
			for t, list := range map[string]*[]string{Provinces: &levelFiles, Completeness: &compFiles} {
				key, ok := m.Files[t]
				if !ok {
					continue
				}
				lp, err := b.localPath(ctx, key)
				if err != nil {
					return nil, err
				}
				*list = append(*list, lp)
			}
		}
	}
	levelCols := "province_code, build_id, " + summedColumns()
	compCols := "province_code, build_id, " + compColumns
	var level, comp []string
	if len(mine) > 0 {
		level = append(level, fmt.Sprintf("SELECT %s FROM out_provinces WHERE province_code IN (%s)", levelCols, strings.Join(mine, ", ")))
		comp = append(comp, fmt.Sprintf("SELECT %s FROM out_completeness WHERE level = 'province' AND province_code IN (%s)", compCols, strings.Join(mine, ", ")))
	}
	if len(fromCache) > 0 {
		in := strings.Join(fromCache, ", ")
		level = append(level, fmt.Sprintf("SELECT %s FROM read_parquet(%s) WHERE part = 'level' AND province_code || ':' || build_id IN (%s)", levelCols, quote(cacheFile), in))
		comp = append(comp, fmt.Sprintf("SELECT %s FROM read_parquet(%s) WHERE part = 'completeness' AND province_code || ':' || build_id IN (%s)", compCols, quote(cacheFile), in))
	}
	if len(levelFiles) > 0 {
		// A province file written before a column was added (the rates'
		// operands over the rows that reported both) reads that column
		// as null rather than failing the national sum: the nation's
		// coverage columns then count that province's denominator as
		// left out until its next build.
		level = append(level, fmt.Sprintf("SELECT %s FROM (%s UNION ALL BY NAME SELECT * FROM %s)", levelCols, emptyTableSQL(Provinces), readParquet(levelFiles)))
	}
	if len(compFiles) > 0 {
		comp = append(comp, fmt.Sprintf("SELECT %s FROM %s WHERE level = 'province'", compCols, readParquet(compFiles)))
	}
	if len(level) == 0 { // nothing to sum: no row, but the columns
		level = append(level, fmt.Sprintf("SELECT %s FROM (%s)", levelCols, emptyTableSQL(Provinces)))
	}
	if len(comp) == 0 {
		comp = append(comp, fmt.Sprintf("SELECT %s FROM (%s)", compCols, emptyTableSQL(Completeness)))
	}
	out.level = strings.Join(level, "\nUNION ALL ")
	out.comp = strings.Join(comp, "\nUNION ALL ")
	return out, nil
}

func readManifest(ctx context.Context, store storage.Store, key string) (*lake.Manifest, error) {
	body, _, err := store.Get(ctx, key, "")
	if err != nil {
		return nil, fmt.Errorf("rollup: read %s: %w", key, err)
	}
	var m lake.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("rollup: manifest %s: %w", key, err)
	}
	return &m, nil
}

// writeOut writes a snapshot's tables to OutDir, one file per table.
func (b *builder) writeOut(ctx context.Context) error {
	if err := os.MkdirAll(b.o.OutDir, 0o755); err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	tables := []string{Hamlets, Communes, Provinces}
	if b.units.HasDistricts() {
		tables = append(tables, Districts)
	}
	if b.units == b.ver {
		tables = append(tables, Completeness)
		if !b.o.NoFlags {
			tables = append(tables, Flags)
		}
	}
	for _, t := range tables {
		if t == Flags {
			if err := b.computeFlags(ctx, b.db); err != nil { // flags.go
				return err
			}
		}
		f := filepath.Join(b.o.OutDir, t+".parquet")
		if err := b.exec(ctx, "snapshot "+t, fmt.Sprintf("COPY out_%s TO %s (FORMAT parquet)", t, quote(f))); err != nil {
			return err
		}
		b.res.Written = append(b.res.Written, f)
	}
	b.res.Provinces = b.provinces()
	return nil
}

// summedColumns are the province-level columns the nation sums: reading
// only these from the 34 province files is several times faster than
// reading every rate, target and label column too.
func summedColumns() string {
	cols := []string{"so_xa", "so_xa_bieu01", "so_xa_bieu02"}
	for _, m := range measures {
		cols = append(cols, m.name)
	}
	for _, m := range nullSources("bieu01", "bieu02") {
		cols = append(cols, m.src+"_null_rows")
	}
	for _, r := range rates {
		cols = append(cols, pairedCounts(r)...)
	}
	return strings.Join(cols, ", ")
}

// dropVanishedReuse removes from m the files it reuses from an earlier
// build (input caches) that the manifest being replaced (cur, nil when
// none) no longer names and that are gone from the lake: a build that
// committed in between may have collected them. The province then simply
// has no cache until its next build; nothing it counts depends on it.
func (b *builder) dropVanishedReuse(ctx context.Context, m, cur *lake.Manifest) error {
	for t, f := range m.Files {
		if strings.HasSuffix(f, "/"+m.BuildID+".parquet") {
			continue // written by this build
		}
		if cur != nil && slices.Contains(slices.Collect(maps.Values(cur.Files)), f) {
			continue // still named by the current manifest: not collected
		}
		_, _, err := b.lake.Get(ctx, f, "")
		switch {
		case errors.Is(err, storage.ErrNotFound):
			b.log.Warn("rollup: reused cache file gone, committing without it", "file", f)
			delete(m.Files, t)
		case err != nil:
			return fmt.Errorf("rollup: check %s: %w", f, err)
		}
	}
	return nil
}
