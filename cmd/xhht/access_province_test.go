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
		{"Nguyễn Văn An;Trần Thị Bình", "Không cấp mã mới cho 1 người đã có mã cấp tỉnh năm 2026"}, // slot 01 kept, 02 new
		{"Nguyễn Văn An;Trần Thị Bình", "Mọi người duyệt đã có mã cấp tỉnh năm 2026"},
	} {
		out, _ := accRun(t, 0, "issue", "--province", "19", "--year", "2026", "--role", "province", "--holders", c.holders, "-o", filepath.Join(dir, fmt.Sprintf("b%d.xlsx", i)), "--lake", lake)
		if !strings.Contains(out, c.want) || strings.Contains(out, " xã") {
			t.Errorf("re-run with %q said:\n%s\nwant %q and no commune wording", c.holders, out, c.want)
		}
	}
}

// L-K (review of issue 15, session 8): `--holders "A;B"` when slot 01 is
// taken by a code without a name (the demo code of make run) gives A and
// B each a code, in the free slots, and says who got which number; a
// re-run names each person who got nothing new, and how to replace a
// revoked code.
func TestAccessProvinceHoldersFreeSlots(t *testing.T) {
	ctx := context.Background()
	dir, lake := t.TempDir(), t.TempDir()
	auth := access.NewAuthority(local.New(lake))
	issue := func(name string, extra ...string) string {
		t.Helper()
		out, _ := accRun(t, 0, append([]string{"issue", "--province", "19", "--year", "2026", "--role", "province", "-o", filepath.Join(dir, name), "--lake", lake}, extra...)...)
		return out
	}
	issue("demo.xlsx") // 19-01, no holder
	out := issue("a.xlsx", "--holders", "Nguyễn Văn An;Trần Thị Bình")
	if want := "2 mã mới"; !strings.Contains(out, want) {
		t.Errorf("issue said:\n%s\nwant %q", out, want)
	}
	if want := "Mã mới (số mã, người nhận):\n  19-02 Nguyễn Văn An\n  19-03 Trần Thị Bình\n"; !strings.Contains(out, want) {
		t.Errorf("issue said:\n%s\nwant %q", out, want)
	}
	codes := sheetCodes(t, filepath.Join(dir, "a.xlsx"))
	for slot, holder := range map[string]string{"19-02": "Nguyễn Văn An", "19-03": "Trần Thị Bình"} {
		g, err := auth.Verify(ctx, codes[slot], time.Now())
		if err != nil || g.Holder != holder {
			t.Errorf("sheet's code of %s: %+v, %v; want %s's", slot, g, err, holder)
		}
	}

	// Again, with one new name and a revoked code: nothing for An and Bình,
	// each named; a code for Cường; how to give Bình a working code.
	accRun(t, 0, "revoke", "--province", "19", "--reviewer", "03", "--year", "2026", "--lake", lake)
	out = issue("b.xlsx", "--holders", "Nguyễn Văn An; trần thị  bình;Lê Văn Cường")
	for _, want := range []string{
		"1 mã mới",
		"  19-04 Lê Văn Cường\n",
		"Không cấp mã mới cho 2 người đã có mã cấp tỉnh năm 2026 (mã đã phát vẫn như cũ):\n",
		"  19-02 Nguyễn Văn An",
		"  19-03 Trần Thị Bình",
		"→ cấp lại mã 19-03: xhht access reissue --province 19 --year 2026 --reviewer 03\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("re-run said:\n%s\nwant %q", out, want)
		}
	}
	if _, err := auth.Verify(ctx, codes["19-02"], time.Now()); err != nil {
		t.Errorf("An's code after the re-run: %v", err)
	}
}
