package marked

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// TestCorpus marks every file of the project's real-world corpus
// (tests/corpus: office-made forms, legacy encodings, merged cells, and
// hostile files: zip bombs, truncated zips, a million empty rows, encrypted
// and Excel 95 files). A file the reader reads gives a workbook whose
// marks are the receipt's cells (checkMarks); one it cannot read gives
// ErrUnreadable, and its receipt is a rejection; nothing panics.
func TestCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "tests", "corpus")
	raw, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cs struct {
		Cases []struct {
			File     string `json:"file"`
			Key      string `json:"key"`
			MaxBytes int64  `json:"max_bytes"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &cs); err != nil {
		t.Fatal(err)
	}
	if len(cs.Cases) < 40 {
		t.Fatalf("%d corpus cases", len(cs.Cases))
	}
	saved := Limits
	t.Cleanup(func() { Limits = saved })
	marked, unreadable := 0, 0
	for _, c := range cs.Cases {
		t.Run(c.File, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "files", c.File))
			if err != nil {
				t.Fatal(err)
			}
			p, err := ingest.New(nil, local.New(t.TempDir()))
			if err != nil {
				t.Fatal(err)
			}
			Limits = saved
			if c.MaxBytes > 0 {
				p.Limits.MaxBytes = c.MaxBytes
				Limits.MaxBytes = c.MaxBytes
			}
			res, err := ingest.Check(context.Background(), p, ingest.Upload{Bucket: "local", Key: c.Key}, "v1", time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC), data)
			if err != nil {
				t.Fatal(err)
			}
			rc := res.Receipt
			var buf bytes.Buffer
			err = Write(&buf, c.File, data, rc)
			if err != nil {
				if !errors.Is(err, ErrUnreadable) {
					t.Fatalf("Write: %v, want ErrUnreadable or success", err)
				}
				if rc.Status != receipt.Rejected || buf.Len() != 0 {
					t.Fatalf("unreadable for marking, but the receipt is %s (%d bytes written): %v", rc.Status, buf.Len(), err)
				}
				unreadable++
				return
			}
			sheet := func(s string) string { return s }
			if rc.Format == "csv" {
				stem := strings.TrimSuffix(c.File, path.Ext(c.File))
				sheet = func(string) string { return stem }
			}
			checkMarks(t, buf.Bytes(), rc, sheet, nil)
			marked++
		})
	}
	t.Logf("%d files marked, %d unreadable", marked, unreadable)
	if marked < 30 || unreadable < 5 {
		t.Errorf("%d marked, %d unreadable: the corpus should give both", marked, unreadable)
	}
}

// TestLargeSheetIsCopied: a form sheet formatted down to row 1,048,576
// (60 MB of XML, tests/corpus x04) with a mark on it is not edited in
// place (excelize would hold the whole sheet in memory for minutes): the
// marks land on a copy of its cells, and the list says so.
func TestLargeSheetIsCopied(t *testing.T) {
	name := "x04-million-empty-rows.xlsx"
	data, err := os.ReadFile(filepath.Join("..", "..", "tests", "corpus", "files", name))
	if err != nil {
		t.Fatal(err)
	}
	rc := &receipt.Receipt{Status: receipt.Rejected}
	rc.Add(receipt.Issue{Code: receipt.ConstraintError, Severity: receipt.SevError, Sheet: "Biểu 01", Cell: "E10", Row: 10, Message: "Ô E10: lỗi thử"})
	rc.Add(receipt.Issue{Code: receipt.BlankRow, Severity: receipt.SevWarning, Sheet: "Biểu 01", Cell: "B12", Row: 12, Message: "Ô B12: cảnh báo thử"})
	var buf bytes.Buffer
	if err := Write(&buf, name, data, rc); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > len(data) {
		t.Errorf("the copy is %d bytes, the upload %d", buf.Len(), len(data))
	}
	f := checkMarks(t, buf.Bytes(), rc, same, nil)
	checkCopy(t, f, name, data, same)
	rows, err := f.GetRows("Kết quả kiểm tra")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fmt.Sprint(rows), "đây là bản sao các ô") {
		t.Errorf("the list does not say the workbook is a copy: %q", rows[:6])
	}
}
