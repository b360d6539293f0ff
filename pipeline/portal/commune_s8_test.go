package portal_test

// Session 8's review of issue 15, commune and server-wide findings (B-L1,
// B-L4 … B-L7, B-L10). Expected texts are written by hand.

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/portal"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// multipartUpload posts a file with the fields in the given order ("file"
// is the file; anything else a text field), to path (query included).
func (c *client) multipartUpload(path string, fields [][2]string, file []byte, hdr map[string]string) resp {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if f[0] == "file" {
			fw, _ := mw.CreateFormFile("file", "bao-cao.xlsx")
			fw.Write(file)
			continue
		}
		mw.WriteField(f[0], f[1])
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return c.do(req)
}

// TestCSRFNotInQuery (B-L7): a POST's token counts only in its body (or the
// script's header), never in the address, which access logs keep. The
// upload form carries it as its first field; without the script the file
// goes through with it, with the script (header) too.
func TestCSRFNotInQuery(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := c.mustSignIn(communeA)
	file := goodFile(t, communeA, 1)
	q := "?csrf=" + url.QueryEscape(csrf)

	page := c.get("/").body
	form := regexp.MustCompile(`(?s)<form id="upload-form"[^>]*>.*?</form>`).FindString(page)
	if form == "" || regexp.MustCompile(`action="[^"]*csrf`).MatchString(form) {
		t.Fatalf("the upload form puts the token in its address:\n%s", form)
	}
	if i, j := strings.Index(form, `name="csrf" value="`+csrf+`"`), strings.Index(form, `name="file"`); i < 0 || j < i {
		t.Errorf("the upload form's token is not a field before the file:\n%s", form)
	}

	refused := []struct {
		name string
		do   func() resp
	}{
		{"upload, token in the query only", func() resp { return c.multipartUpload("/nop"+q, [][2]string{{"file", ""}}, file, nil) }},
		{"upload, token after the file", func() resp {
			return c.multipartUpload("/nop", [][2]string{{"file", ""}, {"csrf", csrf}}, file, nil)
		}},
		{"upload, token in the query and a wrong one in the body", func() resp {
			return c.multipartUpload("/nop"+q, [][2]string{{"csrf", "x"}, {"file", ""}}, file, nil)
		}},
		{"check, token in the query only", func() resp {
			return c.postForm("/kiem-tra"+q, url.Values{"key": {"2026/19/05443/x.xlsx"}}, nil)
		}},
		{"sign out, token in the query only", func() resp { return c.postForm("/dang-xuat"+q, url.Values{}, nil) }},
	}
	for _, tc := range refused {
		if r := tc.do(); r.status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", tc.name, r.status)
		}
	}
	if n := len(e.uploadsOf(communeA, "19")); n != 0 {
		t.Fatalf("%d uploads stored by refused requests", n)
	}

	// A reviewer's form the same way.
	p := e.client()
	pcsrf := p.signInProvince(provinceTN)
	if r := p.postForm("/tinh/xa/"+communeA+"/mo-lai?csrf="+url.QueryEscape(pcsrf), url.Values{"comment": {"x"}}, nil); r.status != http.StatusForbidden {
		t.Errorf("review action, token in the query only: %d, want 403", r.status)
	}

	// The plain form (token field first) and the script (header) work.
	if r := c.multipartUpload("/nop", [][2]string{{"csrf", csrf}, {"file", ""}}, file, nil); r.status != http.StatusOK || !strings.Contains(r.body, `id="ket-qua"`) {
		t.Errorf("plain form upload: %d", r.status)
	}
	if r := c.multipartUpload("/nop", [][2]string{{"file", ""}}, file, map[string]string{"X-CSRF-Token": csrf, "X-Portal-Fragment": "1"}); r.status != http.StatusOK || !strings.Contains(r.body, `id="ket-qua"`) {
		t.Errorf("script upload (header token): %d", r.status)
	}
	if n := len(e.uploadsOf(communeA, "19")); n != 2 {
		t.Errorf("%d uploads stored, want 2", n)
	}
}

