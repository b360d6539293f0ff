package validate

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The definition of parseAs: the regular expressions its comment gives,
// as they were written before the byte scan replaced them.
var (
	defPlainRe     = regexp.MustCompile(`^[+-]?\d+$`)
	defVNGroupedRe = regexp.MustCompile(`^[+-]?[1-9]\d{0,2}(\.\d{3})+$`)
	defVNDecimalRe = regexp.MustCompile(`^[+-]?(\d+|[1-9]\d{0,2}(\.\d{3})+),(\d+)$`)
	defENGroupedRe = regexp.MustCompile(`^[+-]?[1-9]\d{0,2}(,\d{3})+$`)
	defENDecimalRe = regexp.MustCompile(`^[+-]?(\d+|[1-9]\d{0,2}(,\d{3})+)\.(\d+)$`)
)

func parseAsDefinition(s string, f numFormat) (v float64, dec int, ok bool) {
	thousands, decimal := ".", ","
	grouped, decimalRe := defVNGroupedRe, defVNDecimalRe
	if f == fmtEN {
		thousands, decimal = ",", "."
		grouped, decimalRe = defENGroupedRe, defENDecimalRe
	}
	switch {
	case defPlainRe.MatchString(s), grouped.MatchString(s):
	case decimalRe.MatchString(s):
		dec = len(decimalRe.FindStringSubmatch(s)[3])
	default:
		return 0, 0, false
	}
	n := strings.ReplaceAll(s, thousands, "")
	n = strings.Replace(n, decimal, ".", 1)
	v, err := strconv.ParseFloat(n, 64)
	return v, dec, err == nil
}

var parseAsCases = []string{
	"", "0", "7", "+7", "-3", "1234", "01234", "1.234", "1,234", "12,5", "12.5", "1.234,5", "1,234.5",
	"1.234.567", "1,234,567", "0,855", "0.855", "0.855,1", "2,000", "1.000", "1.23", "1.2345", "12.345.6",
	"1234.567", "1.234.", ".5", ",5", "5,", "5.", "+-1", "--1", "١٢", "1e5", "0x10", "Inf", "NaN", "1_000",
	"9999999999999999999999999999999999999999999999999999999999999999999999",
	"1.000.000,25", "1,000,000.25", "85%", "1 234", "+1.234,5", "-0,0", "1..234", "1.,5",
}

func TestParseAsEqualsDefinition(t *testing.T) {
	for _, s := range parseAsCases {
		for _, f := range []numFormat{fmtVN, fmtEN} {
			v, dec, ok := parseAs(s, f)
			wv, wdec, wok := parseAsDefinition(s, f)
			if ok != wok || dec != wdec || (ok && v != wv) {
				t.Errorf("parseAs(%q, %d) = %v, %d, %v; definition %v, %d, %v", s, f, v, dec, ok, wv, wdec, wok)
			}
		}
	}
}

func FuzzParseAs(f *testing.F) {
	for _, s := range parseAsCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fm := range []numFormat{fmtVN, fmtEN} {
			v, dec, ok := parseAs(s, fm)
			wv, wdec, wok := parseAsDefinition(s, fm)
			if ok != wok || dec != wdec || (ok && v != wv) {
				t.Fatalf("parseAs(%q, %d) = %v, %d, %v; definition %v, %d, %v", s, fm, v, dec, ok, wv, wdec, wok)
			}
		}
	})
}

// colNumbers memoises classify per text: the memo gives classify's answer,
// and stays bounded on a column of distinct texts.
func TestColNumbersMemo(t *testing.T) {
	cn := newColNumbers(3, kindCount, nil)
	for i := range 3 * maxSeen {
		s := strconv.Itoa(i*1001) + ",5"
		for range 2 { // the second time from the memo, when it holds it
			if got, want := cn.classify(s), classify(s, cn.plausible); got != want {
				t.Fatalf("classify(%q): memo %+v, definition %+v", s, got, want)
			}
		}
	}
	if len(cn.seen) > maxSeen {
		t.Errorf("memo holds %d texts, bound %d", len(cn.seen), maxSeen)
	}
}
