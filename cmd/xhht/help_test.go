package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// TestCommandHelp: every command has its own --help on stdout, exit 0,
// listing its flags (written here by hand, not read from the FlagSets)
// and at least one example of itself.
func TestCommandHelp(t *testing.T) {
	tests := []struct {
		cmd   string
		flags []string
	}{
		{"validate", []string{"--key", "--json", "--lake", "--max-mb"}},
		{"ingest", []string{"--uploads", "--lake", "--max-mb"}},
		{"template", []string{"--commune", "--year", "-o", "--force", "--lake"}},
		{"rollup", []string{"--year", "--province", "--units", "--lake", "--s3", "--endpoint", "-v"}},
		{"query", []string{"--lake", "--format", "--s3", "--endpoint", "--cache"}},
		{"report", []string{"--deadline", "--year", "--province", "--out", "--lake"}},
		{"remind", []string{"--deadline", "--year", "--province", "--at", "--json", "--lake"}},
		{"run", []string{"--dir", "--province", "--year"}},
		{"version", nil},
	}
	for _, tt := range tests {
		for _, h := range []string{"--help", "-h"} {
			t.Run(tt.cmd+" "+h, func(t *testing.T) {
				var out, errOut bytes.Buffer
				if code := run(context.Background(), []string{tt.cmd, h}, &out, &errOut); code != 0 {
					t.Fatalf("exit %d, want 0; stderr %s", code, errOut.String())
				}
				if errOut.Len() != 0 {
					t.Errorf("help wrote on stderr: %s", errOut.String())
				}
				got := out.String()
				if !strings.HasPrefix(got, "xhht "+tt.cmd+" — ") {
					t.Errorf("help does not start with its command's name and summary:\n%s", got)
				}
				for _, f := range tt.flags {
					if !strings.Contains(got, "\n  "+f+" ") && !strings.Contains(got, "\n  "+f+"\n") {
						t.Errorf("help does not list flag %s:\n%s", f, got)
					}
				}
				ex := strings.Index(got, "Ví dụ (examples):\n")
				if ex < 0 || !strings.Contains(got[ex:], "  xhht "+tt.cmd) {
					t.Errorf("no example of xhht %s:\n%s", tt.cmd, got)
				}
				for _, code := range []string{"0 ", "1 ", "2 ", "3 "} {
					if !strings.Contains(got, code) {
						t.Errorf("exit status %q not documented", code)
					}
				}
			})
		}
	}
	// "xhht help CMD" is "xhht CMD --help".
	var a, b, e bytes.Buffer
	run(context.Background(), []string{"help", "query"}, &a, &e)
	run(context.Background(), []string{"query", "--help"}, &b, &e)
	if a.String() != b.String() || !strings.Contains(a.String(), "--format") {
		t.Errorf("xhht help query differs from xhht query --help:\n%s\n---\n%s", a.String(), b.String())
	}
}

// TestTopLevelUsage: bare xhht is a usage error (usage on stderr, exit 2);
// asking for help is not (stdout, exit 0); a usage error in a command
// names the command's help.
func TestTopLevelUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		outHas     string
		errHas     string
		stdoutNone bool
	}{
		{"bare", nil, 2, "", "xhht validate", true},
		{"--help", []string{"--help"}, 0, "xhht validate", "", false},
		{"help", []string{"help"}, 0, "xhht version", "", false},
		{"unknown command", []string{"frobnicate"}, 2, "", "unknown command", true},
		{"bad flag", []string{"query", "--frobnicate", "SELECT 1"}, 2, "", "xhht query --help", true},
		{"missing flag", []string{"rollup"}, 2, "", "xhht rollup --help", true},
		{"stray argument", []string{"version", "x"}, 2, "", "unexpected", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tt.code, out.String(), errOut.String())
			}
			if tt.stdoutNone && out.Len() != 0 {
				t.Errorf("stdout not empty: %s", out.String())
			}
			if !strings.Contains(out.String(), tt.outHas) {
				t.Errorf("stdout lacks %q:\n%s", tt.outHas, out.String())
			}
			if !strings.Contains(errOut.String(), tt.errHas) {
				t.Errorf("stderr lacks %q:\n%s", tt.errHas, errOut.String())
			}
		})
	}
}

func TestVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"version"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"xhht ", "module:   github.com/xhht/xhht", "revision: ", "time: ", "go:       go1."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("version lacks %q:\n%s", want, out.String())
		}
	}
	// A build from a git checkout: the revision, its time and a dirty tree.
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/xhht/xhht", Version: "v1.2.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "aae94d30d25a"}, {Key: "vcs.time", Value: "2026-11-22T10:13:02Z"}, {Key: "vcs.modified", Value: "true"}}}
	want := "xhht v1.2.0\nmodule:   github.com/xhht/xhht\nrevision: aae94d30d25a (có sửa đổi chưa commit / modified)\ntime:     2026-11-22T10:13:02Z\ngo:       go1.26.8\n"
	if got := versionText(bi); got != want {
		t.Errorf("versionText:\n%s\nwant\n%s", got, want)
	}
}

// TestExitStatuses: 2 for what the caller got wrong, 3 for work that failed.
func TestExitStatuses(t *testing.T) {
	lake := t.TempDir()
	bad := filepath.Join(t.TempDir(), "lake")
	part := filepath.Join(bad, "submissions", "year=2026", "province=19", "commune=05443")
	if err := os.MkdirAll(part, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(part, "x.parquet"), []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"report, unknown province", []string{"report", "--lake", lake, "--deadline", "12-15", "--year", "2026", "--province", "99"}, 2, `"99"`},
		{"remind, unknown province", []string{"remind", "--lake", lake, "--deadline", "12-15", "--year", "2026", "--province", "99"}, 2, `"99"`},
		{"rollup, unknown register", []string{"rollup", "--lake", lake, "--year", "2024", "--units", "2030"}, 2, "--units"},
		{"validate, no such file", []string{"validate", "--key", "2026/19/05443/a.xlsx", filepath.Join(lake, "a.xlsx")}, 2, "a.xlsx"},
		{"rollup over a damaged Parquet file", []string{"rollup", "--lake", bad, "--year", "2026", "--province", "19"}, 3, "x.parquet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), tt.args, &out, &errOut); code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out.String(), errOut.String())
			}
			if !strings.Contains(errOut.String(), tt.err) {
				t.Errorf("stderr lacks %q: %s", tt.err, errOut.String())
			}
		})
	}
}
