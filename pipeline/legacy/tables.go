package legacy

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/xhht/xhht/schemas"
)

// The data files, inside schemas.FS.
const (
	vn1File    = "charsets/tcvn3_vn1_byte_to_unicode.csv"
	letterFile = "charsets/vn_legacy_charset_table.csv"
)

// vniErrata corrects rows of vn_legacy_charset_table.csv whose VNI bytes
// are wrong: the file gives ỷ/ỹ/Ỷ/Ỹ as the single bytes EB/EC/CB/CC, but EC
// and CC are ì and Ì (both also in the file) and EB/CB are the breve+dot
// marks of ặ/Ặ. In VNI these letters are y/Y followed by the hook or tilde
// mark, as in the upstream source of the table (duydev/vietnamese-conversion,
// src/charsets.ts). The corrected value is used whatever the file says.
var vniErrata = map[rune][]byte{
	'ỷ': {'y', 0xFB}, // yû
	'ỹ': {'y', 0xF5}, // yõ
	'Ỷ': {'Y', 0xDB}, // YÛ
	'Ỹ': {'Y', 0xD5}, // YÕ
}

// Combining tone marks and their tone numbers: 1 huyền, 2 sắc, 3 hỏi,
// 4 ngã, 5 nặng.
var toneOfMark = map[rune]uint8{0x300: 1, 0x301: 2, 0x309: 3, 0x303: 4, 0x323: 5}

// composeLimit bounds the toneless bases a tone mark composes with
// (a ă â e ê i o ô ơ u ư y and capitals, all below U+01B1).
const composeLimit = 0x1B1

// letter describes a Vietnamese letter: its toneless small form and tone.
type letter struct {
	base rune
	tone uint8
}

// utf8Char is the UTF-8 form of a character, packed little-endian to be
// stored with one write, and its length; n is 0 for none.
type utf8Char struct {
	packed uint32
	n      uint8
}

func makeUTF8Char(r rune) utf8Char {
	var b [4]byte
	n := utf8.EncodeRune(b[:], r)
	return utf8Char{packed: binary.LittleEndian.Uint32(b[:]), n: uint8(n)}
}

// tableSet holds every table, built once from the data files.
type tableSet struct {
	tcvn3, vni, cp1252 *decoder

	cp1252Runes [256]rune // Windows-1252 byte → character
	// enc1258[b] packs the UTF-8 form of the Windows-1258 byte b (bits
	// 0–31), its length (32–39) and its tone if it is a tone mark, or
	// undefined1258 (40–47).
	enc1258 [256]uint64
	// compose1258[tone-1][base] is the UTF-8 form of the letter that base
	// followed by the tone mark composes to (NFC), n 0 if none.
	compose1258 [5][composeLimit]utf8Char

	letters map[rune]letter // Vietnamese letters with diacritics
}

var (
	tablesOnce sync.Once
	tablesVal  *tableSet
	tablesErr  error
)

// tables returns the tables, building them on first use. The data files are
// embedded in the binary, so a failure is a defect of the build: it panics.
func tables() *tableSet {
	tablesOnce.Do(func() { tablesVal, tablesErr = buildTables() })
	if tablesErr != nil {
		panic("legacy: " + tablesErr.Error())
	}
	return tablesVal
}

func tableFor(enc Encoding) *decoder {
	switch enc {
	case TCVN3:
		return tables().tcvn3
	case VNI:
		return tables().vni
	}
	return nil
}

// letterRow is a row of vn_legacy_charset_table.csv.
type letterRow struct {
	r          rune
	vni, tcvn3 []byte
}

func buildTables() (*tableSet, error) {
	ts := &tableSet{letters: map[rune]letter{}}
	for b := range 256 {
		ts.cp1252Runes[b] = rune(b)
		r := rune(b)
		if b >= 0x80 {
			ts.cp1252Runes[b] = charmap.Windows1252.DecodeByte(byte(b))
			r = charmap.Windows1258.DecodeByte(byte(b))
		}
		if r == utf8.RuneError {
			ts.enc1258[b] = undefined1258 << 40
			continue
		}
		u := makeUTF8Char(r)
		ts.enc1258[b] = uint64(u.packed) | uint64(u.n)<<32 | uint64(tone1258[b])<<40
	}
	ts.cp1252 = &decoder{}
	ts.cp1252.finish(&ts.cp1252Runes)

	vn1, err := readVN1()
	if err != nil {
		return nil, err
	}
	rows, err := readLetters()
	if err != nil {
		return nil, err
	}
	if ts.tcvn3, err = buildTCVN3(vn1, rows); err != nil {
		return nil, err
	}
	if ts.vni, err = buildVNI(rows); err != nil {
		return nil, err
	}
	ts.tcvn3.finish(&ts.cp1252Runes)
	ts.vni.finish(&ts.cp1252Runes)
	if err := ts.buildLetters(rows); err != nil {
		return nil, err
	}
	return ts, nil
}

