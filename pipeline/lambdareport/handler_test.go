package lambdareport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/storage"
)

func TestConfigFromEnv(t *testing.T) {
	good := map[string]string{"LAKE_BUCKET": "lake", "PROVINCES": "19, 01", "LAKE_PREFIX": "env/dev",
		"TOPIC_ARN": "arn:aws:sns:ap-southeast-1:123456789012:xhht-reminders", "SNS_ENDPOINT": "http://127.0.0.1:9911", "S3_FORCE_PATH_STYLE": "true"}
	tests := []struct {
		name    string
		edit    map[string]string
		wantErr string
	}{
		{"good", nil, ""},
		{"no topic: reminders logged", map[string]string{"TOPIC_ARN": ""}, ""},
		{"FIFO topic", map[string]string{"TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:r.fifo"}, ""},
		{"no lake", map[string]string{"LAKE_BUCKET": ""}, "LAKE_BUCKET is not set"},
		{"no provinces", map[string]string{"PROVINCES": " "}, "PROVINCES is not set"},
		{"province without its zero", map[string]string{"PROVINCES": "1,19"}, `"1" is not a 2-digit`},
		{"province twice", map[string]string{"PROVINCES": "19,01,19"}, "19 listed twice"},
		{"empty item", map[string]string{"PROVINCES": "19,,01"}, `"" is not a 2-digit`},
		{"queue ARN as topic", map[string]string{"TOPIC_ARN": "arn:aws:sqs:us-east-1:123456789012:q"}, "not an SNS topic ARN"},
		{"topic name only", map[string]string{"TOPIC_ARN": "xhht-reminders"}, "not an SNS topic ARN"},
		{"endpoint without scheme", map[string]string{"SNS_ENDPOINT": "127.0.0.1:9911"}, "SNS_ENDPOINT"},
		{"path style not a bool", map[string]string{"S3_FORCE_PATH_STYLE": "yes please"}, "S3_FORCE_PATH_STYLE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range good {
				t.Setenv(k, v)
			}
			t.Setenv("S3_ENDPOINT", "")
			for k, v := range tt.edit {
				t.Setenv(k, v)
			}
			c, err := ConfigFromEnv()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.Provinces, []string{"01", "19"}) || c.Lake.Prefix != "env/dev/" || !c.Lake.PathStyle || c.Lake.Bucket != "lake" {
				t.Errorf("config %+v", c)
			}
		})
	}
}

