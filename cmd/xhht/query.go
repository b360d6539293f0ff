package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/rollup"
)

func cmdQuery(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newCommand("query", Help{
		Usage:   `xhht query [--lake DIR | --s3 s3://bucket/prefix] [--format table|csv|json] "SELECT …"`,
		Summary: "truy vấn SQL (DuckDB) trên các bảng tổng hợp của kho (query the lake's roll-ups with SQL)",
		Details: `Các view (views): hamlets, communes, districts, provinces, nation, completeness, submissions, receipts, reviews, audit
(rebased_* khi có quy đổi). Cột (columns): docs/COLUMNS.md. Cột at (reviews, audit) là từ khoá của DuckDB:
  viết trong ngoặc kép, "at" (quote it: SELECT "at" FROM audit ORDER BY "at").
table: mỗi hàng một dòng; xuống dòng trong ô in là ↵, tab là ⇥ (newlines shown as ↵; csv and json keep them).
Thời gian (times): TIMESTAMPTZ in kèm độ lệch múi giờ (with its offset, 2026-11-20T05:10:15Z); TIMESTAMP không
  múi giờ, ví dụ sau AT TIME ZONE 'Asia/Ho_Chi_Minh', in không kèm múi giờ (a wall time: 2026-11-20 12:10:15).
csv: ô chữ bắt đầu bằng = + - @ tab CR được thêm ' để bảng tính không chạy như công thức (as in the reports).
json: mỗi dòng một đối tượng, giữ thứ tự cột, số là số, NULL là null (one object per line, order and types kept).`,
		Examples: []string{
			`xhht query "SELECT commune_name, ty_le_ho_dat, dat_chi_tieu_ho_dat FROM communes WHERE province_code = '19'"`,
			`xhht query --format csv "SELECT * FROM completeness WHERE level = 'province'" > nop.csv`,
		},
	})
	lake := fs.String("lake", defaultLake, "lake directory `DIR`")
	format := fs.String("format", "table", "output `format`: table, csv or json")
	s3url, endpoint := s3Flags(fs)
	cache := fs.String("cache", "xhht-data/s3-cache", "with --s3: local copy (`DIR`) of the lake the views read")
	snapshot := fs.String("snapshot", "", "query a snapshot `DIR` written by xhht rollup --approved-only (views hamlets, communes, districts, provinces, completeness, flags) instead of the lake")
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() != 1 {
		return exitUsage, usageError{"query: cần đúng một câu SQL (one SQL statement)"}
	}
	switch *format {
	case "table", "csv", "json":
	default:
		return exitUsage, usageError{fmt.Sprintf("query: --format %q: cần table, csv hoặc json (want table, csv or json)", *format)}
	}
	if *snapshot != "" {
		return querySnapshot(ctx, stdout, *snapshot, *format, fs.Arg(0))
	}
	if *s3url != "" {
		store, err := s3Lake(ctx, *s3url, *endpoint)
		if err != nil {
			return exitRuntime, err
		}
		st, err := rollup.Mirror(ctx, store, *cache, true)
		if err != nil {
			return exitRuntime, err
		}
		fmt.Fprintf(os.Stderr, "Đã đồng bộ %s → %s: %d tệp tải về, %d không đổi, %d xoá\n", *s3url, *cache, st.Copied, st.Skipped, st.Removed)
		*lake = *cache
	} else if err := needLake(*lake); err != nil {
		return exitRuntime, err
	}
	db, err := rollup.OpenViews(ctx, *lake)
	if err != nil {
		return exitRuntime, fmt.Errorf("đọc kho dữ liệu %s (read the lake): %w", *lake, err)
	}
	defer db.Close()
	return answer(ctx, db, stdout, *format, fs.Arg(0))
}

// querySnapshot answers q over a snapshot directory (xhht rollup
// --approved-only): its tables as views, nothing of the lake.
func querySnapshot(ctx context.Context, stdout io.Writer, dir, format, q string) (int, error) {
	if _, err := os.Stat(filepath.Join(dir, rollup.Communes+".parquet")); err != nil {
		return exitUsage, usageError{fmt.Sprintf("query: --snapshot %s: không phải bản tổng hợp của xhht rollup --approved-only (no %s.parquet there)", dir, rollup.Communes)}
	}
	db, err := rollup.OpenSnapshot(ctx, dir)
	if err != nil {
		return exitRuntime, fmt.Errorf("đọc %s (read the snapshot): %w", dir, err)
	}
	defer db.Close()
	return answer(ctx, db, stdout, format, q)
}

