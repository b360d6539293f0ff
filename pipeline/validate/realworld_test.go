package validate_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/internal/fixture"
	"github.com/xhht/xhht/pipeline/validate"
)

// Number format per column (numfmt.go). Column C (ho_tong) of the three
// fixture hamlets on rows 8–10, header row 6; each case is worked out by
// hand from the rule table.
func TestNumberFormatPerColumn(t *testing.T) {
	null := validate.Value{Null: true}
	n := func(i int64) validate.Value { return validate.Value{Int: i} }
	tests := []struct {
		name  string
		c     [3]any // C8, C9, C10
		edit  func(g *fixture.Grid)
		total bool // a totals row (row 11)
		want  []iss
		vals  [3]validate.Value
	}{
		{"1,200 decides English: 2,000 is 2000", [3]any{"1,200", "2,000", "150"}, nil, false,
			[]iss{{"english-numbers", W, "C6", "ho_tong"}}, [3]validate.Value{n(1200), n(2000), n(150)}},
		{"Vietnamese thousands", [3]any{"1.200", "2.000", "150"}, nil, false,
			nil, [3]validate.Value{n(1200), n(2000), n(150)}},
		{"only 2,000: nothing decides, an error", [3]any{"120", "2,000", "150"}, nil, false,
			[]iss{{"type-error", E, "C9", "ho_tong"}}, [3]validate.Value{n(120), null, n(150)}},
		{"mixed: 1.200 Vietnamese, 2,500 English", [3]any{"1.200", "2,500", "150"}, nil, false,
			[]iss{{"type-error", E, "C8", "ho_tong"}, {"type-error", E, "C9", "ho_tong"}}, [3]validate.Value{null, null, n(150)}},
		{"Vietnamese column: 2,000 stays ambiguous", [3]any{"1.200", "2,000", "150"}, nil, false,
			[]iss{{"type-error", E, "C9", "ho_tong"}}, [3]validate.Value{n(1200), null, n(150)}},
		{"English column: 1.000 stays ambiguous", [3]any{"1,200", "1.000", "150"}, nil, false,
			[]iss{{"english-numbers", W, "C6", "ho_tong"}, {"type-error", E, "C9", "ho_tong"}}, [3]validate.Value{n(1200), null, n(150)}},
		{"English column: 95.5 households is not whole", [3]any{"1,200", "95.5", "150"}, nil, false,
			[]iss{{"english-numbers", W, "C6", "ho_tong"}, {"type-error", E, "C9", "ho_tong"}}, [3]validate.Value{n(1200), null, n(150)}},
		{"Vietnamese 95,5 households is not whole", [3]any{"120", "95,5", "150"}, nil, false,
			[]iss{{"type-error", E, "C9", "ho_tong"}}, [3]validate.Value{n(120), null, n(150)}},
		{"a numeric cell is trusted and decides nothing", [3]any{1200, "2,000", 150}, nil, false,
			[]iss{{"type-error", E, "C9", "ho_tong"}}, [3]validate.Value{n(1200), null, n(150)}},
		{"English 1,234,567 with two groups", [3]any{"1,234,567", "95", "150"}, nil, false,
			[]iss{{"english-numbers", W, "C6", "ho_tong"}}, [3]validate.Value{n(1234567), n(95), n(150)}},
		{"Vietnamese 1.234.567 with two groups", [3]any{"1.234.567", "95", "150"}, nil, false,
			nil, [3]validate.Value{n(1234567), n(95), n(150)}},
		{"English whole number with decimals 1,200.0", [3]any{"1,200.0", "2,000", "150"}, nil, false,
			[]iss{{"english-numbers", W, "C6", "ho_tong"}}, [3]validate.Value{n(1200), n(2000), n(150)}},
		// 2,270 households the Vietnamese way would be 2.27: the totals row
		// is English evidence, and 2,000 then reads 2000 (120+2000+150).
		{"the totals row decides too", [3]any{"120", "2,000", "150"}, func(g *fixture.Grid) { g.Put(11, 3, "2,270") }, true,
			[]iss{{"english-numbers", W, "C6", "ho_tong"}}, [3]validate.Value{n(120), n(2000), n(150)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := fixture.Hamlets01()
			for i := range 3 {
				rows[i][iHoTong] = tt.c[i]
			}
			lay := fixture.Form{Rows: rows, NoTotals: !tt.total}.Build()
			if tt.edit != nil {
				tt.edit(lay.G)
			}
			res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, lay.G))
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
			if len(res.Records) != 3 {
				t.Fatalf("%d records", len(res.Records))
			}
			for i, w := range tt.vals {
				if got := res.Records[i].Values["ho_tong"]; got != w {
					t.Errorf("C%d = %+v, want %+v", 8+i, got, w)
				}
			}
		})
	}
}

