package review

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
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
	// Seen is the status the official acted on, as SeenOf(etag) of the
	// Get that showed it (the portal's page carries it in its forms).
	// When set, Apply refuses the action with ErrChanged (which is also
	// ErrStale) if the stored status is no longer that one: another
	// reviewer acted meanwhile, and a decision taken on a stale page must
	// not silently replace theirs. Empty: no such check; the action applies
	// to the status as Apply reads it (callers that read and act at once,
	// such as scripts and tests; the CAS still guards the write).
	Seen string
}

// SeenNever is Action.Seen for a commune with no status yet (never
// reviewed): an ETag is never this.
const SeenNever = "chua-duyet"

// SeenOf is the Action.Seen of a status read with this ETag (Get's
// second result; "" when the commune was never reviewed).
func SeenOf(etag string) string {
	if etag == "" {
		return SeenNever
	}
	return etag
}

// Limits on what an official types.
const (
	MaxCommentRunes = 2000
	maxFlagIDBytes  = 300
	maxAttempts     = 10 // compare-and-swap rounds before giving up
	// MaxChecks bounds the checks a status keeps (checks of data no longer
	// current are dropped from the status when a check is added; their
	// audit records stay). 100 checks of MaxCommentRunes 3-byte runes are
	// about 0.6 MB, under maxWriteBytes.
	MaxChecks = 100
	// maxWriteBytes: Apply refuses to write a status larger than this, well
	// under what Get reads (maxStatusBytes), so a status can never grow
	// past being readable.
	maxWriteBytes = 768 << 10
)

