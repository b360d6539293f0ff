package lambdaportal

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// functionURLEvent is a function URL event as AWS documents its shape
// (payload format 2.0): a POST of a form with two cookies.
const functionURLEvent = `{
  "version": "2.0",
  "routeKey": "$default",
  "rawPath": "/kiem-tra/th%C3%B4n",
  "rawQueryString": "a=1&a=2&q=x%20y",
  "cookies": ["phien=abc.def", "lang=vi"],
  "headers": {
    "host": "abcdefg.lambda-url.ap-southeast-1.on.aws",
    "content-type": "application/x-www-form-urlencoded",
    "accept": "text/html, application/xhtml+xml",
    "x-forwarded-for": "10.9.9.9, 203.0.113.7",
    "origin": "https://abcdefg.lambda-url.ap-southeast-1.on.aws"
  },
  "queryStringParameters": {"a": "1,2", "q": "x y"},
  "requestContext": {
    "accountId": "123456789012",
    "apiId": "abcdefg",
    "domainName": "abcdefg.lambda-url.ap-southeast-1.on.aws",
    "domainPrefix": "abcdefg",
    "http": {"method": "POST", "path": "/kiem-tra/thôn", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "Mozilla/5.0"},
    "requestId": "id", "routeKey": "$default", "stage": "$default", "time": "06/Dec/2026:19:00:00 +0000", "timeEpoch": 1796583600000
  },
  "body": "a2V5PTIwMjYlMkYxOSUyRjA1NDQzJTJGZi5jc3Y=",
  "isBase64Encoded": true
}`

type seen struct {
	Method, Path, RawQuery, Host, RemoteAddr, Cookie, ContentType, Accept, Body string
	A                                                                           []string
	Cookies                                                                     map[string]string
	TLS                                                                         bool
	Length                                                                      int64
}

func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s := seen{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Host: r.Host, RemoteAddr: r.RemoteAddr,
		Cookie: r.Header.Get("Cookie"), ContentType: r.Header.Get("Content-Type"), Accept: r.Header.Get("Accept"),
		Body: string(b), A: r.URL.Query()["a"], Cookies: map[string]string{}, TLS: r.TLS != nil, Length: r.ContentLength}
	for _, c := range r.Cookies() {
		s.Cookies[c.Name] = c.Value
	}
	if f, err := url.ParseQuery(string(b)); err == nil && f.Get("key") != "" {
		s.Body += " | form key=" + f.Get("key")
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s)
}

