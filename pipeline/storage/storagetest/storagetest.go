// Package storagetest is the contract every storage.Store backend must pass.
// Backends call Run from their own tests, so local and S3 behave the same
// for everything the pipeline relies on.
package storagetest

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/storage"
)

// clockSkew bounds how far a backend's LastModified may sit outside the
// window of the test's own clock. S3 reports whole seconds, so the lower
// bound is also truncated; a second of slack covers rounding.
const clockSkew = 2 * time.Second

// Run runs the contract suite. newStore must return an empty store that is
// not shared with other calls (a fresh directory or bucket).
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, newStore(t)) })
	t.Run("Overwrite", func(t *testing.T) { testOverwrite(t, newStore(t)) })
	t.Run("GetMissing", func(t *testing.T) { testGetMissing(t, newStore(t)) })
	t.Run("List", func(t *testing.T) { testList(t, newStore(t)) })
	t.Run("ListEmpty", func(t *testing.T) { testListEmpty(t, newStore(t)) })
	t.Run("ETag", func(t *testing.T) { testETag(t, newStore(t)) })
	t.Run("EmptyBody", func(t *testing.T) { testEmptyBody(t, newStore(t)) })
	t.Run("Versions", func(t *testing.T) { testVersions(t, newStore(t)) })
	t.Run("CanceledContext", func(t *testing.T) { testCanceled(t, newStore(t)) })
	t.Run("GetAtMost", func(t *testing.T) { testGetAtMost(t, newStore(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, writer(t, newStore(t))) })
	t.Run("PutIf", func(t *testing.T) { testPutIf(t, writer(t, newStore(t))) })
	t.Run("Meta", func(t *testing.T) { testMeta(t, newStore(t)) })
}

// testMeta: user metadata (an upload's original name) round-trips through
// Get and GetAtMost, is not listed as objects, is dropped by a plain Put,
// and metadata S3 could not carry is refused with nothing written.
func testMeta(t *testing.T, s storage.Store) {
	ctx := context.Background()
	mp, ok := s.(storage.MetaPutter)
	if !ok {
		t.Fatalf("%T does not implement storage.MetaPutter", s)
	}
	hostile := "<script>alert(1)</script> \u202Efdp.xlsx ../../x/" + strings.Repeat("Đồng Tháp ", 30)
	const key = "2026/19/05443/20261206-185100-a1b2c3-script-fdp.xlsx"
	body := []byte("PK\x03\x04 workbook")
	if err := mp.PutMeta(ctx, key, body, "application/octet-stream", storage.OriginalNameMeta(hostile)); err != nil {
		t.Fatalf("PutMeta: %v", err)
	}
	got, obj := get(t, s, key, "")
	if !bytes.Equal(got, body) {
		t.Errorf("body %q, want %q", got, body)
	}
	name := storage.OriginalName(obj)
	if name == "" || !strings.HasPrefix(hostile, name) || len(name) < 100 {
		t.Errorf("OriginalName = %q, want a long prefix of %q (meta %v)", name, hostile, obj.Meta)
	}
	if _, lim, err := storage.GetAtMost(ctx, s, key, "", 1<<20); err != nil || storage.OriginalName(lim) != name {
		t.Errorf("GetAtMost: original name %q, %v; want %q", storage.OriginalName(lim), err, name)
	}
	if _, big, err := storage.GetAtMost(ctx, s, key, "", 3); !errors.Is(err, storage.ErrTooLarge) || storage.OriginalName(big) != name {
		t.Errorf("GetAtMost over the limit: original name %q, %v; want %q with ErrTooLarge", storage.OriginalName(big), err, name)
	}
	put(t, s, "2026/19/05443/plain.csv", []byte("a,b\n"))
	if _, plain := get(t, s, "2026/19/05443/plain.csv", ""); len(plain.Meta) != 0 {
		t.Errorf("object put without metadata has %v", plain.Meta)
	}
	objs, err := s.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	if want := []string{"2026/19/05443/20261206-185100-a1b2c3-script-fdp.xlsx", "2026/19/05443/plain.csv"}; !slices.Equal(keys, want) {
		t.Errorf("List = %q, want only the objects %q (no metadata sidecars)", keys, want)
	}
	// A plain Put replaces the object and its metadata, as in S3.
	put(t, s, key, []byte("v2"))
	if _, o := get(t, s, key, ""); len(o.Meta) != 0 {
		t.Errorf("metadata survived a Put without it: %v", o.Meta)
	}
	for _, c := range []struct {
		name string
		meta map[string]string
	}{
		{"non-ASCII value", map[string]string{storage.MetaOriginalName: "báo cáo.xlsx"}},
		{"newline in value", map[string]string{storage.MetaOriginalName: "a\r\nX-Evil: 1"}},
		{"upper-case key", map[string]string{"Original-Name": "a"}},
		{"key with a space", map[string]string{"original name": "a"}},
		{"over 2 KB", map[string]string{"a": strings.Repeat("x", storage.MaxMetaBytes)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := "2026/19/05443/bad-meta-" + strings.ReplaceAll(c.name, " ", "-")
			if err := mp.PutMeta(ctx, k, []byte("x"), "", c.meta); !errors.Is(err, storage.ErrBadMeta) {
				t.Fatalf("PutMeta(%q): %v, want ErrBadMeta", c.meta, err)
			}
			if _, _, err := s.Get(ctx, k, ""); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("refused PutMeta stored an object: %v", err)
			}
		})
	}
}

