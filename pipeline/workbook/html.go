package workbook

// An HTML table saved as .xls: web systems export their reports so, and
// offices fill them in and send them back (Excel opens them, with a
// warning). Each top-level table is one sheet (LibreOffice exports a
// workbook so, one table per sheet); text blocks before a table (a title
// in <h3> or <p>) become one-cell rows of its sheet, so the title block
// stays above the header; rowspan and colspan become
// merged cells laid out as HTML lays them out. Cells are text, as in a
// CSV, unless the exporting program marks them as numbers (Excel's x:num,
// LibreOffice's sdval) or booleans (x:bool).

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/xhht/xhht/pipeline/legacy"
)

// looksHTML reports whether data is an HTML document holding a table: it
// starts (after a BOM and white space) with a tag or comment, and has
// <table in its first 64 KB.
func looksHTML(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	t := bytes.TrimLeft(data[:min(len(data), 1024)], " \t\r\n")
	if len(t) == 0 || t[0] != '<' {
		return false
	}
	head := bytes.ToLower(data[:min(len(data), 64<<10)])
	return bytes.Contains(head, []byte("<table")) &&
		(bytes.HasPrefix(bytes.ToLower(t), []byte("<!doctype html")) || bytes.Contains(head, []byte("<html")) ||
			bytes.HasPrefix(bytes.ToLower(t), []byte("<table")) || bytes.HasPrefix(t, []byte("<!--")))
}

// openHTML reads an HTML upload. The text is UTF-8, or Windows-1258 when
// it is not valid UTF-8 (Vietnamese Windows exports).
func openHTML(name string, data []byte) (*Book, error) {
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	text := data
	if !utf8.Valid(text) {
		s, ok := legacy.DecodeIfWindows1258(text)
		if !ok {
			return nil, fmt.Errorf("%w: HTML text is neither UTF-8 nor Windows-1258", ErrUnsupported)
		}
		text = []byte(s)
	}
	segs, err := htmlSegments(text)
	if err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(name, ".xls")
	b := &Book{Format: "html", Encoding: "utf-8"}
	for i, seg := range segs {
		part := text[seg.start:seg.end]
		sh := &Sheet{Name: seg.name}
		switch {
		case sh.Name != "":
		case i == 0:
			sh.Name = base
		default:
			sh.Name = fmt.Sprintf("%s (bảng %d)", base, i+1)
		}
		if err := walkHTML(part, sh.addMerge, nil); err != nil {
			return nil, err
		}
		sh.rows = func(fn func(Row) error) error { return walkHTML(part, nil, fn) }
		b.Sheets = append(b.Sheets, sh)
	}
	return b, nil
}

// maxHTMLTables bounds the sheets an HTML upload becomes. A workbook
// exported by LibreOffice has one table per sheet; web reports a few.
const maxHTMLTables = 1000

// htmlSegment is the part of the document one sheet is read from: a
// top-level table and the text before it (its title block), from the end
// of the previous table.
type htmlSegment struct {
	start, end int
	name       string
}

// lastSheetHeading matches the text LibreOffice writes before a sheet's
// name in the heading above each table ("Sheet 2: <em>Biểu 01</em>", in
// any UI language): a number and a colon.
var lastSheetHeading = regexp.MustCompile(`\d+:\s*$`)

