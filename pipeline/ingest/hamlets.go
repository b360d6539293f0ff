package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/textnorm"
	"github.com/xhht/xhht/pipeline/validate"
)

// Code sources for ma_thon.
const (
	FromFile    = "file"    // the commune wrote it
	FromKnown   = "known"   // matched by name to an earlier accepted submission
	FromDerived = "derived" // new hamlet: derived from its name
)

// DeriveHamletCode gives a new hamlet a code from its name alone, so the
// same hamlet gets the same code every year: an ASCII slug for people to
// read plus a short hash of the name key, which tells apart names that
// differ only in diacritics ("Thôn Đồng" / "Thôn Dông").
func DeriveHamletCode(name string) string { return deriveHamletCode(name, textnorm.NameKey(name)) }

// deriveHamletCode is DeriveHamletCode given the name's NameKey, which the
// caller has already computed (it is a third of a large file's coding cost).
func deriveHamletCode(name, nameKey string) string {
	slug := textnorm.Slug(name)
	if len(slug) > 40 {
		slug = strings.TrimRight(slug[:40], "-")
	}
	sum := sha256.Sum256([]byte(nameKey))
	return slug + "-" + hex.EncodeToString(sum[:3])
}

// IsDerivedHamletCode reports whether code is one DeriveHamletCode gave the
// hamlet named name (or a name with the same NameKey): a code of the
// system's, not the commune's, which officials are not shown.
func IsDerivedHamletCode(code, name string) bool {
	sum := sha256.Sum256([]byte(textnorm.NameKey(name)))
	return strings.HasSuffix(code, "-"+hex.EncodeToString(sum[:3]))
}

// KnownHamlets returns name key → hamlet from the commune's accepted Biểu 01
// receipts received before `before` (so reprocessing an upload later gives
// the same codes), other than the submission `self`. Only years of the same
// register era are used: a commune code before the 2025 reform may name
// another place today.
func KnownHamlets(ctx context.Context, store storage.Store, k lake.Key, self string, before time.Time) (map[string]receipt.Hamlet, error) {
	first := max(k.Year-10, lake.FirstYear)
	if k.Year >= 2025 {
		first = 2025
	}
	known := map[string]receipt.Hamlet{}
	var newest = map[string]string{} // name key → received_at of the receipt that set it
	for y := first; y <= k.Year; y++ {
		prefix := lake.ReceiptsCommunePrefix(y, k.Province, k.Commune)
		objs, err := store.List(ctx, prefix)
		if err != nil {
			return nil, fmt.Errorf("ingest: list %s: %w", prefix, err)
		}
		for _, o := range objs {
			b, _, err := store.Get(ctx, o.Key, "")
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("ingest: read %s: %w", o.Key, err)
			}
			var rc receipt.Receipt
			if err := json.Unmarshal(b, &rc); err != nil {
				continue // a damaged receipt teaches nothing; it is not ours to fix here
			}
			if rc.Status != receipt.Accepted || rc.SubmissionID == self || !rc.ReceivedAt.Before(before) {
				continue
			}
			at := rc.ReceivedAt.Format("2006-01-02T15:04:05.000000Z") + rc.SubmissionID
			for _, h := range rc.Hamlets {
				nk := textnorm.NameKey(h.Name)
				if at > newest[nk] { // the latest upload's code wins
					newest[nk] = at
					known[nk] = h
				}
			}
		}
	}
	return known, nil
}

// assignHamletCodes fills ma_thon for Biểu 01 rows: the file's own code,
// else the code this hamlet had before, else one derived from its name.
func (p *Processor) assignHamletCodes(ctx context.Context, rc *receipt.Receipt, k lake.Key, results []*validate.Result) ([]receipt.Hamlet, error) {
	var vr *validate.Result
	for _, r := range results {
		if r.Form.Grain == "hamlet" {
			vr = r
		}
	}
	if vr == nil {
		return nil, nil
	}
	known, err := KnownHamlets(ctx, p.Lake, k, rc.SubmissionID, rc.ReceivedAt)
	if err != nil {
		return nil, err
	}
	out := make([]receipt.Hamlet, 0, len(vr.Records))
	for _, rec := range vr.Records {
		name := rec.Values["ten_thon"].Str
		h := receipt.Hamlet{Name: name}
		nk := textnorm.NameKey(name)
		switch old, ok := known[nk]; {
		case !rec.Values["ma_thon"].Null:
			h.Code, h.CodeSource = rec.Values["ma_thon"].Str, FromFile
		case ok:
			h.Code, h.CodeSource = old.Code, FromKnown
		default:
			h.Code, h.CodeSource = deriveHamletCode(name, nk), FromDerived
		}
		rec.Values["ma_thon"] = validate.Value{Str: h.Code}
		out = append(out, h)
	}
	return out, nil
}

// FormHamlets are the hamlets a blank form is prefilled with (`xhht
// template`, the portal's "Tải biểu mẫu"): the commune's known hamlets in
// Vietnamese alphabetical order, numbers compared as numbers ("Thôn 2"
// before "Thôn 10"), then by code. A code the system derived from the name
// ("ban-pac-hin-941943") is left out: officials see their own codes only,
// and the hamlet keeps its code anyway, matched by its name.
func FormHamlets(known map[string]receipt.Hamlet) []receipt.Hamlet {
	out := make([]receipt.Hamlet, 0, len(known))
	for _, h := range known {
		if IsDerivedHamletCode(h.Code, h.Name) {
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
