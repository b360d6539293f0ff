package validate

import (
	"fmt"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/workbook"
)

// checkBlankCounts warns about a count left blank in a hamlet row whose
// other counts of the same model (group: households, clans, citizens) are
// filled. The roll-up leaves such a row out of the model's rates (a rate's
// numerator and denominator come from the rows that reported both), so a
// blank meant as "none" would shrink the base of the rate: the warning
// asks for a 0. A model left blank as a whole in the row is not warned
// about: the hamlet did not report it. A required count left blank is
// already an error (missing-cell), and a cell that did not parse or sits
// in a faulty merge has its own issue.
//
// One warning per cell; when a column is blank this way in every hamlet
// that fills its model, one warning for the column instead, at its first
// cell, so a commune that does not track a figure gets one line, not one
// per hamlet.
func (v *validator) checkBlankCounts() {
	if v.t.Form.Grain != "hamlet" {
		return
	}
	rows := map[int]workbook.Row{}
	for _, r := range v.t.Data {
		rows[r.Num] = r
	}
	// The counts of each model present as a column of the table.
	var groups []string
	members := map[string][]*forms.Field{}
	for _, c := range v.t.Columns {
		fd := c.Field
		if fd.Type != forms.Count || fd.Group == "" || !fd.AppliesTo(v.ctx.Year) {
			continue
		}
		if members[fd.Group] == nil {
			groups = append(groups, fd.Group)
		}
		members[fd.Group] = append(members[fd.Group], fd)
	}
	for _, g := range groups {
		fields := members[g]
		if len(fields) < 2 {
			continue
		}
		for _, fd := range fields {
			if fd.Blank == "error" {
				continue
			}
			col := v.t.Column(fd.Code).Col
			var blanks []int // rows where fd is blank and another count of g is filled
			filled := 0      // rows where fd and another count of g are filled
			for _, rec := range v.res.Records {
				other := false
				for _, o := range fields {
					if o != fd && !rec.Values[o.Code].Null {
						other = true
						break
					}
				}
				if !other {
					continue
				}
				if !rec.Values[fd.Code].Null {
					filled++
					continue
				}
				cell := rows[rec.Row].Cell(col)
				if blank(cell) && !cell.Formula && !v.merged[[2]int{rec.Row, col}] {
					blanks = append(blanks, rec.Row)
				}
			}
			v.warnBlankCounts(fd, col, blanks, filled == 0)
		}
	}
}

func (v *validator) warnBlankCounts(fd *forms.Field, col int, blanks []int, wholeColumn bool) {
	model := fd.Label
	if g := v.t.Form.GroupOf(fd); g != nil {
		model = g.Label
	}
	if wholeColumn && len(blanks) > 1 {
		first, last := workbook.CellRef(blanks[0], col), workbook.CellRef(blanks[len(blanks)-1], col)
		v.addAt(receipt.BlankCount, receipt.SevWarning, blanks[0], col, fd.Code, "",
			fmt.Sprintf("Cột “%s” (từ ô %s đến ô %s) để trống ở cả %d thôn đã ghi các số khác của %s. Nếu không có, hãy ghi 0.",
				fd.Label, first, last, len(blanks), model),
			fmt.Sprintf("Column %s (cells %s to %s) is blank in all %d hamlets that filled the other counts of the model. Write 0 if there are none.",
				fd.Code, first, last, len(blanks)))
		return
	}
	for _, row := range blanks {
		ref := workbook.CellRef(row, col)
		v.addAt(receipt.BlankCount, receipt.SevWarning, row, col, fd.Code, "",
			fmt.Sprintf("Ô %s (%s) để trống, trong khi các số khác của %s ở dòng này đã ghi. Nếu không có, hãy ghi 0.",
				ref, fd.Label, model),
			fmt.Sprintf("Cell %s (%s) is blank while the other counts of the model in this row are filled. Write 0 if there are none.",
				ref, fd.Code))
	}
}
