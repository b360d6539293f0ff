// Package marked writes the "marked workbook" a commune official downloads
// after an upload ("Tải tệp đã đánh dấu"): the official's own workbook with
// every cell the receipt names filled in colour (one colour for errors,
// another for warnings; a cell with both is an error) and a Vietnamese
// comment on it, plus a sheet "Kết quả kiểm tra" that lists every problem
// of the receipt in reading order, so problems without a cell (a missing
// column, the whole file) are not lost.
//
// An .xlsx upload keeps its formatting, formulas and other sheets: only the
// marked cells' fill and comments change, and the list is added as the last
// sheet (added last, not first: moving sheets would shift the sheet indexes
// that print areas and local names refer to). An .xls or .csv upload comes
// back as an .xlsx copy of the cells the project's reader (pipeline/workbook)
// read, each at the row and column the receipt names: for a CSV, the row is
// the line of the file (a quoted field over several lines takes one row),
// as ingest counts it.
//
// A cell inside a merged range is marked on the range's first cell, the
// one a spreadsheet shows. An .xlsx too large for excelize to edit in
// memory (MaxEditedBookBytes, MaxEditedSheetBytes) is marked on a copy, and
// the list says so. What ingest could not read (the receipt has
// unreadable-file, file-too-large, encrypted-file or legacy-format) gives
// ErrUnreadable: there is no workbook to mark.
//
// WriteFlags adds the roll-up's plausibility flags of the upload (issue 15)
// as warnings "Cần xem lại" to the list, a hamlet's also on the cell of its
// name (see Flag); the receipt itself is not changed.
//
// Commune text (hamlet names, messages quoting values) is only ever written
// as a string cell or a comment, never as a formula.
package marked

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/workbook"
)

// Fill colours (RGB): Excel's own "Bad" and "Neutral" cell styles, which
// officials already know.
const (
	ErrorFill   = "FFC7CE"
	WarningFill = "FFEB9C"
)

// SummarySheet is the name of the added sheet listing every problem.
const SummarySheet = "Kết quả kiểm tra"

// MaxComments bounds the comments written: a receipt of a large hostile
// CSV can name a cell on every line, and each comment is a shape in the
// file. Past the bound cells are still filled and the list still has every
// problem; the list says that comments stopped.
const MaxComments = 5000

// ErrUnreadable: the upload cannot be opened as a workbook (the receipt
// then says why: damaged, encrypted, too large, not a spreadsheet); there is
// nothing to mark.
var ErrUnreadable = errors.New("marked: không đọc được tệp để đánh dấu (the upload cannot be read as a workbook)")

// Limits bound the work on one upload; the reader's own (the same a
// submission is checked with).
var Limits = workbook.DefaultLimits

// Write writes the official's own workbook, marked with the issues of rc,
// as .xlsx to w. fileName is the upload's name (for a CSV, the name of its
// sheet). Nothing is written to w when an error is returned.
func Write(w io.Writer, fileName string, data []byte, rc *receipt.Receipt) error {
	return write(w, fileName, data, rc, nil)
}

func write(w io.Writer, fileName string, data []byte, rc *receipt.Receipt, flags []Flag) (err error) {
	if rc == nil {
		return errors.New("marked: no receipt")
	}
	if len(data) == 0 {
		return fmt.Errorf("%w: empty file", ErrUnreadable)
	}
	// What ingest could not read (or refused to read to the end) is not
	// read again here: the receipt already says why, and a second pass
	// over a file found too large is the work the limits are there to stop.
	for _, is := range rc.Errors {
		switch is.Code {
		case receipt.UnreadableFile, receipt.FileTooLarge, receipt.EncryptedFile, receipt.LegacyFormat:
			return fmt.Errorf("%w: %s", ErrUnreadable, is.Code)
		}
	}
	// excelize is not hardened against hostile files the way the reader is
	// (a workbook with no styles part makes it dereference nil): a panic in
	// it is this upload's failure, not the process's.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: the workbook library failed on this file: %v", ErrUnreadable, r)
		}
	}()
	book, err := workbook.Open(path.Base(fileName), data, Limits)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	rc = withFlags(book, rc, flags)
	var f *excelize.File
	var ms *marks
	note := ""
	switch {
	case book.Format == "xlsx" && editable(data, rc):
		f, ms, err = markXLSX(data, book, rc)
	case book.Format == "xlsx":
		note = "Tệp quá lớn để đánh dấu ngay trên tệp gốc: đây là bản sao các ô của tệp (giá trị, không giữ định dạng và công thức)."
		f, ms, err = copyBook(book, fileName, rc)
	default:
		f, ms, err = copyBook(book, fileName, rc)
	}
	if f != nil {
		defer f.Close()
	}
	if err != nil {
		return err
	}
	if err := writeSummary(f, ms, rc, fileName, note); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return fmt.Errorf("marked: write workbook: %w", err)
	}
	_, err = buf.WriteTo(w)
	return err
}

