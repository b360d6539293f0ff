package lambdarollup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/lambdaconfig"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
	"github.com/xhht/xhht/pipeline/storage/local"
)

func TestRollupConfigFromEnv(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr string
	}{
		{"minimal", map[string]string{"LAKE_BUCKET": "lake", "TMPDIR": "/scratch"}, Config{Lake: lambdaconfig.Lake{Bucket: "lake"}, WorkRoot: "/scratch"}, ""},
		{
			"everything",
			map[string]string{"LAKE_BUCKET": " lake ", "LAKE_PREFIX": "env/dev", "S3_ENDPOINT": "http://127.0.0.1:7070", "S3_FORCE_PATH_STYLE": "true", "TMPDIR": "/scratch"},
			Config{Lake: lambdaconfig.Lake{Bucket: "lake", Prefix: "env/dev/", Endpoint: "http://127.0.0.1:7070", PathStyle: true}, WorkRoot: "/scratch"},
			"",
		},
		{"no TMPDIR: /tmp", map[string]string{"LAKE_BUCKET": "lake"}, Config{Lake: lambdaconfig.Lake{Bucket: "lake"}, WorkRoot: "/tmp"}, ""},
		{"no lake bucket", map[string]string{"LAKE_PREFIX": "x/"}, Config{}, "LAKE_BUCKET is not set"},
		{"bad path style", map[string]string{"LAKE_BUCKET": "lake", "S3_FORCE_PATH_STYLE": "sometimes"}, Config{}, "S3_FORCE_PATH_STYLE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []string{"LAKE_BUCKET", "LAKE_PREFIX", "S3_ENDPOINT", "S3_FORCE_PATH_STYLE", "TMPDIR"} {
				t.Setenv(k, c.env[k])
			}
			got, err := ConfigFromEnv()
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

// buildCall is one call of the fake build.
type buildCall struct {
	req     Request
	workDir string
	workOK  bool // the work dir existed, under the work root, during the build
}

// fakeBuilds replaces rollup.Build: outcome decides each province's result.
type fakeBuilds struct {
	root    string
	outcome map[string]string // province → "ok", "stale", "fail", "panic", "slow"
	mu      sync.Mutex
	calls   []buildCall
}

func (f *fakeBuilds) build(ctx context.Context, o rollup.Options) (*rollup.Result, error) {
	st, err := os.Stat(o.WorkDir)
	f.mu.Lock()
	f.calls = append(f.calls, buildCall{Request{o.Year, o.Province}, o.WorkDir,
		err == nil && st.IsDir() && filepath.Dir(o.WorkDir) == f.root && o.Registry != nil && o.Targets != nil && o.Deadlines != nil && o.Lake != nil})
	f.mu.Unlock()
	// Something left in the work dir, as a real build leaves downloads.
	_ = os.WriteFile(filepath.Join(o.WorkDir, "input.parquet"), []byte("PAR1"), 0o644)
	res := &rollup.Result{BuildID: "20261203T040506.000000000Z-0000000" + o.Province[1:], Inputs: 7, Elapsed: 12 * time.Millisecond}
	switch f.outcome[o.Province] {
	case "stale":
		res.Stale = []string{o.Province}
	case "fail":
		return nil, errors.New("rollup: download submissions/…: connection reset")
	case "panic":
		panic("duckdb: bad things")
	case "slow": // uses up the time left
		<-ctx.Done()
		return nil, ctx.Err()
	default:
		res.Provinces, res.Nation = []string{o.Province}, true
	}
	return res, nil
}

type wantLine struct {
	year     int
	province string
	status   string
	msgIDs   string // comma-separated; the one message id for a dropped line
}

func TestRollupHandle(t *testing.T) {
	const (
		r19 = `{"year":2026,"province":"19"}`
		r01 = `{"year":2026,"province":"01"}`
		r79 = `{"year":2026,"province":"79"}`
		bad = `{"year":"2026","province":"19"}`
	)
	cases := []struct {
		name         string
		outcome      map[string]string
		bodies       []string
		timeout      time.Duration // invocation deadline; 0 = none
		wantBuilds   []Request
		wantFailures []string
		wantLines    []wantLine
	}{
		{
			name:       "duplicates make one build",
			bodies:     []string{r19, r19},
			wantBuilds: []Request{{2026, "19"}},
			wantLines:  []wantLine{{2026, "19", StatusBuilt, "m0,m1"}},
		},
		{
			name:       "malformed dropped, not retried",
			bodies:     []string{r19, bad, r19},
			wantBuilds: []Request{{2026, "19"}},
			wantLines:  []wantLine{{0, "", StatusDropped, "m1"}, {2026, "19", StatusBuilt, "m0,m2"}},
		},
		{
			name:         "failed build: its messages only are retried",
			outcome:      map[string]string{"01": "fail"},
			bodies:       []string{r19, r01, r79, r01},
			wantBuilds:   []Request{{2026, "19"}, {2026, "01"}, {2026, "79"}},
			wantFailures: []string{"m1", "m3"},
			wantLines: []wantLine{
				{2026, "19", StatusBuilt, "m0"}, {2026, "01", StatusFailed, "m1,m3"}, {2026, "79", StatusBuilt, "m2"},
			},
		},
		{
			name:         "panic is a failure of that build only",
			outcome:      map[string]string{"19": "panic"},
			bodies:       []string{r19, r01},
			wantBuilds:   []Request{{2026, "19"}, {2026, "01"}},
			wantFailures: []string{"m0"},
			wantLines:    []wantLine{{2026, "19", StatusFailed, "m0"}, {2026, "01", StatusBuilt, "m1"}},
		},
		{
			name:       "stale is not a failure",
			outcome:    map[string]string{"19": "stale"},
			bodies:     []string{r19},
			wantBuilds: []Request{{2026, "19"}},
			wantLines:  []wantLine{{2026, "19", StatusStale, "m0"}},
		},
		{
			name:         "out of time: the rest are not started, all retried",
			outcome:      map[string]string{"19": "slow"},
			bodies:       []string{r19, r01},
			timeout:      responseMargin + 300*time.Millisecond,
			wantBuilds:   []Request{{2026, "19"}},
			wantFailures: []string{"m0", "m1"},
			wantLines:    []wantLine{{2026, "19", StatusFailed, "m0"}, {2026, "01", StatusFailed, "m1"}},
		},
		{
			name:       "empty batch",
			wantBuilds: nil,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			var logs bytes.Buffer
			h, err := NewWithLake(Config{Lake: lambdaconfig.Lake{Bucket: "lake"}, WorkRoot: root}, local.New(t.TempDir()), NewLogger(&logs))
			if err != nil {
				t.Fatal(err)
			}
			h.now = func() time.Time { return testNow }
			fb := &fakeBuilds{root: root, outcome: c.outcome}
			h.build = fb.build

			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
			if c.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, c.timeout)
				defer cancel()
			}
			resp, err := h.Handle(ctx, events.SQSEvent{Records: sqsMsgs(c.bodies...)})
			if err != nil {
				t.Fatalf("Handle returned an error: %v", err)
			}
			got := []string{}
			for _, f := range resp.BatchItemFailures {
				got = append(got, f.ItemIdentifier)
			}
			if !slices.Equal(got, append([]string{}, c.wantFailures...)) {
				t.Errorf("failures %q, want %q", got, c.wantFailures)
			}
			var builds []Request
			for _, call := range fb.calls {
				builds = append(builds, call.req)
				if !call.workOK {
					t.Errorf("build %s: work dir %s not a fresh dir under %s, or shared data missing", call.req, call.workDir, root)
				}
			}
			if !slices.Equal(builds, c.wantBuilds) {
				t.Errorf("builds %v, want %v", builds, c.wantBuilds)
			}
			if left, _ := os.ReadDir(root); len(left) != 0 {
				t.Errorf("work root not cleaned: %v", left)
			}
			checkLines(t, logs.Bytes(), c.wantLines, "req-1")
		})
	}
}

