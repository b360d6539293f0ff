package validate

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/textnorm"
	"github.com/xhht/xhht/pipeline/vnnum"
	"github.com/xhht/xhht/pipeline/workbook"
)

// Numbers written as text, decided per column. This is the one place the
// rule lives (schemas/README.md repeats it for officials' support staff).
//
// A numeric cell's stored value is trusted as is and never counts below.
// A text cell is read both ways, after removing spaces (and a final "%"
// in a rate column):
//
//	| text                                     | Vietnamese   | English      |
//	|------------------------------------------|--------------|--------------|
//	| "1234", "1 234", "-3"                    | 1234         | 1234         | same either way
//	| "12,5", "1.234,5", "1.234.567", "0,855"  | 12.5 …       | –            | Vietnamese only
//	| "12.5", "1,234.5", "1,234,567", "0.855"  | –            | 12.5 …       | English only
//	| "1.234"                                  | 1234         | 1.234        | either: one separator
//	| "2,000"                                  | 2            | 2000         |   and three digits
//
// (A thousands group never starts with 0: "0.855" is only a decimal.) A
// reading is plausible when it fits the column: a whole number for a count,
// min–max for a score, 0–100 for a rate. A cell is evidence for a format
// when only that format reads it plausibly: "12,5" for Vietnamese and
// "12.5" for English in a score column; "1.234" for Vietnamese and "1,234"
// for English in a count column (1,234 or 1.234 households cannot be);
// "2,000" households is evidence of nothing (2 and 2000 both can be).
//
//	| Vietnamese evidence | English evidence | the column is read as                    |
//	|---------------------|------------------|------------------------------------------|
//	| none or some        | none             | Vietnamese (the national convention)     |
//	| none                | some             | English, with a warning naming the column |
//	| some                | some             | mixed: every cell whose reading depends  |
//	|                     |                  | on the format is an error                |
//
// A cell only one format reads is read that way (then "12,5" or "12.5"
// households fails as not whole). A cell either format reads is read only
// when its separator is the thousands separator of the column's format:
// "1.234" = 1234 in a Vietnamese column, "2,000" = 2000 in an English one;
// "2,000" in a Vietnamese column and "1.000" in an English one stay errors
// (ambiguous), as do all of them in a mixed column. In a rate column, which
// is never stored, each of these errors is a warning.

type numFormat uint8

const (
	fmtVN numFormat = iota
	fmtEN
)

// parseAs reads s (spaces already removed) in one format; dec is the
// number of decimals written. The shapes accepted, with "." and "," the
// format's thousands and decimal marks (the other way round in English):
//
//	plain    ^[+-]?\d+$
//	grouped  ^[+-]?[1-9]\d{0,2}(\.\d{3})+$
//	decimal  ^[+-]?(\d+|[1-9]\d{0,2}(\.\d{3})+),(\d+)$   dec = len of the last group
//
// It runs on every number cell twice (once per format), so it scans the
// bytes instead of matching those expressions; FuzzParseAs holds it equal
// to them.
func parseAs(s string, f numFormat) (v float64, dec int, ok bool) {
	thousands, decimal := byte('.'), byte(',')
	if f == fmtEN {
		thousands, decimal = ',', '.'
	}
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	whole, frac := body, ""
	if i := strings.IndexByte(body, decimal); i >= 0 {
		whole, frac = body[:i], body[i+1:]
		if !allDigits(frac) {
			return 0, 0, false
		}
		dec = len(frac)
	}
	if !allDigits(whole) && !grouped(whole, thousands) {
		return 0, 0, false
	}
	// The number as ParseFloat reads it: no thousands marks, "." decimal.
	var buf [64]byte
	n := buf[:0]
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case thousands:
		case decimal:
			n = append(n, '.')
		default:
			n = append(n, c)
		}
	}
	v, err := strconv.ParseFloat(string(n), 64)
	return v, dec, err == nil
}

