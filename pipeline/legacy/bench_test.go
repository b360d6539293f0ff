package legacy

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// A 30-hamlet workbook's text cells: hamlet name, head of the hamlet,
// title reached, note.
func hamletCells() []string {
	places := []string{"Đồng Tâm", "Nà Hẩu", "Thượng Hiền", "Hòa Bình", "Phú Lộc", "Tân Thịnh",
		"Khuổi Vằn", "Làng Mới", "Quyết Tiến", "Đoàn Kết"}
	kinds := []string{"Thôn", "Bản", "Tổ dân phố"}
	people := []string{"Nguyễn Văn Hùng", "Trần Thị Thuỷ", "Lê Đức Thắng", "Phạm Thị Hường",
		"Hoàng Văn Lợi", "Vũ Thị Ngọc Ánh", "Đặng Quốc Việt"}
	titles := []string{"Cộng đồng học tập", "Gia đình học tập", "Dòng họ học tập", "Chưa đạt"}
	notes := []string{"Đã kiểm tra, đủ hồ sơ", "Thiếu biên bản họp thôn", "Số hộ tăng do tách hộ", ""}
	var cells []string
	for i := 0; i < 30; i++ {
		cells = append(cells,
			fmt.Sprintf("%s %s %d", kinds[i%len(kinds)], places[i%len(places)], i/len(places)+1),
			people[i%len(people)], titles[i%len(titles)], notes[i%len(notes)])
	}
	return cells
}

// fold strips the diacritics: the same cells in plain ASCII.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case r == 'đ':
			b.WriteByte('d')
		case r == 'Đ':
			b.WriteByte('D')
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func benchDecode(b *testing.B, enc Encoding, cells []string) {
	n := 0
	for _, c := range cells {
		n += len(c)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cells {
			_ = Decode(enc, false, c)
		}
	}
}

func legacyCells(b *testing.B, enc Encoding) []string {
	var out []string
	for _, c := range hamletCells() {
		l := encode(b, enc, c)
		if Decode(enc, false, l) != c {
			b.Fatalf("%s: %q does not round-trip", enc, c)
		}
		out = append(out, l)
	}
	return out
}

func BenchmarkDecodeTCVN3(b *testing.B) { benchDecode(b, TCVN3, legacyCells(b, TCVN3)) }
func BenchmarkDecodeVNI(b *testing.B)   { benchDecode(b, VNI, legacyCells(b, VNI)) }

// Baseline: the same cells in plain ASCII (the fast path).
func BenchmarkDecodeASCII(b *testing.B) {
	var cells []string
	for _, c := range hamletCells() {
		cells = append(cells, fold(c))
	}
	benchDecode(b, TCVN3, cells)
}

// Baseline: the same cells in Unicode, normalised to NFC (what the reader
// does with Unicode text).
func BenchmarkUnicodeNFC(b *testing.B) {
	cells := hamletCells()
	n := 0
	for _, c := range cells {
		n += len(c)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cells {
			_ = norm.NFC.String(c)
		}
	}
}

// A 50,000-row CSV of the Biểu 01 kind.
func csvText() string {
	cells := hamletCells()
	var sb strings.Builder
	sb.WriteString("Mã xã;Tên thôn;Trưởng thôn;Danh hiệu;Số hộ;Ghi chú\r\n")
	for i := 0; i < 50000; i++ {
		h := i % 30
		fmt.Fprintf(&sb, "%05d;%s;%s;%s;%d;%s\r\n", 1000+i%700, cells[4*h], cells[4*h+1], cells[4*h+2], 50+i%300, cells[4*h+3])
	}
	return sb.String()
}

func BenchmarkDecodeWindows1258(b *testing.B) {
	text := csvText()
	raw := encode1258(b, text)
	if s, err := DecodeWindows1258(raw); err != nil || s != text {
		b.Fatal("Windows-1258 CSV does not round-trip")
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeWindows1258(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// Reference: x/text's decoder and NFC.
func BenchmarkDecodeWindows1258XText(b *testing.B) {
	raw := encode1258(b, csvText())
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		s, err := charmap.Windows1258.NewDecoder().Bytes(raw)
		if err != nil {
			b.Fatal(err)
		}
		_ = norm.NFC.String(string(s))
	}
}

// Baselines: the same CSV in UTF-8, checked and copied into a string, and
// also normalised to NFC.
func BenchmarkDecodeUTF8(b *testing.B) {
	raw := []byte(csvText())
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if !utf8.Valid(raw) {
			b.Fatal("invalid")
		}
		_ = string(raw)
	}
}

func BenchmarkDecodeUTF8NFC(b *testing.B) {
	raw := []byte(csvText())
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if !utf8.Valid(raw) {
			b.Fatal("invalid")
		}
		_ = norm.NFC.String(string(raw))
	}
}

// Detection over a whole 30-hamlet workbook's text.
func BenchmarkDetectColumn(b *testing.B) {
	cells := legacyCells(b, TCVN3)
	b.ReportAllocs()
	for b.Loop() {
		if enc, conf := DetectColumn(cells); enc != TCVN3 || conf < 0.8 {
			b.Fatal(enc, conf)
		}
	}
}
