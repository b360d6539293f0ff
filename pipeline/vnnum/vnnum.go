// Package vnnum reads and writes numbers the Vietnamese way: "." groups
// thousands, "," is the decimal mark ("1.234,5").
package vnnum

import (
	"regexp"
	"strconv"
	"strings"
)

// Rules for numbers written as text, in one place:
//   - "." groups thousands and must be followed by exactly three digits: "1.234" = 1234;
//   - "," is the decimal mark: "12,5" = 12.5;
//   - spaces inside group thousands too: "1 234" = 1234;
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
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
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
	return englishRe.MatchString(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

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
	n, _ := strconv.ParseInt(whole, 10, 64)
	out := Int(n)
	if n == 0 && strings.HasPrefix(whole, "-") {
		out = "-0"
	}
	if frac != "" {
		out += "," + frac
	}
	return out
}
