package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/xhht/xhht/pipeline/legacy"
	"github.com/xhht/xhht/schemas"
)

// The encoders below write Unicode text the way a legacy-font typist's
// document stores it: each Vietnamese letter as the Windows-1252 glyphs of
// its TCVN3 or VNI code (schemas/charsets/vn_legacy_charset_table.csv).
// The pipeline only decodes; these are for making the corpus.

// vniErrata: the table's VNI forms of ỷ ỹ Ỷ Ỹ are wrong; VNI writes y/Y and
// the hook or tilde mark (the same fix the legacy tests use).
var vniErrata = map[string]string{"ỷ": "yû", "ỹ": "yõ", "Ỷ": "YÛ", "Ỹ": "YÕ"}

var (
	encOnce sync.Once
	encMaps map[legacy.Encoding]map[rune]string
)

func loadEncoders() {
	data, err := schemas.FS.ReadFile("charsets/vn_legacy_charset_table.csv")
	if err != nil {
		panic(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		panic(err)
	}
	encMaps = map[legacy.Encoding]map[rune]string{legacy.TCVN3: {}, legacy.VNI: {}}
	for _, r := range recs[1:] {
		u := []rune(r[0])[0]
		encMaps[legacy.VNI][u] = r[2]
		encMaps[legacy.TCVN3][u] = r[4]
		if fix, ok := vniErrata[r[0]]; ok {
			encMaps[legacy.VNI][u] = fix
		}
	}
}

// encodeGlyphs writes s in enc's glyphs (Unicode Latin-1 and Windows-1252
// characters, as they appear in a cell or in a UTF-8 export). It checks the
// round trip through the pipeline's decoder, so a corpus file never holds
// text the encoder got wrong.
func encodeGlyphs(enc legacy.Encoding, s string) string {
	encOnce.Do(loadEncoders)
	m := encMaps[enc]
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		if g, ok := m[r]; ok {
			b.WriteString(g)
		} else {
			b.WriteRune(r)
		}
	}
	out := b.String()
	if back := legacy.Decode(enc, false, out); back != norm.NFC.String(s) {
		panic(fmt.Sprintf("encode %s %q → %q decodes to %q", enc, s, out, back))
	}
	return out
}

// encodeUpperFont is the text an official types in an upper-case TCVN3 font
// (.VnTimeH) with caps lock off: the lower-case codes, drawn as capitals.
func encodeUpperFont(s string) string {
	out := encodeGlyphs(legacy.TCVN3, strings.ToLower(s))
	if back := legacy.Decode(legacy.TCVN3, true, out); back != norm.NFC.String(strings.ToUpper(s)) {
		panic(fmt.Sprintf("upper-case font %q → %q decodes to %q", s, out, back))
	}
	return out
}

// cp1252 turns glyph text into the bytes an "ANSI" export on an English
// Windows writes (one byte a glyph).
func cp1252(s string) []byte {
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(fmt.Sprintf("cp1252 %q: %v", s, err))
	}
	return b
}

// cp1258 is a Windows-1258 export on a Vietnamese Windows.
func cp1258(s string) []byte {
	b, err := legacy.EncodeWindows1258(s)
	if err != nil {
		panic(err)
	}
	return b
}
