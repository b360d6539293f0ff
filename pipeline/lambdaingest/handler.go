package lambdaingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/s3store"
)

// Record outcomes, the "status" of each log line.
const (
	StatusAccepted = receipt.Accepted // processed; the receipt says accepted
	StatusRejected = receipt.Rejected // processed; the receipt says rejected (not a failure)
	StatusFailed   = "failed"         // infrastructure error: the SQS message is retried
	StatusSkipped  = "skipped"        // from a bucket other than UPLOADS_BUCKET: dropped
	StatusIgnored  = "ignored"        // not an ObjectCreated event (or an s3:TestEvent)
	StatusGone     = "gone"           // the upload (or its version) was deleted before it was read: dropped
)

// Handler turns SQS batches of S3 events into ingest runs. It is safe for
// concurrent use and meant to be built once per cold start: the schemas and
// the register are loaded by New, not per event.
type Handler struct {
	cfg    Config
	client *s3.Client
	base   *ingest.Processor // Uploads unset; copied per uploads bucket
	log    *slog.Logger
	queue  rollupSender // nil: no roll-up queue configured

	mu    sync.Mutex
	procs map[string]*ingest.Processor // uploads bucket → processor
}

// New builds the S3 client (and, with a roll-up queue, the SQS client) from
// the SDK's default configuration (in Lambda: the execution role and
// AWS_REGION) plus cfg's endpoint overrides, and logs JSON lines to stdout.
// It makes no network call: the cold start stays short.
func New(ctx context.Context, cfg Config) (*Handler, error) {
	client, err := cfg.Lake.Client(ctx)
	if err != nil {
		return nil, fmt.Errorf("lambdaingest: %w", err)
	}
	if cfg.RollupQueueURL == "" {
		// Said once per cold start, not per upload. On stderr, which Lambda
		// sends to the same log stream: stdout carries exactly the lines
		// about the batch's records (tests/lambda_test.go holds it to that).
		NewLogger(os.Stderr).Info("ROLLUP_QUEUE_URL is not set: accepted uploads request no roll-up", slog.String("phase", "init"))
	}
	return newHandler(ctx, cfg, client, nil)
}

// NewWithClient is New with a given S3 client (used for both buckets) and
// logger; a nil logger writes JSON lines to stdout. When cfg names a roll-up
// queue, the SQS client is built as New builds it.
func NewWithClient(cfg Config, client *s3.Client, log *slog.Logger) (*Handler, error) {
	return newHandler(context.Background(), cfg, client, log)
}

func newHandler(ctx context.Context, cfg Config, client *s3.Client, log *slog.Logger) (*Handler, error) {
	if err := cfg.Lake.Check(); err != nil {
		return nil, fmt.Errorf("lambdaingest: %w", err)
	}
	if log == nil {
		log = NewLogger(os.Stdout)
	}
	base, err := ingest.New(nil, cfg.Lake.Store(client))
	if err != nil {
		return nil, fmt.Errorf("lambdaingest: load schemas: %w", err)
	}
	if cfg.MaxUploadBytes > 0 {
		base.Limits.MaxBytes = cfg.MaxUploadBytes
	}
	h := &Handler{cfg: cfg, client: client, base: base, log: log, procs: map[string]*ingest.Processor{}}
	if cfg.RollupQueueURL != "" {
		q, err := newSQSClient(ctx, cfg.SQSEndpoint)
		if err != nil {
			return nil, fmt.Errorf("lambdaingest: %w", err)
		}
		h.queue = q
	}
	return h, nil
}

// NewLogger is the function's logger: one JSON object per line, as
// CloudWatch Logs Insights reads them.
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, nil))
}

// processor returns the processor reading from bucket. Processors share the
// loaded schemas and the lake store; only the uploads store differs.
func (h *Handler) processor(bucket string) *ingest.Processor {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p := h.procs[bucket]; p != nil {
		return p
	}
	p := *h.base
	p.Uploads = s3store.New(h.client, bucket, "")
	h.procs[bucket] = &p
	return &p
}

// work is one S3 record of one SQS message.
type work struct {
	msg   int // index in the SQS batch
	rec   events.S3EventRecord
	key   string // URL-decoded
	group string // records of one group run in batch order, one at a time
}

