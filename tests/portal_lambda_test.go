package tests

// The commune portal's Lambda function as Lambda runs it: the real
// bootstrap (functions/portal), started by the AWS Lambda Runtime
// Interface Emulator (scripts/lambda-rie.sh, from `make tools`), fed
// function URL / HTTP API 2.0 events. A small front door turns each HTTP
// request of a client into such an event and the function's answer back
// into HTTP, as a function URL does, so a cookie-keeping HTTP client (and
// chromium, in the browser test) can go through the whole flow: sign in,
// the page, an upload target, the PUT to S3 with the presigned URL, the
// check, the marked workbook.
//
// S3 is versitygw (it checks every signature, presigned ones too). SSM
// Parameter Store is pipeline/lambdaportal/ssmtest, a stand-in that checks
// SigV4 too (why a stand-in: see its package doc).

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/lambdaportal"
	"github.com/xhht/xhht/pipeline/lambdaportal/ssmtest"
	"github.com/xhht/xhht/pipeline/portal/portaltest"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/s3store"
	"github.com/xhht/xhht/pipeline/storage/s3test"
	"github.com/xhht/xhht/tests/browser"
)

const (
	portalFnYear     = 2026
	portalFnCommuneA = "05443" // Thái Nguyên (19)
	portalFnCommuneB = "01840" // Thái Nguyên (19), the other commune of the cross-commune checks
	portalFnUploads  = "xhht-uploads"
	portalFnLake     = "xhht-lake"
	portalFnKeysName = "/xhht/test/portal/session-keys"
)

// portalFnEnv is the world around one portal function: S3, SSM, codes.
type portalFnEnv struct {
	srv   *s3test.Server
	s3    *s3.Client
	ssm   *ssmtest.Server
	codes map[string]string // commune → access code
	bin   string            // the bootstrap
}

var (
	portalBinOnce sync.Once
	portalBin     string
	portalBinDir  string
)

// portalBootstrap builds functions/portal once per test binary, as `make
// package-portal` does but for this machine's architecture so it can run.
func portalBootstrap(t testing.TB) string {
	t.Helper()
	portalBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "xhht-portal-bootstrap-")
		if err != nil {
			t.Fatal(err)
		}
		portalBinDir = dir
		out := filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, "./functions/portal")
		cmd.Dir = lambdaModuleRoot(t)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build ./functions/portal: %v\n%s", err, b)
		}
		portalBin = out
	})
	if portalBin == "" {
		t.Fatal("the portal bootstrap did not build (see the first failure)")
	}
	return portalBin
}

func newPortalFnEnv(t testing.TB) *portalFnEnv {
	t.Helper()
	e := &portalFnEnv{bin: portalBootstrap(t), srv: s3test.Start(t), codes: map[string]string{}}
	e.srv.CreateBucket(t, portalFnUploads)
	e.srv.CreateBucket(t, portalFnLake)
	e.s3 = e.srv.Client(t)
	lake := s3store.New(e.s3, portalFnLake, "")
	for _, c := range []string{portalFnCommuneA, portalFnCommuneB} {
		e.codes[c] = portaltest.Code(t, lake, portalFnYear, c, time.Now().Add(-time.Hour))
	}
	e.ssm = ssmtest.Start(t, e.srv.AccessKey, e.srv.SecretKey, e.srv.Region)
	e.ssm.Put(portalFnKeysName, "SecureString",
		base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))+","+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{8}, 32)))
	return e
}

// env is the function's environment, as the template sets it plus what
// Lambda sets; nothing is inherited from the developer's shell.
func (e *portalFnEnv) env(publicURL string, extra ...string) []string {
	return append([]string{
		"PATH=/usr/bin:/bin", "HOME=/nonexistent", "TZ=:UTC",
		"AWS_LAMBDA_FUNCTION_NAME=xhht-test-portal", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_REGION=" + e.srv.Region, "AWS_DEFAULT_REGION=" + e.srv.Region,
		"AWS_ACCESS_KEY_ID=" + e.srv.AccessKey, "AWS_SECRET_ACCESS_KEY=" + e.srv.SecretKey, "AWS_EC2_METADATA_DISABLED=true",
		"LAKE_BUCKET=" + portalFnLake, "LAKE_PREFIX=", "UPLOADS_BUCKET=" + portalFnUploads, "MAX_UPLOAD_MB=5",
		"PUBLIC_URL=" + publicURL, "SESSION_KEYS_PARAMETER=" + portalFnKeysName,
		"S3_ENDPOINT=" + e.srv.Endpoint, "S3_FORCE_PATH_STYLE=true", "SSM_ENDPOINT=" + e.ssm.URL,
	}, extra...)
}

