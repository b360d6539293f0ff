package browser

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/portal/portaltest"
	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// ============================================================================
// STEP 6 (issue 15): "the approved-only report changes accordingly".
// approvedOnly builds the approved-only 15/12 report of the province with
// h-approved's report.BuildApprovedOnly (a real roll-up snapshot, DuckDB)
// and returns the commune's households total (nil: not counted) and the
// report's count of approved communes. The flow calls it after the return
// (step 2: the returned file does not count) and after the approval (step
// 5: the approved file counts).
// ============================================================================
func approvedOnly(t testing.TB, lake *local.Store, province, commune string) (*int64, int64) {
	t.Helper()
	r, err := report.BuildApprovedOnly(context.Background(), report.Options{Lake: lake, Year: year, Province: province,
		Now: time.Date(year, 12, 20, 0, 0, 0, 0, time.UTC), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("6. approved-only report: %v", err)
	}
	for _, c := range r.Communes {
		if c.Code == commune {
			return c.Cells["ho_dat"].Total, r.Completeness.Approved
		}
	}
	t.Fatalf("6. the approved-only report has no row for %s", commune)
	return nil, 0
}

// TestProvinceReviewFlow: the five steps of issue 15 in two browsers (a
// province reviewer and a commune) against `xhht serve`: 1 the province
// code opens the board, 2 returns the commune's file with a comment, 3 the
// commune sees the comment, 4 the commune uploads again, 5 the province
// approves, 6 the approved-only report counts the commune only once it is
// approved. On the phone the province's browser runs without JavaScript:
// the review actions are plain forms.
func TestProvinceReviewFlow(t *testing.T) {
	for _, tc := range []struct {
		name          string
		width, height int
		commune       string
		noScript      bool
	}{
		{"1366x768", 1366, 768, "05443", false},
		{"360x740", 360, 740, "01840", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const province = "19"
			srv := serve(t)
			dir := screenshots(t)
			o := Options{BaseURL: srv.URL, Code: portaltest.Code(t, srv.Lake, year, tc.commune, time.Now()), Year: year,
				Commune: tc.commune, Screenshots: dir, Prefix: "review-" + tc.name, Timeout: 30 * time.Second}
			do := func(ctx context.Context, name string, steps ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				c, cancel := context.WithTimeout(ctx, o.Timeout)
				defer cancel()
				if err := chromedp.Do(c, steps...); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			fits := func(ctx context.Context, page string) {
				t.Helper()
				w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
				if err != nil {
					t.Fatal(err)
				}
				if w > tc.width {
					t.Errorf("%s is %d px wide in a %d px window", page, w, tc.width)
				}
			}

			// The commune has sent a good file.
			commune := NewBrowser(t, tc.width, tc.height)
			SignIn(t, commune, o)
			blank, sheets := portaltest.Blank(t, year, tc.commune, 4)
			first := filepath.Join(t.TempDir(), "bao-cao-xa.xlsx")
			write(t, first, portaltest.Good(t, blank, sheets, 4).Bytes)
			Upload(t, commune, first, o.Timeout)
			do(commune, "accepted", chromedp.WaitVisible(chromedp.CSS("#ket-qua.good")))

			// 1. The province code opens the board.
			prov := NewBrowser(t, tc.width, tc.height)
			if tc.noScript {
				if _, err := chromedp.Run(prov, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
					_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
					return chromedp.Void{}, err
				}); err != nil {
					t.Fatal(err)
				}
			}
			pcode := portaltest.ProvinceCode(t, srv.Lake, year, province, "01", time.Now())
			row := fmt.Sprintf(`tr[data-xa="%s"]`, tc.commune)
			do(prov, "1. province signs in and sees the board",
				chromedp.Navigate(srv.URL+"/"),
				chromedp.WaitVisible(chromedp.ID("code")),
				chromedp.SendKeys(chromedp.ID("code"), pcode),
				chromedp.Click(chromedp.CSS(`form.signin button[type=submit]`)),
				chromedp.WaitVisible(chromedp.ID("bang")),
				chromedp.WaitVisible(chromedp.CSS(row)),
			)
			if href := text(t, prov, row+" a", o.Timeout); href == "" {
				t.Error("1. the commune's row has no link to its page")
			}
			if s := text(t, prov, row+" .tag", o.Timeout); !strings.Contains(s, "chờ duyệt") {
				t.Errorf("1. the commune's status on the board: %q, want accepted, awaiting review", s)
			}
			fits(prov, "the board")
			shot(t, prov, o, "1-board")

			// 2. Return the file with a comment.
			comment := "Thôn 2: số hộ <gấp 10> năm trước, xem lại"
			do(prov, "2. return with a comment",
				// The board links the commune's page; open it as the link does
				// (a click racing the page's load lost its node under load).
				chromedp.Navigate(srv.URL+"/tinh/xa/"+tc.commune),
				chromedp.WaitVisible(chromedp.ID("nut-tra-lai")),
				chromedp.SendKeys(chromedp.ID("c-tra"), comment),
				chromedp.Click(chromedp.ID("nut-tra-lai")),
				chromedp.WaitVisible(chromedp.ID("xong")),
			)
			if s := text(t, prov, "#trang-thai", o.Timeout); s != "Bị trả lại" {
				t.Errorf("2. state after return: %q", s)
			}
			fits(prov, "the commune's page")
			shot(t, prov, o, "2-returned")
			// 6 (before): the returned file does not count in the approved-only report.
			if got, n := approvedOnly(t, srv.Lake, province, tc.commune); got != nil || n != 0 {
				t.Errorf("6. after the return the approved-only report counts the commune (households %v, %d approved)", got, n)
			}

			// 3. The commune sees the state and the comment.
			do(commune, "3. commune reloads", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("duyet-cua-so")))
			if s := text(t, commune, "#y-kien-so", o.Timeout); s != comment {
				t.Errorf("3. comment on the commune's page: %q, want %q", s, comment)
			}
			shot(t, commune, o, "3-commune-sees-comment")

			// 4. The commune uploads again, corrected (three hamlets: the
			// same data again would be "Không thay đổi" and stay returned).
			second := filepath.Join(t.TempDir(), "bao-cao-xa-sua.xlsx")
			blank3, sheets3 := portaltest.Blank(t, year, tc.commune, 3)
			write(t, second, portaltest.Good(t, blank3, sheets3, 3).Bytes)
			Upload(t, commune, second, o.Timeout)
			do(commune, "4. accepted again", chromedp.WaitVisible(chromedp.CSS("#ket-qua.good")))

			// 5 (before): a stale page. The reviewer opens the commune's page;
			// another reviewer (slot 02) returns the new file meanwhile. The
			// approval from the page now stale is refused: the page says so,
			// shows the other's return and keeps the comment typed.
			do(prov, "5a. open the page",
				chromedp.Navigate(srv.URL+"/tinh/xa/"+tc.commune),
				chromedp.WaitVisible(chromedp.ID("nut-duyet")),
			)
			latest2, _ := review.LatestAccepted(context.Background(), srv.Lake, year, province, tc.commune)
			other := review.Actor{Role: access.RoleProvince, Province: province, CodeID: "0202020202ab", Year: year}
			if _, err := review.Apply(context.Background(), srv.Lake, review.Action{Kind: review.KindReturn, Year: year, Province: province,
				Commune: tc.commune, Submission: latest2, Comment: "Người thứ hai: thôn 4 còn thiếu", By: other}); err != nil {
				t.Fatal(err)
			}
			mine := "Đã gọi điện cho xã, số liệu đúng"
			do(prov, "5a. approve from the stale page",
				chromedp.SendKeys(chromedp.ID("c-duyet"), mine),
				chromedp.Click(chromedp.ID("nut-duyet")),
				chromedp.WaitVisible(chromedp.ID("loi-thao-tac")),
			)
			if s := text(t, prov, "#loi-thao-tac", o.Timeout); !strings.Contains(s, "người khác vừa thao tác") {
				t.Errorf("5a. stale approval: %q", s)
			}
			if s := text(t, prov, "#trang-thai", o.Timeout); s != "Bị trả lại" {
				t.Errorf("5a. state shown after the refusal: %q, want the other reviewer's return", s)
			}
			if s := text(t, prov, "#y-kien", o.Timeout); s != "Người thứ hai: thôn 4 còn thiếu" {
				t.Errorf("5a. comment shown after the refusal: %q", s)
			}
			// The file is returned now, so the page offers no approve form
			// to put the comment back in (as after a roll-up): it is quoted.
			if s := text(t, prov, "#y-kien-giu-lai", o.Timeout); s != mine {
				t.Errorf("5a. the comment typed was not kept: %q", s)
			}
			if st, _, _ := review.Get(context.Background(), srv.Lake, year, province, tc.commune); st.State != review.Returned || st.By.CodeID != other.CodeID {
				t.Errorf("5a. the other reviewer's return was replaced: %+v", st)
			}
			shot(t, prov, o, "5a-stale")

			// 5. The province approves the new file: returned by the other
			// reviewer, it is reopened first (a returned file has no approve
			// button), then approved.
			do(prov, "5. reopen",
				chromedp.Navigate(srv.URL+"/tinh/xa/"+tc.commune),
				chromedp.WaitVisible(chromedp.ID("nut-mo-lai")),
				chromedp.SendKeys(chromedp.ID("c-mo"), "Đã đối chiếu lại với xã"),
				chromedp.Click(chromedp.ID("nut-mo-lai")),
				chromedp.WaitVisible(chromedp.ID("xong")),
			)
			do(prov, "5. approve",
				chromedp.Navigate(srv.URL+"/tinh/xa/"+tc.commune), // a page without the reopen's «xong», so the wait below is the approval's
				chromedp.WaitVisible(chromedp.ID("nut-duyet")),
				chromedp.Click(chromedp.ID("nut-duyet")),
				chromedp.WaitVisible(chromedp.ID("xong")),
			)
			if s := text(t, prov, "#trang-thai", o.Timeout); s != "Đã duyệt" {
				t.Errorf("5. state after approval: %q", s)
			}
			shot(t, prov, o, "5-approved")
			do(prov, "5. board", chromedp.Navigate(srv.URL+"/tinh?sap=trang-thai&chieu=giam"), chromedp.WaitVisible(chromedp.CSS(row)))
			if s := text(t, prov, row+" .tag", o.Timeout); s != "Đã duyệt" {
				t.Errorf("5. board after approval: %q", s)
			}
			st, _, err := review.Get(context.Background(), srv.Lake, year, province, tc.commune)
			if err != nil {
				t.Fatal(err)
			}
			latest, _ := review.LatestAccepted(context.Background(), srv.Lake, year, province, tc.commune)
			if st.ApprovedSubmission == "" || st.ApprovedSubmission != latest {
				t.Fatalf("5. approved %q, want the second upload %q", st.ApprovedSubmission, latest)
			}
			do(commune, "5. commune sees approval", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("duyet-cua-so")))
			if s := text(t, commune, "#trang-thai-duyet", o.Timeout); s != "Sở đã duyệt số liệu của xã." {
				t.Errorf("5. commune's page after approval: %q", s)
			}

			// 6. The approved-only report changes accordingly: the approved file counts.
			if got, n := approvedOnly(t, srv.Lake, province, tc.commune); got == nil || *got == 0 || n != 1 {
				t.Errorf("6. after the approval the approved-only report: households %v, %d approved communes (want the commune counted, 1)", got, n)
			}
		})
	}
}
