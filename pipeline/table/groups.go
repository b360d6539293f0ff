package table

import (
	"regexp"
	"sort"
	"strings"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/textnorm"
	"github.com/xhht/xhht/pipeline/workbook"
)

// Subtotal is the subtotal row of a group of hamlets ("Cộng cụm 1") and
// the data rows it covers.
type Subtotal struct {
	Row     workbook.Row
	Label   string // the row's label as written (cleaned)
	Group   string // the group's name for messages: its header's label, else Label
	Top     bool   // placed at the top of its group (covers the rows below it)
	Members []int  // sheet rows of the data rows of the group, in order
}

// Groups of hamlets inside a Biểu 01 table. Each row of the data area is
// one of (first rule that applies):
//
//	| row                                                         | kind                 |
//	|-------------------------------------------------------------|----------------------|
//	| label is a totals label ("Tổng cộng", "Toàn xã")            | grand totals         |
//	| label is a subtotal prefix + a group word, an enumerator or | closing subtotal     |
//	|   a small number ("Cộng cụm 1", "Tổng khu A", "Cộng I")     |                      |
//	| STT is an Arabic number (1, 2, 3.1)                         | hamlet               |
//	| STT is a Roman numeral or a letter (I, II, A, b), or the    | group row            |
//	|   label starts with one ("I. Khu vực thị trấn", "A - …")    |                      |
//	| label starts with a group word ("Cụm 1", "Khu vực I")       | group row            |
//	| anything else                                               | hamlet               |
//
// A group row without numbers is a group header; with numbers it is its
// group's subtotal. "Numbers" means a non-blank cell in a count, bool or
// score column. Labels are compared folded (no case, no diacritics); the
// words are in schemas/table.json. A hamlet numbered 1, 2, 3 stays a
// hamlet whatever its name ("Khu vực 1" in a city ward); without an STT
// column the label alone decides. When the STT column numbers the hamlets
// themselves with Roman numerals or letters (no row is numbered 1, 2, 3
// and no unnumbered row carries a hamlet's numbers), a Roman or letter STT
// is a hamlet's number.
//
// Which hamlets a subtotal covers, reading top to bottom:
//   - a group header (no numbers), a grand totals row and the start of the
//     data each begin a new group;
//   - a closing subtotal covers the hamlet rows above it since the last
//     group header or subtotal; directly under a group header (no hamlet
//     between) it is the group's subtotal placed at the top and covers
//     the hamlet rows below it until the next group row, subtotal or
//     totals row;
//   - an enumerated group row with numbers (STT "I" or "I. …") is the
//     subtotal of the hamlet rows below it, up to the next group row,
//     subtotal or totals row;
//   - a group-word row with numbers ("Cụm 1") covers the hamlet rows above
//     it when some are there and no subtotal placed at the top covers them
//     (the subtotal at the bottom of its group); otherwise the rows below
//     it (at the top).
//
// Hamlet rows outside every group are counted only in the grand total.
// The grand total is always checked against all hamlet rows.

type rowKind int

const (
	rowHamlet   rowKind = iota
	rowHeader           // group header without numbers
	rowOpening          // enumerated group row with numbers: subtotal of the rows below
	rowGroupSum         // group-word row with numbers: above or below, by position
	rowClosing          // "Cộng cụm 1"
)

