package report

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"
)

// TestSummaryChangeAsPrinted: a change that prints as 0 reads "không
// đổi", never "tăng 0 điểm phần trăm"; a shortfall under 0,05 points is
// not "thiếu 0 điểm".
func TestSummaryChangeAsPrinted(t *testing.T) {
	for _, tc := range []struct {
		rate, target, change float64
		want, bad            string
	}{
		{0.75, 0.7, 0.0004, "; không đổi so với năm 2025", "tăng 0 điểm"},
		{0.75, 0.7, -0.0004, "; không đổi so với năm 2025", "giảm 0 điểm"},
		{0.75, 0.7, 0.023, "; tăng 2,3 điểm phần trăm so với năm 2025", ""},
		{0.75, 0.7, -0.015, "; giảm 1,5 điểm phần trăm so với năm 2025", ""},
		{0.7996, 0.8, 0.01, "(còn thiếu dưới 0,1 điểm phần trăm)", "thiếu 0 điểm"},
	} {
		r := fixtureReport(3, 0)
		c := r.Total.Cells["ho_dat"]
		c.Rate, c.Target, c.Change = ptr(tc.rate), ptr(tc.target), ptr(tc.change)
		r.Total.Cells["ho_dat"] = c
		s := strings.Join(summary(r), "\n")
		if !strings.Contains(s, tc.want) || tc.bad != "" && strings.Contains(s, tc.bad) {
			t.Errorf("change %v: summary lacks %q or has %q:\n%s", tc.change, tc.want, tc.bad, s)
		}
	}
}

// TestNoteOnlyForPrintedMarks: the note explains "–" and "±" only when the
// table prints them; the trend note only the marks its years carry.
func TestNoteOnlyForPrintedMarks(t *testing.T) {
	r := fixtureReport(20, 0)
	lines := tableLines(r)
	if n := noteText(r, lines, modelColumns(r)); !strings.Contains(n, "“–”") || !strings.Contains(n, "“±”") {
		t.Errorf("full note %q", n)
	}
	// No last year and nothing unknown: neither mark is printed.
	r = fixtureReport(20, 0)
	for _, rows := range [][]Row{r.Communes, {r.Total}} {
		for i := range rows {
			for code, c := range rows[i].Cells {
				c.PrevRate, c.Change = nil, nil
				if c.Total == nil {
					c = Cell{Total: ptr(int64(10)), Recognised: ptr(int64(5)), Rate: ptr(0.5), Target: ptr(0.8), Met: ptr(false)}
				}
				rows[i].Cells[code] = c
			}
		}
	}
	r.Total.Cells = r.Communes[0].Cells
	lines = tableLines(r)
	cols := modelColumns(r)
	n := noteText(r, lines, cols)
	if strings.Contains(n, "±") || strings.Contains(n, "–") {
		t.Errorf("note %q explains marks the table does not print", n)
	}
	var html bytes.Buffer
	if err := WriteHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html.String(), "“±”") {
		t.Error("html note has an orphan ±")
	}
	if got := trendNote([]YearPoint{{Year: 2026, Complete: true}}); got != "" {
		t.Errorf("trend note %q without re-based years", got)
	}
	if got := trendNote([]YearPoint{{Year: 2024, Rebased: true, Complete: true}}); strings.Contains(got, "(**)") || !strings.Contains(got, "(*)") {
		t.Errorf("trend note %q", got)
	}
}

// TestBarCaptionNamesDrawnColours: the caption names the colours of the
// bars drawn, and only those.
func TestBarCaptionNamesDrawnColours(t *testing.T) {
	r := fixtureReport(30, 0)
	for i := range r.Communes {
		c := r.Communes[i].Cells["ho_dat"]
		if c.Rate != nil {
			c.Target, c.Met = ptr(0.99), ptr(false) // nobody meets it
		}
		r.Communes[i].Cells["ho_dat"] = c
	}
	b := rateBarChart(r, Models[0])
	if !strings.Contains(b.Caption, "xanh dương") || strings.Contains(b.Caption, "xanh lá") || !strings.Contains(b.Caption, "vạch đen") {
		t.Errorf("caption %q", b.Caption)
	}
	for _, p := range b.Parts {
		for _, bar := range p.Bars {
			if bar.HasBar && bar.Fill != barNotMet {
				t.Errorf("bar %s drawn %s", bar.Label, bar.Fill)
			}
		}
	}
	if len(b.Parts) != 1 {
		t.Errorf("30 communes in %d parts", len(b.Parts))
	}
	if got := len(rateBarChart(fixtureReport(92, 0), Models[0]).Parts); got != 3 {
		t.Errorf("92 communes in %d parts, want 3 of at most %d", got, barsPerChart)
	}
}

