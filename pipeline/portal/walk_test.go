package portal_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/portal"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
)

// Tests of the final acceptance walk's findings (/work/wt/rev15-s8-final-walk.md).

// s8Changed: hamlets that differ from s8Hamlets (a corrected file).
var s8Changed = []map[string]any{
	{"ho_tong": int64(1650), "ho_dang_ky": int64(1200), "ho_dat": int64(1090), "lao_dong_tong": int64(2400), "cong_dan_dat": int64(1900)},
	{"ho_tong": int64(120), "ho_dang_ky": int64(80), "ho_dat": int64(70)},
}

// TestReopenOnlyWhereShownApprovedOrReturned (walk M5): "Mở lại để duyệt
// lại" is offered only where the page shows approved or returned data; a
// reopen POST on a commune shown "Chờ duyệt" (a corrected file after a
// return, or a first upload) is refused with 409 and writes nothing, so
// the audit never records a state the reviewer did not see.
func TestReopenOnlyWhereShownApprovedOrReturned(t *testing.T) {
	t0 := testNow.Add(-3 * time.Hour)
	for _, tc := range []struct {
		name      string
		setup     func(t *testing.T, e *env)
		canReopen bool
	}{
		{"first upload, awaiting review", func(t *testing.T, e *env) {
			s8Upload(t, e, communeA, "lan-1.xlsx", t0, s8Hamlets)
		}, false},
		{"corrected file after a return", func(t *testing.T, e *env) {
			sub := s8Upload(t, e, communeA, "lan-1.xlsx", t0, s8Hamlets)
			s8Apply(t, e, review.KindReturn, communeA, sub)
			s8Upload(t, e, communeA, "lan-2-sua.xlsx", t0.Add(time.Hour), s8Changed)
		}, false},
		{"returned", func(t *testing.T, e *env) {
			sub := s8Upload(t, e, communeA, "lan-1.xlsx", t0, s8Hamlets)
			s8Apply(t, e, review.KindReturn, communeA, sub)
		}, true},
		{"approved", func(t *testing.T, e *env) {
			sub := s8Upload(t, e, communeA, "lan-1.xlsx", t0, s8Hamlets)
			s8Apply(t, e, review.KindApprove, communeA, sub)
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.setup(t, e)
			before, _ := review.History(ctx(), e.lake, year, provinceTN, communeA)
			p := e.client()
			csrf := p.signInProvince(provinceTN)
			page := p.get("/tinh/xa/" + communeA).body
			if got := strings.Contains(page, `id="nut-mo-lai"`); got != tc.canReopen {
				t.Fatalf("reopen offered: %v, want %v", got, tc.canReopen)
			}
			r := p.postForm("/tinh/xa/"+communeA+"/mo-lai", url.Values{"csrf": {csrf}, "seen": {p.seenOf(communeA)}, "comment": {"Mở lại để xem"}}, nil)
			after, _ := review.History(ctx(), e.lake, year, provinceTN, communeA)
			if tc.canReopen {
				if r.status != http.StatusSeeOther || len(after) != len(before)+1 {
					t.Fatalf("reopen: %d, %d audit records (was %d)", r.status, len(after), len(before))
				}
				return
			}
			if r.status != http.StatusConflict {
				t.Fatalf("reopen of a commune shown awaiting review: %d, want 409", r.status)
			}
			if !strings.Contains(r.body, "Không có gì để mở lại: số liệu của xã đang chờ duyệt (chưa được duyệt, không bị trả lại). Thao tác chưa được lưu.") {
				t.Errorf("409 page lacks the reason; body: %.400s", r.body)
			}
			if !strings.Contains(r.body, "Mở lại để xem") {
				t.Error("the reviewer's reason was not kept")
			}
			if len(after) != len(before) {
				t.Fatalf("refused reopen wrote %d audit records", len(after)-len(before))
			}
		})
	}
}

