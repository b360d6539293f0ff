package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `xhht ingest` with several keys answers each one, in order, even after
// a key that cannot be read, then prints the summary and exits 2: keys
// naming no file are a wrong command line, as the help's exit codes say.
func TestIngestSeveralKeys(t *testing.T) {
	dir := t.TempDir()
	uploads, lake := filepath.Join(dir, "uploads"), filepath.Join(dir, "lake")
	bad := strings.Replace(goodCSV, "1;Thôn Nà Rì;1.120;100;90", "1;Thôn Nà Rì;1.120;100;abc", 1)
	for key, body := range map[string]string{"2026/19/01864/good.csv": goodCSV, "2026/19/01849/bad.csv": bad} {
		p := filepath.Join(uploads, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	code, err := cmdIngest(context.Background(), []string{"--uploads", uploads, "--lake", lake,
		"2026/19/01864/nope.csv", "2026/19/01864/good.csv", "../secret", "2026/19/01849/bad.csv"}, &out)
	if err != nil || code != exitUsage {
		t.Fatalf("exit %d, %v; want %d\n%s", code, err, exitUsage, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{"lỗi       2026/19/01864/nope.csv — ", "accepted  2026/19/01864/good.csv", "lỗi       ../secret — ", "rejected  2026/19/01849/bad.csv — ",
		"2 tệp, 1 bị từ chối, 2 không xử lý được. Kho dữ liệu (lake): "}
	if len(lines) != len(want) {
		t.Fatalf("output:\n%s", out.String())
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want it to start %q", i+1, lines[i], w)
		}
	}
}
