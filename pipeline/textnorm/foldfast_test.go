package textnorm

import (
	"sync"
	"testing"
	"unicode/utf8"
	"unsafe"
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

// nameCases are names and cells for Clean and NameKey: hamlet names in
// both tone placements, upper case, decomposed, with invisible characters
// and odd spaces, and text the fast paths must hand over.
var nameCases = append([]string{
	"Thôn Hòa Bình", "thôn hoà bình", "XÓM THUỶ", "Xóm Thủy", "Ho\u0300a", "Tổ dân phố  1",
	"Bản Mới", "Bản Mời", "Đồng Tâm 12", " Thôn\u00A0Na   Rì ", "Tổng\u200B số\u00ADhộ",
	"Tổng số\nhộ", "a1 b2", "Ươ ượ", "ǅ", "Thôn\u2003Mới", "Làng\u2028Cũ", "\u0085x", "a\u007fb",
	"Thôn 3 ", "Thôn  3", "1.234", "", " ", "\t",
}, foldCases...)

func TestCleanAndNameKeyFastEqualDefinitions(t *testing.T) {
	for _, s := range nameCases {
		if got, want := Clean(s), cleanSlow(s); got != want {
			t.Errorf("Clean(%q) = %q, definition %q", s, got, want)
		}
		if got, want := NameKey(s), nameKeySlow(s); got != want {
			t.Errorf("NameKey(%q) = %q, definition %q", s, got, want)
		}
	}
}

// The fast paths must be taken for Vietnamese names (a silent fallback
// keeps results right and loses the speed) and refuse what they cannot
// handle rune by rune.
func TestCleanAndNameKeyFastCoverage(t *testing.T) {
	for _, s := range []string{"Thôn Hòa Bình", "XÓM THUỶ", "Tổng\u200B số\u00ADhộ", " Thôn\u00A0Na   Rì ", "Ươ ượ ỹ Ỵ", "1.234"} {
		if _, ok := cleanFast(s); !ok {
			t.Errorf("cleanFast(%q) fell back to the definition", s)
		}
		if _, ok := nameKeyFast(s); !ok {
			t.Errorf("nameKeyFast(%q) fell back to the definition", s)
		}
	}
	for _, s := range []string{"Ho\u0300a", "学习", "Привет", "\xff", "Thôn\u2003Mới"} {
		if _, ok := cleanFast(s); ok {
			t.Errorf("cleanFast(%q) took text outside its table", s)
		}
		if _, ok := nameKeyFast(s); ok {
			t.Errorf("nameKeyFast(%q) took text outside its table", s)
		}
	}
	// Already clean: the same string back, not a copy.
	s := "Thôn Đồng Tâm 12"
	if c := Clean(s); unsafe.StringData(c) != unsafe.StringData(s) {
		t.Errorf("Clean(%q) copied a clean text", s)
	}
}

// Neighbouring runes could interact in normalisation; the table's
// condition says they cannot. Every pair of table runes side by side
// checks it, and each table rune before and after a few with an invisible
// character between (Clean drops it after normalising).
func TestNameKeyFastPairs(t *testing.T) {
	var runes []rune
	for _, rg := range runeInfos.ranges {
		for r := rg[0]; r <= rg[1]; r++ {
			if runeInfos.get(r).kind == runeKeep {
				runes = append(runes, r)
			}
		}
	}
	if len(runes) < 600 {
		t.Fatalf("only %d runes in the table", len(runes))
	}
	check := func(s string) {
		t.Helper()
		if got, want := NameKey(s), nameKeySlow(s); got != want {
			t.Fatalf("NameKey(%q) = %q, definition %q", s, got, want)
		}
		if got, want := Clean(s), cleanSlow(s); got != want {
			t.Fatalf("Clean(%q) = %q, definition %q", s, got, want)
		}
	}
	for _, a := range runes {
		for _, b := range runes {
			check(string(a) + string(b))
		}
		for _, b := range "aAêƠỳĐ" {
			check(string(a) + "\u200B" + string(b))
			check(string(b) + "\u00AD" + string(a))
		}
	}
}

func FuzzCleanFast(f *testing.F) {
	for _, s := range nameCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Clean(s), cleanSlow(s); got != want {
			t.Fatalf("Clean(%q) = %q, definition %q", s, got, want)
		}
	})
}

func FuzzNameKeyFast(f *testing.F) {
	for _, s := range nameCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := NameKey(s), nameKeySlow(s); got != want {
			t.Fatalf("NameKey(%q) = %q, definition %q", s, got, want)
		}
	})
}

func BenchmarkNameKey(b *testing.B) {
	for _, s := range []string{"Thôn Đồng Tâm 12", "Tổ dân phố Hoà Bình"} {
		b.Run("fast", func(b *testing.B) {
			for b.Loop() {
				NameKey(s)
			}
		})
		b.Run("definition", func(b *testing.B) {
			for b.Loop() {
				nameKeySlow(s)
			}
		})
	}
}

// The per-rune tables fill as texts are read, from any goroutine (ingest
// checks files in parallel): lookups racing on empty slots give the
// definition's values (run with -race).
func TestLazyRunesConcurrent(t *testing.T) {
	lr := newLazyRunes(fastRanges, func(r rune) foldRune { return foldRuneOf(r, true) })
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, rg := range fastRanges {
				for r := rg[0]; r <= rg[1]; r += 7 {
					if got, want := *lr.get(r), foldRuneOf(r, true); got != want {
						t.Errorf("rune %U: %+v, definition %+v", r, got, want)
					}
				}
			}
			for r := range invisible {
				if lr.get(r) == nil {
					t.Errorf("invisible %U not in the table", r)
				}
			}
		})
	}
	wg.Wait()
	for _, r := range []rune{0x0370, 0x1DFF, 0x1F00, '学', 0x2008} {
		if lr.get(r) != nil {
			t.Errorf("rune %U outside the ranges has an entry", r)
		}
	}
}
