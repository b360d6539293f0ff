package lambdareport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/lambdaconfig"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/targets"
	"github.com/xhht/xhht/pipeline/textnorm"
)

// Per-province outcomes, the "status" of each log line and of the result.
const (
	StatusWritten   = "written"   // report: the three files are in the lake
	StatusPublished = "published" // reminder: sent to the SNS topic
	StatusLogged    = "logged"    // reminder: no topic configured; the text is in the log line
	StatusNothing   = "nothing"   // reminder: every commune has accepted data; nothing sent
	StatusFailed    = "failed"
)

// workPattern names the per-invocation scratch directories under
// Config.WorkRoot.
const workPattern = "lambdareport-"

// responseMargin is kept free before the invocation's deadline, so the
// function still logs and answers when the last province is cut off.
const responseMargin = 3 * time.Second

// ReportKey is the lake key of a report file:
// reports/<year>/<deadline>/province=<P>/<file name>.
func ReportKey(year int, deadline, province, file string) string {
	return lake.ReportKey(year, deadline, province, file)
}

// contentTypes of the report files, so a browser opens them from S3 as
// what they are (and the HTML and CSV as UTF-8: Vietnamese text).
var contentTypes = map[string]string{
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".html": "text/html; charset=utf-8",
	".csv":  "text/csv; charset=utf-8",
}

// publisher is the part of the SNS client the handler uses.
type publisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Handler runs the scheduled reports and reminders. It is built once per
// cold start (register, targets and deadlines are loaded by New); Lambda
// sends an execution environment one invocation at a time, and provinces
// are done one after the other (DuckDB uses every core it has).
type Handler struct {
	cfg  Config
	lake storage.Store
	reg  *registry.Registry
	tg   *targets.Set
	dl   *deadlines.Set
	log  *slog.Logger
	sns  publisher // nil: no topic, reminders are logged
	now  func() time.Time
	// The report package's functions; tests replace them.
	build  func(context.Context, report.Options) (*report.Report, error)
	write  func(*report.Report, string) ([]string, error)
	remind func(context.Context, report.RemindOptions) (*report.Reminder, error)
}

// New builds the S3 client and, with a topic, the SNS client from the
// SDK's default configuration (in Lambda: the execution role and
// AWS_REGION) plus cfg's endpoint overrides. It makes no network call.
func New(ctx context.Context, cfg Config) (*Handler, error) {
	if err := cfg.Lake.Check(); err != nil {
		return nil, fmt.Errorf("lambdareport: %w", err)
	}
	// One AWS configuration for the S3 and SNS clients.
	awsCfg, err := lambdaconfig.AWS(ctx)
	if err != nil {
		return nil, fmt.Errorf("lambdareport: %w", err)
	}
	client := cfg.Lake.ClientFrom(awsCfg)
	var pub publisher
	if cfg.TopicARN != "" {
		pub = sns.NewFromConfig(awsCfg, func(o *sns.Options) {
			if cfg.SNSEndpoint != "" {
				o.BaseEndpoint = aws.String(cfg.SNSEndpoint)
			}
		})
	}
	return NewWithLake(cfg, cfg.Lake.Store(client), pub, nil)
}

