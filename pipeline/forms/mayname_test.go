package forms_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/forms"
)

// headerPool is every header text the schemas know (labels, aliases,
// sub-aliases, groups, rates, quantity and rate headers), their words, each
// with a unit note and in capitals, and texts of data rows.
func headerPool(f *forms.Form) []string {
	var base []string
	for _, fd := range f.Fields {
		base = append(append(append(base, fd.Label), fd.Aliases...), fd.SubAliases...)
	}
	for _, g := range f.Groups {
		base = append(append(base, g.Label), g.Aliases...)
	}
	for _, r := range f.Rates {
		base = append(append(append(base, r.Label), r.Aliases...), r.SubAliases...)
	}
	base = append(append(append(base, f.QuantityHeaders...), f.RateHeaders...), f.IgnoredHeaders...)
	base = append(base, "Thôn 1", "Thôn Nà Rì", "200", "Có", "Không", "Tổng cộng", "(1)", "Ghi chú", "UBND XÃ BẰNG THÀNH", "")
	var pool []string
	for _, s := range base {
		pool = append(pool, s, s+" (hộ)", strings.ToUpper(s))
		pool = append(pool, strings.Fields(s)...)
	}
	return pool
}

// MayName must pass a text of every column MatchHeader maps: the table
// reader skips header windows on its word.
func TestMayNameIsNecessaryForMatchHeader(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, f := range load(t).Forms {
		pool := headerPool(f)
		matched := 0
		check := func(leaf string, above []string) {
			if f.MatchHeader(leaf, above) == nil {
				return
			}
			matched++
			if f.MayName(leaf) {
				return
			}
			for _, a := range above {
				if f.MayName(a) {
					return
				}
			}
			t.Errorf("%s: MatchHeader(%q, %q) finds a field but MayName passes none of the texts", f.Code, leaf, above)
		}
		for i, leaf := range pool {
			check(leaf, nil)
			for j := i % 7; j < len(pool); j += 7 {
				check(leaf, []string{pool[j]})
			}
		}
		for range 20_000 {
			check(pool[rng.IntN(len(pool))], []string{pool[rng.IntN(len(pool))], pool[rng.IntN(len(pool))]})
		}
		if matched < 1000 {
			t.Errorf("%s: only %d matched columns: the pool misses the schema's headers", f.Code, matched)
		}
		for _, s := range []string{"Thôn Nà Rì", "200", "Có", "UBND XÃ BẰNG THÀNH", ""} {
			if f.MayName(s) {
				t.Errorf("%s: MayName(%q) = true: data texts should not pass", f.Code, s)
			}
		}
	}
}
