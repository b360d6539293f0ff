// Package ssmtest is a stand-in for AWS Systems Manager Parameter Store's
// GetParameter, for tests of code that reads the portal's session keys at
// cold start (the unit tests and the Lambda bootstrap test).
//
// Why a stand-in: Parameter Store is an AWS service with no local
// implementation installable here (no network beyond the package
// registries; LocalStack is neither a Go module nor a Debian package). The
// stand-in speaks the real wire protocol the SDK uses (AWS JSON 1.1,
// X-Amz-Target AmazonSSM.GetParameter) and checks each request's SigV4
// signature with the secret it was given, so a client that is
// unauthenticated, signs for another service or region, or uses other keys
// fails here as it would on AWS. A SecureString is returned in plain text
// only when WithDecryption is true, as SSM does after KMS decrypts it.
package ssmtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Parameter is one stored parameter.
type Parameter struct {
	Type    string // "SecureString", "String" or "StringList"
	Value   string
	Version int64
}

// Server is a running stand-in.
type Server struct {
	URL                  string
	AccessKey, SecretKey string
	Region               string

	mu     sync.Mutex
	params map[string]Parameter
	calls  int
}

// Start serves GetParameter on 127.0.0.1 for requests signed with the
// given credentials for region; it stops when the test ends.
func Start(t testing.TB, accessKey, secretKey, region string) *Server {
	t.Helper()
	s := &Server{AccessKey: accessKey, SecretKey: secretKey, Region: region, params: map[string]Parameter{}}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Put stores (or replaces, with the next version) a parameter.
func (s *Server) Put(name, typ, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.params[name]
	s.params[name] = Parameter{Type: typ, Value: value, Version: old.Version + 1}
}

// Calls is how many GetParameter calls were answered (any outcome).
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		apiError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		apiError(w, http.StatusNotFound, "UnknownOperationException", r.Method+" "+r.URL.Path)
		return
	}
	if err := s.checkSignature(r, body); err != nil {
		apiError(w, http.StatusForbidden, "InvalidSignatureException", err.Error())
		return
	}
	if target := r.Header.Get("X-Amz-Target"); target != "AmazonSSM.GetParameter" {
		apiError(w, http.StatusBadRequest, "UnknownOperationException", "only AmazonSSM.GetParameter is served, not "+target)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		apiError(w, http.StatusBadRequest, "SerializationException", "Content-Type "+ct)
		return
	}
	var in struct {
		Name           string
		WithDecryption bool
	}
	if err := json.Unmarshal(body, &in); err != nil {
		apiError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	s.mu.Lock()
	p, ok := s.params[in.Name]
	s.mu.Unlock()
	if !ok {
		apiError(w, http.StatusBadRequest, "ParameterNotFound", "")
		return
	}
	value := p.Value
	if p.Type == "SecureString" && !in.WithDecryption {
		// What SSM returns without decryption: the KMS ciphertext.
		value = "AQICAHh" + hex.EncodeToString([]byte(value))
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]any{
		"ARN":              fmt.Sprintf("arn:aws:ssm:%s:123456789012:parameter%s", s.Region, in.Name),
		"DataType":         "text",
		"LastModifiedDate": float64(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix()),
		"Name":             in.Name,
		"Type":             p.Type,
		"Value":            value,
		"Version":          p.Version,
	}})
}

var authRe = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$`)

// checkSignature recomputes the request's SigV4 signature with the
// server's secret over the headers the client signed, and compares.
func (s *Server) checkSignature(r *http.Request, body []byte) error {
	m := authRe.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return fmt.Errorf("missing or malformed Authorization header")
	}
	if m[1] != s.AccessKey {
		return fmt.Errorf("unknown access key %q", m[1])
	}
	if m[3] != s.Region || m[4] != "ssm" {
		return fmt.Errorf("signed for %s/%s, want %s/ssm", m[3], m[4], s.Region)
	}
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("X-Amz-Date: %w", err)
	}
	if d := time.Since(when); d > 15*time.Minute || d < -15*time.Minute {
		return fmt.Errorf("request time %s is too far from now", when)
	}
	// A copy holding only the signed headers, signed again.
	cp, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	cp.Host = r.Host
	signed := strings.Split(m[5], ";")
	for _, h := range signed {
		if h == "host" {
			continue
		}
		cp.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
	}
	sum := sha256.Sum256(body)
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.SecretKey,
		SessionToken: r.Header.Get("X-Amz-Security-Token")}, cp, hex.EncodeToString(sum[:]), "ssm", s.Region, when)
	if err != nil {
		return err
	}
	if got := authRe.FindStringSubmatch(cp.Header.Get("Authorization")); got == nil || got[6] != m[6] {
		return fmt.Errorf("signature does not match")
	}
	return nil
}

func apiError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}
