package rollup_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// The input cache: a second build reads only what is new or changed, and
// never counts anything the lake no longer holds as it was.
func TestInputCache(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 50, true)}}.write(t, lake)
	upload{year: 2026, commune: xaB, at: ict("2026-11-10 09:00:00"), rejected: "sai"}.write(t, lake)
	first := build(t, dir, rollup.Options{Year: 2026, Province: prov})
	if first.FromCache != 0 || first.Read != 3 {
		t.Fatalf("first build: %d cached, %d read; want 0 and 3 (1 Parquet, 2 receipts)", first.FromCache, first.Read)
	}
	// One new upload: only its two objects are read.
	upload{year: 2026, commune: xaB, file: "lan-2.xlsx", at: ict("2026-11-12 09:00:00"), hamlets: []hamlet{h(10, 10, true)}}.write(t, lake)
	second := build(t, dir, rollup.Options{Year: 2026, Province: prov})
	if second.FromCache != 3 || second.Read != 2 {
		t.Fatalf("second build: %d cached, %d read; want 3 and 2", second.FromCache, second.Read)
	}
	db := views(t, dir)
	wantInt(t, "ho_tong with the cache", row(t, db, "SELECT * FROM provinces")["ho_tong"], 110)
	k := row(t, db, "SELECT status, uploads FROM completeness WHERE level = 'commune' AND deadline = '12-15' AND commune_code = ?", xaB)
	if k["status"] != "on_time" || k["uploads"] != int64(2) {
		t.Errorf("commune B from cached receipts: %v", k)
	}

	// An object rewritten in place (same key, new bytes): its ETag changes,
	// so the cached rows of it are dropped and it is read again.
	id := upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(300, 150, true)}}.write(t, lake)
	third := build(t, dir, rollup.Options{Year: 2026, Province: prov})
	// Both objects were rewritten (a local lake versions by size and
	// modification time), so both are read again, and nothing else.
	if third.Read != 2 || third.FromCache != 3 {
		t.Errorf("third build: %d read, %d cached; want 2 and 3", third.Read, third.FromCache)
	}
	db = views(t, dir)
	wantInt(t, "ho_tong after a rewrite", row(t, db, "SELECT * FROM provinces")["ho_tong"], 310)

	// A submission that vanished from the lake (it never should) does not
	// survive in the cache either.
	matches, _ := filepath.Glob(filepath.Join(dir, "submissions", "year=2026", "province=19", "commune="+xaA, id+".parquet"))
	if len(matches) != 1 {
		t.Fatalf("submission file of %s not found", id)
	}
	if err := os.Remove(matches[0]); err != nil {
		t.Fatal(err)
	}
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	db = views(t, dir)
	wantInt(t, "ho_tong after a removal", row(t, db, "SELECT * FROM provinces")["ho_tong"], 10)

	// Without the cache (deleted), the same numbers from the objects.
	m := manifest(t, lake, "rollups/_manifests/year=2026/province=19.json")
	for _, kind := range []string{"cache_submissions", "cache_receipts"} {
		if err := lake.Delete(context.Background(), m.Files[kind]); err != nil {
			t.Fatal(err)
		}
	}
	cold := build(t, dir, rollup.Options{Year: 2026, Province: prov})
	if cold.FromCache != 0 {
		t.Errorf("cold build used %d cached objects", cold.FromCache)
	}
	db = views(t, dir)
	wantInt(t, "ho_tong without the cache", row(t, db, "SELECT * FROM provinces")["ho_tong"], 10)
}