// Apply performs one action: it authorises it (a province code of the
// commune's province; commune codes never), checks it (comment where
// required; approve and return only of the commune's latest accepted
// upload, else ErrStale), then writes the new status by compare-and-swap,
// re-reading and re-validating on a lost race, and writes the change's
// immutable audit record. With a.Seen set, it first refuses (ErrChanged)
// when the status is no longer the one the official saw. An action that changes nothing (approving what
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
		// A status written before returned_submissions: its exact set of
		// returned data from the audit records, so the status written
		// next (version 2) forgets no earlier return.
		if cur, err = WithHistory(ctx, w, cur); err != nil {
			return Status{}, err
		}
		// The record of the change that produced cur, if a crash left it
		// unwritten: written before cur is replaced, so it is never lost.
		if err := writeRecord(ctx, w, cur.LastChange); err != nil {
			return cur, err
		}
		// Checked on every round: after a lost race the status is another
		// reviewer's, so an action on a seen version is refused then too
		// (of N reviewers acting on the same page version, exactly one
		// succeeds).
		if a.Seen != "" && SeenOf(etag) != a.Seen {
			if repeat(cur.LastChange, a) {
				return cur, nil // the same form sent twice (a double click): done already
			}
			return cur, fmt.Errorf("%w: %w", ErrStale, ErrChanged)
		}
		ups, err := Uploads(ctx, w, a.Year, a.Province, a.Commune)
		if err != nil {
			return cur, err
		}
		next, changed, err := transition(cur, Current(ups), DigestsOf(ups), a)
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
			return cur, fmt.Errorf("review: không mã hoá được trạng thái: %w", err)
		}
		if len(body) > maxWriteBytes {
			return cur, fmt.Errorf("%w: trạng thái duyệt của xã sẽ quá lớn (%d byte, tối đa %d): hãy rút ngắn ý kiến", ErrBadAction, len(body), maxWriteBytes)
		}
		err = w.PutIf(ctx, key, append(body, '\n'), "application/json", etag)
		if errors.Is(err, storage.ErrPrecondition) {
			continue // another reviewer changed it: re-read and re-validate
		}
		if err != nil {
			return cur, fmt.Errorf("review: không ghi được %s: %w", key, err)
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

// repeat reports whether the last change is action a itself, sent again
// from the same page: same code, kind, comment and submission (reopen
// names none). Then a stale Seen is not another reviewer's doing.
func repeat(last *Record, a Action) bool {
	if last == nil || last.By.CodeID != a.By.CodeID || last.Action != a.Kind || last.Comment != a.Comment || last.FlagID != a.FlagID {
		return false
	}
	return a.Kind == KindReopen || last.Submission == a.Submission
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
	if a.By.Reviewer != "" && !digits(a.By.Reviewer, 2) {
		return fmt.Errorf("%w (số mã cấp tỉnh %q)", ErrForbidden, a.By.Reviewer)
	}
	// A code is issued for one reporting year: it acts on that year only.
	if a.By.Year != a.Year {
		return fmt.Errorf("%w (mã của năm %d, thao tác trên năm %d)", ErrForbidden, a.By.Year, a.Year)
	}
	// Browsers send a textarea's line breaks as CR LF.
	a.Comment = strings.TrimSpace(strings.ReplaceAll(a.Comment, "\r\n", "\n"))
	if !utf8.ValidString(a.Comment) {
		return fmt.Errorf("%w: ý kiến có ký tự không đọc được", ErrBadAction)
	}
	if strings.ContainsFunc(a.Comment, badCommentRune) {
		return fmt.Errorf("%w: ý kiến có ký tự điều khiển hoặc ký tự đảo chiều văn bản", ErrBadAction)
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

// badCommentRune: control characters other than line break and tab, and
// the bidi embeddings, overrides and isolates (U+202A–U+202E,
// U+2066–U+2069), which can make a comment read other than it is stored.
func badCommentRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
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
// given the commune's current data set and its uploads' data digests (the
// record's from and to states are the ones the pages show, where a
// re-upload of the same data is the data acted on); changed false when a
// changes nothing. next.LastChange is filled but for its key.
func transition(cur Status, latest Set, d Digests, a Action) (next Status, changed bool, err error) {
	from, _ := EffectiveData(cur, latest, d, false)
	// Changes of a commune are ordered by their time (audit keys sort by
	// it): a clock behind the last change's (two Lambdas) moves to just
	// after it, so the history never shows an effect before its cause.
	if !cur.At.IsZero() && !a.At.After(cur.At) {
		a.At = cur.At.Add(time.Microsecond)
	}
	latest = latest.clean()
	next = cur
	next.Checks = maps.Clone(cur.Checks)
	curForms, curApproved := cur.sets(latest)
	// The submissions whose return stands (returned.go), kept across
	// every action; a version 1 status starts from what it has (Apply
	// gives it its audit history first, WithHistory).
	returned := cur.ReturnedIDs(latest)
	switch a.Kind {
	case KindApprove, KindReturn:
		if len(latest) == 0 {
			return cur, false, fmt.Errorf("%w (xã chưa có tệp được chấp nhận)", ErrStale)
		}
		// The official acts on the commune's current data set, named by
		// any of its submissions (one per form at most).
		if !latest.Has(a.Submission) {
			return cur, false, fmt.Errorf("%w (lần nộp %q không thuộc dữ liệu hiện tại %q)", ErrStale, a.Submission, latest.IDs())
		}
		if a.Kind == KindApprove {
			if from == Approved {
				return cur, false, nil // already approved: a racing reviewer did it
			}
			next.State, next.ApprovedForms = Approved, maps.Clone(latest)
			// Approving data withdraws its return, if it had one.
			returned = slices.DeleteFunc(returned, latest.Has)
		} else {
			if from == Returned && cur.Comment == a.Comment {
				return cur, false, nil
			}
			next.State, next.ReturnedForms = Returned, maps.Clone(latest)
			for _, id := range latest.IDs() {
				if !slices.Contains(returned, id) {
					returned = append(returned, id)
				}
			}
			next.ApprovedForms = curApproved.clean()
			for f, id := range latest {
				if next.ApprovedForms[f] == id {
					delete(next.ApprovedForms, f) // returning the approved data withdraws the approval
				}
			}
		}
		next.Forms = maps.Clone(latest)
		next.Submission, next.Comment = a.Submission, a.Comment
	case KindReopen:
		switch cur.State {
		case "":
			return cur, false, fmt.Errorf("%w (xã chưa được duyệt hay trả lại lần nào)", ErrStale)
		case Submitted:
			return cur, false, nil // already open
		}
		next.State, next.ApprovedForms, next.Comment = Submitted, Set{}, a.Comment
		if cur.State == Returned {
			// The return is cancelled: that data is valid again.
			returned = slices.DeleteFunc(returned, cur.ReturnedSet(latest).Has)
			next.ReturnedForms = nil
		}
		next.Forms = curForms
		if len(latest) > 0 {
			next.Forms = maps.Clone(latest)
			if !latest.Has(next.Submission) {
				next.Submission = latest.IDs()[0]
			}
		}
	case KindCheck:
		if len(latest) == 0 {
			return cur, false, fmt.Errorf("%w (xã chưa có tệp được chấp nhận)", ErrStale)
		}
		// A check is of the flag of one submission: it greys the flag
		// only while the flag is about that submission (Status.Checked).
		sub := a.Submission
		if sub == "" {
			if sub = latest.only(); sub == "" {
				return cur, false, fmt.Errorf("%w: cần cho biết cảnh báo thuộc lần nộp nào", ErrBadAction)
			}
		}
		if !latest.Has(sub) && !d.carriesCurrent(sub, latest) {
			return cur, false, fmt.Errorf("%w (lần nộp %q không thuộc dữ liệu hiện tại %q)", ErrStale, sub, latest.IDs())
		}
		a.Submission = sub
		if c, ok := cur.Checks[a.FlagID]; ok && c.Comment == a.Comment && c.Submission == sub {
			return cur, false, nil
		}
		if next.Checks == nil {
			next.Checks = map[string]Check{}
		}
		// Checks of data no longer current grey nothing: drop them from
		// the status (their audit records stay).
		for id, c := range next.Checks {
			if !latest.Has(c.Submission) && !d.carriesCurrent(c.Submission, latest) {
				delete(next.Checks, id)
			}
		}
		if _, ok := next.Checks[a.FlagID]; !ok && len(next.Checks) >= MaxChecks {
			return cur, false, fmt.Errorf("%w: xã đã có %d cảnh báo được đánh dấu đã xác minh (tối đa %d)", ErrBadAction, len(next.Checks), MaxChecks)
		}
		next.Checks[a.FlagID] = Check{Submission: sub, Comment: a.Comment, By: a.By, At: a.At}
		if next.State == "" {
			next.State, next.Submission = Submitted, sub
		}
	}
	// approved_submission keeps its meaning for readers of the old field
	// whenever the approved data is one submission.
	if a.Kind != KindCheck {
		next.ApprovedSubmission = next.ApprovedForms.only()
		if len(next.ApprovedForms) == 0 {
			next.ApprovedForms = nil
		}
		if next.ApprovedForms == nil && next.Forms == nil {
			next.Forms = Set{} // a per-form status, even when empty
		}
	}
	slices.Sort(returned)
	next.ReturnedSubmissions = returned
	if len(returned) == 0 {
		next.ReturnedSubmissions = nil
	}
	next.Version, next.Year, next.Province, next.Commune = StatusVersion, a.Year, a.Province, a.Commune
	next.By, next.At = a.By, a.At
	to, _ := EffectiveData(next, latest, d, false)
	if a.Kind == KindReopen {
		// A reopen withdraws the stored decision: the record says so
		// (approved → submitted), even when a newer upload already showed
		// the commune as submitted (finding L6).
		from = cur.State
	}
	next.LastChange = &Record{Version: Version, Year: a.Year, Province: a.Province, Commune: a.Commune,
		Action: a.Kind, FromState: from, ToState: to, Submission: a.Submission, Forms: latest, FlagID: a.FlagID,
		Comment: a.Comment, By: a.By, At: a.At}
	if a.Kind == KindReopen {
		next.LastChange.Submission = next.Submission
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
		return fmt.Errorf("review: không đọc được nhật ký %s: %w", r.Key, err)
	}
	body, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("review: không mã hoá được nhật ký: %w", err)
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
		return "", fmt.Errorf("review: không tạo được mã ngẫu nhiên: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
