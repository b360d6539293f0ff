package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Column kinds.
const (
	kSTT = iota
	kName
	kField // a count or yes/no field: the hamlet's value
	kRate  // "Tỷ lệ %": num/den × 100
	kExtra // a column the form does not have
)

type column struct {
	group string // group header over this column ("" = a header of its own)
	head  string
	kind  int
	code  string             // field code (kField), numerator (kRate)
	den   string             // denominator field (kRate)
	extra func(i int) any    // kExtra: the value of hamlet i
	fmt   func(v any) any    // optional: how this column writes its values
	cell  func(c *cell)      // optional: style of the column's data cells
	sum   func() (any, bool) // optional: the totals row value (kExtra)
}

func stt() column             { return column{head: "STT", kind: kSTT} }
func name(head string) column { return column{head: head, kind: kName} }
func fld(group, head, code string) column {
	return column{group: group, head: head, kind: kField, code: code}
}
func rate(group, head, num, den string) column {
	return column{group: group, head: head, kind: kRate, code: num, den: den}
}

type tableOpts struct {
	top, left   int
	cols        []column
	hamlets     []hamlet
	colNums     string // "", "paren" ("(1)" text), "plain" (numeric 1 2 3)
	totals      string // "", "top", "bottom"
	totalsLabel string
	override    map[string]any // field code → the totals row value written instead of the sum
	textNums    bool           // counts as Vietnamese text ("1.085")
	numFmt      string         // number format of numeric cells
	enc         func(string) string
	rateDec     int          // decimals of the rates written
	blankAfter  map[int]bool // an empty bordered row after hamlet i (0-based)
	border      bool
	sttText     func(i int) any // STT of hamlet i (default i+1)
	plain       bool            // headers neither bold nor wrapped: no cell style at all
}

type tableLayout struct {
	headerTop, headerLast int
	firstData             int
	rows                  []int // sheet row of hamlet i
	totalsRow             int
	next                  int // first row below the table
	col                   map[string]int
}

func (o *tableOpts) text(s string) string {
	if o.enc != nil {
		return o.enc(s)
	}
	return s
}

