package tests

// A stand-in for the AWS Lambda Runtime API, and helpers to build and run a
// function's bootstrap against it, for tests that run a function "as Lambda
// runs it".
//
// AWS's own Runtime Interface Emulator (aws-lambda-rie) runs the real
// bootstraps too: scripts/lambda-rie.sh (`make tools`) builds it from the
// Go module proxy, and ingest_rie_test.go, duckdb_rie_test.go and
// portal_lambda_test.go run every function under it. This stand-in stays
// for what the emulator does not show: it serves the documented Runtime
// API (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html)
// itself, so a test sees when the function first asks for an event (the
// end of init, for the cold-start benchmarks), the init/error call and its
// error type, each invocation's error body, and the exit of the process.

// Names here start with "lambda" so they do not collide with other helpers
// of package tests.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lambdaRuntime serves the Runtime API endpoints a function uses:
//
//	GET  /2018-06-01/runtime/invocation/next
//	POST /2018-06-01/runtime/invocation/{id}/response
//	POST /2018-06-01/runtime/invocation/{id}/error
//	POST /2018-06-01/runtime/init/error
//
// Invoke queues an event; the function's long-polling /next picks it up.
type lambdaRuntime struct {
	Addr        string // host:port: the value of AWS_LAMBDA_RUNTIME_API
	FunctionARN string

	srv    *httptest.Server
	queue  chan *lambdaInvocation
	closed chan struct{}

	mu         sync.Mutex
	inflight   map[string]*lambdaInvocation
	firstNext  time.Time
	nextCalls  int
	initErr    *lambdaFnError
	initFailed chan struct{} // closed on the first init/error
}

// lambdaInvocation is one event and what the function answered.
type lambdaInvocation struct {
	ID       string
	Payload  []byte
	Deadline time.Time
	Sent     time.Time // when /next handed it to the function
	Done     time.Time // when the function answered

	Response []byte         // body of .../response; nil when the function failed
	Err      *lambdaFnError // body of .../error
	done     chan struct{}
}

// lambdaFnError is an error the function reported.
type lambdaFnError struct {
	Type    string // Lambda-Runtime-Function-Error-Type header, else errorType
	Message string // errorMessage
	Body    []byte
}

func startLambdaRuntime(t testing.TB) *lambdaRuntime {
	t.Helper()
	rt := &lambdaRuntime{
		FunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:xhht-ingest",
		queue:       make(chan *lambdaInvocation),
		closed:      make(chan struct{}),
		inflight:    map[string]*lambdaInvocation{},
		initFailed:  make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", rt.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", rt.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", rt.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", rt.initError)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("lambda runtime: unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	rt.srv = httptest.NewServer(mux) // 127.0.0.1, a free port
	rt.Addr = strings.TrimPrefix(rt.srv.URL, "http://")
	t.Cleanup(func() {
		close(rt.closed) // releases long-polling /next calls, so Close does not wait on them
		rt.srv.Close()
	})
	return rt
}

// Invoke hands payload to the function and waits for its answer, until ctx
// ends. The function gets timeout as its deadline.
func (rt *lambdaRuntime) Invoke(ctx context.Context, payload []byte, timeout time.Duration) (*lambdaInvocation, error) {
	inv := &lambdaInvocation{ID: lambdaUUID(), Payload: payload, Deadline: time.Now().Add(timeout), done: make(chan struct{})}
	select {
	case rt.queue <- inv:
	case <-ctx.Done():
		return nil, fmt.Errorf("lambda runtime: function never asked for the event: %w", context.Cause(ctx))
	}
	select {
	case <-inv.done:
		return inv, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("lambda runtime: no answer to invocation %s: %w", inv.ID, context.Cause(ctx))
	}
}

// FirstNext is when the function first asked for an event: the end of its
// init phase. Zero if it never did.
func (rt *lambdaRuntime) FirstNext() time.Time {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.firstNext
}

// InitFailed is closed when the function reports an init error.
func (rt *lambdaRuntime) InitFailed() <-chan struct{} { return rt.initFailed }

// InitError is the reported init error, or nil.
func (rt *lambdaRuntime) InitError() *lambdaFnError {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.initErr
}

func (rt *lambdaRuntime) next(w http.ResponseWriter, r *http.Request) {
	rt.mu.Lock()
	if rt.firstNext.IsZero() {
		rt.firstNext = time.Now()
	}
	rt.nextCalls++
	rt.mu.Unlock()
	select {
	case inv := <-rt.queue:
		inv.Sent = time.Now()
		rt.mu.Lock()
		rt.inflight[inv.ID] = inv
		rt.mu.Unlock()
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.ID)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.Deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", rt.FunctionARN)
		h.Set("Lambda-Runtime-Trace-Id", lambdaTraceID())
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.Payload)
	case <-r.Context().Done():
	case <-rt.closed:
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
	}
}