// A rebuild with nothing new keeps the cache file (no rewrite); a new
// upload in the province makes a new one.
func TestInputCacheReusedWhenUnchanged(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 50, true)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	const mk = "rollups/_manifests/year=2026/province=19.json"
	first := manifest(t, lake, mk)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	second := manifest(t, lake, mk)
	if second.BuildID == first.BuildID {
		t.Fatal("second build did not commit")
	}
	for _, k := range []string{"cache_submissions", "cache_receipts"} {
		if second.Files[k] != first.Files[k] {
			t.Errorf("%s rewritten without a change: %s → %s", k, first.Files[k], second.Files[k])
		}
	}
	assertOnlyCurrentFiles(t, lake, second)
	upload{year: 2026, commune: xaB, at: ict("2026-11-11 09:00:00"), hamlets: []hamlet{h(10, 5, true)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	third := manifest(t, lake, mk)
	for _, k := range []string{"cache_submissions", "cache_receipts"} {
		if third.Files[k] == second.Files[k] {
			t.Errorf("%s not rewritten after a new upload", k)
		}
	}
	assertOnlyCurrentFiles(t, lake, third)
	wantInt(t, "ho_tong", row(t, views(t, dir), "SELECT * FROM provinces")["ho_tong"], 110)
}

// A cache file that is gone or damaged never loses or doubles rows: the
// build reads the objects instead (and writes a new cache). Each case
// starts from a lake whose caches match its listing exactly, the case in
// which a build otherwise does not look at the objects at all.
func TestInputCacheGoneOrDamaged(t *testing.T) {
	const mk = "rollups/_manifests/year=2026/province=19.json"
	cases := []struct {
		name   string
		damage func(t *testing.T, lake *local.Store, dir string)
	}{
		{"submission cache gone", func(t *testing.T, lake *local.Store, dir string) {
			if err := lake.Delete(context.Background(), manifest(t, lake, mk).Files["cache_submissions"]); err != nil {
				t.Fatal(err)
			}
		}},
		{"submission cache damaged", func(t *testing.T, lake *local.Store, dir string) {
			overwrite(t, dir, manifest(t, lake, mk).Files["cache_submissions"], "not parquet")
		}},
		{"receipt cache damaged", func(t *testing.T, lake *local.Store, dir string) {
			overwrite(t, dir, manifest(t, lake, mk).Files["cache_receipts"], "PAR1 truncated")
		}},
		{"national cache damaged", func(t *testing.T, lake *local.Store, dir string) {
			overwrite(t, dir, manifest(t, lake, "rollups/_manifests/year=2026/province=all.json").Files["cache_nation"], "garbage")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			lake := local.New(dir)
			upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 50, true)}}.write(t, lake)
			upload{year: 2026, commune: xaB, at: ict("2026-11-10 09:00:00"), rejected: "sai"}.write(t, lake)
			upload{year: 2026, commune: "00004", at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(7, 7, true)}}.write(t, lake)
			build(t, dir, rollup.Options{Year: 2026})
			c.damage(t, lake, dir)
			res := build(t, dir, rollup.Options{Year: 2026, Province: prov})
			if res.Inputs != 1 {
				t.Errorf("%d submissions counted, want 1", res.Inputs)
			}
			db := views(t, dir)
			wantInt(t, "province ho_tong", row(t, db, "SELECT * FROM provinces WHERE province_code = '19'")["ho_tong"], 100)
			wantInt(t, "nation ho_tong", row(t, db, "SELECT * FROM nation")["ho_tong"], 107)
			k := row(t, db, "SELECT status FROM completeness WHERE level = 'commune' AND deadline = '12-15' AND commune_code = ?", xaB)
			if k["status"] != "rejected_only" {
				t.Errorf("commune B: %v, want rejected_only (from its receipt)", k["status"])
			}
			// The next build finds usable caches again.
			again := build(t, dir, rollup.Options{Year: 2026, Province: prov})
			if again.Read != 0 {
				t.Errorf("the build after read %d objects; want all from the new caches", again.Read)
			}
		})
	}
}

func overwrite(t *testing.T, dir, key, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(key)), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A store that lists objects without an ETag: they can never be known
// unchanged, so every build reads them again, and counts them once.
func TestInputCacheWithoutETags(t *testing.T) {
	dir := t.TempDir()
	lake := noETags{local.New(dir)}
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 50, true)}}.write(t, lake)
	upload{year: 2026, commune: xaB, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(10, 5, true)}}.write(t, lake)
	for i := range 3 {
		res, err := rollup.Build(context.Background(), rollup.Options{Lake: lake, Year: 2026, Province: prov, Log: quiet})
		if err != nil {
			t.Fatal(err)
		}
		if res.FromCache != 0 || res.Read != 4 {
			t.Errorf("build %d: %d cached, %d read; want 0 and 4", i+1, res.FromCache, res.Read)
		}
		wantInt(t, fmt.Sprintf("build %d: ho_tong", i+1), row(t, views(t, dir), "SELECT * FROM provinces")["ho_tong"], 110)
	}
}

