package ingest

import (
	"testing"

	"github.com/xhht/xhht/pipeline/table"
	"github.com/xhht/xhht/pipeline/validate"
	"github.com/xhht/xhht/pipeline/workbook"
)

// FuzzReadAndValidate feeds arbitrary bytes to the readers, the table finder
// and the validator without Check's recover: any panic here is a bug that
// would otherwise turn a commune's file into an internal-error receipt.
// `go test` runs the seeds; `go test -fuzz=FuzzReadAndValidate ./pipeline/ingest` explores.
func FuzzReadAndValidate(f *testing.F) {
	f.Add([]byte("STT;Tên thôn;Tổng số hộ;Số hộ đăng ký;Số hộ được công nhận\n1;Thôn A;10;5;4\n;Tổng cộng;10;5;4\n"))
	f.Add([]byte("\xff\xfeS\x00T\x00T\x00"))
	f.Add([]byte("Tên thôn,Tổng số hộ,Số hộ được công nhận\n\"Thôn\nB\",1.234,12,5\n"))
	f.Add(benchWorkbook(f, 3, 0))
	p := benchProcessor(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		book, err := workbook.Open("fuzz.csv", data, p.Limits)
		if err != nil {
			return
		}
		tables, _, err := table.Find(book, p.Forms, p.Keywords)
		if err != nil {
			return
		}
		for _, tb := range tables {
			validate.Table(tb, validate.Context{Year: 2026, CommuneCode: "01864", CommuneName: "Xã Bằng Thành"})
		}
	})
}
