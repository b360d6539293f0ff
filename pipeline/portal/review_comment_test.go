package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xhht/xhht/pipeline/portal"
	"github.com/xhht/xhht/pipeline/review"
)

// TestLongReviewComment: a comment of review.MaxCommentRunes characters
// goes through whatever the characters (a Vietnamese letter is 9 bytes
// URL-encoded, an emoji 12); one character more is refused by the rule
// with the limit named; a body over any comment's size is refused with a
// clear message, never as a bad CSRF token.
func TestLongReviewComment(t *testing.T) {
	e := newEnv(t)
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	a.upload(csrfA, "bao-cao.xlsx", goodFile(t, communeA, 3), nil, nil)
	p := e.client()
	csrf := p.signInProvince(provinceTN)
	sub := latestOf(t, e, communeA)
	ret := func(comment string) resp {
		return p.postForm("/tinh/xa/"+communeA+"/tra-lai", url.Values{"csrf": {csrf}, "seen": {p.seenOf(communeA)}, "submission": {sub}, "comment": {comment}}, nil)
	}
	for _, c := range []struct{ name, comment string }{
		{"Vietnamese letters", strings.Repeat("ệ", review.MaxCommentRunes)},
		{"4-byte characters", strings.Repeat("😀", review.MaxCommentRunes)},
		{"mixed, with line breaks", strings.Repeat("Thôn Bản Pài: số hộ gấp đôi\n", review.MaxCommentRunes/28) + strings.Repeat("ữ", review.MaxCommentRunes%28)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if n := utf8.RuneCountInString(c.comment); n != review.MaxCommentRunes {
				t.Fatalf("test comment has %d characters", n)
			}
			if r := ret(c.comment); r.status != http.StatusSeeOther {
				t.Fatalf("return with %d characters: %d %s", review.MaxCommentRunes, r.status, r.body)
			}
			st, _, err := review.Get(ctx(), e.lake, year, provinceTN, communeA)
			if err != nil || st.Comment != c.comment {
				t.Fatalf("stored comment differs (%d characters), %v", utf8.RuneCountInString(st.Comment), err)
			}
			if strings.Contains(e.log.String(), "CSRF token missing") {
				t.Fatal("a long comment was taken for a missing CSRF token")
			}
		})
	}
	// Finding L-E: one character too many and a body over any comment's
	// size get the same status (413) and the limit in the same format;
	// the first keeps the comment in its form (it fit in the body).
	long := strings.Repeat("ệ", review.MaxCommentRunes+1)
	r := ret(long)
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "Ý kiến quá dài: 2.001 ký tự, tối đa 2.000 ký tự") {
		t.Errorf("one character too many: %d, want 413 naming the length and the limit", r.status)
	}
	if !strings.Contains(r.body, `<q id="y-kien-giu-lai">`+long+`</q>`) {
		t.Error("one character too many: the comment is not kept")
	}
	r = ret(strings.Repeat("😀", 3*review.MaxCommentRunes))
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "Ý kiến quá dài: tối đa 2.000 ký tự") {
		t.Errorf("a body over the limit: %d, want 413 with a clear message", r.status)
	}
}

// TestCommentFieldsNoUTF16Limit (finding L-E): a browser's maxlength
// counts UTF-16 units, so 2,000 emoji would stop at 1,000: the comment
// fields of the province's page carry no maxlength; the server's limit
// (413, the comment kept) is the one rule.
func TestCommentFieldsNoUTF16Limit(t *testing.T) {
	e, set := flagEnv(t)
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	a.upload(csrfA, "bao-cao.xlsx", goodFile(t, communeA, 3), nil, nil)
	sub := latestOf(t, e, communeA)
	set(portal.Flag{CommuneCode: communeA, FlagID: "hamlet_outlier/ho_tong/T02", Rule: "hamlet_outlier", Comparable: true,
		Message: "Tổng số hộ của Thôn 2 khác thường", SubmissionID: sub})
	p := e.client()
	p.signInProvince(provinceTN)
	page := p.get("/tinh/xa/" + communeA).body
	for _, field := range []string{`<textarea id="c-duyet"`, `<textarea id="c-tra"`, `name="comment" required`} {
		if !strings.Contains(page, field) {
			t.Fatalf("the page has no %s field", field)
		}
	}
	if strings.Contains(page, "maxlength") {
		t.Error("a comment field has maxlength (UTF-16 units, not characters)")
	}
}
