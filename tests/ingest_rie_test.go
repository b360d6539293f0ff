package tests

import (
	"context"
	"encoding/json"
	"maps"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
)

// The ingest bootstrap under AWS's own Runtime Interface Emulator
// (scripts/lambda-rie.sh), not only under the project's Runtime API
// stand-in (issue 14): the emulator is the runtime Lambda's container
// images use, so its event delivery, deadline headers and process handling
// are AWS's. One SQS batch: an accepted upload, a rejected one, and one
// deleted before it was read (dropped, not retried).
func TestLambdaIngestUnderRIE(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the Lambda bootstrap under the emulator")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := buildLambdaBootstrap(t, "./functions/ingest", runtime.GOARCH)

	srv, client := lambdaS3(t)
	valid := lambdaPut(ctx, t, client, "2026/19/01864/Báo cáo RIE.csv", lambdaValidCSV)
	invalid := lambdaPut(ctx, t, client, "2026/19/01864/Sai tổng RIE.csv", lambdaInvalidCSV)
	// A version id of the right form (another object's), for a key that is gone.
	gone := lambdaS3Notification(lambdaUpload{key: "2026/19/01864/đã xoá.csv", version: invalid.version, etag: invalid.etag, body: "x"})
	msgs := []lambdaSQSMessage{
		{id: lambdaUUID(), body: lambdaS3Notification(valid)},
		{id: lambdaUUID(), body: lambdaS3Notification(invalid)},
		{id: lambdaUUID(), body: gone},
	}

	fn := startRIE(t, bin, []string{
		"PATH=/usr/bin:/bin", "HOME=/nonexistent", "TZ=:UTC",
		"AWS_LAMBDA_FUNCTION_NAME=xhht-test-ingest", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024",
		"AWS_REGION=" + srv.Region, "AWS_DEFAULT_REGION=" + srv.Region,
		"AWS_ACCESS_KEY_ID=" + srv.AccessKey, "AWS_SECRET_ACCESS_KEY=" + srv.SecretKey, "AWS_EC2_METADATA_DISABLED=true",
		"LAKE_BUCKET=" + lambdaLakeBucket, "UPLOADS_BUCKET=" + lambdaUploadsBucket,
		"S3_ENDPOINT=" + srv.Endpoint, "S3_FORCE_PATH_STYLE=true",
	})
	out, err := fn.Invoke(ctx, lambdaSQSEvent(msgs))
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		BatchItemFailures []map[string]string `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(out, &resp); err != nil || resp.BatchItemFailures == nil {
		t.Fatalf("answer %s: %v; want an SQS batch response", out, err)
	}
	if len(resp.BatchItemFailures) != 0 {
		t.Errorf("batch item failures %v, want none (the deleted upload is dropped)", resp.BatchItemFailures)
	}

	objs := lambdaBucketObjects(ctx, t, client, lambdaLakeBucket)
	for u, want := range map[lambdaUpload]string{valid: receipt.Accepted, invalid: receipt.Rejected} {
		id := lake.SubmissionID(lambdaUploadsBucket, u.key, u.version)
		key := "receipts/year=2026/province=19/commune=01864/" + id + ".json"
		var rc receipt.Receipt
		if err := json.Unmarshal(objs[key], &rc); err != nil {
			t.Fatalf("%s: %v (lake holds %v)", key, err, slices.Sorted(maps.Keys(objs)))
		}
		if rc.Status != want || rc.SourceKey != u.key {
			t.Errorf("%s: status %s for %s, want %s", key, rc.Status, rc.SourceKey, want)
		}
	}
	for k := range objs {
		if strings.Contains(k, "receipts-unplaced") {
			t.Errorf("unexpected unplaced receipt %s", k)
		}
	}
	if s := fn.out.String(); !strings.Contains(s, `"status":"gone"`) || !strings.Contains(s, `"msg":"start"`) {
		t.Errorf("function output lacks the start line or the gone record:\n%s", s)
	}
}