// writer asserts that a backend implements storage.Writer: every backend the
// pipeline ships must, because the roll-up writes through it.
func writer(t *testing.T, s storage.Store) storage.Writer {
	t.Helper()
	w, ok := s.(storage.Writer)
	if !ok {
		t.Fatalf("%T does not implement storage.Writer", s)
	}
	return w
}

func testDelete(t *testing.T, s storage.Writer) {
	ctx := context.Background()
	put(t, s, "rollups/a/x.parquet", []byte("x"))
	put(t, s, "rollups/a/y.parquet", []byte("y"))
	if err := s.Delete(ctx, "rollups/a/x.parquet"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, _, err := s.Get(ctx, "rollups/a/x.parquet", ""); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get after Delete: err = %v, want ErrNotFound", err)
	}
	objs, err := s.List(ctx, "rollups/")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Key != "rollups/a/y.parquet" {
		t.Fatalf("List after Delete = %+v, want only y", objs)
	}
	if err := s.Delete(ctx, "rollups/a/never.parquet"); err != nil {
		t.Fatalf("Delete of a missing key: %v, want nil", err)
	}
}

func testPutIf(t *testing.T, s storage.Writer) {
	ctx := context.Background()
	const key = "rollups/_manifests/m.json"
	if err := s.PutIf(ctx, key, []byte("v1"), "application/json", ""); err != nil {
		t.Fatalf("PutIf absent: %v", err)
	}
	if err := s.PutIf(ctx, key, []byte("v1b"), "application/json", ""); !errors.Is(err, storage.ErrPrecondition) {
		t.Fatalf("PutIf absent on an existing key: err = %v, want ErrPrecondition", err)
	}
	_, obj := get(t, s, key, "")
	if err := s.PutIf(ctx, key, []byte("v2"), "application/json", md5Hex([]byte("other"))); !errors.Is(err, storage.ErrPrecondition) {
		t.Fatalf("PutIf with a stale ETag: err = %v, want ErrPrecondition", err)
	}
	if err := s.PutIf(ctx, key, []byte("v2"), "application/json", obj.ETag); err != nil {
		t.Fatalf("PutIf with the current ETag: %v", err)
	}
	if body, _ := get(t, s, key, ""); string(body) != "v2" {
		t.Fatalf("after PutIf: %q, want v2", body)
	}
	// The ETag read before the last write is stale now.
	if err := s.PutIf(ctx, key, []byte("v3"), "application/json", obj.ETag); !errors.Is(err, storage.ErrPrecondition) {
		t.Fatalf("PutIf with the replaced ETag: err = %v, want ErrPrecondition", err)
	}
	if err := s.PutIf(ctx, "rollups/_manifests/none.json", []byte("x"), "", obj.ETag); !errors.Is(err, storage.ErrPrecondition) {
		t.Fatalf("PutIf with an ETag on a missing key: err = %v, want ErrPrecondition", err)
	}
	objs, err := s.List(ctx, "rollups/")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 {
		t.Fatalf("List = %+v, want only the manifest (no lock or temp files)", objs)
	}
}

