package legacy

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

const (
	uniSentence = "Tổng số hộ gia đình trong thôn: 120; số hộ đạt danh hiệu gia đình học tập: 95"
	// Checked by hand: ¹ B9 ạ, Ö D6 ệ; VNI aï ạ, eä ệ.
	tcvn3Sentence = "Tæng sè hé gia ®×nh trong th«n: 120; sè hé ®¹t danh hiÖu gia ®×nh häc tËp: 95"
	vniSentence   = "Toång soá hoä gia ñình trong thoân: 120; soá hoä ñaït danh hieäu gia ñình hoïc taäp: 95"
)

func TestDetect(t *testing.T) {
	cases := []struct {
		name string
		text string
		want Encoding
		sure bool // confidence ≥ 0.8
	}{
		{"TCVN3", tcvn3Sentence, TCVN3, true},
		{"VNI", vniSentence, VNI, true},
		{"Unicode", uniSentence, None, true},
		{"Unicode NFD (Windows-1258)", norm.NFD.String(uniSentence), None, true},
		{"Unicode tone placement", "Hoà Bình, Thuỷ Nguyên, khoẻ mạnh, hoà thuận", None, true},
		{"TCVN3 upper-case font text", "hµ néi, tr\u00adêng thcs, sè hé", TCVN3, true},
		{"VNI capitals", "TOÅNG SOÁ HOÄ GIA ÑÌNH HOÏC TAÄP", VNI, true},
		{"TCVN3 with English", "Household count / Tæng sè hé gia ®×nh häc tËp (total)", TCVN3, true},
		{"TCVN3 generated", encode(t, TCVN3, uniSentence+" Người dân xã Thượng Hiền"), TCVN3, true},
		{"VNI generated", encode(t, VNI, uniSentence+" Người dân xã Thượng Hiền"), VNI, true},
		{"English", "Total number of households in the hamlet", None, false},
		{"numbers", "1.234 85,5% 12/03/2024 -7", None, false},
		{"empty", "", None, false},
		{"short TCVN3", "Hµ", None, false},
		{"short Unicode", "Nội", None, false},
		{"French", "Café crème à la française, déjà vu, garçon", None, false},
		{"German", "Müller Straße Größe", None, false},
		{"symbols", "25 m² ± 3°C © ® ™ « » § ¶", None, false},
		{"mixed TCVN3 and Unicode", tcvn3Sentence + " " + uniSentence, None, false},
	}
	for _, c := range cases {
		enc, conf := Detect(c.text)
		if conf < 0 || conf > 1 {
			t.Errorf("%s: confidence %v", c.name, conf)
		}
		if c.sure {
			if enc != c.want || conf < 0.8 {
				t.Errorf("%s: Detect(%q) = %q %.3f, want %q ≥ 0.8", c.name, c.text, enc, conf, c.want)
			}
			continue
		}
		// Not clear: whatever the guess, it must not be trusted for
		// conversion.
		if enc != None && conf >= 0.8 {
			t.Errorf("%s: Detect(%q) = %q %.3f, want no conversion", c.name, c.text, enc, conf)
		}
		if c.want == None && enc != None && conf > 0.5 {
			t.Errorf("%s: Detect(%q) = %q %.3f, want None", c.name, c.text, enc, conf)
		}
	}
}

func TestDetectColumn(t *testing.T) {
	col := []string{"Th«n §«ng T©m", "Th«n Hµ Néi", "B¶n Nµ HÈu", "Tæ d©n phè 7", "123", ""}
	if enc, conf := DetectColumn(col); enc != TCVN3 || conf < 0.8 {
		t.Errorf("DetectColumn(TCVN3) = %q %.3f", enc, conf)
	}
	for i, s := range col {
		col[i] = Decode(TCVN3, false, s)
	}
	if enc, conf := DetectColumn(col); enc != None || conf < 0.8 {
		t.Errorf("DetectColumn(Unicode %q) = %q %.3f", col, enc, conf)
	}
	if enc, conf := DetectColumn(nil); enc != None || conf != 0 {
		t.Errorf("DetectColumn(nil) = %q %.3f", enc, conf)
	}
}

func TestDetectBytes(t *testing.T) {
	w := charmap.Windows1252.NewEncoder()
	for _, c := range []struct {
		enc  Encoding
		text string
	}{{TCVN3, tcvn3Sentence}, {VNI, vniSentence}} {
		raw, err := w.String(c.text)
		if err != nil {
			t.Fatal(err)
		}
		if enc, conf := DetectBytes([]byte(raw)); enc != c.enc || conf < 0.8 {
			t.Errorf("DetectBytes(raw %s) = %q %.3f", c.enc, enc, conf)
		}
		if enc, conf := DetectBytes([]byte(c.text)); enc != c.enc || conf < 0.8 { // UTF-8 of the glyphs
			t.Errorf("DetectBytes(UTF-8 %s) = %q %.3f", c.enc, enc, conf)
		}
	}
	if enc, conf := DetectBytes([]byte(uniSentence)); enc != None || conf < 0.8 {
		t.Errorf("DetectBytes(Unicode) = %q %.3f", enc, conf)
	}
	// Windows-1258 bytes are not TCVN3 or VNI (LooksWindows1258 takes
	// them).
	if enc, conf := DetectBytes(encode1258(t, uniSentence+" Người dân xã Thượng Hiền")); enc != None && conf >= 0.8 {
		t.Errorf("DetectBytes(Windows-1258) = %q %.3f", enc, conf)
	}
	// Big input: only the start is looked at, and a cut UTF-8 character
	// is not an error.
	big := strings.Repeat(uniSentence+"\n", 20000)
	if enc, _ := DetectBytes([]byte(big)); enc != None {
		t.Errorf("DetectBytes(big Unicode) = %q", enc)
	}
}

func TestSyllable(t *testing.T) {
	ts := tables()
	valid := []string{"nghiêng", "Trường", "HÀ", "Nội", "quốc", "gìn", "già", "khuya", "Đắk", "được",
		"hoà", "hòa", "thuở", "xoong", "chuyện", "ưu", "ở", "ý", "Quy", "người", "tập", "a"}
	invalid := []string{"Hµ", "néi", "cỏc", "vỔ", "xyz", "street", "café", "hỏàng", "nghiênggg",
		"aa", "bn", "Zô", "tRường", "ăn̉", "tiê", "măt", ""}
	for _, w := range valid {
		if !ts.syllable(norm.NFC.String(w)) {
			t.Errorf("syllable(%q) = false", w)
		}
	}
	for _, w := range invalid {
		if ts.syllable(w) {
			t.Errorf("syllable(%q) = true", w)
		}
	}
}
