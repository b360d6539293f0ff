// Package lambdarollup is the roll-up Lambda function without the Lambda
// runtime. The ingest function sends {"year": 2026, "province": "19"} to the
// roll-up queue after each accepted upload; the queue's batching window
// gathers a burst of them into one batch, which this handler reduces to one
// rollup.Build per (year, province). The SQS messages of a failed build are
// reported back as batch item failures (the event source mapping must have
// ReportBatchItemFailures enabled), so SQS retries only those.
//
// functions/rollup is the thin main package around it.
package lambdarollup

import (
	"errors"
	"fmt"
	"os"

	"github.com/xhht/xhht/pipeline/lambdaconfig"
)

// Config is the function's configuration, from its environment. The S3
// variables mean what they mean for the ingest function.
type Config struct {
	Lake lambdaconfig.Lake // LAKE_BUCKET, LAKE_PREFIX, S3_ENDPOINT, S3_FORCE_PATH_STYLE
	// WorkRoot is where each build gets its scratch directory (downloaded
	// inputs, DuckDB's home and spill files): os.TempDir(), i.e. TMPDIR or
	// /tmp, the only writable place in Lambda.
	WorkRoot string
}

// ConfigFromEnv reads the configuration from the environment.
func ConfigFromEnv() (Config, error) {
	lake, errs := lambdaconfig.LakeFromEnv()
	c := Config{Lake: lake, WorkRoot: os.TempDir()}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("lambdarollup: config: %w", err)
	}
	return c, nil
}
