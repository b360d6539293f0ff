// Package hamlet holds the rules of hamlet identity (issue 14).
//
// Ingest codes a Biểu 01 row from its own upload only: the code the commune
// wrote (ma_thon_source "file"), else a code derived from the hamlet's name
// ("derived"). It never reads other submissions, so the lake is a pure
// function of the uploads whatever the order they are processed in.
//
// Identity across uploads and years is resolved where the whole history is
// seen: by the roll-up (pipeline/rollup, identity.go) for the figures, and by
// Known for the blank form. The rule, the same in both: within a commune
// and a register era (HistoryFirstYear), a row without a code of its own
// takes the code the commune last wrote for a hamlet of the same name (by
// NameKey) in an earlier upload (by upload time) of that year or an earlier
// one; else it keeps the code derived from its name.
package hamlet

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/textnorm"
)

// Code sources (lake/submissions ma_thon_source, receipts' code_source).
const (
	FromFile    = "file"    // the commune wrote it
	FromDerived = "derived" // not in the file: derived from the name
	// FromKnown is found in lakes written before issue 14 only: ingest then
	// took the code of an earlier upload. Readers treat such a code like
	// any other: a file code unless IsDerived says it is one of ours.
	FromKnown = "known"
)

// Derive gives a hamlet a code from its name alone, so the same name gets
// the same code every year: an ASCII slug for people to read plus a short
// hash of the name key, which tells apart names that differ only in
// diacritics ("Thôn Đồng" / "Thôn Dông").
func Derive(name string) string { return DeriveKeyed(name, textnorm.NameKey(name)) }

// DeriveKeyed is Derive given the name's NameKey, which the caller has
// already computed (it is a third of a large file's coding cost).
func DeriveKeyed(name, nameKey string) string {
	slug := textnorm.Slug(name)
	if len(slug) > 40 {
		slug = strings.TrimRight(slug[:40], "-")
	}
	return slug + "-" + KeyHash(nameKey)
}

// KeyHash is the short hash of a name key that ends a derived code.
func KeyHash(nameKey string) string {
	sum := sha256.Sum256([]byte(nameKey))
	return hex.EncodeToString(sum[:3])
}

// IsDerived reports whether code is one Derive gave the hamlet named name
// (or a name with the same NameKey): a code of the system's, not the
// commune's, which officials are not shown.
func IsDerived(code, name string) bool {
	return strings.HasSuffix(code, "-"+KeyHash(textnorm.NameKey(name)))
}

// HistoryFirstYear is the first reporting year whose uploads may give a
// row of year its identity: from 2025 the years since the reform only (a
// commune code before the 2025 reform may name another place today), before
// it the ten years before.
func HistoryFirstYear(year int) int {
	if year >= 2025 {
		return 2025
	}
	return max(year-10, 2014)
}

// HistoryFirstYearSQL is HistoryFirstYear over a SQL integer expression, for
// the roll-up.
func HistoryFirstYearSQL(year string) string {
	return fmt.Sprintf("(CASE WHEN %[1]s >= 2025 THEN 2025 ELSE greatest(%[1]s - 10, 2014) END)", year)
}

// Known returns the commune's hamlets, name key → hamlet, as its accepted
// Biểu 01 uploads of year and the earlier years of its era, received before
// `before`, name them: the name of the latest upload that has it, with the
// code the commune last wrote for it (CodeSource FromFile), else the code
// derived from its name (FromDerived). When two names carry the same code
// (a hamlet renamed), only the one of the latest upload is kept. It is what
// a new upload without codes would be coded as by the roll-up.
func Known(ctx context.Context, lk storage.Store, year int, province, commune string, before time.Time) (map[string]receipt.Hamlet, error) {
	type seen struct {
		at     string // received_at + submission id: the upload order
		name   string // the name in the latest upload
		code   string // the latest file code
		codeAt string
	}
	byKey := map[string]*seen{}
	for y := HistoryFirstYear(year); y <= year; y++ {
		prefix := lake.ReceiptsCommunePrefix(y, province, commune)
		objs, err := lk.List(ctx, prefix)
		if err != nil {
			return nil, fmt.Errorf("hamlet: list %s: %w", prefix, err)
		}
		for _, o := range objs {
			b, _, err := lk.Get(ctx, o.Key, "")
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("hamlet: read %s: %w", o.Key, err)
			}
			var rc receipt.Receipt
			if err := json.Unmarshal(b, &rc); err != nil {
				continue // a damaged receipt teaches nothing; it is not ours to fix here
			}
			if rc.Status != receipt.Accepted || !rc.ReceivedAt.Before(before) {
				continue
			}
			at := rc.ReceivedAt.UTC().Format("2006-01-02T15:04:05.000000Z") + rc.SubmissionID
			for _, h := range rc.Hamlets {
				nk := textnorm.NameKey(h.Name)
				s := byKey[nk]
				if s == nil {
					s = &seen{}
					byKey[nk] = s
				}
				if at > s.at {
					s.at, s.name = at, h.Name
				}
				if h.Code != "" && !IsDerived(h.Code, h.Name) && at > s.codeAt {
					s.code, s.codeAt = h.Code, at
				}
			}
		}
	}
	// A file code names one hamlet: the name it had last.
	owner := map[string]string{} // code → name key
	for nk, s := range byKey {
		if s.code == "" {
			continue
		}
		if o, ok := owner[s.code]; !ok || cmp.Or(strings.Compare(s.at, byKey[o].at), strings.Compare(o, nk)) > 0 {
			owner[s.code] = nk
		}
	}
	known := make(map[string]receipt.Hamlet, len(byKey))
	for _, nk := range slices.Sorted(maps.Keys(byKey)) {
		s := byKey[nk]
		switch {
		case s.code != "" && owner[s.code] == nk:
			known[nk] = receipt.Hamlet{Name: s.name, Code: s.code, CodeSource: FromFile}
		case s.code != "":
			// Renamed: the same code under a later name. The old name is
			// not a hamlet of the commune any more.
		default:
			known[nk] = receipt.Hamlet{Name: s.name, Code: DeriveKeyed(s.name, nk), CodeSource: FromDerived}
		}
	}
	return known, nil
}

// FormHamlets are the hamlets a blank form is prefilled with (`xhht
// template`, the portal's "Tải biểu mẫu"): the commune's known hamlets in
// Vietnamese alphabetical order, numbers compared as numbers ("Thôn 2"
// before "Thôn 10"), then by code. A code the system derived from the name
// ("ban-pac-hin-941943") is left out: officials see their own codes only,
// and the hamlet keeps its identity anyway, matched by its name.
func FormHamlets(known map[string]receipt.Hamlet) []receipt.Hamlet {
	out := make([]receipt.Hamlet, 0, len(known))
	for _, h := range known {
		if IsDerived(h.Code, h.Name) {
			h.Code = ""
		}
		out = append(out, h)
	}
	col := collate.New(language.Vietnamese, collate.Numeric, collate.IgnoreCase)
	sort.Slice(out, func(i, j int) bool {
		if c := col.CompareString(out[i].Name, out[j].Name); c != 0 {
			return c < 0
		}
		return out[i].Code < out[j].Code
	})
	return out
}
