package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestIdenticalReuploadAnswer (issue 15, M2): a commune that sends again
// the data the province approved or returned (the same workbook under
// another name: another submission) is told "Không thay đổi", and its
// state stays: approved on the board and its page, or returned with the
// comment. New data is still a new submission, awaiting review.
func TestIdenticalReuploadAnswer(t *testing.T) {
	e := newEnv(t)
	prov := e.client()
	csrf := prov.signInProvince(provinceTN)
	const answerHead = `<section id="ket-qua"`
	answer := func(r resp) string {
		t.Helper()
		if r.status != http.StatusOK {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		i := strings.Index(r.body, answerHead)
		if i < 0 {
			t.Fatalf("no answer on the page:\n%s", r.body)
		}
		end := strings.Index(r.body[i:], "</section>")
		return r.body[i : i+end]
	}
	board := func() map[string]string { return boardStatus(t, prov.get("/tinh?han=12-01").body) }

	// Commune A: approved, then the same workbook again.
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	fileA := goodFile(t, communeA, 4)
	if got := answer(a.upload(csrfA, "bao-cao.xlsx", fileA, nil, nil)); !strings.Contains(got, "<h2>Đã chấp nhận</h2>") || strings.Contains(got, "Không thay đổi") {
		t.Fatalf("first upload's answer:\n%s", got)
	}
	subA := latestOf(t, e, communeA)
	if r := prov.postForm("/tinh/xa/"+communeA+"/duyet", url.Values{"csrf": {csrf}, "seen": {prov.seenOf(communeA)}, "submission": {subA}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	got := answer(a.upload(csrfA, "bao-cao-gui-lai.xlsx", fileA, nil, nil))
	if !strings.Contains(got, "<h2>Không thay đổi</h2>") || !strings.Contains(got, "giống hệt số liệu Sở đã duyệt") || strings.Contains(got, "Đã chấp nhận") {
		t.Errorf("answer to the approved data sent again:\n%s", got)
	}
	if latestOf(t, e, communeA) == subA {
		t.Fatal("the re-upload is not a submission of its own (the test must send another object)")
	}
	if home := a.get("/").body; !strings.Contains(home, "Sở đã duyệt số liệu của xã.") || strings.Contains(home, "Tệp mới đang chờ Sở duyệt") {
		t.Error("after the same data again, the commune's page does not say approved")
	}
	if st := board(); st[communeA] != "approved" {
		t.Errorf("board after the same data again: A %q, want approved", st[communeA])
	}

	// Commune B: returned, then the returned workbook again.
	b := e.client()
	csrfB := b.mustSignIn(communeB)
	fileB := goodFile(t, communeB, 3)
	answer(b.upload(csrfB, "bao-cao.xlsx", fileB, nil, nil))
	subB := latestOf(t, e, communeB)
	const comment = "Thôn 2: số hộ chưa khớp sổ hộ khẩu"
	if r := prov.postForm("/tinh/xa/"+communeB+"/tra-lai", url.Values{"csrf": {csrf}, "seen": {prov.seenOf(communeB)}, "submission": {subB}, "comment": {comment}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("return: %d %s", r.status, r.body)
	}
	got = answer(b.upload(csrfB, "bao-cao-lan-2.xlsx", fileB, nil, nil))
	if !strings.Contains(got, "<h2>Không thay đổi</h2>") || !strings.Contains(got, "giống hệt số liệu Sở đã trả lại. Hãy sửa theo ý kiến của Sở") {
		t.Errorf("answer to the returned data sent again:\n%s", got)
	}
	if home := b.get("/").body; !strings.Contains(home, comment) || !strings.Contains(home, "Sở đã trả lại tệp") {
		t.Error("after the returned data again, the commune's page lost the return or its comment")
	}
	if st := board(); st[communeB] != "returned" {
		t.Errorf("board after the returned data again: B %q, want returned", st[communeB])
	}

	// B corrects its file: new data, a new submission awaiting review.
	got = answer(b.upload(csrfB, "bao-cao-da-sua.xlsx", goodFile(t, communeB, 4), nil, nil))
	if !strings.Contains(got, "<h2>Đã chấp nhận</h2>") || strings.Contains(got, "Không thay đổi") {
		t.Errorf("answer to corrected data:\n%s", got)
	}
	if st := board(); st[communeB] == "returned" || st[communeB] == "approved" {
		t.Errorf("board after corrected data: B %q, want awaiting review", st[communeB])
	}
	// ... and the same corrected data once more: unchanged, still awaiting review.
	got = answer(b.upload(csrfB, "bao-cao-da-sua-2.xlsx", goodFile(t, communeB, 4), nil, nil))
	if !strings.Contains(got, "<h2>Không thay đổi</h2>") || !strings.Contains(got, "giống hệt số liệu xã đã nộp trước đó") {
		t.Errorf("answer to the same awaiting data again:\n%s", got)
	}
	if home := b.get("/").body; !strings.Contains(home, "Số liệu đang chờ Sở duyệt.") {
		t.Error("B's page does not say awaiting review")
	}

	// A sends new data after its approval: a new upload, waiting.
	got = answer(a.upload(csrfA, "bao-cao-moi.xlsx", goodFile(t, communeA, 5), nil, nil))
	if !strings.Contains(got, "<h2>Đã chấp nhận</h2>") || strings.Contains(got, "Không thay đổi") {
		t.Errorf("answer to new data after approval:\n%s", got)
	}
	// Approved data still counts (the report counts A approved, finding
	// L-C) and the row says the new file waits.
	if st := board(); st[communeA] != "approved" || !strings.Contains(rowOf(prov.get("/tinh?han=12-01").body, communeA), "có tệp mới chờ duyệt") {
		t.Error("board: new data after approval does not say a new file waits")
	}
}
