package lambdaportal

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/s3store"
	"github.com/xhht/xhht/pipeline/storage/s3test"
)

const testBucket = "uploads"

// presignEnv is a real versitygw (it checks SigV4 signatures, presigned
// ones included) with an uploads bucket.
func presignEnv(t *testing.T) (*s3test.Server, *s3.Client, *Presigner) {
	t.Helper()
	srv := s3test.Start(t)
	srv.CreateBucket(t, testBucket)
	c := srv.Client(t)
	return srv, c, NewPresigner(c, testBucket)
}

// send makes the browser's request for target with body, plus extra
// headers (overriding the target's).
func send(t *testing.T, tg Target, body []byte, extra map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(tg.Method, tg.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range tg.Header {
		req.Header.Set(k, v)
	}
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

func objectSize(t *testing.T, c *s3.Client, key string) (int64, bool) {
	t.Helper()
	out, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
	if err != nil {
		return 0, false
	}
	return aws.ToInt64(out.ContentLength), true
}

func TestPresignedPutStoresExactlyTheSignedUpload(t *testing.T) {
	_, c, p := presignEnv(t)
	body := []byte("Thôn,Số hộ\nThôn 1,120\n")
	key := "2026/19/05443/20261206-185100-a1b2c3-bao-cao.csv"
	tg, err := p.Presign(context.Background(), key, int64(len(body)), "text/csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	if tg.Method != http.MethodPut {
		t.Fatalf("method %s, want PUT", tg.Method)
	}
	if tg.Header["Content-Type"] != "text/csv" {
		t.Errorf("Content-Type header %q, want the signed text/csv", tg.Header["Content-Type"])
	}
	for _, h := range []string{"Host", "Content-Length"} {
		if _, ok := tg.Header[h]; ok {
			t.Errorf("target asks the browser to set %s, which browsers refuse to let scripts set", h)
		}
	}
	u, _ := url.Parse(tg.URL)
	if sh := u.Query().Get("X-Amz-SignedHeaders"); !strings.Contains(sh, "content-length") || !strings.Contains(sh, "content-type") {
		t.Errorf("signed headers %q: want content-length and content-type", sh)
	}
	if resp := send(t, tg, body, nil); resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("PUT: %s %s", resp.Status, b)
	}
	got, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(b, body) {
		t.Errorf("stored %q, want %q", b, body)
	}
}

// TestPresignedPutRefusesOtherRequests: S3 (here versitygw, which checks
// the signature like S3) refuses every request the signature does not
// cover, and stores nothing.
func TestPresignedPutRefusesOtherRequests(t *testing.T) {
	_, c, p := presignEnv(t)
	const size = 100
	body := bytes.Repeat([]byte("a"), size)
	key := "2026/19/05443/f.xlsx"
	tg, err := p.Presign(context.Background(), key, size, "application/octet-stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	other := func(f func(*Target)) Target {
		t2 := Target{Method: tg.Method, URL: tg.URL, Header: map[string]string{}}
		for k, v := range tg.Header {
			t2.Header[k] = v
		}
		f(&t2)
		return t2
	}
	cases := []struct {
		name   string
		target Target
		body   []byte
		extra  map[string]string
		key    string // where a wrongly accepted body would land
	}{
		{"larger body", tg, bytes.Repeat([]byte("a"), size+1), nil, key},
		{"much larger body", tg, bytes.Repeat([]byte("a"), 10*size), nil, key},
		{"smaller body", tg, body[:size-1], nil, key},
		{"other content type", tg, body, map[string]string{"Content-Type": "text/html"}, key},
		{"other key (another commune)", other(func(x *Target) {
			x.URL = strings.Replace(x.URL, "/2026/19/05443/", "/2026/19/01840/", 1)
		}), body, nil, "2026/19/01840/f.xlsx"},
		{"other bucket path (other year)", other(func(x *Target) {
			x.URL = strings.Replace(x.URL, "/2026/", "/2025/", 1)
		}), body, nil, "2025/19/05443/f.xlsx"},
		{"signed length edited in the URL", other(func(x *Target) {
			x.URL = strings.Replace(x.URL, "X-Amz-SignedHeaders=content-length%3B", "X-Amz-SignedHeaders=", 1)
		}), bytes.Repeat([]byte("a"), 10*size), nil, key},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := send(t, tc.target, tc.body, tc.extra)
			if resp.StatusCode != http.StatusForbidden {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("status %s, want 403 Forbidden: %s", resp.Status, b)
			}
			if n, ok := objectSize(t, c, tc.key); ok {
				t.Fatalf("an object of %d bytes was stored at %s", n, tc.key)
			}
		})
	}
}

