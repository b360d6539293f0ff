package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	for _, s := range []string{"CHƯA NỘP", "TỪ CHỐI", "chấp nhận", "Dữ liệu Parquet:", "Biên nhận (receipts):"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("summary lacks %q", s)
		}
	}
	// Again: same uploads, same ids, same bytes.
	if code := run(context.Background(), []string{"run", "--dir", dir}, &bytes.Buffer{}, &errOut); code != 0 {
		t.Fatalf("second run exit %d: %s", code, errOut.String())
	}
	second := snapshot(t, filepath.Join(dir, "lake"))
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
