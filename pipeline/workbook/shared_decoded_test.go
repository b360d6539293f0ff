package workbook

import (
	"archive/zip"
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/legacy"
)

// The fonts of the shared-string tests, by XF index of synthFonts (.xls)
// and by column (.xlsx).
var sharedFonts = []struct {
	name  string
	enc   legacy.Encoding
	upper bool
}{{"Arial", legacy.None, false}, {".VnTime", legacy.TCVN3, false}, {".VnTimeH", legacy.TCVN3, true}, {"VNI-Times", legacy.VNI, false}}

// sharedWant is a cell without the cache: the text converted by its font.
func sharedWant(s string, font int) Cell {
	f := sharedFonts[font]
	if f.enc == legacy.None {
		return Cell{Kind: String, Text: s}
	}
	return Cell{Kind: String, Text: legacy.Decode(f.enc, f.upper, s), Encoding: string(f.enc)}
}

func TestSharedDecoded(t *testing.T) {
	var c sharedDecoded
	tcvn3, upper := legacyFont{enc: legacy.TCVN3}, legacyFont{enc: legacy.TCVN3, upper: true}
	for range 2 { // converted, then from the cache
		if got := c.decode(0, 6, tcvn3, "Hµ Néi"); got != "Hà Nội" {
			t.Errorf("decode .VnTime = %q", got)
		}
	}
	if sl := c.slots[0]; sl != (decodedSlot{1, 6, "Hà Nội"}) {
		t.Errorf("slot 0 = %+v", sl)
	}
	// The same string in another font, and another string in the same
	// slot, each replace what the slot held.
	for range 2 {
		if got := c.decode(0, 7, upper, "Hµ Néi"); got != "HÀ NỘI" {
			t.Errorf("decode .VnTimeH = %q", got)
		}
		if got := c.decode(0, 6, tcvn3, "Hµ Néi"); got != "Hà Nội" {
			t.Errorf("decode .VnTime after .VnTimeH = %q", got)
		}
		if got := c.decode(decodedSlots, 6, tcvn3, "Th«n"); got != "Thôn" {
			t.Errorf("decode string %d = %q", decodedSlots, got)
		}
		if sl := c.slots[0]; sl != (decodedSlot{decodedSlots + 1, 6, "Thôn"}) {
			t.Errorf("slot 0 = %+v, want string %d", sl, decodedSlots)
		}
	}
}

// Each shared string in every font, on several rows of two sheets, read
// twice and then concurrently: every cell is what converting it on its own
// gives, whatever the pass converted and kept before.
func TestXLSSharedStringsPerFont(t *testing.T) {
	run := func(ich, ifnt uint16) []byte { return cat(le16(ich), le16(ifnt)) }
	rich := func(s string, runs ...[]byte) []byte {
		b := xlStr(s)
		return cat(b[:2], []byte{b[2] | 8}, le16(uint16(len(runs))), b[3:], cat(runs...))
	}
	strs := []string{"Hµ Néi", "Haø Noäi", "Hµ Néi", "Thôn 1"}
	// String 2: "Hµ " in the cell's font, "Néi" in .VnTime (font 6).
	sst := sstRecs(4, cat(xlStr(strs[0]), xlStr(strs[1]), rich(strs[2], run(3, 6)), xlStr(strs[3])))
	want := func(i, xf int) Cell {
		if i == 2 {
			c := sharedWant("Hµ ", xf)
			c.Text += "Nội"
			c.Encoding = string(legacy.TCVN3)
			if xf != 0 {
				c.Encoding = string(sharedFonts[xf].enc)
			}
			return c
		}
		return sharedWant(strs[i], xf)
	}
	var recs [][]byte
	ws := &wantSheet{cells: map[[2]int]Cell{}}
	for row := range 8 {
		for xf := range sharedFonts {
			i := (row/2 + xf) % len(strs) // rows 2k and 2k+1 alike
			recs = append(recs, labelSSTRec(row, xf, xf, uint32(i)))
			ws.cells[[2]int{row + 1, xf + 1}] = want(i, xf)
		}
	}
	data := synthXLS(nil, sst, synthSheet{name: "A", recs: recs}, synthSheet{name: "B", recs: recs})
	a, b := *ws, *ws
	a.name, b.name = "A", "B"
	book := openXLSOK(t, data)
	for range 2 {
		checkBook(t, book, []*wantSheet{&a, &b})
	}
	// A fresh book, its two sheets read at the same time (run with -race),
	// each three times.
	book = openXLSOK(t, data)
	var wg sync.WaitGroup
	reads := make([][]Row, len(book.Sheets))
	for i, sh := range book.Sheets {
		wg.Go(func() {
			for range 3 {
				rows, err := allRows(t, sh)
				if err != nil {
					t.Error(err)
				}
				reads[i] = append(reads[i], rows...)
			}
		})
	}
	wg.Wait()
	for i, rows := range reads {
		n := 0
		for _, r := range rows {
			for j, c := range r.Cells {
				n++
				if w := ws.cells[[2]int{r.Num, j + 1}]; !sameCell(c, w) {
					t.Errorf("concurrent read, sheet %d %s = %+v, want %+v", i, CellRef(r.Num, j+1), c, w)
				}
			}
		}
		if n != 3*len(ws.cells) {
			t.Errorf("concurrent read, sheet %d: %d cells, want %d", i, n, 3*len(ws.cells))
		}
	}
}

// The same for .xlsx: one shared string table, cells in four fonts.
func TestXLSXSharedStringsPerFont(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	strs := []string{"Hµ Néi", "Haø Noäi", "hµ néi", "Thôn 1"}
	type ref struct {
		sheet    string
		row, col int
	}
	want := map[ref]Cell{}
	for _, sh := range []string{"Sheet1", "Sheet2"} {
		if sh != "Sheet1" {
			if _, err := f.NewSheet(sh); err != nil {
				t.Fatal(err)
			}
		}
		for col, font := range sharedFonts {
			st, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: font.name}})
			if err != nil {
				t.Fatal(err)
			}
			for row := 1; row <= 8; row++ {
				s := strs[(row/2+col)%len(strs)] // rows 2k and 2k+1 alike
				cell := CellRef(row, col+1)
				if err := f.SetCellStr(sh, cell, s); err != nil {
					t.Fatal(err)
				}
				if err := f.SetCellStyle(sh, cell, cell, st); err != nil {
					t.Fatal(err)
				}
				want[ref{sh, row, col + 1}] = sharedWant(s, col)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zr.Open("xl/sharedStrings.xml"); err != nil {
		t.Fatalf("no shared strings in the test book: %v", err)
	}
	book := openOK(t, buf.Bytes(), DefaultLimits)
	check := func() error {
		for _, sh := range book.Sheets {
			n := 0
			err := sh.Rows(func(r Row) error {
				for i, c := range r.Cells {
					w := want[ref{sh.Name, r.Num, i + 1}]
					n++
					if c.Kind != w.Kind || c.Text != w.Text || c.Encoding != w.Encoding {
						return fmt.Errorf("%s!%s = %+v, want %+v", sh.Name, CellRef(r.Num, i+1), c, w)
					}
				}
				return nil
			})
			if err == nil && n != 8*len(sharedFonts) {
				err = fmt.Errorf("%s: %d cells", sh.Name, n)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	for range 2 {
		if err := check(); err != nil {
			t.Error(err)
		}
	}
}
