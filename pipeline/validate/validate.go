// Package validate reads the cells of a located table into typed values and
// checks every rule of the form. Each problem becomes one receipt entry
// pointing at its cell.
package validate

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/table"
	"github.com/xhht/xhht/pipeline/textnorm"
	"github.com/xhht/xhht/pipeline/vnnum"
	"github.com/xhht/xhht/pipeline/workbook"
)

// Context is what the object key says about the upload.
type Context struct {
	Year        int
	CommuneCode string
	CommuneName string
	// Communes are the communes of the key's register, nationwide, by
	// name (CommuneNamesOf): a title block naming one the key's commune
	// cannot be is another commune's report. Nil: names are not checked.
	Communes *table.CommuneNames
}

// CommuneNamesOf indexes the communes of a register version by name, for
// Context.Communes. It folds every name of the register (10,035 before
// the 2025 reform): callers build it once per version.
func CommuneNamesOf(v *registry.Version) *table.CommuneNames {
	if v == nil {
		return nil
	}
	cs := make([]table.CommuneName, 0, len(v.Communes))
	for _, c := range v.Communes {
		cs = append(cs, table.CommuneName{Code: c.Code, Name: c.Name, Short: c.ShortName})
	}
	// Code order: which of several communes of one name a message shows
	// does not depend on map order.
	slices.SortFunc(cs, func(a, b table.CommuneName) int { return strings.Compare(a.Code, b.Code) })
	return table.NewCommuneNames(cs)
}

// Record is one accepted data row.
type Record struct {
	Row    int // sheet row
	Values map[string]Value
}

// Result is one validated table.
type Result struct {
	Form    *forms.Form
	Sheet   string
	Records []Record
	Issues  []receipt.Issue
}

// Table validates one located table.
func Table(t *table.Table, ctx Context) *Result {
	v := &validator{t: t, ctx: ctx, res: &Result{Form: t.Form, Sheet: t.Sheet}}
	v.res.Issues = append(v.res.Issues, t.Issues...)
	v.checkTitle()
	v.checkColumns()
	v.checkNumberFormats()
	v.checkMerges()
	v.readRows()
	v.checkBlankCounts()
	v.checkKeys()
	v.checkTotals()
	v.checkRates()
	return v.res
}

type validator struct {
	t      *table.Table
	ctx    Context
	res    *Result
	xBlank map[string]bool // bool columns using the x/blank convention
	nums   map[int]*colNumbers
	// merged are the field cells inside a merge that cannot be attributed
	// (merged-cell): read as blank, with no further error. unchecked are
	// the fields whose sum is unknown (such a merge, or a cell that did not
	// parse): their totals and rates are not checked, so one wrong cell is
	// one error, not also a totals-mismatch.
	merged    map[[2]int]bool
	unchecked map[string]bool
}

func (v *validator) add(code, sev string, row, col int, fd *forms.Field, value, vi, en string) {
	is := receipt.Issue{Code: code, Severity: sev, Sheet: v.t.Sheet, Row: row, Value: value, Message: vi, MessageEN: en}
	if row > 0 && col > 0 {
		is.Cell = workbook.CellRef(row, col)
	}
	if fd != nil {
		is.Field = fd.Code
	}
	v.res.Issues = append(v.res.Issues, is)
}

// where names a cell for messages: "Ô E12 (Gia đình học tập – Số hộ được
// công nhận)"; in English with the field's code.
func where(row, col int, fd *forms.Field) (vi, en string) {
	ref := workbook.CellRef(row, col)
	return fmt.Sprintf("Ô %s (%s)", ref, fieldName(fd)), fmt.Sprintf("Cell %s (%s)", ref, fd.Code)
}

var (
	yearRe   = regexp.MustCompile(`(?:^|\s)nam (\d{4})(?:\s|$)`)
	dateYear = regexp.MustCompile(`thang (\d{1,2} )?nam \d{4}`)
)

