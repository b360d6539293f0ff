package review

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/storage"
)

// Action kinds.
const (
	KindApprove = "approve"
	KindReturn  = "return"
	KindReopen  = "reopen"
	KindCheck   = "check" // mark a plausibility flag "đã xác minh"
)

// Action is one review action of a province official.
type Action struct {
	Kind       string // KindApprove, KindReturn, KindReopen, KindCheck
	Year       int
	Province   string
	Commune    string
	Submission string // approve, return: the submission_id the official looked at
	Comment    string // required for return, reopen and check
	FlagID     string // check: the flag's stable id
	By         Actor
	At         time.Time // zero: now
}

// Limits on what an official types.
const (
	MaxCommentRunes = 2000
	maxFlagIDBytes  = 300
	maxAttempts     = 10 // compare-and-swap rounds before giving up
)

// Apply performs one action: it authorises it (a province code of the
// commune's province; commune codes never), checks it (comment where
// required; approve and return only of the commune's latest accepted
// upload, else ErrStale), then writes the new status by compare-and-swap,
// re-reading and re-validating on a lost race, and writes the change's
// immutable audit record. An action that changes nothing (approving what
// is approved) writes nothing and returns the current status.
func Apply(ctx context.Context, w storage.Writer, a Action) (Status, error) {
	if err := validate(&a); err != nil {
		return Status{}, err
	}
	if a.At.IsZero() {
		a.At = time.Now()
	}
	a.At = a.At.UTC()
	key := lake.ReviewKey(a.Year, a.Province, a.Commune)
	for range maxAttempts {
		cur, etag, err := Get(ctx, w, a.Year, a.Province, a.Commune)
		if err != nil {
			return Status{}, err
		}
		if err := writeRecord(ctx, w, cur.LastChange); err != nil {
			return cur, err
		}
		latest, err := LatestAccepted(ctx, w, a.Year, a.Province, a.Commune)
		if err != nil {
			return cur, err
		}
		next, changed, err := transition(cur, latest, a)
		if err != nil || !changed {
			return cur, err
		}
		id, err := randomID()
		if err != nil {
			return cur, err
		}
		next.LastChange.Key = lake.AuditKey(a.Year, a.Province, a.Commune, next.At, id)
		body, err := json.MarshalIndent(next, "", "  ")
		if err != nil {
			return cur, fmt.Errorf("review: encode status: %w", err)
		}
		err = w.PutIf(ctx, key, append(body, '\n'), "application/json", etag)
		if errors.Is(err, storage.ErrPrecondition) {
			continue // another reviewer changed it: re-read and re-validate
		}
		if err != nil {
			return cur, fmt.Errorf("review: write %s: %w", key, err)
		}
		if err := writeRecord(ctx, w, next.LastChange); err != nil {
			// The status is written and carries the record: the next
			// Apply on this commune writes it.
			return next, err
		}
		return next, nil
	}
	return Status{}, fmt.Errorf("review: %s: nhiều người đang cùng thao tác trên xã này, hãy thử lại", key)
}

