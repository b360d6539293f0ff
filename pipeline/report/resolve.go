package report

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/targets"
)

// resolved is what a report and a reminder both need before reading the
// lake: the data sets (loaded from schemas/ when the caller gave none)
// and the deadline, register version and province the options name.
type resolved struct {
	reg      *registry.Registry
	dl       *deadlines.Set
	tg       *targets.Set
	log      *slog.Logger
	deadline deadlines.Deadline
	ver      *registry.Version
	prov     *registry.Unit
}

// resolve loads what is missing and checks deadline, year and province.
// Its errors carry no package prefix: the callers add theirs.
func resolve(reg *registry.Registry, dl *deadlines.Set, tg *targets.Set, log *slog.Logger, deadline string, year int, province string) (*resolved, error) {
	r := &resolved{reg: reg, dl: dl, tg: tg, log: log}
	var err error
	if r.reg == nil {
		if r.reg, err = registry.Load(); err != nil {
			return nil, err
		}
	}
	if r.dl == nil {
		if r.dl, err = deadlines.Load(); err != nil {
			return nil, err
		}
	}
	if r.tg == nil {
		if r.tg, err = targets.Load(); err != nil {
			return nil, err
		}
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	var ok bool
	if r.deadline, ok = r.dl.Get(deadline); !ok {
		var ids []string
		for _, x := range r.dl.All() {
			ids = append(ids, x.ID)
		}
		return nil, fmt.Errorf("unknown deadline %q (%s)", deadline, strings.Join(ids, ", "))
	}
	if r.ver = r.reg.ForYear(year); r.ver == nil {
		return nil, fmt.Errorf("no administrative-unit register for year %d", year)
	}
	if r.prov = r.ver.Provinces[province]; r.prov == nil {
		return nil, fmt.Errorf("province %q is not in the %s register of %d", province, r.ver.Name, year)
	}
	return r, nil
}
