package forms_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/textnorm"
)

func load(t *testing.T) *forms.Set {
	t.Helper()
	set, err := forms.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return set
}

func TestLoadEmbeddedSchemas(t *testing.T) {
	set := load(t)
	var codes []string
	for _, f := range set.Forms {
		codes = append(codes, f.Code)
		if f.Version == "" || f.SchemaVersion == "" || f.Title == "" || f.TitleEN == "" {
			t.Errorf("%s: version %q, schema_version %q, title %q / %q", f.Code, f.Version, f.SchemaVersion, f.Title, f.TitleEN)
		}
	}
	if want := []string{"bieu01", "bieu02"}; !reflect.DeepEqual(codes, want) {
		t.Fatalf("forms = %v, want %v", codes, want)
	}
	if set.Form("bieu01").Grain != "hamlet" || set.Form("bieu02").Grain != "commune" || set.Form("bieu03") != nil {
		t.Error("grains or lookup")
	}
}

func TestEveryFieldIsDescribed(t *testing.T) {
	set := load(t)
	seen := map[string]string{}
	for _, f := range set.Forms {
		for _, fd := range f.Fields {
			if strings.TrimSpace(fd.Label) == "" || strings.TrimSpace(fd.LabelEN) == "" {
				t.Errorf("%s.%s: label %q / %q", f.Code, fd.Code, fd.Label, fd.LabelEN)
			}
			if fd.Title() == "" || !strings.Contains(fd.Title(), fd.Label) {
				t.Errorf("%s.%s: title %q does not contain the label", f.Code, fd.Code, fd.Title())
			}
			if g := f.GroupOf(fd); g != nil && !strings.HasPrefix(fd.Title(), g.Label) {
				t.Errorf("%s.%s: title %q does not name the group %q", f.Code, fd.Code, fd.Title(), g.Label)
			}
			if prev, dup := seen[fd.Code]; dup {
				t.Errorf("field code %s in %s and %s: one Parquet column cannot mean both", fd.Code, prev, f.Code)
			}
			seen[fd.Code] = f.Code
			if fd.Read() && fd.Column != "required" && fd.Column != "optional" {
				t.Errorf("%s.%s: column %q", f.Code, fd.Code, fd.Column)
			}
			if fd.Read() && fd.Blank != "error" && fd.Blank != "allowed" {
				t.Errorf("%s.%s: blank %q", f.Code, fd.Code, fd.Blank)
			}
			if fd.Type == forms.Enum && len(fd.Values) == 0 {
				t.Errorf("%s.%s: enum without values", f.Code, fd.Code)
			}
		}
	}
}

func TestRequiredColumns(t *testing.T) {
	set := load(t)
	want := map[string][]string{
		"bieu01": {"ho_dat", "ho_tong", "ten_thon"},
		"bieu02": {"don_vi_dat", "don_vi_tong"},
	}
	for code, req := range want {
		f := set.Form(code)
		var got []string
		for _, fd := range f.Fields {
			if fd.Column == "required" {
				got = append(got, fd.Code)
			}
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, req) {
			t.Errorf("%s required = %v, want %v", code, got, req)
		}
	}
	// The hamlet name is the key of Biểu 01: a blank one rejects the row.
	if fd := set.Form("bieu01").Field("ten_thon"); fd == nil || fd.Blank != "error" {
		t.Errorf("ten_thon blank policy: %+v", fd)
	}
}

