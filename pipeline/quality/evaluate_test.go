package quality

import (
	"math"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func rules(t *testing.T) *Rules {
	t.Helper()
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// commune makes a commune of province 19 with commune-level values.
func commune(code string, vals map[string]float64) Commune {
	return Commune{ProvinceCode: "19", CommuneCode: code, CommuneName: "Xã " + code, SubmissionID: "sub-" + code, Values: vals}
}

func hamlet(code, name string, vals map[string]float64) Hamlet {
	return Hamlet{MaThon: code, TenThon: name, Values: vals}
}

// ofRule returns the flags of one rule.
func ofRule(fs []Flag, rule string) []Flag {
	var out []Flag
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func near(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-4 }

func TestRulesThresholdsFromData(t *testing.T) {
	r := rules(t)
	for rule, want := range map[string]float64{RuleChange: 0.15, RuleRateChange: 0.20, RuleRateOutlier: 3.5, RuleHamletOutlier: 3.5, RuleRecognisedAll: 1} {
		if g := r.Get(rule); g == nil || g.Threshold != want {
			t.Errorf("%s: threshold %v, want %v (schemas/quality/rules.json)", rule, g, want)
		}
	}
	for _, rule := range []string{RuleHamletGone, RuleHamletNew, RuleCopied, RuleUnchanged, RuleNotComparable} {
		if r.Get(rule) == nil {
			t.Errorf("rule %s missing from the embedded rules", rule)
		}
	}
}

func TestRulesFileErrors(t *testing.T) {
	for _, c := range []struct{ name, body, want string }{
		{"unknown rule", `{"version":1,"rules":[{"rule":"guess"}]}`, `unknown rule "guess"`},
		{"no threshold", `{"version":1,"rules":[{"rule":"change","indicators":["ho_tong"]}]}`, `rule "change" needs a threshold`},
		{"no indicators", `{"version":1,"rules":[{"rule":"rate_change","threshold":0.2}]}`, `needs indicators`},
		{"min units", `{"version":1,"rules":[{"rule":"rate_outlier","indicators":["x"],"threshold":3.5,"min_units":1}]}`, `min_units`},
		{"twice", `{"version":1,"rules":[{"rule":"unchanged"},{"rule":"unchanged"}]}`, `appears twice`},
		{"typo field", `{"version":1,"rules":[{"rule":"change","indicators":["ho_tong"],"treshold":0.1}]}`, `unknown field`},
		{"version", `{"version":2,"rules":[]}`, `version 2`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadFS(fstest.MapFS{RulesFile: {Data: []byte(c.body)}})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), RulesFile) {
				t.Errorf("error %v, want one naming %s and %q", err, RulesFile, c.want)
			}
		})
	}
	// A province may drop a rule: it is simply not applied.
	r, err := LoadFS(fstest.MapFS{RulesFile: {Data: []byte(`{"version":1,"rules":[{"rule":"unchanged"}]}`)}})
	if err != nil {
		t.Fatal(err)
	}
	c := commune("00001", map[string]float64{"ho_tong": 200})
	c.Prev = &Previous{Comparable: true, Values: map[string]float64{"ho_tong": 100}}
	if got := Evaluate(r, 2026, []Commune{c}); len(got) != 0 {
		t.Errorf("change flagged with the rule dropped: %+v", got)
	}
}

