package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// TestRunDemo is `make run` as a user sees it: every commune of the
// province gets an answer, each planted mistake is rejected with its own
// code, and running it again changes no byte of the lake.
func TestRunDemo(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"run", "--dir", dir}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	receipts := map[string][]map[string]any{} // commune → receipts
	first := snapshot(t, filepath.Join(dir, "lake"))
	for key, body := range first {
		if !strings.HasPrefix(key, "receipts/") {
			continue
		}
		var rc map[string]any
		if err := json.Unmarshal(body, &rc); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		receipts[rc["commune_code"].(string)] = append(receipts[rc["commune_code"].(string)], rc)
	}
	// Thái Nguyên has 92 communes in the 2026 register; the demo leaves two silent.
	if len(receipts) != 90 {
		t.Errorf("%d communes have receipts, want 90", len(receipts))
	}
	codes := map[string]int{}
	for _, list := range receipts {
		for _, rc := range list {
			if rc["status"] != "rejected" {
				continue
			}
			for _, e := range rc["errors"].([]any) {
				e := e.(map[string]any)
				if why := receipt.WordingProblem(e["message"].(string)); why != "" {
					t.Errorf("%s: message with %s: %s", rc["source_key"], why, e["message"])
				}
				if e["severity"] == "error" {
					codes[e["code"].(string)]++
				}
			}
		}
	}
	for _, want := range []string{"constraint-error", "totals-mismatch", "type-error", "duplicate-key", "year-mismatch", "missing-column", "commune-mismatch"} {
		if codes[want] == 0 {
			t.Errorf("no rejected file shows %s (codes seen: %v)", want, codes)
		}
	}
	// The roll-up's province total equals the sum of the accepted
	// receipts' totals (each commune has one accepted upload in the demo).
	var hoTong, hoDat int64
	for _, list := range receipts {
		for _, rc := range list {
			if rc["status"] == "accepted" {
				tot := rc["totals"].(map[string]any)
				hoTong += int64(tot["ho_tong"].(float64))
				hoDat += int64(tot["ho_dat"].(float64))
			}
		}
	}
	var q bytes.Buffer
	if code := run(context.Background(), []string{"query", "--lake", filepath.Join(dir, "lake"), "--format", "csv",
		"SELECT ho_tong, ho_dat FROM provinces WHERE year = 2026 AND province_code = '19'"}, &q, &errOut); code != 0 {
		t.Fatalf("query exit %d: %s", code, errOut.String())
	}
	if want := fmt.Sprintf("ho_tong,ho_dat\n%d,%d\n", hoTong, hoDat); q.String() != want {
		t.Errorf("query = %q, want %q (sums of the accepted receipts)", q.String(), want)
	}
	if !strings.Contains(out.String(), "TỈNH  Tỉnh Thái Nguyên") || !strings.Contains(out.String(), groupThousands(hoDat)+"/"+groupThousands(hoTong)) {
		t.Errorf("make run output lacks the province total %d/%d:\n%s", hoDat, hoTong, out.String())
	}
	for _, s := range []string{"CHƯA NỘP", "TỪ CHỐI", "chấp nhận", "Dữ liệu Parquet:", "Biên nhận (receipts):", "BỊ TỪ CHỐI", "muộn", "Chỉ tiêu GĐHT: QĐ 387",
		"bao-cao-12-01-2026-19.xlsx", "bao-cao-12-15-2026-19.html", "bao-cao-12-15-2026-19.csv"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("summary lacks %q", s)
		}
	}
	// The printed demo code signs in to the portal.
	m := regexp.MustCompile(`nhập mã truy cập: ([A-Z0-9-]+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("make run does not print a portal code:\n%s", out.String())
	}
	if g, err := access.NewAuthority(local.New(filepath.Join(dir, "lake"))).Verify(context.Background(), m[1], time.Now()); err != nil || g.Year != 2026 || g.Province != "19" {
		t.Errorf("the printed demo code does not verify: %+v %v", g, err)
	}
	// Again: same uploads, same ids, same bytes.
	if code := run(context.Background(), []string{"run", "--dir", dir}, &bytes.Buffer{}, &errOut); code != 0 {
		t.Fatalf("second run exit %d: %s", code, errOut.String())
	}
	// Roll-up outputs carry a new build id each run, and each run reissues
	// the portal's demo code (access/, not derived from the uploads); the
	// rest may not change.
	second := snapshot(t, filepath.Join(dir, "lake"))
	for _, m := range []map[string][]byte{first, second} {
		for k := range m {
			if strings.HasPrefix(k, "rollups/") || strings.HasPrefix(k, "access/") {
				delete(m, k)
			}
		}
	}
	if len(second) != len(first) {
		t.Fatalf("second run: %d lake objects, first %d", len(second), len(first))
	}
	for k, v := range first {
		if !bytes.Equal(v, second[k]) {
			t.Errorf("%s changed on the second run", k)
		}
	}
}

func snapshot(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestQueryAndRollupErrors(t *testing.T) {
	lake := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"rollup without year", []string{"rollup", "--lake", lake}, "--year"},
		{"rollup stray argument", []string{"rollup", "--lake", lake, "--year", "2026", "19"}, "unexpected arguments"},
		{"rollup missing lake", []string{"rollup", "--lake", lake + "/khong-co", "--year", "2026"}, "no lake directory"},
		{"report missing lake", []string{"report", "--lake", lake + "/khong-co", "--deadline", "12-15", "--year", "2026", "--province", "19"}, "no lake directory"},
		{"report stray argument", []string{"report", "--lake", lake, "--deadline", "12-15", "--year", "2026", "--province", "19", "x"}, "unexpected arguments"},
		{"remind missing lake", []string{"remind", "--lake", lake + "/khong-co", "--deadline", "12-15", "--year", "2026", "--province", "19", "--at", "2026-12-01"}, "no lake directory"},
		{"rollup unknown province", []string{"rollup", "--lake", lake, "--year", "2026", "--province", "06"}, "province \"06\" is not in the 2026-04 register"},
		{"rebase the wrong way", []string{"rollup", "--lake", lake, "--year", "2026", "--units", "pre2025"}, "re-basing goes from a pre-2025 year"},
		{"query without SQL", []string{"query", "--lake", lake}, "một câu SQL"},
		{"query bad SQL", []string{"query", "--lake", lake, "SELECT * FROM khong_co"}, "khong_co"},
		{"query bad s3 url", []string{"query", "--s3", "bucket/x", "SELECT 1"}, "s3://bucket/prefix"},
		{"query bad format", []string{"query", "--lake", lake, "--format", "xml", "SELECT 1"}, "--format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), tt.args, &out, &errOut); code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr %s", code, exitUsage, errOut.String())
			}
			if !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, errOut.String())
			}
		})
	}
}

// An empty lake still has every view, typed and empty, so analysts' saved
// queries run before the first upload.
func TestQueryEmptyLake(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"query", "--lake", t.TempDir(), "--format", "csv",
		"SELECT (SELECT count(*) FROM communes) + (SELECT count(*) FROM completeness) + (SELECT count(*) FROM submissions) + (SELECT count(*) FROM receipts) AS n"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if out.String() != "n\n0\n" {
		t.Errorf("out = %q", out.String())
	}
}

// TestRunRollupTable is the roll-up table of `make run` as a reader sees
// it: a title over every column, the households, hamlets and submission
// groups set apart, so a verdict never reads on into a status.
func TestRunRollupTable(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"run", "--dir", dir}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	text := out.String()
	start := strings.Index(text, "\nTổng hợp năm 2026")
	if start < 0 {
		t.Fatalf("no roll-up table:\n%s", text)
	}
	lines := strings.Split(text[start+1:], "\n")
	groups, titles := lines[1], lines[2]
	for _, g := range []string{"Gia đình học tập (GĐHT)", "Cộng đồng học tập (CĐHT)", "Nộp báo cáo"} {
		if !strings.Contains(groups, g) {
			t.Errorf("group title %q missing: %q", g, groups)
		}
	}
	// Every column's title, in order; the three groups each begin after a bar.
	want := []string{"Mã xã", "Tên xã", "Thôn", "│", "Hộ đạt/Tổng hộ", "Tỷ lệ %", "Chỉ tiêu %", "Kết quả", "│",
		"Tỷ lệ %", "Chỉ tiêu %", "Kết quả", "│", "Hạn 1/12", "Hạn 15/12"}
	rest := titles
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("column title %q missing or out of order in %q", w, titles)
		}
		rest = rest[i+len(w):]
	}
	communes, seen := 0, map[string]bool{}
	for _, l := range lines[3:] {
		if !strings.HasPrefix(l, "0") { // commune codes; the province row is TỈNH
			break
		}
		communes++
		parts := strings.Split(l, "│")
		if len(parts) != 4 {
			t.Fatalf("row without its 3 group bars: %q", l)
		}
		// Each group ends with its verdict; the submission group holds statuses only.
		for _, g := range parts[1:3] {
			f := strings.Fields(g)
			v := f[len(f)-1]
			if f[len(f)-2] == "chưa" {
				v = "chưa " + v
			}
			if v != "đạt" && v != "chưa đạt" && v != "–" {
				t.Errorf("group %q does not end with đạt / chưa đạt / –", g)
			}
			seen[v] = true
		}
		st := strings.TrimSpace(parts[3])
		for _, s := range []string{"đúng hạn", "muộn", "CHƯA NỘP", "BỊ TỪ CHỐI"} {
			st = strings.ReplaceAll(st, s, "")
		}
		if strings.TrimSpace(st) != "" {
			t.Errorf("submission group %q holds %q besides statuses", parts[3], st)
		}
	}
	if communes != 92 {
		t.Errorf("%d commune rows, want the 92 communes of Thái Nguyên", communes)
	}
	if !seen["đạt"] || !seen["chưa đạt"] {
		t.Errorf("verdicts seen %v: want both đạt and chưa đạt", seen)
	}
	if strings.Contains(text, "chưa muộn") || strings.Contains(text, "chưa đúng hạn") {
		t.Error(`a verdict runs into a status ("chưa muộn")`)
	}
	if !strings.Contains(text, "GĐHT: tỷ lệ hộ được công nhận") {
		t.Error("no legend for the abbreviations")
	}
}
