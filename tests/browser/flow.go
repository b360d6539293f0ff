// Package browser drives the commune portal in Debian's chromium through
// chromedp, as an official would use it: sign in, download the blank form,
// upload a good file and a bad one, download the marked workbook. Flow is
// reusable: the tests here run it against `xhht serve`, the AWS tests
// against the portal handler with versitygw and presigned URLs.
package browser

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/marked"
	"github.com/xhht/xhht/pipeline/portal/portaltest"
	"github.com/xhht/xhht/pipeline/template"
	"github.com/xhht/xhht/pipeline/vnnum"
)

// Chromium finds the browser: $XHHT_CHROMIUM, else chromium on PATH
// (installed by `make tools`, scripts/chromium.sh). A missing browser fails
// the test: a browser test that does not run must not count as passed.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("XHHT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: run `make tools` (scripts/chromium.sh) or set XHHT_CHROMIUM")
	return ""
}

// NewBrowser starts a headless chromium with a window of width×height and
// returns a context for chromedp; it stops with the test.
func NewBrowser(t testing.TB, width, height int) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium(t)),
		chromedp.Flag("no-sandbox", true), // tests run as root in CI containers
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "vi-VN"),
		chromedp.WindowSize(width, height),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	// The first run starts the browser (no timeout on this context).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// Options say where the portal is and who signs in.
type Options struct {
	BaseURL string // e.g. http://127.0.0.1:8080
	Code    string // the commune's access code
	Year    int
	Commune string
	// Screenshots, when not empty, is a directory for PNGs of the answers
	// at the browser's size (named <prefix>-good.png, <prefix>-bad.png).
	Screenshots, Prefix string
	// Timeout bounds each step (default 30 s).
	Timeout time.Duration
}

// Result is what the flow saw.
type Result struct {
	Template []byte
	Good     []byte // the accepted upload
	Bad      []byte // the rejected upload
	Marked   []byte // the marked workbook of the bad upload
	Places   []string
}

// Flow runs the five steps of issue 11 in the browser of ctx and checks
// each: 1 sign in, 2 download the blank form, 3 upload a good file (green
// panel, totals on screen equal to the file's), 4 upload a bad file (its
// cell errors on screen), 5 download the marked workbook and read it with
// excelize (marked cells == the receipt's cells, each with its comment).
func Flow(t testing.TB, ctx context.Context, o Options) Result {
	t.Helper()
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	step := func(name string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, o.Timeout)
		defer cancel()
		if err := chromedp.Do(c, steps...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	var res Result
	dir := t.TempDir()

	// 1. Sign in.
	SignIn(t, ctx, o)
	shot(t, ctx, o, "page")

	// 2. The blank form, through the browser's own download.
	res.Template = Download(t, ctx, dir, chromedp.ID("tai-bieu-mau"), o.Timeout)
	x, err := excelize.OpenReader(bytes.NewReader(res.Template))
	if err != nil {
		t.Fatalf("downloaded template: %v", err)
	}
	sheets := layoutOf(t, x, o.Year, o.Commune)
	x.Close()

	// 3. A good file: accepted, totals on screen.
	good := portaltest.Good(t, res.Template, sheets, 5)
	res.Good = good.Bytes
	goodPath := filepath.Join(dir, "bao-cao-xa.xlsx")
	write(t, goodPath, good.Bytes)
	Upload(t, ctx, goodPath, o.Timeout)
	step("accepted panel", chromedp.WaitVisible(chromedp.CSS("#ket-qua.good")))
	// The page's script (allowed by the CSP) sent the file and put the
	// answer in place: the browser is still on the commune page. Without
	// the script the form would have navigated to the upload address
	// (TestPlainFormWithoutScript).
	if loc := location(t, ctx, o.Timeout); strings.Contains(loc, "/nop") {
		t.Errorf("the answer came from the plain form post (%s): the script did not run", loc)
	}
	totals := text(t, ctx, "#tong", o.Timeout)
	for _, code := range []string{"ho_tong", "ho_dat", "lao_dong_tong"} {
		v, ok := good.Totals[code]
		if !ok {
			continue
		}
		if !strings.Contains(totals, vnnum.Int(int64(v))) {
			t.Errorf("total of %s (%s) not on screen: %q", code, vnnum.Int(int64(v)), totals)
		}
	}
	shot(t, ctx, o, "good")

	// 4. A bad file: its cell errors on screen.
	bad, cells := portaltest.Bad(t, good)
	res.Bad = bad
	badPath := filepath.Join(dir, "bao-cao-sai.xlsx")
	write(t, badPath, bad)
	Upload(t, ctx, badPath, o.Timeout)
	step("rejected panel", chromedp.WaitVisible(chromedp.CSS("#ket-qua.bad")))
	places := placeTexts(t, ctx, o.Timeout)
	res.Places = places
	for _, cell := range cells {
		sheet, ref, _ := strings.Cut(cell, "!")
		if !contains(places, "Trang "+sheet+", ô "+ref) {
			t.Errorf("error of %s not on screen; places: %q", cell, places)
		}
	}
	shot(t, ctx, o, "bad")

	// 5. The marked workbook: its commented cells are the receipt's cells.
	res.Marked = Download(t, ctx, dir, chromedp.ID("tai-danh-dau"), o.Timeout)
	m, err := excelize.OpenReader(bytes.NewReader(res.Marked))
	if err != nil {
		t.Fatalf("marked workbook: %v", err)
	}
	defer m.Close()
	var got []string
	for _, sh := range m.GetSheetList() {
		if sh == marked.SummarySheet {
			continue
		}
		cs, err := m.GetComments(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			txt := c.Text
			for _, r := range c.Paragraph {
				txt += r.Text
			}
			if !vietnamese.MatchString(txt) {
				t.Errorf("comment on %s!%s is not Vietnamese: %q", sh, c.Cell, txt)
			}
			got = append(got, "Trang "+sh+", ô "+c.Cell)
		}
	}
	var want []string
	for _, p := range places {
		if cellPlace.MatchString(p) {
			want = append(want, p)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("marked cells differ from the receipt's cells on screen:\nmarked:  %q\nreceipt: %q", got, want)
	}
	return res
}

var (
	cellPlace  = regexp.MustCompile(`^Trang .+, ô [A-Z]+[0-9]+$`)
	vietnamese = regexp.MustCompile(`[ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]`)
)

// SignIn opens the portal and signs in with the code.
func SignIn(t testing.TB, ctx context.Context, o Options) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	if err := chromedp.Do(c,
		chromedp.Navigate(o.BaseURL+"/"),
		chromedp.WaitVisible(chromedp.ID("code")),
		chromedp.SendKeys(chromedp.ID("code"), strings.ToLower(o.Code)), // as typed: case does not matter
		chromedp.Click(chromedp.CSS(`form.signin button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("upload-form")),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
}

// Upload picks a file in the form and submits it (the page's script sends
// it with a progress bar and puts the answer in place).
func Upload(t testing.TB, ctx context.Context, path string, timeout time.Duration) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := chromedp.Do(c,
		// The previous answer goes, so waiting for #ket-qua waits for this one.
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(function(){var r=document.getElementById('ket-qua'); if(r){r.remove()} return true})()`)(ctx, tg)
			return err
		}),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{path}),
		chromedp.Click(chromedp.ID("nop")),
	); err != nil {
		t.Fatalf("upload %s: %v", filepath.Base(path), err)
	}
}