// Relative change of households and working-age people: more than 15 %.
func TestChange(t *testing.T) {
	r := rules(t)
	for _, c := range []struct {
		ind      string
		prev, v  float64
		flagged  bool
		wantText string
	}{
		{"ho_tong", 1000, 1150, false, ""},          // +15 % exactly: not more than
		{"ho_tong", 1000, 1151, true, "tăng 15,1%"}, // just over
		{"ho_tong", 1000, 850, false, ""},           // −15 %
		{"ho_tong", 1000, 849, true, "giảm 15,1%"},
		{"lao_dong_tong", 2000, 2299, false, ""}, // +14.95 %
		{"lao_dong_tong", 2000, 2301, true, "(2.000 → 2.301)"},
		{"ho_tong", 0, 50, false, ""}, // no relative change from 0
	} {
		cm := commune("00001", map[string]float64{c.ind: c.v})
		cm.Prev = &Previous{Year: 2025, Comparable: true, Values: map[string]float64{c.ind: c.prev}}
		got := ofRule(Evaluate(r, 2026, []Commune{cm}), RuleChange)
		if (len(got) == 1) != c.flagged || len(got) > 1 {
			t.Errorf("%s %v → %v: %d flags, want flagged=%v", c.ind, c.prev, c.v, len(got), c.flagged)
			continue
		}
		if !c.flagged {
			continue
		}
		f := got[0]
		if f.FlagID != "change/"+c.ind+"/-" || *f.Value != c.v || *f.PreviousValue != c.prev || *f.Threshold != 0.15 ||
			!near(f.Score, (c.v-c.prev)/c.prev) || !f.Comparable || f.SubmissionID != "sub-00001" || f.Year != 2026 {
			t.Errorf("flag %+v", f)
		}
		if !strings.Contains(f.Message, c.wantText) {
			t.Errorf("message %q lacks %q", f.Message, c.wantText)
		}
	}
}

// A rate that moved more than 20 percentage points.
func TestRateChange(t *testing.T) {
	r := rules(t)
	for _, c := range []struct {
		prev, v float64
		flagged bool
	}{
		{0.60, 0.80, false}, // exactly 20 points (0.8−0.6 is 0.20000000000000007 in floating point)
		{0.60, 0.8001, true},
		{0.60, 0.40, false},
		{0.60, 0.3999, true},
		{0.60, 0.70, false},
	} {
		cm := commune("00001", map[string]float64{"ty_le_ho_dat": c.v})
		cm.Prev = &Previous{Comparable: true, Values: map[string]float64{"ty_le_ho_dat": c.prev}}
		got := ofRule(Evaluate(r, 2026, []Commune{cm}), RuleRateChange)
		if (len(got) == 1) != c.flagged {
			t.Errorf("%v → %v: %d flags, want flagged=%v", c.prev, c.v, len(got), c.flagged)
			continue
		}
		if c.flagged && (!near(got[0].Score, c.v-c.prev) || *got[0].PreviousValue != c.prev || !strings.Contains(got[0].Message, "điểm phần trăm")) {
			t.Errorf("flag %+v", got[0])
		}
	}
}

// Hamlets gone and new, by ma_thon: a renamed hamlet keeps its code and is
// neither.
func TestHamletsGoneAndNew(t *testing.T) {
	r := rules(t)
	cm := commune("00001", nil)
	cm.Hamlets = []Hamlet{
		hamlet("T1", "Thôn 1", map[string]float64{"ho_tong": 100}),
		hamlet("T2", "Thôn Đồng Mới", map[string]float64{"ho_tong": 90}), // renamed from "Thôn Đồng"
		hamlet("T4", "Thôn 4", map[string]float64{"ho_tong": 70}),
	}
	cm.Prev = &Previous{Comparable: true, Hamlets: []Hamlet{
		hamlet("T1", "Thôn 1", map[string]float64{"ho_tong": 100}),
		hamlet("T2", "Thôn Đồng", map[string]float64{"ho_tong": 90}),
		hamlet("T3", "Thôn 3", map[string]float64{"ho_tong": 80}),
	}}
	fs := Evaluate(r, 2026, []Commune{cm})
	gone, added := ofRule(fs, RuleHamletGone), ofRule(fs, RuleHamletNew)
	if len(gone) != 1 || gone[0].MaThon != "T3" || gone[0].FlagID != "hamlet_gone/ho_tong/T3" || *gone[0].PreviousValue != 80 || gone[0].Value != nil ||
		!strings.Contains(gone[0].Message, "Thôn 3") {
		t.Errorf("gone: %+v", gone)
	}
	if len(added) != 1 || added[0].MaThon != "T4" || *added[0].Value != 70 || added[0].PreviousValue != nil {
		t.Errorf("new: %+v", added)
	}
	// No Biểu 01 this year (only Biểu 02 sent): hamlets did not disappear.
	cm.Hamlets = nil
	if fs := Evaluate(r, 2026, []Commune{cm}); len(ofRule(fs, RuleHamletGone)) != 0 {
		t.Errorf("hamlets gone without a Biểu 01: %+v", fs)
	}
}