// allowBrowserUploads sets the uploads bucket's CORS as the template does:
// PUT from the portal's origin only, with the signed headers the page sends.
func (e *portalFnEnv) allowBrowserUploads(t testing.TB, origin string) {
	t.Helper()
	_, err := e.s3.PutBucketCors(context.Background(), &s3.PutBucketCorsInput{Bucket: aws.String(portalFnUploads),
		CORSConfiguration: &s3types.CORSConfiguration{CORSRules: []s3types.CORSRule{{
			AllowedMethods: []string{"PUT"}, AllowedOrigins: []string{origin}, AllowedHeaders: []string{"content-type", "x-amz-meta-original-name"},
			ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(600),
		}}}})
	if err != nil {
		t.Fatalf("put bucket CORS: %v", err)
	}
}

// lambdaRIE is the emulator's path: XHHT_LAMBDA_RIE (the Makefile sets
// it) or .tools/bin. Missing, the test fails: it must not pass unrun.
func lambdaRIE(t testing.TB) string {
	t.Helper()
	p := os.Getenv("XHHT_LAMBDA_RIE")
	if p == "" {
		p = filepath.Join(lambdaModuleRoot(t), ".tools", "bin", "aws-lambda-rie")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("aws-lambda-rie not found at %s: run `make tools` (scripts/lambda-rie.sh): %v", p, err)
	}
	return p
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// rieFunction is the bootstrap running under aws-lambda-rie.
type rieFunction struct {
	invokeURL string
	out       *lambdaBuffer
}

// startRIE runs the bootstrap under the emulator with env, and waits
// until the emulator accepts invocations.
func startRIE(t testing.TB, bin string, env []string) *rieFunction {
	t.Helper()
	addr, apiAddr := freePort(t), freePort(t)
	f := &rieFunction{invokeURL: "http://" + addr + "/2015-03-31/functions/function/invocations", out: &lambdaBuffer{}}
	cmd := exec.Command(lambdaRIE(t), "--runtime-interface-emulator-address", addr, "--runtime-api-address", apiAddr, "--log-level", "error", bin)
	cmd.Dir = filepath.Dir(bin)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f.out, f.out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("emulator and bootstrap output:\n%s", f.out)
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return f
		}
		select {
		case <-exited:
			t.Fatalf("aws-lambda-rie exited:\n%s", f.out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("aws-lambda-rie did not listen on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Invoke sends one event and returns the function's raw answer.
func (f *rieFunction) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.invokeURL, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("invoke: %s: %s", resp.Status, b)
	}
	return b, nil
}

// frontDoor does what a Lambda function URL does with a request: an event
// of payload format 2.0 in, the function's response out. Bodies over
// Lambda's 6 MB request limit are refused as AWS refuses them.
type frontDoor struct {
	invoke func(ctx context.Context, payload []byte) ([]byte, error)

	mu     sync.Mutex
	events int
	// one serialises invocations: the emulator is one execution
	// environment, which takes one event at a time (Lambda would start a
	// second environment for a concurrent request; the emulator crashes).
	one sync.Mutex
}

func (d *frontDoor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 6<<20+1))
	if err != nil || len(body) > 6<<20 {
		http.Error(w, "Request must be smaller than 6291456 bytes for the InvokeFunction operation", http.StatusRequestEntityTooLarge)
		return
	}
	ev := events.LambdaFunctionURLRequest{Version: "2.0", RawPath: r.URL.EscapedPath(), RawQueryString: r.URL.RawQuery,
		Headers: map[string]string{}}
	for k, vs := range r.Header {
		if k == "Cookie" {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						ev.Cookies = append(ev.Cookies, c)
					}
				}
			}
			continue
		}
		ev.Headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	ev.Headers["host"] = r.Host
	ev.Headers["x-forwarded-proto"] = "https"
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	ev.RequestContext = events.LambdaFunctionURLRequestContext{AccountID: "anonymous", RequestID: lambdaUUID(), APIID: "portaltest",
		DomainName: r.Host, DomainPrefix: "portaltest", Time: time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: time.Now().UnixMilli(),
		HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: host, UserAgent: r.UserAgent()}}
	if len(body) > 0 {
		// Function URLs send text bodies as they are and others base64.
		ct := r.Header.Get("Content-Type")
		if utf8.Valid(body) && (strings.HasPrefix(ct, "text/") || strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "application/json")) {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	payload, _ := json.Marshal(ev)
	d.mu.Lock()
	d.events++
	d.mu.Unlock()
	d.mu.Lock()
	invoke := d.invoke
	d.mu.Unlock()
	d.one.Lock()
	out, err := invoke(r.Context(), payload)
	d.one.Unlock()
	if err != nil {
		http.Error(w, "function: "+err.Error(), http.StatusBadGateway)
		return
	}
	var resp struct {
		events.LambdaFunctionURLResponse
		ErrorType string `json:"errorType"`
	}
	if err := json.Unmarshal(out, &resp); err != nil || resp.ErrorType != "" || resp.StatusCode == 0 {
		http.Error(w, "function error: "+string(out), http.StatusBadGateway)
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	rb := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if rb, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			http.Error(w, "function answered bad base64", http.StatusBadGateway)
			return
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(rb)))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(rb)
}

