package lambdaingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/xhht/xhht/pipeline/lambdaconfig"
	"github.com/xhht/xhht/pipeline/receipt"
)

const testQueueURL = "https://sqs.ap-southeast-1.amazonaws.com/123456789012/xhht-rollup"

// hanoiKey is an upload in another province (01) than the fixture's (19).
const hanoiKey = "2026/01/00004/bieu01.csv"

// fakeQueue records SendMessage calls; fail, when set, decides which fail.
type fakeQueue struct {
	mu   sync.Mutex
	sent []string // message bodies, in order
	urls []string
	fail func(body string) error
}

func (q *fakeQueue) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	body := aws.ToString(in.MessageBody)
	if q.fail != nil {
		if err := q.fail(body); err != nil {
			return nil, err
		}
	}
	q.sent = append(q.sent, body)
	q.urls = append(q.urls, aws.ToString(in.QueueUrl))
	return &sqs.SendMessageOutput{MessageId: aws.String(fmt.Sprintf("sqs-%d", len(q.sent)))}, nil
}

// failProvince fails the requests of one province.
func failProvince(p string) func(string) error {
	return func(body string) error {
		if strings.Contains(body, `"province":"`+p+`"`) {
			return errors.New("api error QueueDoesNotExist: The specified queue does not exist.")
		}
		return nil
	}
}

// rollupLine is the part of a roll-up request log line the tests compare.
type rollupLine struct {
	year     int
	province string
	status   string
	msgIDs   string // comma-separated
}

// splitLogs separates the roll-up request lines from the per-record lines
// (which checkLogs reads).
func splitLogs(t *testing.T, out []byte) (records []byte, rollups []rollupLine) {
	t.Helper()
	for line := range bytes.Lines(out) {
		var m struct {
			Year     int      `json:"year"`
			Province string   `json:"province"`
			Status   string   `json:"status"`
			IDs      []string `json:"sqs_message_ids"`
			Error    string   `json:"error"`
		}
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		if m.IDs == nil {
			records = append(records, line...)
			continue
		}
		if m.Status == StatusFailed && m.Error == "" {
			t.Errorf("failed roll-up request without an error: %s", line)
		}
		rollups = append(rollups, rollupLine{m.Year, m.Province, m.Status, strings.Join(m.IDs, ",")})
	}
	return records, rollups
}

func TestHandleRequestsRollups(t *testing.T) {
	f := newFixture(t)
	out, err := f.client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(uploadsBucket), Key: aws.String(hanoiKey), Body: strings.NewReader(validCSV),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.versions[hanoiKey], f.etags[hanoiKey] = aws.ToString(out.VersionId), aws.ToString(out.ETag)
	noBucket := s3Rec{event: "ObjectCreated:Put", bucket: "no-such-bucket", key: plusKey}
	msg := func(id string, recs ...s3Rec) events.SQSMessage {
		return events.SQSMessage{MessageId: id, Body: s3Body(recs...)}
	}
	req19, req01 := `{"year":2026,"province":"19"}`, `{"year":2026,"province":"01"}`

	cases := []struct {
		name         string
		fail         func(string) error
		msgs         []events.SQSMessage
		wantSent     []string
		wantFailures []string
		wantLines    []logLine
		wantRollups  []rollupLine
	}{
		{
			name:        "accepted upload requests its province",
			msgs:        []events.SQSMessage{msg("m1", f.created(validKey))},
			wantSent:    []string{req19},
			wantLines:   []logLine{{"m1", validKey, StatusAccepted}},
			wantRollups: []rollupLine{{2026, "19", StatusQueued, "m1"}},
		},
		{
			name:      "rejected upload requests nothing",
			msgs:      []events.SQSMessage{msg("m1", f.created(invalidKey))},
			wantLines: []logLine{{"m1", invalidKey, StatusRejected}},
		},
		{
			name: "ignored and skipped records request nothing",
			msgs: []events.SQSMessage{
				msg("m-del", s3Rec{event: "ObjectRemoved:Delete", bucket: uploadsBucket, key: validKey}),
				{MessageId: "m-test", Body: testEventBody},
			},
			wantLines: []logLine{{"m-del", validKey, StatusIgnored}, {"m-test", "", StatusIgnored}},
		},
		{
			name: "one request per province, in batch order",
			msgs: []events.SQSMessage{
				msg("m1", f.created(validKey)), msg("m2", f.created(hanoiKey)), msg("m3", f.created(plusKey)),
				msg("m4", f.created(otherCommuneKeys[0]), f.created(otherCommuneKeys[1])), msg("m5", f.created(invalidKey)),
			},
			wantSent: []string{req19, req01},
			wantLines: []logLine{
				{"m1", validKey, StatusAccepted}, {"m2", hanoiKey, StatusAccepted}, {"m3", plusKey, StatusAccepted},
				{"m4", otherCommuneKeys[0], StatusAccepted}, {"m4", otherCommuneKeys[1], StatusAccepted},
				{"m5", invalidKey, StatusRejected},
			},
			wantRollups: []rollupLine{{2026, "19", StatusQueued, "m1,m3,m4"}, {2026, "01", StatusQueued, "m2"}},
		},
		{
			name:         "failed ingest requests nothing for it",
			msgs:         []events.SQSMessage{msg("m1", f.created(validKey)), msg("m-nobucket", noBucket)},
			wantSent:     []string{req19},
			wantFailures: []string{"m-nobucket"},
			wantLines:    []logLine{{"m1", validKey, StatusAccepted}, {"m-nobucket", plusKey, StatusFailed}},
			wantRollups:  []rollupLine{{2026, "19", StatusQueued, "m1"}},
		},
		{
			name: "send failure fails the messages of the accepted uploads",
			fail: func(string) error { return errors.New("connection refused") },
			msgs: []events.SQSMessage{
				msg("m1", f.created(validKey)), msg("m2", f.created(invalidKey)), msg("m3", f.created(plusKey)),
			},
			wantFailures: []string{"m1", "m3"},
			wantLines: []logLine{
				{"m1", validKey, StatusAccepted}, {"m2", invalidKey, StatusRejected}, {"m3", plusKey, StatusAccepted},
			},
			wantRollups: []rollupLine{{2026, "19", StatusFailed, "m1,m3"}},
		},
		{
			name: "send failure for one province fails only its messages",
			fail: failProvince("01"),
			msgs: []events.SQSMessage{
				msg("m1", f.created(validKey)), msg("m2", f.created(hanoiKey)),
			},
			wantSent:     []string{req19},
			wantFailures: []string{"m2"},
			wantLines:    []logLine{{"m1", validKey, StatusAccepted}, {"m2", hanoiKey, StatusAccepted}},
			wantRollups:  []rollupLine{{2026, "19", StatusQueued, "m1"}, {2026, "01", StatusFailed, "m2"}},
		},
		{
			name:         "a message with an accepted and a rejected upload fails with its send",
			fail:         failProvince("19"),
			msgs:         []events.SQSMessage{msg("m1", f.created(invalidKey), f.created(validKey))},
			wantFailures: []string{"m1"},
			wantLines:    []logLine{{"m1", invalidKey, StatusRejected}, {"m1", validKey, StatusAccepted}},
			wantRollups:  []rollupLine{{2026, "19", StatusFailed, "m1"}},
		},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lake := fmt.Sprintf("lake-rq-%02d", i)
			f.srv.CreateBucket(t, lake)
			var logs bytes.Buffer
			h, err := NewWithClient(Config{Lake: lambdaconfig.Lake{Bucket: lake}, RollupQueueURL: testQueueURL}, f.client, NewLogger(&logs))
			if err != nil {
				t.Fatal(err)
			}
			q := &fakeQueue{fail: c.fail}
			h.queue = q
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			resp, err := h.Handle(ctx, events.SQSEvent{Records: c.msgs})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range resp.BatchItemFailures {
				got = append(got, it.ItemIdentifier)
			}
			if !slices.Equal(got, c.wantFailures) {
				t.Errorf("batch item failures = %q, want %q", got, c.wantFailures)
			}
			if !slices.Equal(q.sent, c.wantSent) {
				t.Errorf("sent %q, want %q", q.sent, c.wantSent)
			}
			for _, u := range q.urls {
				if u != testQueueURL {
					t.Errorf("sent to %q, want %q", u, testQueueURL)
				}
			}
			records, rollups := splitLogs(t, logs.Bytes())
			checkLogs(t, records, c.wantLines, "")
			if !slices.Equal(rollups, c.wantRollups) {
				t.Errorf("roll-up log lines %+v, want %+v\n%s", rollups, c.wantRollups, logs.Bytes())
			}
		})
	}
}

