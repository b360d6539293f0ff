package local

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/storagetest"
)

// A deferred store is still a store: the whole contract holds.
func TestDeferredContract(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store { return New(t.TempDir()).Deferred() })
}

// flushLog records the flushes a store asks for, in order. A test cannot
// cut the power to see what a missing flush loses, so it checks that each
// object is flushed (by fsync or by syncfs) before what depends on it.
type flushLog struct {
	mu  sync.Mutex
	ops []string // "fsync <path>" or "syncfs"
}

func watchFlushes(t *testing.T) *flushLog {
	l := &flushLog{}
	oldFile, oldFS := syncFile, syncFS
	syncFile = func(f *os.File) error {
		l.mu.Lock()
		l.ops = append(l.ops, "fsync "+f.Name())
		l.mu.Unlock()
		return oldFile(f)
	}
	syncFS = func(dir string) error {
		l.mu.Lock()
		l.ops = append(l.ops, "syncfs")
		l.mu.Unlock()
		return oldFS(dir)
	}
	t.Cleanup(func() { syncFile, syncFS = oldFile, oldFS })
	return l
}

func (l *flushLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ops := l.ops
	l.ops = nil
	return ops
}

// flushed reports whether ops flush the file at path (its own fsync, or
// a syncfs) and its directory entry (the directory's fsync, or a syncfs).
func flushed(ops []string, path string) bool {
	return slices.Contains(ops, "syncfs") ||
		slices.Contains(ops, "fsync "+path) && slices.Contains(ops, "fsync "+filepath.Dir(path))
}

// writtenDurably reports whether ops hold what a synced write of a file in
// dir does: its temp file flushed, then the directory.
func writtenDurably(ops []string, dir string) bool {
	tmp := slices.IndexFunc(ops, func(op string) bool { return strings.HasPrefix(op, "fsync "+filepath.Join(dir, tmpPrefix)) })
	return tmp >= 0 && slices.Contains(ops[tmp:], "fsync "+dir)
}

func TestDeferredFlushesAtSyncNotAtPut(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{3, manySyncs + 5} { // file by file, then one syncfs
		dir := t.TempDir()
		log := watchFlushes(t)
		s := New(dir).Deferred()
		var paths []string
		for i := range n {
			key := "receipts/year=2026/r" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + ".json"
			if err := s.PutMeta(ctx, key, []byte("{}"), "", map[string]string{"k": "v"}); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, filepath.Join(dir, filepath.FromSlash(key)))
		}
		if ops := log.take(); len(ops) > 0 {
			t.Fatalf("%d deferred puts flushed %v before Sync", n, ops)
		}
		// Readers see the objects at once, as with a synced store.
		if _, _, err := s.Get(ctx, "receipts/year=2026/ra.json", ""); err != nil {
			t.Fatal(err)
		}
		if err := s.Sync(); err != nil {
			t.Fatal(err)
		}
		ops := log.take()
		for _, p := range paths {
			if !flushed(ops, p) || !flushed(ops, sidecar(p)) {
				t.Errorf("%d puts: Sync did not flush %s and its metadata: %v", n, p, ops)
				break
			}
		}
		if n > manySyncs && !slices.Equal(ops, []string{"syncfs"}) {
			t.Errorf("%d puts: want one syncfs, got %d flushes", n, len(ops))
		}
		if err := s.Sync(); err != nil {
			t.Fatal(err)
		}
		if ops := log.take(); len(ops) > 0 {
			t.Errorf("a second Sync with nothing written flushed %v", ops)
		}
	}
}

// PutIf is a commit point: the writes before it are flushed before it
// writes, and its own object is flushed before it returns.
func TestDeferredPutIfFlushesEarlierWritesFirst(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	log := watchFlushes(t)
	s := New(dir).Deferred()
	if err := s.Put(ctx, "rollups/level=hamlet/b1.parquet", []byte("data"), ""); err != nil {
		t.Fatal(err)
	}
	var renamedAt int = -1
	renameFile = func(from, to string) error {
		if strings.HasSuffix(to, "manifest.json") {
			log.mu.Lock()
			renamedAt = len(log.ops)
			log.mu.Unlock()
		}
		return os.Rename(from, to)
	}
	t.Cleanup(func() { renameFile = os.Rename })
	if err := s.PutIf(ctx, "rollups/_manifests/manifest.json", []byte(`{"b":"b1"}`), "", ""); err != nil {
		t.Fatal(err)
	}
	ops := log.take()
	data := filepath.Join(dir, "rollups", "level=hamlet", "b1.parquet")
	manifest := filepath.Join(dir, "rollups", "_manifests", "manifest.json")
	if renamedAt < 0 || !flushed(ops[:renamedAt], data) {
		t.Errorf("the file was not flushed before the manifest was published: %v (manifest renamed after %d)", ops, renamedAt)
	}
	if !writtenDurably(ops, filepath.Dir(manifest)) || !slices.Contains(ops[renamedAt:], "fsync "+filepath.Dir(manifest)) {
		t.Errorf("the manifest was not written durably: %v (renamed after %d)", ops, renamedAt)
	}
}

