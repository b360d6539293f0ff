package table

import (
	"slices"
	"strings"

	"github.com/xhht/xhht/pipeline/textnorm"
)

// The commune a title block names, by code or by name. Offices write the
// code many ways ("Mã xã: 01840", "Mã số xã: 01840", "Mã: 01840",
// "Xã Bằng Thành (01840)", "Mã xã: 1840" or "(1840)" after Excel dropped
// the leading zero, full-width digits from some input methods) or only the
// commune's name ("UBND XÃ PHONG QUANG", "Tên xã: Phong Quang"). Hamlet
// codes ("Mã thôn: 01840-003"), phone numbers ("(0209) 3870 123", "ĐT:
// 0209.3870.123"), tax and postal codes and years ("(2026)") are not
// commune codes.
//
// Both checks read a line as tokens: folded words and numbers
// (textnorm.Fold: no diacritics, lower case) and the punctuation that
// separates phrases, each a token of its own ("(", ")", ",", ";", ":",
// ".", "-", "/"), so "Mã xã: 01840-003" is ma xa : 01840 - 003.
func titleTokens(line string) []string {
	var toks []string
	start := 0
	flush := func(end int) {
		if end > start {
			toks = append(toks, strings.Fields(textnorm.Fold(line[start:end]))...)
		}
	}
	for i, r := range line {
		m := markOf(r)
		if m == "" {
			continue
		}
		flush(i)
		toks = append(toks, m)
		start = i + len(string(r))
	}
	flush(len(line))
	for i, t := range toks {
		toks[i] = halfWidthDigits(t)
	}
	return toks
}

// markOf is the token a punctuation rune makes ("" for the rest): dashes
// are one "-", brackets parentheses, full-width forms their ASCII ones.
func markOf(r rune) string {
	switch r {
	case '(', '[', '（', '［':
		return "("
	case ')', ']', '）', '］':
		return ")"
	case ',', '，', '、':
		return ","
	case ';', '；':
		return ";"
	case ':', '：':
		return ":"
	case '.', '．', '。':
		return "."
	case '-', '–', '—', '‐', '‑', '－':
		return "-"
	case '/', '／':
		return "/"
	}
	return ""
}

func isMark(t string) bool { return len(t) == 1 && markOf(rune(t[0])) != "" }

func isDigits(t string) bool { return t != "" && strings.Trim(t, "0123456789") == "" }

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

// codeUnits are the words after "Mã" ("Mã số") that make it a commune
// code's label; commune says the unit is a commune's, so that a code of
// fewer than 4 digits (00040 read as a number: 40) is one too. Any other
// word ("Mã thôn", "Mã hộ", "Mã tỉnh", "Mã số thuế", "Mã bưu chính") is
// another code's label.
var codeUnits = []struct {
	words   []string
	commune bool
}{
	{[]string{"xa"}, true}, {[]string{"phuong"}, true}, {[]string{"thi", "tran"}, true}, {[]string{"dac", "khu"}, true},
	{[]string{"dvhc"}, true}, {[]string{"don", "vi", "hanh", "chinh"}, true}, {[]string{"don", "vi"}, false},
}

// TitleCommuneCodes returns the commune codes one title-block line writes,
// as 5 digits, in order.
func TitleCommuneCodes(line string) []string {
	if !strings.ContainsFunc(line, func(r rune) bool { return r >= '0' && r <= '9' || isFullWidthDigit(r) }) {
		return nil // most title lines
	}
	toks := titleTokens(line)
	var out []string
	for i, t := range toks {
		switch t {
		case "ma":
			if code, ok := labelledCode(toks, i+1); ok {
				out = append(out, code)
			}
		case "(":
			if code, ok := codeInParens(toks, i); ok {
				out = append(out, code)
			}
		}
	}
	return out
}

// labelledCode reads the code after "Mã" (toks[j] is the word after it):
// "số", a unit (or two: "Mã xã/phường"), a colon, then a number standing
// alone. Five digits are a code; four are one whose leading zero was
// dropped ("1840"; "0209" is not); fewer only after a commune's unit.
func labelledCode(toks []string, j int) (string, bool) {
	at := func(k int) string {
		if k < len(toks) {
			return toks[k]
		}
		return ""
	}
	if at(j) == "so" {
		j++
	}
	commune := false
	for units := 0; units < 2; units++ {
		n := 0
		for _, u := range codeUnits {
			if hasWords(toks, j, u.words) {
				n, commune = len(u.words), commune || u.commune
				break
			}
		}
		if n == 0 {
			break
		}
		j += n
		if at(j) != "/" || units == 1 {
			break
		}
		j++ // "xã/phường"
	}
	if at(j) == ":" {
		j++
	}
	d := at(j)
	if !isDigits(d) || !standsAlone(toks, j) {
		return "", false
	}
	switch {
	case len(d) == 5:
		return d, true
	case len(d) == 4 && d[0] != '0':
		return "0" + d, true
	case len(d) < 4 && commune && strings.Trim(d, "0") != "":
		return strings.Repeat("0", 5-len(d)) + d, true
	}
	return "", false
}

