package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/portal"
	"github.com/xhht/xhht/pipeline/storage"
)

// bucketStandIn stands in for S3's presigned PUT so this package's test
// needs no S3 server: it accepts a PUT whose token matches the one it
// handed out for that key and stores the body in the uploads store. The
// real presigner against versitygw is tested with functions/portal
// (h-portalaws); this test covers the portal's side of Uploader mode.
type bucketStandIn struct {
	srv     *httptest.Server
	uploads storage.Store
	tokens  map[string]string            // token → key
	meta    map[string]map[string]string // key → the metadata the PUT must carry
}

func newBucket(t *testing.T, uploads storage.Store) *bucketStandIn {
	b := &bucketStandIn{uploads: uploads, tokens: map[string]string{}, meta: map[string]map[string]string{}}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := b.tokens[r.URL.Query().Get("token")]
		if r.Method != http.MethodPut || !ok || "/"+key != r.URL.Path {
			http.Error(w, "signature", http.StatusForbidden)
			return
		}
		// As S3 with the signed x-amz-meta-* headers: exactly the metadata
		// handed out, or 403.
		meta := map[string]string{}
		for h, v := range r.Header {
			if m, ok := strings.CutPrefix(strings.ToLower(h), "x-amz-meta-"); ok {
				meta[m] = strings.Join(v, ",")
			}
		}
		if !maps.Equal(meta, b.meta[key]) {
			http.Error(w, "signature (metadata)", http.StatusForbidden)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if err := b.uploads.(storage.MetaPutter).PutMeta(r.Context(), key, body, "", meta); err != nil {
			http.Error(w, err.Error(), 500)
		}
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *bucketStandIn) Target(_ context.Context, key string, size int64, ct string, meta map[string]string) (portal.UploadTarget, error) {
	tok := portal.SafeName(key) + "-tok"
	b.tokens[tok] = key
	b.meta[key] = map[string]string{}
	h := map[string]string{"Content-Type": ct}
	for k, v := range meta {
		b.meta[key][k] = v
		h["X-Amz-Meta-"+k] = v
	}
	return portal.UploadTarget{Method: http.MethodPut, URL: b.srv.URL + "/" + key + "?token=" + url.QueryEscape(tok),
		Header: h, Key: key}, nil
}

// With an Uploader, the browser PUTs to the bucket and asks the portal to
// check the object: the answer is on screen, the lake is left to the S3
// event, and the event's receipt (same submission id) is listed once.
func TestUploaderModeChecksWithoutWriting(t *testing.T) {
	var bucket *bucketStandIn
	e := newEnv(t, func(c *portal.Config) {
		bucket = newBucket(t, c.Uploads)
		c.Uploader = bucket
	})
	c := e.client()
	csrf := c.mustSignIn(communeA)
	if csp := c.get("/").header.Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self' "+bucket.srv.URL) {
		t.Errorf("CSP does not allow the bucket's origin: %q", csp)
	}
	if page := c.get("/").body; !strings.Contains(page, `data-direct="1"`) {
		t.Error("the page does not tell the script to upload straight to the bucket")
	}
	file := goodFile(t, communeA, 3)
	const original = "<b>báo cáo</b> \u202Excod.xlsx"
	body, _ := json.Marshal(map[string]any{"name": original, "size": len(file)})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/nop/dia-chi", bytes.NewReader(body))
	req.Header.Set("X-CSRF-Token", csrf)
	r := c.do(req)
	var tg portal.UploadTarget
	if err := json.Unmarshal(r.raw, &tg); err != nil {
		t.Fatalf("target: %d %s", r.status, r.body)
	}
	if strings.ContainsAny(tg.Key, "<>\u202E ") {
		t.Errorf("key %q is not safe", tg.Key)
	}
	// The original name travels as metadata, encoded for a header.
	if h := tg.Header["X-Amz-Meta-original-name"]; h != "%3Cb%3Eb%C3%A1o%20c%C3%A1o%3C%2Fb%3E%20%E2%80%AExcod.xlsx" {
		t.Errorf("metadata header %q", h)
	}
	sendPut := func(hdr map[string]string) int {
		put, _ := http.NewRequest(tg.Method, tg.URL, bytes.NewReader(file))
		for k, v := range hdr {
			put.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(put)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := sendPut(map[string]string{"Content-Type": "application/octet-stream"}); st != http.StatusForbidden {
		t.Fatalf("PUT without the metadata header: %d", st)
	}
	if st := sendPut(tg.Header); st != http.StatusOK {
		t.Fatalf("PUT to the bucket: %d", st)
	}
	r = c.postForm("/kiem-tra", url.Values{"key": {tg.Key}, "name": {"forged.xlsx"}}, map[string]string{"X-CSRF-Token": csrf, "X-Portal-Fragment": "1"})
	if r.status != http.StatusOK || !strings.Contains(r.body, `class="panel good"`) || strings.Contains(r.body, "<html") {
		t.Fatalf("check: %d\n%s", r.status, r.body)
	}
	if objs, _ := e.lake.List(ctx(), "receipts/"); len(objs) != 0 {
		t.Fatalf("the portal wrote %d receipts in Uploader mode; the S3 event writes them", len(objs))
	}
	// Shown from the object's metadata (not from the name the check
	// request carries), escaped, the override made harmless.
	const shown = "&lt;b&gt;báo cáo&lt;/b&gt; \uFFFDxcod.xlsx"
	if !strings.Contains(r.body, `<td class="name">`+shown+"</td>") || strings.Contains(r.body, "forged") {
		t.Errorf("the checked upload is not listed under its original name before its receipt is written:\n%s", r.body)
	}
	// The S3 event processes the same object: listed once, as the same upload.
	p, err := ingest.New(e.uploads, e.lake)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Process(ctx(), ingest.Upload{Bucket: "local", Key: tg.Key}); err != nil {
		t.Fatal(err)
	}
	page := c.get("/").body
	if n := strings.Count(page, `<td class="name">`); n != 1 {
		t.Errorf("after the event's receipt the page lists %d uploads, want 1", n)
	}
	if !strings.Contains(page, `<td class="name">`+shown+"</td>") || strings.Contains(page, "<b>") || strings.Contains(page, "\u202E") {
		t.Errorf("after the event's receipt the upload is not listed under its escaped original name")
	}
	// A key outside the session's prefix is refused by the check.
	if r := c.postForm("/kiem-tra", url.Values{"key": {strings.Replace(tg.Key, communeA, communeB, 1)}}, map[string]string{"X-CSRF-Token": csrf}); r.status != http.StatusForbidden {
		t.Errorf("check of another commune's key: %d", r.status)
	}
}
