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

	"github.com/xhht/xhht/pipeline/storage/local"
)

// lakeFiles maps every file of a lake (temp files and the marker aside)
// to its bytes.
func lakeFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".xhht-tmp-") {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A bulk ingest interrupted by a crash is seen and redone: the roll-up
// refuses the lake, the next `xhht ingest` (even of another key) processes
// the interrupted run's uploads again, which repairs what the crash
// damaged, and clears the marker. The crash itself cannot happen in a
// test: its worst result (the run's marker on disk, an object whose data
// never reached the disk) is set up by hand.
func TestIngestAfterInterruptedBulkRun(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	uploads := filepath.Join(dir, "uploads")
	keys := []string{"2026/19/01864/a.csv", "2026/19/01849/b.csv", "2026/19/01840/c.csv"}
	for _, k := range keys {
		p := filepath.Join(uploads, filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(goodCSV), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ingestCmd := func(lake string, args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(ctx, append([]string{"ingest", "--uploads", uploads, "--lake", lake}, args...), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	rollupCmd := func(lake string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(ctx, []string{"rollup", "--lake", lake, "--year", "2026", "--province", "19"}, &out, &errOut)
		return code, out.String() + errOut.String()
	}

	// The reference: each object written and flushed one by one.
	ref := filepath.Join(dir, "ref")
	if code, out := ingestCmd(ref, "--sync-each"); code != exitOK {
		t.Fatalf("ingest --sync-each: exit %d\n%s", code, out)
	}
	want := lakeFiles(t, ref)
	if len(want) < 6 {
		t.Fatalf("reference lake has %d files: %v", len(want), want)
	}

	// A bulk run of the first two keys, then the crash.
	lake := filepath.Join(dir, "lake")
	if code, out := ingestCmd(lake, keys[0], keys[1]); code != exitOK {
		t.Fatalf("bulk ingest: exit %d\n%s", code, out)
	}
	if note, err := local.New(lake).Interrupted(); note != nil || err != nil {
		t.Fatalf("a completed bulk run left its marker: %q, %v", note, err)
	}
	note, _ := json.Marshal(bulkNote{Uploads: abs(uploads), Keys: keys[:2]})
	if _, err := local.New(lake).Deferred().BeginBulk(note); err != nil {
		t.Fatal(err)
	}
	var damaged string
	for k := range lakeFiles(t, lake) {
		if strings.HasPrefix(k, "receipts/") && strings.Contains(k, "01849") {
			damaged = k
		}
	}
	if damaged == "" {
		t.Fatal("no receipt of 01849 in the lake")
	}
	if err := os.Truncate(filepath.Join(lake, filepath.FromSlash(damaged)), 0); err != nil {
		t.Fatal(err)
	}

	if code, out := rollupCmd(lake); code != exitRuntime || !strings.Contains(out, "bị gián đoạn") || !strings.Contains(out, "xhht ingest") {
		t.Errorf("rollup of an interrupted lake: exit %d, want %d and a message naming xhht ingest\n%s", code, exitRuntime, out)
	}
	other := filepath.Join(dir, "other-uploads")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	var o1, e1 bytes.Buffer
	if code := run(ctx, []string{"ingest", "--uploads", other, "--lake", lake}, &o1, &e1); code != exitRuntime || !strings.Contains(o1.String()+e1.String(), abs(uploads)) {
		t.Errorf("ingest from another uploads directory: exit %d, want %d naming %s\n%s%s", code, exitRuntime, abs(uploads), o1.String(), e1.String())
	}

	code, out := ingestCmd(lake, keys[2])
	if code != exitOK {
		t.Fatalf("ingest after the crash: exit %d\n%s", code, out)
	}
	for _, k := range keys {
		if !strings.Contains(out, "accepted  "+k) {
			t.Errorf("ingest after the crash did not process %s again:\n%s", k, out)
		}
	}
	if note, err := local.New(lake).Interrupted(); note != nil || err != nil {
		t.Errorf("marker after the repair: %q, %v", note, err)
	}
	got := lakeFiles(t, lake)
	if len(got) != len(want) {
		t.Errorf("repaired lake has %d files, reference %d", len(got), len(want))
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s differs from the reference lake (%d bytes, want %d)", k, len(got[k]), len(w))
		}
	}
	if code, out := rollupCmd(lake); code != exitOK {
		t.Errorf("rollup after the repair: exit %d\n%s", code, out)
	}
}
