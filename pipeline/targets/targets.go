// Package targets holds the percentages (chỉ tiêu) that reports compare a
// rate against. They are data: schemas/targets/targets.csv, one row per
// (scope, unit, indicator, target year, difficult-area variant), and
// schemas/targets/difficult_communes.csv, the communes in difficult areas.
// A province edits those files, not this code.
//
// Which target applies (Set.Resolve): the most specific scope that has one
// (commune, then province, then national), and within a scope the nearest
// target year at or after the reporting year. A plan only covers the years
// from its from_year to its target year, so a 2019 report is not measured
// against a 2030 goal of a programme that began in 2021, and after the last
// target year (2030 nationally) there is no target at all.
package targets

import (
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/xhht/xhht/pipeline/internal/csvtable"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/schemas"
)

// Files read from the schemas folder.
const (
	TargetsFile   = "targets/targets.csv"
	DifficultFile = "targets/difficult_communes.csv"
)

// Scopes, most specific first.
const (
	ScopeCommune  = "commune"
	ScopeProvince = "province"
	ScopeNational = "national"
)

// indicators are the roll-up's rate columns a target can be set for, in the
// order reports list them.
var indicators = []string{
	"ty_le_ho_dat",              // households GĐHT: ho_dat / ho_tong
	"ty_le_dong_ho_dat",         // clans DHHT
	"ty_le_thon_dat",            // hamlets CĐHT: recognised hamlets / hamlets
	"ty_le_don_vi_dat",          // units ĐVHT
	"ty_le_cong_dan_dat",        // working-age people who are CDHT: cong_dan_dat / lao_dong_tong
	"ty_le_can_bo_cong_dan_dat", // unit staff who are CDHT
}

// Indicators lists the indicators a target can be set for, in a fixed order.
func Indicators() []string { return append([]string(nil), indicators...) }

// Target is the percentage one rate is compared against.
type Target struct {
	Indicator  string
	Percent    float64
	TargetYear int
	Scope      string // commune | province | national
	UnitCode   string // "" for national
	UnitName   string
	Registry   string // registry version of UnitCode; "" for national
	Source     string
	Difficult  bool // the difficult-area variant was used
}

// Set is the loaded targets and difficult-area list.
type Set struct {
	// byKey: scope|era|unit|indicator → the normal (non-difficult) rows,
	// sorted by target year. Difficult variants hang off their normal row.
	byKey     map[string][]*row
	difficult map[string]bool // era|commune code
}

type row struct {
	Target
	fromYear  int // first reporting year the plan covers; 0 = open
	variant   *Target
	line      int
	difficult bool
}

// Load reads the embedded targets.
func Load() (*Set, error) { return LoadFS(schemas.FS) }

// LoadFS reads targets/targets.csv and targets/difficult_communes.csv from
// fsys and checks every row; all problems are reported together, each with
// its file and line, so a province fixes its edit in one pass.
func LoadFS(fsys fs.FS) (*Set, error) {
	s := &Set{byKey: map[string][]*row{}, difficult: map[string]bool{}}
	if err := s.loadTargets(fsys); err != nil {
		return nil, err
	}
	if err := s.loadDifficult(fsys); err != nil {
		return nil, err
	}
	return s, nil
}

// Resolve returns the target for an indicator in a reporting year, for a
// commune (or a province when commune is "") whose codes belong to the given
// registry version ("pre2025", "2025", "2026-04"). difficult asks for the
// difficult-area variant; it is used only where the chosen row's plan
// defines one (see Difficult to look the flag up). ok is false when no
// scope has a target covering the year, e.g. any year after 2030.
func (s *Set) Resolve(indicator string, year int, version, province, commune string, difficult bool) (Target, bool) {
	// Codes are reused across the 2025 reform (province 52 was Bình Định,
	// is now Gia Lai), so a unit's target is used only when the caller's
	// codes and the target's codes come from the same era and that era is
	// the one in force in the reporting year. The national fallback has no
	// code and always applies.
	era, known := registry.EraOf(version)
	unitsApply := known && era == registry.EraOfYear(year)
	for _, sc := range [...]struct{ scope, code string }{
		{ScopeCommune, commune}, {ScopeProvince, province}, {ScopeNational, ""},
	} {
		key := keyOf(sc.scope, era, sc.code, indicator)
		if sc.scope == ScopeNational {
			key = keyOf(sc.scope, "", "", indicator)
		} else if !unitsApply || sc.code == "" {
			continue
		}
		if t, ok := nearest(s.byKey[key], year, difficult); ok {
			return t, true
		}
	}
	return Target{}, false
}

