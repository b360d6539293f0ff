package lambdaingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/lambdaconfig"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/s3store"
	"github.com/xhht/xhht/pipeline/storage/s3test"
	"github.com/xhht/xhht/pipeline/storage/storagetest"
)

// The sample Biểu 01 of Xã Bằng Thành (01864, province 19): valid, and with
// a totals row that does not add up.
const (
	validCSV = "STT;Tên thôn;Tổng số hộ;Số hộ đăng ký;Số hộ được công nhận\n" +
		"1;Thôn Nà Rì;120;100;90\n" +
		"2;Thôn Bản Cái;80;70;60\n" +
		";Tổng cộng;200;170;150\n"
	invalidCSV = "STT;Tên thôn;Tổng số hộ;Số hộ đăng ký;Số hộ được công nhận\n" +
		"1;Thôn Nà Rì;120;100;90\n" +
		"2;Thôn Bản Cái;80;70;60\n" +
		";Tổng cộng;200;170;151\n"
)

// Upload keys. S3 event notifications URL-encode keys ('+' for a space,
// %2B for a '+'), which is what the handler must undo.
const (
	uploadsBucket = "uploads"
	validKey      = "2026/19/01864/Báo cáo Xã Bằng Thành năm 2026.csv"
	plusKey       = "2026/19/01864/a+b c.csv" // a literal '+' and a space
	invalidKey    = "2026/19/01864/bao cao sai tong.csv"
	missingKey    = "2026/19/01864/đã xoá.csv" // never uploaded
)

// Keys in the other communes of province 19, for the concurrency case.
var otherCommuneKeys = []string{
	"2026/19/01840/bieu01.csv", "2026/19/01843/bieu01.csv", "2026/19/01849/bieu01.csv", "2026/19/01879/bieu01.csv",
}

// encodeKey encodes a key as S3 does in event notifications: each path
// segment form-encoded, the slashes kept.
func encodeKey(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.QueryEscape(s)
	}
	return strings.Join(segs, "/")
}

func TestEncodeKeyLikeS3(t *testing.T) {
	// As S3 writes them: spaces as '+', UTF-8 bytes as %XX.
	for key, want := range map[string]string{
		validKey: "2026/19/01864/B%C3%A1o+c%C3%A1o+X%C3%A3+B%E1%BA%B1ng+Th%C3%A0nh+n%C4%83m+2026.csv",
		plusKey:  "2026/19/01864/a%2Bb+c.csv",
	} {
		if got := encodeKey(key); got != want {
			t.Errorf("encodeKey(%q) = %q, want %q", key, got, want)
		}
	}
}

// s3Rec is one record of an S3 event notification.
type s3Rec struct {
	event, bucket, key, version, etag string
	size                              int
}

