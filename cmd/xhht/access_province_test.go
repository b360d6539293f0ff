package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// TestAccessProvinceCodes: `xhht access issue --role province` writes a
// sheet of reviewer codes that sign in as the province; revoke and reissue
// take --province and --reviewer; wrong combinations are usage errors.
func TestAccessProvinceCodes(t *testing.T) {
	ctx := context.Background()
	dir, lake := t.TempDir(), t.TempDir()
	auth := access.NewAuthority(local.New(lake))
	sheet := filepath.Join(dir, "ma-tinh.xlsx")
	out, _ := accRun(t, 0, "issue", "--province", "19", "--year", "2026", "--role", "province", "--holders", "Nguyễn Văn An;Trần Thị Bình", "-o", sheet, "--lake", lake)
	if !strings.Contains(out, "2 mã mới") {
		t.Errorf("issue said:\n%s", out)
	}
	codes := sheetCodes(t, sheet) // slot "19-01" → code
	if len(codes) != 2 {
		t.Fatalf("sheet: %v", codes)
	}
	for slot, code := range codes {
		g, err := auth.Verify(ctx, code, time.Now())
		if err != nil || g.Role != access.RoleProvince || g.Province != "19" || g.Commune != "" || "19-"+g.Reviewer != slot {
			t.Errorf("code of %s: %+v, %v", slot, g, err)
		}
	}
	accRun(t, 0, "revoke", "--province", "19", "--reviewer", "02", "--year", "2026", "--lake", lake)
	if _, err := auth.Verify(ctx, codes["19-02"], time.Now()); err == nil {
		t.Error("revoked reviewer code still signs in")
	}
	if _, err := auth.Verify(ctx, codes["19-01"], time.Now()); err != nil {
		t.Errorf("slot 01 after revoking 02: %v", err)
	}
	out, _ = accRun(t, 0, "reissue", "--province", "19", "--reviewer", "02", "--year", "2026", "--lake", lake)
	if !strings.Contains(out, "Trần Thị Bình") {
		t.Errorf("reissue said:\n%s", out)
	}
	accRun(t, 1, "revoke", "--province", "19", "--reviewer", "09", "--year", "2026", "--lake", lake)
	for _, args := range [][]string{
		{"issue", "--province", "19", "--year", "2026", "--role", "admin"},
		{"issue", "--province", "19", "--year", "2026", "--holders", "A"}, // names are for reviewer codes
		{"revoke", "--province", "19", "--year", "2026"},                  // which reviewer?
		{"revoke", "--reviewer", "01", "--year", "2026"},                  // which province?
		{"revoke", "--commune", "05443", "--province", "19", "--reviewer", "01", "--year", "2026"},
		{"reissue", "--province", "19", "--reviewer", "1", "--year", "2026"},
	} {
		accRun(t, 2, append(args, "--lake", lake)...)
	}
}

// TestAccessProvinceRerunWording (review finding L10): re-running `access
// issue --role province` names the skipped slots as reviewers ("người
// duyệt", "mã cấp tỉnh"), never as communes ("xã").
func TestAccessProvinceRerunWording(t *testing.T) {
	dir, lake := t.TempDir(), t.TempDir()
	accRun(t, 0, "issue", "--province", "19", "--year", "2026", "--role", "province", "--holders", "Nguyễn Văn An", "-o", filepath.Join(dir, "a.xlsx"), "--lake", lake)
	for i, c := range []struct {
		holders, want string
	}{
		{"Nguyễn Văn An;Trần Thị Bình", "Bỏ qua 1 người duyệt đã có mã cấp tỉnh năm 2026"}, // slot 01 kept, 02 new
		{"Nguyễn Văn An;Trần Thị Bình", "Mọi người duyệt đã có mã cấp tỉnh năm 2026"},
	} {
		out, _ := accRun(t, 0, "issue", "--province", "19", "--year", "2026", "--role", "province", "--holders", c.holders, "-o", filepath.Join(dir, fmt.Sprintf("b%d.xlsx", i)), "--lake", lake)
		if !strings.Contains(out, c.want) || strings.Contains(out, " xã") {
			t.Errorf("re-run with %q said:\n%s\nwant %q and no commune wording", c.holders, out, c.want)
		}
	}
}
