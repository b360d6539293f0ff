package validate

import (
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/workbook"
)

// A count cell far beyond int64 is named with its value as written (the
// .xlsx <v> or .ods office:value text), or in E notation when the format
// stores no text (an .xls RK or NUMBER record); before, both printed the
// int64 maximum (vnnum.Float ignored ParseInt's range error).
func TestHugeCountShownAsWritten(t *testing.T) {
	fd := &forms.Field{Code: "ho_tong", Type: forms.Count}
	for _, tc := range []struct {
		cell workbook.Cell
		code string
		want string
	}{
		{workbook.Cell{Kind: workbook.Number, Text: "1E+20", Num: 1e20}, "constraint-error", "1E+20 quá lớn"},
		{workbook.Cell{Kind: workbook.Number, Text: "-1E+20", Num: -1e20}, "constraint-error", "-1E+20 là số âm"},
		{workbook.Cell{Kind: workbook.Number, Num: 1e307}, "constraint-error", "1E+307 quá lớn"},
		{workbook.Cell{Kind: workbook.Number, Num: 1.5e300}, "constraint-error", "1,5E+300 quá lớn"},
	} {
		_, p := parse(fd, tc.cell, false, nil)
		if p == nil || p.code != tc.code || !strings.Contains(p.vi, tc.want) || strings.Contains(p.vi, "9.223.372") {
			t.Errorf("%+v: problem %+v, want %s with %q", tc.cell, p, tc.code, tc.want)
		}
	}
}
