package portal_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/deadlines"
)

// uploadRow is the row of the commune's upload list that names file.
func uploadRow(t *testing.T, page, file string) string {
	t.Helper()
	i := strings.Index(page, `<td class="name">`+file+`</td>`)
	if i < 0 {
		t.Fatalf("%s not in the upload list:\n%s", file, page)
	}
	row := page[i:]
	return row[:strings.Index(row, "</tr>")]
}

// dueCard is the "Hạn nộp và tình trạng" card: status line, the uploads
// that count or wait, the due table.
func dueCard(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `id="tinh-trang"`)
	if i < 0 {
		t.Fatalf("no status card:\n%s", page)
	}
	card := page[i:]
	return card[:strings.Index(card, "</table>")]
}

// TestCommunePageFollowsReview: the commune's own page says which file
// counts as review.Effective does (issue 15). After an approval a newer
// upload waits ("Chờ Sở duyệt") while the approved file still counts; a
// returned file never counts, is shown "Bị Sở trả lại", and the due table
// does not call it submitted on time.
func TestCommunePageFollowsReview(t *testing.T) {
	e := newEnv(t)
	p := e.client()
	csrf := p.signInProvince(provinceTN)

	// A: approved, then a new upload.
	a := e.client()
	csrfA := a.mustSignIn(communeA)
	if r := a.upload(csrfA, "da-duyet.xlsx", goodFile(t, communeA, 3), nil, nil); r.status != http.StatusOK {
		t.Fatalf("upload: %d", r.status)
	}
	if r := p.postForm("/tinh/xa/"+communeA+"/duyet", url.Values{"csrf": {csrf}, "seen": {p.seenOf(communeA)}, "submission": {latestOf(t, e, communeA)}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	time.Sleep(10 * time.Millisecond) // received_at is the object's time: the new file must be newer
	if r := a.upload(csrfA, "moi.xlsx", goodFile(t, communeA, 4), nil, nil); r.status != http.StatusOK {
		t.Fatalf("upload: %d", r.status)
	}
	page := unescape(a.get("/").body)
	if !strings.Contains(page, "số liệu đã duyệt trước đó vẫn được tính") {
		t.Fatalf("the review card does not say the approved data counts:\n%s", page)
	}
	card := dueCard(t, page)
	for _, want := range []string{"Số liệu đang dùng: Biểu 01, Biểu 02: tệp «<bdi class=\"name\">da-duyet.xlsx</bdi>»",
		"Chờ Sở duyệt: Biểu 01, Biểu 02: tệp «<bdi class=\"name\">moi.xlsx</bdi>»"} {
		if !strings.Contains(card, want) {
			t.Errorf("status card lacks %q:\n%s", want, card)
		}
	}
	if strings.Contains(card, "Số liệu đang dùng: Biểu 01, Biểu 02: tệp «<bdi class=\"name\">moi.xlsx") {
		t.Error("status card says the waiting file counts")
	}
	if row := uploadRow(t, page, "moi.xlsx"); strings.Contains(row, "Số liệu đang dùng") || !strings.Contains(row, `class="tag waiting">Chờ Sở duyệt`) {
		t.Errorf("the waiting file's row: %s", row)
	}
	if row := uploadRow(t, page, "da-duyet.xlsx"); !strings.Contains(row, "Số liệu đang dùng: Biểu 01, Biểu 02") {
		t.Errorf("the approved file's row does not count: %s", row)
	}

	// B: its only file returned.
	b := e.client()
	csrfB := b.mustSignIn(communeB)
	if r := b.upload(csrfB, "tra-lai.xlsx", goodFile(t, communeB, 3), nil, nil); r.status != http.StatusOK {
		t.Fatalf("upload: %d", r.status)
	}
	if r := p.postForm("/tinh/xa/"+communeB+"/tra-lai", url.Values{"csrf": {csrf}, "seen": {p.seenOf(communeB)}, "submission": {latestOf(t, e, communeB)}, "comment": {"Sai số hộ"}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("return: %d %s", r.status, r.body)
	}
	page = unescape(b.get("/").body)
	card = dueCard(t, page)
	if strings.Contains(page, "Số liệu đang dùng") || strings.Contains(card, "Đã nộp đúng hạn") || strings.Contains(card, "Đã nộp, nhưng muộn") {
		t.Errorf("a returned file counts on the commune's page:\n%s", card)
	}
	for _, want := range []string{"Chưa có số liệu được dùng", "Bị Sở trả lại: Biểu 01, Biểu 02: tệp «<bdi class=\"name\">tra-lai.xlsx</bdi>»",
		`<span class="tag rejected">Bị Sở trả lại</span>`} {
		if !strings.Contains(card, want) {
			t.Errorf("status card lacks %q:\n%s", want, card)
		}
	}
	if row := uploadRow(t, page, "tra-lai.xlsx"); !strings.Contains(row, `class="tag returned">Bị Sở trả lại`) {
		t.Errorf("the returned file's row: %s", row)
	}

	// B uploads again: the new file counts (live mode), the returned one still says so.
	time.Sleep(10 * time.Millisecond)
	b.upload(csrfB, "sua.xlsx", goodFile(t, communeB, 3), nil, nil)
	page = unescape(b.get("/").body)
	if row := uploadRow(t, page, "sua.xlsx"); !strings.Contains(row, "Số liệu đang dùng") {
		t.Errorf("the corrected file does not count: %s", row)
	}
	if row := uploadRow(t, page, "tra-lai.xlsx"); strings.Contains(row, "Số liệu đang dùng") || !strings.Contains(row, "Bị Sở trả lại") {
		t.Errorf("the returned file after a new upload: %s", row)
	}
}

var (
	reminderLeftRe = regexp.MustCompile(`(?m)^(Còn \d+ ngày|Hôm nay là ngày cuối|Đã quá hạn[^.]*)\.$`)
	dueLeftRe      = regexp.MustCompile(`<td>Báo cáo 1/12</td><td>hết ngày 24/11/2026<br><span class="[a-z]+">([^<]*)</span>`)
)

// TestCommunePageOneDayCount: the due table counts days as the reminders
// do (reminder.Countdown), on the boundary days of the 1/12 report (Thái
// Nguyên's communes: due before 00:00 on 25/11); the reminder box says what
// to do and leaves the count to the table (said once on the page).
func TestCommunePageOneDayCount(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 21, 8, 0, 0, 0, deadlines.ICT), "còn 4 ngày"},
		{time.Date(2026, 11, 23, 23, 59, 0, 0, deadlines.ICT), "còn 2 ngày"},
		{time.Date(2026, 11, 24, 0, 0, 0, 0, deadlines.ICT), "hôm nay là ngày cuối"},
		{time.Date(2026, 11, 24, 23, 59, 0, 0, deadlines.ICT), "hôm nay là ngày cuối"},
	}
	for _, tc := range cases {
		e.clock.mu.Lock()
		e.clock.t = tc.at.UTC()
		e.clock.mu.Unlock()
		a := e.client() // a new sign-in: sessions last 8 hours
		a.mustSignIn(communeA)
		page := a.get("/").body
		dm := dueLeftRe.FindStringSubmatch(page)
		if dm == nil || !strings.Contains(page, `id="nhac-nho"`) {
			t.Fatalf("at %s: due row %v, or no reminder box:\n%s", tc.at, dm, page)
		}
		if dm[1] != tc.want {
			t.Errorf("at %s: due table %q; want %q", tc.at, dm[1], tc.want)
		}
		if reminderLeftRe.MatchString(page) {
			t.Errorf("at %s: the days left are said twice (reminder and table)", tc.at)
		}
	}
	// After the 1/12 due date the reminder is about 15/12; the table's 1/12
	// row counts the days since its cut-off.
	e.clock.mu.Lock()
	e.clock.t = time.Date(2026, 11, 27, 9, 0, 0, 0, deadlines.ICT).UTC()
	e.clock.mu.Unlock()
	a := e.client()
	a.mustSignIn(communeA)
	if dm := dueLeftRe.FindStringSubmatch(a.get("/").body); dm == nil || dm[1] != "đã quá hạn 2 ngày" {
		t.Errorf("27/11, due 25/11 00:00: %v, want đã quá hạn 2 ngày", dm)
	}
}