// md5Hex is the single-part S3 ETag of body.
func md5Hex(body []byte) string {
	sum := md5.Sum(body)
	return hex.EncodeToString(sum[:])
}

func put(t *testing.T, s storage.Store, key string, body []byte) {
	t.Helper()
	if err := s.Put(context.Background(), key, body, "application/octet-stream"); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func get(t *testing.T, s storage.Store, key, version string) ([]byte, storage.Object) {
	t.Helper()
	body, obj, err := s.Get(context.Background(), key, version)
	if err != nil {
		t.Fatalf("Get(%q, %q): %v", key, version, err)
	}
	return body, obj
}

// window is the interval in which an object written now may claim to have
// been modified.
type window struct{ from, to time.Time }

func now() window {
	n := time.Now()
	return window{from: n.Truncate(time.Second).Add(-clockSkew), to: n.Add(clockSkew)}
}

func (w window) end() window { return window{from: w.from, to: time.Now().Add(clockSkew)} }

// checkObject asserts the metadata every backend must get right.
func checkObject(t *testing.T, what string, got storage.Object, key string, body []byte, w window) {
	t.Helper()
	if got.Key != key {
		t.Errorf("%s: Key = %q, want %q", what, got.Key, key)
	}
	if got.Size != int64(len(body)) {
		t.Errorf("%s: Size = %d, want %d", what, got.Size, len(body))
	}
	if want := md5Hex(body); got.ETag != want {
		t.Errorf("%s: ETag = %q, want %q (MD5 of body, no quotes)", what, got.ETag, want)
	}
	if got.LastModified.Location() != time.UTC {
		t.Errorf("%s: LastModified %v is not in UTC", what, got.LastModified)
	}
	if got.LastModified.Before(w.from) || got.LastModified.After(w.to) {
		t.Errorf("%s: LastModified = %v, want within [%v, %v]", what, got.LastModified, w.from, w.to)
	}
}

func testRoundTrip(t *testing.T, s storage.Store) {
	cases := []struct {
		name, key, contentType string
		body                   []byte
	}{
		{"flat", "receipt.json", "application/json", []byte(`{"ok":true}`)},
		{"nested", "lake/facts/year=2026/part-0.parquet", "application/vnd.apache.parquet", []byte("PAR1\x00\x01\x02PAR1")},
		{"vietnamese", "2026/19/05443/báo cáo thôn.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []byte("PK\x03\x04 Tiếng Việt: Đồng Tháp, Huế, Cà Mau")},
		{"vietnamese dirs", "uploads/Đắk Lắk/Buôn Ma Thuột/tổng hợp quý 1.csv", "text/csv", []byte("xã,số hộ\nEa Tu,1203\n")},
		{"punctuation", "odd/a+b=c&d;e,f@g(h)'~!$ 100%.csv", "text/csv", []byte("1,2,3\n")},
		{"no content type", "blob", "", bytes.Repeat([]byte{0xff, 0x00}, 4096)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := now()
			if err := s.Put(context.Background(), c.key, c.body, c.contentType); err != nil {
				t.Fatalf("Put(%q): %v", c.key, err)
			}
			w = w.end()
			got, obj := get(t, s, c.key, "")
			if !bytes.Equal(got, c.body) {
				t.Errorf("Get(%q) body = %q, want %q", c.key, got, c.body)
			}
			checkObject(t, "Get", obj, c.key, c.body, w)
		})
	}
}

func testOverwrite(t *testing.T, s storage.Store) {
	const key = "receipts/2026/05443.json"
	v1 := []byte(`{"version":1,"padding":"makes v1 longer than v2"}`)
	v2 := []byte(`{"version":2}`)
	put(t, s, key, v1)
	w := now()
	put(t, s, key, v2)
	w = w.end()

	got, obj := get(t, s, key, "")
	if !bytes.Equal(got, v2) {
		t.Errorf("after overwrite Get = %q, want %q", got, v2)
	}
	checkObject(t, "Get after overwrite", obj, key, v2, w)

	list, err := s.List(context.Background(), "receipts/")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(list) != 1 {
		t.Fatalf("List after overwrite = %v, want exactly one object", list)
	}
	checkObject(t, "List after overwrite", list[0], key, v2, w)
}

func testGetMissing(t *testing.T, s storage.Store) {
	put(t, s, "dir/present.txt", []byte("here"))
	for _, key := range []string{
		"absent.txt",
		"dir/absent.txt",
		"dir",               // only a "directory": longer keys share the prefix
		"dir/present.txt/x", // runs through an existing object
		"dir/present.tx",    // prefix of an existing key
		"không có/tệp.xlsx", // non-ASCII
		"never/created/at/all",
	} {
		t.Run(key, func(t *testing.T) {
			body, _, err := s.Get(context.Background(), key, "")
			if !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("Get(%q) error = %v (body %q), want one wrapping storage.ErrNotFound", key, err, body)
			}
			if !strings.Contains(err.Error(), key) {
				t.Errorf("Get(%q) error %q does not name the key", key, err)
			}
		})
	}
}

