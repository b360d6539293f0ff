package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/storage"
)

// State is a commune's review state of a year.
type State string

const (
	Submitted State = "submitted" // awaiting review
	Approved  State = "approved"
	Returned  State = "returned"
)

// Label is the state in Vietnamese, for pages and sheets.
func (s State) Label() string {
	switch s {
	case Submitted:
		return "Chờ duyệt"
	case Approved:
		return "Đã duyệt"
	case Returned:
		return "Bị trả lại"
	}
	return "Chưa có dữ liệu"
}

// Actor is who acted: the role and unit of an access code, and the code's
// short id. Never the code itself.
type Actor struct {
	Role     access.Role `json:"role"`
	Province string      `json:"province"`
	Commune  string      `json:"commune,omitempty"`
	CodeID   string      `json:"code_id"`
}

// ActorOf is the actor of a signed-in grant.
func ActorOf(g access.Grant) Actor {
	return Actor{Role: g.Role, Province: g.Province, Commune: g.Commune, CodeID: g.CodeID}
}

// Version is the schema version of Status and Record.
const Version = 1

// Status is the JSON object at lake.ReviewKey(year, province, commune).
// A missing object means never reviewed.
type Status struct {
	Version    int    `json:"version"`
	Year       int    `json:"year"`
	Province   string `json:"province"`
	Commune    string `json:"commune"`
	State      State  `json:"state"`      // state after the last action
	Submission string `json:"submission"` // submission_id the last action was about
	// ApprovedSubmission is the data that counts as approved; kept when a
	// newer upload arrives, so approved data is never replaced unseen.
	ApprovedSubmission string           `json:"approved_submission,omitempty"`
	Comment            string           `json:"comment,omitempty"` // last return/reopen comment
	By                 Actor            `json:"by"`
	At                 time.Time        `json:"at"`
	Checks             map[string]Check `json:"checks,omitempty"` // flag_id → "đã xác minh"
	// LastChange is the audit record of the change that produced this
	// status (see the package doc: it lets a later Apply write a record a
	// crash left unwritten).
	LastChange *Record `json:"last_change,omitempty"`
}

// Check marks one plausibility flag "đã xác minh".
type Check struct {
	Comment string    `json:"comment"`
	By      Actor     `json:"by"`
	At      time.Time `json:"at"`
}

// Record is one audit record, at lake.AuditKey. Immutable.
type Record struct {
	Version    int       `json:"version"`
	Year       int       `json:"year"`
	Province   string    `json:"province"`
	Commune    string    `json:"commune"`
	Action     string    `json:"action"`     // approve, return, reopen, check
	FromState  State     `json:"from_state"` // state shown before ("" nothing submitted)
	ToState    State     `json:"to_state"`   // state shown after
	Submission string    `json:"submission"`
	FlagID     string    `json:"flag_id,omitempty"`
	Comment    string    `json:"comment,omitempty"`
	By         Actor     `json:"by"`
	At         time.Time `json:"at"`
	Key        string    `json:"key"` // where the record is stored
}

// Errors of Apply. They come wrapped; the text is the Vietnamese a
// province official may be shown.
var (
	ErrForbidden       = errors.New("mã truy cập này không được duyệt dữ liệu của xã này")
	ErrCommentRequired = errors.New("cần ghi ý kiến (lý do)")
	ErrStale           = errors.New("dữ liệu của xã đã thay đổi từ khi trang được mở: hãy tải lại trang và xem lại")
	ErrBadAction       = errors.New("thao tác không hợp lệ")
)

// maxStatusBytes bounds what Get reads: a status is a few kilobytes even
// with every flag checked.
const maxStatusBytes = 1 << 20

