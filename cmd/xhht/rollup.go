package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
	"github.com/xhht/xhht/pipeline/storage/s3store"
)

func s3Flags(fs *flag.FlagSet) (url, endpoint *string) {
	url = fs.String("s3", "", "lake in S3 instead of --lake: s3://bucket/prefix (credentials and region from the usual AWS environment)")
	endpoint = fs.String("endpoint", "", "with --s3: an S3-compatible endpoint, e.g. http://127.0.0.1:7070 (path-style)")
	return url, endpoint
}

// s3Lake opens s3://bucket/prefix as a lake store.
func s3Lake(ctx context.Context, url, endpoint string) (storage.Store, error) {
	rest, ok := strings.CutPrefix(url, "s3://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	if !ok || bucket == "" {
		return nil, usageError{fmt.Sprintf("--s3 %q: cần dạng s3://bucket/prefix (want s3://bucket/prefix)", url)}
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	client, err := s3store.NewClient(ctx, s3store.Options{Endpoint: endpoint, PathStyle: endpoint != ""})
	if err != nil {
		return nil, err
	}
	return s3store.New(client, bucket, prefix), nil
}

func cmdRollup(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newFlags("rollup")
	lake := fs.String("lake", defaultLake, "lake directory")
	year := fs.Int("year", 0, "reporting year (required)")
	province := fs.String("province", "", "province code; empty = every province")
	units := fs.String("units", "", "re-base a pre-2025 year on a newer register, e.g. 2025")
	s3url, endpoint := s3Flags(fs)
	verbose := fs.Bool("v", false, "log each step's time to stderr")
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	log := quietLog
	if *verbose {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if *year == 0 {
		return exitUsage, usageError{"rollup: thiếu --year (--year is required)"}
	}
	if fs.NArg() > 0 {
		return exitUsage, usageError{fmt.Sprintf("rollup: thừa đối số %q (unexpected arguments; the province is --province)", fs.Args())}
	}
	var store storage.Store = local.New(*lake)
	if *s3url == "" {
		if err := needLake(*lake); err != nil {
			return exitUsage, err
		}
	}
	if *s3url != "" {
		var err error
		if store, err = s3Lake(ctx, *s3url, *endpoint); err != nil {
			return exitUsage, err
		}
		*lake = *s3url
	}
	// The following year's roll-up carries this year's rates (last
	// year's, there): it is rebuilt too when it exists.
	res, next, err := rollup.BuildKeepingNextYear(ctx, rollup.Options{Lake: store, Year: *year, Province: *province, Units: *units, Log: log})
	if res == nil {
		return exitUsage, err
	}
	printBuild(stdout, res, *lake)
	if next != nil {
		fmt.Fprintf(stdout, "Tổng hợp lại năm %d (tỷ lệ năm trước đã thay đổi): %d tỉnh, %d ms\n", *year+1, len(next.Provinces), next.Elapsed.Milliseconds())
	}
	if err != nil {
		return exitUsage, err
	}
	return exitOK, nil
}

func printBuild(w io.Writer, res *rollup.Result, lake string) {
	fmt.Fprintf(w, "Tổng hợp %s: %d tỉnh, %d bản nộp được tính, %d ms", res.BuildID, len(res.Provinces), res.Inputs, res.Elapsed.Milliseconds())
	if res.Nation {
		fmt.Fprint(w, ", cả nước")
	}
	fmt.Fprintln(w)
	if len(res.Stale) > 0 {
		fmt.Fprintf(w, "Bỏ qua (đã có lần tổng hợp mới hơn): %s\n", strings.Join(res.Stale, ", "))
	}
	if len(res.NotRebased) > 0 {
		fmt.Fprintf(w, "%d xã cũ bị chia tách chưa quy đổi được (cần phân bổ thôn trong schemas/%s):\n", len(res.NotRebased), rollup.HamletAssignmentFile)
		for i, n := range res.NotRebased {
			if i == 10 {
				fmt.Fprintf(w, "  … và %d xã khác\n", len(res.NotRebased)-10)
				break
			}
			fmt.Fprintf(w, "  %s %s → %s (%d thôn)\n", n.OldCode, n.OldName, strings.Join(n.NewCodes, ", "), n.Hamlets)
		}
	}
	if strings.HasPrefix(lake, "s3://") {
		fmt.Fprintf(w, "Kết quả: %s/rollups   (xhht query --s3 %s \"SELECT * FROM provinces\")\n", strings.TrimSuffix(lake, "/"), lake)
		return
	}
	fmt.Fprintf(w, "Kết quả: %s/rollups   (xhht query --lake %s \"SELECT * FROM provinces\")\n", abs(lake), lake)
}

func cmdQuery(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newFlags("query")
	lake := fs.String("lake", defaultLake, "lake directory")
	format := fs.String("format", "table", "output: table, csv or json")
	s3url, endpoint := s3Flags(fs)
	cache := fs.String("cache", "xhht-data/s3-cache", "with --s3: local copy of the lake the views read")
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() != 1 {
		return exitUsage, usageError{"query: cần đúng một câu SQL (one SQL statement)"}
	}
	if *s3url != "" {
		store, err := s3Lake(ctx, *s3url, *endpoint)
		if err != nil {
			return exitUsage, err
		}
		st, err := rollup.Mirror(ctx, store, *cache, true)
		if err != nil {
			return exitUsage, err
		}
		fmt.Fprintf(os.Stderr, "Đã đồng bộ %s → %s: %d tệp tải về, %d không đổi, %d xoá\n", *s3url, *cache, st.Copied, st.Skipped, st.Removed)
		*lake = *cache
	}
	db, err := rollup.OpenViews(ctx, *lake)
	if err != nil {
		return exitUsage, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, fs.Arg(0))
	if err != nil {
		return exitUsage, err
	}
	defer rows.Close()
	return exitOK, printRows(stdout, rows, *format)
}

// printRows writes a result set as an aligned table, CSV or JSON lines.
func printRows(w io.Writer, rows *sql.Rows, format string) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	var data [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		rec := make([]string, len(cols))
		for i, v := range vals {
			rec[i] = cell(v, format == "table")
		}
		data = append(data, rec)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	switch format {
	case "csv":
		return writeCSV(w, cols, data)
	case "json":
		return writeJSONLines(w, cols, data)
	case "table":
		writeTable(w, cols, data)
		fmt.Fprintf(w, "(%d dòng)\n", len(data))
		return nil
	}
	return usageError{fmt.Sprintf("query: --format %q (table, csv, json)", format)}
}

// cell is a value as text; short rounds decimals to 4 significant digits
// for the terminal, CSV and JSON keep every digit.
func cell(v any, short bool) string {
	switch x := v.(type) {
	case nil:
		if short {
			return "NULL"
		}
		return ""
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case float64:
		if short {
			return strconv.FormatFloat(x, 'g', 4, 64)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

func writeCSV(w io.Writer, cols []string, data [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(cols); err != nil {
		return err
	}
	if err := cw.WriteAll(data); err != nil {
		return err
	}
	return cw.Error()
}

// writeJSONLines writes one object per row; NULL is an empty string there
// too, so every value is a string: analysts parse what they need.
func writeJSONLines(w io.Writer, cols []string, data [][]string) error {
	enc := json.NewEncoder(w)
	for _, rec := range data {
		m := make(map[string]string, len(cols))
		for i, c := range cols {
			m[c] = rec[i]
		}
		if err := enc.Encode(m); err != nil {
			return err
		}
	}
	return nil
}

// writeTable aligns columns by rune count (Vietnamese names are multi-byte).
func writeTable(w io.Writer, cols []string, data [][]string) {
	width := make([]int, len(cols))
	for i, c := range cols {
		width[i] = utf8.RuneCountInString(c)
	}
	for _, rec := range data {
		for i, v := range rec {
			width[i] = max(width[i], utf8.RuneCountInString(v))
		}
	}
	line := func(rec []string) {
		var b strings.Builder
		for i, v := range rec {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(v)
			if i < len(rec)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(v)))
			}
		}
		fmt.Fprintln(w, b.String())
	}
	line(cols)
	for _, rec := range data {
		line(rec)
	}
}

// needLake refuses a lake directory that does not exist: a mistyped
// --lake must not read as "nothing submitted anywhere".
func needLake(dir string) error {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usageError{fmt.Sprintf("không có kho dữ liệu %s (no lake directory %s)", dir, dir)}
	}
	return nil
}
