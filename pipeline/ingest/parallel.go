package ingest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
)

// ProcessAll runs Process on every upload with up to workers goroutines
// (at least one). Uploads of one commune run one after another in the order
// given, different communes in parallel. (The lake would be the same in any
// order, or all at once: an upload's objects depend on that upload only.)
// Receipts come back in the order of uploads, whatever order they finished in.
//
// On the first error no further upload is started (those running finish).
// The error returned is that of the earliest upload (in the order given)
// that failed; the receipts are those of the uploads before the first one
// not processed, so they are never more than serial processing returns.
func (p *Processor) ProcessAll(ctx context.Context, uploads []Upload, workers int) ([]*receipt.Receipt, error) {
	rcs, errs := p.run(ctx, uploads, workers, true)
	for i := range uploads {
		if errs[i] != nil {
			return rcs[:i], errs[i]
		}
		if rcs[i] == nil { // not started: an error elsewhere, or the caller's ctx
			for _, err := range errs[i:] {
				if err != nil {
					return rcs[:i], err
				}
			}
			return rcs[:i], fmt.Errorf("ingest: %s not processed: %w", uploads[i].Key, context.Cause(ctx))
		}
	}
	return rcs, nil
}

// ProcessEach is ProcessAll that answers every upload, as serial
// processing of a list does in `xhht ingest`: an upload that fails (its
// error at its index, its receipt nil) does not stop the others, nor the
// later files of its commune. Only the caller's context stops it; the
// uploads not started then get its error.
func (p *Processor) ProcessEach(ctx context.Context, uploads []Upload, workers int) ([]*receipt.Receipt, []error) {
	rcs, errs := p.run(ctx, uploads, workers, false)
	for i := range uploads {
		if rcs[i] == nil && errs[i] == nil {
			errs[i] = fmt.Errorf("ingest: %s not processed: %w", uploads[i].Key, context.Cause(ctx))
		}
	}
	return rcs, errs
}

// run processes uploads, communes in parallel and each commune's files in
// order; with stopOnError the first error starts nothing more.
func (p *Processor) run(ctx context.Context, uploads []Upload, workers int, stopOnError bool) ([]*receipt.Receipt, []error) {
	groups := communeGroups(uploads)
	workers = max(1, min(workers, len(groups)))
	rcs := make([]*receipt.Receipt, len(uploads))
	errs := make([]error, len(uploads))
	// Not a cancelled context: uploads already running finish, and every
	// error returned is a real one, not a cancellation caused by another.
	var stop atomic.Bool
	next := make(chan []int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for g := range next {
				for _, i := range g {
					if stop.Load() || ctx.Err() != nil {
						break
					}
					rc, err := p.Process(ctx, uploads[i])
					if err != nil {
						errs[i] = err
						if stopOnError {
							stop.Store(true)
							break
						}
						continue
					}
					rcs[i] = rc
				}
			}
		})
	}
	for _, g := range groups {
		if stop.Load() || ctx.Err() != nil {
			break
		}
		next <- g
	}
	close(next)
	wg.Wait()
	return rcs, errs
}

// communeGroups groups the indexes of uploads by commune code, in order of
// first appearance, each group in the order given. A key that does not parse
// reads nothing from the lake, so it is a group of its own.
func communeGroups(uploads []Upload) [][]int {
	var groups [][]int
	at := map[string]int{}
	for i, u := range uploads {
		k, err := lake.ParseKey(u.Key)
		if err != nil {
			groups = append(groups, []int{i})
			continue
		}
		g, ok := at[k.Commune]
		if !ok {
			g = len(groups)
			at[k.Commune] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}