// TestHTMLLegendPrints: the trend legend's keys are filled shapes (a
// zero-length line prints as nothing), colours print as drawn, and the
// legend spells the models out.
func TestHTMLLegendPrints(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, fixtureReport(20, 0)); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for i, m := range Models {
		key := regexp.MustCompile(`<rect x="[0-9.]+" y="[0-9.]+" width="14" height="8" fill="` + seriesColors[i] + `"/><text[^>]*>` + regexp.QuoteMeta(m.Name+" ("+m.Short+")") + `</text>`)
		if !key.MatchString(s) {
			t.Errorf("legend key of %s is not a filled rectangle with its name", m.Short)
		}
	}
	if !strings.Contains(s, "print-color-adjust: exact") {
		t.Error("no print-color-adjust: exact")
	}
	if strings.Contains(s, `stroke-linecap="square"`) {
		t.Error("zero-length legend lines are back")
	}
}

// TestAnnexDropsEmptyColumns: no "Mã huyện" after the reform, no "Lý do"
// when no commune was rejected.
func TestAnnexDropsEmptyColumns(t *testing.T) {
	r := fixtureReport(20, 0)
	for i := range r.Completeness.Communes {
		r.Completeness.Communes[i].LastRejection = ""
	}
	f, _ := openXLSX(t, r)
	rows, _ := f.GetRows(sheetAnnex)
	var all []string
	for _, row := range rows {
		all = append(all, strings.Join(row, "|"))
	}
	text := strings.Join(all, "\n")
	for _, bad := range []string{"Mã huyện", "Lý do bị từ chối"} {
		if strings.Contains(text, bad) {
			t.Errorf("annex has an empty column %q", bad)
		}
	}
	var html bytes.Buffer
	if err := WriteHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"Mã huyện", "Lý do bị từ chối"} {
		if strings.Contains(html.String(), bad) {
			t.Errorf("html annex has an empty column %q", bad)
		}
	}
	// With districts and rejections both columns are there.
	f, _ = openXLSX(t, fixtureReport(20, 3))
	rows, _ = f.GetRows(sheetAnnex)
	all = all[:0]
	for _, row := range rows {
		all = append(all, strings.Join(row, "|"))
	}
	for _, want := range []string{"Mã huyện", "Lý do bị từ chối"} {
		if !strings.Contains(strings.Join(all, "\n"), want) {
			t.Errorf("annex lacks %q", want)
		}
	}
}

// TestXLSXChartAxes: both charts' value axes are 0–100 % in a percent
// format (the combined bar-and-line chart takes its axes from the line
// chart's options), the category labels are thinned and turned, and the
// trend legend reads the models' names.
func TestXLSXChartAxes(t *testing.T) {
	f, raw := openXLSX(t, fixtureReport(92, 0))
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/charts/chart") {
			continue
		}
		charts++
		rc, _ := zf.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		x := string(b)
		val := x[strings.Index(x, "<valAx>"):]
		for _, want := range []string{`formatCode="0%"`, `<max val="1">`, `<min val="0">`} {
			if !strings.Contains(val, want) {
				t.Errorf("%s: value axis lacks %s", zf.Name, want)
			}
		}
		if strings.Contains(x, "<barChart>") && (!strings.Contains(x, `<tickLblSkip val="4">`) || !strings.Contains(x, `rot="-5400000"`)) {
			t.Errorf("%s: category labels not thinned and turned", zf.Name)
		}
	}
	if charts != 2 {
		t.Fatalf("%d charts", charts)
	}
	for i, m := range Models {
		if v, _ := f.GetCellValue(sheetAnnex, cellName(2+i, 4)); v != m.Name+" ("+m.Short+")" {
			t.Errorf("trend header %q, want the name spelled out", v)
		}
	}
	// "±" in percentage points, not a percent format.
	if strings.Contains(fmtChangePt, "%") {
		t.Errorf("change format %q shows %%", fmtChangePt)
	}
}
