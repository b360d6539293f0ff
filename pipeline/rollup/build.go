// Package rollup sums the lake's accepted submissions hamlet → commune →
// district (years up to 2024) → province → nation with DuckDB, recomputes
// the rates from the sums at every level, compares them with targets, and
// measures completeness and timeliness per deadline.
//
// Outputs (lake keys):
//
//	rollups/level=<hamlet|commune|district|province>/year=Y/province=P/<build>.parquet
//	rollups/level=nation/year=Y/province=all/<build>.parquet
//	rollups/completeness/year=Y/province=<P|all>/<build>.parquet
//	rollups/_manifests/year=Y/province=<P|all>.json   (which build is current)
//
// Re-based builds (a pre-2025 year on 2025 units) go under
// rollups/units=<version>/… with the same shape.
//
// Consistency: a build writes new files named by its build id, then
// commits a manifest with a compare-and-swap (storage.Writer.PutIf), then
// deletes the files of older builds. Build ids sort by the time the build
// listed its inputs, so a build that saw an older lake can never replace a
// newer one: it finds a newer manifest, deletes its own files and reports
// itself stale. Readers that go through the manifests (the query views,
// the reports) never see a half-written or mixed set; query sessions and
// builds pin (hard-link) the files they read more than once.
//
// Speed (BENCHMARKS.md): a build reads its inputs through input caches
// (cache.go: per province, the rows of the objects listed, with a digest
// of the listing in the manifest; for the nation, the province rows it
// summed), keeps large inputs as views so each statement reads only the
// columns it needs, and uses one DuckDB instance per process; a build
// works in a schema of its own over two connections, so independent
// statements run at once. On the 2-core machine this was built on,
// planning a wide statement costs more than running it on a province's
// rows, so the SQL is kept to few statements.
package rollup

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
	"github.com/xhht/xhht/pipeline/targets"
)

// Options says what to rebuild.
type Options struct {
	Lake     storage.Store // must be a storage.Writer (both backends are)
	Year     int
	Province string // "" = every province of the year's register
	// Units re-bases a pre-2025 year on a post-reform register ("2025"):
	// old communes that went whole into a new one add up into it; split
	// ones only through a hamlet assignment (schemas/rebase), else they are
	// listed as not re-based.
	Units   string
	WorkDir string    // scratch space for DuckDB and downloads; "" = a temp dir, removed after
	Now     time.Time // build time; zero = time.Now()

	// Cutoff, when set, counts only submissions and receipts received
	// strictly before it (a deadline report's cut-off).
	Cutoff time.Time
	// ApprovedOnly counts only data the province approved (approved.go);
	// snapshots only (OutDir set).
	ApprovedOnly bool
	// RebaseLastYear: across the 2025 reform, build last year's re-based
	// roll-up first even if one exists (last year changed; Following sets
	// it). Without it, it is built only when missing (rebaseprev.go).
	RebaseLastYear bool
	// NoFlags skips the plausibility flags (flags.go): a snapshot read
	// only for its totals (a report's trend) does not need them.
	NoFlags bool
	// OutDir, when set, makes the build a snapshot: the tables are written
	// to OutDir/<table>.parquet (hamlets, communes, districts, provinces,
	// completeness) and nothing is committed to the lake. Reports use it
	// with Cutoff; the national level is not built.
	OutDir string

	// Optional; loaded from schemas/ when nil. Schemas is read for the
	// hamlet assignments of split communes (rebase/hamlet_assignments.csv).
	Schemas   fs.FS
	Registry  *registry.Registry
	Targets   *targets.Set
	Deadlines *deadlines.Set
	Log       *slog.Logger
}

// Result reports what a build did.
type Result struct {
	BuildID   string
	Provinces []string // provinces committed by this build
	Stale     []string // provinces where a newer build had already committed
	Inputs    int      // submissions counted (current year)
	Written   []string // keys written and kept
	Nation    bool     // the national level was rebuilt
	FromCache int      // input objects whose rows came from the input cache
	Read      int      // input objects read (new or changed since the cache)
	// NotRebased lists old communes whose data could not be re-based
	// (split communes without a hamlet assignment), re-based builds only.
	NotRebased []NotRebased
	Elapsed    time.Duration
	// DataTime is the latest received_at among the submissions counted
	// (zero when none): the "data as of" of a snapshot.
	DataTime time.Time
	// FlagsReused counts the provinces whose plausibility flags were
	// reused from their current roll-up (flagcache.go), not computed.
	FlagsReused int
	// IdentityReused counts the provinces whose hamlet identities were
	// read from their identity cache (identity.go), not computed.
	IdentityReused int
	// OutputsReused counts the provinces whose outputs were reused whole
	// from their current roll-up (outputs.go): neither computed nor written.
	OutputsReused int
	// RebasedLastYear is the re-based build of last year this build ran
	// first because it was missing (rebaseprev.go); nil when none ran.
	RebasedLastYear *Result
}

// NotRebased is an old commune left out of a re-based build.
type NotRebased struct {
	OldCode, OldName string
	NewCodes         []string // the communes it was split into
	Hamlets          int      // its hamlet rows not assigned
	Biểu02           bool     // it had a Biểu 02, which cannot be split
}

