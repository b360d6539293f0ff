// Package legacy converts text written in the pre-Unicode Vietnamese
// encodings that commune spreadsheets still carry: TCVN3 (ABC, fonts
// ".VnTime", ".VnArial"; names ending in "H" are upper-case fonts) and VNI
// ("VNI-Times"), stored as Windows-1252 glyphs, and Windows-1258 CSV files.
//
// The conversion tables come from the project's data files
// (schemas/charsets/*.csv) and are built once, on first use.
//
// TCVN3 is decoded as the standard defines it (TCVN 5712 VN3, extended with
// the VN2 capitals in 0xA0–0xFF): the C0 and C1 positions (the Windows-1252
// punctuation “ ” – — … ‘ ’ •, stored as those glyphs) and 0xB0–0xB4
// (° ± ² ³ ´) are not Vietnamese letters in the ".Vn…" fonts and are kept;
// the VN1-only assignments of the table there (capitals, loose tone marks)
// would turn ordinary quotes, dashes and "m²" into letters.
package legacy

import (
	"encoding/binary"
	"strings"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

// Encoding is a legacy Vietnamese encoding.
type Encoding string

// Encodings.
const (
	None  Encoding = ""
	TCVN3 Encoding = "tcvn3"
	VNI   Encoding = "vni"
)

// FromFont tells the encoding a cell's font implies, and whether the font
// is an upper-case font (.VnTimeH: lower-case codes are drawn as capitals).
//
// TCVN3 (ABC) fonts are named ".Vn…" (".VnTime", ".VnArial", ".VnTimeH",
// ".VnBahamasBH"); an "H" at the end of the name marks the upper-case font.
// VNI fonts are named "VNI-…" or "VNI …" ("VNI-Times", "VNI-Helve"); VNI has
// no upper-case fonts. Names are compared case-insensitively, trimmed.
func FromFont(name string) (enc Encoding, upper bool) {
	name = strings.TrimSpace(name)
	if len(name) >= 3 && name[0] == '.' && (name[1] == 'v' || name[1] == 'V') && (name[2] == 'n' || name[2] == 'N') {
		rest := strings.TrimSpace(name[3:])
		last := byte(0)
		if rest != "" {
			last = rest[len(rest)-1]
		}
		return TCVN3, last == 'H' || last == 'h'
	}
	if len(name) >= 4 && strings.EqualFold(name[:3], "VNI") && (name[3] == '-' || name[3] == ' ') {
		return VNI, false
	}
	return None, false
}

// Decode converts text stored as Windows-1252 glyphs of enc into NFC
// Unicode ("Hµ Néi" → "Hà Nội" for TCVN3; "Haø Noäi" → "Hà Nội" for VNI).
// upper applies the upper-case font rule: the decoded text is upper-cased.
//
// Characters that are not codes of enc (ASCII, real Unicode letters, the
// Windows-1252 punctuation) pass through unchanged; a byte that is not
// valid UTF-8 is read as a raw legacy byte. The result is always valid
// UTF-8 in NFC. A string without bytes ≥ 0x80 is returned as it is
// (upper-cased for an upper-case font), and so is s when enc is None or
// unknown.
func Decode(enc Encoding, upper bool, s string) string {
	t := tableFor(enc)
	if t == nil {
		return s
	}
	if isASCII(s) {
		if upper {
			return strings.ToUpper(s)
		}
		return s
	}
	return t.decode(s, false, upper)
}

// DecodeBytes converts raw bytes of enc (a TCVN3 or VNI text file read as
// bytes, one byte per code, see DetectBytes) into NFC Unicode, like
// Decode; bytes that are not codes of enc become their Windows-1252
// characters. With None the bytes are read as Windows-1252.
func DecodeBytes(enc Encoding, b []byte) string {
	t := tableFor(enc)
	if t == nil {
		t = tables().cp1252
	}
	s := unsafe.String(unsafe.SliceData(b), len(b)) // read only
	if isASCII(s) {
		return string(b)
	}
	return t.decode(s, true, false)
}

// isASCII reports whether s has no byte ≥ 0x80.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if (uint64(s[i])|uint64(s[i+1])<<8|uint64(s[i+2])<<16|uint64(s[i+3])<<24|
			uint64(s[i+4])<<32|uint64(s[i+5])<<40|uint64(s[i+6])<<48|uint64(s[i+7])<<56)&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// decoder is a precomputed single-byte table plus two-code sequences
