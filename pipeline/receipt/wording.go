package receipt

import "regexp"

// The Vietnamese Message of an issue is read by commune officials: it
// names cells and columns in words. WordingProblem checks the rules tests
// hold every message to.

var (
	fieldCodeRe = regexp.MustCompile(`\b[a-z]+(?:_[a-z0-9]+)+\b`)                // ho_dat, cong_dong_dat
	slugRe      = regexp.MustCompile(`\b[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{6}\b`) // ban-pac-hin-941943
)

// WordingProblem says what an official's message must not have, or "":
// a field code, a {tag}, a hamlet code the system derived, brackets inside
// brackets. Text in double quotes is what the file says, as it says it,
// and is not checked.
func WordingProblem(msg string) string {
	depth, quoted := 0, false
	var plain []rune
	for _, r := range msg {
		if r == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		plain = append(plain, r)
		switch r {
		case '(':
			if depth++; depth > 1 {
				return "brackets inside brackets"
			}
		case ')':
			depth--
		case '{', '}':
			return "a {tag}"
		}
	}
	if m := fieldCodeRe.FindString(string(plain)); m != "" {
		return "the field code " + m
	}
	if m := slugRe.FindString(string(plain)); m != "" {
		return "the derived code " + m
	}
	return ""
}
