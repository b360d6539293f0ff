package tests

import (
	"bytes"
	"context"
	"crypto/md5"
	"debug/elf"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/s3store"
	"github.com/xhht/xhht/pipeline/storage/s3test"
	"github.com/xhht/xhht/pipeline/storage/storagetest"
)

// The end-to-end test of the ingest function "as Lambda runs it": the real
// bootstrap binary, built like the deployment build, talks to the Runtime
// API (served by the test: the AWS runtime emulator cannot be installed
// here, see lambda_runtime_test.go) and to a real S3-compatible server
// (versitygw, which checks SigV4 signatures).

const (
	lambdaUploadsBucket = "xhht-uploads"
	lambdaLakeBucket    = "xhht-lake"
	lambdaRegion        = "us-east-1"
	lambdaQueueARN      = "arn:aws:sqs:us-east-1:123456789012:xhht-uploads"

	lambdaValidCSV = "STT;Tên thôn;Tổng số hộ;Số hộ đăng ký;Số hộ được công nhận\n" +
		"1;Thôn Nà Rì;120;100;90\n" +
		"2;Thôn Bản Cái;80;70;60\n" +
		";Tổng cộng;200;170;150\n"
	// The totals row says 151 where the hamlets add up to 150.
	lambdaInvalidCSV = "STT;Tên thôn;Tổng số hộ;Số hộ đăng ký;Số hộ được công nhận\n" +
		"1;Thôn Nà Rì;120;100;90\n" +
		"2;Thôn Bản Cái;80;70;60\n" +
		";Tổng cộng;200;170;151\n"
)

// lambdaS3 starts the S3-compatible server the function tests use (a real
// versitygw that checks signatures), with the uploads and lake buckets,
// and returns it with a client signed by its keys.
func lambdaS3(tb testing.TB) (*s3test.Server, *s3.Client) {
	tb.Helper()
	srv := s3test.Start(tb)
	srv.CreateBucket(tb, lambdaUploadsBucket)
	srv.CreateBucket(tb, lambdaLakeBucket)
	return srv, srv.Client(tb)
}

// lambdaUpload is an object put in the uploads bucket.
type lambdaUpload struct {
	key, body, version, etag string
}

func TestLambdaIngestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the Lambda bootstrap")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	bin := buildLambdaBootstrap(t, "./functions/ingest", runtime.GOARCH)

	srv, client := lambdaS3(t)

	// Two real uploads (names with spaces and diacritics, as communes name
	// files) and one that was uploaded and then permanently deleted before
	// the function got to it.
	valid := lambdaPut(ctx, t, client, "2026/19/01864/Báo cáo Xã Bằng Thành năm 2026.csv", lambdaValidCSV)
	invalid := lambdaPut(ctx, t, client, "2026/19/01864/Biểu 01 (sai tổng).csv", lambdaInvalidCSV)
	gone := lambdaPut(ctx, t, client, "2026/19/01864/Bản nháp đã xoá.csv", lambdaValidCSV)
	if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: aws.String(lambdaUploadsBucket), Key: aws.String(gone.key), VersionId: aws.String(gone.version),
	}); err != nil {
		t.Fatalf("delete %q version %s: %v", gone.key, gone.version, err)
	}

	// One SQS batch as the event source mapping delivers it: one S3
	// notification per message, plus the s3:TestEvent S3 sends when the
	// notification is configured.
	msgs := []lambdaSQSMessage{
		{id: lambdaUUID(), body: lambdaS3Notification(valid)},
		{id: lambdaUUID(), body: lambdaS3Notification(invalid)},
		{id: lambdaUUID(), body: lambdaS3Notification(gone)},
		{id: lambdaUUID(), body: `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-03-02T02:59:58.123Z","Bucket":"xhht-uploads","RequestId":"5582815E1AEA5ADF","HostId":"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"}`},
	}
	event := lambdaSQSEvent(msgs)

	rt := startLambdaRuntime(t)
	home := t.TempDir()
	if err := os.Chmod(home, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(home, 0o755) })
	proc := startLambdaBootstrap(t, bin, []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=" + home, // read-only: the function must not need to write there
		"TZ=:UTC",
		"LANG=en_US.UTF-8",
		"LAMBDA_TASK_ROOT=" + filepath.Dir(bin),
		"_HANDLER=bootstrap",
		"AWS_LAMBDA_RUNTIME_API=" + rt.Addr,
		"AWS_LAMBDA_FUNCTION_NAME=xhht-ingest",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/xhht-ingest",
		"AWS_LAMBDA_LOG_STREAM_NAME=2026/03/02/[$LATEST]" + lambdaRandHex(16),
		"AWS_REGION=" + srv.Region,
		"AWS_DEFAULT_REGION=" + srv.Region,
		"AWS_ACCESS_KEY_ID=" + srv.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + srv.SecretKey,
		"AWS_EC2_METADATA_DISABLED=true",
		"LAKE_BUCKET=" + lambdaLakeBucket,
		"UPLOADS_BUCKET=" + lambdaUploadsBucket,
		"S3_ENDPOINT=" + srv.Endpoint,
		"S3_FORCE_PATH_STYLE=true",
	})
	ictx, icancel := proc.CancelOnExit(ctx)
	defer icancel()

	// First invocation: the cold start.
	inv1, err := rt.Invoke(ictx, event, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// The deleted upload is dropped, not retried: no retry can bring it back
	// (issue 14), and in the dead-letter queue it would hide real failures.
	var wantFailures []string
	lambdaCheckResponse(t, inv1, wantFailures)

	ids := map[string]string{} // upload key → submission id
	for _, u := range []lambdaUpload{valid, invalid, gone} {
		ids[u.key] = lake.SubmissionID(lambdaUploadsBucket, u.key, u.version)
	}
	lake1 := lambdaBucketObjects(ctx, t, client, lambdaLakeBucket)
	lambdaCheckLake(t, lake1, map[string]string{valid.key: receipt.Accepted, invalid.key: receipt.Rejected}, ids, map[string]lambdaUpload{valid.key: valid, invalid.key: invalid})

	// S3 and SQS deliver at least once: the same batch again must write
	// exactly the same objects.
	inv2, err := rt.Invoke(ictx, event, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	lambdaCheckResponse(t, inv2, wantFailures)
	lake2 := lambdaBucketObjects(ctx, t, client, lambdaLakeBucket)
	if !slices.Equal(slices.Sorted(maps.Keys(lake1)), slices.Sorted(maps.Keys(lake2))) {
		t.Errorf("lake keys changed on redelivery:\n before %q\n after  %q", slices.Sorted(maps.Keys(lake1)), slices.Sorted(maps.Keys(lake2)))
	}
	for k, b := range lake1 {
		if !bytes.Equal(lake2[k], b) {
			t.Errorf("%s is not byte-identical after redelivery", k)
		}
	}

	// The raw uploads are untouched: same bytes, same ETag, no new versions.
	for _, u := range []lambdaUpload{valid, invalid} {
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(lambdaUploadsBucket), Key: aws.String(u.key)})
		if err != nil {
			t.Fatalf("get upload %q: %v", u.key, err)
		}
		b := new(bytes.Buffer)
		_, err = b.ReadFrom(out.Body)
		out.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if b.String() != u.body || aws.ToString(out.ETag) != u.etag || aws.ToString(out.VersionId) != u.version {
			t.Errorf("upload %q changed: etag %s version %s (want %s %s), %d bytes", u.key,
				aws.ToString(out.ETag), aws.ToString(out.VersionId), u.etag, u.version, b.Len())
		}
	}
	uploads := lambdaBucketObjects(ctx, t, client, lambdaUploadsBucket)
	want := []string{invalid.key, valid.key}
	slices.Sort(want)
	if got := slices.Sorted(maps.Keys(uploads)); !slices.Equal(got, want) {
		t.Errorf("uploads bucket holds %q, want %q", got, want)
	}

	proc.Stop()

	if e := rt.InitError(); e != nil {
		t.Errorf("init error reported: %s: %s", e.Type, e.Message)
	}
	lambdaCheckStartLine(t, proc.Stderr.String(), "ingest")
	lambdaCheckLogs(t, proc.Stdout.Bytes(), []*lambdaInvocation{inv1, inv2}, map[string]lambdaWantLine{
		msgs[0].id: {valid.key, receipt.Accepted, ids[valid.key]},
		msgs[1].id: {invalid.key, receipt.Rejected, ids[invalid.key]},
		msgs[2].id: {gone.key, "gone", ids[gone.key]},
		msgs[3].id: {"", "ignored", ""},
	})

	// Timings, for the record only: this machine is shared and noisy.
	first := rt.FirstNext()
	t.Logf("cold start: exec → first /next %v; exec → first response %v (handler %v); warm invocation %v",
		first.Sub(proc.Started).Round(time.Millisecond), inv1.Done.Sub(proc.Started).Round(time.Millisecond),
		inv1.Done.Sub(inv1.Sent).Round(time.Millisecond), inv2.Done.Sub(inv2.Sent).Round(time.Millisecond))
}

