package quality

import (
	"math"
	"testing"
)

// The worked examples are computed by hand here, not by the code under test.
func TestModifiedZWorkedExamples(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name string
		in   []float64
		want []float64
	}{
		{
			// Sorted: 10 12 12 13 14 15 40 → median = 13 (4th of 7).
			// |x − 13| = 3 1 1 0 1 2 27 → sorted 0 1 1 1 2 3 27 → MAD = 1.
			// M = 0.6745·(x − 13)/1:
			//   10 → −2.0235, 12 → −0.6745, 13 → 0, 14 → 0.6745, 15 → 1.349,
			//   40 → 0.6745·27 = 18.2115 (the only |M| > 3.5).
			name: "odd count, one outlier",
			in:   []float64{10, 12, 12, 13, 14, 15, 40},
			want: []float64{-2.0235, -0.6745, -0.6745, 0, 0.6745, 1.349, 18.2115},
		},
		{
			// Sorted: 1 2 3 4 6 100 → median = (3+4)/2 = 3.5.
			// |x − 3.5| = 2.5 1.5 0.5 0.5 96.5 2.5 → sorted 0.5 0.5 1.5 2.5 2.5 96.5
			// → MAD = (1.5+2.5)/2 = 2.
			// M(1) = 0.6745·(−2.5)/2 = −0.8430625; M(100) = 0.6745·96.5/2 = 32.544625.
			name: "even count: median and MAD average the middle pair",
			in:   []float64{1, 2, 3, 4, 100, 6},
			want: []float64{-0.8430625, -0.5059, -0.16863, 0.16863, 32.544625, 0.84306},
		},
		{
			// Median 5, deviations 0 0 0 0 4 → MAD = 0: the mean absolute
			// deviation stands in, 4/5 = 0.8; M = (x − 5)/(1.253314·0.8)
			// = (x − 5)/1.0026512 → M(9) = 4/1.0026512 = 3.98942.
			name: "MAD 0: mean absolute deviation",
			in:   []float64{5, 5, 5, 5, 9},
			want: []float64{0, 0, 0, 0, 3.98942},
		},
		{
			name: "all equal: nothing stands out",
			in:   []float64{7, 7, 7},
			want: []float64{0, 0, 0},
		},
		{
			// A null rate (NaN) is left out of median and MAD: same as the first case.
			name: "NaN ignored",
			in:   []float64{nan, 10, 12, 12, 13, 14, 15, 40},
			want: []float64{nan, -2.0235, -0.6745, -0.6745, 0, 0.6745, 1.349, 18.2115},
		},
		{name: "only NaN", in: []float64{nan}, want: []float64{nan}},
		{name: "empty", in: nil, want: []float64{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ModifiedZ(c.in)
			if len(got) != len(c.want) {
				t.Fatalf("len %d, want %d", len(got), len(c.want))
			}
			for i := range got {
				w := c.want[i]
				if math.IsNaN(w) != math.IsNaN(got[i]) || (!math.IsNaN(w) && math.Abs(got[i]-w) > 1e-4) {
					t.Errorf("M[%d] (x=%v) = %v, want %v", i, c.in[i], got[i], w)
				}
			}
		})
	}
}