// portalClient is one official's browser without the browser: cookies
// kept, redirects not followed.
type portalClient struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newPortalClient(t testing.TB, srv *httptest.Server) *portalClient {
	jar, _ := cookiejar.New(nil)
	c := srv.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &portalClient{t: t, base: srv.URL, c: c}
}

type portalResp struct {
	status int
	header http.Header
	body   []byte
}

func (p *portalClient) do(method, path string, body io.Reader, hdr map[string]string) portalResp {
	p.t.Helper()
	req, err := http.NewRequest(method, p.base+path, body)
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Origin", p.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := p.c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return portalResp{resp.StatusCode, resp.Header, b}
}

var (
	portalCSRFRe     = regexp.MustCompile(`name="csrf" value="([^"]*)"`)
	portalDataCSRFRe = regexp.MustCompile(`data-csrf="([^"]*)"`)
)

// signIn signs in with code and returns the page's CSRF token.
func (p *portalClient) signIn(code string) string {
	p.t.Helper()
	page := p.do("GET", "/", nil, nil)
	m := portalCSRFRe.FindSubmatch(page.body)
	if page.status != 200 || m == nil {
		p.t.Fatalf("sign-in page: %d %s", page.status, page.body)
	}
	form := url.Values{"csrf": {string(m[1])}, "code": {code}}
	r := p.do("POST", "/dang-nhap", strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if r.status != http.StatusSeeOther {
		p.t.Fatalf("sign in: %d %s", r.status, r.body)
	}
	page = p.do("GET", "/", nil, nil)
	m = portalDataCSRFRe.FindSubmatch(page.body)
	if page.status != 200 || m == nil {
		p.t.Fatalf("commune page after sign-in: %d %s", page.status, page.body)
	}
	return string(m[1])
}

// uploadTarget is the portal's JSON answer to POST /nop/dia-chi.
type uploadTarget struct {
	Method, URL, Key string
	Header           map[string]string
}

func (p *portalClient) target(csrf, name string, size int64) (uploadTarget, portalResp) {
	p.t.Helper()
	b, _ := json.Marshal(map[string]any{"name": name, "size": size, "type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
	r := p.do("POST", "/nop/dia-chi", bytes.NewReader(b), map[string]string{"Content-Type": "application/json", "X-CSRF-Token": csrf})
	var tg uploadTarget
	if r.status == 200 {
		if err := json.Unmarshal(r.body, &tg); err != nil {
			p.t.Fatalf("target: %v: %s", err, r.body)
		}
	}
	return tg, r
}

func (p *portalClient) check(csrf, key, name string) portalResp {
	form := url.Values{"key": {key}, "name": {name}}
	return p.do("POST", "/kiem-tra", strings.NewReader(form.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrf})
}

// putPresigned sends body to the target as the page's script does.
func putPresigned(t testing.TB, tg uploadTarget, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(tg.Method, tg.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range tg.Header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// startPortalFunction runs the bootstrap under the emulator behind a TLS
// front door (session cookies are Secure) and returns the front door.
func startPortalFunction(t testing.TB, e *portalFnEnv) (*httptest.Server, *frontDoor, *rieFunction) {
	t.Helper()
	door := &frontDoor{}
	srv := httptest.NewUnstartedServer(door)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	fn := startRIE(t, e.bin, e.env(srv.URL))
	door.invoke = fn.Invoke
	return srv, door, fn
}

// TestPortalLambdaFlow: the real bootstrap under the emulator, through
// function URL events: sign in, the commune page, an upload target, the
// presigned PUT to S3, the check (receipt on the page), the marked
// workbook; and the presigned URL refuses another size and another
// commune's key.
func TestPortalLambdaFlow(t *testing.T) {
	e := newPortalFnEnv(t)
	door, fd, fn := startPortalFunction(t, e)
	c := newPortalClient(t, door)
	csrf := c.signIn(e.codes[portalFnCommuneA])

	page := c.do("GET", "/", nil, nil)
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options"} {
		if page.header.Get(h) == "" {
			t.Errorf("commune page has no %s", h)
		}
	}
	// The script's PUT needs the bucket's origin in connect-src.
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, e.srv.Endpoint) {
		t.Errorf("CSP connect-src does not allow the uploads bucket %s: %s", e.srv.Endpoint, csp)
	}

	// A bad workbook: the presigned round trip, then its errors on the page.
	blank, sheets := portaltest.Blank(t, portalFnYear, portalFnCommuneA, 5)
	good := portaltest.Good(t, blank, sheets, 5)
	bad, cells := portaltest.Bad(t, good)
	tg, r := c.target(csrf, "báo cáo sai.xlsx", int64(len(bad)))
	if r.status != 200 {
		t.Fatalf("upload target: %d %s", r.status, r.body)
	}
	if tg.Method != "PUT" || !strings.HasPrefix(tg.URL, e.srv.Endpoint+"/"+portalFnUploads+"/2026/19/"+portalFnCommuneA+"/") ||
		!strings.HasPrefix(tg.Key, "2026/19/"+portalFnCommuneA+"/") {
		t.Fatalf("target %+v: want a PUT under the session's commune", tg)
	}
	// The signature covers the size: one byte more is refused by S3.
	if resp := putPresigned(t, tg, append(bytes.Clone(bad), 0)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("PUT of a larger body: %s, want 403", resp.Status)
	}
	forged := tg
	forged.URL = strings.Replace(tg.URL, "/"+portalFnCommuneA+"/", "/"+portalFnCommuneB+"/", 1)
	if resp := putPresigned(t, forged, bad); resp.StatusCode != http.StatusForbidden {
		t.Errorf("PUT to another commune's key with this signature: %s, want 403", resp.Status)
	}
	if resp := putPresigned(t, tg, bad); resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned PUT: %s", resp.Status)
	}
	res := c.check(csrf, tg.Key, "báo cáo sai.xlsx")
	if res.status != 200 {
		t.Fatalf("check: %d %s", res.status, res.body)
	}
	// The original name (spaces kept; the key has "báo-cáo-sai.xlsx") came
	// through the signed metadata of the presigned PUT.
	if !bytes.Contains(res.body, []byte("<bdi class=\"name\">báo cáo sai.xlsx</bdi>")) {
		t.Errorf("the answer does not show the original name from the upload's metadata")
	}
	for _, cell := range cells {
		sheet, ref, _ := strings.Cut(cell, "!")
		if !bytes.Contains(res.body, []byte("Trang "+sheet+", ô "+ref)) {
			t.Errorf("error of %s is not on the page", cell)
		}
	}
	// The marked workbook: a binary answer through the event's base64 body.
	m := regexp.MustCompile(`id="tai-danh-dau" href="([^"]*)"`).FindSubmatch(res.body)
	if m == nil {
		t.Fatalf("no marked workbook link on the page")
	}
	link := strings.NewReplacer("&amp;", "&", "&#43;", "+").Replace(string(m[1]))
	mk := c.do("GET", link, nil, nil)
	if mk.status != 200 || !bytes.HasPrefix(mk.body, []byte("PK\x03\x04")) {
		t.Fatalf("marked workbook: %d %q", mk.status, mk.body[:min(len(mk.body), 200)])
	}
	x, err := excelize.OpenReader(bytes.NewReader(mk.body))
	if err != nil {
		t.Fatalf("marked workbook does not open: %v", err)
	}
	n := 0
	for _, sh := range x.GetSheetList() {
		cs, _ := x.GetComments(sh)
		n += len(cs)
	}
	x.Close()
	if n < len(cells) {
		t.Errorf("marked workbook has %d comments, want at least the %d cells in error", n, len(cells))
	}

	// A good workbook: accepted.
	tg2, r := c.target(csrf, "bao-cao.xlsx", int64(len(good.Bytes)))
	if r.status != 200 {
		t.Fatalf("upload target: %d %s", r.status, r.body)
	}
	if resp := putPresigned(t, tg2, good.Bytes); resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned PUT: %s", resp.Status)
	}
	if res := c.check(csrf, tg2.Key, "bao-cao.xlsx"); res.status != 200 || !regexp.MustCompile(`id="ket-qua" class="panel good"`).Match(res.body) {
		t.Errorf("good file: %d, no accepted panel", res.status)
	}

	// Commune A's session cannot check or download commune B's object.
	other := "2026/19/" + portalFnCommuneB + "/20261206-000000-abcdef-x.xlsx"
	if r := c.check(csrf, other, "x.xlsx"); r.status != http.StatusForbidden {
		t.Errorf("check of commune B's key: %d, want 403", r.status)
	}
	if r := c.do("GET", "/danh-dau?key="+url.QueryEscape(other), nil, nil); r.status != http.StatusForbidden {
		t.Errorf("marked workbook of commune B's key: %d, want 403", r.status)
	}
	// Too large for the portal's limit (MAX_UPLOAD_MB=5): no URL at all.
	if _, r := c.target(csrf, "big.xlsx", 5<<20+1); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("target for 5 MiB + 1: %d, want 413", r.status)
	}
	if fd.events < 10 {
		t.Errorf("the front door sent %d events: the flow did not go through the function", fd.events)
	}
	_ = fn
}