// TestReturnFormWarnsPastDue (walk M3): a return sent after the commune's
// due date makes its correction late whatever it does. The rule stays;
// the return form says so, for each report whose due date has passed
// (Thái Nguyên 2026: 1/12 due end of 24/11, 15/12 end of 04/12).
func TestReturnFormWarnsPastDue(t *testing.T) {
	for _, tc := range []struct {
		name string
		now  time.Time
		want string // "" : no warning
	}{
		{"before both due dates", time.Date(2026, 11, 24, 16, 59, 0, 0, time.UTC), ""},
		{"1/12's due date passed", time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC),
			"Hạn nộp của xã cho báo cáo 1/12 đã qua (hết ngày 24/11/2026): tệp sửa sẽ được tính là nộp muộn cho báo cáo này."},
		{"both passed", time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC),
			"Hạn nộp của xã đã qua (báo cáo 1/12: hết ngày 24/11/2026; báo cáo 15/12: hết ngày 04/12/2026): tệp sửa sẽ được tính là nộp muộn."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			s8Upload(t, e, communeA, "lan-1.xlsx", testNow.Add(-time.Hour), s8Hamlets)
			e.clock.Add(tc.now.Sub(testNow))
			p := e.client()
			p.signInProvince(provinceTN)
			page := p.get("/tinh/xa/" + communeA).body
			if !strings.Contains(page, `id="nut-tra-lai"`) {
				t.Fatal("no return form")
			}
			got := strings.Contains(page, `id="tra-lai-muon"`)
			if tc.want == "" {
				if got {
					t.Error("a warning before any due date passed")
				}
				return
			}
			if !strings.Contains(page, `<p class="alert note" id="tra-lai-muon">`+tc.want+`</p>`) {
				t.Errorf("return form lacks %q", tc.want)
			}
		})
	}
}

