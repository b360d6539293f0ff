package portal_test

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/deadlines"
)

var (
	markedRe = regexp.MustCompile(`id="tai-danh-dau" href="([^"]*)"`)
	placeRe  = regexp.MustCompile(`<strong class="place">([^<]*)</strong>`)
)

func unescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// The whole flow over HTTP: a good file is accepted with its totals on the
// page and in the lake, a bad one lists its cells, the marked workbook has
// those cells.
func TestUploadFlow(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := c.mustSignIn(communeA)

	page := c.get("/").body
	for _, want := range []string{"Phường Phan Đình Phùng", "Tỉnh Thái Nguyên", "2026", "Chưa nộp tệp nào", "Báo cáo 1/12", "Báo cáo 15/12"} {
		if !strings.Contains(page, want) {
			t.Errorf("commune page lacks %q", want)
		}
	}

	r := c.upload(csrf, "bao cao.xlsx", goodFile(t, communeA, 3), nil, nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, `class="panel good"`) {
		t.Fatalf("good upload: %d\n%s", r.status, r.body)
	}
	// Totals: 3 hamlets of templatetest values: ho_tong = 100+110+120.
	if !strings.Contains(r.body, "Gia đình học tập (GĐHT) – Tổng số hộ</td><td class=\"num\">330</td>") {
		t.Errorf("totals table lacks ho_tong = 330:\n%s", r.body)
	}
	if !strings.Contains(r.body, "Số liệu đang dùng: Biểu 01") {
		t.Error("the accepted upload is not shown as the one that counts")
	}
	objs, _ := e.lake.List(ctx(), "receipts/year=2026/province=19/commune=05443/")
	if len(objs) != 1 {
		t.Fatalf("receipts in the lake after serve's upload: %d, want 1 (processed at once)", len(objs))
	}

	bad, cells := badFile(t, communeA)
	r = c.upload(csrf, "sai.xlsx", bad, nil, nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, `class="panel bad"`) {
		t.Fatalf("bad upload: %d\n%s", r.status, r.body)
	}
	var places []string
	for _, m := range placeRe.FindAllStringSubmatch(r.body[strings.Index(r.body, `id="loi"`):strings.Index(r.body, "</ol>")], -1) {
		places = append(places, unescape(m[1]))
	}
	for _, cell := range cells {
		sheet, ref, _ := strings.Cut(cell, "!")
		want := "Trang " + sheet + ", ô " + ref
		found := false
		for _, p := range places {
			found = found || p == want
		}
		if !found {
			t.Errorf("error list lacks %q; places: %q", want, places)
		}
	}
	// Reading order: rows ascending.
	if len(places) >= 2 && places[0] == places[1] {
		t.Errorf("same cell listed twice: %q", places)
	}
	m := markedRe.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("no marked-workbook button")
	}
	d := c.get(unescape(m[1]))
	if d.status != http.StatusOK || !strings.Contains(d.header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("marked download: %d %s", d.status, d.body)
	}
	x, err := excelize.OpenReader(bytes.NewReader(d.raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, cell := range cells {
		sheet, ref, _ := strings.Cut(cell, "!")
		comments, _ := x.GetComments(sheet)
		found := false
		for _, cm := range comments {
			found = found || cm.Cell == ref
		}
		if !found {
			t.Errorf("marked workbook has no comment on %s", cell)
		}
	}
	// The page now lists two uploads, the accepted one counting.
	page = c.get("/").body
	if n := strings.Count(page, `<td class="name">`); n != 2 {
		t.Errorf("uploads listed: %d, want 2", n)
	}
	// The upload time is the file's (now, by the wall clock): on time or
	// late against the commune's due date of 1/12.
	dl, _ := deadlines.Load()
	cut, _ := dl.CommuneDue("19", "12-01", year)
	want := "Đã nộp đúng hạn"
	if !deadlines.OnTime(time.Now(), cut) {
		want = "Đã nộp, nhưng muộn"
	}
	if !strings.Contains(page, want) {
		t.Errorf("due table does not say %q", want)
	}
}

// A later accepted upload counts; a rejected one never does.
func TestWhichUploadCounts(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := c.mustSignIn(communeA)
	c.upload(csrf, "lan-1.xlsx", goodFile(t, communeA, 2), nil, nil)
	e.clock.Add(time.Minute)
	bad, _ := badFile(t, communeA)
	c.upload(csrf, "lan-2-sai.xlsx", bad, nil, nil)
	page := c.get("/").body
	i1, i2 := strings.Index(page, "lan-1.xlsx</td>"), strings.Index(page, "lan-2-sai.xlsx</td>")
	if i1 < 0 || i2 < 0 {
		t.Fatalf("uploads missing from the list:\n%s", page)
	}
	if !(i2 < i1) {
		t.Error("list is not newest first")
	}
	row1 := page[i1:]
	row1 = row1[:strings.Index(row1, "</tr>")]
	if !strings.Contains(row1, "Số liệu đang dùng") {
		t.Error("the accepted upload does not count though the later one was rejected")
	}
	if !strings.Contains(page, "«<bdi class=\"name\">lan-1.xlsx</bdi>»") {
		t.Error("status line does not name the counting upload")
	}
}

// Only rejected uploads: the status says so.
func TestStatusOnlyRejected(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := c.mustSignIn(communeA)
	bad, _ := badFile(t, communeA)
	c.upload(csrf, "sai.xlsx", bad, nil, nil)
	page := c.get("/").body
	if !strings.Contains(page, "Mới có tệp bị từ chối") || !strings.Contains(page, "Chỉ có tệp bị từ chối") {
		t.Errorf("status of a commune with only a rejected upload:\n%s", page)
	}
}

func TestTemplateDownload(t *testing.T) {
	e := newEnv(t)
	// Upload times are the files' (wall clock): hamlets known "before now"
	// must see them.
	e.clock.t = time.Now()
	c := e.client()
	csrf := c.mustSignIn(communeA)
	r := c.get("/bieu-mau")
	if r.status != http.StatusOK {
		t.Fatalf("template: %d", r.status)
	}
	x, err := excelize.OpenReader(bytes.NewReader(r.raw))
	if err != nil {
		t.Fatal(err)
	}
	if all := cellsText(x); !strings.Contains(all, "05443") || strings.Contains(all, "Thôn 2") {
		t.Error("blank template does not carry the commune code 05443, or lists hamlets before any upload")
	}
	// After an accepted upload, its hamlets are listed, as `xhht template` does.
	if r := c.upload(csrf, "a.xlsx", goodFile(t, communeA, 3), nil, nil); !strings.Contains(r.body, "panel good") {
		t.Fatal("upload not accepted")
	}
	e.clock.Add(time.Since(e.clock.Now()) + time.Second)
	x2, err := excelize.OpenReader(bytes.NewReader(c.get("/bieu-mau").raw))
	if err != nil {
		t.Fatal(err)
	}
	if all := cellsText(x2); !strings.Contains(all, "Thôn 1") || !strings.Contains(all, "Thôn 3") {
		t.Error("template after an accepted upload does not list its hamlets")
	}
}

func cellsText(x *excelize.File) string {
	var b strings.Builder
	for _, sh := range x.GetSheetList() {
		rows, _ := x.GetRows(sh)
		for _, row := range rows {
			b.WriteString(strings.Join(row, " ") + "\n")
		}
	}
	return b.String()
}