// buildTCVN3: the VN1 table restricted to the positions TCVN3 fonts use
// (0xA0–0xFF without the loose tone marks 0xB0–0xB4), plus the letter
// table's TCVN3 column: its single bytes must agree, and its two-byte
// forms of the capitals ("A¸" = Á: capital base, then the small toned
// letter) become sequences.
func buildTCVN3(vn1 map[byte]rune, rows []letterRow) (*decoder, error) {
	d := &decoder{}
	for b, r := range vn1 {
		if b >= 0xA0 && (b < 0xB0 || b > 0xB4) {
			d.single[b] = r
		}
	}
	for _, row := range rows {
		switch len(row.tcvn3) {
		case 1:
			b := row.tcvn3[0]
			if d.single[b] == 0 && b >= 0x80 {
				d.single[b] = row.r // a letter the VN1 table lacks
			} else if d.single[b] != row.r {
				return nil, fmt.Errorf("%s: TCVN3 byte %02X is %c, %s says %c", letterFile, b, d.single[b], vn1File, vn1[b])
			}
		case 2:
			if err := d.addPair(row.tcvn3[0], row.tcvn3[1], row.r); err != nil {
				return nil, fmt.Errorf("%s: TCVN3 %c: %v", letterFile, row.r, err)
			}
		default:
			return nil, fmt.Errorf("%s: TCVN3 %c: %d bytes", letterFile, row.r, len(row.tcvn3))
		}
	}
	return d, nil
}

// buildVNI: single letters (đ = ñ, ơ = ô, ư = ö, the i letters, ỵ = î) and
// base + mark sequences ("aø" = à, "ôù" = ớ). A mark in the other case than
// its base ("Aø", as Excel's PROPER() leaves it) reads in the base's case.
func buildVNI(rows []letterRow) (*decoder, error) {
	d := &decoder{}
	for _, row := range rows {
		b := row.vni
		if fix, ok := vniErrata[row.r]; ok {
			b = fix
		}
		switch len(b) {
		case 1:
			if d.single[b[0]] != 0 {
				return nil, fmt.Errorf("%s: VNI byte %02X is both %c and %c", letterFile, b[0], d.single[b[0]], row.r)
			}
			d.single[b[0]] = row.r
		case 2:
			if err := d.addPair(b[0], b[1], row.r); err != nil {
				return nil, fmt.Errorf("%s: VNI %c: %v", letterFile, row.r, err)
			}
		default:
			return nil, fmt.Errorf("%s: VNI %c: %d bytes", letterFile, row.r, len(b))
		}
	}
	// Mixed-case forms, where free.
	for _, row := range d.pairRow {
		if row == 0 {
			continue
		}
		for second, r := range d.pairs[row-1] {
			if r == 0 {
				continue
			}
			if o := swapCase1252(byte(second)); o != byte(second) && d.pairs[row-1][o] == 0 && d.single[o] == 0 {
				d.pairs[row-1][o] = r
			}
		}
	}
	// A mark never stands alone: it must not be a single letter as well.
	for _, row := range d.pairRow {
		if row == 0 {
			continue
		}
		for second, r := range d.pairs[row-1] {
			if r != 0 && d.single[second] != 0 {
				return nil, fmt.Errorf("%s: VNI byte %02X is both the letter %c and a mark (%c)", letterFile, second, d.single[second], r)
			}
		}
	}
	return d, nil
}

// swapCase1252 swaps the case of a Windows-1252 Latin-1 letter byte.
func swapCase1252(b byte) byte {
	switch {
	case b >= 0xC0 && b <= 0xDE && b != 0xD7:
		return b + 0x20
	case b >= 0xE0 && b <= 0xFE && b != 0xF7:
		return b - 0x20
	}
	return b
}

