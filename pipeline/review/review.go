package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
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
	// Reviewer is a province code's slot ("02" of 19-02), recorded since
	// 2026-12-07 (finding L5): the history names the slot and looks its
	// holder up in the access record. Records written before have none and
	// show the code id; they are never rewritten.
	Reviewer string `json:"reviewer,omitempty"`
	// Year is the reporting year the code was issued for: Apply refuses
	// acting on another year (access codes are per year).
	Year int `json:"year,omitempty"`
}

// ActorOf is the actor of a signed-in grant.
func ActorOf(g access.Grant) Actor {
	return Actor{Role: g.Role, Province: g.Province, Commune: g.Commune, CodeID: g.CodeID, Reviewer: g.Reviewer, Year: g.Year}
}

// Version is the schema version of Record, and of a Status written before
// returned_submissions (StatusVersion, returned.go).
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
	// Since the per-form fix it is written only when the approved data is
	// one submission (the usual Excel upload carrying both forms); a status
	// without approved_forms (written before) is read through it.
	ApprovedSubmission string `json:"approved_submission,omitempty"`
	// Forms is the data set (form → submission_id) the last approve or
	// return was about; ApprovedForms the data that counts as approved, per
	// form. Both absent in a status written before the per-form fix: then
	// Submission and ApprovedSubmission stand for every form.
	Forms         Set `json:"forms,omitempty"`
	ApprovedForms Set `json:"approved_forms,omitempty"`
	// ReturnedForms is the data set the province last returned (form →
	// submission_id), kept by a later approve so timeliness still counts
	// from after it (TimelyFrom); cleared by a reopen that cancels the
	// return. Absent in statuses written before 2026-12-07: then a
	// returned status's Forms stand for it.
	ReturnedForms Set `json:"returned_forms,omitempty"`
	// ReturnedSubmissions are the submissions whose return stands, across
	// every later action (returned.go): they never count, in any build.
	// Version 2 statuses only; a version 1 status reads ReturnedSet, and
	// WithHistory gives its exact set from the audit records.
	ReturnedSubmissions []string         `json:"returned_submissions,omitempty"`
	Comment             string           `json:"comment,omitempty"` // last return/reopen comment
	By                  Actor            `json:"by"`
	At                  time.Time        `json:"at"`
	Checks              map[string]Check `json:"checks,omitempty"` // flag_id → "đã xác minh"
	// LastChange is the audit record of the change that produced this
	// status (see the package doc: it lets a later Apply write a record a
	// crash left unwritten).
	LastChange *Record `json:"last_change,omitempty"`
}

// Check marks one plausibility flag "đã xác minh".
// It greys the flag only while the flag is about Submission: a newer
// upload's flag with the same id is shown again (see Checked).
type Check struct {
	Submission string    `json:"submission,omitempty"` // the flag's submission_id when checked
	Comment    string    `json:"comment"`
	By         Actor     `json:"by"`
	At         time.Time `json:"at"`
}

// Record is one audit record, at lake.AuditKey. Immutable.
type Record struct {
	Version    int       `json:"version"`
	Year       int       `json:"year"`
	Province   string    `json:"province"`
	Commune    string    `json:"commune"`
	Action     string    `json:"action"`     // approve, return, reopen, check
	FromState  State     `json:"from_state"` // state shown before ("" nothing submitted); reopen: the decision withdrawn (approved, returned)
	ToState    State     `json:"to_state"`   // state shown after
	Submission string    `json:"submission"`
	Forms      Set       `json:"forms,omitempty"` // the commune's data set when acting (form → submission_id)
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
	// ErrChanged: the status is not the one the official saw
	// (Action.Seen): another reviewer acted meanwhile. Apply returns it
	// wrapped together with ErrStale, so errors.Is(err, ErrStale) holds too.
	ErrChanged = errors.New("người khác vừa thao tác trên xã này")
	// ErrUnreadable: a commune's status cannot be read (damaged, too
	// large). ForProvince skips such communes and returns this error with
	// the others' statuses.
	ErrUnreadable = errors.New("không đọc được trạng thái duyệt của xã")
)

