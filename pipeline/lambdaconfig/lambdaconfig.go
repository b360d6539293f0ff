// Package lambdaconfig is the configuration the Lambda functions share:
// where the lake is (LAKE_BUCKET, LAKE_PREFIX; S3_ENDPOINT and
// S3_FORCE_PATH_STYLE for S3-compatible servers and tests) and the S3
// client that reaches it. Each function's ConfigFromEnv reads its Lake with
// LakeFromEnv and adds its own variables; its New opens the lake with
// Lake.Client and Lake.Store, so the four functions read the same settings
// the same way and build the same client.
package lambdaconfig

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/xhht/xhht/pipeline/envvars"
	"github.com/xhht/xhht/pipeline/storage/s3store"
)

// Lake is where a function finds the lake.
type Lake struct {
	Bucket    string // LAKE_BUCKET (required)
	Prefix    string // LAKE_PREFIX: key prefix inside the bucket; "" or ends in "/"
	Endpoint  string // S3_ENDPOINT: an S3-compatible server (versitygw, MinIO); "" for AWS
	PathStyle bool   // S3_FORCE_PATH_STYLE=true: bucket in the path (most S3-compatible servers)
}

// bucketName is an S3 bucket name (general purpose buckets): 3–63
// lowercase letters, digits, dots and hyphens, starting and ending with a
// letter or digit. It catches "s3://lake" or "Lake" at init, not at the
// first upload.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// LakeFromEnv reads the lake's settings and returns every problem found,
// so a function reports all of them at once when it fails its init.
func LakeFromEnv() (Lake, []error) {
	l := Lake{
		Bucket:   strings.TrimSpace(os.Getenv(envvars.LakeBucket)),
		Prefix:   strings.TrimSpace(os.Getenv(envvars.LakePrefix)),
		Endpoint: strings.TrimSpace(os.Getenv(envvars.S3Endpoint)),
	}
	// A prefix names a "directory": "env/dev" means "env/dev/", never
	// "env/devreceipts/...".
	if l.Prefix != "" && !strings.HasSuffix(l.Prefix, "/") {
		l.Prefix += "/"
	}
	var errs []error
	if v := strings.TrimSpace(os.Getenv(envvars.S3ForcePathStyle)); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q is not true or false", envvars.S3ForcePathStyle, v))
		}
		l.PathStyle = b
	}
	if err := l.Check(); err != nil {
		errs = append(errs, err)
	}
	return l, errs
}

// Check reports what is wrong with l (every problem), or nil. LakeFromEnv
// calls it; New functions call it for a Lake built in code.
func (l Lake) Check() error {
	var errs []error
	switch {
	case l.Bucket == "":
		errs = append(errs, fmt.Errorf("%s is not set", envvars.LakeBucket))
	case !bucketName.MatchString(l.Bucket) || strings.Contains(l.Bucket, ".."):
		errs = append(errs, fmt.Errorf("%s=%q is not an S3 bucket name (3-63 lowercase letters, digits, '.' or '-'; no s3:// and no key)", envvars.LakeBucket, l.Bucket))
	}
	switch {
	case l.Prefix == "":
	case strings.HasPrefix(l.Prefix, "/") || strings.Contains(l.Prefix, "//"):
		errs = append(errs, fmt.Errorf("%s=%q: a key prefix such as env/dev/, without a leading or doubled /", envvars.LakePrefix, l.Prefix))
	case !strings.HasSuffix(l.Prefix, "/"):
		errs = append(errs, fmt.Errorf("%s=%q does not end in /", envvars.LakePrefix, l.Prefix))
	}
	if l.Endpoint != "" {
		if err := CheckEndpoint(l.Endpoint); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", envvars.S3Endpoint, err))
		}
	}
	return errors.Join(errs...)
}

// CheckEndpoint accepts an absolute http(s) URL with a host: what the
// *_ENDPOINT variables (S3, SQS, SNS, SSM) and queue URLs must be.
func CheckEndpoint(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", s, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL with a host", s)
	}
	return nil
}

// AWS loads the SDK's default configuration: in Lambda, the execution
// role's credentials and AWS_REGION. It makes no network call.
func AWS(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return cfg, nil
}

// Client builds the S3 client of the lake (and of the uploads bucket, the
// same account and endpoint) from the default configuration. It makes no
// network call.
func (l Lake) Client(ctx context.Context) (*s3.Client, error) {
	cfg, err := AWS(ctx)
	if err != nil {
		return nil, err
	}
	return l.ClientFrom(cfg), nil
}

// ClientFrom is Client with an AWS configuration a function already loaded
// for its other clients (SSM, SNS, SQS).
func (l Lake) ClientFrom(cfg aws.Config) *s3.Client {
	return s3store.NewClientFromConfig(cfg, s3store.Options{Endpoint: l.Endpoint, PathStyle: l.PathStyle})
}

// Store is the lake through client: keys under Prefix in Bucket.
func (l Lake) Store(client *s3.Client) *s3store.Store {
	return s3store.New(client, l.Bucket, l.Prefix)
}
