package textnorm

import (
	"testing"
	"unicode/utf8"
)

// foldCases are texts the fast path must fold exactly as the definition
// does: headers as communes write them, decomposed (NFD) input, invisible
// characters between and inside words, legacy-looking bytes, and text the
// fast path must hand over (CJK, Cyrillic, invalid UTF-8).
var foldCases = []string{
	"", " ", "Số hộ đạt GĐHT (hộ)", "SỐ HỘ ĐƯỢC CÔNG NHẬN", "Tỷ lệ %", "Thôn Nà Rì",
	"So\u0302\u0301 ho\u0323\u0302", // NFD, marks in another order
	"Số\u200Bhộ", "Số\u00A0hộ", "Số\u00ADhộ", "\uFEFFSTT", "Tổng\u3000cộng", "a\u2060b",
	"CĐHT và CDHT", "Đ đ", "1.234", "280 ", "x", "Có/Không", "  (1)  ", "=SUM(A1:A3)",
	"Hoà Hòa Hoá", "ǅ ǆ Ǳ", "İ ı ß ẞ", "Ωmega", "Привет", "学习型社会", "\xff\xfe", "a\xc3",
	"\u0301leading mark", "tab\tand\nnewline\r", "½ ² ①", "ĐƠN VỊ: HỘ",
	"…, ngày … tháng … năm …", "• Ô «Biểu 01» “Tổng cộng” — 5‰", "a\u2000b\u2028c\u2061d",
}

func TestFoldFastEqualsDefinition(t *testing.T) {
	for _, s := range foldCases {
		for _, keepD := range []bool{false, true} {
			if got, want := fold(s, keepD), foldSlow(s, keepD); got != want {
				t.Errorf("fold(%q, keepD=%v) = %q, definition %q", s, keepD, got, want)
			}
		}
	}
}

// The fast path must actually be taken for Vietnamese headers (a silent
// fallback would keep the results right and lose the speed), and must
// refuse what it cannot fold rune by rune.
func TestFoldFastCoverage(t *testing.T) {
	for _, s := range []string{"Số hộ đạt GĐHT (hộ)", "So\u0302\u0301 ho\u0323\u0302", "Số\u200Bhộ", "Tổng\u3000cộng", "1.234",
		"…, ngày … tháng … năm …", "• Giữ dòng «Tổng cộng»: “Cả nước thi đua” — 2‰"} {
		if _, ok := foldFast(s, false); !ok {
			t.Errorf("foldFast(%q) fell back to the slow path", s)
		}
	}
	for _, s := range []string{"学习", "Привет", "\xff"} {
		if _, ok := foldFast(s, false); ok {
			t.Errorf("foldFast(%q) took text outside its table", s)
		}
	}
}

// Every rune of the table, alone and between letters and marks it could
// combine with, folds as the definition says.
func TestFoldFastEveryTableRune(t *testing.T) {
	for _, rg := range fastRanges {
		for r := rg[0]; r <= rg[1]; r++ {
			for _, s := range []string{string(r), "ê" + string(r) + "\u0301x", "a " + string(r) + "b"} {
				for _, keepD := range []bool{false, true} {
					if got, want := fold(s, keepD), foldSlow(s, keepD); got != want {
						t.Errorf("fold(%q, keepD=%v) = %q, definition %q", s, keepD, got, want)
					}
				}
			}
		}
	}
}

func FuzzFoldFast(f *testing.F) {
	for _, s := range foldCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, keepD := range []bool{false, true} {
			got, want := fold(s, keepD), foldSlow(s, keepD)
			if got != want {
				t.Fatalf("fold(%q, keepD=%v) = %q, definition %q", s, keepD, got, want)
			}
			if !utf8.ValidString(got) {
				t.Fatalf("fold(%q) = %q: invalid UTF-8", s, got)
			}
		}
	})
}

func BenchmarkFold(b *testing.B) {
	for _, c := range []struct{ name, s string }{
		{"ascii", "STT"}, {"header", "Số hộ được công nhận gia đình học tập (hộ)"}, {"number", "1.234"},
	} {
		b.Run(c.name+"/fast", func(b *testing.B) {
			for b.Loop() {
				fold(c.s, false)
			}
		})
		b.Run(c.name+"/definition", func(b *testing.B) {
			for b.Loop() {
				foldSlow(c.s, false)
			}
		})
	}
}
