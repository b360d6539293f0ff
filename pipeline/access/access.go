package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/xhht/xhht/pipeline/storage"
)

// Role says what a grant may do.
type Role string

const (
	RoleCommune  Role = "commune"
	RoleProvince Role = "province" // a reviewer of the province's Department of Education (issue 15)
)

// Grant is what a valid code entitles its holder to.
type Grant struct {
	Role                   Role
	Year                   int
	Province, ProvinceName string
	Commune, CommuneName   string // empty for RoleProvince
	// Reviewer is a province code's slot, "01", "02" …: a province has as
	// many codes as it has reviewers, each revoked on its own. Holder is
	// the name the province gave it (printed on the sheet; may be empty).
	// Both empty for RoleCommune.
	Reviewer, Holder string
	CodeID           string    // short non-secret id of the code (12 hex of its hash): for logs and audit, never the code
	ExpiresAt        time.Time // the code, and any session made with it, stops working at this instant
}

// Sentinel errors of Verify and StillValid; they come wrapped (use
// errors.Is). Their text is the Vietnamese a commune official may be shown.
var (
	ErrInvalid = errors.New("mã truy cập không đúng")
	ErrRevoked = errors.New("mã truy cập đã bị thu hồi hoặc đã được thay bằng mã mới")
	ErrExpired = errors.New("mã truy cập đã hết hạn")
)

// Failure is the error Verify and StillValid return for a code that was
// once issued but is revoked, replaced or expired: it unwraps to ErrRevoked
// or ErrExpired and names the commune, for the log of failed sign-ins. It
// grants nothing. A code never issued gives plain ErrInvalid: there is no
// commune to name.
type Failure struct {
	Err      error // ErrRevoked or ErrExpired
	Year     int
	Province string
	Commune  string
	CodeID   string // id of the code that was typed
}

func (f *Failure) Error() string {
	return fmt.Sprintf("%v (xã %s, năm %d, mã %s)", f.Err, f.Commune, f.Year, f.CodeID)
}

func (f *Failure) Unwrap() error { return f.Err }

// Authority checks codes against access/ of the lake. It keeps no state:
// every call reads the lake, so a revocation or reissue is seen by the very
// next call, in every process (portal Lambdas included).
type Authority struct {
	lake storage.Store
}

// NewAuthority reads codes from lake (it needs only Get on access/).
func NewAuthority(lake storage.Store) *Authority { return &Authority{lake: lake} }

// Verify checks what a person typed: it normalises it (case, spaces,
// dashes), looks its hash up, compares the hash with the commune's current
// one in constant time, and checks revocation and expiry at now (a code
// expires at ExpiresAt itself). Errors: ErrInvalid (never issued, or not a
// code at all), a *Failure wrapping ErrRevoked or ErrExpired, or a storage
// error (then the caller should answer "try again", not "wrong code").
func (a *Authority) Verify(ctx context.Context, code string, now time.Time) (Grant, error) {
	norm, ok := Normalize(code)
	if !ok {
		return Grant{}, ErrInvalid
	}
	hash := hashCode(norm)
	body, _, err := a.lake.Get(ctx, pointerKey(hash), "")
	if errors.Is(err, storage.ErrNotFound) {
		return Grant{}, ErrInvalid
	}
	if err != nil {
		return Grant{}, fmt.Errorf("access: look up code: %w", err)
	}
	var p pointer
	if err := json.Unmarshal(body, &p); err != nil || !p.valid() {
		return Grant{}, fmt.Errorf("access: lookup object of code %s is damaged", codeID(hash))
	}
	rec, _, err := readRecord(ctx, a.lake, p.key())
	if errors.Is(err, storage.ErrNotFound) {
		return Grant{}, ErrInvalid // a lookup left by an issue that never committed
	}
	if err != nil {
		return Grant{}, fmt.Errorf("access: read record: %w", err)
	}
	if err := check(rec, hash, now); err != nil {
		return Grant{}, err
	}
	return rec.grant(), nil
}

// StillValid re-checks a grant made earlier (a portal session) against the
// lake at now: nil while its code is still the commune's current code,
// active and unexpired; otherwise a *Failure wrapping ErrRevoked or
// ErrExpired. Call it on every request of a session, so a revoke or a
// reissue also ends sessions already open, at once. One GET.
func (a *Authority) StillValid(ctx context.Context, g Grant, now time.Time) error {
	if len(g.CodeID) != 12 || !(pointer{Role: g.Role, Year: g.Year, Province: g.Province, Commune: g.Commune, Reviewer: g.Reviewer}).valid() {
		return ErrInvalid
	}
	rec, _, err := readRecord(ctx, a.lake, keyOf(g.Role, g.Year, g.Province, g.Commune, g.Reviewer))
	if errors.Is(err, storage.ErrNotFound) {
		return &Failure{Err: ErrRevoked, Year: g.Year, Province: g.Province, Commune: g.Commune, CodeID: g.CodeID}
	}
	if err != nil {
		return fmt.Errorf("access: read record: %w", err)
	}
	// The grant carries only the code id, not the full hash: comparing
	// ids is enough here, the session itself was authenticated already.
	if !equalHash(rec.CodeID, g.CodeID) {
		return &Failure{Err: ErrRevoked, Year: g.Year, Province: g.Province, Commune: g.Commune, CodeID: g.CodeID}
	}
	return check(rec, rec.Hash, now)
}

// check is the common verdict on a record for a code hash.
func check(rec *record, hash string, now time.Time) error {
	fail := func(err error) error {
		return &Failure{Err: err, Year: rec.Year, Province: rec.Province, Commune: rec.Commune, CodeID: codeID(hash)}
	}
	if !equalHash(rec.Hash, hash) {
		return fail(ErrRevoked) // replaced by a reissue
	}
	if rec.Status != StatusActive {
		return fail(ErrRevoked)
	}
	if !now.Before(rec.ExpiresAt) {
		return fail(ErrExpired)
	}
	return nil
}
