package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/registry"
)

// The end-to-end test of the report function "as Lambda runs it": the real
// static bootstrap, the Runtime API served by the test
// (lambda_runtime_test.go), the lake in a real S3-compatible server
// (versitygw) holding uploads ingested by the real ingest processor, and an
// SNS stand-in (fakeSNSTopic, below) for the reminders.

const reportTopicARN = "arn:aws:sns:us-east-1:123456789012:xhht-reminders"

func TestLambdaReportEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the static report bootstrap")
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the report bootstrap is built for linux/amd64 with cgo, and run here")
	}
	bin := buildStaticBootstrap(t, "./functions/report")
	checkStatic(t, bin)

	t.Run("init error", func(t *testing.T) {
		checkInitError(t, bin, []string{"AWS_LAMBDA_FUNCTION_NAME=xhht-report", "AWS_REGION=us-east-1", "LAKE_BUCKET=lake", "PROVINCES=19,1"},
			`"1" is not a 2-digit province code`)
	})

	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	srv, client := lambdaS3(t)
	ingestDemoUploads(ctx, t, client)
	lake := lambdaBucketObjects(ctx, t, client, lambdaLakeBucket)
	uploaded, rejections := reportReceipts(t, lake)

	topic := startFakeSNSTopic(t)
	rt := startLambdaRuntime(t)
	tmp := t.TempDir()
	env := append(rollupEnv(t, srv, rt, lambdaLakeBucket, tmp),
		"AWS_LAMBDA_FUNCTION_NAME=xhht-report", // the later one wins
		"PROVINCES=19,01",
		"TOPIC_ARN="+reportTopicARN,
		"SNS_ENDPOINT="+topic.srv.URL)
	proc := startLambdaBootstrap(t, bin, env)
	ictx, icancel := proc.CancelOnExit(ctx)
	defer icancel()
	var invs []*lambdaInvocation
	invoke := func(payload string) (*lambdaInvocation, reportResult) {
		t.Helper()
		inv, err := rt.Invoke(ictx, []byte(payload), 3*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		invs = append(invs, inv)
		if inv.Err != nil {
			t.Fatalf("%s: invocation failed: %s: %s\nstdout:\n%s", payload, inv.Err.Type, inv.Err.Body, proc.Stdout)
		}
		var res reportResult
		if err := json.Unmarshal(inv.Response, &res); err != nil {
			t.Fatalf("%s: response %s: %v", payload, inv.Response, err)
		}
		if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) != 0 {
			t.Errorf("TMPDIR not cleaned after %s: %q", payload, left)
		}
		return inv, res
	}

	// The report of 15 December, province 19: three files in the lake.
	inv1, res := invoke(`{"kind":"report","deadline":"12-15","year":2026,"province":"19"}`)
	if len(res.Provinces) != 1 || res.Provinces[0].Status != "written" || len(res.Provinces[0].Keys) != 3 {
		t.Fatalf("report result %s", inv1.Response)
	}
	checkReportFiles(ctx, t, client, res.Provinces[0].Keys)

	// Reminders for 1 December, both provinces served (neither has its
	// own 12-01 due date): one message each.
	_, res = invoke(`{"kind":"reminder","deadline":"12-01","year":2026}`)
	if got := provincesOf(res); !slices.Equal(got, []string{"01:published", "19:published"}) {
		t.Fatalf("12-01 reminders: %v", got)
	}
	// Reminders for 15 December on the default schedule: 01 only, since
	// 19 has its own due date (schemas example row) and schedules.
	_, res = invoke(`{"kind":"reminder","deadline":"12-15"}`)
	if got := provincesOf(res); !slices.Equal(got, []string{"01:published"}) || res.Year != 2026 {
		t.Fatalf("12-15 default reminders: %v, year %d", got, res.Year)
	}
	proc.Stop()

	msgs, bad := topic.state()
	if len(bad) > 0 {
		t.Errorf("requests the SNS stand-in did not expect: %q", bad)
	}
	// Issue 15: after each province summary, one message per commune that
	// has to act, with commune_code (checked by checkCommuneMessages); the
	// summaries are the messages without it.
	msgs = checkCommuneMessages(t, msgs, rejections)
	perProvince := map[string]int{}
	for _, m := range msgs {
		perProvince[m.attrs["province"]+"|"+m.attrs["deadline"]]++
	}
	if want := map[string]int{"01|12-01": 1, "19|12-01": 1, "01|12-15": 1}; !maps.Equal(perProvince, want) {
		t.Fatalf("messages per province|deadline %v, want %v", perProvince, want)
	}
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	v := reg.ForYear(2026)
	for _, m := range msgs {
		p := m.attrs["province"]
		// The first commune of the province (by code) that uploaded nothing.
		var missing *registry.Unit
		for _, c := range v.CommunesOf(p) {
			if !uploaded[c.Code] {
				missing = c
				break
			}
		}
		if missing == nil || !strings.Contains(m.message, "1. "+missing.Code+" "+missing.Name+"\n") {
			t.Errorf("message for %s does not list the missing commune %+v first:\n%s", p, missing, m.message)
		}
		if !strings.Contains(m.message, "Xã chưa nộp (") || !regexp.MustCompile(`^(Nhac|Qua) han nop so lieu XHHT 2026 \(han \d\d/\d\d\) - `).MatchString(m.subject) {
			t.Errorf("message for %s: subject %q\n%s", p, m.subject, m.message)
		}
		var rj struct {
			Province string `json:"province"`
			Missing  []struct {
				Code string `json:"code"`
			} `json:"missing"`
		}
		if err := json.Unmarshal([]byte(m.attrs["reminder"]), &rj); err != nil || rj.Province != p || len(rj.Missing) == 0 {
			t.Errorf("reminder attribute for %s: %v %s", p, err, m.attrs["reminder"])
		}
		if p == rollupProvince {
			if testing.Verbose() {
				t.Logf("message for %s (%s), subject %q:\n%s", p, m.attrs["deadline"], m.subject, m.message)
			}
			for code, reason := range rejections {
				if !strings.Contains(m.message, code+" ") || !strings.Contains(m.message, "lý do: "+reason) {
					t.Errorf("message for %s lacks the rejected commune %s with its reason %q:\n%s", p, code, reason, m.message)
				}
			}
		}
	}
	checkReportLogs(t, proc.Stdout.Bytes())
	if e := rt.InitError(); e != nil {
		t.Errorf("init error reported: %s: %s", e.Type, e.Message)
	}
	var took []string
	for _, inv := range invs {
		took = append(took, inv.Done.Sub(inv.Sent).Round(time.Millisecond).String())
	}
	t.Logf("cold start: exec → first /next %v; invocations (report 19, reminders 12-01 ×2, reminders 12-15 ×1): %s",
		rt.FirstNext().Sub(proc.Started).Round(time.Millisecond), strings.Join(took, ", "))
}

