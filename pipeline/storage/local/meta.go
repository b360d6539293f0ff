package local

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/xhht/xhht/pipeline/storage"
)

// metaPrefix names the sidecar that holds an object's user metadata:
// dir/a.xlsx has dir/.xhht-meta-a.xlsx (JSON). Like tmpPrefix it is
// reserved: checkKey refuses any key with a segment that starts with it,
// so no key can read or overwrite a sidecar, and List, which skips what
// checkKey refuses, never shows one.
const metaPrefix = ".xhht-meta-"

// maxSidecarBytes bounds what Get reads of a sidecar: storage.CheckMeta
// allows 2 KB of metadata, which JSON escaping at most triples.
const maxSidecarBytes = 16 << 10

var _ storage.MetaPutter = (*Store)(nil)

func sidecar(objectPath string) string {
	return filepath.Join(filepath.Dir(objectPath), metaPrefix+filepath.Base(objectPath))
}

// PutMeta implements storage.MetaPutter. The sidecar is written (or, with
// no metadata, removed) before the object is published, so a reader that
// sees the new object sees its metadata; Put is PutMeta without metadata,
// which drops the old sidecar as S3 drops the old object's metadata.
func (s *Store) PutMeta(ctx context.Context, key string, body []byte, contentType string, meta map[string]string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("local: put %q: %w", key, err)
	}
	p, err := s.path(key)
	if err != nil {
		return fmt.Errorf("local: put: %w", err)
	}
	if err := storage.CheckMeta(meta); err != nil {
		return fmt.Errorf("local: put %q: %w", key, err)
	}
	if err := s.writeMeta(p, meta); err != nil {
		return fmt.Errorf("local: put %q: metadata: %w", key, err)
	}
	if err := s.writeAtomic(p, body); err != nil {
		return fmt.Errorf("local: put %q: %w", key, err)
	}
	return nil
}

// writeMeta writes the sidecar of the object at p, or removes it when meta
// is empty.
func (s *Store) writeMeta(p string, meta map[string]string) error {
	if len(meta) == 0 {
		return removeMeta(p)
	}
	b, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	return s.writeAtomic(sidecar(p), b)
}

func removeMeta(p string) error {
	if err := os.Remove(sidecar(p)); err != nil && !notFound(err) {
		return err
	}
	return nil
}

// readMeta reads the sidecar of the object at p: nil when there is none.
func readMeta(p string) (map[string]string, error) {
	f, err := os.Open(sidecar(p))
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSidecarBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSidecarBytes {
		return nil, fmt.Errorf("metadata sidecar over %d bytes", maxSidecarBytes)
	}
	var meta map[string]string
	if err := json.Unmarshal(b, &meta); err != nil {
		return nil, fmt.Errorf("metadata sidecar: %w", err)
	}
	if len(meta) == 0 {
		return nil, nil
	}
	return meta, nil
}