// s3Body is an SQS message body as S3 writes it (event structure version
// 2.1), with the key URL-encoded.
func s3Body(recs ...s3Rec) string {
	var out []map[string]any
	for _, r := range recs {
		obj := map[string]any{"key": encodeKey(r.key), "size": r.size, "sequencer": "0066A1B2C3D4E5F6A7"}
		if r.etag != "" {
			obj["eTag"] = r.etag
		}
		if r.version != "" {
			obj["versionId"] = r.version
		}
		out = append(out, map[string]any{
			"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "ap-southeast-1",
			"eventTime": "2026-03-02T03:04:05.678Z", "eventName": r.event,
			"userIdentity":      map[string]any{"principalId": "AWS:AIDAEXAMPLE"},
			"requestParameters": map[string]any{"sourceIPAddress": "203.0.113.9"},
			"responseElements":  map[string]any{"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},
			"s3": map[string]any{
				"s3SchemaVersion": "1.0", "configurationId": "uploads-to-sqs",
				"bucket": map[string]any{"name": r.bucket, "ownerIdentity": map[string]any{"principalId": "A3NL1KOZZKExample"}, "arn": "arn:aws:s3:::" + r.bucket},
				"object": obj,
			},
		})
	}
	b, _ := json.Marshal(map[string]any{"Records": out})
	return string(b)
}

const testEventBody = `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-03-02T03:00:00.000Z","Bucket":"uploads","RequestId":"5582815E1AEA5ADF","HostId":"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"}`

func TestParseBody(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		wantKeys []string // URL-decoded
		wantErr  error    // errTestEvent, or any error when errAny
		errAny   bool
	}{
		{"test event", testEventBody, nil, errTestEvent, false},
		{"one record, decoded key", s3Body(s3Rec{event: "ObjectCreated:Put", bucket: "b", key: validKey}), []string{validKey}, nil, false},
		{"plus and space", s3Body(s3Rec{event: "ObjectCreated:Put", bucket: "b", key: plusKey}), []string{plusKey}, nil, false},
		{"two records", s3Body(s3Rec{event: "ObjectCreated:Put", key: validKey}, s3Rec{event: "ObjectRemoved:Delete", key: invalidKey}), []string{validKey, invalidKey}, nil, false},
		{"not JSON", `Records: [`, nil, nil, true},
		{"JSON, not an event", `{"hello":"world"}`, nil, nil, true},
		{"JSON array", `[1,2]`, nil, nil, true},
		{"empty records", `{"Records":[]}`, nil, nil, true},
		{"bad escape in key", `{"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{"key":"2026/19/01864/%zz.csv"}}}]}`, nil, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs, err := parseBody(c.body)
			switch {
			case c.wantErr != nil:
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("err = %v, want %v", err, c.wantErr)
				}
				return
			case c.errAny:
				if err == nil {
					t.Fatalf("no error for %s", c.body)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			var keys []string
			for _, r := range recs {
				k, err := url.QueryUnescape(r.S3.Object.Key)
				if err != nil {
					t.Fatal(err)
				}
				keys = append(keys, k)
			}
			if !slices.Equal(keys, c.wantKeys) {
				t.Errorf("keys = %q, want %q", keys, c.wantKeys)
			}
		})
	}
}

// fixture is a versitygw server with the sample uploads in place.
type fixture struct {
	srv      *s3test.Server
	client   *s3.Client
	versions map[string]string // key → version id, in uploadsBucket
	etags    map[string]string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{srv: s3test.Start(t), versions: map[string]string{}, etags: map[string]string{}}
	f.client = f.srv.Client(t)
	f.srv.CreateBucket(t, uploadsBucket)
	f.srv.CreateBucket(t, "other")
	uploads := map[string]string{validKey: validCSV, plusKey: validCSV, invalidKey: invalidCSV}
	for _, k := range otherCommuneKeys {
		uploads[k] = validCSV
	}
	for key, body := range uploads {
		out, err := f.client.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String(uploadsBucket), Key: aws.String(key), Body: strings.NewReader(body),
		})
		if err != nil {
			t.Fatalf("put %q: %v", key, err)
		}
		if aws.ToString(out.VersionId) == "" {
			t.Fatalf("put %q: no version id: the uploads bucket must be versioned", key)
		}
		f.versions[key], f.etags[key] = aws.ToString(out.VersionId), aws.ToString(out.ETag)
	}
	if _, err := f.client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("other"), Key: aws.String(validKey), Body: strings.NewReader(validCSV),
	}); err != nil {
		t.Fatal(err)
	}
	return f
}

// created is the ObjectCreated:Put record S3 sends for key in uploadsBucket.
func (f *fixture) created(key string) s3Rec {
	return s3Rec{event: "ObjectCreated:Put", bucket: uploadsBucket, key: key, version: f.versions[key], etag: f.etags[key], size: 100}
}

// logLine is the part of a log line the tests compare.
type logLine struct{ msgID, key, status string }

