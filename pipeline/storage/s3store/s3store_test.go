package s3store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/s3store"
	"github.com/xhht/xhht/pipeline/storage/s3test"
	"github.com/xhht/xhht/pipeline/storage/storagetest"
)

// newBucket returns a fresh bucket name per call; one server serves a whole
// contract run.
func newBucket(srv *s3test.Server, t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("xhht-%03d", bucketSeq) // S3 names: 3-63 chars
	bucketSeq++
	srv.CreateBucket(t, name)
	return name
}

var bucketSeq int // tests in this file do not run in parallel

func TestContract(t *testing.T) {
	srv := s3test.Start(t)
	client := srv.Client(t)
	storagetest.Run(t, func(t *testing.T) storage.Store {
		return s3store.New(client, newBucket(srv, t), "")
	})
}

// With a prefix, keys are relative to it and nothing outside it shows up,
// including keys that share the prefix as a string but not as a "directory".
func TestContractWithPrefix(t *testing.T) {
	srv := s3test.Start(t)
	client := srv.Client(t)
	const prefix = "tenants/x/"
	storagetest.Run(t, func(t *testing.T) storage.Store {
		bucket := newBucket(srv, t)
		outside := s3store.New(client, bucket, "")
		// No "tenants/x" itself: posix-backed servers (like the local
		// store) cannot hold both a file "a" and a file "a/b".
		for _, k := range []string{"tenants/x-old", "tenants/xy/lake/2026/a.parquet", "tenants/y/lake/2026/a.parquet", "lake/2026/a.parquet"} {
			if err := outside.Put(context.Background(), k, []byte("decoy"), ""); err != nil {
				t.Fatal(err)
			}
		}
		return s3store.New(client, bucket, prefix)
	})
}

func TestPrefixIsPrependedInBucket(t *testing.T) {
	srv := s3test.Start(t)
	client := srv.Client(t)
	bucket := newBucket(srv, t)
	ctx := context.Background()
	if err := s3store.New(client, bucket, "env/dev/").Put(ctx, "a/b.json", []byte("{}"), "application/json"); err != nil {
		t.Fatal(err)
	}
	out, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("env/dev/a/b.json")})
	if err != nil {
		t.Fatalf("raw object env/dev/a/b.json: %v", err)
	}
	if got := aws.ToString(out.ContentType); got != "application/json" {
		t.Errorf("ContentType = %q, want application/json", got)
	}
	if _, _, err := s3store.New(client, bucket, "").Get(ctx, "a/b.json", ""); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unprefixed key exists too (err = %v)", err)
	}
}

// The test server is versioned, so the contract's Versions subtest must run,
// not skip: pin that here.
func TestVersioningIsOn(t *testing.T) {
	srv := s3test.Start(t)
	s := s3store.New(srv.Client(t), newBucket(srv, t), "")
	ctx := context.Background()
	if err := s.Put(ctx, "k", []byte("v"), ""); err != nil {
		t.Fatal(err)
	}
	_, obj, err := s.Get(ctx, "k", "")
	if err != nil {
		t.Fatal(err)
	}
	if obj.VersionID == "" || obj.VersionID == "null" {
		t.Errorf("VersionID = %q, want a real version ID", obj.VersionID)
	}
}

func TestNewClient(t *testing.T) {
	// Keep the developer's AWS config out of the way: only Options count.
	missing := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", missing)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", missing)
	t.Setenv("AWS_PROFILE", "")

	srv := s3test.Start(t)
	bucket := newBucket(srv, t)
	ctx := context.Background()
	opts := s3store.Options{
		Endpoint:  srv.Endpoint,
		Region:    srv.Region,
		AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey,
		PathStyle: true,
	}
	client, err := s3store.NewClient(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	s := s3store.New(client, bucket, "")
	if err := s.Put(ctx, "báo cáo.xlsx", []byte("ok"), ""); err != nil {
		t.Fatalf("Put via NewClient: %v", err)
	}
	if got, _, err := s.Get(ctx, "báo cáo.xlsx", ""); err != nil || string(got) != "ok" {
		t.Fatalf("Get via NewClient = %q, %v", got, err)
	}

	// Errors that are 404s or look like "missing" but are not a missing
	// object must not turn into ErrNotFound, or callers would treat a
	// misconfiguration as "no upload yet".
	badKey := opts
	badKey.AccessKey = "nobody"
	badClient, err := s3store.NewClient(ctx, badKey)
	if err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]*s3store.Store{
		"unknown access key": s3store.New(badClient, bucket, ""),
		"missing bucket":     s3store.New(client, "no-such-bucket", ""),
	} {
		_, _, err := st.Get(ctx, "báo cáo.xlsx", "")
		if err == nil || errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s: Get error = %v, want a non-ErrNotFound error", name, err)
		}
		if _, err := st.List(ctx, ""); err == nil {
			t.Errorf("%s: List succeeded", name)
		}
		if err := st.Put(ctx, "x", nil, ""); err == nil {
			t.Errorf("%s: Put succeeded", name)
		}
	}
}

// A version ID the server has never issued is "not found", like a missing key.
func TestUnknownVersionIsNotFound(t *testing.T) {
	srv := s3test.Start(t)
	s := s3store.New(srv.Client(t), newBucket(srv, t), "")
	ctx := context.Background()
	if err := s.Put(ctx, "k", []byte("v"), ""); err != nil {
		t.Fatal(err)
	}
	_, obj, err := s.Get(ctx, "k", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Get(ctx, "k", obj.VersionID); err != nil {
		t.Fatalf("Get with own version: %v", err)
	}
	if _, _, err := s.Get(ctx, "missing", obj.VersionID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get(missing key, version) error = %v, want ErrNotFound", err)
	}
}
