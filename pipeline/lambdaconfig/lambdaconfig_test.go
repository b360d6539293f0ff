package lambdaconfig

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/s3test"
)

func TestLakeFromEnv(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want Lake
		errs []string // substrings, one per error expected
	}{
		{name: "minimal", env: map[string]string{"LAKE_BUCKET": "xhht-lake"}, want: Lake{Bucket: "xhht-lake"}},
		{name: "everything", env: map[string]string{"LAKE_BUCKET": " lake ", "LAKE_PREFIX": "env/dev/",
			"S3_ENDPOINT": "http://127.0.0.1:7070", "S3_FORCE_PATH_STYLE": "true"},
			want: Lake{Bucket: "lake", Prefix: "env/dev/", Endpoint: "http://127.0.0.1:7070", PathStyle: true}},
		{name: "prefix gets its slash", env: map[string]string{"LAKE_BUCKET": "lake", "LAKE_PREFIX": "env/dev", "S3_FORCE_PATH_STYLE": "false"},
			want: Lake{Bucket: "lake", Prefix: "env/dev/"}},
		{name: "no bucket", env: map[string]string{}, errs: []string{"LAKE_BUCKET is not set"}},
		{name: "blank bucket", env: map[string]string{"LAKE_BUCKET": "  "}, errs: []string{"LAKE_BUCKET is not set"}},
		{name: "bucket as a URL", env: map[string]string{"LAKE_BUCKET": "s3://lake"}, errs: []string{`LAKE_BUCKET="s3://lake" is not an S3 bucket name`}},
		{name: "bucket with a key", env: map[string]string{"LAKE_BUCKET": "lake/env"}, errs: []string{"is not an S3 bucket name"}},
		{name: "bucket in capitals", env: map[string]string{"LAKE_BUCKET": "Lake"}, errs: []string{"is not an S3 bucket name"}},
		{name: "bucket too short", env: map[string]string{"LAKE_BUCKET": "xh"}, errs: []string{"is not an S3 bucket name"}},
		{name: "bucket with two dots", env: map[string]string{"LAKE_BUCKET": "xhht..lake"}, errs: []string{"is not an S3 bucket name"}},
		{name: "prefix from the root", env: map[string]string{"LAKE_BUCKET": "lake", "LAKE_PREFIX": "/env/dev"}, errs: []string{"LAKE_PREFIX"}},
		{name: "prefix with a doubled slash", env: map[string]string{"LAKE_BUCKET": "lake", "LAKE_PREFIX": "env//dev"}, errs: []string{"LAKE_PREFIX"}},
		{name: "endpoint without scheme", env: map[string]string{"LAKE_BUCKET": "lake", "S3_ENDPOINT": "127.0.0.1:7070"}, errs: []string{"S3_ENDPOINT"}},
		{name: "endpoint of another scheme", env: map[string]string{"LAKE_BUCKET": "lake", "S3_ENDPOINT": "ftp://127.0.0.1"}, errs: []string{"S3_ENDPOINT"}},
		{name: "path style not a boolean", env: map[string]string{"LAKE_BUCKET": "lake", "S3_FORCE_PATH_STYLE": "yes please"},
			errs: []string{`S3_FORCE_PATH_STYLE="yes please" is not true or false`}},
		{name: "every problem at once", env: map[string]string{"LAKE_PREFIX": "/x", "S3_ENDPOINT": "nowhere", "S3_FORCE_PATH_STYLE": "maybe"},
			errs: []string{"S3_FORCE_PATH_STYLE", "LAKE_BUCKET is not set", "LAKE_PREFIX", "S3_ENDPOINT"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []string{"LAKE_BUCKET", "LAKE_PREFIX", "S3_ENDPOINT", "S3_FORCE_PATH_STYLE"} {
				t.Setenv(k, c.env[k])
			}
			got, errs := LakeFromEnv()
			if len(c.errs) == 0 {
				if len(errs) != 0 || got != c.want {
					t.Fatalf("LakeFromEnv() = %+v, %v; want %+v, no error", got, errs, c.want)
				}
				if err := got.Check(); err != nil {
					t.Errorf("Check() of a lake read without error: %v", err)
				}
				return
			}
			var all []string
			for _, err := range errs {
				all = append(all, err.Error())
			}
			joined := strings.Join(all, "\n")
			for _, want := range c.errs {
				if !strings.Contains(joined, want) {
					t.Errorf("errors %q lack %q", joined, want)
				}
			}
		})
	}
}

// A Lake built in code (tests, the CLI) is checked the same way before a
// function starts with it.
func TestCheck(t *testing.T) {
	if err := (Lake{Bucket: "lake", Prefix: "env/dev/"}).Check(); err != nil {
		t.Errorf("valid lake: %v", err)
	}
	for _, l := range []Lake{{}, {Bucket: "lake", Prefix: "env/dev"}, {Bucket: "lake", Endpoint: "localhost"}} {
		if err := l.Check(); err == nil {
			t.Errorf("Check(%+v) = nil, want an error", l)
		}
	}
}

func TestCheckEndpoint(t *testing.T) {
	for s, ok := range map[string]bool{
		"https://sqs.ap-southeast-1.amazonaws.com/123456789012/q": true,
		"http://127.0.0.1:9324":                                   true,
		"":                                                        false,
		"127.0.0.1:9324":                                          false,
		"https://":                                                false,
		"ftp://host":                                              false,
		"http://host name":                                        false,
	} {
		if err := CheckEndpoint(s); (err == nil) != ok {
			t.Errorf("CheckEndpoint(%q) = %v, want ok=%v", s, err, ok)
		}
	}
}

// The client and store built from the environment, as a function builds
// them at cold start (credentials and region from AWS_* variables, as
// Lambda sets them), reach a real S3 server (versitygw, which checks
// signatures) with path-style addressing, and keep keys under the prefix.
func TestClientAndStoreAgainstS3(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "xhht-lake")
	t.Setenv("AWS_REGION", srv.Region)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("LAKE_BUCKET", "xhht-lake")
	t.Setenv("LAKE_PREFIX", "env/dev")
	t.Setenv("S3_ENDPOINT", srv.Endpoint)
	t.Setenv("S3_FORCE_PATH_STYLE", "true")
	ctx := context.Background()
	l, errs := LakeFromEnv()
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	client, err := l.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Store(client).Put(ctx, "receipts/x.json", []byte(`{"ok":true}`), "application/json"); err != nil {
		t.Fatal(err)
	}
	// Read back with the server's own client: the key is under the prefix.
	out, err := srv.Client(t).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("xhht-lake"), Key: aws.String("env/dev/receipts/x.json")})
	if err != nil {
		t.Fatalf("object not at env/dev/receipts/x.json: %v", err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != `{"ok":true}` {
		t.Errorf("body %q", b)
	}
	// Wrong credentials: the server refuses the signature, and the error
	// says so rather than passing for an empty lake.
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wrong")
	bad, err := l.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.Store(bad).Get(ctx, "receipts/x.json", ""); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get with a wrong secret key: %v, want a refusal", err)
	}
}