// Without LAKE_BUCKET the function cannot start: it must say why through
// POST /runtime/init/error and exit, not hang or crash silently.
func TestLambdaIngestInitError(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the Lambda bootstrap")
	}
	bin := buildLambdaBootstrap(t, "./functions/ingest", runtime.GOARCH)
	rt := startLambdaRuntime(t)
	proc := startLambdaBootstrap(t, bin, []string{
		"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "AWS_LAMBDA_RUNTIME_API=" + rt.Addr,
		"AWS_LAMBDA_FUNCTION_NAME=xhht-ingest", "AWS_REGION=us-east-1",
	})
	select {
	case <-rt.InitFailed():
	case <-proc.Exited():
		// It may exit right after reporting; the report must be there.
		if rt.InitError() == nil {
			t.Fatalf("exited (%v) without reporting an init error; stdout:\n%s", proc.Err(), proc.Stdout)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no init error reported within 30s")
	}
	e := rt.InitError()
	if e.Type != "Runtime.InitError" || !strings.Contains(e.Message, "LAKE_BUCKET") {
		t.Errorf("init error %s: %q, want Runtime.InitError about LAKE_BUCKET", e.Type, e.Message)
	}
	select {
	case <-proc.Exited():
		if proc.Err() == nil {
			t.Error("exit status 0 after an init error")
		}
	case <-time.After(10 * time.Second):
		t.Error("still running 10s after its init error")
	}
}

// The deployment build: linux/arm64 (Graviton), no cgo, a static binary.
func TestLambdaIngestBuildsForArm64(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the Lambda bootstrap")
	}
	bin := buildLambdaBootstrap(t, "./functions/ingest", "arm64")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("machine %v, want EM_AARCH64", f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("not static: has %v", p.Type)
		}
	}
	if st, err := os.Stat(bin); err == nil {
		t.Logf("bootstrap linux/arm64: %.1f MB", float64(st.Size())/1e6)
	}
}

func lambdaPut(ctx context.Context, t testing.TB, client *s3.Client, key, body string) lambdaUpload {
	t.Helper()
	out, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(lambdaUploadsBucket), Key: aws.String(key), Body: strings.NewReader(body),
		ContentType: aws.String("text/csv"),
	})
	if err != nil {
		t.Fatalf("put %q: %v", key, err)
	}
	u := lambdaUpload{key: key, body: body, version: aws.ToString(out.VersionId), etag: aws.ToString(out.ETag)}
	if u.version == "" || u.etag == "" {
		t.Fatalf("put %q: version %q etag %q: the uploads bucket must be versioned", key, u.version, u.etag)
	}
	return u
}

// lambdaEncodeKey encodes a key as S3 event notifications do: each path
// segment form-encoded ('+' for a space, %XX for UTF-8 bytes), '/' kept.
func lambdaEncodeKey(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.QueryEscape(s)
	}
	return strings.Join(segs, "/")
}