// organise takes the group rows and subtotals out of the data rows of a
// hamlet table and works out which hamlets each subtotal covers.
func (t *Table) organise(kw *Keywords) {
	if t.Form.Grain != "hamlet" {
		return
	}
	totals := map[int]bool{}
	rows := append([]workbook.Row{}, t.Data...)
	for _, r := range t.Totals {
		totals[r.Num] = true
		rows = append(rows, r)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Num < rows[j].Num })

	romanHamlets := t.romanNumbersHamlets(rows, totals, kw)
	var data []workbook.Row
	var open *Subtotal // a subtotal placed at the top, collecting the rows below it
	var pending []int  // hamlet rows since the last boundary not covered by open
	header := ""       // label of the group header that began the current group
	justHeader := false
	finish := func() {
		if open != nil {
			t.Subtotals = append(t.Subtotals, *open)
			open = nil
		}
	}
	boundary := func() {
		finish()
		pending, header, justHeader = nil, "", false
	}
	for _, r := range rows {
		if totals[r.Num] {
			boundary()
			continue
		}
		kind, label := t.classify(r, kw, romanHamlets)
		switch kind {
		case rowHamlet:
			data = append(data, r)
			if !t.hasData(r) {
				continue // a blank row joins no group
			}
			if open != nil {
				open.Members = append(open.Members, r.Num)
			} else {
				pending = append(pending, r.Num)
			}
			justHeader = false
		case rowHeader:
			boundary()
			t.GroupRows = append(t.GroupRows, r)
			header, justHeader = label, true
		case rowOpening:
			boundary()
			open = &Subtotal{Row: r, Label: label, Group: label, Top: true}
		case rowGroupSum:
			if open == nil && len(pending) > 0 {
				t.Subtotals = append(t.Subtotals, Subtotal{Row: r, Label: label, Group: label, Members: pending})
				boundary()
				continue
			}
			boundary()
			open = &Subtotal{Row: r, Label: label, Group: label, Top: true}
		case rowClosing:
			name := label
			if header != "" {
				name = header
			}
			if justHeader {
				boundary()
				open = &Subtotal{Row: r, Label: label, Group: name, Top: true}
				continue
			}
			members := pending
			if open != nil {
				members = append([]int{}, open.Members...)
			}
			boundary()
			t.Subtotals = append(t.Subtotals, Subtotal{Row: r, Label: label, Group: name, Members: members})
		}
	}
	finish()
	sort.SliceStable(t.Subtotals, func(i, j int) bool { return t.Subtotals[i].Row.Num < t.Subtotals[j].Row.Num })
	t.Data = data
}

// romanNumbersHamlets reports whether the STT column numbers the hamlets
// themselves with Roman numerals or letters (I, II, III): no row is
// numbered 1, 2, 3 and no other row carries a hamlet's numbers. Then an
// enumerated STT is a hamlet's number, not a group's.
func (t *Table) romanNumbersHamlets(rows []workbook.Row, totals map[int]bool, kw *Keywords) bool {
	enum := 0
	for _, r := range rows {
		if totals[r.Num] {
			continue
		}
		stt := t.sttText(r)
		switch {
		case stt.arabic:
			return false
		case stt.enum:
			enum++
		case t.hasNumbers(r):
			if label := t.groupLabel(r); !kw.IsSubtotal(label) && !enumLabel(label) && !kw.IsGroupLabel(label) {
				return false // a hamlet without a number
			}
		}
	}
	return enum > 0
}

// classify tells what a data-area row is, and its label. romanHamlets:
// see romanNumbersHamlets.
func (t *Table) classify(r workbook.Row, kw *Keywords, romanHamlets bool) (rowKind, string) {
	stt := t.sttText(r)
	if romanHamlets && stt.enum {
		stt.arabic, stt.enum = true, false
	}
	label := t.groupLabel(r)
	numbers := t.hasNumbers(r)
	pick := func(withNumbers, without rowKind) rowKind {
		if numbers {
			return withNumbers
		}
		return without
	}
	switch {
	case label != "" && kw.IsSubtotal(label):
		return rowClosing, label
	case stt.arabic:
		return rowHamlet, label
	case label != "" && enumerator(label):
		// "A | B | C …": letters in a row are no group's name (a row
		// of column letters, or junk); read as data.
		return rowHamlet, label
	case stt.enum || enumLabel(label):
		if label == "" {
			label = stt.text
		}
		return pick(rowOpening, rowHeader), label
	case kw.IsGroupLabel(label):
		return pick(rowGroupSum, rowHeader), label
	}
	return rowHamlet, label
}

type sttCell struct {
	text         string
	arabic, enum bool
}

var (
	arabicRe    = regexp.MustCompile(`^\d+(\.\d+)*\.?$`)
	enumSTTRe   = regexp.MustCompile(`^\(?([A-Za-z]+)[.)]?$`)
	enumLbRe    = regexp.MustCompile(`^\(?([A-Za-z]+)\s*[.):/–-]\s*\S`)
	smallNumber = regexp.MustCompile(`^\d{1,3}$`)
	romanRe     = regexp.MustCompile(`^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$`)
)

// enumerator reports whether s is a Roman numeral or a single letter.
func enumerator(s string) bool {
	if s == "" || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != "" {
		return false
	}
	if len(s) == 1 {
		return true
	}
	u := strings.ToUpper(s)
	return romanRe.MatchString(u)
}

