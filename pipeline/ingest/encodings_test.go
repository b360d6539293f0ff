package ingest_test

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/xhht/xhht/pipeline/legacy"
	"github.com/xhht/xhht/pipeline/receipt"
)

// CSV files in the encodings commune offices produce all read as the same
// Unicode hamlets, and the receipt says what was converted.
func TestCSVEncodings(t *testing.T) {
	const csv = "STT;Tên thôn;Tổng số hộ;Số hộ được công nhận\n1;Thôn Hòa Bình;120;90\n2;Xóm Đồng Tiến;80;60\n3;Tổ dân phố Trường Xuân;95;70\n"
	cp1258, err := legacy.EncodeWindows1258(csv)
	if err != nil {
		t.Fatal(err)
	}
	// The same CSV as Excel exports a sheet typed in legacy fonts: TCVN3
	// (.VnTime) and VNI (VNI-Times) glyphs saved as UTF-8, and the raw
	// TCVN3 bytes of an old tool. Written from the letter table in
	// schemas/charsets (its glyph columns), not by our encoder.
	tcvn3 := "STT;Tªn th«n;Tæng sè hé;Sè hé ®\u00adîc c«ng nhËn\n1;Th«n Hßa B×nh;120;90\n2;Xãm §ång TiÕn;80;60\n3;Tæ d©n phè Tr\u00adêng Xu©n;95;70\n"
	vni := "STT;Teân thoân;Toång soá hoä;Soá hoä ñöôïc coâng nhaän\n1;Thoân Hoøa Bình;120;90\n2;Xoùm Ñoàng Tieán;80;60\n3;Toå daân phoá Tröôøng Xuaân;95;70\n"
	rawTCVN3, err := charmap.Windows1252.NewEncoder().String(tcvn3)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		enc  string // expected conversion note, "" for none
	}{
		{"UTF-8", []byte(csv), ""},
		{"UTF-8 with BOM", append([]byte("\xef\xbb\xbf"), csv...), ""},
		{"Windows-1258", cp1258, "encoding-converted"},
		{"UTF-16 LE (Excel's Unicode text)", utf16LE(csv), ""},
		{"TCVN3 glyphs in UTF-8", []byte(tcvn3), "encoding-converted"},
		{"VNI glyphs in UTF-8", []byte(vni), "encoding-converted"},
		{"raw TCVN3 bytes", []byte(rawTCVN3), "encoding-converted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			rc := e.putProcess(t, "2026/19/01864/bao-cao.csv", tt.data, e.received)
			if rc.Status != receipt.Accepted {
				t.Fatalf("status %s: %v", rc.Status, codes(rc))
			}
			var names []string
			for _, h := range rc.Hamlets {
				names = append(names, h.Name)
			}
			if got := strings.Join(names, "|"); got != "Thôn Hòa Bình|Xóm Đồng Tiến|Tổ dân phố Trường Xuân" {
				t.Errorf("hamlets %q", got)
			}
			if rc.Totals["ho_tong"].Int != 295 || rc.Totals["ho_dat"].Int != 220 {
				t.Errorf("totals %v", rc.Totals)
			}
			converted := strings.Contains(strings.Join(codes(rc), " "), "encoding-converted")
			if converted != (tt.enc != "") {
				t.Errorf("issues %v, want a conversion note: %v", codes(rc), tt.enc != "")
			}
		})
	}
}

func utf16LE(s string) []byte {
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(strings.ReplaceAll(s, ";", "\t")))
	if err != nil {
		panic(err)
	}
	return b
}

// Bytes that are no text encoding we know are refused, not guessed.
func TestCSVUnknownBytes(t *testing.T) {
	e := newEnv(t)
	junk := []byte("STT;T\xean th\xf4n\x00\x01\x02\xff\xfe\xfd\x80\x81\n")
	rc := e.putProcess(t, "2026/19/01864/rac.csv", junk, e.received)
	if rc.Status != receipt.Rejected || codes(rc)[0] != "unreadable-file/error" {
		t.Fatalf("receipt %s %v, want unreadable-file", rc.Status, codes(rc))
	}
}