// TestPortalLambdaFailedSignInLog: a wrong code is refused and logged as
// one JSON line that the template's metric filter counts.
func TestPortalLambdaFailedSignInLog(t *testing.T) {
	e := newPortalFnEnv(t)
	door, _, fn := startPortalFunction(t, e)
	c := newPortalClient(t, door)
	page := c.do("GET", "/", nil, nil)
	m := portalCSRFRe.FindSubmatch(page.body)
	if m == nil {
		t.Fatalf("sign-in page: %s", page.body)
	}
	form := url.Values{"csrf": {string(m[1])}, "code": {"2222-3333-4444-5555"}}
	r := c.do("POST", "/dang-nhap", strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if r.status != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d, want 401", r.status)
	}
	var line map[string]any
	deadline := time.Now().Add(5 * time.Second)
	for line == nil && time.Now().Before(deadline) {
		for _, l := range strings.Split(fn.out.String(), "\n") {
			var v map[string]any
			if json.Unmarshal([]byte(l), &v) == nil && v["msg"] == lambdaportal.FailedSignInMessage {
				line = v
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if line == nil {
		t.Fatalf("no JSON log line with msg %q:\n%s", lambdaportal.FailedSignInMessage, fn.out)
	}
	if line["client"] != "127.0.0.1" || line["level"] != "WARN" {
		t.Errorf("failed sign-in line %v: want the client's address and level WARN", line)
	}
	if strings.Contains(fn.out.String(), "2222-3333-4444-5555") {
		t.Error("the typed code is in the log")
	}
}

// TestPortalLambdaHTTPAPIEvent: an API Gateway HTTP API (payload 2.0)
// event, as the template's $default route sends it, gets the sign-in page.
func TestPortalLambdaHTTPAPIEvent(t *testing.T) {
	e := newPortalFnEnv(t)
	fn := startRIE(t, e.bin, e.env("https://abc123.execute-api.ap-southeast-1.amazonaws.com"))
	ev := `{"version":"2.0","routeKey":"$default","rawPath":"/","rawQueryString":"",
	  "headers":{"accept":"text/html","host":"abc123.execute-api.ap-southeast-1.amazonaws.com","x-forwarded-for":"203.0.113.9","x-forwarded-proto":"https"},
	  "requestContext":{"accountId":"123456789012","apiId":"abc123","domainName":"abc123.execute-api.ap-southeast-1.amazonaws.com","domainPrefix":"abc123",
	    "http":{"method":"GET","path":"/","protocol":"HTTP/1.1","sourceIp":"203.0.113.9","userAgent":"Mozilla/5.0"},
	    "requestId":"req-1","routeKey":"$default","stage":"$default","time":"06/Dec/2026:19:00:00 +0000","timeEpoch":1796583600000},
	  "isBase64Encoded":false}`
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := fn.Invoke(ctx, []byte(ev))
	if err != nil {
		t.Fatal(err)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if resp.StatusCode != 200 || resp.IsBase64Encoded || !strings.Contains(resp.Body, `name="code"`) {
		t.Fatalf("status %d base64 %v body %.300s", resp.StatusCode, resp.IsBase64Encoded, resp.Body)
	}
	if !strings.Contains(resp.Headers["Content-Security-Policy"], "frame-ancestors 'none'") {
		t.Errorf("headers %v", resp.Headers)
	}
	var cookie string
	for _, c := range resp.Cookies {
		if strings.HasPrefix(c, "__Host-") {
			cookie = c
		}
	}
	if !strings.Contains(cookie, "Secure") || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") {
		t.Errorf("sign-in cookie %q: want __Host-, Secure, HttpOnly, SameSite=Strict (cookies %q)", cookie, resp.Cookies)
	}
}

// TestPortalLambdaInitFailures: a function that cannot start reports an
// init error to the Runtime API (so the failure is visible in its logs and
// alarms) instead of serving without keys.
func TestPortalLambdaInitFailures(t *testing.T) {
	e := newPortalFnEnv(t)
	e.ssm.Put("/xhht/test/plain", "String", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)))
	// A Parameter Store that accepts connections and never answers.
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		hang.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	cases := []struct {
		name  string
		extra []string
		want  string
	}{
		{"keys parameter missing", []string{"SESSION_KEYS_PARAMETER=/xhht/test/none"}, "ParameterNotFound"},
		{"keys in a plain String", []string{"SESSION_KEYS_PARAMETER=/xhht/test/plain"}, "must be a SecureString"},
		{"no public URL", []string{"PUBLIC_URL="}, "PUBLIC_URL is not set"},
		{"Parameter Store does not answer", []string{"SSM_ENDPOINT=http://" + hang.Addr().String()}, "deadline exceeded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt := startLambdaRuntime(t)
			env := e.env("https://portal.example", append(tc.extra, "AWS_LAMBDA_RUNTIME_API="+rt.Addr)...)
			proc := startLambdaBootstrap(t, e.bin, env)
			select {
			case <-rt.InitFailed():
			case <-proc.Exited():
				if rt.InitError() == nil {
					t.Fatalf("bootstrap exited without reporting an init error:\n%s", proc.Stdout)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("no init error reported")
			}
			ie := rt.InitError()
			if ie.Type != "Runtime.InitError" || !strings.Contains(ie.Message, tc.want) {
				t.Errorf("init error %s %q, want one about %q", ie.Type, ie.Message, tc.want)
			}
			if strings.Contains(ie.Message, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))) {
				t.Error("the init error quotes a key")
			}
		})
	}
}