// The messages say what was decided, with the cells that decided it.
func TestNumberFormatMessages(t *testing.T) {
	rows := fixture.Hamlets01()
	rows[0][iHoTong], rows[1][iHoTong] = "1,200", "1.000"
	res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, fixture.Form{Rows: rows, NoTotals: true}.Build().G))
	var warn, err string
	for _, is := range res.Issues {
		switch is.Code {
		case "english-numbers":
			warn = is.Message
			if is.Value != "1,200" || is.Row != 6 {
				t.Errorf("warning value %q row %d, want \"1,200\" on row 6", is.Value, is.Row)
			}
		case "type-error":
			err = is.Message
		}
	}
	for _, s := range []string{"Cột C", "tiếng Anh", "C8", `"1,200"`, "Tổng số hộ"} {
		if !strings.Contains(warn, s) {
			t.Errorf("warning %q does not mention %s", warn, s)
		}
	}
	for _, s := range []string{"C9", `"1.000"`, "tiếng Anh", "C8"} {
		if !strings.Contains(err, s) {
			t.Errorf("error %q does not mention %s", err, s)
		}
	}
	rows = fixture.Hamlets01()
	rows[0][iHoTong], rows[1][iHoTong] = "1.200", "2,500"
	res = runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, fixture.Form{Rows: rows, NoTotals: true}.Build().G))
	for _, is := range res.Issues {
		for _, s := range []string{"hai kiểu", `"1.200"`, `"2,500"`} {
			if !strings.Contains(is.Message, s) {
				t.Errorf("mixed-column error %q does not mention %s", is.Message, s)
			}
		}
	}
}

// A score (Biểu 02, TT 44 points 0–100): "85.5" can only be English.
func TestScoreNumberFormat(t *testing.T) {
	ctx2023 := validate.Context{Year: 2023, CommuneCode: "01864", CommuneName: "Xã Bộc Bố"}
	tests := []struct {
		cell any
		want []iss
		val  validate.Value
	}{
		{"85,5", nil, validate.Value{Float: 85.5}},
		{"85.5", []iss{{"english-numbers", W, "H4", "cong_dong_xa_diem"}}, validate.Value{Float: 85.5}},
		{"85,500", nil, validate.Value{Float: 85.5}}, // 85500 points is out of range: Vietnamese
		{"85.500", []iss{{"english-numbers", W, "H4", "cong_dong_xa_diem"}}, validate.Value{Float: 85.5}},
		{"1.234,5", []iss{{"constraint-error", E, "H6", "cong_dong_xa_diem"}}, validate.Value{Null: true}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.cell), func(t *testing.T) {
			r := fixture.Row02()
			r[6] = tt.cell
			res := runOne(t, ctx2023, "a.xlsx", fixture.XLSX(t, form02(2023, cols02TT44(), r).Build().G))
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
			if got := res.Records[0].Values["cong_dong_xa_diem"]; got != tt.val {
				t.Errorf("score = %+v, want %+v", got, tt.val)
			}
		})
	}
}

