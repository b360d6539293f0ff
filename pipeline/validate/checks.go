package validate

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/table"
	"github.com/xhht/xhht/pipeline/textnorm"
	"github.com/xhht/xhht/pipeline/vnnum"
	"github.com/xhht/xhht/pipeline/workbook"
)

// addAt records an issue whose field is named by code (a field or a rate).
func (v *validator) addAt(code, sev string, row, col int, field, value, vi, en string) {
	is := receipt.Issue{Code: code, Severity: sev, Sheet: v.t.Sheet, Row: row, Field: field, Value: value, Message: vi, MessageEN: en}
	if row > 0 && col > 0 {
		is.Cell = workbook.CellRef(row, col)
	}
	v.res.Issues = append(v.res.Issues, is)
}

// bodyRows are every row of the table below the header: data, totals,
// subtotals and group rows.
func (v *validator) bodyRows() []workbook.Row {
	rows := append([]workbook.Row{}, v.t.Data...)
	rows = append(rows, v.t.Totals...)
	for _, st := range v.t.Subtotals {
		rows = append(rows, st.Row)
	}
	return rows
}

func (v *validator) headerRow() int { return v.t.HeaderRows[len(v.t.HeaderRows)-1] }

// checkNumberFormats decides the number format of each count, score and
// rate column (numfmt.go) and warns about a column read as English.
func (v *validator) checkNumberFormats() {
	v.nums = map[int]*colNumbers{}
	rows := v.bodyRows()
	hr := v.headerRow()
	english := func(cn *colNumbers, title, code string) {
		if !cn.english {
			return
		}
		ex := classify(cn.enEx.text, cn.plausible)
		head := workbook.CellRef(hr, cn.col)
		v.addAt(receipt.EnglishNumbers, receipt.SevWarning, hr, cn.col, code, cn.enEx.text,
			fmt.Sprintf("Cột %s (%s) viết số theo kiểu tiếng Anh: dấu phẩy phân cách hàng nghìn, dấu chấm thập phân. Tiêu đề cột ở ô %s. Ví dụ ô %s ghi %q, được đọc là %s. Cả cột được đọc theo kiểu này. Hãy kiểm tra lại các số của cột. Nên viết theo kiểu Việt Nam: 1.234 và 12,5.",
				cn.colName(), plainTitle(title), head, cn.enEx.ref, cn.enEx.text, plainVN(ex.en)),
			fmt.Sprintf("Column %s (%s, header %s) is written in English number format (',' between thousands, '.' as decimal mark; e.g. cell %s %q = %s), so the whole column was read that way. Please check its numbers.",
				cn.colName(), code, head, cn.enEx.ref, cn.enEx.text, plainEN(ex.en)))
	}
	for _, c := range v.t.Columns {
		kind := kindCount
		switch {
		case !c.Field.AppliesTo(v.ctx.Year):
			continue
		case c.Field.Type == forms.Count:
		case c.Field.Type == forms.Score:
			kind = kindScore
		default:
			continue
		}
		cn := newColNumbers(c.Col, kind, c.Field)
		cn.decide(rows)
		v.nums[c.Col] = cn
		english(cn, c.Field.Title(), c.Field.Code)
	}
	for _, rc := range v.t.Rates {
		cn := newColNumbers(rc.Col, kindRate, nil)
		cn.decide(rows)
		v.nums[rc.Col] = cn
		english(cn, rc.Rate.Title(), rc.Rate.Code)
	}
}

