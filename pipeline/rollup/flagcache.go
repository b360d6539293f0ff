package rollup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/quality"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/storage"
)

// The flags cache (issue 14). Computing the plausibility flags reads every
// hamlet row of the year (and last year's) into Go: on a national rebuild
// that is most of the build's time, although a rebuild usually follows an
// upload to one province. So a province's flags are reused from its
// current roll-up when nothing they depend on has changed since:
//
//   - the province's submissions of every year the build reads (the year,
//     last year, and the hamlet-identity history years), by their listing
//     digest (key and ETag of each object, as the input cache): the
//     province's own folder and, per year, that of any province its
//     communes belonged to in that year's register;
//   - the province's receipts of the year;
//   - its review states of the year, last year and the earlier years a
//     commune's last accepted year is looked for in (which data counts,
//     and the checked flags), as read by the build;
//   - when last year comes from the re-based roll-up (across the 2025
//     reform), the build id of that roll-up's manifest for the province;
//   - the rules in force (schemas/quality/rules.json as parsed), the
//     register (the province's communes, codes and names), the year,
//     units, cut-off, which last year is compared, and flagsCacheVersion.
//
// The digest of all of these is recorded in the manifest
// (CacheDigest["flags"]), next to the flags file it describes. A build
// whose digest for a province equals the manifest's copies that file's
// rows, with this build's build_id and built_at, into its own flags table;
// the other provinces are computed. The result is the table a computation
// from scratch gives (TestFlagsCacheReuseEqualsFresh and
// TestFlagsCacheEachDependency, pipeline/rollup): the digest only decides
// whether to recompute, never what the flags are, so a cache can make a
// build faster but never make the lake depend on the order of builds.

// flagsCacheVersion changes whenever what the flags are computed from, or
// how, changes in code (pipeline/quality's rules, flags.go's gathering):
// a manifest recorded under another version is recomputed.
const flagsCacheVersion = "6" // 6: the unchanged flag's text tells same-minute uploads apart (walk L1); 2: last accepted year (lookbackYears), previous_year; 3: the waiting files' flags (flags_pending.go); 4: waiting only behind approved data, repeats as whole uploads (H1 of the 07/12 review); 5: returned data kept across actions, re-based predecessors without data not comparable (H-A, M-A of the second 07/12 review)

// flagsDigestKey is the flags' entry in lake.Manifest.CacheDigest.
const flagsDigestKey = Flags

// flagSource says where a build's flags take last year from.
type flagSource struct {
	mode string // "build" (this build's last-year tables), "rebased", or "" (none)
	// rebased: the re-based roll-up manifests of last year, by province
	// (mode "rebased").
	rebased map[string]*lake.Manifest
}

// flagPrevSource decides where last year comes from (see flagPrevious)
// and, across the reform, reads the re-based manifests once: the digest
// and the computation then use the same ones.
func (b *builder) flagPrevSource(ctx context.Context) (*flagSource, error) {
	if b.flagSrc != nil {
		return b.flagSrc, nil // decided once per build (the outputs digest used it)
	}
	switch {
	case b.prevYear != 0:
		return &flagSource{mode: "build"}, nil
	case b.prevYear == 0 && !b.units.HasDistricts():
		pv := b.reg.ForYear(b.o.Year - 1)
		if pv == nil || !pv.HasDistricts() {
			return &flagSource{}, nil
		}
		src := &flagSource{mode: "rebased", rebased: map[string]*lake.Manifest{}}
		for _, p := range b.provinces() {
			m, err := readManifest(ctx, b.lake, lake.ManifestKey(lake.RollupUnitsPrefix(b.units.Name), b.o.Year-1, p))
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			src.rebased[p] = m
		}
		return src, nil
	}
	return &flagSource{}, nil
}

// submissionDigests records the listing digest of every (year, province)
// of the submissions listed, for the flags' digests.
func (b *builder) submissionDigests(subs []storage.Object) {
	b.subDigests = map[string]string{}
	for k, objs := range byPart(subs) {
		if k != "" {
			b.subDigests[k] = listingDigest(objs)
		}
	}
}

// recordReviews keeps a digest of the review states read for a year and
// province (the flags' digests).
func (b *builder) recordReviews(year int, province string, st map[string]review.Status, readErr error) {
	body, err := json.Marshal(st) // map keys sorted: deterministic
	if err != nil {
		body = []byte("unmarshalable:" + err.Error())
	}
	if readErr != nil {
		body = append(body, "\x00unreadable"...)
	}
	sum := sha256.Sum256(body)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.reviewDigests == nil {
		b.reviewDigests = map[string]string{}
	}
	b.reviewDigests[partKey(year, province)] = hex.EncodeToString(sum[:16])
}

