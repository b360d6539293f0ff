// Package lambdainit reports a Lambda function's initialisation failure to
// the Runtime API. Both functions (ingest, rollup) use it.
package lambdainit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"
)

// InitErrorType is the errorType reported when the function cannot start.
const InitErrorType = "Runtime.InitError"

// ReportInitError tells the Lambda Runtime API at api (the value of
// AWS_LAMBDA_RUNTIME_API) that initialisation failed, so the invocation
// fails with err's message instead of a bare "Runtime.ExitError". The
// caller should exit after it. aws-lambda-go has no call for this: it only
// reports errors of invocations.
func ReportInitError(ctx context.Context, api string, err error) error {
	body, _ := json.Marshal(map[string]any{
		"errorMessage": err.Error(),
		"errorType":    InitErrorType,
		"stackTrace":   []string{},
	})
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, rerr := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+api+"/2018-06-01/runtime/init/error", bytes.NewReader(body))
	if rerr != nil {
		return rerr
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Runtime-Function-Error-Type", InitErrorType)
	// The Runtime API is local: never through a configured proxy.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, rerr := client.Do(req)
	if rerr != nil {
		return fmt.Errorf("lambdaingest: report init error: %w", rerr)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("lambdaingest: report init error: status %s", resp.Status)
	}
	return nil
}

// Fail ends a function whose initialisation failed: it logs err, reports
// it to the Runtime API when one is set (AWS_LAMBDA_RUNTIME_API), and
// exits 1. Every function's main calls it the same way.
func Fail(ctx context.Context, log *slog.Logger, err error) {
	log.Error("init failed", slog.String("error", err.Error()))
	if api := os.Getenv("AWS_LAMBDA_RUNTIME_API"); api != "" {
		if rerr := ReportInitError(ctx, api, err); rerr != nil {
			log.Error("report init error", slog.String("error", rerr.Error()))
		}
	}
	os.Exit(1)
}
