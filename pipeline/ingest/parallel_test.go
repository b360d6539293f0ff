package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/demo"
	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
	"github.com/xhht/xhht/pipeline/storage/storagetest"
)

// watchedUploads is a real local store that records the order in which
// uploads are read and how many reads overlap, and can fail one key. The
// first read waits (up to 5 s) for a second one to start, so a runner that
// works in parallel shows it whatever the scheduler does.
type watchedUploads struct {
	storage.Store
	fail     string
	mu       sync.Mutex
	order    []string
	inFlight int
	maxIn    int
	second   chan struct{}
	once     sync.Once
}

func (w *watchedUploads) Get(ctx context.Context, key, version string) ([]byte, storage.Object, error) {
	w.mu.Lock()
	w.order = append(w.order, key)
	w.inFlight++
	w.maxIn = max(w.maxIn, w.inFlight)
	first := len(w.order) == 1
	if w.inFlight >= 2 {
		w.once.Do(func() { close(w.second) })
	}
	w.mu.Unlock()
	defer func() { w.mu.Lock(); w.inFlight--; w.mu.Unlock() }()
	if first {
		select {
		case <-w.second:
		case <-time.After(5 * time.Second):
		}
	}
	if key == w.fail {
		return nil, storage.Object{}, fmt.Errorf("watched: %s unreachable", key)
	}
	return w.Store.Get(ctx, key, version)
}

// burstUploads writes the demo uploads of the first communes of province 19
// into dir, each commune's file twice more under other names and later
// times (re-uploads the next days). It returns the keys in upload order.
func burstUploads(t *testing.T, p *ingest.Processor, dir string, communes int) []string {
	t.Helper()
	plan, err := demo.NewPlan(p.Registry, 2026, "19")
	if err != nil {
		t.Fatal(err)
	}
	up := local.New(dir)
	put := func(key string, b []byte, at time.Time) {
		if err := up.Put(context.Background(), key, b, ""); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(key)), at, at); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	seen := map[string]bool{}
	for _, f := range plan.Files {
		if !seen[f.Commune.Code] && len(seen) == communes {
			continue
		}
		seen[f.Commune.Code] = true
		b, err := demo.Render(f, plan, p.Forms)
		if err != nil {
			t.Fatal(err)
		}
		put(f.Key, b, f.ReceivedAt)
		keys = append(keys, f.Key)
		for i := 1; i <= 2; i++ {
			again := strings.TrimSuffix(f.Key, filepath.Ext(f.Key)) + fmt.Sprintf("-lan%d", i+1) + filepath.Ext(f.Key)
			put(again, b, f.ReceivedAt.Add(time.Duration(i)*24*time.Hour))
			keys = append(keys, again)
		}
	}
	// Interleave the communes, as a listing by time would.
	keys = append(keys, "2026/19/khong-dung-cho.xlsx") // a key of no commune
	if err := up.Put(context.Background(), keys[len(keys)-1], []byte("x"), ""); err != nil {
		t.Fatal(err)
	}
	return keys
}

func commune(key string) string {
	if k, err := lake.ParseKey(key); err == nil {
		return k.Commune
	}
	return key
}

func TestProcessAllMatchesSerial(t *testing.T) {
	upDir := t.TempDir()
	serialLake, parallelLake := local.New(t.TempDir()), local.New(t.TempDir())
	serial, err := ingest.New(local.New(upDir), serialLake)
	if err != nil {
		t.Fatal(err)
	}
	keys := burstUploads(t, serial, upDir, 6)
	uploads := make([]ingest.Upload, len(keys))
	for i, k := range keys {
		uploads[i] = ingest.Upload{Bucket: bucket, Key: k}
	}
	var want []*receipt.Receipt
	for _, u := range uploads {
		rc, err := serial.Process(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, rc)
	}
	w := &watchedUploads{Store: local.New(upDir), second: make(chan struct{})}
	par, err := ingest.New(w, parallelLake)
	if err != nil {
		t.Fatal(err)
	}
	got, err := par.ProcessAll(context.Background(), uploads, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(uploads) {
		t.Fatalf("%d receipts for %d uploads", len(got), len(uploads))
	}
	for i, rc := range got {
		if rc.SourceKey != keys[i] || rc.SubmissionID != want[i].SubmissionID || rc.Status != want[i].Status {
			t.Errorf("receipt %d: %s %s %s, serial %s %s %s", i, rc.SourceKey, rc.SubmissionID, rc.Status, want[i].SourceKey, want[i].SubmissionID, want[i].Status)
		}
	}
	if w.maxIn < 2 {
		t.Errorf("at most %d upload read at a time: not parallel", w.maxIn)
	}
	// Per commune, the files were read in the order given.
	perCommune := func(ks []string) map[string][]string {
		m := map[string][]string{}
		for _, k := range ks {
			m[commune(k)] = append(m[commune(k)], k)
		}
		return m
	}
	if g, wnt := perCommune(w.order), perCommune(keys); !reflect.DeepEqual(g, wnt) {
		t.Errorf("order within communes:\n got %v\nwant %v", g, wnt)
	}
	a, b := storagetest.Snapshot(t, serialLake), storagetest.Snapshot(t, parallelLake)
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("serial lake %d objects, parallel %d", len(a), len(b))
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			t.Errorf("%s differs between serial and parallel processing", k)
		}
	}
}

func TestProcessAllStopsAtFirstError(t *testing.T) {
	upDir := t.TempDir()
	p0, err := ingest.New(local.New(upDir), local.New(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	keys := burstUploads(t, p0, upDir, 3)
	// The second file of the second commune fails; its third must not run.
	var byCommune [][]int
	at := map[string]int{}
	for i, k := range keys {
		c := commune(k)
		if _, ok := at[c]; !ok {
			at[c] = len(byCommune)
			byCommune = append(byCommune, nil)
		}
		byCommune[at[c]] = append(byCommune[at[c]], i)
	}
	bad, after := byCommune[1][1], byCommune[1][2]
	w := &watchedUploads{Store: local.New(upDir), fail: keys[bad], second: make(chan struct{})}
	p, err := ingest.New(w, local.New(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	var uploads []ingest.Upload
	for _, k := range keys {
		uploads = append(uploads, ingest.Upload{Bucket: bucket, Key: k})
	}
	got, err := p.ProcessAll(context.Background(), uploads, 2)
	if err == nil || !strings.Contains(err.Error(), keys[bad]) {
		t.Fatalf("error %v, want one naming %s", err, keys[bad])
	}
	if len(got) > bad { // serial processing would have stopped there
		t.Fatalf("%d receipts, more than the %d before the failed upload", len(got), bad)
	}
	for i, rc := range got {
		if rc == nil || rc.SourceKey != keys[i] {
			t.Fatalf("receipt %d: %+v, want %s", i, rc, keys[i])
		}
	}
	for _, k := range w.order {
		if k == keys[after] {
			t.Errorf("%s, after the failed file of the same commune, was read", k)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.ProcessAll(ctx, uploads, 2); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}
