package rollup_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// A snapshot with a cut-off counts only what arrived before it, gives the
// same numbers after later uploads, and commits nothing to the lake.
func TestSnapshotCutoff(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	cut := time.Date(2026, 12, 14, 17, 0, 0, 0, time.UTC) // 00:00 ICT on 15 December
	upload{year: 2026, commune: xaA, at: ict("2026-12-14 23:59:59"), hamlets: []hamlet{h(100, 50, true)}}.write(t, lake)
	upload{year: 2026, commune: xaB, at: ict("2026-12-15 00:00:00"), hamlets: []hamlet{h(10, 10, true)}}.write(t, lake) // at the cut-off: out
	upload{year: 2026, commune: "01849", at: ict("2026-12-16 08:00:00"), rejected: "sai"}.write(t, lake)
	snap := func() (*rollup.Result, map[string]any) {
		out := t.TempDir()
		res, err := rollup.Build(context.Background(), rollup.Options{Lake: lake, Year: 2026, Province: prov, Cutoff: cut, OutDir: out, Log: quiet})
		if err != nil {
			t.Fatal(err)
		}
		db, err := rollup.OpenSnapshot(context.Background(), out)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		p := row(t, db, "SELECT p.ho_tong, p.so_xa_bieu01, k.missing, k.rejected_only FROM provinces p JOIN completeness k ON k.level = 'province' AND k.deadline = '12-15'")
		if _, err := filepath.Glob(filepath.Join(out, "*.parquet")); err != nil {
			t.Fatal(err)
		}
		return res, p
	}
	res, p := snap()
	wantInt(t, "ho_tong before the cut-off", p["ho_tong"], 100)
	wantInt(t, "communes with Biểu 01", p["so_xa_bieu01"], 1)
	wantInt(t, "rejected only (the rejection came after the cut-off)", p["rejected_only"], 0)
	if !res.DataTime.Equal(ict("2026-12-14 23:59:59")) {
		t.Errorf("DataTime = %v, want the last counted upload", res.DataTime)
	}
	// Later uploads change nothing in a regenerated snapshot.
	upload{year: 2026, commune: "01864", at: ict("2026-12-20 08:00:00"), hamlets: []hamlet{h(7, 7, true)}}.write(t, lake)
	res2, p2 := snap()
	for k, v := range p {
		if p2[k] != v {
			t.Errorf("%s: %v, then %v after a later upload", k, v, p2[k])
		}
	}
	if !res2.DataTime.Equal(res.DataTime) {
		t.Errorf("DataTime moved: %v → %v", res.DataTime, res2.DataTime)
	}
	if objs, _ := lake.List(context.Background(), "rollups/"); len(objs) != 0 {
		t.Errorf("a snapshot wrote %d objects to the lake", len(objs))
	}
}
