package portal_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/access"

	"github.com/xhht/xhht/pipeline/review"
)

var seenRe = regexp.MustCompile(`name="seen" value="([^"]+)"`)

// seenOf opens the province's page of commune and returns the status
// version its forms carry, as a reviewer's browser would post it.
func (c *client) seenOf(commune string) string {
	c.e.t.Helper()
	r := c.get("/tinh/xa/" + commune)
	if r.status != http.StatusOK {
		c.e.t.Fatalf("province page of %s: %d", commune, r.status)
	}
	m := seenRe.FindStringSubmatch(r.body)
	if m == nil {
		c.e.t.Fatalf("no status version in the forms of the page of %s", commune)
	}
	return html.UnescapeString(m[1])
}

// TestStalePageRefused (review finding H2): reviewers A and B open the
// same commune page. B returns the file with a comment; A then approves
// from the page it still has. A gets 409 with the promised message, its
// own comment kept in the form, and the current state (B's return and
// comment); nothing of B's is replaced and no audit record is written
// for A. The reverse (a stale return after an approval) and a decision
// posted without a version are refused the same way.
func TestStalePageRefused(t *testing.T) {
	e := newEnv(t)
	cm := e.client()
	csrfC := cm.mustSignIn(communeA)
	cm.upload(csrfC, "bao-cao.xlsx", goodFile(t, communeA, 3), nil, nil)
	sub := latestOf(t, e, communeA)
	pa, pb := e.client(), e.client()
	ca, cb := pa.signInProvince(provinceTN), pb.signInProvince(provinceTN)
	seenA, seenB := pa.seenOf(communeA), pb.seenOf(communeA)
	if seenA != seenB {
		t.Fatalf("two reviewers on the same page state see versions %q and %q", seenA, seenB)
	}

	bComment := "Thôn 3: số hộ gấp 10 lần năm trước"
	if r := pb.postForm("/tinh/xa/"+communeA+"/tra-lai", url.Values{"csrf": {cb}, "seen": {seenB}, "submission": {sub}, "comment": {bComment}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("B's return: %d %s", r.status, r.body)
	}
	aComment := "Đã đối chiếu <với> sổ hộ"
	r := pa.postForm("/tinh/xa/"+communeA+"/duyet", url.Values{"csrf": {ca}, "seen": {seenA}, "submission": {sub}, "comment": {aComment}}, nil)
	if r.status != http.StatusConflict {
		t.Fatalf("A's approve from a stale page: %d, want 409", r.status)
	}
	for _, want := range []string{
		"Số liệu của xã đã thay đổi", "người khác vừa thao tác", // the message docs/portal.md promises
		`id="trang-thai">Bị trả lại<`, // the current state
		html.EscapeString(bComment),   // B's comment
		// A's comment, kept: quoted in the alert (a returned file has no
		// approve form to put it back in, whether or not a roll-up ran
		// since: re-check L1).
		`<q id="y-kien-giu-lai">` + html.EscapeString(aComment) + `</q>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("409 page lacks %q", want)
		}
	}
	s, _, _ := review.Get(ctx(), e.lake, year, provinceTN, communeA)
	if s.State != review.Returned || s.Comment != bComment {
		t.Fatalf("B's return was replaced: %+v", s)
	}
	h, _ := review.History(ctx(), e.lake, year, provinceTN, communeA)
	if len(h) != 1 || h[0].Action != review.KindReturn {
		t.Fatalf("audit after the refused approve: %+v", h)
	}
	if home := cm.get("/").body; !strings.Contains(home, html.EscapeString(bComment)) {
		t.Error("the commune no longer sees B's comment")
	}

	// A reloads and reopens; B approves from the reloaded page; A returns
	// from the page of before the approval: refused, the approval stays.
	seenA = pa.seenOf(communeA)
	if r := pa.postForm("/tinh/xa/"+communeA+"/mo-lai", url.Values{"csrf": {ca}, "seen": {seenA}, "comment": {"Xã đã giải trình"}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("reopen on a fresh page: %d %s", r.status, r.body)
	}
	seenA = pa.seenOf(communeA)
	if r := pb.postForm("/tinh/xa/"+communeA+"/duyet", url.Values{"csrf": {cb}, "seen": {pb.seenOf(communeA)}, "submission": {sub}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("B's approve: %d %s", r.status, r.body)
	}
	r = pa.postForm("/tinh/xa/"+communeA+"/tra-lai", url.Values{"csrf": {ca}, "seen": {seenA}, "submission": {sub}, "comment": {"trả lại từ trang cũ"}}, nil)
	if r.status != http.StatusConflict || !strings.Contains(r.body, `id="y-kien-giu-lai">trả lại từ trang cũ<`) {
		t.Fatalf("stale return: %d; want 409 with the comment kept (the return form is gone: the commune is approved)", r.status)
	}
	// A decision without a version (not from this page) is refused too.
	if r := pa.postForm("/tinh/xa/"+communeA+"/mo-lai", url.Values{"csrf": {ca}, "comment": {"không kèm phiên bản"}}, nil); r.status != http.StatusConflict {
		t.Fatalf("reopen without a version: %d, want 409", r.status)
	}
	if s, _, _ := review.Get(ctx(), e.lake, year, provinceTN, communeA); s.State != review.Approved {
		t.Fatalf("the approval was replaced: %+v", s)
	}
	if h, _ := review.History(ctx(), e.lake, year, provinceTN, communeA); len(h) != 3 {
		t.Fatalf("%d audit records, want 3 (return, reopen, approve)", len(h))
	}
}

// TestHistoryNamesReviewerSlot (finding L5): a new audit record keeps the
// reviewer's slot; the province's history shows "Mã cấp tỉnh 19-02
// (holder)", the holder read from the access record. A record written
// before slots were recorded keeps showing the code's id; a slot whose
// record never issued that code gets no name. The commune's page shows
// no holder's name.
func TestHistoryNamesReviewerSlot(t *testing.T) {
	e := newEnv(t)
	cm := e.client()
	csrfC := cm.mustSignIn(communeA)
	cm.upload(csrfC, "bao-cao.xlsx", goodFile(t, communeA, 3), nil, nil)
	sub := latestOf(t, e, communeA)
	is, err := access.Issue(ctx(), e.lake, access.IssueOptions{Year: year, Province: provinceTN, Role: access.RoleProvince,
		Holders: []string{"Nguyễn Văn An", "Trần Thị Bình"}, Now: testNow.Add(-time.Hour)})
	if err != nil || len(is) != 2 {
		t.Fatalf("issue reviewer codes: %d, %v", len(is), err)
	}
	p := e.client()
	if r := p.signIn(is[1].Code); r.status != http.StatusSeeOther {
		t.Fatalf("sign in with slot 02: %d", r.status)
	}
	csrf := csrfRe.FindStringSubmatch(p.get("/tinh").body)[1]

	// An older record, from before slots were recorded: no reviewer.
	old := review.Actor{Role: access.RoleProvince, Province: provinceTN, CodeID: "0a0a0a0a0a0a", Year: year}
	if _, err := review.Apply(ctx(), e.lake, review.Action{Kind: review.KindCheck, Year: year, Province: provinceTN, Commune: communeA,
		Submission: sub, FlagID: "rate_change/ty_le_ho_dat/-", Comment: "đã gọi xã", By: old}); err != nil {
		t.Fatal(err)
	}
	// A record naming slot 01 with a code slot 01 never had: no name.
	forged := review.Actor{Role: access.RoleProvince, Province: provinceTN, CodeID: "0b0b0b0b0b0b", Reviewer: "01", Year: year}
	if _, err := review.Apply(ctx(), e.lake, review.Action{Kind: review.KindCheck, Year: year, Province: provinceTN, Commune: communeA,
		Submission: sub, FlagID: "unchanged/-/-", Comment: "không đổi là đúng", By: forged}); err != nil {
		t.Fatal(err)
	}
	if r := p.postForm("/tinh/xa/"+communeA+"/tra-lai", url.Values{"csrf": {csrf}, "seen": {p.seenOf(communeA)}, "submission": {sub},
		"comment": {"Thôn 2 thiếu"}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("return: %d %s", r.status, r.body)
	}
	h, _ := review.History(ctx(), e.lake, year, provinceTN, communeA)
	if len(h) != 3 || h[2].By.Reviewer != "02" || h[2].By.CodeID != is[1].Grant.CodeID {
		t.Fatalf("the return's record does not keep slot 02: %+v", h[len(h)-1].By)
	}
	page := p.get("/tinh/xa/" + communeA).body
	for _, want := range []string{
		"<td><span class=\"lbl\">Người làm: </span>Mã cấp tỉnh 19-02 (Trần Thị Bình)</td>",
		"<td><span class=\"lbl\">Người làm: </span>Mã cấp tỉnh 19 (mã số 0a0a0a0a0a0a)</td>",
		"<td><span class=\"lbl\">Người làm: </span>Mã cấp tỉnh 19-01 (mã số 0b0b0b0b0b0b)</td>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("history lacks %q", want)
		}
	}
	if strings.Contains(page, "Nguyễn Văn An") {
		t.Error("slot 01's holder is named on an action its code did not take")
	}
	if home := cm.get("/").body; strings.Contains(home, "Trần Thị Bình") || strings.Contains(home, "19-02") {
		t.Error("the commune's page names the province's reviewer")
	}
}