func TestHandle(t *testing.T) {
	f := newFixture(t)
	created := f.created
	missing := s3Rec{event: "ObjectCreated:Put", bucket: uploadsBucket, key: missingKey, size: 100}
	// A version id that exists, but of another key: NoSuchVersion for this one.
	goneVersion := s3Rec{event: "ObjectCreated:Put", bucket: uploadsBucket, key: validKey, version: f.versions[plusKey], size: 100}
	// An infrastructure failure that a retry may cure.
	noBucket := s3Rec{event: "ObjectCreated:Put", bucket: "no-such-bucket", key: validKey}
	msg := func(id, body string) events.SQSMessage {
		return events.SQSMessage{MessageId: id, Body: body, EventSource: "aws:sqs", AWSRegion: "ap-southeast-1",
			EventSourceARN: "arn:aws:sqs:ap-southeast-1:123456789012:xhht-uploads"}
	}

	cases := []struct {
		name          string
		uploadsBucket string // Config.UploadsBucket
		lakePrefix    string
		msgs          []events.SQSMessage
		wantFailures  []string
		wantLines     []logLine         // any order
		wantReceipts  map[string]string // upload key (in uploadsBucket) → receipt status
	}{
		{
			name:      "test event ignored",
			msgs:      []events.SQSMessage{msg("m-test", testEventBody)},
			wantLines: []logLine{{"m-test", "", StatusIgnored}},
		},
		{
			name:         "URL-encoded Vietnamese key decoded",
			msgs:         []events.SQSMessage{msg("m1", s3Body(created(validKey)))},
			wantLines:    []logLine{{"m1", validKey, StatusAccepted}},
			wantReceipts: map[string]string{validKey: receipt.Accepted},
		},
		{
			name:         "literal plus in key",
			msgs:         []events.SQSMessage{msg("m1", s3Body(created(plusKey)))},
			wantLines:    []logLine{{"m1", plusKey, StatusAccepted}},
			wantReceipts: map[string]string{plusKey: receipt.Accepted},
		},
		{
			name: "non-ObjectCreated ignored",
			msgs: []events.SQSMessage{
				msg("m-del", s3Body(s3Rec{event: "ObjectRemoved:Delete", bucket: uploadsBucket, key: validKey})),
				msg("m-restore", s3Body(s3Rec{event: "ObjectRestore:Completed", bucket: uploadsBucket, key: validKey, version: f.versions[validKey]})),
			},
			wantLines: []logLine{{"m-del", validKey, StatusIgnored}, {"m-restore", validKey, StatusIgnored}},
		},
		{
			name:         "bad JSON body is a failure",
			msgs:         []events.SQSMessage{msg("m-bad", `{"Records": [`), msg("m1", s3Body(created(validKey)))},
			wantFailures: []string{"m-bad"},
			wantLines:    []logLine{{"m-bad", "", StatusFailed}, {"m1", validKey, StatusAccepted}},
			wantReceipts: map[string]string{validKey: receipt.Accepted},
		},
		{
			name:         "JSON that is not an S3 event is a failure",
			msgs:         []events.SQSMessage{msg("m-odd", `{"Type":"Notification","Message":"{}"}`)},
			wantFailures: []string{"m-odd"},
			wantLines:    []logLine{{"m-odd", "", StatusFailed}},
		},
		{
			name: "partial batch failure",
			msgs: []events.SQSMessage{
				msg("m-valid", s3Body(created(validKey))),
				msg("m-invalid", s3Body(created(invalidKey))),
				msg("m-nobucket", s3Body(noBucket)),
				msg("m-test", testEventBody),
			},
			wantFailures: []string{"m-nobucket"},
			wantLines: []logLine{
				{"m-valid", validKey, StatusAccepted}, {"m-invalid", invalidKey, StatusRejected},
				{"m-nobucket", validKey, StatusFailed}, {"m-test", "", StatusIgnored},
			},
			wantReceipts: map[string]string{validKey: receipt.Accepted, invalidKey: receipt.Rejected},
		},
		{
			name:         "one failing record fails its whole message",
			msgs:         []events.SQSMessage{msg("m-two", s3Body(created(plusKey), noBucket)), msg("m-invalid", s3Body(created(invalidKey)))},
			wantFailures: []string{"m-two"},
			wantLines: []logLine{
				{"m-two", plusKey, StatusAccepted}, {"m-two", validKey, StatusFailed}, {"m-invalid", invalidKey, StatusRejected},
			},
			wantReceipts: map[string]string{plusKey: receipt.Accepted, invalidKey: receipt.Rejected},
		},
		{
			// NoSuchKey / NoSuchVersion are permanent: a retry would only end
			// in the dead-letter queue and hide real failures there.
			name: "deleted upload or version is dropped, not retried",
			msgs: []events.SQSMessage{
				msg("m-missing", s3Body(missing)), msg("m-version", s3Body(goneVersion)), msg("m1", s3Body(created(invalidKey))),
			},
			wantLines: []logLine{
				{"m-missing", missingKey, StatusGone}, {"m-version", validKey, StatusGone}, {"m1", invalidKey, StatusRejected},
			},
			wantReceipts: map[string]string{invalidKey: receipt.Rejected},
		},
		{
			name:          "other bucket skipped when UPLOADS_BUCKET is set",
			uploadsBucket: uploadsBucket,
			msgs:          []events.SQSMessage{msg("m-other", s3Body(s3Rec{event: "ObjectCreated:Put", bucket: "other", key: validKey}))},
			wantLines:     []logLine{{"m-other", validKey, StatusSkipped}},
		},
		{
			name:         "missing bucket is a failure when UPLOADS_BUCKET is not set",
			msgs:         []events.SQSMessage{msg("m-nobucket", s3Body(s3Rec{event: "ObjectCreated:Put", bucket: "no-such-bucket", key: validKey}))},
			wantFailures: []string{"m-nobucket"},
			wantLines:    []logLine{{"m-nobucket", validKey, StatusFailed}},
		},
		{
			name:         "lake prefix",
			lakePrefix:   "env/test/",
			msgs:         []events.SQSMessage{msg("m1", s3Body(created(validKey)))},
			wantLines:    []logLine{{"m1", validKey, StatusAccepted}},
			wantReceipts: map[string]string{validKey: receipt.Accepted},
		},
		{
			name: "bounded concurrency across communes",
			msgs: []events.SQSMessage{
				msg("c0", s3Body(created(otherCommuneKeys[0]))), msg("c1", s3Body(created(otherCommuneKeys[1]))),
				msg("c2", s3Body(created(otherCommuneKeys[2]))), msg("c3", s3Body(created(otherCommuneKeys[3]))),
				msg("c4", s3Body(created(invalidKey))), msg("c5", s3Body(noBucket)),
			},
			wantFailures: []string{"c5"},
			wantLines: []logLine{
				{"c0", otherCommuneKeys[0], StatusAccepted}, {"c1", otherCommuneKeys[1], StatusAccepted},
				{"c2", otherCommuneKeys[2], StatusAccepted}, {"c3", otherCommuneKeys[3], StatusAccepted},
				{"c4", invalidKey, StatusRejected}, {"c5", validKey, StatusFailed},
			},
			wantReceipts: map[string]string{
				otherCommuneKeys[0]: receipt.Accepted, otherCommuneKeys[1]: receipt.Accepted,
				otherCommuneKeys[2]: receipt.Accepted, otherCommuneKeys[3]: receipt.Accepted,
				invalidKey: receipt.Rejected,
			},
		},
	}

	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lake := fmt.Sprintf("lake-%02d", i)
			f.srv.CreateBucket(t, lake)
			var logs bytes.Buffer
			h, err := NewWithClient(Config{Lake: lambdaconfig.Lake{Bucket: lake, Prefix: c.lakePrefix}, UploadsBucket: c.uploadsBucket}, f.client, NewLogger(&logs))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "req-" + c.name})

			resp, err := h.Handle(ctx, events.SQSEvent{Records: c.msgs})
			if err != nil {
				t.Fatalf("Handle returned an error: %v", err)
			}
			var got []string
			for _, it := range resp.BatchItemFailures {
				got = append(got, it.ItemIdentifier)
			}
			if !slices.Equal(got, c.wantFailures) {
				t.Errorf("batch item failures = %q, want %q", got, c.wantFailures)
			}
			if resp.BatchItemFailures == nil {
				t.Error(`batchItemFailures is null, want [] when nothing failed`)
			}

			checkLogs(t, logs.Bytes(), c.wantLines, "req-"+c.name)
			checkLake(t, f, lake, c.lakePrefix, c.wantReceipts)

			// At-least-once delivery: the same batch again writes the same bytes.
			if len(c.wantReceipts) > 0 {
				before := lakeObjects(t, f.client, lake)
				if _, err := h.Handle(ctx, events.SQSEvent{Records: c.msgs}); err != nil {
					t.Fatal(err)
				}
				after := lakeObjects(t, f.client, lake)
				if len(before) != len(after) {
					t.Errorf("lake has %d objects after a redelivery, %d before", len(after), len(before))
				}
				for k, b := range before {
					if !bytes.Equal(after[k], b) {
						t.Errorf("%s changed on redelivery", k)
					}
				}
			}
		})
	}
}