// Merged cells in the data area. A merge is an error (merged-cell, at its
// top-left cell) when it touches a hamlet row and
//   - covers a field column over two or more rows of the table (one
//     number for two hamlets, or a hamlet and the totals row), or
//   - covers two or more field columns of one hamlet row, one of them a
//     count, bool or score (one number for two fields).
//
// Merges over the STT and name columns of a totals, subtotal or group row
// ("Tổng cộng" written across A:B, "I. Khu vực thị trấn" across the row),
// and merges outside the field columns, are layout and fine. The cells of
// a faulty merge read as blank without further errors, and the totals,
// subtotals and rates of its fields are not checked.
func (v *validator) checkMerges() {
	v.merged = map[[2]int]bool{}
	v.unchecked = map[string]bool{}
	if len(v.t.Merges) == 0 {
		return
	}
	hamlet := map[int]bool{}
	byRow := map[int]workbook.Row{}
	var body []int
	for _, r := range v.t.Data {
		byRow[r.Num] = r
		body = append(body, r.Num)
		if hasData(v.t, r) {
			hamlet[r.Num] = true
		}
	}
	for _, r := range v.t.Totals {
		body = append(body, r.Num)
	}
	for _, st := range v.t.Subtotals {
		body = append(body, st.Row.Num)
	}
	for _, r := range v.t.GroupRows {
		body = append(body, r.Num)
	}
	sort.Ints(body)
	for _, m := range v.t.Merges {
		var cols []table.Column
		numbers := 0
		for _, c := range v.t.Columns {
			if c.Col >= m.Col1 && c.Col <= m.Col2 && c.Field.AppliesTo(v.ctx.Year) {
				cols = append(cols, c)
				if c.Field.Type != forms.Text {
					numbers++
				}
			}
		}
		if len(cols) == 0 {
			continue
		}
		lo := sort.SearchInts(body, m.Row1)
		hi := sort.SearchInts(body, m.Row2+1)
		rows := body[lo:hi]
		var hamlets []int
		for _, n := range rows {
			if hamlet[n] {
				hamlets = append(hamlets, n)
			}
		}
		if len(hamlets) == 0 {
			continue
		}
		vertical := len(rows) >= 2
		horizontal := len(cols) >= 2 && numbers >= 1
		if !vertical && !horizontal {
			continue
		}
		var titles, codes []string
		for _, c := range cols {
			titles = append(titles, fieldName(c.Field))
			codes = append(codes, c.Field.Code)
			v.unchecked[c.Field.Code] = true
			for _, n := range rows {
				v.merged[[2]int{n, c.Col}] = true
			}
		}
		ref := workbook.CellRef(m.Row1, m.Col1)
		rng := ref + ":" + workbook.CellRef(m.Row2, m.Col2)
		value := ""
		if r, ok := byRow[m.Row1]; ok {
			value = Display(r.Cell(m.Col1))
		}
		vi := fmt.Sprintf("Ô %s được gộp thành ô %s trải qua %d dòng của bảng (dòng %s) ở cột %s nên không biết số liệu thuộc thôn nào. Hãy bỏ gộp ô và ghi số liệu riêng cho từng dòng.",
			ref, rng, len(rows), rowList(rows), strings.Join(titles, "; "))
		en := fmt.Sprintf("Cell %s is merged into %s across %d table rows (%s) in %s: the data cannot be attributed to one hamlet. Unmerge and fill each row.",
			ref, rng, len(rows), rowList(rows), strings.Join(codes, ", "))
		if !vertical {
			vi = fmt.Sprintf("Ô %s được gộp thành ô %s trải qua các cột %s nên không biết số liệu thuộc cột nào. Hãy bỏ gộp ô và ghi riêng số liệu của từng cột.",
				ref, rng, strings.Join(titles, "; "))
			en = fmt.Sprintf("Cell %s is merged into %s across the columns %s: the data cannot be attributed to one field. Unmerge and fill each column.",
				ref, rng, strings.Join(codes, ", "))
		}
		v.addAt(receipt.MergedCell, receipt.SevError, m.Row1, m.Col1, cols[0].Field.Code, value, vi, en)
	}
}

// hasData: a non-blank cell in one of the table's field columns.
func hasData(t *table.Table, r workbook.Row) bool {
	for _, c := range t.Columns {
		if !blank(r.Cell(c.Col)) {
			return true
		}
	}
	return false
}

