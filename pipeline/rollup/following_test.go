package rollup_test

import (
	"context"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// Which build keeps the following year current, from the manifests the
// lake holds (only their existence matters here).
func TestFollowingYearBuild(t *testing.T) {
	type want struct {
		none     bool
		year     int
		province string
	}
	cases := []struct {
		name      string
		manifests []string // year/province of existing manifests
		o         rollup.Options
		want      want
	}{
		{"next year not rolled up: nothing", []string{"2025/19", "2025/all"}, rollup.Options{Year: 2025, Province: "19"}, want{none: true}},
		{"next year's province and nation", []string{"2026/19", "2026/all"}, rollup.Options{Year: 2025, Province: "19"}, want{year: 2026, province: "19"}},
		{"only the nation next year: the province's build sums it", []string{"2026/all"}, rollup.Options{Year: 2025, Province: "19"}, want{year: 2026, province: "19"}},
		{"a whole year", []string{"2026/all", "2026/19"}, rollup.Options{Year: 2025}, want{year: 2026}},
		{"a whole year, next not built", []string{"2026/19"}, rollup.Options{Year: 2025}, want{none: true}},
		{"across the reform, a province that stays", []string{"2025/19", "2025/all"}, rollup.Options{Year: 2024, Province: "19"}, want{year: 2025, province: "19"}},
		// 06 (Bắc Kạn) is not in the 2025 register: only the nation
		// carries 2024, and every province of 2025 is built to sum it.
		{"across the reform, a province merged away", []string{"2025/19", "2025/all"}, rollup.Options{Year: 2024, Province: "06"}, want{year: 2025}},
		{"a snapshot never", []string{"2026/19", "2026/all"}, rollup.Options{Year: 2025, Province: "19", OutDir: "x"}, want{none: true}},
		{"a cut-off build never", []string{"2026/19", "2026/all"}, rollup.Options{Year: 2025, Province: "19", Cutoff: time.Now()}, want{none: true}},
		{"a re-based build never", []string{"2025/all"}, rollup.Options{Year: 2024, Province: "01", Units: "2025"}, want{none: true}},
		{"no register for the next year", []string{"2101/all"}, rollup.Options{Year: 2100}, want{none: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lake := local.New(t.TempDir())
			for _, m := range c.manifests {
				key := "rollups/_manifests/year=" + m[:4] + "/province=" + m[5:] + ".json"
				if err := lake.Put(context.Background(), key, []byte("{}"), "application/json"); err != nil {
					t.Fatal(err)
				}
			}
			o := c.o
			o.Lake = lake
			got, err := rollup.Following(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case c.want.none && got != nil:
				t.Errorf("Following = year %d province %q, want none", got.Year, got.Province)
			case !c.want.none && got == nil:
				t.Errorf("Following = none, want year %d province %q", c.want.year, c.want.province)
			case !c.want.none && (got.Year != c.want.year || got.Province != c.want.province || got.Lake != o.Lake):
				t.Errorf("Following = year %d province %q, want %d %q", got.Year, got.Province, c.want.year, c.want.province)
			}
		})
	}
}

// Last year stays current: new 2025 data changes 2026's last-year rate
// and the change, at every level, once 2025 is rebuilt.
func TestLastYearStaysCurrent(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	upload{year: 2025, commune: xaA, at: ict("2025-11-10 09:00:00"), hamlets: []hamlet{h(100, 50, false)}}.write(t, lake)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 75, true)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2025, Province: prov})
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	// A corrected 2025 file: 60 of 100.
	upload{year: 2025, commune: xaA, at: ict("2025-11-20 09:00:00"), hamlets: []hamlet{h(100, 60, false)}}.write(t, lake)
	res, next, err := rollup.BuildKeepingNextYear(context.Background(), rollup.Options{Lake: lake, Year: 2025, Province: prov, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if res == nil || next == nil || len(next.Provinces) != 1 || !next.Nation {
		t.Fatalf("BuildKeepingNextYear = %+v, %+v: want 2025 and 2026 built", res, next)
	}
	db := views(t, dir)
	for _, level := range []string{"communes WHERE commune_code = '" + xaA + "' AND ", "provinces WHERE ", "nation WHERE "} {
		c := row(t, db, "SELECT * FROM "+level+"year = 2026")
		wantFloat(t, level+"last year", c["ty_le_ho_dat_nam_truoc"], 0.6)
		wantFloat(t, level+"change", c["ty_le_ho_dat_thay_doi"], 0.75-0.6)
	}
	// Building 2026 again changes nothing of it, and builds no 2027.
	_, next, err = rollup.BuildKeepingNextYear(context.Background(), rollup.Options{Lake: lake, Year: 2026, Province: prov, Log: quiet})
	if err != nil || next != nil {
		t.Errorf("2026 build: next %+v, %v; want no 2027 build", next, err)
	}
}
