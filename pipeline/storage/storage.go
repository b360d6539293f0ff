// Package storage is the one small interface the pipeline uses to read uploads
// and write the lake. Two backends implement it: storage/local (a directory,
// the CLI default) and storage/s3store (aws-sdk-go-v2). Both pass the same
// contract suite in storage/storagetest.
package storage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
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
	// Meta is the object's user metadata (S3: x-amz-meta-*), as written by
	// MetaPutter.PutMeta; nil when there is none. Get and GetLimited fill
	// it; List does not (S3's ListObjectsV2 does not report it).
	Meta map[string]string
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

// MetaPutter is implemented by stores that keep user metadata with an
// object (both backends do). PutMeta is Put plus meta, written with the
// object: a later Put without metadata drops it, as S3 does.
type MetaPutter interface {
	PutMeta(ctx context.Context, key string, body []byte, contentType string, meta map[string]string) error
}

// ErrBadMeta is returned (wrapped) by PutMeta for metadata S3 could not
// carry as headers.
var ErrBadMeta = errors.New("storage: bad metadata")

// MaxMetaBytes is S3's limit on user metadata: keys plus values, in bytes.
const MaxMetaBytes = 2048

// CheckMeta enforces what S3 requires of user metadata, so both backends
// accept and refuse the same: keys of lower-case letters, digits and '-';
// values of printable ASCII (HTTP header values; encode anything else, as
// OriginalNameMeta does); at most MaxMetaBytes in all.
func CheckMeta(meta map[string]string) error {
	n := 0
	for k, v := range meta {
		n += len(k) + len(v)
		if k == "" || strings.Trim(k, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return fmt.Errorf("%w: key %q: want lower-case letters, digits and '-'", ErrBadMeta, k)
		}
		for i := 0; i < len(v); i++ {
			if v[i] < 0x20 || v[i] > 0x7e {
				return fmt.Errorf("%w: value of %q is not printable ASCII", ErrBadMeta, k)
			}
		}
	}
	if n > MaxMetaBytes {
		return fmt.Errorf("%w: %d bytes, S3 allows %d", ErrBadMeta, n, MaxMetaBytes)
	}
	return nil
}

// MetaOriginalName is the metadata key of an upload's original file name,
// as the official's browser sent it (S3: x-amz-meta-original-name). The
// value is percent-encoded (url.PathEscape of the UTF-8 name): header
// values must be ASCII. It is only ever shown (escaped), never used to
// build a key or a path.
const MetaOriginalName = "original-name"

// maxOriginalNameMeta bounds the encoded name, well inside MaxMetaBytes:
// about 110 Vietnamese letters or 1000 ASCII ones.
const maxOriginalNameMeta = 1000

// OriginalNameMeta is the metadata that records an upload's original
// name: invalid UTF-8 replaced, cut (at a letter) so its encoding fits
// maxOriginalNameMeta bytes. An empty name gives nil.
func OriginalNameMeta(name string) map[string]string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if name == "" {
		return nil
	}
	if len(name) > maxOriginalNameMeta {
		// Each byte encodes to at least one: cut first, so the loop
		// below stays short whatever the browser sent.
		name = strings.ToValidUTF8(name[:maxOriginalNameMeta], "")
	}
	enc := url.PathEscape(name)
	for len(enc) > maxOriginalNameMeta {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
		enc = url.PathEscape(name)
	}
	return map[string]string{MetaOriginalName: enc}
}

// OriginalName is the original file name recorded in o's metadata, or ""
// when there is none or it does not decode.
func OriginalName(o Object) string {
	v, ok := o.Meta[MetaOriginalName]
	if !ok {
		return ""
	}
	name, err := url.PathUnescape(v)
	if err != nil || !utf8.ValidString(name) {
		return ""
	}
	return name
}
