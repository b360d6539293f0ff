package workbook

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"

	"github.com/xhht/xhht/pipeline/legacy"
)

// maxColumns is Excel's limit (XFD); no form comes near it.
const maxColumns = 16384

// openCSV reads a CSV upload: UTF-8 with or without BOM, or UTF-16 with a
// BOM (Excel's "Unicode text"); the separator ("," ";" or tab) is detected
// from the first line. Every cell is text: numbers are parsed later, by the
// rule of their column.
func openCSV(name string, data []byte) (*Book, error) {
	text, enc, notes, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(text, 0) >= 0 {
		return nil, fmt.Errorf("%w: binary content", ErrUnsupported)
	}
	sep := detectSeparator(text)
	// Converted text is this reader's own and is rewritten in place; the
	// upload's bytes themselves (text is then a suffix of them) are not.
	owned := len(text) == 0 || len(data) == 0 || &text[len(text)-1] != &data[len(data)-1]
	text = bareCRToLF(text, sep, owned)
	book := &Book{Format: "csv", Encoding: enc, Notes: notes}
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
				if cellTooLong(v) {
					return fmt.Errorf("%w: a field of over %d characters on line %d", ErrTooLarge, MaxCellChars, line)
				}
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

// Note codes of the CSV reader.
const (
	NoteConverted = "encoding-converted" // legacy text converted to Unicode
	NoteSuspected = "legacy-text-suspected"
)

// Legacy text in a CSV has no font to tell its encoding, so it is judged
// by content (legacy.Detect): converted when the evidence is clear, only
// flagged when it is not.
const (
	convertConfidence = 0.8
	suspectConfidence = 0.3
)

// decodeText turns the bytes of a CSV into UTF-8 text, in this order:
//  1. a BOM decides: UTF-8, UTF-16 LE or BE;
//  2. valid UTF-8 is UTF-8, unless its text is clearly TCVN3 or VNI glyphs
//     (a legacy sheet exported by Excel), which are converted;
//  3. invalid UTF-8 that reads as Vietnamese in Windows-1258 is that
//     (decoded, then NFC: 1258 stores tone marks as combining characters);
//  4. raw TCVN3 or VNI bytes, when clearly so;
//  5. anything else is refused.
func decodeText(data []byte) (text []byte, enc string, notes []Note, err error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		out, err := dec.Bytes(data)
		if err != nil {
			return nil, "", nil, fmt.Errorf("%w: UTF-16: %v", ErrCorrupt, err)
		}
		return out, "utf-16", nil, nil
	}
	if utf8.Valid(data) {
		e, conf := legacy.Detect(string(data))
		switch {
		case e != legacy.None && conf >= convertConfidence:
			return []byte(legacy.Decode(e, false, string(data))), string(e), []Note{convertedNote(e)}, nil
		case e != legacy.None && conf >= suspectConfidence:
			return data, "utf-8", []Note{{Code: NoteSuspected,
				Message:   fmt.Sprintf("Một số chữ trong tệp có thể đang ở phông cũ %s (ví dụ \"Hµ Néi\" thay cho \"Hà Nội\") nhưng chưa đủ chắc để chuyển. Hãy kiểm tra tên thôn; nếu sai, hãy chuyển tệp sang Unicode rồi nộp lại.", strings.ToUpper(string(e))),
				MessageEN: fmt.Sprintf("Some text may be %s legacy text (confidence %.2f); it was not converted.", e, conf)}}, nil
		}
		return data, "utf-8", nil, nil
	}
	if s, ok := legacy.DecodeIfWindows1258(data); ok {
		return []byte(s), "windows-1258", []Note{{Code: NoteConverted,
			Message:   "Tệp CSV ở bảng mã Windows-1258 đã được chuyển sang Unicode.",
			MessageEN: "The CSV was in Windows-1258 and was converted to Unicode."}}, nil
	}
	if e, conf := legacy.DetectBytes(data); e != legacy.None && conf >= convertConfidence {
		return []byte(legacy.DecodeBytes(e, data)), string(e), []Note{convertedNote(e)}, nil
	}
	return nil, "", nil, fmt.Errorf("%w: text is not UTF-8, UTF-16, Windows-1258, TCVN3 or VNI", ErrUnsupported)
}

func convertedNote(e legacy.Encoding) Note {
	return Note{Code: NoteConverted,
		Message:   fmt.Sprintf("Chữ trong tệp ở phông cũ %s đã được chuyển sang Unicode. Hãy kiểm tra lại tên thôn trong biên nhận.", strings.ToUpper(string(e))),
		MessageEN: fmt.Sprintf("Text in the legacy %s encoding was converted to Unicode.", e)}
}

// bareCRToLF makes a carriage return outside quotes that is not part of
// CRLF a line end, as Excel reads it: Excel for Mac's "CSV (Macintosh)"
// ends lines with CR alone, which encoding/csv keeps inside the field
// ("429\r13" would read as one number). A CR inside a quoted field stays
// text. A quote opens a quoted field only at the start of a field, as for
// encoding/csv with LazyQuotes. The text is changed in place when owned,
// else copied, and only when it has a bare CR to change: a CR becomes one
// LF, so the length stays.
func bareCRToLF(text []byte, sep rune, owned bool) []byte {
	i := bytes.IndexByte(text, '\r')
	for i >= 0 && i+1 < len(text) && text[i+1] == '\n' {
		j := bytes.IndexByte(text[i+1:], '\r')
		if j < 0 {
			return text
		}
		i += 1 + j
	}
	if i < 0 {
		return text
	}
	out := []byte(nil)
	quoted, start := false, true
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quoted:
			if c == '"' {
				if i+1 < len(text) && text[i+1] == '"' {
					i++ // an escaped quote: both are copied below
					if out != nil {
						out = append(out, '"')
					}
				} else {
					quoted = false
				}
			}
			start = false
		case c == '"' && start:
			quoted, start = true, false
		case c == '\r' && (i+1 == len(text) || text[i+1] != '\n'):
			switch {
			case owned:
				text[i] = '\n'
			case out == nil:
				out = append(make([]byte, 0, len(text)), text[:i]...)
				fallthrough
			default:
				out = append(out, '\n')
				start = true
				continue
			}
			start = true
			continue
		case c == '\n' || rune(c) == sep:
			start = true
		default:
			start = c == '\r' // CR of CRLF: the LF follows
		}
		if out != nil {
			out = append(out, c)
		}
	}
	if out == nil {
		return text
	}
	return out
}

// detectSeparator picks "," ";" or tab from the first 20 lines: the one
// that splits the most lines into the same number of fields. Counting
// occurrences alone fails on ";" files with decimal commas ("85,5").
func detectSeparator(text []byte) rune {
	cands := []rune{',', ';', '\t'}
	perLine := make([]map[rune]int, 0, 20)
	cur := map[rune]int{}
	quoted := false
	for i, c := range string(text) {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n' || (c == '\r' && (i+1 == len(text) || text[i+1] != '\n')):
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
