package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/storage/local"
)

func cmdReport(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newCommand("report", Help{
		Usage:   "xhht report --deadline 12-01|12-15 --year NĂM --province MÃ_TỈNH [--out DIR] [--lake DIR]",
		Summary: "báo cáo của tỉnh theo hạn (.xlsx, .html, .csv), chỉ tính các tệp nhận trước 00:00 ngày hạn, giờ Việt Nam (a deadline report)",
		Examples: []string{
			"xhht report --deadline 12-15 --year 2026 --province 19",
			"xhht report --deadline 12-01 --year 2026 --province 19 --out bao-cao --lake xhht-data/lake",
		},
	})
	lake := fs.String("lake", defaultLake, "lake directory `DIR`")
	deadline := fs.String("deadline", "", "report deadline `12-01|12-15` (required)")
	year := fs.Int("year", 0, "reporting year `NĂM` (required)")
	province := fs.String("province", "", "province code `MÃ_TỈNH` (required)")
	out := fs.String("out", "xhht-data/reports", "output directory `DIR`")
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() > 0 {
		return exitUsage, usageError{fmt.Sprintf("report: thừa đối số %q (unexpected arguments)", fs.Args())}
	}
	if *deadline == "" || *year == 0 || *province == "" {
		return exitUsage, usageError{"report: cần --deadline, --year và --province (--deadline, --year and --province are required)"}
	}
	if err := checkProvince("report", *year, *province); err != nil {
		return exitUsage, err
	}
	paths, err := writeReport(ctx, *lake, *deadline, *year, *province, *out)
	if err != nil {
		return exitRuntime, err
	}
	for _, p := range paths {
		fmt.Fprintln(stdout, abs(p))
	}
	return exitOK, nil
}

// writeReport builds one deadline report and writes its three files.
func writeReport(ctx context.Context, lake, deadline string, year int, province, out string) ([]string, error) {
	if err := needLake(lake); err != nil {
		return nil, err
	}
	r, err := report.Build(ctx, report.Options{Lake: local.New(lake), Year: year, Province: province, Deadline: deadline, Log: quietLog})
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(out, fmt.Sprint(year), deadline, "province="+province)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return report.WriteAll(r, dir)
}