// A message failed for its roll-up request is delivered again: processing
// it again must leave the lake exactly as it was, and send the request.
func TestRollupRequestRetryIsIdempotent(t *testing.T) {
	f := newFixture(t)
	f.srv.CreateBucket(t, "lake")
	h, err := NewWithClient(Config{Lake: lambdaconfig.Lake{Bucket: "lake"}, RollupQueueURL: testQueueURL}, f.client, NewLogger(&bytes.Buffer{}))
	if err != nil {
		t.Fatal(err)
	}
	q := &fakeQueue{fail: func(string) error { return errors.New("throttled") }}
	h.queue = q
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: s3Body(f.created(validKey))}}}
	ctx := context.Background()

	resp, err := h.Handle(ctx, ev)
	if err != nil || len(resp.BatchItemFailures) != 1 {
		t.Fatalf("first delivery: %+v, %v; want m1 failed", resp, err)
	}
	before := lakeObjects(t, f.client, "lake")
	checkLake(t, f, "lake", "", map[string]string{validKey: receipt.Accepted})

	q.fail = nil
	resp, err = h.Handle(ctx, ev)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("redelivery: %+v, %v; want no failure", resp, err)
	}
	if want := []string{`{"year":2026,"province":"19"}`}; !slices.Equal(q.sent, want) {
		t.Errorf("sent %q, want %q", q.sent, want)
	}
	after := lakeObjects(t, f.client, "lake")
	if len(after) != len(before) {
		t.Errorf("lake has %d objects after the redelivery, %d before", len(after), len(before))
	}
	for k, b := range before {
		if !bytes.Equal(after[k], b) {
			t.Errorf("%s changed on redelivery", k)
		}
	}
}

// Without ROLLUP_QUEUE_URL nothing is sent and no line is logged about it.
func TestNoRollupQueue(t *testing.T) {
	f := newFixture(t)
	f.srv.CreateBucket(t, "lake")
	var logs bytes.Buffer
	h, err := NewWithClient(Config{Lake: lambdaconfig.Lake{Bucket: "lake"}}, f.client, NewLogger(&logs))
	if err != nil {
		t.Fatal(err)
	}
	if h.queue != nil {
		t.Fatal("a queue client without ROLLUP_QUEUE_URL")
	}
	resp, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: s3Body(f.created(validKey))}}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle = %+v, %v", resp, err)
	}
	checkLogs(t, logs.Bytes(), []logLine{{"m1", validKey, StatusAccepted}}, "")
}

// The request is what the roll-up function parses: exactly these keys.
func TestRollupRequestJSON(t *testing.T) {
	b, err := json.Marshal(RollupRequest{Year: 2026, Province: "19"})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"year":2026,"province":"19"}` {
		t.Errorf("got %s", b)
	}
}
