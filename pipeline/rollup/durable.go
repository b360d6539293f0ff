package rollup

import (
	"fmt"

	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// deferLocalSyncs: on a local lake a build writes its files without
// flushing each one to disk (local.Store.Deferred). The guarantee stays
// the one the manifests give: the deferred store flushes every file
// written so far before each PutIf, and a build's PutIf of a manifest is
// its commit, so a manifest never reaches the disk before the files it
// names. A crash before a commit leaves unflushed files that no manifest
// names, as a crash mid-build always could; the next build collects them.
// Flushing file by file was most of a national build's wall time on a
// busy disk (BENCHMARKS.md, "The deadline burst").
func deferLocalSyncs(ls *local.Store) storage.Writer { return ls.Deferred() }

// syncLake flushes whatever the build wrote that no commit flushed, so
// that, as with a store that syncs each write, everything a build wrote is
// on disk when Build returns.
func syncLake(w storage.Writer) error {
	if ls, ok := w.(*local.Store); ok {
		if err := ls.Sync(); err != nil {
			return fmt.Errorf("rollup: %w", err)
		}
	}
	return nil
}
