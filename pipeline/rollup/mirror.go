package rollup

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// MirrorStats says what Mirror copied.
type MirrorStats struct {
	Copied, Skipped, Removed int
}

// Mirror copies what the query views read from a lake (S3) into a local
// directory: the roll-up manifests and the files they name, and, when
// withSubmissions, lake/submissions, lake/receipts, reviews/ and audit/. Objects already
// there with the same ETag are not downloaded again, and local roll-up
// files no manifest names any more are removed, so repeated mirrors stay
// small and views never mix builds. DuckDB then reads the local copy:
// httpfs cannot be installed offline, and a local copy is faster to query
// repeatedly anyway.
func Mirror(ctx context.Context, from storage.Store, dir string, withSubmissions bool) (MirrorStats, error) {
	var st MirrorStats
	to := local.New(dir)
	objs, err := from.List(ctx, lake.RollupsPrefix)
	if err != nil {
		return st, fmt.Errorf("mirror: %w", err)
	}
	keep := map[string]bool{}
	var want []storage.Object
	for _, o := range objs {
		if strings.Contains(o.Key, lake.ManifestsDir) && strings.HasSuffix(o.Key, ".json") {
			m, err := readManifest(ctx, from, o.Key)
			if err != nil {
				return st, err
			}
			// The manifest is copied last, after its files: a reader of
			// the local copy never finds a manifest naming a missing file.
			for _, f := range m.Files {
				keep[f] = true
			}
			want = append(want, o)
		}
	}
	byKey := map[string]storage.Object{}
	for _, o := range objs {
		byKey[o.Key] = o
	}
	var files []storage.Object
	for k := range keep {
		o, ok := byKey[k]
		if !ok {
			return st, fmt.Errorf("mirror: a manifest names %s, which is not in the lake (a build is committing: retry)", k)
		}
		files = append(files, o)
	}
	if withSubmissions {
		for _, p := range []string{lake.SubmissionsPrefix, lake.ReceiptsPrefix, lake.ReviewsPrefix, lake.AuditPrefix} { // reviews, audit: issue 15
			more, err := from.List(ctx, p)
			if err != nil {
				return st, fmt.Errorf("mirror: %w", err)
			}
			files = append(files, more...)
		}
	}
	for _, o := range append(files, want...) {
		if err := copyObject(ctx, from, to, o, &st); err != nil {
			return st, err
		}
	}
	// Local roll-up files of superseded builds.
	local, err := to.List(ctx, lake.RollupsPrefix)
	if err != nil {
		return st, fmt.Errorf("mirror: %w", err)
	}
	for _, o := range local {
		if strings.HasSuffix(o.Key, ".parquet") && !keep[o.Key] {
			if err := to.Delete(ctx, o.Key); err != nil {
				return st, fmt.Errorf("mirror: %w", err)
			}
			st.Removed++
		}
	}
	return st, nil
}

func copyObject(ctx context.Context, from storage.Store, to *local.Store, o storage.Object, st *MirrorStats) error {
	if _, have, err := to.Get(ctx, o.Key, ""); err == nil && o.ETag != "" && have.ETag == o.ETag {
		st.Skipped++
		return nil
	} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("mirror: %w", err)
	}
	body, _, err := from.Get(ctx, o.Key, "")
	if err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	if err := to.Put(ctx, o.Key, body, ""); err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	st.Copied++
	return nil
}
