package textnorm

import (
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Clean and NameKey run on every cell and every hamlet name of an upload
// (a 5,000-hamlet CSV cleans about 100,000 cells), and their definitions
// normalise the whole text two or three times. Like foldFast, cleanFast and
// nameKeyFast get the same result in one pass for text in the scripts that
// commune files are written in, from a per-rune table built from the
// definitions themselves; any other text takes the definition.
//
// A rune is in the table only when it is in NFC on its own and cannot
// combine with a rune on its left (norm's BoundaryBefore): then each rune
// of a text of such runes is a normalisation segment of its own, so the
// text is in NFC, each rune's part of a name key does not depend on its
// neighbours, and dropping an invisible character between two of them
// changes nothing else. Combining marks
// (decomposed input) are therefore not in it. FuzzCleanFast,
// FuzzNameKeyFast and TestNameKeyFastPairs hold the fast paths equal to the
// definitions.

// runeInfo is what one rune becomes in Clean and in a name key.
type runeInfo struct {
	kind byte   // runeSlow, runeSkip, runeSep or runeKeep
	tone byte   // runeKeep: the tone digit it carries in a name key, or 0
	key  string // runeKeep: its part of a name key (lower case, no tone mark, NFC)
}

const (
	runeSlow = iota // not in the table: the definition decides
	runeSkip        // dropped (invisible characters)
	runeSep         // white space, controls, and invisible spaces
	runeKeep        // kept as it is by Clean
)

// runeInfos: the entry of each rune of Basic Latin to Latin Extended-B,
// Latin Extended Additional (precomposed Vietnamese: U+1EA0–U+1EF9) and
// the invisible characters, each worked out from the definitions the first
// time a text holds it (all of them up front took about 1 ms of every cold
// start).
var runeInfos = newLazyRunes([][2]rune{{0, 0x024F}, {0x1E00, 0x1EFF}}, classifyRune)

// classifyRune derives a rune's entry from the definitions.
func classifyRune(r rune) runeInfo {
	if m, ok := invisible[r]; ok && m < 0 {
		return runeInfo{kind: runeSkip}
	}
	if invisible[r] == ' ' || unicode.IsSpace(r) || unicode.IsControl(r) {
		return runeInfo{kind: runeSep}
	}
	s := string(r)
	p := norm.NFC.PropertiesString(s)
	if unicode.Is(unicode.Mn, r) || !p.BoundaryBefore() || cleanSlow(s) != s {
		return runeInfo{kind: runeSlow}
	}
	key, tone := nameWord(strings.ToLower(s))
	if key == "" || strings.IndexFunc(key, unicode.IsSpace) >= 0 {
		return runeInfo{kind: runeSlow}
	}
	return runeInfo{kind: runeKeep, tone: tone, key: key}
}

// info is the table entry of the rune at s[i:] and its length in bytes;
// runeSlow for a rune outside the table and for invalid UTF-8.
func info(s string, i int) (*runeInfo, int) {
	r, n := rune(s[i]), 1
	if r >= utf8.RuneSelf {
		if r, n = utf8.DecodeRuneInString(s[i:]); r == utf8.RuneError && n == 1 {
			return &slowInfo, 1
		}
	}
	if f := runeInfos.get(r); f != nil {
		return f, n
	}
	return &slowInfo, n
}

var slowInfo = runeInfo{kind: runeSlow}

// cleanFast is Clean for text made only of the table's runes; ok is false
// for any other text. Text that is already clean (most cells) is returned
// as it is, without allocating.
func cleanFast(s string) (string, bool) {
	clean := true // s so far is its own Clean
	prevSep := true
	for i := 0; i < len(s); {
		f, n := info(s, i)
		switch f.kind {
		case runeSlow:
			return "", false
		case runeSkip:
			clean = false
		case runeSep:
			if prevSep || s[i] != ' ' {
				clean = false
			}
			prevSep = true
		default:
			prevSep = false
		}
		i += n
	}
	if clean && !prevSep {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		f, n := info(s, i)
		switch f.kind {
		case runeSkip:
		case runeSep:
			space = b.Len() > 0
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String(), true
}

// nameKeyFast is NameKey for text made only of the table's runes; ok is
// false for any other text.
func nameKeyFast(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s) + 4)
	var tone byte
	inWord, space := false, false
	for i := 0; i < len(s); {
		f, n := info(s, i)
		i += n
		switch f.kind {
		case runeSlow:
			return "", false
		case runeSkip:
			continue
		case runeSep:
			if inWord {
				if tone != 0 {
					b.WriteByte(tone)
					tone = 0
				}
				inWord, space = false, true
			}
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		inWord = true
		b.WriteString(f.key)
		if f.tone != 0 {
			tone = f.tone
		}
	}
	if tone != 0 {
		b.WriteByte(tone)
	}
	return b.String(), true
}

// lazyRunes holds a value for each rune of some ranges and of the
// invisible characters, computed the first time it is asked for. Lookups
// are safe from any goroutine: two that compute the same rune at once
// store equal values.
type lazyRunes[T any] struct {
	ranges  [][2]rune // inclusive
	extra   []rune    // the invisible characters outside the ranges
	slots   []atomic.Pointer[T]
	compute func(rune) T
}

func newLazyRunes[T any](ranges [][2]rune, compute func(rune) T) *lazyRunes[T] {
	t := &lazyRunes[T]{ranges: ranges, compute: compute}
	n := 0
	for _, rg := range ranges {
		n += int(rg[1]-rg[0]) + 1
	}
	for r := range invisible {
		if t.slot(r) < 0 {
			t.extra = append(t.extra, r)
		}
	}
	t.slots = make([]atomic.Pointer[T], n+len(t.extra))
	return t
}

// slot is r's index in slots, or -1.
func (t *lazyRunes[T]) slot(r rune) int {
	base := 0
	for _, rg := range t.ranges {
		if r >= rg[0] && r <= rg[1] {
			return base + int(r-rg[0])
		}
		base += int(rg[1]-rg[0]) + 1
	}
	for i, x := range t.extra {
		if x == r {
			return base + i
		}
	}
	return -1
}

// get is r's value, or nil for a rune outside the table.
func (t *lazyRunes[T]) get(r rune) *T {
	i := t.slot(r)
	if i < 0 {
		return nil
	}
	if v := t.slots[i].Load(); v != nil {
		return v
	}
	v := t.compute(r)
	t.slots[i].Store(&v)
	return &v
}
