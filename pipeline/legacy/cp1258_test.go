package legacy

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// encode1258 is EncodeWindows1258 for tests; TestDecodeWindows1258 checks
// it against bytes written by hand from the code page.
func encode1258(t testing.TB, s string) []byte {
	t.Helper()
	b, err := EncodeWindows1258(s)
	if err != nil {
		t.Fatalf("encode1258(%q): %v", s, err)
	}
	return b
}

func TestDecodeWindows1258(t *testing.T) {
	// "Thôn Hòa Bình, tổng số hộ" by hand from the code page: ô F4,
	// grave CC, hook D2, acute EC, dot below F2.
	hand := []byte("Th\xf4n Ho\xcca Bi\xccnh, t\xf4\xd2ng s\xf4\xec h\xf4\xf2")
	const want = "Thôn Hòa Bình, tổng số hộ"
	if got := encode1258(t, want); !bytes.Equal(got, hand) {
		t.Fatalf("encode1258 = %q, by hand %q", got, hand)
	}
	got, err := DecodeWindows1258(hand)
	if err != nil || got != want {
		t.Fatalf("DecodeWindows1258 = %q, %v; want %q", got, err, want)
	}
	if !norm.NFC.IsNormalString(got) {
		t.Error("not NFC")
	}

	for _, s := range []string{
		uniSentence,
		"Đường làng ở xã Thượng Hiền, Quảng Ngãi: người dân học tập suốt đời; Ủy ban khuyến khích.",
		"ĂN QUẢ NHỚ KẺ TRỒNG CÂY. Ấp Ẩn Ỷ Ỹ Ỵ Ý Ỳ mỹ kỷ lý kỳ ỵ, Ơn Ưu Ứng Ừ Ữ Ự Ợ Ờ Ở Ỡ. 50.000₫",
		"Mã;Tên thôn;Số hộ\r\n01;Thôn Đồng Tâm;120\r\n",
	} {
		b := encode1258(t, s)
		got, err := DecodeWindows1258(b)
		if err != nil || got != s {
			t.Errorf("DecodeWindows1258(%q) = %q, %v; want %q", b, got, err, s)
		}
	}
	// Every letter of the table.
	for _, r := range letterRows(t) {
		b := encode1258(t, "x"+r.uni+"n")
		if got, err := DecodeWindows1258(b); err != nil || got != "x"+r.uni+"n" {
			t.Errorf("%s: DecodeWindows1258(%q) = %q, %v", r.uni, b, got, err)
		}
	}
}

// The fast decoder agrees with x/text's Windows-1258 decoder + NFC on every
// pair of bytes and on marks in every position.
func TestDecodeWindows1258MatchesXText(t *testing.T) {
	in := make([]byte, 0, 4)
	check := func(b []byte) {
		got, err := DecodeWindows1258(b)
		ref, rerr := reference1258(b)
		if (err != nil) != (rerr != nil) {
			t.Fatalf("%q: error %v, reference %v", b, err, rerr)
		}
		if err == nil && got != ref {
			t.Fatalf("%q: %q (%U), reference %q (%U)", b, got, []rune(got), ref, []rune(ref))
		}
	}
	for a := 0; a < 256; a++ {
		for b := 0; b < 256; b++ {
			check(append(in[:0], byte(a), byte(b)))
		}
	}
	marks := []byte{0xCC, 0xEC, 0xD2, 0xDE, 0xF2}
	for _, base := range []byte("aAeEiIoOuUyYnNcC \xe2\xc2\xea\xca\xf4\xd4\xe3\xc3\xf5\xd5\xfd\xdd\xe0\xe1\xf0") {
		for _, m1 := range marks {
			for _, m2 := range marks {
				check([]byte{base, m1, m2})
				check([]byte{'x', base, m1, m2})
			}
		}
	}
}

func reference1258(b []byte) (string, error) {
	for _, c := range b {
		if charmap.Windows1258.DecodeByte(c) == '\uFFFD' {
			return "", fmt.Errorf("undefined byte %#02x", c)
		}
	}
	s, err := charmap.Windows1258.NewDecoder().Bytes(b)
	if err != nil {
		return "", err
	}
	return norm.NFC.String(string(s)), nil
}

func TestDecodeWindows1258Undefined(t *testing.T) {
	for _, c := range []byte{0x81, 0x8A, 0x8D, 0x8E, 0x8F, 0x90, 0x9A, 0x9D, 0x9E} {
		if _, err := DecodeWindows1258([]byte{'a', c}); err == nil {
			t.Errorf("byte %#02x: no error", c)
		}
	}
	if s, err := DecodeWindows1258(nil); s != "" || err != nil {
		t.Errorf("DecodeWindows1258(nil) = %q, %v", s, err)
	}
}

type looksCase struct {
	name string
	b    []byte
	want bool
}

func looks1258Cases(t testing.TB) []looksCase {
	return []looksCase{
		{"Windows-1258", encode1258(t, "Thôn Hòa Bình, tổng số hộ"), true},
		{"Windows-1258 sentence", encode1258(t, uniSentence), true},
		{"Windows-1258 CSV", encode1258(t, "Mã;Tên thôn;Số hộ\r\n01;Thôn Đồng Tâm;120\r\n02;Bản Nà Hẩu;85\r\n"), true},
		{"UTF-8", []byte(uniSentence), false},
		{"ASCII", []byte("Ma;Ten thon;So ho\r\n"), false},
		{"raw TCVN3", raw1252(t, tcvn3Sentence), false},
		{"raw VNI", raw1252(t, vniSentence), false},
		{"raw TCVN3 names", raw1252(t, "Th«n §«ng T©m;Th«n Hµ Néi;B¶n Nµ HÈu;Tæ d©n phè 7"), false},
		{"Latin-1 French", []byte("Caf\xe9 cr\xe8me \xe0 la fran\xe7aise, d\xe9j\xe0 vu"), false},
		{"binary", []byte{0x00, 0xff, 0xfe, 0x81, 0x90}, false},
		{"empty", nil, false},
	}
}

