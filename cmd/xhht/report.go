package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/deadlines"
	lakekey "github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/storage/local"
)

func cmdReport(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newCommand("report", Help{
		Usage:   "xhht report --deadline 12-01|12-15 --year NĂM --province MÃ_TỈNH [--now THỜI_ĐIỂM] [--out DIR] [--lake DIR]",
		Summary: "báo cáo của tỉnh theo hạn (.xlsx, .html, .csv), chỉ tính các tệp nhận trước 00:00 ngày hạn, giờ Việt Nam (a deadline report)",
		Details: "Làm trước giờ chốt số liệu (--now trước hạn) thì là DỰ THẢO, ghi trên mọi trang và trong tên tệp (before the cut-off: a draft).\n" +
			"  Tỉnh chọn báo cáo chỉ tính số liệu đã duyệt bằng tệp " + lakekey.ReportSettingsKey("MÃ_TỈNH") + " trong kho, ví dụ\n" +
			`  {"approved_only": ["12-15"]}; tên tệp báo cáo khi đó có thêm "-da-duyet" (approved-only reports, docs/reminders.md).`,
		Examples: []string{
			"xhht report --deadline 12-15 --year 2026 --province 19",
			"xhht report --deadline 12-01 --year 2026 --province 19 --now 2026-11-28 --out bao-cao   # dự thảo (a draft)",
		},
	})
	lake := fs.String("lake", defaultLake, "lake directory `DIR`")
	deadline := fs.String("deadline", "", "report deadline `12-01|12-15` (required)")
	year := fs.Int("year", 0, "reporting year `NĂM` (required)")
	province := fs.String("province", "", "province code `MÃ_TỈNH` (required)")
	out := fs.String("out", "xhht-data/reports", "output directory `DIR`")
	nowFlag := fs.String("now", "", "when the report is made: `YYYY-MM-DD` (08:00 in Vietnam) or RFC 3339; default now. Before the cut-off: a draft (DỰ THẢO)")
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
	now := time.Now()
	if *nowFlag != "" {
		t, err := parseAt(*nowFlag)
		if err != nil {
			return exitUsage, usageError{strings.Replace(err.Error(), "remind: --at", "report: --now", 1)}
		}
		now = t
	}
	paths, err := writeReportAt(ctx, *lake, *deadline, *year, *province, *out, now)
	if err != nil {
		return exitRuntime, err
	}
	for _, p := range paths {
		fmt.Fprintln(stdout, abs(p))
	}
	return exitOK, nil
}

// writeReport writes the final report of a deadline, for `xhht run`: its
// generated season is complete (every upload time is set by the demo), so
// it shows the reports as they are at the cut-off, whatever the machine's
// date, rather than a draft on some days of the year and not on others.
func writeReport(ctx context.Context, lake, deadline string, year int, province, out string) ([]string, error) {
	dl, err := deadlines.Load()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if d, ok := dl.Get(deadline); ok && now.Before(d.CutOff(year)) {
		now = d.CutOff(year)
	}
	return writeReportAt(ctx, lake, deadline, year, province, out, now)
}

// writeReportAt is writeReport as of a given moment.
func writeReportAt(ctx context.Context, lake, deadline string, year int, province, out string, now time.Time) ([]string, error) {
	if err := needLake(lake); err != nil {
		return nil, err
	}
	r, err := report.Build(ctx, report.Options{Lake: local.New(lake), Year: year, Province: province, Deadline: deadline, Now: now, Log: quietLog})
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(out, lakekey.ReportDir(year, deadline, province))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return report.WriteAll(r, dir)
}
