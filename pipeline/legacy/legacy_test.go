package legacy

import (
	"bytes"
	"encoding/csv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/xhht/xhht/schemas"
)

// The test encodes Unicode into the legacy glyph text on its own, from the
// glyph columns of the letter table (the decoder reads the byte columns).

// testVNIErrata: the table's VNI forms of ỷ ỹ Ỷ Ỹ are wrong (EB, EC, CB, CC:
// ì/Ì and the ặ mark); VNI writes y/Y + hook or tilde mark.
var testVNIErrata = map[string]string{"ỷ": "yû", "ỹ": "yõ", "Ỷ": "YÛ", "Ỹ": "YÕ"}

type testRow struct{ uni, vni, vniBytes, tcvn3, tcvn3Bytes string }

var (
	testRowsOnce sync.Once
	testRows     []testRow
)

func letterRows(t testing.TB) []testRow {
	t.Helper()
	testRowsOnce.Do(func() {
		data, err := schemas.FS.ReadFile("charsets/vn_legacy_charset_table.csv")
		if err != nil {
			panic(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			panic(err)
		}
		for _, r := range recs[1:] {
			testRows = append(testRows, testRow{uni: r[0], vni: r[2], vniBytes: r[3], tcvn3: r[4], tcvn3Bytes: r[5]})
		}
	})
	if len(testRows) != 134 {
		t.Fatalf("letter table has %d rows, want 134", len(testRows))
	}
	return testRows
}

var (
	encodeMapsOnce sync.Once
	encodeMaps     map[Encoding]map[rune]string
)

// encode writes NFC Unicode text s in enc's glyphs.
func encode(t testing.TB, enc Encoding, s string) string {
	t.Helper()
	rows := letterRows(t)
	encodeMapsOnce.Do(func() {
		encodeMaps = map[Encoding]map[rune]string{TCVN3: {}, VNI: {}}
		for _, r := range rows {
			u := []rune(r.uni)[0]
			encodeMaps[TCVN3][u] = r.tcvn3
			encodeMaps[VNI][u] = r.vni
			if fix, ok := testVNIErrata[r.uni]; ok {
				encodeMaps[VNI][u] = fix
			}
		}
	})
	m := encodeMaps[enc]
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		if g, ok := m[r]; ok {
			b.WriteString(g)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestDecodeKnownPairs(t *testing.T) {
	// Checked by hand against the tables: TCVN3 µ B5 à, é E9 ộ, ® AE đ,
	// × D7 ì, ä E4 ọ, Ë CB ậ, ­ AD ư, ê EA ờ, « AB ô, § A7 Đ, Õ D5 ế,
	// ¶ B6 ả, · B7 ã, æ E6 ổ, è E8 ố, Ö D6 ệ, ¬ AC ơ, ¹ B9 ạ; VNI aø à,
	// oä ộ, ñ đ, ì ì, oï ọ, aä ậ, ö ư, ôø ờ, oâ ô, Ñ Đ, eá ế, aû ả, aõ ã,
	// oå ổ, oá ố, ô ơ, aï ạ.
	cases := []struct {
		enc        Encoding
		upper      bool
		in, want   string
		annotation string
	}{
		{TCVN3, false, "Hµ Néi", "Hà Nội", ""},
		{TCVN3, false, "Gia ®×nh häc tËp", "Gia đình học tập", ""},
		{TCVN3, false, "Tr\u00adêng", "Trường", "ư is the soft hyphen"},
		{TCVN3, false, "Th«n §«ng", "Thôn Đông", ""},
		{TCVN3, false, "KhuyÕn häc", "Khuyến học", ""},
		{TCVN3, false, "Qu¶ng Ng·i", "Quảng Ngãi", ""},
		{TCVN3, false, "Tæng sè hé", "Tổng số hộ", ""},
		{TCVN3, false, "ViÖt Nam", "Việt Nam", ""},
		{TCVN3, false, "Ph\u00ad¬ng", "Phương", ""},
		{TCVN3, false, "®¹t 95%", "đạt 95%", ""},
		{TCVN3, false, "A¸nh ¢Êp ¥í", "Ánh Ấp Ớ", "capital written as capital base + small toned letter"},
		{TCVN3, true, "hµ néi", "HÀ NỘI", "upper-case font"},
		{TCVN3, true, "tr\u00adêng thcs", "TRƯỜNG THCS", "upper-case font, ASCII too"},
		{TCVN3, false, "“Gia ®×nh” – 25 m² … 30°", "“Gia đình” – 25 m² … 30°", "punctuation and symbols kept"},
		{TCVN3, false, "Hµ Nội ạ", "Hà Nội ạ", "Unicode letters pass through"},
		{TCVN3, false, "H\xb5 N\xe9i", "Hà Nội", "raw bytes (not UTF-8)"},
		{TCVN3, false, "Tha\u0300nh", "Thành", "NFC"},
		{VNI, false, "Haø Noäi", "Hà Nội", ""},
		{VNI, false, "Gia ñình hoïc taäp", "Gia đình học tập", ""},
		{VNI, false, "Tröôøng", "Trường", ""},
		{VNI, false, "Thoân Ñoâng", "Thôn Đông", ""},
		{VNI, false, "Khuyeán hoïc", "Khuyến học", ""},
		{VNI, false, "Quaûng Ngaõi", "Quảng Ngãi", ""},
		{VNI, false, "Toång soá hoä", "Tổng số hộ", ""},
		{VNI, false, "Phöông", "Phương", ""},
		{VNI, false, "ñaït 95%", "đạt 95%", ""},
		{VNI, false, "Myõ Kyû thì kì", "Mỹ Kỷ thì kì", "table errata: ỹ = yõ, ỷ = yû, ì stays ì"},
		{VNI, false, "HAØ NOÄI", "HÀ NỘI", "capitals"},
		{VNI, false, "Aø Noäi", "À Nội", "mark in the other case (PROPER)"},
		{VNI, true, "Haø Noäi", "HÀ NỘI", "upper flag"},
		{VNI, false, "Ha\xf8 No\xe4i", "Hà Nội", "raw bytes (not UTF-8)"},
		{None, false, "Hµ Néi", "Hµ Néi", "None leaves text alone"},
		{Encoding("viscii"), false, "Hµ Néi", "Hµ Néi", "unknown encoding"},
		{TCVN3, false, "", "", ""},
		{VNI, false, "Ha Noi 123", "Ha Noi 123", ""},
	}
	for _, c := range cases {
		if got := Decode(c.enc, c.upper, c.in); got != c.want {
			t.Errorf("Decode(%q, %v, %q) = %q, want %q (%s)", c.enc, c.upper, c.in, got, c.want, c.annotation)
		}
	}
}

// A sentence with every tone, ư ơ đ Đ, capitals with tones and the y
// letters, encoded from the tables by the test, decodes back.
func TestDecodeRoundTripSentence(t *testing.T) {
	sentences := []string{
		"Đường làng ở xã Thượng Hiền, Quảng Ngãi: người dân học tập suốt đời; " +
			"Ủy ban khuyến khích mỗi gia đình đọc sách, giữ gìn truyền thống hiếu học.",
		"ĂN QUẢ NHỚ KẺ TRỒNG CÂY. Ấp Ẩn Ỷ Ỹ Ỵ Ý Ỳ mỹ kỷ lý kỳ ỵ, Ơn Ưu Ứng Ừ Ữ Ự Ợ Ờ Ở Ỡ.",
		"Thôn Đồng Tâm, bản Nà Hẩu, tổ dân phố số 7: tỷ lệ đạt 85,5%.",
	}
	for _, s := range sentences {
		for _, enc := range []Encoding{TCVN3, VNI} {
			legacy := encode(t, enc, s)
			if legacy == s {
				t.Fatalf("%s: encoding changed nothing", enc)
			}
			if got := Decode(enc, false, legacy); got != s {
				t.Errorf("%s: Decode(%q)\n got %q\nwant %q", enc, legacy, got, s)
			}
		}
	}
}

// Every letter of the table, alone and inside a word, both encodings.
func TestDecodeEveryLetter(t *testing.T) {
	for _, r := range letterRows(t) {
		for _, enc := range []Encoding{TCVN3, VNI} {
			for _, w := range []string{r.uni, "th" + r.uni + "n", "B" + r.uni} {
				legacy := encode(t, enc, w)
				if got := Decode(enc, false, legacy); got != w {
					t.Errorf("%s: %q: Decode(%q) = %q", enc, w, legacy, got)
				}
			}
		}
	}
}

// The glyph columns are the Windows-1252 glyphs of the byte columns; the
// TCVN3 single bytes agree with the VN1 byte table; the VNI errata rows.
func TestTablesConsistent(t *testing.T) {
	tables() // builds and checks, panics on conflicts
	dec := charmap.Windows1252.NewDecoder()
	for _, r := range letterRows(t) {
		for _, p := range [][2]string{{r.vni, r.vniBytes}, {r.tcvn3, r.tcvn3Bytes}} {
			b, err := parseHexBytes(p[1])
			if err != nil {
				t.Fatal(err)
			}
			g, err := dec.String(string(b))
			if err != nil || g != p[0] {
				t.Errorf("%s: glyphs %q, bytes %s read %q", r.uni, p[0], p[1], g)
			}
		}
	}
	vn1, err := readVN1()
	if err != nil {
		t.Fatal(err)
	}
	if len(vn1) != 140 { // SOURCES.md: 140 rows
		t.Errorf("VN1 table: %d bytes", len(vn1))
	}
	for _, r := range letterRows(t) {
		if b, _ := parseHexBytes(r.tcvn3Bytes); len(b) == 1 && string(vn1[b[0]]) != r.uni {
			t.Errorf("TCVN3 %s: byte %02X is %c in VN1", r.uni, b[0], vn1[b[0]])
		}
	}
	for _, r := range letterRows(t) {
		if fix, ok := testVNIErrata[r.uni]; ok && r.vni != fix {
			t.Logf("letter table VNI %s is %q (%s), corrected to %q", r.uni, r.vni, r.vniBytes, fix)
		}
	}
}

func TestFromFont(t *testing.T) {
	cases := []struct {
		name  string
		enc   Encoding
		upper bool
	}{
		{".VnTime", TCVN3, false},
		{".VnTimeH", TCVN3, true},
		{".VnArial", TCVN3, false},
		{".VnArialH", TCVN3, true},
		{".VnArial NarrowH", TCVN3, true},
		{".VnCentury Schoolbook", TCVN3, false},
		{".VnAvant", TCVN3, false},
		{".VnAvantH", TCVN3, true},
		{".VnBook-Antiqua", TCVN3, false},
		{".VnBook-AntiquaH", TCVN3, true},
		{".VnCourier New", TCVN3, false},
		{".VnBahamasB", TCVN3, false},
		{".VnBahamasBH", TCVN3, true},
		{".VnCooperH", TCVN3, true},
		{"  .vntime  ", TCVN3, false},
		{".VNTIMEH", TCVN3, true},
		{"VNI-Times", VNI, false},
		{"VNI-Helve", VNI, false},
		{"VNI-Aptima", VNI, false},
		{"VNI-Top", VNI, false},
		{"vni-times", VNI, false},
		{"VNI Times", VNI, false},
		{"VNI-TimesH", VNI, false}, // no upper-case rule for VNI
		{"Times New Roman", None, false},
		{"Arial", None, false},
		{"VnTime", None, false},
		{"VNII", None, false},
		{"VNI", None, false},
		{"", None, false},
		{".V", None, false},
	}
	for _, c := range cases {
		enc, upper := FromFont(c.name)
		if enc != c.enc || upper != c.upper {
			t.Errorf("FromFont(%q) = %q, %v; want %q, %v", c.name, enc, upper, c.enc, c.upper)
		}
	}
}

// Decode returns s itself when it has no byte ≥ 0x80.
func TestDecodeASCIIFastPath(t *testing.T) {
	s := strings.Repeat("Thon 1, xa Ha Noi; ", 10)
	for _, enc := range []Encoding{TCVN3, VNI} {
		got := Decode(enc, false, s)
		if unsafe.StringData(got) != unsafe.StringData(s) {
			t.Errorf("%s: ASCII text was copied", enc)
		}
		if allocs := testing.AllocsPerRun(100, func() { Decode(enc, false, s) }); allocs != 0 {
			t.Errorf("%s: %v allocations for ASCII", enc, allocs)
		}
	}
}

func TestDecodeBytes(t *testing.T) {
	enc := charmap.Windows1252.NewEncoder()
	for _, c := range []struct {
		enc  Encoding
		text string
	}{
		{TCVN3, "Tổng số hộ gia đình học tập ở thôn Đồng Tâm: 120 – “đạt”"},
		{VNI, "Tổng số hộ gia đình học tập ở thôn Đồng Tâm: 120 – “đạt”"},
	} {
		glyphs := encode(t, c.enc, c.text)
		raw, err := enc.String(glyphs)
		if err != nil {
			t.Fatal(err)
		}
		if got := DecodeBytes(c.enc, []byte(raw)); got != c.text {
			t.Errorf("%s: DecodeBytes = %q, want %q", c.enc, got, c.text)
		}
	}
	if got := DecodeBytes(None, []byte("Th\xe9 \x93a\x94")); got != "Thé “a”" {
		t.Errorf("DecodeBytes(None) = %q", got)
	}
	if got := DecodeBytes(TCVN3, []byte("abc")); got != "abc" {
		t.Errorf("DecodeBytes ASCII = %q", got)
	}
}

// Arbitrary and broken input: no panic, valid UTF-8 in NFC.
func TestDecodeInvalidInput(t *testing.T) {
	inputs := []string{
		"\xff\xfe\xfd", "\xc3", "a\xc3(", "\xed\xa0\x80", "\x00\x01\x17", "\u0301\u0323",
		"a\u0301\u0323\u0302", "\u00ad\u00ad", "ôùùùù", "Aøøø", "¢ÊÊ", string([]byte{0x80, 0x81, 0x9f}),
		"\U0010FFFF\uFFFD", strings.Repeat("µ", 1000),
	}
	for _, s := range inputs {
		for _, enc := range []Encoding{TCVN3, VNI, None} {
			for _, up := range []bool{false, true} {
				got := Decode(enc, up, s)
				if enc != None && (!utf8.ValidString(got) || !norm.NFC.IsNormalString(got)) {
					t.Errorf("Decode(%s, %v, %q) = %q: not valid NFC UTF-8", enc, up, s, got)
				}
			}
			if got := DecodeBytes(enc, []byte(s)); !utf8.ValidString(got) || !norm.NFC.IsNormalString(got) {
				t.Errorf("DecodeBytes(%s, %q) = %q: not valid NFC UTF-8", enc, s, got)
			}
		}
	}
}

// Every two letters (Vietnamese and ASCII), both encodings: decoding the
// encoded pair gives the pair back, except where the legacy text is
// itself ambiguous (TCVN3 "A¸" is both A + á and the capital Á); even
// then, the result encodes to the same legacy text.
func TestDecodeLetterPairs(t *testing.T) {
	var letters []string
	for _, r := range letterRows(t) {
		letters = append(letters, r.uni)
	}
	for c := 'a'; c <= 'z'; c++ {
		letters = append(letters, string(c), strings.ToUpper(string(c)))
	}
	for _, enc := range []Encoding{TCVN3, VNI} {
		ambiguous := 0
		for _, x := range letters {
			for _, y := range letters {
				w := x + y
				legacy := encode(t, enc, w)
				got := Decode(enc, false, legacy)
				if got == w {
					continue
				}
				if encode(t, enc, got) != legacy {
					t.Errorf("%s: %q → %q → %q", enc, w, legacy, got)
					continue
				}
				ambiguous++
				// The only ambiguity: a capital base followed by the
				// small toned letter (TCVN3's two-code capitals).
				if enc != TCVN3 || utf8.RuneCountInString(got) != 1 {
					t.Errorf("%s: %q → %q → %q", enc, w, legacy, got)
				}
			}
		}
		t.Logf("%s: %d of %d pairs are ambiguous", enc, ambiguous, len(letters)*len(letters))
	}
}
