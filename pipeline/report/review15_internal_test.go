package report

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// M3 (review of issue 15), the rule on its own: an approved-only report
// compares its sums with last year only when every commune with valid
// data is approved; a live report always; a commune's own change always.
func TestPartialComparison(t *testing.T) {
	for _, tc := range []struct {
		name                          string
		approvedOnly                  bool
		approved, submitted, expected int64
		compared                      bool
	}{
		{"approved only, 1/20 approved", true, 1, 20, 20, false},
		{"approved only, 19/20 approved", true, 19, 20, 20, false},
		{"approved only, all approved", true, 20, 20, 20, true},
		// Re-check N-4 (session 8): the two communes that sent nothing
		// valid do not keep it partial.
		{"approved only, every commune with valid data approved", true, 18, 18, 20, true},
		{"approved only, 17 of the 18 with valid data approved", true, 17, 18, 20, false},
		{"live, 1/20 approved", false, 1, 20, 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := fixtureReport(20, 0)
			r.ApprovedOnly = tc.approvedOnly
			r.Completeness.Approved, r.Completeness.Submitted, r.Completeness.Expected = tc.approved, tc.submitted, tc.expected
			c := r.Total.Cells["ho_dat"]
			c.Rate, c.PrevRate, c.Change = ptr(0.774), ptr(0.759), ptr(0.015)
			r.Total.Cells["ho_dat"] = c
			own := r.Communes[0].Cells["ho_dat"].Change
			r.Trend = []YearPoint{{Year: 2025, Rates: map[string]*float64{"ho_dat": ptr(0.759)}, Complete: true},
				{Year: 2026, Rates: map[string]*float64{"ho_dat": ptr(0.774)}, Complete: true}}
			r.dropPartialComparison()
			s := strings.Join(summary(r), "\n")
			why := "Vì mới có " + sentInt(tc.approved) + "/20 xã được duyệt, báo cáo không đánh giá việc đạt chỉ tiêu của toàn tỉnh và không so sánh với năm 2025."
			if tc.compared {
				if !strings.Contains(s, "tăng 1,5 điểm phần trăm so với năm 2025") || strings.Contains(s, "không so sánh") || len(r.Trend) != 2 {
					t.Errorf("want the comparison; trend %d points; summary:\n%s", len(r.Trend), s)
				}
				return
			}
			if strings.Contains(s, "so với năm 2025.") || !strings.Contains(s, why) {
				t.Errorf("want no comparison and %q:\n%s", why, s)
			}
			if r.Total.Cells["ho_dat"].Change != nil || r.Total.Cells["ho_dat"].PrevRate != nil {
				t.Error("the total keeps last year's rate")
			}
			if len(r.Trend) != 1 || r.Trend[0].Year != 2025 {
				t.Errorf("trend %+v, want 2025 only", r.Trend)
			}
			if got := r.Communes[0].Cells["ho_dat"].Change; own != nil && (got == nil || *got != *own) {
				t.Errorf("a commune's own change dropped: %v, was %v", got, *own)
			}
		})
	}
}

// M3 with districts (years before 2025): a district all of whose communes
// are approved keeps its change; the others lose it.
func TestPartialComparisonDistricts(t *testing.T) {
	r := fixtureReport(6, 2) // districts 100 and 101, communes alternate
	if len(r.Districts) != 2 {
		t.Fatalf("fixture has %d districts, want 2", len(r.Districts))
	}
	r.ApprovedOnly = true
	r.Completeness = Completeness{Expected: 6, Submitted: 6}
	for _, row := range r.Communes {
		ok := row.District == "100"
		if ok {
			r.Completeness.Approved++
		}
		r.Completeness.Communes = append(r.Completeness.Communes, CommuneStatus{Code: row.Code, District: row.District, Status: "on_time", Approved: ok})
	}
	for i := range r.Districts {
		c := r.Districts[i].Cells["ho_dat"]
		c.PrevRate, c.Change = ptr(0.5), ptr(0.1)
		met := true
		c.Met = &met
		r.Districts[i].Cells["ho_dat"] = c
	}
	r.dropPartialComparison()
	for _, d := range r.Districts {
		if got := d.Cells["ho_dat"].Change != nil; got != (d.Code == "100") {
			t.Errorf("district %s keeps its change: %v", d.Code, got)
		}
		// M-C (session 8): a district summing some of its communes has no
		// target verdict and says which communes it sums.
		if got := d.Cells["ho_dat"].Met != nil; got != (d.Code == "100") {
			t.Errorf("district %s keeps its target verdict: %v", d.Code, got)
		}
		want := d.Name
		if d.Code == "101" {
			want = d.Name + " (0/3 xã đã duyệt)"
		}
		if got := lineName(line{row: &d}); got != want {
			t.Errorf("district %s is labelled %q, want %q", d.Code, got, want)
		}
	}
	if got := lineName(line{row: &r.Total}); got != "TỔNG CỘNG 3/6 XÃ ĐÃ DUYỆT" {
		t.Errorf("total labelled %q", got)
	}
}

