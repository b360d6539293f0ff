package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

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
	r := ret(strings.Repeat("ệ", review.MaxCommentRunes+1))
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "tối đa 2000") {
		t.Errorf("one character too many: %d, want 400 naming the limit", r.status)
	}
	r = ret(strings.Repeat("😀", 3*review.MaxCommentRunes))
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "Ý kiến quá dài: tối đa 2.000 ký tự") {
		t.Errorf("a body over the limit: %d, want 413 with a clear message", r.status)
	}
}
