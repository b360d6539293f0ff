package legacy

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Windows-1258 bytes of the five combining tone marks: the code page has
// no letters with tones besides a few Latin-1 ones, so "Hòa" is stored as
// "Ho", U+0300, "a".
var tone1258 = [256]uint8{0xCC: 1, 0xEC: 2, 0xD2: 3, 0xDE: 4, 0xF2: 5}

// undefined1258 marks, in enc1258, a byte the code page leaves undefined.
const undefined1258 = 0xFF

// DecodeWindows1258 converts Windows-1258 bytes (a CSV file saved on a
// Vietnamese Windows) into NFC UTF-8: the tone marks, separate characters
// in the code page, are composed with their letters. Bytes the code page
// leaves undefined (0x81, 0x8A, 0x8D–0x90, 0x9A, 0x9D, 0x9E) are an error:
// such a file is not Windows-1258.
func DecodeWindows1258(b []byte) (string, error) {
	ts := tables()
	// out is written by index, up to 8 bytes at a time past n: before
	// each block of input there is room for 3 bytes a byte, plus 8.
	out := make([]byte, len(b)+len(b)/4+16)
	n := 0
	needNorm := false
	for i := 0; i < len(b); {
		end := min(i+blockSize, len(b))
		if need := n + 3*(end-i) + 8; need > len(out) {
			out = grow(out, n, need-n)
		}
		for i < end {
			if i+8 <= end {
				// Copy the ASCII bytes at the start of the next 8 (all
				// 8 are written, only those are counted).
				w := binary.LittleEndian.Uint64(b[i:])
				binary.LittleEndian.PutUint64(out[n:], w)
				k := bits.TrailingZeros64(w&0x8080808080808080) >> 3
				n += k
				i += k
				if k == 8 {
					continue
				}
			}
			c := b[i]
			e := ts.enc1258[c]
			i++
			if e>>40 == 0 { // ASCII or a character, not a tone mark
				binary.LittleEndian.PutUint32(out[n:], uint32(e))
				n += int(e >> 32 & 0xFF)
				continue
			}
			if e>>40 == undefined1258 {
				return "", fmt.Errorf("legacy: byte %#02x at offset %d is not Windows-1258", c, i-1)
			}
			// A tone mark: compose it with the letter before. Only
			// toneless letters compose, so a second mark never does (it
			// is left to NFC). The toneless letters are all below
			// U+0800: one or two bytes of UTF-8.
			last, size := rune(-1), 0
			switch {
			case n > 0 && out[n-1] < utf8.RuneSelf:
				last, size = rune(out[n-1]), 1
			case n > 1 && out[n-2]&0xE0 == 0xC0:
				last, size = rune(out[n-2]&0x1F)<<6|rune(out[n-1]&0x3F), 2
			}
			if size > 0 && uint32(last) < composeLimit {
				if cu := ts.compose1258[e>>40-1][last]; cu.n != 0 {
					n -= size
					binary.LittleEndian.PutUint32(out[n:], cu.packed)
					n += int(cu.n)
					continue
				}
			}
			needNorm = true
			binary.LittleEndian.PutUint32(out[n:], uint32(e))
			n += int(e >> 32 & 0xFF)
		}
	}
	// out is never written again: share its bytes instead of copying
	// megabytes (the throughput target is half of plain UTF-8).
	s := unsafe.String(unsafe.SliceData(out), n)
	if needNorm {
		s = norm.NFC.String(s)
	}
	return s, nil
}

// blockSize is how much input DecodeWindows1258 converts between checks
// of the room left.
const blockSize = 4096

// grow returns a larger copy of out[:n] with room for need more bytes.
func grow(out []byte, n, need int) []byte {
	bigger := make([]byte, 2*len(out)+need)
	copy(bigger, out[:n])
	return bigger
}

// LooksWindows1258 reports whether b, which is not UTF-8, reads as
// Vietnamese in Windows-1258: every byte is defined in the code page, some
// words decode to Vietnamese syllables with their letters or tone marks,
// at least half of the non-ASCII words do, and the bytes do not read
// better as TCVN3 or VNI (files saved from legacy-font workbooks on a
// Western Windows, which are also not UTF-8). Valid UTF-8 is false. Only
// the first MiB is looked at.
func LooksWindows1258(b []byte) bool {
	_, ok := decodeIf1258(b, false)
	return ok
}

