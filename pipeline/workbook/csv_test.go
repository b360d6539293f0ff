package workbook

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

// texts reads every row of the first sheet as (row number, cell texts).
func texts(t *testing.T, b *Book) (nums []int, rows [][]string) {
	t.Helper()
	if len(b.Sheets) == 0 {
		t.Fatal("no sheet")
	}
	err := b.Sheets[0].Rows(func(r Row) error {
		var cells []string
		for _, c := range r.Cells {
			cells = append(cells, c.Text)
		}
		nums = append(nums, r.Num)
		rows = append(rows, cells)
		return nil
	})
	if err != nil {
		t.Fatalf("Rows: %v", err)
	}
	return nums, rows
}

func utf16Bytes(s string, order binary.ByteOrder) []byte {
	var buf bytes.Buffer
	u := utf16.Encode([]rune("\uFEFF" + s))
	for _, c := range u {
		var b [2]byte
		order.PutUint16(b[:], c)
		buf.Write(b[:])
	}
	return buf.Bytes()
}

func TestCSVEncodings(t *testing.T) {
	const text = "STT;Tên thôn;Tổng số hộ\r\n1;Thôn Nà Rì;120\r\n2;Xóm Đồng Tiến;95\r\n"
	want := [][]string{{"STT", "Tên thôn", "Tổng số hộ"}, {"1", "Thôn Nà Rì", "120"}, {"2", "Xóm Đồng Tiến", "95"}}
	tests := []struct {
		name string
		data []byte
	}{
		{"UTF-8", []byte(text)},
		{"UTF-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, text...)},
		{"UTF-16LE with BOM", utf16Bytes(text, binary.LittleEndian)},
		{"UTF-16BE with BOM", utf16Bytes(text, binary.BigEndian)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Open("bieu01.csv", tt.data, DefaultLimits)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if b.Format != "csv" || len(b.Sheets) != 1 || b.Sheets[0].Name != "bieu01.csv" || b.Sheets[0].Hidden {
				t.Errorf("book = %s, %d sheets, name %q", b.Format, len(b.Sheets), b.Sheets[0].Name)
			}
			nums, rows := texts(t, b)
			if !reflect.DeepEqual(rows, want) {
				t.Errorf("rows = %q\nwant %q", rows, want)
			}
			if !reflect.DeepEqual(nums, []int{1, 2, 3}) {
				t.Errorf("row numbers = %v, want [1 2 3]", nums)
			}
		})
	}
}

func TestCSVSeparators(t *testing.T) {
	var decimals strings.Builder
	decimals.WriteString("BIỂU 01 - ĐIỂM ĐÁNH GIÁ;;;;\n")
	decimals.WriteString("STT;Tên thôn;Điểm;Tỷ lệ %;Ghi chú\n")
	for i := 1; i <= 15; i++ {
		fmt.Fprintf(&decimals, "%d;Thôn %d;85,5;92,%d;%d,25\n", i, i, i%10, i)
	}
	tests := []struct {
		name      string
		data      string
		wantRow   int // index of the row checked
		wantCells []string
	}{
		{"comma", "STT,Tên thôn,Tổng số hộ\n1,Thôn Nà Rì,120\n", 1, []string{"1", "Thôn Nà Rì", "120"}},
		{"semicolon", "STT;Tên thôn;Tổng số hộ\n1;Thôn Nà Rì;120\n", 1, []string{"1", "Thôn Nà Rì", "120"}},
		{"tab", "STT\tTên thôn, tổ dân phố\tTổng số hộ\n1\tThôn Nà Rì, Bản Cái\t120\n", 1, []string{"1", "Thôn Nà Rì, Bản Cái", "120"}},
		{"semicolon with decimal commas in many cells", decimals.String(), 4, []string{"3", "Thôn 3", "85,5", "92,3", "3,25"}},
		{"comma with a quoted semicolon", "STT,Tên thôn,Ghi chú\n1,Thôn A,\"a; b; c; d\"\n2,Thôn B,\"e; f\"\n", 1, []string{"1", "Thôn A", "a; b; c; d"}},
		{"comma with quoted decimal commas", "STT,Tên,Điểm,Tỷ lệ\n1,Thôn A,\"85,5\",\"90,5\"\n2,Thôn B,\"70,5\",\"60,5\"\n", 2, []string{"2", "Thôn B", "70,5", "60,5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Open("a.csv", []byte(tt.data), DefaultLimits)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			_, rows := texts(t, b)
			if tt.wantRow >= len(rows) {
				t.Fatalf("%d rows", len(rows))
			}
			if got := rows[tt.wantRow]; !reflect.DeepEqual(got, tt.wantCells) {
				t.Errorf("row %d = %q, want %q", tt.wantRow, got, tt.wantCells)
			}
		})
	}
}