// defaults are the embedded register, targets and due dates, loaded once
// per process: they are read-only, and parsing them is ~10 ms a build.
var defaults struct {
	once sync.Once
	reg  *registry.Registry
	tg   *targets.Set
	dl   *deadlines.Set
	err  error
}

func loadDefaults() error {
	defaults.once.Do(func() {
		if defaults.reg, defaults.err = registry.Load(); defaults.err != nil {
			return
		}
		if defaults.tg, defaults.err = targets.Load(); defaults.err != nil {
			return
		}
		defaults.dl, defaults.err = deadlines.Load()
	})
	if defaults.err != nil {
		return fmt.Errorf("rollup: %w", defaults.err)
	}
	return nil
}

// ErrNoLakeWriter is returned when the lake store cannot delete or
// compare-and-swap, which the consistency guarantees rely on.
var ErrNoLakeWriter = errors.New("rollup: lake store must implement storage.Writer")

// Build rebuilds the roll-ups of one year for one or every province, then
// the national level.
func Build(ctx context.Context, o Options) (*Result, error) {
	start := time.Now()
	// Across the 2025 reform: last year re-based first, if missing
	// (rebaseprev.go).
	rebased := buildRebasedLastYear(ctx, o)
	res, usedCache, err := buildOnce(ctx, o, false)
	if err != nil && usedCache && ctx.Err() == nil {
		// An input cache that cannot be read (damaged, or written by
		// another version) must not stop every later build: build again
		// from the objects themselves, which also writes new caches.
		log := o.Log
		if log == nil {
			log = slog.Default()
		}
		log.Warn("rollup: build with the input caches failed; building again from the objects", "year", o.Year, "province", o.Province, "err", err)
		res, _, err = buildOnce(ctx, o, true)
	}
	if err != nil {
		return nil, err
	}
	res.RebasedLastYear = rebased
	res.Elapsed = time.Since(start)
	return res, nil
}

func buildOnce(ctx context.Context, o Options, noCache bool) (*Result, bool, error) {
	start := time.Now()
	b, err := newBuilder(o)
	if err != nil {
		return nil, false, err
	}
	defer b.close()
	b.noCache = noCache
	if err := b.run(ctx); err != nil {
		return nil, b.usedCache, err
	}
	if err := syncLake(b.lake); err != nil {
		return nil, b.usedCache, err
	}
	b.res.Elapsed = time.Since(start)
	b.log.Info("rollup done", "year", o.Year, "province", o.Province, "units", o.Units, "build_id", b.res.BuildID,
		"provinces", len(b.res.Provinces), "stale", len(b.res.Stale), "inputs", b.res.Inputs,
		"objects_cached", b.res.FromCache, "objects_read", b.res.Read, "elapsed_ms", b.res.Elapsed.Milliseconds())
	return b.res, b.usedCache, nil
}

type builder struct {
	o        Options
	lake     storage.Writer
	reg      *registry.Registry
	ver      *registry.Version // register of the year
	units    *registry.Version // register the figures are expressed on
	prevYear int               // 0: last year is not on the same units
	tg       *targets.Set
	dl       *deadlines.Set
	log      *slog.Logger
	work     string
	ownWork  bool
	// db and db2 are two connections to the shared instance (duck.go),
	// both working in the build's own schema: independent statements run
	// on both at once (planning a statement is single-threaded in DuckDB).
	db, db2 *sql.Conn
	schema  string
	lakeDir string     // set when the lake is a local directory: read in place
	mu      sync.Mutex // guards res during the concurrent commits
	// Input cache bookkeeping, per kind (cache_submissions, …) and
	// province: the cache file of the current manifest, and whether this
	// build saw objects the cache lacks or that left the lake.
	oldCache map[string]map[string]string
	changed  map[string]map[string]bool
	// digests: the current year's listing digest per kind and province,
	// recorded in the manifest with the cache (see listingDigest).
	digests map[string]map[string]string
	pins    string // this build's folder of pinned files (see pin), in work
	pinned  int    // files pinned so far
	// noCache: read every object, no input cache (the retry after a build
	// that failed while using caches, see Build).
	noCache   bool
	usedCache bool // some input cache was read
	// prevInputs: last year's submission objects listed; with none, last
	// year's columns are null without computing anything.
	prevInputs int
	// manifests of the year and last year as the input caches found them.
	manifests map[int]map[string]*lake.Manifest
	buildID   string
	builtAt   time.Time
	res       *Result
	prefix    string // "rollups/" or "rollups/units=<v>/"
	// overrides[tag]: some commune's counted submission is not its
	// latest (review states, approved.go).
	overrides map[string]bool
	// The flags cache (flagcache.go): listing digests of the submissions
	// per partKey, digests of the review states read per partKey, and the
	// flags digest of each province of this build.
	subDigests    map[string]string
	reviewDigests map[string]string
	flagDigests   map[string]string
	// The identity cache (identity.go): each province's digest, and the
	// provinces whose hamlet_ids rows were reused (→ the cache file named,
	// "" when none).
	identityDigests map[string]string
	identityReused  map[string]string
	// Output reuse (outputs.go): each province's outputs digest, the
	// provinces reused (→ digest), and, once decided, the provinces this
	// build computes (narrowed: provinces() returns only).
	outputDigests map[string]string
	reused        map[string]string
	narrowed      bool
	only          []string
	// reviewStates: the review states read, by partKey (read once).
	reviewStates map[string]reviewState
	// flagSrc: where the flags take last year from, decided once.
	flagSrc *flagSource
}