// allDigits: s is one or more ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// grouped: s is 1-3 digits not starting with 0, then one or more groups of
// sep and 3 digits.
func grouped(s string, sep byte) bool {
	i := strings.IndexByte(s, sep)
	if i < 1 || i > 3 || s[0] == '0' || !allDigits(s[:i]) {
		return false
	}
	for rest := s[i:]; rest != ""; rest = rest[4:] {
		if len(rest) < 4 || rest[0] != sep || !allDigits(rest[1:4]) {
			return false
		}
	}
	return true
}

// cellCat is what a text cell says about its column's format.
type cellCat uint8

const (
	catNone   cellCat = iota // not a number either way
	catSame                  // the same value either way
	catVN                    // Vietnamese evidence
	catEN                    // English evidence
	catVNOnly                // only Vietnamese reads it, implausibly: read so, no evidence
	catENOnly                // only English reads it, implausibly
	catEither                // both read it, differently, and neither reading is the only plausible one
)

type textNum struct {
	cat          cellCat
	vn, en       float64
	vnDec, enDec int
	sep          string // catEither: "." or ","
}

func classify(s string, plausible func(float64) bool) textNum {
	var t textNum
	s, ok := vnnum.Ungroup(s)
	if !ok { // "15 6", "429⏎13": two numbers in one cell are no number
		return t
	}
	var vnOK, enOK bool
	t.vn, t.vnDec, vnOK = parseAs(s, fmtVN)
	t.en, t.enDec, enOK = parseAs(s, fmtEN)
	switch {
	case vnOK && enOK && t.vn == t.en:
		t.cat = catSame
	case vnOK && enOK:
		vp, ep := plausible(t.vn), plausible(t.en)
		switch {
		case vp && !ep:
			t.cat = catVN
		case ep && !vp:
			t.cat = catEN
		default:
			t.cat = catEither
			t.sep = "."
			if strings.Contains(s, ",") {
				t.sep = ","
			}
		}
	case vnOK && plausible(t.vn):
		t.cat = catVN
	case vnOK:
		t.cat = catVNOnly
	case enOK && plausible(t.en):
		t.cat = catEN
	case enOK:
		t.cat = catENOnly
	}
	return t
}

// kind of values a column holds, for plausibility and messages.
type numKind uint8

const (
	kindCount numKind = iota
	kindScore
	kindRate
)

// example is a cell quoted in a message.
type example struct{ ref, text string }

// colNumbers is the number format decided for one column.
type colNumbers struct {
	col       int
	kind      numKind
	min, max  *float64 // score bounds
	english   bool
	mixed     bool
	vnEx      example // first Vietnamese evidence
	enEx      example // first English evidence
	fraction  bool    // rate column whose numeric cells are all ≤ 1: fractions (0.855 = 85.5%)
	plausible func(float64) bool
	// seen memoises classify for the column's texts: decide and read
	// both classify every cell, and a column repeats its numbers ("0",
	// "12", "250"). Bounded, so a column of distinct texts costs no more
	// than it did.
	seen map[string]textNum
}

// maxSeen bounds colNumbers.seen.
const maxSeen = 1024

// classify is classify(s, cn.plausible), memoised.
func (cn *colNumbers) classify(s string) textNum {
	if t, ok := cn.seen[s]; ok {
		return t
	}
	t := classify(s, cn.plausible)
	if cn.seen == nil {
		cn.seen = map[string]textNum{}
	}
	if len(cn.seen) < maxSeen {
		cn.seen[s] = t
	}
	return t
}

func newColNumbers(col int, kind numKind, fd *forms.Field) *colNumbers {
	cn := &colNumbers{col: col, kind: kind}
	switch kind {
	case kindCount:
		cn.plausible = func(v float64) bool { return v == math.Trunc(v) }
	case kindScore:
		if fd != nil {
			cn.min, cn.max = fd.Min, fd.Max
		}
		cn.plausible = func(v float64) bool {
			return (cn.min == nil || v >= *cn.min) && (cn.max == nil || v <= *cn.max)
		}
	case kindRate:
		cn.plausible = func(v float64) bool { return v >= 0 && v <= 100 }
	}
	return cn
}

