package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/portal"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
)

// rowOf is a commune's row of a board page ("" when absent).
func rowOf(body, commune string) string {
	for _, m := range rowRe.FindAllStringSubmatch(body, -1) {
		if m[1] == commune {
			return m[2]
		}
	}
	return ""
}

// TestBoardLaterRejection (finding L13, session 7): an approved commune
// whose newer upload was rejected stays approved; the rejection reads as
// a later failed attempt, not as the reason of the approved state.
func TestBoardLaterRejection(t *testing.T) {
	e := newEnv(t)
	h := []map[string]any{{"ho_tong": int64(100), "ho_dang_ky": int64(50), "ho_dat": int64(50)}}
	id, err := rolluptest.Upload{Year: year, Commune: communeB, File: "v1.xlsx", At: time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC), Hamlets: h}.Write(ctx(), e.lake)
	if err != nil {
		t.Fatal(err)
	}
	by := review.Actor{Role: access.RoleProvince, Province: provinceTN, CodeID: "c0de", Year: year}
	if _, err := review.Apply(ctx(), e.lake, review.Action{Kind: review.KindApprove, Year: year, Province: provinceTN, Commune: communeB,
		Submission: id, By: by, At: time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if _, err := (rolluptest.Upload{Year: year, Commune: communeB, File: "v2.xlsx", At: time.Date(2026, 11, 22, 3, 4, 0, 0, time.UTC),
		Rejected: "Ô D12 phải là số"}).Write(ctx(), e.lake); err != nil {
		t.Fatal(err)
	}
	p := e.client()
	p.signInProvince(provinceTN)
	row := unescape(rowOf(p.get("/tinh?han=12-15").body, communeB))
	if !strings.Contains(row, `class="tag approved"`) {
		t.Fatalf("B is not shown approved:\n%s", row)
	}
	// 03:04 UTC is 10:04 in Vietnam.
	if want := `<div class="reason">Lần nộp sau (10:04 22/11) bị từ chối: Ô D12 phải là số</div>`; !strings.Contains(row, want) {
		t.Errorf("row lacks %q:\n%s", want, row)
	}
}

// TestBoardFlagsLightAndNotComparable: "không so sánh được" is said once
// and such an informational flag gets no "Đã xác minh" form (finding L4);
// the board of a province's 92 communes with 40 flags each stays under the
// portal's page budget, listing two flags per row and linking to the
// commune's page for the rest, while the CSV counts them all (finding L5:
// the board was 294 KB).
func TestBoardFlagsLightAndNotComparable(t *testing.T) {
	var codes []string
	mk := func() []portal.Flag {
		var fs []portal.Flag
		v := func(x float64) *float64 { return &x }
		for _, c := range codes {
			fs = append(fs, portal.Flag{CommuneCode: c, FlagID: "change/ho_tong/-", Rule: "change", Indicator: "ho_tong", Comparable: false,
				Message: "Không so sánh được với năm 2024: xã cũ 05461, 05467 bị chia tách, chưa quy đổi được"})
			for i := range 39 {
				fs = append(fs, portal.Flag{CommuneCode: c, FlagID: fmt.Sprintf("hamlet_outlier/ho_tong/T%02d", i), Rule: "hamlet_outlier",
					Indicator: "ho_tong", MaThon: fmt.Sprintf("T%02d", i), TenThon: fmt.Sprintf("Tổ dân phố số %d", i), Value: v(float64(1000 + i)),
					Comparable: true, Message: fmt.Sprintf("Tổng số hộ của “Tổ dân phố số %d” (%d) khác thường so với các thôn khác của xã", i, 1000+i)})
			}
		}
		return fs
	}
	e := newEnv(t, func(c *portal.Config) {
		c.Flags = portal.FlagReaderFunc(func(_ context.Context, y int, p string) ([]portal.Flag, error) {
			if y != year || p != provinceTN {
				return nil, nil
			}
			return mk(), nil
		})
	})
	p := e.client()
	p.signInProvince(provinceTN)
	for _, m := range rowRe.FindAllStringSubmatch(p.get("/tinh").body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) < 90 {
		t.Fatalf("%d communes on the board, want Thái Nguyên's 92", len(codes))
	}
	b := p.get("/tinh")
	total := len(b.raw)
	for _, m := range refRe.FindAllStringSubmatch(b.body, -1) {
		if ref := m[1] + m[2]; strings.HasPrefix(ref, "/tep/") {
			total += len(p.get(ref).raw)
		}
	}
	t.Logf("board of %d communes, %d flags each: %d bytes with its assets", len(codes), 40, total)
	if total > pageWeightLimit {
		t.Errorf("the board weighs %d bytes with its assets, over %d", total, pageWeightLimit)
	}
	row := unescape(rowOf(b.body, communeA))
	if n := len(regexp.MustCompile(`<div class="flag[ "]`).FindAllString(row, -1)); n != 2 {
		t.Errorf("row lists %d flags, want 2", n)
	}
	if want := `<a class="flag more" href="/tinh/xa/` + communeA + `#canh-bao-xa">Xem thêm 38 cảnh báo</a>`; !strings.Contains(row, want) {
		t.Errorf("row lacks %q:\n%s", want, row)
	}
	if n := strings.Count(strings.ToLower(row), "không so sánh được"); n != 1 {
		t.Errorf(`"không so sánh được" said %d times in the row:\n%s`, n, row)
	}
	// The CSV counts every open flag (39 comparable, unchecked).
	if c := p.get("/tinh/bang.csv"); !regexp.MustCompile(communeA + `,[^\n]*,39,0,`).MatchString(c.body) {
		t.Errorf("CSV row of %s does not count 39 open flags", communeA)
	}
	// The commune's page: a check form for each comparable flag, none for
	// the informational one.
	cp := p.get("/tinh/xa/" + communeA)
	if cp.status != http.StatusOK {
		t.Fatal(cp.status)
	}
	if n := strings.Count(cp.body, `name="flag" value="hamlet_outlier/`); n != 39 {
		t.Errorf("%d check forms for the comparable flags, want 39", n)
	}
	if strings.Contains(cp.body, `name="flag" value="change/ho_tong/-"`) {
		t.Error(`the "không so sánh được" flag has a "Đã xác minh" form`)
	}
}