// checkTitle compares a year ("NĂM 2026") or commune ("Mã xã: 05443",
// "UBND XÃ PHONG QUANG") written in the title block with the key, and
// names the cell that says otherwise. Dates ("ngày 5 tháng 12 năm 2026")
// are the signing date, not the reporting year, and are skipped.
func (v *validator) checkTitle() {
	codeMismatch := false
	cells := v.t.TitleCells
	for k, tc := range cells {
		s := tc.Text
		f := dateYear.ReplaceAllString(textnorm.Fold(s), " ")
		for _, m := range yearRe.FindAllStringSubmatch(f, -1) {
			if y, _ := strconv.Atoi(m[1]); y != v.ctx.Year {
				ref := workbook.CellRef(tc.Row, tc.Col)
				v.add(receipt.YearMismatch, receipt.SevError, tc.Row, tc.Col, nil, textnorm.Clean(s),
					fmt.Sprintf("Ô %s: tiêu đề ghi năm %d nhưng tệp được nộp cho năm %d. Hãy sửa năm trong tệp hoặc nộp vào đúng năm.", ref, y, v.ctx.Year),
					fmt.Sprintf("Cell %s: the title says year %d but the file was uploaded for %d.", ref, y, v.ctx.Year))
			}
		}
		at, codes := tc, table.TitleCommuneCodes(s)
		if len(codes) == 0 && k+1 < len(cells) && cells[k+1].Row == tc.Row {
			// "Mã xã:" in one cell, the code (often a number: 1849) in
			// the next: the issue names the code's cell.
			next := cells[k+1]
			if d := textnorm.Clean(next.Text); d != "" && strings.Trim(d, "0123456789０１２３４５６７８９") == "" {
				at, codes = next, table.TitleCommuneCodes(s+" "+next.Text)
				s = s + " " + next.Text
			}
		}
		// One line may write a code several ways ("Xã A (01840)",
		// "Mã xã: 01840"): one issue per line.
		for _, code := range codes {
			if code != v.ctx.CommuneCode {
				codeMismatch = true
				ref := workbook.CellRef(at.Row, at.Col)
				v.add(receipt.CommuneMismatch, receipt.SevError, at.Row, at.Col, nil, textnorm.Clean(s),
					"Ô "+ref+": tiêu đề "+communeMismatchVI(code, v.ctx), "Cell "+ref+": the title "+communeMismatchEN(code, v.ctx))
				break
			}
		}
	}
	if codeMismatch {
		return // the code already says it; the name would say it again
	}
	// The other commune's name alone (no code written, or the right one):
	// the first line that names one tells it.
	for _, tc := range cells {
		s := tc.Text
		if name, ok := v.ctx.Communes.TitleOther(s, v.ctx.CommuneCode); ok {
			ref := workbook.CellRef(tc.Row, tc.Col)
			v.add(receipt.CommuneMismatch, receipt.SevError, tc.Row, tc.Col, nil, textnorm.Clean(s),
				fmt.Sprintf("Ô %s: tiêu đề ghi %s nhưng tệp được nộp cho %s. Hãy nộp tệp vào đúng xã.", ref, name, communeVI(v.ctx)),
				fmt.Sprintf("Cell %s: the title names %s but the file was uploaded for commune %s.", ref, name, v.ctx.CommuneCode))
			return
		}
	}
}

