package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/storage/local"
	"github.com/xhht/xhht/pipeline/storage/s3store"
	"github.com/xhht/xhht/pipeline/storage/s3test"
	"github.com/xhht/xhht/pipeline/storage/storagetest"
)

// accRun runs `xhht access …` and fails on an unexpected exit status; the
// failures the command prints itself are in stderr too.
func accRun(t *testing.T, want int, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	accessStderr = &errOut
	defer func() { accessStderr = os.Stderr }()
	if got := run(context.Background(), append([]string{"access"}, args...), &out, &errOut); got != want {
		t.Fatalf("xhht access %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got, want, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}

func sheetCodes(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(access.SheetName)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, r := range rows[5:] {
		codes[r[1]] = r[3]
	}
	return codes
}

func TestAccessCommands(t *testing.T) {
	ctx := context.Background()
	dir, lake := t.TempDir(), t.TempDir()
	auth := access.NewAuthority(local.New(lake))
	sheet := filepath.Join(dir, "ma.xlsx")
	out, _ := accRun(t, 0, "issue", "--province", "19", "--year", "2026", "-o", sheet, "--lake", lake, "--url", "https://cong.example.vn/")
	if !strings.Contains(out, "92 mã mới") || !strings.Contains(out, sheet) {
		t.Errorf("issue said:\n%s", out)
	}
	if fi, err := os.Stat(sheet); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("sheet %v, %v; want a file only its owner reads (it holds the codes)", fi, err)
	}
	codes := sheetCodes(t, sheet)
	if len(codes) != 92 {
		t.Fatalf("sheet has %d codes", len(codes))
	}
	for commune, code := range codes {
		if g, err := auth.Verify(ctx, code, time.Now()); err != nil || g.Commune != commune {
			t.Fatalf("code of %s on the sheet: %+v, %v", commune, g, err)
		}
	}
	// The plaintext is on the sheet only.
	for key, body := range storagetest.Snapshot(t, local.New(lake)) {
		if bytes.Contains(body, []byte(codes["05443"])) {
			t.Fatalf("%s holds a code", key)
		}
	}

	// Again: nothing new, no file, the codes still work.
	again := filepath.Join(dir, "again.xlsx")
	out, _ = accRun(t, 0, "issue", "--province", "19", "--year", "2026", "-o", again, "--lake", lake)
	if !strings.Contains(out, "0 mã mới") {
		t.Errorf("second issue said:\n%s", out)
	}
	if _, err := os.Stat(again); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("second issue wrote a sheet without codes (%v)", err)
	}
	// An existing output file is never overwritten, and nothing is issued then.
	_, stderr := accRun(t, 2, "issue", "--province", "19", "--year", "2026", "-o", sheet, "--lake", lake, "--force")
	if !strings.Contains(stderr, "đã có") {
		t.Errorf("existing file: %s", stderr)
	}
	if _, err := auth.Verify(ctx, codes["05443"], time.Now()); err != nil {
		t.Errorf("a refused --force changed the codes: %v", err)
	}

	// revoke: at once; twice is fine; a commune without a code exits 1.
	out, _ = accRun(t, 0, "revoke", "--commune", "05443", "--year", "2026", "--lake", lake)
	if !strings.Contains(out, "Phường Phan Đình Phùng") {
		t.Errorf("revoke said:\n%s", out)
	}
	if _, err := auth.Verify(ctx, codes["05443"], time.Now()); !errors.Is(err, access.ErrRevoked) {
		t.Errorf("after revoke: %v", err)
	}
	accRun(t, 0, "revoke", "--commune", "05443", "--year", "2026", "--lake", lake)
	accRun(t, 1, "revoke", "--commune", "05443", "--year", "2025", "--lake", lake)
	_, stderr = accRun(t, 2, "revoke", "--commune", "05440", "--year", "2026", "--lake", lake)
	if !strings.Contains(stderr, "05443") {
		t.Errorf("pre-reform code: %s", stderr)
	}

	// reissue: prints the new code, which works; with -o a one-row sheet.
	one := filepath.Join(dir, "one.xlsx")
	out, _ = accRun(t, 0, "reissue", "--commune", "05443", "--year", "2026", "--lake", lake, "-o", one)
	code := regexp.MustCompile(`[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}`).FindString(out)
	if g, err := auth.Verify(ctx, code, time.Now()); err != nil || g.Commune != "05443" {
		t.Fatalf("reissued code %q from:\n%s\n→ %+v, %v", code, out, g, err)
	}
	if c := sheetCodes(t, one); len(c) != 1 || c["05443"] != code {
		t.Errorf("reissue sheet %v, want only 05443 → %s", c, code)
	}
	// Another commune's code is untouched by all this.
	if g, err := auth.Verify(ctx, codes["01840"], time.Now()); err != nil || g.Commune != "01840" {
		t.Errorf("01840 after 05443's revoke and reissue: %+v, %v", g, err)
	}

	// --force replaces every code.
	forced := filepath.Join(dir, "forced.xlsx")
	out, _ = accRun(t, 0, "issue", "--province", "19", "--year", "2026", "-o", forced, "--lake", lake, "--force", "--expires", "2027-01-15")
	if !strings.Contains(out, "92 thay mã cũ") {
		t.Errorf("--force said:\n%s", out)
	}
	if _, err := auth.Verify(ctx, codes["01840"], time.Now()); !errors.Is(err, access.ErrRevoked) {
		t.Errorf("old code after --force: %v", err)
	}
	g, err := auth.Verify(ctx, sheetCodes(t, forced)["01840"], time.Now())
	if want := time.Date(2027, 1, 16, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600)); err != nil || !g.ExpiresAt.Equal(want) {
		t.Errorf("--expires 2027-01-15: %+v, %v; want it to work through that day (until %v)", g, err, want)
	}
}

