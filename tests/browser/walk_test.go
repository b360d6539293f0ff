package browser

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/portal/portaltest"
	"github.com/xhht/xhht/pipeline/review"
)

// TestProvinceCommunePageOnPhone (final walk M6): on a phone the province's
// page of a commune shows "Các tệp đã nộp" and "Lịch sử duyệt" one block
// per row, as the commune's own page does: a long file name and a
// return comment get the card's width, not a column of a few letters, and
// the page does not scroll sideways. On a PC both stay tables.
func TestProvinceCommunePageOnPhone(t *testing.T) {
	const province, commune = "19", "01864"
	srv := serve(t)
	o := Options{BaseURL: srv.URL, Code: portaltest.Code(t, srv.Lake, year, commune, time.Now()), Year: year, Commune: commune,
		Screenshots: screenshots(t), Prefix: "prov-phone", Timeout: 30 * time.Second}
	blank, sheets := portaltest.Blank(t, year, commune, 4)
	first := filepath.Join(t.TempDir(), "bao-cao-xhht-2026-xa-bang-thanh.xlsx")
	write(t, first, portaltest.Good(t, blank, sheets, 4).Bytes)
	second := filepath.Join(t.TempDir(), "sua-lai-bao-cao-xhht-2026-xa-bang-thanh-lan-2.xlsx")
	blank3, sheets3 := portaltest.Blank(t, year, commune, 3) // other data: a correction, not "không thay đổi"
	write(t, second, portaltest.Good(t, blank3, sheets3, 3).Bytes)
	cb := NewBrowser(t, 1366, 768)
	SignIn(t, cb, o)
	Upload(t, cb, first, o.Timeout)
	doIn(t, cb, "accepted", chromedp.WaitVisible(chromedp.CSS("#ket-qua.good")))
	sub, err := review.LatestAccepted(context.Background(), srv.Lake, year, province, commune)
	if err != nil {
		t.Fatal(err)
	}
	comment := "Số hộ của Bản Pác Vèn gấp 10 lần năm trước (165 → 1.650). Đề nghị xã kiểm tra lại sổ hộ khẩu và nộp lại."
	by := review.Actor{Role: access.RoleProvince, Province: province, CodeID: "0202020202ab", Year: year}
	if _, err := review.Apply(context.Background(), srv.Lake, review.Action{Kind: review.KindReturn, Year: year, Province: province,
		Commune: commune, Submission: sub, Comment: comment, By: by, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // the correction must be received later
	Upload(t, cb, second, o.Timeout)
	doIn(t, cb, "accepted again", chromedp.WaitVisible(chromedp.CSS("#ket-qua.good")))

	for _, sz := range []struct{ w, h int }{{360, 740}, {1366, 768}} {
		prov := provinceBrowser(t, srv, province, commune, sz.w, sz.h)
		name := eval[float64](t, prov, `document.querySelector('#cac-tep td.name').getBoundingClientRect().width`)
		cm := eval[float64](t, prov, `document.querySelector('#lich-su td.comment').getBoundingClientRect().width`)
		head := eval[bool](t, prov, `getComputedStyle(document.querySelector('#lich-su thead')).display !== 'none'`)
		t.Logf("%dx%d: file name %.0f px, comment %.0f px, table head shown %v", sz.w, sz.h, name, cm, head)
		if sz.w < 600 {
			if name < 250 || cm < 250 {
				t.Errorf("at %d px the file name gets %.0f px and the comment %.0f px (want ≥ 250: one block per row)", sz.w, name, cm)
			}
			body := eval[string](t, prov, `document.getElementById('lich-su').innerText`)
			for _, want := range []string{"Người làm:", "Ý kiến:"} {
				if !strings.Contains(body, want) {
					t.Errorf("the history's blocks lack the label %q", want)
				}
			}
		} else if !head {
			t.Errorf("at %d px the history is not a table", sz.w)
		}
		if w := eval[int](t, prov, `document.documentElement.scrollWidth`); w > sz.w {
			t.Errorf("the page is %d px wide in a %d px window", w, sz.w)
		}
		size := map[bool]string{true: "360", false: "1366"}[sz.w < 600]
		doIn(t, prov, "scroll to the return form", chromedp.ScrollIntoView(chromedp.ID("nut-tra-lai")))
		shot(t, prov, o, "return-"+size)
		doIn(t, prov, "scroll to the files", chromedp.ScrollIntoView(chromedp.ID("cac-tep")))
		shot(t, prov, o, "files-"+size)
		doIn(t, prov, "scroll to the history", chromedp.ScrollIntoView(chromedp.ID("lich-su")))
		shot(t, prov, o, "history-"+size)
		doIn(t, prov, "the board", chromedp.Navigate(srv.URL+"/tinh"), chromedp.WaitVisible(chromedp.ID("csv-cach-mo")))
		shot(t, prov, o, "board-"+size)
	}
}