// NewWithLake is New with a given lake (it must also be a storage.Writer:
// the reports build roll-up snapshots), SNS publisher (nil: reminders are
// logged) and logger (nil: JSON lines on stdout).
func NewWithLake(cfg Config, lake storage.Store, pub publisher, log *slog.Logger) (*Handler, error) {
	if log == nil {
		log = NewLogger(os.Stdout)
	}
	if cfg.WorkRoot == "" {
		cfg.WorkRoot = os.TempDir()
	}
	if len(cfg.Provinces) == 0 {
		return nil, errors.New("lambdareport: no provinces served")
	}
	h := &Handler{cfg: cfg, lake: lake, sns: pub, log: log, now: time.Now,
		build: report.Build, write: report.WriteAll, remind: report.Remind}
	var err error
	if h.reg, err = registry.Load(); err != nil {
		return nil, fmt.Errorf("lambdareport: %w", err)
	}
	if h.tg, err = targets.Load(); err != nil {
		return nil, fmt.Errorf("lambdareport: %w", err)
	}
	if h.dl, err = deadlines.Load(); err != nil {
		return nil, fmt.Errorf("lambdareport: %w", err)
	}
	// /tmp survives across invocations of an execution environment, also
	// a timed-out one's scratch directory: remove leftovers now.
	for _, pat := range []string{workPattern + "*"} {
		old, _ := filepath.Glob(filepath.Join(cfg.WorkRoot, pat))
		for _, d := range old {
			if err := os.RemoveAll(d); err != nil {
				log.Warn("remove old work dir", slog.String("dir", d), slog.String("error", err.Error()))
			}
		}
	}
	return h, nil
}

// NewLogger is the function's logger: one JSON object per line, as
// CloudWatch Logs Insights reads them.
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, nil))
}

// ParsePayload reads an invocation's payload strictly: one JSON object
// with only the fields of deadlines.Payload, a known kind and deadline, a
// year of 0 (resolved at run time) or 2000–2100, and a province that is
// "" (every served province) or a 2-digit code. A schedule with a typo
// must fail loudly, not do something else quietly.
func ParsePayload(raw []byte, dl *deadlines.Set) (deadlines.Payload, error) {
	var p deadlines.Payload
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, fmt.Errorf("lambdareport: payload is not {kind, deadline, year?, province?}: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return p, errors.New("lambdareport: payload: data after the JSON object")
	}
	var errs []error
	if p.Kind != deadlines.KindReport && p.Kind != deadlines.KindReminder {
		errs = append(errs, fmt.Errorf("kind %q is not %q or %q", p.Kind, deadlines.KindReport, deadlines.KindReminder))
	}
	if _, ok := dl.Get(p.Deadline); !ok {
		var ids []string
		for _, d := range dl.All() {
			ids = append(ids, d.ID)
		}
		errs = append(errs, fmt.Errorf("deadline %q is not one of %s", p.Deadline, strings.Join(ids, ", ")))
	}
	if p.Year != 0 && (p.Year < 2000 || p.Year > 2100) {
		errs = append(errs, fmt.Errorf("year %d is not 2000–2100 (or 0: this year)", p.Year))
	}
	if p.Province != "" && (len(p.Province) != 2 || strings.Trim(p.Province, "0123456789") != "") {
		errs = append(errs, fmt.Errorf("province %q is not a 2-digit code (or empty: every province served)", p.Province))
	}
	if err := errors.Join(errs...); err != nil {
		return p, fmt.Errorf("lambdareport: payload: %w", err)
	}
	return p, nil
}

// Result is the invocation's answer (and what its log lines say).
type Result struct {
	Kind      string           `json:"kind"`
	Deadline  string           `json:"deadline"`
	Year      int              `json:"year"`
	Provinces []ProvinceResult `json:"provinces"`
}

// ProvinceResult is what was done for one province.
type ProvinceResult struct {
	Province  string   `json:"province"`
	Status    string   `json:"status"`
	Keys      []string `json:"keys,omitempty"`       // report: lake keys written
	MessageID string   `json:"message_id,omitempty"` // reminder: SNS message id
	Missing   int      `json:"missing,omitempty"`    // reminder: communes that sent nothing
	Rejected  int      `json:"rejected,omitempty"`   // reminder: communes with only rejected uploads
	Communes  int      `json:"communes,omitempty"`   // reminder: commune messages published (communes.go)
	Error     string   `json:"error,omitempty"`
}