func TestBulkMarker(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := New(filepath.Join(dir, "lake")).Deferred() // not created yet
	if note, err := s.Interrupted(); note != nil || err != nil {
		t.Fatalf("fresh lake: %q, %v", note, err)
	}
	log := watchFlushes(t)
	earlier, err := s.BeginBulk([]byte("run 1"))
	if earlier != nil || err != nil {
		t.Fatalf("BeginBulk on a fresh lake: %q, %v", earlier, err)
	}
	marker := filepath.Join(dir, "lake", bulkMarker)
	if ops := log.take(); !writtenDurably(ops, filepath.Dir(marker)) {
		t.Errorf("the marker was not flushed before the run's writes: %v", ops)
	}
	if err := s.Put(ctx, "a/b.json", []byte("x"), ""); err != nil {
		t.Fatal(err)
	}
	// The marker is no object: not listed, not readable by key.
	objs, err := s.List(ctx, "")
	if err != nil || len(objs) != 1 || objs[0].Key != "a/b.json" {
		t.Fatalf("List = %v, %v; want only a/b.json", objs, err)
	}
	if _, _, err := s.Get(ctx, bulkMarker, ""); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Get(marker): %v, want ErrInvalidKey", err)
	}

	// A crash here: a new store over the directory (a new process) sees it.
	again := New(filepath.Join(dir, "lake"))
	if note, err := again.Interrupted(); string(note) != "run 1" || err != nil {
		t.Fatalf("after a crash: %q, %v; want the first run's note", note, err)
	}
	d2 := again.Deferred()
	if earlier, err := d2.BeginBulk([]byte("run 2")); string(earlier) != "run 1" || err != nil {
		t.Fatalf("BeginBulk after a crash = %q, %v; want the first run's note", earlier, err)
	}
	// Ending with work left keeps the marker, with the new note.
	if err := d2.EndBulk([]byte("left over")); err != nil {
		t.Fatal(err)
	}
	if note, _ := again.Interrupted(); string(note) != "left over" {
		t.Errorf("marker after EndBulk with work left: %q", note)
	}
	log.take()
	if err := d2.Put(ctx, "a/c.json", []byte("y"), ""); err != nil {
		t.Fatal(err)
	}
	if err := d2.EndBulk(nil); err != nil {
		t.Fatal(err)
	}
	ops := log.take()
	if !flushed(ops, filepath.Join(dir, "lake", "a", "c.json")) {
		t.Errorf("EndBulk did not flush the run's writes: %v", ops)
	}
	if note, err := again.Interrupted(); note != nil || err != nil {
		t.Errorf("after EndBulk: %q, %v; want no marker", note, err)
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Errorf("marker still there: %v", err)
	}
}

// Concurrent deferred writers, then one Sync: every object is whole and
// flushed (the pending set is shared and guarded).
func TestDeferredConcurrentPuts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	log := watchFlushes(t)
	s := New(dir).Deferred()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 5 {
				key := "c" + string(rune('0'+w)) + "/o" + string(rune('0'+i))
				if err := s.Put(ctx, key, bytes.Repeat([]byte{byte(w)}, 1000), ""); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	ops := log.take()
	for w := range 8 {
		for i := range 5 {
			p := filepath.Join(dir, "c"+string(rune('0'+w)), "o"+string(rune('0'+i)))
			if !flushed(ops, p) {
				t.Fatalf("%s not flushed: %v", p, ops)
			}
			b, err := os.ReadFile(p)
			if err != nil || !bytes.Equal(b, bytes.Repeat([]byte{byte(w)}, 1000)) {
				t.Fatalf("%s: %d bytes, %v", p, len(b), err)
			}
		}
	}
}
