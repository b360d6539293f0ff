package portal_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/portal"
)

// L-H (review of issue 15, session 8): an unchanged re-upload ("không thay
// đổi") is information for the commune, classified like "không so sánh
// được" (quality.Informational): no "Đã xác minh" form, not counted as an
// open warning on the board or in its CSV.
func TestBoardUnchangedIsInformational(t *testing.T) {
	v := func(x float64) *float64 { return &x }
	e, set := flagEnv(t)
	set(
		portal.Flag{CommuneCode: communeA, FlagID: "unchanged/-/-", Rule: "unchanged", Value: v(2), Comparable: true,
			Message: "Tệp nộp lúc 12:59 07/12/2026 giống hệt tệp nộp lúc 15:10 08/11/2026 (không thay đổi)"},
		portal.Flag{CommuneCode: communeA, FlagID: "hamlet_outlier/ho_tong/T01", Rule: "hamlet_outlier", Indicator: "ho_tong", MaThon: "T01",
			TenThon: "Thôn 1", Value: v(1650), Comparable: true, Message: "Tổng số hộ của “Thôn 1” (1.650) khác thường so với các thôn khác của xã"},
	)
	p := e.client()
	csrf := p.signInProvince(provinceTN)
	// One open warning (the outlier), none checked.
	if c := p.get("/tinh/bang.csv"); !regexp.MustCompile(communeA + `,[^\n]*,1,0,`).MatchString(c.body) {
		t.Errorf("CSV row of %s does not count 1 open flag:\n%s", communeA, c.body)
	}
	cp := p.get("/tinh/xa/" + communeA)
	if cp.status != http.StatusOK {
		t.Fatal(cp.status)
	}
	if strings.Contains(cp.body, `name="flag" value="unchanged/-/-"`) {
		t.Error(`the unchanged re-upload has a "Đã xác minh" form`)
	}
	if !strings.Contains(cp.body, `name="flag" value="hamlet_outlier/ho_tong/T01"`) {
		t.Error(`the outlier lost its "Đã xác minh" form`)
	}
	if !strings.Contains(unescape(cp.body), "(không thay đổi)</span>\n<div class=\"small\">Để biết, không cần xác minh.</div>") {
		t.Errorf("the unchanged re-upload is not marked informational:\n%s", cp.body)
	}
	// A forged form for it is refused (lead, session 8): nothing to verify,
	// so no check and no audit record about it.
	if r := p.postForm("/tinh/xa/"+communeA+"/xac-minh", url.Values{"csrf": {csrf}, "flag": {"unchanged/-/-"}, "comment": {"đã xem"}}, nil); r.status != http.StatusBadRequest || !strings.Contains(r.body, "chỉ để biết") {
		t.Errorf("check of an informational flag: %d, want 400 \"chỉ để biết\"", r.status)
	}
	// The commune's own page asks it to look at one warning, not two.
	a := e.client()
	a.mustSignIn(communeA)
	if page := unescape(a.get("/").body); !strings.Contains(page, "Số liệu cần xem lại: 1 cảnh báo") {
		t.Errorf("commune page does not count 1 warning to look at:\n%s", page)
	}
}
