package report_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// TestIssuerFromSchemas: without a file of its own, a province's reports
// are issued by its Sở Giáo dục và Đào tạo: the 15/12 report to the Bộ
// GD&ĐT and the UBND tỉnh (seed 002), the 1/12 report to the Hội đồng
// Thi đua - Khen thưởng and the UBND tỉnh, copied to the Sở Nội vụ (Ban
// Thi đua - Khen thưởng) (seed 004, mục 2 and 9).
func TestIssuerFromSchemas(t *testing.T) {
	lake := local.New(t.TempDir())
	bUpload{year: 2026, commune: "01840", at: at("2026-11-20 09:00"), hamlets: [][2]int64{{100, 90}}}.write(t, lake)
	r := buildReport(t, lake, "12-15")
	is := r.Issuer
	if is.Parent != "ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN" || is.Name != "SỞ GIÁO DỤC VÀ ĐÀO TẠO" || is.Symbol != "SGDĐT" || is.Place != "Thái Nguyên" {
		t.Errorf("issuer %+v", is)
	}
	if !slices.Equal(is.To, []string{"Bộ Giáo dục và Đào tạo", "Ủy ban nhân dân tỉnh Thái Nguyên"}) || is.Archive != "VT" {
		t.Errorf("15/12 addressees %+v", is.Addressees)
	}
	if is.Signer.Title != "GIÁM ĐỐC" || is.Signer.Authority != "" {
		t.Errorf("signer %+v", is.Signer)
	}
	early := buildReport(t, lake, "12-01").Issuer
	if !slices.Equal(early.To, []string{"Hội đồng Thi đua - Khen thưởng tỉnh Thái Nguyên", "Ủy ban nhân dân tỉnh Thái Nguyên"}) ||
		!slices.Equal(early.CC, []string{"Sở Nội vụ (Ban Thi đua - Khen thưởng tỉnh Thái Nguyên)"}) {
		t.Errorf("1/12 addressees %+v", early.Addressees)
	}

	// The default is complete for every province and deadline of every
	// register: no province gets an error for lack of a file.
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	dl, err := deadlines.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, year := range []int{2024, 2026} {
		for _, p := range reg.ForYear(year).Provinces {
			for _, d := range dl.All() {
				is, err := report.ResolveIssuer(context.Background(), nil, dl, p, d.ID)
				if err != nil {
					t.Fatalf("%d %s %s: %v", year, p.Code, d.ID, err)
				}
				if !strings.HasSuffix(is.Parent, strings.ToUpper(p.Name)) || strings.Contains(strings.Join(is.To, ";"), "{") {
					t.Errorf("%s %s: placeholders not filled: %+v", p.Code, d.ID, is)
				}
			}
		}
	}
}

// TestIssuerFromLake: config/issuers/province=19.json overrides what it
// names (a deputy signs for the director, a copy to the Giám đốc, the
// drafting unit) and keeps the rest; it shows in the printed report.
func TestIssuerFromLake(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	bUpload{year: 2026, commune: "01840", at: at("2026-11-20 09:00"), hamlets: [][2]int64{{100, 90}}}.write(t, lake)
	override := `{
  "signer": {"authority": "KT. GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC", "name": "Trần Thị Bình"},
  "reports": {"12-15": {"cc": ["Giám đốc Sở (để báo cáo)"], "archive": "VT, GDTX"}}
}`
	if err := lake.Put(context.Background(), "config/issuers/province=19.json", []byte(override), "application/json"); err != nil {
		t.Fatal(err)
	}
	r := buildReport(t, lake, "12-15")
	is := r.Issuer
	if is.Signer != (report.Signer{Authority: "KT. GIÁM ĐỐC", Title: "PHÓ GIÁM ĐỐC", Name: "Trần Thị Bình"}) {
		t.Errorf("signer %+v", is.Signer)
	}
	if is.Name != "SỞ GIÁO DỤC VÀ ĐÀO TẠO" || !slices.Equal(is.To, []string{"Bộ Giáo dục và Đào tạo", "Ủy ban nhân dân tỉnh Thái Nguyên"}) {
		t.Errorf("inherited fields lost: %+v", is)
	}
	if !slices.Equal(is.CC, []string{"Giám đốc Sở (để báo cáo)"}) || is.Archive != "VT, GDTX" || is.Source != "config/issuers/province=19.json" {
		t.Errorf("override not applied: %+v", is)
	}
	out := t.TempDir()
	paths, err := report.WriteAll(r, out)
	if err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(paths[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Thị Bình", "- Như trên;", "- Giám đốc Sở (để báo cáo);", "- Lưu: VT, GDTX.", "Số: …/BC-SGDĐT"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("html lacks %q", want)
		}
	}
	if strings.Contains(string(html), "TM. ỦY BAN NHÂN DÂN") || strings.Contains(string(html), "CHỦ TỊCH") {
		t.Error("html still signs in the People's Committee's name")
	}
	// Another province is not affected by 19's file.
	if is, err := report.ResolveIssuer(context.Background(), lake, nil, &registry.Unit{Code: "01", Name: "Thành phố Hà Nội", ShortName: "Hà Nội"}, "12-15"); err != nil || is.Signer.Name != "" {
		t.Errorf("province 01: %+v, %v", is, err)
	}
}