func testList(t *testing.T, s storage.Store) {
	keys := []string{
		"lak",
		"lake/2026/a.parquet",
		"lake/2026/b.parquet",
		"lake/2026/sub/c.parquet",
		"lake/2027/d.parquet",
		"lake-archive/e.parquet", // '-' sorts before '/': catches per-directory sorting
		"lakehouse/f",
		"other/lake/g",
		"uploads/2026/19/05443/báo cáo thôn.xlsx",
		"uploads/2026/19/05443/báo cáo xã.xlsx",
		"uploads/2026/19/05443/bảng.xlsx",
	}
	// Distinct lengths and contents, so a size or ETag taken from the
	// wrong object shows up.
	bodies := map[string][]byte{}
	w := now()
	for i, k := range keys {
		bodies[k] = []byte(fmt.Sprintf("%s:%s", k, strings.Repeat("x", i)))
		put(t, s, k, bodies[k])
	}
	w = w.end()

	cases := []struct {
		prefix string
		want   []string
	}{
		{"", []string{
			"lak", "lake-archive/e.parquet", "lake/2026/a.parquet", "lake/2026/b.parquet",
			"lake/2026/sub/c.parquet", "lake/2027/d.parquet", "lakehouse/f", "other/lake/g",
			"uploads/2026/19/05443/báo cáo thôn.xlsx", "uploads/2026/19/05443/báo cáo xã.xlsx",
			"uploads/2026/19/05443/bảng.xlsx",
		}},
		{"lake/", []string{"lake/2026/a.parquet", "lake/2026/b.parquet", "lake/2026/sub/c.parquet", "lake/2027/d.parquet"}},
		{"lake/2026/", []string{"lake/2026/a.parquet", "lake/2026/b.parquet", "lake/2026/sub/c.parquet"}},
		{"lake/20", []string{"lake/2026/a.parquet", "lake/2026/b.parquet", "lake/2026/sub/c.parquet", "lake/2027/d.parquet"}},
		{"lake/2026/sub/c.parquet", []string{"lake/2026/sub/c.parquet"}},
		{"lake", []string{"lake-archive/e.parquet", "lake/2026/a.parquet", "lake/2026/b.parquet", "lake/2026/sub/c.parquet", "lake/2027/d.parquet", "lakehouse/f"}},
		{"la", []string{"lak", "lake-archive/e.parquet", "lake/2026/a.parquet", "lake/2026/b.parquet", "lake/2026/sub/c.parquet", "lake/2027/d.parquet", "lakehouse/f"}},
		{"uploads/2026/19/05443/báo", []string{"uploads/2026/19/05443/báo cáo thôn.xlsx", "uploads/2026/19/05443/báo cáo xã.xlsx"}},
		{"uploads/2026/19/05443/b", []string{"uploads/2026/19/05443/báo cáo thôn.xlsx", "uploads/2026/19/05443/báo cáo xã.xlsx", "uploads/2026/19/05443/bảng.xlsx"}},
		{"nothing/", nil},
		{"lake/2028", nil},
		{"lake/2026/a.parquet.bak", nil},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("prefix=%q", c.prefix), func(t *testing.T) {
			got, err := s.List(context.Background(), c.prefix)
			if err != nil {
				t.Fatalf("List(%q): %v", c.prefix, err)
			}
			var gotKeys []string
			for _, o := range got {
				gotKeys = append(gotKeys, o.Key)
			}
			if !slices.Equal(gotKeys, c.want) {
				t.Fatalf("List(%q) keys =\n  %q\nwant\n  %q", c.prefix, gotKeys, c.want)
			}
			for _, o := range got {
				checkObject(t, "List "+o.Key, o, o.Key, bodies[o.Key], w)
			}
		})
	}
}

