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