func newBuilder(o Options) (*builder, error) {
	b := &builder{o: o, res: &Result{},
		oldCache: map[string]map[string]string{cacheSubs: {}, cacheReceipts: {}},
		changed:  map[string]map[string]bool{cacheSubs: {}, cacheReceipts: {}},
		digests:  map[string]map[string]string{cacheSubs: {}, cacheReceipts: {}}}
	w, ok := o.Lake.(storage.Writer)
	if !ok {
		return nil, ErrNoLakeWriter
	}
	b.lake = w
	if ls, ok := o.Lake.(*local.Store); ok {
		b.lakeDir = ls.Dir()
		b.lake = deferLocalSyncs(ls)
	}
	b.log = o.Log
	if b.log == nil {
		b.log = slog.Default()
	}
	var err error
	if o.Registry == nil || o.Targets == nil || o.Deadlines == nil {
		if err := loadDefaults(); err != nil {
			return nil, err
		}
	}
	if b.reg = o.Registry; b.reg == nil {
		b.reg = defaults.reg
	}
	if b.tg = o.Targets; b.tg == nil {
		b.tg = defaults.tg
	}
	if b.dl = o.Deadlines; b.dl == nil {
		b.dl = defaults.dl
	}
	if b.ver = b.reg.ForYear(o.Year); b.ver == nil || o.Year < 2000 || o.Year > 2100 {
		return nil, fmt.Errorf("rollup: no administrative-unit register for year %d", o.Year)
	}
	b.units, b.prefix = b.ver, lake.RollupsPrefix
	if o.Units != "" && o.Units != b.ver.Name {
		if b.units = b.reg.ByName(o.Units); b.units == nil {
			return nil, fmt.Errorf("rollup: unknown register %q (pre2025, 2025, 2026-04)", o.Units)
		}
		if !b.ver.HasDistricts() || b.units.HasDistricts() {
			return nil, fmt.Errorf("rollup: re-basing goes from a pre-2025 year to a post-reform register; %d uses %s, --units %s", o.Year, b.ver.Name, o.Units)
		}
		b.prefix = lake.RollupUnitsPrefix(b.units.Name)
	}
	if o.Province != "" {
		if _, ok := b.units.Provinces[o.Province]; !ok {
			return nil, fmt.Errorf("rollup: province %q is not in the %s register", o.Province, b.units.Name)
		}
	}
	// Last year counts only when it is on the same units: both years
	// before the reform, or both after (2025 and 2026-04 share codes).
	if pv := b.reg.ForYear(o.Year - 1); pv != nil && pv.HasDistricts() == b.ver.HasDistricts() {
		b.prevYear = o.Year - 1
	}
	if b.work = o.WorkDir; b.work == "" {
		if b.work, err = os.MkdirTemp("", "xhht-rollup-"); err != nil {
			return nil, fmt.Errorf("rollup: %w", err)
		}
		b.ownWork = true
	} else if err := os.MkdirAll(b.work, 0o755); err != nil {
		return nil, fmt.Errorf("rollup: work dir: %w", err)
	}
	b.builtAt = o.Now
	if b.builtAt.IsZero() {
		b.builtAt = time.Now()
	}
	b.builtAt = b.builtAt.UTC()
	b.buildID = newBuildID(b.builtAt)
	b.res.BuildID = b.buildID
	return b, nil
}

// newBuildID sorts by time (to the nanosecond), then by a random tail so
// two builds started in the same instant still differ.
func newBuildID(t time.Time) string {
	var r [4]byte
	_, _ = rand.Read(r[:])
	return t.UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(r[:])
}

func (b *builder) close() {
	if b.db2 != nil {
		b.db2.Close()
	}
	if b.db != nil {
		if b.schema != "" {
			// Not the build's context: it may be cancelled, and the
			// schema must go either way.
			if _, err := b.db.ExecContext(context.Background(), "DROP SCHEMA IF EXISTS "+b.schema+" CASCADE"); err != nil {
				b.log.Warn("rollup: drop build schema", "schema", b.schema, "err", err)
			}
		}
		b.db.Close()
	}
	if b.pins != "" {
		os.RemoveAll(b.pins)
	}
	if b.ownWork {
		os.RemoveAll(b.work)
	}
}

func (b *builder) provinces() []string {
	if b.narrowed {
		return b.only
	}
	if b.o.Province != "" {
		return []string{b.o.Province}
	}
	var ps []string
	for code := range b.units.Provinces {
		ps = append(ps, code)
	}
	sort.Strings(ps)
	return ps
}