// Checked is the check of flagID if it greys the flag now, i.e. the flag
// is about the submission that was checked. A check of older data (or one
// written before checks recorded their submission) does not grey a flag of
// new data; it stays in the status and the audit.
func (s Status) Checked(flagID, submission string) (Check, bool) {
	c, ok := s.Checks[flagID]
	if !ok || c.Submission == "" || c.Submission != submission {
		return Check{}, false
	}
	return c, true
}

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
		if errors.Is(err, storage.ErrTooLarge) {
			return Status{}, "", fmt.Errorf("review: %w: %s quá lớn: %w", ErrUnreadable, key, err)
		}
		return Status{}, "", fmt.Errorf("review: không đọc được %s: %w", key, err)
	}
	var s Status
	if err := json.Unmarshal(body, &s); err != nil {
		return Status{}, "", fmt.Errorf("review: %w: %s bị hỏng: %w", ErrUnreadable, key, err)
	}
	if s.Year != year || s.Province != province || s.Commune != commune {
		return Status{}, "", fmt.Errorf("review: %w: %s ghi của xã khác (%d/%s/%s)", ErrUnreadable, key, s.Year, s.Province, s.Commune)
	}
	return s, obj.ETag, nil
}

// readers bounds the statuses ForProvince reads at once.
const readers = 16

