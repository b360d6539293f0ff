package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/storage"
)

// ErrUnknownUnit is returned (wrapped) when a province or commune is not in
// the register of the year (the message gives the reform's hint).
var ErrUnknownUnit = errors.New("không có trong danh mục đơn vị hành chính")

// ErrNoCode is returned (wrapped) by Revoke for a commune without a code
// for that year.
var ErrNoCode = errors.New("xã chưa được cấp mã truy cập cho năm này")

// DefaultExpiry is when codes of a reporting year stop working unless told
// otherwise: 00:00 in Vietnam on 1 January of the next year. That is after
// the last report of the year (15/12, schemas/deadlines/deadlines.csv) and
// leaves the second half of December for late uploads and corrections,
// which the reports count as late but the province still wants; a test
// checks it stays after every deadline in the file.
func DefaultExpiry(year int) time.Time {
	return time.Date(year+1, time.January, 1, 0, 0, 0, 0, deadlines.ICT).UTC()
}

// IssueOptions says which codes Issue creates.
type IssueOptions struct {
	Year     int
	Province string   // 2 digits, in the register of Year
	Communes []string // nil: every commune of Province in the register of Year
	Role     Role     // "" or RoleCommune: one code per commune; RoleProvince: reviewer codes of the province
	// Holders (RoleProvince) names who gets each reviewer code; Reviewers
	// is how many codes when no names are given (default 1), slots "01",
	// "02" …. Named holders are placed by name (holderSlots): one who has a
	// slot under that name keeps it (skipped; with Replace, a new code in
	// that slot), the others get the free slots in order; slots of other
	// people are never touched. Ignored for commune codes.
	Holders   []string
	Reviewers int
	// Replace issues a new code even for communes that already have one
	// (that code stops working at once). Without it such communes are
	// skipped and reported, so a second run only fills in what is missing
	// and never invalidates codes already handed out.
	Replace   bool
	ExpiresAt time.Time          // zero: DefaultExpiry(Year)
	Now       time.Time          // zero: time.Now()
	Registry  *registry.Registry // nil: registry.Load()
}

// Issued is one commune's outcome. Code is the plaintext code, returned
// once and never stored; it is empty when the commune was skipped.
type Issued struct {
	Code     string
	Grant    Grant
	Replaced bool   // the commune had a code, which no longer works
	Skipped  string // the commune already has a code (its status: active, revoked, expired): nothing was changed
}

// concurrency bounds the communes written at once (3 requests each).
const concurrency = 8

// Issue creates codes for the communes of a province and year and returns
// them sorted by commune code. On error the result still lists the codes
// that were committed (they work: hand them out or replace them).
func Issue(ctx context.Context, lake storage.Store, opt IssueOptions) ([]Issued, error) {
	w, ok := lake.(storage.Writer)
	if !ok {
		return nil, fmt.Errorf("access: the lake (%T) cannot do conditional writes", lake)
	}
	if opt.Role != "" && opt.Role != RoleCommune && opt.Role != RoleProvince {
		return nil, fmt.Errorf("access: vai trò %q không có; dùng commune hoặc province (unknown role)", opt.Role)
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.ExpiresAt.IsZero() {
		opt.ExpiresAt = DefaultExpiry(opt.Year)
	}
	if !opt.ExpiresAt.After(opt.Now) {
		return nil, fmt.Errorf("access: hạn dùng mã %s đã qua (expiry is in the past)", opt.ExpiresAt.In(deadlines.ICT).Format("02/01/2006 15:04"))
	}
	var bases []record
	var err error
	if opt.Role == RoleProvince {
		if bases, err = reviewerBases(opt); err != nil {
			return nil, err
		}
		if len(opt.Holders) > 0 {
			if bases, err = holderSlots(ctx, lake, bases); err != nil {
				return nil, err
			}
		}
	} else {
		units, err := lookupUnits(opt.Registry, opt.Year, opt.Province, opt.Communes)
		if err != nil {
			return nil, err
		}
		for _, c := range units.communes {
			bases = append(bases, units.base(c))
		}
	}

	out := make([]Issued, len(bases))
	errs := make([]error, len(bases))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, b := range bases {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i], errs[i] = issueOne(ctx, w, b, opt.Now, func(cur *record) (string, time.Time, error) {
				if cur == nil {
					return "issue", opt.ExpiresAt, nil
				}
				if !opt.Replace {
					return "", time.Time{}, errSkip
				}
				return "reissue", opt.ExpiresAt, nil
			})
		}()
	}
	wg.Wait()
	var done []Issued
	var failed []error
	for i, is := range out {
		if errs[i] != nil {
			failed = append(failed, fmt.Errorf("%s: %w", bases[i].unitText(), errs[i]))
			continue
		}
		done = append(done, is)
	}
	return done, errors.Join(failed...)
}

