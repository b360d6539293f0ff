// Package local implements storage.Store on a directory: key "a/b/c.json" is
// the file dir/a/b/c.json. It is the CLI default and mirrors the S3 semantics
// the pipeline relies on (atomic whole-object writes, MD5 ETags, prefix lists).
//
// Unlike S3, a directory cannot hold both "a" and "a/b" (one would have to be
// a file and a directory at once); the same holds for posix-backed S3 servers
// such as versitygw, so pipeline keys should never nest under another key.
package local

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/xhht/xhht/pipeline/storage"
)

// ErrInvalidKey is returned (wrapped) for keys that could name a file outside
// the store's directory or that have no unambiguous file name.
var ErrInvalidKey = errors.New("local: invalid key")

// tmpPrefix marks in-flight Put files. List skips them and keys may not use
// the prefix, so a crash mid-Put never surfaces as an object.
const tmpPrefix = ".xhht-tmp-"

// renameFile is swapped in tests to simulate a crash between writing the
// temp file and publishing it.
var renameFile = os.Rename

// Store is a storage.Store backed by a directory.
type Store struct {
	dir string
	// deferred, when set, is the shared record of the writes not yet
	// synced (see Deferred); nil: every write is synced before Put returns.
	deferred *pending
}

var _ storage.Writer = (*Store)(nil)

// Dir is the directory the store is rooted at, so DuckDB can read lake
// files in place instead of copying them.
func (s *Store) Dir() string { return s.dir }

// New returns a Store rooted at dir. dir need not exist yet: Put creates it,
// and List/Get on a missing dir behave like an empty bucket.
func New(dir string) *Store {
	return &Store{dir: dir}
}

// path validates key and maps it to a file under s.dir. No part of the
// path below s.dir may be a symbolic link, in either direction: a linked
// upload would let a key read a file outside the uploads directory (and
// echo it into a receipt), a linked receipts/ would write outside the
// lake. List skips links too, so what it lists is what Get reads. (The
// directory itself may be a link: that is the operator's choice.)
func (s *Store) path(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	if err := s.noLinks(key); err != nil {
		return "", err
	}
	return filepath.Join(s.dir, filepath.FromSlash(key)), nil
}

// noLinks checks each existing component of key below s.dir with Lstat.
// A link created between this check and the open is not caught for the
// directories (the file itself is opened with O_NOFOLLOW); the store is
// for one operator's directories, not a boundary between users.
func (s *Store) noLinks(key string) error {
	p := s.dir
	for _, seg := range strings.Split(key, "/") {
		p = filepath.Join(p, seg)
		fi, err := os.Lstat(p)
		if err != nil {
			if notFound(err) {
				return nil // nothing further down exists
			}
			return err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%w %q: %s is a symbolic link", ErrInvalidKey, key, p)
		}
	}
	return nil
}

// checkKey rejects anything that could escape the directory or alias another
// key once turned into a path (filepath.Join would clean "a//b" to "a/b").
func checkKey(key string) error {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrInvalidKey, key, why) }
	switch {
	case key == "":
		return bad("empty")
	case strings.HasPrefix(key, "/") || filepath.IsAbs(key):
		return bad("absolute")
	case strings.Contains(key, ".."):
		return bad(`contains ".."`)
	case strings.ContainsAny(key, "\\\x00"):
		return bad("contains a backslash or NUL")
	}
	for _, seg := range strings.Split(key, "/") {
		switch {
		case seg == "" || seg == ".":
			return bad("empty or '.' path segment")
		case strings.HasPrefix(seg, tmpPrefix):
			return bad("reserved temp-file prefix")
		case strings.HasPrefix(seg, metaPrefix):
			return bad("reserved metadata-sidecar prefix")
		}
	}
	// Belt and braces: also catches platform specifics such as Windows
	// volume names and reserved device names.
	if !filepath.IsLocal(filepath.FromSlash(key)) {
		return bad("not a local path")
	}
	return nil
}

// Get implements storage.Store. version is accepted only if it equals the
// current ETag: a local directory keeps no history.
func (s *Store) Get(ctx context.Context, key, version string) ([]byte, storage.Object, error) {
	return s.GetLimited(ctx, key, version, 0)
}