// enumLabel: a label that starts with an enumerator and punctuation,
// "I. Khu vực thị trấn", "B - Cụm 2" (not "A Lưới").
func enumLabel(label string) bool {
	m := enumLbRe.FindStringSubmatch(label)
	return m != nil && enumerator(m[1])
}

// sttText reads the row-number cell: the STT column, or without one the
// first non-blank cell left of the name column.
func (t *Table) sttText(r workbook.Row) sttCell {
	col := t.STTCol
	if col == 0 {
		if nc := t.nameCol(); nc > 1 {
			for c := 1; c < nc; c++ {
				if cell := r.Cell(c); cell.Kind != workbook.Blank && textnorm.Clean(cell.Text) != "" {
					col = c
					break
				}
			}
		}
	}
	if col == 0 {
		return sttCell{}
	}
	c := r.Cell(col)
	switch c.Kind {
	case workbook.Number:
		return sttCell{text: c.Text, arabic: true}
	case workbook.String:
		s := textnorm.Clean(c.Text)
		if arabicRe.MatchString(s) {
			return sttCell{text: s, arabic: true}
		}
		if m := enumSTTRe.FindStringSubmatch(s); m != nil && enumerator(m[1]) {
			return sttCell{text: s, enum: true}
		}
		return sttCell{text: s}
	}
	return sttCell{}
}

func (t *Table) nameCol() int {
	if c := t.Column("ten_thon"); c != nil {
		return c.Col
	}
	return 0
}

// groupLabel is a row's label: the name cell, else the first text cell
// outside the number columns that is not a bare row number ("I. Khu vực
// thị trấn" written in the STT cell merged over the name).
func (t *Table) groupLabel(r workbook.Row) string {
	if nc := t.nameCol(); nc > 0 {
		if s := textnorm.Clean(r.Cell(nc).Text); s != "" && r.Cell(nc).Kind == workbook.String {
			return s
		}
	}
	number := map[int]bool{}
	for _, c := range t.Columns {
		if isNumberField(c.Field) {
			number[c.Col] = true
		}
	}
	for _, rc := range t.Rates {
		number[rc.Col] = true
	}
	for i, c := range r.Cells {
		if number[i+1] || c.Kind != workbook.String {
			continue
		}
		s := textnorm.Clean(c.Text)
		if s == "" || arabicRe.MatchString(s) {
			continue
		}
		if m := enumSTTRe.FindStringSubmatch(s); m != nil && enumerator(m[1]) {
			continue
		}
		return s
	}
	return ""
}

func isNumberField(fd *forms.Field) bool {
	return fd.Type == forms.Count || fd.Type == forms.Bool || fd.Type == forms.Score
}

func blankCell(c workbook.Cell) bool {
	return c.Kind == workbook.Blank || (c.Kind == workbook.String && textnorm.Clean(c.Text) == "")
}

// hasNumbers: a non-blank cell in a count, bool or score column.
func (t *Table) hasNumbers(r workbook.Row) bool {
	for _, c := range t.Columns {
		if isNumberField(c.Field) && !blankCell(r.Cell(c.Col)) {
			return true
		}
	}
	return false
}

// hasData: a non-blank cell in any mapped column.
func (t *Table) hasData(r workbook.Row) bool {
	for _, c := range t.Columns {
		if !blankCell(r.Cell(c.Col)) {
			return true
		}
	}
	return false
}

// IsSubtotal reports whether a label names the subtotal of a group of
// hamlets: a subtotal prefix followed by a group word ("Cộng cụm 1",
// "Tổng khu A") or by a bare enumerator ("Cộng I", "Cộng (B)").
func (k *Keywords) IsSubtotal(label string) bool {
	f := textnorm.Fold(label)
	if k.totals[f] {
		return false
	}
	for _, p := range k.subPrefixes {
		rest, ok := strings.CutPrefix(f, p+" ")
		if !ok {
			continue
		}
		if startsWithWord(rest, k.subGroupWords) {
			return true
		}
		if !strings.Contains(rest, " ") && (enumerator(rest) || smallNumber.MatchString(rest)) {
			return true
		}
	}
	return false
}

// IsGroupLabel reports whether a label starts with a group word ("Cụm 1",
// "Khu vực I", "Vùng cao").
func (k *Keywords) IsGroupLabel(label string) bool {
	return startsWithWord(textnorm.Fold(label), k.groupWords)
}

func startsWithWord(f string, words []string) bool {
	for _, w := range words {
		if f == w || strings.HasPrefix(f, w+" ") {
			return true
		}
	}
	return false
}
