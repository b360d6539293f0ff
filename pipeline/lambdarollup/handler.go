package lambdarollup

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/targets"
)

// Build outcomes, the "status" of each log line.
const (
	StatusBuilt   = "built"   // committed: the province's manifest names this build
	StatusStale   = "stale"   // a newer build had committed; nothing to retry
	StatusFailed  = "failed"  // the build failed: its messages are retried
	StatusDropped = "dropped" // not a roll-up request: logged and deleted
)

// workPattern names the per-build scratch directories under Config.WorkRoot.
const workPattern = "lambdarollup-"

// responseMargin is kept free before the invocation's deadline: builds get
// a deadline this much earlier, so the function can still answer with its
// partial batch response. A function that times out answers nothing, and
// then every message of the batch is retried, built or not.
const responseMargin = 3 * time.Second

// Handler turns SQS batches of roll-up requests into rollup.Build runs. It
// is meant to be built once per cold start: the register, targets and
// deadlines are loaded by New, not per build. Handle runs one build at a
// time (DuckDB uses every core and the memory it is given), and Lambda
// sends an execution environment one invocation at a time.
type Handler struct {
	cfg  Config
	lake storage.Writer
	reg  *registry.Registry
	tg   *targets.Set
	dl   *deadlines.Set
	log  *slog.Logger
	now  func() time.Time
	// build is rollup.Build; tests replace it to make builds fail.
	build func(context.Context, rollup.Options) (*rollup.Result, error)
}

// New builds the S3 client from the SDK's default configuration (in Lambda:
// the execution role and AWS_REGION) plus cfg's endpoint overrides. It makes
// no network call.
func New(ctx context.Context, cfg Config) (*Handler, error) {
	if err := cfg.Lake.Check(); err != nil {
		return nil, fmt.Errorf("lambdarollup: %w", err)
	}
	client, err := cfg.Lake.Client(ctx)
	if err != nil {
		return nil, fmt.Errorf("lambdarollup: %w", err)
	}
	return NewWithLake(cfg, cfg.Lake.Store(client), nil)
}

// NewWithLake is New with a given lake (cfg's S3 settings are then unused)
// and logger; a nil logger writes JSON lines to stdout.
func NewWithLake(cfg Config, lake storage.Writer, log *slog.Logger) (*Handler, error) {
	if log == nil {
		log = NewLogger(os.Stdout)
	}
	if cfg.WorkRoot == "" {
		cfg.WorkRoot = os.TempDir()
	}
	h := &Handler{cfg: cfg, lake: lake, log: log, now: time.Now, build: rollup.Build}
	var err error
	if h.reg, err = registry.Load(); err != nil {
		return nil, fmt.Errorf("lambdarollup: %w", err)
	}
	if h.tg, err = targets.Load(); err != nil {
		return nil, fmt.Errorf("lambdarollup: %w", err)
	}
	if h.dl, err = deadlines.Load(); err != nil {
		return nil, fmt.Errorf("lambdarollup: %w", err)
	}
	// Lambda keeps /tmp across invocations of one execution environment,
	// also after a timeout killed a build before it removed its scratch
	// directory; 512 MB by default is not much, so leftovers go now.
	// Another environment's /tmp is not shared, so nothing live is hit.
	old, _ := filepath.Glob(filepath.Join(cfg.WorkRoot, workPattern+"*"))
	for _, d := range old {
		if err := os.RemoveAll(d); err != nil {
			log.Warn("remove old work dir", slog.String("dir", d), slog.String("error", err.Error()))
		}
	}
	return h, nil
}

// NewLogger is the function's logger: one JSON object per line, as
// CloudWatch Logs Insights reads them.
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, nil))
}

// Handle rebuilds every (year, province) the batch asks for, once each. It
// never returns an error: the messages of failed builds are listed in the
// response, every other message is deleted by the event source mapping.
//
// A body that is not a valid request is logged at error level and dropped,
// not listed for retry: ingest only ever sends valid requests, so such a
// body is a bug or a stray message, and no retry can make it valid.
// Retrying would only re-log it until maxReceiveCount moved it to the
// dead-letter queue, while the error line (with the body) is what an
// operator needs, and the next accepted upload of that province asks for
// its roll-up again anyway.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	now := h.now()
	jobs, bad := plan(ev.Records, func(body string) (Request, error) { return ParseRequest(body, h.reg, now) })
	for _, d := range bad {
		m := ev.Records[d.msg]
		body := m.Body
		if len(body) > 256 {
			body = body[:256] + "…"
		}
		h.log.LogAttrs(ctx, slog.LevelError, "not a roll-up request, dropped",
			slog.String("sqs_message_id", m.MessageId), slog.String("status", StatusDropped),
			slog.String("error", d.err.Error()), slog.String("body", body), requestID(ctx))
	}

	bctx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		bctx, cancel = context.WithDeadline(ctx, dl.Add(-responseMargin))
		defer cancel()
	}
	failed := make([]bool, len(jobs))
	for i, j := range jobs {
		failed[i] = !h.rebuild(bctx, ev.Records, j)
	}
	return failures(ev.Records, jobs, failed), nil
}

