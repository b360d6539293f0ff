package textnorm

import (
	"slices"
	"strings"
	"testing"
)

// Vietnamese alphabetical order, by hand from the alphabet (a ă â b c d đ
// e ê … o ô ơ … u ư …) and the tone order ngang, huyền, hỏi, ngã, sắc,
// nặng.
func TestVietnameseKey(t *testing.T) {
	cases := []struct {
		name string
		in   []string
		want []string
	}{
		{"a before ă before â", []string{"Bắc Kạn", "Bá Xuyên", "Bách Quang", "Bâu"}, []string{"Bá Xuyên", "Bách Quang", "Bắc Kạn", "Bâu"}},
		{"d before đ", []string{"Đồng Hỷ", "Dân Tiến", "Duy Tân"}, []string{"Dân Tiến", "Duy Tân", "Đồng Hỷ"}},
		{"o ô ơ, u ư", []string{"Ơn", "Ô Diên", "Ong", "Ư", "Uông Bí"}, []string{"Ong", "Ô Diên", "Ơn", "Uông Bí", "Ư"}},
		{"letters first, then tones", []string{"Má", "Mà", "Ma", "Mạ", "Mả", "Mã", "Mai"}, []string{"Ma", "Mà", "Mả", "Mã", "Má", "Mạ", "Mai"}},
		{"case and spaces ignored", []string{"an khánh", "An  Khánh", "An Bình"}, []string{"An Bình", "an khánh", "An  Khánh"}},
		{"digits before letters; shorter first", []string{"Thôn 2", "Thôn 10", "Thôn A", "Thôn"}, []string{"Thôn", "Thôn 10", "Thôn 2", "Thôn A"}},
		{"punctuation after letters", []string{"Thôn-B", "Thôn Z", "Thônz"}, []string{"Thôn Z", "Thônz", "Thôn-B"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := slices.Clone(c.in)
			slices.SortStableFunc(got, func(a, b string) int { return strings.Compare(VietnameseKey(a), VietnameseKey(b)) })
			if !slices.Equal(got, c.want) {
				t.Errorf("sorted %q, want %q", got, c.want)
			}
		})
	}
}