func testListEmpty(t *testing.T, s storage.Store) {
	for _, prefix := range []string{"", "lake/", "lake/20"} {
		got, err := s.List(context.Background(), prefix)
		if err != nil {
			t.Errorf("List(%q) on empty store: %v", prefix, err)
		}
		if len(got) != 0 {
			t.Errorf("List(%q) on empty store = %v, want none", prefix, got)
		}
	}
}

func testETag(t *testing.T, s storage.Store) {
	same := []byte("cùng nội dung")
	put(t, s, "a", same)
	put(t, s, "b/copy", same)
	put(t, s, "c", []byte("khác nội dung"))
	_, a := get(t, s, "a", "")
	_, b := get(t, s, "b/copy", "")
	_, c := get(t, s, "c", "")
	if a.ETag == "" || a.ETag != b.ETag {
		t.Errorf("equal content: ETags %q and %q, want equal and non-empty", a.ETag, b.ETag)
	}
	if c.ETag == a.ETag {
		t.Errorf("different content: both ETags %q, want different", c.ETag)
	}
	for _, o := range []storage.Object{a, b, c} {
		if strings.ContainsAny(o.ETag, `"' `) {
			t.Errorf("ETag %q of %q contains quotes or spaces", o.ETag, o.Key)
		}
	}
}

func testEmptyBody(t *testing.T, s storage.Store) {
	const key = "markers/_SUCCESS"
	w := now()
	put(t, s, key, []byte{})
	w = w.end()
	got, obj := get(t, s, key, "")
	if len(got) != 0 {
		t.Errorf("Get(%q) = %q, want empty", key, got)
	}
	checkObject(t, "Get", obj, key, nil, w)
	list, err := s.List(context.Background(), "markers/")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(list) != 1 {
		t.Fatalf("List(markers/) = %v, want the empty object", list)
	}
	checkObject(t, "List", list[0], key, nil, w)
}

