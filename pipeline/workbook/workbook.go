// Package workbook turns the bytes of an upload into sheets of cells: CSV
// (text), .xlsx (Office Open XML, transitional or Strict), .xls (BIFF8) and
// .ods (OpenDocument). Rows are streamed, so a large sheet
// that is not the form (a household list, say) is never held in memory.
package workbook

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kind is what a cell stores.
type Kind uint8

// Cell kinds.
const (
	Blank  Kind = iota
	String      // text; numbers written as text stay here ("1.234")
	Number      // a numeric cell: Num holds the stored value
	Bool        // TRUE/FALSE cell: Text is "1" or "0"
	Error       // #DIV/0!, #REF! …
)

// Cell is one cell as stored in the file.
type Cell struct {
	Kind    Kind
	Text    string  // the stored text (for Number the stored digits, e.g. "12.5")
	Num     float64 // Number only
	Formula bool    // the cell has a formula; Text/Num hold its cached result
	// Encoding is the legacy encoding (legacy.TCVN3, legacy.VNI) the cell's
	// font implied; Text has already been converted to Unicode.
	Encoding string
}

// notANumber is what a numeric cell reads as when its value is no number
// Excel can hold (NaN, an infinity, beyond ±1.8e308): an Error cell whose
// Text is the value as written, without the "#" every Excel error starts
// with, so the check can say what is wrong with it instead of calling it a
// formula error. The text is cut to 40 bytes (it is echoed in receipts).
func notANumber(written string) string {
	written = strings.TrimSpace(written)
	if len(written) > 40 {
		written = strings.ToValidUTF8(written[:40], "") + "…"
	}
	if written == "" || strings.HasPrefix(written, "#") {
		written = "NaN"
	}
	return written
}

// BadNumber reports whether c is a numeric cell whose value is no number
// Excel can hold (see notANumber), rather than one of Excel's errors
// (#DIV/0!, #NUM!, …) or another kind of cell.
func (c Cell) BadNumber() bool { return c.Kind == Error && !strings.HasPrefix(c.Text, "#") }

// Row is one row of a sheet. Cells[i] is column i+1; missing cells are Blank.
type Row struct {
	Num   int // 1-based row number in the sheet
	Cells []Cell
}

// Cell returns the cell at 1-based column col (Blank when absent).
func (r Row) Cell(col int) Cell {
	if col < 1 || col > len(r.Cells) {
		return Cell{}
	}
	return r.Cells[col-1]
}

// IsBlank reports whether every cell of the row is empty.
func (r Row) IsBlank() bool {
	for _, c := range r.Cells {
		if c.Kind != Blank && c.Text != "" {
			return false
		}
	}
	return true
}

// Range is a merged block of cells (1-based, inclusive).
type Range struct{ Row1, Col1, Row2, Col2 int }

// Contains reports whether (row, col) lies in the range.
func (g Range) Contains(row, col int) bool {
	return row >= g.Row1 && row <= g.Row2 && col >= g.Col1 && col <= g.Col2
}

// Sheet is one sheet of a book.
type Sheet struct {
	Name   string
	Hidden bool
	Merges []Range
	rows   func(fn func(Row) error) error
	// Converted counts, by encoding, the cells read so far whose text was
	// converted from a legacy font (TCVN3, VNI).
	Converted map[string]int
}

// Rows calls fn for each non-empty row in order. If fn returns Stop, reading
// ends without error; any other error is returned.
func (s *Sheet) Rows(fn func(Row) error) error {
	err := s.rows(func(r Row) error {
		// Counted by runs of cells in one encoding: a map update per cell
		// was a measurable part of reading a legacy-font sheet.
		enc, n := "", 0
		for _, c := range r.Cells {
			switch c.Encoding {
			case "":
			case enc:
				n++
			default:
				s.addConverted(enc, n)
				enc, n = c.Encoding, 1
			}
		}
		s.addConverted(enc, n)
		return fn(r)
	})
	if errors.Is(err, Stop) {
		return nil
	}
	return err
}

func (s *Sheet) addConverted(enc string, n int) {
	if n == 0 {
		return
	}
	if s.Converted == nil {
		s.Converted = map[string]int{}
	}
	s.Converted[enc] += n
}

// Stop ends Sheet.Rows early.
var Stop = errors.New("workbook: stop")

// Book is an opened upload.
type Book struct {
	Format   string // "xlsx", "xls", "ods", "html" (a table saved as .xls), "xml2003" (SpreadsheetML) or "csv"
	Encoding string // CSV only: utf-8, utf-16, windows-1258, tcvn3 or vni
	Sheets   []*Sheet
	Notes    []Note // how the file was read, worth a warning
}

// Note is a fact about how a file was read that its sender should know
// (text converted from a legacy encoding, or text that looks legacy but
// was left alone). The receipt shows it as a warning.
type Note struct {
	Code      string // stable, like receipt codes
	Message   string // Vietnamese
	MessageEN string
}

