package browser

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/xhht/xhht/pipeline/portal/portaltest"
)

// TestUploadStepOnFirstScreen (issue 15 review, B-M3 and A-L-J): a commune
// that must act (nothing sent; data returned with a comment) has the
// upload step, its "Nộp tệp" button included, on the first screen of an
// office PC (1366×768), and on a phone (360×740) the drop zone starts on the
// first screen (the review measured 1,165 px); the comment is on the page once; the
// uploads table gives a file name a readable width on the phone (B-L9).
func TestUploadStepOnFirstScreen(t *testing.T) {
	const province, commune = "19", "01864"
	srv := serve(t)
	code := portaltest.Code(t, srv.Lake, year, commune, time.Now())
	blank, sheets := portaltest.Blank(t, year, commune, 4)
	file := filepath.Join(t.TempDir(), "bao-cao-xhht-2026-xa-bang-thanh-ban-sua-lan-thu-hai.xlsx")
	write(t, file, portaltest.Good(t, blank, sheets, 4).Bytes)
	comment := "Số hộ của Bản Pác Vèn gấp 10 lần năm trước (165 → 1.650). Đề nghị xã kiểm tra lại sổ hộ khẩu và nộp lại trước ngày 14/12."
	type size struct{ w, h int }
	check := func(t *testing.T, state string, sz size, o Options) {
		cb := NewBrowser(t, sz.w, sz.h)
		SignIn(t, cb, o)
		doIn(t, cb, "the page", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("tinh-trang")))
		drop := eval[float64](t, cb, `document.getElementById('drop').getBoundingClientRect().top`)
		button := eval[float64](t, cb, `document.getElementById('nop').getBoundingClientRect().bottom`)
		t.Logf("%s %dx%d: drop zone at %.0f px, button ends at %.0f px", state, sz.w, sz.h, drop, button)
		if sz.w >= 1000 && button > float64(sz.h) {
			t.Errorf("%s at %dx%d: the Nộp tệp button ends at %.0f px, below the first screen", state, sz.w, sz.h, button)
		}
		if sz.w < 1000 && drop > float64(sz.h) {
			t.Errorf("%s at %dx%d: the drop zone starts at %.0f px", state, sz.w, sz.h, drop)
		}
		body := eval[string](t, cb, `document.body.innerText`)
		if state == "returned" {
			if n := strings.Count(body, comment); n != 1 {
				t.Errorf("the comment is on the page %d times", n)
			}
			if !strings.Contains(body, "Việc cần làm: sửa theo ý kiến của Sở rồi nộp lại") {
				t.Error("no action line for the returned commune")
			}
		}
		for _, bad := range []string{"NHẮC VIỆC", "Tỉnh đã", "của tỉnh:", "Đang được tính"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s: the page says %q", state, bad)
			}
		}
		if state == "returned" && sz.w < 1000 {
			w := eval[float64](t, cb, `document.querySelector('#danh-sach td.name').getBoundingClientRect().width`)
			if w < 250 {
				t.Errorf("the file name gets %.0f px at %d px", w, sz.w)
			}
		}
		if w := eval[int](t, cb, `document.documentElement.scrollWidth`); w > sz.w {
			t.Errorf("the page is %d px wide in a %d px window", w, sz.w)
		}
		shot(t, cb, o, fmt.Sprintf("%s-%dx%d", state, sz.w, sz.h))
		fullShot(t, cb, o, fmt.Sprintf("%s-%dx%d-full", state, sz.w, sz.h))
	}
	sizes := []size{{1366, 768}, {360, 740}}
	for _, sz := range sizes {
		o := Options{BaseURL: srv.URL, Code: code, Year: year, Commune: commune, Screenshots: screenshots(t), Prefix: "commune-first-screen", Timeout: 30 * time.Second}
		t.Run(fmt.Sprintf("missing-%dx%d", sz.w, sz.h), func(t *testing.T) { check(t, "missing", sz, o) })
	}
	// Upload, then the province returns it with a comment.
	o := Options{BaseURL: srv.URL, Code: code, Year: year, Commune: commune, Screenshots: screenshots(t), Prefix: "commune-first-screen", Timeout: 30 * time.Second}
	cb := NewBrowser(t, 1366, 768)
	SignIn(t, cb, o)
	Upload(t, cb, file, o.Timeout)
	doIn(t, cb, "accepted", chromedp.WaitVisible(chromedp.CSS("#ket-qua.good")))
	prov := provinceBrowser(t, srv, province, commune, 1366, 768)
	doIn(t, prov, "return", chromedp.SendKeys(chromedp.ID("c-tra"), comment), chromedp.Click(chromedp.ID("nut-tra-lai")), chromedp.WaitVisible(chromedp.ID("xong")))
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("returned-%dx%d", sz.w, sz.h), func(t *testing.T) { check(t, "returned", sz, o) })
	}
}

// fullShot is shot of the whole page, not only the first screen.
func fullShot(t testing.TB, ctx context.Context, o Options, name string) {
	t.Helper()
	if o.Screenshots == "" {
		return
	}
	c, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	write(t, filepath.Join(o.Screenshots, fmt.Sprintf("%s-%s.png", o.Prefix, name)), png)
}