// BenchmarkPortalColdStart: from exec of the real bootstrap to its answer
// to the first event, a GET of the sign-in page (target: 100 ms). Init
// includes reading the session keys from Parameter Store (the SigV4-checking
// stand-in on this machine: one local round trip) and parsing the pages.
// The project's Runtime API stand-in is used rather than the emulator so
// the clock starts at exec, not at the emulator's own start.
func BenchmarkPortalColdStart(b *testing.B) {
	e := newPortalFnEnv(b)
	ev, _ := json.Marshal(events.LambdaFunctionURLRequest{Version: "2.0", RawPath: "/", Headers: map[string]string{"host": "portal.example", "accept": "text/html"},
		RequestContext: events.LambdaFunctionURLRequestContext{DomainName: "portal.example",
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "GET", Path: "/", SourceIP: "203.0.113.9"}}})
	var cold, initDur, warm time.Duration
	for b.Loop() {
		rt := startLambdaRuntime(b)
		proc := startLambdaBootstrap(b, e.bin, e.env("https://portal.example", "AWS_LAMBDA_RUNTIME_API="+rt.Addr))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		inv, err := rt.Invoke(ctx, ev, 30*time.Second)
		if err != nil || inv.Response == nil || !bytes.Contains(inv.Response, []byte(`"statusCode":200`)) {
			cancel()
			b.Fatalf("cold invocation: %v %+v\nstdout: %s", err, inv, proc.Stdout)
		}
		cold += inv.Done.Sub(proc.Started)
		initDur += rt.FirstNext().Sub(proc.Started)
		inv2, err := rt.Invoke(ctx, ev, 30*time.Second)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		warm += inv2.Done.Sub(inv2.Sent)
		proc.Stop()
	}
	n := float64(b.N) * float64(time.Millisecond)
	b.ReportMetric(float64(cold)/n, "start-to-first-answer-ms")
	b.ReportMetric(float64(initDur)/n, "init-ms")
	b.ReportMetric(float64(warm)/n, "warm-ms")
}