// flagYears are the report years whose submissions the flags depend on.
func (b *builder) flagYears() []int {
	ys := []int{b.o.Year}
	if b.prevYear != 0 {
		ys = append(ys, b.prevYear)
	}
	return append(ys, b.historyYears()...)
}

// digestLine writes one line of a cache digest (flags, identity, outputs):
// each part followed by a NUL, so parts cannot run into each other, and the
// line ended by a newline.
func digestLine(h io.Writer, parts ...string) {
	for _, s := range parts {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	h.Write([]byte{'\n'})
}

// flagsDigest is the digest of everything province p's flags depend on
// (see the comment at the top of this file).
func (b *builder) flagsDigest(p string, rules *quality.Rules, src *flagSource) (string, error) {
	h := sha256.New()
	line := func(parts ...string) { digestLine(h, parts...) }
	cutoff := ""
	if !b.o.Cutoff.IsZero() {
		cutoff = b.o.Cutoff.UTC().Format(time.RFC3339Nano)
	}
	line("flags", flagsCacheVersion, CacheVersion, strconv.Itoa(b.o.Year), b.units.Name, b.ver.Name, cutoff,
		strconv.Itoa(b.prevYear), strconv.FormatBool(b.prevInputs > 0), src.mode)
	rj, err := json.Marshal(rules)
	if err != nil {
		return "", fmt.Errorf("rollup: flags digest: %w", err)
	}
	line("rules", string(rj))
	b.submissionLines(p, line)
	line("receipts", b.digests[cacheReceipts][p])
	for _, y := range append([]int{b.o.Year, b.prevYear}, b.lookbackYears()...) {
		if y != 0 {
			line("reviews", strconv.Itoa(y), b.reviewDigests[partKey(y, p)])
		}
	}
	if src.mode == "rebased" {
		id := ""
		if m := src.rebased[p]; m != nil {
			id = m.BuildID + " " + m.Files[Communes] + " " + m.Files[Hamlets]
		}
		line("rebased", id)
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// submissionLines gives line the province's communes (code, name) and
// the listing digests of the submissions they depend on: every year the
// build reads, the province's folder and those of the provinces its
// communes belonged to that year (the same one since the reform, but a
// register is data).
func (b *builder) submissionLines(p string, line func(...string)) {
	communes := b.units.CommunesOf(p)
	for _, c := range communes {
		line("commune", c.Code, c.Name, c.ProvinceCode)
	}
	for _, y := range b.flagYears() {
		provs := []string{p}
		if reg := b.reg.ForYear(y); reg != nil {
			for _, c := range communes {
				if u := reg.Communes[c.Code]; u != nil && !slices.Contains(provs, u.ProvinceCode) {
					provs = append(provs, u.ProvinceCode)
				}
			}
		}
		slices.Sort(provs)
		for _, q := range provs {
			line("submissions", strconv.Itoa(y), q, b.subDigests[partKey(y, q)])
		}
	}
}

// reusableFlags decides, per province of the build, whether its current
// flags can be reused: it returns the local (pinned) flags files to reuse,
// the provinces whose flags are reused without a file (none flagged), and
// records every province's digest for the manifest. Snapshots, and the
// retry without caches, reuse nothing.
func (b *builder) reusableFlags(ctx context.Context, rules *quality.Rules, src *flagSource) (files []string, reused map[string]bool, err error) {
	reused = map[string]bool{}
	b.flagDigests = map[string]string{}
	for _, p := range b.provinces() {
		d, err := b.flagsDigest(p, rules, src)
		if err != nil {
			return nil, nil, err
		}
		b.flagDigests[p] = d
		if b.o.OutDir != "" || b.noCache {
			continue
		}
		m := b.manifests[b.o.Year][p]
		if m == nil || m.CacheVersion != CacheVersion || m.CacheDigest[flagsDigestKey] != d {
			continue
		}
		key := m.Files[Flags]
		if key == "" {
			reused[p] = true // nothing flagged, and nothing changed
			continue
		}
		lp, ok, err := b.cachedFile(ctx, key, "flags")
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			continue
		}
		files = append(files, lp)
		reused[p] = true
	}
	b.res.FlagsReused = len(reused)
	return files, reused, nil
}

// cachedFile pins the local copy of a file an earlier build wrote for
// reuse (what: "flags", "identity"). ok is false when the file is gone,
// replaced by a newer build meanwhile: the caller computes instead.
func (b *builder) cachedFile(ctx context.Context, key, what string) (lp string, ok bool, err error) {
	lp, err = b.localPath(ctx, key)
	if err == nil {
		lp, err = b.pin(lp)
	}
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, storage.ErrNotFound) {
		b.log.Warn("rollup "+what+" cache unavailable", "key", key, "err", err)
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return lp, true, nil
}
