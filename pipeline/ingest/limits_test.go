package ingest_test

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/internal/fixture"
	"github.com/xhht/xhht/pipeline/receipt"
)

// An upload over the configured size limit is refused from its size alone:
// a rejected receipt that states the limit, under the upload's usual id.
func TestUploadOverSizeLimit(t *testing.T) {
	e := newEnv(t)
	e.p.Limits.MaxBytes = 3 << 20 // 3 MiB, as an operator might configure
	big := []byte("STT;Tên thôn;Tổng số hộ;Số hộ được công nhận\n" + strings.Repeat("1;Thôn A;10;5\n", 300_000))
	key := "2026/19/01864/rat-lon.csv"
	rc := e.putProcess(t, key, big, e.received)
	if rc.Status != receipt.Rejected || len(rc.Errors) != 1 || rc.Errors[0].Code != receipt.FileTooLarge {
		t.Fatalf("receipt %s %v, want rejected [file-too-large]", rc.Status, codes(rc))
	}
	if m := rc.Errors[0].Message; !strings.Contains(m, "3,0 MB") || !strings.Contains(m, "4,") {
		t.Errorf("message %q should state the size (4,… MB) and the limit (3,0 MB)", m)
	}
	if rc.SubmissionID != expectedID(key, big) {
		t.Errorf("id %s, want the id of the upload's ETag", rc.SubmissionID)
	}
	// At the limit the same content is read.
	e.p.Limits.MaxBytes = int64(len(big))
	rc = e.putProcess(t, "2026/19/01864/vua-du.csv", big, e.received)
	if rc.Status == receipt.Rejected && bytes.Contains([]byte(strings.Join(codes(rc), " ")), []byte("file-too-large")) {
		t.Errorf("a file exactly at the limit was refused: %v", codes(rc))
	}
}

// A too-large or empty upload under a well-formed key is still the
// commune's report: its receipt goes under the commune's partition (so
// completeness counts the commune as rejected, not missing), with the
// commune named, never to receipts-unplaced/.
func TestTooLargeAndEmptyArePlaced(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		code string
	}{
		{"too large", bytes.Repeat([]byte("1;Thôn A;10;5\n"), 100_000), receipt.FileTooLarge},
		{"empty", nil, receipt.UnreadableFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.p.Limits.MaxBytes = 1 << 20
			key := "2026/19/01864/bao-cao.csv"
			rc := e.putProcess(t, key, tt.data, e.received)
			if rc.Status != receipt.Rejected || len(rc.Errors) != 1 || rc.Errors[0].Code != tt.code {
				t.Fatalf("receipt %s %v, want rejected [%s]", rc.Status, codes(rc), tt.code)
			}
			want := "receipts/year=2026/province=19/commune=01864/" + expectedID(key, tt.data) + ".json"
			if got := keys(e.objects(t)); len(got) != 1 || got[0] != want {
				t.Fatalf("lake = %v, want [%s]", got, want)
			}
			if rc.Year != 2026 || rc.ProvinceCode != "19" || rc.CommuneCode != "01864" || rc.CommuneName != "Xã Bằng Thành" {
				t.Errorf("receipt unit %d/%s/%s %q", rc.Year, rc.ProvinceCode, rc.CommuneCode, rc.CommuneName)
			}
		})
	}
}

// The title block's commune, by the other commune's name alone, through
// the register of the key's province.
func TestTitleNamesAnotherCommune(t *testing.T) {
	e := newEnv(t)
	title := fixture.Title01(2026, "01864")
	title[0] = "UBND XÃ PHONG QUANG" // 01849, in province 19
	title = title[:3]                // no code line: the name alone
	data := fixture.XLSX(t, fixture.Form{Title: title, Rows: accepted01()}.Build().G)
	rc := e.putProcess(t, "2026/19/01864/bao-cao.xlsx", data, e.received)
	// accepted01 leaves one count blank (D8): its blank-count warning may
	// stand beside the one error.
	var errs []receipt.Issue
	for _, is := range rc.Errors {
		if is.Severity == receipt.SevError {
			errs = append(errs, is)
		}
	}
	if rc.Status != receipt.Rejected || len(errs) != 1 || errs[0].Code != receipt.CommuneMismatch {
		t.Fatalf("receipt %s %v, want rejected with one error, commune-mismatch", rc.Status, codes(rc))
	}
	if m := errs[0].Message; !strings.Contains(m, "Xã Phong Quang") || !strings.Contains(m, "Xã Bằng Thành") {
		t.Errorf("message %q should name both communes", m)
	}
}

// Special numbers in an .xlsx (NaN, infinity, beyond Excel's range) are
// reported at their cell, as a cell error, not as a missing cell and not
// as an unreadable file.
func TestSpecialNumbersNamed(t *testing.T) {
	for _, v := range []string{"NaN", "-Infinity", "1e309"} {
		t.Run(v, func(t *testing.T) {
			e := newEnv(t)
			rows := accepted01()
			rows[1][1] = 777 // Tổng số hộ of the second hamlet
			data := fixture.XLSX(t, fixture.Form{Rows: rows}.Build().G)
			data = replaceInZip(t, data, "<v>777</v>", "<v>"+v+"</v>")
			rc := e.putProcess(t, "2026/19/01864/bao-cao.xlsx", data, e.received)
			var found *receipt.Issue
			for i, is := range rc.Errors {
				if is.Code == receipt.MissingCell || is.Code == receipt.UnreadableFile {
					t.Errorf("issue %s: %s", is.Code, is.Message)
				}
				if is.Field == "ho_tong" && is.Cell != "" {
					found = &rc.Errors[i]
				}
			}
			if found == nil {
				t.Fatalf("no issue at the ho_tong cell: %v", codes(rc))
			}
			// The value as written and what is wrong with it: no formula
			// error, which an official would look for in vain.
			if m := found.Message; !strings.Contains(m, found.Cell) || !strings.Contains(m, "“"+v+"”") ||
				!strings.Contains(m, "không phải là một số hợp lệ") || strings.Contains(m, "công thức") {
				t.Errorf("message %q should name the cell %s, the value %s and say it is no valid number", m, found.Cell, v)
			}
		})
	}
}

// replaceInZip rewrites the parts of a zip, replacing old by new once.
func replaceInZip(t *testing.T, data []byte, old, new string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	done := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !done && bytes.Contains(b, []byte(old)) {
			b, done = bytes.Replace(b, []byte(old), []byte(new), 1), true
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil || !done {
		t.Fatalf("replace %q: done %v, %v", old, done, err)
	}
	return buf.Bytes()
}
