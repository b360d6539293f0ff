// Package registry is the administrative-unit register: which provinces,
// districts and communes exist in a reporting year. Codes are reused across
// the 2025 reform, so a code means something only with its version.
package registry

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/xhht/xhht/schemas"
)

// Unit is a province, district or commune.
type Unit struct {
	Code         string
	Name         string // "Xã Phú Lương"
	Type         string // "Xã", "Phường", "Huyện" …
	ShortName    string // "Phú Lương"
	ProvinceCode string // communes and districts
	DistrictCode string // communes before 2025
}

// Version is one release of the register.
type Version struct {
	Name      string
	FromYear  int // inclusive; 0 = open
	ToYear    int // inclusive; 0 = open
	Provinces map[string]*Unit
	Districts map[string]*Unit // empty from 2025: there are no districts
	Communes  map[string]*Unit

	fsys  fs.FS
	files [3]string // provinces, districts ("" from 2025), communes
	once  sync.Once
}

// HasDistricts reports whether communes roll up through districts.
func (v *Version) HasDistricts() bool { return len(v.Districts) > 0 }

// CommunesOf lists a province's communes sorted by code.
func (v *Version) CommunesOf(province string) []*Unit {
	var out []*Unit
	for _, c := range v.Communes {
		if c.ProvinceCode == province {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Successor is where an old (pre-2025) commune went in the reform.
type Successor struct {
	NewCode, NewName, NewProvince string
	Full                          bool // false: the old commune was split ("partial")
}

// Registry holds every version. Versions are read on first use: a Lambda
// cold start pays only for the register of the years it sees (loading all
// three and the reform map costs ~60 ms; one version ~10 ms).
type Registry struct {
	Versions []*Version

	fsys           fs.FS
	successorsOnce sync.Once
	successors     map[string][]Successor // old commune code → new communes
}

// Load reads the embedded register.
func Load() (*Registry, error) { return LoadFS(schemas.FS) }

// LoadFS reads adminunits/versions.csv; each version's files are read on
// first use of that version.
func LoadFS(fsys fs.FS) (*Registry, error) {
	t, err := readCSV(fsys, "adminunits/versions.csv")
	if err != nil {
		return nil, err
	}
	if _, err := fs.Stat(fsys, "adminunits/old_to_new_communes.csv"); err != nil {
		return nil, fmt.Errorf("registry: reform map: %w", err)
	}
	reg := &Registry{fsys: fsys}
	for _, r := range t.rows {
		v := &Version{Name: t.get(r, "version"), files: [3]string{t.get(r, "provinces"), t.get(r, "districts"), t.get(r, "communes")}, fsys: fsys}
		v.FromYear, _ = strconv.Atoi(t.get(r, "from_year"))
		v.ToYear, _ = strconv.Atoi(t.get(r, "to_year"))
		for _, f := range v.files {
			if _, err := fs.Stat(fsys, "adminunits/"+f); f != "" && err != nil {
				return nil, fmt.Errorf("registry: version %s: %w", v.Name, err)
			}
		}
		reg.Versions = append(reg.Versions, v)
	}
	return reg, nil
}

// ForYear returns the version in force for a reporting year, loaded, or nil.
func (r *Registry) ForYear(year int) *Version {
	for _, v := range r.Versions {
		if (v.FromYear == 0 || year >= v.FromYear) && (v.ToYear == 0 || year <= v.ToYear) {
			v.load()
			return v
		}
	}
	return nil
}

// ByName returns the version with that name (pre2025, 2025, 2026-04),
// loaded, or nil.
func (r *Registry) ByName(name string) *Version {
	for _, v := range r.Versions {
		if v.Name == name {
			v.load()
			return v
		}
	}
	return nil
}

// Successors tells where a pre-2025 commune went in the 2025 reform.
func (r *Registry) Successors(oldCode string) []Successor {
	r.successorsOnce.Do(func() {
		t, err := readCSV(r.fsys, "adminunits/old_to_new_communes.csv")
		if err != nil {
			panic(err) // embedded data that does not parse is a build defect; tests load it
		}
		r.successors = map[string][]Successor{}
		for _, m := range t.rows {
			old := t.get(m, "old_code")
			r.successors[old] = append(r.successors[old], Successor{
				NewCode: t.get(m, "new_code"), NewName: t.get(m, "new_name"), NewProvince: t.get(m, "new_province_code"), Full: t.get(m, "merge_type") == "full",
			})
		}
	})
	return r.successors[oldCode]
}

// ReformHint explains, for a code missing from the register of a year on
// or after the 2025 reform, which commune(s) it became: "Đây là mã xã trước
// ngày 01/07/2025; …: 05443 Phường Phan Đình Phùng (tỉnh 19)". Empty when
// the code is not a pre-reform code or the year is before the reform.
func (r *Registry) ReformHint(code string, year int) (vi, en string) {
	if v := r.ForYear(year); v == nil || v.HasDistricts() {
		return "", ""
	}
	succ := r.Successors(code)
	if len(succ) == 0 {
		return "", ""
	}
	vi, en = "Đây là mã xã trước ngày 01/07/2025; sau sắp xếp, xã thuộc về:", "It is a pre-July-2025 code; after the reform it belongs to:"
	for _, s := range succ {
		vi += fmt.Sprintf(" %s %s (tỉnh %s)", s.NewCode, s.NewName, s.NewProvince)
		en += fmt.Sprintf(" %s %s (province %s)", s.NewCode, s.NewName, s.NewProvince)
	}
	return vi + ".", en + "."
}

// load reads the version's files once. The files are embedded and checked
// by the tests, so a failure here is a build defect: panic (Check turns a
// panic into an internal-error receipt rather than a crash).
func (v *Version) load() {
	v.once.Do(func() {
		v.Provinces, v.Districts = must(loadUnits(v.fsys, v.files[0], nil)), map[string]*Unit{}
		if v.files[1] != "" {
			v.Districts = must(loadUnits(v.fsys, v.files[1], func(u *Unit, get func(string) string) { u.ProvinceCode = get("parent_code") }))
		}
		v.Communes = must(loadUnits(v.fsys, v.files[2], func(u *Unit, get func(string) string) {
			if p := get("province_code"); p != "" { // pre-2025: the parent is the district
				u.ProvinceCode, u.DistrictCode = p, get("parent_code")
			} else {
				u.ProvinceCode = get("parent_code")
			}
		}))
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// loadUnits reads one file of units by code. The units are allocated
// together and the map made to size: the first upload after a cold start
// waits for the 3,321 communes of its year.
func loadUnits(fsys fs.FS, name string, fill func(*Unit, func(string) string)) (map[string]*Unit, error) {
	t, err := readCSV(fsys, "adminunits/"+name)
	if err != nil {
		return nil, err
	}
	units := make([]Unit, len(t.rows))
	into := make(map[string]*Unit, len(t.rows))
	cur := &rowOf{t: t}
	get := cur.get // one function value for every row
	for i, row := range t.rows {
		cur.row = row
		u := &units[i]
		*u = Unit{Code: get("code"), Name: get("name"), Type: get("type"), ShortName: get("short_name")}
		if fill != nil {
			fill(u, get)
		}
		into[u.Code] = u
	}
	return into, nil
}

// rowOf reads the columns of one row of t by name.
type rowOf struct {
	t   *csvTable
	row []string
}

func (r *rowOf) get(col string) string { return r.t.get(r.row, col) }

// csvTable is a CSV file with its header, read without a map per row.
type csvTable struct {
	cols map[string]int
	rows [][]string
}

func (t *csvTable) get(row []string, col string) string {
	if i, ok := t.cols[col]; ok && i < len(row) {
		return row[i]
	}
	return ""
}

func readCSV(fsys fs.FS, name string) (*csvTable, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	recs, err := parseCSV(b)
	if err != nil || len(recs) == 0 {
		return nil, fmt.Errorf("registry: read %s: %v", name, err)
	}
	t := &csvTable{cols: map[string]int{}, rows: recs[1:]}
	for i, h := range recs[0] {
		t.cols[h] = i
	}
	return t, nil
}

// parseCSV is encoding/csv's ReadAll. The register's files have no quotes
// and no carriage returns: those are split directly, every field a
// substring of one string, which takes the 3,321 communes of a version
// from about 2 ms to a fraction of one on the first upload after a cold
// start. Any other file goes through encoding/csv. TestParseCSV and
// FuzzParseCSV hold the two equal.
func parseCSV(b []byte) ([][]string, error) {
	if bytes.IndexByte(b, '"') >= 0 || bytes.IndexByte(b, '\r') >= 0 {
		return csv.NewReader(bytes.NewReader(b)).ReadAll()
	}
	text := string(b)
	recs := make([][]string, 0, strings.Count(text, "\n")+1)
	for line := range strings.SplitSeq(text, "\n") {
		if line == "" {
			continue // encoding/csv skips empty lines
		}
		rec := strings.Split(line, ",")
		if len(recs) > 0 && len(rec) != len(recs[0]) {
			// A ragged file: encoding/csv says where.
			return csv.NewReader(bytes.NewReader(b)).ReadAll()
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

// Eras group the register versions whose codes are interchangeable: the
// units before the 1 July 2025 reform, and after it (2025 and 2026-04 keep
// the same codes). Data keyed by unit code (targets, due dates) names a
// version; it applies to every year of that version's era.
const (
	EraPre2025  = "pre2025"
	EraPost2025 = "2025+"
)

// EraOf returns the era of a register version name.
func EraOf(version string) (string, bool) {
	switch version {
	case "pre2025":
		return EraPre2025, true
	case "2025", "2026-04":
		return EraPost2025, true
	}
	return "", false
}

// EraOfYear returns the era of a reporting year.
func EraOfYear(year int) string {
	if year <= 2024 {
		return EraPre2025
	}
	return EraPost2025
}