func (v *validator) checkColumns() {
	hr := v.t.HeaderRows[len(v.t.HeaderRows)-1]
	for _, fd := range v.t.Form.Fields {
		if !fd.Read() || !fd.AppliesTo(v.ctx.Year) {
			continue
		}
		if v.t.Column(fd.Code) != nil {
			continue
		}
		switch {
		case fd.Column == "required":
			v.add(receipt.MissingColumn, receipt.SevError, hr, 0, fd, "",
				fmt.Sprintf("Thiếu cột bắt buộc %q trong %s. Hãy thêm cột này như trong biểu mẫu.", fieldName(fd), formName(v.t.Form)),
				fmt.Sprintf("Required column %q (%s) is missing from %s.", fd.Label, fd.Code, v.t.Form.Code))
		case fd.Type != forms.Text:
			v.add(receipt.MissingColumn, receipt.SevWarning, hr, 0, fd, "",
				fmt.Sprintf("Không có cột %q. Số liệu này được ghi là chưa báo cáo.", fieldName(fd)),
				fmt.Sprintf("No column %q (%s): recorded as not reported.", fd.Label, fd.Code))
		}
	}
	for _, c := range v.t.Columns {
		if !c.Field.AppliesTo(v.ctx.Year) {
			v.add(receipt.NotApplicable, receipt.SevWarning, hr, c.Col, c.Field, c.Header,
				fmt.Sprintf("Cột %s (%s) không áp dụng cho năm %d nên không được đọc.", workbook.ColName(c.Col), fieldName(c.Field), v.ctx.Year),
				fmt.Sprintf("Column %s (%s) does not apply to year %d and was not read.", workbook.ColName(c.Col), c.Field.Code, v.ctx.Year))
		}
	}
	// A bool column where any cell is "x" uses the x/blank convention.
	v.xBlank = map[string]bool{}
	for _, c := range v.t.Columns {
		if c.Field.Type != forms.Bool {
			continue
		}
		for _, r := range v.t.Data {
			if textnorm.Fold(r.Cell(c.Col).Text) == "x" {
				v.xBlank[c.Field.Code] = true
				break
			}
		}
	}
}

func (v *validator) readRows() {
	nFields := len(v.t.Form.Fields)
	for _, r := range v.t.Data {
		rec := Record{Row: r.Num, Values: make(map[string]Value, nFields)}
		empty := true              // no data in the form's own columns
		identity := false          // only the prefilled commune code/name
		var failed map[string]bool // fields whose cell did not parse (not blank); made on the first
		for _, c := range v.t.Columns {
			if !c.Field.AppliesTo(v.ctx.Year) {
				continue
			}
			cell := r.Cell(c.Col)
			if len(v.merged) > 0 && v.merged[[2]int{r.Num, c.Col}] {
				if !blank(cell) {
					empty = false
				}
				rec.Values[c.Field.Code] = null
				failed = setTrue(failed, c.Field.Code)
				continue
			}
			if cell.Formula && cell.Kind == workbook.Blank {
				// Saved by a program that does not calculate (a script, some
				// web exports): the result is unknown, so it reads as blank.
				wvi, wen := where(r.Num, c.Col, c.Field)
				v.add(receipt.FormulaNoValue, receipt.SevWarning, r.Num, c.Col, c.Field, "",
					wvi+": ô có công thức nhưng chưa có kết quả tính; được ghi là chưa báo cáo. Hãy mở tệp bằng Excel, lưu lại rồi nộp lại.",
					wen+": a formula without a calculated result; recorded as not reported. Open and save the file in Excel, then upload again.")
			}
			val, p := parse(c.Field, cell, v.xBlank[c.Field.Code], v.nums[c.Col])
			// Identity cells (ma_xa, ten_xa) come prefilled on the template:
			// alone they do not make a row of data.
			if cell.Kind != workbook.Blank && textnorm.Clean(cell.Text) != "" {
				if c.Field.Identity {
					identity = true
				} else {
					empty = false
				}
			}
			if p != nil {
				wvi, wen := where(r.Num, c.Col, c.Field)
				v.add(p.code, receipt.SevError, r.Num, c.Col, c.Field, Display(cell), wvi+": "+p.vi+".", wen+": "+p.en+".")
				failed = setTrue(failed, c.Field.Code)
				v.unchecked[c.Field.Code] = true
			}
			rec.Values[c.Field.Code] = val
		}
		if empty && identity {
			continue // the template's Biểu 02 row, not filled in
		}
		if empty {
			v.add(receipt.BlankRow, receipt.SevWarning, r.Num, 0, nil, "",
				fmt.Sprintf("Dòng %d không có số liệu trong các cột của biểu nên đã bỏ qua.", r.Num),
				fmt.Sprintf("Row %d has no data in the form's columns and was skipped.", r.Num))
			continue
		}
		for _, fd := range v.t.Form.Fields {
			if _, ok := rec.Values[fd.Code]; !ok {
				rec.Values[fd.Code] = null
			}
			if c := v.t.Column(fd.Code); c != nil && fd.Blank == "error" && rec.Values[fd.Code].Null && !failed[fd.Code] && fd.AppliesTo(v.ctx.Year) {
				wvi, wen := where(r.Num, c.Col, fd)
				v.add(receipt.MissingCell, receipt.SevError, r.Num, c.Col, fd, "",
					wvi+": ô bắt buộc nhưng đang để trống.", wen+": required but blank.")
			}
		}
		v.derive(rec)
		v.checkRules(rec)
		v.checkIdentity(rec)
		v.res.Records = append(v.res.Records, rec)
	}
	switch {
	case len(v.res.Records) == 0 && v.t.Form.Grain == "commune":
		// Biểu 02 may come later, in another upload: an empty one is not
		// a reason to refuse the hamlets. Nothing of it is recorded.
		v.add(receipt.EmptyTable, receipt.SevWarning, 0, 0, nil, "",
			fmt.Sprintf("%s trên trang %q chưa có số liệu nên không được ghi nhận. Có thể nộp sau.", formName(v.t.Form), v.t.Sheet),
			fmt.Sprintf("Table %s on sheet %q has no data and was not recorded.", v.t.Form.Code, v.t.Sheet))
	case len(v.res.Records) == 0:
		v.add(receipt.EmptyTable, receipt.SevError, 0, 0, nil, "",
			fmt.Sprintf("%s trên trang %q không có dòng số liệu nào.", formName(v.t.Form), v.t.Sheet),
			fmt.Sprintf("Table %s on sheet %q has no data rows.", v.t.Form.Code, v.t.Sheet))
	case v.t.Form.Grain == "commune" && len(v.res.Records) > 1:
		v.add(receipt.TooManyRows, receipt.SevError, v.res.Records[1].Row, 0, nil, "",
			fmt.Sprintf("%s chỉ có một dòng cho xã, nhưng bảng có %d dòng số liệu.", formName(v.t.Form), len(v.res.Records)),
			fmt.Sprintf("%s has one row per commune, but the table has %d data rows.", v.t.Form.Code, len(v.res.Records)))
	}
}