// Handle runs one scheduled invocation. Every province is attempted, each
// logged on one line; if any failed, Handle returns an error, so the
// invocation counts as failed (Lambda's asynchronous retries, then the
// schedule's dead-letter queue). A retried report rewrites the same files
// (reports are reproducible); a retried reminder is published again to
// the provinces that had succeeded: reminders are at-least-once.
func (h *Handler) Handle(ctx context.Context, raw json.RawMessage) (*Result, error) {
	start := time.Now()
	now := h.now()
	p, err := ParsePayload(raw, h.dl)
	if err != nil {
		body := string(raw)
		if len(body) > 256 {
			body = body[:256] + "…"
		}
		h.log.LogAttrs(ctx, slog.LevelError, "bad payload", slog.String("status", StatusFailed),
			slog.String("error", err.Error()), slog.String("payload", body), requestID(ctx))
		return nil, err
	}
	year, err := h.dl.YearFor(p, now)
	if err != nil {
		return nil, fmt.Errorf("lambdareport: %w", err)
	}
	res := &Result{Kind: p.Kind, Deadline: p.Deadline, Year: year, Provinces: []ProvinceResult{}}
	provinces := h.provinces(p, year)
	if len(provinces) == 0 {
		// Province "" for a reminder with every served province on its own
		// schedule: this schedule has nobody to remind, which is fine.
		h.log.LogAttrs(ctx, slog.LevelInfo, "no province to remind on this schedule", slog.String("kind", p.Kind),
			slog.String("deadline", p.Deadline), slog.Int("year", year), slog.String("status", StatusNothing), requestID(ctx))
		return res, nil
	}

	bctx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		bctx, cancel = context.WithDeadline(ctx, dl.Add(-responseMargin))
		defer cancel()
	}
	work, err := os.MkdirTemp(h.cfg.WorkRoot, workPattern)
	if err != nil {
		return nil, fmt.Errorf("lambdareport: work dir: %w", err)
	}
	defer func() {
		if err := os.RemoveAll(work); err != nil {
			h.log.LogAttrs(ctx, slog.LevelWarn, "remove work dir", slog.String("dir", work), slog.String("error", err.Error()), requestID(ctx))
		}
	}()
	var failed []string
	for _, prov := range provinces {
		pr := h.province(bctx, p.Kind, p.Deadline, year, prov, now, filepath.Join(work, prov))
		res.Provinces = append(res.Provinces, pr)
		if pr.Status == StatusFailed {
			failed = append(failed, prov+": "+pr.Error)
		}
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "invocation done", slog.String("kind", p.Kind), slog.String("deadline", p.Deadline),
		slog.Int("year", year), slog.Int("provinces", len(provinces)), slog.Int("failed", len(failed)),
		slog.Int64("elapsed_ms", time.Since(start).Milliseconds()), requestID(ctx))
	if len(failed) > 0 {
		return nil, fmt.Errorf("lambdareport: %s %s %d: %d of %d provinces failed: %s",
			p.Kind, p.Deadline, year, len(failed), len(provinces), strings.Join(failed, "; "))
	}
	return res, nil
}

// provinces resolves the payload's province: itself when set (any
// province: a manual run may be for one that is not served); otherwise
// every served province for a report, and for a reminder those following
// the deadline's default due date, since the others have schedules of
// their own (deadlines.Schedules).
func (h *Handler) provinces(p deadlines.Payload, year int) []string {
	if p.Province != "" {
		return []string{p.Province}
	}
	if p.Kind == deadlines.KindReport {
		return h.cfg.Provinces
	}
	var out []string
	for _, prov := range h.cfg.Provinces {
		if h.dl.UsesDefault(prov, p.Deadline, year) {
			out = append(out, prov)
		}
	}
	return out
}