// TestBoardCSVForSpreadsheets (walk M4): the board's CSV stays a machine
// format (the same columns, in the same order), but its rates are rounded
// to 4 decimals, a last column han_nop_ngay_cuoi gives the last day to
// send as printed on the board (han_nop is the exclusive end), and the
// board says how to open it in a spreadsheet.
func TestBoardCSVForSpreadsheets(t *testing.T) {
	e := newEnv(t)
	s8Upload(t, e, communeA, "lan-1.xlsx", testNow.Add(-time.Hour), s8Hamlets)
	if _, err := rollup.Build(ctx(), rollup.Options{Lake: e.lake, Year: year, Province: provinceTN, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	p := e.client()
	p.signInProvince(provinceTN)
	c := p.get("/tinh/bang.csv?han=12-15")
	head, _, _ := strings.Cut(strings.TrimPrefix(string(c.raw), "\ufeff"), "\r\n")
	if want := "ma_xa,ten_xa,trang_thai,trang_thai_text,bao_cao,han_nop,so_tep,nop_gan_nhat,ly_do_tu_choi,ty_le_ho_dat,chi_tieu_ho_dat," +
		"ty_le_thon_dat,chi_tieu_thon_dat,ty_le_cong_dan_dat,chi_tieu_cong_dan_dat,canh_bao_chua_xac_minh,canh_bao_da_xac_minh," +
		"y_kien_cua_tinh,ban_nop_moi_nhat,dang_tinh,han_nop_ngay_cuoi"; head != want {
		t.Errorf("header\n%s\nwant\n%s", head, want)
	}
	for _, tc := range []struct{ han, cut, last string }{
		{"12-15", "2026-12-05T00:00:00+07:00", "2026-12-04"},
		{"12-01", "2026-11-25T00:00:00+07:00", "2026-11-24"},
	} {
		row := boardCSV(t, p, "han="+tc.han, communeA)
		if row["han_nop"] != tc.cut || row["han_nop_ngay_cuoi"] != tc.last {
			t.Errorf("%s: han_nop %q, han_nop_ngay_cuoi %q; want %q, %q", tc.han, row["han_nop"], row["han_nop_ngay_cuoi"], tc.cut, tc.last)
		}
		// 1.170 of 1.770 households recognised: 0.661016… → 0.661; the target 80 % stays 0.8.
		if row["ty_le_ho_dat"] != "0.661" || row["ma_xa"] != communeA {
			t.Errorf("%s: ty_le_ho_dat %q, ma_xa %q", tc.han, row["ty_le_ho_dat"], row["ma_xa"])
		}
	}
	board := p.get("/tinh?han=12-15").body
	if !strings.Contains(board, `id="csv-cach-mo"`) || !strings.Contains(board, "chọn cột ma_xa là Văn bản (Text)") {
		t.Error("the board does not say how to open the CSV")
	}
}

// TestBoardInformationalFlagNotWarning (walk L1): on the board the
// unchanged re-upload is information, not a warning: it is not drawn in
// the warnings' colour (class "flag info", grey) and says "Để biết:";
// the real warning beside it keeps the warning's class.
func TestBoardInformationalFlagNotWarning(t *testing.T) {
	v := func(x float64) *float64 { return &x }
	e, set := flagEnv(t)
	set(
		portal.Flag{CommuneCode: communeA, FlagID: "unchanged/-/-", Rule: "unchanged", Value: v(2), Comparable: true,
			Message: "Tệp nộp lúc 14:07:41 07/12/2026 giống hệt tệp nộp lúc 14:07:08 07/12/2026 (không thay đổi)"},
		portal.Flag{CommuneCode: communeA, FlagID: "hamlet_outlier/ho_tong/T01", Rule: "hamlet_outlier", Indicator: "ho_tong", MaThon: "T01",
			TenThon: "Thôn 1", Value: v(1650), Comparable: true, Message: "Tổng số hộ của “Thôn 1” (1.650) khác thường so với các thôn khác của xã"},
	)
	p := e.client()
	p.signInProvince(provinceTN)
	row := unescape(rowOf(p.get("/tinh?han=12-15").body, communeA))
	if !strings.Contains(row, `<div class="flag info"><span class="small">Để biết:</span> Tệp nộp lúc 14:07:41 07/12/2026 giống hệt`) {
		t.Errorf("the unchanged re-upload is not shown as information: %q", row)
	}
	if !strings.Contains(row, `<div class="flag">Tổng số hộ của “Thôn 1”`) {
		t.Errorf("the warning lost its class: %q", row)
	}
}

// TestCommuneFlagsPlain (walk L2): an outlier flag on the commune's own
// page says the comparison plainly; the province's page keeps the median
// and the modified z-score.
func TestCommuneFlagsPlain(t *testing.T) {
	v := func(x float64) *float64 { return &x }
	e, set := flagEnv(t)
	set(portal.Flag{CommuneCode: communeA, FlagID: "hamlet_outlier/ho_tong/T01", Rule: "hamlet_outlier", Indicator: "ho_tong",
		MaThon: "T01", TenThon: "Thôn 1", Value: v(1650), Comparable: true,
		Message: "Tổng số hộ của “Thôn 1” (1.650) khác thường so với các thôn khác của xã (trung vị 157; điểm z hiệu chỉnh 6,1)"})
	cm := e.client()
	cm.mustSignIn(communeA)
	page := unescape(cm.get("/").body)
	if !strings.Contains(page, "Tổng số hộ của “Thôn 1” (1.650) khác thường so với các thôn khác của xã (phần lớn các thôn của xã khoảng 157 hộ)") {
		t.Error("the commune's page does not say the outlier plainly")
	}
	for _, bad := range []string{"trung vị", "điểm z"} {
		if strings.Contains(page, bad) {
			t.Errorf("the commune's page says %q", bad)
		}
	}
	p := e.client()
	p.signInProvince(provinceTN)
	if prov := unescape(p.get("/tinh/xa/" + communeA).body); !strings.Contains(prov, "(trung vị 157; điểm z hiệu chỉnh 6,1)") {
		t.Error("the province's page lost the statistics")
	}
}

// TestCommuneReviewBoxNoStaleTime (walk L4): the "Ý kiến của Sở" box
// gives the time of the Sở's decision it shows; once the commune has sent
// a newer file after a return, the box is about that file, which the Sở
// has not looked at: the return's time is not shown with it.
func TestCommuneReviewBoxNoStaleTime(t *testing.T) {
	box := regexp.MustCompile(`(?s)<section class="panel review-[a-z]+ compact" id="duyet-cua-so">.*?</section>`)
	e := newEnv(t)
	sub := s8Upload(t, e, communeA, "lan-1.xlsx", testNow.Add(-3*time.Hour), s8Hamlets)
	s8Apply(t, e, review.KindReturn, communeA, sub) // at testNow: 10:00 20/11/2026 in Vietnam
	cm := e.client()
	cm.mustSignIn(communeA)
	got := box.FindString(cm.get("/").body)
	if !strings.Contains(got, "(lúc 10:00 20/11/2026)") || !strings.Contains(got, "Sở đã trả lại tệp") {
		t.Fatalf("returned: box %q", got)
	}
	s8Upload(t, e, communeA, "lan-2-sua.xlsx", testNow.Add(time.Hour), s8Changed)
	got = box.FindString(cm.get("/").body)
	if !strings.Contains(got, "Số liệu đang chờ Sở duyệt.") || strings.Contains(got, "(lúc") || strings.Contains(got, "Ý kiến:") {
		t.Errorf("after the correction: box %q, want awaiting review with no time and no comment", got)
	}
}