func (rt *lambdaRuntime) response(w http.ResponseWriter, r *http.Request) {
	rt.finish(w, r, func(inv *lambdaInvocation, body []byte) { inv.Response = body })
}

func (rt *lambdaRuntime) invocationError(w http.ResponseWriter, r *http.Request) {
	rt.finish(w, r, func(inv *lambdaInvocation, body []byte) { inv.Err = parseLambdaError(r, body) })
}

func (rt *lambdaRuntime) finish(w http.ResponseWriter, r *http.Request, set func(*lambdaInvocation, []byte)) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rt.mu.Lock()
	inv := rt.inflight[r.PathValue("id")]
	delete(rt.inflight, r.PathValue("id"))
	rt.mu.Unlock()
	if inv == nil {
		lambdaAPIError(w, http.StatusBadRequest, "InvalidRequestID", "unknown or already answered request id "+r.PathValue("id"))
		return
	}
	set(inv, body)
	inv.Done = time.Now()
	close(inv.done)
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func (rt *lambdaRuntime) initError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rt.mu.Lock()
	first := rt.initErr == nil
	if first {
		rt.initErr = parseLambdaError(r, body)
	}
	rt.mu.Unlock()
	if first {
		close(rt.initFailed)
	}
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func parseLambdaError(r *http.Request, body []byte) *lambdaFnError {
	var e struct {
		Type    string `json:"errorType"`
		Message string `json:"errorMessage"`
	}
	_ = json.Unmarshal(body, &e)
	fe := &lambdaFnError{Type: r.Header.Get("Lambda-Runtime-Function-Error-Type"), Message: e.Message, Body: body}
	if fe.Type == "" {
		fe.Type = e.Type
	}
	return fe
}

func lambdaAPIError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorType": typ, "errorMessage": msg})
}

func lambdaRandHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// lambdaUUID is a random version-4 UUID, the shape of Lambda request ids
// and SQS message ids.
func lambdaUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func lambdaTraceID() string {
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), lambdaRandHex(12), lambdaRandHex(8))
}

// lambdaModuleRoot is the directory holding go.mod, above the test's
// working directory.
func lambdaModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// buildLambdaBootstrap builds pkg (e.g. "./functions/ingest") as Lambda's
// provided.al2023 runtime needs it: a static linux executable named
// bootstrap, without the RPC entry point. It returns the executable's path.
func buildLambdaBootstrap(t testing.TB, pkg, goarch string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// go test puts its own go first on PATH.
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, pkg)
	cmd.Dir = lambdaModuleRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch, "GOFLAGS=-buildvcs=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s for linux/%s: %v\n%s", pkg, goarch, err, b)
	}
	return out
}

// lambdaProcess is a running bootstrap.
type lambdaProcess struct {
	Started        time.Time // just before exec
	Stdout, Stderr *lambdaBuffer

	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
}

// startLambdaBootstrap runs bin with exactly env (nothing inherited: the
// developer's AWS_* variables must not leak in) in bin's directory, as
// Lambda runs it from /var/task. The process is killed when the test ends.
func startLambdaBootstrap(t testing.TB, bin string, env []string) *lambdaProcess {
	t.Helper()
	p := &lambdaProcess{Stdout: &lambdaBuffer{}, Stderr: &lambdaBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin)
	p.cmd.Dir = filepath.Dir(bin)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.Stdout, p.Stderr
	p.cmd.WaitDelay = 5 * time.Second // never hang on the output pipes
	p.Started = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() { p.waitErr = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("bootstrap stdout:\n%s\nbootstrap stderr:\n%s", p.Stdout, p.Stderr)
		}
	})
	return p
}

// Exited is closed when the process has ended.
func (p *lambdaProcess) Exited() <-chan struct{} { return p.exited }

// Stop kills the process (Lambda freezes and later SIGKILLs it too) and
// waits until it and its output are gone. It may be called more than once.
func (p *lambdaProcess) Stop() {
	_ = p.cmd.Process.Kill() // an error only says it has already exited
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		panic("lambda bootstrap did not exit after SIGKILL")
	}
}

// Err is how the process ended; call it after Exited.
func (p *lambdaProcess) Err() error { return p.waitErr }

// CancelOnExit returns a context that ends, with a cause that carries the
// process's stderr, when the process exits: waiting for an answer from a
// dead function then fails at once instead of at a timeout.
func (p *lambdaProcess) CancelOnExit(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		select {
		case <-p.exited:
			cancel(fmt.Errorf("bootstrap exited (%v); stderr:\n%s", p.waitErr, p.Stderr))
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(errors.New("done")) }
}

// lambdaBuffer collects a child's output; exec copies into it from its own
// goroutines while the test may read it.
type lambdaBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lambdaBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lambdaBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

func (b *lambdaBuffer) String() string { return string(b.Bytes()) }