// ReissueOptions says which commune gets a new code.
type ReissueOptions struct {
	Year    int
	Commune string
	// Province and Reviewer, instead of Commune: a province reviewer's
	// code (RoleProvince), which keeps its holder's name.
	Province, Reviewer string
	// ExpiresAt zero: the expiry of the code being replaced, or
	// DefaultExpiry(Year) for a commune without one.
	ExpiresAt time.Time
	Now       time.Time          // zero: time.Now()
	Registry  *registry.Registry // nil: registry.Load()
}

// Reissue gives a commune a new code, at once: its old code (if any, and
// also a revoked one) stops working with this write. A commune without a
// code gets its first.
func Reissue(ctx context.Context, lake storage.Store, opt ReissueOptions) (Issued, error) {
	w, ok := lake.(storage.Writer)
	if !ok {
		return Issued{}, fmt.Errorf("access: the lake (%T) cannot do conditional writes", lake)
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	var base record
	if opt.Reviewer != "" {
		bs, err := reviewerBases(IssueOptions{Year: opt.Year, Province: opt.Province, Registry: opt.Registry, Reviewers: 1})
		if err != nil {
			return Issued{}, err
		}
		if !digits(opt.Reviewer, 2) {
			return Issued{}, fmt.Errorf("access: số mã cấp tỉnh %q phải gồm 2 chữ số, ví dụ 01", opt.Reviewer)
		}
		base = bs[0]
		base.Reviewer, base.Holder = opt.Reviewer, ""
	} else {
		units, err := lookupUnits(opt.Registry, opt.Year, "", []string{opt.Commune})
		if err != nil {
			return Issued{}, err
		}
		base = units.base(units.communes[0])
	}
	return issueOne(ctx, w, base, opt.Now, func(cur *record) (string, time.Time, error) {
		expires, action := opt.ExpiresAt, "issue"
		if cur != nil {
			action = "reissue"
			if expires.IsZero() {
				expires = cur.ExpiresAt
			}
		}
		if expires.IsZero() {
			expires = DefaultExpiry(opt.Year)
		}
		if !expires.After(opt.Now) {
			return "", time.Time{}, fmt.Errorf("access: hạn dùng mã %s đã qua; cho hạn mới (expiry is in the past)", expires.In(deadlines.ICT).Format("02/01/2006 15:04"))
		}
		return action, expires, nil
	})
}

// IssueOne is Reissue with the defaults: the demo (`make run`) calls it to
// print a working code for one commune, run after run.
func IssueOne(ctx context.Context, lake storage.Store, year int, commune string, now time.Time) (Issued, error) {
	return Reissue(ctx, lake, ReissueOptions{Year: year, Commune: commune, Now: now})
}

// Revoke stops a commune's code at once (and every session made with it,
// for portals that call StillValid). Revoking a revoked code changes
// nothing. The commune gets a new code only through Reissue.
func Revoke(ctx context.Context, lake storage.Store, year int, commune string, now time.Time) (Grant, error) {
	w, ok := lake.(storage.Writer)
	if !ok {
		return Grant{}, fmt.Errorf("access: the lake (%T) cannot do conditional writes", lake)
	}
	if now.IsZero() {
		now = time.Now()
	}
	if !digits(commune, 5) {
		return Grant{}, fmt.Errorf("access: mã xã %q phải gồm 5 chữ số", commune)
	}
	// The record's key needs the province; the register of the year has it.
	units, err := lookupUnits(nil, year, "", []string{commune})
	if err != nil {
		return Grant{}, err
	}
	b := units.base(units.communes[0])
	return revoke(ctx, w, b, now)
}

// RevokeReviewer stops a province reviewer's code at once, as Revoke does
// a commune's.
func RevokeReviewer(ctx context.Context, lake storage.Store, year int, province, reviewer string, now time.Time) (Grant, error) {
	w, ok := lake.(storage.Writer)
	if !ok {
		return Grant{}, fmt.Errorf("access: the lake (%T) cannot do conditional writes", lake)
	}
	if now.IsZero() {
		now = time.Now()
	}
	if !digits(province, 2) || !digits(reviewer, 2) {
		return Grant{}, fmt.Errorf("access: mã tỉnh %q (2 chữ số) và số mã %q (2 chữ số) không hợp lệ", province, reviewer)
	}
	return revoke(ctx, w, record{Role: RoleProvince, Year: year, Province: province, Reviewer: reviewer}, now)
}

// revoke marks the record of b's unit revoked.
func revoke(ctx context.Context, w storage.Writer, b record, now time.Time) (Grant, error) {
	rec, err := update(ctx, w, b.key(), func(cur *record) (*record, string, error) {
		if cur == nil {
			return nil, "", fmt.Errorf("%s, năm %d: %w", b.unitText(), b.Year, ErrNoCode)
		}
		if cur.Status == StatusRevoked {
			return nil, "", errSkip
		}
		next := *cur
		next.History = append(slices.Clip(cur.History), event{Action: "revoke", CodeID: cur.CodeID, At: now.UTC()})
		next.Status, next.RevokedAt = StatusRevoked, now.UTC()
		return &next, "", nil
	})
	if errors.Is(err, errSkip) {
		cur, _, err := readRecord(ctx, w, b.key())
		if err != nil {
			return Grant{}, err
		}
		return cur.grant(), nil
	}
	if err != nil {
		return Grant{}, err
	}
	return rec.grant(), nil
}

// errSkip stops an update without writing.
var errSkip = errors.New("access: nothing to change")

// issueOne writes a new code for a commune when decide (given the current
// record, nil if none) returns the action ("issue" or "reissue") and the
// expiry; errSkip leaves the commune as it is.
func issueOne(ctx context.Context, lake storage.Writer, base record, now time.Time, decide func(cur *record) (string, time.Time, error)) (Issued, error) {
	var code string
	var replaced bool
	rec, err := update(ctx, lake, base.key(), func(cur *record) (*record, string, error) {
		action, expires, err := decide(cur)
		if err != nil {
			return nil, "", err
		}
		// A fresh code on every attempt: a code drawn for an attempt
		// that lost the race was never committed.
		code, err = newCode(randReader)
		if err != nil {
			return nil, "", err
		}
		norm, _ := Normalize(code)
		hash := hashCode(norm)
		next := base
		if cur != nil {
			next.Generation, next.History = cur.Generation, slices.Clip(cur.History)
			if next.Role == RoleProvince && next.Holder == "" {
				next.Holder = cur.Holder // a reissue keeps the holder's name
			}
		}
		replaced = cur != nil
		next.Hash, next.CodeID, next.Status = hash, codeID(hash), StatusActive
		next.IssuedAt, next.ExpiresAt = now.UTC(), expires.UTC()
		next.Generation++
		next.History = append(next.History, event{Action: action, CodeID: next.CodeID, At: now.UTC()})
		return &next, hash, nil
	})
	if errors.Is(err, errSkip) {
		cur, _, rerr := readRecord(ctx, lake, base.key())
		if rerr != nil {
			return Issued{}, rerr
		}
		status := cur.Status
		if status == StatusActive && !now.Before(cur.ExpiresAt) {
			status = "expired"
		}
		return Issued{Grant: cur.grant(), Skipped: status}, nil
	}
	if err != nil {
		return Issued{}, err
	}
	return Issued{Code: code, Grant: rec.grant(), Replaced: replaced}, nil
}

// units is the register's view of the communes being issued.
type units struct {
	year                   int
	province, provinceName string
	communes               []*registry.Unit
}

func (u *units) base(c *registry.Unit) record {
	return record{
		Version: recordVersion, Role: RoleCommune, Year: u.year,
		Province: u.province, ProvinceName: u.provinceName,
		Commune: c.Code, CommuneName: c.Name,
	}
}

// lookupUnits finds the communes in the register of the year: all of the
// province's when communes is nil, else exactly those (province may be ""
// then: it is the communes' own, which must all be one province).
func lookupUnits(reg *registry.Registry, year int, province string, communes []string) (*units, error) {
	if reg == nil {
		var err error
		if reg, err = registry.Load(); err != nil {
			return nil, err
		}
	}
	v := reg.ForYear(year)
	if v == nil {
		return nil, unknownUnit(fmt.Sprintf("không có danh mục đơn vị hành chính cho năm %d (no register for %d)", year, year))
	}
	u := &units{year: year, province: province}
	if communes == nil {
		if v.Provinces[province] == nil {
			return nil, unknownUnit(fmt.Sprintf("mã tỉnh %s không có trong danh mục năm %d (province %s is not in the %d register)", province, year, province, year))
		}
		u.communes = v.CommunesOf(province)
		if len(u.communes) == 0 {
			return nil, unknownUnit(fmt.Sprintf("tỉnh %s không có xã nào trong danh mục năm %d", province, year))
		}
	}
	for _, code := range communes {
		c := v.Communes[code]
		if c == nil {
			msg := fmt.Sprintf("mã xã %s không có trong danh mục đơn vị hành chính năm %d", code, year)
			if hint, _ := reg.ReformHint(code, year); hint != "" {
				msg += ". " + hint
			}
			return nil, unknownUnit(fmt.Sprintf("%s (commune %s is not in the %d register)", msg, code, year))
		}
		if u.province == "" {
			u.province = c.ProvinceCode
		}
		if c.ProvinceCode != u.province {
			return nil, unknownUnit(fmt.Sprintf("xã %s thuộc tỉnh %s, không thuộc tỉnh %s", code, c.ProvinceCode, u.province))
		}
		u.communes = append(u.communes, c)
	}
	p := v.Provinces[u.province]
	if p == nil {
		return nil, unknownUnit(fmt.Sprintf("không tìm thấy tỉnh mã %s trong danh mục năm %d", u.province, year))
	}
	u.provinceName = p.Name
	return u, nil
}

// unknownUnit is an error that is ErrUnknownUnit with its own message.
type unknownUnit string

func (e unknownUnit) Error() string        { return string(e) }
func (e unknownUnit) Is(target error) bool { return target == ErrUnknownUnit }

// maxHolderRunes bounds a reviewer's name on the sheet.
const maxHolderRunes = 80

// maxReviewers bounds the reviewer codes of a province (slots 01-99).
const maxReviewers = 99

// holderSlots places named holders by name, not position (review finding
// L-K): "--holders A;B" when slot 01 is taken (by the demo code, or by
// someone else) gave B slot 02 and A nothing. A holder who already has a
// slot under the same name keeps it (skipped; with Replace, reissued in
// that slot); each other holder gets the lowest free slot, in the order
// given. A second run of the same list issues nothing, and --force with a
// list never replaces the code of someone not on it.
func holderSlots(ctx context.Context, lake storage.Store, bases []record) ([]record, error) {
	b0 := bases[0]
	prefix := strings.TrimSuffix(reviewerKey(b0.Year, b0.Province, "00"), "00.json")
	objs, err := lake.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("access: mã cấp tỉnh đã có (existing reviewer codes): %w", err)
	}
	taken, byHolder := map[string]bool{}, map[string]string{}
	for _, o := range objs {
		slot := strings.TrimSuffix(strings.TrimPrefix(o.Key, prefix), ".json")
		if !digits(slot, 2) {
			continue
		}
		r, _, err := readRecord(ctx, lake, o.Key)
		if err != nil {
			return nil, fmt.Errorf("access: mã cấp tỉnh %s-%s: %w", b0.Province, slot, err)
		}
		taken[slot] = true
		if h := strings.ToLower(strings.Join(strings.Fields(r.Holder), " ")); h != "" {
			byHolder[h] = slot
		}
	}
	next := 1
	for i := range bases {
		h := strings.ToLower(strings.Join(strings.Fields(bases[i].Holder), " "))
		if slot, ok := byHolder[h]; ok && h != "" {
			bases[i].Reviewer = slot // skipped by issueOne: that holder has a code
			continue
		}
		for ; next <= maxReviewers && taken[fmt.Sprintf("%02d", next)]; next++ {
		}
		if next > maxReviewers {
			return nil, fmt.Errorf("access: tối đa %d mã cấp tỉnh; không còn số trống", maxReviewers)
		}
		bases[i].Reviewer = fmt.Sprintf("%02d", next)
		taken[bases[i].Reviewer] = true
		if h != "" {
			byHolder[h] = bases[i].Reviewer // a name given twice gets one code
		}
	}
	return bases, nil
}

