package rollup_test

import (
	"context"
	"testing"

	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/s3store"
	"github.com/xhht/xhht/pipeline/storage/s3test"
)

// The roll-up against a real S3-compatible server (versitygw: signatures
// checked, conditional writes honoured): inputs downloaded with the SDK,
// outputs and manifests written back, then mirrored for the query views.
func TestBuildOnS3AndMirror(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "lake")
	lake := s3store.New(srv.Client(t), "lake", "tinh/")
	ctx := context.Background()
	upload{year: 2026, commune: xaA, at: ict("2026-11-10 09:00:00"), hamlets: []hamlet{h(100, 80, true), h(50, 10, false)}}.write(t, lake)
	upload{year: 2026, commune: xaB, at: ict("2026-11-30 09:00:00"), hamlets: []hamlet{h(10, 10, true)}}.write(t, lake)
	first, err := rollup.Build(ctx, rollup.Options{Lake: lake, Year: 2026, Province: prov, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if !first.Nation || len(first.Provinces) != 1 {
		t.Fatalf("first build: %+v", first)
	}
	dir := t.TempDir()
	st, err := rollup.Mirror(ctx, lake, dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if st.Copied == 0 {
		t.Fatal("nothing mirrored")
	}
	db := views(t, dir)
	p := row(t, db, "SELECT * FROM provinces")
	wantInt(t, "ho_tong", p["ho_tong"], 160)
	wantFloat(t, "ty_le_ho_dat", p["ty_le_ho_dat"], 100.0/160)
	k := row(t, db, "SELECT * FROM completeness WHERE level = 'nation' AND deadline = '12-01'")
	wantInt(t, "on time for 12-01", k["on_time"], 1)
	wantInt(t, "late for 12-01", k["late"], 1)
	if n := row(t, db, "SELECT count(*) AS n FROM submissions")["n"]; n != int64(3) {
		t.Errorf("submissions view: %v rows, want 3", n)
	}

	// A new upload, a second build: the S3 folder keeps only the current
	// files, and a second mirror replaces the local copy.
	upload{year: 2026, commune: "01849", at: ict("2026-12-01 09:00:00"), hamlets: []hamlet{h(40, 0, false)}}.write(t, lake)
	second, err := rollup.Build(ctx, rollup.Options{Lake: lake, Year: 2026, Province: prov, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := lake.List(ctx, "rollups/level=province/year=2026/province=19/")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Key != "rollups/level=province/year=2026/province=19/"+second.BuildID+".parquet" {
		t.Fatalf("province folder on S3 = %+v, want only build %s", objs, second.BuildID)
	}
	st, err = rollup.Mirror(ctx, lake, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if st.Removed == 0 {
		t.Error("the mirror kept the superseded build's files")
	}
	db2 := views(t, dir)
	wantInt(t, "ho_tong after the second build", row(t, db2, "SELECT * FROM provinces")["ho_tong"], 200)
}