func TestRulesReferenceRealFields(t *testing.T) {
	set := load(t)
	for _, f := range set.Forms {
		if len(f.Rules) == 0 {
			t.Errorf("%s has no rules", f.Code)
		}
		for _, r := range f.Rules {
			a, b := f.Field(r.Field), f.Field(r.Other)
			if a == nil || b == nil {
				t.Errorf("%s rule %+v: unknown field", f.Code, r)
				continue
			}
			switch r.Rule {
			case "lte":
				if a.Type != forms.Count || b.Type != forms.Count {
					t.Errorf("%s rule %+v: lte between %s and %s", f.Code, r, a.Type, b.Type)
				}
			case "implies":
				if a.Type != forms.Bool || b.Type != forms.Bool {
					t.Errorf("%s rule %+v: implies between %s and %s", f.Code, r, a.Type, b.Type)
				}
			default:
				t.Errorf("%s rule %+v: unknown rule", f.Code, r)
			}
			if r.Severity != "error" && r.Severity != "warning" {
				t.Errorf("%s rule %+v: severity", f.Code, r)
			}
		}
		for _, fd := range f.Fields {
			if fd.Derived != nil {
				src := f.Field(fd.Derived.From)
				if src == nil || src.Type != forms.Score {
					t.Errorf("%s.%s derived from %q", f.Code, fd.Code, fd.Derived.From)
				}
				if fd.Read() {
					t.Errorf("%s.%s is derived but Read() is true", f.Code, fd.Code)
				}
			}
		}
	}
}

// Headers are matched after folding (no diacritics; Đ → D for column
// headers, Đ kept for group headers, where "CĐHT" and "CDHT" differ), so two
// spellings that fold alike must not name two different things.
func TestHeaderAliasesAreUnambiguous(t *testing.T) {
	set := load(t)
	for _, f := range set.Forms {
		groups := map[string]string{}
		for _, g := range f.Groups {
			for _, a := range append([]string{g.Label}, g.Aliases...) {
				k := textnorm.FoldKeepD(a)
				if prev, ok := groups[k]; ok && prev != g.Code {
					t.Errorf("%s: group header %q (folded %q) names both %s and %s", f.Code, a, k, prev, g.Code)
				}
				groups[k] = g.Code
			}
		}
		fields := map[string]string{}
		subs := map[string]string{} // group + sub-alias
		for _, fd := range f.Fields {
			if !fd.Read() {
				continue
			}
			for _, a := range append([]string{fd.Label}, fd.Aliases...) {
				k := textnorm.Fold(a)
				if prev, ok := fields[k]; ok && prev != fd.Code {
					t.Errorf("%s: header %q names both %s and %s", f.Code, a, prev, fd.Code)
				}
				fields[k] = fd.Code
			}
			for _, a := range fd.SubAliases {
				k := fd.Group + "/" + textnorm.Fold(a)
				if prev, ok := subs[k]; ok && prev != fd.Code {
					t.Errorf("%s: sub-header %q under %s names both %s and %s", f.Code, a, fd.Group, prev, fd.Code)
				}
				subs[k] = fd.Code
			}
		}
	}
}