// checkLines parses the handler's output (every line JSON) and compares
// its own lines, in order, with want; it checks the fields operators query.
func checkLines(t *testing.T, out []byte, want []wantLine, reqID string) {
	t.Helper()
	var got []wantLine
	for line := range bytes.Lines(out) {
		var m struct {
			Msg       string   `json:"msg"`
			Level     string   `json:"level"`
			Year      int      `json:"year"`
			Province  string   `json:"province"`
			Status    string   `json:"status"`
			IDs       []string `json:"sqs_message_ids"`
			ID        string   `json:"sqs_message_id"`
			RequestID string   `json:"aws_request_id"`
			BuildID   *string  `json:"build_id"`
			Inputs    *int     `json:"inputs"`
			Elapsed   *int64   `json:"elapsed_ms"`
			Stale     *bool    `json:"stale"`
			Error     string   `json:"error"`
			Body      *string  `json:"body"`
		}
		if err := json.Unmarshal(line, &m); err != nil {
			t.Errorf("log line is not JSON: %s", line)
			continue
		}
		if m.Status == "" {
			continue // a line of rollup.Build itself
		}
		if m.RequestID != reqID {
			t.Errorf("aws_request_id %q, want %q: %s", m.RequestID, reqID, line)
		}
		switch m.Status {
		case StatusBuilt, StatusStale:
			if m.BuildID == nil || m.Inputs == nil || m.Elapsed == nil || m.Stale == nil || *m.Stale != (m.Status == StatusStale) {
				t.Errorf("%s line without build_id, inputs, elapsed_ms or a right stale: %s", m.Status, line)
			}
		case StatusFailed:
			if m.Error == "" || m.Elapsed == nil || m.Level != "ERROR" {
				t.Errorf("failed line without error or elapsed_ms, or not an error: %s", line)
			}
		case StatusDropped:
			if m.Error == "" || m.Body == nil || m.Level != "ERROR" {
				t.Errorf("dropped line without error or body, or not an error: %s", line)
			}
			m.IDs = []string{m.ID}
		}
		got = append(got, wantLine{m.Year, m.Province, m.Status, strings.Join(m.IDs, ",")})
	}
	if !slices.Equal(got, want) {
		t.Errorf("log lines\n got %+v\nwant %+v\n%s", got, want, out)
	}
}

