// Package s3store implements storage.Store on an S3 bucket with aws-sdk-go-v2.
//
// Retries: every call goes through the SDK's standard retryer (3 attempts,
// exponential backoff with jitter, retrying throttling, 5xx and connection
// errors). Bodies are bytes.Readers, which the SDK rewinds between attempts,
// so no retry logic is needed here.
package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/xhht/xhht/pipeline/storage"
)

// Store is a storage.Store backed by one bucket, optionally under a key prefix.
type Store struct {
	client *s3.Client
	bucket string
	prefix string
}

var _ storage.Writer = (*Store)(nil)

// New returns a Store for bucket. prefix (may be "") is prepended to every key
// and stripped from listed keys, so several stores can share one bucket.
func New(client *s3.Client, bucket, prefix string) *Store {
	return &Store{client: client, bucket: bucket, prefix: prefix}
}

// Options overrides the SDK's default configuration (environment, shared
// config files, instance roles). Empty fields keep the default, so in Lambda
// Options{} just works.
type Options struct {
	Endpoint  string // e.g. http://127.0.0.1:7070 for versitygw or MinIO
	Region    string
	AccessKey string // with SecretKey: static credentials
	SecretKey string
	PathStyle bool // bucket in the path, not the host name: needed by most S3-compatible servers
}

// NewClient builds an S3 client from the default config plus o's overrides.
func NewClient(ctx context.Context, o Options) (*s3.Client, error) {
	var opts []func(*config.LoadOptions) error
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.AccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(o.AccessKey, o.SecretKey, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3: load config: %w", err)
	}
	return NewClientFromConfig(cfg, o), nil
}

// NewClientFromConfig builds an S3 client from an AWS configuration already
// loaded (shared with other services' clients) plus o's Endpoint and
// PathStyle; o's Region and credentials are not used.
func NewClientFromConfig(cfg aws.Config, o Options) *s3.Client {
	return s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = aws.String(o.Endpoint)
		}
		so.UsePathStyle = o.PathStyle
	})
}

// Get implements storage.Store.
func (s *Store) Get(ctx context.Context, key, version string) ([]byte, storage.Object, error) {
	return s.GetLimited(ctx, key, version, 0)
}

// GetLimited implements storage.LimitedGetter: an object whose
// Content-Length is over maxBytes is refused before its body is read.
func (s *Store) GetLimited(ctx context.Context, key, version string, maxBytes int64) ([]byte, storage.Object, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.prefix + key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		if isNotFound(err) {
			// Wrap both: callers test errors.Is(err, storage.ErrNotFound),
			// and the SDK error keeps the request ID for debugging.
			return nil, storage.Object{}, fmt.Errorf("s3: get %q: %w: %w", key, storage.ErrNotFound, err)
		}
		return nil, storage.Object{}, fmt.Errorf("s3: get %q: %w", key, err)
	}
	defer out.Body.Close()
	obj := storage.Object{
		Key:          key,
		Size:         aws.ToInt64(out.ContentLength),
		ETag:         unquote(aws.ToString(out.ETag)),
		VersionID:    aws.ToString(out.VersionId), // "" when the bucket is not versioned
		LastModified: aws.ToTime(out.LastModified).UTC(),
	}
	if len(out.Metadata) > 0 {
		obj.Meta = out.Metadata
	}
	if maxBytes > 0 && obj.Size > maxBytes {
		return nil, obj, fmt.Errorf("s3: get %q: %d bytes, limit %d: %w", key, obj.Size, maxBytes, storage.ErrTooLarge)
	}
	r := io.Reader(out.Body)
	if maxBytes > 0 {
		r = io.LimitReader(out.Body, maxBytes+1) // in case Content-Length was absent
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, storage.Object{}, fmt.Errorf("s3: get %q: read body: %w", key, err)
	}
	obj.Size = int64(len(body))
	if maxBytes > 0 && obj.Size > maxBytes {
		return nil, obj, fmt.Errorf("s3: get %q: over %d bytes: %w", key, maxBytes, storage.ErrTooLarge)
	}
	return body, obj, nil
}