// raw1252 is glyph text as the Windows-1252 bytes a legacy-font sheet
// exported on a Western Windows holds.
func raw1252(t testing.TB, glyphs string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().String(glyphs)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(b)
}

func TestLooksWindows1258(t *testing.T) {
	for _, c := range looks1258Cases(t) {
		if got := LooksWindows1258(c.b); got != c.want {
			t.Errorf("%s: LooksWindows1258(%q) = %v, want %v", c.name, c.b, got, c.want)
		}
	}
}

// looksFull is LooksWindows1258 as it was before the early exit: both
// glyph readings scored over every word, unless every word of the decoded
// text is a syllable. Also returns the counts, for the borderline tests.
func looksFull(b []byte) (ok bool, u, words, glyphs int) {
	if utf8.Valid(b) {
		return false, 0, 0, 0
	}
	if len(b) > sniffBytes {
		b = b[:sniffBytes]
	}
	s, err := DecodeWindows1258(b)
	if err != nil {
		return false, 0, 0, 0
	}
	as1258 := scorer{skip: [3]bool{readTCVN3: true, readVNI: true}}
	as1258.add(s)
	u, words = as1258.valid[readUnicode], as1258.words
	if u > 0 && u == words {
		return true, u, words, 0
	}
	asGlyphs := scorer{skip: [3]bool{readUnicode: true}}
	asGlyphs.add(DecodeBytes(None, b))
	glyphs = max(asGlyphs.valid[readTCVN3], asGlyphs.valid[readVNI])
	return u > 0 && 2*u >= words && u >= glyphs, u, words, glyphs
}

// The early exit of the glyph scoring gives the verdict of scoring every
// word: on the detection cases, the corpus's CSV files, and text made to
// sit on the boundary (as many glyph words as Windows-1258 syllables).
func TestLooksWindows1258EarlyExit(t *testing.T) {
	check := func(name string, b []byte) bool {
		t.Helper()
		want, u, words, glyphs := looksFull(b)
		if got := LooksWindows1258(b); got != want {
			t.Errorf("%s: LooksWindows1258 = %v, scoring every word %v (u %d of %d words, best glyph reading %d)", name, got, want, u, words, glyphs)
		}
		return want
	}
	for _, c := range looks1258Cases(t) {
		check(c.name, c.b)
	}
	files, err := filepath.Glob("../../tests/corpus/files/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus: %v, %d files", err, len(files))
	}
	for _, f := range files {
		if ext := filepath.Ext(f); ext != ".csv" && ext != ".txt" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		check(filepath.Base(f), b)
	}

	// Windows-1258 text followed (or preceded) by m TCVN3 or VNI words that
	// are not Windows-1258 syllables: the verdict flips from true to false
	// as m passes the number of Windows-1258 syllables. Every m, up to
	// past the flip, must agree; the sweep must cross the boundary with
	// the best glyph reading at exactly u.
	base := encode1258(t, uniSentence+" Người dân xã Thượng Hiền")
	for _, glyph := range []string{"Hµ", "Haø"} {
		for _, first := range []bool{false, true} {
			sawEqual, flipped := false, false
			for m := 0; m <= 40; m++ {
				extra := bytes.Repeat(append(raw1252(t, glyph), ' '), m)
				b := append(append(slices.Clone(base), ' '), extra...)
				if first {
					b = append(extra, base...)
				}
				name := fmt.Sprintf("%s ×%d, first %v", glyph, m, first)
				if !check(name, b) {
					flipped = true
					break
				}
				_, u, _, glyphs := looksFull(b)
				sawEqual = sawEqual || glyphs == u
			}
			if !sawEqual || !flipped {
				t.Errorf("%s, first %v: the sweep did not cross the boundary (at u: %v, flipped: %v)", glyph, first, sawEqual, flipped)
			}
		}
	}

	// Random mixes of Windows-1258 words, TCVN3 and VNI glyph words, words
	// no reading supports and ASCII.
	var pool [][]byte
	for _, w := range strings.Fields(uniSentence + " Người dân xã Thượng Hiền GĐHT Nà Pài Khuổi Đeng") {
		pool = append(pool, encode1258(t, w))
	}
	for _, w := range strings.Fields(tcvn3Sentence + " " + vniSentence + " Th«n §«ng T©m µ ¶ Ö") {
		pool = append(pool, raw1252(t, w))
	}
	pool = append(pool, []byte("\xe9t\xe9"), []byte("123"), []byte("hamlet"))
	rng := rand.New(rand.NewPCG(1258, 3))
	for i := range 3000 {
		var b []byte
		for range 1 + rng.IntN(60) {
			b = append(b, pool[rng.IntN(len(pool))]...)
			b = append(b, " ;,\r\n"[rng.IntN(5)])
		}
		check(fmt.Sprintf("mix %d %q", i, b), b)
	}
}
