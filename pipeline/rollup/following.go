package rollup

import (
	"context"
	"errors"
	"fmt"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/storage"
)

// The roll-up of a year carries last year's rates and the change
// (ty_le_*_nam_truoc, ty_le_*_thay_doi), computed from last year's
// submissions when the year is built. When a year's data changes, the
// following year's roll-up is stale until it is built again: Following
// says which build keeps it current, and BuildKeepingNextYear runs both.

// Following returns the options of the build that keeps the following
// year's roll-up current after a build with o, or nil when there is none:
// o is a snapshot, a re-based or a cut-off build; there is no register for
// the following year; or the following year has no roll-up yet (its first
// build will read this year as it is).
//
// The build is of the same province when the following year has a roll-up
// of it or of the nation (a province's build also sums the nation again,
// and across the 2025 reform only the nation carries last year). A
// province that is no longer in the following year's register is covered
// by building every province of that year (rare: a pre-reform year
// changing after the reform).
func Following(ctx context.Context, o Options) (*Options, error) {
	if o.OutDir != "" || o.Units != "" || !o.Cutoff.IsZero() {
		return nil, nil
	}
	if o.Registry == nil {
		if err := loadDefaults(); err != nil {
			return nil, err
		}
	}
	reg := o.Registry
	if reg == nil {
		reg = defaults.reg
	}
	next := o.Year + 1
	nv := reg.ForYear(next)
	if nv == nil || next > 2100 { // the years Build accepts
		return nil, nil
	}
	exists := func(province string) (bool, error) {
		key := lake.ManifestKey(lake.RollupsPrefix, next, province)
		_, _, err := o.Lake.Get(ctx, key, "")
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return false, nil
		case err != nil:
			return false, fmt.Errorf("rollup: read %s: %w", key, err)
		}
		return true, nil
	}
	f := o
	f.Year = next
	// Across the 2025 reform the following year compares with this year
	// re-based on its units (rebaseprev.go): that build re-bases this
	// year first, so its flags compare with the year as it is now (the
	// roll-up Lambda builds what Following returns, as BuildKeepingNextYear).
	units, err := acrossReform(f)
	if err != nil {
		return nil, err
	}
	f.RebaseLastYear = units != ""
	if o.Province != "" && nv.Provinces[o.Province] != nil {
		ok, err := exists(o.Province)
		if err != nil {
			return nil, err
		}
		if ok {
			return &f, nil
		}
	}
	ok, err := exists(lake.NationCode)
	if err != nil || !ok {
		return nil, err
	}
	if o.Province != "" && nv.Provinces[o.Province] == nil {
		f.Province = ""
	}
	return &f, nil
}

// BuildKeepingNextYear runs Build, then the build Following names, if any.
// next is nil when none ran. An error of the second build is returned with
// the first build's result.
func BuildKeepingNextYear(ctx context.Context, o Options) (res, next *Result, err error) {
	if res, err = Build(ctx, o); err != nil {
		return nil, nil, err
	}
	fo, err := Following(ctx, o)
	if err != nil || fo == nil {
		return res, nil, err
	}
	if next, err = Build(ctx, *fo); err != nil {
		return res, nil, fmt.Errorf("rollup: keeping %d current after %d: %w", fo.Year, o.Year, err)
	}
	return res, next, nil
}