// Subtotals of groups of hamlets, fixture.Hamlets4: group 1 = A+B,
// group 2 = C+D (sums in fixture.SumGroup1/2/All4, worked out by hand).
func TestSubtotals(t *testing.T) {
	h := fixture.Hamlets4()
	L := fixture.Labelled
	g1, g2, all := fixture.SumGroup1, fixture.SumGroup2, fixture.SumAll4
	head := func(label string) []any { return []any{label} }
	with := func(sums []any, i int, v any) []any { // sums with column C+i changed
		out := append([]any{}, sums...)
		out[i] = v
		return out
	}
	// Bottom: header row 8 "Cụm 1", hamlets 9–10, "Cộng cụm 1" row 11,
	// header 12 "Cụm 2", hamlets 13–14, "Cộng cụm 2" 15, totals 16.
	bottom := func(s1, s2, tot []any) fixture.Form {
		return fixture.Form{STT: []any{nil, 1, 2, nil, nil, 3, 4, nil},
			Rows:   [][]any{head("Cụm 1"), h[0], h[1], L("Cộng cụm 1", s1), head("Cụm 2"), h[2], h[3], L("Cộng cụm 2", s2)},
			Totals: L("", tot)}
	}
	// Top: "I" row 8 with group 1's sums, hamlets 9–10, "II" row 11, 12–13, totals 14.
	top := func(s1, s2 []any) fixture.Form {
		return fixture.Form{STT: []any{"I", 1, 2, "II", 3, 4},
			Rows:   [][]any{L("Khu vực thị trấn", s1), h[0], h[1], L("Khu vực nông thôn", s2), h[2], h[3]},
			Totals: L("", all)}
	}
	tests := []struct {
		name    string
		fm      fixture.Form
		want    []iss
		records []int
		msg     []string // in the first issue's message
	}{
		{"bottom subtotals correct", bottom(g1, g2, all), nil, []int{9, 10, 13, 14}, nil},
		{"bottom subtotal off in ho_dat", bottom(with(g1, 2, 181), g2, all),
			[]iss{{"totals-mismatch", E, "E11", "ho_dat"}}, []int{9, 10, 13, 14}, []string{`"Cụm 1"`, "9–10", "181", "180"}},
		{"bottom subtotal: bool column counts its yes rows", bottom(g1, with(g2, 7, 2), all),
			[]iss{{"totals-mismatch", E, "J15", "cong_dong_dat"}}, []int{9, 10, 13, 14}, []string{`"Cụm 2"`, "13–14"}},
		{"grand total still checked against all hamlets", bottom(g1, g2, with(all, 0, 426)),
			[]iss{{"totals-mismatch", E, "C16", "ho_tong"}}, []int{9, 10, 13, 14}, []string{"426", "425"}},
		{"subtotal text that is no number is a warning", bottom(with(g1, 0, "khoảng 215"), g2, all),
			[]iss{{"type-error", W, "C11", "ho_tong"}}, []int{9, 10, 13, 14}, nil},
		{"top subtotals correct", top(g1, g2), nil, []int{9, 10, 12, 13}, nil},
		{"top subtotal off in ho_dang_ky", top(with(g1, 1, 201), g2),
			[]iss{{"totals-mismatch", E, "D8", "ho_dang_ky"}}, []int{9, 10, 12, 13}, []string{`"Khu vực thị trấn"`, "9–10", "201", "200"}},
		// Label rows below their hamlets: 8–9 "Cụm 1" 10, 11–12 "Cụm 2" 13, totals 14.
		{"Cụm rows closing their hamlets, off in lao_dong_tong", fixture.Form{STT: []any{1, 2, nil, 3, 4, nil},
			Rows:   [][]any{h[0], h[1], L("Cụm 1", g1), h[2], h[3], L("Cụm 2", with(g2, 8, 361))},
			Totals: L("", all)},
			[]iss{{"totals-mismatch", E, "K13", "lao_dong_tong"}}, []int{8, 9, 11, 12}, []string{"11–12", "361", "360"}},
		// "Cộng cụm 2" right under "Cộng cụm 1": its group has no hamlet.
		{"a subtotal with no hamlet rows", fixture.Form{STT: []any{1, 2, nil, nil},
			Rows:   [][]any{h[0], h[1], L("Cộng cụm 1", g1), L("Cộng cụm 2", []any{210})},
			Totals: L("", g1)},
			[]iss{{"totals-mismatch", E, "C11", "ho_tong"}}, []int{8, 9}, []string{"không có dòng thôn nào"}},
		// Totals at the top (row 8), groups below: I on 9, II on 12.
		{"totals at the top with Roman groups, correct", fixture.Form{TotalsTop: true, STT: []any{"I", 1, 2, "II", 3, 4},
			Rows:   [][]any{L("Khu vực I", g1), h[0], h[1], L("Khu vực II", g2), h[2], h[3]},
			Totals: L("", all)},
			nil, []int{10, 11, 13, 14}, nil},
		{"totals at the top off", fixture.Form{TotalsTop: true, STT: []any{"I", 1, 2, "II", 3, 4},
			Rows:   [][]any{L("Khu vực I", g1), h[0], h[1], L("Khu vực II", g2), h[2], h[3]},
			Totals: L("", with(all, 9, 431))},
			[]iss{{"totals-mismatch", E, "L8", "cong_dan_dat"}}, []int{10, 11, 13, 14}, []string{"431", "430"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, tt.fm.Build().G))
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
			var rows []int
			for _, r := range res.Records {
				rows = append(rows, r.Row)
			}
			if !reflect.DeepEqual(rows, tt.records) {
				t.Errorf("records on rows %v, want %v (subtotal and group rows are not hamlets)", rows, tt.records)
			}
			for _, s := range tt.msg {
				if len(res.Issues) > 0 && !strings.Contains(res.Issues[0].Message, s) {
					t.Errorf("message %q does not mention %s", res.Issues[0].Message, s)
				}
			}
		})
	}
}

