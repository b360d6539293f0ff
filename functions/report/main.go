// Command report is the report function (runtime provided.al2023), invoked
// by EventBridge Scheduler with {"kind": "report"|"reminder", "deadline":
// "12-15", "year"?: 2026, "province"?: "19"} on the schedules that
// deadlines.ScheduleJSON lists: deadline reports written to the lake under
// reports/<year>/<deadline>/province=<P>/ at the cut-off, and reminders to
// communes 7 and 1 days before their due date, published to an SNS topic
// or logged; and, from EventBridge, with the lake's S3 events of a
// province's contacts file (issue 15). All the logic is in pipeline/lambdareport; this file only
// wires it to the Lambda runtime.
//
// Like the roll-up it runs DuckDB (cgo), so it is built with cgo and linked
// fully static (see `make package-report`):
//
//	CGO_ENABLED=1 GOOS=linux GOARCH=amd64 go build -tags lambda.norpc,netgo,osusergo -trimpath \
//	  -ldflags='-s -w -linkmode external -extldflags -static' -o bootstrap ./functions/report
//
// Environment: LAKE_BUCKET and PROVINCES (required), LAKE_PREFIX,
// TOPIC_ARN, S3_ENDPOINT, S3_FORCE_PATH_STYLE, SNS_ENDPOINT, TMPDIR; see
// lambdareport.ConfigFromEnv.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/xhht/xhht/pipeline/lambdainit"
	"github.com/xhht/xhht/pipeline/lambdareport"
)

func main() {
	ctx := context.Background()
	// JSON logs (the log package's too) and the build, before anything can fail.
	log := lambdainit.Start(os.Stderr, "report")
	// Cold start: configuration, S3 (and SNS) clients, register, targets,
	// deadlines.
	cfg, err := lambdareport.ConfigFromEnv()
	var h *lambdareport.Handler
	if err == nil {
		h, err = lambdareport.New(ctx, cfg)
	}
	if err != nil {
		lambdainit.Fail(ctx, log, err)
	}
	lambda.Start(lambdainit.Guard(log, h.Invoke)) // schedules (Handle) and contacts files (HandleContacts)
}