// vnInt writes a whole number the Vietnamese way: 1085 → "1.085".
func vnInt(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// enInt writes it the English way: 1085 → "1,085".
func enInt(n int) string { return strings.ReplaceAll(vnInt(n), ".", ",") }

func round(v float64, dec int) float64 {
	p := math.Pow(10, float64(dec))
	return math.Round(v*p) / p
}

func (o *tableOpts) value(v any) any {
	switch v := v.(type) {
	case int:
		if o.textNums {
			return vnInt(v)
		}
		return v
	case float64:
		if o.textNums {
			return strings.Replace(strconv.FormatFloat(v, 'f', o.rateDec, 64), ".", ",", 1)
		}
		return v
	case string:
		return o.text(v)
	}
	return v
}

func (o *tableOpts) put(s *sheet, row, col int, c column, v any, header bool) {
	if c.fmt != nil && !header {
		v = c.fmt(v)
	} else {
		v = o.value(v)
	}
	ce := cell{v: v, border: o.border}
	if header && !o.plain {
		ce.wrap, ce.bold = true, true
	} else {
		if _, num := v.(int); num {
			ce.numFmt = o.numFmt
		}
		if _, num := v.(float64); num {
			ce.numFmt = o.numFmt
		}
		if c.cell != nil {
			c.cell(&ce)
		}
	}
	s.put(row, col, ce)
}

// writeTable lays out a Biểu 01 table with a one- or two-row header.
func writeTable(s *sheet, o tableOpts) tableLayout {
	lay := tableLayout{col: map[string]int{}}
	two := false
	for _, c := range o.cols {
		two = two || c.group != ""
	}
	r := o.top
	lay.headerTop = r
	for i := 0; i < len(o.cols); i++ {
		c := o.cols[i]
		col := o.left + i
		if c.kind == kField || c.kind == kRate {
			lay.col[c.code+map[bool]string{true: "%", false: ""}[c.kind == kRate]] = col
		}
		if !two {
			o.put(s, r, col, c, c.head, true)
			continue
		}
		if c.group == "" {
			o.put(s, r, col, c, c.head, true)
			o.put(s, r+1, col, c, nil, true)
			s.mergeRC(r, col, r+1, col)
			continue
		}
		j := i
		for j+1 < len(o.cols) && o.cols[j+1].group == c.group {
			j++
		}
		o.put(s, r, col, c, c.group, true)
		for k := i; k <= j; k++ {
			if k > i {
				o.put(s, r, o.left+k, o.cols[k], nil, true)
			}
			o.put(s, r+1, o.left+k, o.cols[k], o.cols[k].head, true)
			kc := o.cols[k]
			if kc.kind == kField || kc.kind == kRate {
				lay.col[kc.code+map[bool]string{true: "%", false: ""}[kc.kind == kRate]] = o.left + k
			}
		}
		if j > i {
			s.mergeRC(r, col, r, o.left+j)
		}
		i = j
	}
	if two {
		r++
	}
	lay.headerLast = r
	r++
	switch o.colNums {
	case "paren":
		for i := range o.cols {
			s.put(r, o.left+i, cell{v: fmt.Sprintf("(%d)", i+1), border: o.border})
		}
		r++
	case "plain":
		for i := range o.cols {
			s.put(r, o.left+i, cell{v: i + 1, border: o.border})
		}
		r++
	}
	totalsRow := func() {
		lay.totalsRow = r
		label := o.totalsLabel
		if label == "" {
			label = "Tổng cộng"
		}
		for i, c := range o.cols {
			col := o.left + i
			var v any
			switch c.kind {
			case kName:
				v = label
			case kField:
				if n, ok := sum(o.hamlets, c.code); ok {
					v = n
				}
				if ov, ok := o.override[c.code]; ok {
					v = ov
				}
			case kRate:
				n, ok1 := sum(o.hamlets, c.code)
				d, ok2 := sum(o.hamlets, c.den)
				if ok1 && ok2 && d > 0 {
					v = round(float64(n)/float64(d)*100, o.rateDec)
				}
				if ov, ok := o.override[c.code+"%"]; ok {
					v = ov
				}
			case kExtra:
				if c.sum != nil {
					if sv, ok := c.sum(); ok {
						v = sv
					}
				}
			}
			o.put(s, r, col, c, v, false)
			if !o.plain {
				s.at(r, col, func(x *cell) { x.bold = true })
			}
		}
		r++
	}
	if o.totals == "top" {
		totalsRow()
	}
	lay.firstData = r
	for i, hm := range o.hamlets {
		lay.rows = append(lay.rows, r)
		for j, c := range o.cols {
			col := o.left + j
			var v any
			switch c.kind {
			case kSTT:
				v = i + 1
				if o.sttText != nil {
					v = o.sttText(i)
				}
			case kName:
				v = hm.name
			case kField:
				v = hm.v[c.code]
			case kRate:
				n, ok1 := hm.v[c.code].(int)
				d, ok2 := hm.v[c.den].(int)
				if ok1 && ok2 && d > 0 {
					v = round(float64(n)/float64(d)*100, o.rateDec)
				}
			case kExtra:
				v = c.extra(i)
			}
			o.put(s, r, col, c, v, false)
		}
		r++
		if o.blankAfter[i] {
			for j := range o.cols {
				s.put(r, o.left+j, cell{border: o.border})
			}
			r++
		}
	}
	if o.totals == "bottom" {
		totalsRow()
	}
	lay.next = r
	return lay
}

// Column sets of Biểu 01.
const (
	gGD  = "Gia đình học tập (GĐHT)"
	gDH  = "Dòng họ học tập (DHHT)"
	gCD  = "Cộng đồng học tập cấp thôn (CĐHT)"
	gCDa = "Công dân học tập (CDHT)"
)

// cols01 is the whole of Biểu 01 with a two-row header, as printed.
func cols01() []column {
	return []column{
		stt(), name("Tên thôn, tổ dân phố"),
		fld(gGD, "Tổng số hộ", "ho_tong"), fld(gGD, "Số hộ đăng ký", "ho_dang_ky"), fld(gGD, "Số hộ được công nhận", "ho_dat"),
		fld(gDH, "Tổng số dòng họ", "dong_ho_tong"), fld(gDH, "Đăng ký", "dong_ho_dang_ky"), fld(gDH, "Được công nhận", "dong_ho_dat"),
		fld(gCD, "Đăng ký (Có/Không)", "cong_dong_dang_ky"), fld(gCD, "Được công nhận (Có/Không)", "cong_dong_dat"),
		fld(gCDa, "Số người trong độ tuổi lao động", "lao_dong_tong"), fld(gCDa, "Số người được công nhận", "cong_dan_dat"),
	}
}

// signature writes the signature block from row r: date, titles, names.
func signature(s *sheet, r, left, right int, place string, enc func(string) string) int {
	t := func(v string) string {
		if enc != nil {
			return enc(v)
		}
		return v
	}
	s.put(r, right, t(place+", ngày 05 tháng 12 năm 2026"))
	s.put(r+1, left, cell{v: t("Người lập biểu"), bold: true})
	s.put(r+1, right, cell{v: t("TM. ỦY BAN NHÂN DÂN"), bold: true})
	s.put(r+2, left, t("(Ký, ghi rõ họ tên)"))
	s.put(r+2, right, cell{v: t("CHỦ TỊCH"), bold: true})
	s.put(r+6, left, t("Hoàng Thị Lan"))
	s.put(r+6, right, t("Nông Văn Bình"))
	return r + 7
}
