package portal

import (
	"context"
	"slices"
	"time"
)

// Flags of a waiting file (issue 15, review finding H1). While an approved
// commune's newer upload waits for the province, the roll-up computes the
// flags of both: those of the counted (approved) data, and those of the
// waiting file, on the data its approval would count (pending rows,
// pipeline/rollup/flags_pending.go). The waiting file's flags carry its
// submission_id: the newest accepted upload, the one "Duyệt tệp này"
// approves (review.Latest). So the pages tell them apart by submission_id:
// on the province's page of the commune the waiting file's flags stand
// next to its approve button, the counted data's where that data is shown;
// on the board a waiting commune's row lists the waiting file's first,
// marked.

// markWaiting marks the flags about the waiting upload latest and puts
// them first (stable: otherwise flagViews' order).
func markWaiting(fs []flagView, latest string) []flagView {
	for i := range fs {
		fs[i].Waiting = latest != "" && fs[i].SubmissionID == latest
	}
	slices.SortStableFunc(fs, func(a, b flagView) int {
		switch {
		case a.Waiting == b.Waiting:
			return 0
		case a.Waiting:
			return -1
		}
		return 1
	})
	return fs
}

// splitWaiting separates the flags of the waiting upload latest from the
// counted data's.
func splitWaiting(fs []flagView, latest string) (waiting, counted []flagView) {
	for _, f := range markWaiting(fs, latest) {
		if f.Waiting {
			waiting = append(waiting, f)
		} else {
			counted = append(counted, f)
		}
	}
	return waiting, counted
}

// rollupBefore reports whether the province's current roll-up was built
// before t (or does not exist): then an upload received at t is not in it
// yet, and "no flag" would only mean "not computed yet".
func (s *server) rollupBefore(ctx context.Context, year int, province string, t time.Time) (bool, error) {
	m, err := readRollupManifest(ctx, s.cfg.Lake, year, province)
	if err != nil {
		return false, err
	}
	return m == nil || !m.BuiltAt.After(t), nil
}