func (b *builder) run(ctx context.Context) error {
	var err error
	if b.db, err = buildConn(ctx, true); err != nil {
		return err
	}
	var r [8]byte
	_, _ = rand.Read(r[:])
	b.schema = "build_" + hex.EncodeToString(r[:])
	if _, err := b.db.ExecContext(ctx, "CREATE SCHEMA "+b.schema); err != nil {
		b.schema = ""
		return fmt.Errorf("rollup: build schema: %w", err)
	}
	if b.db2, err = buildConn(ctx, false); err != nil {
		return err
	}
	for _, c := range []*sql.Conn{b.db, b.db2} {
		if _, err := c.ExecContext(ctx, "SET schema = "+quote(b.schema)); err != nil {
			return fmt.Errorf("rollup: build schema: %w", err)
		}
	}
	// The build id is taken before listing: everything this build reads
	// was in the lake at that time.
	provs := b.provinces()
	t0 := time.Now()
	subs, rcpts, err := b.inputs(ctx)
	if err != nil {
		return err
	}
	b.log.Debug("rollup phase", "phase", "list", "objects", len(subs)+len(rcpts), "ms", time.Since(t0).Milliseconds())
	if b.outputReuse() {
		// Provinces whose outputs nothing has changed are not built
		// (outputs.go).
		t0 = time.Now()
		if provs, err = b.planReuse(ctx, provs, subs, rcpts); err != nil {
			return err
		}
		b.narrowed, b.only = true, provs
		b.log.Debug("rollup phase", "phase", "plan reuse", "ms", time.Since(t0).Milliseconds())
	}
	if len(provs) > 0 {
		if err := b.buildProvinces(ctx, provs, subs, rcpts); err != nil {
			return err
		}
		if b.o.OutDir != "" {
			return nil
		}
	} else if err := b.nationTables(ctx); err != nil {
		return err
	}
	if err := b.commitReused(ctx); err != nil {
		return err
	}
	if b.units != b.ver {
		return b.listNotRebased(ctx)
	}
	// The nation reads the current province files; a concurrent build of
	// another province may replace (and delete) one of them in between.
	// Reading the manifests again then finds its successor.
	var err2 error
	for attempt := 0; attempt < 3; attempt++ {
		if err2 = b.nation(ctx); err2 == nil {
			return nil
		}
		b.log.Warn("rollup nation: retrying without the national cache", "attempt", attempt+1, "err", err2)
		b.noCache = true
	}
	return err2
}

// buildProvinces computes and commits the outputs of provs (or, for a
// snapshot, writes them to OutDir).
func (b *builder) buildProvinces(ctx context.Context, provs []string, subs, rcpts []storage.Object) error {
	t0 := time.Now()
	if err := b.load(ctx, provs, subs, rcpts); err != nil {
		return err
	}
	if err := b.loadReviews(ctx, provs, b.prevYear != 0 && b.prevInputs > 0); err != nil {
		return err
	}
	b.log.Debug("rollup phase", "phase", "load", "ms", time.Since(t0).Milliseconds())
	t0 = time.Now()
	if err := b.compute(ctx); err != nil {
		return err
	}
	b.log.Debug("rollup phase", "phase", "compute", "ms", time.Since(t0).Milliseconds())
	t0 = time.Now()
	if b.o.OutDir != "" {
		return b.writeOut(ctx)
	}
	if err := b.write(ctx, provs); err != nil {
		return err
	}
	b.log.Debug("rollup phase", "phase", "write", "ms", time.Since(t0).Milliseconds())
	return nil
}

// nationTables creates what the national level reads besides the province
// rows, when no province is built: the nation's targets, the deadlines
// and the build's parameters.
func (b *builder) nationTables(ctx context.Context) error {
	if err := b.loadTargets(ctx, nil); err != nil {
		return err
	}
	if err := b.loadDue(ctx, slices.Sorted(maps.Keys(b.units.Provinces))); err != nil {
		return err
	}
	return b.exec(ctx, "parameters", b.yearParamSQL())
}

// yearParamSQL creates year_param: the year, units, build id and time.
func (b *builder) yearParamSQL() string {
	return fmt.Sprintf(
		"CREATE TABLE year_param AS SELECT %d::INTEGER AS y, %s AS units, %s AS build_id, %s::TIMESTAMPTZ AS built_at",
		b.o.Year, quote(b.units.Name), quote(b.buildID), quote(b.builtAt.Format(time.RFC3339Nano)))
}

// inputs lists the submissions of the year and last year, and the
// receipts of the year. Nothing is read yet: most will come from the cache.
func (b *builder) inputs(ctx context.Context) (subs, rcpts []storage.Object, err error) {
	years := []int{b.o.Year}
	if b.prevYear != 0 {
		years = append(years, b.prevYear)
	}
	years = append(years, b.historyYears()...) // hamlet identity (identity.go)
	for _, y := range years {
		objs, err := b.list(ctx, lake.SubmissionsYearPrefix(y), ".parquet")
		if err != nil {
			return nil, nil, err
		}
		subs = append(subs, objs...)
		if y == b.prevYear {
			b.prevInputs = len(objs)
		}
	}
	if rcpts, err = b.list(ctx, lake.ReceiptsYearPrefix(b.o.Year), ".json"); err != nil {
		return nil, nil, err
	}
	return subs, rcpts, nil
}

