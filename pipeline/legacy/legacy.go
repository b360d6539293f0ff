// Package legacy converts text written in the pre-Unicode Vietnamese
// encodings that commune spreadsheets still carry: TCVN3 (ABC, fonts
// ".VnTime", ".VnArial"; names ending in "H" are upper-case fonts) and VNI
// ("VNI-Times"), stored as Windows-1252 glyphs, and Windows-1258 CSV files.
package legacy

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
func FromFont(name string) (enc Encoding, upper bool) {
	panic("legacy: not implemented yet")
}

// Decode converts text stored as Windows-1252 glyphs of enc into NFC
// Unicode ("Hµ Néi" → "Hà Nội" for TCVN3; "Haø Noäi" → "Hà Nội" for VNI).
// upper applies the upper-case font rule.
func Decode(enc Encoding, upper bool, s string) string {
	panic("legacy: not implemented yet")
}