// Get reads a commune's status and its ETag. A commune never reviewed gives
// a zero Status, etag "" and a nil error.
func Get(ctx context.Context, st storage.Store, year int, province, commune string) (Status, string, error) {
	key := lake.ReviewKey(year, province, commune)
	body, obj, err := storage.GetAtMost(ctx, st, key, "", maxStatusBytes)
	if errors.Is(err, storage.ErrNotFound) {
		return Status{}, "", nil
	}
	if err != nil {
		return Status{}, "", fmt.Errorf("review: read %s: %w", key, err)
	}
	var s Status
	if err := json.Unmarshal(body, &s); err != nil {
		return Status{}, "", fmt.Errorf("review: %s is damaged: %w", key, err)
	}
	if s.Year != year || s.Province != province || s.Commune != commune {
		return Status{}, "", fmt.Errorf("review: %s names another commune (%d/%s/%s)", key, s.Year, s.Province, s.Commune)
	}
	return s, obj.ETag, nil
}

// readers bounds the statuses ForProvince reads at once.
const readers = 16

// ForProvince reads every status of a province's year: commune → status.
// Communes never reviewed are absent.
func ForProvince(ctx context.Context, st storage.Store, year int, province string) (map[string]Status, error) {
	prefix := lake.ReviewProvincePrefix(year, province)
	objs, err := st.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("review: list %s: %w", prefix, err)
	}
	var communes []string
	for _, o := range objs {
		rest := strings.TrimPrefix(o.Key, prefix)
		c, ok := strings.CutPrefix(rest, "commune=")
		if !ok {
			continue
		}
		c, ok = strings.CutSuffix(c, ".json")
		if !ok || strings.Contains(c, "/") {
			continue
		}
		communes = append(communes, c)
	}
	out := make(map[string]Status, len(communes))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, readers)
	errs := make([]error, len(communes))
	for i, c := range communes {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			s, _, err := Get(ctx, st, year, province, c)
			if err != nil {
				errs[i] = err
				return
			}
			if s.State == "" {
				return // deleted between List and Get
			}
			mu.Lock()
			out[c] = s
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// Effective is THE rule every reader uses (board, portal, roll-up,
// reminders). Given a commune's status (zero: never reviewed) and its
// latest accepted submission_id ("" none), it returns the state to show
// ("" when there is nothing to review) and the submission_id that counts
// in outputs ("" none), in live mode or approved-only mode:
//
//	no status (or submitted):  shown Submitted if latest != "";  live counts latest, approved-only counts nothing
//	Approved A, latest == A:   Approved;  both modes count A
//	Approved A, latest != A:   Submitted (the new upload waits);  both modes count A (approved data is not replaced)
//	Returned R, latest == R:   Returned;  both modes count ApprovedSubmission if set, else nothing (a returned file never counts)
//	Returned R, latest != R:   Submitted;  live counts ApprovedSubmission if set, else latest;  approved-only counts ApprovedSubmission
//
// A reopened commune is Submitted with ApprovedSubmission cleared, so it
// follows the first row. Approved A with no accepted upload at all (which
// cannot happen: uploads are never deleted) is shown Approved.
func Effective(s Status, latestAccepted string, approvedOnly bool) (shown State, counted string) {
	switch s.State {
	case Approved:
		a := s.ApprovedSubmission
		if a == "" {
			a = s.Submission // a status written by hand without the field
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
	default: // never reviewed, or reopened
		if latestAccepted == "" {
			return "", s.ApprovedSubmission
		}
		if approvedOnly {
			return Submitted, s.ApprovedSubmission
		}
		return Submitted, latestAccepted
	}
}

// History reads a commune's audit records of a year, oldest first.
func History(ctx context.Context, st storage.Store, year int, province, commune string) ([]Record, error) {
	prefix := lake.AuditCommunePrefix(year, province, commune)
	objs, err := st.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("review: list %s: %w", prefix, err)
	}
	var out []Record
	for _, o := range objs {
		if !strings.HasSuffix(o.Key, ".json") {
			continue
		}
		body, _, err := storage.GetAtMost(ctx, st, o.Key, "", maxStatusBytes)
		if err != nil {
			return nil, fmt.Errorf("review: read %s: %w", o.Key, err)
		}
		var r Record
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, fmt.Errorf("review: audit record %s is damaged: %w", o.Key, err)
		}
		out = append(out, r)
	}
	return out, nil // keys sort by time (lake.AuditKey)
}
