package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
)

// cmdVersion prints the module version, the VCS revision and time the
// binary was built from (Go records them in the build info).
func cmdVersion(_ context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newCommand("version", Help{
		Usage:    "xhht version",
		Summary:  "phiên bản của chương trình (the module version, VCS revision and build time from the build info)",
		Examples: []string{"xhht version", "build/xhht version   # sau (after) make build"},
	})
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() > 0 {
		return exitUsage, usageError{fmt.Sprintf("version: thừa đối số %q (unexpected arguments)", fs.Args())}
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return exitRuntime, fmt.Errorf("version: không có thông tin bản dựng (no build info in this binary)")
	}
	fmt.Fprint(stdout, versionText(bi))
	return exitOK, nil
}

// versionText is the version lines of a build info; settings missing from
// it (a `go run`, a build outside a git checkout) print as "không rõ".
func versionText(bi *debug.BuildInfo) string {
	setting := func(k string) string {
		for _, s := range bi.Settings {
			if s.Key == k && s.Value != "" {
				return s.Value
			}
		}
		return "không rõ (unknown)"
	}
	ver := bi.Main.Version
	if ver == "" {
		ver = "không rõ (unknown)"
	}
	rev := setting("vcs.revision")
	if setting("vcs.modified") == "true" {
		rev += " (có sửa đổi chưa commit / modified)"
	}
	return fmt.Sprintf("xhht %s\nmodule:   %s\nrevision: %s\ntime:     %s\ngo:       %s\n",
		ver, bi.Main.Path, rev, setting("vcs.time"), bi.GoVersion)
}