type reportResult struct {
	Kind      string `json:"kind"`
	Deadline  string `json:"deadline"`
	Year      int    `json:"year"`
	Provinces []struct {
		Province string   `json:"province"`
		Status   string   `json:"status"`
		Keys     []string `json:"keys"`
	} `json:"provinces"`
}

func provincesOf(r reportResult) []string {
	var out []string
	for _, p := range r.Provinces {
		out = append(out, p.Province+":"+p.Status)
	}
	return out
}

// reportReceipts reads the receipts ingest wrote: the communes with any
// upload, and each commune rejected and never accepted with its first error.
func reportReceipts(t *testing.T, lake map[string][]byte) (uploaded map[string]bool, rejections map[string]string) {
	t.Helper()
	uploaded, rejections = map[string]bool{}, map[string]string{}
	accepted := map[string]bool{}
	for k, b := range lake {
		if !strings.HasPrefix(k, "receipts/") {
			continue
		}
		var rc struct {
			Status  string `json:"status"`
			Commune string `json:"commune_code"`
			Errors  []struct {
				Severity string `json:"severity"`
				Message  string `json:"message"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(b, &rc); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		uploaded[rc.Commune] = true
		if rc.Status == "accepted" {
			accepted[rc.Commune] = true
			continue
		}
		for _, e := range rc.Errors {
			if e.Severity == "error" {
				rejections[rc.Commune] = e.Message
				break
			}
		}
	}
	for c := range accepted {
		delete(rejections, c)
	}
	if len(rejections) != 1 {
		t.Fatalf("want one commune rejected only, got %v", rejections)
	}
	return uploaded, rejections
}

// checkReportFiles reads the report's three objects back from S3: the
// keys, the content types, and that each file is what it says.
func checkReportFiles(ctx context.Context, t *testing.T, client *s3.Client, keys []string) {
	t.Helper()
	wantType := map[string]string{".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		".html": "text/html; charset=utf-8", ".csv": "text/csv; charset=utf-8"}
	seen := map[string]bool{}
	for _, key := range keys {
		if !strings.HasPrefix(key, "reports/2026/12-15/province=19/") || strings.Contains(strings.TrimPrefix(key, "reports/2026/12-15/province=19/"), "/") {
			t.Errorf("report key %s is not under reports/2026/12-15/province=19/", key)
		}
		ext := filepath.Ext(key)
		seen[ext] = true
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(lambdaLakeBucket), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("get %s: %v", key, err)
		}
		body, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || len(body) == 0 {
			t.Fatalf("%s: %d bytes, %v", key, len(body), err)
		}
		if got := aws.ToString(out.ContentType); got != wantType[ext] {
			t.Errorf("%s: content type %q, want %q", key, got, wantType[ext])
		}
		switch ext {
		case ".xlsx":
			f, err := excelize.OpenReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s does not open with excelize: %v", key, err)
			}
			sheets := f.GetSheetList()
			var text strings.Builder
			for _, s := range sheets {
				rows, _ := f.GetRows(s)
				for _, r := range rows {
					text.WriteString(strings.Join(r, " ") + "\n")
				}
			}
			f.Close()
			if len(sheets) == 0 || !strings.Contains(text.String(), "THÁI NGUYÊN") && !strings.Contains(text.String(), "Thái Nguyên") {
				t.Errorf("%s: sheets %q, no mention of Thái Nguyên", key, sheets)
			}
		case ".html":
			if !bytes.Contains(body, []byte("Thái Nguyên")) || !bytes.Contains(bytes.ToLower(body), []byte("<html")) {
				t.Errorf("%s: not an HTML page about Thái Nguyên: %.200s", key, body)
			}
		case ".csv":
			first, _, _ := bytes.Cut(bytes.TrimPrefix(body, []byte("\ufeff")), []byte("\n"))
			if !bytes.HasPrefix(first, []byte("stt,cap,ma,ten")) {
				t.Errorf("%s: header %q, want stt,cap,ma,ten,…", key, first)
			}
		default:
			t.Errorf("unexpected report file %s", key)
		}
	}
	if len(seen) != 3 {
		t.Errorf("report files %q, want one .xlsx, .html and .csv", keys)
	}
}

// checkReportLogs: every stdout line is JSON, and each province's outcome
// has its line with a status.
func checkReportLogs(t *testing.T, stdout []byte) {
	t.Helper()
	var statuses []string
	for raw := range strings.Lines(string(stdout)) {
		var l struct {
			Msg       string `json:"msg"`
			Status    string `json:"status"`
			Province  string `json:"province"`
			Kind      string `json:"kind"`
			RequestID string `json:"aws_request_id"`
		}
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Errorf("stdout line is not JSON: %q", raw)
			continue
		}
		if l.Province != "" && l.Status != "" {
			statuses = append(statuses, l.Kind+" "+l.Province+" "+l.Status)
			if l.RequestID == "" {
				t.Errorf("line without aws_request_id: %s", raw)
			}
		}
	}
	want := []string{"report 19 written", "reminder 01 published", "reminder 19 published", "reminder 01 published"}
	if !slices.Equal(statuses, want) {
		t.Errorf("log statuses %q, want %q\n%s", statuses, want, stdout)
	}
}

// fakeSNSTopic serves the one SNS call the report function makes, Publish,
// in the AWS query protocol the SDK (service/sns v1.47.9) speaks: POST /,
// form-encoded Action=Publish&Version=2010-03-31&TopicArn=…, answered with
// the XML PublishResponse. Why not a real SNS: no emulator can be installed
// here (LocalStack and the like are Python or JVM services from the
// internet; only the Go module proxy is reachable).
//
// What it checks: the method, path, Content-Type, Action and Version; that
// the request is SigV4-signed for the sns service in us-east-1 (the
// Authorization header's shape and X-Amz-Date); the TopicArn; and it keeps
// the subject, message and message attributes for the test.
//
// What it does not check: the signature itself (not recomputed), that the
// topic exists and the function's role may publish to it (IAM, the topic
// policy), SNS's limits (256 KB with the attributes, subject < 100
// characters, at most 10 attributes — the test checks the subject
// separately), delivery to subscribers, subscription filter policies on
// the province attribute, e-mail rendering, throttling and the SDK's
// retries on SNS errors.
type fakeSNSTopic struct {
	srv *httptest.Server

	mu   sync.Mutex
	msgs []snsMessage
	bad  []string
}

type snsMessage struct {
	subject, message string
	attrs            map[string]string // name → value
	types            map[string]string // name → data type
}

var snsAttrField = regexp.MustCompile(`^MessageAttributes\.entry\.(\d+)\.(Name|Value\.DataType|Value\.StringValue)$`)

func startFakeSNSTopic(t *testing.T) *fakeSNSTopic {
	t.Helper()
	f := &fakeSNSTopic{}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSNSTopic) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	problem := func(s string) { f.bad = append(f.bad, s) }
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		problem(r.Method + " " + r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		problem("Content-Type " + ct)
	}
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=") ||
		!strings.Contains(auth, "/us-east-1/sns/aws4_request") || !strings.Contains(auth, "Signature=") {
		problem("Authorization " + auth)
	}
	if r.Header.Get("X-Amz-Date") == "" {
		problem("no X-Amz-Date")
	}
	b, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(b))
	if err != nil {
		problem("body " + string(b))
	}
	if form.Get("Action") != "Publish" || form.Get("Version") != "2010-03-31" {
		problem("Action " + form.Get("Action") + " Version " + form.Get("Version"))
	}
	if form.Get("TopicArn") != reportTopicARN {
		problem("TopicArn " + form.Get("TopicArn"))
	}
	m := snsMessage{subject: form.Get("Subject"), message: form.Get("Message"), attrs: map[string]string{}, types: map[string]string{}}
	entries := map[string]map[string]string{}
	for k, vs := range form {
		if sm := snsAttrField.FindStringSubmatch(k); sm != nil {
			if entries[sm[1]] == nil {
				entries[sm[1]] = map[string]string{}
			}
			entries[sm[1]][sm[2]] = vs[0]
		}
	}
	for _, e := range entries {
		m.attrs[e["Name"]], m.types[e["Name"]] = e["Value.StringValue"], e["Value.DataType"]
	}
	if m.types["year"] != "Number" || m.types["province"] != "String" {
		problem(fmt.Sprintf("attribute types %v", m.types))
	}
	f.msgs = append(f.msgs, m)
	w.Header().Set("Content-Type", "text/xml")
	id := lambdaUUID()
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName   xml.Name `xml:"PublishResponse"`
		NS        string   `xml:"xmlns,attr"`
		MessageID string   `xml:"PublishResult>MessageId"`
		RequestID string   `xml:"ResponseMetadata>RequestId"`
	}{NS: "http://sns.amazonaws.com/doc/2010-03-31/", MessageID: id, RequestID: lambdaUUID()})
}

func (f *fakeSNSTopic) state() ([]snsMessage, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.msgs), slices.Clone(f.bad)
}

// checkCommuneMessages checks the commune reminders among msgs (those with
// a commune_code attribute) and returns the others, the province
// summaries: each commune message is about a commune of its province,
// names it, and a rejected commune of the roll-up province carries its
// reason; each (province, deadline) has as many as its summary lists
// communes to remind.
func checkCommuneMessages(t *testing.T, msgs []snsMessage, rejections map[string]string) []snsMessage {
	t.Helper()
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	v := reg.ForYear(2026)
	var summaries []snsMessage
	perKey := map[string]int{}
	for _, m := range msgs {
		code, ok := m.attrs["commune_code"]
		if !ok {
			summaries = append(summaries, m)
			continue
		}
		p := m.attrs["province"]
		perKey[p+"|"+m.attrs["deadline"]]++
		if u := v.Communes[code]; u == nil || u.ProvinceCode != p || m.types["commune_code"] != "String" || m.attrs["kind"] != "reminder" {
			t.Errorf("commune message %v: not a commune of province %s", m.attrs, p)
			continue
		}
		if !strings.Contains(m.message, "(mã "+code+")") {
			t.Errorf("commune message for %s does not name it:\n%s", code, m.message)
		}
		if reason, ok := rejections[code]; ok && p == rollupProvince && !strings.Contains(m.message, "Lý do: "+reason) {
			t.Errorf("commune message for %s lacks its rejection reason %q:\n%s", code, reason, m.message)
		}
	}
	for _, m := range summaries {
		var rj struct {
			Missing  []json.RawMessage `json:"missing"`
			Rejected []json.RawMessage `json:"rejected"`
			Returned []json.RawMessage `json:"returned"`
		}
		if err := json.Unmarshal([]byte(m.attrs["reminder"]), &rj); err != nil {
			continue // reported by the caller's checks
		}
		k := m.attrs["province"] + "|" + m.attrs["deadline"]
		if want := len(rj.Missing) + len(rj.Rejected) + len(rj.Returned); perKey[k] != want {
			t.Errorf("%s: %d commune messages, want %d (the communes its summary lists)", k, perKey[k], want)
		}
	}
	return summaries
}
