// Package table finds a form's table in a workbook: the header (one to three
// rows, merged group headers), which column is which field, the data rows,
// the totals row, and the title block above (year, commune code).
package table

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/textnorm"
	"github.com/xhht/xhht/pipeline/workbook"
	"github.com/xhht/xhht/schemas"
)

// scanRows is how far down a sheet the header is looked for. Title blocks
// are 3–10 rows; 30 leaves room and keeps non-form sheets cheap to skip.
const scanRows = 30

// MaxColumns bounds the header columns examined. The forms have about 15;
// a sheet 200,000 columns wide would otherwise cost minutes per try.
const MaxColumns = 256

// MaxDataRows bounds the rows kept for one table. No commune has this many
// hamlets; a sheet that does is not a Biểu 01, and we refuse to buffer it.
const MaxDataRows = 5000

// Column is one mapped column.
type Column struct {
	Col    int // 1-based
	Field  *forms.Field
	Header string // the header text as written
}

// RateColumn is a "Tỷ lệ %" column the commune wrote: checked against the
// counts, never read into the data.
type RateColumn struct {
	Col    int // 1-based
	Rate   *forms.Rate
	Header string
}

// Table is a located form table.
type Table struct {
	Form       *forms.Form
	Sheet      string
	HeaderRows []int // sheet row numbers of the header
	Columns    []Column
	Rates      []RateColumn
	STTCol     int            // the row-number (STT) column; 0 when none
	Data       []workbook.Row // candidate data rows, in order (totals, subtotals, group rows and footer removed)
	Totals     []workbook.Row // totals rows ("Tổng cộng")
	Subtotals  []Subtotal     // subtotal rows of groups of hamlets ("Cộng cụm 1"), in sheet order
	GroupRows  []workbook.Row // group header rows without numbers ("I. Khu vực thị trấn")
	Merges     []workbook.Range
	Title      []string    // texts above the header
	TitleCells []TitleCell // the same texts with where they are, so a check can name the cell
	Issues     []receipt.Issue
}

// TitleCell is a text of the title block and its cell.
type TitleCell struct {
	Row, Col int
	Text     string // a number's stored digits
}

// setTitle makes the text cells of rows the table's title block. Its
// numbers are title cells too (not Title): "Mã xã:" may be in one cell
// and the code, a number since Excel took it for one, in the next.
func (t *Table) setTitle(rows []workbook.Row) {
	t.Title, t.TitleCells = nil, nil
	for _, r := range rows {
		for i, c := range r.Cells {
			switch c.Kind {
			case workbook.String:
				t.Title = append(t.Title, c.Text)
				t.TitleCells = append(t.TitleCells, TitleCell{Row: r.Num, Col: i + 1, Text: c.Text})
			case workbook.Number:
				t.TitleCells = append(t.TitleCells, TitleCell{Row: r.Num, Col: i + 1, Text: c.Text})
			}
		}
	}
}

// Column returns the column mapped to a field code, or nil.
func (t *Table) Column(code string) *Column {
	for i := range t.Columns {
		if t.Columns[i].Field.Code == code {
			return &t.Columns[i]
		}
	}
	return nil
}

// Keywords are the words in schemas/table.json.
type Keywords struct {
	TotalsLabels       []string `json:"totals_labels"`
	SubtotalPrefixes   []string `json:"subtotal_prefixes"`
	GroupWords         []string `json:"group_words"`
	SubtotalGroupWords []string `json:"subtotal_group_words"`
	RowNumberHeaders   []string `json:"row_number_headers"`
	FooterPrefixes     []string `json:"footer_prefixes"`
	totals             map[string]bool
	footer             []string
	subPrefixes        []string
	groupWords         []string
	subGroupWords      []string
	rowNumber          map[string]bool
}