func TestMatchHeader(t *testing.T) {
	set := load(t)
	f01, f02 := set.Form("bieu01"), set.Form("bieu02")
	tests := []struct {
		form  *forms.Form
		leaf  string
		above []string
		want  string // "" = no field
	}{
		{f01, "Tổng số hộ", nil, "ho_tong"},
		{f01, "TỔNG SỐ HỘ", nil, "ho_tong"},
		{f01, "Tên thôn, tổ dân phố", nil, "ten_thon"},
		{f01, "Mã thôn", nil, "ma_thon"},
		{f01, "Tổng số", nil, ""},
		{f01, "Tổng số", []string{"Gia đình học tập (GĐHT)"}, "ho_tong"},
		{f01, "Tổng số", []string{"Dòng họ học tập"}, "dong_ho_tong"},
		{f01, "Tổng số", []string{"Công dân học tập"}, "lao_dong_tong"},
		{f01, "Đăng ký", []string{"Gia đình học tập"}, "ho_dang_ky"},
		{f01, "Đăng ký", []string{"DHHT"}, "dong_ho_dang_ky"},
		{f01, "Đăng ký", []string{"Cộng đồng học tập"}, "cong_dong_dang_ky"},
		{f01, "Đạt", []string{"GĐHT"}, "ho_dat"},
		{f01, "Đạt", []string{"Dòng họ"}, "dong_ho_dat"},
		{f01, "Đạt", []string{"Cộng đồng học tập cấp thôn (CĐHT)"}, "cong_dong_dat"},
		{f01, "Đạt", []string{"Công dân học tập (CDHT)"}, "cong_dan_dat"},
		{f01, "Đạt", []string{"CĐHT"}, "cong_dong_dat"},
		{f01, "Đạt", []string{"CDHT"}, "cong_dan_dat"},
		{f01, "Đạt", nil, ""},
		{f01, "đạt GĐHT", []string{"Số hộ"}, "ho_dat"},
		{f01, "STT", nil, ""},
		{f01, "", nil, ""},
		{f01, "Tổng số hộ (hộ)", nil, "ho_tong"}, // a unit in brackets
		{f01, "Tổng số (hộ)", []string{"Gia đình học tập"}, "ho_tong"},     // unit under a group
		{f01, "Đăng ký (Có/Không)", []string{"CĐHT"}, "cong_dong_dang_ky"}, // brackets that are part of the alias
		{f01, "Số hộ (ghi chú)", nil, "ho_tong"},                           // "Số hộ" is itself an alias
		{f01, "Ghi chú (nếu có)", nil, ""},                                 // no field behind the note
		{f02, "Xếp loại", []string{"Trung tâm học tập cộng đồng (TTHTCĐ)"}, "tthtcd_xep_loai"},
		{f02, "Xếp loại", []string{"Cộng đồng học tập cấp xã"}, "cong_dong_xa_ket_qua"},
		{f02, "Tổng số", []string{"Hội Khuyến học"}, "hoi_vien_tong"},
		{f02, "Điểm", []string{"CĐHT cấp xã"}, "cong_dong_xa_diem"},
		{f02, "Tổng số", []string{"Đơn vị học tập"}, "don_vi_tong"},
	}
	for _, tt := range tests {
		got := ""
		if fd := tt.form.MatchHeader(tt.leaf, tt.above); fd != nil {
			got = fd.Code
		}
		if got != tt.want {
			t.Errorf("%s.MatchHeader(%q, %q) = %q, want %q", tt.form.Code, tt.leaf, tt.above, got, tt.want)
		}
	}
	for _, h := range []string{"STT", "Số TT", "Tỷ lệ %", "Ghi chú", "ghi chu"} {
		if !f01.Ignored(h) {
			t.Errorf("Ignored(%q) = false", h)
		}
	}
	if f01.Ignored("Số hộ nghèo") {
		t.Error(`Ignored("Số hộ nghèo") = true`)
	}
}

