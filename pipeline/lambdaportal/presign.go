package lambdaportal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/xhht/xhht/pipeline/storage"
)

// UploadURLTTL is how long a presigned upload URL can be used. The page asks
// for one right before it sends the file, so a short life is enough; a
// longer one only widens the window in which a leaked URL works: until it
// expires it can be used again (each PUT a new version of the same key,
// each of exactly the signed size and type, each checked by ingest).
const UploadURLTTL = 5 * time.Minute

// Presigner hands out presigned PUT URLs for the uploads bucket. The
// object's size (Content-Length) and type are signed headers: S3 refuses
// the request (403 SignatureDoesNotMatch) when the browser sends another
// length — so a larger body than the portal allowed never lands — and the
// key is fixed by the signature, so the browser cannot choose another
// commune's prefix. The URL is signed with the function's role credentials:
// the role may put objects only under upload keys (infra/template.yaml).
type Presigner struct {
	presign *s3.PresignClient
	bucket  string
	ttl     time.Duration
}

// NewPresigner presigns for bucket with client's credentials and endpoint.
func NewPresigner(client *s3.Client, bucket string) *Presigner {
	return &Presigner{presign: s3.NewPresignClient(client), bucket: bucket, ttl: UploadURLTTL}
}

// Target is the upload target of one object: where and how the browser
// sends its body.
type Target struct {
	Method string
	URL    string
	// Header holds the signed headers the browser must send itself, with
	// exactly these values. Host and Content-Length, which browsers set
	// from the URL and the body and refuse to let scripts set, are left
	// out; they are signed all the same.
	Header map[string]string
}

// Presign signs a PUT of size bytes of contentType to key, with user
// metadata meta (may be nil). Each x-amz-meta-* header is signed (the SDK
// never moves them into the query string), so S3 refuses the PUT when the
// browser leaves one out or changes it: the original name the portal
// records cannot be swapped for another.
func (p *Presigner) Presign(ctx context.Context, key string, size int64, contentType string, meta map[string]string) (Target, error) {
	if key == "" || strings.HasPrefix(key, "/") {
		return Target{}, fmt.Errorf("lambdaportal: presign: bad key %q", key)
	}
	if size <= 0 {
		return Target{}, errors.New("lambdaportal: presign: the size must be positive")
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	if err := storage.CheckMeta(meta); err != nil {
		return Target{}, fmt.Errorf("lambdaportal: presign %s: %w", key, err)
	}
	in := &s3.PutObjectInput{
		Bucket:        aws.String(p.bucket),
		Key:           aws.String(key),
		ContentLength: aws.Int64(size),
		ContentType:   aws.String(contentType),
	}
	if len(meta) > 0 {
		in.Metadata = meta
	}
	req, err := p.presign.PresignPutObject(ctx, in, s3.WithPresignExpires(p.ttl))
	if err != nil {
		return Target{}, fmt.Errorf("lambdaportal: presign %s: %w", key, err)
	}
	t := Target{Method: req.Method, URL: req.URL, Header: map[string]string{}}
	for k, vs := range req.SignedHeader {
		switch http.CanonicalHeaderKey(k) {
		case "Host", "Content-Length":
			continue
		}
		t.Header[http.CanonicalHeaderKey(k)] = strings.Join(vs, ",")
	}
	if !signsHeader(req.URL, "content-length") {
		// Without content-length among the signed headers S3 would take a
		// body of any size: never hand out such a URL.
		return Target{}, fmt.Errorf("lambdaportal: presign %s: content-length is not a signed header", key)
	}
	for k := range meta {
		if !signsHeader(req.URL, "x-amz-meta-"+k) {
			// Unsigned, the browser could send any name, or none.
			return Target{}, fmt.Errorf("lambdaportal: presign %s: x-amz-meta-%s is not a signed header", key, k)
		}
	}
	return t, nil
}

// signsHeader reports whether the presigned URL's X-Amz-SignedHeaders
// include header (lower case).
func signsHeader(u, header string) bool {
	_, q, _ := strings.Cut(u, "?")
	for _, kv := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if k == "X-Amz-SignedHeaders" {
			for _, h := range strings.Split(strings.ReplaceAll(v, "%3B", ";"), ";") {
				if h == header {
					return true
				}
			}
		}
	}
	return false
}