func TestCSVQuotedLineBreaks(t *testing.T) {
	data := "STT,\"Tên thôn,\ntổ dân phố\",Tổng số hộ\n1,\"Thôn\r\nNà Rì\",120\n2,Thôn B,95\n"
	b, err := Open("a.csv", []byte(data), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	nums, rows := texts(t, b)
	want := [][]string{{"STT", "Tên thôn,\ntổ dân phố", "Tổng số hộ"}, {"1", "Thôn\nNà Rì", "120"}, {"2", "Thôn B", "95"}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %q\nwant %q", rows, want)
	}
	// Row numbers are the line where the record starts, so cell references
	// point at the right line of the file.
	if !reflect.DeepEqual(nums, []int{1, 3, 5}) {
		t.Errorf("row numbers = %v, want [1 3 5]", nums)
	}
}

// Excel writes a blank row of a sheet as ";;;;" — a row with no content.
func TestCSVBlankRowsAreSkipped(t *testing.T) {
	data := "STT;Tên thôn;Tổng số hộ\n\n1;Thôn A;120\n;;\n2;Thôn B;95\n"
	b, err := Open("a.csv", []byte(data), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	nums, _ := texts(t, b)
	if want := []int{1, 3, 5}; !reflect.DeepEqual(nums, want) {
		t.Errorf("rows read = %v, want %v (Rows promises non-empty rows only)", nums, want)
	}
}

func TestOpenRejects(t *testing.T) {
	xls := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)
	tests := []struct {
		name string
		data []byte
		lim  Limits
		want error
	}{
		{"PNG image", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), DefaultLimits, ErrUnsupported},
		{"NUL bytes in UTF-8", []byte("a,b\x00c\n"), DefaultLimits, ErrUnsupported},
		{"Excel 97-2003", xls, DefaultLimits, ErrLegacyXLS},
		{"over MaxBytes", []byte(strings.Repeat("a,b\n", 100)), Limits{MaxBytes: 100}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Open("a.csv", tt.data, tt.lim)
			if !errors.Is(err, tt.want) {
				t.Errorf("Open = %v, %v; want %v", b, err, tt.want)
			}
		})
	}
}

