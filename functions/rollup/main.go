// Command rollup is the roll-up Lambda function (runtime provided.al2023):
// requests {"year": 2026, "province": "19"} that the ingest function sends
// to the roll-up queue become rebuilt roll-ups in the lake (rollups/…). All
// the logic is in pipeline/lambdarollup; this file only wires it to the
// Lambda runtime.
//
// The roll-up runs DuckDB, which is C++ (cgo), so unlike ingest this is a
// cgo build, linked fully static so it needs nothing from the runtime's
// libraries (see `make package`):
//
//	CGO_ENABLED=1 GOOS=linux GOARCH=amd64 go build -tags lambda.norpc,netgo,osusergo -trimpath \
//	  -ldflags='-s -w -linkmode external -extldflags -static' -o bootstrap ./functions/rollup
//
// netgo and osusergo keep Go's own DNS resolver and user lookup: the cgo
// ones call glibc's NSS, which a static binary cannot load.
//
// HOME needs no setting: the roll-up points DuckDB's home, extension and
// temp directories into each build's work directory under /tmp, and the
// function runs with HOME unset or read-only (tests/rollup_lambda_test.go
// runs it with a read-only HOME).
//
// Environment: LAKE_BUCKET (required), LAKE_PREFIX, S3_ENDPOINT,
// S3_FORCE_PATH_STYLE, TMPDIR; see lambdarollup.ConfigFromEnv.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/xhht/xhht/pipeline/lambdainit"
	"github.com/xhht/xhht/pipeline/lambdarollup"
)

func main() {
	ctx := context.Background()
	// JSON logs (the log package's too) and the build, before anything can fail.
	log := lambdainit.Start(os.Stderr, "rollup")
	// Cold start: configuration, S3 client, register, targets, deadlines.
	cfg, err := lambdarollup.ConfigFromEnv()
	var h *lambdarollup.Handler
	if err == nil {
		h, err = lambdarollup.New(ctx, cfg)
	}
	if err != nil {
		lambdainit.Fail(ctx, log, err)
	}
	lambda.Start(lambdainit.Guard(log, h.Handle))
}