// lambdaS3Notification is the S3 event notification (structure 2.1) for a
// PutObject of u, as S3 writes it into the SQS message body.
func lambdaS3Notification(u lambdaUpload) string {
	rec := map[string]any{
		"eventVersion": "2.1",
		"eventSource":  "aws:s3",
		"awsRegion":    lambdaRegion,
		"eventTime":    time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"eventName":    "ObjectCreated:Put",
		"userIdentity": map[string]any{"principalId": "AWS:AROAEXAMPLEROLEID:commune-01864"},
		"requestParameters": map[string]any{
			"sourceIPAddress": "203.0.113.19",
		},
		"responseElements": map[string]any{
			"x-amz-request-id": strings.ToUpper(lambdaRandHex(8)),
			"x-amz-id-2":       base64.StdEncoding.EncodeToString([]byte(lambdaRandHex(24))),
		},
		"s3": map[string]any{
			"s3SchemaVersion": "1.0",
			"configurationId": "xhht-uploads-to-sqs",
			"bucket": map[string]any{
				"name":          lambdaUploadsBucket,
				"ownerIdentity": map[string]any{"principalId": "A3NL1KOZZKEXAMPLE"},
				"arn":           "arn:aws:s3:::" + lambdaUploadsBucket,
			},
			"object": map[string]any{
				"key":       lambdaEncodeKey(u.key),
				"size":      len(u.body),
				"eTag":      strings.Trim(u.etag, `"`), // events carry it unquoted
				"versionId": u.version,
				"sequencer": strings.ToUpper(lambdaRandHex(9)),
			},
		},
	}
	b, _ := json.Marshal(map[string]any{"Records": []any{rec}})
	return string(b)
}

type lambdaSQSMessage struct{ id, body string }

// lambdaSQSEvent is the Lambda event an SQS event source mapping sends.
func lambdaSQSEvent(msgs []lambdaSQSMessage) []byte {
	now := strconv.FormatInt(time.Now().UnixMilli(), 10)
	var recs []any
	for _, m := range msgs {
		sum := md5.Sum([]byte(m.body))
		recs = append(recs, map[string]any{
			"messageId":     m.id,
			"receiptHandle": "AQEB" + base64.StdEncoding.EncodeToString([]byte(lambdaRandHex(48))),
			"body":          m.body,
			"attributes": map[string]string{
				"ApproximateReceiveCount":          "1",
				"SentTimestamp":                    now,
				"SenderId":                         "AIDAJHIPRHEMV73VRJEBU",
				"ApproximateFirstReceiveTimestamp": now,
			},
			"messageAttributes": map[string]any{},
			"md5OfBody":         hex.EncodeToString(sum[:]),
			"eventSource":       "aws:sqs",
			"eventSourceARN":    lambdaQueueARN,
			"awsRegion":         lambdaRegion,
		})
	}
	b, _ := json.Marshal(map[string]any{"Records": recs})
	return b
}

