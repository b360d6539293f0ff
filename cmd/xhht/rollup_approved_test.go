package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// rollupFiles maps every file under dir/rollups to its bytes.
func rollupFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(filepath.Join(dir, "rollups"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// L11 (review of issue 15): `xhht rollup --approved-only` builds the
// approved-only roll-up into its own snapshot, which `xhht query
// --snapshot` reads, and leaves the lake's live roll-up untouched.
func TestRollupApprovedOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lake := local.New(dir)
	subs := map[string]string{}
	// Households recognised: 01840 80/100 (approved), 01843 60/100 (not):
	// live 140/200 = 0.7, approved only 80/100 = 0.8.
	for code, dat := range map[string]int64{"01840": 80, "01843": 60} {
		id, err := (rolluptest.Upload{Year: 2026, Commune: code, At: time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC),
			Hamlets: []map[string]any{{"ho_tong": int64(100), "ho_dat": dat}}}).Write(ctx, lake)
		if err != nil {
			t.Fatal(err)
		}
		subs[code] = id
	}
	if _, err := review.Apply(ctx, lake, review.Action{Kind: review.KindApprove, Year: 2026, Province: "19", Commune: "01840",
		Submission: subs["01840"], By: review.Actor{Role: access.RoleProvince, Province: "19", CodeID: "test", Year: 2026}}); err != nil {
		t.Fatal(err)
	}
	cli := func(want int, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run(ctx, args, &out, &errOut); code != want {
			t.Fatalf("%v: exit %d, want %d: %s%s", args, code, want, out.String(), errOut.String())
		}
		return out.String() + errOut.String()
	}
	rate := "SELECT ty_le_ho_dat FROM provinces WHERE province_code = '19'"
	cli(exitOK, "rollup", "--lake", dir, "--year", "2026", "--province", "19")
	if got := cli(exitOK, "query", "--lake", dir, "--format", "csv", rate); !strings.Contains(got, "\n0.7") {
		t.Fatalf("live rate:\n%s, want 0.7", got)
	}
	before := rollupFiles(t, dir)

	snap := filepath.Join(t.TempDir(), "da-duyet")
	out := cli(exitOK, "rollup", "--lake", dir, "--year", "2026", "--province", "19", "--approved-only", "--out", snap)
	if !strings.Contains(out, "chỉ số liệu đã duyệt") || !strings.Contains(out, "--snapshot "+snap) {
		t.Errorf("output:\n%s", out)
	}
	if got := cli(exitOK, "query", "--snapshot", snap, "--format", "csv", rate); !strings.Contains(got, "\n0.8") {
		t.Errorf("approved-only rate:\n%s, want 0.8", got)
	}
	if got := cli(exitOK, "query", "--snapshot", snap, "--format", "csv",
		"SELECT approved, returned FROM completeness WHERE level = 'province' AND deadline = '12-15'"); !strings.Contains(got, "\n1,0") {
		t.Errorf("approved-only completeness:\n%s, want 1 approved", got)
	}
	after := rollupFiles(t, dir)
	if len(after) != len(before) {
		t.Errorf("the lake's roll-up files changed: %d → %d", len(before), len(after))
	}
	for p, b := range before {
		if after[p] != b {
			t.Errorf("%s changed", p)
		}
	}
	if got := cli(exitOK, "query", "--lake", dir, "--format", "csv", rate); !strings.Contains(got, "\n0.7") {
		t.Errorf("live rate after the approved-only build:\n%s, want 0.7", got)
	}
	// Again into the same directory: replaced, not refused.
	cli(exitOK, "rollup", "--lake", dir, "--year", "2026", "--province", "19", "--approved-only", "--out", snap)

	// Refusals (usage, exit 2), and a directory that is not a snapshot is
	// left as it was.
	other := t.TempDir()
	keep := filepath.Join(other, "ghi-chu.txt")
	if err := os.WriteFile(keep, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"rollup", "--lake", dir, "--year", "2026", "--out", snap},
		{"rollup", "--lake", dir, "--year", "2024", "--units", "2025", "--approved-only"},
		{"rollup", "--lake", dir, "--year", "2026", "--province", "19", "--approved-only", "--out", other},
		{"query", "--snapshot", other, "SELECT 1"},
	} {
		cli(exitUsage, args...)
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "x" {
		t.Errorf("a foreign --out directory was touched: %q %v", b, err)
	}

	help := cli(exitOK, "rollup", "--help")
	for _, want := range []string{"--approved-only", "--out", "xhht rollup --year 2026 --province 19 --approved-only", "query --snapshot"} {
		if !strings.Contains(help, want) {
			t.Errorf("rollup --help lacks %q:\n%s", want, help)
		}
	}
}