func TestCopied(t *testing.T) {
	r := rules(t)
	mk := func() Commune {
		cm := commune("00001", map[string]float64{"don_vi_tong": 5, "hoi_vien_tong": 300})
		cm.Hamlets = []Hamlet{
			hamlet("T1", "Thôn 1", map[string]float64{"ho_tong": 100, "ho_dat": 80}),
			hamlet("T2", "Thôn 2", map[string]float64{"ho_tong": 90, "ho_dat": 70}),
		}
		cm.Prev = &Previous{Comparable: true, Values: map[string]float64{"don_vi_tong": 5, "hoi_vien_tong": 300},
			Hamlets: []Hamlet{
				hamlet("T2", "Thôn 2", map[string]float64{"ho_tong": 90, "ho_dat": 70}),
				hamlet("T1", "Thôn Một", map[string]float64{"ho_tong": 100, "ho_dat": 80}),
			}}
		return cm
	}
	cm := mk()
	got := ofRule(Evaluate(r, 2026, []Commune{cm}), RuleCopied)
	if len(got) != 1 || *got[0].Value != 6 || got[0].FlagID != "copied/-/-" {
		t.Fatalf("identical year: %+v", got)
	}
	// One number differs by 1: not copied.
	cm = mk()
	cm.Hamlets[1].Values["ho_dat"] = 71
	if got := ofRule(Evaluate(r, 2026, []Commune{cm}), RuleCopied); len(got) != 0 {
		t.Errorf("a changed hamlet number: %+v", got)
	}
	// A Biểu 02 figure differs: not copied.
	cm = mk()
	cm.Values["hoi_vien_tong"] = 301
	if got := ofRule(Evaluate(r, 2026, []Commune{cm}), RuleCopied); len(got) != 0 {
		t.Errorf("a changed Biểu 02 number: %+v", got)
	}
	// A blank this year where last year had a number: not copied.
	cm = mk()
	delete(cm.Hamlets[0].Values, "ho_dat")
	if got := ofRule(Evaluate(r, 2026, []Commune{cm}), RuleCopied); len(got) != 0 {
		t.Errorf("a blank against a number: %+v", got)
	}
	// Threshold 3 numbers: 3 equal numbers are flagged, 2 are not.
	for _, c := range []struct {
		vals    map[string]float64
		flagged bool
	}{{map[string]float64{"ho_tong": 10, "ho_dat": 5, "ho_dang_ky": 6}, true}, {map[string]float64{"ho_tong": 10, "ho_dat": 5}, false}} {
		cm := commune("00002", nil)
		cm.Hamlets = []Hamlet{hamlet("T1", "Thôn 1", c.vals)}
		cp := map[string]float64{}
		for k, v := range c.vals {
			cp[k] = v
		}
		cm.Prev = &Previous{Comparable: true, Hamlets: []Hamlet{hamlet("T1", "Thôn 1", cp)}}
		if got := ofRule(Evaluate(r, 2026, []Commune{cm}), RuleCopied); (len(got) == 1) != c.flagged {
			t.Errorf("%d numbers: %d flags, want flagged=%v", len(c.vals), len(got), c.flagged)
		}
	}
}