func TestParsePayload(t *testing.T) {
	dl, err := deadlines.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		raw     string
		want    deadlines.Payload
		wantErr string
	}{
		{`{"kind":"report","deadline":"12-15"}`, deadlines.Payload{Kind: "report", Deadline: "12-15"}, ""},
		{`{"kind":"reminder","deadline":"12-01","year":2026,"province":"19"}`, deadlines.Payload{Kind: "reminder", Deadline: "12-01", Year: 2026, Province: "19"}, ""},
		{` {"kind":"report","deadline":"12-15","year":0,"province":""} `, deadlines.Payload{Kind: "report", Deadline: "12-15"}, ""},
		{`{"kind":"report","deadline":"12-15","provinces":"19"}`, deadlines.Payload{}, `unknown field "provinces"`},
		{`{"kind":"report","deadline":"12-15","year":"2026"}`, deadlines.Payload{}, "cannot unmarshal string"},
		{`{"kind":"report","deadline":"12-15"}{}`, deadlines.Payload{}, "data after"},
		{`{"kind":"rollup","deadline":"12-15"}`, deadlines.Payload{}, `kind "rollup"`},
		{`{"kind":"report","deadline":"15/12"}`, deadlines.Payload{}, `deadline "15/12" is not one of 12-01, 12-15`},
		{`{"kind":"report","deadline":"12-15","year":26}`, deadlines.Payload{}, "year 26"},
		{`{"kind":"report","deadline":"12-15","province":"019"}`, deadlines.Payload{}, `province "019"`},
		{`null`, deadlines.Payload{}, `kind ""`},
		{`[]`, deadlines.Payload{}, "cannot unmarshal array"},
		{``, deadlines.Payload{}, "EOF"},
		// Every problem at once.
		{`{"kind":"x","deadline":"y"}`, deadlines.Payload{}, `kind "x" is not "report" or "reminder"` + "\n" + `deadline "y"`},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := ParsePayload([]byte(tt.raw), dl)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// memLake records what the handler puts.
type memLake struct {
	storage.Store
	mu   sync.Mutex
	puts map[string]put
	fail string // a key to refuse
}

type put struct {
	body []byte
	ct   string
}

func (l *memLake) Put(_ context.Context, key string, body []byte, ct string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if key == l.fail {
		return errors.New("access denied")
	}
	if l.puts == nil {
		l.puts = map[string]put{}
	}
	l.puts[key] = put{body, ct}
	return nil
}

type fakeSNS struct {
	ins  []*sns.PublishInput
	fail error
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	if f.fail != nil {
		return nil, f.fail
	}
	f.ins = append(f.ins, in)
	return &sns.PublishOutput{MessageId: aws.String(fmt.Sprint("m", len(f.ins)))}, nil
}

// fixture is a handler with the report package replaced by fakes that
// record their calls.
type fixture struct {
	h       *Handler
	lake    *memLake
	pub     *fakeSNS
	logs    *bytes.Buffer
	builds  []report.Options
	reminds []report.RemindOptions
}

func newFixture(t *testing.T, provinces []string, withTopic bool) *fixture {
	t.Helper()
	f := &fixture{lake: &memLake{}, pub: &fakeSNS{}, logs: &bytes.Buffer{}}
	var pub publisher
	if withTopic {
		pub = f.pub
	}
	root := t.TempDir()
	cfg := Config{Provinces: provinces, TopicARN: "arn:aws:sns:us-east-1:123456789012:t", WorkRoot: root}
	h, err := NewWithLake(cfg, f.lake, pub, NewLogger(f.logs))
	if err != nil {
		t.Fatal(err)
	}
	h.now = func() time.Time { return time.Date(2026, 11, 28, 8, 0, 0, 0, deadlines.ICT) }
	h.build = func(_ context.Context, o report.Options) (*report.Report, error) {
		f.builds = append(f.builds, o)
		if o.Province == "02" {
			return nil, errors.New("duckdb exploded")
		}
		if o.Province == "04" {
			panic("renderer bug")
		}
		return &report.Report{Year: o.Year, Province: o.Province, Deadline: o.Deadline}, nil
	}
	h.write = func(r *report.Report, dir string) ([]string, error) {
		var paths []string
		for _, ext := range []string{".xlsx", ".html", ".csv"} {
			p := filepath.Join(dir, "bao-cao-"+r.Province+ext)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, err
			}
			if err := os.WriteFile(p, []byte("x"+ext), 0o644); err != nil {
				return nil, err
			}
			paths = append(paths, p)
		}
		return paths, nil
	}
	h.remind = func(_ context.Context, o report.RemindOptions) (*report.Reminder, error) {
		f.reminds = append(f.reminds, o)
		r := &report.Reminder{Year: o.Year, Deadline: o.Deadline, Province: o.Province, ProvinceName: "Tỉnh Thái Nguyên", At: o.At.UTC(),
			DueAt: time.Date(2026, 12, 5, 0, 0, 0, 0, deadlines.ICT).UTC(), DaysLeft: 7, Expected: 3, Accepted: 1,
			Missing:  []report.ReminderCommune{{Code: "01879", Name: "Xã Cao Minh"}},
			Rejected: []report.ReminderCommune{{Code: "01843", Name: "Phường Bắc Kạn", Uploads: 1, Reason: "Ô C12: trùng tên thôn"}}}
		if o.Province == "03" { // everyone in
			r.Missing, r.Rejected, r.Accepted = []report.ReminderCommune{}, []report.ReminderCommune{}, 3
		}
		return r, nil
	}
	f.h = h
	return f
}

func (f *fixture) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for l := range strings.Lines(f.logs.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		out = append(out, m)
	}
	return out
}

func (f *fixture) statuses(t *testing.T) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, l := range f.lines(t) {
		if p, ok := l["province"].(string); ok && l["status"] != nil {
			got[p] = l["status"].(string)
		}
	}
	return got
}

