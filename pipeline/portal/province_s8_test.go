package portal_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/portal"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// Tests of the session-8 review findings on the province's pages
// (/work/wt/rev15-s8-province.md "A", rev15-s8-commune.md "B").

// brokenLake is the local lake with reads of one prefix, or conditional
// writes of another, failing while set: what S3 answers a role without
// GetObject on that prefix (403 AccessDenied), or an outage. IAM cannot be
// enforced here (versitygw does not), hence this stand-in.
type brokenLake struct {
	*local.Store
	readPrefix, writePrefix string
	broken                  *atomic.Bool
}

var errDenied = errors.New("api error AccessDenied: Access Denied")

func (b brokenLake) Get(ctx context.Context, key, version string) ([]byte, storage.Object, error) {
	if b.broken.Load() && b.readPrefix != "" && strings.HasPrefix(key, b.readPrefix) {
		return nil, storage.Object{}, errDenied
	}
	return b.Store.Get(ctx, key, version)
}

func (b brokenLake) GetLimited(ctx context.Context, key, version string, max int64) ([]byte, storage.Object, error) {
	if b.broken.Load() && b.readPrefix != "" && strings.HasPrefix(key, b.readPrefix) {
		return nil, storage.Object{}, errDenied
	}
	return b.Store.GetLimited(ctx, key, version, max)
}

func (b brokenLake) PutIf(ctx context.Context, key string, body []byte, contentType, ifMatch string) error {
	if b.broken.Load() && b.writePrefix != "" && strings.HasPrefix(key, b.writePrefix) {
		return errors.New("lake unreachable")
	}
	return b.Store.PutIf(ctx, key, body, contentType, ifMatch)
}

func brokenEnv(t *testing.T, readPrefix, writePrefix string) (*env, *atomic.Bool) {
	var broken atomic.Bool
	e := newEnv(t, func(c *portal.Config) {
		c.Lake = brokenLake{Store: c.Lake.(*local.Store), readPrefix: readPrefix, writePrefix: writePrefix, broken: &broken}
	})
	return e, &broken
}

var s8Hamlets = []map[string]any{
	{"ho_tong": int64(1650), "ho_dang_ky": int64(1200), "ho_dat": int64(1100), "lao_dong_tong": int64(2400), "cong_dan_dat": int64(1900)},
	{"ho_tong": int64(120), "ho_dang_ky": int64(80), "ho_dat": int64(70)},
}

func s8Upload(t *testing.T, e *env, commune, file string, at time.Time, hamlets []map[string]any) string {
	t.Helper()
	id, err := rolluptest.Upload{Year: year, Commune: commune, File: file, At: at, Hamlets: hamlets}.Write(ctx(), e.lake)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var s8By = review.Actor{Role: access.RoleProvince, Province: provinceTN, CodeID: "c0de", Year: year}

func s8Apply(t *testing.T, e *env, kind, commune, sub string) {
	t.Helper()
	if _, err := review.Apply(ctx(), e.lake, review.Action{Kind: kind, Year: year, Province: provinceTN, Commune: commune,
		Submission: sub, Comment: "Ý kiến", By: s8By, At: testNow}); err != nil {
		t.Fatal(err)
	}
}

// boardCSV reads the board's CSV: header and the row of commune.
func boardCSV(t *testing.T, p *client, query, commune string) map[string]string {
	t.Helper()
	c := p.get("/tinh/bang.csv?" + query)
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c.raw, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		if rec[0] == commune {
			out := map[string]string{}
			for i, h := range recs[0] {
				out[h] = rec[i]
			}
			return out
		}
	}
	return nil
}