// New clears scratch directories a killed build left behind, and only
// those.
func TestRollupNewRemovesOldWorkDirs(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{workPattern + "123", workPattern + "456/lake/x", "someone-else"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := NewWithLake(Config{Lake: lambdaconfig.Lake{Bucket: "lake"}, WorkRoot: root}, local.New(t.TempDir()), NewLogger(&bytes.Buffer{})); err != nil {
		t.Fatal(err)
	}
	left, _ := os.ReadDir(root)
	if len(left) != 1 || left[0].Name() != "someone-else" {
		t.Errorf("left %v, want someone-else only", left)
	}
}

// With an unwritable work root every build fails (and is retried), with a
// line saying why.
func TestRollupWorkDirFailure(t *testing.T) {
	var logs bytes.Buffer
	h, err := NewWithLake(Config{Lake: lambdaconfig.Lake{Bucket: "lake"}, WorkRoot: filepath.Join(t.TempDir(), "missing")}, local.New(t.TempDir()), NewLogger(&logs))
	if err != nil {
		t.Fatal(err)
	}
	h.now = func() time.Time { return testNow }
	resp, _ := h.Handle(context.Background(), events.SQSEvent{Records: sqsMsgs(`{"year":2026,"province":"19"}`)})
	if len(resp.BatchItemFailures) != 1 || !strings.Contains(logs.String(), "work dir") {
		t.Errorf("failures %+v; logs %s", resp.BatchItemFailures, logs.String())
	}
}

// The real roll-up on a generated one-province lake: committed, counted,
// the work root left empty, and a second batch replaces the first build.
func TestRollupRealBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("runs DuckDB")
	}
	ctx := context.Background()
	dir := t.TempDir()
	store := local.New(dir)
	gen, err := rolluptest.Generate(ctx, store, rolluptest.Options{Year: 2026, Province: "19", MinHamlets: 1, MaxHamlets: 3, Seed: 19})
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	var logs bytes.Buffer
	h, err := NewWithLake(Config{Lake: lambdaconfig.Lake{Bucket: "lake"}, WorkRoot: root}, store, NewLogger(&logs))
	if err != nil {
		t.Fatal(err)
	}
	h.now = func() time.Time { return testNow }
	var manifests []lake.Manifest
	for range 2 {
		resp, err := h.Handle(ctx, events.SQSEvent{Records: sqsMsgs(`{"year":2026,"province":"19"}`, `{"year":2026,"province":"19"}`)})
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("Handle = %+v, %v\n%s", resp, err, logs.String())
		}
		b, err := os.ReadFile(filepath.Join(dir, "rollups", "_manifests", "year=2026", "province=19.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m lake.Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		manifests = append(manifests, m)
		if left, _ := os.ReadDir(root); len(left) != 0 {
			t.Errorf("work root not cleaned: %v", left)
		}
	}
	if manifests[0].BuildID >= manifests[1].BuildID {
		t.Errorf("second build %s does not follow the first %s", manifests[1].BuildID, manifests[0].BuildID)
	}
	if n := len(manifests[1].Inputs); n == 0 || n > gen.Parquet {
		t.Errorf("manifest counts %d submissions; the lake has %d Parquet files", n, gen.Parquet)
	}
	for _, key := range manifests[1].Files {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(key))); err != nil {
			t.Errorf("manifest names %s: %v", key, err)
		}
	}
	for table, key := range manifests[0].Files {
		if manifests[1].Files[table] == key {
			continue // an input cache kept because nothing changed
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(key))); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("first build's %s still there (%v)", key, err)
		}
	}
	var built int
	for line := range bytes.Lines(logs.Bytes()) {
		var m map[string]any
		if json.Unmarshal(line, &m) == nil && m["status"] == StatusBuilt {
			built++
			if m["build_id"] == "" || m["inputs"].(float64) != float64(len(manifests[1].Inputs)) {
				t.Errorf("built line %s", line)
			}
		}
	}
	if built != 2 {
		t.Errorf("%d built lines, want 2\n%s", built, logs.String())
	}
}

