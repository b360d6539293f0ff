package report

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// WriteHTML writes the report as one self-contained page: inline CSS and
// SVG, no script, no external resource, so it opens offline and prints on
// A4 landscape. Everything from the data goes through html/template, which
// escapes it for the context it lands in (text, attribute, SVG).
func WriteHTML(w io.Writer, r *Report) error {
	if err := validate(r); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if err := htmlTmpl.Execute(bw, htmlView(r)); err != nil {
		return err
	}
	return bw.Flush()
}

type htmlHead struct {
	Text  string
	Span  int
	Rows  int // rowspan: 2 for a column without a group
	Class string
}

type htmlCell struct {
	Text  string
	Class string
}

type htmlRow struct {
	Class string
	STT   string
	Name  string
	Cells []htmlCell
}

type htmlTable struct {
	Caption string
	Heads1  []htmlHead
	Heads2  []htmlHead
	Rows    []htmlRow
}

type htmlStatus struct {
	STT, Code, Name, District, Received, Note, Review string
}

type htmlStatusGroup struct {
	Label                       string
	Communes                    []htmlStatus
	Received, Reasons, Reviewed bool // columns shown: only when some commune of the group has one
}

type htmlCount struct{ Label, N, Share string }

type htmlPage struct {
	*Report
	Number, DateLine, CutOff, DataTime string
	Draft                              string // "" for a final report
	DraftCSS                           template.CSS
	Kind, Subject                      string
	To                                 []string
	Motto1, Motto2                     string
	Tables                             []htmlTable
	Note                               string
	BarChart                           rateBars
	Trend                              lineChart
	Counts                             []htmlCount
	Groups                             []htmlStatusGroup
	Sign                               signature
	Colors                             struct{ Target string }
}

func htmlView(r *Report) htmlPage {
	p := htmlPage{
		Report: r, Number: numberLine(r), DateLine: dateLine(r),
		CutOff: cutOffLine(r), DataTime: dataTimeLine(r),
		To:     addresseeLines(r),
		Motto1: motto1, Motto2: motto2,
		BarChart: rateBarChart(r, Models[0]),
		Trend:    trendChart(r),
		Sign:     signatureOf(r),
	}
	p.Colors.Target = targetMark
	p.Kind, p.Subject = docTitle(r)
	if r.isDraft() {
		p.Draft = draftLine(r)
		p.DraftCSS = cssString(p.Draft)
	}
	lines := tableLines(r)
	mainCols := modelColumns(r)
	main := htmlTableOf("Kết quả thực hiện các chỉ tiêu xây dựng mô hình học tập", lines, mainCols)
	notes := noteParts(r, lines, mainCols)
	if r.isMovement() {
		// The 1 December report is about the movement: its table first.
		mov := htmlTableOf("Kết quả Phong trào thi đua xây dựng xã hội học tập", lines, movementColumns())
		mov.Caption = "Biểu 01. " + mov.Caption
		main.Caption = "Biểu 02. " + main.Caption
		p.Tables = []htmlTable{mov, main}
		if hasUnknown(lines, movementColumns()) && !hasUnknown(lines, mainCols) {
			notes = append([]string{"“–” là chưa có số liệu (không phải số 0)"}, notes...)
		}
	} else {
		main.Caption = "Biểu 01. " + main.Caption
		p.Tables = []htmlTable{main}
	}
	if len(notes) > 0 {
		p.Note = "Ghi chú: " + strings.Join(notes, "; ") + "."
	}
	c := r.Completeness
	for _, cr := range completenessRows(c) {
		p.Counts = append(p.Counts, htmlCount{cr.label, fmtInt(cr.n), share(cr.n, c.Expected)})
	}
	for _, g := range statusGroups {
		grp := htmlStatusGroup{Label: g.label}
		for _, s := range c.Communes {
			if s.group() != g.code {
				continue
			}
			grp.Communes = append(grp.Communes, htmlStatus{
				STT: itoa(len(grp.Communes) + 1), Code: s.Code, Name: s.Name, District: s.District,
				Received: receivedText(s), Note: s.LastRejection, Review: reviewLabel(s),
			})
			grp.Received = grp.Received || receivedText(s) != ""
			grp.Reasons = grp.Reasons || s.LastRejection != ""
			grp.Reviewed = grp.Reviewed || reviewLabel(s) != ""
		}
		p.Groups = append(p.Groups, grp)
	}
	return p
}