func TestCSVStop(t *testing.T) {
	b, err := Open("a.csv", []byte("a\nb\nc\n"), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = b.Sheets[0].Rows(func(Row) error {
		n++
		return Stop
	})
	if err != nil || n != 1 {
		t.Errorf("Rows with Stop: %d rows, %v; want 1, nil", n, err)
	}
	boom := errors.New("boom")
	if err := b.Sheets[0].Rows(func(Row) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Rows error = %v, want boom", err)
	}
}

func TestCellRefs(t *testing.T) {
	tests := []struct {
		row, col int
		ref      string
	}{
		{1, 1, "A1"}, {12, 5, "E12"}, {3, 26, "Z3"}, {1, 27, "AA1"}, {7, 28, "AB7"},
		{1, 52, "AZ1"}, {1, 53, "BA1"}, {1, 702, "ZZ1"}, {1, 703, "AAA1"},
		{1048576, 16384, "XFD1048576"},
	}
	for _, tt := range tests {
		if got := CellRef(tt.row, tt.col); got != tt.ref {
			t.Errorf("CellRef(%d, %d) = %q, want %q", tt.row, tt.col, got, tt.ref)
		}
		r, c, ok := ParseRef(tt.ref)
		if !ok || r != tt.row || c != tt.col {
			t.Errorf("ParseRef(%q) = %d, %d, %v; want %d, %d", tt.ref, r, c, ok, tt.row, tt.col)
		}
	}
	for col := 1; col <= 16384; col++ {
		ref := CellRef(col%1000+1, col)
		r, c, ok := ParseRef(ref)
		if !ok || c != col || r != col%1000+1 {
			t.Fatalf("round trip col %d: %q → %d, %d, %v", col, ref, r, c, ok)
		}
		if ColName(col) != strings.TrimRight(ref, "0123456789") {
			t.Fatalf("ColName(%d) = %q, ref %q", col, ColName(col), ref)
		}
	}
	bad := []string{"", "A", "12", "A0", "a1", "e12", "XFE1", "A1048577", "A-1", "A1B", "$A$1", "A 1",
		"ZZZZZZZZZZZZZZ1", "DDDDDDDDDDDDDD1", "AAAAAAAAAAAAAAAA1", "A99999999999999999999"}
	for _, s := range bad {
		if r, c, ok := ParseRef(s); ok {
			t.Errorf("ParseRef(%q) = %d, %d, true; want not ok", s, r, c)
		}
	}
}

func TestRowHelpers(t *testing.T) {
	r := Row{Num: 3, Cells: []Cell{{}, {Kind: String, Text: "x"}}}
	if r.Cell(2).Text != "x" || r.Cell(1).Kind != Blank || r.Cell(3).Kind != Blank || r.Cell(0).Kind != Blank {
		t.Error("Row.Cell")
	}
	if r.IsBlank() || !(Row{Cells: []Cell{{}, {}}}).IsBlank() {
		t.Error("Row.IsBlank")
	}
	g := Range{Row1: 5, Col1: 3, Row2: 6, Col2: 5}
	for _, tt := range []struct {
		r, c int
		in   bool
	}{{5, 3, true}, {6, 5, true}, {5, 6, false}, {4, 3, false}, {7, 4, false}, {6, 2, false}} {
		if g.Contains(tt.r, tt.c) != tt.in {
			t.Errorf("Contains(%d, %d) != %v", tt.r, tt.c, tt.in)
		}
	}
}

// CR, LF and CRLF all end a line outside quotes (Excel for Mac's "CSV
// (Macintosh)" writes CR alone); a CR inside quotes stays in the field.
func TestCSVLineEnds(t *testing.T) {
	wantRows := [][]string{{"Tên thôn", "Tổng số hộ"}, {"Thôn A", "429"}, {"Thôn B", "13"}, {"Tổng", "9999"}}
	for _, tt := range []struct{ name, eol string }{{"LF", "\n"}, {"CRLF", "\r\n"}, {"CR", "\r"}} {
		t.Run(tt.name, func(t *testing.T) {
			var lines []string
			for _, r := range wantRows {
				lines = append(lines, strings.Join(r, ";"))
			}
			data := strings.Join(lines, tt.eol) + tt.eol
			b, err := Open("a.csv", []byte(data), DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			nums, rows := texts(t, b)
			if !reflect.DeepEqual(rows, wantRows) || !reflect.DeepEqual(nums, []int{1, 2, 3, 4}) {
				t.Errorf("rows %v at lines %v", rows, nums)
			}
		})
	}
	// Mixed ends, a CR and a CRLF inside quotes, an escaped quote before
	// a bare CR, a lone CR at the end.
	data := "a;\"x\r\ny\";\"p\rq\"\rb;\"say \"\"hi\"\"\";3\r\nc;4\n\"d\";5\r"
	b, err := Open("a.csv", []byte(data), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	nums, rows := texts(t, b)
	want := [][]string{{"a", "x\ny", "p\rq"}, {"b", `say "hi"`, "3"}, {"c", "4"}, {"d", "5"}}
	if !reflect.DeepEqual(rows, want) || !reflect.DeepEqual(nums, []int{1, 3, 4, 5}) {
		t.Errorf("rows %q at lines %v,\nwant %q at 1 3 4 5", rows, nums, want)
	}
}

// A converted CSV (here Windows-1258) is rewritten in place; the upload's
// own bytes are never changed.
func TestCSVLineEndsConverted(t *testing.T) {
	data := []byte("T\xean th\xf4n;S\xf4\xcc h\xf4\xea\rTh\xf4n A;429\rTh\xf4n B;13\r")
	orig := append([]byte{}, data...)
	b, err := Open("a.csv", data, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if b.Encoding != "windows-1258" {
		t.Fatalf("encoding %s", b.Encoding)
	}
	_, rows := texts(t, b)
	if len(rows) != 3 || rows[1][1] != "429" || rows[2][1] != "13" {
		t.Errorf("rows %q", rows)
	}
	utf := []byte("a;b\r1;2\r")
	if _, err := Open("a.csv", utf, DefaultLimits); err != nil || !bytes.Equal(data, orig) || string(utf) != "a;b\r1;2\r" {
		t.Errorf("the upload's bytes were changed")
	}
}