// checkLogs parses the handler's output: every line JSON, one per S3 record
// (or per message that had none), with the fields operators query on.
func checkLogs(t *testing.T, out []byte, want []logLine, reqID string) {
	t.Helper()
	var got []logLine
	for line := range bytes.Lines(out) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Errorf("log line is not JSON: %s", line)
			continue
		}
		str := func(k string) string { s, _ := m[k].(string); return s }
		got = append(got, logLine{str("sqs_message_id"), str("key"), str("status")})
		for _, k := range []string{"time", "level", "msg", "sqs_message_id", "status"} {
			if _, ok := m[k]; !ok {
				t.Errorf("log line without %q: %s", k, line)
			}
		}
		if str("aws_request_id") != reqID {
			t.Errorf("aws_request_id = %q, want %q: %s", str("aws_request_id"), reqID, line)
		}
		var need []string
		switch str("status") {
		case StatusAccepted, StatusRejected:
			need = []string{"bucket", "key", "version", "submission_id", "errors", "warnings", "duration_ms"}
		case StatusFailed:
			need = []string{"error"}
		case StatusSkipped:
			need = []string{"bucket", "key", "error", "duration_ms"}
		}
		for _, k := range need {
			if _, ok := m[k]; !ok {
				t.Errorf("%s log line without %q: %s", str("status"), k, line)
			}
		}
		if str("status") == StatusRejected && m["errors"].(float64) < 1 {
			t.Errorf("rejected with no errors: %s", line)
		}
	}
	cmp := func(a, b logLine) int { return strings.Compare(a.msgID+"\x00"+a.key, b.msgID+"\x00"+b.key) }
	slices.SortFunc(got, cmp)
	want = slices.Clone(want)
	slices.SortFunc(want, cmp)
	if !slices.Equal(got, want) {
		t.Errorf("log lines (message, key, status):\n got %q\nwant %q\n%s", got, want, out)
	}
}

