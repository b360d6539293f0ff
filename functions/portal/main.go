// Command portal is the commune portal's Lambda function (runtime
// provided.al2023, arm64), behind an API Gateway HTTP API (payload format
// 2.0) or a Lambda function URL: both send the same event shape. All the
// logic is in pipeline/lambdaportal (configuration, S3 presigner, session
// keys from SSM, event adapter) and pipeline/portal (the pages); this file
// only wires them to the Lambda runtime.
//
// Build (pure Go, the executable must be called bootstrap):
//
//	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -trimpath -o bootstrap ./functions/portal
//
// Environment: LAKE_BUCKET, UPLOADS_BUCKET, PUBLIC_URL and
// SESSION_KEYS_PARAMETER (required), LAKE_PREFIX, MAX_UPLOAD_MB;
// S3_ENDPOINT, S3_FORCE_PATH_STYLE and SSM_ENDPOINT for tests. See
// lambdaportal.ConfigFromEnv.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/xhht/xhht/pipeline/lambdainit"
	"github.com/xhht/xhht/pipeline/lambdaportal"
)

func main() {
	ctx := context.Background()
	// JSON logs (the log package's too) and the build, before anything can fail.
	log := lambdainit.Start(os.Stderr, "portal")
	// Cold start: configuration, AWS clients, session keys (one SSM call),
	// templates and schemas, once. The portal's own lines (sign-ins,
	// uploads, refusals) go to stdout, JSON too.
	cfg, err := lambdaportal.ConfigFromEnv()
	var a *lambdaportal.Adapter
	if err == nil {
		a, err = lambdaportal.New(ctx, cfg, os.Stdout)
	}
	if err != nil {
		lambdainit.Fail(ctx, log, err)
	}
	lambda.Start(lambdainit.Guard(log, a.Handle))
}
