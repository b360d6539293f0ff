// Package review: TEMPORARY stub of REVIEW_CONTRACT.md so h-approved
// compiles before h-review's package lands on main. Delete this file when
// merging main (h-review's review.go defines the same names).
package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/storage"
)

type State string

const (
	Submitted State = "submitted"
	Approved  State = "approved"
	Returned  State = "returned"
)

type Actor struct {
	Role     access.Role `json:"role"`
	Province string      `json:"province"`
	Commune  string      `json:"commune,omitempty"`
	CodeID   string      `json:"code_id"`
}

type Status struct {
	Version            int              `json:"version"`
	Year               int              `json:"year"`
	Province           string           `json:"province"`
	Commune            string           `json:"commune"`
	State              State            `json:"state"`
	Submission         string           `json:"submission"`
	ApprovedSubmission string           `json:"approved_submission,omitempty"`
	Comment            string           `json:"comment,omitempty"`
	By                 Actor            `json:"by"`
	At                 time.Time        `json:"at"`
	Checks             map[string]Check `json:"checks,omitempty"`
}

type Check struct {
	Comment string    `json:"comment"`
	By      Actor     `json:"by"`
	At      time.Time `json:"at"`
}

func Get(ctx context.Context, st storage.Store, year int, province, commune string) (Status, string, error) {
	b, etag, err := st.Get(ctx, lake.ReviewKey(year, province, commune), "")
	if errors.Is(err, storage.ErrNotFound) {
		return Status{}, "", nil
	}
	if err != nil {
		return Status{}, "", err
	}
	var s Status
	if err := json.Unmarshal(b, &s); err != nil {
		return Status{}, "", fmt.Errorf("review: %w", err)
	}
	return s, etag.ETag, nil
}

func ForProvince(ctx context.Context, st storage.Store, year int, province string) (map[string]Status, error) {
	prefix := lake.ReviewProvincePrefix(year, province)
	objs, err := st.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := map[string]Status{}
	for _, o := range objs {
		c, ok := strings.CutPrefix(strings.TrimPrefix(o.Key, prefix), "commune=")
		if !ok {
			continue
		}
		c, ok = strings.CutSuffix(c, ".json")
		if !ok {
			continue
		}
		s, _, err := Get(ctx, st, year, province, c)
		if err != nil {
			return nil, err
		}
		if s.State != "" {
			out[c] = s
		}
	}
	return out, nil
}

func Effective(s Status, latestAccepted string, approvedOnly bool) (shown State, counted string) {
	switch s.State {
	case Approved:
		a := s.ApprovedSubmission
		if a == "" {
			a = s.Submission
		}
		if latestAccepted == a || latestAccepted == "" {
			return Approved, a
		}
		return Submitted, a
	case Returned:
		if latestAccepted == s.Submission || latestAccepted == "" {
			return Returned, s.ApprovedSubmission
		}
		if approvedOnly || s.ApprovedSubmission != "" {
			return Submitted, s.ApprovedSubmission
		}
		return Submitted, latestAccepted
	default:
		if latestAccepted == "" {
			return "", s.ApprovedSubmission
		}
		if approvedOnly {
			return Submitted, s.ApprovedSubmission
		}
		return Submitted, latestAccepted
	}
}
