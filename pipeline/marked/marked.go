// Package marked writes the "marked workbook" a commune official downloads
// after an upload ("Tải tệp đã đánh dấu"): the official's own workbook with
// every cell the receipt names filled in colour (one colour for errors,
// another for warnings) and a Vietnamese comment on it, plus a sheet
// "Kết quả kiểm tra" that lists every problem of the receipt in reading
// order, so problems without a cell (a missing column, the whole file) are
// not lost. An .xlsx upload keeps its formatting, formulas and other
// sheets; an .xls or .csv upload comes back as an .xlsx copy of the cells
// the project's reader (pipeline/workbook) read.
package marked

import (
	"errors"
	"io"

	"github.com/xhht/xhht/pipeline/receipt"
)

// ErrUnreadable: the upload cannot be opened as a workbook (the receipt
// then says why); there is nothing to mark.
var ErrUnreadable = errors.New("marked: không đọc được tệp để đánh dấu (the upload cannot be read as a workbook)")

// Write writes the official's own workbook, marked with the issues of rc,
// as .xlsx to w. fileName is the upload's name (for a CSV, its sheet name).
func Write(w io.Writer, fileName string, data []byte, rc *receipt.Receipt) error {
	return errors.New("marked: not implemented yet")
}

// FileName is the name of the marked copy of an upload called original:
// always .xlsx, and safe to offer for download.
func FileName(original string) string {
	return "bao-cao-danh-dau.xlsx"
}
