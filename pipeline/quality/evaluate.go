package quality

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/vnnum"
)

// The inputs the rules look at: what the roll-up counted for each commune
// of a year, with its last accepted year. pipeline/rollup fills them from
// its tables (flags.go); tests fill them by hand.

// Commune is one commune's counted data of the year.
type Commune struct {
	ProvinceCode, CommuneCode, CommuneName string
	// SubmissionID is the counted submission the commune's flags are about
	// (its Biểu 01 one, else its Biểu 02 one).
	SubmissionID string
	// Values are the commune-level sums and rates (roll-up column → value);
	// a null is absent.
	Values  map[string]float64
	Hamlets []Hamlet // this year's counted Biểu 01 rows
	// Prev is the commune's last accepted year; nil when it has none.
	Prev *Previous
	// Unchanged is set when the latest accepted upload of the year has
	// exactly the rows of the previous accepted one.
	Unchanged *Unchanged
}

// Previous is a commune's last accepted year, on this year's units.
type Previous struct {
	Year int
	// Comparable false: the commune cannot be compared with that year (a
	// split commune without a hamlet assignment); Reason says why, in
	// Vietnamese, for the not_comparable row.
	Comparable bool
	Reason     string
	Values     map[string]float64
	Hamlets    []Hamlet
}

// Hamlet is one Biểu 01 row. MaThon is the roll-up's hamlet identity.
type Hamlet struct {
	MaThon, TenThon, SubmissionID string
	Values                        map[string]float64 // a null is absent
}

// Unchanged describes a re-upload identical to the previous accepted one.
type Unchanged struct {
	Latest, Previous     string // submission ids
	LatestAt, PreviousAt time.Time
	Rows                 int
}

// eps absorbs floating-point noise: 0.8 − 0.6 is 0.20000000000000007, and
// a change of exactly the threshold is not "more than" it.
const eps = 1e-9

// Evaluate applies the rules to the communes of a year and returns the
// flags, sorted by province, commune and flag id. Cross-commune rules
// compare communes of the same province only.
func Evaluate(r *Rules, year int, communes []Commune) []Flag {
	var out []Flag
	for i := range communes {
		out = append(out, r.own(year, &communes[i])...)
	}
	out = append(out, r.rateOutliers(year, communes)...)
	slices.SortFunc(out, func(a, b Flag) int {
		return cmp.Or(strings.Compare(a.ProvinceCode, b.ProvinceCode), strings.Compare(a.CommuneCode, b.CommuneCode), strings.Compare(a.FlagID, b.FlagID))
	})
	return out
}

// yearOnYear are the rules that compare a commune with its last accepted
// year.
var yearOnYear = map[string]bool{RuleChange: true, RuleHamletGone: true, RuleHamletNew: true, RuleRateChange: true,
	RuleCopied: true, RuleNotComparable: true}

// flag starts a flag of commune c.
func flag(year int, c *Commune, rule, indicator string, h *Hamlet) Flag {
	f := Flag{Year: year, ProvinceCode: c.ProvinceCode, CommuneCode: c.CommuneCode, CommuneName: c.CommuneName,
		Rule: rule, Indicator: indicator, Comparable: true, SubmissionID: c.SubmissionID}
	if h != nil {
		f.MaThon, f.TenThon = h.MaThon, h.TenThon
		if h.SubmissionID != "" {
			f.SubmissionID = h.SubmissionID
		}
	}
	f.FlagID = FlagID(rule, indicator, f.MaThon)
	return f
}

func num(v float64) *float64 { return &v }

// value returns m[k] as a pointer, nil when absent.
func value(m map[string]float64, k string) *float64 {
	if v, ok := m[k]; ok {
		return &v
	}
	return nil
}