// ForProvince reads every status of a province's year: commune → status.
// Communes never reviewed are absent. A commune whose status cannot be
// read (ErrUnreadable) is left out and named in the returned error, which
// then comes with the other communes' statuses: one damaged file must not
// blank the province's board. Any other error gives a nil map.
func ForProvince(ctx context.Context, st storage.Store, year int, province string) (map[string]Status, error) {
	prefix := lake.ReviewProvincePrefix(year, province)
	objs, err := st.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("review: không liệt kê được %s: %w", prefix, err)
	}
	var communes []string
	for _, o := range objs {
		rest := strings.TrimPrefix(o.Key, prefix)
		c, ok := lake.CommuneFile(rest, ".json")
		if !ok {
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
	var bad []error
	for _, err := range errs {
		if err != nil && !errors.Is(err, ErrUnreadable) {
			return nil, err
		}
		if err != nil {
			bad = append(bad, err)
		}
	}
	return out, errors.Join(bad...)
}

// Effective is THE rule every reader uses (board, portal, roll-up,
// reminders). Given a commune's status (zero: never reviewed) and its
// current data set (Latest: per form the latest accepted submission_id;
// empty: nothing accepted), it returns the state to show ("" when there is
// nothing to review) and the data that counts in outputs, per form (a form
// absent: nothing counts for it), in live mode or approved-only mode.
//
// The state is decided on the set ("latest == A" means: the current set is
// the set A the last approve or return was about):
//
//	no status (or submitted):  shown Submitted if latest is not empty
//	Approved A, latest == A:   Approved
//	Approved A, latest != A:   Submitted (the new upload waits)
//	Returned R, latest == R:   Returned
//	Returned R, latest != R:   Submitted
//
// What counts is decided per form f, with the table of REVIEW_CONTRACT.md:
//
//	approved-only:              ApprovedForms[f] (nothing without it)
//	live, Approved:             ApprovedForms[f] (approved data is not replaced); latest[f] for a form never reviewed
//	live, Returned R:           latest[f] == R[f]: ApprovedForms[f] (a returned file never counts);
//	                            else ApprovedForms[f] if set, else latest[f]
//	live, no status/submitted:  latest[f]
//
// Whatever the mode and state, a submission whose return stands
// (Status.ReturnedIDs: returned at any time and neither approved since nor
// the return reopened) never counts: the form falls back to its approved
// data if that is not returned, else counts nothing. And a data set made
// only of such submissions that is not the set last acted on (an older
// data set, at a report's cut-off) is shown Returned (finding H-A).
//
// A reopened commune is Submitted with ApprovedForms cleared. Approved A
// with no accepted upload at all (which cannot happen: uploads are never
// deleted) is shown Approved. A status written before the per-form fix
// (no "forms") reads Submission and ApprovedSubmission as every form's.
func Effective(s Status, latest Set, approvedOnly bool) (shown State, counted Set) {
	// A caller whose uploads name no form (form "") compares with a
	// status written per form: "" stands for every form.
	named := Set{}
	for f, id := range s.Forms {
		named[f] = id
	}
	for f, id := range s.ApprovedForms {
		named[f] = id
	}
	latest = latest.spread(named)
	forms, approved := s.sets(latest)
	ret := s.ReturnedIDs(latest)
	same := len(latest.clean()) == 0 || latest.Equal(forms)
	switch s.State {
	case Approved:
		shown = Submitted
		if same {
			shown = Approved
		}
	case Returned:
		shown = Submitted
		if same {
			shown = Returned
		}
	default:
		if len(latest.clean()) > 0 {
			shown = Submitted
		}
	}
	if !same && !slices.ContainsFunc(latest.IDs(), func(id string) bool { return !returnedIn(ret, id) }) {
		shown = Returned // only data returned earlier (an older data set)
	}
	counted = Set{}
	all := maps.Clone(latest.clean())
	for f, id := range approved {
		if _, ok := all[f]; !ok {
			all[f] = id
		}
	}
	for f := range all {
		l, a := latest[f], approved[f]
		c := a
		if !approvedOnly {
			switch s.State {
			case Approved:
				if a == "" && forms[f] == "" {
					c = l // a form the approval was not about
				}
			case Returned:
				if l != "" && l != forms[f] && a == "" {
					c = l
				}
			default:
				c = l
			}
		}
		if returnedIn(ret, c) {
			c = "" // a returned file never counts
			if !returnedIn(ret, a) {
				c = a
			}
		}
		if c != "" {
			counted[f] = c
		}
	}
	return shown, counted
}

// spread gives the form "" (an upload whose receipt names no form: it is
// the commune's whole data) to every form of latest that the set does not
// name, so a status written from such receipts compares with the roll-up's
// per-form sets.
func (s Set) spread(latest Set) Set {
	out := s.clean()
	id, ok := out[""]
	if !ok {
		return out
	}
	for f := range latest.clean() {
		if f != "" {
			if _, own := out[f]; !own {
				out[f] = id
			}
			delete(out, "")
		}
	}
	return out
}

// sets are the status's set acted on and approved set, per form; a status
// written before the per-form fix gives its single submissions for every
// form of latest (or the form "" when latest is empty).
func (s Status) sets(latest Set) (forms, approved Set) {
	if s.Forms != nil || s.ApprovedForms != nil {
		return s.Forms.spread(latest), s.ApprovedForms.spread(latest)
	}
	forms, approved = Set{}, Set{}
	keys := slices.Collect(maps.Keys(latest.clean()))
	if len(keys) == 0 {
		keys = []string{""}
	}
	a := s.ApprovedSubmission
	if a == "" && s.State == Approved {
		a = s.Submission // a status written by hand without the field
	}
	for _, f := range keys {
		if s.Submission != "" {
			forms[f] = s.Submission
		}
		if a != "" {
			approved[f] = a
		}
	}
	return forms, approved
}

// History reads a commune's audit records of a year, oldest first.
func History(ctx context.Context, st storage.Store, year int, province, commune string) ([]Record, error) {
	prefix := lake.AuditCommunePrefix(year, province, commune)
	objs, err := st.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("review: không liệt kê được %s: %w", prefix, err)
	}
	var out []Record
	for _, o := range objs {
		if !strings.HasSuffix(o.Key, ".json") {
			continue
		}
		body, _, err := storage.GetAtMost(ctx, st, o.Key, "", maxStatusBytes)
		if err != nil {
			return nil, fmt.Errorf("review: không đọc được %s: %w", o.Key, err)
		}
		var r Record
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, fmt.Errorf("review: nhật ký %s bị hỏng: %w", o.Key, err)
		}
		out = append(out, r)
	}
	// The status is written before its change's record (see the package
	// doc): a crash between leaves the record only in the status's
	// LastChange. Show it from there; the next Apply writes it.
	s, _, err := Get(ctx, st, year, province, commune)
	if err != nil && !errors.Is(err, ErrUnreadable) {
		return nil, err
	}
	if r := s.LastChange; r != nil && r.Key != "" && !slices.ContainsFunc(out, func(x Record) bool { return x.Key == r.Key }) {
		out = append(out, *r)
		slices.SortFunc(out, func(a, b Record) int { return strings.Compare(a.Key, b.Key) })
	}
	return out, nil // keys sort by time (lake.AuditKey)
}