// nearest picks, among one unit's rows (sorted by target year), the first
// whose period covers year, and its difficult variant when asked for and
// defined.
func nearest(rows []*row, year int, difficult bool) (Target, bool) {
	for _, r := range rows {
		if year > r.TargetYear || (r.fromYear != 0 && year < r.fromYear) {
			continue
		}
		if difficult && r.variant != nil {
			return *r.variant, true
		}
		return r.Target, true
	}
	return Target{}, false
}

// Difficult reports whether a commune (a code of the given registry
// version) is listed in targets/difficult_communes.csv.
func (s *Set) Difficult(version, commune string) bool {
	era, ok := registry.EraOf(version)
	return ok && s.difficult[era+"|"+commune]
}

func keyOf(scope, era, code, indicator string) string {
	return scope + "|" + era + "|" + code + "|" + indicator
}

var targetColumns = []string{"scope", "registry", "unit_code", "unit_name", "indicator", "target_year", "from_year", "difficult", "percent", "source", "note"}

func (s *Set) loadTargets(fsys fs.FS) error {
	t, err := csvtable.Read(fsys, TargetsFile, csvtable.Spec{Prefix: "targets", Columns: targetColumns})
	if err != nil {
		return err
	}
	var errs csvtable.Errors
	seen := map[string]int{}    // full key incl. target year and variant → line
	var variants []*row         // attached after all normal rows are known
	normal := map[string]*row{} // key|year → normal row
	for _, rec := range t.Rows {
		r, err := parseTarget(t, rec)
		if err != nil {
			errs.Add(err)
			continue
		}
		era, _ := registry.EraOf(r.Registry) // "" for national, checked by parseTarget
		k := keyOf(r.Scope, era, r.UnitCode, r.Indicator) + "|" + strconv.Itoa(r.TargetYear)
		full := k + "|" + strconv.FormatBool(r.difficult)
		if first, dup := seen[full]; dup {
			what := fmt.Sprintf("%s %s %s %d", r.Scope, r.UnitCode, r.Indicator, r.TargetYear)
			if r.difficult {
				what += " (difficult)"
			}
			errs.Add(t.ErrAt(rec.Line, "", fmt.Errorf("duplicate target: %s already on line %d (2025 and 2026-04 codes count as the same unit)", what, first)))
			continue
		}
		seen[full] = rec.Line
		if r.difficult {
			variants = append(variants, r)
			continue
		}
		normal[k] = r
		key := keyOf(r.Scope, era, r.UnitCode, r.Indicator)
		s.byKey[key] = append(s.byKey[key], r)
	}
	for _, v := range variants {
		era, _ := registry.EraOf(v.Registry)
		n := normal[keyOf(v.Scope, era, v.UnitCode, v.Indicator)+"|"+strconv.Itoa(v.TargetYear)]
		if n == nil {
			// A variant lowers a target; without the target it lowers there
			// is nothing for communes outside difficult areas, which is
			// almost certainly a missing row.
			errs.Add(t.ErrAt(v.line, "difficult", fmt.Errorf("difficult-area variant without the normal target for %s %s %s %d",
				v.Scope, v.UnitCode, v.Indicator, v.TargetYear)))
			continue
		}
		tv := v.Target
		tv.Difficult = true
		n.variant = &tv
	}
	for _, rows := range s.byKey {
		sort.Slice(rows, func(i, j int) bool { return rows[i].TargetYear < rows[j].TargetYear })
	}
	return errs.Err()
}