func TestYearsEnumsAndGrades(t *testing.T) {
	f := load(t).Form("bieu02")
	kq, diem, xl := f.Field("cong_dong_xa_ket_qua"), f.Field("cong_dong_xa_diem"), f.Field("cong_dong_xa_xep_loai")
	years := []struct {
		fd   *forms.Field
		year int
		want bool
	}{
		{kq, 2023, false}, {kq, 2024, true}, {kq, 2026, true},
		{diem, 2014, true}, {diem, 2023, true}, {diem, 2024, false},
		{xl, 2023, true}, {xl, 2024, false},
		{f.Field("don_vi_tong"), 2014, true}, {f.Field("don_vi_tong"), 2030, true},
	}
	for _, tt := range years {
		if got := tt.fd.AppliesTo(tt.year); got != tt.want {
			t.Errorf("%s.AppliesTo(%d) = %v, want %v", tt.fd.Code, tt.year, got, tt.want)
		}
	}
	enums := []struct {
		fd   *forms.Field
		in   string
		want string
		ok   bool
	}{
		{kq, "Mức độ 2", "Mức độ 2", true},
		{kq, "mức 2", "Mức độ 2", true},
		{kq, "MĐ 1", "Mức độ 1", true},
		{kq, "Không đạt", "Chưa đạt", true},
		{kq, "Mức 3", "", false},
		{f.Field("tthtcd_xep_loai"), "TB", "Trung bình", true},
		{f.Field("tthtcd_xep_loai"), "Xuất sắc", "Tốt", true},
	}
	for _, tt := range enums {
		got, ok := tt.fd.EnumValue(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s.EnumValue(%q) = %q, %v; want %q, %v", tt.fd.Code, tt.in, got, ok, tt.want, tt.ok)
		}
	}
	// grading.json: ≥85 Tốt, ≥70 Khá, ≥50 Trung bình, ≥0 Chưa đạt.
	grades := []struct {
		score float64
		want  string
	}{{100, "Tốt"}, {85, "Tốt"}, {84.99, "Khá"}, {70, "Khá"}, {69.5, "Trung bình"}, {50, "Trung bình"}, {49.9, "Chưa đạt"}, {0, "Chưa đạt"}}
	for _, tt := range grades {
		if got := xl.Grade(tt.score); got != tt.want {
			t.Errorf("Grade(%v) = %q, want %q", tt.score, got, tt.want)
		}
	}
}