// TestPortalLambdaBrowser: the five steps of issue 11 in chromium
// (tests/browser.Flow, the portal engineer's flow) against the real
// bootstrap under the emulator: the page's script PUTs each file straight
// to versitygw with the presigned URL (a cross-origin request the bucket's
// CORS rule, as the template sets it, allows for the portal's origin only),
// then asks the function to check it.
func TestPortalLambdaBrowser(t *testing.T) {
	e := newPortalFnEnv(t)
	door := &frontDoor{}
	// Plain HTTP on 127.0.0.1, which chromium treats as a secure context
	// (Secure and __Host- cookies work): no certificate to trust.
	srv := httptest.NewServer(door)
	t.Cleanup(srv.Close)
	fn := startRIE(t, e.bin, e.env(srv.URL))
	door.invoke = fn.Invoke
	e.allowBrowserUploads(t, srv.URL)

	ctx := browser.NewBrowser(t, 1366, 768)
	res := browser.Flow(t, ctx, browser.Options{BaseURL: srv.URL, Code: e.codes[portalFnCommuneA], Year: portalFnYear,
		Commune: portalFnCommuneA, Timeout: 60 * time.Second})
	// Both uploads reached the bucket through presigned PUTs, under the
	// session's commune, with exactly the bytes the browser sent.
	out, err := e.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(portalFnUploads)})
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int64
	for _, o := range out.Contents {
		if !strings.HasPrefix(aws.ToString(o.Key), "2026/19/"+portalFnCommuneA+"/") {
			t.Errorf("upload outside the session's commune: %s", aws.ToString(o.Key))
		}
		sizes = append(sizes, aws.ToInt64(o.Size))
	}
	if len(sizes) != 2 || !slices.Contains(sizes, int64(len(res.Good))) || !slices.Contains(sizes, int64(len(res.Bad))) {
		t.Errorf("uploads bucket holds sizes %v, want the good (%d) and bad (%d) files", sizes, len(res.Good), len(res.Bad))
	}
}

