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

// Non-UTF-8 text that reads as Vietnamese in Windows-1258 is decoded (and
// said so); bytes that read as nothing are refused (TestOpenRejects).
func TestCSVWindows1258(t *testing.T) {
	// By hand from the code page: ê EA, ô F4, grave CC, dot below F2.
	data := []byte("STT;T\xean th\xf4n;T\xf4\xccng s\xf4 h\xf4\xf2\n1;Th\xf4n A;12\n")
	book, err := Open("a.csv", data, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if book.Encoding != "windows-1258" || len(book.Notes) != 1 || book.Notes[0].Code != NoteConverted {
		t.Fatalf("encoding %q notes %+v", book.Encoding, book.Notes)
	}
	var first Row
	if err := book.Sheets[0].Rows(func(r Row) error { first = r; return Stop }); err != nil {
		t.Fatal(err)
	}
	if got := first.Cell(2).Text + "|" + first.Cell(3).Text; got != "Tên thôn|Tồng sô hộ" {
		t.Errorf("header %q", got)
	}
}

// A field longer than a spreadsheet cell can hold is refused, not held and
// folded over and over by the header search.
func TestCSVCellTooLong(t *testing.T) {
	for n, want := range map[int]error{MaxCellChars: nil, MaxCellChars + 1: ErrTooLarge} {
		book, err := Open("a.csv", []byte("Tên thôn;"+strings.Repeat("ô", n)+"\n"), DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		if err := book.Sheets[0].Rows(func(Row) error { return nil }); !errors.Is(err, want) && err != want {
			t.Errorf("%d characters: %v, want %v", n, err, want)
		}
	}
}