// editable reports whether an .xlsx can be marked in place: at most
// MaxEditedBookBytes in all, and every sheet the receipt names a cell on
// at most MaxEditedSheetBytes of XML.
func editable(data []byte, rc *receipt.Receipt) bool {
	sizes, total, err := sheetSizes(data)
	if err != nil || total > MaxEditedBookBytes {
		return false // the copy needs only what the reader reads
	}
	for _, is := range rc.Errors {
		if is.Cell != "" && sizes[is.Sheet] > MaxEditedSheetBytes {
			return false
		}
	}
	return true
}

// markXLSX opens the upload itself and marks its cells. The reader has
// already opened it within Limits, so excelize sees a bounded, sane zip; it
// keeps the large sheets it does not touch in temporary files, not in
// memory, and copies them through unchanged.
func markXLSX(data []byte, book *workbook.Book, rc *receipt.Receipt) (*excelize.File, *marks, error) {
	// Parts over UnzipXMLSizeLimit stay in temporary files, not memory:
	// only the marked sheets (at most MaxEditedSheetBytes each) are loaded.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: Limits.MaxUnzippedBytes, UnzipXMLSizeLimit: min(Limits.MaxUnzippedBytes, 4<<20)})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	have := map[string]bool{}
	for _, n := range f.GetSheetList() {
		have[n] = true
	}
	merges := map[string][]workbook.Range{}
	for _, sh := range book.Sheets {
		merges[sh.Name] = sh.Merges
	}
	ms := collect(rc, func(sheet string) (string, []workbook.Range, bool) {
		return sheet, merges[sheet], have[sheet]
	})
	st := newStyles(f)
	for _, sheet := range ms.sheets {
		for _, cm := range ms.bySheet[sheet] {
			base, err := f.GetCellStyle(sheet, cm.ref)
			if err != nil {
				return f, nil, fmt.Errorf("marked: %s!%s: %w", sheet, cm.ref, err)
			}
			id, err := st.filled(base, cm.sev)
			if err != nil {
				return f, nil, err
			}
			if err := f.SetCellStyle(sheet, cm.ref, cm.ref, id); err != nil {
				return f, nil, fmt.Errorf("marked: %s!%s: %w", sheet, cm.ref, err)
			}
		}
		if err := addComments(f, sheet, ms, true); err != nil {
			return f, nil, err
		}
	}
	return f, ms, nil
}

// FileName is the name of the marked copy of an upload called original:
// its stem (no folders, no control or direction-override characters, at
// most 80 characters) and "-danh-dau.xlsx".
func FileName(original string) string {
	base := original
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	if ext := path.Ext(base); ext != "" && utf8.RuneCountInString(ext) <= 5 {
		base = strings.TrimSuffix(base, ext)
	}
	var b strings.Builder
	n := 0
	for _, r := range base {
		if n == 80 {
			break
		}
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r), strings.ContainsRune(`"*:<>?|`, r):
			continue
		}
		b.WriteRune(r)
		n++
	}
	stem := strings.Trim(b.String(), " .")
	if stem == "" {
		stem = "bao-cao"
	}
	return stem + "-danh-dau.xlsx"
}
