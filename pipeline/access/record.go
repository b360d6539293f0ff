package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/storage"
)

// Status of a commune's current code.
const (
	StatusActive  = "active"
	StatusRevoked = "revoked"
)

// record is the one object per (year, commune). Every change is a
// compare-and-swap on it, so it is the single truth: a lookup object only
// says where to look, and a code is valid only while its hash is the
// record's current hash and the record is active and unexpired.
type record struct {
	Version      int       `json:"version"`
	Role         Role      `json:"role"`
	Year         int       `json:"year"`
	Province     string    `json:"province"`
	ProvinceName string    `json:"province_name"`
	Commune      string    `json:"commune"`
	CommuneName  string    `json:"commune_name"`
	Reviewer     string    `json:"reviewer,omitempty"` // RoleProvince: the slot, "01" …
	Holder       string    `json:"holder,omitempty"`   // RoleProvince: who holds it (the province's words)
	Hash         string    `json:"hash"`               // hex SHA-256 of the current code; never the code
	CodeID       string    `json:"code_id"`
	Status       string    `json:"status"`
	IssuedAt     time.Time `json:"issued_at"`
	ExpiresAt    time.Time `json:"expires_at"`
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	// Generation counts the codes issued for this commune and year; every
	// issue, reissue and revoke appends to History, so a lost update would
	// show as a gap.
	Generation int     `json:"generation"`
	History    []event `json:"history"`
}

// event is one line of a record's audit trail. Code ids only, no hashes.
type event struct {
	Action string    `json:"action"` // issue, reissue, revoke
	CodeID string    `json:"code_id"`
	At     time.Time `json:"at"`
}

// pointer is the lookup object of one code hash.
type pointer struct {
	Role     Role   `json:"role"`
	Year     int    `json:"year"`
	Province string `json:"province"`
	Commune  string `json:"commune"`
	Reviewer string `json:"reviewer,omitempty"`
}

func (r *record) key() string { return keyOf(r.Role, r.Year, r.Province, r.Commune, r.Reviewer) }

// unitText names the record's unit in messages: "xã 05443" or "mã cấp tỉnh 19-01".
func (r *record) unitText() string {
	if r.Role == RoleProvince {
		return fmt.Sprintf("mã cấp tỉnh %s-%s", r.Province, r.Reviewer)
	}
	return "xã " + r.Commune
}

func (p pointer) key() string { return keyOf(p.Role, p.Year, p.Province, p.Commune, p.Reviewer) }

const recordVersion = 1

// recordKey, reviewerKey and pointerKey name the layout of access/ in the
// lake (lake.AccessRecordKey, AccessReviewerKey, AccessCodeKey) here, where
// most functions call their store "lake".
func recordKey(year int, province, commune string) string {
	return lake.AccessRecordKey(year, province, commune)
}

// reviewerKey is a province reviewer's record: under the province, beside
// the communes' records, so IAM scoping by year and province covers both.
func reviewerKey(year int, province, reviewer string) string {
	return lake.AccessReviewerKey(year, province, reviewer)
}

// keyOf is the record key of a grant's unit.
func keyOf(role Role, year int, province, commune, reviewer string) string {
	if role == RoleProvince {
		return reviewerKey(year, province, reviewer)
	}
	return recordKey(year, province, commune)
}

func pointerKey(hash string) string { return lake.AccessCodeKey(hash) }

// digits reports whether s is n ASCII digits: unit codes are, and a key
// built from anything else (a tampered lookup object) is refused.
func digits(s string, n int) bool {
	return len(s) == n && strings.Trim(s, "0123456789") == ""
}

func (p pointer) valid() bool {
	if p.Year <= 0 || p.Year >= 10000 || !digits(p.Province, 2) {
		return false
	}
	switch p.Role {
	case RoleCommune:
		return digits(p.Commune, 5) && p.Reviewer == ""
	case RoleProvince:
		return p.Commune == "" && digits(p.Reviewer, 2)
	}
	return false
}

func (r *record) grant() Grant {
	return Grant{
		Role: r.Role, Year: r.Year,
		Province: r.Province, ProvinceName: r.ProvinceName,
		Commune: r.Commune, CommuneName: r.CommuneName,
		Reviewer: r.Reviewer, Holder: r.Holder,
		CodeID: r.CodeID, ExpiresAt: r.ExpiresAt,
	}
}

// readRecord returns the record and its ETag (for PutIf), or ErrNotFound
// from storage when the commune has none.
func readRecord(ctx context.Context, lake storage.Store, key string) (*record, string, error) {
	body, obj, err := lake.Get(ctx, key, "")
	if err != nil {
		return nil, "", err
	}
	var r record
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, "", fmt.Errorf("access: %s is not a record: %w", key, err)
	}
	if r.Version != recordVersion || len(r.Hash) != 64 {
		return nil, "", fmt.Errorf("access: %s: unknown record version %d", key, r.Version)
	}
	return &r, obj.ETag, nil
}

func marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("access: %w", err)
	}
	return append(b, '\n'), nil
}

// maxAttempts bounds the compare-and-swap loop: each lost race means
// another writer committed, so this many in a row is a fault, not traffic.
const maxAttempts = 50

// update applies change to the record at key with a compare-and-swap and
// retries on a lost race, re-reading the record each time, so no
// concurrent update is lost. change gets nil when there is no record; it
// returns the new record, or an error to stop. newHash, when not empty, is
// the hash of a new code: its lookup object is written before the record
// (so a committed code can always be found) and removed if the swap fails.
func update(ctx context.Context, lake storage.Writer, key string, change func(cur *record) (*record, string, error)) (*record, error) {
	for range maxAttempts {
		cur, etag, err := readRecord(ctx, lake, key)
		if errors.Is(err, storage.ErrNotFound) {
			cur, etag, err = nil, "", nil
		}
		if err != nil {
			return nil, err
		}
		next, newHash, err := change(cur)
		if err != nil {
			return nil, err
		}
		body, err := marshal(next)
		if err != nil {
			return nil, err
		}
		if newHash != "" {
			p, err := marshal(pointer{Role: next.Role, Year: next.Year, Province: next.Province, Commune: next.Commune, Reviewer: next.Reviewer})
			if err != nil {
				return nil, err
			}
			// Absent-only: 80 random bits never collide in practice, and
			// if they did, overwriting would hand one commune's
			// lookup to another.
			if err := lake.PutIf(ctx, pointerKey(newHash), p, "application/json", ""); err != nil {
				return nil, fmt.Errorf("access: write lookup for code %s: %w", codeID(newHash), err)
			}
		}
		err = lake.PutIf(ctx, key, body, "application/json", etag)
		if err == nil {
			return next, nil
		}
		if newHash != "" {
			// Nobody ever saw this code; a leftover lookup would still be
			// harmless (its hash is not the record's), so best effort.
			_ = lake.Delete(ctx, pointerKey(newHash))
		}
		if !errors.Is(err, storage.ErrPrecondition) {
			return nil, fmt.Errorf("access: write %s: %w", key, err)
		}
		// Someone else committed in between: read again and redo.
	}
	return nil, fmt.Errorf("access: %s: gave up after %d concurrent updates", key, maxAttempts)
}