// Put implements storage.Store. A single PutObject is atomic in S3: readers
// see the old or the new object, never a part.
func (s *Store) Put(ctx context.Context, key string, body []byte, contentType string) error {
	return s.PutMeta(ctx, key, body, contentType, nil)
}

var _ storage.MetaPutter = (*Store)(nil)

// PutMeta implements storage.MetaPutter: meta becomes the object's user
// metadata (x-amz-meta-<key> headers), checked first with
// storage.CheckMeta so S3 never sees a header it would mangle or refuse.
func (s *Store) PutMeta(ctx context.Context, key string, body []byte, contentType string, meta map[string]string) error {
	if err := storage.CheckMeta(meta); err != nil {
		return fmt.Errorf("s3: put %q: %w", key, err)
	}
	in := &s3.PutObjectInput{
		Metadata: meta,
		Bucket:   aws.String(s.bucket),
		Key:      aws.String(s.prefix + key),
		// A seekable body lets the SDK hash the payload for SigV4 over
		// plain HTTP and rewind it for retries.
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
	}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	if _, err := s.client.PutObject(ctx, in); err != nil {
		return fmt.Errorf("s3: put %q: %w", key, err)
	}
	return nil
}

// Delete implements storage.Writer. In a versioned bucket this adds a delete
// marker; the old version stays until the lifecycle rule expires it.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.prefix + key)})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("s3: delete %q: %w", key, err)
	}
	return nil
}

// PutIf implements storage.Writer with S3 conditional writes (If-Match /
// If-None-Match: *), so the check and the write are one atomic request.
func (s *Store) PutIf(ctx context.Context, key string, body []byte, contentType, ifMatch string) error {
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(s.prefix + key),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
	}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	if ifMatch == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(`"` + ifMatch + `"`)
	}
	if _, err := s.client.PutObject(ctx, in); err != nil {
		var api smithy.APIError
		// 412 PreconditionFailed; 409 ConditionalRequestConflict when two
		// conditional writes race. Both mean "someone else wrote first".
		if errors.As(err, &api) && (api.ErrorCode() == "PreconditionFailed" || api.ErrorCode() == "ConditionalRequestConflict") {
			return fmt.Errorf("s3: put %q: %w: %w", key, storage.ErrPrecondition, err)
		}
		if isNotFound(err) && ifMatch != "" {
			return fmt.Errorf("s3: put %q: %w: %w", key, storage.ErrPrecondition, err)
		}
		return fmt.Errorf("s3: put %q: %w", key, err)
	}
	return nil
}

// List implements storage.Store. ListObjectsV2 does not report versions, so
// VersionID is empty; Get the key to learn its current version.
func (s *Store) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	var objs []storage.Object
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket),
		Prefix: aws.String(s.prefix + prefix),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("s3: list %q: %w", prefix, err)
		}
		for _, o := range page.Contents {
			objs = append(objs, storage.Object{
				Key:          strings.TrimPrefix(aws.ToString(o.Key), s.prefix),
				Size:         aws.ToInt64(o.Size),
				ETag:         unquote(aws.ToString(o.ETag)),
				LastModified: aws.ToTime(o.LastModified).UTC(),
			})
		}
	}
	// S3 already returns UTF-8 binary order; sorting anyway keeps the
	// contract even for S3-compatible servers that differ.
	slices.SortFunc(objs, func(a, b storage.Object) int { return strings.Compare(a.Key, b.Key) })
	return objs, nil
}

// isNotFound reports whether err means the key or version does not exist.
// GetObject returns a modeled NoSuchKey; a missing version is NoSuchVersion,
// which the SDK does not model; a 404 without a body surfaces as NotFound or
// a bare status. Other 404 codes are not "missing object": NoSuchBucket is
// misconfiguration, and versitygw answers an unknown access key with
// XAdminUserNotFound (404), which must not read as "no upload yet".
func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() != "" {
		switch api.ErrorCode() {
		case "NoSuchKey", "NotFound", "NoSuchVersion":
			return true
		}
		return false
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}

// unquote strips the quotes S3 puts around ETags.
func unquote(etag string) string { return strings.Trim(etag, `"`) }
