// Package textnorm cleans and compares Vietnamese text the way commune
// spreadsheets need: NFC, no invisible characters, and comparison keys that
// ignore case, spacing and where the tone mark was placed ("Hòa" = "Hoà").
package textnorm

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// invisible characters that office suites and web copy-paste leave in cells.
// NBSP and other odd spaces become a plain space; the rest are dropped.
var invisible = map[rune]rune{
	'\u00A0': ' ', // no-break space
	'\u2007': ' ', // figure space
	'\u202F': ' ', // narrow no-break space
	'\u3000': ' ', // ideographic space
	'\u00AD': -1,  // soft hyphen
	'\u200B': -1,  // zero-width space
	'\u200C': -1,  // zero-width non-joiner
	'\u200D': -1,  // zero-width joiner
	'\u2060': -1,  // word joiner
	'\uFEFF': -1,  // BOM / zero-width no-break space
}

// Clean returns s in NFC with invisible characters removed, runs of white
// space collapsed to one space (line breaks inside a cell included) and the
// ends trimmed. This is the spelling kept for output.
func Clean(s string) string {
	if s == "" {
		return s
	}
	if c, ok := cleanFast(s); ok {
		return c
	}
	return cleanSlow(s)
}

// cleanSlow is the definition of Clean.
func cleanSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFC.String(s) {
		if m, ok := invisible[r]; ok {
			if m < 0 {
				continue
			}
			r = m
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// tone marks of Vietnamese (combining forms). Vowel marks (circumflex, breve,
// horn) are part of the letter and are kept.
var tones = map[rune]byte{
	'\u0300': '2', // huyền
	'\u0301': '1', // sắc
	'\u0303': '4', // ngã
	'\u0309': '3', // hỏi
	'\u0323': '5', // nặng
}

// NameKey is the comparison key for names of people and places: Clean,
// lower case, and each word's tone mark moved to the end of the word, so
// the old ("Hoà") and new ("Hòa") tone placement compare equal while
// different words ("Hoà" and "Hoá") stay different.
func NameKey(s string) string {
	if k, ok := nameKeyFast(s); ok {
		return k
	}
	return nameKeySlow(s)
}

// nameKeySlow is the definition of NameKey.
func nameKeySlow(s string) string {
	words := strings.Fields(strings.ToLower(Clean(s)))
	for i, w := range words {
		k, tone := nameWord(w)
		if tone != 0 {
			k += string(tone)
		}
		words[i] = k
	}
	return strings.Join(words, " ")
}

// nameWord is one lower-case word of a name key without its tone mark (in
// NFC), and the tone's digit (0 for none; the last one when a word has
// several).
func nameWord(w string) (string, byte) {
	var b strings.Builder
	var tone byte
	for _, r := range norm.NFD.String(w) {
		if t, ok := tones[r]; ok {
			tone = t
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String()), tone
}

// Fold is the loose key used to match headers and keywords: no diacritics
// at all, đ → d, lower case, punctuation turned into spaces, spaces collapsed.
// "Số hộ đạt GĐHT (hộ)" → "so ho dat gdht ho".
func Fold(s string) string { return fold(s, false) }

// FoldKeepD is Fold except that đ stays đ. Abbreviations need it: "CĐHT"
// (cộng đồng học tập) and "CDHT" (công dân học tập) are different groups.
func FoldKeepD(s string) string { return fold(s, true) }

func fold(s string, keepD bool) string {
	if f, ok := foldFast(s, keepD); ok {
		return f
	}
	return foldSlow(s, keepD)
}

// foldSlow is the definition of Fold: Clean, lower case, NFD, marks
// dropped, everything but letters, digits and % a separator.
func foldSlow(s string, keepD bool) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(strings.ToLower(Clean(s))) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' && !keepD:
			r = 'd'
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '%':
		default:
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Slug is Fold with words joined by "-": an ASCII identifier for codes.
func Slug(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(Fold(s), " ", "-"), "%", "pct")
}

// Fold runs on every header and label candidate of every upload (about
// 9,500 strings a file), and foldSlow's three normalising passes were 40 %
// of a file's CPU. foldFast gets the same result in one pass, without
// allocating more than the result, for text in the scripts that commune
// files are written in: each rune there folds on its own (its NFD is a base
// letter plus combining marks, and the marks are dropped), so a table built
// from foldSlow itself says what each rune becomes. Text with any other
// rune takes foldSlow. FuzzFoldFast holds the two equal.

// foldRune is what one rune becomes in a fold.
type foldRune struct {
	kind byte   // foldSkip, foldSep or foldText
	text string // foldText: the folded letters (one rune, or two for e.g. "ǆ")
}

const (
	foldSkip = iota // dropped: combining marks, invisible characters
	foldSep         // a separator: punctuation, spaces, controls
	foldText
)

// fastRanges are the runes foldFast handles: Latin (Basic, Latin-1,
// Extended-A/B, IPA, spacing modifiers), the combining diacritics, Latin
// Extended Additional (precomposed Vietnamese: U+1EA0–U+1EF9), the
// punctuation of General Punctuation that templates use (dashes, curly
// quotes, "•", "…", "‰"; not its spaces and invisible format characters:
// without it, the form's notes and signature line took foldSlow, about 45
// long strings a file in the national burst, 10 % of its CPU); and the
// invisible characters.
var fastRanges = [][2]rune{{0, 0x036F}, {0x1E00, 0x1EFF}, {0x2010, 0x2027}, {0x2030, 0x205E}}

// foldRunes: what each rune of fastRanges folds to, without and with
// keepD. Each entry is worked out from foldSlow the first time a text
// holds the rune, not up front: all of them took 2-3 ms, paid by every
// cold start, while a file holds a few dozen distinct letters.
var foldRunes = [2]*lazyRunes[foldRune]{
	newLazyRunes(fastRanges, func(r rune) foldRune { return foldRuneOf(r, false) }),
	newLazyRunes(fastRanges, func(r rune) foldRune { return foldRuneOf(r, true) }),
}

// foldASCII is the fold of each ASCII byte (0: a separator; nothing ASCII
// is dropped), for the common case without a rune lookup. 128 folds, made
// on the first fold.
var foldASCII = sync.OnceValue(func() *[128]byte {
	var t [128]byte
	for r := rune(0); r < 128; r++ {
		if f := foldRuneOf(r, false); f.kind == foldText && len(f.text) == 1 {
			t[r] = f.text[0]
		}
	}
	return &t
})

// foldRuneOf derives what r folds to from the definition.
func foldRuneOf(r rune, keepD bool) foldRune {
	switch f := foldSlow(string(r), keepD); {
	case f != "":
		return foldRune{kind: foldText, text: f}
	case unicode.Is(unicode.Mn, r) || invisible[r] < 0:
		return foldRune{kind: foldSkip}
	default:
		return foldRune{kind: foldSep}
	}
}

// foldFast is fold for text made only of the table's runes; ok is false
// for any other text (or invalid UTF-8), which the caller folds slowly.
func foldFast(s string, keepD bool) (string, bool) {
	asciiFold := foldASCII()
	table := foldRunes[0]
	if keepD {
		table = foldRunes[1]
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			i++
			if asciiFold[c] == 0 {
				space = b.Len() > 0
				continue
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteByte(asciiFold[c])
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return "", false
		}
		i += n
		f := table.get(r)
		if f == nil {
			return "", false
		}
		switch f.kind {
		case foldSkip:
			continue
		case foldSep:
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteString(f.text)
	}
	return b.String(), true
}
