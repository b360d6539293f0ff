// Package textnorm cleans and compares Vietnamese text the way commune
// spreadsheets need: NFC, no invisible characters, and comparison keys that
// ignore case, spacing and where the tone mark was placed ("Hòa" = "Hoà").
package textnorm

import (
	"strings"
	"unicode"

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
	words := strings.Fields(strings.ToLower(Clean(s)))
	for i, w := range words {
		var b strings.Builder
		var tone byte
		for _, r := range norm.NFD.String(w) {
			if t, ok := tones[r]; ok {
				tone = t
				continue
			}
			b.WriteRune(r)
		}
		k := norm.NFC.String(b.String())
		if tone != 0 {
			k += string(tone)
		}
		words[i] = k
	}
	return strings.Join(words, " ")
}

// Fold is the loose key used to match headers and keywords: no diacritics
// at all, đ → d, lower case, punctuation turned into spaces, spaces collapsed.
// "Số hộ đạt GĐHT (hộ)" → "so ho dat gdht ho".
func Fold(s string) string { return fold(s, false) }

// FoldKeepD is Fold except that đ stays đ. Abbreviations need it: "CĐHT"
// (cộng đồng học tập) and "CDHT" (công dân học tập) are different groups.
func FoldKeepD(s string) string { return fold(s, true) }

func fold(s string, keepD bool) string {
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
