package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// queryLake is a small lake: one commune (05443) with two hamlets, one of
// them named like a spreadsheet formula, uploaded at a known instant,
// ingested and rolled up by the CLI.
func queryLake(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	up, lake := filepath.Join(dir, "uploads"), filepath.Join(dir, "lake")
	file := filepath.Join(up, "2026", "19", "05443", "bao-cao.csv")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	body := "STT;Tên thôn;Tổng số hộ;Số hộ đăng ký;Số hộ được công nhận\n1;=1+2;120;100;90\n2;Thôn Bản Cái;80;70;60\n;Tổng cộng;200;170;150\n"
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 5, 10, 15, 0, time.UTC) // 12:10:15 in Vietnam
	if err := os.Chtimes(file, at, at); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"ingest", "--uploads", up, "--lake", lake},
		{"rollup", "--lake", lake, "--year", "2026", "--province", "19"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out.String(), errOut.String())
		}
	}
	return lake
}

func TestQueryOutput(t *testing.T) {
	lake := queryLake(t)
	tests := []struct {
		name   string
		format string
		sql    string
		want   string
	}{
		{"json keeps order, numbers and null", "json",
			"SELECT ten_thon, ho_tong, ho_dat, NULL AS khong, ho_tong > 100 AS lon, 1.25::DOUBLE AS f FROM hamlets ORDER BY ho_tong DESC",
			`{"ten_thon":"=1+2","ho_tong":120,"ho_dat":90,"khong":null,"lon":true,"f":1.25}` + "\n" +
				`{"ten_thon":"Thôn Bản Cái","ho_tong":80,"ho_dat":60,"khong":null,"lon":false,"f":1.25}` + "\n"},
		{"json column order is the query's, not alphabetical", "json",
			"SELECT 2 AS z, 1 AS a", `{"z":2,"a":1}` + "\n"},
		{"csv neutralises formula text, not numbers", "csv",
			"SELECT ten_thon, ho_tong, -5 AS am, '+84 912' AS sdt, '@x' AS a, chr(9) || 'tab' AS t, ' =x' AS s FROM hamlets ORDER BY ho_tong DESC LIMIT 1",
			"ten_thon,ho_tong,am,sdt,a,t,s\n'=1+2,120,-5,'+84 912,'@x,'\ttab,' =x\n"},
		{"an instant keeps its offset", "csv",
			"SELECT DISTINCT received_at FROM submissions", "received_at\n2026-11-20T05:10:15Z\n"},
		{"a converted time is not labelled Z", "csv",
			"SELECT DISTINCT received_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS gio_vn, CAST(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS DATE) AS ngay FROM submissions",
			"gio_vn,ngay\n2026-11-20 12:10:15,2026-11-20\n"},
		{"json times", "json",
			"SELECT DISTINCT received_at, received_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS gio_vn FROM submissions",
			`{"received_at":"2026-11-20T05:10:15Z","gio_vn":"2026-11-20 12:10:15"}` + "\n"},
		{"table", "table",
			"SELECT ten_thon, ho_dat, NULL AS k FROM hamlets ORDER BY ho_tong",
			"ten_thon      ho_dat  k\nThôn Bản Cái  60      NULL\n=1+2          90      NULL\n(2 dòng)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), []string{"query", "--lake", lake, "--format", tt.format, tt.sql}, &out, &errOut)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			if out.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", out.String(), tt.want)
			}
		})
	}
	// The CSV reads back as the values it was given, with the guard quote.
	var out, errOut bytes.Buffer
	run(context.Background(), []string{"query", "--lake", lake, "--format", "csv", "SELECT ten_thon FROM hamlets WHERE ho_tong = 120"}, &out, &errOut)
	recs, err := csv.NewReader(strings.NewReader(out.String())).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][0] != "'=1+2" {
		t.Errorf("csv read back: %q, %v", recs, err)
	}
}

// TestQueryExitStatus: a lake that is not there is a usage error (2), as
// is SQL DuckDB rejects; a file that cannot be read is a runtime failure (3).
func TestQueryExitStatus(t *testing.T) {
	lake := queryLake(t)
	notParquet := filepath.Join(t.TempDir(), "x.parquet")
	if err := os.WriteFile(notParquet, []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	aFile := filepath.Join(t.TempDir(), "lake")
	if err := os.WriteFile(aFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"missing lake", []string{"query", "--lake", filepath.Join(lake, "khong-co"), "SELECT * FROM communes"}, 2, "no lake directory"},
		{"lake is a file", []string{"query", "--lake", aFile, "SELECT 1"}, 2, "no lake directory"},
		{"unknown table", []string{"query", "--lake", lake, "SELECT * FROM khong_co"}, 2, "khong_co"},
		{"syntax", []string{"query", "--lake", lake, "SELEC 1"}, 2, "Parser Error"},
		{"bad format", []string{"query", "--lake", lake, "--format", "xml", "SELECT 1"}, 2, "--format"},
		{"unreadable file", []string{"query", "--lake", lake, "SELECT * FROM read_parquet('" + notParquet + "')"}, 3, "x.parquet"},
		{"ok", []string{"query", "--lake", lake, "SELECT count(*) FROM hamlets"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tt.code, out.String(), errOut.String())
			}
			if !strings.Contains(errOut.String(), tt.err) {
				t.Errorf("stderr lacks %q: %s", tt.err, errOut.String())
			}
			if code != 0 && out.Len() != 0 {
				t.Errorf("a failed query printed on stdout: %s", out.String())
			}
		})
	}
}