// GetLimited implements storage.LimitedGetter: a file over maxBytes is
// hashed (for its ETag) but never held in memory.
func (s *Store) GetLimited(ctx context.Context, key, version string, maxBytes int64) ([]byte, storage.Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, storage.Object{}, fmt.Errorf("local: get %q: %w", key, err)
	}
	p, err := s.path(key)
	if err != nil {
		return nil, storage.Object{}, fmt.Errorf("local: get: %w", err)
	}
	body, obj, err := read(p, key, maxBytes)
	if err != nil && !errors.Is(err, storage.ErrTooLarge) {
		return nil, storage.Object{}, fmt.Errorf("local: get %q: %w", key, err)
	}
	if version != "" && version != obj.ETag {
		return nil, storage.Object{}, fmt.Errorf("local: get %q version %q: %w", key, version, storage.ErrNotFound)
	}
	tooLarge := err
	if obj.Meta, err = readMeta(p); err != nil {
		return nil, storage.Object{}, fmt.Errorf("local: get %q: %w", key, err)
	}
	if tooLarge != nil {
		return nil, obj, fmt.Errorf("local: get %q: %w", key, tooLarge)
	}
	return body, obj, nil
}

// read returns the file's bytes and metadata. Size, mtime and bytes all come
// from one open file descriptor, so a concurrent Put (which renames a new
// inode into place) cannot mix old and new. Over maxBytes (0: no limit) it
// returns the metadata and ErrTooLarge.
func read(path, key string, maxBytes int64) ([]byte, storage.Object, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, storage.Object{}, fmt.Errorf("%w %q: a symbolic link", ErrInvalidKey, key)
		}
		if notFound(err) {
			return nil, storage.Object{}, storage.ErrNotFound
		}
		return nil, storage.Object{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, storage.Object{}, err
	}
	if !fi.Mode().IsRegular() {
		// A "directory" exists only because longer keys share this
		// prefix; like S3, that is not an object.
		return nil, storage.Object{}, storage.ErrNotFound
	}
	obj := storage.Object{Key: key, Size: fi.Size(), LastModified: fi.ModTime().UTC()}
	if maxBytes > 0 && fi.Size() > maxBytes {
		h := md5.New()
		if _, err := io.Copy(h, f); err != nil {
			return nil, storage.Object{}, err
		}
		obj.ETag = hex.EncodeToString(h.Sum(nil))
		return nil, obj, fmt.Errorf("%d bytes, limit %d: %w", fi.Size(), maxBytes, storage.ErrTooLarge)
	}
	body, err := io.ReadAll(f)
	if err != nil {
		return nil, storage.Object{}, err
	}
	sum := md5.Sum(body)
	obj.Size, obj.ETag = int64(len(body)), hex.EncodeToString(sum[:])
	return body, obj, nil
}

// notFound reports whether err means "no such file". ENOTDIR covers keys that
// run through an existing file ("a/b" when "a" is an object).
func notFound(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// Put implements storage.Store: write a temp file next to the target, fsync,
// rename. Rename within one directory is atomic on POSIX filesystems, so
// readers see the old or the new file, never a partial one. contentType is
// not stored: nothing reads it back from a local directory.
func (s *Store) Put(ctx context.Context, key string, body []byte, contentType string) error {
	return s.PutMeta(ctx, key, body, contentType, nil)
}

func (s *Store) writeAtomic(path string, body []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()           // may already be closed; the error is irrelevant then
			os.Remove(f.Name()) // leave nothing behind on failure
		}
	}()
	if _, err := f.Write(body); err != nil {
		return err
	}
	// CreateTemp uses 0600; objects should be readable like any other
	// output file (e.g. by DuckDB running as another user).
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	// Sync before rename: otherwise a crash can publish a name whose data
	// never reached the disk. A deferred store syncs later instead (Sync,
	// and before every PutIf), see deferred.go.
	if s.deferred == nil {
		if err := syncFile(f); err != nil {
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := renameFile(f.Name(), path); err != nil {
		return err
	}
	if s.deferred != nil {
		s.deferred.add(path)
		return nil
	}
	syncDir(dir)
	return nil
}

// syncDir makes the rename itself durable. Best effort: not every platform
// can fsync a directory, and the object is already visible and complete.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = syncFile(d)
		d.Close()
	}
}

