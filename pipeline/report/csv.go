package report

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// WriteCSV writes the main table for analysts: one line per row of the
// printed table (district subtotals, communes, the province total), with
// the roll-up's column names (docs/ROLLUP_COLUMNS.md) and plain values, so
// every spreadsheet and program reads them the same whatever its locale:
// counts as integers (4917), rates, targets and changes as fractions with
// a dot (0.7861, 0.8, 0.023), đạt / chưa đạt as true / false, and an
// unknown figure as an empty field (never 0). The Vietnamese formatting
// ("4.917", "78,6%") belongs to the .xlsx and .html, which people read.
// ma_huyen is there only for years with districts (up to 2024).
//
// Encoding: UTF-8 with a byte-order mark and CRLF line ends, so Excel on a
// Vietnamese Windows opens the diacritics correctly.
//
// CSV injection: spreadsheet programs run a field that starts with = + - @
// (or a tab or carriage return) as a formula. Every field that comes from
// the data (codes, names) and starts with one of those, after leading
// spaces, is prefixed with a single quote ', as OWASP's "CSV Injection"
// guidance recommends; the quote shows, the formula does not run. Figures
// are produced by this package from numbers and are not prefixed (a
// negative change, -0.012, is a number to every spreadsheet).
func WriteCSV(w io.Writer, r *Report) error {
	if err := validate(r); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true

	cols := modelColumns(r)
	if r.isMovement() {
		cols = append(cols, movementColumns()[len(Models):]...)
	}
	header := []string{"stt", "cap", "ma", "ten"}
	if r.HasDistricts {
		header = append(header, "ma_huyen")
	}
	for _, c := range cols {
		header = append(header, c.csv)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, 0, len(header))
	for _, l := range tableLines(r) {
		rec = append(rec[:0], l.stt, levelText(l.level()), csvSafe(l.row.Code), csvSafe(lineName(l)))
		if r.HasDistricts {
			rec = append(rec, csvSafe(l.row.District))
		}
		for _, c := range cols {
			rec = append(rec, c.get(l.row).plain(c.kind))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// plain formats a value for the .csv: locale-free, "" when unknown.
func (v value) plain(k valueKind) string {
	switch {
	case k == kCount && v.n != nil:
		return strconv.FormatInt(*v.n, 10)
	case (k == kRate || k == kTarget || k == kChange) && v.f != nil:
		return strconv.FormatFloat(*v.f, 'f', -1, 64)
	case k == kMet && v.b != nil:
		return strconv.FormatBool(*v.b)
	}
	return ""
}

func levelText(level string) string {
	switch level {
	case "commune":
		return "xã"
	case "district":
		return "huyện"
	case "province":
		return "tỉnh"
	}
	return level
}

// formulaLead reports whether a spreadsheet would take s as a formula:
// after leading spaces it starts with = + - @, a tab or a carriage return.
func formulaLead(s string) bool {
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return false
	}
	switch t[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// csvSafe neutralises a data-supplied field for spreadsheets (see WriteCSV).
func csvSafe(s string) string {
	if formulaLead(s) {
		return "'" + s
	}
	return s
}

// CSVSafe neutralises a data-supplied text field for spreadsheets, as the
// report's CSV does (see WriteCSV): other CSV writers (xhht query) use it.
func CSVSafe(s string) string { return csvSafe(s) }