// TestIssuerOverrideInvalid: a province's file that cannot be used stops
// the report with an error naming the file and what is wrong, rather than
// a report in a wrong or incomplete name.
func TestIssuerOverrideInvalid(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"syntax", `{"name": "SỞ GD&ĐT",}`, "dòng 1"},
		{"unknown field", `{"signer": {"titel": "GIÁM ĐỐC"}}`, "titel"},
		{"wrong type", `{"reports": {"12-15": {"to": "Bộ Giáo dục và Đào tạo"}}}`, "phải là một danh sách"},
		{"unknown deadline", `{"reports": {"12-31": {"to": ["Bộ"]}}}`, `"12-31"`},
		{"empty name", `{"name": ""}`, "name is required"},
		{"no addressee", `{"reports": {"12-15": {"to": []}}}`, "reports.12-15.to is required"},
		{"authority", `{"signer": {"authority": "THAY MẶT GIÁM ĐỐC"}}`, "TM., KT."},
		{"symbol", `{"symbol": "SGD/ĐT"}`, "symbol"},
		{"control character", `{"name": "SỞ\u0007"}`, "ký tự điều khiển"},
		{"two objects", `{} {}`, "dữ liệu thừa"},
		{"too large", `{"_comment": "` + strings.Repeat("x", 70<<10) + `"}`, "quá lớn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lake := local.New(t.TempDir())
			if err := lake.Put(context.Background(), "config/issuers/province=19.json", []byte(tc.body), "application/json"); err != nil {
				t.Fatal(err)
			}
			_, err := report.Build(context.Background(), report.Options{Lake: lake, Year: 2026, Province: "19", Deadline: "12-15", Now: afterCutOffs, Log: bQuiet})
			if err == nil {
				t.Fatal("Build succeeded")
			}
			if !strings.Contains(err.Error(), "config/issuers/province=19.json") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks the file name or %q", err, tc.want)
			}
		})
	}
}

// TestDraftAndFinal: before the cut-off the report is a draft of what had
// arrived when it was made, marked in its files and their names; after
// it, the final report, the same bytes whenever it is made, even with
// uploads that arrived after the cut-off.
func TestDraftAndFinal(t *testing.T) {
	lake := local.New(t.TempDir())
	bUpload{year: 2026, commune: "01840", at: at("2026-12-01 09:00"), hamlets: [][2]int64{{100, 90}}}.write(t, lake)
	bUpload{year: 2026, commune: "01843", at: at("2026-12-10 09:00"), hamlets: [][2]int64{{50, 10}}}.write(t, lake)

	draft := buildReportAt(t, lake, "12-15", at("2026-12-06 10:30"))
	if !draft.DraftAt.Equal(at("2026-12-06 10:30")) {
		t.Fatalf("DraftAt %v", draft.DraftAt)
	}
	if g := draft.Total.Cells["ho_dat"]; g.Total == nil || *g.Total != 100 {
		t.Errorf("draft counts %v households, want 100 (the 10 December upload is after it)", g.Total)
	}
	if !strings.HasPrefix(draft.Summary[0], "Tạm tính đến 10 giờ 30 ngày 06/12/2026,") {
		t.Errorf("draft summary %q", draft.Summary[0])
	}
	dpaths, err := report.WriteAll(draft, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range dpaths {
		if !strings.Contains(filepath.Base(p), "bao-cao-12-15-2026-19-du-thao-20261206-1030.") {
			t.Errorf("draft file name %s", filepath.Base(p))
		}
	}
	html, _ := os.ReadFile(dpaths[1])
	if !strings.Contains(string(html), "DỰ THẢO – số liệu tạm tính đến 10:30 ngày 06/12/2026") {
		t.Error("draft html lacks its mark")
	}

	final := func(now string) map[string][]byte {
		r := buildReportAt(t, lake, "12-15", at(now))
		if !r.DraftAt.IsZero() {
			t.Fatalf("a report made at %s is a draft", now)
		}
		paths, err := report.WriteAll(r, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]byte{}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte("DỰ THẢO")) || bytes.Contains(b, []byte("du-thao")) {
				t.Errorf("final %s is marked as a draft", filepath.Base(p))
			}
			out[filepath.Base(p)] = b
		}
		return out
	}
	first := final("2026-12-15 00:00") // the cut-off itself: final
	bUpload{year: 2026, commune: "01849", at: at("2026-12-16 08:00"), hamlets: [][2]int64{{7, 7}}}.write(t, lake)
	later := final("2027-03-01 14:00")
	if len(first) != 3 {
		t.Fatalf("files %v", first)
	}
	for name, b := range first {
		if !bytes.Equal(b, later[name]) {
			t.Errorf("%s differs when the final report is made again later", name)
		}
	}
}
