package rollupscale

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// BenchmarkReportLargestProvince builds and writes the 15 December report
// (snapshot roll-up at the cut-off, trend, summary, .xlsx .html .csv) for
// the largest province there is: Thanh Hóa (38) in 2024, 547 communes in
// 27 districts. No province has 1,000 communes; the 1,000-commune render
// alone is pipeline/report's BenchmarkRender1000. Peak memory is measured
// in a child process. As in production, the province has been rolled up
// before (the roll-up runs after every upload), so the report's snapshot
// reads the roll-up's input cache instead of 1,400 small files.
func BenchmarkReportLargestProvince(b *testing.B) {
	f := lakeOf(b, 2024)
	out := b.TempDir()
	if _, err := rollup.Build(context.Background(), rollup.Options{Lake: local.New(f.dir), Year: 2024, Province: "38"}); err != nil {
		b.Fatal(err)
	}
	run := func() {
		r, err := report.Build(context.Background(), report.Options{Lake: local.New(f.dir), Year: 2024, Province: "38", Deadline: "12-15"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := report.WriteAll(r, out); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	run() // the first build also fills the OS page cache
	first := time.Since(start)
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(first.Milliseconds()), "first-ms")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperReport$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "XHHT_REPORT_LAKE="+f.dir)
	outp, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("child: %v\n%s", err, outp)
	}
	m := regexp.MustCompile(`VmHWM=(\d+)`).FindSubmatch(outp)
	if m == nil {
		b.Fatalf("child did not report VmHWM:\n%s", outp)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	b.ReportMetric(float64(kb)/1024, "peak-MB")
}

// TestHelperReport is the child of BenchmarkReportLargestProvince.
func TestHelperReport(t *testing.T) {
	dir := os.Getenv("XHHT_REPORT_LAKE")
	if dir == "" {
		t.Skip("child of BenchmarkReportLargestProvince")
	}
	r, err := report.Build(context.Background(), report.Options{Lake: local.New(dir), Year: 2024, Province: "38", Deadline: "12-15"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := report.WriteAll(r, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status); m != nil {
		t.Logf("VmHWM=%s", m[1])
	}
}
