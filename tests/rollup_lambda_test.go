package tests

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/xhht/xhht/pipeline/demo"
	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/s3store"
	"github.com/xhht/xhht/pipeline/storage/s3test"
)

// The end-to-end tests of the roll-up function and of the ingest → roll-up
// queue, "as Lambda runs them": the real bootstrap binaries, the Runtime
// API served by the test (lambda_runtime_test.go) and a real S3-compatible
// server (versitygw).

const (
	rollupProvince = "19"
	rollupQueueURL = "https://sqs.us-east-1.amazonaws.com/123456789012/xhht-rollup"
)

// buildStaticBootstrap builds a cgo function (./functions/rollup or
// ./functions/report) exactly as `make package` does, for linux/amd64
// (static_bootstrap_test.go; one build per test run).
func buildStaticBootstrap(t *testing.T, pkg string) string {
	t.Helper()
	return staticBootstrap(t, pkg, "amd64")
}

func TestLambdaRollupEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the static roll-up bootstrap")
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the roll-up bootstrap is built for linux/amd64 with cgo, and run here")
	}
	bin := buildStaticBootstrap(t, "./functions/rollup")
	checkStatic(t, bin)

	t.Run("init error", func(t *testing.T) {
		checkInitError(t, bin, []string{"AWS_LAMBDA_FUNCTION_NAME=xhht-rollup", "AWS_REGION=us-east-1"}, "LAKE_BUCKET")
	})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	srv, client := lambdaS3(t)
	want := ingestDemoUploads(ctx, t, client)

	good := `{"year":2026,"province":"` + rollupProvince + `"}`
	msgs := []lambdaSQSMessage{
		{id: lambdaUUID(), body: good},
		{id: lambdaUUID(), body: `{"year":2026,"province":"019"}`}, // malformed: dropped
		{id: lambdaUUID(), body: good},                             // same province: the same build
	}
	event := lambdaSQSEvent(msgs)

	t.Run("build failure is retried", func(t *testing.T) {
		// A lake bucket that does not exist: both messages of the build
		// come back for a retry, the malformed one does not.
		rt := startLambdaRuntime(t)
		proc := startLambdaBootstrap(t, bin, rollupEnv(t, srv, rt, "no-such-lake", t.TempDir()))
		ictx, icancel := proc.CancelOnExit(ctx)
		defer icancel()
		inv, err := rt.Invoke(ictx, event, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		lambdaCheckResponse(t, inv, []string{msgs[0].id, msgs[2].id})
	})

	rt := startLambdaRuntime(t)
	tmp := t.TempDir()
	proc := startLambdaBootstrap(t, bin, rollupEnv(t, srv, rt, lambdaLakeBucket, tmp))
	ictx, icancel := proc.CancelOnExit(ctx)
	defer icancel()

	var manifests []lake.Manifest
	var invs []*lambdaInvocation
	for i := range 2 {
		inv, err := rt.Invoke(ictx, event, 2*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		invs = append(invs, inv)
		lambdaCheckResponse(t, inv, nil) // nothing retried: the malformed message is dropped
		lake := lambdaBucketObjects(ctx, t, client, lambdaLakeBucket)
		m := checkRollupObjects(t, lake)
		manifests = append(manifests, m)
		if i == 1 {
			if m.BuildID <= manifests[0].BuildID {
				t.Errorf("second build %s is not newer than the first %s", m.BuildID, manifests[0].BuildID)
			}
			for table, key := range manifests[0].Files {
				if _, ok := lake[key]; ok && m.Files[table] != key {
					t.Errorf("first build's %s file %s was not removed by the second build", table, key)
				}
			}
			// Nothing new arrived: the second build reuses the input cache.
			for _, table := range []string{"cache_submissions", "cache_receipts"} {
				if m.Files[table] != manifests[0].Files[table] {
					t.Errorf("%s rewritten although no input changed: %s → %s", table, manifests[0].Files[table], m.Files[table])
				}
			}
		}
		checkRollupNumbers(ctx, t, lake, want)
		if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) != 0 {
			t.Errorf("TMPDIR not cleaned after invocation %d: %q", i+1, left)
		}
	}
	proc.Stop()
	if e := rt.InitError(); e != nil {
		t.Errorf("init error reported: %s: %s", e.Type, e.Message)
	}
	elapsed := checkRollupLogs(t, proc.Stdout.Bytes(), invs, msgs, manifests, want.accepted)

	first := rt.FirstNext()
	t.Logf("cold start: exec → first /next %v; first invocation %v (build elapsed_ms %d); warm invocation %v (elapsed_ms %d)",
		first.Sub(proc.Started).Round(time.Millisecond), invs[0].Done.Sub(invs[0].Sent).Round(time.Millisecond), elapsed[0],
		invs[1].Done.Sub(invs[1].Sent).Round(time.Millisecond), elapsed[1])
}