// standsAlone: the number at toks[j] is not the first part of a longer one
// ("01840-003", "0209.3870.123", "1840/QĐ-UBND", "0209 3870 123").
func standsAlone(toks []string, j int) bool {
	if j+1 >= len(toks) {
		return true
	}
	next := toks[j+1]
	if isDigits(next) {
		return false
	}
	if next == "-" || next == "/" {
		return false // "01840-003", "1840/QĐ-UBND"
	}
	return next != "." || j+2 >= len(toks) || !isDigits(toks[j+2])
}

// notCodeLabels are words before a number in parentheses that make it
// something else: a phone, fax, postal, account or tax number. ("Điện"
// alone is no label: Điện Biên is a province.)
var notCodeLabels = [][]string{{"dt"}, {"sdt"}, {"dien", "thoai"}, {"fax"}, {"buu", "chinh"}, {"buu", "dien"}, {"tai", "khoan"}, {"thue"}, {"mst"}}

func notCodeLabelAt(toks []string, k int) bool {
	return slices.ContainsFunc(notCodeLabels, func(l []string) bool { return hasWords(toks, k, l) })
}

// codeInParens reads "(01840)" at toks[i] == "(". Five digits are a code
// anywhere, unless the line labels a phone or postal number before them.
// Four (the leading zero dropped: "(1840)") after a commune's name ("Xã
// Bằng Thành (1840)"), or as a cell of their own when they cannot be a
// year: elsewhere they are as often a year ("Năm (2026)") or an area code
// ("(0209)", never a code: it starts with 0). A code from 01900 to 02099
// alone in parentheses, without its zero, is taken for a year.
func codeInParens(toks []string, i int) (string, bool) {
	if i+2 >= len(toks) || toks[i+2] != ")" || !isDigits(toks[i+1]) {
		return "", false
	}
	if i+3 < len(toks) && isDigits(toks[i+3]) {
		return "", false // "(0209) 3870 123"
	}
	communeBefore := false
	for k := 0; k < i; k++ {
		if notCodeLabelAt(toks, k) {
			return "", false
		}
		if communeWordAt(toks, k) > 0 {
			communeBefore = true
		}
	}
	d := toks[i+1]
	switch {
	case len(d) == 5:
		return d, true
	case len(d) == 4 && d[0] != '0' && communeBefore && (i == 0 || !dateWords[toks[i-1]]):
		return "0" + d, true
	case len(d) == 4 && d[0] != '0' && i == 0 && len(toks) == 3 && !(d[:2] == "19" || d[:2] == "20"):
		// The whole cell, under the commune's name: "(1849)", but not
		// "(2026)".
		return "0" + d, true
	}
	return "", false
}

// dateWords before "(2026)" make it a year.
var dateWords = map[string]bool{"nam": true, "thang": true, "ngay": true, "quy": true}

func hasWords(toks []string, j int, words []string) bool {
	if j+len(words) > len(toks) {
		return false
	}
	for k, w := range words {
		if toks[j+k] != w {
			return false
		}
	}
	return true
}

// communeWordAt is the number of tokens of a commune word at toks[i] ("xã",
// "phường", "thị trấn", "đặc khu", or "P.", "X.", "TT." abbreviated), 0
// when there is none. "Thị xã" is a district, and "Mã xã" a code's label.
func communeWordAt(toks []string, i int) int {
	prev := ""
	if i > 0 {
		prev = toks[i-1]
	}
	switch {
	case prev == "ma" || (prev == "so" && i > 1 && toks[i-2] == "ma"):
		return 0
	case toks[i] == "xa" && prev == "thi":
		return 0
	case toks[i] == "xa", toks[i] == "phuong":
		return 1
	case hasWords(toks, i, []string{"thi", "tran"}), hasWords(toks, i, []string{"dac", "khu"}):
		return 2
	case (toks[i] == "p" || toks[i] == "x" || toks[i] == "tt") && i+1 < len(toks) && toks[i+1] == ".":
		return 2
	}
	return 0
}

// CommuneName is a commune of the register, for CommuneNames.
type CommuneName struct {
	Code  string
	Name  string // "Xã Phong Quang"
	Short string // "Phong Quang"
}

// CommuneNames finds the communes a name may be: all the communes of a
// register, by folded short name. Many names are shared (ten communes
// are called Tân An), so a name is one of several communes.
type CommuneNames struct {
	byName   map[string][]CommuneName
	maxWords int
}

