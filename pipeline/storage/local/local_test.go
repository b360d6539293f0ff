package local

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/storagetest"
)

func TestContract(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store { return New(t.TempDir()) })
}

// files returns every file under dir as slash-separated relative paths.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRejectsUnsafeKeys(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "store")
	s := New(dir)
	ctx := context.Background()
	// A file outside the store that an escaping Get could read.
	if err := os.WriteFile(filepath.Join(parent, "secret"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{
		"",
		"/etc/passwd",
		"/abs/key",
		"..",
		"../secret",
		"a/../../secret",
		"a/..",
		"a..b", // "contains ..": rejected even though harmless, keeps the rule simple
		`a\b`,
		`..\secret`,
		"a\x00b",
		"a//b",
		"a/",
		"./a",
		"a/./b",
		tmpPrefix + "123",
		"dir/" + tmpPrefix + "123",
	} {
		t.Run(key, func(t *testing.T) {
			if err := s.Put(ctx, key, []byte("pwned"), ""); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("Put(%q) error = %v, want ErrInvalidKey", key, err)
			}
			body, _, err := s.Get(ctx, key, "")
			if !errors.Is(err, ErrInvalidKey) || body != nil {
				t.Errorf("Get(%q) = %q, %v; want ErrInvalidKey", key, body, err)
			}
		})
	}
	// Nothing may have been written anywhere: not in the store, not next to it.
	if got := files(t, parent); !slices.Equal(got, []string{"secret"}) {
		t.Errorf("files after rejected puts = %q, want only the pre-existing secret", got)
	}
	if b, _ := os.ReadFile(filepath.Join(parent, "secret")); string(b) != "secret" {
		t.Errorf("file outside the store was modified: %q", b)
	}
	for _, prefix := range []string{"../", "..", "a/../", `a\`, "/", "a//"} {
		if got, err := s.List(ctx, prefix); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("List(%q) = %v, %v; want ErrInvalidKey", prefix, got, err)
		}
	}
}

func TestPutLeavesNoTempFiles(t *testing.T) {
	dir := t.TempDir()
	s := New(dir)
	want := []string{"a.json", "x/y/z.parquet", "x/y/z2.parquet"}
	for _, k := range want {
		for i := range 3 { // overwrites too
			if err := s.Put(context.Background(), k, bytes.Repeat([]byte("v"), i), ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Errorf("files on disk = %q, want exactly %q", got, want)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(filepath.Join(dir, "a.json"))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("mode = %v, want 0644 (CreateTemp's 0600 must not leak)", fi.Mode().Perm())
		}
	}
}

func TestFailedPutKeepsOldContent(t *testing.T) {
	dir := t.TempDir()
	s := New(dir)
	ctx := context.Background()
	const key = "lake/part-0.parquet"
	if err := s.Put(ctx, key, []byte("old"), ""); err != nil {
		t.Fatal(err)
	}

	// Fail at the last step, after the temp file is fully written and synced.
	boom := errors.New("simulated crash before rename")
	renameFile = func(string, string) error { return boom }
	t.Cleanup(func() { renameFile = os.Rename })

	if err := s.Put(ctx, key, []byte("new"), ""); !errors.Is(err, boom) {
		t.Fatalf("Put error = %v, want %v", err, boom)
	}
	got, _, err := s.Get(ctx, key, "")
	if err != nil || string(got) != "old" {
		t.Errorf("after failed Put: Get = %q, %v; want old content", got, err)
	}
	if got := files(t, dir); !slices.Equal(got, []string{key}) {
		t.Errorf("files after failed Put = %q, want only %q (temp file removed)", got, key)
	}
}

// A temp file left by a crash (the process died before cleanup) is invisible.
func TestListSkipsStrayTempFiles(t *testing.T) {
	dir := t.TempDir()
	s := New(dir)
	if err := s.Put(context.Background(), "a/b", []byte("b"), ""); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a", tmpPrefix+"999"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Key != "a/b" {
		t.Errorf("List = %v, want only a/b", list)
	}
}

// Readers racing a writer see a whole old or a whole new object.
func TestConcurrentReadersSeeWholeObjects(t *testing.T) {
	s := New(t.TempDir())
	ctx := context.Background()
	const key = "hot.bin"
	bodyA := bytes.Repeat([]byte("a"), 1<<20)
	bodyB := bytes.Repeat([]byte("b"), 3<<19)
	if err := s.Put(ctx, key, bodyA, ""); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				got, obj, err := s.Get(ctx, key, "")
				if err != nil {
					t.Errorf("Get during writes: %v", err)
					return
				}
				if !bytes.Equal(got, bodyA) && !bytes.Equal(got, bodyB) {
					t.Errorf("Get saw a partial object: %d bytes", len(got))
					return
				}
				if obj.Size != int64(len(got)) {
					t.Errorf("Size %d for a %d-byte body", obj.Size, len(got))
					return
				}
			}
		})
	}
	for i := range 40 {
		body := bodyA
		if i%2 == 0 {
			body = bodyB
		}
		if err := s.Put(ctx, key, body, ""); err != nil {
			t.Error(err)
			break
		}
	}
	close(done)
	wg.Wait()
}

func TestVersionIsETag(t *testing.T) {
	s := New(t.TempDir())
	ctx := context.Background()
	if err := s.Put(ctx, "k", []byte("v1"), ""); err != nil {
		t.Fatal(err)
	}
	_, obj, err := s.Get(ctx, "k", "")
	if err != nil {
		t.Fatal(err)
	}
	if obj.VersionID != "" {
		t.Errorf("VersionID = %q, want empty (no versioning)", obj.VersionID)
	}
	if got, _, err := s.Get(ctx, "k", obj.ETag); err != nil || string(got) != "v1" {
		t.Errorf("Get(k, current ETag) = %q, %v", got, err)
	}
	stale := obj.ETag
	if err := s.Put(ctx, "k", []byte("v2"), ""); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Get(ctx, "k", stale)
	if !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get(k, stale ETag) error = %v, want ErrNotFound", err)
	}
	if err != nil && !strings.Contains(err.Error(), `"k"`) {
		t.Errorf("error %q does not name the key", err)
	}
}

func TestLastModifiedIsFileMtimeUTC(t *testing.T) {
	dir := t.TempDir()
	s := New(dir)
	ctx := context.Background()
	if err := s.Put(ctx, "k", []byte("x"), ""); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2026, 5, 19, 8, 30, 0, 0, time.FixedZone("ICT", 7*3600))
	if err := os.Chtimes(filepath.Join(dir, "k"), mtime, mtime); err != nil {
		t.Fatal(err)
	}
	_, obj, err := s.Get(ctx, "k", "")
	if err != nil {
		t.Fatal(err)
	}
	if !obj.LastModified.Equal(mtime) || obj.LastModified.Location() != time.UTC {
		t.Errorf("LastModified = %v, want %v in UTC", obj.LastModified, mtime.UTC())
	}
	list, err := s.List(ctx, "")
	if err != nil || len(list) != 1 || !list[0].LastModified.Equal(mtime) {
		t.Errorf("List = %v, %v; want one object modified at %v", list, err, mtime.UTC())
	}
}

func TestMissingDir(t *testing.T) {
	s := New(filepath.Join(t.TempDir(), "does", "not", "exist"))
	ctx := context.Background()
	list, err := s.List(ctx, "")
	if err != nil || len(list) != 0 {
		t.Errorf("List on missing dir = %v, %v; want empty, nil", list, err)
	}
	if _, _, err := s.Get(ctx, "k", ""); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get on missing dir error = %v, want ErrNotFound", err)
	}
	if err := s.Put(ctx, "k", []byte("x"), ""); err != nil {
		t.Errorf("Put must create the dir: %v", err)
	}
}

// TestMetaSidecarIsNotAKey: the sidecar that holds an object's metadata can
// be neither read, overwritten nor deleted through a key, and List does not
// show it, so an upload named like one cannot forge another's original name.
func TestMetaSidecarIsNotAKey(t *testing.T) {
	dir := t.TempDir()
	s := New(dir)
	ctx := context.Background()
	const key = "2026/19/05443/a.xlsx"
	if err := s.PutMeta(ctx, key, []byte("body"), "", storage.OriginalNameMeta("báo cáo.xlsx")); err != nil {
		t.Fatal(err)
	}
	side := filepath.Join(dir, "2026", "19", "05443", metaPrefix+"a.xlsx")
	before, err := os.ReadFile(side)
	if err != nil {
		t.Fatalf("no sidecar at %s: %v", side, err)
	}
	for _, k := range []string{"2026/19/05443/" + metaPrefix + "a.xlsx", metaPrefix + "x", "2026/" + metaPrefix + "19/x"} {
		if err := s.Put(ctx, k, []byte(`{"original-name":"forged"}`), ""); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", k, err)
		}
		if err := s.PutMeta(ctx, k, []byte("x"), "", nil); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("PutMeta(%q) = %v, want ErrInvalidKey", k, err)
		}
		if b, _, err := s.Get(ctx, k, ""); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Get(%q) = %q, %v; want ErrInvalidKey", k, b, err)
		}
		if err := s.Delete(ctx, k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", k, err)
		}
	}
	if after, _ := os.ReadFile(side); !bytes.Equal(after, before) {
		t.Errorf("sidecar changed: %q, was %q", after, before)
	}
	objs, err := s.List(ctx, "2026/19/05443/")
	if err != nil || len(objs) != 1 || objs[0].Key != key {
		t.Errorf("List = %+v, %v; want only %s", objs, err, key)
	}
	// Delete removes the object's metadata with it: a later object of the
	// same key does not inherit the name.
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(side); !os.IsNotExist(err) {
		t.Errorf("sidecar left after Delete: %v", err)
	}
}
