package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
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
	Form          string    `json:"form"`  // main form (receipts before "forms" existed)
	Forms         []string  `json:"forms"` // every form the upload carries
	// DataSHA256 is the receipt's data_sha256: per form, the digest of
	// the data (see Digests). Absent in receipts written before it.
	DataSHA256 map[string]string `json:"data_sha256,omitempty"`
}

// UploadOf is what ordering and comparing need of a receipt.
func UploadOf(rc *receipt.Receipt) Upload {
	return Upload{SubmissionID: rc.SubmissionID, Status: rc.Status, ReceivedAt: rc.ReceivedAt, SourceKey: rc.SourceKey,
		SourceVersion: rc.SourceVersion, Form: rc.Form, Forms: rc.Forms, DataSHA256: rc.DataSHA256}
}

// FormsOf is the forms an upload carries: Forms, else Form, else the one
// form "" (a receipt that names none: the commune's data is that upload).
func (u Upload) FormsOf() []string {
	switch {
	case len(u.Forms) > 0:
		return u.Forms
	case u.Form != "":
		return []string{u.Form}
	}
	return []string{""}
}

// Set is a commune's data set: form (bieu01, bieu02) → submission_id. The
// roll-up counts, per (commune, form), the latest accepted upload that
// carries the form (pipeline/rollup/sql.go pickSQL); a CSV carries one
// form, so a commune's data may be two uploads.
type Set map[string]string

// IDs are the set's distinct submission_ids, sorted.
func (s Set) IDs() []string {
	var out []string
	for _, id := range s {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Has reports whether id is one of the set's submissions.
func (s Set) Has(id string) bool {
	for _, v := range s {
		if v == id && id != "" {
			return true
		}
	}
	return false
}

// Equal reports whether two sets hold the same submission per form.
func (s Set) Equal(o Set) bool {
	return maps.Equal(s.clean(), o.clean())
}

// clean drops forms with no submission.
func (s Set) clean() Set {
	out := Set{}
	for f, id := range s {
		if id != "" {
			out[f] = id
		}
	}
	return out
}

// only is the submission of a set of one submission ("" otherwise).
func (s Set) only() string {
	if ids := s.IDs(); len(ids) == 1 {
		return ids[0]
	}
	return ""
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

// Latest is the submission_id of the newest accepted upload ("" none): the
// upload an official sees first. What review is about is Current.
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

// Current is the commune's current data set: per form, the submission_id
// of the newest accepted upload carrying it (empty: nothing accepted).
func Current(ups []Upload) Set {
	best := map[string]*Upload{}
	for i := range ups {
		if ups[i].Status != receipt.Accepted {
			continue
		}
		for _, f := range ups[i].FormsOf() {
			if b := best[f]; b == nil || Newer(ups[i], *b) {
				best[f] = &ups[i]
			}
		}
	}
	out := Set{}
	for f, u := range best {
		out[f] = u.SubmissionID
	}
	return out
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
		return nil, fmt.Errorf("review: không liệt kê được %s: %w", prefix, err)
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
			return nil, fmt.Errorf("review: không đọc được %s: %w", o.Key, err)
		}
		var u Upload
		if err := json.Unmarshal(body, &u); err != nil {
			return nil, fmt.Errorf("review: biên nhận %s bị hỏng: %w", o.Key, err)
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

// CurrentAccepted is the commune's current data set of the year: per form
// its latest accepted submission (empty: nothing accepted).
func CurrentAccepted(ctx context.Context, st storage.Store, year int, province, commune string) (Set, error) {
	ups, err := Uploads(ctx, st, year, province, commune)
	if err != nil {
		return nil, err
	}
	return Current(ups), nil
}
