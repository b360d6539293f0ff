package legacy

import (
	"bytes"
	"fmt"
	"testing"

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

func TestLooksWindows1258(t *testing.T) {
	w1252 := charmap.Windows1252.NewEncoder()
	raw := func(glyphs string) []byte {
		b, err := w1252.String(glyphs)
		if err != nil {
			t.Fatal(err)
		}
		return []byte(b)
	}
	cases := []struct {
		name string
		b    []byte
		want bool
	}{
		{"Windows-1258", encode1258(t, "Thôn Hòa Bình, tổng số hộ"), true},
		{"Windows-1258 sentence", encode1258(t, uniSentence), true},
		{"Windows-1258 CSV", encode1258(t, "Mã;Tên thôn;Số hộ\r\n01;Thôn Đồng Tâm;120\r\n02;Bản Nà Hẩu;85\r\n"), true},
		{"UTF-8", []byte(uniSentence), false},
		{"ASCII", []byte("Ma;Ten thon;So ho\r\n"), false},
		{"raw TCVN3", raw(tcvn3Sentence), false},
		{"raw VNI", raw(vniSentence), false},
		{"raw TCVN3 names", raw("Th«n §«ng T©m;Th«n Hµ Néi;B¶n Nµ HÈu;Tæ d©n phè 7"), false},
		{"Latin-1 French", []byte("Caf\xe9 cr\xe8me \xe0 la fran\xe7aise, d\xe9j\xe0 vu"), false},
		{"binary", []byte{0x00, 0xff, 0xfe, 0x81, 0x90}, false},
		{"empty", nil, false},
	}
	for _, c := range cases {
		if got := LooksWindows1258(c.b); got != c.want {
			t.Errorf("%s: LooksWindows1258(%q) = %v, want %v", c.name, c.b, got, c.want)
		}
	}
}
