package quality

import (
	"fmt"
	"testing"
)

// With MAD = 0 (most communes at 100 %) the mean-AD fallback scores even a
// tiny deviation far out; rate_outlier's min_deviation (0.05 in
// rules.json) keeps 99,9 % and 95,01 % quiet and flags 94,99 %.
// Review finding (h-rev1 41c32c3), adapted to just under/over the bound.
func TestRevMADZeroMinDeviation(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Get(RuleRateOutlier).MinDeviation; got != 0.05 {
		t.Fatalf("rate_outlier min_deviation = %v, want 0.05 (the test values assume it)", got)
	}
	cases := []struct {
		odd     float64
		flagged bool
	}{
		{0.999, false},  // the review's false alarm
		{0.9501, false}, // 4,99 points: just under
		{0.9499, true},  // 5,01 points: just over
		{0.5, true},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.odd), func(t *testing.T) {
			var cs []Commune
			for i := 0; i < 10; i++ {
				v := 1.0
				if i == 9 {
					v = c.odd
				}
				cs = append(cs, Commune{ProvinceCode: "19", CommuneCode: fmt.Sprintf("0550%d", i), Values: map[string]float64{"ty_le_thon_dat": v}})
			}
			var got []string
			for _, f := range Evaluate(r, 2026, cs) {
				if f.Rule == RuleRateOutlier {
					got = append(got, f.CommuneCode)
				}
			}
			if c.flagged && (len(got) != 1 || got[0] != "05509") {
				t.Errorf("%v among nine at 100 %%: flagged %v, want [05509]", c.odd, got)
			}
			if !c.flagged && len(got) != 0 {
				t.Errorf("%v among nine at 100 %%: flagged %v, want none", c.odd, got)
			}
		})
	}
}

// hamlet_outlier: min_deviation 20 households. Among hamlets of 100, one of
// 119 is not flagged, one of 121 is (MAD 0 in both).
func TestRevHamletMinDeviation(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		odd     float64
		flagged bool
	}{{119, false}, {121, true}} {
		cm := Commune{ProvinceCode: "19", CommuneCode: "05500"}
		for i := 0; i < 6; i++ {
			v := 100.0
			if i == 5 {
				v = c.odd
			}
			cm.Hamlets = append(cm.Hamlets, Hamlet{MaThon: fmt.Sprintf("T%d", i), TenThon: fmt.Sprintf("Thôn %d", i), Values: map[string]float64{"ho_tong": v}})
		}
		n := 0
		for _, f := range Evaluate(r, 2026, []Commune{cm}) {
			if f.Rule == RuleHamletOutlier {
				n++
			}
		}
		if (n == 1) != c.flagged || n > 1 {
			t.Errorf("hamlet of %v among 100s: %d flags, want flagged=%v", c.odd, n, c.flagged)
		}
	}
}