// own applies the rules that look at one commune alone: against its own
// last year, within its hamlets, and the unchanged re-upload.
func (r *Rules) own(year int, c *Commune) []Flag {
	var out []Flag
	prev := c.Prev
	if prev != nil && !prev.Comparable {
		f := flag(year, c, RuleNotComparable, "", nil)
		f.Comparable = false
		f.Message = fmt.Sprintf("Không so sánh được với năm %d", prev.Year)
		if prev.Reason != "" {
			f.Message += ": " + prev.Reason
		}
		out = append(out, f)
		prev = nil // no year-on-year rule applies
	}
	if prev != nil {
		out = append(out, r.change(year, c, prev)...)
		out = append(out, r.hamletsMoved(year, c, prev)...)
		out = append(out, r.rateChange(year, c, prev)...)
		out = append(out, r.copied(year, c, prev)...)
	}
	out = append(out, r.recognisedAll(year, c, prev)...)
	out = append(out, r.hamletOutliers(year, c, prev)...)
	if c.Prev != nil {
		// The year compared with: the commune's last accepted year, which
		// is not always last year (Previous.Year).
		for i := range out {
			if out[i].PreviousValue != nil || yearOnYear[out[i].Rule] {
				out[i].PreviousYear = c.Prev.Year
			}
		}
	}
	if ru := r.Get(RuleUnchanged); ru != nil && c.Unchanged != nil {
		u := c.Unchanged
		f := flag(year, c, RuleUnchanged, "", nil)
		f.SubmissionID = u.Latest
		f.Value = num(float64(u.Rows))
		now, before := vnTime(u.LatestAt), vnTime(u.PreviousAt)
		if now == before {
			// Two uploads in one minute read "lúc 14:07 … lúc 14:07" (walk
			// L1): the seconds tell them apart.
			now, before = vnTimeSec(u.LatestAt), vnTimeSec(u.PreviousAt)
		}
		f.Message = fmt.Sprintf("Tệp nộp lúc %s giống hệt tệp nộp lúc %s (không thay đổi)", now, before)
		out = append(out, f)
	}
	return out
}

func (r *Rules) change(year int, c *Commune, prev *Previous) []Flag {
	ru := r.Get(RuleChange)
	if ru == nil {
		return nil
	}
	var out []Flag
	for _, ind := range ru.Indicators {
		v, okV := c.Values[ind]
		p, okP := prev.Values[ind]
		if !okV || !okP || p <= 0 {
			continue // no relative change from an unknown or zero last year
		}
		s := (v - p) / p
		if math.Abs(s) <= ru.Threshold+eps {
			continue
		}
		f := flag(year, c, RuleChange, ind, nil)
		f.Value, f.PreviousValue, f.Threshold, f.Score = num(v), num(p), num(ru.Threshold), num(s)
		f.Message = fmt.Sprintf("%s %s %s so với năm %d (%s → %s)", r.Label(ind), upDown(s), pct(math.Abs(s)), prev.Year, count(p), count(v))
		out = append(out, f)
	}
	return out
}

// hamletsMoved flags hamlets that disappeared or appeared, by ma_thon. It
// needs Biểu 01 rows in both years: a commune that sent only Biểu 02 one
// year did not lose its hamlets.
func (r *Rules) hamletsMoved(year int, c *Commune, prev *Previous) []Flag {
	if len(c.Hamlets) == 0 || len(prev.Hamlets) == 0 {
		return nil
	}
	cur, old := byCode(c.Hamlets), byCode(prev.Hamlets)
	var out []Flag
	if r.Get(RuleHamletGone) != nil {
		for _, h := range prev.Hamlets {
			if _, ok := cur[h.MaThon]; ok {
				continue
			}
			h.SubmissionID = "" // last year's: the flag is about this year's file
			f := flag(year, c, RuleHamletGone, "ho_tong", &h)
			f.PreviousValue = value(h.Values, "ho_tong")
			f.Message = fmt.Sprintf("“%s” có trong báo cáo năm %d nhưng năm nay không có", h.TenThon, prev.Year)
			out = append(out, f)
		}
	}
	if r.Get(RuleHamletNew) != nil {
		for _, h := range c.Hamlets {
			if _, ok := old[h.MaThon]; ok {
				continue
			}
			f := flag(year, c, RuleHamletNew, "ho_tong", &h)
			f.Value = value(h.Values, "ho_tong")
			f.Message = fmt.Sprintf("“%s” năm nay mới có, năm %d không có", h.TenThon, prev.Year)
			out = append(out, f)
		}
	}
	return out
}

func byCode(hs []Hamlet) map[string]*Hamlet {
	m := make(map[string]*Hamlet, len(hs))
	for i := range hs {
		m[hs[i].MaThon] = &hs[i]
	}
	return m
}