func parseTarget(t *csvtable.Table, rec csvtable.Record) (*row, error) {
	get := func(c string) string { return rec.Get(c) }
	r := &row{line: rec.Line}
	r.Scope, r.Registry, r.UnitCode, r.UnitName = get("scope"), get("registry"), get("unit_code"), get("unit_name")
	r.Indicator, r.Source = get("indicator"), get("source")
	bad := func(col string, format string, a ...any) error {
		return t.ErrAt(rec.Line, col, fmt.Errorf(format, a...))
	}
	switch r.Scope {
	case ScopeNational:
		if r.UnitCode != "" || r.Registry != "" {
			return nil, bad("unit_code", "a national target has no unit_code or registry (got %q, %q)", r.UnitCode, r.Registry)
		}
	case ScopeProvince, ScopeCommune:
		if _, ok := registry.EraOf(r.Registry); !ok {
			return nil, bad("registry", "unknown registry version %q (want pre2025, 2025 or 2026-04)", r.Registry)
		}
		want := map[string]int{ScopeProvince: 2, ScopeCommune: 5}[r.Scope]
		if len(r.UnitCode) != want || strings.Trim(r.UnitCode, "0123456789") != "" {
			return nil, bad("unit_code", "a %s code has %d digits, got %q (keep leading zeros: save the column as text)", r.Scope, want, r.UnitCode)
		}
	default:
		return nil, bad("scope", "unknown scope %q (want commune, province or national)", r.Scope)
	}
	if !slices.Contains(indicators, r.Indicator) {
		return nil, bad("indicator", "unknown indicator %q (want one of %s)", r.Indicator, strings.Join(indicators, ", "))
	}
	var err error
	if r.TargetYear, err = parseYear(get("target_year")); err != nil {
		return nil, bad("target_year", "%v", err)
	}
	if v := get("from_year"); v != "" {
		if r.fromYear, err = parseYear(v); err != nil {
			return nil, bad("from_year", "%v", err)
		}
		if r.fromYear > r.TargetYear {
			return nil, bad("from_year", "from_year %d is after target_year %d", r.fromYear, r.TargetYear)
		}
	}
	switch get("difficult") {
	case "", "no":
	case "yes":
		r.difficult = true
	default:
		return nil, bad("difficult", "want yes, no or blank, got %q", get("difficult"))
	}
	p := get("percent")
	if r.Percent, err = strconv.ParseFloat(p, 64); err != nil {
		hint := ""
		if strings.Contains(p, ",") {
			hint = ` (write the decimal with a point: "37.5")`
		}
		return nil, bad("percent", "not a number: %q%s", p, hint)
	}
	if r.Percent < 0 || r.Percent > 100 {
		return nil, bad("percent", "%v is outside 0–100", r.Percent)
	}
	if r.Source == "" {
		return nil, bad("source", "source is required: name the plan or decision the figure comes from")
	}
	return r, nil
}

func parseYear(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || y < 2000 || y > 2100 {
		return 0, fmt.Errorf("not a year: %q", s)
	}
	return y, nil
}

var difficultColumns = []string{"registry", "commune_code", "commune_name", "source", "note"}

func (s *Set) loadDifficult(fsys fs.FS) error {
	t, err := csvtable.Read(fsys, DifficultFile, csvtable.Spec{Prefix: "targets", Columns: difficultColumns})
	if err != nil {
		return err
	}
	var errs csvtable.Errors
	seen := map[string]int{}
	for _, rec := range t.Rows {
		reg, code := rec.Get("registry"), rec.Get("commune_code")
		era, ok := registry.EraOf(reg)
		switch {
		case !ok:
			errs.Add(t.ErrAt(rec.Line, "registry", fmt.Errorf("unknown registry version %q (want pre2025, 2025 or 2026-04)", reg)))
			continue
		case len(code) != 5 || strings.Trim(code, "0123456789") != "":
			errs.Add(t.ErrAt(rec.Line, "commune_code", fmt.Errorf("a commune code has 5 digits, got %q", code)))
			continue
		case rec.Get("source") == "":
			errs.Add(t.ErrAt(rec.Line, "source", fmt.Errorf("source is required: the official list the commune is on")))
			continue
		}
		k := era + "|" + code
		if first, dup := seen[k]; dup {
			errs.Add(t.ErrAt(rec.Line, "commune_code", fmt.Errorf("commune %s already listed on line %d", code, first)))
			continue
		}
		seen[k] = rec.Line
		s.difficult[k] = true
	}
	return errs.Err()
}
