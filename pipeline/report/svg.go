package report

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The HTML report draws its charts as inline SVG: no script, no network,
// prints as vectors. This file computes the geometry; html.go's template
// writes the elements, so every label goes through html/template escaping.
// Coordinates are formatted with fixed decimals so the bytes are stable.

// svgNum formats a coordinate.
func svgNum(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

type svgBar struct {
	Y, LabelY                   string
	Label, Value                string
	BarW                        string
	HasBar, HasTarget           bool
	Fill                        string
	TargetX, TargetY1, TargetY2 string
	ValueX                      string
}

type svgTick struct{ X, Label string }

// barChart is one part of the rate of one model per commune against the
// commune's target: a bar per commune, a black mark at the target.
type barChart struct {
	Title                 string
	Width, Height         string
	PlotX, PlotW, PlotTop string
	PlotBottom            string
	Bars                  []svgBar
	Ticks                 []svgTick
}

// Bar colours (Okabe–Ito, distinguishable with common colour vision
// deficiencies) and the words the caption uses for them: the caption
// names exactly the colours drawn.
const (
	barMet      = "#009E73"
	barNotMet   = "#0072B2"
	barNoTarget = "#999999"
	targetMark  = "#000000"
)

const (
	barRowH   = 14.0
	barLabelW = 180.0
	barPlotW  = 520.0
	// barsPerChart keeps one part of the chart on one printed A4
	// landscape page (40 × 14 px + title and axis ≈ 610 px of the ≈ 700
	// a page holds): a long chart is cut into parts, not across pages.
	barsPerChart = 40
)

// rateBars is the chart of one model's rate per commune, in parts of at
// most barsPerChart communes, and its caption.
type rateBars struct {
	Parts   []barChart
	Caption string
}

func rateBarChart(r *Report, m Model) rateBars {
	var out rateBars
	var met, notMet, noTarget, target bool
	title := "Tỷ lệ " + m.Name + " (" + m.Short + ") theo xã so với chỉ tiêu"
	for start := 0; start < len(r.Communes); start += barsPerChart {
		end := min(start+barsPerChart, len(r.Communes))
		top := 28.0
		c := barChart{Title: title, PlotX: svgNum(barLabelW), PlotW: svgNum(barPlotW), PlotTop: svgNum(top)}
		if start > 0 {
			c.Title = title + " (tiếp theo)"
		}
		y := top
		for i := start; i < end; i++ {
			row := &r.Communes[i]
			cell := row.Cells[m.Code]
			b := svgBar{Y: svgNum(y + 2), LabelY: svgNum(y + barRowH - 3), Label: row.Name, Value: dash}
			if cell.Rate != nil {
				w := clamp01(*cell.Rate) * barPlotW
				b.HasBar, b.BarW, b.Value = true, svgNum(w), fmtPct(*cell.Rate)
				b.ValueX = svgNum(barLabelW + w + 3)
				switch {
				case cell.Met == nil:
					b.Fill, noTarget = barNoTarget, true
				case *cell.Met:
					b.Fill, met = barMet, true
				default:
					b.Fill, notMet = barNotMet, true
				}
			} else {
				b.ValueX = svgNum(barLabelW + 3)
			}
			if cell.Target != nil {
				x := barLabelW + clamp01(*cell.Target)*barPlotW
				b.HasTarget, b.TargetX, b.TargetY1, b.TargetY2 = true, svgNum(x), svgNum(y), svgNum(y+barRowH)
				target = true
			}
			c.Bars = append(c.Bars, b)
			y += barRowH
		}
		c.PlotBottom = svgNum(y)
		for p := 0; p <= 100; p += 20 {
			c.Ticks = append(c.Ticks, svgTick{svgNum(barLabelW + float64(p)/100*barPlotW), strconv.Itoa(p) + "%"})
		}
		c.Width = svgNum(barLabelW + barPlotW + 60)
		c.Height = svgNum(y + 20)
		out.Parts = append(out.Parts, c)
	}
	var parts []string
	if met {
		parts = append(parts, "cột xanh lá: xã đạt chỉ tiêu")
	}
	if notMet {
		parts = append(parts, "cột xanh dương: xã chưa đạt chỉ tiêu")
	}
	if noTarget {
		parts = append(parts, "cột xám: xã chưa có chỉ tiêu")
	}
	if target {
		parts = append(parts, "vạch đen: chỉ tiêu của xã")
	}
	if len(parts) > 0 {
		out.Caption = upperFirst(strings.Join(parts, "; ")) + "."
	}
	return out
}

func upperFirst(s string) string {
	if r, n := utf8.DecodeRuneInString(s); n > 0 {
		return string(unicode.ToUpper(r)) + s[n:]
	}
	return s
}

type svgPoint struct{ X, Y, Label string }

type svgSeries struct {
	Name, Color string
	Segments    []string // polyline point lists; a gap where a year is unknown
	Points      []svgPoint
	LegendY     string
	LegendKeyY  string // top of the legend's key: a filled rectangle, which prints (a zero-length line does not)
}

// lineChart is the province trend: one line per model over the years.
type lineChart struct {
	Title         string
	Width, Height string
	PlotX, PlotY  string
	PlotR, PlotB  string
	Years         []svgTick
	YTicks        []svgPoint
	Series        []svgSeries
	LegendX       string
	Note          string
	Empty         bool
}

// seriesColors are distinguishable in print and for common colour vision
// deficiencies (Okabe–Ito palette).
var seriesColors = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00"}

// seriesColorNames name seriesColors in the captions.
var seriesColorNames = []string{"xanh dương", "vàng cam", "xanh lá", "hồng tím", "đỏ cam"}

func trendChart(r *Report) lineChart {
	const (
		x0, y0 = 60.0, 30.0
		w, h   = 480.0, 220.0
	)
	c := lineChart{
		Title: "Tỷ lệ đạt các mô hình học tập của tỉnh qua các năm",
		Width: svgNum(x0 + w + 270), Height: svgNum(y0 + h + 60),
		PlotX: svgNum(x0), PlotY: svgNum(y0), PlotR: svgNum(x0 + w), PlotB: svgNum(y0 + h),
		LegendX: svgNum(x0 + w + 20),
		Empty:   len(r.Trend) == 0,
	}
	n := len(r.Trend)
	xAt := func(i int) float64 {
		if n == 1 {
			return x0 + w/2
		}
		return x0 + w*float64(i)/float64(n-1)
	}
	for i, p := range r.Trend {
		c.Years = append(c.Years, svgTick{svgNum(xAt(i)), trendLabel(p)})
	}
	c.Note = trendNoteOf(r)
	for p := 0; p <= 100; p += 20 {
		c.YTicks = append(c.YTicks, svgPoint{X: svgNum(x0), Y: svgNum(y0 + h - float64(p)/100*h), Label: strconv.Itoa(p) + "%"})
	}
	for mi, m := range Models {
		s := svgSeries{Name: m.Name + " (" + m.Short + ")", Color: seriesColors[mi%len(seriesColors)],
			LegendY: svgNum(y0 + 14 + float64(mi)*18), LegendKeyY: svgNum(y0 + 8 + float64(mi)*18)}
		seg := ""
		for i, p := range r.Trend {
			v := p.Rates[m.Code]
			if v == nil {
				if seg != "" {
					s.Segments = append(s.Segments, seg)
				}
				seg = ""
				continue
			}
			x, y := svgNum(xAt(i)), svgNum(y0+h-clamp01(*v)*h)
			if seg != "" {
				seg += " "
			}
			seg += x + "," + y
			s.Points = append(s.Points, svgPoint{X: x, Y: y, Label: trendLabel(p) + ": " + fmtPct(*v)})
		}
		if seg != "" {
			s.Segments = append(s.Segments, seg)
		}
		c.Series = append(c.Series, s)
	}
	return c
}

func clamp01(x float64) float64 {
	switch {
	case x < 0:
		return 0
	case x > 1:
		return 1
	}
	return x
}
