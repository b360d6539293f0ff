package ingest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/xhht/xhht/pipeline/internal/fixture"
	"github.com/xhht/xhht/pipeline/receipt"
)

// resaveLibreOffice saves an .xlsx again with LibreOffice (another
// program's bytes, styles and shared strings; the same cells).
func resaveLibreOffice(t *testing.T, data []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("soffice"); err != nil {
		t.Fatal("soffice (LibreOffice) is not installed: run make tools (scripts/libreoffice.sh)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in", "bao-cao.xlsx")
	if err := os.MkdirAll(filepath.Dir(in), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	cmd := exec.Command("soffice", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", out, in)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	b, err := os.ReadFile(filepath.Join(out, "bao-cao.xlsx"))
	if err != nil {
		t.Fatalf("soffice wrote nothing: %v", err)
	}
	return b
}

// TestDataDigest: the receipt's data_sha256 is per form the same for the
// same data whatever file carries it (saved again by another program,
// sheets in another order, the form alone as CSV), and differs when one
// number or one hamlet name changes; rejected receipts have none.
func TestDataDigest(t *testing.T) {
	e := newEnv(t)
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	form01 := func(rows [][]any) *fixture.Grid { return fixture.Form{Rows: rows}.Build().G }
	f02 := sheet02(2026, fixture.Cols02, fixture.Row02())
	orig := workbook0102(t)

	base := e.putProcess(t, "2026/19/01864/bao-cao.xlsx", orig, e.received)
	if base.Status != receipt.Accepted {
		t.Fatalf("base upload %s: %v", base.Status, codes(base))
	}
	for _, f := range []string{"bieu01", "bieu02"} {
		if !hex64.MatchString(base.DataSHA256[f]) {
			t.Fatalf("data_sha256[%s] = %q, want 64 hex digits (all: %v)", f, base.DataSHA256[f], base.DataSHA256)
		}
	}
	if base.DataSHA256["bieu01"] == base.DataSHA256["bieu02"] {
		t.Fatal("two forms' data have the same digest")
	}

	changed := accepted01()
	changed[2][1] = 151 // Thôn Pác Chợ: 151 households instead of 150
	renamed := accepted01()
	renamed[1][0] = "Thôn Khuổi Cải"

	cases := []struct {
		name       string
		key        string
		data       []byte
		same01     bool // bieu01's digest equals the base's
		has02      bool
		same02     bool
		notInFiles bool
	}{
		{"saved again by LibreOffice", "2026/19/01864/luu-lai.xlsx", resaveLibreOffice(t, orig), true, true, true, false},
		{"sheets in the other order", "2026/19/01864/dao-trang.xlsx", fixture.XLSX(t, f02, form01(accepted01())), true, true, true, false},
		{"Biểu 01 alone as CSV", "2026/19/01864/bieu01.csv", fixture.CSV(t, form01(accepted01()), ';', true), true, false, false, false},
		{"one household count changed", "2026/19/01864/sua-so.xlsx", fixture.XLSX(t, form01(changed), f02), false, true, true, false},
		{"one hamlet renamed", "2026/19/01864/doi-ten.xlsx", fixture.XLSX(t, form01(renamed), f02), false, true, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc := e.putProcess(t, c.key, c.data, e.received.Add(3600e9))
			if rc.Status != receipt.Accepted {
				t.Fatalf("%s: %v", rc.Status, codes(rc))
			}
			if rc.SubmissionID == base.SubmissionID {
				t.Fatal("a different upload has the base's submission id")
			}
			if got := rc.DataSHA256["bieu01"] == base.DataSHA256["bieu01"]; got != c.same01 || !hex64.MatchString(rc.DataSHA256["bieu01"]) {
				t.Errorf("bieu01 digest %q equal to the base's: %v, want %v", rc.DataSHA256["bieu01"], got, c.same01)
			}
			d02, ok := rc.DataSHA256["bieu02"]
			if ok != c.has02 {
				t.Fatalf("bieu02 digest present %v, want %v (%v)", ok, c.has02, rc.DataSHA256)
			}
			if ok && (d02 == base.DataSHA256["bieu02"]) != c.same02 {
				t.Errorf("bieu02 digest equal to the base's: %v, want %v", d02 == base.DataSHA256["bieu02"], c.same02)
			}
		})
	}

	t.Run("rejected upload has none", func(t *testing.T) {
		bad := accepted01()
		bad[0][1] = "nhiều"
		rc := e.putProcess(t, "2026/19/01864/loi.xlsx", fixture.XLSX(t, form01(bad), f02), e.received)
		if rc.Status != receipt.Rejected || rc.DataSHA256 != nil {
			t.Errorf("status %s, data_sha256 %v: want rejected with none", rc.Status, rc.DataSHA256)
		}
	})
	t.Run("another commune's same numbers differ", func(t *testing.T) {
		// The digest names the year and commune: equal digests never
		// join two communes' data, even if a reader compared them.
		g := fixture.Form{Rows: accepted01(), Title: []string{}}.Build().G // no title naming 01864
		rc := e.putProcess(t, "2026/19/01840/bao-cao.xlsx", fixture.XLSX(t, g), e.received)
		if rc.Status != receipt.Accepted {
			t.Fatalf("%s: %v", rc.Status, codes(rc))
		}
		if rc.DataSHA256["bieu01"] == base.DataSHA256["bieu01"] {
			t.Error("commune 01840's Biểu 01 has commune 01864's digest")
		}
	})
}
