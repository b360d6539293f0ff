// Package registry is the administrative-unit register: which provinces,
// districts and communes exist in a reporting year. Codes are reused across
// the 2025 reform, so a code means something only with its version.
package registry

import (
	"encoding/csv"
	"fmt"
	"io/fs"
	"sort"
	"strconv"

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

// Registry holds every version.
type Registry struct {
	Versions   []*Version
	successors map[string][]Successor // old commune code → new communes
}

// Load reads the embedded register.
func Load() (*Registry, error) { return LoadFS(schemas.FS) }

// LoadFS reads adminunits/versions.csv and the files it names.
func LoadFS(fsys fs.FS) (*Registry, error) {
	rows, err := readCSV(fsys, "adminunits/versions.csv")
	if err != nil {
		return nil, err
	}
	reg := &Registry{successors: map[string][]Successor{}}
	for _, r := range rows {
		v := &Version{Name: r["version"], Provinces: map[string]*Unit{}, Districts: map[string]*Unit{}, Communes: map[string]*Unit{}}
		v.FromYear, _ = strconv.Atoi(r["from_year"])
		v.ToYear, _ = strconv.Atoi(r["to_year"])
		if err := loadUnits(fsys, r["provinces"], v.Provinces, nil); err != nil {
			return nil, err
		}
		if r["districts"] != "" {
			if err := loadUnits(fsys, r["districts"], v.Districts, func(u *Unit, row map[string]string) { u.ProvinceCode = row["parent_code"] }); err != nil {
				return nil, err
			}
		}
		err := loadUnits(fsys, r["communes"], v.Communes, func(u *Unit, row map[string]string) {
			if p := row["province_code"]; p != "" { // pre-2025: parent is the district
				u.ProvinceCode, u.DistrictCode = p, row["parent_code"]
			} else {
				u.ProvinceCode = row["parent_code"]
			}
		})
		if err != nil {
			return nil, err
		}
		reg.Versions = append(reg.Versions, v)
	}
	moves, err := readCSV(fsys, "adminunits/old_to_new_communes.csv")
	if err != nil {
		return nil, err
	}
	for _, m := range moves {
		reg.successors[m["old_code"]] = append(reg.successors[m["old_code"]], Successor{
			NewCode: m["new_code"], NewName: m["new_name"], NewProvince: m["new_province_code"], Full: m["merge_type"] == "full",
		})
	}
	return reg, nil
}

// ForYear returns the version in force for a reporting year, or nil.
func (r *Registry) ForYear(year int) *Version {
	for _, v := range r.Versions {
		if (v.FromYear == 0 || year >= v.FromYear) && (v.ToYear == 0 || year <= v.ToYear) {
			return v
		}
	}
	return nil
}

// Successors tells where a pre-2025 commune went in the 2025 reform.
func (r *Registry) Successors(oldCode string) []Successor { return r.successors[oldCode] }

func loadUnits(fsys fs.FS, name string, into map[string]*Unit, fill func(*Unit, map[string]string)) error {
	rows, err := readCSV(fsys, "adminunits/"+name)
	if err != nil {
		return err
	}
	for _, row := range rows {
		u := &Unit{Code: row["code"], Name: row["name"], Type: row["type"], ShortName: row["short_name"]}
		if fill != nil {
			fill(u, row)
		}
		into[u.Code] = u
	}
	return nil
}

func readCSV(fsys fs.FS, name string) ([]map[string]string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) == 0 {
		return nil, fmt.Errorf("registry: read %s: %v", name, err)
	}
	out := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		m := make(map[string]string, len(rec))
		for i, h := range recs[0] {
			if i < len(rec) {
				m[h] = rec[i]
			}
		}
		out = append(out, m)
	}
	return out, nil
}