// Group header rows have a label and no numbers: no missing-cell errors.
// A hamlet row (numbered 5) without numbers still gets them.
func TestGroupHeaderRows(t *testing.T) {
	h := fixture.Hamlets4()
	tests := []struct {
		name    string
		fm      fixture.Form
		merges  []string
		want    []iss
		records int
	}{
		{"I. Khu vực … merged across the row", fixture.Form{STT: []any{"I. Khu vực thị trấn", 1, 2, "II. Khu vực nông thôn", 3, 4},
			Rows: [][]any{{}, h[0], h[1], {}, h[2], h[3]}, Totals: fixture.Labelled("", fixture.SumAll4)},
			[]string{"A8:L8", "A11:L11"}, nil, 4},
		{"Roman STT and a label", fixture.Form{STT: []any{"I", 1, 2, "II", 3, 4},
			Rows: [][]any{{"Khu vực thị trấn"}, h[0], h[1], {"Các thôn vùng cao"}, h[2], h[3]}, Totals: fixture.Labelled("", fixture.SumAll4)},
			nil, nil, 4},
		{"hamlets numbered I, II, III", fixture.Form{STT: []any{"I", "II", "III"}, Rows: fixture.Hamlets01()},
			nil, nil, 3},
		{"a numbered hamlet without numbers is not a header", fixture.Form{STT: []any{1, 2, 3, 4, 5},
			Rows: [][]any{h[0], h[1], h[2], h[3], {"Thôn E"}}, NoTotals: true},
			nil, []iss{{"missing-cell", E, "C12", "ho_tong"}}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lay := tt.fm.Build()
			lay.G.Merges = append(lay.G.Merges, tt.merges...)
			res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, lay.G))
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
			if len(res.Records) != tt.records {
				t.Errorf("%d records, want %d", len(res.Records), tt.records)
			}
		})
	}
}