// text is a text cell as read for numbers: cleaned, and without a final
// "%" in a rate column.
func (cn *colNumbers) text(c workbook.Cell) string {
	s := cleanKeepBreaks(c.Text)
	if cn.kind == kindRate {
		s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	}
	return s
}

// lineBreaks are the characters that end a line inside a cell.
const lineBreaks = "\r\n\v\f\u0085\u2028\u2029"

// cleanKeepBreaks is textnorm.Clean, except that a line break inside the
// text stays one ("429\r13" is two numbers, which Clean would make
// "429 13" and a thousands group could not tell apart).
func cleanKeepBreaks(raw string) string {
	if !strings.ContainsAny(raw, lineBreaks) {
		return textnorm.Clean(raw)
	}
	var lines []string
	for _, l := range strings.FieldsFunc(raw, func(r rune) bool { return strings.ContainsRune(lineBreaks, r) }) {
		if l = textnorm.Clean(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// decide looks at every cell of the column in rows and fixes the format.
func (cn *colNumbers) decide(rows []workbook.Row) {
	numeric, small := 0, 0
	for _, r := range rows {
		c := r.Cell(cn.col)
		switch c.Kind {
		case workbook.Number:
			numeric++
			if math.Abs(c.Num) <= 1 {
				small++
			}
		case workbook.String:
			s := cn.text(c)
			switch cn.classify(s).cat {
			case catVN:
				if cn.vnEx.ref == "" {
					cn.vnEx = example{workbook.CellRef(r.Num, cn.col), s}
				}
			case catEN:
				if cn.enEx.ref == "" {
					cn.enEx = example{workbook.CellRef(r.Num, cn.col), s}
				}
			}
		}
	}
	cn.mixed = cn.vnEx.ref != "" && cn.enEx.ref != ""
	cn.english = cn.enEx.ref != "" && cn.vnEx.ref == ""
	cn.fraction = cn.kind == kindRate && numeric > 0 && small == numeric
}

// read gives the number in a cell: its value and the decimals written (for
// rate rounding), or a problem. Blank and error cells are the caller's.
func (cn *colNumbers) read(c workbook.Cell) (float64, int, *problem) {
	if c.Kind == workbook.Number {
		v, dec := c.Num, decimals(c.Num)
		if cn.fraction {
			v, dec = v*100, max(dec-2, 0)
		}
		return v, dec, nil
	}
	if c.Kind != workbook.String {
		return 0, 0, cn.notNumber(textnorm.Clean(c.Text))
	}
	s := cn.text(c)
	t := cn.classify(s)
	if cn.mixed && (t.cat == catVN || t.cat == catEN || t.cat == catEither) {
		return 0, 0, cn.mixedProblem(s)
	}
	switch t.cat {
	case catSame, catVN, catVNOnly:
		return t.vn, t.vnDec, nil
	case catEN, catENOnly:
		return t.en, t.enDec, nil
	case catEither:
		if cn.english && t.sep == "," {
			return t.en, t.enDec, nil
		}
		if !cn.english && t.sep == "." {
			return t.vn, t.vnDec, nil
		}
		return 0, 0, cn.ambiguous(s, t)
	}
	return 0, 0, cn.notNumber(s)
}

// decimals is the number of decimals of v's shortest representation.
func decimals(v float64) int {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// plainVN writes v with a decimal comma and no thousands separator
// (messages about formats: "1234", "12,5").
func plainVN(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1)
}

func plainEN(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (cn *colNumbers) colName() string { return workbook.ColName(cn.col) }

func (cn *colNumbers) notNumber(s string) *problem {
	switch cn.kind {
	case kindScore:
		return typeErr(
			fmt.Sprintf("%q không phải là số điểm (ví dụ 85 hoặc 85,5)", s),
			fmt.Sprintf("%q is not a score (e.g. 85 or 85,5)", s))
	case kindRate:
		return typeErr(
			fmt.Sprintf("%q không phải là tỷ lệ phần trăm (ví dụ 85 hoặc 85,5%%)", s),
			fmt.Sprintf("%q is not a percentage (e.g. 85 or 85,5%%)", s))
	}
	return typeErr(
		fmt.Sprintf("%q không phải là số. Hãy ghi bằng chữ số, ví dụ 50 hoặc 1.234", s),
		fmt.Sprintf("%q is not a number; write digits, e.g. 50 or 1.234 ('.' between thousands)", s))
}

func (cn *colNumbers) ambiguous(s string, t textNum) *problem {
	whole := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), ".", ""), ",", "")
	grouped := whole
	if v, err := strconv.ParseFloat(whole, 64); err == nil {
		grouped = vnShow(v)
	}
	if cn.english {
		return typeErr(
			fmt.Sprintf("%q không rõ là bao nhiêu: cột %s viết số theo kiểu tiếng Anh (ô %s ghi %q), theo đó dấu chấm là dấu thập phân và %q là %s; nhưng theo cách viết Việt Nam %q là %s. Hãy ghi bằng chữ số không có dấu phân cách (ví dụ %s)",
				s, cn.colName(), cn.enEx.ref, cn.enEx.text, s, plainVN(t.en), s, plainVN(t.vn), whole),
			fmt.Sprintf("%q is ambiguous: column %s is written the English way (cell %s: %q), where it is %s, but the Vietnamese way it is %s. Write digits without separators (e.g. %s)",
				s, cn.colName(), cn.enEx.ref, cn.enEx.text, plainEN(t.en), plainEN(t.vn), whole))
	}
	why, whyEN := fmt.Sprintf("các ô khác của cột %s không cho biết cột viết theo kiểu nào", cn.colName()),
		fmt.Sprintf("no other cell of column %s tells which", cn.colName())
	if cn.vnEx.ref != "" {
		why = fmt.Sprintf("cột %s viết theo kiểu Việt Nam (ô %s ghi %q) nhưng dấu phẩy ở đây giống dấu phân cách hàng nghìn kiểu tiếng Anh", cn.colName(), cn.vnEx.ref, cn.vnEx.text)
		whyEN = fmt.Sprintf("column %s is written the Vietnamese way (cell %s: %q) but this comma looks like an English thousands separator", cn.colName(), cn.vnEx.ref, cn.vnEx.text)
	}
	return typeErr(
		fmt.Sprintf("%q không rõ là bao nhiêu: theo cách viết Việt Nam dấu phẩy là dấu thập phân (%q là %s), theo cách viết tiếng Anh %q là %s, và %s. Hãy ghi bằng chữ số không có dấu phân cách (ví dụ %s) hoặc dùng dấu chấm phân cách hàng nghìn (%s)",
			s, s, plainVN(t.vn), s, plainVN(t.en), why, whole, grouped),
		fmt.Sprintf("%q is ambiguous: the Vietnamese way ',' is the decimal mark (%s), the English way it is %s, and %s. Write %s or %s",
			s, plainEN(t.vn), plainEN(t.en), whyEN, whole, grouped))
}

func (cn *colNumbers) mixedProblem(s string) *problem {
	return typeErr(
		fmt.Sprintf("cột %s viết số theo cả hai kiểu: kiểu Việt Nam (ô %s ghi %q) và kiểu tiếng Anh (ô %s ghi %q), nên không chắc %q là bao nhiêu. Hãy viết cả cột theo một kiểu, tốt nhất là kiểu Việt Nam: dấu chấm phân cách hàng nghìn (1.234), dấu phẩy thập phân (12,5)",
			cn.colName(), cn.vnEx.ref, cn.vnEx.text, cn.enEx.ref, cn.enEx.text, s),
		fmt.Sprintf("column %s mixes Vietnamese (cell %s: %q) and English (cell %s: %q) number formats, so %q cannot be read with certainty. Write the whole column one way, preferably 1.234 and 12,5",
			cn.colName(), cn.vnEx.ref, cn.vnEx.text, cn.enEx.ref, cn.enEx.text, s))
}

// vnShow writes a number the Vietnamese way for messages: "1.234", "12,5".
func vnShow(v float64) string {
	return Display(workbook.Cell{Kind: workbook.Number, Num: v})
}