// TestPresignedPutBodyBeyondContentLength: a client that sends the signed
// Content-Length but more bytes after it (which no browser does) still
// stores only the signed number of bytes: S3 reads exactly Content-Length
// bytes of body, and the rest is not part of the upload.
func TestPresignedPutBodyBeyondContentLength(t *testing.T) {
	_, c, p := presignEnv(t)
	const size = 64
	key := "2026/19/05443/raw.csv"
	tg, err := p.Presign(context.Background(), key, size, "text/csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(tg.URL)
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	var req bytes.Buffer
	fmt.Fprintf(&req, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\nContent-Type: text/csv\r\nConnection: close\r\n\r\n", u.RequestURI(), u.Host, size)
	req.Write(bytes.Repeat([]byte("b"), size))
	req.Write(bytes.Repeat([]byte("X"), 4096)) // beyond the signed length
	if _, err := conn.Write(req.Bytes()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT with the signed length: %s", resp.Status)
	}
	if n, ok := objectSize(t, c, key); !ok || n != size {
		t.Fatalf("stored %d bytes (found %v), want exactly the signed %d", n, ok, size)
	}
}

func TestPresignedPutExpires(t *testing.T) {
	_, c, p := presignEnv(t)
	p.ttl = time.Second
	key := "2026/19/05443/late.csv"
	tg, err := p.Presign(context.Background(), key, 3, "text/csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond)
	if resp := send(t, tg, []byte("abc"), nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("expired URL: %s, want 403", resp.Status)
	}
	if _, ok := objectSize(t, c, key); ok {
		t.Fatal("expired URL stored an object")
	}
}

func TestPresignRefusesBadInput(t *testing.T) {
	p := NewPresigner(s3.New(s3.Options{Region: "us-east-1"}), testBucket)
	for _, tc := range []struct {
		key  string
		size int64
	}{{"", 1}, {"/2026/19/05443/a.csv", 1}, {"2026/19/05443/a.csv", 0}, {"2026/19/05443/a.csv", -5}} {
		if _, err := p.Presign(context.Background(), tc.key, tc.size, "text/csv", nil); err == nil {
			t.Errorf("Presign(%q, %d): no error", tc.key, tc.size)
		}
	}
}

// TestPresignedPutSignsTheOriginalName: the original file name travels as
// signed user metadata. S3 (versitygw, which checks signatures) stores it
// when the browser sends the target's headers as they are, and refuses the
// PUT, storing nothing, when the header is missing or altered.
func TestPresignedPutSignsTheOriginalName(t *testing.T) {
	_, c, p := presignEnv(t)
	const original = "<script>alert(1)</script> \u202Efdp.xlsx ../../x"
	body := []byte("PK\x03\x04 workbook")
	key := "2026/19/05443/20261206-185100-a1b2c3-script-fdp.xlsx"
	tg, err := p.Presign(context.Background(), key, int64(len(body)), "application/octet-stream", storage.OriginalNameMeta(original))
	if err != nil {
		t.Fatal(err)
	}
	h, ok := tg.Header["X-Amz-Meta-Original-Name"]
	if !ok {
		t.Fatalf("target headers %v: no X-Amz-Meta-Original-Name for the browser to send", tg.Header)
	}
	u, _ := url.Parse(tg.URL)
	if sh := u.Query().Get("X-Amz-SignedHeaders"); !strings.Contains(sh, "x-amz-meta-original-name") {
		t.Errorf("signed headers %q: want x-amz-meta-original-name", sh)
	}
	if strings.Contains(u.RawQuery, "original-name=") || strings.Contains(u.RawQuery, "Original-Name=") {
		t.Errorf("the metadata is in the query string, not a signed header: %s", u.RawQuery)
	}
	for _, tc := range []struct {
		name  string
		extra map[string]string
		drop  bool
	}{
		{"header missing", nil, true},
		{"another name", map[string]string{"X-Amz-Meta-Original-Name": "bao-cao-khac.xlsx"}, false},
		{"the name cut", map[string]string{"X-Amz-Meta-Original-Name": h[:len(h)-4]}, false},
		{"another metadata key too", map[string]string{"X-Amz-Meta-Commune": "01840"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg2 := Target{Method: tg.Method, URL: tg.URL, Header: map[string]string{}}
			for k, v := range tg.Header {
				if !(tc.drop && k == "X-Amz-Meta-Original-Name") {
					tg2.Header[k] = v
				}
			}
			if resp := send(t, tg2, body, tc.extra); resp.StatusCode != http.StatusForbidden {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("status %s, want 403 Forbidden: %s", resp.Status, b)
			}
			if n, ok := objectSize(t, c, key); ok {
				t.Fatalf("an object of %d bytes was stored", n)
			}
		})
	}
	if resp := send(t, tg, body, nil); resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("PUT with the target's headers: %s %s", resp.Status, b)
	}
	_, obj, err := s3store.New(c, testBucket, "").Get(context.Background(), key, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := storage.OriginalName(obj); got != original {
		t.Errorf("stored original name %q (meta %v), want %q", got, obj.Meta, original)
	}
}

func TestPresignRefusesBadMeta(t *testing.T) {
	p := NewPresigner(s3.New(s3.Options{Region: "us-east-1"}), testBucket)
	if _, err := p.Presign(context.Background(), "2026/19/05443/a.csv", 1, "text/csv", map[string]string{"original-name": "báo cáo.csv"}); !errors.Is(err, storage.ErrBadMeta) {
		t.Errorf("raw non-ASCII name: %v, want ErrBadMeta", err)
	}
}