// TestVietnameseNotFound (B-L6): an unknown address or a wrong method gets
// the Vietnamese error page, with the right status (405 with Allow) and
// every security header, never Go's English text.
func TestVietnameseNotFound(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.mustSignIn(communeA)
	cases := []struct {
		method, path string
		status       int
		allow        string
		text         string
	}{
		{"GET", "/nope", 404, "", "Không có trang này"},
		{"GET", "/tep/khong-co.css", 404, "", "Không có trang này"},
		{"GET", "/nop", 405, "POST", "Không mở được trang này theo cách này"},
		{"GET", "/tinh/xa/" + communeA + "/duyet", 405, "POST", "Không mở được trang này theo cách này"},
		{"PUT", "/dang-nhap", 405, "POST", "Không mở được trang này theo cách này"},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(tc.method, e.srv.URL+tc.path, nil)
		r := c.do(req)
		if r.status != tc.status || !strings.Contains(r.body, tc.text) || strings.Contains(r.body, "page not found") || strings.Contains(r.body, "Method Not Allowed") {
			t.Errorf("%s %s: %d %q", tc.method, tc.path, r.status, r.body)
		}
		if tc.allow != "" && !strings.Contains(r.header.Get("Allow"), tc.allow) {
			t.Errorf("%s %s: Allow %q, want %s", tc.method, tc.path, r.header.Get("Allow"), tc.allow)
		}
		if !strings.HasPrefix(r.header.Get("Content-Security-Policy"), "default-src 'none'") || r.header.Get("X-Frame-Options") != "DENY" ||
			r.header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("%s %s: headers %v", tc.method, tc.path, r.header)
		}
	}
}

// TestInternalErrorPageByRole (B-L5): the 500 page tells a commune it is
// not the commune's fault, and a province reviewer that it is not theirs
// (not "của xã").
func TestInternalErrorPageByRole(t *testing.T) {
	var broken atomic.Bool
	e := newEnv(t, func(c *portal.Config) {
		c.Authority = access.NewAuthority(flakyStore{Store: c.Lake.(*local.Store), broken: &broken})
	})
	a := e.client()
	a.mustSignIn(communeA)
	p := e.client()
	p.signInProvince(provinceTN)
	broken.Store(true)
	if r := a.get("/"); r.status != 500 || !strings.Contains(r.body, "Lỗi hệ thống (không phải lỗi của xã)") {
		t.Errorf("commune's 500: %d %s", r.status, r.body)
	}
	if r := p.get("/tinh"); r.status != 500 || strings.Contains(r.body, "của xã") || !strings.Contains(r.body, "Lỗi hệ thống (không phải do thao tác của cán bộ Sở)") {
		t.Errorf("reviewer's 500: %d %s", r.status, r.body)
	}
}

