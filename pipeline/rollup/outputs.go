package rollup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/storage"
)

// Output reuse (issue 14). A national rebuild usually follows a change in
// one province, or none: recomputing and rewriting every province's
// outputs was most of its time. So a national build reuses, whole, the
// outputs of a province (hamlets, communes, districts, provinces,
// completeness, flags and the input and identity caches) when nothing they
// depend on has changed since its current roll-up:
//
//   - everything the flags depend on (flagsDigest, flagcache.go): the
//     province's submissions of every year the build reads, by listing
//     digest, in its folder and those of the provinces its communes
//     belonged to that year; its receipts of the year (completeness); its
//     review states of every year read (which data counts, the review
//     columns of completeness); the rules, the register's communes, the
//     year, units, cut-off, which last year is compared and, across the
//     reform, the re-based roll-up of last year;
//   - the hamlet identities' inputs (identityDigest, identity.go);
//   - the province's rows of the units, targets and due-date tables as
//     this build would load them (names, districts, difficult areas,
//     resolved targets and their sources, due times per deadline);
//   - NoFlags, the column dictionary of every table, the text of the
//     statements that compute the levels and completeness (so a change in
//     the SQL recomputes by itself), and outputsCacheVersion for what is
//     computed in Go.
//
// Nothing a province's outputs hold depends on the clock but build_id and
// built_at: completeness compares upload times with due times, never with
// the build time. The digest is recorded in the manifest
// (CacheDigest["outputs"]). A national build whose digest for a province
// equals the current manifest's commits, with a compare-and-swap, a
// manifest of its own build id naming that manifest's files; the province
// is neither computed nor written. The files keep the build_id and
// built_at of the build that wrote them (rowsBuild), the bytes a build
// from scratch at that time wrote; the manifest's build id is the newer
// one, so a build that listed the lake before this one still finds itself
// stale. The digest only decides whether to recompute, never what the
// outputs are (TestOutputReuseEachDependency).
//
// Province builds (Options.Province) do not reuse: they follow an upload
// to the province, so something has changed, and their callers expect
// files of their own build.

// outputsCacheVersion changes whenever what a province's outputs are
// computed from, or how, changes in Go code the digest does not cover.
const outputsCacheVersion = "4" // 4: flags cache 6; 2: returned data kept across actions (H-A), re-based predecessors without data (M-A) of the 07/12 province review; 3: timeliness of approved data when a newer file is returned (re-check M1)

// outputsDigestKey is the outputs' entry in lake.Manifest.CacheDigest.
const outputsDigestKey = "outputs"

// errReuseChanged: a province's manifest changed between the build's
// decision to reuse it and its commit, to one with other inputs.
var errReuseChanged = errors.New("rollup: a province's roll-up changed while the build reused it")

// outputReuse reports whether this build may reuse provinces' outputs.
func (b *builder) outputReuse() bool {
	return b.o.Province == "" && b.units == b.ver && b.o.OutDir == "" && !b.noCache && !b.o.ApprovedOnly
}

// planReuse decides which provinces of provs to build: the others' current
// outputs are reused (b.reused). It reads what the digests need: the
// year's manifests, the review states (kept for reviewRows, so the build
// counts exactly what the digest describes), the rules and where the flags
// take last year from.
func (b *builder) planReuse(ctx context.Context, provs []string, subs, rcpts []storage.Object) ([]string, error) {
	if _, ok := b.manifests[b.o.Year]; !ok {
		ms, err := b.readManifests(ctx, lake.RollupsPrefix, b.o.Year)
		if err != nil {
			return nil, err
		}
		if b.manifests == nil {
			b.manifests = map[int]map[string]*lake.Manifest{}
		}
		b.manifests[b.o.Year] = ms
	}
	b.submissionDigests(subs)
	rparts := byPart(rcpts)
	for _, p := range provs {
		b.digests[cacheReceipts][p] = listingDigest(rparts[partKey(b.o.Year, p)])
	}
	if err := b.readReviewStates(ctx, provs); err != nil {
		return nil, err
	}
	digests, err := b.outputsDigests(ctx, provs)
	if err != nil {
		return nil, err
	}
	b.outputDigests, b.reused = digests, map[string]string{}
	var todo []string
	for _, p := range provs {
		d := digests[p]
		m := b.manifests[b.o.Year][p]
		if m != nil && m.CacheVersion == CacheVersion && m.CacheDigest[outputsDigestKey] == d && m.Files[Provinces] != "" {
			b.reused[p] = d
			continue
		}
		todo = append(todo, p)
	}
	if len(b.reused) > 0 {
		// A failure to commit a reuse builds again without caches (Build).
		b.usedCache = true
	}
	b.log.Debug("rollup outputs", "provinces_reused", len(b.reused), "provinces_built", len(todo))
	return todo, nil
}

