package report

import (
	"context"
	"database/sql"
	"fmt"
	"html/template"
	"math"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/quality"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
)

// The annex of plausibility flags: the warnings the roll-up computed on the
// report's own snapshot (same cut-off), one line each, with this year's and
// last year's value, so the province can sign knowing what was looked at.
// Flags are warnings, never rejections: the figures above count them.

// FlagLine is one flag as the annex prints it.
type FlagLine struct {
	Code, Name string // commune
	Hamlet     string // hamlet name, "" for a commune-level flag
	Rule       string
	Text       string // the roll-up's Vietnamese message
	// Value and Previous are formatted ("" when the rule has no value to
	// show, e.g. copied or unchanged).
	Value, Previous string
	FlagID          string
	Submission      string // the flag's submission_id (a check counts only for it)
	// Checked is the province's "đã xác minh" comment on the flag
	// (review.Status.Checks), "" when not checked.
	Checked string
}

// loadFlags reads the snapshot's flags: the warnings into r.Flags, the
// communes that cannot be compared with last year into r.NotComparable;
// other information (quality.Informational: an unchanged re-upload) is
// not in the annex.
// Pending rows are the flags of an upload still waiting for the province
// (pipeline/rollup, flags_pending.go): not the data the report counts.
func (r *Report) loadFlags(ctx context.Context, db *sql.DB, keep func(code string) bool) error {
	rs, err := db.QueryContext(ctx, `SELECT commune_code, commune_name, coalesce(ten_thon, ''), "rule", coalesce(indicator, ''),
  "value", previous_value, previous_year, comparable, message, flag_id, coalesce(submission_id, '') FROM `+rollup.Flags+`
  WHERE NOT coalesce(pending, false) ORDER BY commune_code, flag_id`)
	if err != nil {
		return fmt.Errorf("report: flags: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var l FlagLine
		var ind string
		var v, p sql.NullFloat64
		var py sql.NullInt64
		var comparable sql.NullBool
		if err := rs.Scan(&l.Code, &l.Name, &l.Hamlet, &l.Rule, &ind, &v, &p, &py, &comparable, &l.Text, &l.FlagID, &l.Submission); err != nil {
			return fmt.Errorf("report: flags: %w", err)
		}
		if keep != nil && !keep(l.Code) {
			continue
		}
		if !comparable.Bool {
			r.NotComparable = append(r.NotComparable, l.Name+" ("+l.Code+")")
			continue
		}
		if quality.Informational(l.Rule, comparable.Bool) {
			continue // an unchanged re-upload: the commune's information, nothing to verify
		}
		l.Value, l.Previous = flagValue(l.Rule, ind, v), flagValue(l.Rule, ind, p)
		if l.Previous != "" && py.Valid && int(py.Int64) != r.Year-1 {
			// The commune's last accepted year is older than last year.
			l.Previous += fmt.Sprintf(" (năm %d)", py.Int64)
		}
		r.Flags = append(r.Flags, l)
	}
	return rs.Err()
}

// markChecked fills FlagLine.Checked from the province's review of each
// commune, st (the checks as they are when the report is made).
func (r *Report) markChecked(st map[string]review.Status) {
	for i := range r.Flags {
		l := &r.Flags[i]
		// A check of older data does not mark a flag of newer data.
		if c, ok := st[l.Code].Checked(l.FlagID, l.Submission); ok {
			l.Checked = c.Comment
			if l.Checked == "" {
				l.Checked = "Đã xác minh"
			}
		}
	}
}

// anyChecked reports whether some flag is checked (the annex then has a
// column for it).
func anyChecked(r *Report) bool {
	for _, l := range r.Flags {
		if l.Checked != "" {
			return true
		}
	}
	return false
}

// flagValue formats a flag's value the way the report writes figures.
func flagValue(rule, indicator string, v sql.NullFloat64) string {
	if !v.Valid || rule == quality.RuleCopied || rule == quality.RuleUnchanged {
		return ""
	}
	if strings.HasPrefix(indicator, "ty_le_") {
		return fmtPct(v.Float64)
	}
	if v.Float64 == math.Trunc(v.Float64) {
		return fmtInt(int64(v.Float64))
	}
	return fmtDec(v.Float64, 1)
}

// flagsIntro says what the annex is, for whoever signs: the rules and
// their thresholds in words (from the rules in force, so the text follows
// a changed threshold), never a file name.
var flagsIntro = sync.OnceValue(func() string {
	rules, err := quality.Load()
	if err != nil {
		rules = nil // the rules could not be read: the text without thresholds
	}
	return flagsIntroOf(rules)
})

// flagsIntroOf writes the annex's intro from rules (nil: without the
// thresholds).
func flagsIntroOf(rules *quality.Rules) string {
	get := func(name string) *quality.Rule {
		if rules == nil {
			return nil
		}
		return rules.Get(name)
	}
	var own, others []string
	if r := get("change"); r != nil {
		own = append(own, fmt.Sprintf("tổng số hộ hoặc số người trong độ tuổi lao động tăng, giảm quá %s%%", sentNum(r.Threshold*100)))
	}
	if r := get("rate_change"); r != nil {
		own = append(own, fmt.Sprintf("tỷ lệ đạt một mô hình tăng, giảm quá %s điểm phần trăm", sentNum(r.Threshold*100)))
	}
	if get("hamlet_gone") != nil || get("hamlet_new") != nil {
		own = append(own, "thôn, tổ dân phố năm trước có mà năm nay không có, hoặc ngược lại")
	}
	if get("copied") != nil {
		own = append(own, "số liệu giống hệt năm trước")
	}
	if r := get("recognised_all"); r != nil {
		if r.Threshold >= 1 {
			own = append(own, "mọi thôn đều có số đạt bằng tổng số (100%)")
		} else {
			own = append(own, fmt.Sprintf("từ %s%% số thôn trở lên có số đạt bằng tổng số", sentNum(r.Threshold*100)))
		}
	}
	if r := get("rate_outlier"); r != nil {
		others = append(others, fmt.Sprintf("tỷ lệ của xã khác hẳn các xã khác (chỉ số z hiệu chỉnh vượt %s và lệch trung vị từ %s điểm phần trăm)",
			sentNum(r.Threshold), sentNum(r.MinDeviation*100)))
	}
	if r := get("hamlet_outlier"); r != nil {
		others = append(others, fmt.Sprintf("thôn có số hộ khác hẳn các thôn khác trong xã (lệch trung vị từ %s hộ)", sentNum(r.MinDeviation)))
	}
	s := "Các cảnh báo dưới đây do hệ thống tự phát hiện"
	switch {
	case len(own) == 0 && len(others) == 0:
		s += " khi so sánh số liệu của xã với năm trước và với các xã khác trong tỉnh."
	default:
		s += "."
		if len(own) > 0 {
			s += " So với năm trước của chính xã: " + strings.Join(own, "; ") + "."
		}
		if len(others) > 0 {
			s += " So với các xã khác trong tỉnh: " + strings.Join(others, "; ") + "."
		}
	}
	return s + " Đây là điểm cần xem lại, không phải lỗi: số liệu vẫn được tính trong báo cáo."
}

// notComparableNote lists the communes that could not be compared.
func notComparableNote(r *Report) string {
	if len(r.NotComparable) == 0 {
		return ""
	}
	return "Không so sánh được với năm trước (xã bị chia tách, chưa có phân bổ thôn): " + strings.Join(r.NotComparable, "; ") + "."
}

// sheetFlags is the workbook's flags sheet, printed last.
const sheetFlags = "Cảnh báo"

// checkedGrey is the colour of a checked flag's text ("đã xác minh"), in
// the sheet and the HTML: dark enough to read on paper, clearly not black.
const checkedGrey = "808080"

// flagsSheet writes the annex of flags on its own sheet; none when there
// is nothing to list.
func (x *xlsxWriter) flagsSheet() {
	r := x.r
	if len(r.Flags) == 0 && len(r.NotComparable) == 0 {
		return
	}
	sh := sheetFlags
	_, err := x.f.NewSheet(sh)
	x.fail(err)
	type col struct {
		head  string
		width float64
		left  bool
		get   func(n int, l FlagLine) string
	}
	cols := []col{
		{"STT", 6, false, func(n int, _ FlagLine) string { return fmtInt(int64(n)) }},
		{"Mã xã", 9, false, func(_ int, l FlagLine) string { return l.Code }},
		{"Tên xã", 24, true, func(_ int, l FlagLine) string { return l.Name }},
		{"Thôn, tổ dân phố", 20, true, func(_ int, l FlagLine) string { return l.Hamlet }},
		{"Nội dung cảnh báo", 64, true, func(_ int, l FlagLine) string { return l.Text }},
		{"Năm nay", 12, false, func(_ int, l FlagLine) string { return l.Value }},
		{"Năm trước", 12, false, func(_ int, l FlagLine) string { return l.Previous }},
	}
	if anyChecked(r) {
		cols[4].width = 50
		cols = append(cols, col{"Đã xác minh (ý kiến của Sở)", 30, true, func(_ int, l FlagLine) string { return l.Checked }})
	}
	ncol := len(cols)
	for i, c := range cols {
		x.fail(x.f.SetColWidth(sh, colName(i+1), colName(i+1), c.width))
	}
	note := styleKey{size: fontTable, italic: true, hAlign: "left", wrap: true}
	x.merged(sh, 1, ncol, 1, "PHỤ LỤC: CẢNH BÁO VỀ TÍNH HỢP LÝ CỦA SỐ LIỆU", styleKey{size: fontBody + 1, bold: true, hAlign: "center"})
	x.height(sh, 1, hLine+4)
	row := 2
	// The intro's height is estimated over this sheet's columns, not the
	// table sheet's written before (a stale width cut its second line).
	x.sheetWidths = nil
	for _, c := range cols {
		x.sheetWidths = append(x.sheetWidths, c.width)
	}
	for _, s := range []string{flagsIntro(), notComparableNote(r)} {
		if s == "" {
			continue
		}
		x.merged(sh, 1, ncol, row, s, note)
		x.height(sh, row, float64(x.lines(s, ncol, fontTable))*hLine+2)
		row++
	}
	row++
	head := styleKey{size: fontTable, bold: true, hAlign: "center", wrap: true, border: true}
	cellT := styleKey{size: fontTable, hAlign: "left", border: true, wrap: true, numFmt: "@"}
	cellC := styleKey{size: fontTable, hAlign: "center", border: true, numFmt: "@"}
	cellR := styleKey{size: fontTable, hAlign: "right", border: true, numFmt: "@"}
	hdr := row
	for i, c := range cols {
		x.text(sh, 1+i, row, c.head, head)
	}
	x.height(sh, row, hHead1)
	row++
	if len(r.Flags) == 0 {
		x.merged(sh, 1, ncol, row, "Không có cảnh báo.", cellT)
		x.height(sh, row, hRow)
		row++
	}
	for n, l := range r.Flags {
		h := hRow
		for i, c := range cols {
			v := c.get(n+1, l)
			st := cellC
			switch {
			case c.left:
				st = cellT
				lines := math.Ceil(float64(utf8.RuneCountInString(v)) / (c.width * 1.03))
				h = math.Max(h, lines*(hRow-2))
			case i == 5 || i == 6:
				st = cellR
			}
			st.grey = l.Checked != "" // checked flags stay listed, greyed (issue 15)
			x.text(sh, 1+i, row, v, st)
		}
		x.height(sh, row, h)
		row++
	}
	x.printSetup(sh, hdr, hdr)
	x.fail(x.f.SetPanes(sh, &excelize.Panes{}))
}

// The HTML annex, after the communes' status (html.go calls it).
var _ = template.Must(htmlTmpl.New("flags").Parse(`{{if or .Flags .NotComparable}}<div class="annex">
<h2>Phụ lục: Cảnh báo về tính hợp lý của số liệu</h2>
<p class="note">{{.FlagsIntro}}</p>
{{with .NotComparableNote}}<p class="note">{{.}}</p>
{{end}}<table>
<thead><tr><th>STT</th><th>Mã xã</th><th>Tên xã</th><th>Thôn, tổ dân phố</th><th>Nội dung cảnh báo</th><th>Năm nay</th><th>Năm trước</th>{{if .AnyChecked}}<th>Đã xác minh (ý kiến của Sở)</th>{{end}}</tr></thead>
<tbody>
{{range $i, $f := .Flags}}<tr{{if .Checked}} class="checked"{{end}}><td class="stt">{{inc $i}}</td><td>{{.Code}}</td><td>{{.Name}}</td><td>{{.Hamlet}}</td><td>{{.Text}}</td><td class="num">{{.Value}}</td><td class="num">{{.Previous}}</td>{{if $.AnyChecked}}<td>{{.Checked}}</td>{{end}}</tr>
{{else}}<tr><td colspan="7">Không có cảnh báo.</td></tr>
{{end}}</tbody>
</table>
</div>
{{end}}`))

// FlagsIntro is the HTML annex's first paragraph.
func (p htmlPage) FlagsIntro() string { return flagsIntro() }

// NotComparableNote is the HTML annex's note on communes not compared.
func (p htmlPage) NotComparableNote() string { return notComparableNote(p.Report) }

// AnyChecked: the HTML annex has the "đã xác minh" column.
func (p htmlPage) AnyChecked() bool { return anyChecked(p.Report) }
