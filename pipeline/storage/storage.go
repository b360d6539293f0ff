// Package storage is the one small interface the pipeline uses to read uploads
// and write the lake. Two backends implement it: storage/local (a directory,
// the CLI default) and storage/s3store (aws-sdk-go-v2). Both pass the same
// contract suite in storage/storagetest.
package storage

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned (wrapped) when a key or version does not exist.
var ErrNotFound = errors.New("storage: not found")

// ErrTooLarge is returned (wrapped) by GetAtMost for an object over the
// limit; the Object returned with it carries the size.
var ErrTooLarge = errors.New("storage: object too large")

// Object describes one stored object version.
type Object struct {
	Key          string
	Size         int64
	ETag         string    // without quotes
	VersionID    string    // empty when the backend has no versioning
	LastModified time.Time // UTC; for uploads this is the upload ("received") time
}

// Store reads and writes whole objects. Objects in this pipeline are small
// (uploads are capped, receipts and Parquet files are kilobytes), so bodies are
// byte slices: simple, seekable for SigV4 over plain HTTP, and easy to test.
type Store interface {
	// Get returns the object's bytes and metadata. version may be empty for
	// the latest version. A missing key or version gives an error wrapping ErrNotFound.
	Get(ctx context.Context, key, version string) ([]byte, Object, error)
	// Put writes the object atomically: readers see the old or the new bytes, never a part.
	Put(ctx context.Context, key string, body []byte, contentType string) error
	// List returns every object whose key starts with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]Object, error)
}

// LimitedGetter is implemented by stores that can refuse an object over a
// size limit without reading it all (S3: from Content-Length; a file: from
// its size), so an oversized upload never fills the function's memory.
type LimitedGetter interface {
	GetLimited(ctx context.Context, key, version string, maxBytes int64) ([]byte, Object, error)
}

// GetAtMost reads an object of at most maxBytes (0: no limit). Over the
// limit it returns ErrTooLarge and the object's metadata, with its size.
func GetAtMost(ctx context.Context, s Store, key, version string, maxBytes int64) ([]byte, Object, error) {
	if lg, ok := s.(LimitedGetter); ok && maxBytes > 0 {
		return lg.GetLimited(ctx, key, version, maxBytes)
	}
	body, obj, err := s.Get(ctx, key, version)
	if err == nil && maxBytes > 0 && int64(len(body)) > maxBytes {
		return nil, obj, fmt.Errorf("storage: %q is %d bytes, limit %d: %w", key, len(body), maxBytes, ErrTooLarge)
	}
	return body, obj, err
}

// ErrPrecondition is returned (wrapped) by PutIf when the object's current
// ETag is not the one expected (or the object exists when it should not).
var ErrPrecondition = errors.New("storage: precondition failed")

// Writer is what the roll-up needs beyond Store: removing superseded
// outputs, and a compare-and-swap on the manifest that says which outputs
// are current, so an older build can never replace a newer one even when
// two run at once. Both backends implement it.
type Writer interface {
	Store
	// Delete removes key. A missing key is not an error (S3 semantics).
	Delete(ctx context.Context, key string) error
	// PutIf writes key only if its current ETag is ifMatch, or, with
	// ifMatch "", only if key does not exist. Otherwise it returns an error
	// wrapping ErrPrecondition and writes nothing.
	PutIf(ctx context.Context, key string, body []byte, contentType, ifMatch string) error
}
