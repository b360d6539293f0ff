package validate

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/textnorm"
	"github.com/xhht/xhht/pipeline/vnnum"
	"github.com/xhht/xhht/pipeline/workbook"
)

// Value is one parsed cell. Null means the cell was blank: "not reported",
// which is never the same as a reported 0.
type Value struct {
	Null  bool
	Int   int64   // count
	Float float64 // score
	Bool  bool    // bool
	Str   string  // text, enum
}

var null = Value{Null: true}

// maxCount bounds counts: no hamlet or commune has a billion households, and
// the bound keeps sums far from int64 overflow.
const maxCount = 1_000_000_000

// blank reports whether a cell holds nothing (spaces and invisible
// characters only count as nothing).
func blank(c workbook.Cell) bool {
	return c.Kind == workbook.Blank || (c.Kind != workbook.Number && textnorm.Clean(c.Text) == "")
}

// problem is a parse failure: code plus messages.
type problem struct {
	code   string
	vi, en string
}

func typeErr(vi, en string) *problem { return &problem{code: "type-error", vi: vi, en: en} }
func constraintErr(vi, en string) *problem {
	return &problem{code: "constraint-error", vi: vi, en: en}
}

// boolWords are the accepted spellings of yes and no, folded.
var boolWords = map[string]bool{
	"co": true, "x": true, "1": true, "dat": true, "true": true, "v": true, "yes": true, "da dat": true,
	"khong": false, "0": false, "chua dat": false, "false": false, "no": false, "khong dat": false, "chua": false,
}

// parse turns a cell into a value of the field's type. xBlankFalse is set
// for a bool column written with the x/blank convention (some cell holds
// "x"): there a blank means "no". Everywhere else a blank is null. cn reads
// the numbers of a count or score column (numfmt.go); nil means the
// Vietnamese format.
func parse(fd *forms.Field, c workbook.Cell, xBlankFalse bool, cn *colNumbers) (Value, *problem) {
	if c.Kind == workbook.Error {
		return null, cellErr(c)
	}
	text := Display(c)
	if c.Kind == workbook.Blank || text == "" {
		if fd.Type == forms.Bool && xBlankFalse {
			return Value{Bool: false}, nil
		}
		return null, nil
	}
	switch fd.Type {
	case forms.Text:
		return Value{Str: text}, nil
	case forms.Count:
		if c.Kind == workbook.Bool {
			return null, typeErr("ô chứa giá trị đúng/sai, không phải số", "the cell holds TRUE/FALSE, not a number")
		}
		if cn == nil {
			cn = newColNumbers(0, kindCount, fd)
		}
		v, _, p := cn.read(c)
		if p != nil {
			return null, p
		}
		if v != math.Trunc(v) {
			return null, typeErr(
				fmt.Sprintf("%s không phải số nguyên. Số đếm phải là số nguyên", text),
				fmt.Sprintf("%s is not a whole number; counts must be whole", text))
		}
		if v < 0 {
			return null, constraintErr(
				fmt.Sprintf("%s là số âm. Số đếm phải từ 0 trở lên", text),
				fmt.Sprintf("%s is negative; counts must be 0 or more", text))
		}
		if v > maxCount {
			return null, constraintErr(
				fmt.Sprintf("%s quá lớn so với thực tế", text),
				fmt.Sprintf("%s is implausibly large", text))
		}
		return Value{Int: int64(v)}, nil
	case forms.Score:
		if cn == nil {
			cn = newColNumbers(0, kindScore, fd)
		}
		v, _, p := cn.read(c)
		if p != nil {
			return null, p
		}
		if (fd.Min != nil && v < *fd.Min) || (fd.Max != nil && v > *fd.Max) {
			return null, constraintErr(
				fmt.Sprintf("điểm %s nằm ngoài khoảng %v–%v", text, deref(fd.Min), deref(fd.Max)),
				fmt.Sprintf("score %s is outside %v–%v", text, deref(fd.Min), deref(fd.Max)))
		}
		return Value{Float: v}, nil
	case forms.Bool:
		if c.Kind == workbook.Number {
			if c.Num == 1 || c.Num == 0 {
				return Value{Bool: c.Num == 1}, nil
			}
		} else if b, ok := boolWords[textnorm.Fold(text)]; ok {
			return Value{Bool: b}, nil
		} else if text == "✓" || text == "√" {
			return Value{Bool: true}, nil
		}
		return null, typeErr(
			fmt.Sprintf("%q không hợp lệ. Hãy ghi Có hoặc Không; cũng nhận x và để trống, 1 và 0, Đạt và Chưa đạt", text),
			fmt.Sprintf("%q is not valid; write Có or Không (or x / blank, 1 / 0, Đạt / Chưa đạt)", text))
	case forms.Enum:
		if v, ok := fd.EnumValue(text); ok {
			return Value{Str: v}, nil
		}
		var allowed []string
		for _, v := range fd.Values {
			allowed = append(allowed, v.Value)
		}
		return null, constraintErr(
			fmt.Sprintf("%q không phải một trong các giá trị: %s", text, strings.Join(allowed, "; ")),
			fmt.Sprintf("%q is not one of: %s", text, strings.Join(allowed, "; ")))
	}
	return null, typeErr("kiểu dữ liệu không hỗ trợ", "unsupported type "+fd.Type)
}

// Display shows a cell's value to a Vietnamese reader: text as written
// (cleaned), numbers in Vietnamese format (12.5 → "12,5", 2000 → "2.000").
func Display(c workbook.Cell) string {
	if c.Kind != workbook.Number {
		return textnorm.Clean(c.Text)
	}
	if c.Num == math.Trunc(c.Num) && math.Abs(c.Num) < 1e15 {
		return vnnum.Int(int64(c.Num))
	}
	if math.Abs(c.Num) >= 1e15 {
		// Beyond any count: shown as written ("1E+20"), not as 21 grouped
		// digits (or, before, as the int64 maximum).
		if w := strings.TrimSpace(c.Text); w != "" && len(w) <= 40 && !strings.ContainsAny(w, "\r\n") {
			return w
		}
		return strings.Replace(strconv.FormatFloat(c.Num, 'G', -1, 64), ".", ",", 1)
	}
	s := vnnum.Float(c.Num, 6)
	return strings.TrimRight(strings.TrimRight(s, "0"), ",")
}

func deref(p *float64) any {
	if p == nil {
		return "…"
	}
	return *p
}

// cellErr says what is wrong with an Error cell: one of Excel's formula
// errors (#DIV/0!, #NUM!, …), or a value no number can be (NaN, an
// infinity, beyond Excel's range), which a program wrote, not Excel.
func cellErr(c workbook.Cell) *problem {
	if c.BadNumber() {
		return typeErr(
			fmt.Sprintf("ô chứa “%s”, không phải là một số hợp lệ (hay một ngày hợp lệ)", c.Text),
			fmt.Sprintf("the cell holds “%s”, which is not a valid number or date (NaN, infinity, out of range, or not a date Excel can hold)", c.Text))
	}
	return typeErr(
		fmt.Sprintf("ô có lỗi công thức %s", c.Text),
		fmt.Sprintf("the cell holds the formula error %s", c.Text))
}
