package tests

import (
	"context"
	"encoding/json"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/storage/s3test"
)

// The DuckDB functions' bootstraps (roll-up, report) under AWS's own
// Runtime Interface Emulator (scripts/lambda-rie.sh), as the ingest and
// portal bootstraps are (ingest_rie_test.go, portal_lambda_test.go): the
// static cgo builds of `make package`, against a lake in versitygw, with a
// read-only HOME and TMPDIR as their /tmp (DuckDB's home, extension and
// temp directories must go there).

// duckRIEEnv is a DuckDB function's environment under the emulator: that
// of the stand-in tests (rollupEnv) less AWS_LAMBDA_RUNTIME_API, which the
// emulator sets for the process it starts.
func duckRIEEnv(t *testing.T, srv *s3test.Server, lake, tmp string, extra ...string) []string {
	t.Helper()
	env := slices.DeleteFunc(rollupEnv(t, srv, &lambdaRuntime{}, lake, tmp), func(kv string) bool {
		return strings.HasPrefix(kv, "AWS_LAMBDA_RUNTIME_API=")
	})
	return append(env, extra...)
}

// rieLines are the JSON lines of the emulator's combined output (the
// function's stdout and stderr; the emulator logs only errors, as text).
func rieLines(out string) []map[string]any {
	var lines []map[string]any
	for raw := range strings.Lines(out) {
		var m map[string]any
		if json.Unmarshal([]byte(raw), &m) == nil {
			lines = append(lines, m)
		}
	}
	return lines
}

// checkRIELines checks the function logged its start line (with its build)
// and that a line has every field of want.
//
// The bootstrap's log lines reach the emulator's output through a pipe,
// so the line of an invocation may arrive just after its answer: out is
// read again for up to 10 s before the lines count as missing.
func checkRIELines(t *testing.T, out func() string, function string, want map[string]any) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		started, found := matchRIELines(out(), function, want)
		if started && found {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("output: start line of %s %v, a line with %v %v:\n%s", function, started, want, found, out())
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// matchRIELines reports whether out has the function's start line and a
// line with every field of want.
func matchRIELines(out, function string, want map[string]any) (started, found bool) {
	for _, l := range rieLines(out) {
		if l["msg"] == "start" && l["function"] == function && l["version"] != nil {
			started = true
		}
		match := true
		for k, v := range want {
			if l[k] != v {
				match = false
			}
		}
		found = found || match
	}
	return started, found
}

// rieError is a function error as the emulator answers it.
type rieError struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
}

func TestLambdaRollupUnderRIE(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the static roll-up bootstrap under the emulator")
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the DuckDB bootstraps are built for linux with cgo and run here (an amd64 host)")
	}
	bootstrap := buildStaticBootstrap(t, "./functions/rollup")
	checkStaticArch(t, bootstrap, "amd64")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	srv, client := lambdaS3(t)
	want := ingestDemoUploads(ctx, t, client)

	good := `{"year":2026,"province":"` + rollupProvince + `"}`
	msgs := []lambdaSQSMessage{
		{id: lambdaUUID(), body: good},
		{id: lambdaUUID(), body: `{"year":2026,"province":"019"}`}, // malformed: dropped
		{id: lambdaUUID(), body: good},                             // same province: one build
	}
	event := lambdaSQSEvent(msgs)

	t.Run("lake missing: the build's messages retried", func(t *testing.T) {
		fn := startRIE(t, bootstrap, duckRIEEnv(t, srv, "no-such-lake", t.TempDir()))
		out, err := fn.Invoke(ctx, event)
		if err != nil {
			t.Fatal(err)
		}
		lambdaCheckResponse(t, &lambdaInvocation{Response: out}, []string{msgs[0].id, msgs[2].id})
		checkRIELines(t, fn.out.String, "rollup", map[string]any{"status": "failed", "province": rollupProvince})
	})

	tmp := t.TempDir()
	fn := startRIE(t, bootstrap, duckRIEEnv(t, srv, lambdaLakeBucket, tmp))
	start := time.Now()
	out, err := fn.Invoke(ctx, event)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("roll-up under the emulator: first invocation (cold) %v", time.Since(start).Round(time.Millisecond))
	lambdaCheckResponse(t, &lambdaInvocation{Response: out}, nil)
	lake := lambdaBucketObjects(ctx, t, client, lambdaLakeBucket)
	m := checkRollupObjects(t, lake)
	if !slices.Equal(slices.Sorted(slices.Values(m.Inputs)), want.accepted) {
		t.Errorf("manifest inputs %q, want the accepted submissions %q", m.Inputs, want.accepted)
	}
	checkRollupNumbers(ctx, t, lake, want)
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) != 0 {
		t.Errorf("TMPDIR not cleaned after the invocation: %q", left)
	}
	checkRIELines(t, fn.out.String, "rollup", map[string]any{"status": "built", "province": rollupProvince, "build_id": m.BuildID})
}

