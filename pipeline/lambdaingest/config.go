// Package lambdaingest is the ingest Lambda function without the Lambda
// runtime: S3 ObjectCreated events arrive through SQS, each upload goes
// through ingest.Processor.Process, and the SQS messages whose uploads could
// not be processed are reported back as batch item failures (the event
// source mapping must have ReportBatchItemFailures enabled), so SQS retries
// only those and finally moves them to the dead-letter queue.
//
// functions/ingest is the thin main package around it; everything that can
// be tested without the runtime lives here.
package lambdaingest

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/xhht/xhht/pipeline/envvars"
	"github.com/xhht/xhht/pipeline/lambdaconfig"
)

// DefaultConcurrency is how many S3 records of one batch are processed at
// once when Config.Concurrency is 0.
const DefaultConcurrency = 4

// Config is the function's configuration, from its environment.
type Config struct {
	// Lake (LAKE_BUCKET, LAKE_PREFIX, S3_ENDPOINT, S3_FORCE_PATH_STYLE):
	// receipts and Parquet go here; the same S3 client reads the uploads.
	Lake lambdaconfig.Lake
	// UploadsBucket (UPLOADS_BUCKET), when set, is the only bucket whose
	// events are processed. Records from any other bucket are logged and
	// skipped: retrying them would not make them right.
	UploadsBucket string
	// MaxUploadBytes (MAX_UPLOAD_MB, in MiB) refuses larger uploads with a
	// file-too-large receipt, before reading them; 0 means the default
	// (workbook.DefaultLimits, 50 MiB).
	MaxUploadBytes int64
	// RollupQueueURL (ROLLUP_QUEUE_URL), when set, is the SQS queue that
	// gets {"year": Y, "province": "P"} after uploads are accepted, for the
	// roll-up function. Unset: no roll-up is requested.
	RollupQueueURL string
	// SQSEndpoint (SQS_ENDPOINT) overrides the SQS endpoint, for tests; ""
	// for AWS.
	SQSEndpoint string
	// Concurrency bounds how many S3 records are processed at once; 0 means
	// DefaultConcurrency. Not read from the environment.
	Concurrency int
}

// ConfigFromEnv reads the configuration from the environment.
func ConfigFromEnv() (Config, error) {
	lake, lakeErrs := lambdaconfig.LakeFromEnv()
	c := Config{
		Lake:          lake,
		UploadsBucket: strings.TrimSpace(os.Getenv(envvars.UploadsBucket)),
		// Queue URLs are case-sensitive (account id, queue name): no other
		// normalisation than spaces.
		RollupQueueURL: strings.TrimSpace(os.Getenv(envvars.RollupQueueURL)),
		SQSEndpoint:    strings.TrimSpace(os.Getenv(envvars.SQSEndpoint)),
	}
	errs := lakeErrs
	// With uploads and lake in one bucket and no lake prefix, the function's
	// own receipts would look like uploads and trigger it without end.
	if c.UploadsBucket != "" && c.UploadsBucket == c.Lake.Bucket && c.Lake.Prefix == "" {
		errs = append(errs, errors.New("UPLOADS_BUCKET equals LAKE_BUCKET: set LAKE_PREFIX so the lake's objects are not taken for uploads"))
	}
	if v := strings.TrimSpace(os.Getenv(envvars.MaxUploadMB)); v != "" {
		mb, err := strconv.ParseInt(v, 10, 64)
		if err != nil || mb <= 0 || mb > 1024 {
			errs = append(errs, fmt.Errorf("MAX_UPLOAD_MB=%q is not a whole number of MiB between 1 and 1024", v))
		}
		c.MaxUploadBytes = mb << 20
	}
	// A typo here would only show as failed sends, one per accepted
	// upload, each retried: better to refuse to start.
	if c.RollupQueueURL != "" {
		if err := lambdaconfig.CheckEndpoint(c.RollupQueueURL); err != nil {
			errs = append(errs, fmt.Errorf("ROLLUP_QUEUE_URL: %w", err))
		}
	}
	if c.SQSEndpoint != "" {
		if err := lambdaconfig.CheckEndpoint(c.SQSEndpoint); err != nil {
			errs = append(errs, fmt.Errorf("SQS_ENDPOINT: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("lambdaingest: config: %w", err)
	}
	return c, nil
}

func (c Config) concurrency() int {
	if c.Concurrency > 0 {
		return c.Concurrency
	}
	return DefaultConcurrency
}
