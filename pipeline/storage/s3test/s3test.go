// Package s3test starts a real S3-compatible server (versitygw with its posix
// backend) for tests. Unlike an in-process fake it checks SigV4 signatures
// and speaks the real wire protocol, so the code under test runs exactly as it
// does against AWS. It lives in a non-test file so any package's tests (the
// storage contract, the Lambda end-to-end test) can use it.
//
// The binary comes from `make tools` (scripts/versitygw.sh), which installs
// versitygw v1.8.0 into .tools/bin. Set XHHT_VERSITYGW to use another path.
package s3test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// startTimeout bounds how long Start waits for the server to accept
// connections; it normally takes well under a second.
const startTimeout = 15 * time.Second

// Server is a running versitygw. Bucket versioning is enabled server-side
// (posix --versioning-dir) and CreateBucket turns it on for each bucket, so
// GetObject with a VersionId works like on a versioned AWS bucket.
type Server struct {
	Endpoint  string // http://127.0.0.1:PORT
	AccessKey string
	SecretKey string
	Region    string
}

// Start runs versitygw on a free 127.0.0.1 port with a fresh t.TempDir() as
// its storage and stops it when the test ends. A missing binary fails the
// test rather than skipping it: a skipped storage test must not look green.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := binary(t)
	srv := &Server{
		AccessKey: "xhht-test-access",
		SecretKey: "xhht-test-secret-key-do-not-use",
		Region:    "us-east-1",
	}
	// Registered before the kill below, so (cleanups being LIFO) the dirs
	// are removed only after the process is gone.
	root, versions := t.TempDir(), t.TempDir()

	// Picking a port and then letting the child bind it is racy, so a
	// start that dies early (port taken in between) gets a retry.
	var lastErr error
	for range 3 {
		addr, err := freeAddr()
		if err != nil {
			t.Fatalf("s3test: pick a port: %v", err)
		}
		err = srv.start(t, bin, addr, root, versions)
		if err == nil {
			srv.Endpoint = "http://" + addr
			return srv
		}
		lastErr = err
	}
	t.Fatalf("s3test: start versitygw: %v", lastErr)
	return nil
}

func (s *Server) start(t testing.TB, bin, addr, root, versions string) error {
	cmd := exec.Command(bin,
		"--port", addr,
		"--access", s.AccessKey,
		"--secret", s.SecretKey,
		"--region", s.Region,
		"--quiet", // no per-request log lines
		"posix",
		"--versioning-dir", versions,
		root,
	)
	// Keep the environment from reconfiguring the server (VGW_* variables
	// override flags' defaults, e.g. VGW_IAM_DIR).
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()

	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-exited:
			return fmt.Errorf("exited early (%v); output:\n%s", waitErr, out)
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("not listening on %s after %v; output:\n%s", addr, startTimeout, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("versitygw output:\n%s", out)
		}
	})
	return nil
}

// binary finds versitygw: $XHHT_VERSITYGW, else .tools/bin in the module root.
func binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("XHHT_VERSITYGW"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("s3test: XHHT_VERSITYGW=%s: %v", p, err)
		}
		return p
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatalf("s3test: %v; set XHHT_VERSITYGW to the versitygw binary", err)
	}
	name := "versitygw"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	p := filepath.Join(root, ".tools", "bin", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("s3test: versitygw not found at %s: run `make tools` (or scripts/versitygw.sh), or set XHHT_VERSITYGW", p)
	}
	return p
}

// moduleRoot walks up from the working directory (the package directory
// under go test) to the directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(l.Addr().(*net.TCPAddr).Port)), nil
}

// Client returns a client for the server built directly from s3.Options, not
// config.LoadDefaultConfig, so the developer's AWS profile or AWS_* variables
// cannot redirect or re-credential test traffic.
func (s *Server) Client(t testing.TB) *s3.Client {
	t.Helper()
	return s.ClientWithKeys(s.AccessKey, s.SecretKey)
}

// ClientWithKeys is Client with other credentials, e.g. to prove that a wrong
// secret is rejected.
func (s *Server) ClientWithKeys(accessKey, secretKey string) *s3.Client {
	return s3.New(s3.Options{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true, // no wildcard DNS for bucket.127.0.0.1
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
	})
}

// CreateBucket creates bucket name with versioning enabled.
func (s *Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := s.Client(t)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("s3test: create bucket %q: %v", name, err)
	}
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  aws.String(name),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
	})
	if err != nil {
		t.Fatalf("s3test: enable versioning on %q: %v", name, err)
	}
}

// syncBuffer collects the child's output; exec copies into it from its own
// goroutines while the test may read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