// DecodeIfWindows1258 is LooksWindows1258 and DecodeWindows1258 in one: the
// whole of b decoded when it reads as Windows-1258 (decoding, with its NFC
// pass, is done once, not once to judge and again to use).
func DecodeIfWindows1258(b []byte) (string, bool) {
	return decodeIf1258(b, true)
}

func decodeIf1258(b []byte, keep bool) (string, bool) {
	if utf8.Valid(b) {
		return "", false
	}
	whole := b
	if len(b) > sniffBytes {
		b = b[:sniffBytes]
	}
	s, err := DecodeWindows1258(b)
	if err != nil {
		return "", false
	}
	ok := looks1258(b, s)
	if !ok || !keep {
		return "", ok
	}
	if len(whole) > len(b) {
		if s, err = DecodeWindows1258(whole); err != nil {
			return "", false
		}
	}
	return s, true
}

// looks1258 judges b by its Windows-1258 decoding s.
func looks1258(b []byte, s string) bool {
	// Each reading is scored once: the decoded text only as Unicode, the
	// raw bytes only as TCVN3 and VNI glyphs.
	as1258 := scorer{skip: [3]bool{readTCVN3: true, readVNI: true}}
	as1258.add(s)
	u := as1258.valid[readUnicode]
	if u == 0 || 2*u < as1258.words {
		return false
	}
	if u == as1258.words {
		// Every word is a syllable in Windows-1258: no other reading of the
		// same words can do better (valid ≤ words), so skip scoring them.
		// (Not quite the same words: a toned lone vowel, "o" and a tone
		// mark, is one letter here and a two-glyph word in the glyph text;
		// FuzzDetect found "\xf4n0o\xcc". Kept as it was: the answer
		// differs only when a glyph reading supports more words than the
		// whole decoded text has, which takes a text of a few words.)
		return true
	}
	return !glyphsBeat(DecodeBytes(None, b), u)
}

// glyphsBeat reports whether the TCVN3 or the VNI reading of the glyph text
// g supports more than u of its words, as a scorer over all of g would
// find; it stops as soon as the answer is certain. Scoring the glyph
// readings was most of the cost of a Windows-1258 CSV (70 % of a 30-hamlet
// file), yet in real Windows-1258 text almost no word reads as TCVN3 or
// VNI: once the words left could not lift the better reading above u even
// if every one of them counted, the rest need not be scored.
func glyphsBeat(g string, u int) bool {
	sc := scorer{skip: [3]bool{readUnicode: true}}
	sc.init()
	// left: words still to score, exactly those add would score (the same
	// words, the same maxWords cap).
	left := countWords(g, maxWords)
	for i := 0; ; left-- {
		best := max(sc.valid[readTCVN3], sc.valid[readVNI])
		switch {
		case best > u: // valid counts only grow
			return true
		case best+left <= u: // each word adds at most 1 to each count
			return false
		}
		start, end, n := nextWord(g, i)
		if start < 0 { // not reached: left counts the words
			return false
		}
		sc.word(g[start:end], n)
		i = end
	}
}

// EncodeWindows1258 writes NFC text as Windows-1258 the way Windows does:
// letters the code page has (â ê ô ă ơ ư đ, some toned Latin-1 letters) as
// one byte, other tones as the letter and a combining mark. It is for
// generators and tests that need real Windows-1258 files; the pipeline
// only decodes.
func EncodeWindows1258(s string) ([]byte, error) {
	enc := charmap.Windows1258.NewEncoder()
	var out []byte
	for _, r := range norm.NFC.String(s) {
		if b, ok := charmap.Windows1258.EncodeRune(r); ok {
			out = append(out, b)
			continue
		}
		var base, marks []rune
		for _, c := range norm.NFD.String(string(r)) {
			if _, tone := toneOfMark[c]; tone {
				marks = append(marks, c)
			} else {
				base = append(base, c)
			}
		}
		p, err := enc.String(norm.NFC.String(string(base)) + string(marks))
		if err != nil {
			return nil, fmt.Errorf("legacy: %q has no Windows-1258 form: %w", r, err)
		}
		out = append(out, p...)
	}
	return out, nil
}
