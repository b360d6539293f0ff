package workbook

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
)

// maxColumns is Excel's limit (XFD); no form comes near it.
const maxColumns = 16384

// openCSV reads a CSV upload: UTF-8 with or without BOM, or UTF-16 with a
// BOM (Excel's "Unicode text"); the separator ("," ";" or tab) is detected
// from the first line. Every cell is text: numbers are parsed later, by the
// rule of their column.
func openCSV(name string, data []byte) (*Book, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(text, 0) >= 0 {
		return nil, fmt.Errorf("%w: binary content", ErrUnsupported)
	}
	sep := detectSeparator(text)
	book := &Book{Format: "csv"}
	sh := &Sheet{Name: name}
	sh.rows = func(fn func(Row) error) error {
		r := csv.NewReader(bytes.NewReader(text))
		r.Comma = sep
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%w: csv: %v", ErrCorrupt, err)
			}
			if len(rec) == 0 {
				continue
			}
			line, _ := r.FieldPos(0)
			if len(rec) > maxColumns {
				return fmt.Errorf("%w: %d columns on line %d, a sheet has at most %d", ErrTooLarge, len(rec), line, maxColumns)
			}
			row := Row{Num: line, Cells: make([]Cell, len(rec))}
			for i, v := range rec {
				if v != "" {
					row.Cells[i] = Cell{Kind: String, Text: v}
				}
			}
			if row.IsBlank() { // ";;;;" lines Excel writes for empty rows
				continue
			}
			if err := fn(row); err != nil {
				return err
			}
		}
	}
	book.Sheets = []*Sheet{sh}
	return book, nil
}

func decodeText(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		out, err := dec.Bytes(data)
		if err != nil {
			return nil, fmt.Errorf("%w: UTF-16: %v", ErrCorrupt, err)
		}
		return out, nil
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: text is not UTF-8", ErrUnsupported)
	}
	return data, nil
}

// detectSeparator picks "," ";" or tab from the first 20 lines: the one
// that splits the most lines into the same number of fields. Counting
// occurrences alone fails on ";" files with decimal commas ("85,5").
func detectSeparator(text []byte) rune {
	cands := []rune{',', ';', '\t'}
	perLine := make([]map[rune]int, 0, 20)
	cur := map[rune]int{}
	quoted := false
	for _, c := range string(text) {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			perLine = append(perLine, cur)
			cur = map[rune]int{}
		case c == ',' || c == ';' || c == '\t':
			cur[c]++
		}
		if len(perLine) == 20 {
			break
		}
	}
	if len(perLine) < 20 {
		perLine = append(perLine, cur)
	}
	best, bestScore := ',', 0
	for _, c := range cands {
		freq := map[int]int{}
		for _, m := range perLine {
			if m[c] > 0 {
				freq[m[c]]++
			}
		}
		score := 0
		for n, lines := range freq {
			// Same field count on many lines wins; more fields break ties.
			if s := lines*1000 + n; s > score {
				score = s
			}
		}
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	return best
}
