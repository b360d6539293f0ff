package local

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Deferred durability. A Store syncs every object before Put returns: a
// temp file, fsync, rename, fsync of the directory. That is four disk
// flushes per upload in `xhht ingest` (receipt and Parquet), and on a
// shared disk the flushes, not the CPU, set the speed of a national burst
// (BENCHMARKS.md, "The deadline burst"). A deferred store writes and
// renames the same way, so readers still see whole objects only, but
// leaves the data to the page cache until Sync, which the caller runs once
// at the end, and which PutIf runs before its own (synced) write.
//
// What a crash can do then: an object written since the last Sync may be
// empty or missing after the machine restarts (the rename reached the
// disk, its data did not). Nothing older is at risk, uploads are only
// read, and every lake object is a pure function of an upload or of the
// lake, so the damage is repaired by writing them again. The callers make
// that visible:
//   - the roll-up commits with PutIf, so a manifest never reaches the disk
//     before the files it names;
//   - `xhht ingest` records its run in a durable marker (BeginBulk) that
//     only a completed Sync removes (EndBulk); the next run finds it and
//     processes the interrupted run's uploads again, and the roll-up
//     refuses to read a lake with a marker (Interrupted).

// manySyncs: with more pending files than this, Sync flushes the whole
// file system in one call (syncfs) rather than file by file. Measured on
// the 2-core machine under load: 1,000 objects of 6 KB cost 3.3–5.6 s
// synced one by one, 1.5–1.9 s with the fsyncs batched at the end and
// 0.9–1.1 s with one syncfs.
const manySyncs = 64

// syncFile and syncFS are swapped in tests, which cannot cut the power to
// see what a missing flush loses; they record which flushes happen when.
var (
	syncFile = func(f *os.File) error { return f.Sync() }
	syncFS   = syncFileSystem
)

// pending is the set of files written and directories renamed into since
// the last Sync, shared by a store and its Deferred copies.
type pending struct {
	mu    sync.Mutex
	files map[string]bool
	dirs  map[string]bool
}

func (p *pending) add(path string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.files[path] = true
	p.dirs[filepath.Dir(path)] = true
}

// Deferred returns a store over the same directory whose writes are synced
// by Sync (and before each PutIf) instead of one by one. See the comment
// above for what a crash can lose and how callers detect it.
func (s *Store) Deferred() *Store {
	if s.deferred != nil {
		return s
	}
	return &Store{dir: s.dir, deferred: &pending{files: map[string]bool{}, dirs: map[string]bool{}}}
}

// Sync makes every write of a deferred store so far durable. It is a no-op
// for a store that syncs each write.
func (s *Store) Sync() error {
	p := s.deferred
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.files) == 0 {
		return nil
	}
	if len(p.files) > manySyncs {
		if err := syncFS(s.dir); err != nil {
			return fmt.Errorf("local: sync %s: %w", s.dir, err)
		}
	} else {
		for path := range p.files {
			if err := syncPath(path); err != nil && !notFound(err) { // deleted since: nothing to keep
				return fmt.Errorf("local: sync %s: %w", path, err)
			}
		}
		for dir := range p.dirs {
			syncDir(dir)
		}
	}
	clear(p.files)
	clear(p.dirs)
	return nil
}

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return syncFile(f)
}

// bulkMarker is the file at the top of the directory that says a bulk
// run's writes may not all be on disk. Its name carries the temp prefix,
// so no key can name it and List never shows it.
const bulkMarker = tmpPrefix + "unsynced"

// BeginBulk records, durably, that unsynced writes are about to start,
// with the caller's note (what it will write, to redo it after a crash).
// It returns the note of an earlier run that never reached EndBulk, nil if
// there was none; the caller merges it into its own before calling.
func (s *Store) BeginBulk(note []byte) (earlier []byte, err error) {
	if earlier, err = s.Interrupted(); err != nil {
		return nil, err
	}
	if err := s.writeDurable(filepath.Join(s.dir, bulkMarker), note); err != nil {
		return nil, fmt.Errorf("local: bulk marker: %w", err)
	}
	return earlier, nil
}

// EndBulk syncs every write so far, then removes the marker, or, when
// rest is not empty, replaces its note with rest (work the run could not
// redo, which stays suspect).
func (s *Store) EndBulk(rest []byte) error {
	if err := s.Sync(); err != nil {
		return err
	}
	marker := filepath.Join(s.dir, bulkMarker)
	if len(rest) > 0 {
		if err := s.writeDurable(marker, rest); err != nil {
			return fmt.Errorf("local: bulk marker: %w", err)
		}
		return nil
	}
	if err := os.Remove(marker); err != nil && !notFound(err) {
		return fmt.Errorf("local: bulk marker: %w", err)
	}
	syncDir(s.dir)
	return nil
}

// Interrupted returns the note of a bulk run whose writes may not all have
// reached the disk (BeginBulk without EndBulk), nil when there is none.
func (s *Store) Interrupted() ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, bulkMarker))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("local: bulk marker: %w", err)
	}
	if b == nil {
		b = []byte{} // an empty note still marks an interrupted run
	}
	return b, nil
}

// writeDurable is writeAtomic with its own fsyncs whatever the store's
// mode: for the commit points (PutIf) and the bulk marker.
func (s *Store) writeDurable(path string, body []byte) error {
	return (&Store{dir: s.dir}).writeAtomic(path, body)
}
