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
	"strconv"
	"strings"

	"github.com/xhht/xhht/pipeline/envvars"
)

// Config is the function's configuration, from its environment. The S3
// variables mean what they mean for the ingest function.
type Config struct {
	LakeBucket string // LAKE_BUCKET (required)
	LakePrefix string // LAKE_PREFIX: "" or ends in "/"
	Endpoint   string // S3_ENDPOINT: an S3-compatible server; "" for AWS
	PathStyle  bool   // S3_FORCE_PATH_STYLE=true
	// WorkRoot is where each build gets its scratch directory (downloaded
	// inputs, DuckDB's home and spill files): os.TempDir(), i.e. TMPDIR or
	// /tmp, the only writable place in Lambda.
	WorkRoot string
}

// ConfigFromEnv reads the configuration from the environment.
func ConfigFromEnv() (Config, error) {
	c := Config{
		LakeBucket: strings.TrimSpace(os.Getenv(envvars.LakeBucket)),
		LakePrefix: strings.TrimSpace(os.Getenv(envvars.LakePrefix)),
		Endpoint:   strings.TrimSpace(os.Getenv(envvars.S3Endpoint)),
		WorkRoot:   os.TempDir(),
	}
	var errs []error
	if c.LakeBucket == "" {
		errs = append(errs, errors.New("LAKE_BUCKET is not set"))
	}
	// As in lambdaingest: "env/dev" means "env/dev/", never "env/devrollups/…".
	if c.LakePrefix != "" && !strings.HasSuffix(c.LakePrefix, "/") {
		c.LakePrefix += "/"
	}
	if v := strings.TrimSpace(os.Getenv(envvars.S3ForcePathStyle)); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("S3_FORCE_PATH_STYLE=%q is not true or false", v))
		}
		c.PathStyle = b
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("lambdarollup: config: %w", err)
	}
	return c, nil
}
