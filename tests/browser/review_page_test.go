package browser

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/xhht/xhht/pipeline/portal/portaltest"
	"github.com/xhht/xhht/pipeline/review"
)

// eval runs a script in the page and returns its value.
func eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// doIn runs the steps with a time limit, so a step that never happens
// fails the test instead of hanging it.
func doIn(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// provinceBrowser signs a province reviewer in and opens the commune's page.
func provinceBrowser(t *testing.T, srv portalServer, province, commune string, width, height int) context.Context {
	t.Helper()
	prov := NewBrowser(t, width, height)
	c, cancel := context.WithTimeout(prov, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(c,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("code")),
		chromedp.SendKeys(chromedp.ID("code"), portaltest.ProvinceCode(t, srv.Lake, year, province, "01", time.Now())),
		chromedp.Click(chromedp.CSS(`form.signin button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("bang")),
		chromedp.Navigate(srv.URL+"/tinh/xa/"+commune),
		chromedp.WaitVisible(chromedp.ID("nut-tra-lai")),
	); err != nil {
		t.Fatalf("province signs in: %v", err)
	}
	return prov
}

// TestLongReturnComment (issue 15, review L7; session 8 L-E): a return
// comment of 1,500 Vietnamese letters (about 13 KB once URL-encoded) goes
// through; one over the 2,000-character limit is refused by the server
// (413), with its length and the limit named, and the text stays in the
// box. The box has no maxlength: a browser counts UTF-16 units, so 2,000
// emoji would stop at 1,000, and a pasted text would be cut silently.
func TestLongReturnComment(t *testing.T) {
	const province, commune = "19", "05443"
	srv := serve(t)
	o := Options{BaseURL: srv.URL, Code: portaltest.Code(t, srv.Lake, year, commune, time.Now()), Year: year, Commune: commune,
		Screenshots: screenshots(t), Prefix: "long-comment", Timeout: 30 * time.Second}
	cb := NewBrowser(t, 1366, 768)
	SignIn(t, cb, o)
	blank, sheets := portaltest.Blank(t, year, commune, 4)
	file := filepath.Join(t.TempDir(), "bao-cao.xlsx")
	write(t, file, portaltest.Good(t, blank, sheets, 4).Bytes)
	Upload(t, cb, file, o.Timeout)
	doIn(t, cb, "accepted", chromedp.WaitVisible(chromedp.CSS("#ket-qua.good")))

	prov := provinceBrowser(t, srv, province, commune, 1366, 768)
	if eval[bool](t, prov, `document.querySelector('[name=comment][maxlength]') !== null`) {
		t.Error("a comment box has maxlength: 2,000 emoji would stop at 1,000, a pasted text would be cut silently")
	}
	tooLong := strings.Repeat("ệ", 2100)
	eval[bool](t, prov, fmt.Sprintf(`(function(){document.getElementById('c-tra').value=decodeURIComponent(%q); return true})()`, url.PathEscape(tooLong)))
	doIn(t, prov, "an over-long comment", chromedp.Click(chromedp.ID("nut-tra-lai")), chromedp.WaitVisible(chromedp.ID("loi-thao-tac")))
	if s := text(t, prov, "#loi-thao-tac", o.Timeout); !strings.Contains(s, "Ý kiến quá dài: 2.100 ký tự, tối đa 2.000 ký tự") {
		t.Errorf("message: %q", s)
	}
	if n := eval[int](t, prov, `Array.from(document.getElementById('c-tra').value).length`); n != 2100 {
		t.Errorf("the comment box holds %d characters after the refusal, want the 2100 typed", n)
	}
	shot(t, prov, o, "refused")

	long := strings.Repeat("ệ", 1500)
	eval[bool](t, prov, fmt.Sprintf(`(function(){document.getElementById('c-tra').value=decodeURIComponent(%q); return true})()`, url.PathEscape(long)))
	doIn(t, prov, "a comment of 1,500 Vietnamese letters", chromedp.Click(chromedp.ID("nut-tra-lai")), chromedp.WaitVisible(chromedp.ID("xong")))
	st, _, err := review.Get(context.Background(), srv.Lake, year, province, commune)
	if err != nil || st.State != review.Returned || st.Comment != long {
		t.Errorf("stored: %s, comment of %d bytes (want %d), %v", st.State, len(st.Comment), len(long), err)
	}
}

// TestCommunePageFits (review L8): with a file waiting for the province
// beside the approved one, every card of the commune's page stays inside
// its column at an office PC's width and a phone's, and the page has no
// horizontal scroll.
func TestCommunePageFits(t *testing.T) {
	const province, commune = "19", "01843"
	srv := serve(t)
	blank, sheets := portaltest.Blank(t, year, commune, 4)
	first := filepath.Join(t.TempDir(), "bao-cao-xhht-2026.xlsx")
	write(t, first, portaltest.Good(t, blank, sheets, 4).Bytes)
	second := filepath.Join(t.TempDir(), "bao-cao-xhht-2026-sua-lai-lan-2.xlsx")
	write(t, second, portaltest.Good(t, blank, sheets, 4).Bytes)
	for _, tc := range []struct {
		name          string
		width, height int
	}{{"1366x768", 1366, 768}, {"360x740", 360, 740}} {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{BaseURL: srv.URL, Code: portaltest.Code(t, srv.Lake, year, commune, time.Now()), Year: year, Commune: commune,
				Screenshots: screenshots(t), Prefix: "commune-fits-" + tc.name, Timeout: 30 * time.Second}
			cb := NewBrowser(t, tc.width, tc.height)
			SignIn(t, cb, o)
			if tc.name == "1366x768" {
				Upload(t, cb, first, o.Timeout)
				doIn(t, cb, "accepted", chromedp.WaitVisible(chromedp.CSS("#ket-qua.good")))
				prov := provinceBrowser(t, srv, province, commune, tc.width, tc.height)
				doIn(t, prov, "approve", chromedp.Click(chromedp.ID("nut-duyet")), chromedp.WaitVisible(chromedp.ID("xong")))
				time.Sleep(10 * time.Millisecond) // the second upload must be received later
				Upload(t, cb, second, o.Timeout)
				doIn(t, cb, "accepted again", chromedp.WaitVisible(chromedp.CSS("#ket-qua.good")))
			}
			doIn(t, cb, "the commune's page", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("tinh-trang")))
			if s := text(t, cb, ".counting", o.Timeout); !strings.Contains(s, "Chờ Sở duyệt") {
				t.Fatalf("no waiting file on the page: %q", s)
			}
			out := eval[[]string](t, cb, `Array.prototype.concat.apply([], Array.prototype.map.call(document.querySelectorAll('.cols > div'), function (col) {
				var c = col.getBoundingClientRect();
				return Array.prototype.map.call(col.querySelectorAll('.card, .card *'), function (e) {
					var r = e.getBoundingClientRect();
					return r.right > c.right + 0.5 ? (e.tagName + '.' + e.className + ' ends at ' + Math.round(r.right) + ', its column at ' + Math.round(c.right)) : '';
				}).filter(function (s) { return s; });
			}))`)
			for _, s := range out {
				t.Errorf("sticks out of its column: %s", s)
			}
			if w := eval[int](t, cb, `document.documentElement.scrollWidth`); w > tc.width {
				t.Errorf("the page is %d px wide in a %d px window", w, tc.width)
			}
			shot(t, cb, o, "page")
		})
	}
}
