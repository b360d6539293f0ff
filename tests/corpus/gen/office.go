package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Files an office suite makes: LibreOffice re-saving (which computes and
// stores formula results, and writes its own .xls and .ods), and Gnumeric
// for Excel 95 (LibreOffice 7.4 can no longer export BIFF5). The encrypted
// workbook is the .xls LibreOffice saved with a password for the .xls
// reader's tests (pipeline/workbook/testdata/xls): LibreOffice 7.4 ignores
// a password on .xlsx export through UNO, and Debian's msoffcrypto-tool
// 5.0 only decrypts.

const officeTimeout = 3 * time.Minute

// run runs a command in its own process group, killed whole on timeout
// (soffice starts soffice.bin as a child).
func run(name string, args []string, env []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), officeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s did not finish within %v:\n%s", name, officeTimeout, log.String())
	}
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", name, err, log.String())
	}
	return nil
}

// soffice saves each source (.xlsx bytes, by output name) in format ext
// ("xlsx", "xls", "ods", "html") with LibreOffice, in one run with a fresh profile.
func soffice(ext string, srcs map[string][]byte) (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "corpus-soffice-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	profile, in, out := filepath.Join(dir, "profile"), filepath.Join(dir, "in"), filepath.Join(dir, "out")
	must(os.MkdirAll(in, 0o755))
	args := []string{
		"-env:UserInstallation=" + (&url.URL{Scheme: "file", Path: filepath.ToSlash(profile)}).String(),
		"--headless", "--norestore", "--nolockcheck", "--nodefault",
		"--convert-to", ext, "--outdir", out,
	}
	for name, b := range srcs {
		p := filepath.Join(in, strings.TrimSuffix(name, filepath.Ext(name))+".xlsx")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, err
		}
		args = append(args, p)
	}
	if err := run("soffice", args, []string{"HOME=" + profile}); err != nil {
		return nil, err
	}
	res := map[string][]byte{}
	for name := range srcs {
		b, err := os.ReadFile(filepath.Join(out, strings.TrimSuffix(name, filepath.Ext(name))+"."+ext))
		if err != nil {
			return nil, fmt.Errorf("soffice wrote no %s: %v", name, err)
		}
		res[name] = b
	}
	return res, nil
}

// excel95 saves an .xlsx source as Excel 5.0/95 (BIFF5) with Gnumeric.
func excel95(src []byte) ([]byte, error) {
	dir, err := os.MkdirTemp("", "corpus-gnumeric-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "in.xlsx"), filepath.Join(dir, "out.xls")
	must(os.WriteFile(in, src, 0o644))
	if err := run("ssconvert", []string{"-T", "Gnumeric_Excel:excel_biff7", in, out}, []string{"HOME=" + dir}); err != nil {
		return nil, err
	}
	return os.ReadFile(out)
}
