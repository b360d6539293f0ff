package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage"
)

// Upload is what ordering needs of one receipt.
type Upload struct {
	SubmissionID  string    `json:"submission_id"`
	Status        string    `json:"status"` // receipt.Accepted or receipt.Rejected
	ReceivedAt    time.Time `json:"received_at"`
	SourceKey     string    `json:"source_key"`
	SourceVersion string    `json:"source_version"`
}

// Newer orders uploads as the roll-up does: by received_at, then source
// key, then version (pipeline/rollup/sql.go and the portal's list).
func Newer(a, b Upload) bool {
	if !a.ReceivedAt.Equal(b.ReceivedAt) {
		return a.ReceivedAt.After(b.ReceivedAt)
	}
	if a.SourceKey != b.SourceKey {
		return a.SourceKey > b.SourceKey
	}
	return a.SourceVersion > b.SourceVersion
}

// Latest is the submission_id of the newest accepted upload ("" none).
func Latest(ups []Upload) string {
	var best *Upload
	for i := range ups {
		if ups[i].Status != receipt.Accepted {
			continue
		}
		if best == nil || Newer(ups[i], *best) {
			best = &ups[i]
		}
	}
	if best == nil {
		return ""
	}
	return best.SubmissionID
}

// maxReceiptBytes bounds one receipt read: receipts list at most a few
// thousand issues.
const maxReceiptBytes = 32 << 20

// Uploads reads the commune's receipts of a year (only the fields ordering
// needs), in List order.
func Uploads(ctx context.Context, st storage.Store, year int, province, commune string) ([]Upload, error) {
	prefix := lake.ReceiptsCommunePrefix(year, province, commune)
	objs, err := st.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("review: list %s: %w", prefix, err)
	}
	var out []Upload
	for _, o := range objs {
		if !strings.HasSuffix(o.Key, ".json") || strings.Contains(strings.TrimPrefix(o.Key, prefix), "/") {
			continue
		}
		body, _, err := storage.GetAtMost(ctx, st, o.Key, "", maxReceiptBytes)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("review: read %s: %w", o.Key, err)
		}
		var u Upload
		if err := json.Unmarshal(body, &u); err != nil {
			return nil, fmt.Errorf("review: receipt %s is damaged: %w", o.Key, err)
		}
		out = append(out, u)
	}
	return out, nil
}

// LatestAccepted is the submission_id of the commune's newest accepted
// upload of the year ("" none).
func LatestAccepted(ctx context.Context, st storage.Store, year int, province, commune string) (string, error) {
	ups, err := Uploads(ctx, st, year, province, commune)
	if err != nil {
		return "", err
	}
	return Latest(ups), nil
}