// BenchmarkPortalLambdaUploadToReceipt: a 30-hamlet workbook from the
// page's first request to the receipt on the page, through the real
// bootstrap (warm) under the emulator: POST /nop/dia-chi (presign), the
// PUT to S3, POST /kiem-tra (ingest.Check, the page). Target on AWS: 3 s;
// this machine has no network between the parts, so AWS adds its round
// trips (browser ↔ API ↔ function, function ↔ S3) to what is measured here.
func BenchmarkPortalLambdaUploadToReceipt(b *testing.B) {
	e := newPortalFnEnv(b)
	door, _, _ := startPortalFunction(b, e)
	c := newPortalClient(b, door)
	csrf := c.signIn(e.codes[portalFnCommuneA])
	blank, sheets := portaltest.Blank(b, portalFnYear, portalFnCommuneA, 30)
	good := portaltest.Good(b, blank, sheets, 30).Bytes
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		tg, r := c.target(csrf, "bao-cao-30-thon.xlsx", int64(len(good)))
		if r.status != 200 {
			b.Fatalf("target: %d %s", r.status, r.body)
		}
		if resp := putPresigned(b, tg, good); resp.StatusCode != 200 {
			b.Fatalf("PUT: %s", resp.Status)
		}
		res := c.check(csrf, tg.Key, "bao-cao-30-thon.xlsx")
		if res.status != 200 || !bytes.Contains(res.body, []byte(`class="panel good"`)) {
			b.Fatalf("check: %d", res.status)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(times[(len(times)*95+99)/100-1])/1e6, "p95-ms")
}