// setTrue sets m[k], making m on the first use: most rows need no map.
func setTrue(m map[string]bool, k string) map[string]bool {
	if m == nil {
		m = map[string]bool{}
	}
	m[k] = true
	return m
}

func (v *validator) derive(rec Record) {
	for _, fd := range v.t.Form.Fields {
		if fd.Derived == nil {
			continue
		}
		src := rec.Values[fd.Derived.From]
		if src.Null || !fd.AppliesTo(v.ctx.Year) {
			rec.Values[fd.Code] = null
			continue
		}
		rec.Values[fd.Code] = Value{Str: fd.Grade(src.Float)}
	}
}

func (v *validator) checkRules(rec Record) {
	f := v.t.Form
	for _, rule := range f.Rules {
		a, b := rec.Values[rule.Field], rec.Values[rule.Other]
		if a.Null || b.Null {
			continue
		}
		// Most rows keep every rule: the messages are written only for
		// the ones that break one.
		switch rule.Rule {
		case "lte":
			if a.Int <= b.Int {
				continue
			}
		case "implies":
			if !a.Bool || b.Bool {
				continue
			}
		default:
			continue
		}
		fa, fb := f.Field(rule.Field), f.Field(rule.Other)
		col := 0
		if c := v.t.Column(rule.Field); c != nil {
			col = c.Col
		}
		if col == 0 {
			continue
		}
		// "Ô E8 (Gia đình học tập): Số hộ đăng ký (420) lớn hơn Tổng số hộ
		// (338)." Both fields by their label; the group, when they share
		// one, once in front.
		ref := workbook.CellRef(rec.Row, col)
		ga, la := groupAndLabel(fa.Title())
		gb, lb := groupAndLabel(fb.Title())
		wvi := "Ô " + ref
		switch {
		case ga != "" && ga == gb:
			wvi += " (" + ga + ")"
		default:
			la, lb = fieldName(fa), fieldName(fb)
		}
		wen := "Cell " + ref
		hint, hintEN := "", ""
		if rule.Severity == receipt.SevWarning {
			hint, hintEN = " Hãy kiểm tra lại. Đây chỉ là cảnh báo.", " Please check (a warning: it does not reject the file)."
		}
		switch rule.Rule {
		case "lte":
			v.add(receipt.ConstraintError, rule.Severity, rec.Row, col, fa, strconv.FormatInt(a.Int, 10),
				fmt.Sprintf("%s: %s (%s) lớn hơn %s (%s).%s", wvi, la, vnnum.Int(a.Int), lb, vnnum.Int(b.Int), hint),
				fmt.Sprintf("%s: %s (%d) is greater than %s (%d).%s", wen, fa.Code, a.Int, fb.Code, b.Int, hintEN))
		case "implies":
			v.add(receipt.ConstraintError, rule.Severity, rec.Row, col, fa, "Có",
				fmt.Sprintf("%s: %s ghi Có nhưng %s ghi Không.%s", wvi, la, lb, hint),
				fmt.Sprintf("%s: %s is yes but %s is no.%s", wen, fa.Code, fb.Code, hintEN))
		}
	}
}

