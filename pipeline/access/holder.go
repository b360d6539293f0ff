package access

import (
	"context"
	"errors"

	"github.com/xhht/xhht/pipeline/storage"
)

// ReviewerHolder is who holds a province's reviewer slot (the name the
// province gave when issuing it, "" if none), for showing who acted in
// the review history: an audit record keeps the slot and the code's id,
// the name stays in the access record. The name is given only if codeID
// is a code issued for that slot (its current code or one in its
// history), so a mismatched record never puts a wrong name on an action.
// A slot never issued gives "" and a nil error.
func ReviewerHolder(ctx context.Context, lake storage.Store, year int, province, reviewer, codeID string) (string, error) {
	if !digits(province, 2) || !digits(reviewer, 2) || codeID == "" {
		return "", nil
	}
	r, _, err := readRecord(ctx, lake, reviewerKey(year, province, reviewer))
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if r.Role != RoleProvince || r.Province != province || r.Reviewer != reviewer {
		return "", nil
	}
	issued := r.CodeID == codeID
	for _, e := range r.History {
		issued = issued || e.CodeID == codeID
	}
	if !issued {
		return "", nil
	}
	return r.Holder, nil
}