func TestAccessUsage(t *testing.T) {
	lake := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"issue", "--year", "2026", "--lake", lake}, "--province"},
		{[]string{"issue", "--province", "1", "--year", "2026", "--lake", lake}, "2 chữ số"},
		{[]string{"issue", "--province", "99", "--year", "2026", "--lake", lake}, "99"},
		{[]string{"issue", "--province", "19", "--year", "1999", "--lake", lake}, "1999"},
		{[]string{"issue", "--province", "19", "--year", "2026", "--expires", "2020-01-01", "--lake", lake}, "--expires"},
		{[]string{"issue", "--province", "19", "--year", "2026", "--expires", "mai", "--lake", lake}, "--expires"},
		{[]string{"issue", "--province", "19", "--year", "2026", "-o", "x.pdf", "--lake", lake}, ".xlsx"},
		{[]string{"revoke", "--commune", "5443", "--year", "2026", "--lake", lake}, "5 chữ số"},
		{[]string{"reissue", "--year", "2026", "--lake", lake}, "--commune"},
		{[]string{"reissue", "--commune", "05443", "--lake", lake}, "--year"},
		{[]string{"renew", "--commune", "05443"}, "renew"},
	} {
		_, stderr := accRun(t, 2, c.args...)
		if !strings.Contains(stderr, c.want) {
			t.Errorf("%q: stderr does not mention %q:\n%s", c.args, c.want, stderr)
		}
	}
	if objs, _ := local.New(lake).List(context.Background(), ""); len(objs) != 0 {
		t.Errorf("refused commands wrote %d objects", len(objs))
	}
}

// Each subcommand has its own help, with examples, on stdout, exit 0.
func TestAccessHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"issue", "--help"}, {"revoke", "-h"}, {"reissue", "--help"}} {
		out, _ := accRun(t, 0, args...)
		name := "xhht access"
		if len(args) > 1 {
			name += " " + args[0]
		}
		if !strings.HasPrefix(out, name+" —") {
			t.Errorf("%q: help starts %q", args, out[:min(len(out), 60)])
		}
		if len(args) > 1 && !strings.Contains(out, "Ví dụ (examples):\n  "+name) {
			t.Errorf("%q: no examples", args)
		}
	}
}

// The province issues into the S3 lake the portal reads (--s3, here a real
// versitygw), and revoke/reissue act there.
func TestAccessOnS3(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "lake")
	// The CLI takes credentials from the usual AWS environment.
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_REGION", srv.Region)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	s3 := []string{"--s3", "s3://lake/env/dev", "--endpoint", srv.Endpoint}
	sheet := filepath.Join(t.TempDir(), "ma.xlsx")
	accRun(t, 0, append([]string{"issue", "--province", "19", "--year", "2026", "-o", sheet}, s3...)...)
	codes := sheetCodes(t, sheet)
	lake := s3store.New(srv.Client(t), "lake", "env/dev/")
	auth := access.NewAuthority(lake)
	ctx := context.Background()
	if g, err := auth.Verify(ctx, codes["05443"], time.Now()); err != nil || g.Commune != "05443" {
		t.Fatalf("code issued into S3: %+v, %v", g, err)
	}
	accRun(t, 0, append([]string{"revoke", "--commune", "05443", "--year", "2026"}, s3...)...)
	if _, err := auth.Verify(ctx, codes["05443"], time.Now()); !errors.Is(err, access.ErrRevoked) {
		t.Errorf("after revoke on S3: %v", err)
	}
	out, _ := accRun(t, 0, append([]string{"reissue", "--commune", "05443", "--year", "2026"}, s3...)...)
	code := regexp.MustCompile(`[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}`).FindString(out)
	if g, err := auth.Verify(ctx, code, time.Now()); err != nil || g.Commune != "05443" {
		t.Errorf("reissued on S3: %+v, %v", g, err)
	}
	objs, err := lake.List(ctx, "access/year=2026/")
	if err != nil || len(objs) != 92 {
		t.Errorf("%d records under access/year=2026/ (%v), want 92", len(objs), err)
	}
}