// checkLake asserts the lake holds exactly the receipts wanted (and the
// Parquet file of each accepted one), under prefix.
func checkLake(t *testing.T, f *fixture, lakeBucket, prefix string, want map[string]string) {
	t.Helper()
	ctx := context.Background()
	store := s3store.New(f.client, lakeBucket, prefix)
	wantKeys := map[string]bool{}
	for key, status := range want {
		k, err := lake.ParseKey(key)
		if err != nil {
			t.Fatal(err)
		}
		id := lake.SubmissionID(uploadsBucket, key, f.versions[key])
		b, _, err := store.Get(ctx, lake.ReceiptKey(k, id), "")
		if err != nil {
			t.Errorf("receipt of %q: %v", key, err)
			continue
		}
		wantKeys[lake.ReceiptKey(k, id)] = true
		var rc receipt.Receipt
		if err := json.Unmarshal(b, &rc); err != nil {
			t.Fatal(err)
		}
		if rc.Status != status || rc.SourceKey != key || rc.SourceVersion != f.versions[key] || rc.Bucket != uploadsBucket {
			t.Errorf("receipt of %q: status %q, source %q@%q in %q", key, rc.Status, rc.SourceKey, rc.SourceVersion, rc.Bucket)
		}
		if status == receipt.Accepted {
			pk := lake.SubmissionKey(k, id)
			if rc.Output != pk {
				t.Errorf("receipt of %q: output %q, want %q", key, rc.Output, pk)
			}
			if _, _, err := store.Get(ctx, pk, ""); err != nil {
				t.Errorf("rows of %q: %v", key, err)
			}
			wantKeys[pk] = true
		}
	}
	for k := range lakeObjects(t, f.client, lakeBucket) {
		if !strings.HasPrefix(k, prefix) || !wantKeys[strings.TrimPrefix(k, prefix)] {
			t.Errorf("unexpected lake object %s", k)
		}
	}
}