func TestRecognisedAll(t *testing.T) {
	r := rules(t)
	for _, c := range []struct {
		name    string
		hamlets []Hamlet
		flagged bool
	}{
		{"every hamlet 100 %", []Hamlet{
			hamlet("T1", "Thôn 1", map[string]float64{"ho_tong": 100, "ho_dat": 100}),
			hamlet("T2", "Thôn 2", map[string]float64{"ho_tong": 80, "ho_dat": 80}),
			hamlet("T3", "Thôn 3", map[string]float64{"ho_tong": 0, "ho_dat": 0}), // no households: left out
		}, true},
		{"one hamlet one short", []Hamlet{
			hamlet("T1", "Thôn 1", map[string]float64{"ho_tong": 100, "ho_dat": 100}),
			hamlet("T2", "Thôn 2", map[string]float64{"ho_tong": 80, "ho_dat": 79}),
		}, false},
		{"one hamlet only (min 2)", []Hamlet{
			hamlet("T1", "Thôn 1", map[string]float64{"ho_tong": 100, "ho_dat": 100}),
			hamlet("T2", "Thôn 2", map[string]float64{"ho_tong": 80}), // recognised blank: left out
		}, false},
	} {
		cm := commune("00001", map[string]float64{"ty_le_ho_dat": 1})
		cm.Hamlets = c.hamlets
		got := ofRule(Evaluate(r, 2026, []Commune{cm}), RuleRecognisedAll)
		if (len(got) == 1) != c.flagged {
			t.Errorf("%s: %+v, want flagged=%v", c.name, got, c.flagged)
			continue
		}
		if c.flagged && (got[0].Indicator != "ty_le_ho_dat" || *got[0].Score != 1 || *got[0].Value != 1 || !strings.Contains(got[0].Message, "ở cả 2 thôn")) {
			t.Errorf("%s: flag %+v", c.name, got[0])
		}
	}
}

// A rate's modified z-score among the communes of the province: the worked
// example of TestModifiedZWorkedExamples, as rates. Median 0.13, MAD 0.01:
// M = 0.6745·(x − 0.13)/0.01. The last commune's rate x moves the median
// and MAD not at all as long as it stays the largest, so:
//
//	x = 0.1818 → M = 0.6745·5.18 = 3.49391 (just under 3.5)
//	x = 0.1819 → M = 0.6745·5.19 = 3.500655 (just over)
//	x = 0.40   → M = 0.6745·27   = 18.2115
func TestRateOutlier(t *testing.T) {
	r := rules(t)
	for _, c := range []struct {
		x       float64
		flagged bool
		score   float64
	}{{0.1818, false, 0}, {0.1819, true, 3.500655}, {0.40, true, 18.2115}} {
		var cs []Commune
		for i, v := range []float64{0.10, 0.12, 0.12, 0.13, 0.14, 0.15, c.x} {
			cs = append(cs, commune(string(rune('A'+i)), map[string]float64{"ty_le_ho_dat": v}))
		}
		// Another province's communes are not compared with these.
		for i, v := range []float64{0.9, 0.9, 0.9, 0.9} {
			o := commune(string(rune('a'+i)), map[string]float64{"ty_le_ho_dat": v})
			o.ProvinceCode = "20"
			cs = append(cs, o)
		}
		got := ofRule(Evaluate(r, 2026, cs), RuleRateOutlier)
		if (len(got) == 1) != c.flagged || len(got) > 1 {
			t.Errorf("x=%v: %+v, want flagged=%v", c.x, got, c.flagged)
			continue
		}
		if c.flagged {
			f := got[0]
			if f.CommuneCode != "G" || !near(f.Score, c.score) || *f.Value != c.x || f.PreviousValue != nil || *f.Threshold != 3.5 ||
				!strings.Contains(f.Message, "trung vị 13,0%") {
				t.Errorf("x=%v: flag %+v", c.x, f)
			}
		}
	}
	// Fewer than min_units (5) communes with the rate: no score at all.
	var cs []Commune
	for i, v := range []float64{0.1, 0.1, 0.1, 0.9} {
		cs = append(cs, commune(string(rune('A'+i)), map[string]float64{"ty_le_ho_dat": v}))
	}
	if got := ofRule(Evaluate(r, 2026, cs), RuleRateOutlier); len(got) != 0 {
		t.Errorf("4 communes: %+v", got)
	}
}

