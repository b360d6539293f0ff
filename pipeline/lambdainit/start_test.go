package lambdainit

import (
	"bytes"
	"context"
	"encoding/json"
	"log"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// jsonLines parses every line of out as a JSON object.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		lines = append(lines, m)
	}
	return lines
}

func TestStartLogsBuildAndMakesEveryLogJSON(t *testing.T) {
	prev := slog.Default()
	t.Cleanup(func() { slog.SetDefault(prev) })
	var out bytes.Buffer
	Start(&out, "ingest")
	// aws-lambda-go reports panics and fatal errors with the log package.
	log.Printf("%s", `{"errorMessage":"boom","errorType":"string"}`)

	lines := jsonLines(t, out.String())
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), out.String())
	}
	start := lines[0]
	if start["msg"] != "start" || start["function"] != "ingest" {
		t.Errorf("first line = %v, want the start line of function ingest", start)
	}
	for _, k := range []string{"version", "vcs_revision", "vcs_time", "vcs_modified"} {
		if _, ok := start[k]; !ok {
			t.Errorf("start line has no %q: %v", k, start)
		}
	}
	if v, _ := start["version"].(string); v == "" {
		t.Errorf("start line version is empty: %v", start)
	}
	if lines[1]["function"] != "ingest" || !strings.Contains(lines[1]["msg"].(string), "boom") {
		t.Errorf("log package line = %v, want it through the JSON logger", lines[1])
	}
}

func TestGuardLogsPanicWithRequestIDAndRepanics(t *testing.T) {
	var out bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&out, nil))
	h := Guard(l, func(ctx context.Context, n int) (int, error) {
		if n < 0 {
			panic("negative input")
		}
		return n * 2, nil
	})
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-42"})

	if got, err := h(ctx, 21); got != 42 || err != nil {
		t.Fatalf("h(21) = %d, %v; want 42, nil", got, err)
	}
	if out.Len() != 0 {
		t.Errorf("a normal call logged %q", out.String())
	}

	func() {
		defer func() {
			if v := recover(); v != "negative input" {
				t.Errorf("recovered %v, want the handler's panic to go on to the runtime", v)
			}
		}()
		_, _ = h(ctx, -1)
		t.Error("no panic reached the caller")
	}()
	lines := jsonLines(t, out.String())
	if len(lines) != 1 {
		t.Fatalf("%d lines, want 1: %s", len(lines), out.String())
	}
	l0 := lines[0]
	if l0["level"] != "ERROR" || l0["aws_request_id"] != "req-42" || l0["error"] != "negative input" ||
		!strings.Contains(l0["stack"].(string), "start_test.go") {
		t.Errorf("panic line = %v, want level ERROR, aws_request_id req-42, the panic value and its stack", l0)
	}
}
