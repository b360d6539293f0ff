package quality

import (
	"math"
	"slices"
)

// ModifiedZ returns the modified z-score of each value (Iglewicz and
// Hoaglin, 1993):
//
//	M_i = 0.6745 · (x_i − median) / MAD,  MAD = median(|x_i − median|)
//
// 0.6745 is the 0.75 quantile of the standard normal, so for normal data M
// is on the scale of an ordinary z-score; |M| > 3.5 is their suggested
// outlier cut. Median and MAD, unlike mean and standard deviation, are not
// dragged by the outlier itself, and skewed counts do not flood the list.
//
// NaN values (a null rate) are ignored in the median and MAD and get a NaN
// score. When MAD is 0 (more than half the values are equal) the formula
// divides by zero; then, as Iglewicz and Hoaglin's successors (and IBM's
// SPSS) do, the mean absolute deviation is used instead with its own
// constant: M_i = (x_i − median) / (1.253314 · MeanAD). When that is 0 too
// (every value equal) every score is 0: nothing stands out. A value that
// differs from a majority of equal values therefore still scores, but not
// as "infinitely" far.
func ModifiedZ(values []float64) []float64 {
	out := make([]float64, len(values))
	var xs []float64
	for _, v := range values {
		if !math.IsNaN(v) {
			xs = append(xs, v)
		}
	}
	if len(xs) == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
		return out
	}
	med := median(xs)
	dev := make([]float64, len(xs))
	sum := 0.0
	for i, x := range xs {
		dev[i] = math.Abs(x - med)
		sum += dev[i]
	}
	mad := median(dev)
	meanAD := sum / float64(len(xs))
	for i, v := range values {
		switch {
		case math.IsNaN(v):
			out[i] = math.NaN()
		case mad > 0:
			out[i] = 0.6745 * (v - med) / mad
		case meanAD > 0:
			out[i] = (v - med) / (1.253314 * meanAD)
		default:
			out[i] = 0
		}
	}
	return out
}

// median of xs (not modified; len(xs) > 0).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