// Download clicks a link and returns the file the browser saved.
func Download(t testing.TB, ctx context.Context, dir string, link chromedp.ID, timeout time.Duration) []byte {
	t.Helper()
	yes := true
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &yes}); err != nil {
		t.Fatalf("download behaviour: %v", err)
	}
	c, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	events := chromedp.BrowserEvents(c, cdpbrowser.DownloadProgress)
	if err := chromedp.Do(c, chromedp.Click(link)); err != nil {
		t.Fatalf("click %s: %v", link, err)
	}
	for ev, err := range events {
		if err != nil {
			t.Fatalf("download from %s: %v", link, err)
		}
		switch ev.State {
		case cdpbrowser.DownloadProgressStateCompleted:
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				t.Fatalf("downloaded file: %v", err)
			}
			return b
		case cdpbrowser.DownloadProgressStateCanceled:
			t.Fatalf("download from %s cancelled", link)
		}
	}
	t.Fatalf("download from %s did not finish", link)
	return nil
}

func location(t testing.TB, ctx context.Context, timeout time.Duration) string {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	loc, err := chromedp.Run(c, chromedp.Location())
	if err != nil {
		t.Fatalf("location: %v", err)
	}
	return loc
}

func text(t testing.TB, ctx context.Context, sel string, timeout time.Duration) string {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func placeTexts(t testing.TB, ctx context.Context, timeout time.Duration) []string {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Evaluate[[]string](`Array.prototype.map.call(document.querySelectorAll('#ket-qua .place'), function(e){return e.textContent})`))
	if err != nil {
		t.Fatalf("places: %v", err)
	}
	return s
}

// shot saves what the browser shows, the answer at the top.
func shot(t testing.TB, ctx context.Context, o Options, name string) {
	t.Helper()
	if o.Screenshots == "" {
		return
	}
	c, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	write(t, filepath.Join(o.Screenshots, fmt.Sprintf("%s-%s.png", o.Prefix, name)), png)
}

// layoutOf is the layout of a downloaded blank form: the hamlets it lists
// decide its rows.
func layoutOf(t testing.TB, x *excelize.File, year int, commune string) []template.Sheet {
	t.Helper()
	sheets := portaltest.Layout(t, year, commune)
	s := sheets[0]
	n := 0
	for row := s.FirstData; ; row++ {
		v, err := x.GetCellValue(s.Name, s.Cell(row, "ten_thon"))
		if err != nil {
			t.Fatal(err)
		}
		if v == "" || strings.Contains(strings.ToLower(v), "tổng") {
			break
		}
		n++
	}
	if n == 0 {
		return sheets
	}
	var names []string
	for row := s.FirstData; row < s.FirstData+n; row++ {
		v, _ := x.GetCellValue(s.Name, s.Cell(row, "ten_thon"))
		names = append(names, v)
	}
	return portaltest.LayoutWith(t, year, commune, names)
}

func write(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