// Handle processes one SQS batch. It never returns an error for a problem
// with a record: the SQS messages to retry are listed in the response, every
// other message is deleted by the event source mapping. A message fails when
// its body is not an S3 event (so it reaches the dead-letter queue instead
// of vanishing) or when any of its uploads hit an infrastructure error; an
// upload that is merely invalid gets a rejected receipt and does not fail.
//
// With a roll-up queue, the (year, province) of every accepted upload is
// sent to it once the batch is processed; a message whose accepted upload's
// request could not be sent fails too, so SQS delivers it again. That is
// safe: ingest is idempotent (the same upload version gives the same
// submission id, receipt and Parquet bytes), and a second roll-up request
// costs one more rebuild at most.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	failed := make([]bool, len(ev.Records))
	var todo []work
	for i, m := range ev.Records {
		recs, err := parseBody(m.Body)
		if errors.Is(err, errTestEvent) {
			h.log.LogAttrs(ctx, slog.LevelInfo, "s3 test event ignored",
				slog.String("sqs_message_id", m.MessageId), slog.String("status", StatusIgnored), requestID(ctx))
			continue
		}
		if err != nil {
			failed[i] = true
			h.log.LogAttrs(ctx, slog.LevelError, "sqs message is not an S3 event",
				slog.String("sqs_message_id", m.MessageId), slog.String("status", StatusFailed),
				slog.String("error", err.Error()), slog.Int("body_bytes", len(m.Body)), requestID(ctx))
			continue
		}
		for j, r := range recs {
			key := r.S3.Object.URLDecodedKey // decoded by S3Object.UnmarshalJSON
			group := fmt.Sprintf("record %d/%d", i, j)
			if k, err := lake.ParseKey(key); err == nil {
				// Uploads of one commune read each other's receipts (hamlet
				// codes), so they run in batch order, never side by side.
				group = fmt.Sprintf("%d/%s/%s", k.Year, k.Province, k.Commune)
			}
			todo = append(todo, work{msg: i, rec: r, key: key, group: group})
		}
	}

	var groups [][]int
	byGroup := map[string]int{}
	for i, w := range todo {
		g, ok := byGroup[w.group]
		if !ok {
			g = len(groups)
			byGroup[w.group] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	ok := make([]bool, len(todo))
	accepted := make([]*RollupRequest, len(todo))
	sem := make(chan struct{}, h.cfg.concurrency())
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			for _, i := range g {
				w := todo[i]
				ok[i], accepted[i] = h.record(ctx, ev.Records[w.msg].MessageId, w)
			}
		})
	}
	wg.Wait()
	for i, w := range todo {
		if !ok[i] {
			failed[w.msg] = true
		}
	}

	if h.queue != nil {
		var reqs []RollupRequest
		msgIDs := map[RollupRequest][]string{}
		for i, w := range todo {
			r := accepted[i]
			if r == nil {
				continue
			}
			if _, seen := msgIDs[*r]; !seen {
				reqs = append(reqs, *r)
			}
			if id := ev.Records[w.msg].MessageId; !slices.Contains(msgIDs[*r], id) {
				msgIDs[*r] = append(msgIDs[*r], id)
			}
		}
		notSent := h.requestRollups(ctx, reqs, msgIDs)
		for i, w := range todo {
			if r := accepted[i]; r != nil && notSent[*r] {
				failed[w.msg] = true
			}
		}
	}

	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for i, m := range ev.Records {
		if failed[i] {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp, nil
}

var errTestEvent = errors.New("s3:TestEvent")

// parseBody reads an SQS body as an S3 event notification. errTestEvent
// means the message S3 sends when notifications are configured.
func parseBody(body string) ([]events.S3EventRecord, error) {
	var ev events.S3Event
	// S3Object.UnmarshalJSON URL-decodes the key and fails on a bad escape.
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return nil, fmt.Errorf("parse body: %w", err)
	}
	if len(ev.Records) == 0 {
		var test struct {
			Event string `json:"Event"`
		}
		if json.Unmarshal([]byte(body), &test) == nil && test.Event == "s3:TestEvent" {
			return nil, errTestEvent
		}
		return nil, errors.New("parse body: no S3 event records")
	}
	return ev.Records, nil
}

