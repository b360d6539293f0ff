package ingest_test

import (
	"bytes"
	"strings"
	"testing"

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
