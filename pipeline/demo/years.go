package demo

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/xhht/xhht/pipeline/registry"
)

// Years other than BaseYear are derived from the commune's BaseYear data,
// not drawn afresh: the same hamlets (names, so the same hamlet identity),
// counts a few percent apart, rates a point or two lower each year back.
// Drawn independently, every commune differed from its last year by far
// more than the plausibility thresholds (schemas/quality): 79 of 86
// communes were flagged and ~1,100 hamlets read as gone or new. A handful
// of communes of BaseYear-1 carry one deliberate anomaly each (anomalyOf),
// so the province's board shows what each year-on-year flag looks like.
//
// Before the 2025 reform the communes were others: an old commune that
// went whole into a new one takes its share of the new commune's hamlets
// (hamlet j of the new commune to the j mod k-th of its k old communes, by
// code), so the re-based year adds up to the new commune's. An old commune
// that was split, or whose share would be empty, is drawn on its own.

// BaseYear is the year whose data is drawn; the others derive from it.
const BaseYear = 2026

// Anomaly is a deliberate year-on-year oddity in a derived year's data.
type Anomaly string

const (
	NoAnomaly     Anomaly = ""
	Copied        Anomaly = "copied"      // the year's figures equal BaseYear's exactly
	HamletGone    Anomaly = "hamlet gone" // one more hamlet than in BaseYear
	HouseholdJump Anomaly = "households"  // 30 % fewer households than in BaseYear
	RateJump      Anomaly = "rate"        // half the households recognised
)

// One commune in anomalyStride has an anomaly, at positions anomalyOffset,
// anomalyOffset+anomalyStride, … of the year's communes in code order.
const (
	anomalyStride = 20
	anomalyOffset = 11
)

var anomalies = []Anomaly{Copied, HamletGone, HouseholdJump, RateJump}

// anomalyOf is the anomaly of the i-th commune (in code order) in year:
// only the year just before BaseYear has any, about one commune in 20.
func anomalyOf(year, i int) Anomaly {
	if year != BaseYear-1 || i%anomalyStride != anomalyOffset {
		return NoAnomaly
	}
	return anomalies[(i/anomalyStride)%len(anomalies)]
}

// baseData is a commune's BaseYear hamlets and Biểu 02, as NewPlan draws
// them for BaseYear (same seed, same order of draws).
func baseData(c *registry.Unit) ([]Hamlet, *Commune) {
	rng := rand.New(rand.NewPCG(seed(c.Code), uint64(BaseYear)))
	hs := hamlets(rng, c)
	return hs, commune02(rng, BaseYear)
}

// derived gives the i-th commune's data for a year other than BaseYear,
// varied with rng (the year's own stream).
func derived(reg *registry.Registry, v *registry.Version, rng *rand.Rand, c *registry.Unit, i, year int) ([]Hamlet, *Commune) {
	var hs []Hamlet
	var c02 *Commune
	if v.HasDistricts() {
		base, share := oldShare(reg, c)
		if base == nil {
			return hamlets(rng, c), commune02(rng, year) // split or unknown: its own draw
		}
		all, b02 := baseData(base)
		for j, h := range all {
			if j%share.of == share.at {
				hs = append(hs, h)
			}
		}
		if len(hs) == 0 {
			return hamlets(rng, c), commune02(rng, year)
		}
		c02 = b02
	} else {
		hs, c02 = baseData(c)
	}
	back := BaseYear - year // years back; negative after BaseYear
	a := anomalyOf(year, i)
	if a == Copied {
		return hs, c02
	}
	out := make([]Hamlet, len(hs))
	for j, h := range hs {
		out[j] = vary(rng, h, back)
		switch a {
		case HouseholdJump:
			s := out[j]
			k := 0.7
			s.HoTong, s.HoDangKy, s.HoDat = scale(s.HoTong, k), scale(s.HoDangKy, k), scale(s.HoDat, k)
			s.LaoDongTong, s.CongDanDat = scale(s.LaoDongTong, k), scale(s.CongDanDat, k)
			out[j] = s
		case RateJump:
			out[j].HoDat /= 2
		}
	}
	if a == HamletGone {
		extra := vary(rng, hs[0], back)
		extra.Name = "Thôn Nà Cũ" // not a name hamlets() draws ("Cũ" is not among its second syllables)
		if c.Type == "Phường" {
			extra.Name = "Tổ dân phố Cũ"
		}
		out = append(out, extra)
	}
	return out, varyCommune(rng, c02, back)
}

