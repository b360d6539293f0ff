package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

const goodCSV = "STT;Tên thôn;Tổng số hộ;Số hộ đăng ký;Số hộ được công nhận\n1;Thôn Nà Rì;1.120;100;90\n2;Thôn Bản Cái;80;70;60\n;Tổng cộng;1.200;170;150\n"

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestValidateExitStatus(t *testing.T) {
	good := writeFile(t, "good.csv", goodCSV)
	bad := writeFile(t, "bad.csv", strings.Replace(goodCSV, "1;Thôn Nà Rì;1.120;100;90", "1;Thôn Nà Rì;1.120;100;abc", 1))
	lake := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		want     int
		contains string
	}{
		{"accepted", []string{"validate", "--lake", lake, "--key", "2026/19/01864/good.csv", good}, 0, "ĐƯỢC CHẤP NHẬN"},
		{"accepted, flags after file", []string{"validate", good, "--lake", lake, "--key", "2026/19/01864/good.csv"}, 0, "ĐƯỢC CHẤP NHẬN"},
		{"rejected cell", []string{"validate", "--lake", lake, "--key", "2026/19/01864/bad.csv", bad}, 1, "Ô E2"},
		{"merged commune code", []string{"validate", "--lake", lake, "--key", "2026/19/05440/good.csv", good}, 1, "05443"},
		{"no key", []string{"validate", good}, 2, ""},
		{"missing file", []string{"validate", "--key", "2026/19/01864/x.csv", filepath.Join(t.TempDir(), "nope.csv")}, 2, ""},
		{"unknown flag", []string{"validate", "--frobnicate", good}, 2, ""},
		{"unknown command", []string{"frobnicate"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			got := run(context.Background(), tt.args, &out, &errOut)
			if got != tt.want {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", got, tt.want, out.String(), errOut.String())
			}
			if tt.contains != "" && !strings.Contains(out.String(), tt.contains) {
				t.Errorf("output lacks %q:\n%s", tt.contains, out.String())
			}
			if tt.want == 2 && errOut.Len() == 0 {
				t.Error("usage error printed nothing on stderr")
			}
		})
	}
}

func TestValidateJSON(t *testing.T) {
	bad := writeFile(t, "bad.csv", strings.Replace(goodCSV, ";80;70;60", ";80;90;60", 1))
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"validate", "--json", "--lake", t.TempDir(), "--key", "2026/19/01864/bad.csv", bad}, &out, &errOut)
	if code != 1 {
		t.Fatalf("exit %d, want 1; %s", code, errOut.String())
	}
	var rc struct {
		Status string `json:"status"`
		Year   int    `json:"year"`
		Errors []struct {
			Code, Severity, Cell, Field, Message, MessageEN string
		} `json:"errors"`
	}
	if err := json.Unmarshal(out.Bytes(), &rc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if rc.Status != "rejected" || rc.Year != 2026 {
		t.Fatalf("status %q year %d", rc.Status, rc.Year)
	}
	// Row 3 (Thôn Bản Cái): registered 90 > total 80, in column D.
	found := false
	for _, e := range rc.Errors {
		if e.Code == "constraint-error" && e.Cell == "D3" && e.Field == "ho_dang_ky" && e.Severity == "error" {
			found = true
		}
	}
	if !found {
		t.Errorf("no constraint-error at D3 for ho_dang_ky: %+v", rc.Errors)
	}
}

func TestCommandUsage(t *testing.T) {
	dir := t.TempDir()
	existing := writeFile(t, "da-dien.xlsx", "an official's filled form")
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"help of a command", []string{"validate", "--help"}, 0},
		{"ingest without the uploads directory", []string{"ingest", "--uploads", filepath.Join(dir, "nope"), "--lake", dir}, 2},
		{"run for a year before the movement's reporting", []string{"run", "--dir", dir, "--year", "2013"}, 2},
		{"template into a .csv name", []string{"template", "--commune", "01864", "--year", "2026", "--lake", dir, "-o", filepath.Join(dir, "x.csv")}, 2},
		{"template over a filled form", []string{"template", "--commune", "01864", "--year", "2026", "--lake", dir, "-o", existing}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if got := run(context.Background(), tt.args, &out, &errOut); got != tt.want {
				t.Fatalf("exit %d, want %d\n%s%s", got, tt.want, out.String(), errOut.String())
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "an official's filled form" {
		t.Error("template overwrote an existing file")
	}
	var out, errOut bytes.Buffer
	if got := run(context.Background(), []string{"template", "--commune", "01864", "--year", "2026", "--lake", dir, "-o", existing, "--force"}, &out, &errOut); got != 0 {
		t.Fatalf("--force: exit %d: %s", got, errOut.String())
	}
}

// validate writes nothing, so its receipt names no output object.
func TestValidateJSONNamesNoOutput(t *testing.T) {
	good := writeFile(t, "good.csv", goodCSV)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"validate", "--json", "--lake", t.TempDir(), "--key", "2026/19/01864/good.csv", good}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var rc map[string]any
	if err := json.Unmarshal(out.Bytes(), &rc); err != nil {
		t.Fatal(err)
	}
	if rc["status"] != "accepted" {
		t.Fatalf("status %v", rc["status"])
	}
	if o, ok := rc["output"]; ok {
		t.Errorf("validate receipt names output %v, but nothing was written", o)
	}
}

