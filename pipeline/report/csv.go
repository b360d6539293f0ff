package report

import (
	"bufio"
	"encoding/csv"
	"io"
	"strings"
)

// WriteCSV writes the main table: one line per row of the printed table
// (district subtotals, communes, the province total), with the figures
// formatted as in the printed report ("245.310", "78,6%", "–" unknown).
//
// Encoding: UTF-8 with a byte-order mark and CRLF line ends, so Excel on a
// Vietnamese Windows opens the diacritics correctly.
//
// CSV injection: spreadsheet programs run a field that starts with = + - @
// (or a tab or carriage return) as a formula. Every field that comes from
// the data (codes, names) and starts with one of those, after leading
// spaces, is prefixed with a single quote ', as OWASP's "CSV Injection"
// guidance recommends; the quote shows, the formula does not run. Figures
// are produced by this package from numbers and are not prefixed.
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
	header := []string{"stt", "cap", "ma", "ten", "ma_huyen"}
	for _, c := range cols {
		header = append(header, c.csv)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, 0, len(header))
	for _, l := range tableLines(r) {
		rec = append(rec[:0], l.stt, levelText(l.level()), csvSafe(l.row.Code), csvSafe(lineName(l)), csvSafe(l.row.District))
		for _, c := range cols {
			v := c.get(l.row)
			v.cov = "" // the coverage is in the roll-up's columns, not in a figure
			rec = append(rec, v.text(c.kind))
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