// validate checks the action's shape and who acts, before any read.
func validate(a *Action) error {
	if a.Year < 2000 || a.Year > 2100 || !digits(a.Province, 2) || !digits(a.Commune, 5) {
		return fmt.Errorf("%w: năm %d, tỉnh %q, xã %q", ErrBadAction, a.Year, a.Province, a.Commune)
	}
	// Only a province code, of this province. A commune code never
	// reviews, not even its own data.
	if a.By.Role != access.RoleProvince || a.By.Province != a.Province || a.By.CodeID == "" {
		return fmt.Errorf("%w (vai trò %q, tỉnh %q)", ErrForbidden, a.By.Role, a.By.Province)
	}
	a.Comment = strings.TrimSpace(a.Comment)
	if !utf8.ValidString(a.Comment) {
		return fmt.Errorf("%w: ý kiến có ký tự không đọc được", ErrBadAction)
	}
	if n := utf8.RuneCountInString(a.Comment); n > MaxCommentRunes {
		return fmt.Errorf("%w: ý kiến dài %d ký tự, tối đa %d", ErrBadAction, n, MaxCommentRunes)
	}
	switch a.Kind {
	case KindApprove:
	case KindReturn, KindReopen:
		if a.Comment == "" {
			return ErrCommentRequired
		}
	case KindCheck:
		if a.Comment == "" {
			return ErrCommentRequired
		}
		if a.FlagID == "" || len(a.FlagID) > maxFlagIDBytes || !utf8.ValidString(a.FlagID) ||
			strings.ContainsFunc(a.FlagID, unicode.IsControl) {
			return fmt.Errorf("%w: mã cảnh báo %q", ErrBadAction, a.FlagID)
		}
	default:
		return fmt.Errorf("%w: %q", ErrBadAction, a.Kind)
	}
	return nil
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// transition is the state machine: the next status for action a on cur,
// given the latest accepted upload; changed false when a changes nothing.
// next.LastChange is filled but for its key.
func transition(cur Status, latest string, a Action) (next Status, changed bool, err error) {
	from, _ := Effective(cur, latest, false)
	// Changes of a commune are ordered by their time (audit keys sort by
	// it): a clock behind the last change's (two Lambdas) moves to just
	// after it, so the history never shows an effect before its cause.
	if !cur.At.IsZero() && !a.At.After(cur.At) {
		a.At = cur.At.Add(time.Microsecond)
	}
	next = cur
	next.Checks = maps.Clone(cur.Checks)
	switch a.Kind {
	case KindApprove, KindReturn:
		if latest == "" {
			return cur, false, fmt.Errorf("%w (xã chưa có tệp được chấp nhận)", ErrStale)
		}
		if a.Submission != latest {
			return cur, false, fmt.Errorf("%w (lần nộp %q, mới nhất là %q)", ErrStale, a.Submission, latest)
		}
		if a.Kind == KindApprove {
			if from == Approved {
				return cur, false, nil // already approved: a racing reviewer did it
			}
			next.State, next.ApprovedSubmission = Approved, latest
		} else {
			if from == Returned && cur.Comment == a.Comment {
				return cur, false, nil
			}
			next.State = Returned
			if next.ApprovedSubmission == latest {
				next.ApprovedSubmission = "" // returning the approved data withdraws the approval
			}
		}
		next.Submission, next.Comment = latest, a.Comment
	case KindReopen:
		switch cur.State {
		case "":
			return cur, false, fmt.Errorf("%w (xã chưa được duyệt hay trả lại lần nào)", ErrStale)
		case Submitted:
			return cur, false, nil // already open
		}
		next.State, next.ApprovedSubmission, next.Comment = Submitted, "", a.Comment
		if latest != "" {
			next.Submission = latest
		}
	case KindCheck:
		if latest == "" {
			return cur, false, fmt.Errorf("%w (xã chưa có tệp được chấp nhận)", ErrStale)
		}
		if c, ok := cur.Checks[a.FlagID]; ok && c.Comment == a.Comment {
			return cur, false, nil
		}
		if next.Checks == nil {
			next.Checks = map[string]Check{}
		}
		next.Checks[a.FlagID] = Check{Comment: a.Comment, By: a.By, At: a.At}
		if next.State == "" {
			next.State, next.Submission = Submitted, latest
		}
	}
	next.Version, next.Year, next.Province, next.Commune = Version, a.Year, a.Province, a.Commune
	next.By, next.At = a.By, a.At
	to, _ := Effective(next, latest, false)
	next.LastChange = &Record{Version: Version, Year: a.Year, Province: a.Province, Commune: a.Commune,
		Action: a.Kind, FromState: from, ToState: to, Submission: latest, FlagID: a.FlagID,
		Comment: a.Comment, By: a.By, At: a.At}
	if a.Kind == KindReopen && latest == "" {
		next.LastChange.Submission = cur.Submission
	}
	return next, true, nil
}

// writeRecord writes an audit record create-only. One that exists already
// (written before, or by a racing repair) is left as it is: records are
// immutable and the same change always gives the same bytes.
func writeRecord(ctx context.Context, w storage.Writer, r *Record) error {
	if r == nil || r.Key == "" {
		return nil
	}
	if _, _, err := w.Get(ctx, r.Key, ""); err == nil {
		return nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("review: read audit %s: %w", r.Key, err)
	}
	body, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("review: encode audit record: %w", err)
	}
	err = w.PutIf(ctx, r.Key, append(body, '\n'), "application/json", "")
	if err != nil && !errors.Is(err, storage.ErrPrecondition) {
		return fmt.Errorf("review: trạng thái đã lưu nhưng chưa ghi được nhật ký %s (sẽ ghi ở thao tác sau): %w", r.Key, err)
	}
	return nil
}

func randomID() (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("review: random id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