// lakeObjects reads the whole bucket: key → bytes.
func lakeObjects(t *testing.T, client *s3.Client, bucket string) map[string][]byte {
	t.Helper()
	return storagetest.Snapshot(t, s3store.New(client, bucket, ""))
}

// A panic while processing one record fails that message only; the process
// (and the other records) carry on.
func TestHandlePanicIsAFailure(t *testing.T) {
	f := newFixture(t)
	f.srv.CreateBucket(t, "lake")
	var logs bytes.Buffer
	h, err := NewWithClient(Config{Lake: lambdaconfig.Lake{Bucket: "lake"}}, f.client, NewLogger(&logs))
	if err != nil {
		t.Fatal(err)
	}
	// A processor whose uploads store is nil panics on first use.
	h.procs["boom"] = h.base
	resp, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m-boom", Body: s3Body(s3Rec{event: "ObjectCreated:Put", bucket: "boom", key: validKey})},
		{MessageId: "m-ok", Body: s3Body(f.created(validKey))},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "m-boom" {
		t.Errorf("failures = %+v, want m-boom only", resp.BatchItemFailures)
	}
	checkLogs(t, logs.Bytes(), []logLine{{"m-boom", validKey, StatusFailed}, {"m-ok", validKey, StatusAccepted}}, "")
}

// Notifications of the lake's own objects (a misconfigured bucket
// notification) are skipped, never processed: each receipt written would
// come back as another event, without end. With a lake prefix in a shared
// bucket, only keys under the prefix are the lake's.
func TestHandleSkipsLakeObjects(t *testing.T) {
	f := newFixture(t)
	f.srv.CreateBucket(t, "lake")
	var logs bytes.Buffer
	h, err := NewWithClient(Config{Lake: lambdaconfig.Lake{Bucket: "lake"}}, f.client, NewLogger(&logs))
	if err != nil {
		t.Fatal(err)
	}
	receiptKey := "receipts/year=2026/province=19/commune=01864/0123456789abcdef0123456789abcdef.json"
	resp, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m-lake", Body: s3Body(s3Rec{event: "ObjectCreated:Put", bucket: "lake", key: receiptKey})},
	}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle = %+v, %v", resp, err)
	}
	checkLogs(t, logs.Bytes(), []logLine{{"m-lake", receiptKey, StatusSkipped}}, "")
	objs, err := f.client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("lake")})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs.Contents) != 0 {
		t.Errorf("the lake got %d objects from its own event", len(objs.Contents))
	}
}

func TestConfigRejectsSharedBucketWithoutPrefix(t *testing.T) {
	t.Setenv("LAKE_BUCKET", "xhht")
	t.Setenv("UPLOADS_BUCKET", "xhht")
	t.Setenv("LAKE_PREFIX", "")
	if _, err := ConfigFromEnv(); err == nil || !strings.Contains(err.Error(), "LAKE_PREFIX") {
		t.Fatalf("ConfigFromEnv = %v, want an error asking for LAKE_PREFIX", err)
	}
	t.Setenv("LAKE_PREFIX", "lake")
	if _, err := ConfigFromEnv(); err != nil {
		t.Fatalf("with a prefix: %v", err)
	}
}
