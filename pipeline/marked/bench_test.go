package marked

import (
	"fmt"
	"io"
	"testing"

	"github.com/xhht/xhht/pipeline/internal/fixture"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/template/templatetest"
)

// bench30 is a 30-hamlet Biểu 01 with a mistake on every third hamlet and
// its receipt, as .xlsx and as CSV.
func bench30(b *testing.B) (xlsx, csv []byte, rcX, rcC *receipt.Receipt) {
	var rows [][]any
	for i := range 30 {
		r := append([]any{}, fixture.Hamlets01()[i%3]...)
		r[0] = fmt.Sprintf("Thôn %d", i+1)
		if i%3 == 0 {
			r[1] = "abc"
		}
		rows = append(rows, r)
	}
	lay := fixture.Form{Rows: rows}.Build()
	xlsx, csv = fixture.XLSX(b, lay.G), fixture.CSV(b, lay.G, ';', true)
	rcX = templatetest.Check(b, "2026/19/01864/bao-cao.xlsx", checkedAt, xlsx)
	rcC = templatetest.Check(b, "2026/19/01864/bao-cao.csv", checkedAt, csv)
	if rcX.ErrorCount < 10 || rcC.ErrorCount < 10 {
		b.Fatalf("bench input: %d, %d errors", rcX.ErrorCount, rcC.ErrorCount)
	}
	return xlsx, csv, rcX, rcC
}

// BenchmarkWrite30Hamlets: the marked workbook of a 30-hamlet upload with
// 10 errors, marked in place (.xlsx) and as a copy (CSV).
func BenchmarkWrite30Hamlets(b *testing.B) {
	xlsx, csv, rcX, rcC := bench30(b)
	for _, c := range []struct {
		name string
		data []byte
		rc   *receipt.Receipt
	}{{"xlsx", xlsx, rcX}, {"csv", csv, rcC}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Write(io.Discard, "bao-cao."+c.name, c.data, c.rc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
