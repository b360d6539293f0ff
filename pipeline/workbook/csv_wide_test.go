package workbook

import (
	"errors"
	"strings"
	"testing"
)

// A CSV wider than a spreadsheet can be is refused at once, before any
// header search: a 200,000-column line once took a minute to reject.
func TestCSVTooWide(t *testing.T) {
	line := "Tên thôn" + strings.Repeat(";x", 200_000) + "\n"
	book, err := Open("wide.csv", []byte(line+line), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	err = book.Sheets[0].Rows(func(Row) error { return nil })
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Rows = %v, want ErrTooLarge", err)
	}
	// The widest a sheet may be is still read.
	ok := "Tên thôn" + strings.Repeat(";x", maxColumns-1) + "\n"
	book, err = Open("ok.csv", []byte(ok), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := book.Sheets[0].Rows(func(r Row) error { n = len(r.Cells); return nil }); err != nil || n != maxColumns {
		t.Fatalf("Rows = %v, %d cells; want %d", err, n, maxColumns)
	}
}