// TestIngestExitStatus: ingest exits 1 when an upload is rejected, as
// validate does, and writes its receipt all the same.
func TestIngestExitStatus(t *testing.T) {
	dir := t.TempDir()
	up, lake := filepath.Join(dir, "uploads"), filepath.Join(dir, "lake")
	put := func(key, body string) {
		p := filepath.Join(up, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	good := "STT;Tên thôn;Tổng số hộ;Số hộ đăng ký;Số hộ được công nhận\n1;Thôn A;120;100;90\n;Tổng cộng;120;100;90\n"
	put("2026/19/05443/a.csv", good)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"ingest", "--uploads", up, "--lake", lake}, &out, &errOut); code != 0 {
		t.Fatalf("all accepted: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	put("2026/19/05443/b.csv", strings.Replace(good, ";120;100;90\n;", ";120;100;abc\n;", 1))
	out.Reset()
	if code := run(context.Background(), []string{"ingest", "--uploads", up, "--lake", lake}, &out, &errOut); code != 1 {
		t.Fatalf("one rejected: exit %d, want 1\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "2 tệp, 1 bị từ chối") {
		t.Errorf("summary: %s", out.String())
	}
}

// L-F (review of issue 15, session 8): the audit view's column at is a
// DuckDB keyword. Quoted as docs/COLUMNS.md says, it reads; unquoted, the
// usage error says how to write it; AT TIME ZONE and a.at get no hint.
// The aligned table prints a multi-line comment on one line (↵), while
// csv and json keep the line break.
func TestQueryAuditAtAndMultiLine(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lake := local.New(dir)
	id, err := (rolluptest.Upload{Year: 2026, Commune: "01840", At: time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC),
		Hamlets: []map[string]any{{"ho_tong": int64(100), "ho_dat": int64(80)}}}).Write(ctx, lake)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := review.Apply(ctx, lake, review.Action{Kind: review.KindReturn, Year: 2026, Province: "19", Commune: "01840",
		Submission: id, Comment: "Dòng 1\nDòng 2\tcột", By: review.Actor{Role: access.RoleProvince, Province: "19", CodeID: "test", Year: 2026}}); err != nil {
		t.Fatal(err)
	}
	cli := func(want int, args ...string) (string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run(ctx, append([]string{"query", "--lake", dir}, args...), &out, &errOut); code != want {
			t.Fatalf("%v: exit %d, want %d: %s%s", args, code, want, out.String(), errOut.String())
		}
		return out.String(), errOut.String()
	}
	const hint = `Gợi ý (hint): at là từ khoá của DuckDB; cột at của reviews và audit phải viết trong ngoặc kép: SELECT "at" FROM audit ORDER BY "at"`

	// The example of docs/COLUMNS.md, as a shell passes it, runs.
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "COLUMNS.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, ex, ok := strings.Cut(string(doc), "\nxhht query \"SELECT commune_code, action,")
	ex, _, _ = strings.Cut(ex, "\n")
	if !ok || !strings.HasSuffix(ex, `"`) {
		t.Fatal("docs/COLUMNS.md: no audit example")
	}
	ex = strings.ReplaceAll("SELECT commune_code, action,"+strings.TrimSuffix(ex, `"`), `\"`, `"`)
	out, _ := cli(exitOK, "--format", "csv", ex)
	if !strings.HasPrefix(out, "commune_code,action,from_state,to_state,comment,at\n01840,return,submitted,returned,\"Dòng 1\nDòng 2\tcột\",2026-") {
		t.Errorf("csv:\n%s", out)
	}
	for _, q := range []string{"SELECT at FROM audit", "SELECT commune_code FROM audit ORDER BY at", "SELECT comment,at FROM audit"} {
		if _, errOut := cli(exitUsage, q); !strings.Contains(errOut, "Parser Error") || !strings.Contains(errOut, hint) {
			t.Errorf("%s: stderr lacks the hint:\n%s", q, errOut)
		}
	}
	// Other parser errors get no hint: AT TIME ZONE, a word containing at,
	// "at" quoted or in a string.
	for _, q := range []string{`SELEC "at" AT TIME ZONE 'UTC' FROM audit`, "SELEC action, format FROM audit", `SELEC 'at' FROM audit`} {
		if _, errOut := cli(exitUsage, q); strings.Contains(errOut, "Gợi ý") {
			t.Errorf("%s: a hint about at:\n%s", q, errOut)
		}
	}
	if out, _ := cli(exitOK, "SELECT a.at IS NOT NULL AS co FROM audit a"); out != "co\ntrue\n(1 dòng)\n" {
		t.Errorf("a.at:\n%s", out)
	}

	// Aligned table: one line per row.
	out, _ = cli(exitOK, "SELECT action, comment, 'x' || chr(27) || '[31m' AS esc FROM audit")
	want := "action  comment" + strings.Repeat(" ", 17-7+2) + "esc\nreturn  Dòng 1↵Dòng 2⇥cột  x␛[31m\n(1 dòng)\n"
	if out != want {
		t.Errorf("table:\n%s\nwant\n%s", out, want)
	}
	out, _ = cli(exitOK, "--format", "json", `SELECT comment FROM audit`)
	if out != `{"comment":"Dòng 1\nDòng 2\tcột"}`+"\n" {
		t.Errorf("json:\n%s", out)
	}
}