// noETags lists objects without their ETag.
type noETags struct{ *local.Store }

func (s noETags) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	objs, err := s.Store.List(ctx, prefix)
	for i := range objs {
		objs[i].ETag = ""
	}
	return objs, err
}

// A WorkDir reused from build to build (pinned files of an earlier build
// still in it) never writes into the lake through a stale hard link.
func TestReusedWorkDir(t *testing.T) {
	dir := t.TempDir()
	work := t.TempDir()
	lake := local.New(dir)
	upload{year: 2025, commune: xaA, at: ict("2025-11-10 09:00:00"), hamlets: []hamlet{h(50, 20, true)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2025, Province: prov, WorkDir: work})
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 50, true)}}.write(t, lake)
	for i := range 3 {
		build(t, dir, rollup.Options{Year: 2026, Province: prov, WorkDir: work})
		if i == 1 {
			upload{year: 2026, commune: xaB, at: ict("2026-11-11 09:00:00"), hamlets: []hamlet{h(10, 5, true)}}.write(t, lake)
		}
	}
	db := views(t, dir)
	r := row(t, db, "SELECT * FROM provinces WHERE year = 2026")
	wantInt(t, "ho_tong", r["ho_tong"], 110)
	wantFloat(t, "last year's rate", r["ty_le_ho_dat_nam_truoc"], 0.4)
	wantInt(t, "2025 ho_tong", row(t, db, "SELECT * FROM provinces WHERE year = 2025")["ho_tong"], 50)
	build(t, dir, rollup.Options{Year: 2025, Province: prov, WorkDir: work})
	build(t, dir, rollup.Options{Year: 2026, Province: prov, WorkDir: work})
	wantInt(t, "ho_tong, last build", row(t, views(t, dir), "SELECT * FROM provinces WHERE year = 2026")["ho_tong"], 110)
}

// A failed upload of one output file leaves the province's manifest (and
// so every reader) on the previous build, and the build reports it.
func TestFailedUploadCommitsNothing(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 50, true)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	const mk = "rollups/_manifests/year=2026/province=19.json"
	before := manifest(t, lake, mk)
	upload{year: 2026, commune: xaB, at: ict("2026-11-11 09:00:00"), hamlets: []hamlet{h(10, 5, true)}}.write(t, lake)
	_, err := rollup.Build(context.Background(), rollup.Options{Lake: failPuts{lake, "/level=commune/"}, Year: 2026, Province: prov, Log: quiet})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the upload's error", err)
	}
	if after := manifest(t, lake, mk); after.BuildID != before.BuildID {
		t.Errorf("manifest moved to %s after a failed upload", after.BuildID)
	}
	wantInt(t, "readers still see the previous build", row(t, views(t, dir), "SELECT * FROM provinces")["ho_tong"], 100)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	wantInt(t, "the next build", row(t, views(t, dir), "SELECT * FROM provinces")["ho_tong"], 110)
	assertOnlyCurrentFiles(t, lake, manifest(t, lake, mk))
}

// failPuts fails every Put of a key containing a substring.
type failPuts struct {
	*local.Store
	match string
}

func (s failPuts) Put(ctx context.Context, key string, body []byte, contentType string) error {
	if strings.Contains(key, s.match) {
		return errors.New("disk full")
	}
	return s.Store.Put(ctx, key, body, contentType)
}

// A statement that fails on one of a build's two connections stops the
// build with that error (not the other lane's cancellation), and commits
// nothing.
func TestFailedLaneStopsTheBuild(t *testing.T) {
	dir, work := t.TempDir(), t.TempDir()
	lake := local.New(dir)
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 50, true)}}.write(t, lake)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	const mk = "rollups/_manifests/year=2026/province=19.json"
	before := manifest(t, lake, mk)
	// The commune level cannot be written: its output folder is a file.
	if err := os.MkdirAll(filepath.Join(work, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "out", "communes"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := rollup.Build(context.Background(), rollup.Options{Lake: lake, Year: 2026, Province: prov, WorkDir: work, Log: quiet})
	if err == nil || !strings.Contains(err.Error(), "write communes") || errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the commune level's write error", err)
	}
	if after := manifest(t, lake, mk); after.BuildID != before.BuildID {
		t.Errorf("manifest moved to %s after a failed build", after.BuildID)
	}
}
