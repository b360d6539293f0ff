package tests

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// The readers take .ods (and .xlsx, .xls, .csv); what a commune is told
// says so: the portal's file chooser offers .ods and its hint names
// LibreOffice, and the unreadable-file message lists .ods. Before, the
// chooser hid .ods files and the messages named only Excel and CSV.
func TestFormatsNamedToCommunes(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("..", "pipeline", "portal", "assets", "pages.html"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<input id="file"[^>]*accept="([^"]*)"`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no upload input with accept in pages.html")
	}
	accept := strings.Split(string(m[1]), ",")
	for _, ext := range []string{".xlsx", ".xls", ".ods", ".csv"} {
		if !contains(accept, ext) {
			t.Errorf("upload input accept=%q lacks %s", m[1], ext)
		}
	}
	if !strings.Contains(string(page), "LibreOffice (.ods)") {
		t.Error("the upload hint does not name LibreOffice (.ods)")
	}

	p, err := ingest.New(nil, local.New(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := ingest.Check(context.Background(), p, ingest.Upload{Bucket: "local", Key: "2026/19/01864/anh.xlsx"}, "v1", corpusReceived, []byte("\x00\x01 not a spreadsheet at all \xff\xfe"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, is := range res.Receipt.Errors {
		if is.Code == receipt.UnreadableFile {
			found = true
			if !strings.Contains(is.Message, ".ods") {
				t.Errorf("unreadable-file message %q does not name .ods", is.Message)
			}
		}
	}
	if !found {
		t.Errorf("issues %+v: want unreadable-file", res.Receipt.Errors)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.TrimSpace(x) == s {
			return true
		}
	}
	return false
}
