package report

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// TestIssuerLayers: the schemas default, then the province's entry in
// schemas, then the lake's file, each overriding only what it names; a
// schemas file with an unknown deadline is refused when loaded.
func TestIssuerLayers(t *testing.T) {
	dl, err := deadlines.Load()
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"issuers/issuers.json": {Data: []byte(`{
  "default": {"parent": "ỦY BAN NHÂN DÂN {PROVINCE}", "name": "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "symbol": "SGDĐT",
    "signer": {"title": "GIÁM ĐỐC"},
    "reports": {"12-15": {"to": ["Bộ Giáo dục và Đào tạo"], "archive": "VT"}, "12-01": {"to": ["Ủy ban nhân dân {province}"], "archive": "VT"}}},
  "provinces": {"19": {"name": "HỘI KHUYẾN HỌC TỈNH", "symbol": "HKH", "place": "Phổ Yên",
    "reports": {"12-15": {"cc": ["Sở Giáo dục và Đào tạo"]}}}}
}`)}}
	prov := &registry.Unit{Code: "19", Name: "Tỉnh Thái Nguyên", ShortName: "Thái Nguyên"}
	lake := local.New(t.TempDir())
	ctx := context.Background()

	is, err := resolveIssuer(ctx, fsys, lake, dl, prov, "12-15")
	if err != nil {
		t.Fatal(err)
	}
	if is.Name != "HỘI KHUYẾN HỌC TỈNH" || is.Symbol != "HKH" || is.Place != "Phổ Yên" || is.Parent != "ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN" ||
		strings.Join(is.To, ";") != "Bộ Giáo dục và Đào tạo" || strings.Join(is.CC, ";") != "Sở Giáo dục và Đào tạo" || is.Archive != "VT" {
		t.Errorf("schemas province layer: %+v", is)
	}
	if err := lake.Put(ctx, "config/issuers/province=19.json", []byte(`{"parent": "", "reports": {"12-15": {"archive": "VT, VP"}}}`), ""); err != nil {
		t.Fatal(err)
	}
	is, err = resolveIssuer(ctx, fsys, lake, dl, prov, "12-15")
	if err != nil {
		t.Fatal(err)
	}
	if is.Parent != "" || is.Name != "HỘI KHUYẾN HỌC TỈNH" || is.Archive != "VT, VP" || strings.Join(is.CC, ";") != "Sở Giáo dục và Đào tạo" {
		t.Errorf("lake layer: %+v", is)
	}
	if is, err := resolveIssuer(ctx, fsys, lake, dl, prov, "12-01"); err != nil || strings.Join(is.To, ";") != "Ủy ban nhân dân tỉnh Thái Nguyên" {
		t.Errorf("12-01: %+v %v", is, err)
	}
	bad := fstest.MapFS{"issuers/issuers.json": {Data: []byte(`{"default": {}, "provinces": {"19": {"reports": {"15-12": {}}}}}`)}}
	if _, err := resolveIssuer(ctx, bad, nil, dl, prov, "12-15"); err == nil || !strings.Contains(err.Error(), `provinces.19: reports: không có kỳ báo cáo "15-12"`) {
		t.Errorf("bad schemas file: %v", err)
	}
}
