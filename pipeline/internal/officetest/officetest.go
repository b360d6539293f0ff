// Package officetest converts files with headless LibreOffice for tests
// that must see what a real office suite makes of the project's
// workbooks: a PDF to count and read pages, or a re-save to check that
// marks and comments survive.
package officetest

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Timeout bounds one conversion: a cold start with a fresh profile takes
// a few seconds, a loaded machine many more.
const Timeout = 90 * time.Second

// Convert converts data, saved as name, to format ("pdf", "xlsx",
// "xls:MS Excel 97") and returns the result; infilter is LibreOffice's
// import filter option ("" = by type, e.g. "CSV:44,34,76,1,,1033"). Each
// run has a private profile, so parallel runs do not lock each other. A
// missing LibreOffice fails the test (make tools installs it): a skip
// would pass unseen.
func Convert(t testing.TB, name string, data []byte, format, infilter string) []byte {
	t.Helper()
	bin, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal("soffice (LibreOffice) is not installed: run make tools (scripts/libreoffice.sh)")
	}
	dir, outDir, profile := t.TempDir(), t.TempDir(), t.TempDir()
	src := filepath.Join(dir, name)
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	args := []string{"-env:UserInstallation=" + (&url.URL{Scheme: "file", Path: filepath.ToSlash(profile)}).String(),
		"--headless", "--norestore", "--nolockcheck", "--nodefault"}
	if infilter != "" {
		args = append(args, "--infilter="+infilter)
	}
	args = append(args, "--convert-to", format, "--outdir", outDir, src)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	killGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("soffice did not finish within %v:\n%s", Timeout, out.String())
	}
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out.String())
	}
	ext, _, _ := strings.Cut(format, ":")
	res, err := os.ReadFile(filepath.Join(outDir, strings.TrimSuffix(name, filepath.Ext(name))+"."+ext))
	if err != nil {
		t.Fatalf("soffice wrote no %s: %v\n%s", ext, err, out.String())
	}
	return res
}