// rowList writes sheet rows compactly: "9–11, 13".
func rowList(rows []int) string {
	var parts []string
	for i := 0; i < len(rows); {
		j := i
		for j+1 < len(rows) && rows[j+1] == rows[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d–%d", rows[i], rows[j]))
		} else {
			parts = append(parts, strconv.Itoa(rows[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// members are the records of a subtotal's group.
func (v *validator) members(st *table.Subtotal) []Record {
	in := map[int]bool{}
	for _, n := range st.Members {
		in[n] = true
	}
	var out []Record
	for _, rec := range v.res.Records {
		if in[rec.Row] {
			out = append(out, rec)
		}
	}
	return out
}

// reader gives the number reader of a column: the decided format, or for
// a bool column (whose totals count its "yes" rows) the Vietnamese one.
func (v *validator) reader(col int) *colNumbers {
	if cn := v.nums[col]; cn != nil {
		return cn
	}
	return newColNumbers(col, kindCount, nil)
}

// checkTotals compares each totals row with the sum of all hamlet rows,
// and each subtotal row with the sum of the hamlet rows of its group,
// field by field: counts are summed, bool columns count their "yes" rows.
func (v *validator) checkTotals() {
	for _, r := range v.t.Totals {
		v.checkSum(r, v.res.Records, nil)
	}
	for i := range v.t.Subtotals {
		st := &v.t.Subtotals[i]
		v.checkSum(st.Row, v.members(st), st)
	}
}

func (v *validator) checkSum(r workbook.Row, recs []Record, st *table.Subtotal) {
	rowVI, rowEN := "dòng tổng cộng", "the totals row"
	if st != nil {
		rowVI, rowEN = fmt.Sprintf("dòng cộng của nhóm %q", st.Group), fmt.Sprintf("the subtotal row of group %q", st.Group)
	}
	for _, c := range v.t.Columns {
		fd := c.Field
		if (fd.Type != forms.Count && fd.Type != forms.Bool) || !fd.AppliesTo(v.ctx.Year) || v.unchecked[fd.Code] {
			continue
		}
		cell := r.Cell(c.Col)
		if blank(cell) {
			continue
		}
		wvi, wen := where(r.Num, c.Col, fd)
		want, _, p := v.reader(c.Col).read(cell)
		if cell.Kind == workbook.Error {
			p = cellErr(cell)
		}
		if p != nil {
			if fd.Type == forms.Count {
				v.add(receipt.TypeError, receipt.SevWarning, r.Num, c.Col, fd, textnorm.Clean(cell.Text),
					fmt.Sprintf("%s: %s. Vì vậy %s không đối chiếu được.", wvi, p.vi, rowVI),
					fmt.Sprintf("%s: %s; %s is not a number and was not checked.", wen, p.en, rowEN))
			}
			continue
		}
		var sum int64
		for _, rec := range recs {
			val := rec.Values[fd.Code]
			if val.Null {
				continue
			}
			if fd.Type == forms.Count {
				sum += val.Int
			} else if val.Bool {
				sum++
			}
		}
		if want == float64(sum) {
			continue
		}
		// What the hamlets add up to, in words: a count column is summed,
		// a Có/Không column is counted.
		var rows []int
		for _, rec := range recs {
			rows = append(rows, rec.Row)
		}
		of, ofEN := "các thôn", "the rows"
		if st != nil {
			of, ofEN = fmt.Sprintf("các thôn của nhóm (dòng %s)", rowList(rows)), fmt.Sprintf("the group's rows (%s)", rowList(rows))
		}
		got := fmt.Sprintf("cộng %s được %s", of, vnnum.Int(sum))
		gotEN := fmt.Sprintf("%s add up to %d", ofEN, sum)
		if fd.Type == forms.Bool {
			got = fmt.Sprintf("đếm được %d thôn ghi Có", sum)
			if st != nil {
				got = fmt.Sprintf("đếm được %d thôn của nhóm (dòng %s) ghi Có", sum, rowList(rows))
			}
			gotEN = fmt.Sprintf("%d of %s say yes", sum, ofEN)
		}
		if st != nil && len(rows) == 0 {
			place, placeEN := "phía dưới", "below it"
			if !st.Top {
				place, placeEN = "phía trên", "above it"
			}
			v.add(receipt.TotalsMismatch, receipt.SevError, r.Num, c.Col, fd, Display(cell),
				fmt.Sprintf("%s: %s ghi %s nhưng nhóm không có dòng thôn nào. Các thôn của nhóm là các dòng %s dòng này, đến dòng cộng hoặc dòng tên nhóm kế tiếp. Hãy kiểm tra lại dòng cộng.", wvi, rowVI, Display(cell), place),
				fmt.Sprintf("%s: %s says %s but the group has no hamlet rows (its hamlets are the rows %s, up to the next group or subtotal row).", wen, rowEN, cell.Text, placeEN))
			continue
		}
		vi := fmt.Sprintf("%s: %s ghi %s nhưng %s.", wvi, rowVI, Display(cell), got)
		en := fmt.Sprintf("%s: %s says %s but %s.", wen, rowEN, cell.Text, gotEN)
		if cvi, cen := v.sumCause(c, recs, want, sum); cvi != "" {
			vi, en = vi+" "+cvi, en+" "+cen
		} else if fd.Type == forms.Bool {
			vi += " Hãy kiểm tra lại công thức đếm hoặc số liệu từng thôn."
		} else {
			vi += " Hãy kiểm tra lại phép cộng hoặc số liệu từng thôn."
		}
		v.add(receipt.TotalsMismatch, receipt.SevError, r.Num, c.Col, fd, Display(cell), vi, en)
	}
}

// sumCause explains a totals mismatch by the cells a spreadsheet formula
// leaves out, when they account for the whole difference:
//   - in a count column, numbers stored as text ("1.234", "280 " with a
//     trailing space, a cell formatted as Text): Excel's and LibreOffice's
//     SUM skip them, while they are read here as the numbers they show;
//   - in a Có/Không column, "yes" cells written otherwise than the ones the
//     total counted ("x" or "1" among "Có"): COUNTIF(…;"Có") skips them.
//
// It returns "" when no such cells explain the difference exactly (a CSV,
// which has no formulas, never does: all its cells are text).
func (v *validator) sumCause(c table.Column, recs []Record, want float64, sum int64) (vi, en string) {
	byRow := map[int]workbook.Row{}
	for _, r := range v.t.Data {
		byRow[r.Num] = r
	}
	type hit struct {
		ref  string
		cell workbook.Cell
	}
	var skipped []hit
	if c.Field.Type == forms.Count {
		var numeric int64
		numbers := 0
		for _, rec := range recs {
			val := rec.Values[c.Field.Code]
			if val.Null {
				continue
			}
			cell := byRow[rec.Row].Cell(c.Col)
			if cell.Kind == workbook.Number {
				numeric += val.Int
				numbers++
			} else {
				skipped = append(skipped, hit{workbook.CellRef(rec.Row, c.Col), cell})
			}
		}
		if numbers == 0 || len(skipped) == 0 || float64(numeric) != want {
			return "", ""
		}
		var parts, partsEN []string
		for _, h := range skipped {
			why, whyEN := textNumberReason(h.cell.Text)
			parts = append(parts, fmt.Sprintf("ô %s ghi %q (%s)", h.ref, h.cell.Text, why))
			partsEN = append(partsEN, fmt.Sprintf("%s %q (%s)", h.ref, h.cell.Text, whyEN))
		}
		these := "Ô này chứa"
		if len(skipped) > 1 {
			these = "Các ô này chứa"
		}
		return fmt.Sprintf("Chênh lệch %s là do %s. %s số ở dạng chữ nên hàm SUM của Excel và LibreOffice bỏ qua. Hãy gõ lại thành số, dòng tổng cộng sẽ tự tính đúng.",
				vnnum.Int(sum-numeric), strings.Join(parts, "; "), these),
			fmt.Sprintf("The difference, %d, is %s: numbers stored as text, which the SUM of Excel and LibreOffice skips. Retype them as numbers.",
				sum-numeric, strings.Join(partsEN, "; "))
	}
	// Có/Không: group the "yes" cells by how they are written; if the cells
	// of one spelling are exactly as many as the total, the others are
	// what its COUNTIF did not count.
	spelling := func(cell workbook.Cell) string {
		if cell.Kind == workbook.Number {
			return "1"
		}
		return strings.ToLower(textnorm.Clean(cell.Text))
	}
	bySpelling := map[string][]hit{}
	var yes []hit
	for _, rec := range recs {
		if val := rec.Values[c.Field.Code]; val.Null || !val.Bool {
			continue
		}
		cell := byRow[rec.Row].Cell(c.Col)
		h := hit{workbook.CellRef(rec.Row, c.Col), cell}
		bySpelling[spelling(cell)] = append(bySpelling[spelling(cell)], h)
		yes = append(yes, h)
	}
	counted := ""
	if n := len(bySpelling["có"]); n > 0 && float64(n) == want { // the form's own word first
		counted = "có"
	}
	if counted == "" {
		for s, hs := range bySpelling {
			if float64(len(hs)) == want && (counted == "" || s < counted) {
				counted = s // bySpelling holds no empty lists: want > 0 here
			}
		}
	}
	word := ""
	switch {
	case counted != "":
		word = Display(bySpelling[counted][0].cell)
	case want == 0 && len(yes) > 0 && v.totalsAreFormulas(c):
		// A formula counting "Có" over a column with no "Có" at all:
		// every yes cell is skipped.
		counted, word = "có", "Có"
	default:
		return "", ""
	}
	var parts, partsEN []string
	for _, h := range yes {
		if spelling(h.cell) != counted {
			parts = append(parts, fmt.Sprintf("ô %s ghi %q", h.ref, Display(h.cell)))
			partsEN = append(partsEN, fmt.Sprintf("%s %q", h.ref, Display(h.cell)))
		}
	}
	these := "ô này"
	if len(parts) > 1 {
		these = "các ô này"
	}
	return fmt.Sprintf("Chênh lệch là %s: %s được hiểu là Có nhưng không ghi %q như các ô được đếm, nên công thức đếm (COUNTIF) của dòng tổng cộng bỏ qua. Hãy ghi thống nhất %q.",
			strings.Join(parts, "; "), these, word, word),
		fmt.Sprintf("The difference is %s: read as yes, but not written %q like the cells the total counted, so its COUNTIF skips them. Write %q throughout.",
			strings.Join(partsEN, "; "), word, word)
}

// totalsAreFormulas reports whether a totals cell of column c holds a
// formula (its text is not kept, only its result): a 0 typed by hand over
// "x" cells is a plain mismatch, a formula's 0 is a COUNTIF that found no
// "Có".
func (v *validator) totalsAreFormulas(c table.Column) bool {
	for _, r := range v.t.Totals {
		if cell := r.Cell(c.Col); cell.Formula {
			return true
		}
	}
	return false
}

// textNumberReason says why a number shown in a cell is stored as text.
func textNumberReason(s string) (vi, en string) {
	t := strings.TrimSpace(s)
	switch {
	case t != s || strings.ContainsAny(s, "\u00a0\u200b"):
		return "có dấu cách thừa", "an extra space"
	case strings.ContainsAny(t, ".,"):
		return "dấu chấm, dấu phẩy làm Excel hiểu số là chữ", "its separators make it text"
	case strings.HasPrefix(t, "'"):
		return "có dấu nháy ' ở đầu", "a leading apostrophe"
	}
	return "ô định dạng kiểu Văn bản", "the cell is formatted as Text"
}

// Rates ("Tỷ lệ %") written by the commune are checked, never stored:
// on each hamlet row against that row's counts, on a totals or subtotal
// row against the sums over the hamlets it covers. The written rate is a
// percentage ("85,5", "85,5%"); a numeric cell is a percentage too, unless
// every numeric cell of the column is ≤ 1: then they are fractions (a cell
// formatted as % stores 0.855 for 85.5%). A rate passes when it is within
// rounding of the computed one: half a unit of its last written decimal
// (0.5 for "86", 0.05 for "85,5"), at least 0.005 (two decimals).
// A blank, "-" or a zero denominator is not checked. Problems are warnings.
func (v *validator) checkRates() {
	if len(v.t.Rates) == 0 {
		return
	}
	byRow := map[int]workbook.Row{}
	for _, r := range v.t.Data {
		byRow[r.Num] = r
	}
	f := v.t.Form
	for _, rc := range v.t.Rates {
		rate := rc.Rate
		num, den := f.Field(rate.Numerator), f.Field(rate.Denominator)
		if !num.AppliesTo(v.ctx.Year) || v.t.Column(num.Code) == nil || v.unchecked[num.Code] {
			continue
		}
		if den != nil && (!den.AppliesTo(v.ctx.Year) || v.t.Column(den.Code) == nil || v.unchecked[den.Code]) {
			continue
		}
		for _, rec := range v.res.Records {
			v.checkRate(rc, byRow[rec.Row], []Record{rec}, "")
		}
		for _, r := range v.t.Totals {
			v.checkRate(rc, r, v.res.Records, "tổng các thôn")
		}
		for i := range v.t.Subtotals {
			st := &v.t.Subtotals[i]
			v.checkRate(rc, st.Row, v.members(st), fmt.Sprintf("tổng các thôn của nhóm %q", st.Group))
		}
	}
}

// rateParts sums a rate's numerator and denominator over records; ok is
// false when they cannot give a rate (not reported, or a zero denominator).
func (v *validator) rateParts(rate *forms.Rate, recs []Record) (n, d int64, ok bool) {
	hasN, hasD := false, false
	numBool := v.t.Form.Field(rate.Numerator).Type == forms.Bool
	for _, rec := range recs {
		if x := rec.Values[rate.Numerator]; !x.Null {
			hasN = true
			if numBool {
				if x.Bool {
					n++
				}
			} else {
				n += x.Int
			}
		}
		if rate.Denominator == forms.RowsDenominator {
			hasD = true
			d++
		} else if x := rec.Values[rate.Denominator]; !x.Null {
			hasD = true
			d += x.Int
		}
	}
	return n, d, hasN && hasD && d > 0
}

func (v *validator) checkRate(rc table.RateColumn, r workbook.Row, recs []Record, scope string) {
	cell := r.Cell(rc.Col)
	if s := textnorm.Clean(cell.Text); blank(cell) || s == "-" || s == "–" {
		return
	}
	n, d, ok := v.rateParts(rc.Rate, recs)
	if !ok {
		return
	}
	ref := workbook.CellRef(r.Num, rc.Col)
	wvi := fmt.Sprintf("Ô %s (%s)", ref, plainTitle(rc.Rate.Title()))
	wen := fmt.Sprintf("Cell %s (%s)", ref, rc.Rate.Code)
	if cell.Kind == workbook.Error {
		p := cellErr(cell)
		v.addAt(receipt.TypeError, receipt.SevWarning, r.Num, rc.Col, rc.Rate.Code, cell.Text,
			fmt.Sprintf("%s: %s. Tỷ lệ này không được đối chiếu; hệ thống luôn tính lại tỷ lệ từ số liệu.", wvi, p.vi),
			fmt.Sprintf("%s: %s; the rate was not checked (rates are always recomputed).", wen, p.en))
		return
	}
	w, dec, p := v.nums[rc.Col].read(cell)
	if p != nil {
		v.addAt(p.code, receipt.SevWarning, r.Num, rc.Col, rc.Rate.Code, Display(cell),
			fmt.Sprintf("%s: %s. Tỷ lệ này không được đối chiếu; hệ thống luôn tính lại tỷ lệ từ số liệu.", wvi, p.vi),
			fmt.Sprintf("%s: %s; the rate was not checked (rates are always recomputed).", wen, p.en))
		return
	}
	computed := float64(n) / float64(d) * 100
	tol := 0.5*math.Pow(10, -float64(min(dec, 2))) + 1e-9
	if math.Abs(w-computed) <= tol {
		return
	}
	numFd := v.t.Form.Field(rc.Rate.Numerator)
	denLabel, denCode := "số thôn", "hamlets"
	if fd := v.t.Form.Field(rc.Rate.Denominator); fd != nil {
		denLabel, denCode = fd.Label, fd.Code
	}
	from := fmt.Sprintf("%s %s / %s %s", plainName(numFd.Label), vnnum.Int(n), plainName(denLabel), vnnum.Int(d))
	if scope != "" {
		from = scope + ": " + from
	}
	shown := vnnum.Float(w, min(dec, 2))
	v.addAt(receipt.RateMismatch, receipt.SevWarning, r.Num, rc.Col, rc.Rate.Code, Display(cell),
		fmt.Sprintf("%s: ghi %s%% nhưng tính từ số liệu là %s%% (%s). Tỷ lệ không được lưu: hệ thống luôn tính lại từ số liệu. Hãy kiểm tra lại số liệu hoặc công thức tính tỷ lệ. Đây chỉ là cảnh báo.",
			wvi, shown, vnnum.Float(computed, 2), from),
		fmt.Sprintf("%s: says %s%% but the counts give %.2f%% (%s %d / %s %d). Rates are not stored; they are always recomputed from the counts. Please check (a warning: it does not reject the file).",
			wen, plainEN(w), computed, numFd.Code, n, denCode, d))
}
