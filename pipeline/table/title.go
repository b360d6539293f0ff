package table

import (
	"regexp"
	"strings"

	"github.com/xhht/xhht/pipeline/textnorm"
)

// The commune a title block names, by code or by name. Offices write the
// code many ways ("Mã xã: 01840", "Mã số xã: 01840", "Mã: 01840",
// "Xã Bằng Thành (01840)", "Mã xã: 1840" after Excel dropped the leading
// zero, full-width digits from some input methods) or only the commune's
// name ("UBND XÃ PHONG QUANG"). Hamlet codes ("Mã thôn: 01840-003"),
// phone numbers ("(0209) 3870 123", "ĐT: 0209.3870.123") and tax codes
// are not commune codes: a code is 5 digits (4 only after a label that
// says xã or phường) standing alone, after a label naming no other unit.
var (
	// On folded text: "ma", optionally "so", optionally the unit, then
	// the digits as a word of their own.
	labelled5 = regexp.MustCompile(`(?:^| )ma(?: so)?(?: (?:xa|phuong|dac khu|thi tran|don vi hanh chinh|dvhc|don vi))? (\d{5})(?: |$)`)
	labelled4 = regexp.MustCompile(`(?:^| )ma(?: so)? (?:xa|phuong|dac khu|thi tran) (\d{4})(?: |$)`)
	// On the text itself: five digits alone in parentheses.
	inParens = regexp.MustCompile(`\(\s*(\d{5})\s*\)`)
)

// TitleCommuneCodes returns the commune codes one title-block line writes,
// as 5 digits, in order.
func TitleCommuneCodes(line string) []string {
	line = halfWidthDigits(line)
	var out []string
	f := textnorm.Fold(line)
	for _, m := range labelled5.FindAllStringSubmatch(f, -1) {
		out = append(out, m[1])
	}
	for _, m := range labelled4.FindAllStringSubmatch(f, -1) {
		out = append(out, "0"+m[1])
	}
	for _, m := range inParens.FindAllStringSubmatch(line, -1) {
		out = append(out, m[1])
	}
	return out
}

// halfWidthDigits turns full-width digits (U+FF10–FF19) into ASCII ones.
func halfWidthDigits(s string) string {
	if !strings.ContainsFunc(s, isFullWidthDigit) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isFullWidthDigit(r) {
			return '0' + (r - '０')
		}
		return r
	}, s)
}

func isFullWidthDigit(r rune) bool { return r >= '０' && r <= '９' }

// communeWords are how a title writes the kind of commune before its name.
var communeWords = []string{"xa", "phuong", "thi tran", "dac khu"}

// TitleOtherCommune reports the first commune of others that the line
// names after a commune word ("UBND XÃ PHONG QUANG", "Phường Đức Xuân,
// tỉnh …"). others maps a folded short name (textnorm.Fold("Phong
// Quang")) to the commune's full name; the caller leaves out names equal
// to the upload's own commune. A hamlet or district of the same name
// ("Thôn Phong Quang", "Huyện Phong Quang") is not a commune.
func TitleOtherCommune(line string, others map[string]string) (string, bool) {
	if len(others) == 0 {
		return "", false
	}
	// The name must end where the line's phrase ends (punctuation, the
	// end) or where the next unit begins: "Xã Phong Quang Nam" is not
	// "Xã Phong Quang".
	segs := strings.FieldsFunc(line, func(r rune) bool { return strings.ContainsRune(",;:()[]/–—-.", r) })
	for _, seg := range segs {
		words := strings.Fields(textnorm.Fold(seg))
		for i := range words {
			for _, cw := range communeWords {
				n := len(strings.Fields(cw))
				if i+n > len(words) || strings.Join(words[i:i+n], " ") != cw {
					continue
				}
				for end := min(len(words), i+n+6); end > i+n; end-- {
					if end < len(words) && !nameStop(words[end:]) {
						continue
					}
					if name, ok := others[strings.Join(words[i+n:end], " ")]; ok {
						return name, true
					}
				}
			}
		}
	}
	return "", false
}

// nameStop reports whether words, following a name, begin something else:
// the next unit ("huyện", "tỉnh", "thành phố", "thị xã", "quận"), a label
// ("mã"), or a year ("năm 2026"; "Nam" alone is part of names).
func nameStop(words []string) bool {
	switch words[0] {
	case "huyen", "tinh", "thanh", "thi", "quan", "ma", "xa", "phuong":
		return true
	case "nam":
		return len(words) > 1 && len(words[1]) == 4 && strings.Trim(words[1], "0123456789") == ""
	}
	return false
}
