package demo

import (
	"testing"

	"github.com/xhht/xhht/pipeline/registry"
)

// counted is the file of each commune that ingest accepts: the last
// upload without a rejecting mistake.
func counted(p *Plan) map[string]File {
	out := map[string]File{}
	for _, f := range p.Files {
		if f.Mistake == None || f.Mistake == WarningOnly {
			out[f.Commune.Code] = f
		}
	}
	return out
}

func sums(f File) (ho, dat int) {
	for _, h := range f.Hamlets {
		ho += h.HoTong
		dat += h.HoDat
	}
	return ho, dat
}

// L14 (review of issue 15): 2025 derives from 2026 (same hamlets, counts a
// few percent apart), with a handful of deliberate anomalies, each of the
// kind it claims; 2026 itself is drawn as before.
func TestYearsDeriveFromBaseYear(t *testing.T) {
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	p26, err := NewPlan(reg, 2026, "19")
	if err != nil {
		t.Fatal(err)
	}
	p25, err := NewPlan(reg, 2025, "19")
	if err != nil {
		t.Fatal(err)
	}
	c26, c25 := counted(p26), counted(p25)
	kinds := map[Anomaly]int{}
	compared := 0
	for code, f := range c25 {
		g, ok := c26[code]
		if !ok {
			continue
		}
		compared++
		kinds[f.Anomaly]++
		names := map[string]bool{}
		for _, h := range g.Hamlets {
			names[h.Name] = true
		}
		gone := 0
		for _, h := range f.Hamlets {
			if !names[h.Name] {
				gone++
			}
		}
		new := len(g.Hamlets) - (len(f.Hamlets) - gone)
		ho25, dat25 := sums(f)
		ho26, dat26 := sums(g)
		change := float64(ho26-ho25) / float64(ho25)
		rate := float64(dat26)/float64(ho26) - float64(dat25)/float64(ho25)
		same := len(f.Hamlets) == len(g.Hamlets)
		for i := range f.Hamlets {
			same = same && i < len(g.Hamlets) && f.Hamlets[i].HoTong == g.Hamlets[i].HoTong && f.Hamlets[i].HoDat == g.Hamlets[i].HoDat
		}
		switch f.Anomaly {
		case NoAnomaly:
			if gone != 0 || new != 0 || change > 0.15 || change < -0.15 || rate > 0.2 || rate < -0.2 || same {
				t.Errorf("%s: %d gone, %d new, households %+.3f, GĐHT rate %+.3f, identical %v: want a plausible year apart", code, gone, new, change, rate, same)
			}
		case Copied:
			if !same {
				t.Errorf("%s: copied, but 2025 differs from 2026", code)
			}
		case HamletGone:
			if gone != 1 || new != 0 {
				t.Errorf("%s: hamlet gone: %d gone, %d new", code, gone, new)
			}
		case HouseholdJump:
			if change < 0.3 {
				t.Errorf("%s: households +%.3f, want over 15 %% (about +43 %%)", code, change)
			}
		case RateJump:
			if rate < 0.2 {
				t.Errorf("%s: GĐHT rate %+.3f, want over 20 points", code, rate)
			}
		}
	}
	if compared < 80 {
		t.Fatalf("only %d communes in both years", compared)
	}
	if n := compared - kinds[NoAnomaly]; n < 3 || n > 6 || kinds[Copied] == 0 || kinds[HamletGone] == 0 {
		t.Errorf("anomalies %v: want a handful (3–6), copied and hamlet gone among them", kinds)
	}
}

// The pre-reform year: an old commune that went whole into a new one has
// a share of the new commune's hamlets, by name.
func TestPreReformYearSharesHamlets(t *testing.T) {
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	p24, err := NewPlan(reg, 2024, "19")
	if err != nil {
		t.Fatal(err)
	}
	p25, err := NewPlan(reg, 2025, "19")
	if err != nil {
		t.Fatal(err)
	}
	names25 := map[string]map[string]bool{}
	for code, f := range counted(p25) {
		names25[code] = map[string]bool{}
		for _, h := range f.Hamlets {
			names25[code][h.Name] = true
		}
	}
	shared, checked := 0, 0
	for code, f := range counted(p24) {
		s := reg.Successors(code)
		if len(s) != 1 || !s[0].Full || names25[s[0].NewCode] == nil {
			continue
		}
		checked++
		all := true
		for _, h := range f.Hamlets {
			all = all && names25[s[0].NewCode][h.Name]
		}
		if all {
			shared++
		}
	}
	if checked < 20 || shared < checked*9/10 {
		t.Errorf("%d of %d old communes have only hamlets of their new commune", shared, checked)
	}
}

// Every mistake renders on a file of one hamlet (an old commune's share
// can be that small) without a panic, and the duplicate is still there.
func TestMistakesOnFewHamlets(t *testing.T) {
	h := Hamlet{Name: "Thôn Nà Rì", HoTong: 100, HoDangKy: 90, HoDat: 80, LaoDongTong: 200, CongDanDat: 100}
	for _, m := range mistakes {
		f := File{Mistake: m, Hamlets: []Hamlet{h}}
		rows, _ := f.Cells()
		if m == DuplicateHamlet && (len(rows) != 2 || rows[1]["ten_thon"] != h.Name+" ") {
			t.Errorf("duplicate hamlet on one hamlet: %v", rows)
		}
	}
}