// whole: a re-based build, or a build of every province, reads the whole
// year (any old province may feed a new one).
func (b *builder) whole() bool { return b.o.Province == "" || b.units != b.ver }

func (b *builder) list(ctx context.Context, yearPrefix, ext string) ([]storage.Object, error) {
	p := yearPrefix
	if !b.whole() {
		p += lake.ProvinceDir(b.o.Province)
	}
	var objs []storage.Object
	var err error
	if b.lakeDir != "" {
		objs, err = listLocal(b.lakeDir, p)
	} else {
		objs, err = b.lake.List(ctx, p)
	}
	if err != nil {
		return nil, fmt.Errorf("rollup: list %s: %w", p, err)
	}
	out := objs[:0]
	for _, o := range objs {
		if strings.HasSuffix(o.Key, ext) {
			if o.ETag == "" {
				// No version token (a store that lists none): the object
				// can never be known unchanged, so it gets one that no
				// cache holds and is read every time.
				o.ETag = "unversioned-" + b.buildID
			}
			out = append(out, o)
		}
	}
	return out, nil
}

// listLocal lists a local lake folder with a cheap version token in
// place of the ETag: size and modification time. local.Store.List reads
// every file to compute its MD5, which for a national year is thousands of
// reads just to learn that nothing changed. The token only has to change
// when the file does, which a rewrite (new mtime) guarantees.
func listLocal(dir, prefix string) ([]storage.Object, error) {
	root := filepath.Join(dir, filepath.FromSlash(prefix))
	var out []storage.Object
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".") {
			return nil // directories, and the store's in-flight temp files
		}
		fi, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		out = append(out, storage.Object{Key: filepath.ToSlash(rel), Size: fi.Size(), LastModified: fi.ModTime().UTC(),
			ETag: fmt.Sprintf("local-%d-%d", fi.Size(), fi.ModTime().UnixNano())})
		return nil
	})
	return out, err
}

func (b *builder) localPath(ctx context.Context, key string) (string, error) {
	if ls, ok := b.o.Lake.(*local.Store); ok {
		return filepath.Join(ls.Dir(), filepath.FromSlash(key)), nil
	}
	dst := filepath.Join(b.work, "lake", filepath.FromSlash(key))
	body, _, err := b.lake.Get(ctx, key, "")
	if err != nil {
		return "", fmt.Errorf("rollup: download %s: %w", key, err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("rollup: %w", err)
	}
	if err := os.WriteFile(dst, body, 0o644); err != nil {
		return "", fmt.Errorf("rollup: %w", err)
	}
	return dst, nil
}

func (b *builder) exec(ctx context.Context, what, q string) error {
	return b.execOn(ctx, b.db, what, q)
}

// execOn runs q on one of the build's connections.
func (b *builder) execOn(ctx context.Context, c *sql.Conn, what, q string) error {
	start := time.Now()
	if _, err := c.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("rollup: %s: %w", what, err)
	}
	b.log.Debug("rollup step", "step", what, "ms", float64(time.Since(start).Microseconds())/1000)
	return nil
}

// readParquet reads Parquet files as one table. union_by_name: files of
// an older schema lack newer columns, which read as null; no hive
// partitioning: the year= and province= folders are columns already.
func readParquet(paths []string) string {
	return fmt.Sprintf("read_parquet(%s, union_by_name = true, hive_partitioning = false)", sqlList(paths))
}