// TestOperatorLogLines (B-L4): uploads log their outcome with the receipt
// id; a province sign-in its role and slot; a review the reviewer slot, the
// submission and the state before and after. Never a code.
func TestOperatorLogLines(t *testing.T) {
	e := newEnv(t)
	a := e.client()
	csrf := a.mustSignIn(communeA)
	file := goodFile(t, communeA, 3)
	a.upload(csrf, "bao-cao.xlsx", file, nil, nil)
	sub := latestOf(t, e, communeA)
	a.upload(csrf, "bao-cao-lan-2.xlsx", file, nil, nil)
	bad, _ := badFile(t, communeA)
	a.upload(csrf, "sai.xlsx", bad, nil, nil)
	log := e.log.String()
	for _, want := range []string{
		`msg="portal: upload checked" outcome=accepted submission_id=` + sub + ` `,
		`msg="portal: upload checked" outcome=unchanged `,
		`msg="portal: upload checked" outcome=rejected `,
		`msg="portal: signed in" role=commune commune=05443 `,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	// The first re-upload repeats data awaiting review; approve the first.
	p := e.client()
	pcsrf := p.signInProvince(provinceTN)
	slot := regexp.MustCompile(`msg="portal: signed in" role=province province=19 reviewer=(\d\d) year=2026 code_id=[0-9a-f]{12} `).FindStringSubmatch(e.log.String())
	if slot == nil {
		t.Fatalf("no province sign-in line with role and slot:\n%s", e.log.String())
	}
	latest := latestOf(t, e, communeA)
	if r := p.postForm("/tinh/xa/"+communeA+"/duyet", url.Values{"csrf": {pcsrf}, "seen": {p.seenOf(communeA)}, "submission": {latest}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	want := `msg="portal: review" action=approve commune=05443 province=19 year=2026 role=province reviewer=` + slot[1] +
		` code_id=`
	i := strings.Index(e.log.String(), want)
	if i < 0 {
		t.Fatalf("log lacks %q:\n%s", want, e.log.String())
	}
	line, _, _ := strings.Cut(e.log.String()[i:], "\n")
	if !strings.Contains(line, " submission="+latest+" from=submitted to=approved") {
		t.Errorf("review line without submission and from→to: %s", line)
	}
	for commune, code := range e.codes {
		if strings.Contains(e.log.String(), code) {
			t.Errorf("the log holds %s's code", commune)
		}
	}
}

// TestSessionCookieWithoutHolder (B-L10): a reviewer's cookie does not carry
// the holder's name (it is read from the access record for the page); a
// cookie from before, which carried one, still works and shows the
// record's name, not its own.
func TestSessionCookieWithoutHolder(t *testing.T) {
	e := newEnv(t)
	is, err := access.Issue(ctx(), e.lake, access.IssueOptions{Year: year, Province: provinceTN, Role: access.RoleProvince,
		Holders: []string{"Trần Thị Bình"}, Now: testNow.Add(-2 * 3600e9)})
	if err != nil || len(is) != 1 || is[0].Code == "" {
		t.Fatalf("issue: %v %+v", err, is)
	}
	p := e.client()
	if r := p.signIn(is[0].Code); r.status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", r.status)
	}
	u, _ := url.Parse(e.srv.URL)
	var val string
	for _, ck := range p.http.Jar.Cookies(u) {
		if ck.Name == "xhht_phien" {
			val = ck.Value
		}
	}
	msg, _, _ := strings.Cut(val, ".")
	body, err := base64.RawURLEncoding.DecodeString(msg)
	if err != nil || !strings.Contains(string(body), `"rv":"01"`) {
		t.Fatalf("cookie %q: %s %v", val, body, err)
	}
	if strings.Contains(string(body), "Bình") || strings.Contains(string(body), `"h"`) {
		t.Errorf("the cookie carries the holder's name: %s", body)
	}
	if b := p.get("/tinh").body; !strings.Contains(b, "Trần Thị Bình (mã 01)") {
		t.Errorf("the board no longer names its holder:\n%.1500s", b)
	}

	// A cookie of before, with "h": signed as the portal signed them.
	var old map[string]any
	json.Unmarshal(body, &old)
	old["h"] = "Tên Cũ Trong Cookie"
	ob, _ := json.Marshal(old)
	m := base64.RawURLEncoding.EncodeToString(ob)
	mac := hmac.New(sha256.New, e.keys[0])
	mac.Write([]byte("xhht-portal-session-v1\x00" + m))
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/tinh", nil)
	req.AddCookie(&http.Cookie{Name: "xhht_phien", Value: m + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))})
	r := e.client().do(req)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Trần Thị Bình (mã 01)") || strings.Contains(r.body, "Tên Cũ") {
		t.Errorf("an old cookie: %d, holder shown wrong", r.status)
	}
}

// TestUnchangedAnswerSaysItOnce (B-L1): the answer to an identical
// re-upload says "Không thay đổi" once (its heading) and no "being
// computed" notice: there is nothing new to compute.
func TestUnchangedAnswerSaysItOnce(t *testing.T) {
	e := newEnv(t)
	a := e.client()
	csrf := a.mustSignIn(communeA)
	file := goodFile(t, communeA, 3)
	a.upload(csrf, "bao-cao.xlsx", file, nil, nil)
	r := a.upload(csrf, "bao-cao-gui-lai.xlsx", file, nil, nil)
	if n := strings.Count(r.body, "Không thay đổi"); n != 1 || !strings.Contains(r.body, "<h2>Không thay đổi</h2>") {
		t.Errorf("the answer says \"Không thay đổi\" %d times", n)
	}
	if !strings.Contains(r.body, "Tệp này giống hệt số liệu xã đã nộp trước đó.") {
		t.Error("the answer does not say what it repeats")
	}
	if strings.Contains(r.body, `id="canh-bao-dang-tinh"`) || strings.Contains(r.body, "đang được") {
		t.Error("an unchanged upload's answer says its data is being computed")
	}
	// A new file (new data) still says it, in words distinct from the
	// "data in use" label.
	r = a.upload(csrf, "bao-cao-moi.xlsx", goodFile(t, communeA, 4), nil, nil)
	if strings.Contains(r.body, `id="canh-bao-dang-tinh"`) && !strings.Contains(r.body, "đang được tổng hợp") {
		t.Error("the notice does not say 'đang được tổng hợp'")
	}
	if strings.Contains(r.body, "Đang được tính") {
		t.Error("the page still says 'Đang được tính' for the data in use")
	}
}