// TestPortalLambdaKeyRotation: the rotation docs/deploy.md describes, with
// real instances. A session signed by an instance that read [K1] is still
// valid on a new instance that read [K2, K1]; once the parameter holds K2
// alone, a new instance signs that session out.
func TestPortalLambdaKeyRotation(t *testing.T) {
	e := newPortalFnEnv(t)
	k1 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x11}, 32))
	k2 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x22}, 32))
	e.ssm.Put(portalFnKeysName, "SecureString", k1)
	door, fd, _ := startPortalFunction(t, e)
	c := newPortalClient(t, door)
	c.signIn(e.codes[portalFnCommuneA])
	signedIn := func() bool {
		t.Helper()
		r := c.do("GET", "/", nil, nil)
		if r.status != 200 {
			t.Fatalf("GET /: %d", r.status)
		}
		return portalDataCSRFRe.Match(r.body)
	}
	if !signedIn() {
		t.Fatal("not signed in on the first instance")
	}
	// A new instance (a cold start after the rotation) behind the same
	// address: the browser keeps its cookie.
	newInstance := func() {
		t.Helper()
		fn := startRIE(t, e.bin, e.env(door.URL))
		fd.mu.Lock()
		fd.invoke = fn.Invoke
		fd.mu.Unlock()
	}
	e.ssm.Put(portalFnKeysName, "SecureString", k2+","+k1)
	newInstance()
	if !signedIn() {
		t.Fatal("after rotation to [K2, K1] the K1 session was signed out")
	}
	e.ssm.Put(portalFnKeysName, "SecureString", k2)
	newInstance()
	if signedIn() {
		t.Fatal("with K1 removed, the K1 session is still signed in")
	}
}

// TestPortalUploadCORS: the uploads bucket's CORS rule, as the template
// writes it, lets the portal's page PUT with a presigned URL and refuses the
// same PUT from a page of any other origin (so another site cannot use a
// URL it got hold of from a visitor's browser). Run in chromium against
// versitygw, which applies bucket CORS rules as S3 does.
func TestPortalUploadCORS(t *testing.T) {
	e := newPortalFnEnv(t)
	page := []byte("<!doctype html><title>x</title>")
	serve := func() *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write(page)
		}))
		t.Cleanup(s.Close)
		return s
	}
	portalOrigin, otherOrigin := serve(), serve()
	e.allowBrowserUploads(t, portalOrigin.URL)
	p := lambdaportal.NewPresigner(e.s3, portalFnUploads)
	ctx := browser.NewBrowser(t, 800, 600)
	put := func(origin, key string) string {
		t.Helper()
		// With the original name's signed metadata header, as the portal
		// asks for: the CORS rule must allow it.
		tg, err := p.Presign(context.Background(), key, 5, "application/octet-stream", storage.OriginalNameMeta("báo cáo <1>.csv"))
		if err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(tg)
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(c, chromedp.Navigate(origin)); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(c, chromedp.Evaluate[string](`(async () => {
			const t = `+string(js)+`;
			try {
				const r = await fetch(t.URL, {method: t.Method, headers: t.Header, body: "12345"});
				return "status " + r.status;
			} catch (e) { return "refused: " + e.name; }
		})()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := put(portalOrigin.URL, "2026/19/05443/from-portal.csv"); got != "status 200" {
		t.Errorf("PUT from the portal's page: %s, want status 200", got)
	}
	if got := put(otherOrigin.URL, "2026/19/05443/from-other.csv"); !strings.HasPrefix(got, "refused") {
		t.Errorf("PUT from another origin's page: %s, want refused by CORS", got)
	}
	if _, err := e.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(portalFnUploads), Key: aws.String("2026/19/05443/from-other.csv")}); err == nil {
		t.Error("the other origin's PUT was stored")
	}
}