// (VNI base letter + tone/shape mark; the TCVN3 capital written as the
// capital base letter followed by the small toned letter).
type decoder struct {
	// single[c] is the character of code c (c < 256), 0 when c is not a
	// code of the encoding (it then passes through).
	single [256]rune
	// pairRow[c] is 1 + the row of pairs that starts with code c, 0 when
	// no sequence starts with c.
	pairRow [256]uint8
	// pairs[row][c2] is the character of the sequence (first, c2), 0 if
	// none.
	pairs [][256]rune

	// The same in UTF-8, for the decoder: str[c] is what code c (the
	// character U+00XX of a string) becomes, raw[c] what the raw byte c
	// becomes (its Windows-1252 character when it is not a code).
	str, raw [256]utf8Char
	pairU    [][256]utf8Char
}

// finish fills the UTF-8 tables; rawRunes are the Windows-1252 characters.
func (t *decoder) finish(rawRunes *[256]rune) {
	for c := range 256 {
		s, r := t.single[c], t.single[c]
		if s == 0 {
			s, r = rune(c), rawRunes[c]
		}
		t.str[c], t.raw[c] = makeUTF8Char(s), makeUTF8Char(r)
	}
	t.pairU = make([][256]utf8Char, len(t.pairs))
	for i := range t.pairs {
		for c, r := range t.pairs[i] {
			if r != 0 {
				t.pairU[i][c] = makeUTF8Char(r)
			}
		}
	}
}

// decode converts s. In raw mode every byte is a code; otherwise s is
// UTF-8 whose characters U+0000–U+00FF are codes, and only invalid bytes are
// read as raw codes.
func (t *decoder) decode(s string, raw, upper bool) string {
	// out is written by index, 4 bytes at a time past n: keep that room.
	out := make([]byte, len(s)+len(s)/2+8)
	n := 0
	needNorm := false
	last := -1   // code of the last character written, -1 if none or not a code
	lastLen := 0 // its length in out
	for i := 0; i < len(s); {
		if n+4 > len(out) {
			out = grow(out, n, 4)
		}
		c := s[i]
		if c < utf8.RuneSelf {
			out[n] = c
			n++
			i++
			last, lastLen = int(c), 1
			continue
		}
		var u utf8Char
		code := int(c)
		switch {
		case raw:
			u = t.raw[c]
			i++
		case (c == 0xC2 || c == 0xC3) && i+1 < len(s) && s[i+1]&0xC0 == 0x80:
			// U+0080–U+00FF, the codes.
			code = int(c&0x1F)<<6 | int(s[i+1]&0x3F)
			u = t.str[code]
			i += 2
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			if size == 1 { // not UTF-8: a raw legacy byte
				u = t.raw[c]
				break
			}
			// Not a code: pass through. Anything from U+0300 up may
			// need composing with what precedes it.
			if n+utf8.UTFMax > len(out) {
				out = grow(out, n, utf8.UTFMax)
			}
			n += utf8.EncodeRune(out[n:], r)
			needNorm = true
			last, lastLen = -1, 0
			continue
		}
		if last >= 0 {
			if row := t.pairRow[last]; row != 0 {
				if pu := t.pairU[row-1][code]; pu.n != 0 {
					n -= lastLen
					binary.LittleEndian.PutUint32(out[n:], pu.packed)
					n += int(pu.n)
					last, lastLen = -1, 0 // a sequence does not chain
					continue
				}
			}
		}
		// Table characters are NFC starters.
		binary.LittleEndian.PutUint32(out[n:], u.packed)
		n += int(u.n)
		last, lastLen = code, int(u.n)
	}
	res := unsafe.String(unsafe.SliceData(out), n)
	if upper {
		res = strings.ToUpper(res)
	}
	if needNorm {
		res = norm.NFC.String(res)
	}
	return res
}
