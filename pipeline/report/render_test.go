package report

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

func TestFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{fmtInt(245310), "245.310"},
		{fmtInt(1234567), "1.234.567"},
		{fmtInt(999), "999"},
		{fmtInt(-1000), "-1.000"},
		{fmtPct(0.786), "78,6%"},
		{fmtPct(0.5625), "56,3%"}, // half away from zero, as spreadsheets show it
		{fmtPct(1), "100,0%"},
		{fmtTargetPct(0.8), "80%"},
		{fmtTargetPct(0.875), "87,5%"},
		{fmtChange(0.023), "+2,3"},
		{fmtChange(-0.015), "-1,5"},
		{fmtChange(-0.0001), "+0,0"},
		{roman(4), "IV"},
		{roman(14), "XIV"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	r := fixtureReport(3, 0)
	if got := dateLine(r); got != "Thái Nguyên, ngày …… tháng 12 năm 2026" {
		t.Errorf("dateLine %q", got)
	}
	if got := cutOffLine(r); got != "Số liệu tính đến trước 00 giờ 00 ngày 15/12/2026 (giờ Việt Nam)" {
		t.Errorf("cutOffLine %q", got)
	}
	if got := dataTimeLine(r); got != "Thời điểm số liệu: cập nhật lần cuối: 14/12/2026 16:05" {
		t.Errorf("dataTimeLine %q", got)
	}
	r.DataTime = time.Time{}
	if got := dataTimeLine(r); got != "Thời điểm số liệu: chưa có số liệu" {
		t.Errorf("dataTimeLine %q", got)
	}
	if got := dateLine(movementReport(3, 0)); got != "Thái Nguyên, ngày …… tháng 12 năm 2026" {
		t.Errorf("dateLine %q", got)
	}
}

func TestTableLinesDistricts(t *testing.T) {
	r := fixtureReport(92, 3)
	lines := tableLines(r)
	if lines[0].level() != "district" || lines[0].stt != "I" {
		t.Fatalf("first line %+v", lines[0])
	}
	var districts, communes int
	cur := ""
	for _, l := range lines[:len(lines)-1] {
		switch l.level() {
		case "district":
			districts++
			cur = l.row.Code
		case "commune":
			communes++
			if l.row.District != cur {
				t.Errorf("commune %s of %s listed under %s", l.row.Code, l.row.District, cur)
			}
		}
	}
	if districts != 3 || communes != 92 || lines[len(lines)-1].level() != "province" {
		t.Errorf("%d districts, %d communes, last %s", districts, communes, lines[len(lines)-1].level())
	}
}

// TestDeterministic: the same Report gives the same bytes, for all three
// formats (excelize writes zip entries without timestamps and in sorted
// order, and the document properties carry fixed dates).
func TestDeterministic(t *testing.T) {
	for _, mk := range []func() *Report{func() *Report { return fixtureReport(92, 3) }, func() *Report { return movementReport(40, 0) }} {
		for _, w := range []struct {
			name  string
			write func(io.Writer, *Report) error
		}{{"xlsx", WriteXLSX}, {"html", WriteHTML}, {"csv", WriteCSV}} {
			var a, b bytes.Buffer
			if err := w.write(&a, mk()); err != nil {
				t.Fatal(err)
			}
			if err := w.write(&b, mk()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("%s: two renderings differ", w.name)
			}
			if w.name == "xlsx" {
				zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range zr.File {
					if !f.Modified.IsZero() && f.Modified.Year() > 1980 {
						t.Errorf("%s has a timestamp %v", f.Name, f.Modified)
					}
				}
			}
		}
	}
}

func TestWriteAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	paths, err := WriteAll(fixtureReport(10, 0), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bao-cao-12-15-2026-19.xlsx", "bao-cao-12-15-2026-19.html", "bao-cao-12-15-2026-19.csv"}
	if len(paths) != 3 {
		t.Fatalf("paths %q", paths)
	}
	for i, p := range paths {
		if filepath.Base(p) != want[i] || filepath.Dir(p) != dir {
			t.Errorf("path %q, want %s in %s", p, want[i], dir)
		}
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("%d files in dir, want 3 (no temporary files left)", len(entries))
	}
	bad := fixtureReport(3, 0)
	bad.Province = "../x"
	if _, err := WriteAll(bad, dir); err == nil {
		t.Error("a province code with a path in it was accepted")
	}
}

// BenchmarkRender1000 renders all three formats of a 1,000-commune
// report. Target: under 2 s and 300 MB of heap for the whole report; the
// peak live heap is reported as peak-heap-MB.
func BenchmarkRender1000(b *testing.B) {
	r := fixtureReport(1000, 0)
	b.ReportAllocs()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() { // sample the live heap while rendering
		defer close(stopped)
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
				metrics.Read(sample)
				peak = max(peak, sample[0].Value.Uint64())
			}
		}
	}()
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		for _, w := range []func(io.Writer, *Report) error{WriteXLSX, WriteHTML, WriteCSV} {
			if err := w(io.Discard, r); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	close(done)
	<-stopped
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