// TestMarkedWorkbookHasFlags (B-M2): the commune's "Tải tệp đã đánh dấu"
// lists the roll-up's plausibility flags of that upload (with last year's
// value) as warnings "Cần xem lại", marks the hamlet's name cell, and no
// longer says "no warnings"; another upload's flags and "không so sánh
// được" notes are not in it. The receipt in the lake is unchanged.
func TestMarkedWorkbookHasFlags(t *testing.T) {
	e, set := flagEnv(t)
	a := e.client()
	csrf := a.mustSignIn(communeA)
	r := a.upload(csrf, "lon.xlsx", goodFile(t, communeA, 3), nil, nil)
	link := regexp.MustCompile(`id="tai-danh-dau" href="([^"]+)"`).FindStringSubmatch(r.body)
	if link == nil {
		t.Fatalf("no marked link:\n%s", r.body)
	}
	sub := latestOf(t, e, communeA)
	v2000, v181 := 2000.0, 181.0
	set(
		portal.Flag{CommuneCode: communeA, FlagID: "change/ho_tong/-", Rule: "change", Comparable: true, SubmissionID: sub,
			Message: "Tổng số hộ tăng 38,4% so với năm 2025 (4.875 → 6.745)"},
		portal.Flag{CommuneCode: communeA, MaThon: "T02", TenThon: "Thôn 2", FlagID: "hamlet_outlier/ho_tong/T02", Rule: "hamlet_outlier", Comparable: true, SubmissionID: sub,
			Indicator: "ho_tong", Value: &v2000, PreviousValue: &v181, PreviousYear: 2025,
			Message: "Tổng số hộ của “Thôn 2” (2.000) khác thường so với các thôn khác của xã"},
		portal.Flag{CommuneCode: communeA, FlagID: "not_comparable/-/-", Rule: "not_comparable", Comparable: false, SubmissionID: sub,
			Message: "Không so sánh được với năm 2025"},
		portal.Flag{CommuneCode: communeA, FlagID: "change/lao_dong_tong/-", Rule: "change", Comparable: true, SubmissionID: "khac",
			Message: "Số người trong độ tuổi lao động của tệp khác"},
	)
	d := a.get(strings.ReplaceAll(link[1], "&amp;", "&"))
	if d.status != http.StatusOK {
		t.Fatalf("marked download: %d %s", d.status, d.body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(d.raw))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Kết quả kiểm tra")
	text := fmt.Sprint(rows)
	for _, want := range []string{"ĐƯỢC CHẤP NHẬN (2 cảnh báo)", "Cần xem lại: Tổng số hộ tăng 38,4% so với năm 2025 (4.875 → 6.745)",
		"Cần xem lại: Tổng số hộ của “Thôn 2” (2.000) khác thường so với các thôn khác của xã (năm 2025 181 → năm nay 2.000)"} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q: %q", want, rows)
		}
	}
	for _, bad := range []string{"Không có lỗi hay cảnh báo nào", "Không so sánh được", "của tệp khác"} {
		if strings.Contains(text, bad) {
			t.Errorf("summary has %q: %q", bad, rows)
		}
	}
	var placed string
	for _, row := range rows {
		if len(row) == 5 && strings.Contains(row[4], "“Thôn 2”") {
			placed = row[2] + "!" + row[3]
		}
	}
	sheet, ref, _ := strings.Cut(placed, "!")
	if v, _ := f.GetCellValue(sheet, ref); v != "Thôn 2" {
		t.Errorf("the hamlet flag is on %q (%q), want Thôn 2's name cell", placed, v)
	}
	if st := receiptOf(t, e, sub); st.WarningCount != 0 || strings.Contains(fmt.Sprint(st.Errors), "Cần xem lại") {
		t.Error("the receipt in the lake got the flags")
	}
}

// receiptOf reads the lake's receipt of one submission of commune A.
func receiptOf(t *testing.T, e *env, sub string) receipt.Receipt {
	t.Helper()
	objs, err := e.lake.List(ctx(), "receipts/")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		b, _, err := e.lake.Get(ctx(), o.Key, "")
		if err != nil {
			continue
		}
		var rc receipt.Receipt
		if json.Unmarshal(b, &rc) == nil && rc.SubmissionID == sub {
			return rc
		}
	}
	t.Fatalf("no receipt of %s", sub)
	return receipt.Receipt{}
}
