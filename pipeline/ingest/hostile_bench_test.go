package ingest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// hostileZip writes an .xlsx whose one sheet is head + n bytes of fill +
// tail, and whose string table is sst (may be empty), straight to a file.
func hostileZip(tb testing.TB, file, sst, head string, fill byte, n int, tail string) {
	tb.Helper()
	f, err := os.Create(file)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	put := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			tb.Fatal(err)
		}
	}
	const main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	const rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	put("xl/workbook.xml", `<workbook xmlns="`+main+`" xmlns:r="`+rel+`"><sheets><sheet name="Biểu 01" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="`+rel+`/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	if sst != "" {
		put("xl/sharedStrings.xml", sst)
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		tb.Fatal(err)
	}
	w.Write([]byte(head))
	chunk := bytes.Repeat([]byte{fill}, 1<<20)
	for left := n; left > 0; left -= len(chunk) {
		w.Write(chunk[:min(left, len(chunk))])
	}
	w.Write([]byte(tail))
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
}

// hostileFiles writes the uploads BenchmarkPeakMemoryHostile reads: each
// the worst of its kind within the default limits (50 MB upload, 400 MB
// inflated).
func hostileFiles(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	files := map[string]string{}
	add := func(name string) string {
		p := filepath.Join(dir, name)
		files[name] = p
		return p
	}
	// The file: a 200 KB .xlsx with an attribute of 190 MiB.
	hostileZip(tb, add("attribute-190MiB.xlsx"), "", `<worksheet><sheetData><row r="1"><c r="A1" x="`, 'a', 190<<20, `"><v>1</v></c></row></sheetData></worksheet>`)
	hostileZip(tb, add("text-190MiB.xlsx"), "", `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>`, 'a', 190<<20, `</t></is></c></row></sheetData></worksheet>`)
	// A string table just under its bound (32 MiB of text), 30,000
	// strings of 1,100 characters, and a sheet of rows using them.
	var sst strings.Builder
	sst.WriteString(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	for i := range 30_000 {
		fmt.Fprintf(&sst, "<si><t>%06d%s</t></si>", i, strings.Repeat("ạ", 366))
	}
	sst.WriteString(`</sst>`)
	var rows strings.Builder
	for r := 1; r <= 30_000; r++ {
		fmt.Fprintf(&rows, `<row r="%d"><c r="A%d" t="s"><v>%d</v></c><c r="B%d"><v>%d</v></c></row>`, r, r, r-1, r, r)
	}
	hostileZip(tb, add("shared-strings-31MiB.xlsx"), sst.String(), `<worksheet><sheetData>`+rows.String(), ' ', 0, `</sheetData></worksheet>`)
	// Merged ranges just under their bound, in a sheet padded towards the
	// inflated-bytes limit.
	var merges strings.Builder
	for i := range 99_000 {
		fmt.Fprintf(&merges, `<mergeCell ref="A%d:B%d"/>`, i+1, i+1)
	}
	hostileZip(tb, add("merges-99k-padded.xlsx"), "", `<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData><!--`, '-', 300<<20, `--><mergeCells>`+merges.String()+`</mergeCells></worksheet>`)
	// A CSV at the upload limit with Mac line ends (CR alone).
	var csv bytes.Buffer
	csv.WriteString("STT;Tên thôn;Tổng số hộ\r")
	for i := 1; csv.Len() < 49<<20; i++ {
		fmt.Fprintf(&csv, "%d;Thôn Nà Rì số %d;%d\r", i, i, i%500)
	}
	if err := os.WriteFile(add("csv-49MB-cr.csv"), csv.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return files
}

// BenchmarkPeakMemoryHostile: the peak resident memory (VmHWM of a child
// process) of checking each hostile upload alone, and of ten of the
// 190 MiB-attribute files in one batch, four at a time as the Lambda
// handler runs them (lambdaingest.DefaultConcurrency). Target: under
// 256 MB per upload, and a batch within the function's 1024 MB.
func BenchmarkPeakMemoryHostile(b *testing.B) {
	dir := b.TempDir()
	files := hostileFiles(b, dir)
	for b.Loop() {
		for name, f := range files {
			st, _ := os.Stat(f)
			peak := childPeakFiles(b, []string{f})
			b.Logf("%-28s %8.1f MB upload  peak %6.1f MB", name, float64(st.Size())/1e6, float64(peak)/1024)
			b.ReportMetric(float64(peak)/1024, name+"-peak-MB")
		}
		var batch []string
		for range 10 {
			batch = append(batch, files["attribute-190MiB.xlsx"])
		}
		b.ReportMetric(float64(childPeakFiles(b, batch))/1024, "batch10-attribute-peak-MB")
		var mixed []string
		for _, f := range files {
			mixed = append(mixed, f, f)
		}
		b.ReportMetric(float64(childPeakFiles(b, mixed))/1024, "batch-mixed-peak-MB")
	}
}

// childPeakFiles runs TestHelperCheckFiles on files in a new process and
// returns its VmHWM in KiB.
func childPeakFiles(b *testing.B, files []string) int64 {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCheckFiles$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "XHHT_CHECK_FILES="+strings.Join(files, string(os.PathListSeparator)))
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

// TestHelperCheckFiles is the child of BenchmarkPeakMemoryHostile: it
// checks each file of XHHT_CHECK_FILES, four at a time, and reports its
// own peak. Without the variable it does nothing.
func TestHelperCheckFiles(t *testing.T) {
	list := os.Getenv("XHHT_CHECK_FILES")
	if list == "" {
		t.Skip("child process of BenchmarkPeakMemoryHostile")
	}
	p := benchProcessor(t)
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, f := range strings.Split(list, string(os.PathListSeparator)) {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			data, err := os.ReadFile(f)
			if err != nil {
				t.Error(err)
				return
			}
			key := fmt.Sprintf("2026/19/01864/%d-%s", i, filepath.Base(f))
			rc := checkOK(t, p, Upload{Bucket: "bench", Key: key}, time.Now(), data)
			var codes []string
			for _, is := range rc.Errors {
				codes = append(codes, is.Code)
			}
			t.Logf("%s: %s %v", filepath.Base(f), rc.Status, codes)
		}()
	}
	wg.Wait()
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		if m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status); m != nil {
			t.Logf("VmHWM=%s", m[1])
		}
	}
}