// Rates written by the commune. Columns: A STT, B name, C ho_tong,
// D ho_dang_ky, E ho_dat, F Tỷ lệ % (GĐHT), G cong_dong_dat, H Tỷ lệ %
// (CĐHT). Rows 8–10 are fixture.Hamlets01's first three counts, row 11 the
// totals. By hand: E/C = 100/120 = 83,333…%, 80/95 = 84,2105…%,
// 120/150 = 80%, totals 300/365 = 82,1918…%; CĐHT recognised Có, Không,
// Không: 100%, 0%, 0%, totals 1 of 3 hamlets = 33,333…%.
func TestRates(t *testing.T) {
	cols := []fixture.Col{{Head: "STT"}, {Head: "Tên thôn"},
		{Group: fixture.GroupGD, Head: "Tổng số"}, {Group: fixture.GroupGD, Head: "Đăng ký"}, {Group: fixture.GroupGD, Head: "Được công nhận"}, {Group: fixture.GroupGD, Head: "Tỷ lệ %"},
		{Group: fixture.GroupCD, Head: "Được công nhận (Có/Không)"}, {Group: fixture.GroupCD, Head: "Tỷ lệ %"}}
	type rates [4]any // F8, F9, F10, F11 (or H)
	build := func(f, hh rates, edit func(rows [][]any, tot []any)) fixture.Form {
		rows := [][]any{
			{"Thôn Nà Rì", 120, 110, 100, f[0], "Có", hh[0]},
			{"Thôn Khuổi Cái", 95, 90, 80, f[1], "Không", hh[1]},
			{"Thôn Pác Chợ", 150, 140, 120, f[2], "Không", hh[2]},
		}
		tot := []any{nil, 365, 340, 300, f[3], 1, hh[3]}
		if edit != nil {
			edit(rows, tot)
		}
		return fixture.Form{Cols: cols, Rows: rows, Totals: tot}
	}
	okF := rates{"83,33", "84,21", "80", "82,19"}
	okH := rates{"100", "0", "0", "33,33"}
	tests := []struct {
		name string
		fm   fixture.Form
		want []iss
	}{
		{"two decimals", build(okF, okH, nil), nil},
		{"with % signs", build(rates{"83,33%", "84,21 %", "80%", "82,19%"}, rates{"100%", "0%", "0%", "33,33%"}, nil), nil},
		{"rounded to whole percents", build(rates{"83", "84", "80", "82"}, rates{"100", "0", "0", "33"}, nil), nil},
		{"rounded to one decimal", build(rates{"83,3", "84,2", "80,0", "82,2"}, okH, nil), nil},
		{"numbers, as formulas leave them", build(rates{83.333333, 84.210526, 80.0, 82.191781}, rates{100, 0, 0, 33.333333}, nil), nil},
		{"fractions in %-formatted cells", build(rates{0.8333, 0.8421, 0.8, 0.8219}, rates{1, 0, 0, 0.3333}, nil), nil},
		{"English decimals: read, and the column named", build(rates{"83.33", "84.21", "80", "82.19"}, okH, nil),
			[]iss{{"english-numbers", W, "F6", "ty_le_ho_dat"}}},
		{"whole percent off by more than 0,5", build(rates{"84", "84", "80", "82"}, okH, nil),
			[]iss{{"rate-mismatch", W, "F8", "ty_le_ho_dat"}}},
		{"one decimal off by more than 0,05", build(rates{"83,3", "84,3", "80", "82,2"}, okH, nil),
			[]iss{{"rate-mismatch", W, "F9", "ty_le_ho_dat"}}},
		{"two decimals off by more than 0,005", build(rates{"83,34", "84,21", "80", "82,19"}, okH, nil),
			[]iss{{"rate-mismatch", W, "F8", "ty_le_ho_dat"}}},
		{"totals row rate off", build(rates{"83,33", "84,21", "80", "82,5"}, okH, nil),
			[]iss{{"rate-mismatch", W, "F11", "ty_le_ho_dat"}}},
		{"hamlets recognised: 1 of 3 is not 50%", build(okF, rates{"100", "0", "0", "50"}, nil),
			[]iss{{"rate-mismatch", W, "H11", "ty_le_thon_dat"}}},
		{"a hamlet marked 100% that is not recognised", build(okF, rates{"100", "100", "0", "33,33"}, nil),
			[]iss{{"rate-mismatch", W, "H9", "ty_le_thon_dat"}}},
		// 0.8333 beside 84.21: the numbers are percents, 0.8333% is wrong.
		{"a fraction among percents", build(rates{0.8333, 84.21, 80.0, 82.19}, okH, nil),
			[]iss{{"rate-mismatch", W, "F8", "ty_le_ho_dat"}}},
		{"text is never a fraction", build(rates{"0,83", "84,21", "80", "82,19"}, okH, nil),
			[]iss{{"rate-mismatch", W, "F8", "ty_le_ho_dat"}}},
		{"a rate that is no number", build(rates{"khoảng 83", "84,21", "80", "82,19"}, okH, nil),
			[]iss{{"type-error", W, "F8", "ty_le_ho_dat"}}},
		// Every cell whose reading depends on the format: "83,33" and
		// "82,19" (Vietnamese), "84.21" (English); "80" reads the same.
		{"mixed formats in a rate column are warnings", build(rates{"83,33", "84.21", "80", "82,19"}, okH, nil),
			[]iss{{"type-error", W, "F8", "ty_le_ho_dat"}, {"type-error", W, "F9", "ty_le_ho_dat"}, {"type-error", W, "F11", "ty_le_ho_dat"}}},
		// Row 9 with no households: 100 is not checked; totals 220/270 = 81,48%.
		{"zero households: the rate is not checked", build(rates{"83,33", "100", "80", "81,48"}, okH, func(rows [][]any, tot []any) {
			rows[1][1], rows[1][2], rows[1][3] = 0, 0, 0
			tot[1], tot[2], tot[3] = 270, 250, 220
		}), nil},
		{"blank and dash are not checked", build(rates{"", "-", "80", "82,19"}, okH, nil), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, tt.fm.Build().G))
			var issues = res.Issues[:0:0]
			for _, is := range res.Issues {
				if is.Code != "missing-column" { // the optional columns left out
					issues = append(issues, is)
				}
			}
			if got, want := short(issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, issues)
			for _, rec := range res.Records {
				for code := range rec.Values {
					if strings.HasPrefix(code, "ty_le") {
						t.Errorf("row %d stores rate %s: rates are never stored", rec.Row, code)
					}
				}
			}
		})
	}
}

