package targets

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/xhht/xhht/pipeline/registry"
)

func TestIndicatorsFixedOrder(t *testing.T) {
	want := []string{"ty_le_ho_dat", "ty_le_dong_ho_dat", "ty_le_thon_dat", "ty_le_don_vi_dat", "ty_le_cong_dan_dat", "ty_le_can_bo_cong_dan_dat"}
	got := Indicators()
	if !slices.Equal(got, want) {
		t.Fatalf("Indicators() = %v, want %v", got, want)
	}
	got[0] = "changed" // a caller must not be able to change the package's list
	if Indicators()[0] != want[0] {
		t.Fatal("Indicators() returned the package's own slice")
	}
}

// TestResolveEmbedded pins what the shipped targets.csv says, per the seeds
// and DOMAIN.md.
func TestResolveEmbedded(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		ok         bool
		percent    float64
		targetYear int
		scope      string
		difficult  bool
	}
	tests := []struct {
		name                        string
		indicator                   string
		year                        int
		registry, province, commune string
		difficult                   bool
		want                        want
	}{
		{"commune wins (Minh Hợp 2025 plan)", "ty_le_ho_dat", 2023, "pre2025", "40", "17071", false, want{true, 92, 2025, ScopeCommune, false}},
		{"commune CDHT", "ty_le_cong_dan_dat", 2024, "pre2025", "40", "17071", false, want{true, 80, 2025, ScopeCommune, false}},
		{"province when the commune has none", "ty_le_ho_dat", 2023, "pre2025", "06", "01234", false, want{true, 80, 2025, ScopeProvince, false}},
		{"province only", "ty_le_don_vi_dat", 2022, "pre2025", "06", "", false, want{true, 90, 2025, ScopeProvince, false}},
		{"national when the province has none", "ty_le_ho_dat", 2023, "pre2025", "01", "00001", false, want{true, 70, 2025, ScopeNational, false}},
		{"province lacks the indicator: national", "ty_le_can_bo_cong_dan_dat", 2023, "pre2025", "06", "", false, want{true, 60, 2025, ScopeNational, false}},
		{"nearest year at or after: 2020 itself", "ty_le_dong_ho_dat", 2020, "pre2025", "01", "", false, want{true, 50, 2020, ScopeNational, false}},
		{"nearest year at or after: 2021 → 2025", "ty_le_dong_ho_dat", 2021, "pre2025", "01", "", false, want{true, 65, 2025, ScopeNational, false}},
		{"nearest year at or after: 2026 → 2030", "ty_le_dong_ho_dat", 2026, "2026-04", "19", "", false, want{true, 75, 2030, ScopeNational, false}},
		{"province target year passed: national", "ty_le_ho_dat", 2022, "pre2025", "74", "", false, want{true, 70, 2025, ScopeNational, false}},
		{"Bình Dương 2018", "ty_le_dong_ho_dat", 2018, "pre2025", "74", "", false, want{true, 50, 2020, ScopeProvince, false}},
		{"difficult variant of the province", "ty_le_thon_dat", 2018, "pre2025", "74", "", true, want{true, 50, 2020, ScopeProvince, true}},
		{"not difficult: normal province target", "ty_le_thon_dat", 2018, "pre2025", "74", "", false, want{true, 60, 2020, ScopeProvince, false}},
		{"province defines no variant: its target stands", "ty_le_ho_dat", 2018, "pre2025", "74", "", true, want{true, 70, 2020, ScopeProvince, false}},
		{"national difficult variant (QĐ 281)", "ty_le_ho_dat", 2018, "pre2025", "01", "", true, want{true, 60, 2020, ScopeNational, true}},
		{"QĐ 387 has no variant", "ty_le_ho_dat", 2024, "pre2025", "01", "", true, want{true, 70, 2025, ScopeNational, false}},
		{"era mismatch: pre2025 commune target not for 2025", "ty_le_ho_dat", 2025, "2025", "40", "17071", false, want{true, 70, 2025, ScopeNational, false}},
		{"era mismatch: pre2025 codes for a 2026 report", "ty_le_ho_dat", 2026, "pre2025", "06", "", false, want{true, 80, 2030, ScopeNational, false}},
		{"unknown registry: national only", "ty_le_ho_dat", 2023, "2019", "06", "", false, want{true, 70, 2025, ScopeNational, false}},
		{"past the last national year", "ty_le_ho_dat", 2031, "2026-04", "19", "", false, want{}},
		{"before QĐ 281 began", "ty_le_ho_dat", 2013, "pre2025", "01", "", false, want{}},
		{"CDHT had no target before QĐ 387", "ty_le_cong_dan_dat", 2019, "pre2025", "01", "", false, want{}},
		{"unknown indicator", "ty_le_ho_dang_ky", 2025, "2025", "19", "", false, want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.Resolve(tt.indicator, tt.year, tt.registry, tt.province, tt.commune, tt.difficult)
			if ok != tt.want.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tt.want.ok, got)
			}
			if !ok {
				return
			}
			if got.Percent != tt.want.percent || got.TargetYear != tt.want.targetYear || got.Scope != tt.want.scope || got.Difficult != tt.want.difficult {
				t.Errorf("got %v%% %d %s difficult=%v, want %v%% %d %s difficult=%v",
					got.Percent, got.TargetYear, got.Scope, got.Difficult, tt.want.percent, tt.want.targetYear, tt.want.scope, tt.want.difficult)
			}
			if got.Indicator != tt.indicator || got.Source == "" {
				t.Errorf("indicator %q source %q", got.Indicator, got.Source)
			}
		})
	}
}

