package legacy

import (
	"math"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func fuzzSeeds(f *testing.F) {
	for _, s := range []string{
		"Hµ Néi", "Haø Noäi", "Gia ®×nh häc tËp", "Tr\u00adêng", "hµ néi", "A¸nh ¢Êp",
		tcvn3Sentence, vniSentence, uniSentence, "ôùø", "Aøø", "\xff\xfe", "a\u0301\u0323",
		"Th\xf4n Ho\xcca Bi\xccnh", "", "123",
	} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(5))
	}
}

// FuzzDecode: any input, both encodings, upper or not: no panic, valid
// UTF-8 in NFC; the byte decoder likewise; ASCII is left alone.
func FuzzDecode(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, s string, sel uint8) {
		enc := []Encoding{TCVN3, VNI, None}[sel%3]
		upper := sel&4 != 0
		got := Decode(enc, upper, s)
		if enc == None {
			if got != s {
				t.Fatalf("Decode(None) changed %q", s)
			}
		} else if !utf8.ValidString(got) || !norm.NFC.IsNormalString(got) {
			t.Fatalf("Decode(%s, %v, %q) = %q: not valid NFC UTF-8", enc, upper, s, got)
		}
		if isASCII(s) && !upper && got != s {
			t.Fatalf("Decode(%s, %q) changed ASCII to %q", enc, s, got)
		}
		b := DecodeBytes(enc, []byte(s))
		if !utf8.ValidString(b) || !norm.NFC.IsNormalString(b) {
			t.Fatalf("DecodeBytes(%s, %q) = %q: not valid NFC UTF-8", enc, s, b)
		}
	})
}

// FuzzDetect: no panic, a known answer, a confidence in 0..1, for text and
// bytes; the Windows-1258 decoder agrees with x/text + NFC, and
// LooksWindows1258's early exit with scoring every word.
func FuzzDetect(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, s string, _ uint8) {
		check := func(what string, enc Encoding, conf float64) {
			if enc != None && enc != TCVN3 && enc != VNI || conf < 0 || conf > 1 || math.IsNaN(conf) {
				t.Fatalf("%s(%q) = %q, %v", what, s, enc, conf)
			}
		}
		enc, conf := Detect(s)
		check("Detect", enc, conf)
		enc, conf = DetectBytes([]byte(s))
		check("DetectBytes", enc, conf)
		enc, conf = DetectColumn([]string{s, s})
		check("DetectColumn", enc, conf)
		want, _, _, _ := looksFull([]byte(s))
		if got := LooksWindows1258([]byte(s)); got != want {
			t.Fatalf("LooksWindows1258(%q) = %v, scoring every word %v", s, got, want)
		}
		got, err := DecodeWindows1258([]byte(s))
		ref, rerr := reference1258([]byte(s))
		if (err != nil) != (rerr != nil) || err == nil && got != ref {
			t.Fatalf("DecodeWindows1258(%q) = %q, %v; reference %q, %v", s, got, err, ref, rerr)
		}
	})
}