// htmlSegments splits the document into one segment per top-level
// <table>: each table is one sheet, as LibreOffice's HTML export writes one
// table per sheet, and two forms in one document are two tables. Text
// after the last table (a signature block) stays with it. A heading of
// LibreOffice's form names the sheet and is left out of its rows; the
// overview above the first sheet's heading is left out too.
func htmlSegments(text []byte) ([]htmlSegment, error) {
	z := html.NewTokenizer(bytes.NewReader(text))
	z.SetMaxBuf(maxXMLToken)
	var (
		segs           []htmlSegment
		pos, prevEnd   int
		depth          int
		inHeading      bool
		inEm           bool
		headText, emTx strings.Builder
		named          string // a sheet name from a heading since the last table
		namedEnd       int    // where that heading ends
	)
	for {
		tt := z.Next()
		pos += len(z.Raw())
		switch tt {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				if len(segs) == 0 {
					return []htmlSegment{{0, len(text), ""}}, nil
				}
				segs[len(segs)-1].end = len(text)
				return segs, nil
			}
			if errors.Is(z.Err(), html.ErrBufferExceeded) {
				return nil, fmt.Errorf("%w: an HTML token of over %d bytes", ErrTooLarge, maxXMLToken)
			}
			return nil, fmt.Errorf("%w: HTML: %v", ErrCorrupt, z.Err())
		case html.TextToken:
			if inHeading && headText.Len() < 4096 {
				if inEm {
					emTx.Write(z.Text())
				} else if emTx.Len() == 0 {
					headText.Write(z.Text())
				}
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			tag, _ := z.TagName()
			end := tt == html.EndTagToken
			switch a := atom.Lookup(tag); a {
			case atom.Table:
				if end {
					if depth > 0 {
						if depth--; depth == 0 {
							segs[len(segs)-1].end = pos
							prevEnd = pos
						}
					}
					continue
				}
				if tt == html.SelfClosingTagToken {
					continue
				}
				if depth++; depth > 1 {
					continue
				}
				if len(segs) == maxHTMLTables {
					return nil, fmt.Errorf("%w: over %d tables", ErrTooLarge, maxHTMLTables)
				}
				seg := htmlSegment{start: prevEnd}
				if named != "" {
					seg.start, seg.name = namedEnd, named
				}
				segs = append(segs, seg)
				named, inHeading = "", false
			case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				if depth > 0 {
					continue
				}
				if !end {
					inHeading, inEm = true, false
					headText.Reset()
					emTx.Reset()
					continue
				}
				if inHeading {
					inHeading = false
					n := strings.Join(strings.Fields(emTx.String()), " ")
					if n != "" && lastSheetHeading.MatchString(strings.TrimSpace(headText.String())) {
						named, namedEnd = n, pos
					}
				}
			case atom.Em:
				if inHeading {
					inEm = !end
				}
			}
		}
	}
}

// htmlCell is a cell being read.
type htmlCell struct {
	text             strings.Builder
	num, isBool      bool
	numVal           string
	rowspan, colspan int
	enc              legacy.Encoding // a legacy font's encoding, once one converted text
}

