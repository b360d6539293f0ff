package main

import (
	"context"
	"encoding/json"
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

// cmdRemind prints, in Vietnamese, which communes of a province have
// nothing accepted yet for a report, and writes the same list as JSON:
//
//	xhht remind --deadline 12-15 --year 2026 --province 19 [--at 2026-12-08] [--lake DIR] [--json FILE|-]
//
// --at is a day (YYYY-MM-DD) or an instant (RFC 3339); a day means 08:00
// in Vietnam, the hour the scheduled reminders go out, so the command
// shows what the reminder of that day said. Default: now. Only uploads
// received strictly before it count.
//
// --json defaults to <lake>/../reminders/<year>/<deadline>/province=<P>/
// <YYYY-MM-DD>T<HHMM>.json (--at in Vietnam): next to the lake, like the
// other local outputs, and one file per moment so earlier lists are kept.
// "--json -" prints the JSON on stdout instead of the text, for scripts.
func cmdRemind(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newCommand("remind", Help{
		Usage:   "xhht remind --deadline 12-01|12-15 --year NĂM --province MÃ_TỈNH [--at YYYY-MM-DD] [--json FILE|-] [--lake DIR]",
		Summary: "danh sách xã chưa nộp, có tệp bị từ chối hoặc bị Sở trả lại cho một kỳ báo cáo, số ngày còn lại (communes still to act for a report)",
		Examples: []string{
			"xhht remind --deadline 12-15 --year 2026 --province 19 --at 2026-12-08",
			"xhht remind --deadline 12-01 --year 2026 --province 19 --json -   # JSON trên stdout",
		},
	})
	deadline := fs.String("deadline", "", "report deadline `12-01|12-15` (required)")
	year := fs.Int("year", 0, "reporting year `NĂM` (required)")
	province := fs.String("province", "", "province code `MÃ_TỈNH`, 2 digits (required)")
	atFlag := fs.String("at", "", "as of: `YYYY-MM-DD` (08:00 in Vietnam) or RFC 3339; default now")
	lake := fs.String("lake", defaultLake, "lake directory `DIR`")
	jsonOut := fs.String("json", "", "JSON output `FILE`; \"-\" = stdout instead of the text; default <lake>/../reminders/…")
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() > 0 {
		return exitUsage, usageError{fmt.Sprintf("remind: thừa đối số %q (unexpected arguments)", fs.Args())}
	}
	dl, err := deadlines.Load()
	if err != nil {
		return exitRuntime, err
	}
	switch {
	case *deadline == "":
		return exitUsage, usageError{"remind: thiếu --deadline (--deadline is required: 12-01 or 12-15)"}
	case *year == 0:
		return exitUsage, usageError{"remind: thiếu --year (--year is required)"}
	case *province == "":
		return exitUsage, usageError{"remind: thiếu --province (--province is required)"}
	case len(*province) != 2 || strings.Trim(*province, "0123456789") != "":
		return exitUsage, usageError{fmt.Sprintf("remind: --province %q: cần mã tỉnh 2 chữ số, ví dụ 19 (want a 2-digit code)", *province)}
	}
	if _, ok := dl.Get(*deadline); !ok {
		var ids []string
		for _, d := range dl.All() {
			ids = append(ids, d.ID)
		}
		return exitUsage, usageError{fmt.Sprintf("remind: --deadline %q: không có kỳ báo cáo này (want one of %s)", *deadline, strings.Join(ids, ", "))}
	}
	if err := checkProvince("remind", *year, *province); err != nil {
		return exitUsage, err
	}
	if err := needLake(*lake); err != nil {
		return exitUsage, err
	}
	at := time.Now()
	if *atFlag != "" {
		if at, err = parseAt(*atFlag); err != nil {
			return exitUsage, err
		}
	}
	r, err := report.Remind(ctx, report.RemindOptions{Lake: local.New(*lake), Year: *year, Province: *province, Deadline: *deadline,
		At: at, Deadlines: dl, Log: quietLog})
	if err != nil {
		return exitRuntime, err
	}
	body, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return exitRuntime, fmt.Errorf("remind: %w", err)
	}
	body = append(body, '\n')
	if *jsonOut == "-" {
		_, err := stdout.Write(body)
		return exitOK, err
	}
	path := *jsonOut
	if path == "" {
		path = defaultReminderPath(*lake, r)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return exitRuntime, fmt.Errorf("remind: %w", err)
	}
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return exitRuntime, fmt.Errorf("remind: %w", err)
	}
	fmt.Fprint(stdout, r.Text())
	fmt.Fprintf(stdout, "\nDanh sách (JSON): %s\n", path)
	return exitOK, nil
}

// parseAt reads --at: a day is 08:00 in Vietnam (deadlines.ReminderHour).
func parseAt(v string) (time.Time, error) {
	if d, err := time.ParseInLocation(time.DateOnly, v, deadlines.ICT); err == nil {
		return d.Add(deadlines.ReminderHour * time.Hour), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, usageError{fmt.Sprintf("remind: --at %q: cần ngày YYYY-MM-DD hoặc thời điểm RFC 3339, ví dụ 2026-12-08 hoặc 2026-12-08T08:00:00+07:00", v)}
}

// defaultReminderPath is <lake>/../reminders/<year>/<deadline>/province=<P>/<at>.json.
func defaultReminderPath(lake string, r *report.Reminder) string {
	name := r.At.In(deadlines.ICT).Format("2006-01-02T1504") + ".json"
	return filepath.Join(filepath.Dir(filepath.Clean(lake)), "reminders", lakekey.ReportDir(r.Year, r.Deadline, r.Province), name)
}