func TestLoadFSRejectsBadSchemas(t *testing.T) {
	const grading = `{"bands": {"b": [{"min": 0, "grade": "X"}]}}`
	form := func(fields, rules string) string {
		return `{"form": "f", "version": "1", "schema_version": "1", "grain": "hamlet", "title": "F",
			"groups": [{"code": "g", "label": "G"}],
			"fields": [` + fields + `], "rules": [` + rules + `]}`
	}
	okField := `{"code": "a", "type": "count", "label": "A", "column": "required", "blank": "error"},
		{"code": "b", "type": "count", "label": "B", "group": "g", "column": "optional", "blank": "allowed"}`
	tests := []struct {
		name  string
		files map[string]string
		want  string // part of the error
	}{
		{"valid", map[string]string{"grading.json": grading, "forms/f.json": form(okField, `{"rule": "lte", "field": "b", "other": "a", "severity": "error"}`)}, ""},
		{"no grading.json", map[string]string{"forms/f.json": form(okField, "")}, "grading.json"},
		{"no forms", map[string]string{"grading.json": grading}, "no forms"},
		{"broken JSON", map[string]string{"grading.json": grading, "forms/f.json": `{"form": `}, "parse"},
		{"repeated field code", map[string]string{"grading.json": grading, "forms/f.json": form(okField+`, {"code": "a", "type": "count", "label": "A2", "column": "optional"}`, "")}, "repeated"},
		{"empty field code", map[string]string{"grading.json": grading, "forms/f.json": form(`{"code": "", "type": "count", "label": "A", "column": "optional"}`, "")}, "empty"},
		{"unknown type", map[string]string{"grading.json": grading, "forms/f.json": form(`{"code": "a", "type": "money", "label": "A", "column": "optional"}`, "")}, "unknown type"},
		{"unknown group", map[string]string{"grading.json": grading, "forms/f.json": form(`{"code": "a", "type": "count", "group": "zz", "label": "A", "column": "optional"}`, "")}, "unknown group"},
		{"column neither required nor optional", map[string]string{"grading.json": grading, "forms/f.json": form(`{"code": "a", "type": "count", "label": "A", "column": "maybe"}`, "")}, "column"},
		{"derived without bands", map[string]string{"grading.json": grading, "forms/f.json": form(okField+`, {"code": "s", "type": "score", "label": "S", "column": "optional"}, {"code": "d", "type": "text", "label": "D", "derived": {"from": "s", "bands": "nope"}}`, "")}, "bands"},
		{"derived from an unknown field", map[string]string{"grading.json": grading, "forms/f.json": form(okField+`, {"code": "d", "type": "text", "label": "D", "derived": {"from": "zz", "bands": "b"}}`, "")}, "derived from unknown"},
		{"rule on an unknown field", map[string]string{"grading.json": grading, "forms/f.json": form(okField, `{"rule": "lte", "field": "zz", "other": "a", "severity": "error"}`)}, "unknown field"},
		{"unknown rule", map[string]string{"grading.json": grading, "forms/f.json": form(okField, `{"rule": "gte", "field": "b", "other": "a", "severity": "error"}`)}, "unknown rule"},
		{"bad severity", map[string]string{"grading.json": grading, "forms/f.json": form(okField, `{"rule": "lte", "field": "b", "other": "a", "severity": "fatal"}`)}, "severity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, body := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			set, err := forms.LoadFS(fsys)
			if tt.want == "" {
				if err != nil || set.Form("f") == nil {
					t.Fatalf("LoadFS = %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("LoadFS accepted a bad schema")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

// Header wording variants: abbreviations, line breaks inside the cell,
// case, diacritics, spacing, decomposed Unicode, and the quantity
// sub-header of three-row headers.
func TestMatchHeaderVariants(t *testing.T) {
	f01 := load(t).Form("bieu01")
	tests := []struct {
		leaf  string
		above []string
		want  string
	}{
		{"Tổng số\nhộ", nil, "ho_tong"},
		{"Tổng số hộ\r\n(hộ)", nil, "ho_tong"},
		{"TS hộ", nil, "ho_tong"},
		{"tong so ho", nil, "ho_tong"},
		{"TỔNG  SỐ   HỘ", nil, "ho_tong"},
		{"To\u0302\u0309ng so\u0302\u0301 ho\u0323\u0302", nil, "ho_tong"}, // NFD
		{"Tổng\u00a0số hộ", nil, "ho_tong"},                                // NBSP
		{"SL hộ", nil, "ho_tong"},
		{"Số hộ ĐK", nil, "ho_dang_ky"},
		{"Số hộ được CN", nil, "ho_dat"},
		{"SL hộ đạt", nil, "ho_dat"},
		{"Hộ GĐHT", nil, "ho_dat"},
		{"Số hộ\nđạt GĐHT", nil, "ho_dat"},
		{"Được CN", []string{"GĐHT"}, "ho_dat"},
		{"Được CN", []string{"Dòng họ học tập"}, "dong_ho_dat"},
		{"Số dòng họ được CN", nil, "dong_ho_dat"},
		{"Tên thôn, bản, tổ dân phố", nil, "ten_thon"},
		{"Số người trong độ tuổi LĐ", nil, "lao_dong_tong"},
		// A quantity sub-header means the field named just above it.
		{"SL", []string{"Được công nhận", "Gia đình học tập"}, "ho_dat"},
		{"Số lượng", []string{"Đăng ký", "DHHT"}, "dong_ho_dang_ky"},
		{"SL (hộ)", []string{"Số hộ được công nhận"}, "ho_dat"},
		{"SL", nil, ""},
		{"SL", []string{"Ghi chú"}, ""},
		// "Số CĐHT" folds like "Số CDHT": neither is an alias, so neither
		// is read as the other group's field.
		{"Số CĐHT", nil, ""},
	}
	for _, tt := range tests {
		got := ""
		if fd := f01.MatchHeader(tt.leaf, tt.above); fd != nil {
			got = fd.Code
		}
		if got != tt.want {
			t.Errorf("MatchHeader(%q, %q) = %q, want %q", tt.leaf, tt.above, got, tt.want)
		}
	}
}

func TestMatchRate(t *testing.T) {
	set := load(t)
	f01, f02 := set.Form("bieu01"), set.Form("bieu02")
	tests := []struct {
		form  *forms.Form
		leaf  string
		above []string
		want  string // "" = no rate
	}{
		{f01, "Tỷ lệ %", []string{"Gia đình học tập (GĐHT)"}, "ty_le_ho_dat"},
		{f01, "Tỷ lệ (%)", []string{"Dòng họ học tập"}, "ty_le_dong_ho_dat"},
		{f01, "%", []string{"CĐHT"}, "ty_le_thon_dat"},
		{f01, "Tỷ lệ %", []string{"CDHT"}, "ty_le_cong_dan_dat"},
		{f01, "TỶ LỆ  %", []string{"gia dinh hoc tap"}, "ty_le_ho_dat"},
		{f01, "Tỉ lệ", []string{"Gia đình học tập"}, "ty_le_ho_dat"},
		{f01, "Tỷ lệ\n(%)", []string{"Gia đình học tập"}, "ty_le_ho_dat"},
		{f01, "Tỷ lệ đăng ký", []string{"GĐHT"}, "ty_le_ho_dang_ky"},
		{f01, "Tỷ lệ đăng ký", []string{"DHHT"}, "ty_le_dong_ho_dang_ky"},
		{f01, "Tỷ lệ đăng ký", []string{"Cộng đồng học tập"}, "ty_le_thon_dang_ky"},
		// Three-row headers: the rate of the field above it.
		{f01, "Tỷ lệ %", []string{"Được công nhận", "Gia đình học tập"}, "ty_le_ho_dat"},
		{f01, "Tỷ lệ %", []string{"Đăng ký", "Gia đình học tập"}, "ty_le_ho_dang_ky"},
		{f01, "Tỷ lệ %", []string{"Tổng số", "Gia đình học tập"}, ""}, // a total has no rate
		{f01, "Tỷ lệ hộ đạt GĐHT", nil, "ty_le_ho_dat"},
		{f01, "Tỷ lệ dòng họ đạt", nil, "ty_le_dong_ho_dat"},
		{f01, "Tỷ lệ %", nil, ""},       // no group: stays an ignored header
		{f01, "Tỷ lệ đăng ký", nil, ""}, // a sub-alias needs its group
		{f01, "Tỷ lệ %", []string{"Ghi chú"}, ""},
		{f01, "Số hộ đạt", []string{"GĐHT"}, ""},
		{f01, "Đạt", []string{"Gia đình học tập"}, ""},
		{f02, "Tỷ lệ %", []string{"Đơn vị học tập (ĐVHT)"}, "ty_le_don_vi_dat"},
		{f02, "Tỷ lệ đăng ký", []string{"ĐVHT"}, "ty_le_don_vi_dang_ky"},
		{f02, "Tỷ lệ", []string{"Hội Khuyến học"}, "ty_le_hoi_vien_tap_huan"},
		{f02, "Tỷ lệ %", []string{"Cộng đồng học tập cấp xã"}, ""}, // a group without rates
	}
	for _, tt := range tests {
		got := ""
		if r := tt.form.MatchRate(tt.leaf, tt.above); r != nil {
			got = r.Code
		}
		if got != tt.want {
			t.Errorf("%s.MatchRate(%q, %q) = %q, want %q", tt.form.Code, tt.leaf, tt.above, got, tt.want)
		}
	}
	if f01.Rate("ty_le_ho_dat").Title() != "Gia đình học tập (GĐHT) – Tỷ lệ hộ được công nhận (%)" {
		t.Errorf("title %q", f01.Rate("ty_le_ho_dat").Title())
	}
}

// Rates name real fields, and their headers cannot be read as a field.
func TestRatesAreWellFormed(t *testing.T) {
	set := load(t)
	want := map[string]string{ // rate → numerator/denominator, by hand from DOMAIN.md
		"ty_le_ho_dat": "ho_dat/ho_tong", "ty_le_ho_dang_ky": "ho_dang_ky/ho_tong",
		"ty_le_dong_ho_dat": "dong_ho_dat/dong_ho_tong", "ty_le_dong_ho_dang_ky": "dong_ho_dang_ky/dong_ho_tong",
		"ty_le_thon_dat": "cong_dong_dat/#rows", "ty_le_thon_dang_ky": "cong_dong_dang_ky/#rows",
		"ty_le_cong_dan_dat": "cong_dan_dat/lao_dong_tong",
		"ty_le_don_vi_dat":   "don_vi_dat/don_vi_tong", "ty_le_don_vi_dang_ky": "don_vi_dang_ky/don_vi_tong",
		"ty_le_can_bo_dat": "can_bo_cong_dan_dat/can_bo_tong", "ty_le_hoi_vien_tap_huan": "hoi_vien_tap_huan/hoi_vien_tong",
	}
	got := map[string]string{}
	for _, f := range set.Forms {
		for _, r := range f.Rates {
			got[r.Code] = r.Numerator + "/" + r.Denominator
			if r.Label == "" || r.LabelEN == "" || r.Title() == "" {
				t.Errorf("%s: label %q / %q", r.Code, r.Label, r.LabelEN)
			}
			for _, a := range append(append([]string{r.Label}, r.Aliases...), r.SubAliases...) {
				if fd := f.MatchHeader(a, []string{f.GroupOf(f.Field(r.Numerator)).Label}); fd != nil {
					t.Errorf("%s: rate header %q also reads as field %s", r.Code, a, fd.Code)
				}
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rates = %v\nwant %v", got, want)
	}
}

func TestLoadFSRejectsBadRates(t *testing.T) {
	const grading = `{"bands": {"b": [{"min": 0, "grade": "X"}]}}`
	form := func(grain, rates string) string {
		return `{"form": "f", "version": "1", "schema_version": "1", "grain": "` + grain + `", "title": "F",
			"groups": [{"code": "g", "label": "G"}],
			"fields": [{"code": "a", "type": "count", "label": "A", "column": "required", "blank": "error"},
				{"code": "b", "type": "count", "label": "B", "group": "g", "column": "optional", "blank": "allowed"},
				{"code": "c", "type": "bool", "label": "C", "group": "g", "column": "optional", "blank": "allowed"},
				{"code": "t", "type": "text", "label": "T", "column": "optional", "blank": "allowed"}],
			"rules": [], "rates": [` + rates + `]}`
	}
	tests := []struct {
		name, grain, rates, want string
	}{
		{"valid", "hamlet", `{"code": "r", "group": "g", "label": "R", "numerator": "b", "denominator": "a"}, {"code": "r2", "group": "g", "label": "R2", "numerator": "c", "denominator": "#rows"}`, ""},
		{"empty code", "hamlet", `{"code": "", "numerator": "b", "denominator": "a"}`, "rate code"},
		{"repeated code", "hamlet", `{"code": "r", "numerator": "b", "denominator": "a"}, {"code": "r", "numerator": "b", "denominator": "a"}`, "rate code"},
		{"code of a field", "hamlet", `{"code": "a", "numerator": "b", "denominator": "a"}`, "rate code"},
		{"unknown group", "hamlet", `{"code": "r", "group": "zz", "numerator": "b", "denominator": "a"}`, "unknown group"},
		{"unknown numerator", "hamlet", `{"code": "r", "numerator": "zz", "denominator": "a"}`, "numerator"},
		{"text numerator", "hamlet", `{"code": "r", "numerator": "t", "denominator": "a"}`, "numerator"},
		{"bool denominator", "hamlet", `{"code": "r", "numerator": "b", "denominator": "c"}`, "denominator"},
		{"rows denominator on a commune form", "commune", `{"code": "r", "numerator": "c", "denominator": "#rows"}`, "denominator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"grading.json": &fstest.MapFile{Data: []byte(grading)},
				"forms/f.json": &fstest.MapFile{Data: []byte(form(tt.grain, tt.rates))},
			}
			_, err := forms.LoadFS(fsys)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("LoadFS = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadFS error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