// A hamlet's household count among its commune's hamlets. Hand computed:
// counts 100 120 120 130 140 150 x (x the largest): median 130, deviations
// 30 10 10 0 10 20 |x−130| → MAD 10; M(x) = 0.6745·(x − 130)/10.
//
//	x = 181 → 3.43995 (under 3.5);  x = 182 → 3.5074 (over)
//
// MAD 0: 100 100 100 100 1000 → MeanAD = 900/5 = 180,
// M(1000) = 900/(1.253314·180) = 3.98942.
func TestHamletOutlier(t *testing.T) {
	r := rules(t)
	for _, c := range []struct {
		counts  []float64
		flagged bool
		score   float64
	}{
		{[]float64{100, 120, 120, 130, 140, 150, 181}, false, 0},
		{[]float64{100, 120, 120, 130, 140, 150, 182}, true, 3.5074},
		{[]float64{100, 100, 100, 100, 1000}, true, 3.98942},
		{[]float64{100, 100, 100, 1000}, false, 0}, // 4 hamlets: under min_units
	} {
		cm := commune("00001", nil)
		for i, v := range c.counts {
			cm.Hamlets = append(cm.Hamlets, hamlet(string(rune('A'+i)), "Thôn "+string(rune('A'+i)), map[string]float64{"ho_tong": v}))
		}
		last := cm.Hamlets[len(cm.Hamlets)-1].MaThon
		cm.Prev = &Previous{Comparable: true, Hamlets: []Hamlet{hamlet(last, "x", map[string]float64{"ho_tong": 100})}}
		got := ofRule(Evaluate(r, 2026, []Commune{cm}), RuleHamletOutlier)
		if (len(got) == 1) != c.flagged || len(got) > 1 {
			t.Errorf("%v: %+v, want flagged=%v", c.counts, got, c.flagged)
			continue
		}
		if c.flagged {
			f := got[0]
			if f.MaThon != last || !near(f.Score, c.score) || *f.Value != c.counts[len(c.counts)-1] || *f.PreviousValue != 100 ||
				f.FlagID != "hamlet_outlier/ho_tong/"+last {
				t.Errorf("%v: flag %+v", c.counts, f)
			}
		}
	}
}

// A split commune without a hamlet assignment: one not_comparable row,
// comparable = false, and no year-on-year flag however far it moved.
func TestNotComparable(t *testing.T) {
	r := rules(t)
	cm := commune("00001", map[string]float64{"ho_tong": 5000, "ty_le_ho_dat": 0.9})
	cm.Hamlets = []Hamlet{hamlet("T9", "Thôn 9", map[string]float64{"ho_tong": 5000})}
	cm.Prev = &Previous{Year: 2024, Comparable: false, Reason: "xã cũ 05440 bị chia tách, chưa có phân bổ thôn",
		Values:  map[string]float64{"ho_tong": 100, "ty_le_ho_dat": 0.1},
		Hamlets: []Hamlet{hamlet("T1", "Thôn 1", map[string]float64{"ho_tong": 100})}}
	got := Evaluate(r, 2025, []Commune{cm})
	if len(got) != 1 || got[0].Rule != RuleNotComparable || got[0].Comparable || got[0].Alarm() ||
		got[0].Message != "Không so sánh được với năm 2024: xã cũ 05440 bị chia tách, chưa có phân bổ thôn" || got[0].PreviousYear != 2024 {
		t.Fatalf("got %+v", got)
	}
	// The same data, comparable: flagged by change, rate_change, hamlets.
	cm.Prev.Comparable = true
	got = Evaluate(r, 2025, []Commune{cm})
	for _, rule := range []string{RuleChange, RuleRateChange, RuleHamletGone, RuleHamletNew} {
		if len(ofRule(got, rule)) == 0 {
			t.Errorf("comparable: no %s flag in %+v", rule, got)
		}
	}
}

