package legacy

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Detection works on words that contain a character ≥ U+0080 (plain ASCII
// words say nothing about the encoding). Each such word is checked under
// three readings: as it is (Unicode), decoded as TCVN3 and decoded as VNI.
// A reading supports a word when the result is a well-formed Vietnamese
// syllable (initial, vowel nucleus, final, at most one tone, the tone
// allowed by the final, sensible capitalisation). Words that only one
// reading supports are the evidence; words that several readings support
// are ignored, words that none supports count against every reading.
const (
	// maxWords bounds the work: evidence from this many candidate words
	// is plenty.
	maxWords = 4000
	// minEvidence is the number of words a reading needs at least; below
	// it the answer is None with no confidence (short strings).
	minEvidence = 2
	// sniffBytes bounds how much of a file DetectBytes and
	// LooksWindows1258 look at.
	sniffBytes = 1 << 20
)

// Detect tells whether s, text without font information (a CSV file, a
// cell in a plain font), is Vietnamese in TCVN3 or VNI stored as
// Windows-1252 glyphs, and how sure it is (0..1). Real Unicode Vietnamese
// (also text decoded from Windows-1258, composed or not) is None with a
// high confidence; English, numbers, short strings and too little evidence
// are None with a low one. Convert only when the confidence is ≥ 0.8, and
// warn otherwise. Pass a whole file's text rather than single cells: the
// evidence adds up.
func Detect(s string) (Encoding, float64) {
	var sc scorer
	sc.add(s)
	return sc.result()
}

// DetectColumn is Detect over several texts (the cells of a column or of a
// whole file) taken together.
func DetectColumn(texts []string) (Encoding, float64) {
	var sc scorer
	for _, s := range texts {
		if sc.full() {
			break
		}
		sc.add(s)
	}
	return sc.result()
}

// DetectBytes is Detect for a file read as bytes: valid UTF-8 is read as
// text; anything else as Windows-1252 bytes, as a TCVN3 or VNI file saved
// on a Western Windows would be. Decode such a file with DecodeBytes, a
// UTF-8 one with Decode. Only the first MiB is looked at.
func DetectBytes(b []byte) (Encoding, float64) {
	if len(b) > sniffBytes {
		b = b[:sniffBytes]
		// Do not cut a UTF-8 character in two.
		for i := 0; i < utf8.UTFMax && len(b) > 0 && !utf8.RuneStart(b[len(b)-1]); i++ {
			b = b[:len(b)-1]
		}
		if len(b) > 0 && b[len(b)-1] >= utf8.RuneSelf {
			b = b[:len(b)-1]
		}
	}
	if utf8.Valid(b) {
		return Detect(string(b))
	}
	return Detect(DecodeBytes(None, b))
}

// scorer accumulates the evidence.
type scorer struct {
	tabs      *tableSet
	words     int     // candidate words seen
	only      [3]int  // words only this reading supports
	valid     [3]int  // words this reading supports, shared or not
	invalid   int     // words no reading supports
	ambiguous int     // words several readings support
	skip      [3]bool // readings not wanted (LooksWindows1258 needs only some)
}

// Readings.
const (
	readUnicode = iota
	readTCVN3
	readVNI
)

func (sc *scorer) full() bool { return sc.words >= maxWords }

func (sc *scorer) init() {
	if sc.tabs == nil {
		sc.tabs = tables()
	}
}

// add scans s for words.
func (sc *scorer) add(s string) {
	sc.init()
	for i := 0; !sc.full(); {
		start, end, n := nextWord(s, i)
		if start < 0 {
			return
		}
		sc.word(s[start:end], n)
		i = end
	}
}

// nextWord finds the first candidate word of s at or after byte i: a run
// of word runes with at least two runes, one of them ≥ U+0080 (plain ASCII
// words say nothing about the encoding; a lone character is no evidence:
// as TCVN3 many symbols (« ¶ ¹) read as one-letter words). It returns the
// word s[start:end] and its length n in runes; start is -1 when there is
// none. The scorer and countWords share it, so an early exit counts the
// very words the scorer would score.
func nextWord(s string, i int) (start, end, n int) {
	start, n = -1, 0
	high := false
	for i < len(s) {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if isWordRune(r) {
			if start < 0 {
				start, n, high = i, 0, false
			}
			n++
			high = high || r >= utf8.RuneSelf
		} else if start >= 0 {
			if high && n >= 2 {
				return start, i, n
			}
			start = -1
		}
		i += size
	}
	if start >= 0 && high && n >= 2 {
		return start, len(s), n
	}
	return -1, len(s), 0
}

// countWords is how many words add would score in s, at most limit.
func countWords(s string, limit int) int {
	count := 0
	for i := 0; count < limit; count++ {
		start, end, _ := nextWord(s, i)
		if start < 0 {
			break
		}
		i = end
	}
	return count
}

// isWordRune: letters, combining marks, and every Latin-1 glyph from
// U+00A1 (TCVN3 letters are glyphs such as µ ¸ × ­ «).
func isWordRune(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	case r <= 0xA0:
		return false
	case r <= 0xFF:
		return true
	}
	return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)
}

// word classifies one candidate word (from nextWord) of n runes.
func (sc *scorer) word(w string, n int) {
	sc.words++
	if n > 3*maxSyllable {
		sc.invalid++
		return
	}
	var ok [3]bool
	u := w
	if !norm.NFC.IsNormalString(u) {
		u = norm.NFC.String(u)
	}
	if !sc.skip[readUnicode] {
		ok[readUnicode] = sc.tabs.syllable(u)
	}
	if !sc.skip[readTCVN3] {
		if t := sc.tabs.tcvn3.decode(w, false, false); t != u {
			ok[readTCVN3] = sc.tabs.syllable(t)
		}
	}
	if !sc.skip[readVNI] {
		if v := sc.tabs.vni.decode(w, false, false); v != u {
			ok[readVNI] = sc.tabs.syllable(v)
		}
	}
	readings, which := 0, 0
	for i, o := range ok {
		if o {
			readings++
			which = i
			sc.valid[i]++
		}
	}
	switch readings {
	case 0:
		sc.invalid++
	case 1:
		sc.only[which]++
	default:
		sc.ambiguous++
	}
}