func htmlTableOf(caption string, lines []line, cols []column) htmlTable {
	t := htmlTable{Caption: caption}
	t.Heads1 = append(t.Heads1, htmlHead{Text: "STT", Rows: 2}, htmlHead{Text: "Đơn vị", Rows: 2})
	for i := 0; i < len(cols); {
		j := i + 1
		for j < len(cols) && cols[j].group == cols[i].group && cols[i].group != "" {
			j++
		}
		if cols[i].group == "" {
			t.Heads1 = append(t.Heads1, htmlHead{Text: cols[i].head, Rows: 2})
		} else {
			t.Heads1 = append(t.Heads1, htmlHead{Text: cols[i].group, Span: j - i})
			for _, c := range cols[i:j] {
				t.Heads2 = append(t.Heads2, htmlHead{Text: c.head})
			}
		}
		i = j
	}
	for _, l := range lines {
		row := htmlRow{Class: l.level(), STT: l.stt, Name: lineName(l)}
		for _, c := range cols {
			v := c.get(l.row)
			cl := "num"
			if c.kind == kMet {
				cl = "met"
				if v.b != nil && !*v.b {
					cl = "met no"
				}
			}
			row.Cells = append(row.Cells, htmlCell{Text: v.text(c.kind), Class: cl})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func itoa(n int) string { return fmtInt(int64(n)) }

// cssString quotes s as a CSS string with every character outside
// letters, digits and spaces written as a hex escape, so that nothing in
// it can end the string or the rule. html/template refuses a value inside
// an at-rule's nested block, hence the hand-made, fully escaped literal.
func cssString(s string) template.CSS {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		if c < 128 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ') {
			b.WriteRune(c)
			continue
		}
		fmt.Fprintf(&b, "\\%x ", c) // the space ends the escape and is consumed by it
	}
	b.WriteByte('"')
	return template.CSS(b.String())
}

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
}).Parse(`<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'">
<title>{{if .Draft}}DỰ THẢO – {{end}}{{.Title}}</title>
<style>
@page {
  size: A4 landscape; margin: 14mm 10mm 12mm;
  @bottom-center { content: "Trang " counter(page) "/" counter(pages); font: 10pt "Times New Roman", Times, serif; }
  {{- if .Draft}}
  @top-center { content: {{.DraftCSS}}; font: bold 12pt "Times New Roman", Times, serif; color: #b00000; }
  {{- end}}
}
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Times New Roman", Times, serif; font-size: 13px; color: #000; margin: 16px; }
.heading { display: flex; justify-content: space-between; text-align: center; }
.heading > div { width: 48%; }
.upper { font-weight: bold; }
.rule { width: 35%; margin: 2px auto 6px; border-top: 1px solid #000; }
.date { font-style: italic; }
.draft { text-align: center; font-weight: bold; font-size: 16px; color: #b00000; border: 2px solid #b00000; padding: 4px; margin: 12px 0 0; }
h1 { font-size: 16px; text-align: center; margin: 18px 0 4px; }
.to { margin: 8px 0 4px 33%; }
.to.one { margin-left: 0; text-align: center; }
.to .item { padding-left: 3em; }
.cutoff { text-align: center; margin: 2px 0; font-style: italic; }
h2 { font-size: 14px; margin: 16px 0 6px; break-after: avoid; page-break-after: avoid; }
h3 { break-after: avoid; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin-bottom: 8px; }
th, td { border: 1px solid #000; padding: 2px 4px; }
th { font-weight: bold; text-align: center; vertical-align: middle; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.num { text-align: right; white-space: nowrap; }
td.met { text-align: center; white-space: nowrap; }
td.met.no { font-style: italic; }
td.stt { text-align: center; }
td.name { white-space: nowrap; }
tr.district td, tr.province td { font-weight: bold; }
tr.province td { background: #f0f0f0; }
.note { font-style: italic; font-size: 12px; }
figure { margin: 8px 0; break-inside: avoid; page-break-inside: avoid; }
.keep { break-inside: avoid; page-break-inside: avoid; }
.sign { display: flex; justify-content: space-between; margin-top: 24px; break-inside: avoid; page-break-inside: avoid; }
.sign .recipients { width: 45%; font-size: 12px; }
.sign .recipients .head { font-weight: bold; font-style: italic; font-size: 13px; }
.sign .signer { width: 45%; text-align: center; font-weight: bold; }
.sign .space { height: 90px; }
.annex { break-before: page; page-break-before: always; }
.annex tr.checked td { color: #808080; }
svg text { font-family: "Times New Roman", Times, serif; }
</style>
</head>
<body>
<div class="heading">
<div>{{if .Issuer.Parent}}<div>{{.Issuer.Parent}}</div>{{end}}<div class="upper">{{.Issuer.Name}}</div><div class="rule"></div><div>{{.Number}}</div></div>
<div><div class="upper">{{.Motto1}}</div><div class="upper">{{.Motto2}}</div><div class="rule"></div><div class="date">{{.DateLine}}</div></div>
</div>
{{if .Draft}}<p class="draft">{{.Draft}}</p>
{{end}}<h1>{{if .Kind}}{{.Kind}}<br>{{end}}{{.Subject}}</h1>
{{if .To}}<div class="to{{if eq (len .To) 1}} one{{end}}">{{range $i, $t := .To}}<div{{if $i}} class="item"{{end}}>{{$t}}</div>{{end}}</div>
{{end}}<p class="cutoff">{{.CutOff}}</p>
<p class="cutoff">{{.DataTime}}</p>
<h2>I. Tóm tắt</h2>
{{range .Summary}}<p>{{.}}</p>
{{end}}
<h2>II. Số liệu</h2>
{{range .Tables}}<table>
<caption><b>{{.Caption}}</b></caption>
<thead>
<tr>{{range .Heads1}}<th{{if gt .Span 1}} colspan="{{.Span}}"{{end}}{{if gt .Rows 1}} rowspan="{{.Rows}}"{{end}}>{{.Text}}</th>{{end}}</tr>
<tr>{{range .Heads2}}<th>{{.Text}}</th>{{end}}</tr>
</thead>
<tbody>
{{range .Rows}}<tr class="{{.Class}}"><td class="stt">{{.STT}}</td><td class="name">{{.Name}}</td>{{range .Cells}}<td class="{{.Class}}">{{.Text}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{end}}{{if .Note}}<p class="note">{{.Note}}</p>
{{end}}{{range $i, $c := .BarChart.Parts}}<div class="keep">{{if eq $i 0}}<h2>III. Biểu đồ</h2>
{{end}}<figure>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="{{.Title}}">
<text x="4" y="14" font-size="13" font-weight="bold">{{.Title}}</text>
{{range .Ticks}}<line x1="{{.X}}" y1="{{$c.PlotTop}}" x2="{{.X}}" y2="{{$c.PlotBottom}}" stroke="#ccc"/><text x="{{.X}}" y="{{$c.Height}}" dy="-4" font-size="10" text-anchor="middle">{{.Label}}</text>
{{end}}{{range .Bars}}<text x="{{$c.PlotX}}" dx="-4" y="{{.LabelY}}" font-size="10" text-anchor="end">{{.Label}}</text>{{if .HasBar}}<rect x="{{$c.PlotX}}" y="{{.Y}}" width="{{.BarW}}" height="10" fill="{{.Fill}}"/>{{end}}<text x="{{.ValueX}}" y="{{.LabelY}}" font-size="9">{{.Value}}</text>{{if .HasTarget}}<line x1="{{.TargetX}}" y1="{{.TargetY1}}" x2="{{.TargetX}}" y2="{{.TargetY2}}" stroke="{{$.Colors.Target}}" stroke-width="2"/>{{end}}
{{end}}</svg>
{{if $.BarChart.Caption}}<figcaption class="note">{{$.BarChart.Caption}}</figcaption>{{end}}
</figure></div>
{{else}}<h2>III. Biểu đồ</h2>
{{end}}{{with .Trend}}<figure>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="{{.Title}}">
<text x="4" y="14" font-size="13" font-weight="bold">{{.Title}}</text>
{{if .Empty}}<text x="{{.PlotX}}" y="60" font-size="12">Chưa có số liệu các năm.</text>
{{else}}{{range .YTicks}}<line x1="{{.X}}" y1="{{.Y}}" x2="{{$.Trend.PlotR}}" y2="{{.Y}}" stroke="#ddd"/><text x="{{.X}}" dx="-4" y="{{.Y}}" dy="3" font-size="10" text-anchor="end">{{.Label}}</text>
{{end}}<line x1="{{.PlotX}}" y1="{{.PlotB}}" x2="{{.PlotR}}" y2="{{.PlotB}}" stroke="#000"/>
{{range .Years}}<text x="{{.X}}" y="{{$.Trend.PlotB}}" dy="16" font-size="10" text-anchor="middle">{{.Label}}</text>
{{end}}{{range .Series}}{{$s := .}}{{range .Segments}}<polyline points="{{.}}" fill="none" stroke="{{$s.Color}}" stroke-width="2"/>
{{end}}{{range .Points}}<circle cx="{{.X}}" cy="{{.Y}}" r="3" fill="{{$s.Color}}"><title>{{.Label}}</title></circle>
{{end}}<rect x="{{$.Trend.LegendX}}" y="{{.LegendKeyY}}" width="14" height="8" fill="{{.Color}}"/><text x="{{$.Trend.LegendX}}" dx="20" y="{{.LegendY}}" font-size="11">{{.Name}}</text>
{{end}}{{end}}</svg>
{{if .Note}}<figcaption class="note">{{.Note}}</figcaption>{{end}}
</figure>
{{end}}<div class="sign">
<div class="recipients"><div class="head">Nơi nhận:</div>{{range .Sign.Recipients}}<div>{{.}}</div>{{end}}</div>
<div class="signer">{{if .Sign.Authority}}<div>{{.Sign.Authority}}</div>{{end}}<div>{{.Sign.Title}}</div><div class="space"></div>{{if .Sign.Name}}<div>{{.Sign.Name}}</div>{{end}}</div>
</div>
<div class="annex">
<h2>Phụ lục. Tình hình gửi báo cáo của các xã</h2>
<table>
<thead><tr><th>Nội dung</th><th>Số xã</th><th>Tỷ lệ</th></tr></thead>
<tbody>
{{range .Counts}}<tr><td>{{.Label}}</td><td class="num">{{.N}}</td><td class="num">{{.Share}}</td></tr>
{{end}}</tbody>
</table>
{{range $i, $g := .Groups}}<h3>{{$i | inc}}. Xã {{.Label}} ({{len .Communes}} xã)</h3>
{{if .Communes}}<table>
<thead><tr><th>STT</th><th>Mã xã</th><th>Tên xã</th>{{if $.HasDistricts}}<th>Mã huyện</th>{{end}}{{if .Received}}<th>Thời điểm nhận bản hợp lệ (giờ Việt Nam)</th>{{end}}{{if .Reviewed}}<th>Tình trạng duyệt của Sở</th>{{end}}{{if .Reasons}}<th>Lý do bị từ chối gần nhất</th>{{end}}</tr></thead>
<tbody>
{{range .Communes}}<tr><td class="stt">{{.STT}}</td><td>{{.Code}}</td><td>{{.Name}}</td>{{if $.HasDistricts}}<td>{{.District}}</td>{{end}}{{if $g.Received}}<td>{{.Received}}</td>{{end}}{{if $g.Reviewed}}<td>{{.Review}}</td>{{end}}{{if $g.Reasons}}<td>{{.Note}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{end}}{{end}}</div>
{{template "flags" .}}</body>
</html>
`))