// LoadKeywords reads schemas/table.json.
func LoadKeywords() (*Keywords, error) {
	b, err := schemas.FS.ReadFile("table.json")
	if err != nil {
		return nil, fmt.Errorf("table: %w", err)
	}
	k := &Keywords{}
	if err := json.Unmarshal(b, k); err != nil {
		return nil, fmt.Errorf("table: parse table.json: %w", err)
	}
	k.totals = map[string]bool{}
	for _, s := range k.TotalsLabels {
		k.totals[textnorm.Fold(s)] = true
	}
	k.footer = foldList(k.FooterPrefixes)
	k.subPrefixes = foldList(k.SubtotalPrefixes)
	k.groupWords = foldList(k.GroupWords)
	k.subGroupWords = append(foldList(k.SubtotalGroupWords), k.groupWords...)
	k.rowNumber = map[string]bool{}
	for _, s := range k.RowNumberHeaders {
		k.rowNumber[textnorm.Fold(s)] = true
	}
	return k, nil
}

func foldList(list []string) []string {
	var out []string
	for _, s := range list {
		if f := textnorm.Fold(s); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// IsTotals reports whether a label names a totals row.
func (k *Keywords) IsTotals(label string) bool { return k.totals[textnorm.Fold(label)] }

// On folded text "…" and "." are gone: "ngày … tháng" folds to "ngay thang".
var dateLine = regexp.MustCompile(`(^|\s)ngay\s+(\d{1,2}\s+)?thang(\s|$)`)

// IsFooter reports whether a row's first text starts the signature block.
func (k *Keywords) IsFooter(text string) bool {
	f := textnorm.Fold(text)
	if f == "" {
		return false
	}
	for _, p := range k.footer {
		if f == p || strings.HasPrefix(f, p+" ") {
			return true
		}
	}
	return dateLine.MatchString(f)
}

// Find reads every visible sheet and returns the tables found, at most one
// per form (the first sheet wins; later ones get a warning).
func Find(book *workbook.Book, set *forms.Set, kw *Keywords) ([]*Table, []receipt.Issue, error) {
	var tables []*Table
	var issues []receipt.Issue
	seen := map[string]*Table{}
	for _, sh := range book.Sheets {
		if sh.Hidden {
			continue
		}
		found, err := scanSheet(sh, set, kw)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range found {
			if first := seen[t.Form.Code]; first != nil && first.Sheet == sh.Name {
				issues = append(issues, receipt.Issue{
					Code: receipt.DuplicateForm, Severity: receipt.SevWarning, Sheet: sh.Name, Row: t.HeaderRows[0],
					Message:   fmt.Sprintf("Trang tính %q có %s hai lần (lần hai ở dòng %d). Chỉ bảng đầu tiên được đọc.", sh.Name, formName(t.Form), t.HeaderRows[0]),
					MessageEN: fmt.Sprintf("Sheet %q carries %s twice (again at row %d); only the first table was read.", sh.Name, t.Form.Code, t.HeaderRows[0]),
				})
				continue
			} else if first != nil {
				issues = append(issues, receipt.Issue{
					Code: receipt.DuplicateForm, Severity: receipt.SevWarning, Sheet: sh.Name,
					Message:   fmt.Sprintf("Trang tính %q cũng có %s. Chỉ trang %q được đọc.", sh.Name, formName(t.Form), first.Sheet),
					MessageEN: fmt.Sprintf("Sheet %q also carries %s; only sheet %q was read.", sh.Name, t.Form.Code, first.Sheet),
				})
				continue
			}
			seen[t.Form.Code] = t
			tables = append(tables, t)
		}
	}
	return tables, issues, nil
}

// scanSheet buffers the top of a sheet, looks for a header, and if one is
// found keeps streaming the data rows until the footer.
//
// A sheet may carry more than one form: a commune that keeps Biểu 01 and
// Biểu 02 one under the other on one sheet (or a web page holding both
// tables) expects both read, as they would be on two sheets, and keeping
// only one would drop the other's data without a word. So every header is
// read: one found above the chosen header in the buffered rows (its data
// are the rows down to that header or its own footer), and one found in
// the scanRows rows after a table's footer. A second form with no footer
// between it and the first is not lost silently either: its title and
// header rows land in the first table's data, where they fail its checks.
func scanSheet(sh *workbook.Sheet, set *forms.Set, kw *Keywords) ([]*Table, error) {
	var tables []*Table
	var buf []workbook.Row
	var open *filler // the table whose data rows are being read
	found := func() error {
		done, f := detectIn(sh, buf, set, kw)
		buf = nil
		tables = append(tables, done...)
		if f == nil {
			return workbook.Stop
		}
		tables = append(tables, f.t)
		if f.stopped {
			return workbook.Stop
		}
		if !f.ended {
			open = f
		}
		return nil
	}
	err := sh.Rows(func(r workbook.Row) error {
		if open != nil {
			err := open.add(r)
			if open.stopped {
				return workbook.Stop
			}
			if open.ended {
				open = nil // past the footer: look for another form below
			}
			return err
		}
		buf = append(buf, r)
		if len(buf) < scanRows {
			return nil
		}
		return found()
	})
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", sh.Name, err)
	}
	if open == nil && len(buf) > 0 {
		found() // the sheet ended before scanRows rows: its Stop means nothing here
	}
	for _, t := range tables {
		t.Merges = sh.Merges
		t.organise(kw)
	}
	return tables, nil
}

// filler collects a found table's data rows until its footer.
type filler struct {
	t       *Table
	sh      *workbook.Sheet
	kw      *Keywords
	ended   bool // the footer (or the row limit) was reached
	stopped bool // the row limit was reached: the sheet is not read further
	next    int  // index in the detected rows after the last row the table took
}

func (f *filler) add(r workbook.Row) error {
	t, sh := f.t, f.sh
	if f.ended {
		return nil
	}
	if firstText(r) != "" && f.kw.IsFooter(firstText(r)) {
		f.ended = true
		return nil
	}
	if len(t.Data)+len(t.Totals) >= MaxDataRows {
		t.Issues = append(t.Issues, receipt.Issue{
			Code: receipt.TooManyRows, Severity: receipt.SevError, Sheet: sh.Name, Row: r.Num,
			Message:   fmt.Sprintf("Bảng có hơn %d dòng; biểu này không thể có nhiều dòng như vậy. Hãy kiểm tra lại trang tính %q.", MaxDataRows, sh.Name),
			MessageEN: fmt.Sprintf("The table has more than %d rows, which this form cannot have.", MaxDataRows),
		})
		f.ended, f.stopped = true, true
		return nil
	}
	// Only a hamlet form has a totals row: in Biểu 02 "Toàn xã" names
	// the commune's own (and only) row.
	if label := rowLabel(r, t); t.Form.Grain == "hamlet" && f.kw.IsTotals(label) {
		t.Totals = append(t.Totals, r)
	} else {
		t.Data = append(t.Data, r)
	}
	return nil
}

// detectIn finds the tables whose headers lie in rows, top to bottom. Every
// table but the last is complete (its data end at the next header or its
// footer); the last one's filler has been fed the rows below its header
// and may go on reading the rows after them.
func detectIn(sh *workbook.Sheet, rows []workbook.Row, set *forms.Set, kw *Keywords) ([]*Table, *filler) {
	hs := headersIn(sh, rows, set, kw, 0)
	if len(hs) == 0 {
		return nil, nil
	}
	var done []*Table
	for i, h := range hs {
		end := len(rows)
		if i+1 < len(hs) {
			// With no footer between, the one-text rows right above the
			// next header are its title ("BIỂU 02"), not data.
			for end = hs[i+1].start; end > h.body && titleLine(rows[end-1]); end-- {
			}
		}
		h.f.feed(rows[h.body:end])
		h.f.next += h.body
		if i > 0 {
			// The title block of a lower table is what lies between the
			// upper table's end and its header, not the upper table.
			h.f.t.setTitle(rows[hs[i-1].f.next:h.start])
		}
		if i+1 < len(hs) {
			done = append(done, h.f.t)
		}
	}
	return done, hs[len(hs)-1].f
}

// titleLine reports whether a row holds one text cell and nothing else.
func titleLine(r workbook.Row) bool {
	n := 0
	for _, c := range r.Cells {
		if c.Kind == workbook.Blank || c.Text == "" {
			continue
		}
		if n++; n > 1 || c.Kind != workbook.String {
			return false
		}
	}
	return n == 1
}

// header is a header found in the buffered rows: start and body are the
// indexes of its first row and of the first row below it.
type header struct {
	f           *filler
	start, body int
}

// headersIn finds every form header in rows, top to bottom: the best one
// (detect), then those above and below it. off is rows' index in the
// buffer.
func headersIn(sh *workbook.Sheet, rows []workbook.Row, set *forms.Set, kw *Keywords, off int) []header {
	t, body := detect(sh, rows, set, kw)
	if t == nil {
		return nil
	}
	start := 0
	for start < len(rows) && rows[start].Num != t.HeaderRows[0] {
		start++
	}
	hs := headersIn(sh, rows[:start], set, kw, off)
	hs = append(hs, header{&filler{t: t, sh: sh, kw: kw}, off + start, off + body})
	return append(hs, headersIn(sh, rows[body:], set, kw, off+body)...)
}

// feed adds rows until the footer; next is the index in rows after the
// last row the table took (the footer row included).
func (f *filler) feed(rows []workbook.Row) {
	f.next = len(rows)
	for i, r := range rows {
		f.add(r)
		if f.ended {
			f.next = i + 1
			break
		}
	}
}

// firstText is the first non-empty cell of a row, as text.
func firstText(r workbook.Row) string {
	for _, c := range r.Cells {
		if c.Kind == workbook.String && strings.TrimSpace(c.Text) != "" {
			return c.Text
		}
		if c.Kind != workbook.Blank {
			return ""
		}
	}
	return ""
}

// rowLabel is the text that would name a totals row: the name column, or
// else the first text cell left of the first count column (often the STT
// cell merged across STT and name).
func rowLabel(r workbook.Row, t *Table) string {
	for _, c := range t.Columns {
		if c.Field.Type == forms.Text && c.Field.Code != "ma_thon" && c.Field.Code != "ma_xa" {
			if s := r.Cell(c.Col).Text; strings.TrimSpace(s) != "" {
				return s
			}
		}
	}
	return firstText(r)
}

type candidate struct {
	form     *forms.Form
	start, k int // header is buf[start : start+k]
	cols     []Column
	rates    []RateColumn
	quantity int // columns whose leaf is a quantity header ("SL") read through the header above
	stt      int
	unknown  []Column
	dups     []Column
}

// detect tries every form, header start row and header height (1–3 rows) and
// keeps the mapping that recognises the most fields. It returns the table
// and the index in buf of the first row below the header.
func detect(sh *workbook.Sheet, buf []workbook.Row, set *forms.Set, kw *Keywords) (*Table, int) {
	var best *candidate
	// Each row's cleaned texts, once: every row is in up to 6 windows.
	texts := make([][]string, len(buf))
	for i, r := range buf {
		texts[i] = make([]string, min(len(r.Cells), MaxColumns))
		for c := range texts[i] {
			texts[i][c] = cellText(r.Cells[c])
		}
	}
	// A candidate needs 3 mapped columns, and a column maps only if one of
	// its header texts may name a field (forms.MayName): windows with fewer
	// such columns are skipped without trying the forms. Texts repeat from
	// window to window, so each is asked once.
	named := map[string]bool{}
	mayName := func(s string) bool {
		v, ok := named[s]
		if !ok {
			for _, f := range set.Forms {
				if v = f.MayName(s); v {
					break
				}
			}
			named[s] = v
		}
		return v
	}
	for start := range buf {
		for k := 1; k <= 3 && start+k <= len(buf); k++ {
			if k > 1 && buf[start+k-1].Num != buf[start+k-2].Num+1 {
				break // header rows are adjacent
			}
			labels := headerLabels(sh, buf[start:start+k], texts[start:start+k])
			if !mayBeHeader(labels, mayName) {
				continue
			}
			for _, f := range set.Forms {
				c := mapColumns(f, labels, kw)
				c.start, c.k = start, k
				if len(c.cols) < 3 || !hasKey(f, c.cols) {
					continue
				}
				if best == nil || c.better(best) {
					best = c
				}
			}
		}
	}
	if best == nil {
		return nil, 0
	}
	t := &Table{Form: best.form, Sheet: sh.Name, Columns: best.cols, Rates: best.rates, STTCol: best.stt}
	for _, r := range buf[best.start : best.start+best.k] {
		t.HeaderRows = append(t.HeaderRows, r.Num)
	}
	t.setTitle(buf[:best.start])
	headerRow := buf[best.start+best.k-1].Num
	for _, u := range best.unknown {
		t.Issues = append(t.Issues, receipt.Issue{
			Code: receipt.UnknownColumn, Severity: receipt.SevWarning, Sheet: sh.Name,
			Cell: workbook.CellRef(headerRow, u.Col), Row: headerRow, Value: u.Header,
			Message:   fmt.Sprintf("Cột %s (%q) không thuộc %s nên không được đọc.", workbook.ColName(u.Col), u.Header, formName(best.form)),
			MessageEN: fmt.Sprintf("Column %s (%q) is not part of form %s and was not read.", workbook.ColName(u.Col), u.Header, best.form.Code),
		})
	}
	for _, d := range best.dups {
		t.Issues = append(t.Issues, receipt.Issue{
			Code: receipt.DuplicateColumn, Severity: receipt.SevError, Sheet: sh.Name,
			Cell: workbook.CellRef(headerRow, d.Col), Row: headerRow, Field: d.Field.Code, Value: d.Header,
			Message:   fmt.Sprintf("Cột %s (%q) trùng nội dung với cột %s (%s). Hãy giữ một cột.", workbook.ColName(d.Col), d.Header, workbook.ColName(t.Column(d.Field.Code).Col), d.Field.Label),
			MessageEN: fmt.Sprintf("Column %s (%q) repeats column %s (%s). Keep one.", workbook.ColName(d.Col), d.Header, workbook.ColName(t.Column(d.Field.Code).Col), d.Field.Code),
		})
	}
	body := best.start + best.k
	if body < len(buf) && isColumnNumbers(buf[body]) {
		body++
	}
	return t, body
}

// mayBeHeader reports whether at least 3 columns have a header text that
// may name a field: fewer cannot make a candidate.
func mayBeHeader(labels [][]string, mayName func(string) bool) bool {
	n := 0
	for _, ls := range labels {
		for _, l := range ls {
			if l != "" && mayName(l) {
				n++
				break
			}
		}
		if n >= 3 {
			return true
		}
	}
	return false
}

// better: more fields wins; on a tie fewer repeated columns (a header
// merged over "SL | Tỷ lệ %" repeats the count's header when the row below
// is left out), then more rates, then more "SL" sub-headers understood (the
// row below belongs to the header), then the shorter header ending on the
// same row (the title row above adds nothing).
func (c *candidate) better(best *candidate) bool {
	switch {
	case len(c.cols) != len(best.cols):
		return len(c.cols) > len(best.cols)
	case len(c.dups) != len(best.dups):
		return len(c.dups) < len(best.dups)
	case len(c.rates) != len(best.rates):
		return len(c.rates) > len(best.rates)
	case c.quantity != best.quantity:
		return c.quantity > best.quantity
	}
	return c.start+c.k == best.start+best.k && c.k < best.k
}

// hasKey: a Biểu 01 table must have the hamlet name; a commune form at
// least one count of its own.
func hasKey(f *forms.Form, cols []Column) bool {
	for _, c := range cols {
		if f.Grain == "hamlet" && c.Field.Code == "ten_thon" {
			return true
		}
		if f.Grain != "hamlet" && c.Field.Type == forms.Count {
			return true
		}
	}
	return false
}

// headerLabels gives, per column, the header texts from top to bottom,
// with merged cells filled from their top-left cell. A CSV has no merges:
// there a blank group cell takes the group text from its left, as long as
// the row below has a sub-header in that column. texts are the rows'
// cleaned cell texts (cellText), up to MaxColumns.
func headerLabels(sh *workbook.Sheet, rows []workbook.Row, texts [][]string) [][]string {
	width := 0
	for _, r := range rows {
		width = max(width, len(r.Cells))
	}
	width = min(width, MaxColumns)
	labels := make([][]string, width)
	for c := 1; c <= width; c++ {
		labels[c-1] = make([]string, len(rows))
		for j := range rows {
			if c <= len(texts[j]) {
				labels[c-1][j] = texts[j][c-1]
			}
		}
	}
	for _, m := range sh.Merges {
		if m.Col1 > width {
			continue
		}
		top := ""
		for j, r := range rows {
			if r.Num == m.Row1 {
				top = labels[m.Col1-1][j]
			}
		}
		if top == "" {
			continue // the merge starts above the header or is empty
		}
		for j, r := range rows {
			if r.Num < m.Row1 || r.Num > m.Row2 {
				continue
			}
			for c := m.Col1; c <= min(m.Col2, width); c++ {
				if labels[c-1][j] == "" {
					labels[c-1][j] = top
				}
			}
		}
	}
	if len(sh.Merges) == 0 && len(rows) > 1 {
		for j := 0; j < len(rows)-1; j++ {
			for c := 2; c <= width; c++ {
				if labels[c-1][j] == "" && labels[c-1][len(rows)-1] != "" && labels[c-2][len(rows)-1] != "" {
					labels[c-1][j] = labels[c-2][j]
				}
			}
		}
	}
	return labels
}

func cellText(c workbook.Cell) string {
	if c.Kind == workbook.Blank {
		return ""
	}
	return textnorm.Clean(c.Text)
}

// mapColumns matches each column's lowest header text (with the texts above
// it as context) to a field of the form, or else to one of its rates; it
// notes the STT column.
func mapColumns(f *forms.Form, labels [][]string, kw *Keywords) *candidate {
	c := &candidate{form: f}
	used := map[string]bool{}
	for i, ls := range labels {
		leaf, above := "", []string(nil)
		for j := len(ls) - 1; j >= 0; j-- {
			if ls[j] == "" {
				continue
			}
			if leaf == "" {
				leaf = ls[j]
			} else if ls[j] != leaf {
				above = append(above, ls[j])
			}
		}
		if leaf == "" {
			continue
		}
		col := Column{Col: i + 1, Header: strings.Join(append(reverse(above), leaf), " / ")}
		fd := f.MatchHeader(leaf, above)
		var rate *forms.Rate
		if fd == nil {
			rate = f.MatchRate(leaf, above)
		}
		switch {
		case rate != nil:
			c.rates = append(c.rates, RateColumn{Col: col.Col, Rate: rate, Header: col.Header})
		case fd == nil && kw.rowNumber[textnorm.Fold(leaf)] && c.stt == 0:
			c.stt = col.Col
		case fd == nil && f.Ignored(leaf):
		case fd == nil:
			c.unknown = append(c.unknown, col)
		case used[fd.Code]:
			col.Field = fd
			c.dups = append(c.dups, col)
		default:
			col.Field = fd
			used[fd.Code] = true
			c.cols = append(c.cols, col)
			if f.IsQuantity(leaf) {
				c.quantity++
			}
		}
	}
	return c
}

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

var colNumber = regexp.MustCompile(`^\(?(\d{1,2})\)?$`)

// isColumnNumbers recognises the "(1) (2) (3)" or "1 2 3" row printed under
// many headers: at least three cells, all small integers, increasing.
func isColumnNumbers(r workbook.Row) bool {
	n, last := 0, 0
	for _, c := range r.Cells {
		if c.Kind == workbook.Blank {
			continue
		}
		m := colNumber.FindStringSubmatch(strings.TrimSpace(c.Text))
		if m == nil {
			return false
		}
		var v int
		fmt.Sscan(m[1], &v)
		if v <= last {
			return false
		}
		last = v
		n++
	}
	return n >= 3
}

// formName is a form's short name for messages: "Biểu 01".
func formName(f *forms.Form) string {
	name, _, _ := strings.Cut(f.Title, ":")
	return strings.TrimSpace(name)
}