// lambdaCheckResponse checks the partial batch response's JSON, field names
// included (they are what the event source mapping reads).
func lambdaCheckResponse(t *testing.T, inv *lambdaInvocation, want []string) {
	t.Helper()
	if inv.Err != nil {
		t.Fatalf("invocation failed: %s: %s", inv.Err.Type, inv.Err.Body)
	}
	var resp struct {
		BatchItemFailures []map[string]string `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(inv.Response, &resp); err != nil {
		t.Fatalf("response %s: %v", inv.Response, err)
	}
	var got []string
	for _, f := range resp.BatchItemFailures {
		got = append(got, f["itemIdentifier"])
	}
	if !slices.Equal(got, want) {
		t.Errorf("response %s: batch item failures %q, want %q", inv.Response, got, want)
	}
}

// lambdaCheckLake checks the lake holds exactly the receipts wanted and the
// Parquet file of the accepted one, where analysts look for them.
func lambdaCheckLake(t *testing.T, lake map[string][]byte, want map[string]string, ids map[string]string, uploads map[string]lambdaUpload) {
	t.Helper()
	wantKeys := map[string]bool{}
	for key, status := range want {
		id := ids[key]
		rk := "receipts/year=2026/province=19/commune=01864/" + id + ".json"
		wantKeys[rk] = true
		b, ok := lake[rk]
		if !ok {
			t.Errorf("no receipt %s for %q", rk, key)
			continue
		}
		var rc receipt.Receipt
		if err := json.Unmarshal(b, &rc); err != nil {
			t.Fatalf("receipt %s: %v", rk, err)
		}
		if rc.Status != status || rc.SubmissionID != id || rc.SourceKey != key || rc.SourceVersion != uploads[key].version || rc.Bucket != lambdaUploadsBucket {
			t.Errorf("receipt %s: status %q id %q source %q@%q in %q; want %q for %q@%q", rk, rc.Status, rc.SubmissionID,
				rc.SourceKey, rc.SourceVersion, rc.Bucket, status, key, uploads[key].version)
		}
		if rc.CommuneCode != "01864" || rc.ProvinceCode != "19" || rc.Year != 2026 {
			t.Errorf("receipt %s: placed at %d/%s/%s", rk, rc.Year, rc.ProvinceCode, rc.CommuneCode)
		}
		pk := "submissions/year=2026/province=19/commune=01864/" + id + ".parquet"
		switch status {
		case receipt.Accepted:
			wantKeys[pk] = true
			p := lake[pk]
			if len(p) < 8 || string(p[:4]) != "PAR1" || string(p[len(p)-4:]) != "PAR1" {
				t.Errorf("%s is not a Parquet file (%d bytes)", pk, len(p))
			}
			if rc.Output != pk || rc.Rows != 2 {
				t.Errorf("receipt %s: output %q rows %d, want %q and 2", rk, rc.Output, rc.Rows, pk)
			}
		case receipt.Rejected:
			if !slices.ContainsFunc(rc.Errors, func(is receipt.Issue) bool { return is.Code == receipt.TotalsMismatch }) {
				t.Errorf("receipt %s: rejected without %s: %+v", rk, receipt.TotalsMismatch, rc.Errors)
			}
		}
	}
	for k := range lake {
		if !wantKeys[k] {
			t.Errorf("unexpected lake object %s", k)
		}
	}
}

type lambdaWantLine struct{ key, status, submissionID string }

// lambdaCheckLogs parses the function's stdout: all JSON lines, one per S3
// record (or test event) per invocation, carrying the fields operators
// query on.
func lambdaCheckLogs(t *testing.T, stdout []byte, invs []*lambdaInvocation, want map[string]lambdaWantLine) {
	t.Helper()
	seen := map[string]int{} // request id + message id → lines
	for line := range bytes.Lines(stdout) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Errorf("stdout line is not JSON: %q", line)
			continue
		}
		str := func(k string) string { s, _ := m[k].(string); return s }
		msgID, reqID := str("sqs_message_id"), str("aws_request_id")
		w, ok := want[msgID]
		if !ok {
			t.Errorf("log line for no message of the batch: %s", line)
			continue
		}
		seen[reqID+" "+msgID]++
		if str("key") != w.key || str("status") != w.status || str("submission_id") != w.submissionID {
			t.Errorf("log line %s\nwant key %q status %q submission_id %q", line, w.key, w.status, w.submissionID)
		}
		need := []string{"time", "level", "msg"}
		switch w.status {
		case receipt.Accepted, receipt.Rejected:
			need = append(need, "bucket", "version", "errors", "warnings", "duration_ms")
		case "failed", "gone":
			need = append(need, "bucket", "version", "error", "duration_ms")
		}
		for _, k := range need {
			if _, ok := m[k]; !ok {
				t.Errorf("log line without %q: %s", k, line)
			}
		}
	}
	for _, inv := range invs {
		for msgID := range want {
			if n := seen[inv.ID+" "+msgID]; n != 1 {
				t.Errorf("invocation %s, message %s: %d log lines, want 1", inv.ID, msgID, n)
			}
		}
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("function stdout:\n%s", stdout)
	}
}

// lambdaBucketObjects reads a whole bucket: key → bytes.
func lambdaBucketObjects(_ context.Context, t *testing.T, client *s3.Client, bucket string) map[string][]byte {
	t.Helper()
	return storagetest.Snapshot(t, s3store.New(client, bucket, ""))
}

// lambdaCheckStartLine checks that every line a function wrote on stderr is
// JSON and that the first says which build is running (issue 14: each
// function logs its version at start).
func lambdaCheckStartLine(t *testing.T, stderr, function string) {
	t.Helper()
	var first map[string]any
	for line := range strings.Lines(stderr) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("stderr line is not JSON: %q", line)
			continue
		}
		if first == nil {
			first = m
		}
	}
	if first == nil || first["msg"] != "start" || first["function"] != function || first["version"] == nil || first["vcs_revision"] == nil {
		t.Errorf("first stderr line = %v, want the start line of %s with its version and revision\n%s", first, function, stderr)
	}
}
