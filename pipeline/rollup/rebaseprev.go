package rollup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/parquet-go/parquet-go"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/storage"
)

// Across the 2025 reform a year's plausibility flags compare each commune
// with the re-based roll-up of the year before (flags.go): last year's
// figures added up on this year's communes, `xhht rollup --year 2024
// --units 2025`. Without it there is nothing to compare with, and the
// year-on-year flags were silently absent (review finding L-L, session 8).
// So a committing build of a year whose previous year is on another
// register builds that re-based roll-up first, when a province it builds
// has none, or one written before rebase_no_data existed (finding M-A: it
// would call a merged commune's missing predecessor growth), and the
// previous year has uploads. Every caller gets it: `xhht rollup`, `xhht
// run`, the roll-up Lambda (rollup.Build). It happens once per province
// (the re-based roll-up then exists). When the previous year changes
// (rare after the reform), the build that keeps the following year
// current (Following, used by BuildKeepingNextYear and the roll-up Lambda)
// has Options.RebaseLastYear set: it re-bases the previous year again
// before its own build.
//
// Snapshots, report cut-offs, approved-only and NoFlags builds never
// build it (they commit nothing, or do not compare); a failure of the
// re-based build is logged and the year is built without comparisons, as
// before, rather than blocking its roll-up.

// maxRebasedCommunesBytes bounds the read of a re-based communes file to
// check its columns (a province's few hundred communes: well under it).
const maxRebasedCommunesBytes = 64 << 20

// rebasedLastYear returns the options of the re-based build of last year
// that a build with o needs and lacks, or nil.
func rebasedLastYear(ctx context.Context, o Options) (*Options, error) {
	if o.OutDir != "" || !o.Cutoff.IsZero() || o.Units != "" || o.ApprovedOnly || o.NoFlags || o.Lake == nil {
		return nil, nil
	}
	units, err := acrossReform(o)
	if err != nil || units == "" {
		return nil, err
	}
	reg := o.Registry
	if reg == nil {
		reg = defaults.reg // loaded by acrossReform
	}
	provs := []string{o.Province}
	if o.Province == "" {
		provs = provs[:0]
		for p := range reg.ForYear(o.Year).Provinces {
			provs = append(provs, p)
		}
	}
	need := o.RebaseLastYear
	for _, p := range provs {
		if need {
			break
		}
		ok, err := rebasedCurrent(ctx, o.Lake, lake.ManifestKey(lake.RollupUnitsPrefix(units), o.Year-1, p))
		if err != nil {
			return nil, err
		}
		need = !ok
	}
	if !need {
		return nil, nil
	}
	objs, err := o.Lake.List(ctx, lake.SubmissionsYearPrefix(o.Year-1))
	if err != nil {
		return nil, fmt.Errorf("rollup: list the submissions of %d: %w", o.Year-1, err)
	}
	if len(objs) == 0 {
		return nil, nil // nothing to re-base: no comparison, as for any commune without last year
	}
	r := Options{Lake: o.Lake, Year: o.Year - 1, Province: o.Province, Units: units, WorkDir: o.WorkDir, Now: o.Now,
		Schemas: o.Schemas, Registry: o.Registry, Targets: o.Targets, Deadlines: o.Deadlines, Log: o.Log}
	return &r, nil
}

// acrossReform is the register name of o.Year when the year before it is
// on another register across the 2025 reform (districts before, none
// after: flagPrevSource's "rebased" source), else "".
func acrossReform(o Options) (string, error) {
	reg := o.Registry
	if reg == nil {
		if err := loadDefaults(); err != nil {
			return "", err
		}
		reg = defaults.reg
	}
	ver, prev := reg.ForYear(o.Year), reg.ForYear(o.Year-1)
	if ver == nil || ver.HasDistricts() || prev == nil || !prev.HasDistricts() {
		return "", nil
	}
	return ver.Name, nil
}

// rebasedCurrent reports whether the re-based manifest at key exists and
// its communes file has rebase_no_data (finding M-A).
func rebasedCurrent(ctx context.Context, st storage.Store, key string) (bool, error) {
	m, err := readManifest(ctx, st, key)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ck := m.Files[Communes]
	if ck == "" {
		return true, nil // a province with no commune rows: nothing to re-base again
	}
	body, _, err := storage.GetAtMost(ctx, st, ck, "", maxRebasedCommunesBytes)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil // replaced meanwhile: build it again
	}
	if err != nil {
		return false, fmt.Errorf("rollup: read %s: %w", ck, err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return false, nil // unreadable: build it again
	}
	_, ok := f.Schema().Lookup("rebase_no_data")
	return ok, nil
}

// buildRebasedLastYear runs the build rebasedLastYear names, if any, and
// returns its result (nil when none ran or it failed: logged).
func buildRebasedLastYear(ctx context.Context, o Options) *Result {
	log := o.Log
	if log == nil {
		log = slog.Default()
	}
	ro, err := rebasedLastYear(ctx, o)
	if err != nil {
		log.Warn("rollup: cannot tell whether last year's re-based roll-up is needed; building without it", "year", o.Year, "province", o.Province, "err", err)
		return nil
	}
	if ro == nil {
		return nil
	}
	res, err := Build(ctx, *ro)
	if err != nil {
		log.Warn("rollup: last year's re-based roll-up failed; this year's flags have no year-on-year comparison", "year", ro.Year, "units", ro.Units, "province", ro.Province, "err", err)
		return nil
	}
	return res
}
