package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/portal"
)

// TestBoardFlagsOnceAndChecked: a flag's values are said once, in
// Vietnamese formatting (pipeline/quality's message already carries them;
// a message without them gets them formatted); a checked flag stays in the
// board's row, greyed, and is counted apart from the open ones; the
// headings say "Cảnh báo về tính hợp lý".
func TestBoardFlagsOnceAndChecked(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	flags := []portal.Flag{
		{CommuneCode: communeA, FlagID: "change/ho_tong/-", Rule: "change", Indicator: "ho_tong", Value: f(4917), PreviousValue: f(2777),
			Comparable: true, Message: "Tổng số hộ tăng 77,1% so với năm trước (2.777 → 4.917)"},
		{CommuneCode: communeA, FlagID: "rate_change/ty_le_ho_dat/-", Rule: "rate_change", Indicator: "ty_le_ho_dat", Value: f(0.9375), PreviousValue: f(0.675),
			Comparable: true, Message: "Tỷ lệ hộ GĐHT tăng 26,3 điểm phần trăm so với năm trước"},
		{CommuneCode: communeA, FlagID: "hamlet_outlier/ho_tong/T03", Rule: "hamlet_outlier", Indicator: "ho_tong", MaThon: "T03", TenThon: "Tổ dân phố 3",
			Value: f(310), Comparable: true, Message: "Tổng số hộ của “Tổ dân phố 3” (310) khác thường so với các thôn khác của xã"},
	}
	e := newEnv(t, func(c *portal.Config) {
		c.Flags = portal.FlagReaderFunc(func(_ context.Context, y int, p string) ([]portal.Flag, error) {
			if y != year || p != provinceTN {
				return nil, nil
			}
			return flags, nil
		})
	})
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	a.upload(csrfA, "bao-cao.xlsx", goodFile(t, communeA, 3), nil, nil)
	p := e.client()
	csrf := p.signInProvince(provinceTN)
	if r := p.postForm("/tinh/xa/"+communeA+"/xac-minh", url.Values{"csrf": {csrf}, "flag": {flags[2].FlagID}, "comment": {"TDP 3 mới sáp nhập"}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("check: %d %s", r.status, r.body)
	}

	var row string
	for _, m := range rowRe.FindAllStringSubmatch(p.get("/tinh").body, -1) {
		if m[1] == communeA {
			row = m[2]
		}
	}
	if row == "" {
		t.Fatal("commune A not on the board")
	}
	for _, want := range []string{
		"Tổng số hộ tăng 77,1% so với năm trước (2.777 → 4.917)</div>",
		"so với năm trước (năm trước 67,5 % → năm nay 93,8 %)</div>",
		// Two flags in the row (the open ones first); the checked one is on
		// the commune's page, behind a link (finding L5, session 7).
		`<a class="flag more" href="/tinh/xa/` + communeA + `#canh-bao-xa">Xem thêm 1 cảnh báo</a>`,
		`<span class="tag late">2 cảnh báo</span> <span class="small checked">(1 đã xác minh)</span>`,
	} {
		if !strings.Contains(unescape(row), want) {
			t.Errorf("board row lacks %q:\n%s", want, unescape(row))
		}
	}
	for _, bad := range []string{"4917", "2777", "0,94", "0,68", "năm nay 4"} {
		if strings.Contains(row, bad) {
			t.Errorf("board row repeats a raw value %q:\n%s", bad, row)
		}
	}
	cp := p.get("/tinh/xa/" + communeA).body
	if !strings.Contains(cp, "<h2>Cảnh báo về tính hợp lý</h2>") || regexp.MustCompile(`Cảnh báo hợp lý`).MatchString(cp) {
		t.Error(`the province's commune page does not say "Cảnh báo về tính hợp lý"`)
	}
	if strings.Count(unescape(cp), "(2.777 → 4.917)") != 1 {
		t.Error("the province's commune page does not say the values exactly once")
	}
}
