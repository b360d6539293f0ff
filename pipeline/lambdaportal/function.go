package lambdaportal

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/lambdaconfig"
	"github.com/xhht/xhht/pipeline/portal"
	"github.com/xhht/xhht/pipeline/storage/s3store"
)

// keysTimeout bounds the cold start's one network call: a Parameter Store
// that does not answer fails the init at once instead of at Lambda's 10 s
// init limit.
const keysTimeout = 3 * time.Second

// Uploader is the portal.Uploader of the function: presigned PUTs.
type Uploader struct{ *Presigner }

// Target implements portal.Uploader.
func (u Uploader) Target(ctx context.Context, key string, size int64, contentType string, meta map[string]string) (portal.UploadTarget, error) {
	t, err := u.Presign(ctx, key, size, contentType, meta)
	if err != nil {
		return portal.UploadTarget{}, err
	}
	return portal.UploadTarget{Method: t.Method, URL: t.URL, Header: t.Header, Key: key}, nil
}

// New builds the function's handler at cold start: the AWS clients (from
// the execution role and AWS_REGION), the session keys from Parameter
// Store, and the portal. log receives the portal's JSON lines (stdout in
// Lambda; the failed sign-in alarm's metric filter reads them).
func New(ctx context.Context, cfg Config, log io.Writer) (*Adapter, error) {
	if err := cfg.Lake.Check(); err != nil {
		return nil, fmt.Errorf("lambdaportal: %w", err)
	}
	// One AWS configuration for the S3 and SSM clients.
	awsCfg, err := lambdaconfig.AWS(ctx)
	if err != nil {
		return nil, fmt.Errorf("lambdaportal: %w", err)
	}
	client := cfg.Lake.ClientFrom(awsCfg)
	ssmClient := ssm.NewFromConfig(awsCfg, func(o *ssm.Options) {
		if cfg.SSMEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.SSMEndpoint)
		}
	})
	kctx, cancel := context.WithTimeout(ctx, keysTimeout)
	keys, err := LoadSessionKeys(kctx, ssmClient, cfg.SessionKeysParameter)
	cancel()
	if err != nil {
		return nil, err
	}
	return NewWithClients(cfg, client, keys, log)
}

// NewWithClients is New with the S3 client and keys given (tests).
func NewWithClients(cfg Config, client *s3.Client, keys [][]byte, log io.Writer) (*Adapter, error) {
	logger := NewLogger(log)
	lake := cfg.Lake.Store(client)
	h, err := portal.New(portal.Config{
		Lake:           lake,
		Uploads:        s3store.New(client, cfg.UploadsBucket, ""),
		UploadsBucket:  cfg.UploadsBucket,
		Uploader:       Uploader{NewPresigner(client, cfg.UploadsBucket)},
		Authority:      access.NewAuthority(lake),
		SessionKeys:    keys,
		Secure:         true,
		MaxUploadBytes: cfg.MaxUploadBytes,
		PublicURL:      cfg.PublicURL,
		Logger:         logger,
	})
	if err != nil {
		return nil, fmt.Errorf("lambdaportal: %w", err)
	}
	return &Adapter{Handler: h, Log: logger}, nil
}

// FailedSignInMessage is the msg of the JSON line pipeline/portal logs for
// each failed sign-in; infra/template.yaml's metric filter counts these
// lines for the failed sign-in alarm (infra and tests/ check both ends).
const FailedSignInMessage = "portal: sign-in failed"

// NewLogger is the function's logger: one JSON object per line, which
// Lambda's JSON log format keeps as it is and metric filters can match
// ({ $.msg = "portal: sign-in failed" }).
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, nil))
}