// province does one province and logs exactly one line about it.
func (h *Handler) province(ctx context.Context, kind, deadline string, year int, prov string, now time.Time, work string) (pr ProvinceResult) {
	start := time.Now()
	pr = ProvinceResult{Province: prov}
	defer func() {
		// A panic in DuckDB's driver or a renderer must not cost the other
		// provinces their report.
		if v := recover(); v != nil {
			pr.Status, pr.Error = StatusFailed, fmt.Sprintf("panic: %v", v)
			h.log.LogAttrs(ctx, slog.LevelError, "panic", slog.String("province", prov), slog.String("stack", string(debug.Stack())), requestID(ctx))
		}
		level := slog.LevelInfo
		attrs := []slog.Attr{slog.String("kind", kind), slog.String("deadline", deadline), slog.Int("year", year),
			slog.String("province", prov), slog.String("status", pr.Status)}
		if pr.Error != "" {
			level = slog.LevelError
			attrs = append(attrs, slog.String("error", pr.Error))
		}
		if len(pr.Keys) > 0 {
			attrs = append(attrs, slog.Any("keys", pr.Keys))
		}
		if kind == deadlines.KindReminder && pr.Status != StatusFailed {
			attrs = append(attrs, slog.Int("missing", pr.Missing), slog.Int("rejected", pr.Rejected), slog.Int("communes", pr.Communes))
		}
		if pr.MessageID != "" {
			attrs = append(attrs, slog.String("message_id", pr.MessageID))
		}
		attrs = append(attrs, slog.Int64("elapsed_ms", time.Since(start).Milliseconds()), requestID(ctx))
		h.log.LogAttrs(ctx, level, kind+" "+pr.Status, attrs...)
	}()
	fail := func(err error) ProvinceResult {
		pr.Status, pr.Error = StatusFailed, err.Error()
		return pr
	}
	if err := ctx.Err(); err != nil {
		return fail(fmt.Errorf("no time left: %w", err))
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return fail(fmt.Errorf("lambdareport: %w", err))
	}
	// rollup.Build's own lines go in a "rollup" group: its fields (a
	// "provinces" count, a "stale" count) must not mix with this
	// function's in the queries of one log group.
	lg := h.log.With(requestID(ctx)).WithGroup("rollup")
	if kind == deadlines.KindReport {
		// The invocation time decides draft or final: the schedule fires
		// at the cut-off, so a scheduled report is final; a manual run
		// before it writes a draft, under a draft's file names.
		r, err := h.build(ctx, report.Options{Lake: h.lake, Year: year, Province: prov, Deadline: deadline, Now: now,
			WorkDir: filepath.Join(work, "build"), Registry: h.reg, Targets: h.tg, Deadlines: h.dl, Log: lg})
		if err != nil {
			return fail(fmt.Errorf("lambdareport: build: %w", err))
		}
		keys, err := h.upload(ctx, r, year, deadline, prov, filepath.Join(work, "out"))
		pr.Keys = keys
		if err != nil {
			return fail(err)
		}
		pr.Status = StatusWritten
		return pr
	}
	rem, err := h.remind(ctx, report.RemindOptions{Lake: h.lake, Year: year, Province: prov, Deadline: deadline, At: now,
		WorkDir: filepath.Join(work, "remind"), Registry: h.reg, Targets: h.tg, Deadlines: h.dl, Log: lg})
	if err != nil {
		return fail(fmt.Errorf("lambdareport: remind: %w", err))
	}
	pr.Missing, pr.Rejected = len(rem.Missing), len(rem.Rejected)
	if pr.Missing+pr.Rejected+len(rem.Returned) == 0 {
		pr.Status = StatusNothing // no message: nobody to remind
		return pr
	}
	js, err := json.Marshal(rem)
	if err != nil {
		return fail(fmt.Errorf("lambdareport: reminder JSON: %w", err))
	}
	if h.sns == nil {
		// No topic: the log line is the reminder.
		h.log.LogAttrs(ctx, slog.LevelInfo, "reminder text", slog.String("province", prov), slog.String("subject", Subject(rem)),
			slog.String("text", rem.Text()), slog.Any("reminder", json.RawMessage(js)), requestID(ctx))
		pr.Status = StatusLogged
		return pr
	}
	out, err := h.sns.Publish(ctx, PublishInput(h.cfg.TopicARN, rem, js))
	if err != nil {
		return fail(fmt.Errorf("lambdareport: publish to %s: %w", h.cfg.TopicARN, err))
	}
	pr.Status, pr.MessageID = StatusPublished, aws.ToString(out.MessageId)
	// Then one message per commune that has to act (communes.go).
	if pr.Communes, err = h.publishCommunes(ctx, rem); err != nil {
		return fail(err)
	}
	return pr
}