// TestProvincePageSurvivesUnreadableFile (finding B-H1): on AWS a read of
// the file's own Parquet the role may not make is answered 403; the
// commune's page still answers 200, with a short note where the hamlet
// table would be, and the approve button.
func TestProvincePageSurvivesUnreadableFile(t *testing.T) {
	e, broken := brokenEnv(t, "submissions/", "")
	s8Upload(t, e, communeA, "lan-1.xlsx", testNow.Add(-48*time.Hour), s8Hamlets)
	if _, err := rollup.Build(ctx(), rollup.Options{Lake: e.lake, Year: year, Province: provinceTN, Now: testNow.Add(-24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	s8Upload(t, e, communeA, "lan-2.xlsx", testNow.Add(-time.Hour), s8Hamlets[:1]) // not in the build: its hamlets come from its file
	p := e.client()
	p.signInProvince(provinceTN)
	broken.Store(true)
	r := p.get("/tinh/xa/" + communeA)
	if r.status != http.StatusOK {
		t.Fatalf("the commune's page with its file unreadable: %d", r.status)
	}
	thon := block(r.body, "cac-thon")
	if !strings.Contains(thon, `id="thon-khong-doc-duoc"`) || !strings.Contains(thon, "Chưa đọc được các thôn của tệp đang xem xét") {
		t.Errorf("no note where the hamlet table is:\n%s", thon)
	}
	if strings.Contains(thon, "Thôn 2") {
		t.Error("the older file's hamlets are shown in place of the unreadable file's")
	}
	if !strings.Contains(r.body, `id="nut-duyet"`) {
		t.Error("the approve button is gone")
	}
	if !strings.Contains(e.log.String(), "hamlet rows of the file under review unreadable") {
		t.Error("the failed read is not logged")
	}
	broken.Store(false)
	if thon := block(p.get("/tinh/xa/"+communeA).body, "cac-thon"); strings.Contains(thon, "thon-khong-doc-duoc") || !strings.Contains(thon, "Thôn 1") {
		t.Errorf("with the file readable again, the table is not the file's:\n%s", thon)
	}
}

// TestHamletNumbersAndFileName (findings L-D, B-L3): the hamlet table
// writes counts as the flags do ("1.650"); a file without its original
// name is named by the base of its key, never the whole key.
func TestHamletNumbersAndFileName(t *testing.T) {
	e := newEnv(t)
	s8Upload(t, e, communeA, "sua-lai-bao-cao-xhht-2026.xlsx", testNow.Add(-time.Hour), s8Hamlets)
	if _, err := rollup.Build(ctx(), rollup.Options{Lake: e.lake, Year: year, Province: provinceTN, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	p := e.client()
	p.signInProvince(provinceTN)
	page := p.get("/tinh/xa/" + communeA).body
	thon := block(page, "cac-thon")
	for _, want := range []string{">1.650<", ">1.100<", ">2.400<", ">1.900<", ">120<"} {
		if !strings.Contains(thon, want) {
			t.Errorf("hamlet table lacks %s:\n%s", want, thon)
		}
	}
	if strings.Contains(thon, ">1650<") {
		t.Error("an unformatted count in the hamlet table")
	}
	duyet := block(page, "duyet")
	if !strings.Contains(duyet, `«<bdi class="name">sua-lai-bao-cao-xhht-2026.xlsx</bdi>»`) || strings.Contains(duyet, "2026/19/") {
		t.Errorf("the file under review is not named by its base name:\n%s", duyet)
	}
}

// TestWaitingFileHamlets (finding M-D): an approved commune with a newer
// file waiting: the hamlet table is that file's (what "Duyệt tệp này"
// approves), next to last year's, not the approved file's.
func TestWaitingFileHamlets(t *testing.T) {
	e := newEnv(t)
	last := []map[string]any{{"ho_tong": int64(329), "ho_dat": int64(200)}, {"ho_tong": int64(118), "ho_dat": int64(60)}}
	if _, err := (rolluptest.Upload{Year: year - 1, Commune: communeA, At: testNow.AddDate(-1, 0, 0), Hamlets: last}).Write(ctx(), e.lake); err != nil {
		t.Fatal(err)
	}
	approved := []map[string]any{{"ho_tong": int64(335), "ho_dat": int64(210)}, {"ho_tong": int64(120), "ho_dat": int64(70)}}
	sub1 := s8Upload(t, e, communeA, "lan-1.xlsx", testNow.Add(-48*time.Hour), approved)
	s8Apply(t, e, review.KindApprove, communeA, sub1)
	waiting := []map[string]any{{"ho_tong": int64(3350), "ho_dat": int64(210)}, {"ho_tong": int64(120), "ho_dat": int64(70)}}
	sub2 := s8Upload(t, e, communeA, "lan-2.xlsx", testNow.Add(-time.Hour), waiting)
	for _, y := range []int{year - 1, year} {
		if _, err := rollup.Build(ctx(), rollup.Options{Lake: e.lake, Year: y, Province: provinceTN, Now: testNow}); err != nil {
			t.Fatal(err)
		}
	}
	p := e.client()
	p.signInProvince(provinceTN)
	page := p.get("/tinh/xa/" + communeA).body
	if !strings.Contains(block(page, "duyet"), `name="submission" value="`+sub2+`"`) {
		t.Fatal("the approve button is not for the waiting file")
	}
	thon := block(page, "cac-thon")
	row := regexp.MustCompile(`(?s)<tr><td>Thôn 1.*?</tr>`).FindString(thon)
	// Thôn 1: households 3.350 (waiting file) next to 329 (last year),
	// the approved 335 noted beside, as what approval replaces.
	if !strings.Contains(row, `<td class="num doi">3.350<br><span class="small approved-was">đã duyệt: 335</span></td><td class="num prev">329</td>`) {
		t.Errorf("Thôn 1 is not the waiting file's 3.350 (approved 335) next to last year's 329: %q", row)
	}
	if strings.Contains(row, ">335<") {
		t.Errorf("Thôn 1 shows the approved file's 335 as this year's: %q", row)
	}
	// Thôn 2 is the same in both files: nothing noted.
	if row2 := regexp.MustCompile(`(?s)<tr><td>Thôn 2.*?</tr>`).FindString(thon); row2 == "" || strings.Contains(row2, "đã duyệt") {
		t.Errorf("Thôn 2 (unchanged): %q", row2)
	}
	if !strings.Contains(thon, "tệp chờ duyệt (tệp mà nút «Duyệt tệp này» sẽ duyệt)") {
		t.Errorf("the table does not say it is the waiting file's:\n%s", thon)
	}
}

// TestBoardRowNewFileBeingComputed (finding L-A): between a new upload and
// the next roll-up, the board row does not show the previous file's rates
// and flags as the new file's: it says they are being computed; the CSV
// leaves them empty and says so (dang_tinh). An identical re-upload (the
// same data counts) and the next build bring them back.
func TestBoardRowNewFileBeingComputed(t *testing.T) {
	e, set := flagEnv(t)
	sub1 := s8Upload(t, e, communeA, "lan-1.xlsx", testNow.Add(-48*time.Hour), s8Hamlets)
	build := rebuilder(t, e)
	build()
	set(portal.Flag{CommuneCode: communeA, FlagID: "hamlet_outlier/ho_tong/T01", Rule: "hamlet_outlier", Comparable: true,
		Message: "Tổng số hộ của “Thôn 1” (1.650) khác thường", SubmissionID: sub1})
	p := e.client()
	p.signInProvince(provinceTN)
	row := rowOf(p.get("/tinh?han=12-15").body, communeA)
	if !strings.Contains(row, "(1.650) khác thường") || strings.Contains(row, "đang tổng hợp") {
		t.Fatalf("before the new upload, the row is not the counted file's: %q", row)
	}
	if c := boardCSV(t, p, "han=12-15", communeA); c["canh_bao_chua_xac_minh"] != "1" || c["ty_le_ho_dat"] == "" || c["dang_tinh"] != "0" {
		t.Fatalf("before the new upload, CSV %v", c)
	}

	sub2 := s8Upload(t, e, communeA, "lan-2.xlsx", testNow.Add(-time.Hour), []map[string]any{{"ho_tong": int64(165), "ho_dang_ky": int64(100), "ho_dat": int64(90)}})
	row = rowOf(p.get("/tinh?han=12-15").body, communeA)
	if strings.Contains(row, "khác thường") || strings.Contains(row, "%") {
		t.Errorf("the previous file's flag or rates are shown next to the new upload: %q", row)
	}
	if !strings.Contains(row, "Số liệu và cảnh báo của tệp mới đang được tổng hợp") || strings.Count(row, ">đang tổng hợp<") != 3 {
		t.Errorf("the row does not say the new file's figures are being computed: %q", row)
	}
	c := boardCSV(t, p, "han=12-15", communeA)
	for _, col := range []string{"ty_le_ho_dat", "ty_le_thon_dat", "ty_le_cong_dan_dat", "canh_bao_chua_xac_minh", "canh_bao_da_xac_minh"} {
		if c[col] != "" {
			t.Errorf("CSV %s = %q next to the new upload, want empty", col, c[col])
		}
	}
	if c["dang_tinh"] != "1" || c["ban_nop_moi_nhat"] != sub2 {
		t.Errorf("CSV dang_tinh %q, ban_nop_moi_nhat %q", c["dang_tinh"], c["ban_nop_moi_nhat"])
	}
	// The filter "has unchecked flags" does not list it on the old flag.
	if strings.Contains(p.get("/tinh?han=12-15&loc=canh-bao").body, `data-xa="`+communeA+`"`) {
		t.Error("the open-flags filter lists the row on the previous file's flag")
	}

	// B's only file, rolled up, then returned: the build's rates are of a
	// file that no longer counts.
	subB := s8Upload(t, e, communeB, "v1.xlsx", testNow.Add(-2*time.Hour), s8Hamlets)
	build()
	if row := rowOf(p.get("/tinh?han=12-15").body, communeB); !strings.Contains(row, "%") || strings.Contains(row, "đang tổng hợp") {
		t.Fatalf("B before its return: %q", row)
	}
	s8Apply(t, e, review.KindReturn, communeB, subB)
	rowB := rowOf(p.get("/tinh?han=12-15").body, communeB)
	if strings.Contains(rowB, "%") || !strings.Contains(rowB, "đang được tổng hợp lại theo lần duyệt mới nhất") {
		t.Errorf("B after its return shows the returned file's rates: %q", rowB)
	}
	if c := boardCSV(t, p, "han=12-15", communeB); c["dang_tinh"] != "1" || c["ty_le_ho_dat"] != "" {
		t.Errorf("CSV B after its return: dang_tinh %q, ty_le_ho_dat %q", c["dang_tinh"], c["ty_le_ho_dat"])
	}

	build()
	if rowB := rowOf(p.get("/tinh?han=12-15").body, communeB); strings.Contains(rowB, "đang") || strings.Contains(rowB, "%") {
		t.Errorf("B after the build: %q, want no rates (nothing counts)", rowB)
	}
	set(portal.Flag{CommuneCode: communeA, FlagID: "rate_change/ty_le_ho_dat/-", Rule: "rate_change", Comparable: true,
		Message: "Tỷ lệ hộ GĐHT của tệp mới giảm", SubmissionID: sub2})
	row = rowOf(p.get("/tinh?han=12-15").body, communeA)
	if strings.Contains(row, "đang tổng hợp") || !strings.Contains(row, "tệp mới giảm") || !strings.Contains(row, "%") {
		t.Errorf("after the build, the row is not the new file's: %q", row)
	}
}

// TestBoardApprovedLikeReport (findings L-C/B-L2, L-B): the board's
// "Đã duyệt" counts and lists every commune with approved data, as the
// report's "x/y xã đã được duyệt" (completeness.approved), also one with a
// newer file waiting, whose status says both; "(muộn)" is not added to a
// status that already says late.
func TestBoardApprovedLikeReport(t *testing.T) {
	e := newEnv(t)
	h := []map[string]any{{"ho_tong": int64(100), "ho_dang_ky": int64(50), "ho_dat": int64(50)}}
	// A: approved, then a new file waits. B: uploaded after the 1/12 cut-off, awaiting review.
	subA := s8Upload(t, e, communeA, "v1.xlsx", time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC), h)
	s8Apply(t, e, review.KindApprove, communeA, subA)
	s8Upload(t, e, communeA, "v2.xlsx", time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC),
		[]map[string]any{{"ho_tong": int64(110), "ho_dang_ky": int64(50), "ho_dat": int64(50)}})
	s8Upload(t, e, communeB, "v1.xlsx", time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC), h)
	p := e.client()
	p.signInProvince(provinceTN)
	body := p.get("/tinh?han=12-01").body
	if !strings.Contains(body, `class="chip approved">Đã duyệt <b>1</b>`) {
		t.Errorf("the approved chip does not count A (approved, new file waiting): %s", regexp.MustCompile(`class="chip approved[^>]*>[^<]*<b>\d+`).FindString(body))
	}
	if !strings.Contains(body, `class="chip tep-moi">Có tệp mới chờ duyệt <b>1</b>`) {
		t.Error("no chip for communes with a new file waiting")
	}
	rowA := rowOf(body, communeA)
	if !strings.Contains(rowA, `class="tag approved">Đã duyệt; có tệp mới chờ duyệt`) {
		t.Errorf("A's status does not say both: %q", rowA)
	}
	for _, q := range []string{"loc=approved", "loc=tep-moi"} {
		if got := p.get("/tinh?han=12-01&" + q).body; !strings.Contains(got, `data-xa="`+communeA+`"`) || strings.Contains(got, `data-xa="`+communeB+`"`) {
			t.Errorf("filter %s does not list exactly A", q)
		}
	}
	if c := boardCSV(t, p, "han=12-01", communeA); c["trang_thai"] != "approved" || !strings.Contains(c["trang_thai_text"], "có tệp mới chờ duyệt") {
		t.Errorf("CSV A: %q %q", c["trang_thai"], c["trang_thai_text"])
	}
	rowB := rowOf(body, communeB)
	if !strings.Contains(rowB, "Nộp muộn, chờ duyệt") || strings.Contains(rowB, "(muộn)") {
		t.Errorf("B's late status repeats muộn: %q", rowB)
	}
	// The report's count: the roll-up's completeness.approved of the
	// province (what "x/y xã đã được duyệt" prints), read from its file.
	if _, err := rollup.Build(ctx(), rollup.Options{Lake: e.lake, Year: year, Province: provinceTN, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	mb, _, err := e.lake.Get(ctx(), lake.ManifestKey(lake.RollupsPrefix, year, provinceTN), "")
	if err != nil {
		t.Fatal(err)
	}
	var m lake.Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		t.Fatal(err)
	}
	cb, _, err := e.lake.Get(ctx(), m.Files["completeness"], "")
	if err != nil {
		t.Fatal(err)
	}
	type complRow struct {
		Level    string `parquet:"level"`
		Deadline string `parquet:"deadline"`
		Approved *int64 `parquet:"approved,optional"`
	}
	rows, err := parquet.Read[complRow](bytes.NewReader(cb), int64(len(cb)))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r.Level == "province" && r.Deadline == "12-01" {
			found = true
			if r.Approved == nil || *r.Approved != 1 {
				t.Errorf("the report's approved count %v, the board's 1", r.Approved)
			}
		}
	}
	if !found {
		t.Error("no province row in completeness")
	}
}

// TestReviewActionFailureKeepsComment (finding B-L5, the province's
// part): a review action that fails for a system reason (the lake
// unreachable) answers 500 with the reviewer's comment kept in the same
// form, ready to send again without JavaScript, and without words meant
// for communes; sent again once the lake is back, it is saved.
func TestReviewActionFailureKeepsComment(t *testing.T) {
	e, broken := brokenEnv(t, "", "reviews/")
	sub := s8Upload(t, e, communeA, "v1.xlsx", testNow.Add(-time.Hour), s8Hamlets)
	p := e.client()
	csrf := p.signInProvince(provinceTN)
	seen := p.seenOf(communeA)
	comment := "Thôn 1: số hộ 1.650 <gấp mười> năm trước,\nxã kiểm tra lại"
	broken.Store(true)
	r := p.postForm("/tinh/xa/"+communeA+"/tra-lai", url.Values{"csrf": {csrf}, "seen": {seen}, "submission": {sub}, "comment": {comment}}, nil)
	if r.status != http.StatusInternalServerError {
		t.Fatalf("return with the lake unreachable: %d", r.status)
	}
	if strings.Contains(r.body, "không phải lỗi của xã") {
		t.Error("the reviewer's error page speaks of the commune")
	}
	if !strings.Contains(r.body, "thao tác «Trả lại» chưa được lưu") {
		t.Error("the page does not say the return was not saved")
	}
	form := regexp.MustCompile(`(?s)<form method="post" action="([^"]*)" class="act">(.*?)</form>`).FindStringSubmatch(r.body)
	if form == nil || form[1] != "/tinh/xa/"+communeA+"/tra-lai" {
		t.Fatalf("no retry form posting the return: %q", form)
	}
	fields := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`).FindAllStringSubmatch(form[2], -1) {
		fields.Set(m[1], html.UnescapeString(m[2]))
	}
	ta := regexp.MustCompile(`(?s)<textarea[^>]*name="comment"[^>]*>(.*?)</textarea>`).FindStringSubmatch(form[2])
	if ta == nil || html.UnescapeString(ta[1]) != comment {
		t.Fatalf("the comment is not kept in the form: %q", ta)
	}
	if fields.Get("submission") != sub || fields.Get("seen") != seen || fields.Get("csrf") == "" {
		t.Fatalf("the retry form's fields %v", fields)
	}
	if st, _, _ := review.Get(ctx(), e.lake, year, provinceTN, communeA); st.State == review.Returned {
		t.Fatal("the failed return was saved")
	}
	broken.Store(false)
	fields.Set("comment", html.UnescapeString(ta[1]))
	if r := p.postForm(form[1], fields, nil); r.status != http.StatusSeeOther {
		t.Fatalf("the retry: %d %s", r.status, r.body)
	}
	if st, _, _ := review.Get(ctx(), e.lake, year, provinceTN, communeA); st.State != review.Returned || st.Comment != comment {
		t.Errorf("after the retry: %s %q", st.State, st.Comment)
	}
}

// TestCheckFailureKeepsNote (finding B-L5): a "đã xác minh" note whose
// flags cannot be read (the lake unreachable) is not lost either: 500, the
// note in a form that posts the same flag of the same upload again.
func TestCheckFailureKeepsNote(t *testing.T) {
	e, broken := brokenEnv(t, "reviews/", "")
	sub := s8Upload(t, e, communeA, "v1.xlsx", testNow.Add(-time.Hour), s8Hamlets)
	p := e.client()
	csrf := p.signInProvince(provinceTN)
	broken.Store(true)
	note := "Đã gọi điện: thôn mới sáp nhập"
	r := p.postForm("/tinh/xa/"+communeA+"/xac-minh", url.Values{"csrf": {csrf}, "flag": {"hamlet_outlier/ho_tong/T01"}, "submission": {sub}, "comment": {note}}, nil)
	if r.status != http.StatusInternalServerError || strings.Contains(r.body, "không phải lỗi của xã") {
		t.Fatalf("check with the lake unreachable: %d", r.status)
	}
	for _, want := range []string{`action="/tinh/xa/` + communeA + `/xac-minh"`, `name="flag" value="hamlet_outlier/ho_tong/T01"`,
		`name="submission" value="` + sub + `"`, ">" + note + "</textarea>", "Ghi chú xác minh (xã sẽ thấy)"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the retry page lacks %q", want)
		}
	}
	if strings.Contains(r.body, `name="seen"`) {
		t.Error("a check's retry carries a page version (checks are not refused for a newer one)")
	}
}

// rebuilder returns a function that builds the province's roll-up of the
// year, each time a minute after the last (the build ids follow the clock).
func rebuilder(t *testing.T, e *env) func() {
	built := testNow
	return func() {
		t.Helper()
		built = built.Add(time.Minute)
		if _, err := rollup.Build(ctx(), rollup.Options{Lake: e.lake, Year: year, Province: provinceTN, Now: built}); err != nil {
			t.Fatal(err)
		}
	}
}