// testVersions checks version handling on backends that keep versions.
// Backends without versions (VersionID always "") skip it; each backend's own
// tests pin down whether it is expected to be versioned.
func testVersions(t *testing.T, s storage.Store) {
	const key = "uploads/2026/19/05443/báo cáo thôn.xlsx"
	v1, v2 := []byte("first upload"), []byte("second upload, longer")
	put(t, s, key, v1)
	_, o1 := get(t, s, key, "")
	if o1.VersionID == "" {
		t.Skip("backend reports no VersionID: not versioned")
	}
	put(t, s, key, v2)
	_, o2 := get(t, s, key, "")
	if o2.VersionID == "" || o2.VersionID == o1.VersionID {
		t.Fatalf("VersionIDs after overwrite: %q then %q, want two distinct non-empty IDs", o1.VersionID, o2.VersionID)
	}
	for _, c := range []struct {
		version string
		want    []byte
	}{{o1.VersionID, v1}, {o2.VersionID, v2}, {"", v2}} {
		got, obj := get(t, s, key, c.version)
		if !bytes.Equal(got, c.want) {
			t.Errorf("Get(version %q) = %q, want %q", c.version, got, c.want)
		}
		if want := md5Hex(c.want); obj.ETag != want {
			t.Errorf("Get(version %q) ETag = %q, want %q", c.version, obj.ETag, want)
		}
		if c.version != "" && obj.VersionID != c.version {
			t.Errorf("Get(version %q) VersionID = %q", c.version, obj.VersionID)
		}
	}
	// A well-formed version ID that belongs to another key does not exist
	// for this one.
	put(t, s, "other", []byte("x"))
	_, other := get(t, s, "other", "")
	if _, _, err := s.Get(context.Background(), key, other.VersionID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get(%q, version of another key) error = %v, want storage.ErrNotFound", key, err)
	}
}

func testCanceled(t *testing.T, s storage.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Put(ctx, "canceled", []byte("x"), ""); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with canceled context: error = %v, want context.Canceled", err)
	}
	if _, _, err := s.Get(context.Background(), "canceled", ""); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("object written despite canceled Put: Get error = %v", err)
	}
	if _, _, err := s.Get(ctx, "canceled", ""); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get with canceled context: error = %v, want a context error, not ErrNotFound", err)
	}
}

// testGetAtMost: an object over the limit is refused with ErrTooLarge and
// its real size and ETag (the id of an upload depends on the ETag); at the
// limit it is read. Both backends implement storage.LimitedGetter, so the
// refusal happens without reading the body.
func testGetAtMost(t *testing.T, s storage.Store) {
	ctx := context.Background()
	body := []byte("0123456789")
	if err := s.Put(ctx, "2026/19/01864/lon.csv", body, "text/csv"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(storage.LimitedGetter); !ok {
		t.Errorf("%T does not implement storage.LimitedGetter", s)
	}
	_, full, err := s.Get(ctx, "2026/19/01864/lon.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	got, obj, err := storage.GetAtMost(ctx, s, "2026/19/01864/lon.csv", "", 9)
	if !errors.Is(err, storage.ErrTooLarge) || got != nil {
		t.Fatalf("GetAtMost(9) = %q, %v; want ErrTooLarge", got, err)
	}
	if obj.Size != 10 || obj.ETag != full.ETag || obj.LastModified.IsZero() {
		t.Errorf("refused object %+v; want size 10 and ETag %s", obj, full.ETag)
	}
	got, obj, err = storage.GetAtMost(ctx, s, "2026/19/01864/lon.csv", "", 10)
	if err != nil || string(got) != string(body) || obj.Size != 10 {
		t.Errorf("GetAtMost(10) = %q, %+v, %v", got, obj, err)
	}
	if _, _, err := storage.GetAtMost(ctx, s, "2026/19/01864/khong-co.csv", "", 10); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("missing: %v, want ErrNotFound", err)
	}
}

// Snapshot reads every object of a store: key → bytes. Tests compare two
// snapshots to prove a run wrote byte-identical objects.
func Snapshot(t testing.TB, s storage.Store) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	objs, err := s.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, o := range objs {
		b, _, err := s.Get(ctx, o.Key, "")
		if err != nil {
			t.Fatal(err)
		}
		out[o.Key] = b
	}
	return out
}