// NewCommuneNames indexes communes by their folded short names.
func NewCommuneNames(communes []CommuneName) *CommuneNames {
	n := &CommuneNames{byName: make(map[string][]CommuneName, len(communes))}
	for _, c := range communes {
		words := strings.Fields(textnorm.Fold(c.Short))
		if len(words) == 0 {
			continue
		}
		k := strings.Join(words, " ")
		n.byName[k] = append(n.byName[k], c)
		n.maxWords = max(n.maxWords, len(words))
	}
	return n
}

// TitleOther reports the commune a title-block line names after a commune
// word ("UBND XÃ PHONG QUANG", "Phường Đức Xuân, tỉnh …", "Tên xã: Phong
// Quang", "P. Văn Miếu – Quốc Tử Giám") when that name cannot be the
// upload's own commune (code own): a name it shares with others ("Tân
// Phú") is its own. A hamlet or district of the name ("Thôn Phong Quang",
// "Huyện Phong Quang", "Thị xã Sơn Tây") is not a commune, and the name
// must end where the phrase does ("Xã Phong Quang Nam" is not "Xã Phong
// Quang").
func (n *CommuneNames) TitleOther(line, own string) (string, bool) {
	if n == nil || len(n.byName) == 0 {
		return "", false
	}
	toks := titleTokens(line)
	for i := 0; i < len(toks); i++ {
		cw := communeWordAt(toks, i)
		if cw == 0 {
			continue
		}
		start := i + cw
		if start < len(toks) && toks[start] == ":" {
			start++ // "Tên xã: Phong Quang"
		}
		if start >= len(toks) || isMark(toks[start]) {
			continue // "xã, phường": kinds, not a name
		}
		if toks[start] == "nam" && nameStop(toks[start:]) {
			continue // "cấp xã năm 2026": a year, not Xã Nam
		}
		cs, end := n.longest(toks, start)
		if len(cs) == 0 {
			continue
		}
		if slices.ContainsFunc(cs, func(c CommuneName) bool { return c.Code == own }) {
			i = end - 1 // its own name: words inside it are no commune words
			continue
		}
		return pickName(cs, toks[i]), true
	}
	return "", false
}

// longest finds the longest name at toks[start] that ends where a phrase
// does: the communes of that name, and the end of the name.
func (n *CommuneNames) longest(toks []string, start int) ([]CommuneName, int) {
	for end := min(len(toks), start+n.maxWords+2); end > start; end-- {
		if end < len(toks) && !nameStop(toks[end:]) {
			continue
		}
		if key, ok := nameKey(toks[start:end]); ok && len(n.byName[key]) > 0 {
			return n.byName[key], end
		}
	}
	return nil, 0
}

// nameKey joins the words of a candidate name, leaving out dashes and
// dots ("Văn Miếu - Quốc Tử Giám", "N.T Phong Hải": the register's key
// is folded, without them); a name holds no other punctuation, and
// neither begins nor ends with them.
func nameKey(toks []string) (string, bool) {
	inName := func(t string) bool { return t == "-" || t == "." }
	if inName(toks[0]) || inName(toks[len(toks)-1]) {
		return "", false
	}
	var b strings.Builder
	for _, t := range toks {
		if inName(t) {
			continue
		}
		if isMark(t) {
			return "", false
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	return b.String(), true
}

// pickName is the name to show of the communes a written name may be: the
// first of the kind the line wrote ("Phường …"), else the first.
func pickName(cs []CommuneName, word string) string {
	switch word {
	case "p":
		word = "phuong"
	case "x":
		word = "xa"
	case "tt":
		word = "thi"
	}
	for _, c := range cs {
		if f := textnorm.Fold(c.Name); strings.HasPrefix(f, word+" ") {
			return c.Name
		}
	}
	return cs[0].Name
}

// nameStop reports whether toks, following a name, begin something else:
// punctuation, the next unit ("huyện", "tỉnh", "thành phố", "thị xã",
// "quận", "xã", "phường"), a label ("mã"), or a year ("năm 2026", "2026";
// "Nam" alone is part of names).
func nameStop(toks []string) bool {
	t := toks[0]
	switch {
	case isMark(t):
		return true
	case isDigits(t) && len(t) >= 4:
		return true
	}
	switch t {
	case "huyen", "tinh", "quan", "ma", "xa", "phuong":
		return true
	case "thanh":
		return len(toks) > 1 && toks[1] == "pho"
	case "thi":
		return len(toks) > 1 && (toks[1] == "xa" || toks[1] == "tran")
	case "dac":
		return len(toks) > 1 && toks[1] == "khu"
	case "nam":
		return len(toks) > 1 && len(toks[1]) == 4 && isDigits(toks[1])
	}
	return false
}