// shareOf says which of the k old communes of a new one this is.
type shareOf struct{ at, of int }

// oldShare finds the new (2025) commune an old commune went into whole,
// and its place among the old communes that did; nil when it was split or
// is not in the reform map.
func oldShare(reg *registry.Registry, old *registry.Unit) (*registry.Unit, shareOf) {
	succ := reg.Successors(old.Code)
	if len(succ) != 1 || !succ[0].Full {
		return nil, shareOf{}
	}
	nv := reg.ByName("2025")
	if nv == nil {
		return nil, shareOf{}
	}
	nu := nv.Communes[succ[0].NewCode]
	if nu == nil {
		return nil, shareOf{}
	}
	var olds []string
	for code := range reg.ForYear(2024).Communes {
		if s := reg.Successors(code); len(s) == 1 && s[0].Full && s[0].NewCode == nu.Code {
			olds = append(olds, code)
		}
	}
	slices.Sort(olds)
	return nu, shareOf{at: slices.Index(olds, old.Code), of: len(olds)}
}

func scale(n int, k float64) int { return int(math.Round(float64(n) * k)) }

// jitter is 1 ± up to p.
func jitter(rng *rand.Rand, p float64) float64 { return 1 + (rng.Float64()*2-1)*p }

// vary is hamlet h some years back (back > 0) or on (back < 0): households
// ±3 % and ~1.5 % fewer a year back; recognised shares ~1.5 points lower a
// year back, ±2 points; clans and the community title mostly the same.
func vary(rng *rand.Rand, h Hamlet, back int) Hamlet {
	g := float64(back)
	o := h
	o.HoTong = max(1, scale(h.HoTong, jitter(rng, 0.03)*(1-0.015*g)))
	o.HoDangKy = min(o.HoTong, scale(h.HoDangKy, float64(o.HoTong)/float64(h.HoTong)))
	o.HoDat = min(o.HoDangKy, max(0, scale(h.HoDat, float64(o.HoTong)/float64(h.HoTong)*(jitter(rng, 0.02)-0.015*g))))
	o.DongHoTong = h.DongHoTong
	o.DongHoDangKy = h.DongHoDangKy
	if back > 0 && rng.IntN(3) == 0 {
		o.DongHoDat = max(0, h.DongHoDat-1)
	}
	o.CongDongDangKy = h.CongDongDangKy
	o.CongDongDat = h.CongDongDat
	if back > 0 && o.CongDongDat && rng.IntN(25) == 0 {
		o.CongDongDat = false
	}
	o.LaoDongTong = max(1, scale(h.LaoDongTong, float64(o.HoTong)/float64(h.HoTong)))
	o.CongDanDat = min(o.LaoDongTong, max(0, scale(h.CongDanDat, float64(o.LaoDongTong)/float64(h.LaoDongTong)*(jitter(rng, 0.02)-0.015*g))))
	o.Override = nil
	return o
}

// varyCommune is the Biểu 02 some years back or on, as vary.
func varyCommune(rng *rand.Rand, c *Commune, back int) *Commune {
	if c == nil {
		return nil
	}
	o := *c
	if back > 0 && rng.IntN(3) == 0 {
		o.DonViDat = max(0, c.DonViDat-1)
	}
	o.CanBoTong = max(1, scale(c.CanBoTong, jitter(rng, 0.03)))
	o.CanBoDat = min(o.CanBoTong, scale(c.CanBoDat, float64(o.CanBoTong)/float64(c.CanBoTong)*jitter(rng, 0.02)))
	o.TTSoLop = max(1, scale(c.TTSoLop, jitter(rng, 0.1)))
	o.TTLuot = scale(c.TTLuot, jitter(rng, 0.1))
	o.HoiVienTong = max(1, scale(c.HoiVienTong, jitter(rng, 0.05)))
	o.HoiVienTapHuan = min(o.HoiVienTong, scale(c.HoiVienTapHuan, jitter(rng, 0.1)))
	return &o
}