func (r *Rules) rateChange(year int, c *Commune, prev *Previous) []Flag {
	ru := r.Get(RuleRateChange)
	if ru == nil {
		return nil
	}
	var out []Flag
	for _, ind := range ru.Indicators {
		v, okV := c.Values[ind]
		p, okP := prev.Values[ind]
		if !okV || !okP {
			continue
		}
		d := v - p
		if math.Abs(d) <= ru.Threshold+eps {
			continue
		}
		f := flag(year, c, RuleRateChange, ind, nil)
		f.Value, f.PreviousValue, f.Threshold, f.Score = num(v), num(p), num(ru.Threshold), num(d)
		f.Message = fmt.Sprintf("%s %s %s điểm phần trăm so với năm %d (%s → %s)", r.Label(ind), upDown(d), vnnum.Float(math.Abs(d)*100, 1), prev.Year, pct(p), pct(v))
		out = append(out, f)
	}
	return out
}

// copied: every hamlet row (by ma_thon) and every commune-level figure the
// rule lists equals last year's, with at least Threshold numbers filled.
func (r *Rules) copied(year int, c *Commune, prev *Previous) []Flag {
	ru := r.Get(RuleCopied)
	if ru == nil || len(c.Hamlets) != len(prev.Hamlets) {
		return nil
	}
	old := byCode(prev.Hamlets)
	if len(old) != len(prev.Hamlets) || len(byCode(c.Hamlets)) != len(c.Hamlets) {
		return nil // a code twice: rows cannot be paired
	}
	filled := 0
	same := func(a, b map[string]float64, cols []string) bool {
		for _, k := range cols {
			x, okX := a[k]
			y, okY := b[k]
			if okX != okY || x != y {
				return false
			}
			if okX {
				filled++
			}
		}
		return true
	}
	for _, h := range c.Hamlets {
		o, ok := old[h.MaThon]
		if !ok || !same(h.Values, o.Values, ru.Indicators) {
			return nil
		}
	}
	if !same(c.Values, prev.Values, ru.CommuneIndicators) || float64(filled) < ru.Threshold {
		return nil
	}
	f := flag(year, c, RuleCopied, "", nil)
	f.Value, f.Threshold = num(float64(filled)), num(ru.Threshold)
	f.Message = fmt.Sprintf("Mọi số liệu (%s số) giống hệt năm %d: có thể đã chép lại số liệu năm %[2]d", count(float64(filled)), prev.Year)
	return []Flag{f}
}

// recognisedAll: recognised = total in (at least a Threshold share of) the
// hamlets that reported both with a total above 0.
func (r *Rules) recognisedAll(year int, c *Commune, prev *Previous) []Flag {
	ru := r.Get(RuleRecognisedAll)
	if ru == nil {
		return nil
	}
	var out []Flag
	for _, p := range ru.Pairs {
		n, eq := 0, 0
		for _, h := range c.Hamlets {
			rec, ok1 := h.Values[p.Recognised]
			tot, ok2 := h.Values[p.Total]
			if !ok1 || !ok2 || tot <= 0 {
				continue
			}
			n++
			if rec == tot {
				eq++
			}
		}
		if n < ru.MinUnits {
			continue
		}
		share := float64(eq) / float64(n)
		if share < ru.Threshold-eps {
			continue
		}
		f := flag(year, c, RuleRecognisedAll, p.Indicator, nil)
		f.Value, f.Threshold, f.Score = value(c.Values, p.Indicator), num(ru.Threshold), num(share)
		if prev != nil {
			f.PreviousValue = value(prev.Values, p.Indicator)
		}
		where := fmt.Sprintf("ở cả %d thôn", n)
		if eq < n {
			where = fmt.Sprintf("ở %d/%d thôn", eq, n)
		}
		f.Message = fmt.Sprintf("%s là 100%% %s", r.Label(p.Indicator), where)
		out = append(out, f)
	}
	return out
}

// hamletOutliers: modified z-score of a hamlet count among the commune's
// hamlets.
func (r *Rules) hamletOutliers(year int, c *Commune, prev *Previous) []Flag {
	ru := r.Get(RuleHamletOutlier)
	if ru == nil {
		return nil
	}
	var old map[string]*Hamlet
	if prev != nil {
		old = byCode(prev.Hamlets)
	}
	var out []Flag
	for _, ind := range ru.Indicators {
		var hs []*Hamlet
		var xs []float64
		for i := range c.Hamlets {
			if v, ok := c.Hamlets[i].Values[ind]; ok {
				hs = append(hs, &c.Hamlets[i])
				xs = append(xs, v)
			}
		}
		if len(xs) < ru.MinUnits {
			continue
		}
		med := median(xs)
		for i, z := range ModifiedZ(xs) {
			if math.Abs(z) <= ru.Threshold+eps || math.Abs(xs[i]-med) < ru.MinDeviation-eps {
				continue
			}
			h := hs[i]
			f := flag(year, c, RuleHamletOutlier, ind, h)
			f.Value, f.Threshold, f.Score = num(xs[i]), num(ru.Threshold), num(z)
			if o := old[h.MaThon]; o != nil {
				f.PreviousValue = value(o.Values, ind)
			}
			f.Message = fmt.Sprintf("%s của “%s” (%s) khác thường so với các thôn khác của xã %s",
				r.Label(ind), h.TenThon, count(xs[i]), statsNote(count(med), z))
			out = append(out, f)
		}
	}
	return out
}

