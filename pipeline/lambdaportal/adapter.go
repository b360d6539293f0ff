package lambdaportal

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Request is the event of an HTTP request: API Gateway HTTP API payload
// format 2.0 and Lambda function URLs send the same shape (version "2.0",
// rawPath, rawQueryString, cookies, headers, requestContext.http, body,
// isBase64Encoded), so one adapter serves both.
type Request = events.APIGatewayV2HTTPRequest

// Response is the answer both front doors read (payload format 2.0):
// statusCode, headers (one value each), cookies (the Set-Cookie values),
// body and isBase64Encoded.
type Response = events.LambdaFunctionURLResponse

// MaxResponseBytes bounds the JSON response Lambda accepts from a
// synchronous invocation: 6 MB (6,291,456 bytes) in all. The adapter keeps
// a margin for the JSON around the body and its escaping.
const MaxResponseBytes = 6_291_456 - 64<<10

// Adapter turns HTTP request events into calls of an http.Handler and the
// handler's answer into the event response. The handler sees a request as
// net/http's server would give it, plus: r.TLS set (both front doors are
// HTTPS only), r.RemoteAddr the client's address as AWS saw it
// (requestContext.http.sourceIp, which a client cannot forge, unlike
// X-Forwarded-For) and r.Host the name the browser used.
type Adapter struct {
	Handler http.Handler
	Log     *slog.Logger
}

// Handle serves one event. It never returns an error: a request that cannot
// be turned into an http.Request gets a 400, a handler that panics a 500,
// an answer too large for Lambda a 502, each with a short Vietnamese page;
// an error would only become API Gateway's bare English 500.
func (a *Adapter) Handle(ctx context.Context, ev Request) (Response, error) {
	r, err := NewHTTPRequest(ctx, ev)
	if err != nil {
		a.log().Warn("portal: bad request event", "error", err.Error(), "client", ev.RequestContext.HTTP.SourceIP)
		return errorPage(http.StatusBadRequest, "Yêu cầu không hợp lệ."), nil
	}
	w := newRecorder()
	if perr := a.serve(w, r); perr != nil {
		a.log().Error("portal: handler panic", "panic", fmt.Sprint(perr), "path", r.URL.Path, "stack", string(debug.Stack()))
		return errorPage(http.StatusInternalServerError, "Có lỗi ở máy chủ. Vui lòng thử lại sau ít phút."), nil
	}
	resp := w.response(r.Method == http.MethodHead)
	if n := responseSize(resp); w.tooLarge || n > MaxResponseBytes {
		a.log().Error("portal: response too large for Lambda", "bytes", n, "path", r.URL.Path,
			"content_type", w.sent.Get("Content-Type"))
		return errorPage(http.StatusBadGateway, "Tệp trả về quá lớn để tải qua cổng này. Hãy liên hệ Sở."), nil
	}
	return resp, nil
}

func (a *Adapter) serve(w http.ResponseWriter, r *http.Request) (perr any) {
	defer func() {
		// As net/http's server does, except that ErrAbortHandler is not
		// special here: there is no connection to abort.
		perr = recover()
	}()
	a.Handler.ServeHTTP(w, r)
	return nil
}

func (a *Adapter) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.Default()
}

// NewHTTPRequest builds the http.Request an event stands for.
func NewHTTPRequest(ctx context.Context, ev Request) (*http.Request, error) {
	method := ev.RequestContext.HTTP.Method
	if method == "" {
		return nil, fmt.Errorf("no requestContext.http.method (version %q): not an HTTP API 2.0 or function URL event", ev.Version)
	}
	path := ev.RawPath
	if path == "" {
		path = ev.RequestContext.HTTP.Path
	}
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("path %q does not start with /", path)
	}
	uri := path
	if ev.RawQueryString != "" {
		uri += "?" + ev.RawQueryString
	}
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, fmt.Errorf("path: %w", err)
	}
	var body []byte
	if ev.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
	} else {
		body = []byte(ev.Body)
	}
	r, err := http.NewRequestWithContext(ctx, method, uri, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.URL = u
	r.RequestURI = uri
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	for k, v := range ev.Headers {
		// Payload 2.0 joins repeated headers with commas, as HTTP allows
		// for every header but Cookie and Set-Cookie; cookies come apart.
		r.Header.Set(k, v)
	}
	if len(ev.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	r.Host = r.Header.Get("Host")
	if r.Host == "" {
		r.Host = ev.RequestContext.DomainName
	}
	r.Header.Del("Host") // net/http moves it to r.Host
	u.Host, u.Scheme = "", ""
	r.ContentLength = int64(len(body))
	r.Header.Del("Content-Length")
	if len(body) == 0 {
		r.Body = http.NoBody
	}
	r.TLS = &tls.ConnectionState{HandshakeComplete: true, ServerName: r.Host}
	if ip := ev.RequestContext.HTTP.SourceIP; ip != "" {
		r.RemoteAddr = net.JoinHostPort(ip, "0")
	}
	return r, nil
}

// recorder is the http.ResponseWriter the handler writes to.
type recorder struct {
	header      http.Header // what the handler edits
	sent        http.Header // header as it was at WriteHeader
	status      int
	wroteHeader bool
	body        bytes.Buffer
	tooLarge    bool
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader, w.status = true, code
	// Headers set after this point are not sent, as with net/http.
	w.sent = w.header.Clone()
}

func (w *recorder) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		if w.header.Get("Content-Type") == "" && w.header.Get("Content-Encoding") == "" {
			w.header.Set("Content-Type", http.DetectContentType(p))
		}
		w.WriteHeader(http.StatusOK)
	}
	if w.body.Len()+len(p) > MaxResponseBytes {
		// Keep counting, not keeping: Handle answers 502 instead.
		w.tooLarge = true
		return len(p), nil
	}
	return w.body.Write(p)
}

// response is the event response; head drops the body (HEAD requests).
func (w *recorder) response(head bool) Response {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	resp := Response{StatusCode: w.status, Headers: map[string]string{}}
	for k, vs := range w.sent {
		switch k {
		case "Set-Cookie":
			resp.Cookies = append(resp.Cookies, vs...)
		case "Content-Length":
			// The front door sets it for the decoded body.
		default:
			resp.Headers[k] = strings.Join(vs, ", ")
		}
	}
	if head || w.tooLarge {
		return resp
	}
	b := w.body.Bytes()
	if isText(w.sent.Get("Content-Type")) && utf8.Valid(b) {
		resp.Body = string(b)
	} else {
		resp.Body, resp.IsBase64Encoded = base64.StdEncoding.EncodeToString(b), true
	}
	return resp
}

// isText: media types sent as they are; anything else (workbooks, images,
// unknown) goes base64-encoded, which the front door decodes.
func isText(ctype string) bool {
	mt, _, err := mime.ParseMediaType(ctype)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"), mt == "application/json", mt == "application/javascript",
		mt == "image/svg+xml", strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"), mt == "application/xml":
		return true
	}
	return false
}

// responseSize is the length of r as JSON, which Lambda limits.
func responseSize(r Response) int {
	b, _ := json.Marshal(r)
	return len(b)
}

func errorPage(status int, msg string) Response {
	return Response{StatusCode: status, Headers: map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           "no-store",
	}, Body: "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Lỗi</title><p>" + msg + "</p></html>"}
}