// An upload for 2025 after 2026 was rolled up: the function rebuilds 2025
// and then 2026, whose last-year rate and change come from 2025's
// corrected data, and says so in its one line about the request.
func TestRollupKeepsNextYearCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs DuckDB")
	}
	ctx := context.Background()
	dir := t.TempDir()
	lake := local.New(dir)
	up := func(year int, at time.Time, tong, dat int64) {
		t.Helper()
		if _, err := (rolluptest.Upload{Year: year, Commune: "01840", At: at, File: fmt.Sprintf("b-%d.xlsx", at.Unix()),
			Hamlets: []map[string]any{{"ho_tong": tong, "ho_dat": dat}}}).Write(ctx, lake); err != nil {
			t.Fatal(err)
		}
	}
	up(2025, time.Date(2025, 11, 10, 2, 0, 0, 0, time.UTC), 100, 50)
	up(2026, time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC), 100, 75)
	for _, y := range []int{2025, 2026} {
		if _, err := rollup.Build(ctx, rollup.Options{Lake: lake, Year: y, Province: "19"}); err != nil {
			t.Fatal(err)
		}
	}
	up(2025, time.Date(2025, 11, 20, 2, 0, 0, 0, time.UTC), 100, 60) // the correction
	var logs bytes.Buffer
	h, err := NewWithLake(Config{Lake: lambdaconfig.Lake{Bucket: "lake"}, WorkRoot: t.TempDir()}, lake, NewLogger(&logs))
	if err != nil {
		t.Fatal(err)
	}
	h.now = func() time.Time { return testNow }
	resp, err := h.Handle(ctx, events.SQSEvent{Records: sqsMsgs(`{"year":2025,"province":"19"}`)})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle = %+v, %v\n%s", resp, err, logs.String())
	}
	db, err := rollup.OpenViews(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var prev, change float64
	if err := db.QueryRow("SELECT ty_le_ho_dat_nam_truoc, ty_le_ho_dat_thay_doi FROM provinces WHERE year = 2026").Scan(&prev, &change); err != nil {
		t.Fatal(err)
	}
	if prev != 0.6 || math.Abs(change-0.15) > 1e-12 {
		t.Errorf("2026 last year %v, change %v; want 0.6 and 0.15 from the corrected 2025", prev, change)
	}
	var lines int
	for line := range bytes.Lines(logs.Bytes()) {
		var m map[string]any
		if json.Unmarshal(line, &m) == nil && m["status"] == StatusBuilt {
			lines++
			if m["next_year"] != float64(2026) || m["next_year_build_id"] == "" || m["next_year_build_id"] == nil {
				t.Errorf("built line without the 2026 build: %s", line)
			}
		}
	}
	if lines != 1 {
		t.Errorf("%d built lines, want 1\n%s", lines, logs.String())
	}
}

// A failed rebuild of the following year retries the messages.
func TestRollupNextYearFailureRetries(t *testing.T) {
	dir := t.TempDir()
	lake := local.New(dir)
	if err := lake.Put(context.Background(), "rollups/_manifests/year=2026/province=19.json", []byte("{}"), "application/json"); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	root := t.TempDir()
	h, err := NewWithLake(Config{Lake: lambdaconfig.Lake{Bucket: "lake"}, WorkRoot: root}, lake, NewLogger(&logs))
	if err != nil {
		t.Fatal(err)
	}
	h.now = func() time.Time { return testNow }
	var years []int
	h.build = func(ctx context.Context, o rollup.Options) (*rollup.Result, error) {
		years = append(years, o.Year)
		if o.Year == 2026 {
			return nil, errors.New("rollup: download submissions/…: connection reset")
		}
		return &rollup.Result{BuildID: "b", Provinces: []string{o.Province}}, nil
	}
	resp, err := h.Handle(context.Background(), events.SQSEvent{Records: sqsMsgs(`{"year":2025,"province":"19"}`)})
	if err != nil || len(resp.BatchItemFailures) != 1 {
		t.Errorf("Handle = %+v, %v; want the message retried\n%s", resp, err, logs.String())
	}
	if !slices.Equal(years, []int{2025, 2026}) {
		t.Errorf("built %v, want 2025 then 2026", years)
	}
	if !strings.Contains(logs.String(), `"status":"failed"`) || !strings.Contains(logs.String(), "keep 2026 current") {
		t.Errorf("no failed line naming 2026:\n%s", logs.String())
	}
}