// answer runs q and prints its whole result in format.
func answer(ctx context.Context, db *sql.DB, stdout io.Writer, format, q string) (int, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return exitRuntime, withKeywordHint(queryError(err), q)
	}
	defer rows.Close()
	// The whole result is read before anything is printed: a query that
	// fails half-way prints no partial output.
	res, err := readResult(rows)
	if err != nil {
		return exitRuntime, queryError(err)
	}
	var buf bytes.Buffer
	switch format {
	case "csv":
		err = res.writeCSV(&buf)
	case "json":
		err = res.writeJSONLines(&buf)
	default:
		res.writeTable(&buf)
		fmt.Fprintf(&buf, "(%d dòng)\n", len(res.rows))
	}
	if err != nil {
		return exitRuntime, err
	}
	if _, err := stdout.Write(buf.Bytes()); err != nil {
		return exitRuntime, err
	}
	return exitOK, nil
}

// queryError sorts a DuckDB error: a statement DuckDB cannot parse, bind
// or evaluate is the analyst's mistake (usage, exit 2); anything else, as
// a Parquet file it cannot read, is a runtime failure (exit 3).
func queryError(err error) error {
	var de *duckdb.Error
	if errors.As(err, &de) {
		switch de.Type {
		case duckdb.ErrorTypeParser, duckdb.ErrorTypeSyntax, duckdb.ErrorTypeCatalog, duckdb.ErrorTypeBinder,
			duckdb.ErrorTypeConversion, duckdb.ErrorTypeMismatchType, duckdb.ErrorTypeOutOfRange,
			duckdb.ErrorTypeDivideByZero, duckdb.ErrorTypeNotImplemented, duckdb.ErrorTypeInvalidType:
			return usageError{"query: " + err.Error()}
		}
	}
	return fmt.Errorf("query: %w", err)
}

// withKeywordHint adds, to a statement DuckDB could not parse that names
// a column `at` (views reviews and audit) unquoted, how to write it:
// AT is a DuckDB keyword (AT TIME ZONE), so `SELECT at FROM audit` is a
// syntax error. The column keeps its name (a stable contract,
// docs/COLUMNS.md); "at" in double quotes reads it.
func withKeywordHint(err error, q string) error {
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(ue.msg, "Parser Error") || !bareAt(q) {
		return err
	}
	ue.msg += "\nGợi ý (hint): at là từ khoá của DuckDB; cột at của reviews và audit phải viết trong ngoặc kép: " +
		`SELECT "at" FROM audit ORDER BY "at" (docs/COLUMNS.md)`
	return ue
}