const header = "scope,registry,unit_code,unit_name,indicator,target_year,from_year,difficult,percent,source,note\n"

func fixture(targets, difficult string) fstest.MapFS {
	return fstest.MapFS{
		TargetsFile:   {Data: []byte(header + targets)},
		DifficultFile: {Data: []byte("registry,commune_code,commune_name,source,note\n" + difficult)},
	}
}

// TestResolveFixture covers the 2025 era, where 2025 and 2026-04 codes are
// interchangeable, and difficult communes.
func TestResolveFixture(t *testing.T) {
	s, err := LoadFS(fixture(`national,,,Toàn quốc,ty_le_thon_dat,2030,2021,,75,N,
national,,,Toàn quốc,ty_le_thon_dat,2030,2021,yes,70,N,
province,2025,19,Tỉnh Thái Nguyên,ty_le_thon_dat,2027,2025,,85,P,
province,2026-04,19,Tỉnh Thái Nguyên,ty_le_thon_dat,2030,2025,,90,P,
commune,2026-04,05443,Phường Phan Đình Phùng,ty_le_thon_dat,2030,2026,,100,C,
commune,2025,05443,Phường Phan Đình Phùng,ty_le_thon_dat,2030,2026,yes,95,C,
`, `2025,05446,Xã Example,Example list,
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		year      int
		registry  string
		commune   string
		difficult bool
		percent   float64
		scope     string
	}{
		{"commune row of 2026-04 for a 2025-registry caller", 2026, "2025", "05443", false, 100, ScopeCommune},
		{"commune variant written with 2025 code", 2026, "2026-04", "05443", true, 95, ScopeCommune},
		{"commune plan starts 2026: province for 2025", 2025, "2025", "05443", false, 85, ScopeProvince},
		{"province nearest year 2027", 2027, "2026-04", "05446", false, 85, ScopeProvince},
		{"province 2030 row after 2027", 2028, "2026-04", "05446", false, 90, ScopeProvince},
		{"province has no variant: 90 stands", 2028, "2026-04", "05446", true, 90, ScopeProvince},
		{"pre2025 caller: province 19 of another era skipped", 2024, "pre2025", "05443", true, 70, ScopeNational},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.Resolve("ty_le_thon_dat", tt.year, tt.registry, "19", tt.commune, tt.difficult)
			if !ok || got.Percent != tt.percent || got.Scope != tt.scope {
				t.Fatalf("got %+v ok=%v, want %v%% at %s", got, ok, tt.percent, tt.scope)
			}
		})
	}
	for _, tt := range []struct {
		registry, code string
		want           bool
	}{
		{"2025", "05446", true}, {"2026-04", "05446", true}, {"pre2025", "05446", false}, {"2025", "05443", false}, {"x", "05446", false},
	} {
		if got := s.Difficult(tt.registry, tt.code); got != tt.want {
			t.Errorf("Difficult(%q, %q) = %v, want %v", tt.registry, tt.code, got, tt.want)
		}
	}
}

func TestMalformedRows(t *testing.T) {
	const good = "national,,,Toàn quốc,ty_le_ho_dat,2025,2021,,70,QĐ 387/QĐ-TTg,\n" // line 2
	tests := []struct {
		name, row, column, want string
	}{
		{"unknown indicator", "national,,,Toàn quốc,ty_le_ho_dang_ky,2030,,,80,S,", "indicator", `unknown indicator "ty_le_ho_dang_ky"`},
		{"percent above 100", "national,,,Toàn quốc,ty_le_ho_dat,2030,,,100.5,S,", "percent", "outside 0–100"},
		{"percent below 0", "national,,,Toàn quốc,ty_le_ho_dat,2030,,,-1,S,", "percent", "outside 0–100"},
		{"decimal comma", `national,,,Toàn quốc,ty_le_ho_dat,2030,,,"85,5",S,`, "percent", "with a point"},
		{"duplicate", "national,,,Toàn quốc,ty_le_ho_dat,2025,2021,,75,S,", "", "already on line 2"},
		{"unknown scope", "district,pre2025,001,Quận Ba Đình,ty_le_ho_dat,2025,,,70,S,", "scope", `unknown scope "district"`},
		{"national with a code", "national,2025,19,X,ty_le_ho_dat,2030,,,70,S,", "unit_code", "no unit_code"},
		{"province code without leading zero", "province,pre2025,6,Tỉnh Bắc Kạn,ty_le_ho_dat,2025,,,80,S,", "unit_code", "2 digits"},
		{"unknown registry", "province,2024,06,Tỉnh Bắc Kạn,ty_le_ho_dat,2025,,,80,S,", "registry", `unknown registry version "2024"`},
		{"bad target year", "national,,,Toàn quốc,ty_le_ho_dat,năm 2030,,,80,S,", "target_year", "not a year"},
		{"from after target", "national,,,Toàn quốc,ty_le_ho_dat,2030,2031,,80,S,", "from_year", "after target_year"},
		{"bad difficult flag", "national,,,Toàn quốc,ty_le_ho_dat,2030,,x,80,S,", "difficult", "want yes, no or blank"},
		{"variant without normal", "national,,,Toàn quốc,ty_le_ho_dat,2030,,yes,60,S,", "difficult", "without the normal target"},
		{"missing source", "national,,,Toàn quốc,ty_le_ho_dat,2030,,,80,,", "source", "source is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFS(fixture(good+tt.row+"\n", ""))
			assertRowError(t, err, TargetsFile, 3, tt.column, tt.want)
		})
	}
	t.Run("duplicate across 2025 and 2026-04", func(t *testing.T) {
		_, err := LoadFS(fixture(good+
			"province,2025,19,Tỉnh Thái Nguyên,ty_le_ho_dat,2030,,,80,S,\n"+
			"province,2026-04,19,Tỉnh Thái Nguyên,ty_le_ho_dat,2030,,,85,S,\n", ""))
		assertRowError(t, err, TargetsFile, 4, "", "already on line 3")
	})
	t.Run("every bad row is reported", func(t *testing.T) {
		_, err := LoadFS(fixture(good+
			"national,,,Toàn quốc,ty_le_x,2030,,,80,S,\n"+
			"national,,,Toàn quốc,ty_le_ho_dat,2030,,,180,S,\n", ""))
		if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "line 4") {
			t.Fatalf("want lines 3 and 4 in %v", err)
		}
	})
	t.Run("wrong number of fields", func(t *testing.T) {
		_, err := LoadFS(fixture(good+"national,,,Toàn quốc,ty_le_ho_dat,2030\n", ""))
		if err == nil || !strings.Contains(err.Error(), TargetsFile) || !strings.Contains(err.Error(), "line 3") {
			t.Fatalf("want %s line 3, got %v", TargetsFile, err)
		}
	})
	t.Run("difficult commune with a 4-digit code", func(t *testing.T) {
		_, err := LoadFS(fixture(good, "2025,5446,Xã Example,List,\n"))
		assertRowError(t, err, DifficultFile, 2, "commune_code", "5 digits")
	})
	t.Run("difficult commune listed twice", func(t *testing.T) {
		_, err := LoadFS(fixture(good, "2025,05446,Xã A,List,\n2026-04,05446,Xã A,List,\n"))
		assertRowError(t, err, DifficultFile, 3, "commune_code", "already listed on line 2")
	})
}

func TestBadHeaders(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"missing column": {TargetsFile: {Data: []byte("scope,registry\n")}, DifficultFile: {Data: []byte("registry,commune_code,commune_name,source,note\n")}},
		"unknown column": {TargetsFile: {Data: []byte(strings.TrimSuffix(header, "\n") + ",extra\n")}, DifficultFile: {Data: []byte("registry,commune_code,commune_name,source,note\n")}},
		"no file":        {},
	} {
		if _, err := LoadFS(fsys); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	// Excel's UTF-8 CSV starts with a byte-order mark: it is not a column.
	fsys := fixture("", "")
	fsys[TargetsFile] = &fstest.MapFile{Data: []byte("\ufeff" + header)}
	if _, err := LoadFS(fsys); err != nil {
		t.Errorf("BOM: %v", err)
	}
}

func assertRowError(t *testing.T, err error, file string, line int, column, want string) {
	t.Helper()
	var re *RowError
	if !errors.As(err, &re) {
		t.Fatalf("want a *RowError, got %v", err)
	}
	if re.File != file || re.Line != line || re.Column != column || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %s line %d column %q: %v; want %s line %d column %q containing %q", re.File, re.Line, re.Column, err, file, line, column, want)
	}
}

// TestEmbeddedUnitsExist checks every code in the shipped files against the
// registry version it names, so a code typed for the wrong era fails here.
func TestEmbeddedUnitsExist(t *testing.T) {
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]*registry.Version{}
	for _, v := range reg.Versions {
		if _, ok := registry.EraOf(v.Name); !ok {
			t.Errorf("registry version %q has no era in targets.eraOf", v.Name)
			continue
		}
		loaded := reg.ForYear(v.FromYear)
		if loaded != v {
			t.Fatalf("version %s: ForYear(%d) is %v", v.Name, v.FromYear, loaded)
		}
		for _, y := range []int{v.FromYear, v.ToYear} {
			if y != 0 {
				if got, want := registry.EraOfYear(y), map[bool]string{true: registry.EraPre2025, false: registry.EraPost2025}[v.Name == "pre2025"]; got != want {
					t.Errorf("registry.EraOfYear(%d) = %s, but the registry puts it in %s", y, got, v.Name)
				}
			}
		}
		versions[v.Name] = v
	}
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, rows := range s.byKey {
		for _, r := range rows {
			if r.Scope == ScopeNational {
				continue
			}
			n++
			v := versions[r.Registry]
			units := map[string]map[string]*registry.Unit{ScopeProvince: v.Provinces, ScopeCommune: v.Communes}[r.Scope]
			u := units[r.UnitCode]
			if u == nil {
				t.Errorf("line %d: %s %s is not in registry %s", r.line, r.Scope, r.UnitCode, r.Registry)
			} else if u.Name != r.UnitName {
				t.Errorf("line %d: %s is %q in registry %s, the file says %q", r.line, r.UnitCode, u.Name, r.Registry, r.UnitName)
			}
		}
	}
	if n == 0 {
		t.Fatal("no province or commune targets shipped")
	}
	for k := range s.difficult {
		era, code, _ := strings.Cut(k, "|")
		found := false
		for name, v := range versions {
			if e, _ := registry.EraOf(name); e == era && v.Communes[code] != nil {
				found = true
			}
		}
		if !found {
			t.Errorf("difficult commune %s is in no registry of its era", code)
		}
	}
}
