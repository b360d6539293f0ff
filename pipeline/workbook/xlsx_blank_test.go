package workbook

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"
)

// A sheet formatted down to a million rows is read to the end of its data,
// not to the end of its formatting: after MaxBlankRun empty rows the sheet
// ends. Data after such a gap is not read (it cannot be part of a form).
func TestXLSXLongBlankRunEndsSheet(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	style, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Color: []string{"FFFF00"}, Pattern: 1}})
	if err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	const blank = 300_000
	for r := 1; r <= 3+blank+1; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		var row []any
		switch {
		case r <= 3:
			row = []any{fmt.Sprintf("dòng %d", r)}
		case r == 3+blank+1:
			row = []any{"sau khoảng trống"}
		default:
			row = []any{excelize.Cell{StyleID: style}, excelize.Cell{StyleID: style}}
		}
		if err := sw.SetRow(cell, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	book, err := Open("a.xlsx", buf.Bytes(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	if err := book.Sheets[0].Rows(func(r Row) error { got = append(got, r.Num); return nil }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[1 2 3]" {
		t.Errorf("rows read %v, want [1 2 3]: the row after %d blank rows is past the end", got, blank)
	}

	// A gap shorter than MaxBlankRun is a separator: the row after it is read.
	g := excelize.NewFile()
	defer g.Close()
	for _, c := range []struct {
		ref string
		v   string
	}{{"A1", "trên"}, {fmt.Sprintf("A%d", MaxBlankRun), "dưới"}} {
		if err := g.SetCellStr("Sheet1", c.ref, c.v); err != nil {
			t.Fatal(err)
		}
	}
	buf.Reset()
	if err := g.Write(&buf); err != nil {
		t.Fatal(err)
	}
	book, err = Open("b.xlsx", buf.Bytes(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	if err := book.Sheets[0].Rows(func(r Row) error { got = append(got, r.Num); return nil }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint([]int{1, MaxBlankRun}) {
		t.Errorf("rows read %v", got)
	}
}
