package rollupscale

import (
	"math/big"
	"testing"
)

// TestCompare: the comparison the scale test relies on tells apart what
// must differ (a NULL from a zero, counts off by one, rates off by more
// than 1e-12) and accepts DuckDB's HUGEINT sums.
func TestCompare(t *testing.T) {
	for _, c := range []struct {
		got, want any
		ok        bool
	}{
		{int64(5), int64(5), true},
		{big.NewInt(5), int64(5), true},
		{int32(5), int64(5), true},
		{int64(6), int64(5), false},
		{nil, int64(0), false},
		{int64(0), nil, false},
		{nil, nil, true},
		{0.25, 0.25 + 1e-13, true},
		{0.25, 0.25 + 1e-11, false},
		{nil, 0.5, false},
		{0.5, nil, false},
		{"x", int64(1), false},
	} {
		if msg := compare("col", c.got, c.want); (msg == "") != c.ok {
			t.Errorf("compare(%v, %v) = %q, want ok=%v", c.got, c.want, msg, c.ok)
		}
	}
}
