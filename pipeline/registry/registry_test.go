package registry_test

import (
	"sort"
	"testing"
	"testing/fstest"

	"github.com/xhht/xhht/pipeline/registry"
)

func load(t *testing.T) *registry.Registry {
	t.Helper()
	reg, err := registry.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return reg
}

func TestForYear(t *testing.T) {
	reg := load(t)
	tests := []struct {
		year          int
		name          string
		districts     bool
		provinces     int
		communesIn19  int
		has05440      bool
		commune01864  string
		province01864 string
	}{
		{2014, "pre2025", true, 63, -1, true, "Xã Bộc Bố", "06"},
		{2024, "pre2025", true, 63, -1, true, "Xã Bộc Bố", "06"},
		{2025, "2025", false, 34, 92, false, "Xã Bằng Thành", "19"},
		{2026, "2026-04", false, 34, 92, false, "Xã Bằng Thành", "19"},
		{2030, "2026-04", false, 34, 92, false, "Xã Bằng Thành", "19"},
	}
	for _, tt := range tests {
		v := reg.ForYear(tt.year)
		if v == nil {
			t.Fatalf("ForYear(%d) = nil", tt.year)
		}
		if v.Name != tt.name || v.HasDistricts() != tt.districts || len(v.Provinces) != tt.provinces {
			t.Errorf("ForYear(%d) = %s, districts %v, %d provinces; want %s, %v, %d", tt.year, v.Name, v.HasDistricts(), len(v.Provinces), tt.name, tt.districts, tt.provinces)
		}
		if tt.communesIn19 >= 0 && len(v.CommunesOf("19")) != tt.communesIn19 {
			t.Errorf("ForYear(%d): %d communes in province 19, want %d", tt.year, len(v.CommunesOf("19")), tt.communesIn19)
		}
		if got := v.Communes["05440"] != nil; got != tt.has05440 {
			t.Errorf("ForYear(%d): 05440 present = %v, want %v", tt.year, got, tt.has05440)
		}
		c := v.Communes["01864"]
		if c == nil || c.Name != tt.commune01864 || c.ProvinceCode != tt.province01864 {
			t.Errorf("ForYear(%d): 01864 = %+v, want %s in %s", tt.year, c, tt.commune01864, tt.province01864)
		}
		if p := v.Provinces["19"]; p == nil || p.Name != "Tỉnh Thái Nguyên" {
			t.Errorf("ForYear(%d): province 19 = %+v", tt.year, p)
		}
		if !tt.districts {
			for code, c := range v.Communes {
				if c.DistrictCode != "" {
					t.Fatalf("ForYear(%d): commune %s has district %s", tt.year, code, c.DistrictCode)
				}
			}
		}
	}
}

func TestPre2025Commune(t *testing.T) {
	v := load(t).ForYear(2024)
	c := v.Communes["05440"]
	if c == nil {
		t.Fatal("05440 missing from the pre-2025 register")
	}
	want := registry.Unit{Code: "05440", Name: "Phường Hoàng Văn Thụ", Type: "Phường", ShortName: "Hoàng Văn Thụ", ProvinceCode: "19", DistrictCode: "164"}
	if *c != want {
		t.Errorf("05440 = %+v, want %+v", *c, want)
	}
	d := v.Districts["164"]
	if d == nil || d.Name != "Thành phố Thái Nguyên" || d.ProvinceCode != "19" {
		t.Errorf("district 164 = %+v", d)
	}
}

func TestCommunesOfIsSorted(t *testing.T) {
	cs := load(t).ForYear(2026).CommunesOf("19")
	codes := make([]string, len(cs))
	for i, c := range cs {
		codes[i] = c.Code
		if c.ProvinceCode != "19" {
			t.Errorf("%s in province %s", c.Code, c.ProvinceCode)
		}
	}
	if !sort.StringsAreSorted(codes) {
		t.Error("CommunesOf is not sorted by code")
	}
	if len(load(t).ForYear(2026).CommunesOf("99")) != 0 {
		t.Error("communes for an unknown province")
	}
}

func TestSuccessors(t *testing.T) {
	reg := load(t)
	tests := []struct {
		old      string
		wantCode string
		wantName string
		wantProv string
	}{
		{"05440", "05443", "Phường Phan Đình Phùng", "19"},
		{"05443", "05443", "Phường Phan Đình Phùng", "19"},
		{"01864", "01864", "Xã Bằng Thành", "19"},
	}
	for _, tt := range tests {
		found := false
		for _, s := range reg.Successors(tt.old) {
			if s.NewCode == tt.wantCode && s.NewName == tt.wantName && s.NewProvince == tt.wantProv {
				found = true
			}
		}
		if !found {
			t.Errorf("Successors(%s) = %+v, want one to %s %s (%s)", tt.old, reg.Successors(tt.old), tt.wantCode, tt.wantName, tt.wantProv)
		}
	}
	if s := reg.Successors("99999"); len(s) != 0 {
		t.Errorf("Successors(99999) = %+v", s)
	}
	// Every successor of a pre-2025 commune exists in the 2025 register.
	v := reg.ForYear(2025)
	for code := range reg.ForYear(2024).Communes {
		for _, s := range reg.Successors(code) {
			if v.Communes[s.NewCode] == nil {
				t.Errorf("successor %s of %s is not in the 2025 register", s.NewCode, code)
			}
		}
	}
}

func TestLoadFSErrors(t *testing.T) {
	versions := "version,from_year,to_year,provinces,districts,communes,note\nv,0,0,p.csv,,c.csv,\n"
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"no versions.csv", map[string]string{}},
		{"empty versions.csv", map[string]string{"adminunits/versions.csv": ""}},
		{"named province file missing", map[string]string{"adminunits/versions.csv": versions, "adminunits/c.csv": "code,name\n"}},
		{"no old-to-new list", map[string]string{"adminunits/versions.csv": versions, "adminunits/p.csv": "code,name\n19,T\n", "adminunits/c.csv": "code,name,type,parent_code\n01864,X,Xã,19\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for k, v := range tt.files {
				fsys[k] = &fstest.MapFile{Data: []byte(v)}
			}
			if _, err := registry.LoadFS(fsys); err == nil {
				t.Error("LoadFS accepted an incomplete register")
			}
		})
	}
	ok := fstest.MapFS{
		"adminunits/versions.csv":            {Data: []byte(versions)},
		"adminunits/p.csv":                   {Data: []byte("code,name\n19,T\n")},
		"adminunits/c.csv":                   {Data: []byte("code,name,type,parent_code\n01864,X,Xã,19\n")},
		"adminunits/old_to_new_communes.csv": {Data: []byte("old_code,new_code,new_name,new_province_code,merge_type\n")},
	}
	reg, err := registry.LoadFS(ok)
	if err != nil {
		t.Fatalf("LoadFS minimal: %v", err)
	}
	if c := reg.ForYear(2026).Communes["01864"]; c == nil || c.ProvinceCode != "19" {
		t.Errorf("minimal register: 01864 = %+v", c)
	}
}

// Versions and the reform map are read on first use; the Lambda's
// concurrent uploads may all be first.
func TestConcurrentFirstUse(t *testing.T) {
	reg := load(t)
	done := make(chan string, 16)
	for i := 0; i < 16; i++ {
		go func(i int) {
			year := []int{2024, 2025, 2026, 2027}[i%4]
			v := reg.ForYear(year)
			n := len(v.CommunesOf("19"))
			s := reg.Successors("05440")
			if n == 0 || len(s) == 0 {
				done <- "empty"
				return
			}
			done <- ""
		}(i)
	}
	for i := 0; i < 16; i++ {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}
