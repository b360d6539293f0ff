package browser

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/xhht/xhht/pipeline/portal/portaltest"
	"github.com/xhht/xhht/pipeline/storage/local"
)

const year = 2026

var xhhtBin string

// TestMain builds the real command once: the tests run `xhht serve`.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "xhht-browser-")
	if err != nil {
		panic(err)
	}
	xhhtBin = filepath.Join(dir, "xhht")
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	cmd := exec.Command("go", "build", "-o", xhhtBin, "./cmd/xhht")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build xhht: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// portalServer is a running `xhht serve` over temporary directories.
type portalServer struct {
	URL  string
	Lake *local.Store
}

var addrRe = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)

func serve(t testing.TB) portalServer {
	t.Helper()
	dir := t.TempDir()
	lake := filepath.Join(dir, "lake")
	cmd := exec.Command(xhhtBin, "serve", "--addr", "127.0.0.1:0", "--uploads", filepath.Join(dir, "uploads"), "--lake", lake)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	cmd.Stderr = log
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("xhht serve's log:\n%s", log.String())
		}
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("xhht serve did not start: %v", err)
	}
	u := addrRe.FindString(line)
	if u == "" {
		t.Fatalf("xhht serve printed no address: %q", line)
	}
	return portalServer{URL: u, Lake: local.New(lake)}
}

// syncBuffer holds the server's log, shown when a test fails.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// screenshots is where the PNGs go: XHHT_SCREENSHOTS (e.g. docs/) or a
// temporary directory.
func screenshots(t testing.TB) string {
	if d := os.Getenv("XHHT_SCREENSHOTS"); d != "" {
		return d
	}
	return t.TempDir()
}

// The five steps of issue 11 at an office PC's size and a phone's.
func TestPortalFlow(t *testing.T) {
	for _, tc := range []struct {
		name          string
		width, height int
		commune       string
	}{
		{"1366x768", 1366, 768, "05443"},
		{"360x740", 360, 740, "01840"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t)
			code := portaltest.Code(t, srv.Lake, year, tc.commune, time.Now())
			ctx := NewBrowser(t, tc.width, tc.height)
			dir := screenshots(t)
			res := Flow(t, ctx, Options{BaseURL: srv.URL, Code: code, Year: year, Commune: tc.commune, Screenshots: dir, Prefix: "portal-" + tc.name})
			if len(res.Places) == 0 {
				t.Error("no errors listed for the bad file")
			}
			// The page fits the screen: no sideways scrolling on the phone.
			w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if w > tc.width {
				t.Errorf("page is %d px wide in a %d px window", w, tc.width)
			}
		})
	}
}

// Without JavaScript the plain form still uploads and shows the answer
// (progressive enhancement).
func TestPlainFormWithoutScript(t *testing.T) {
	srv := serve(t)
	code := portaltest.Code(t, srv.Lake, year, "05443", time.Now())
	ctx := NewBrowser(t, 1366, 768)
	if _, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return chromedp.Void{}, err
	}); err != nil {
		t.Fatal(err)
	}
	o := Options{BaseURL: srv.URL, Code: code, Timeout: 30 * time.Second}
	SignIn(t, ctx, o)
	blank, sheets := portaltest.Blank(t, year, "05443", 3)
	path := filepath.Join(t.TempDir(), "khong-js.xlsx")
	write(t, path, portaltest.Good(t, blank, sheets, 3).Bytes)
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(c,
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{path}),
		chromedp.Click(chromedp.ID("nop")),
		chromedp.WaitVisible(chromedp.CSS("#ket-qua.good")),
	); err != nil {
		t.Fatalf("plain form upload: %v", err)
	}
	loc, _ := chromedp.Run(c, chromedp.Location())
	if !strings.Contains(loc, "/nop") {
		t.Errorf("the answer did not come from the form's own post (location %s): was the script running?", loc)
	}
}

// BenchmarkUploadToReceipt: from the click on "Nộp tệp" to the answer on
// screen, for a 30-hamlet workbook, through `xhht serve` (processed at
// once). Reports p50 and p95 in ms (target p95 ≤ 1000 ms).
func BenchmarkUploadToReceipt(b *testing.B) {
	srv := serve(b)
	code := portaltest.Code(b, srv.Lake, year, "05443", time.Now())
	ctx := NewBrowser(b, 1366, 768)
	SignIn(b, ctx, Options{BaseURL: srv.URL, Code: code, Timeout: 30 * time.Second})
	blank, sheets := portaltest.Blank(b, year, "05443", 30)
	path := filepath.Join(b.TempDir(), "bao-cao-30-thon.xlsx")
	write(b, path, portaltest.Good(b, blank, sheets, 30).Bytes)
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		Upload(b, ctx, path, 30*time.Second)
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		if err := chromedp.Do(c, chromedp.WaitVisible(chromedp.CSS("#ket-qua.good"))); err != nil {
			cancel()
			b.Fatal(err)
		}
		cancel()
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	pct := func(p float64) float64 {
		return float64(times[min(len(times)-1, int(p*float64(len(times))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
}