// reviewerBases are the records of a province's reviewer codes: slot "01"
// onwards, one per holder name (or opt.Reviewers of them, default 1).
func reviewerBases(opt IssueOptions) ([]record, error) {
	reg := opt.Registry
	if reg == nil {
		var err error
		if reg, err = registry.Load(); err != nil {
			return nil, err
		}
	}
	v := reg.ForYear(opt.Year)
	if v == nil {
		return nil, unknownUnit(fmt.Sprintf("không có danh mục đơn vị hành chính cho năm %d (no register for %d)", opt.Year, opt.Year))
	}
	p := v.Provinces[opt.Province]
	if p == nil {
		return nil, unknownUnit(fmt.Sprintf("mã tỉnh %s không có trong danh mục năm %d (province %s is not in the %d register)", opt.Province, opt.Year, opt.Province, opt.Year))
	}
	n := max(len(opt.Holders), opt.Reviewers, 1)
	if n > maxReviewers {
		return nil, fmt.Errorf("access: tối đa %d mã cấp tỉnh (asked for %d)", maxReviewers, n)
	}
	out := make([]record, n)
	for i := range out {
		holder := ""
		if i < len(opt.Holders) {
			holder = strings.TrimSpace(opt.Holders[i])
			if utf8.RuneCountInString(holder) > maxHolderRunes || !utf8.ValidString(holder) || strings.ContainsFunc(holder, unicode.IsControl) {
				return nil, fmt.Errorf("access: tên người nhận mã %q không hợp lệ (tối đa %d ký tự)", holder, maxHolderRunes)
			}
		}
		out[i] = record{Version: recordVersion, Role: RoleProvince, Year: opt.Year, Province: opt.Province,
			ProvinceName: p.Name, Reviewer: fmt.Sprintf("%02d", i+1), Holder: holder}
	}
	return out, nil
}
