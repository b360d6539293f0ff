package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/portal"
)

// block returns the part of page from the element with id to the end of
// its section (the next "</section>"), "" when there is no such element.
func block(page, id string) string {
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := page[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// TestWaitingFileFlags (review finding H1): an approved commune uploads
// again; the province's page of the commune shows the waiting file's flags
// (by submission_id) next to "Duyệt tệp này", the approved data's in their
// own section, says when the roll-up has not computed the new file's flags
// yet, and the board marks the waiting file's flags first. The reader is a
// stand-in for quality.ReadFlags, whose pending rows the roll-up tests
// check on real builds (pipeline/rollup, TestFlagsOfAWaitingFile).
func TestWaitingFileFlags(t *testing.T) {
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
	if sub2 == sub1 {
		t.Fatal("the second upload has the first one's id")
	}
	old := portal.Flag{CommuneCode: communeA, FlagID: "hamlet_new/ho_tong/T03", Rule: "hamlet_new", Comparable: true,
		Message: "“Thôn 3” năm nay mới có", SubmissionID: sub1}
	zero := portal.Flag{CommuneCode: communeA, FlagID: "hamlet_outlier/ho_tong/T04", Rule: "hamlet_outlier", Comparable: true,
		Message: "Tổng số hộ của “Thôn 4” (1.480) khác thường", SubmissionID: sub2}

	// The roll-up has not read the new file yet (here: no roll-up at
	// all): no flag of it must not read as "no warning".
	set(old)
	page := p.get("/tinh/xa/" + communeA).body
	waiting := block(page, "canh-bao-tep-cho")
	if waiting == "" || !strings.Contains(waiting, "chưa tính xong") || strings.Contains(waiting, "không có cảnh báo") {
		t.Errorf("before the roll-up reads the new file, the waiting file's block is %q", waiting)
	}
	if !strings.Contains(block(page, "canh-bao-xa"), "Thôn 3") {
		t.Error("the approved data's flag is not in its section")
	}

	set(old, zero)
	page = p.get("/tinh/xa/" + communeA).body
	duyet, waiting, counted := block(page, "duyet"), block(page, "canh-bao-tep-cho"), block(page, "canh-bao-xa")
	if !strings.Contains(duyet, `id="nut-duyet"`) || !strings.Contains(duyet, `name="submission" value="`+sub2+`"`) {
		t.Fatalf("the approve button is not for the waiting file %s", sub2)
	}
	if !strings.Contains(waiting, "Thôn 4”") || strings.Contains(waiting, "Thôn 3") {
		t.Errorf("waiting file's flags: %q", waiting)
	}
	if !strings.Contains(waiting, `name="flag" value="`+zero.FlagID+`"><input type="hidden" name="submission" value="`+sub2+`"`) {
		t.Error("checking the waiting file's flag does not name that file")
	}
	if !strings.Contains(counted, "Thôn 3") || strings.Contains(counted, "Thôn 4”") || !strings.Contains(counted, "đang dùng (đã duyệt)") {
		t.Errorf("approved data's flags: %q", counted)
	}

	// Finding M-D: the hamlet table is the waiting file's (4 hamlets, the
	// approved one has 3), read from its file, and says so.
	thon := block(page, "cac-thon")
	if !strings.Contains(thon, `id="thon-tu-tep"`) || !strings.Contains(thon, "tệp chờ duyệt (tệp mà nút «Duyệt tệp này» sẽ duyệt)") {
		t.Errorf("the hamlet rows do not say they are the waiting file's:\n%s", thon)
	}
	if !strings.Contains(thon, "Thôn 4") {
		t.Errorf("the waiting file's 4th hamlet is not in the table:\n%s", thon)
	}

	// The board: the waiting file's flag first, marked.
	var rowA string
	for _, m := range rowRe.FindAllStringSubmatch(p.get("/tinh").body, -1) {
		if m[1] == communeA {
			rowA = m[2]
		}
	}
	i, j := strings.Index(rowA, "Tệp chờ duyệt:"), strings.Index(rowA, "Thôn 4”")
	if i < 0 || j < i || strings.Index(rowA, "Thôn 3") < j {
		t.Errorf("board row does not mark the waiting file's flag first: %q", rowA)
	}
	if strings.Count(rowA, "Tệp chờ duyệt:") != 1 {
		t.Errorf("the approved data's flag is marked as the waiting file's: %q", rowA)
	}

	// Once approved, nothing waits: one section, no mark.
	if r := p.postForm("/tinh/xa/"+communeA+"/duyet", url.Values{"csrf": {csrf}, "seen": {p.seenOf(communeA)}, "submission": {sub2}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	zero.SubmissionID = sub2
	set(zero)
	page = p.get("/tinh/xa/" + communeA).body
	if block(page, "canh-bao-tep-cho") != "" || !strings.Contains(block(page, "canh-bao-xa"), "Thôn 4”") {
		t.Error("after approval the flags are not shown as the counted data's")
	}
	if strings.Contains(p.get("/tinh").body, "Tệp chờ duyệt:") {
		t.Error("the board still marks a waiting file after approval")
	}
}