// TestValidateSummaryForOfficials: the summary a commune reads names the
// cell and the column in words, with no {code} tags or field codes.
func TestValidateSummaryForOfficials(t *testing.T) {
	bad := writeFile(t, "bad.csv", strings.Replace(goodCSV, "1;Thôn Nà Rì;1.120;100;90", "1;Thôn Nà Rì;1.120;420;90", 1))
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"validate", "--lake", t.TempDir(), "--key", "2026/19/01864/bad.csv", bad}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1: %s%s", code, out.String(), errOut.String())
	}
	// Row 2 of the CSV: 420 registered of 1.120 households is fine; the
	// totals row (row 4) says 170 registered, the hamlets add up to 490.
	want := "  1. Ô D4 (Gia đình học tập – Số hộ đăng ký): dòng tổng cộng ghi 170 nhưng cộng các thôn được 490. Hãy kiểm tra lại phép cộng hoặc số liệu từng thôn.\n"
	if !strings.Contains(out.String(), want) {
		t.Errorf("summary lacks\n%s\ngot\n%s", want, out.String())
	}
	for _, bad := range []string{"{", "}", "ho_dang_ky", "totals-mismatch"} {
		if strings.Contains(out.String(), bad) {
			t.Errorf("summary shows %q:\n%s", bad, out.String())
		}
	}
}

// validate --marked writes the marked workbook and keeps validate's exit
// statuses; what it cannot mark or write is said, never a partial file.
func TestValidateMarked(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, "good.csv", goodCSV)
	bad := writeFile(t, "bad.csv", strings.Replace(goodCSV, "1;Thôn Nà Rì;1.120;100;90", "1;Thôn Nà Rì;1.120;100;abc", 1))
	garbage := writeFile(t, "rac.xlsx", "PK\x03\x04 not really a zip")
	lake := t.TempDir()
	tests := []struct {
		name    string
		file    string
		out     string
		want    int
		written bool
		stderr  string
	}{
		{"rejected", bad, filepath.Join(dir, "bad-danh-dau.xlsx"), 1, true, ""},
		{"accepted", good, filepath.Join(dir, "good-danh-dau.xlsx"), 0, true, ""},
		{"unreadable file", garbage, filepath.Join(dir, "rac-danh-dau.xlsx"), 1, false, "không tạo được tệp đánh dấu"},
		{"not an .xlsx name", bad, filepath.Join(dir, "x.csv"), 2, false, "--marked"},
		{"over the file checked", bad, bad, 2, false, "--marked"},
		{"into a missing directory", bad, filepath.Join(dir, "nope", "x.xlsx"), 2, false, "ghi tệp đánh dấu"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(tt.file)
			var out, errOut bytes.Buffer
			got := run(context.Background(), []string{"validate", "--lake", lake, "--key", "2026/19/01864/" + filepath.Base(tt.file), "--marked", tt.out, tt.file}, &out, &errOut)
			if got != tt.want {
				t.Fatalf("exit %d, want %d\n%s%s", got, tt.want, out.String(), errOut.String())
			}
			if !strings.Contains(errOut.String(), tt.stderr) {
				t.Errorf("stderr lacks %q: %s", tt.stderr, errOut.String())
			}
			if after, _ := os.ReadFile(tt.file); !bytes.Equal(before, after) {
				t.Fatal("the file checked was changed")
			}
			_, err := os.Stat(tt.out)
			if written := err == nil && tt.out != tt.file; written != tt.written {
				t.Fatalf("%s written: %v, want %v", tt.out, written, tt.written)
			}
			if tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(tt.out), ".xhht-marked-*")); len(tmp) > 0 {
				t.Errorf("temporary files left: %q", tmp)
			}
			if !tt.written {
				return
			}
			if st, err := os.Stat(tt.out); err != nil || st.Mode().Perm()&0o044 == 0 {
				t.Errorf("%s is private to its owner (%v), unlike a saved document", tt.out, st.Mode())
			}
			f, err := excelize.OpenFile(tt.out)
			if err != nil {
				t.Fatalf("marked workbook does not open: %v", err)
			}
			defer f.Close()
			if got := f.GetSheetList(); !slices.Equal(got, []string{strings.TrimSuffix(filepath.Base(tt.file), ".csv"), "Kết quả kiểm tra"}) {
				t.Errorf("sheets %q", got)
			}
			cs, err := f.GetComments(f.GetSheetList()[0])
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == 0 {
				if len(cs) != 0 {
					t.Errorf("accepted file has comments: %+v", cs)
				}
				return
			}
			// The word "abc" in the recognised count, row 2 column E.
			if len(cs) != 1 || cs[0].Cell != "E2" || !strings.Contains(cs[0].Paragraph[0].Text, `"abc" không phải là số`) {
				t.Errorf("comments %+v, want one on E2 about \"abc\"", cs)
			}
			if v, _ := f.GetCellValue(f.GetSheetList()[0], "E2"); v != "abc" {
				t.Errorf("E2 = %q", v)
			}
		})
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"validate", "--help"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "--marked OUT.xlsx") {
		t.Errorf("validate --help: exit %d, no --marked:\n%s", code, out.String())
	}
}
