package quality

import "testing"

// TestCommuneText (walk L2): the outlier flags shown to a commune say the
// comparison plainly, without "trung vị" and "điểm z hiệu chỉnh"; the
// province keeps the statistics (the flag's Message is unchanged). Other
// messages pass through as they are.
func TestCommuneText(t *testing.T) {
	r := rules(t)
	cm := commune("00001", nil)
	for i, v := range []float64{100, 100, 100, 100, 1000} {
		cm.Hamlets = append(cm.Hamlets, hamlet(string(rune('A'+i)), "Thôn "+string(rune('A'+i)), map[string]float64{"ho_tong": v}))
	}
	var cs []Commune
	for i, v := range []float64{0.10, 0.12, 0.12, 0.13, 0.14, 0.15, 0.40} {
		cs = append(cs, commune(string(rune('K'+i)), map[string]float64{"ty_le_ho_dat": v}))
	}
	ham := ofRule(Evaluate(r, 2026, []Commune{cm}), RuleHamletOutlier)
	rate := ofRule(Evaluate(r, 2026, cs), RuleRateOutlier)
	if len(ham) != 1 || len(rate) != 1 {
		t.Fatalf("flags: %+v %+v", ham, rate)
	}
	for _, tc := range []struct {
		f          Flag
		prov, comm string
	}{
		{ham[0],
			"Tổng số hộ của “Thôn E” (1.000) khác thường so với các thôn khác của xã (trung vị 100; điểm z hiệu chỉnh 4,0)",
			"Tổng số hộ của “Thôn E” (1.000) khác thường so với các thôn khác của xã (phần lớn các thôn của xã khoảng 100 hộ)"},
		{rate[0],
			"Tỷ lệ hộ đạt Gia đình học tập (40,0%) khác thường so với các xã khác trong tỉnh (trung vị 13,0%; điểm z hiệu chỉnh 18,2)",
			"Tỷ lệ hộ đạt Gia đình học tập (40,0%) khác thường so với các xã khác trong tỉnh (phần lớn các xã trong tỉnh khoảng 13,0%)"},
	} {
		if tc.f.Message != tc.prov {
			t.Errorf("province's text\n%s\nwant\n%s", tc.f.Message, tc.prov)
		}
		if got := CommuneText(tc.f.Rule, tc.f.Indicator, tc.f.Message); got != tc.comm {
			t.Errorf("commune's text\n%s\nwant\n%s", got, tc.comm)
		}
	}
	other := "Tổng số hộ tăng 22,0% so với năm trước (1.000 → 1.220)"
	if got := CommuneText(RuleChange, "ho_tong", other); got != other {
		t.Errorf("a change flag was rewritten: %q", got)
	}
}
