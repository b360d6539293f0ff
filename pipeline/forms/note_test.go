package forms

import (
	"regexp"
	"testing"
)

// The regexp noteStart replaces, kept here as its definition.
var trailingNote = regexp.MustCompile(`\s*\([^()]*\)\s*$`)

func regexpNoteStart(s string) int {
	if m := trailingNote.FindStringIndex(s); m != nil {
		return m[0]
	}
	return -1
}

var noteCases = []string{
	"", "(", ")", "()", "( )", "Tổng số hộ (hộ)", "Tổng số hộ  (hộ)  ", "Số lớp (lớp)\t", "(hộ)",
	"SL (hộ) (người)", "a (b (c))", "a (b) c", "a )b(", "x (\n) ", "a(\xff)", "Tỷ lệ (%) ", " \t(x)", "a ((b)",
	"Số hộ (được công nhận", "Số hộ được công nhận)", "a\v(b)", "a\f(b)\r",
}

func TestNoteStartIsTheRegexp(t *testing.T) {
	for _, s := range noteCases {
		if got, want := noteStart(s), regexpNoteStart(s); got != want {
			t.Errorf("noteStart(%q) = %d, the regexp says %d", s, got, want)
		}
	}
}

func FuzzNoteStart(f *testing.F) {
	for _, s := range noteCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := noteStart(s), regexpNoteStart(s); got != want {
			t.Errorf("noteStart(%q) = %d, the regexp says %d", s, got, want)
		}
	})
}
