package s3test_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/xhht/xhht/pipeline/storage/s3test"
)

// The server must reject requests signed with the wrong secret; otherwise the
// storage tests would pass against a server that ignores SigV4 and prove
// nothing about our signing (plain-HTTP payload hashing, path style, region).
func TestRejectsBadSignature(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "sig")
	ctx := context.Background()
	put := func(c *s3.Client, key string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String("sig"), Key: aws.String(key), Body: bytes.NewReader([]byte("x")),
		})
		return err
	}

	// Control: the right keys work, so a failure below is the signature.
	if err := put(srv.Client(t), "good"); err != nil {
		t.Fatalf("put with the right secret: %v", err)
	}

	cases := []struct {
		name, access, secret string
		wantCodes            []string
	}{
		{"wrong secret", srv.AccessKey, srv.SecretKey + "x", []string{"SignatureDoesNotMatch"}},
		// AWS says InvalidAccessKeyId (403); versitygw says XAdminUserNotFound (404).
		{"unknown access key", "someone-else", srv.SecretKey, []string{"InvalidAccessKeyId", "XAdminUserNotFound"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := srv.ClientWithKeys(c.access, c.secret)
			err := put(bad, "bad")
			var api smithy.APIError
			if !errors.As(err, &api) || !slices.Contains(c.wantCodes, api.ErrorCode()) {
				t.Fatalf("put error = %v, want API error %v", err, c.wantCodes)
			}
			_, err = bad.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sig"), Key: aws.String("good")})
			if !errors.As(err, &api) || !slices.Contains(c.wantCodes, api.ErrorCode()) {
				t.Fatalf("get error = %v, want API error %v", err, c.wantCodes)
			}
		})
	}

	// The rejected put must not have written anything.
	_, err := srv.Client(t).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sig"), Key: aws.String("bad")})
	if err == nil {
		t.Error("object written by a request with a bad signature")
	}
	out, err := srv.Client(t).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sig"), Key: aws.String("good")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	if b, _ := io.ReadAll(out.Body); string(b) != "x" {
		t.Errorf("good object = %q", b)
	}
}

// Start must clean up after itself and a second server must not collide with
// the first (each gets its own port and storage).
func TestTwoServers(t *testing.T) {
	a, b := s3test.Start(t), s3test.Start(t)
	if a.Endpoint == b.Endpoint {
		t.Fatalf("both servers on %s", a.Endpoint)
	}
	a.CreateBucket(t, "same-name")
	b.CreateBucket(t, "same-name") // would fail with BucketAlreadyExists if storage were shared
}
