package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// `xhht rollup` for a year whose data changed rebuilds the following
// year too, so its last-year rate and change are current.
func TestRollupKeepsNextYearCurrent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lake := local.New(dir)
	up := func(year int, at time.Time, file string, dat int64) {
		t.Helper()
		if _, err := (rolluptest.Upload{Year: year, Commune: "01840", At: at, File: file,
			Hamlets: []map[string]any{{"ho_tong": int64(100), "ho_dat": dat}}}).Write(ctx, lake); err != nil {
			t.Fatal(err)
		}
	}
	rollupCmd := func(year string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run(ctx, []string{"rollup", "--lake", dir, "--year", year, "--province", "19"}, &out, &errOut); code != exitOK {
			t.Fatalf("rollup %s: exit %d: %s", year, code, errOut.String())
		}
		return out.String()
	}
	query := func() string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run(ctx, []string{"query", "--lake", dir, "--format", "csv",
			"SELECT ty_le_ho_dat_nam_truoc FROM provinces WHERE year = 2026"}, &out, &errOut); code != exitOK {
			t.Fatalf("query: exit %d: %s", code, errOut.String())
		}
		return out.String()
	}
	up(2025, time.Date(2025, 11, 10, 2, 0, 0, 0, time.UTC), "a.xlsx", 50)
	up(2026, time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC), "a.xlsx", 75)
	if out := rollupCmd("2025"); strings.Contains(out, "năm 2026") {
		t.Errorf("2026 not rolled up yet, but rebuilt:\n%s", out)
	}
	rollupCmd("2026")
	if got := query(); !strings.Contains(got, "\n0.5\n") {
		t.Fatalf("2026 last year before the correction:\n%s", got)
	}
	up(2025, time.Date(2025, 11, 20, 2, 0, 0, 0, time.UTC), "b.xlsx", 60)
	if out := rollupCmd("2025"); !strings.Contains(out, "Tổng hợp lại năm 2026") {
		t.Errorf("output does not say 2026 was rebuilt:\n%s", out)
	}
	if got := query(); !strings.Contains(got, "\n0.6\n") {
		t.Errorf("2026 last year after the correction:\n%s, want 0.6", got)
	}
}

// `xhht rollup --year 2025` builds the re-based 2024 roll-up first when it
// is missing and says so (review finding L-L, session 8); the year-on-year
// flags then exist. New 05482 (Thái Nguyên) = old 05431, 05434, 05482,
// 05653, whole moves (schemas/adminunits/old_to_new_communes.csv); only
// old 05482 sent 2024 data, so 1000 → 2000 households is "không so sánh
// được" (finding M-A), never a change.
func TestRollup2025BuildsRebased2024(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lake := local.New(dir)
	up := func(year int, commune string, tong int64) {
		t.Helper()
		if _, err := (rolluptest.Upload{Year: year, Commune: commune, At: time.Date(year, 11, 10, 2, 0, 0, 0, time.UTC),
			Hamlets: []map[string]any{{"ho_tong": tong, "ho_dat": tong / 2}}}).Write(ctx, lake); err != nil {
			t.Fatal(err)
		}
	}
	up(2024, "05482", 1000)
	up(2025, "05482", 2000)
	rollupCmd := func() string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run(ctx, []string{"rollup", "--lake", dir, "--year", "2025", "--province", "19"}, &out, &errOut); code != exitOK {
			t.Fatalf("rollup 2025: exit %d: %s", code, errOut.String())
		}
		return out.String()
	}
	if out := rollupCmd(); !strings.Contains(out, "Tổng hợp năm trước quy đổi sang đơn vị hành chính mới") {
		t.Errorf("output does not say 2024 was re-based first:\n%s", out)
	}
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"query", "--lake", dir, "--format", "csv",
		"SELECT rule FROM flags WHERE year = 2025 AND commune_code = '05482' AND rule IN ('change', 'not_comparable', 'hamlet_new')"}, &out, &errOut); code != exitOK {
		t.Fatalf("query: exit %d: %s", code, errOut.String())
	}
	if got := strings.TrimSpace(out.String()); got != "rule\nnot_comparable" {
		t.Errorf("2025 flags of 05482:\n%s\nwant only not_comparable", got)
	}
	if out := rollupCmd(); strings.Contains(out, "quy đổi") {
		t.Errorf("re-based again while current:\n%s", out)
	}
}