// rollupEnv is the roll-up function's environment as Lambda sets it, with a
// read-only HOME (DuckDB must not need to write there) and TMPDIR as its
// /tmp.
func rollupEnv(t *testing.T, srv *s3test.Server, rt *lambdaRuntime, lake, tmp string) []string {
	t.Helper()
	home := t.TempDir()
	if err := os.Chmod(home, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(home, 0o755) })
	return []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=" + home,
		"TMPDIR=" + tmp,
		"TZ=:UTC",
		"LANG=en_US.UTF-8",
		"_HANDLER=bootstrap",
		"AWS_LAMBDA_RUNTIME_API=" + rt.Addr,
		"AWS_LAMBDA_FUNCTION_NAME=xhht-rollup",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=2048",
		"AWS_REGION=" + srv.Region,
		"AWS_ACCESS_KEY_ID=" + srv.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + srv.SecretKey,
		"AWS_EC2_METADATA_DISABLED=true",
		"LAKE_BUCKET=" + lake,
		"S3_ENDPOINT=" + srv.Endpoint,
		"S3_FORCE_PATH_STYLE=true",
	}
}

// checkInitError starts bin with env (plus PATH, HOME and the Runtime API
// address) and wants what Lambda wants of a function that cannot start:
// an init error to the Runtime API whose message contains want, then a
// non-zero exit.
func checkInitError(t *testing.T, bin string, env []string, want string) {
	t.Helper()
	rt := startLambdaRuntime(t)
	proc := startLambdaBootstrap(t, bin, append([]string{
		"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "AWS_LAMBDA_RUNTIME_API=" + rt.Addr}, env...))
	select {
	case <-rt.InitFailed():
	case <-proc.Exited():
	case <-time.After(30 * time.Second):
		t.Fatal("no init error reported within 30s")
	}
	e := rt.InitError()
	if e == nil || e.Type != "Runtime.InitError" || !strings.Contains(e.Message, want) {
		t.Fatalf("init error %+v, want Runtime.InitError about %s; stdout:\n%s", e, want, proc.Stdout)
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

// checkStatic asserts bin is an x86-64 executable with no interpreter and
// no dynamic section (what `ldd` calls "not a dynamic executable").
func checkStatic(t *testing.T, bin string) {
	t.Helper()
	checkStaticArch(t, bin, "amd64")
	if out, err := exec.Command("ldd", bin).CombinedOutput(); err == nil || !strings.Contains(string(out), "not a dynamic executable") {
		t.Errorf("ldd %s: %v: %s", bin, err, out)
	}
	if st, err := os.Stat(bin); err == nil {
		t.Logf("rollup bootstrap linux/amd64 (static, cgo): %.1f MB", float64(st.Size())/1e6)
	}
}

// demoLake is what was ingested and what the province roll-up must show.
type demoLake struct {
	accepted []string         // submission ids
	sums     map[string]int64 // roll-up column → sum over the accepted uploads
}

// ingestDemoUploads uploads a few of the demo's generated files of one
// province (clean ones from different communes, and one with a totals row
// that does not add up) and runs the real ingest processor on them, with
// the lake in S3. It returns the sums the roll-up must give, from the
// generated values, not from anything ingest wrote.
func ingestDemoUploads(ctx context.Context, t *testing.T, client *s3.Client) demoLake {
	t.Helper()
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	set, err := forms.Load()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := demo.NewPlan(reg, 2026, rollupProvince)
	if err != nil {
		t.Fatal(err)
	}
	// Clean files of communes that upload nothing else (an xlsx with Biểu
	// 02 and a csv without), and one file rejected for its totals row.
	uploads := map[string]int{}
	for _, f := range plan.Files {
		uploads[f.Commune.Code]++
	}
	var files []demo.File
	formats := map[string]int{}
	var rejected *demo.File
	for _, f := range plan.Files {
		switch {
		case f.Mistake == demo.None && uploads[f.Commune.Code] == 1 && formats[f.Format] < 2:
			formats[f.Format]++
			files = append(files, f)
		case f.Mistake == demo.TotalsOff && rejected == nil:
			rejected = &f
		}
	}
	if len(files) != 4 || rejected == nil {
		t.Fatalf("the demo plan has %d usable clean files (%v) and rejected %v", len(files), formats, rejected != nil)
	}

	proc, err := ingest.New(s3store.New(client, lambdaUploadsBucket, ""), s3store.New(client, lambdaLakeBucket, ""))
	if err != nil {
		t.Fatal(err)
	}
	out := demoLake{sums: map[string]int64{}}
	for _, f := range append(files, *rejected) {
		body, err := demo.Render(f, plan, set)
		if err != nil {
			t.Fatalf("render %s: %v", f.Key, err)
		}
		u := lambdaPut(ctx, t, client, f.Key, string(body))
		rc, err := proc.Process(ctx, ingest.Upload{Bucket: lambdaUploadsBucket, Key: u.key, Version: u.version})
		if err != nil {
			t.Fatalf("ingest %s: %v", f.Key, err)
		}
		wantStatus := receipt.Accepted
		if f.Mistake != demo.None {
			wantStatus = receipt.Rejected
		}
		if rc.Status != wantStatus {
			t.Fatalf("ingest %s: %s, want %s: %+v", f.Key, rc.Status, wantStatus, rc.Errors)
		}
		if rc.Status != receipt.Accepted {
			continue
		}
		out.accepted = append(out.accepted, rc.SubmissionID)
		rows, _ := f.Cells()
		for _, r := range rows {
			for _, k := range []string{"ho_tong", "ho_dang_ky", "ho_dat", "dong_ho_tong", "dong_ho_dang_ky", "dong_ho_dat", "lao_dong_tong", "cong_dan_dat"} {
				out.sums[k] += atoi(t, r[k])
			}
			out.sums["thon_tong"]++
			if r["cong_dong_dang_ky"] == "Có" {
				out.sums["thon_dang_ky"]++
			}
			if r["cong_dong_dat"] == "Có" {
				out.sums["thon_dat"]++
			}
		}
		if f.Form02 != nil {
			c := f.Form02.Cells02()
			for _, k := range []string{"don_vi_tong", "don_vi_dang_ky", "don_vi_dat", "can_bo_tong", "can_bo_cong_dan_dat", "tthtcd_so_lop", "tthtcd_luot_nguoi_hoc", "hoi_vien_tong", "hoi_vien_tap_huan"} {
				out.sums[k] += atoi(t, c[k])
			}
		}
	}
	slices.Sort(out.accepted)
	return out
}

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("generated value %q: %v", s, err)
	}
	return n
}

// checkRollupObjects checks rollups/ holds exactly the two manifests
// (province and nation) and the files they name, and returns the
// province's manifest.
func checkRollupObjects(t *testing.T, objs map[string][]byte) lake.Manifest {
	t.Helper()
	wantKeys := map[string]bool{}
	var prov lake.Manifest
	for _, p := range []string{rollupProvince, lake.NationCode} {
		key := "rollups/_manifests/year=2026/province=" + p + ".json"
		b, ok := objs[key]
		if !ok {
			t.Fatalf("no manifest %s; rollups: %q", key, rollupKeys(objs))
		}
		wantKeys[key] = true
		var m lake.Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if m.Year != 2026 || m.Province != p || m.BuildID == "" || len(m.Files) == 0 {
			t.Errorf("%s: %+v", key, m)
		}
		for table, f := range m.Files {
			wantKeys[f] = true
			body, ok := objs[f]
			if !ok {
				t.Errorf("%s names %s file %s, which is not in the lake", key, table, f)
				continue
			}
			if len(body) < 8 || string(body[:4]) != "PAR1" || string(body[len(body)-4:]) != "PAR1" {
				t.Errorf("%s is not a Parquet file (%d bytes)", f, len(body))
			}
			// An input-cache file is kept (and named again) by a build whose
			// inputs did not change; every other file is the build's own.
			if !strings.HasPrefix(table, "cache_") && !strings.Contains(f, "/"+m.BuildID+".parquet") {
				t.Errorf("%s is not named by build %s", f, m.BuildID)
			}
		}
		if p == rollupProvince {
			prov = m
			for _, table := range []string{rollup.Hamlets, rollup.Communes, rollup.Provinces, rollup.Completeness} {
				if _, ok := m.Files[table]; !ok {
					t.Errorf("province manifest has no %s file: %v", table, m.Files)
				}
			}
		}
	}
	for _, k := range rollupKeys(objs) {
		if !wantKeys[k] {
			t.Errorf("unexpected roll-up object %s (a file of an older build left behind?)", k)
		}
	}
	return prov
}

func rollupKeys(lake map[string][]byte) []string {
	var keys []string
	for _, k := range slices.Sorted(maps.Keys(lake)) {
		if strings.HasPrefix(k, "rollups/") {
			keys = append(keys, k)
		}
	}
	return keys
}

// checkRollupNumbers reads the roll-ups through the query views, on a local
// copy of the lake, and compares the province's and the nation's sums
// with the generated values of the accepted uploads.
func checkRollupNumbers(ctx context.Context, t *testing.T, lake map[string][]byte, want demoLake) {
	t.Helper()
	dir := t.TempDir()
	for k, b := range lake {
		p := filepath.Join(dir, filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, err := rollup.OpenViews(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cols := slices.Sorted(maps.Keys(want.sums))
	for _, q := range []struct{ view, where string }{
		{"provinces", "province_code = '" + rollupProvince + "'"},
		{"nation", "true"}, // the only province with data
	} {
		var n int
		if err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE year = 2026 AND %s", q.view, q.where)).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%s: %d rows, %v; want 1", q.view, n, err)
		}
		got := make([]any, len(cols))
		vals := make([]*int64, len(cols))
		for i := range cols {
			got[i] = &vals[i]
		}
		query := fmt.Sprintf("SELECT %s FROM %s WHERE year = 2026 AND %s", strings.Join(cols, ", "), q.view, q.where)
		if err := db.QueryRowContext(ctx, query).Scan(got...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		for i, c := range cols {
			if vals[i] == nil || *vals[i] != want.sums[c] {
				v := "null"
				if vals[i] != nil {
					v = strconv.FormatInt(*vals[i], 10)
				}
				t.Errorf("%s.%s = %s, want %d (sum of the accepted uploads)", q.view, c, v, want.sums[c])
			}
		}
	}
	var counted int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM communes WHERE year = 2026 AND province_code = ? AND thon_tong > 0", rollupProvince).Scan(&counted); err != nil {
		t.Fatal(err)
	}
	if counted != len(want.accepted) {
		t.Errorf("%d communes with hamlets, want %d", counted, len(want.accepted))
	}
}

// checkRollupLogs checks the function's stdout: JSON lines; per invocation
// one "dropped" line for the malformed message and one "built" line for
// the two good ones, with the fields operators query on. It returns the
// built lines' elapsed_ms.
func checkRollupLogs(t *testing.T, stdout []byte, invs []*lambdaInvocation, msgs []lambdaSQSMessage, ms []lake.Manifest, accepted []string) []int64 {
	t.Helper()
	type line struct {
		Msg       string   `json:"msg"`
		Status    string   `json:"status"`
		RequestID string   `json:"aws_request_id"`
		Year      int      `json:"year"`
		Province  string   `json:"province"`
		BuildID   string   `json:"build_id"`
		Inputs    *int     `json:"inputs"`
		Elapsed   *int64   `json:"elapsed_ms"`
		Stale     *bool    `json:"stale"`
		IDs       []string `json:"sqs_message_ids"`
		ID        string   `json:"sqs_message_id"`
		Error     string   `json:"error"`
	}
	elapsed := make([]int64, len(invs))
	seen := map[string]int{}
	for raw := range strings.Lines(string(stdout)) {
		var l line
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Errorf("stdout line is not JSON: %q", raw)
			continue
		}
		inv := slices.IndexFunc(invs, func(i *lambdaInvocation) bool { return i.ID == l.RequestID })
		if inv < 0 {
			t.Errorf("log line of no invocation: %s", raw)
			continue
		}
		switch l.Status {
		case "dropped":
			seen[fmt.Sprint(inv, "dropped")]++
			if l.ID != msgs[1].id || !strings.Contains(l.Error, "two-digit") {
				t.Errorf("dropped line %s; want message %s, about the province code", raw, msgs[1].id)
			}
		case "built":
			seen[fmt.Sprint(inv, "built")]++
			if l.Year != 2026 || l.Province != rollupProvince || l.BuildID != ms[inv].BuildID || l.Inputs == nil ||
				*l.Inputs != len(accepted) || l.Elapsed == nil || l.Stale == nil || *l.Stale ||
				!slices.Equal(l.IDs, []string{msgs[0].id, msgs[2].id}) {
				t.Errorf("built line %s\nwant build %s, %d inputs, messages %s and %s", raw, ms[inv].BuildID, len(accepted), msgs[0].id, msgs[2].id)
			}
			if l.Elapsed != nil {
				elapsed[inv] = *l.Elapsed
			}
		case "":
			// rollup.Build's own summary line.
		default:
			t.Errorf("unexpected status: %s", raw)
		}
	}
	for i := range invs {
		if seen[fmt.Sprint(i, "dropped")] != 1 || seen[fmt.Sprint(i, "built")] != 1 {
			t.Errorf("invocation %d: %d dropped and %d built lines, want 1 each", i+1, seen[fmt.Sprint(i, "dropped")], seen[fmt.Sprint(i, "built")])
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(ms[1].Inputs)), accepted) {
		t.Errorf("manifest inputs %q, want the accepted submissions %q", ms[1].Inputs, accepted)
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("function stdout:\n%s", stdout)
	}
	return elapsed
}

// fakeSQS serves the one SQS call the ingest function makes, SendMessage,
// in the AWS JSON 1.0 protocol the SDK speaks (POST /, X-Amz-Target:
// AmazonSQS.SendMessage). Why not a real queue: there is no SQS emulator
// that can be installed here (ElasticMQ and LocalStack are JVM or Python
// services downloaded from the internet; only the Go module proxy is
// reachable), and one call is small enough to serve faithfully, including
// the MD5 of the body that the SDK checks in every answer.
type fakeSQS struct {
	srv *httptest.Server

	mu   sync.Mutex
	sent []sqsSent
	fail bool // answer QueueDoesNotExist, as SQS does for a wrong URL
	bad  []string
}

type sqsSent struct{ queueURL, body string }

func startFakeSQS(t *testing.T) *fakeSQS {
	t.Helper()
	q := &fakeSQS{}
	q.srv = httptest.NewServer(http.HandlerFunc(q.serve))
	t.Cleanup(q.srv.Close)
	return q
}

func (q *fakeSQS) serve(w http.ResponseWriter, r *http.Request) {
	q.mu.Lock()
	defer q.mu.Unlock()
	problem := func(s string) { q.bad = append(q.bad, s) }
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		problem(r.Method + " " + r.URL.Path)
	}
	if got := r.Header.Get("X-Amz-Target"); got != "AmazonSQS.SendMessage" {
		problem("X-Amz-Target " + got)
	}
	if got := r.Header.Get("Content-Type"); got != "application/x-amz-json-1.0" {
		problem("Content-Type " + got)
	}
	// Signed for SQS with the function's credentials.
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=") || !strings.Contains(auth, "/us-east-1/sqs/aws4_request") {
		problem("Authorization " + auth)
	}
	var in struct {
		QueueURL    string `json:"QueueUrl"`
		MessageBody string `json:"MessageBody"`
	}
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &in); err != nil {
		problem("body " + string(b))
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-RequestId", lambdaUUID())
	if q.fail {
		w.Header().Set("X-Amzn-Query-Error", "AWS.SimpleQueueService.NonExistentQueue;Sender")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}`)
		return
	}
	q.sent = append(q.sent, sqsSent{in.QueueURL, in.MessageBody})
	sum := md5.Sum([]byte(in.MessageBody))
	_ = json.NewEncoder(w).Encode(map[string]string{"MessageId": lambdaUUID(), "MD5OfMessageBody": hex.EncodeToString(sum[:])})
}

func (q *fakeSQS) state() (sent []sqsSent, bad []string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.sent), slices.Clone(q.bad)
}

func (q *fakeSQS) setFail(v bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.fail = v
}

// The ingest function asks for the roll-up of the province of an accepted
// upload, once, and for nothing when the upload is rejected; when the
// request cannot be sent, the upload's message is retried, and retrying it
// leaves the lake as it was.
func TestLambdaIngestSendsRollupRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the Lambda bootstrap")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	bin := buildLambdaBootstrap(t, "./functions/ingest", runtime.GOARCH)

	srv, client := lambdaS3(t)
	valid := lambdaPut(ctx, t, client, "2026/19/01864/Báo cáo Xã Bằng Thành năm 2026.csv", lambdaValidCSV)
	invalid := lambdaPut(ctx, t, client, "2026/19/01864/Biểu 01 (sai tổng).csv", lambdaInvalidCSV)
	accepted := lambdaSQSEvent([]lambdaSQSMessage{{id: lambdaUUID(), body: lambdaS3Notification(valid)}})
	rejectedMsg := lambdaSQSMessage{id: lambdaUUID(), body: lambdaS3Notification(invalid)}
	rejected := lambdaSQSEvent([]lambdaSQSMessage{rejectedMsg})
	var acceptedID string
	{
		var ev struct{ Records []struct{ MessageID string } }
		_ = json.Unmarshal(accepted, &ev)
		acceptedID = ev.Records[0].MessageID
	}

	sqs := startFakeSQS(t)
	rt := startLambdaRuntime(t)
	proc := startLambdaBootstrap(t, bin, []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=" + t.TempDir(),
		"AWS_LAMBDA_RUNTIME_API=" + rt.Addr,
		"AWS_LAMBDA_FUNCTION_NAME=xhht-ingest",
		"AWS_REGION=" + srv.Region,
		"AWS_ACCESS_KEY_ID=" + srv.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + srv.SecretKey,
		"AWS_EC2_METADATA_DISABLED=true",
		"LAKE_BUCKET=" + lambdaLakeBucket,
		"UPLOADS_BUCKET=" + lambdaUploadsBucket,
		"S3_ENDPOINT=" + srv.Endpoint,
		"S3_FORCE_PATH_STYLE=true",
		"ROLLUP_QUEUE_URL=" + rollupQueueURL,
		"SQS_ENDPOINT=" + sqs.srv.URL,
	})
	ictx, icancel := proc.CancelOnExit(ctx)
	defer icancel()
	invoke := func(ev []byte) *lambdaInvocation {
		t.Helper()
		inv, err := rt.Invoke(ictx, ev, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return inv
	}
	wantMsg := sqsSent{rollupQueueURL, `{"year":2026,"province":"19"}`}

	// Rejected: nothing is sent.
	lambdaCheckResponse(t, invoke(rejected), nil)
	if sent, _ := sqs.state(); len(sent) != 0 {
		t.Errorf("a rejected upload sent %q", sent)
	}
	// Accepted: exactly one request, for its year and province.
	lambdaCheckResponse(t, invoke(accepted), nil)
	if sent, _ := sqs.state(); !slices.Equal(sent, []sqsSent{wantMsg}) {
		t.Errorf("sent %q, want %q", sent, wantMsg)
	}
	lake := lambdaBucketObjects(ctx, t, client, lambdaLakeBucket)

	// The queue refuses: the accepted upload's message is retried...
	sqs.setFail(true)
	lambdaCheckResponse(t, invoke(accepted), []string{acceptedID})
	// ...and its redelivery writes the same lake and sends the request.
	sqs.setFail(false)
	lambdaCheckResponse(t, invoke(accepted), nil)
	if sent, _ := sqs.state(); !slices.Equal(sent, []sqsSent{wantMsg, wantMsg}) {
		t.Errorf("after the retry sent %q, want the request twice", sent)
	}
	after := lambdaBucketObjects(ctx, t, client, lambdaLakeBucket)
	if !maps.EqualFunc(lake, after, func(a, b []byte) bool { return string(a) == string(b) }) {
		t.Errorf("the lake changed on redelivery:\n before %q\n after  %q", slices.Sorted(maps.Keys(lake)), slices.Sorted(maps.Keys(after)))
	}
	if _, bad := sqs.state(); len(bad) > 0 {
		t.Errorf("requests the SQS endpoint did not expect: %q", bad)
	}

	proc.Stop()
	// stdout: per invocation, the record's line, and for the accepted
	// upload a roll-up request line (queued, or failed with the error).
	var statuses []string
	for raw := range strings.Lines(proc.Stdout.String()) {
		var l struct {
			Status string   `json:"status"`
			IDs    []string `json:"sqs_message_ids"`
			Error  string   `json:"error"`
		}
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Errorf("stdout line is not JSON: %q", raw)
			continue
		}
		if l.IDs != nil {
			statuses = append(statuses, "rollup "+l.Status)
			if !slices.Equal(l.IDs, []string{acceptedID}) || (l.Status == "failed") != strings.Contains(l.Error, "The specified queue does not exist") {
				t.Errorf("roll-up request line %s", raw)
			}
			continue
		}
		statuses = append(statuses, l.Status)
	}
	want := []string{"rejected", "accepted", "rollup queued", "accepted", "rollup failed", "accepted", "rollup queued"}
	if !slices.Equal(statuses, want) {
		t.Errorf("log statuses %q, want %q\n%s", statuses, want, proc.Stdout)
	}
	if e := rt.InitError(); e != nil {
		t.Errorf("init error: %s", e.Message)
	}
	// For the record: the SQS client is built at init without a network call.
	t.Logf("cold start with the roll-up queue configured: exec → first /next %v", rt.FirstNext().Sub(proc.Started).Round(time.Millisecond))
}