// sqlList is a DuckDB list literal of file paths.
func sqlList(paths []string) string {
	q := make([]string, len(paths))
	for i, p := range paths {
		q[i] = quote(p)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// load creates the input tables: subs, receipts (through the input
// cache), units, due, tg, year_param.
func (b *builder) load(ctx context.Context, provs []string, subs, rcpts []storage.Object) error {
	var subRefs, rcRefs []cacheRef
	if b.units == b.ver {
		var sel []string // nil: every province
		if !b.whole() {
			sel = provs
		}
		for _, y := range append([]int{b.o.Year, b.prevYear}, b.historyYears()...) {
			if y == 0 || (y == b.prevYear && b.prevInputs == 0) {
				continue
			}
			c, err := b.cacheFiles(ctx, y, sel, cacheSubs)
			if err != nil {
				return err
			}
			subRefs = append(subRefs, c...)
		}
		var err error
		if rcRefs, err = b.cacheFiles(ctx, b.o.Year, sel, cacheReceipts); err != nil {
			return err
		}
	}
	b.submissionDigests(subs)
	exact, checked, exactN, rest := b.splitInputs(subs, subRefs, provs, b.digests[cacheSubs])
	cached, read, err := b.readInputs(ctx, "subs", cacheSubs, rest, exact, checked, exactN, subsSQL, emptySubsSQL())
	if err != nil {
		return err
	}
	exact, checked, exactN, rest = b.splitInputs(rcpts, rcRefs, provs, b.digests[cacheReceipts])
	rcached, rread, err := b.readInputs(ctx, "receipts", cacheReceipts, rest, exact, checked, exactN, receiptsSQL, emptyReceiptsSQL)
	if err != nil {
		return err
	}
	b.res.FromCache, b.res.Read = cached+rcached, read+rread
	// subs and receipts are what the build counts: everything, or for a
	// report only what had arrived before its cut-off, so regenerating it
	// later gives the same numbers. Last year's rows are cut at last
	// year's same deadline, so the change a report states matches last
	// year's own report. (A null received_at is kept, as it always was.)
	subsWhere, rcWhere := "", ""
	if !b.o.Cutoff.IsZero() {
		c := quote(b.o.Cutoff.UTC().Format(time.RFC3339Nano)) + "::TIMESTAMPTZ"
		cp := quote(b.o.Cutoff.AddDate(-1, 0, 0).UTC().Format(time.RFC3339Nano)) + "::TIMESTAMPTZ"
		subsWhere = fmt.Sprintf(" WHERE (received_at >= CASE WHEN report_year = %d THEN %s WHEN report_year < %[1]d THEN %s END) IS NOT TRUE", b.o.Year, c, cp)
		rcWhere = fmt.Sprintf(" WHERE (received_at >= %s) IS NOT TRUE", c)
	}
	if err := b.exec(ctx, "inputs", fmt.Sprintf("CREATE OR REPLACE VIEW subs AS SELECT * FROM subs_all%s;\nCREATE OR REPLACE VIEW receipts AS SELECT * FROM receipts_all%s;",
		subsWhere, rcWhere)); err != nil {
		return err
	}
	if err := b.loadUnits(ctx, provs); err != nil {
		return err
	}
	if err := b.loadTargets(ctx, provs); err != nil {
		return err
	}
	if err := b.loadDue(ctx, provs); err != nil {
		return err
	}
	return b.exec(ctx, "parameters", b.yearParamSQL())
}

// writeCSV writes rows to a file in the work dir for DuckDB to read.
func (b *builder) writeCSV(name string, rows [][]string) (string, error) {
	p := filepath.Join(b.work, name)
	f, err := os.Create(p)
	if err != nil {
		return "", fmt.Errorf("rollup: %w", err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return "", fmt.Errorf("rollup: write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("rollup: write %s: %w", name, err)
	}
	return p, nil
}

// readCSVSQL reads a CSV that writeCSV wrote, whose header is cols, with
// the given column types (VARCHAR when absent). The dialect is stated, not
// sniffed: DuckDB's sniffer costs about 150 ms per file on this machine,
// ten times the read, and these files are ours. Empty fields read as NULL.
func readCSVSQL(path string, cols []string, types map[string]string) string {
	spec := make([]string, len(cols))
	for i, c := range cols {
		t := types[c]
		if t == "" {
			t = "VARCHAR"
		}
		spec[i] = fmt.Sprintf("%s: %s", quote(c), quote(t))
	}
	return fmt.Sprintf(`read_csv(%s, auto_detect = false, header = true, delim = ',', quote = '"', escape = '"', columns = {%s})`,
		quote(path), strings.Join(spec, ", "))
}

// loadCSV writes rows (header first) and creates the temp table `table`
// from them: SELECT sel FROM the file.
func (b *builder) loadCSV(ctx context.Context, what, table, sel string, rows [][]string, types map[string]string) error {
	path, err := b.writeCSV(table+".csv", rows)
	if err != nil {
		return err
	}
	return b.exec(ctx, what, fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT %s FROM %s", table, sel, readCSVSQL(path, rows[0], types)))
}

// loadUnits: the expected communes of the selected provinces, with their
// district (before 2025) and the difficult-area flag.
func (b *builder) loadUnits(ctx context.Context, provs []string) error {
	rows := [][]string{{"commune_code", "commune_name", "district_code", "district_name", "province_code", "province_name", "vung_kho_khan"}}
	for _, p := range provs {
		rows = append(rows, b.unitRows(p)...)
	}
	return b.loadCSV(ctx, "units", "units", "*", rows, map[string]string{"vung_kho_khan": "BOOLEAN"})
}

// unitRows are province p's rows of the units table (loadUnits).
func (b *builder) unitRows(p string) [][]string {
	var rows [][]string
	pu := b.units.Provinces[p]
	for _, c := range b.units.CommunesOf(p) {
		var dc, dn string
		if d := b.units.Districts[c.DistrictCode]; d != nil {
			dc, dn = d.Code, d.Name
		}
		rows = append(rows, []string{c.Code, c.Name, dc, dn, p, pu.Name, strconv.FormatBool(b.tg.Difficult(b.units.Name, c.Code))})
	}
	return rows
}

// indicatorOf maps a rate column to its indicator name in schemas/targets.
func indicatorOf(r rate) string {
	if r.name == "ty_le_can_bo_dat" {
		return "ty_le_can_bo_cong_dan_dat"
	}
	return r.name
}

// loadTargets resolves, in Go, the target of every unit and rate: commune
// (difficult area applied), district and province (the province's, else
// national), nation.
func (b *builder) loadTargets(ctx context.Context, provs []string) error {
	head := []string{"level", "code"}
	for _, r := range rates {
		head = append(head, "chi_tieu_"+r.suffix(), "nguon_chi_tieu_"+r.suffix())
	}
	rows := [][]string{head, b.targetRow("nation", "", "", "", false)}
	for _, p := range provs {
		rows = append(rows, b.targetRows(p)...)
	}
	types := map[string]string{}
	for _, r := range rates {
		types["chi_tieu_"+r.suffix()] = "DOUBLE"
	}
	return b.loadCSV(ctx, "targets", "tg", "*", rows, types)
}

// targetRows are province p's rows of the targets table: the province,
// its communes and its districts (in code order).
func (b *builder) targetRows(p string) [][]string {
	rows := [][]string{b.targetRow("province", p, p, "", false)}
	for _, c := range b.units.CommunesOf(p) {
		rows = append(rows, b.targetRow("commune", c.Code, p, c.Code, b.tg.Difficult(b.units.Name, c.Code)))
	}
	var ds []string
	for code, d := range b.units.Districts {
		if d.ProvinceCode == p {
			ds = append(ds, code)
		}
	}
	slices.Sort(ds)
	for _, code := range ds {
		rows = append(rows, b.targetRow("district", code, p, "", false))
	}
	return rows
}

// targetRow is one unit's row of the targets table.
func (b *builder) targetRow(level, code, province, commune string, difficult bool) []string {
	row := []string{level, code}
	for _, r := range rates {
		t, ok := b.tg.Resolve(indicatorOf(r), b.o.Year, b.units.Name, province, commune, difficult)
		if !ok {
			row = append(row, "", "")
			continue
		}
		row = append(row, strconv.FormatFloat(t.Percent/100, 'g', -1, 64), sourceText(t))
	}
	return row
}

// sourceText is "QĐ 387/QĐ-TTg (mục tiêu 2025)" plus the scope when it is
// not national, so a reader sees whose target it is.
func sourceText(t targets.Target) string {
	s := fmt.Sprintf("%s (mục tiêu %d", t.Source, t.TargetYear)
	if t.Difficult {
		s += ", vùng khó khăn"
	}
	return s + ")"
}

// loadDue: each province's commune due time per deadline.
func (b *builder) loadDue(ctx context.Context, provs []string) error {
	rows := [][]string{{"province_code", "deadline", "due_at"}}
	for _, p := range provs {
		r, err := b.dueRows(p)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	return b.loadCSV(ctx, "due dates", "due", "*", rows, map[string]string{"due_at": "TIMESTAMPTZ"})
}

// dueRows are province p's rows of the due table (loadDue).
func (b *builder) dueRows(p string) ([][]string, error) {
	var rows [][]string
	for _, d := range b.dl.All() {
		due, err := b.dl.CommuneDue(p, d.ID, b.o.Year)
		if err != nil {
			return nil, fmt.Errorf("rollup: due date of %s for province %s: %w", d.ID, p, err)
		}
		rows = append(rows, []string{p, d.ID, due.UTC().Format(time.RFC3339)})
	}
	return rows, nil
}

// compute builds out_<table> for every level of the selected provinces.
func (b *builder) compute(ctx context.Context) error {
	rebase := b.units != b.ver
	if rebase {
		if err := b.loadRebaseMaps(ctx); err != nil {
			return err
		}
	}
	if rebase {
		// The re-based pick assigns hamlets by their identity.
		if err := b.resolveHamlets(ctx, b.db); err != nil {
			return err
		}
	}
	steps := []struct{ what, q string }{
		{"pick current", pickSQL("cur", b.o.Year, rebase)},
	}
	if b.overrides["cur"] {
		steps = append(steps, struct{ what, q string }{"reviewed pick", reviewPickSQL("cur", b.o.Year)})
	}
	if rebase {
		steps = append(steps, struct{ what, q string }{"not re-based", notRebasedSQL},
			struct{ what, q string }{"re-based without data", noDataSQL})
	}
	steps = append(steps, struct{ what, q string }{"communes", communeSQL("cur")})
	withPrev := b.prevYear != 0 && b.prevInputs > 0
	if withPrev {
		steps = append(steps,
			struct{ what, q string }{"pick last year", pickSQL("prev", b.prevYear, rebase)})
		if b.overrides["prev"] {
			steps = append(steps, struct{ what, q string }{"reviewed pick last year", reviewPickSQL("prev", b.prevYear)})
		}
		steps = append(steps, struct{ what, q string }{"communes last year", communeSQL("prev")})
	}
	prov := []string{"province_code", "province_name"}
	dist := []string{"province_code", "province_name", "district_code", "district_name"}
	for _, tag := range []string{"cur", "prev"} {
		if tag == "prev" && !withPrev {
			continue
		}
		from := "c_" + tag
		if tag == "prev" && b.o.ApprovedOnly && !rebase {
			// Like with like: an approved-only build counts part of the
			// province, so last year's province and district figures are
			// those of the same communes (any form counted this year),
			// not of the whole unit; each commune row keeps its own.
			from = "(SELECT * FROM c_prev WHERE commune_code IN (SELECT commune_code FROM c_cur WHERE so_xa_bieu01 + so_xa_bieu02 > 0))"
		}
		steps = append(steps, struct{ what, q string }{"provinces " + tag, groupSQL("p_"+tag, from, prov)})
		if b.units.HasDistricts() {
			steps = append(steps, struct{ what, q string }{"districts " + tag, groupSQL("d_"+tag, from, dist)})
		}
	}
	prevOf := func(t string) string {
		if withPrev {
			return t
		}
		return ""
	}
	steps = append(steps,
		struct{ what, q string }{"hamlets", hamletSQL(withPrev)},
		struct{ what, q string }{"hamlet table", levelSQL(Hamlets, "h_cur", prevOf("h_prev"), []string{"commune_code", "ma_thon"}, "commune", "commune_code")},
		struct{ what, q string }{"commune table", levelSQL(Communes, b.communeFrom(rebase), prevOf("c_prev"), []string{"commune_code"}, "commune", "commune_code")},
		struct{ what, q string }{"province table", levelSQL(Provinces, "p_cur", prevOf("p_prev"), []string{"province_code"}, "province", "province_code")},
	)
	if b.units.HasDistricts() {
		steps = append(steps, struct{ what, q string }{"district table", levelSQL(Districts, "d_cur", prevOf("d_prev"), []string{"district_code"}, "district", "district_code")})
	}
	// Completeness needs only the inputs: it runs on the second
	// connection while the levels are built on the first.
	// The first failure stops the other side.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// So does hamlet identity (identity.go), before completeness: only the
	// hamlet rows need it.
	compErr, idErr := make(chan error, 1), make(chan error, 1)
	if !rebase {
		go func() {
			err := b.resolveHamlets(cctx, b.db2)
			idErr <- err
			if err == nil {
				err = b.execOn(cctx, b.db2, "completeness", completenessSQL(b.units.HasDistricts()))
			}
			if err != nil {
				cancel()
			}
			compErr <- err
		}()
	} else {
		idErr <- nil
		compErr <- nil
	}
	for _, s := range steps {
		err := error(nil)
		if s.what == "hamlets" {
			err = <-idErr
		}
		if err == nil {
			err = b.exec(cctx, s.what, s.q)
		}
		if err != nil {
			cancel()
			if cerr := <-compErr; cerr != nil && ctx.Err() == nil && !errors.Is(cerr, context.Canceled) {
				return cerr // completeness failed first and stopped this step
			}
			return err
		}
	}
	if err := <-compErr; err != nil {
		return err
	}
	var n int
	var dt sql.NullTime
	q := "SELECT count(DISTINCT submission_id), max(received_at) FROM cnt_cur WHERE ucode IS NOT NULL"
	if b.narrowed {
		q += " AND ucode IN (SELECT commune_code FROM units)" // the provinces built
	}
	if err := b.db.QueryRowContext(ctx, q).Scan(&n, &dt); err != nil {
		return fmt.Errorf("rollup: count inputs: %w", err)
	}
	b.res.Inputs += n
	if dt.Valid {
		b.res.DataTime = dt.Time.UTC()
	}
	return nil
}

// communeFrom is the commune-level source: with re-basing, it adds whether
// every old commune feeding the new one was re-based.
func (b *builder) communeFrom(rebase bool) string {
	if !rebase {
		return "(SELECT *, NULL::BOOLEAN AS rebase_complete, NULL::VARCHAR AS rebase_missing, NULL::VARCHAR AS rebase_no_data FROM c_cur)"
	}
	return `(SELECT c.*, nr.old_codes IS NULL AND nd.old_codes IS NULL AS rebase_complete, nr.old_codes AS rebase_missing,
    nd.old_codes AS rebase_no_data
  FROM c_cur c LEFT JOIN (SELECT new_code, string_agg(DISTINCT old_code, ',' ORDER BY old_code) AS old_codes
                          FROM not_rebased_rows GROUP BY new_code) nr ON nr.new_code = c.commune_code
  LEFT JOIN (SELECT new_code, string_agg(DISTINCT old_code, ',' ORDER BY old_code) AS old_codes
             FROM no_data_rows GROUP BY new_code) nd ON nd.new_code = c.commune_code)`
}

// noDataSQL lists, after the current rows are picked, the old communes
// that feed a new commune (the reform table) with no counted row at all
// while another of its old communes has some (review finding M-A, session
// 8): no accepted upload that year (or only rejected ones), so the new
// commune's re-based figures are those of part of it, and a comparison
// with them (a merged commune's households "+50 %", its hamlets "new")
// would be false. Such a commune is not re-based completely
// (rebase_complete false, rebase_no_data names them).
const noDataSQL = `
CREATE OR REPLACE TABLE no_data_rows AS
WITH got AS (SELECT DISTINCT commune_code AS old_code FROM r_cur),
pred AS (SELECT DISTINCT old_code, new_code FROM reform)
SELECT p.old_code, p.new_code
FROM pred p
WHERE p.old_code NOT IN (SELECT old_code FROM got)
  AND p.new_code IN (SELECT p2.new_code FROM pred p2 JOIN got g ON g.old_code = p2.old_code);`
