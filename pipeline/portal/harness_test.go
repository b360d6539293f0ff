package portal_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/portal"
	"github.com/xhht/xhht/pipeline/portal/portaltest"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// Two communes of Thái Nguyên (19) in the 2025 register, and one of
// Hà Nội (01), for the cross-commune tests.
const (
	year     = 2026
	communeA = "05443" // Phường Phan Đình Phùng
	communeB = "01840" // Phường Đức Xuân
	communeC = "00004" // Phường Ba Đình, Hà Nội
)

var testNow = time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)

// clock is a settable Now for the portal.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuf is a log sink the handler writes from its goroutines.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type env struct {
	t        *testing.T
	srv      *httptest.Server
	lake     *local.Store
	uploads  *local.Store
	clock    *clock
	log      *syncBuf
	codes    map[string]string // commune → code
	keys     [][]byte
	cfg      portal.Config
	handler  http.Handler
	province string
}

type envOption func(*portal.Config)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, lake: local.New(dir + "/lake"), uploads: local.New(dir + "/uploads"), clock: &clock{t: testNow},
		log: &syncBuf{}, codes: map[string]string{}}
	for _, c := range []string{communeA, communeB, communeC} {
		e.codes[c] = portaltest.Code(t, e.lake, year, c, testNow.Add(-time.Hour))
	}
	e.keys = [][]byte{bytes.Repeat([]byte{1}, 32)}
	e.cfg = portal.Config{Lake: e.lake, Uploads: e.uploads, UploadsBucket: "local", Authority: access.NewAuthority(e.lake),
		SessionKeys: e.keys, MaxUploadBytes: 5 << 20, Now: e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(e.log, nil))}
	for _, o := range opts {
		o(&e.cfg)
	}
	h, err := portal.New(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.handler = h
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

// client is one browser: its own cookie jar, no automatic redirects
// followed for POSTs so tests see the status.
type client struct {
	e    *env
	http *http.Client
	addr string // RemoteAddr is the test server's view; X-Forwarded-For is not trusted
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type resp struct {
	status int
	header http.Header
	body   string
	raw    []byte
}

func (c *client) do(req *http.Request) resp {
	c.e.t.Helper()
	r, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return resp{status: r.StatusCode, header: r.Header, body: string(b), raw: b}
}

func (c *client) get(path string) resp {
	req, _ := http.NewRequest(http.MethodGet, c.e.srv.URL+path, nil)
	return c.do(req)
}

func (c *client) postForm(path string, v url.Values, hdr map[string]string) resp {
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, val := range hdr {
		req.Header.Set(k, val)
	}
	return c.do(req)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]*)"`)
var dataCSRFRe = regexp.MustCompile(`data-csrf="([^"]*)"`)

// signIn signs in with code and returns the commune page.
func (c *client) signIn(code string) resp {
	c.e.t.Helper()
	page := c.get("/")
	m := csrfRe.FindStringSubmatch(page.body)
	if m == nil {
		c.e.t.Fatalf("no sign-in form: %s", page.body)
	}
	return c.postForm("/dang-nhap", url.Values{"csrf": {m[1]}, "code": {code}}, nil)
}

func (c *client) mustSignIn(commune string) string {
	c.e.t.Helper()
	r := c.signIn(c.e.codes[commune])
	if r.status != http.StatusSeeOther {
		c.e.t.Fatalf("sign in %s: %d %s", commune, r.status, r.body)
	}
	page := c.get("/")
	m := dataCSRFRe.FindStringSubmatch(page.body)
	if m == nil {
		c.e.t.Fatalf("no commune page after sign-in: %s", page.body)
	}
	return m[1]
}

// upload posts a file as the plain form does: the csrf field first, then
// the file.
func (c *client) upload(csrf, name string, data []byte, extra map[string]string, hdr map[string]string) resp {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", csrf)
	for k, v := range extra {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+"/nop", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return c.do(req)
}

// goodFile is an accepted workbook for a commune.
func goodFile(t *testing.T, commune string, hamlets int) []byte {
	blank, sheets := portaltest.Blank(t, year, commune, hamlets)
	return portaltest.Good(t, blank, sheets, hamlets).Bytes
}

func badFile(t *testing.T, commune string) ([]byte, []string) {
	blank, sheets := portaltest.Blank(t, year, commune, 5)
	return portaltest.Bad(t, portaltest.Good(t, blank, sheets, 5))
}

func ctx() context.Context { return context.Background() }