func TestUnchanged(t *testing.T) {
	r := rules(t)
	cm := commune("00001", nil)
	if got := Evaluate(r, 2026, []Commune{cm}); len(got) != 0 {
		t.Fatalf("no re-upload: %+v", got)
	}
	at := time.Date(2026, 12, 6, 8, 5, 0, 0, time.UTC)
	cm.Unchanged = &Unchanged{Latest: "s2", Previous: "s1", LatestAt: at, PreviousAt: at.Add(-time.Hour), Rows: 12}
	got := Evaluate(r, 2026, []Commune{cm})
	if len(got) != 1 || got[0].FlagID != "unchanged/-/-" || got[0].SubmissionID != "s2" || *got[0].Value != 12 ||
		got[0].Message != "Tệp nộp lúc 15:05 06/12/2026 giống hệt tệp nộp lúc 14:05 06/12/2026 (không thay đổi)" {
		t.Errorf("got %+v", got)
	}
	// Walk L1: two uploads in the same minute read "lúc 14:07 … lúc 14:07":
	// then the times carry their seconds, so the two differ.
	same := time.Date(2026, 12, 7, 7, 7, 41, 0, time.UTC)
	cm.Unchanged = &Unchanged{Latest: "s2", Previous: "s1", LatestAt: same, PreviousAt: same.Add(-33 * time.Second), Rows: 12}
	got = Evaluate(r, 2026, []Commune{cm})
	if len(got) != 1 || got[0].Message != "Tệp nộp lúc 14:07:41 07/12/2026 giống hệt tệp nộp lúc 14:07:08 07/12/2026 (không thay đổi)" {
		t.Errorf("same minute: got %+v", got)
	}
}

func TestRulesColumns(t *testing.T) {
	c, h := rules(t).Columns()
	for _, want := range []string{"ho_tong", "lao_dong_tong", "ty_le_ho_dat", "ty_le_can_bo_dat", "hoi_vien_tong"} {
		if !slices.Contains(c, want) {
			t.Errorf("commune columns %v lack %s", c, want)
		}
	}
	for _, want := range []string{"ho_tong", "ho_dat", "cong_dan_dat", "thon_dat"} {
		if !slices.Contains(h, want) {
			t.Errorf("hamlet columns %v lack %s", h, want)
		}
	}
	if slices.Contains(h, "thon_tong") || slices.Contains(c, "tthtcd_ung_dung_cntt") {
		t.Errorf("columns no rule reads: %v %v", c, h)
	}
}

// The year compared with is the commune's last accepted year, which the
// messages name ("năm 2022", not "năm trước") and PreviousYear carries; a
// flag that compares with no earlier year has none.
func TestPreviousYearNamed(t *testing.T) {
	r := rules(t)
	cm := commune("00001", map[string]float64{"ho_tong": 150, "ty_le_ho_dat": 0.9})
	cm.Hamlets = []Hamlet{hamlet("T1", "Thôn 1", map[string]float64{"ho_tong": 150})}
	cm.Prev = &Previous{Year: 2022, Comparable: true, Values: map[string]float64{"ho_tong": 100, "ty_le_ho_dat": 0.5},
		Hamlets: []Hamlet{hamlet("T2", "Thôn 2", map[string]float64{"ho_tong": 100})}}
	got := Evaluate(r, 2024, []Commune{cm})
	rules := map[string]bool{}
	for _, f := range got {
		rules[f.Rule] = true
		if f.PreviousYear != 2022 {
			t.Errorf("%s: PreviousYear %d, want 2022", f.FlagID, f.PreviousYear)
		}
		if !strings.Contains(f.Message, "năm 2022") || strings.Contains(f.Message, "năm trước") {
			t.Errorf("%s: message %q does not name 2022", f.FlagID, f.Message)
		}
	}
	for _, want := range []string{RuleChange, RuleRateChange, RuleHamletGone, RuleHamletNew} {
		if !rules[want] {
			t.Errorf("no %s flag: %+v", want, got)
		}
	}
	cm.Prev = nil
	for _, f := range Evaluate(r, 2024, []Commune{cm}) {
		if f.PreviousYear != 0 {
			t.Errorf("%s without an earlier year: PreviousYear %d", f.FlagID, f.PreviousYear)
		}
	}
}
