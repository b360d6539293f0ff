// Package templatetest fills a written template with plausible numbers the
// way a commune official would (typing into the data cells, leaving the
// formulas alone), for tests across packages.
package templatetest

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/template"
)

// Filled is a filled template and what a validator should make of it.
type Filled struct {
	Bytes   []byte
	Sheets  []template.Sheet
	Hamlets []string // hamlet names, in row order
	// Totals per field code: the sum of a count over the hamlet rows, the
	// number of "Có" rows of a yes/no field, or the commune's value (Biểu 02).
	Totals map[string]float64
}

// Fill types values into every hamlet row that has a name (prefilled) and,
// when the template had no hamlets, names and values into the first
// newHamlets empty rows ("Thôn 1", "Thôn 2" …); and into the commune row of
// Biểu 02. Every value satisfies the forms' rules (registered ≤ total,
// recognised ≤ registered …), so the result should be accepted.
func Fill(data []byte, sheets []template.Sheet, newHamlets int) (*Filled, error) {
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer x.Close()
	out := &Filled{Sheets: sheets, Totals: map[string]float64{}}
	for i := range sheets {
		s := &sheets[i]
		rows := 1
		if s.Form.Grain == "hamlet" {
			rows = len(s.Hamlets)
			if rows == 0 {
				rows = min(newHamlets, s.LastData-s.FirstData+1)
			}
		}
		for k := 0; k < rows; k++ {
			row := s.FirstData + k
			if s.Form.Grain == "hamlet" {
				name := fmt.Sprintf("Thôn %d", k+1)
				if k < len(s.Hamlets) {
					name = s.Hamlets[k].Name
				} else if err := x.SetCellStr(s.Name, s.Cell(row, "ten_thon"), name); err != nil {
					return nil, err
				}
				out.Hamlets = append(out.Hamlets, name)
			}
			for _, c := range s.Columns {
				if c.Field == nil {
					continue
				}
				v, ok := Value(c.Field, k)
				if !ok {
					continue
				}
				cell := s.Cell(row, c.Field.Code)
				switch v := v.(type) {
				case int:
					err = x.SetCellInt(s.Name, cell, int64(v))
					out.Totals[c.Field.Code] += float64(v)
				case float64:
					err = x.SetCellFloat(s.Name, cell, v, -1, 64)
					out.Totals[c.Field.Code] += v
				case string:
					err = x.SetCellStr(s.Name, cell, v)
					if c.Field.Type == forms.Bool {
						yes := 0.0
						if v == "Có" {
							yes = 1
						}
						out.Totals[c.Field.Code] += yes
					}
				}
				if err != nil {
					return nil, err
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return nil, err
	}
	out.Bytes = buf.Bytes()
	return out, nil
}

// Value is the sample value of a field in the k-th row (0-based): totals
// ("…_tong") > registered ("…_dang_ky") > the rest, so every "≤" rule of
// the forms holds; yes/no fields alternate except registrations, which are
// always "Có" (recognised implies registered). Text fields have none.
func Value(fd *forms.Field, k int) (any, bool) {
	switch fd.Type {
	case forms.Count:
		switch {
		case strings.HasSuffix(fd.Code, "_tong"):
			return 100 + 10*k, true
		case strings.HasSuffix(fd.Code, "_dang_ky"):
			return 80 + 5*k, true
		default:
			return 60 + 3*k, true
		}
	case forms.Bool:
		if strings.HasSuffix(fd.Code, "_dang_ky") || k%2 == 0 {
			return "Có", true
		}
		return "Không", true
	case forms.Enum:
		if len(fd.Values) > 0 {
			return fd.Values[0].Value, true
		}
	case forms.Score:
		return 85.5, true
	}
	return nil, false
}

// Set changes cells of a workbook: cells maps "Sheet!A1" to an int, a
// float64 or a string. A formula in the cell is replaced by the value.
func Set(data []byte, cells map[string]any) ([]byte, error) {
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer x.Close()
	for k, v := range cells {
		sheet, cell, ok := strings.Cut(k, "!")
		if !ok {
			return nil, fmt.Errorf("templatetest: cell %q is not Sheet!A1", k)
		}
		switch v := v.(type) {
		case int:
			err = x.SetCellInt(sheet, cell, int64(v))
		case float64:
			err = x.SetCellFloat(sheet, cell, v, -1, 64)
		case string:
			err = x.SetCellStr(sheet, cell, v)
		default:
			err = fmt.Errorf("templatetest: unsupported value %T", v)
		}
		if err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