func handle(t *testing.T, h http.Handler, ev Request) Response {
	t.Helper()
	a := &Adapter{Handler: h, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	resp, err := a.Handle(context.Background(), ev)
	if err != nil {
		t.Fatalf("Handle returned an error (API Gateway would answer a bare 500): %v", err)
	}
	return resp
}

func TestAdapterRequest(t *testing.T) {
	var ev Request
	if err := json.Unmarshal([]byte(functionURLEvent), &ev); err != nil {
		t.Fatal(err)
	}
	resp := handle(t, http.HandlerFunc(echo), ev)
	if resp.StatusCode != 200 || resp.IsBase64Encoded {
		t.Fatalf("status %d base64 %v: %s", resp.StatusCode, resp.IsBase64Encoded, resp.Body)
	}
	var s seen
	if err := json.Unmarshal([]byte(resp.Body), &s); err != nil {
		t.Fatal(err)
	}
	want := seen{Method: "POST", Path: "/kiem-tra/thôn", RawQuery: "a=1&a=2&q=x%20y",
		Host: "abcdefg.lambda-url.ap-southeast-1.on.aws", RemoteAddr: "203.0.113.7:0",
		Cookie: "phien=abc.def; lang=vi", ContentType: "application/x-www-form-urlencoded",
		Accept: "text/html, application/xhtml+xml", Body: "key=2026%2F19%2F05443%2Ff.csv | form key=2026/19/05443/f.csv",
		A: []string{"1", "2"}, Cookies: map[string]string{"phien": "abc.def", "lang": "vi"}, TLS: true, Length: 29}
	gotJS, _ := json.Marshal(s)
	wantJS, _ := json.Marshal(want)
	if !bytes.Equal(gotJS, wantJS) {
		t.Errorf("handler saw\n %s\nwant\n %s", gotJS, wantJS)
	}
}

func TestAdapterResponse(t *testing.T) {
	xlsx := append([]byte("PK\x03\x04"), 0xff, 0x00, 0xfe, 'x') // a zip's start: not UTF-8
	cases := []struct {
		name    string
		method  string
		handler http.HandlerFunc
		check   func(t *testing.T, r Response)
	}{
		{"cookies and repeated headers", "GET", func(w http.ResponseWriter, r *http.Request) {
			http.SetCookie(w, &http.Cookie{Name: "phien", Value: "v1", HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode, Path: "/"})
			http.SetCookie(w, &http.Cookie{Name: "csrf", Value: "v2", Path: "/"})
			w.Header().Add("Vary", "Cookie")
			w.Header().Add("Vary", "Accept-Encoding")
			w.Header().Set("Content-Length", "999")
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusSeeOther)
			io.WriteString(w, "<p>Đã đăng nhập</p>")
		}, func(t *testing.T, r Response) {
			if r.StatusCode != 303 || len(r.Cookies) != 2 || !strings.HasPrefix(r.Cookies[0], "phien=v1; Path=/; HttpOnly; Secure; SameSite=Strict") || !strings.HasPrefix(r.Cookies[1], "csrf=v2") {
				t.Errorf("status %d cookies %q", r.StatusCode, r.Cookies)
			}
			if r.Headers["Vary"] != "Cookie, Accept-Encoding" || r.Headers["Set-Cookie"] != "" || r.Headers["Content-Length"] != "" {
				t.Errorf("headers %v", r.Headers)
			}
			if r.IsBase64Encoded || r.Body != "<p>Đã đăng nhập</p>" {
				t.Errorf("body %q base64 %v", r.Body, r.IsBase64Encoded)
			}
		}},
		{"binary workbook", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			w.Header().Set("Content-Disposition", `attachment; filename="bao-cao-danh-dau.xlsx"`)
			w.Write(xlsx[:3])
			w.Write(xlsx[3:])
		}, func(t *testing.T, r Response) {
			b, err := base64.StdEncoding.DecodeString(r.Body)
			if !r.IsBase64Encoded || err != nil || !bytes.Equal(b, xlsx) {
				t.Errorf("base64 %v body %q (%v), want the workbook's bytes", r.IsBase64Encoded, r.Body, err)
			}
			if r.Headers["Content-Disposition"] != `attachment; filename="bao-cao-danh-dau.xlsx"` {
				t.Errorf("headers %v", r.Headers)
			}
		}},
		{"text type but not UTF-8 goes base64", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/csv")
			w.Write([]byte{'a', 0xff, 'b'})
		}, func(t *testing.T, r Response) {
			if b, _ := base64.StdEncoding.DecodeString(r.Body); !r.IsBase64Encoded || string(b) != "a\xffb" {
				t.Errorf("body %q base64 %v", r.Body, r.IsBase64Encoded)
			}
		}},
		{"no content type is sniffed", "GET", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<!doctype html><p>x")
		}, func(t *testing.T, r Response) {
			if r.StatusCode != 200 || r.Headers["Content-Type"] != "text/html; charset=utf-8" || r.IsBase64Encoded {
				t.Errorf("status %d headers %v", r.StatusCode, r.Headers)
			}
		}},
		{"headers after WriteHeader are not sent", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			w.Header().Set("X-Late", "1")
			w.WriteHeader(http.StatusOK)
		}, func(t *testing.T, r Response) {
			if r.StatusCode != 404 || r.Headers["X-Late"] != "" {
				t.Errorf("status %d headers %v", r.StatusCode, r.Headers)
			}
		}},
		{"HEAD has no body", "HEAD", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "body")
		}, func(t *testing.T, r Response) {
			if r.StatusCode != 200 || r.Body != "" {
				t.Errorf("status %d body %q", r.StatusCode, r.Body)
			}
		}},
		{"panic is a 500 page", "GET", func(w http.ResponseWriter, r *http.Request) {
			panic("boom")
		}, func(t *testing.T, r Response) {
			if r.StatusCode != 500 || !strings.Contains(r.Body, "Có lỗi ở máy chủ") || strings.Contains(r.Body, "boom") {
				t.Errorf("status %d body %q", r.StatusCode, r.Body)
			}
		}},
		{"too large for Lambda is a 502 page", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			chunk := bytes.Repeat([]byte{0xfe}, 1<<20)
			for range 5 { // 5 MiB: 6.7 MB once base64-encoded
				w.Write(chunk)
			}
		}, func(t *testing.T, r Response) {
			if r.StatusCode != 502 || !strings.Contains(r.Body, "quá lớn") {
				t.Errorf("status %d body %.100q", r.StatusCode, r.Body)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev := Request{Version: "2.0", RawPath: "/", Headers: map[string]string{"host": "portal.example"}}
			ev.RequestContext.HTTP.Method = tc.method
			ev.RequestContext.HTTP.SourceIP = "198.51.100.1"
			r := handle(t, tc.handler, ev)
			tc.check(t, r)
			if b, _ := json.Marshal(r); len(b) > 6_291_456 {
				t.Errorf("response of %d bytes: over Lambda's 6 MB", len(b))
			}
		})
	}
}

func TestAdapterBadEvents(t *testing.T) {
	called := false
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true })
	base := func() Request {
		ev := Request{Version: "2.0", RawPath: "/", Headers: map[string]string{"host": "portal.example"}}
		ev.RequestContext.HTTP.Method = "POST"
		return ev
	}
	cases := []struct {
		name string
		edit func(*Request)
	}{
		{"not an HTTP event (an SQS batch)", func(e *Request) { *e = Request{} }},
		{"bad base64 body", func(e *Request) { e.Body, e.IsBase64Encoded = "%%%not base64", true }},
		{"relative path", func(e *Request) { e.RawPath = "dang-nhap" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			called = false
			ev := base()
			tc.edit(&ev)
			r := handle(t, h, ev)
			if r.StatusCode != 400 || called || !strings.Contains(r.Body, "Yêu cầu không hợp lệ") {
				t.Errorf("status %d, handler called %v, body %q", r.StatusCode, called, r.Body)
			}
		})
	}
}