func TestHandleReport(t *testing.T) {
	f := newFixture(t, []string{"01", "19"}, true)
	f.h.now = func() time.Time { return time.Date(2026, 12, 15, 0, 30, 0, 0, deadlines.ICT) }
	res, err := f.h.Handle(context.Background(), json.RawMessage(`{"kind":"report","deadline":"12-15"}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Year != 2026 || len(res.Provinces) != 2 || len(f.builds) != 2 {
		t.Fatalf("result %+v, builds %+v", res, f.builds)
	}
	for i, p := range []string{"01", "19"} {
		o := f.builds[i]
		if o.Province != p || o.Year != 2026 || o.Deadline != "12-15" || o.Lake != f.lake || o.Deadlines == nil || o.Registry == nil || o.Targets == nil {
			t.Errorf("build %d: %+v", i, o)
		}
		// The invocation time decides draft or final.
		if !o.Now.Equal(f.h.now()) {
			t.Errorf("build %d: Now %v, want the invocation time %v", i, o.Now, f.h.now())
		}
		if res.Provinces[i].Status != StatusWritten || len(res.Provinces[i].Keys) != 3 {
			t.Errorf("province %s: %+v", p, res.Provinces[i])
		}
		for ext, ct := range map[string]string{".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			".html": "text/html; charset=utf-8", ".csv": "text/csv; charset=utf-8"} {
			key := "reports/2026/12-15/province=" + p + "/bao-cao-" + p + ext
			got, ok := f.lake.puts[key]
			if !ok || got.ct != ct || string(got.body) != "x"+ext {
				t.Errorf("%s: %+v (present %v), want content type %s", key, got, ok, ct)
			}
		}
	}
	if len(f.pub.ins) != 0 {
		t.Error("a report published something")
	}
	if left, _ := filepath.Glob(filepath.Join(f.h.cfg.WorkRoot, "*")); len(left) != 0 {
		t.Errorf("work root not cleaned: %q", left)
	}
	if st := f.statuses(t); st["01"] != StatusWritten || st["19"] != StatusWritten {
		t.Errorf("log statuses %v", st)
	}
}

func TestHandleReportFailures(t *testing.T) {
	// 02 fails to build, 04 panics, 01 and 19 are written anyway; the
	// invocation fails and names the two.
	f := newFixture(t, []string{"01", "02", "04", "19"}, false)
	f.lake.fail = "reports/2025/12-15/province=19/bao-cao-19.html"
	f.h.now = func() time.Time { return time.Date(2026, 12, 10, 0, 0, 0, 0, deadlines.ICT) } // 2026's cut-off not passed: 2025
	_, err := f.h.Handle(context.Background(), json.RawMessage(`{"kind":"report","deadline":"12-15"}`))
	if err == nil || !strings.Contains(err.Error(), "3 of 4 provinces failed") || !strings.Contains(err.Error(), "02: lambdareport: build: duckdb exploded") ||
		!strings.Contains(err.Error(), "04: panic: renderer bug") || !strings.Contains(err.Error(), "19: lambdareport: upload") {
		t.Fatalf("err = %v", err)
	}
	want := map[string]string{"01": StatusWritten, "02": StatusFailed, "04": StatusFailed, "19": StatusFailed}
	if st := f.statuses(t); fmt.Sprint(st) != fmt.Sprint(want) {
		t.Errorf("log statuses %v, want %v", st, want)
	}
	if _, ok := f.lake.puts["reports/2025/12-15/province=01/bao-cao-01.csv"]; !ok {
		t.Errorf("province 01 not written: %v", f.lake.puts)
	}
}

func TestHandleReminder(t *testing.T) {
	f := newFixture(t, []string{"01", "03", "19"}, true)
	// 28/11 08:00: 7 days before the default 12-15 due date (8/12), so the
	// default schedule fires; 19 has its own schedules (example row).
	res, err := f.h.Handle(context.Background(), json.RawMessage(`{"kind":"reminder","deadline":"12-15"}`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range f.reminds {
		got = append(got, o.Province)
		if !o.At.Equal(f.h.now()) || o.Year != 2026 || o.Deadline != "12-15" {
			t.Errorf("remind %+v", o)
		}
	}
	if !slices.Equal(got, []string{"01", "03"}) {
		t.Fatalf("reminded %v, want 01 and 03 (19 has its own due date)", got)
	}
	if len(f.pub.ins) != 1 {
		t.Fatalf("%d messages, want 1 (03 has nothing to remind)", len(f.pub.ins))
	}
	in := f.pub.ins[0]
	if aws.ToString(in.TopicArn) != "arn:aws:sns:us-east-1:123456789012:t" || !strings.Contains(aws.ToString(in.Message), "1. 01879 Xã Cao Minh") {
		t.Errorf("message %s: %s", aws.ToString(in.TopicArn), aws.ToString(in.Message))
	}
	attr := func(k string) string { return aws.ToString(in.MessageAttributes[k].StringValue) }
	if attr(AttrProvince) != "01" || attr(AttrDeadline) != "12-15" || attr(AttrYear) != "2026" || attr(AttrKind) != "reminder" ||
		aws.ToString(in.MessageAttributes[AttrYear].DataType) != "Number" {
		t.Errorf("attributes %+v", in.MessageAttributes)
	}
	var r report.Reminder
	if err := json.Unmarshal([]byte(attr(AttrReminder)), &r); err != nil || r.Province != "01" || len(r.Missing) != 1 {
		t.Errorf("reminder attribute: %v %+v", err, r)
	}
	if res.Provinces[0].Status != StatusPublished || res.Provinces[0].MessageID != "m1" || res.Provinces[1].Status != StatusNothing {
		t.Errorf("result %+v", res.Provinces)
	}

	// Province 19's own schedule.
	if _, err := f.h.Handle(context.Background(), json.RawMessage(`{"kind":"reminder","deadline":"12-15","province":"19"}`)); err != nil {
		t.Fatal(err)
	}
	if len(f.pub.ins) != 2 || attr(AttrProvince) != "01" || aws.ToString(f.pub.ins[1].MessageAttributes[AttrProvince].StringValue) != "19" {
		t.Errorf("province 19's reminder not published")
	}

	// Only 19 served: the default schedule has nobody to remind.
	g := newFixture(t, []string{"19"}, true)
	if res, err := g.h.Handle(context.Background(), json.RawMessage(`{"kind":"reminder","deadline":"12-15"}`)); err != nil || len(res.Provinces) != 0 || len(g.reminds) != 0 {
		t.Errorf("only 19 served: %+v, %v, reminded %d", res, err, len(g.reminds))
	}
}

func TestHandleReminderWithoutTopic(t *testing.T) {
	f := newFixture(t, []string{"01"}, false)
	res, err := f.h.Handle(context.Background(), json.RawMessage(`{"kind":"reminder","deadline":"12-15"}`))
	if err != nil || res.Provinces[0].Status != StatusLogged {
		t.Fatalf("%+v, %v", res, err)
	}
	var text map[string]any
	for _, l := range f.lines(t) {
		if l["msg"] == "reminder text" {
			text = l
		}
	}
	if text == nil || !strings.Contains(text["text"].(string), "01879 Xã Cao Minh") || text["reminder"].(map[string]any)["province"] != "01" {
		t.Errorf("no reminder text logged:\n%s", f.logs)
	}
}

func TestHandleErrors(t *testing.T) {
	t.Run("bad payload", func(t *testing.T) {
		f := newFixture(t, []string{"01"}, true)
		_, err := f.h.Handle(context.Background(), json.RawMessage(`{"kind":"report"}`))
		if err == nil || !strings.Contains(err.Error(), `deadline ""`) {
			t.Fatalf("err = %v", err)
		}
		l := f.lines(t)
		if len(l) != 1 || l[0]["status"] != StatusFailed || l[0]["payload"] != `{"kind":"report"}` {
			t.Errorf("log %v", l)
		}
	})
	t.Run("publish fails", func(t *testing.T) {
		f := newFixture(t, []string{"01"}, true)
		f.pub.fail = errors.New("AuthorizationError")
		_, err := f.h.Handle(context.Background(), json.RawMessage(`{"kind":"reminder","deadline":"12-15"}`))
		if err == nil || !strings.Contains(err.Error(), "publish to arn:aws:sns:us-east-1:123456789012:t: AuthorizationError") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("remind fails", func(t *testing.T) {
		f := newFixture(t, []string{"01"}, true)
		f.h.remind = func(context.Context, report.RemindOptions) (*report.Reminder, error) {
			return nil, errors.New("no register")
		}
		if _, err := f.h.Handle(context.Background(), json.RawMessage(`{"kind":"reminder","deadline":"12-15"}`)); err == nil || !strings.Contains(err.Error(), "no register") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("no time left", func(t *testing.T) {
		f := newFixture(t, []string{"01"}, true)
		ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Second)) // less than the margin
		defer cancel()
		if _, err := f.h.Handle(ctx, json.RawMessage(`{"kind":"report","deadline":"12-15"}`)); err == nil || !strings.Contains(err.Error(), "no time left") {
			t.Fatalf("err = %v", err)
		}
		if len(f.builds) != 0 {
			t.Error("built with no time left")
		}
	})
	t.Run("no provinces", func(t *testing.T) {
		if _, err := NewWithLake(Config{}, &memLake{}, nil, nil); err == nil {
			t.Fatal("want an error")
		}
	})
}

func TestSubject(t *testing.T) {
	r := &report.Reminder{Year: 2026, ProvinceName: "Tỉnh Thái Nguyên", DueAt: time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC),
		Missing: make([]report.ReminderCommune, 88), Rejected: make([]report.ReminderCommune, 1)}
	if got, want := Subject(r), "Nhac han nop so lieu XHHT 2026 (han 05/12) - Tinh Thai Nguyen: 89 xa chua co so lieu"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	r.Overdue = true
	r.ProvinceName = "Thành phố Hồ Chí Minh và một cái tên rất dài để thử giới hạn một trăm ký tự của SNS"
	s := Subject(r)
	if !strings.HasPrefix(s, "Qua han") || len(s) > 99 {
		t.Errorf("Subject = %q (%d bytes)", s, len(s))
	}
	for _, c := range s {
		if c > unicode.MaxASCII || unicode.IsControl(c) {
			t.Errorf("Subject %q has %q", s, c)
		}
	}
}

func TestReportKey(t *testing.T) {
	if got := ReportKey(2026, "12-15", "19", "bao-cao.xlsx"); got != "reports/2026/12-15/province=19/bao-cao.xlsx" {
		t.Errorf("ReportKey = %s", got)
	}
}