// outputsDigest is the digest of everything province p's outputs depend on
// (see the top of this file); flags is its flagsDigest, code codeDigest.
func (b *builder) outputsDigest(p, flags, code string) (string, error) {
	h := sha256.New()
	line := func(parts ...string) { digestLine(h, parts...) }
	line("outputs", outputsCacheVersion, CacheVersion, code, strconv.FormatBool(b.o.NoFlags))
	line("flags", flags)
	line("identity", b.identityDigest(p))
	for _, r := range b.unitRows(p) {
		line(append([]string{"unit"}, r...)...)
	}
	for _, r := range b.targetRows(p) {
		line(append([]string{"target"}, r...)...)
	}
	due, err := b.dueRows(p)
	if err != nil {
		return "", err
	}
	for _, r := range due {
		line(append([]string{"due"}, r...)...)
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// codeDigest identifies the column dictionary and the statements that
// compute a province's outputs, as this build would run them.
func (b *builder) codeDigest() string {
	h := sha256.New()
	for _, t := range []string{Hamlets, Communes, Provinces, Districts, Completeness, Flags} {
		for _, c := range Columns(t) {
			fmt.Fprintf(h, "%s %s %s\n", t, c.Name, c.Type)
		}
	}
	withPrev := b.prevYear != 0 && b.prevInputs > 0
	prov := []string{"province_code", "province_name"}
	dist := []string{"province_code", "province_name", "district_code", "district_name"}
	for _, q := range []string{
		pickSQL("cur", b.o.Year, false), reviewPickSQL("cur", b.o.Year), communeSQL("cur"),
		pickSQL("prev", b.prevYear, false), reviewPickSQL("prev", b.prevYear), communeSQL("prev"),
		groupSQL("p_cur", "c_cur", prov), groupSQL("d_cur", "c_cur", dist),
		hamletSQL(withPrev),
		levelSQL(Hamlets, "h_cur", "h_prev", []string{"commune_code", "ma_thon"}, "commune", "commune_code"),
		levelSQL(Communes, b.communeFrom(false), "c_prev", []string{"commune_code"}, "commune", "commune_code"),
		levelSQL(Provinces, "p_cur", "p_prev", []string{"province_code"}, "province", "province_code"),
		levelSQL(Districts, "d_cur", "d_prev", []string{"district_code"}, "district", "district_code"),
		completenessSQL(b.units.HasDistricts()),
		identitySQL(b.o.Year, []int{b.prevYear}, ""),
	} {
		h.Write([]byte(q))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// reviewState is one (year, province)'s review states as read.
type reviewState struct {
	st  map[string]review.Status
	err error
}

// readReviewStates reads the review states of every year loadReviews
// reads, for provs, and records their digests (flagsDigest).
func (b *builder) readReviewStates(ctx context.Context, provs []string) error {
	years := []int{b.o.Year}
	if b.prevYear != 0 && b.prevInputs > 0 {
		years = append(years, b.prevYear)
	}
	years = append(years, b.lookbackYears()...)
	for _, y := range years {
		for _, p := range provs {
			if _, err := b.reviewStatesOf(ctx, y, p); err != nil && !errors.Is(err, review.ErrUnreadable) {
				return fmt.Errorf("rollup: review states of %d, province %s: %w", y, p, err)
			}
		}
	}
	return nil
}

// reviewStatesOf returns the review states of a year and province, read
// once per build (and their digest recorded, recordReviews).
func (b *builder) reviewStatesOf(ctx context.Context, year int, p string) (map[string]review.Status, error) {
	k := partKey(year, p)
	b.mu.Lock()
	rs, ok := b.reviewStates[k]
	b.mu.Unlock()
	if ok {
		return rs.st, rs.err
	}
	st, err := review.ForProvince(ctx, b.o.Lake, year, p)
	b.recordReviews(year, p, st, err)
	b.mu.Lock()
	if b.reviewStates == nil {
		b.reviewStates = map[string]reviewState{}
	}
	b.reviewStates[k] = reviewState{st, err}
	b.mu.Unlock()
	return st, err
}

// rowsBuild is the build whose rows a province manifest's files hold: the
// manifest's own, or the earlier build whose outputs it reused.
func rowsBuild(m *lake.Manifest) string {
	if k := m.Files[Provinces]; k != "" {
		return strings.TrimSuffix(path.Base(k), ".parquet")
	}
	return m.BuildID
}

// commitReused commits, for every reused province, a manifest of this
// build naming its current manifest's files.
func (b *builder) commitReused(ctx context.Context) error {
	provs := slices.Sorted(maps.Keys(b.reused))
	errs := make([]error, len(provs))
	stale := make([]bool, len(provs))
	sem := make(chan struct{}, uploadWorkers)
	var wg sync.WaitGroup
	for i, p := range provs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			stale[i], errs[i] = b.commitReuse(ctx, p, b.reused[p])
		}()
	}
	wg.Wait()
	for i, p := range provs {
		switch {
		case errs[i] != nil:
		case stale[i]:
			b.res.Stale = append(b.res.Stale, p)
		default:
			b.res.Provinces = append(b.res.Provinces, p)
			b.res.OutputsReused++
		}
	}
	slices.Sort(b.res.Provinces)
	return errors.Join(errs...)
}

// commitReuse replaces province p's manifest, with a compare-and-swap, by
// one of this build naming the same files, if its outputs digest is still
// d. A newer build's manifest makes this build stale for p; one with
// another digest (a build that committed since the decision) is an error:
// Build then builds again without any cache.
func (b *builder) commitReuse(ctx context.Context, p, d string) (stale bool, err error) {
	key := b.manifestKey(p)
	for attempt := 0; attempt < 20; attempt++ {
		body, obj, err := b.lake.Get(ctx, key, "")
		if err != nil {
			return false, fmt.Errorf("rollup: read manifest %s: %w", key, err)
		}
		var cur lake.Manifest
		if err := json.Unmarshal(body, &cur); err != nil {
			return false, fmt.Errorf("rollup: manifest %s: %w", key, err)
		}
		if cur.BuildID >= b.buildID {
			b.log.Warn("rollup stale: a newer build is current", "manifest", key, "current", cur.BuildID, "ours", b.buildID)
			return true, nil
		}
		if cur.CacheVersion != CacheVersion || cur.CacheDigest[outputsDigestKey] != d || cur.Files[Provinces] == "" {
			return false, fmt.Errorf("%w: %s", errReuseChanged, key)
		}
		m := cur
		m.BuildID, m.BuiltAt = b.buildID, b.builtAt
		data, err := json.MarshalIndent(&m, "", "  ")
		if err != nil {
			return false, fmt.Errorf("rollup: %w", err)
		}
		err = b.lake.PutIf(ctx, key, data, "application/json", obj.ETag)
		if errors.Is(err, storage.ErrPrecondition) {
			continue // someone committed in between: look again
		}
		if err != nil {
			return false, fmt.Errorf("rollup: commit %s: %w", key, err)
		}
		b.mu.Lock()
		b.res.Written = append(b.res.Written, key)
		b.res.Inputs += len(m.Inputs)
		b.mu.Unlock()
		return false, nil
	}
	return false, fmt.Errorf("rollup: commit %s: gave up after 20 conflicting writes", key)
}

// builtOutputDigests are the outputs digests of the provinces this build
// computed, for their manifests: decided with the reuse (national builds),
// else computed now from what the build read, so that the next national
// build can reuse a province a province build committed. Builds on other
// units, and approved-only ones, record none (nothing reuses them).
func (b *builder) builtOutputDigests(ctx context.Context, provs []string) (map[string]string, error) {
	if b.outputDigests != nil {
		return b.outputDigests, nil
	}
	if b.units != b.ver || b.o.ApprovedOnly {
		return nil, nil
	}
	return b.outputsDigests(ctx, provs)
}

// outputsDigests is outputsDigest for each of provs, from one read of the
// rules and of last year's source (kept in b.flagSrc for the flags step).
func (b *builder) outputsDigests(ctx context.Context, provs []string) (map[string]string, error) {
	rules, err := b.flagRules()
	if err != nil {
		return nil, fmt.Errorf("rollup: %w", err)
	}
	src, err := b.flagPrevSource(ctx)
	if err != nil {
		return nil, err
	}
	b.flagSrc = src
	code := b.codeDigest()
	out := map[string]string{}
	for _, p := range provs {
		fd, err := b.flagsDigest(p, rules, src)
		if err != nil {
			return nil, err
		}
		if out[p], err = b.outputsDigest(p, fd, code); err != nil {
			return nil, err
		}
	}
	return out, nil
}