func TestRateMessage(t *testing.T) {
	cols := []fixture.Col{{Head: "STT"}, {Head: "Tên thôn"},
		{Group: fixture.GroupGD, Head: "Tổng số"}, {Group: fixture.GroupGD, Head: "Được công nhận"}, {Group: fixture.GroupGD, Head: "Tỷ lệ %"}}
	rows := [][]any{{"Thôn Nà Rì", 120, 100, "90"}}
	res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, fixture.Form{Cols: cols, Rows: rows, NoTotals: true}.Build().G))
	for _, is := range res.Issues {
		if is.Code != "rate-mismatch" {
			continue
		}
		// 100 / 120 = 83,33%.
		for _, s := range []string{"E8", "ghi 90%", "83,33%", "100", "120", "Tỷ lệ hộ được công nhận"} {
			if !strings.Contains(is.Message, s) {
				t.Errorf("message %q does not mention %s", is.Message, s)
			}
		}
		if is.Value != "90" || is.Severity != W {
			t.Errorf("issue %+v", is)
		}
		return
	}
	t.Errorf("no rate-mismatch in %v", short(res.Issues))
}

// Merged cells in the data area (fixture.Hamlets01 on rows 8–10, totals
// on row 11 summed by the fixture).
func TestMergedCells(t *testing.T) {
	tests := []struct {
		name   string
		merges []string
		edit   func(g *fixture.Grid)
		want   []iss
		null   map[int]string // record index → field read as blank
	}{
		{"one number over two hamlets", []string{"C8:C9"}, nil,
			[]iss{{"merged-cell", E, "C8", "ho_tong"}}, map[int]string{0: "ho_tong", 1: "ho_tong"}},
		{"recognised households over two hamlets", []string{"E9:E10"}, nil,
			[]iss{{"merged-cell", E, "E9", "ho_dat"}}, map[int]string{1: "ho_dat", 2: "ho_dat"}},
		{"a hamlet and the totals row", []string{"C10:C11"}, nil,
			[]iss{{"merged-cell", E, "C10", "ho_tong"}}, map[int]string{2: "ho_tong"}},
		{"two counts of one hamlet", []string{"C8:D8"}, nil,
			[]iss{{"merged-cell", E, "C8", "ho_tong"}}, map[int]string{0: "ho_dang_ky"}},
		{"one name for two hamlets", []string{"B8:B9"}, nil,
			[]iss{{"merged-cell", E, "B8", "ten_thon"}}, map[int]string{1: "ten_thon"}},
		// Layout merges are fine.
		{"totals label across STT and name", []string{"A11:B11"}, func(g *fixture.Grid) { g.Put(11, 1, "Tổng cộng"); g.Put(11, 2, nil) }, nil, nil},
		{"STT merged over two rows", []string{"A8:A9"}, nil, nil, nil},
		{"STT and name of a hamlet", []string{"A8:B8"}, func(g *fixture.Grid) { g.Put(8, 1, "Thôn Nà Rì") }, []iss{{"missing-cell", E, "B8", "ten_thon"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lay := fixture.Form{Rows: fixture.Hamlets01()}.Build()
			lay.G.Merges = append(lay.G.Merges, tt.merges...)
			if tt.edit != nil {
				tt.edit(lay.G)
			}
			res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, lay.G))
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
			if len(res.Records) != 3 {
				t.Fatalf("%d records, want 3", len(res.Records))
			}
			for i, code := range tt.null {
				if v := res.Records[i].Values[code]; !v.Null {
					t.Errorf("row %d %s = %+v, want null (cannot be attributed)", res.Records[i].Row, code, v)
				}
			}
			for _, is := range res.Issues {
				if is.Code == "merged-cell" && !strings.Contains(is.Message, tt.merges[0]) {
					t.Errorf("message %q does not name the merge %s", is.Message, tt.merges[0])
				}
			}
		})
	}
}
