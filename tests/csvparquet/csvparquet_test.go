// Package csvparquet compares full validation of the largest CSV the
// validator accepts with DuckDB converting the same file to Parquet. DuckDB
// runs only here, in a benchmark: it stays out of the ingest binary.
package csvparquet

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/xhht/xhht/pipeline/demo"
	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// hamlets is the most a Biểu 01 table may hold with its totals row
// (table.MaxDataRows counts both).
const hamlets = 4999

// bigCSV is a Biểu 01 CSV of n hamlets as pipeline/demo writes one.
func bigCSV(p *ingest.Processor, n int) []byte {
	f := demo.File{Format: "csv"}
	for h := range n {
		f.Hamlets = append(f.Hamlets, demo.Hamlet{
			Name:   fmt.Sprintf("Thôn Đồng Tâm %d", h+1),
			HoTong: 200 + h%90, HoDangKy: 180 + h%90, HoDat: 150 + h%90,
			DongHoTong: 10, DongHoDangKy: 9, DongHoDat: 7,
			CongDongDangKy: true, CongDongDat: h%3 != 0,
			LaoDongTong: 400 + h%50, CongDanDat: 250,
		})
	}
	return f.CSV(p.Forms.Form("bieu01"), false)
}

// BenchmarkCSVToParquet: ingest.Check of a 4,999-hamlet CSV (read, find the
// table, validate every cell, code the hamlets, encode Parquet) against
// DuckDB's COPY (SELECT * FROM read_csv(…)) TO '….parquet' of the same
// file, alternately in one loop. rate-ratio is our rows per second over
// DuckDB's in wall time (target ≥ 0.5); cpu-rate-ratio the same in CPU time.
func BenchmarkCSVToParquet(b *testing.B) {
	dir := b.TempDir()
	p, err := ingest.New(nil, local.New(filepath.Join(dir, "lake")))
	if err != nil {
		b.Fatal(err)
	}
	data := bigCSV(p, hamlets)
	file := filepath.Join(dir, "bao-cao.csv")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	copySQL := fmt.Sprintf("COPY (SELECT * FROM read_csv('%s')) TO '%s' (FORMAT parquet)", file, filepath.Join(dir, "duck.parquet"))
	u := ingest.Upload{Bucket: "bench", Key: "2026/19/01864/bao-cao.csv"}
	at := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	check := func() {
		res, err := ingest.Check(context.Background(), p, u, "v1", at, data)
		if err != nil {
			b.Fatal(err)
		}
		if rc := res.Receipt; rc.Status != "accepted" || rc.Rows != hamlets {
			b.Fatalf("status %s, %d rows: %+v", rc.Status, rc.Rows, rc.Errors)
		}
	}
	duck := func() {
		if _, err := db.Exec(copySQL); err != nil {
			b.Fatal(err)
		}
	}
	check() // warm both once
	duck()
	var ours, theirs, oursCPU, theirsCPU time.Duration
	for b.Loop() {
		t0, c0 := time.Now(), cpuTime()
		check()
		t1, c1 := time.Now(), cpuTime()
		duck()
		ours, theirs = ours+t1.Sub(t0), theirs+time.Since(t1)
		oursCPU, theirsCPU = oursCPU+c1-c0, theirsCPU+cpuTime()-c1
	}
	n := float64(b.N)
	b.ReportMetric(float64(len(data))/1e6, "csv-MB")
	b.ReportMetric(ours.Seconds()*1000/n, "check-ms")
	b.ReportMetric(theirs.Seconds()*1000/n, "duckdb-ms")
	b.ReportMetric(theirs.Seconds()/ours.Seconds(), "rate-ratio")
	// The same in CPU time (DuckDB's threads included): steadier than wall
	// time on a loaded machine, where both wait for a core.
	b.ReportMetric(oursCPU.Seconds()*1000/n, "check-cpu-ms")
	b.ReportMetric(theirsCPU.Seconds()*1000/n, "duckdb-cpu-ms")
	b.ReportMetric(theirsCPU.Seconds()/oursCPU.Seconds(), "cpu-rate-ratio")
}

// cpuTime is user+system CPU of this process (all its threads) so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCheckLargestCSV is the check half of BenchmarkCSVToParquet
// alone, without DuckDB in the process: what to profile
// (-cpuprofile, -memprofile) when working on the ratio.
func BenchmarkCheckLargestCSV(b *testing.B) {
	p, err := ingest.New(nil, local.New(filepath.Join(b.TempDir(), "lake")))
	if err != nil {
		b.Fatal(err)
	}
	data := bigCSV(p, hamlets)
	u := ingest.Upload{Bucket: "bench", Key: "2026/19/01864/bao-cao.csv"}
	at := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		res, err := ingest.Check(context.Background(), p, u, "v1", at, data)
		if err != nil {
			b.Fatal(err)
		}
		if rc := res.Receipt; rc.Status != "accepted" || rc.Rows != hamlets {
			b.Fatalf("status %s, %d rows: %+v", rc.Status, rc.Rows, rc.Errors)
		}
	}
}
