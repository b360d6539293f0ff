package marked

import (
	"errors"
	"io"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/workbook"
)

// Flag is a plausibility warning the roll-up found in this upload (issue
// 15: a household count ten times last year's, a hamlet gone): never an
// error, it does not reject the file. The marked workbook lists it on the
// summary sheet as a warning "Cần xem lại" and, for a hamlet's flag, fills
// and comments the hamlet's name cell when the file has it. The receipt
// itself stays a function of the upload (the flags need the lake's
// history): only the marked copy, built on demand, carries them.
type Flag struct {
	Hamlet  string // the hamlet's name as the roll-up read it from this file; "" for the whole commune
	Message string // Vietnamese, with last year's value when there is one
}

// FlagCode is the receipt-style code of a flag's line in the marked
// workbook (never written to a receipt).
const FlagCode = "plausibility"

// flagPrefix starts every flag's message: "to look at again", not an error.
const flagPrefix = "Cần xem lại: "

// WriteFlags is Write, with the upload's plausibility flags added as
// warnings (see Flag). rc is not changed.
func WriteFlags(w io.Writer, fileName string, data []byte, rc *receipt.Receipt, flags []Flag) error {
	return write(w, fileName, data, rc, flags)
}

// withFlags is a copy of rc with one warning per flag after the receipt's
// own issues, a hamlet's on the first cell of the file whose text is the
// hamlet's name (case, spacing and Unicode form aside).
func withFlags(book *workbook.Book, rc *receipt.Receipt, flags []Flag) *receipt.Receipt {
	if len(flags) == 0 {
		return rc
	}
	cells := hamletCells(book, flags)
	out := *rc
	out.Errors = append([]receipt.Issue(nil), rc.Errors...)
	for _, f := range flags {
		is := receipt.Issue{Severity: receipt.SevWarning, Code: FlagCode, Message: flagPrefix + f.Message}
		if at, ok := cells[nameKey(f.Hamlet)]; ok && f.Hamlet != "" {
			is.Sheet, is.Cell = at[0], at[1]
		}
		out.Errors = append(out.Errors, is)
		out.WarningCount++
	}
	return &out
}

var errFound = errors.New("found")

// hamletCells finds, for each hamlet flag, the first cell (in sheet order,
// then reading order) holding the hamlet's name: key → {sheet, cell}.
func hamletCells(book *workbook.Book, flags []Flag) map[string][2]string {
	want := map[string]bool{}
	for _, f := range flags {
		if k := nameKey(f.Hamlet); k != "" {
			want[k] = true
		}
	}
	found := map[string][2]string{}
	for _, sh := range book.Sheets {
		if len(found) == len(want) {
			break
		}
		if sh.Hidden {
			continue
		}
		err := sh.Rows(func(r workbook.Row) error {
			for i, c := range r.Cells {
				if c.Kind != workbook.String {
					continue
				}
				k := nameKey(c.Text)
				if _, done := found[k]; want[k] && !done {
					found[k] = [2]string{sh.Name, workbook.CellRef(r.Num, i+1)}
				}
			}
			if len(found) == len(want) {
				return errFound
			}
			return nil
		})
		if err != nil && !errors.Is(err, errFound) {
			break // an unreadable sheet: the flags are still listed, unplaced
		}
	}
	return found
}

// nameKey compares hamlet names as officials see them: NFC, lower case,
// single spaces.
func nameKey(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(norm.NFC.String(s)), unicode.IsSpace), " ")
}