// L12 (review of issue 15): the flags annex's intro names the thresholds
// in words, no file path; and its row is tall enough for its lines on the
// flags sheet (it was sized over the main table's wider columns, which cut
// its second line in LibreOffice's PDF).
func TestFlagsIntroForAReader(t *testing.T) {
	// The thresholds, read here from the rules file itself.
	raw, err := os.ReadFile("../../schemas/quality/rules.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Rules []struct {
			Rule         string  `json:"rule"`
			Threshold    float64 `json:"threshold"`
			MinDeviation float64 `json:"min_deviation"`
		} `json:"rules"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	th := map[string]float64{}
	dev := map[string]float64{}
	for _, r := range file.Rules {
		th[r.Rule], dev[r.Rule] = r.Threshold, r.MinDeviation
	}
	vn := func(f float64) string { // 15 → "15", 3.5 → "3,5"
		return strings.Replace(strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64), ".", ",", 1)
	}
	intro := flagsIntro()
	for _, want := range []string{
		"quá " + vn(th["change"]*100) + "%",
		"quá " + vn(th["rate_change"]*100) + " điểm phần trăm",
		"vượt " + vn(th["rate_outlier"]) + " ",
		"từ " + vn(dev["hamlet_outlier"]) + " hộ",
		"không phải lỗi",
	} {
		if !strings.Contains(intro, want) {
			t.Errorf("intro lacks %q:\n%s", want, intro)
		}
	}
	for _, bad := range []string{"schemas/", ".json", "rules"} {
		if strings.Contains(intro, bad) {
			t.Errorf("intro cites %q:\n%s", bad, intro)
		}
	}

	var buf bytes.Buffer
	if err := WriteXLSX(&buf, flagFixture()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var width float64
	for c := 1; c <= 8; c++ {
		w, err := f.GetColWidth(sheetFlags, colName(c))
		if err != nil {
			t.Fatal(err)
		}
		width += w
	}
	got, err := f.GetCellValue(sheetFlags, "A2")
	if err != nil || got != intro {
		t.Fatalf("A2 = %q (%v), want the intro", got, err)
	}
	h, err := f.GetRowHeight(sheetFlags, 2)
	if err != nil {
		t.Fatal(err)
	}
	// At 10 pt a line holds at most ~1.2 characters per width unit (the
	// old intro of 232 characters took 2 lines over 147 units in
	// LibreOffice); each line needs 15 points.
	lines := math.Ceil(float64(utf8.RuneCountInString(intro)) / (width * 1.2))
	if h < lines*15 {
		t.Errorf("intro row %.1f pt high over %.0f width units: %d characters need %v lines (%.0f pt)", h, width, utf8.RuneCountInString(intro), lines, lines*15)
	}
}

// M-C (session 8) for the 1/12 report: its movement sentences are sums of
// the approved communes too, and say so; with every commune approved they
// speak for the province as before.
func TestPartialMovementSentences(t *testing.T) {
	for _, tc := range []struct {
		approved int64
		want     []string
	}{
		{5, []string{
			"Trong 5/20 xã đã được duyệt, có 3 xã được công nhận Cộng đồng học tập cấp xã Mức độ 2 và 4 xã Mức độ 1.",
			"Trong 5/20 xã đã được duyệt, các Trung tâm học tập cộng đồng đã tổ chức 12 lớp với 340 lượt người học; 2 trung tâm ứng dụng công nghệ thông tin.",
			"Trong 5/20 xã đã được duyệt, Hội Khuyến học cấp xã có 1.200 hội viên, trong đó 300 hội viên được tập huấn.",
		}},
		{20, []string{
			"Có 3 xã được công nhận Cộng đồng học tập cấp xã Mức độ 2 và 4 xã Mức độ 1.",
			"Các Trung tâm học tập cộng đồng đã tổ chức 12 lớp với 340 lượt người học; 2 trung tâm ứng dụng công nghệ thông tin.",
			"Hội Khuyến học cấp xã có 1.200 hội viên, trong đó 300 hội viên được tập huấn.",
		}},
	} {
		r := fixtureReport(20, 0)
		r.Deadline, r.ApprovedOnly = "12-01", true
		r.Completeness.Approved, r.Completeness.Expected = tc.approved, 20
		r.Total.XaMucDo1, r.Total.XaMucDo2 = ptr[int64](4), ptr[int64](3)
		r.Total.TTHTCDLop, r.Total.TTHTCDLuot, r.Total.TTHTCDCNTT = ptr[int64](12), ptr[int64](340), ptr[int64](2)
		r.Total.HoiVien, r.Total.HoiVienTapHuan = ptr[int64](1200), ptr[int64](300)
		r.dropPartialComparison()
		s := strings.Join(summary(r), "\n")
		for _, w := range tc.want {
			if !strings.Contains(s, w+"\n") && !strings.HasSuffix(s, w) {
				t.Errorf("%d/20 approved: summary lacks %q:\n%s", tc.approved, w, s)
			}
		}
	}
}