func (d *decoder) addPair(first, second byte, r rune) error {
	row := d.pairRow[first]
	if row == 0 {
		if len(d.pairs) >= 255 {
			return fmt.Errorf("too many sequence starts")
		}
		d.pairs = append(d.pairs, [256]rune{})
		row = uint8(len(d.pairs))
		d.pairRow[first] = row
	}
	if old := d.pairs[row-1][second]; old != 0 && old != r {
		return fmt.Errorf("bytes %02X %02X are both %c and %c", first, second, old, r)
	}
	d.pairs[row-1][second] = r
	return nil
}

// buildLetters fills the letter descriptions (for syllable checks) and the
// Windows-1258 composition table from the Unicode column of the letter
// table.
func (ts *tableSet) buildLetters(rows []letterRow) error {
	for _, row := range rows {
		for _, r := range []rune{unicode.ToLower(row.r), unicode.ToUpper(row.r)} {
			var base []rune
			var tone uint8
			var mark rune
			for _, c := range norm.NFD.String(string(r)) {
				if t, ok := toneOfMark[c]; ok {
					tone, mark = t, c
					continue
				}
				base = append(base, c)
			}
			bs := []rune(norm.NFC.String(string(base)))
			if len(bs) != 1 {
				return fmt.Errorf("%s: %c: no single toneless letter", letterFile, r)
			}
			ts.letters[r] = letter{base: unicode.ToLower(bs[0]), tone: tone}
			if tone != 0 {
				if bs[0] >= composeLimit {
					return fmt.Errorf("%s: %c: base %c out of range", letterFile, r, bs[0])
				}
				if norm.NFC.String(string(bs[0])+string(mark)) != string(r) {
					return fmt.Errorf("%s: %c is not %c + U+%04X", letterFile, r, bs[0], mark)
				}
				ts.compose1258[tone-1][bs[0]] = makeUTF8Char(r)
			}
		}
	}
	return nil
}

func readCSV(name string) ([][]string, error) {
	data, err := schemas.FS.ReadFile(name)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(bytes.NewReader(data))
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("%s: empty", name)
	}
	return recs[1:], nil
}

// readVN1 reads byte,char,codepoints,unicode_name rows.
func readVN1() (map[byte]rune, error) {
	recs, err := readCSV(vn1File)
	if err != nil {
		return nil, err
	}
	m := make(map[byte]rune, len(recs))
	for _, rec := range recs {
		if len(rec) < 3 {
			return nil, fmt.Errorf("%s: short row %q", vn1File, rec)
		}
		b, err := strconv.ParseUint(strings.TrimPrefix(rec[0], "0x"), 16, 8)
		if err != nil {
			return nil, fmt.Errorf("%s: byte %q: %v", vn1File, rec[0], err)
		}
		r, err := parseCodepoint(rec[2])
		if err != nil {
			return nil, fmt.Errorf("%s: %v", vn1File, err)
		}
		m[byte(b)] = r
	}
	return m, nil
}

// readLetters reads unicode,codepoint,vni_as_cp1252_text,vni_bytes,
// tcvn3_as_cp1252_text,tcvn3_bytes,viqr rows.
func readLetters() ([]letterRow, error) {
	recs, err := readCSV(letterFile)
	if err != nil {
		return nil, err
	}
	rows := make([]letterRow, 0, len(recs))
	for _, rec := range recs {
		if len(rec) < 6 {
			return nil, fmt.Errorf("%s: short row %q", letterFile, rec)
		}
		r, err := parseCodepoint(rec[1])
		if err != nil {
			return nil, fmt.Errorf("%s: %v", letterFile, err)
		}
		vni, err := parseHexBytes(rec[3])
		if err != nil {
			return nil, fmt.Errorf("%s: %c: %v", letterFile, r, err)
		}
		tc, err := parseHexBytes(rec[5])
		if err != nil {
			return nil, fmt.Errorf("%s: %c: %v", letterFile, r, err)
		}
		rows = append(rows, letterRow{r: r, vni: vni, tcvn3: tc})
	}
	return rows, nil
}

func parseCodepoint(s string) (rune, error) {
	v, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(s), "U+"), 16, 32)
	if err != nil || !utf8.ValidRune(rune(v)) {
		return 0, fmt.Errorf("bad code point %q", s)
	}
	return rune(v), nil
}

func parseHexBytes(s string) ([]byte, error) {
	var out []byte
	for _, f := range strings.Fields(s) {
		v, err := strconv.ParseUint(f, 16, 8)
		if err != nil {
			return nil, fmt.Errorf("bad byte %q", f)
		}
		out = append(out, byte(v))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no bytes")
	}
	return out, nil
}