// checkIdentity compares a commune code written in a column with the key.
func (v *validator) checkIdentity(rec Record) {
	val := rec.Values["ma_xa"]
	c := v.t.Column("ma_xa")
	// Excel drops the leading zero of "05443" when it opens a CSV or when
	// the cell is a number: a code of fewer than 5 digits is padded back.
	if !val.Null && len(val.Str) < 5 && strings.Trim(val.Str, "0123456789") == "" {
		val.Str = strings.Repeat("0", 5-len(val.Str)) + val.Str
	}
	if val.Null || c == nil || val.Str == v.ctx.CommuneCode {
		return
	}
	ref := workbook.CellRef(rec.Row, c.Col)
	v.add(receipt.CommuneMismatch, receipt.SevError, rec.Row, c.Col, c.Field, val.Str,
		"Ô "+ref+" "+communeMismatchVI(val.Str, v.ctx), "Cell "+ref+" "+communeMismatchEN(val.Str, v.ctx))
}

// communeMismatchVI is the message for a file written for another commune
// than the one it was uploaded for, after where the file says so ("Tiêu
// đề", "Ô B9"). The words after the place are the same wherever it is
// found, so the receipt gives one error per code written (ingest keeps
// the first), not one per sheet.
func communeMismatchVI(written string, ctx Context) string {
	return fmt.Sprintf("ghi mã xã %s nhưng tệp được nộp cho %s. Hãy nộp tệp vào đúng xã, hoặc sửa mã xã trong tệp.", written, communeVI(ctx))
}

// communeVI names the key's commune: "Xã Bằng Thành, mã 01864".
func communeVI(ctx Context) string {
	if ctx.CommuneName != "" {
		return ctx.CommuneName + ", mã " + ctx.CommuneCode
	}
	return "xã " + ctx.CommuneCode
}

func communeMismatchEN(written string, ctx Context) string {
	return fmt.Sprintf("gives commune code %s but the file was uploaded for commune %s.", written, ctx.CommuneCode)
}

// checkKeys: hamlet codes and names are unique (names compared with
// case, spacing and tone placement folded).
func (v *validator) checkKeys() {
	if v.t.Form.Grain != "hamlet" {
		return
	}
	for _, code := range []string{"ma_thon", "ten_thon"} {
		c := v.t.Column(code)
		if c == nil {
			continue
		}
		first := map[string]int{}
		for _, rec := range v.res.Records {
			val := rec.Values[code]
			if val.Null {
				continue
			}
			k := textnorm.NameKey(val.Str)
			if prev, dup := first[k]; dup {
				wvi, wen := where(rec.Row, c.Col, c.Field)
				v.add(receipt.DuplicateKey, receipt.SevError, rec.Row, c.Col, c.Field, val.Str,
					fmt.Sprintf("%s: %q trùng với dòng %d. Mỗi thôn chỉ ghi một dòng.", wvi, val.Str, prev),
					fmt.Sprintf("%s: %q repeats row %d. One row per hamlet.", wen, val.Str, prev))
				continue
			}
			first[k] = rec.Row
		}
	}
}