// rateOutliers: modified z-score of a commune's rate among the communes of
// its province that have it.
func (r *Rules) rateOutliers(year int, communes []Commune) []Flag {
	ru := r.Get(RuleRateOutlier)
	if ru == nil {
		return nil
	}
	byProv := map[string][]*Commune{}
	for i := range communes {
		c := &communes[i]
		byProv[c.ProvinceCode] = append(byProv[c.ProvinceCode], c)
	}
	var out []Flag
	for _, cs := range byProv {
		for _, ind := range ru.Indicators {
			var who []*Commune
			var xs []float64
			for _, c := range cs {
				if v, ok := c.Values[ind]; ok {
					who = append(who, c)
					xs = append(xs, v)
				}
			}
			if len(xs) < ru.MinUnits {
				continue
			}
			med := median(xs)
			for i, z := range ModifiedZ(xs) {
				if math.Abs(z) <= ru.Threshold+eps || math.Abs(xs[i]-med) < ru.MinDeviation-eps {
					continue
				}
				f := flag(year, who[i], RuleRateOutlier, ind, nil)
				f.Value, f.Threshold, f.Score = num(xs[i]), num(ru.Threshold), num(z)
				f.Message = fmt.Sprintf("%s (%s) khác thường so với các xã khác trong tỉnh %s",
					r.Label(ind), pct(xs[i]), statsNote(pct(med), z))
				out = append(out, f)
			}
		}
	}
	return out
}

func upDown(x float64) string {
	if x < 0 {
		return "giảm"
	}
	return "tăng"
}

// pct writes a fraction as a Vietnamese percentage: 0.125 → "12,5%" (as the reports do).
func pct(x float64) string { return vnnum.Float(x*100, 1) + "%" }

// count writes a count (or a median, which may be a half).
func count(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return vnnum.Int(int64(x))
	}
	return vnnum.Float(x, 1)
}

// vietnam is the time zone upload times are shown in.
var vietnam = time.FixedZone("ICT", 7*3600)

func vnTime(t time.Time) string { return t.In(vietnam).Format("15:04 02/01/2006") }

func vnTimeSec(t time.Time) string { return t.In(vietnam).Format("15:04:05 02/01/2006") }

// statsNote ends an outlier flag's message for the province's analysts:
// the median and the modified z-score. CommuneText reads it back.
func statsNote(median string, z float64) string {
	return fmt.Sprintf("(trung vị %s; điểm z hiệu chỉnh %s)", median, vnnum.Float(z, 1))
}

// statsNoteRe matches statsNote at the end of a message; group 1 is the median.
var statsNoteRe = regexp.MustCompile(` \(trung vị ([^;()]+); điểm z hiệu chỉnh [^()]+\)$`)

// CommuneText is a flag's message as the commune reads it (walk L2): a
// commune official does not know "trung vị" or "điểm z hiệu chỉnh", so an
// outlier's statistics become "(phần lớn các thôn của xã khoảng 157 hộ)"
// or "(phần lớn các xã trong tỉnh khoảng 72,3%)". The province's pages and
// the reports keep Message as it is. Any other message is returned as is.
func CommuneText(rule, indicator, message string) string {
	m := statsNoteRe.FindStringSubmatchIndex(message)
	if m == nil {
		return message
	}
	med := message[m[2]:m[3]]
	switch rule {
	case RuleHamletOutlier:
		unit := ""
		if strings.HasPrefix(indicator, "ho_") {
			unit = " hộ"
		}
		return message[:m[0]] + " (phần lớn các thôn của xã khoảng " + med + unit + ")"
	case RuleRateOutlier:
		return message[:m[0]] + " (phần lớn các xã trong tỉnh khoảng " + med + ")"
	}
	return message
}
