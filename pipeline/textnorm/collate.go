package textnorm

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Vietnamese alphabetical order, for sorting names on pages (final-walk
// L8, session 8): "Bá Xuyên, Bách Quang, Bắc Kạn", not the byte order
// "Bá, Bắc, Bách". The alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ
// p q r s t u ư v x y (f j w z after their neighbours, for foreign names);
// letters compare first, then, word by word, the tones in dictionary
// order: ngang, huyền, hỏi, ngã, sắc, nặng. A small table rather than
// golang.org/x/text/collate, whose tables would weigh on the portal's
// binary for one sort.
const vnAlphabet = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"

// Combining marks: the letter-making ones (breve, circumflex, horn) and
// the tones, in their order.
const (
	markBreve      = '\u0306'
	markCircumflex = '\u0302'
	markHorn       = '\u031B'
)

var toneRank = map[rune]byte{'\u0300': 1, '\u0309': 2, '\u0303': 3, '\u0301': 4, '\u0323': 5}

var letterRank = func() map[rune]byte {
	m := map[rune]byte{}
	for i, r := range []rune(vnAlphabet) {
		m[r] = byte(i + 1)
	}
	return m
}()

// VietnameseKey is a sort key of s: keys compare (as strings) in
// Vietnamese alphabetical order, case and extra spaces ignored. Digits
// sort before letters, other characters by their code point after them.
func VietnameseKey(s string) string {
	var primary, tones strings.Builder
	d := norm.NFD.String(strings.ToLower(strings.Join(strings.Fields(s), " ")))
	rs := []rune(d)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		tone := byte(0)
		// The marks that follow the base letter make it another letter
		// (a + breve = ă) or give its tone.
		for i+1 < len(rs) {
			m := rs[i+1]
			switch {
			case m == markBreve && r == 'a':
				r = 'ă'
			case m == markCircumflex && r == 'a':
				r = 'â'
			case m == markCircumflex && r == 'e':
				r = 'ê'
			case m == markCircumflex && r == 'o':
				r = 'ô'
			case m == markHorn && r == 'o':
				r = 'ơ'
			case m == markHorn && r == 'u':
				r = 'ư'
			case toneRank[m] != 0:
				tone = toneRank[m]
			default:
				goto done
			}
			i++
		}
	done:
		switch {
		case r == ' ':
			primary.WriteByte(1)
			tones.WriteByte(0)
			continue
		case r >= '0' && r <= '9':
			primary.WriteByte(byte(2 + r - '0'))
		case letterRank[r] != 0:
			primary.WriteByte(16 + letterRank[r])
		default:
			// After every letter and digit (ranks stay under 0x7f), then
			// by code point.
			primary.WriteByte(0x7f)
			primary.WriteString(string(r))
		}
		tones.WriteByte('0' + tone)
	}
	return primary.String() + "\x00" + tones.String()
}
