package tests

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/portal/portaltest"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/storage/s3store"
)

// TestPortalLambdaProvinceReview: the portal Lambda (the real bootstrap
// under the emulator, S3 on versitygw) serves the province's pages: a
// province code signs in and lands on the board, returns a commune's file
// (the status by an S3 conditional write, the audit record create-only),
// and the commune sees the comment; a commune code gets 403 on the board.
func TestPortalLambdaProvinceReview(t *testing.T) {
	ctx := context.Background()
	e := newPortalFnEnv(t)
	door, _, _ := startPortalFunction(t, e)
	lake := s3store.New(e.s3, portalFnLake, "")
	uploads := s3store.New(e.s3, portalFnUploads, "")

	// Commune A's accepted upload, processed as the ingest function does.
	blank, sheets := portaltest.Blank(t, portalFnYear, portalFnCommuneA, 3)
	key := "2026/19/" + portalFnCommuneA + "/bao-cao.xlsx"
	if err := uploads.Put(ctx, key, portaltest.Good(t, blank, sheets, 3).Bytes, "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
	p, err := ingest.New(uploads, lake)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := p.Process(ctx, ingest.Upload{Bucket: portalFnUploads, Key: key})
	if err != nil || rc.Status != "accepted" {
		t.Fatalf("ingest: %v %+v", err, rc)
	}

	// A commune code: 403 on the board.
	a := newPortalClient(t, door)
	a.signIn(e.codes[portalFnCommuneA])
	if r := a.do("GET", "/tinh", nil, nil); r.status != http.StatusForbidden {
		t.Errorf("commune code on the board: %d, want 403", r.status)
	}

	// The province code: the board, then a return with a comment.
	pc := portaltest.ProvinceCode(t, lake, portalFnYear, "19", "01", time.Now().Add(-time.Hour))
	prov := newPortalClient(t, door)
	page := prov.do("GET", "/", nil, nil)
	m := portalCSRFRe.FindSubmatch(page.body)
	r := prov.do("POST", "/dang-nhap", strings.NewReader(url.Values{"csrf": {string(m[1])}, "code": {pc}}.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if r.status != http.StatusSeeOther {
		t.Fatalf("province sign in: %d", r.status)
	}
	board := prov.do("GET", "/tinh", nil, nil)
	if board.status != http.StatusOK || !regexp.MustCompile(`data-xa="`+portalFnCommuneA+`"`).Match(board.body) || board.header.Get("Content-Security-Policy") == "" {
		t.Fatalf("board through the Lambda: %d", board.status)
	}
	csrf := string(portalCSRFRe.FindSubmatch(board.body)[1])
	// The status version the commune's page shows; its forms post it back.
	cp := prov.do("GET", "/tinh/xa/"+portalFnCommuneA, nil, nil)
	seen := regexp.MustCompile(`name="seen" value="([^"]+)"`).FindSubmatch(cp.body)
	if seen == nil {
		t.Fatalf("no status version on the commune's page: %d", cp.status)
	}
	r = prov.do("POST", "/tinh/xa/"+portalFnCommuneA+"/tra-lai",
		strings.NewReader(url.Values{"csrf": {csrf}, "seen": {string(seen[1])}, "submission": {rc.SubmissionID}, "comment": {"Thôn 2 thiếu số hộ"}}.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if r.status != http.StatusSeeOther {
		t.Fatalf("return through the Lambda: %d %s", r.status, r.body)
	}
	st, _, err := review.Get(ctx, lake, portalFnYear, "19", portalFnCommuneA)
	if err != nil || st.State != review.Returned || st.Comment != "Thôn 2 thiếu số hộ" {
		t.Fatalf("status in S3: %+v, %v", st, err)
	}
	if h, err := review.History(ctx, lake, portalFnYear, "19", portalFnCommuneA); err != nil || len(h) != 1 {
		t.Fatalf("audit in S3: %d records, %v", len(h), err)
	}
	// newPortalClient's clients share one http.Client (srv.Client()), so
	// one cookie jar: sign the commune in again.
	a = newPortalClient(t, door)
	a.signIn(e.codes[portalFnCommuneA])
	if home := a.do("GET", "/", nil, nil); !strings.Contains(string(home.body), "Thôn 2 thiếu số hộ") {
		t.Errorf("the commune does not see the comment through the Lambda: %d %s", home.status, home.body)
	}
}
