package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/xhht/xhht/pipeline/portal"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
)

// flagEnv is an env whose FlagReader returns the flags set with set (a
// stand-in for quality.ReadFlags: the flags file's rows as the portal
// receives them, here with the duplicates a faulty build wrote).
func flagEnv(t *testing.T) (*env, func(...portal.Flag)) {
	var (
		mu    sync.Mutex
		flags []portal.Flag
	)
	e := newEnv(t, func(c *portal.Config) {
		c.Flags = portal.FlagReaderFunc(func(_ context.Context, y int, p string) ([]portal.Flag, error) {
			mu.Lock()
			defer mu.Unlock()
			if y != year || p != provinceTN {
				return nil, nil
			}
			return append([]portal.Flag(nil), flags...), nil
		})
	})
	return e, func(fs ...portal.Flag) {
		mu.Lock()
		defer mu.Unlock()
		flags = fs
	}
}

// TestCommunePageWaitingFlagsApart (review finding H1, the pages' part):
// an approved commune with a waiting file sees that file's flags under
// "Tệp chờ duyệt:", apart from the counted data's, and no flag twice even
// when the flags file has a pending and a non-pending row of the same
// flag of the same upload; the province's page offers one form per flag.
func TestCommunePageWaitingFlagsApart(t *testing.T) {
	e, set := flagEnv(t)
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	a.upload(csrfA, "lan-1.xlsx", goodFile(t, communeA, 3), nil, nil)
	sub1 := latestOf(t, e, communeA)
	p := e.client()
	csrf := p.signInProvince(provinceTN)
	if r := p.postForm("/tinh/xa/"+communeA+"/duyet", url.Values{"csrf": {csrf}, "seen": {p.seenOf(communeA)}, "submission": {sub1}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	a.upload(csrfA, "lan-2.xlsx", goodFile(t, communeA, 4), nil, nil)
	sub2 := latestOf(t, e, communeA)
	counted := portal.Flag{CommuneCode: communeA, FlagID: "hamlet_new/ho_tong/T03", Rule: "hamlet_new", Comparable: true,
		Message: "Thôn Ba năm nay mới có", SubmissionID: sub1}
	waiting := portal.Flag{CommuneCode: communeA, FlagID: "hamlet_outlier/ho_tong/T04", Rule: "hamlet_outlier", Comparable: true,
		Message: "Tổng số hộ của Thôn Bốn khác thường", SubmissionID: sub2}
	set(counted, waiting, waiting, counted) // each row twice (pending and not, H1)

	page := a.get("/").body
	sec := block(page, "canh-bao-hop-ly")
	i, j := strings.Index(sec, "Tệp chờ duyệt:"), strings.Index(sec, "Số liệu đang dùng")
	if i < 0 || j < i {
		t.Fatalf("the commune's page does not put the waiting file's flags apart:\n%s", sec)
	}
	if w := sec[i:j]; !strings.Contains(w, "Thôn Bốn") || strings.Contains(w, "Thôn Ba") {
		t.Errorf("waiting file's flags: %q", w)
	}
	if c := sec[j:]; !strings.Contains(c, "Thôn Ba") || strings.Contains(c, "Thôn Bốn") {
		t.Errorf("counted data's flags: %q", c)
	}
	for _, s := range []string{"Thôn Ba", "Thôn Bốn"} {
		if n := strings.Count(sec, s); n != 1 {
			t.Errorf("the commune's page lists %q %d times", s, n)
		}
	}
	if !strings.Contains(sec, "2 cảnh báo") {
		t.Errorf("the folded flags do not say how many there are: %q", sec)
	}
	prov := p.get("/tinh/xa/" + communeA).body
	for _, id := range []string{counted.FlagID, waiting.FlagID} {
		if n := strings.Count(prov, `name="flag" value="`+id+`"`); n != 1 {
			t.Errorf("the province's page has %d check forms for %s", n, id)
		}
	}
}

var checkFormRe = regexp.MustCompile(`name="flag" value="([^"]*)"><input type="hidden" name="submission" value="([0-9a-f]*)"`)

// TestPagesShowTheFileUnderReview (review findings M4, M5): the pages show
// only what belongs to the file "Duyệt tệp này" approves.
//   - M4: a new upload the roll-up has not read yet: "đang được tổng hợp", not
//     the older file's flags; no check form for the older file; its hamlet
//     rows from its own Parquet file. The commune's page says the same.
//   - M5: a returned file after a rebuild (the roll-up no longer counts
//     it): its hamlet rows from its own file, a plain note that its flags
//     are not computed, and no approve button (reopen instead).
func TestPagesShowTheFileUnderReview(t *testing.T) {
	e, set := flagEnv(t)
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	a.upload(csrfA, "lan-1.xlsx", goodFile(t, communeA, 3), nil, nil)
	sub1 := latestOf(t, e, communeA)
	b := e.client()
	csrfB := b.mustSignIn(communeB)
	b.upload(csrfB, "tra-lai.xlsx", goodFile(t, communeB, 4), nil, nil)
	subB := latestOf(t, e, communeB)
	p := e.client()
	csrf := p.signInProvince(provinceTN)
	if r := p.postForm("/tinh/xa/"+communeB+"/tra-lai", url.Values{"csrf": {csrf}, "seen": {p.seenOf(communeB)}, "submission": {subB}, "comment": {"Sai số hộ"}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("return: %d %s", r.status, r.body)
	}
	// A real build after the return: it counts A's first file, not B's.
	if _, err := rollup.Build(ctx(), rollup.Options{Lake: e.lake, Year: year, Province: provinceTN, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	old := portal.Flag{CommuneCode: communeA, FlagID: "rate_change/ty_le_ho_dat/-", Rule: "rate_change", Comparable: true,
		Message: "Tỷ lệ hộ của tệp cũ tăng mạnh", SubmissionID: sub1}
	set(old)
	if page := p.get("/tinh/xa/" + communeA).body; !strings.Contains(page, "tệp cũ tăng mạnh") || strings.Contains(page, `id="dang-tinh"`) {
		t.Fatal("before the new upload, the counted file's flag is not shown plainly")
	}

	// M4: A sends a new file (5 hamlets); the roll-up has not read it.
	a.upload(csrfA, "lan-2.xlsx", goodFile(t, communeA, 5), nil, nil)
	sub2 := latestOf(t, e, communeA)
	page := p.get("/tinh/xa/" + communeA).body
	if !strings.Contains(block(page, "duyet"), `id="dang-tinh"`) || !strings.Contains(page, "đang được tổng hợp, tải lại sau ít phút") {
		t.Error("M4: the page does not say the new file's figures and flags are being computed")
	}
	if strings.Contains(page, "tệp cũ tăng mạnh") {
		t.Error("M4: the older file's flag is shown next to the new file's approve button")
	}
	for _, m := range checkFormRe.FindAllStringSubmatch(page, -1) {
		if m[2] != sub2 {
			t.Errorf("M4: a check form posts submission %s, not the file under review %s", m[2], sub2)
		}
	}
	if !strings.Contains(page, `name="submission" value="`+sub2+`"`) || !strings.Contains(page, `id="nut-duyet"`) {
		t.Error("M4: approval of the new file is not offered")
	}
	thon := block(page, "cac-thon")
	if !strings.Contains(thon, `id="thon-tu-tep"`) || !strings.Contains(thon, "Thôn 5") {
		t.Errorf("M4: the hamlet table is not the new file's (5 hamlets):\n%s", thon)
	}
	cp := a.get("/").body
	if !strings.Contains(cp, `id="canh-bao-dang-tinh"`) || strings.Contains(cp, "tệp cũ tăng mạnh") {
		t.Error("M4: the commune's own page shows the older file's flag under its new upload")
	}

	// M5: B's returned file after the rebuild.
	page = p.get("/tinh/xa/" + communeB).body
	if strings.Contains(page, `id="nut-duyet"`) {
		t.Error("M5: approval of a returned file is offered without its flags")
	}
	if !strings.Contains(page, `id="khong-tinh"`) || !strings.Contains(page, `id="nut-mo-lai"`) {
		t.Error("M5: the page does not say the returned file's flags are not computed, or offers no reopen")
	}
	thon = block(page, "cac-thon")
	for _, h := range []string{"Thôn 1", "Thôn 4"} {
		if !strings.Contains(thon, h) {
			t.Errorf("M5: the returned file's hamlet %q is not shown:\n%s", h, thon)
		}
	}
	if strings.Contains(thon, "Chưa có số liệu tổng hợp") {
		t.Error("M5: the hamlet table says there is no data although the file has hamlets")
	}
}

// TestCheckOnlyShownFlags (review findings L1, L2, L3): a "đã xác minh"
// form must name a flag the commune's page shows, of the upload it is
// about: a forged id is refused (400), a real flag of another upload too
// (409), neither stores a check nor writes an audit record. The note's
// label says the commune will see it; the history names the checked flag.
func TestCheckOnlyShownFlags(t *testing.T) {
	e, set := flagEnv(t)
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	a.upload(csrfA, "bao-cao.xlsx", goodFile(t, communeA, 3), nil, nil)
	sub := latestOf(t, e, communeA)
	f := portal.Flag{CommuneCode: communeA, FlagID: "hamlet_outlier/ho_tong/T02", Rule: "hamlet_outlier", Comparable: true,
		Message: "Tổng số hộ của Thôn Hai khác thường", SubmissionID: sub}
	set(f)
	p := e.client()
	csrf := p.signInProvince(provinceTN)
	page := p.get("/tinh/xa/" + communeA).body
	if !strings.Contains(page, "Ghi chú xác minh (xã sẽ thấy)") {
		t.Error("L2: the check note's label does not say the commune sees it")
	}
	post := func(flag, submission string) resp {
		return p.postForm("/tinh/xa/"+communeA+"/xac-minh", url.Values{"csrf": {csrf}, "flag": {flag}, "submission": {submission}, "comment": {"Đã gọi điện cho xã"}}, nil)
	}
	for _, c := range []struct {
		name, flag, sub string
		status          int
		says            string
	}{
		{"forged id", "made/up/flag", sub, http.StatusBadRequest, "Xã không có cảnh báo này"},
		{"another commune's flag id", "copied/-/-", sub, http.StatusBadRequest, "Xã không có cảnh báo này"},
		{"real flag, another upload", f.FlagID, strings.Repeat("a", 32), http.StatusConflict, "không thuộc tệp đang xem"},
		{"no id", "", sub, http.StatusBadRequest, "Thiếu mã cảnh báo"},
	} {
		r := post(c.flag, c.sub)
		if r.status != c.status || !strings.Contains(r.body, c.says) {
			t.Errorf("%s: %d, want %d saying %q", c.name, r.status, c.status, c.says)
		}
	}
	st, _, err := review.Get(ctx(), e.lake, year, provinceTN, communeA)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := review.History(ctx(), e.lake, year, provinceTN, communeA)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Checks) != 0 || len(hist) != 0 {
		t.Fatalf("refused checks stored %v, audit %v", st.Checks, hist)
	}
	if r := post(f.FlagID, sub); r.status != http.StatusSeeOther {
		t.Fatalf("a shown flag's check: %d %s", r.status, r.body)
	}
	hs := block(p.get("/tinh/xa/"+communeA).body, "lich-su")
	if !strings.Contains(hs, "Xác minh cảnh báo: «") || !strings.Contains(hs, "Thôn Hai khác thường") {
		t.Errorf("L3: the history does not name the checked flag:\n%s", hs)
	}
}

// TestProvinceFooterAndRefusalText (review findings L6, L9 on the page): the
// province's pages have their own footer, aligned with their wide content,
// that does not send the Sở to itself; a refused comment with a
// right-to-left override reads as a sentence and does not echo the
// override.
func TestProvinceFooterAndRefusalText(t *testing.T) {
	e := newEnv(t)
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	a.upload(csrfA, "bao-cao.xlsx", goodFile(t, communeA, 3), nil, nil)
	sub := latestOf(t, e, communeA)
	p := e.client()
	csrf := p.signInProvince(provinceTN)
	for _, path := range []string{"/tinh", "/tinh/xa/" + communeA} {
		body := p.get(path).body
		if strings.Contains(body, "Liên hệ Sở Giáo dục và Đào tạo của tỉnh") || !strings.Contains(body, `<footer class="wrap wide foot"`) {
			t.Errorf("L6: %s has the commune's footer", path)
		}
	}
	if body := a.get("/").body; !strings.Contains(body, "Liên hệ Sở Giáo dục và Đào tạo của tỉnh") {
		t.Error("the commune's footer changed")
	}
	r := p.postForm("/tinh/xa/"+communeA+"/tra-lai", url.Values{"csrf": {csrf}, "seen": {p.seenOf(communeA)}, "submission": {sub},
		"comment": {"Sai \u202esố hộ"}}, nil)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "Thao tác không hợp lệ: ") {
		t.Errorf("L9: refusal %d does not start as a sentence", r.status)
	}
	if strings.ContainsRune(r.body, '\u202e') {
		t.Error("L9: the refusal echoes the right-to-left override")
	}
}

// TestHamletsNotComparable (review finding M6, over HTTP): when the flags
// say the commune cannot be compared with last year (a split commune
// without a hamlet assignment), the hamlet table says so and shows this
// year only: no last year's column, no change highlighted, although a
// roll-up of last year has rows under the same code.
func TestHamletsNotComparable(t *testing.T) {
	e, set := flagEnv(t)
	lastAndThisYear(t, e)
	p := e.client()
	p.signInProvince(provinceTN)
	if thon := block(p.get("/tinh/xa/"+communeA).body, "cac-thon"); !strings.Contains(thon, `class="num prev"`) {
		t.Fatalf("comparable: last year's column is missing:\n%s", thon)
	}
	set(portal.Flag{CommuneCode: communeA, FlagID: "not_comparable/-/-", Rule: "not_comparable", SubmissionID: latestOf(t, e, communeA),
		Message: "Không so sánh được với năm 2025: xã cũ 05461, 05467 bị chia tách, chưa có phân bổ thôn nên chưa quy đổi được"})
	thon := block(p.get("/tinh/xa/"+communeA).body, "cac-thon")
	if !strings.Contains(thon, `id="khong-so-sanh"`) || !strings.Contains(thon, "xã cũ 05461, 05467 bị chia tách") {
		t.Errorf("not comparable: the table does not say so:\n%s", thon)
	}
	if strings.Contains(thon, `class="num prev"`) || strings.Contains(thon, "doi") || strings.Contains(thon, ">2025<") {
		t.Errorf("not comparable: last year's values are still shown:\n%s", thon)
	}
	if !strings.Contains(thon, "Thôn 4") {
		t.Errorf("not comparable: this year's hamlets are gone:\n%s", thon)
	}
}

// TestApprovedResendFlagsOnce (review finding H1, defensive): an approved
// commune re-sends the same data; the page shows one data set (approved),
// so a flag the flags file has about both uploads is listed once, with
// the approved upload's check form.
func TestApprovedResendFlagsOnce(t *testing.T) {
	e, set := flagEnv(t)
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	file := goodFile(t, communeA, 3)
	a.upload(csrfA, "lan-1.xlsx", file, nil, nil)
	sub1 := latestOf(t, e, communeA)
	p := e.client()
	csrf := p.signInProvince(provinceTN)
	if r := p.postForm("/tinh/xa/"+communeA+"/duyet", url.Values{"csrf": {csrf}, "seen": {p.seenOf(communeA)}, "submission": {sub1}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	a.upload(csrfA, "gui-lai.xlsx", file, nil, nil)
	sub2 := latestOf(t, e, communeA)
	f := portal.Flag{CommuneCode: communeA, FlagID: "change/ho_tong/-", Rule: "change", Comparable: true, Message: "Tổng số hộ giảm mạnh"}
	f1, f2 := f, f
	f1.SubmissionID, f2.SubmissionID = sub1, sub2
	set(f2, f1)
	page := p.get("/tinh/xa/" + communeA).body
	if !strings.Contains(page, `class="tag review-approved"`) {
		t.Fatal("the same data re-sent is not shown as approved")
	}
	if n := strings.Count(page, "Tổng số hộ giảm mạnh"); n != 1 {
		t.Errorf("the province's page lists the flag %d times", n)
	}
	if !strings.Contains(page, `name="flag" value="`+f.FlagID+`"><input type="hidden" name="submission" value="`+sub1+`"`) {
		t.Error("the check form is not about the approved upload")
	}
	if n := strings.Count(block(a.get("/").body, "canh-bao-hop-ly"), "Tổng số hộ giảm mạnh"); n != 1 {
		t.Errorf("the commune's page lists the flag %d times", n)
	}
}