// rebuild runs one build in its own scratch directory and logs exactly one
// line about it. It reports false when its messages should be retried.
func (h *Handler) rebuild(ctx context.Context, msgs []events.SQSMessage, j job) (ok bool) {
	start := time.Now()
	ids := make([]string, len(j.msgs))
	for i, m := range j.msgs {
		ids[i] = msgs[m].MessageId
	}
	attrs := []slog.Attr{
		slog.Int("year", j.req.Year),
		slog.String("province", j.req.Province),
		slog.Any("sqs_message_ids", ids),
		requestID(ctx),
	}
	logLine := func(level slog.Level, msg string, more ...slog.Attr) {
		more = append(more, slog.Int64("elapsed_ms", time.Since(start).Milliseconds()))
		h.log.LogAttrs(ctx, level, msg, append(attrs, more...)...)
	}
	fail := func(err error, more ...slog.Attr) {
		logLine(slog.LevelError, "roll-up failed", append(more, slog.String("status", StatusFailed), slog.String("error", err.Error()))...)
	}
	// A panic in DuckDB's driver or the roll-up must not lose the answer
	// for the batch's other provinces: this one is retried, then the DLQ.
	defer func() {
		if v := recover(); v != nil {
			ok = false
			fail(fmt.Errorf("panic: %v", v), slog.String("stack", string(debug.Stack())))
		}
	}()

	// Not started is better than cut off: the function must still answer.
	if err := ctx.Err(); err != nil {
		fail(fmt.Errorf("no time left for the build: %w", err))
		return false
	}
	work, err := os.MkdirTemp(h.cfg.WorkRoot, workPattern)
	if err != nil {
		fail(fmt.Errorf("lambdarollup: work dir: %w", err))
		return false
	}
	defer func() {
		if err := os.RemoveAll(work); err != nil {
			h.log.LogAttrs(ctx, slog.LevelWarn, "remove work dir", slog.String("dir", work), slog.String("error", err.Error()), requestID(ctx))
		}
	}()
	opts := rollup.Options{
		Lake: h.lake, Year: j.req.Year, Province: j.req.Province, WorkDir: work,
		Registry: h.reg, Targets: h.tg, Deadlines: h.dl,
		// rollup.Build's own lines (its summary, stale warnings) carry
		// their fields in a "rollup" group: its "stale" is a count, this
		// function's a bool, and one key should have one type in a log
		// group that Logs Insights queries.
		Log: h.log.With(requestID(ctx)).WithGroup("rollup"),
	}
	res, err := h.build(ctx, opts)
	if err != nil {
		fail(fmt.Errorf("lambdarollup: build %s: %w", j.req, err))
		return false
	}
	// The following year's roll-up carries this year's rates as last
	// year's: when it exists it is rebuilt too. If that fails the
	// messages are retried, which rebuilds both (the first harmlessly).
	var next []slog.Attr
	fo, err := rollup.Following(ctx, opts)
	if err == nil && fo != nil {
		var nres *rollup.Result
		if nres, err = h.build(ctx, *fo); err == nil {
			next = append(next, slog.Int("next_year", fo.Year), slog.String("next_year_build_id", nres.BuildID))
		}
	}
	if err != nil {
		fail(fmt.Errorf("lambdarollup: keep %d current after %s: %w", j.req.Year+1, j.req, err), slog.String("build_id", res.BuildID))
		return false
	}
	stale := len(res.Stale) > 0
	status, msg := StatusBuilt, "roll-up built"
	if stale {
		// Harmless: a build that listed the lake later has committed
		// already, and it counted everything this one would have.
		status, msg = StatusStale, "roll-up superseded by a newer build"
	}
	logLine(slog.LevelInfo, msg, append([]slog.Attr{
		slog.String("status", status),
		slog.String("build_id", res.BuildID),
		slog.Int("inputs", res.Inputs),
		slog.Bool("stale", stale),
		slog.Bool("nation", res.Nation),
		slog.Int64("build_ms", res.Elapsed.Milliseconds())}, next...)...)
	return true
}

func requestID(ctx context.Context) slog.Attr {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return slog.String("aws_request_id", lc.AwsRequestID)
	}
	return slog.Attr{} // an empty Attr is not logged
}
