// Package vnnum reads and writes numbers the Vietnamese way: "." groups
// thousands, "," is the decimal mark ("1.234,5").
package vnnum

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Rules for numbers written as text, in one place:
//   - "." groups thousands and must be followed by exactly three digits: "1.234" = 1234;
//   - "," is the decimal mark: "12,5" = 12.5;
//   - a space (or a no-break space, or a narrow one) groups thousands too,
//     but only between groups of three digits: "1 234" = 1234; any other
//     space or a line break inside ("15 6", "429⏎13") makes it no number:
//     two numbers typed into one cell must not be glued into one;
//   - anything else ("12.5", "1,234.5", "50%", "abc") is not a Vietnamese number.
//
// A percentage is read only where a rate or score is expected (ParsePercent).
var (
	intRe     = regexp.MustCompile(`^[+-]?\d{1,3}(\.\d{3})+$|^[+-]?\d+$`)
	decimalRe = regexp.MustCompile(`^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$`)
	englishRe = regexp.MustCompile(`^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$`)
)

// Parse reads s by the rules above. s should already be cleaned of
// invisible characters (textnorm.Clean).
func Parse(s string) (float64, bool) {
	s, ok := Ungroup(strings.TrimSpace(s))
	if !ok {
		return 0, false
	}
	switch {
	case intRe.MatchString(s):
		v, err := strconv.ParseFloat(strings.ReplaceAll(s, ".", ""), 64)
		return v, err == nil
	case decimalRe.MatchString(s):
		v, err := strconv.ParseFloat(strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", "."), 64)
		return v, err == nil
	}
	return 0, false
}

// ParsePercent is Parse that also accepts a final "%": "85,5%" = 85.5.
func ParsePercent(s string) (float64, bool) {
	return Parse(strings.TrimSuffix(strings.TrimSpace(s), "%"))
}

// LooksEnglish reports whether s has the shape of an English-format number
// with "," between thousands ("2,000", "1,234,567", "1,234.5"). Read the
// Vietnamese way "2,000" is the decimal 2: a count written like that is
// ambiguous and must not be taken silently.
func LooksEnglish(s string) bool {
	s, ok := Ungroup(strings.TrimSpace(s))
	return ok && englishRe.MatchString(s)
}

// Ungroup removes the spaces that group thousands from a trimmed s: a
// space, a no-break space (U+00A0) or a narrow one (U+202F), each with a
// digit before it and exactly three digits after it ("1 234 567", "-1 234,5").
// ok is false when s holds any other white space: a space elsewhere ("15 6",
// "1 23"), a line break, a carriage return or a tab ("429\r13").
func Ungroup(s string) (string, bool) {
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r != ' ' && r != '\u00A0' && r != '\u202F' {
			return s, false
		}
		rest := s[i+n:]
		if i == 0 || !isDigit(s[i-1]) || len(rest) < 3 || !isDigit(rest[0]) || !isDigit(rest[1]) || !isDigit(rest[2]) ||
			(len(rest) > 3 && isDigit(rest[3])) {
			return s, false
		}
		if b.Len() == 0 { // the first group: one to three digits
			d := 0
			for d < i && isDigit(s[i-1-d]) {
				d++
			}
			if d > 3 {
				return s, false
			}
		}
		b.WriteString(s[:i])
		s = rest
		i = strings.IndexFunc(s, unicode.IsSpace)
	}
	b.WriteString(s)
	return b.String(), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Int writes a whole number with "." between thousands: 245310 → "245.310".
func Int(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteByte(s[i])
	}
	return sign + b.String()
}

// Float writes a decimal with "," and the given number of decimals:
// (78.64, 1) → "78,6"; thousands are grouped: (1234.5, 1) → "1.234,5".
func Float(f float64, decimals int) string {
	s := strconv.FormatFloat(f, 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	// Grouped as digits, not through int64: 1e20 is no int64, and
	// ParseInt's range error gave the int64 maximum.
	sign, digits := "", whole
	if strings.HasPrefix(whole, "-") {
		sign, digits = "-", whole[1:]
	}
	var b strings.Builder
	for i := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteByte(digits[i])
	}
	out := sign + b.String()
	if frac != "" {
		out += "," + frac
	}
	return out
}
