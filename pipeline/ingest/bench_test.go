package ingest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// benchWorkbook writes a Biểu 01 workbook shaped like the template: a title
// block, a two-row merged header, hamlets rows and a totals row. extraRows
// adds a first sheet "Danh sách hộ" (the household list many communes keep in the
// same file) to make the file large.
func benchWorkbook(tb testing.TB, hamlets, extraRows int) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := "Biểu 01"
	if _, err := f.NewSheet(sh); err != nil {
		tb.Fatal(err)
	}
	// The household list, when there is one, is the first sheet: the
	// reader must skip it without holding it.
	if extraRows > 0 {
		f.SetSheetName("Sheet1", "Danh sách hộ")
	} else if err := f.DeleteSheet("Sheet1"); err != nil {
		tb.Fatal(err)
	}
	set := func(cell string, v any) {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			tb.Fatal(err)
		}
	}
	set("A1", "ỦY BAN NHÂN DÂN")
	set("A2", "XÃ BẰNG THÀNH")
	set("A4", "BIỂU 01: KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP NĂM 2026")
	set("A5", "Mã xã: 01864")
	header := []string{"STT", "Tên thôn", "Gia đình học tập", "", "", "Dòng họ học tập", "", "", "Cộng đồng học tập", "", "Công dân học tập", ""}
	sub := []string{"", "", "Tổng số hộ", "Đăng ký", "Được công nhận", "Tổng số", "Đăng ký", "Được công nhận", "Đăng ký", "Được công nhận", "Số người trong độ tuổi lao động", "Số người được công nhận"}
	for i := range header {
		c1, _ := excelize.CoordinatesToCellName(i+1, 7)
		c2, _ := excelize.CoordinatesToCellName(i+1, 8)
		set(c1, header[i])
		set(c2, sub[i])
	}
	for _, m := range [][2]string{{"A7", "A8"}, {"B7", "B8"}, {"C7", "E7"}, {"F7", "H7"}, {"I7", "J7"}, {"K7", "L7"}} {
		if err := f.MergeCell(sh, m[0], m[1]); err != nil {
			tb.Fatal(err)
		}
	}
	sums := make([]int, 12)
	for h := 0; h < hamlets; h++ {
		r := 9 + h
		vals := []any{h + 1, fmt.Sprintf("Thôn %d", h+1), 200 + h, 180 + h, 150 + h, 10, 9, 7, "Có", "Có", 400 + h, 250}
		for i, v := range vals {
			c, _ := excelize.CoordinatesToCellName(i+1, r)
			set(c, v)
			if n, ok := v.(int); ok && i >= 2 {
				sums[i] += n
			}
		}
	}
	tr := 9 + hamlets
	set(fmt.Sprintf("B%d", tr), "Tổng cộng")
	for i := 2; i < 12; i++ {
		c, _ := excelize.CoordinatesToCellName(i+1, tr)
		if i == 8 || i == 9 {
			set(c, hamlets)
			continue
		}
		set(c, sums[i])
	}
	set(fmt.Sprintf("B%d", tr+2), "Người lập biểu")
	if extraRows > 0 {
		sw, err := f.NewStreamWriter("Danh sách hộ")
		if err != nil {
			tb.Fatal(err)
		}
		for r := 1; r <= extraRows; r++ {
			row := []any{r, fmt.Sprintf("Nguyễn Văn Hộ số %d", r), fmt.Sprintf("Thôn %d", r%30+1), r % 7, "Gia đình học tập", fmt.Sprintf("Ghi chú dòng %d: đã rà soát", r)}
			cell, _ := excelize.CoordinatesToCellName(1, r)
			if err := sw.SetRow(cell, row); err != nil {
				tb.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func benchProcessor(tb testing.TB) *Processor {
	p, err := New(nil, local.New(tb.TempDir()))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// checkOK runs Check and fails on an infrastructure error.
func checkOK(tb testing.TB, p *Processor, u Upload, at time.Time, data []byte) *receipt.Receipt {
	res, err := Check(context.Background(), p, u, "v1", at, data)
	if err != nil {
		tb.Fatal(err)
	}
	return res.Receipt
}

// cpuTime is user+system CPU of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCheck30Hamlets: validate and encode one 30-hamlet workbook
// (everything but the two storage writes). Target: under 20 ms CPU.
func BenchmarkCheck30Hamlets(b *testing.B) {
	data := benchWorkbook(b, 30, 0)
	p := benchProcessor(b)
	u := Upload{Bucket: "bench", Key: "2026/19/01864/bao-cao.xlsx"}
	at := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	if rc := checkOK(b, p, u, at, data); rc.Status != "accepted" || rc.Rows != 30 {
		b.Fatalf("bench workbook not accepted: %+v", rc.Errors)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		checkOK(b, p, u, at, data)
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkPeakMemory20MB measures the peak resident memory of validating a
// ~20 MB workbook (the form plus a large household-list sheet), in a child
// process so the number is the whole process's high-water mark (ru_maxrss).
// Target: under 200 MB. The 30-hamlet file's peak in the same run is the
// baseline, so the ratio shows what the large file adds.
func BenchmarkPeakMemory20MB(b *testing.B) {
	dir := b.TempDir()
	small := filepath.Join(dir, "small.xlsx")
	big := filepath.Join(dir, "big.xlsx")
	if err := os.WriteFile(small, benchWorkbook(b, 30, 0), 0o644); err != nil {
		b.Fatal(err)
	}
	bigData := benchWorkbook(b, 30, 660_000)
	if err := os.WriteFile(big, bigData, 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.ReportMetric(float64(len(bigData))/1e6, "file-MB")
		base := childPeak(b, small)
		peak := childPeak(b, big)
		b.ReportMetric(float64(base)/1024, "small-peak-MB")
		b.ReportMetric(float64(peak)/1024, "peak-MB")
		b.ReportMetric(float64(peak)/float64(base), "peak-ratio")
	}
}

// childPeak runs TestHelperCheckFile in a new process and returns its peak
// resident memory in KiB, as the child reads it from /proc/self/status
// (VmHWM). Not the parent's ru_maxrss for the child: that can include the
// parent's own memory at fork time.
func childPeak(b *testing.B, file string) int64 {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCheckFile$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "XHHT_CHECK_FILE="+file)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("child: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`VmHWM=(\d+)`).FindSubmatch(out)
	if m == nil {
		b.Fatalf("child did not report VmHWM:\n%s", out)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb
}

// TestHelperCheckFile is the child of BenchmarkPeakMemory20MB; without
// XHHT_CHECK_FILE it only checks that the large workbook is accepted.
func TestHelperCheckFile(t *testing.T) {
	file := os.Getenv("XHHT_CHECK_FILE")
	var data []byte
	if file == "" {
		data = benchWorkbook(t, 30, 20_000)
	} else {
		var err error
		if data, err = os.ReadFile(file); err != nil {
			t.Fatal(err)
		}
	}
	p := benchProcessor(t)
	rc := checkOK(t, p, Upload{Bucket: "bench", Key: "2026/19/01864/big.xlsx"}, time.Now(), data)
	if rc.Status != "accepted" || rc.Rows != 30 {
		t.Fatalf("status %s rows %d: %+v", rc.Status, rc.Rows, rc.Errors)
	}
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		if m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status); m != nil {
			t.Logf("VmHWM=%s", m[1])
		}
	}
}