func TestLambdaReportUnderRIE(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the static report bootstrap under the emulator")
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the DuckDB bootstraps are built for linux with cgo and run here (an amd64 host)")
	}
	bootstrap := buildStaticBootstrap(t, "./functions/report")
	checkStaticArch(t, bootstrap, "amd64")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	srv, client := lambdaS3(t)
	ingestDemoUploads(ctx, t, client)
	const payload = `{"kind":"report","deadline":"12-15","year":2026,"province":"19"}`

	t.Run("lake missing: the invocation fails", func(t *testing.T) {
		fn := startRIE(t, bootstrap, duckRIEEnv(t, srv, "no-such-lake", t.TempDir(), "PROVINCES=19"))
		out, err := fn.Invoke(ctx, []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		var e rieError
		if err := json.Unmarshal(out, &e); err != nil || !strings.Contains(e.Message, "1 of 1 provinces failed") {
			t.Errorf("answer %s (%v), want the function's error: 1 of 1 provinces failed", out, err)
		}
		checkRIELines(t, fn.out.String, "report", map[string]any{"status": "failed", "province": "19", "kind": "report"})
		// Nothing was written anywhere: the lake of the other bucket is untouched.
		for k := range lambdaBucketObjects(ctx, t, client, lambdaLakeBucket) {
			if strings.HasPrefix(k, "reports/") {
				t.Errorf("report object %s written by a failed invocation", k)
			}
		}
	})

	tmp := t.TempDir()
	fn := startRIE(t, bootstrap, duckRIEEnv(t, srv, lambdaLakeBucket, tmp, "PROVINCES=19,01"))
	start := time.Now()
	out, err := fn.Invoke(ctx, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("report under the emulator: first invocation (cold) %v", time.Since(start).Round(time.Millisecond))
	var res reportResult
	if err := json.Unmarshal(out, &res); err != nil || len(res.Provinces) != 1 || res.Provinces[0].Status != "written" || len(res.Provinces[0].Keys) != 3 {
		t.Fatalf("report answer %s (%v), want province 19 written with three files", out, err)
	}
	checkReportFiles(ctx, t, client, res.Provinces[0].Keys)
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) != 0 {
		t.Errorf("TMPDIR not cleaned after the invocation: %q", left)
	}
	checkRIELines(t, fn.out.String, "report", map[string]any{"status": "written", "province": "19", "kind": "report"})

	// A payload the function cannot read: a function error, and the
	// process goes on to answer the next event.
	out, err = fn.Invoke(ctx, []byte(`{"kind":"report","deadline":"12-31"}`))
	if err != nil {
		t.Fatal(err)
	}
	var e rieError
	if err := json.Unmarshal(out, &e); err != nil || e.Message == "" {
		t.Errorf("answer to a bad payload %s (%v), want a function error", out, err)
	}
	checkRIELines(t, fn.out.String, "report", map[string]any{"msg": "bad payload", "status": "failed"})
}