// Format errors callers turn into a receipt entry.
var (
	ErrLegacyXLS   = errors.New("workbook: Excel 97-2003 (.xls) file")
	ErrUnsupported = errors.New("workbook: not a spreadsheet or CSV file")
	ErrTooLarge    = errors.New("workbook: file too large")
	ErrCorrupt     = errors.New("workbook: damaged file")
)

// .xls errors. Every error of the .xls reader also matches ErrLegacyXLS
// (damaged files match ErrCorrupt too), so callers ask for the file to be
// saved as .xlsx; ErrTooLarge and an OLE file that is no workbook at all
// (ErrUnsupported) are the exceptions, as is ErrEncrypted alone for an
// encrypted .xlsx.
var (
	// ErrEncrypted: the file needs a password to open (FILEPASS record in
	// an .xls, EncryptedPackage stream in an encrypted .xlsx).
	ErrEncrypted = errors.New("workbook: file is encrypted (password to open)")
	// ErrUnsupportedXLS: an .xls this reader cannot read exactly: BIFF5
	// (Excel 5.0/95) or older, or a record it does not decode.
	ErrUnsupportedXLS = fmt.Errorf("%w: unsupported content", ErrLegacyXLS)
)

// Limits bound the work done on one upload, so a hostile file cannot make
// the function run out of memory or time.
type Limits struct {
	MaxBytes         int64 // upload size
	MaxUnzippedBytes int64 // an .xlsx: bytes inflated in all (all parts, all passes); an .xls: its workbook stream
	MaxSheets        int
}

// DefaultLimits fit a Lambda with 512 MB of memory.
var DefaultLimits = Limits{MaxBytes: 50 << 20, MaxUnzippedBytes: 400 << 20, MaxSheets: 100}

// Open detects the format from the content (not the file name, which
// officials get wrong) and opens it. name is used for the CSV sheet name.
func Open(name string, data []byte, lim Limits) (*Book, error) {
	if lim.MaxBytes > 0 && int64(len(data)) > lim.MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), lim.MaxBytes)
	}
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return openXLSX(data, lim)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		// OLE2 compound file: Excel 97-2003 .xls (or an encrypted .xlsx).
		return openXLS(data, lim)
	case bareBIFF(data):
		// Excel 2.x-4.0 wrote a bare BIFF stream, no compound file: the
		// same "save as .xlsx" answer as Excel 95, not "not a spreadsheet".
		return nil, xlsUnsupported("BIFF2-4 workbook (Excel 4.0 or older), not in a compound file")
	case looksSpreadsheetML(data):
		return openSpreadsheetML(data, lim)
	case looksHTML(data):
		return openHTML(name, data)
	default:
		return openCSV(name, data)
	}
}

// bareBIFF reports whether data starts with the BOF record of a BIFF2,
// BIFF3 or BIFF4 stream (record 0x0009, 0x0209 or 0x0409, a body of 4 to 16
// bytes whose version word is that BIFF's, and whose substream type is a
// sheet, chart, macro sheet or workbook).
func bareBIFF(data []byte) bool {
	if len(data) < 8 || data[0] != 0x09 || (data[1] != 0x00 && data[1] != 0x02 && data[1] != 0x04) {
		return false
	}
	n := int(data[2]) | int(data[3])<<8
	if n < 4 || n > 16 {
		return false
	}
	dt := uint16(data[6]) | uint16(data[7])<<8
	switch dt {
	case 0x0010, 0x0020, 0x0040, 0x0100:
		return true
	}
	return false
}

// MaxCellChars is the most text a spreadsheet cell can hold (Excel's limit).
// A longer cell is no real cell: the file is refused as too large before
// anything spends time on its text.
const MaxCellChars = 32767

// cellTooLong reports whether s has more than MaxCellChars characters.
func cellTooLong(s string) bool {
	return len(s) > MaxCellChars && utf8.RuneCountInString(s) > MaxCellChars
}

// CellRef formats a 1-based (row, col) as an A1 reference: (12, 5) → "E12".
func CellRef(row, col int) string {
	return ColName(col) + strconv.Itoa(row)
}

// ColName gives the letters of a 1-based column: 1 → "A", 28 → "AB".
func ColName(col int) string {
	var b []byte
	for col > 0 {
		col--
		b = append([]byte{byte('A' + col%26)}, b...)
		col /= 26
	}
	return string(b)
}

// ParseRef parses "E12" into (12, 5). ok is false for anything else.
func ParseRef(ref string) (row, col int, ok bool) {
	i := 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' {
		col = col*26 + int(ref[i]-'A'+1)
		if col > 16384 { // beyond XFD; also stops overflow on hostile refs
			return 0, 0, false
		}
		i++
	}
	if i == 0 || i == len(ref) {
		return 0, 0, false
	}
	row, err := strconv.Atoi(ref[i:])
	if err != nil || row < 1 || row > 1048576 {
		return 0, 0, false
	}
	return row, col, true
}
