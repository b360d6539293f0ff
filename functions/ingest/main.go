// Command ingest is the ingest Lambda function (runtime provided.al2023):
// S3 ObjectCreated events from the uploads bucket, delivered through SQS,
// become receipts and Parquet files in the lake. All the logic is in
// pipeline/lambdaingest; this file only wires it to the Lambda runtime.
//
// Build (pure Go, the executable must be called bootstrap):
//
//	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -trimpath -o bootstrap ./functions/ingest
//
// The lambda.norpc tag leaves out aws-lambda-go's net/rpc entry point, which
// only the retired go1.x runtime used; provided runtimes speak the Runtime
// API over HTTP.
//
// Environment: LAKE_BUCKET (required), LAKE_PREFIX, UPLOADS_BUCKET,
// MAX_UPLOAD_MB, ROLLUP_QUEUE_URL (optional: where {year, province} goes
// after an accepted upload), S3_ENDPOINT, S3_FORCE_PATH_STYLE, SQS_ENDPOINT;
// see lambdaingest.ConfigFromEnv.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/xhht/xhht/pipeline/lambdaingest"
	"github.com/xhht/xhht/pipeline/lambdainit"
)

func main() {
	ctx := context.Background()
	// JSON logs (the log package's too) and the build, before anything can fail.
	log := lambdainit.Start(os.Stderr, "ingest")
	// Cold start: configuration, S3 client, schemas and register, once.
	cfg, err := lambdaingest.ConfigFromEnv()
	var h *lambdaingest.Handler
	if err == nil {
		h, err = lambdaingest.New(ctx, cfg)
	}
	if err != nil {
		lambdainit.Fail(ctx, log, err)
	}
	lambda.Start(lambdainit.Guard(log, h.Handle))
}