// result turns the evidence into an answer.
func (sc *scorer) result() (Encoding, float64) {
	best := readUnicode
	for _, i := range []int{readTCVN3, readVNI} {
		if sc.only[i] > sc.only[best] {
			best = i
		}
	}
	e := sc.only[best]
	if e < minEvidence {
		return None, 0
	}
	total := float64(sc.only[0]+sc.only[1]+sc.only[2]) + 0.5*float64(sc.invalid)
	purity := float64(e) / total
	// Evidence grows with the number of words: 2 words 0.75, 3 0.875,
	// 5 0.97.
	weight := 1.0
	for i := 0; i < e && i < 30; i++ {
		weight /= 2
	}
	conf := purity * (1 - weight)
	if conf > 1 {
		conf = 1
	}
	switch best {
	case readTCVN3:
		return TCVN3, conf
	case readVNI:
		return VNI, conf
	}
	return None, conf
}

// maxSyllable is the longest Vietnamese syllable in letters ("nghiêng").
const maxSyllable = 7

// syllable reports whether w (NFC) is one well-formed Vietnamese syllable:
// letters only, at most one tone, lower case, capitalised or all capitals.
func (ts *tableSet) syllable(w string) bool {
	var base [maxSyllable]byte // toneless small letters, see letterByte
	n, uppers := 0, 0
	firstUpper := false
	var tone uint8
	for _, r := range w {
		if n == maxSyllable {
			return false
		}
		var b rune
		var t uint8
		up := false
		switch {
		case 'a' <= r && r <= 'z':
			b = r
		case 'A' <= r && r <= 'Z':
			b, up = r+'a'-'A', true
		default:
			l, ok := ts.letters[r]
			if !ok {
				return false
			}
			b, t, up = l.base, l.tone, unicode.IsUpper(r)
		}
		if t != 0 {
			if tone != 0 {
				return false
			}
			tone = t
		}
		if up {
			uppers++
			if n == 0 {
				firstUpper = true
			}
		}
		c, ok := letterByte(b)
		if !ok {
			return false
		}
		base[n] = c
		n++
	}
	if n == 0 || !(uppers == 0 || uppers == n || uppers == 1 && firstUpper) {
		return false
	}
	return validToneless(string(base[:n]), tone)
}

// letterByte spells a toneless small letter as one byte: ASCII letters as themselves, the
// Vietnamese ones as upper-case ASCII stand-ins (A = ă, Q = â, E = ê,
// O = ô, W = ơ, U = ư, D = đ).
func letterByte(r rune) (byte, bool) {
	switch r {
	case 'ă':
		return 'A', true
	case 'â':
		return 'Q', true
	case 'ê':
		return 'E', true
	case 'ô':
		return 'O', true
	case 'ơ':
		return 'W', true
	case 'ư':
		return 'U', true
	case 'đ':
		return 'D', true
	}
	if 'a' <= r && r <= 'z' {
		return byte(r), true
	}
	return 0, false
}

var initials = []string{"ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
	"b", "c", "d", "D", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", ""}

// finals: true for the stops, which take only the sắc or nặng tone. "k"
// ends names of the Central Highlands (Đắk Lắk).
var finals = map[string]bool{"": false, "m": false, "n": false, "ng": false, "nh": false,
	"c": true, "ch": true, "p": true, "t": true, "k": true}

// Vowel nuclei (in the stand-ins of vowelByte) and whether they take a
// final: 0 never, 1 optionally, 2 always.
var nuclei = map[string]uint8{
	"a": 1, "e": 1, "E": 1, "i": 1, "o": 1, "O": 1, "W": 1, "u": 1, "U": 1, "y": 1,
	"oa": 1, "oe": 1, "uE": 1, "uy": 1,
	"A": 2, "Q": 2, "iE": 2, "yE": 2, "uO": 2, "UW": 2, "oA": 2, "oo": 2, "uQ": 2, "uyE": 2,
	"ai": 0, "ao": 0, "au": 0, "ay": 0, "Qu": 0, "Qy": 0, "eo": 0, "Eu": 0, "ia": 0, "iu": 0,
	"oi": 0, "Oi": 0, "Wi": 0, "ua": 0, "ui": 0, "Ua": 0, "Ui": 0, "Uu": 0, "uW": 0,
	"iEu": 0, "yEu": 0, "oai": 0, "oay": 0, "oao": 0, "oeo": 0, "uQy": 0, "uOi": 0,
	"UWi": 0, "UWu": 0, "uyu": 0, "uya": 0,
}

func isVowelByte(c byte) bool {
	return strings.IndexByte("aeiouyAQEOWU", c) >= 0
}

func validToneless(s string, tone uint8) bool {
	for _, ini := range initials {
		if !strings.HasPrefix(s, ini) {
			continue
		}
		rest := s[len(ini):]
		k := 0
		for k < len(rest) && isVowelByte(rest[k]) {
			k++
		}
		if k == 0 {
			continue
		}
		policy, ok := nuclei[rest[:k]]
		if !ok {
			continue
		}
		stop, ok := finals[rest[k:]]
		if !ok {
			continue
		}
		if rest[k:] == "" && policy == 2 || rest[k:] != "" && policy == 0 {
			continue
		}
		if stop && tone != 2 && tone != 5 {
			continue
		}
		return true
	}
	return false
}