// record processes one S3 record and logs exactly one line about it. It
// reports false when the SQS message should be retried, and, for an
// accepted upload, the roll-up it calls for.
func (h *Handler) record(ctx context.Context, msgID string, w work) (ok bool, accepted *RollupRequest) {
	start := time.Now()
	bucket, version := w.rec.S3.Bucket.Name, w.rec.S3.Object.VersionID
	attrs := []slog.Attr{
		slog.String("sqs_message_id", msgID),
		slog.String("event_name", w.rec.EventName),
		slog.String("bucket", bucket),
		slog.String("key", w.key),
		slog.String("version", version),
		requestID(ctx),
	}
	logLine := func(level slog.Level, msg string, more ...slog.Attr) {
		more = append(more, slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000))
		h.log.LogAttrs(ctx, level, msg, append(attrs, more...)...)
	}

	// A panic in one upload must not take the other records (or, from this
	// goroutine, the whole process) with it: retry it, then the DLQ.
	defer func() {
		if v := recover(); v != nil {
			ok, accepted = false, nil
			logLine(slog.LevelError, "ingest panicked", slog.String("status", StatusFailed),
				slog.String("error", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
		}
	}()

	if !strings.HasPrefix(strings.TrimPrefix(w.rec.EventName, "s3:"), "ObjectCreated:") {
		logLine(slog.LevelInfo, "not an ObjectCreated event, ignored", slog.String("status", StatusIgnored))
		return true, nil
	}
	if bucket == h.cfg.Lake.Bucket && (h.cfg.Lake.Prefix == "" || strings.HasPrefix(w.key, h.cfg.Lake.Prefix)) {
		// Our own output: processing it would write a receipt, which would
		// come back as another event, and so on without end.
		logLine(slog.LevelError, "event for the lake's own object, skipped", slog.String("status", StatusSkipped),
			slog.String("error", "notifications of the lake must not reach the ingest queue"))
		return true, nil
	}
	if h.cfg.UploadsBucket != "" && bucket != h.cfg.UploadsBucket {
		logLine(slog.LevelWarn, "event from another bucket, skipped", slog.String("status", StatusSkipped),
			slog.String("error", fmt.Sprintf("bucket %q is not UPLOADS_BUCKET %q", bucket, h.cfg.UploadsBucket)))
		return true, nil
	}
	rc, err := h.processor(bucket).Process(ctx, ingest.Upload{Bucket: bucket, Key: w.key, Version: version})
	if err != nil {
		var id []slog.Attr
		if version != "" {
			id = append(id, slog.String("submission_id", lake.SubmissionID(bucket, w.key, version)))
		}
		if errors.Is(err, ingest.ErrUploadGone) {
			// Permanent (NoSuchKey / NoSuchVersion): a retry would only move the
			// message to the dead-letter queue, where it would hide real failures.
			logLine(slog.LevelWarn, "upload no longer exists, dropped", append(id, slog.String("status", StatusGone), slog.String("error", err.Error()))...)
			return true, nil
		}
		logLine(slog.LevelError, "ingest failed", append(id, slog.String("status", StatusFailed), slog.String("error", err.Error()))...)
		return false, nil
	}
	more := []slog.Attr{
		slog.String("submission_id", rc.SubmissionID),
		slog.String("status", rc.Status),
		slog.Int("errors", rc.ErrorCount),
		slog.Int("warnings", rc.WarningCount),
	}
	if rc.Output != "" {
		more = append(more, slog.String("output", rc.Output))
	}
	if codes := errorCodes(rc); len(codes) > 0 {
		more = append(more, slog.Any("error_codes", codes))
	}
	logLine(slog.LevelInfo, "upload ingested", more...)
	if rc.Status == receipt.Accepted && rc.ProvinceCode != "" {
		accepted = &RollupRequest{Year: rc.Year, Province: rc.ProvinceCode}
	}
	return true, accepted
}

// errorCodes lists the receipt's distinct error codes, in order of first use.
func errorCodes(rc *receipt.Receipt) []string {
	var codes []string
	seen := map[string]bool{}
	for _, is := range rc.Errors {
		if is.Severity == receipt.SevError && !seen[is.Code] {
			seen[is.Code] = true
			codes = append(codes, is.Code)
		}
	}
	return codes
}

func requestID(ctx context.Context) slog.Attr {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return slog.String("aws_request_id", lc.AwsRequestID)
	}
	return slog.Attr{} // an empty Attr is not logged
}