// bareAt reports whether q has the word at outside quotes and not as AT
// TIME ZONE, nor qualified (a.at parses).
func bareAt(q string) bool {
	lower := strings.ToLower(q)
	inSingle, inDouble := false, false
	for i := 0; i < len(lower); i++ {
		switch c := lower[i]; {
		case c == '\'' && !inDouble:
			inSingle = !inSingle
		case c == '"' && !inSingle:
			inDouble = !inDouble
		case inSingle || inDouble || !strings.HasPrefix(lower[i:], "at"):
			// quoted text or name, or not "at"
		case i > 0 && (isWordByte(lower[i-1]) || lower[i-1] == '.'):
			// the end of a longer word (format), or qualified (a.at)
		case i+2 < len(lower) && isWordByte(lower[i+2]):
			// the start of a longer word (action)
		case strings.HasPrefix(strings.TrimLeft(lower[i+2:], " \t\r\n"), "time"):
			// AT TIME ZONE
		default:
			return true
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 0x80
}

// result is a query's whole answer: column names, DuckDB type names, values.
type result struct {
	cols  []string
	types []string // DuckDB's names: "BIGINT", "TIMESTAMPTZ", "TIMESTAMP", "DATE", "VARCHAR" …
	rows  [][]any
}

func readResult(rows *sql.Rows) (*result, error) {
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	res := &result{}
	for _, ct := range cts {
		res.cols = append(res.cols, ct.Name())
		res.types = append(res.types, ct.DatabaseTypeName())
	}
	for rows.Next() {
		vals := make([]any, len(cts))
		ptrs := make([]any, len(cts))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		res.rows = append(res.rows, vals)
	}
	return res, rows.Err()
}

// text is a value as text: NULL as null (the caller's word for it), times
// with their real offset or none, short rounds floats to 4 significant
// digits for the terminal.
func text(v any, typ, null string, short bool) string {
	switch x := v.(type) {
	case nil:
		return null
	case time.Time:
		return timeText(x, typ)
	case float64:
		if short {
			return strconv.FormatFloat(x, 'g', 4, 64)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return text(float64(x), typ, null, short)
	case []byte:
		return string(x)
	case *big.Int:
		return x.String()
	case duckdb.Decimal:
		return x.String()
	case duckdb.UUID:
		return x.String()
	}
	return fmt.Sprint(v)
}

// timeText writes a time as its DuckDB type means it. TIMESTAMPTZ is an
// instant: RFC 3339 with its offset (the driver gives it in UTC, so Z).
// TIMESTAMP has no zone (a value converted with AT TIME ZONE is the wall
// clock there): no offset is printed, since any would be invented.
func timeText(t time.Time, typ string) string {
	switch {
	case typ == "DATE":
		return t.Format(time.DateOnly)
	case typ == "TIME":
		return t.Format("15:04:05.999999")
	case typ == "TIMETZ":
		return t.Format("15:04:05.999999Z07:00")
	case typ == "TIMESTAMPTZ":
		return t.Format(time.RFC3339Nano)
	case strings.HasPrefix(typ, "TIMESTAMP"):
		return t.Format("2006-01-02 15:04:05.999999999")
	}
	return t.Format(time.RFC3339Nano)
}

// writeCSV writes a header and one record per row. NULL is an empty field.
// A text value a spreadsheet would run as a formula is neutralised as in
// the reports (report.CSVSafe); numbers are not text and are left alone.
func (r *result) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(r.cols); err != nil {
		return err
	}
	rec := make([]string, len(r.cols))
	for _, row := range r.rows {
		for i, v := range row {
			rec[i] = text(v, r.types[i], "", false)
			switch v.(type) {
			case string, []byte:
				rec[i] = report.CSVSafe(rec[i])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeJSONLines writes one object per row, keys in column order: numbers
// as JSON numbers, booleans as booleans, NULL as null, times and text as
// strings. A float that JSON cannot hold (NaN, ±Inf) is a string.
func (r *result) writeJSONLines(w io.Writer) error {
	var b bytes.Buffer
	for _, row := range r.rows {
		b.Reset()
		b.WriteByte('{')
		for i, v := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(r.cols[i])
			b.Write(k)
			b.WriteByte(':')
			val, err := jsonValue(v, r.types[i])
			if err != nil {
				return fmt.Errorf("query: column %s: %w", r.cols[i], err)
			}
			b.Write(val)
		}
		b.WriteString("}\n")
		if _, err := w.Write(b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

func jsonValue(v any, typ string) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return []byte("null"), nil
	case int8, int16, int32, int64, int, uint8, uint16, uint32, uint64, uint:
		return []byte(fmt.Sprint(x)), nil
	case *big.Int:
		return []byte(x.String()), nil
	case duckdb.Decimal:
		return []byte(x.String()), nil
	case float32:
		return jsonValue(float64(x), typ)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return json.Marshal(strconv.FormatFloat(x, 'g', -1, 64))
		}
		return []byte(strconv.FormatFloat(x, 'g', -1, 64)), nil
	case bool, string:
		return json.Marshal(x)
	case []byte:
		if utf8.Valid(x) {
			return json.Marshal(string(x))
		}
		return json.Marshal(x) // base64
	case time.Time:
		return json.Marshal(timeText(x, typ))
	case duckdb.UUID:
		return json.Marshal(x.String())
	}
	if b, err := json.Marshal(v); err == nil {
		return b, nil // lists, structs
	}
	return json.Marshal(fmt.Sprint(v))
}

// oneLine is a value as the aligned table prints it, on one line: a line
// break (\n, \r\n or \r) is shown as ↵, a tab as ⇥, any other control
// character as its Unicode "control picture" (ESC as ␛, so commune text
// cannot drive the terminal), C1 controls as �. Only the table: csv and
// json keep values as they are.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r':
			return '↵'
		case r == '\t':
			return '⇥'
		case r < 0x20:
			return 0x2400 + r // ␀ … ␟
		case r == 0x7f:
			return '␡'
		case unicode.IsControl(r):
			return '\uFFFD'
		}
		return r
	}, s)
}

// writeTable aligns columns by rune count (Vietnamese names are multi-byte),
// each row on one line (oneLine).
func (r *result) writeTable(w io.Writer) {
	data := make([][]string, len(r.rows))
	width := make([]int, len(r.cols))
	for i, c := range r.cols {
		width[i] = utf8.RuneCountInString(c)
	}
	for j, row := range r.rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = oneLine(text(v, r.types[i], "NULL", true))
			width[i] = max(width[i], utf8.RuneCountInString(rec[i]))
		}
		data[j] = rec
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
	cols := make([]string, len(r.cols))
	for i, c := range r.cols {
		cols[i] = oneLine(c)
	}
	line(cols)
	for _, rec := range data {
		line(rec)
	}
}