// upload writes the report files and puts them in the lake.
func (h *Handler) upload(ctx context.Context, r *report.Report, year int, deadline, prov, dir string) ([]string, error) {
	paths, err := h.write(r, dir)
	if err != nil {
		return nil, fmt.Errorf("lambdareport: write report: %w", err)
	}
	var keys []string
	for _, p := range paths {
		body, err := os.ReadFile(p)
		if err != nil {
			return keys, fmt.Errorf("lambdareport: %w", err)
		}
		ct, ok := contentTypes[strings.ToLower(filepath.Ext(p))]
		if !ok {
			ct = "application/octet-stream"
		}
		key := ReportKey(year, deadline, prov, filepath.Base(p))
		if err := h.lake.Put(ctx, key, body, ct); err != nil {
			return keys, fmt.Errorf("lambdareport: upload %s: %w", key, err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// Message attributes of a reminder. province, deadline and year let a
// subscription filter policy pick one province's reminders (each province's
// officials subscribe to their own); reminder is the JSON of
// report.Reminder for programs, while the body is the Vietnamese text that
// e-mail subscribers read.
const (
	AttrKind     = "kind"
	AttrProvince = "province"
	AttrDeadline = "deadline"
	AttrYear     = "year"
	AttrReminder = "reminder"
)

// PublishInput is the SNS message of a reminder: subject (see Subject),
// the Vietnamese text as the body, and the attributes above.
func PublishInput(topic string, r *report.Reminder, js []byte) *sns.PublishInput {
	str := func(v string) snstypes.MessageAttributeValue {
		return snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	return &sns.PublishInput{
		TopicArn: aws.String(topic),
		Subject:  aws.String(Subject(r)),
		Message:  aws.String(r.Text()),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			AttrKind:     str(deadlines.KindReminder),
			AttrProvince: str(r.Province),
			AttrDeadline: str(r.Deadline),
			AttrYear:     {DataType: aws.String("Number"), StringValue: aws.String(fmt.Sprint(r.Year))},
			AttrReminder: str(string(js)),
		},
	}
}

// Subject is the e-mail subject of a reminder, in Vietnamese without
// diacritics: "Nhac han nop so lieu XHHT 2026 (han 05/12) - Tinh Thai
// Nguyen: 89 xa chua co so lieu". Without diacritics because SNS has
// documented the subject as ASCII-only in places (and receivers that
// validate it replace non-ASCII subjects); it is at most 99 characters, as
// SNS requires fewer than 100. The body keeps its diacritics.
func Subject(r *report.Reminder) string {
	words := strings.Fields(textnorm.Fold(r.ProvinceName))
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	due := r.DueAt.In(deadlines.ICT).Format("02/01")
	s := fmt.Sprintf("Nhac han nop so lieu XHHT %d (han %s) - %s: %d xa chua co so lieu",
		r.Year, due, strings.Join(words, " "), len(r.Missing)+len(r.Rejected))
	if r.Overdue {
		s = fmt.Sprintf("Qua han nop so lieu XHHT %d (han %s) - %s: %d xa chua co so lieu",
			r.Year, due, strings.Join(words, " "), len(r.Missing)+len(r.Rejected))
	}
	if len(s) > 99 {
		s = s[:99]
	}
	return s
}

func requestID(ctx context.Context) slog.Attr {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return slog.String("aws_request_id", lc.AwsRequestID)
	}
	return slog.Attr{} // an empty Attr is not logged
}