// List implements storage.Store. Like S3, prefix is a plain string prefix, so
// it may end mid-name ("lake/20" matches "lake/2026/x"). VersionID is empty.
func (s *Store) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	// Only the part up to the last "/" names a directory to walk; it must
	// be a safe key itself so the walk cannot start outside s.dir. A prefix
	// no valid key can have is a caller bug, so it is an error, not [].
	// The store's own directory may be a link (Get follows it too); the
	// walk starts from where it points, since WalkDir follows no link.
	dir := s.dir
	if real, err := filepath.EvalSymlinks(s.dir); err == nil {
		dir = real
	}
	root := dir
	if strings.Contains(prefix, "..") || strings.ContainsAny(prefix, "\\\x00") {
		return nil, fmt.Errorf("local: list %q: %w", prefix, ErrInvalidKey)
	}
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		if err := checkKey(prefix[:i]); err != nil {
			return nil, fmt.Errorf("local: list %q: %w", prefix, err)
		}
		if err := s.noLinks(prefix[:i]); err != nil {
			return nil, fmt.Errorf("local: list %q: %w", prefix, err)
		}
		root = filepath.Join(dir, filepath.FromSlash(prefix[:i]))
	}

	var objs []storage.Object
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if notFound(err) {
				return nil // missing dir (or vanished mid-walk): nothing to list
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		// checkKey skips temp files and any stray file Get would refuse.
		if !strings.HasPrefix(key, prefix) || checkKey(key) != nil {
			return nil
		}
		_, obj, err := read(path, key, 0)
		if errors.Is(err, storage.ErrNotFound) {
			return nil // deleted since the directory was read
		}
		if err != nil {
			return err
		}
		objs = append(objs, obj)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("local: list %q: %w", prefix, err)
	}
	// WalkDir sorts per directory, which is not key order: "a-b" < "a/c" as
	// keys but the walk visits a/ before a-b.
	slices.SortFunc(objs, func(a, b storage.Object) int { return strings.Compare(a.Key, b.Key) })
	return objs, nil
}

// Delete implements storage.Writer.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("local: delete %q: %w", key, err)
	}
	p, err := s.path(key)
	if err != nil {
		return fmt.Errorf("local: delete: %w", err)
	}
	if err := os.Remove(p); err != nil && !notFound(err) {
		return fmt.Errorf("local: delete %q: %w", key, err)
	}
	if err := removeMeta(p); err != nil {
		return fmt.Errorf("local: delete %q: metadata: %w", key, err)
	}
	return nil
}

// PutIf implements storage.Writer. The check and the rename happen under an
// exclusive flock on a lock file beside the object, so two processes sharing
// the directory cannot both win; every PutIf of one key takes the same lock.
func (s *Store) PutIf(ctx context.Context, key string, body []byte, contentType, ifMatch string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("local: put %q: %w", key, err)
	}
	p, err := s.path(key)
	if err != nil {
		return fmt.Errorf("local: put: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("local: put %q: %w", key, err)
	}
	// The lock file carries the temp prefix, so List never shows it.
	lock, err := os.OpenFile(filepath.Join(filepath.Dir(p), tmpPrefix+"lock-"+filepath.Base(p)), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("local: put %q: lock: %w", key, err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("local: put %q: lock: %w", key, err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing releases it anyway
	_, cur, err := read(p, key, 0)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		if ifMatch != "" {
			return fmt.Errorf("local: put %q: absent, expected ETag %s: %w", key, ifMatch, storage.ErrPrecondition)
		}
	case err != nil:
		return fmt.Errorf("local: put %q: %w", key, err)
	case ifMatch == "":
		return fmt.Errorf("local: put %q: exists: %w", key, storage.ErrPrecondition)
	case cur.ETag != ifMatch:
		return fmt.Errorf("local: put %q: ETag %s, expected %s: %w", key, cur.ETag, ifMatch, storage.ErrPrecondition)
	}
	if err := removeMeta(p); err != nil { // a new object has no old metadata
		return fmt.Errorf("local: put %q: metadata: %w", key, err)
	}
	// A deferred store's writes so far reach the disk before this one:
	// PutIf is the commit point (a roll-up's manifest), and what it
	// points at must not be lost when it is not.
	if err := s.Sync(); err != nil {
		return fmt.Errorf("local: put %q: %w", key, err)
	}
	if err := s.writeDurable(p, body); err != nil {
		return fmt.Errorf("local: put %q: %w", key, err)
	}
	return nil
}
