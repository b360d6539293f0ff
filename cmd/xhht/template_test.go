package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/hamlet"
	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/storage/local"
	"github.com/xhht/xhht/pipeline/template"
	"github.com/xhht/xhht/pipeline/template/templatetest"
)

// tplRun runs the CLI and fails on an unexpected exit status.
func tplRun(t *testing.T, want int, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if got := run(context.Background(), args, &out, &errOut); got != want {
		t.Fatalf("xhht %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got, want, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}

// tplLayout is the layout the command used for commune 01864, 2026, with
// these hamlets.
func tplLayout(t *testing.T, hamlets []receipt.Hamlet) []template.Sheet {
	t.Helper()
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	o, err := templateOptions(reg, forms.MustLoad(), "01864", 2026)
	if err != nil {
		t.Fatal(err)
	}
	o.Hamlets = hamlets
	sheets, err := template.Layout(o)
	if err != nil {
		t.Fatal(err)
	}
	return sheets
}

// The whole loop: blank template → filled → validated → ingested → the next
// template lists the hamlets with their codes → filled → accepted again.
func TestTemplateCommand(t *testing.T) {
	dir, lake, uploads := t.TempDir(), t.TempDir(), t.TempDir()
	out := filepath.Join(dir, "nested", "b.xlsx")
	stdout, _ := tplRun(t, 0, "template", "--commune", "01864", "--year", "2026", "-o", out, "--lake", lake)
	if strings.TrimSpace(stdout) != out {
		t.Errorf("printed %q, want the path %q", stdout, out)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	filled, err := templatetest.Fill(data, tplLayout(t, nil), 4)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "filled.xlsx")
	if err := os.WriteFile(file, filled.Bytes, 0o644); err != nil {
		t.Fatal(err)
	}
	key := "2026/19/01864/filled.xlsx"
	stdout, _ = tplRun(t, 0, "validate", "--lake", lake, "--key", key, file)
	if !strings.Contains(stdout, "ĐƯỢC CHẤP NHẬN") {
		t.Errorf("filled template not accepted:\n%s", stdout)
	}

	// Ingest it, so the lake knows the commune's hamlets.
	up := local.New(uploads)
	if err := up.Put(context.Background(), key, filled.Bytes, ""); err != nil {
		t.Fatal(err)
	}
	p, err := ingest.New(up, local.New(lake))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := p.Process(context.Background(), ingest.Upload{Bucket: "local", Key: key})
	if err != nil || rc.Status != receipt.Accepted {
		t.Fatalf("ingest: %v %+v", err, rc)
	}

	next := filepath.Join(dir, "next.xlsx")
	tplRun(t, 0, "template", "--commune", "01864", "--year", "2026", "-o", next, "--lake", lake)
	data, err = os.ReadFile(next)
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var got []receipt.Hamlet
	for row := 9; ; row++ {
		name, _ := x.GetCellValue("Biểu 01", "C"+strconv.Itoa(row))
		if name == "Tổng cộng" || name == "" {
			if a, _ := x.GetCellValue("Biểu 01", "A"+strconv.Itoa(row)); a != "Tổng cộng" {
				t.Fatalf("row %d after the hamlets is %q, not the totals row", row, a)
			}
			break
		}
		code, _ := x.GetCellValue("Biểu 01", "B"+strconv.Itoa(row))
		got = append(got, receipt.Hamlet{Code: code, Name: name})
	}
	// The first upload had no codes: the system derived them from the
	// names ("thon-na-pai-1a2b3c"). The form shows the names only, never
	// those codes; the hamlets keep them, matched by name.
	var want []receipt.Hamlet
	for _, h := range rc.Hamlets {
		if h.CodeSource != hamlet.FromDerived {
			t.Fatalf("first upload: hamlet %+v, want a derived code (the filled form had none)", h)
		}
		want = append(want, receipt.Hamlet{Name: h.Name})
	}
	if !slices.Equal(got, want) {
		t.Fatalf("prefilled hamlets %v, want %v (names, no derived codes)", got, want)
	}

	filled, err = templatetest.Fill(data, tplLayout(t, want), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, filled.Bytes, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _ = tplRun(t, 0, "validate", "--json", "--lake", lake, "--key", "2026/19/01864/again.xlsx", file)
	var again receipt.Receipt
	if err := json.Unmarshal([]byte(stdout), &again); err != nil {
		t.Fatal(err)
	}
	if len(again.Hamlets) != len(rc.Hamlets) {
		t.Fatalf("second upload: %d hamlets, want %d", len(again.Hamlets), len(rc.Hamlets))
	}
	for i, h := range again.Hamlets {
		// Ingest codes from the upload alone: the same names give the same
		// derived codes, so the hamlets keep their identity.
		if h.CodeSource != hamlet.FromDerived || h.Code != rc.Hamlets[i].Code {
			t.Errorf("second upload: hamlet %+v, want the first upload's code %s, derived from the same name", h, rc.Hamlets[i].Code)
		}
	}
}

func TestTemplateDefaultFileName(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	stdout, _ := tplRun(t, 0, "template", "--commune", "01864", "--year", "2026", "--lake", t.TempDir())
	if strings.TrimSpace(stdout) != "bieu-mau-01864-2026.xlsx" {
		t.Errorf("printed %q", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "bieu-mau-01864-2026.xlsx")); err != nil {
		t.Error(err)
	}
}

func TestTemplateErrors(t *testing.T) {
	lake := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string // on stderr
	}{
		{"pre-2025 code after the reform", []string{"--commune", "01858", "--year", "2026"}, "01864 Xã Bằng Thành"},
		{"unknown code", []string{"--commune", "99999", "--year", "2026"}, "không có trong danh mục đơn vị hành chính năm 2026"},
		{"no year", []string{"--commune", "01864"}, "--year"},
		{"no commune", []string{"--year", "2026"}, "--commune"},
		{"short code", []string{"--commune", "1864", "--year", "2026"}, "5 chữ số"},
		{"year too early", []string{"--commune", "01864", "--year", "2013"}, "2014"},
		{"extra argument", []string{"--commune", "01864", "--year", "2026", "x.xlsx"}, "x.xlsx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"template", "--lake", lake, "-o", filepath.Join(t.TempDir(), "x.xlsx")}, tc.args...)
			_, stderr := tplRun(t, 2, args...)
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, stderr)
			}
		})
	}
}
