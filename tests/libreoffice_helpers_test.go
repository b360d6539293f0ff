package tests

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

// sofficeTimeout bounds one conversion. A cold start with a fresh profile
// takes a few seconds; a minute means it hangs.
const sofficeTimeout = 90 * time.Second

// soffice returns the LibreOffice binary. The end-to-end tests need it:
// without it they fail (not skip), so a missing tool is never mistaken for
// a pass.
func soffice(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal("soffice (LibreOffice) is not installed: run make tools (scripts/libreoffice.sh)")
	}
	return p
}

// convertXLSX opens src in LibreOffice and saves it as .xlsx, the way an
// official's office suite would re-save a file: formulas are recalculated
// and their results stored. infilter is LibreOffice's import filter option
// string (for CSV), or "". Each call gets its own profile directory, so
// parallel tests do not share (or lock) a user installation.
func convertXLSX(t *testing.T, src, infilter string) []byte {
	t.Helper()
	bin := soffice(t)
	outDir, profile := t.TempDir(), t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), sofficeTimeout)
	defer cancel()
	args := []string{
		"-env:UserInstallation=" + (&url.URL{Scheme: "file", Path: filepath.ToSlash(profile)}).String(),
		"--headless", "--norestore", "--nolockcheck", "--nodefault",
	}
	if infilter != "" {
		args = append(args, "--infilter="+infilter)
	}
	args = append(args, "--convert-to", "xlsx", "--outdir", outDir, src)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	killGroup(cmd) // soffice starts soffice.bin as a child: end them together
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("soffice did not finish within %v:\n%s", sofficeTimeout, out.String())
	}
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out.String())
	}
	name := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src)) + ".xlsx"
	data, err := os.ReadFile(filepath.Join(outDir, name))
	if err != nil {
		t.Fatalf("soffice wrote no %s: %v\n%s", name, err, out.String())
	}
	return data
}