// walk lays out the document: onMerge gets each rowspan/colspan block,
// onRow each non-blank row.
func walkHTML(text []byte, onMerge func(Range) error, onRow func(Row) error) error {
	z := html.NewTokenizer(bytes.NewReader(text))
	z.SetMaxBuf(maxXMLToken)
	var (
		rowNum  int // last row laid out
		row     Row
		inRow   bool
		cell    *htmlCell
		col     int
		busy    = map[int]int{} // column → last row a rowspan above occupies
		block   strings.Builder // text outside tables
		depth   int             // <table> nesting
		skip    int             // inside <script>/<style>
		fonts   []string        // <font face> open inside the cell (LibreOffice writes one per cell)
		emitRow = func(r Row) error {
			if r.Num > 1048576 {
				return fmt.Errorf("%w: row beyond 1048576", ErrTooLarge)
			}
			if onRow == nil || r.IsBlank() {
				return nil
			}
			return onRow(r)
		}
	)
	flushBlock := func() error {
		s := strings.Join(strings.Fields(block.String()), " ")
		block.Reset()
		if s == "" {
			return nil
		}
		rowNum++
		if cellTooLong(s) {
			return fmt.Errorf("%w: a text of over %d characters", ErrTooLarge, MaxCellChars)
		}
		return emitRow(Row{Num: rowNum, Cells: []Cell{{Kind: String, Text: s}}})
	}
	endCell := func() error {
		if cell == nil {
			return nil
		}
		c := cell
		cell, fonts = nil, fonts[:0]
		for busy[col] >= rowNum {
			col++
		}
		if col+c.colspan-1 > maxColumns {
			return fmt.Errorf("%w: a table wider than %d columns", ErrTooLarge, maxColumns)
		}
		text := cellText(c.text.String())
		if cellTooLong(text) {
			return fmt.Errorf("%w: a cell of over %d characters", ErrTooLarge, MaxCellChars)
		}
		var out Cell
		switch {
		case c.num:
			v := c.numVal
			if v == "" {
				v = text
			}
			f, err := parseExcelNumber(v)
			switch {
			case errors.Is(err, errNotANumber):
				out = Cell{Kind: Error, Text: notANumber(v)}
			case err != nil:
				out = Cell{Kind: String, Text: text} // x:num on text: keep what it shows
			default:
				out = Cell{Kind: Number, Text: v, Num: f}
			}
		case c.isBool && (text == "TRUE" || text == "FALSE"):
			out = Cell{Kind: Bool, Text: map[bool]string{true: "1", false: "0"}[text == "TRUE"]}
		case text != "":
			out = Cell{Kind: String, Text: text, Encoding: string(c.enc)}
		}
		for len(row.Cells) < col-1 {
			row.Cells = append(row.Cells, Cell{})
		}
		row.Cells = append(row.Cells[:col-1], out)
		if c.rowspan > 1 || c.colspan > 1 {
			last := min(rowNum+c.rowspan-1, 1048576)
			for i := range c.colspan {
				busy[col+i] = max(busy[col+i], last)
			}
			if onMerge != nil {
				if err := onMerge(Range{rowNum, col, last, col + c.colspan - 1}); err != nil {
					return err
				}
			}
		}
		col += c.colspan
		return nil
	}
	endRow := func() error {
		if err := endCell(); err != nil {
			return err
		}
		if !inRow {
			return nil
		}
		inRow = false
		return emitRow(row)
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				if err := endRow(); err != nil {
					return err
				}
				return flushBlock()
			}
			if errors.Is(z.Err(), html.ErrBufferExceeded) {
				return fmt.Errorf("%w: an HTML token of over %d bytes", ErrTooLarge, maxXMLToken)
			}
			return fmt.Errorf("%w: HTML: %v", ErrCorrupt, z.Err())
		case html.TextToken:
			if skip > 0 {
				continue
			}
			switch {
			case cell != nil:
				// Line ends in the source are white space; only <br>
				// and paragraphs break lines.
				txt := bytes.Map(func(r rune) rune {
					if r == '\n' || r == '\r' {
						return ' '
					}
					return r
				}, z.Text())
				// Text in a legacy font (.VnTime, VNI-Times) is converted
				// as the other readers convert it.
				if len(fonts) > 0 {
					if enc, upper := legacy.FromFont(fonts[len(fonts)-1]); enc != legacy.None {
						txt = []byte(legacy.Decode(enc, upper, string(txt)))
						cell.enc = enc
					}
				}
				cell.text.Write(txt)
				if cell.text.Len() > 8*MaxCellChars {
					return fmt.Errorf("%w: a cell of over %d characters", ErrTooLarge, MaxCellChars)
				}
			case depth == 0:
				block.Write(z.Text())
				if block.Len() > 8*MaxCellChars {
					return fmt.Errorf("%w: a text of over %d characters", ErrTooLarge, MaxCellChars)
				}
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			end := tt == html.EndTagToken
			attrs := map[string]string{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				attrs[strings.ToLower(string(k))] = string(v)
			}
			switch a {
			case atom.Font:
				if depth == 1 && cell != nil {
					if tt == html.StartTagToken {
						fonts = append(fonts, attrs["face"])
					} else if end && len(fonts) > 0 {
						fonts = fonts[:len(fonts)-1]
					}
				}
			case atom.Script, atom.Style, atom.Title:
				if tt == html.StartTagToken {
					skip++
				} else if end && skip > 0 {
					skip--
				}
			case atom.Table:
				if end {
					if depth > 0 {
						depth--
						if depth == 0 {
							if err := endRow(); err != nil {
								return err
							}
						}
					}
					continue
				}
				if depth == 0 {
					if err := flushBlock(); err != nil {
						return err
					}
				}
				depth++
			case atom.Tr:
				if depth != 1 {
					continue
				}
				if err := endRow(); err != nil {
					return err
				}
				if end {
					continue
				}
				rowNum++
				inRow, col, row = true, 1, Row{Num: rowNum}
			case atom.Td, atom.Th:
				if depth != 1 {
					continue
				}
				if err := endCell(); err != nil {
					return err
				}
				if end {
					continue
				}
				if !inRow { // a cell without <tr>
					rowNum++
					inRow, col, row = true, 1, Row{Num: rowNum}
				}
				// Excel marks numbers x:num (the value, or empty: the
				// text), LibreOffice sdval (the value).
				num, isNum := attrs["x:num"]
				if v, ok := attrs["sdval"]; ok {
					num, isNum = v, true
				}
				_, isBool := attrs["x:bool"]
				cell = &htmlCell{num: isNum, numVal: num, isBool: isBool,
					rowspan: spanAttr(attrs["rowspan"]), colspan: spanAttr(attrs["colspan"])}
			case atom.Br:
				if cell != nil {
					cell.text.WriteByte('\n')
				} else if depth == 0 {
					if err := flushBlock(); err != nil { // a title line of its own
						return err
					}
				}
			case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Li:
				if depth == 0 {
					if err := flushBlock(); err != nil {
						return err
					}
				} else if cell != nil && end {
					cell.text.WriteByte('\n')
				}
			}
		}
	}
}

// spanAttr reads rowspan/colspan: 1 unless a positive number; rowspan="0"
// (to the end of the section) is taken as 1.
func spanAttr(v string) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, maxColumns)
}

// cellText collapses white space as a browser shows it, keeping line
// breaks from <br> and paragraphs.
func cellText(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
