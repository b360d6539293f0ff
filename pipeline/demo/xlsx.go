package demo

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/template"
)

// XLSX fills the official template the way an office does: hamlet names
// and numbers typed in, the totals row holding values (as Excel stores the
// SUM results; excelize cannot compute formulas), Biểu 02 on its sheet.
func (f File) XLSX(plan *Plan, set *forms.Set, next string) ([]byte, error) {
	rows, totals := f.Cells()
	titleYear, titleCode := f.Title(plan.Year, next)
	commune := f.Commune
	if titleCode != commune.Code {
		commune = plan.communes[titleCode] // a neighbour's form, reused
	}
	opts := template.Options{Forms: set, Year: titleYear, Commune: commune, Province: plan.Province}
	for _, r := range rows {
		opts.Hamlets = append(opts.Hamlets, receipt.Hamlet{Name: r["ten_thon"]})
	}
	var buf bytes.Buffer
	if err := template.Write(&buf, opts); err != nil {
		return nil, fmt.Errorf("demo: template: %w", err)
	}
	sheets, err := template.Layout(opts)
	if err != nil {
		return nil, err
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		return nil, fmt.Errorf("demo: reopen template: %w", err)
	}
	defer x.Close()
	var cellErr error
	put := func(sheet, cell, text string) {
		if cell == "" || cellErr != nil {
			return
		}
		// Typed numbers are numeric cells; anything else stays text.
		if n, err := strconv.Atoi(text); err == nil {
			cellErr = x.SetCellInt(sheet, cell, int64(n))
		} else {
			cellErr = x.SetCellStr(sheet, cell, text)
		}
	}
	for _, s := range sheets {
		switch s.Form.Grain {
		case "hamlet":
			for i, r := range rows {
				for _, code := range slices.Sorted(maps.Keys(r)) { // sorted: the shared-string order, so the bytes, stay the same
					put(s.Name, s.Cell(s.FirstData+i, code), r[code])
				}
			}
			for _, code := range slices.Sorted(maps.Keys(totals)) {
				text := totals[code]
				if code == "ten_thon" {
					continue
				}
				cell := s.Cell(s.TotalsRow, code)
				if cell != "" && cellErr == nil {
					cellErr = x.SetCellFormula(s.Name, cell, "")
				}
				put(s.Name, cell, text)
			}
		case "commune":
			if f.Form02 == nil {
				if err := x.DeleteSheet(s.Name); err != nil {
					return nil, err
				}
				continue
			}
			cells := f.Form02.Cells02()
			for _, code := range slices.Sorted(maps.Keys(cells)) {
				put(s.Name, s.Cell(s.FirstData, code), cells[code])
			}
		}
	}
	if cellErr != nil {
		return nil, fmt.Errorf("demo: fill: %w", cellErr)
	}
	var out bytes.Buffer
	if err := x.Write(&out); err != nil {
		return nil, fmt.Errorf("demo: write: %w", err)
	}
	return out.Bytes(), nil
}
