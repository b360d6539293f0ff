package workbook

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/xhht/xhht/pipeline/legacy"
)

// openXLSX reads the workbook's sheet list, relationships and shared strings.
// Sheet data is decoded lazily and streamed by Sheet.Rows. Our own reader
// (not excelize) because we need each cell's stored type, cached formula
// values and streaming in one pass, and a bound on every decompressed part.
func openXLSX(data []byte, lim Limits) (*Book, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: zip: %v", ErrCorrupt, err)
	}
	x := &xlsx{files: map[string]*zip.File{}, lim: lim, budget: lim.MaxUnzippedBytes}
	if x.budget <= 0 {
		x.budget = 1 << 40
	}
	for _, f := range zr.File {
		// Part names are case-insensitive (OPC, ECMA-376 Part 2 §9.1.1.4):
		// Excel opens a book whose relationship says sharedStrings.xml
		// and whose zip holds xl/SharedStrings.xml. Two entries whose
		// names differ only in case (or not at all) leave no way to know
		// which one Excel would read: the file is refused as damaged
		// rather than read with the last one silently winning.
		name := partKey(f.Name)
		if x.files[name] != nil {
			return nil, fmt.Errorf("%w: two zip entries named %q", ErrCorrupt, f.Name)
		}
		x.files[name] = f
	}
	if x.files["xl/workbook.xml"] == nil && x.isODS() {
		return openODS(x, lim)
	}
	if x.files["xl/workbook.xml"] == nil {
		// A zip without a workbook: .docx, a zipped folder …
		return nil, fmt.Errorf("%w: zip without xl/workbook.xml", ErrUnsupported)
	}
	var wb struct {
		Sheets []struct {
			Name  string `xml:"name,attr"`
			State string `xml:"state,attr"`
			// r:id in the transitional or the Strict namespace
			// (http://purl.oclc.org/ooxml/officeDocument/relationships):
			// the only attribute of <sheet> named "id".
			RID string `xml:"id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := x.decode("xl/workbook.xml", &wb); err != nil {
		return nil, err
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
			Type   string `xml:"Type,attr"`
		} `xml:"Relationship"`
	}
	if err := x.decode("xl/_rels/workbook.xml.rels", &rels); err != nil {
		return nil, err
	}
	targets := map[string]string{}
	for _, r := range rels.Rels {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join("xl", t)
		}
		targets[r.ID] = partKey(t)
	}
	if part := targetOf(targets, rels.Rels, "styles"); x.files[part] != nil {
		if err := x.readStyles(part); err != nil {
			return nil, err
		}
	}
	if part := targetOf(targets, rels.Rels, "sharedStrings"); x.files[part] != nil {
		if err := x.readSharedStrings(part); err != nil {
			return nil, err
		}
	}
	if lim.MaxSheets > 0 && len(wb.Sheets) > lim.MaxSheets {
		return nil, fmt.Errorf("%w: %d sheets, limit %d", ErrTooLarge, len(wb.Sheets), lim.MaxSheets)
	}
	book := &Book{Format: "xlsx"}
	for _, s := range wb.Sheets {
		part := targets[s.RID]
		if x.files[part] == nil {
			return nil, fmt.Errorf("%w: sheet %q has no part %q", ErrCorrupt, s.Name, part)
		}
		merges, err := x.scanMerges(part)
		if err != nil {
			return nil, err
		}
		sh := &Sheet{Name: s.Name, Hidden: s.State == "hidden" || s.State == "veryHidden", Merges: merges}
		sh.rows = func(fn func(Row) error) error { return x.streamRows(part, fn) }
		book.Sheets = append(book.Sheets, sh)
	}
	return book, nil
}

type xlsx struct {
	budget int64 // bytes still allowed to be inflated (Limits.MaxUnzippedBytes)
	files  map[string]*zip.File
	// The string table, held compactly (an entry costs 4 bytes beside its
	// text, not a 32-byte struct): all texts concatenated, the end of
	// each, and the encoding of the few entries a rich-text run in a
	// legacy font converted at load time. For the others the cell's font
	// decides, when the cell is read.
	sstText string
	sstEnd  []uint32
	sstEnc  map[int]string
	xfFont  []string // cell style (cellXfs index) → font name
	lim     Limits
}

// The string table is bounded on its own, since it is held in memory for
// the whole read while the sheets are streamed: a 50 MB upload can
// inflate to hundreds of MB of strings. A form's table is a few
// kilobytes; a household list of a whole commune a few megabytes.
const (
	maxSharedText    = 32 << 20
	maxSharedStrings = 2 << 20
)

// sharedString returns entry i of the string table.
func (x *xlsx) sharedString(i int) (text, enc string, ok bool) {
	if i < 0 || i >= len(x.sstEnd) {
		return "", "", false
	}
	start := uint32(0)
	if i > 0 {
		start = x.sstEnd[i-1]
	}
	return x.sstText[start:x.sstEnd[i]], x.sstEnc[i], true
}

// open returns a reader for one part that fails once it has produced more
// than the unzipped limit: a zip bomb ends with an error, not an OOM.
func (x *xlsx) open(name string) (io.ReadCloser, error) {
	f := x.files[partKey(name)]
	if f == nil {
		return nil, fmt.Errorf("%w: missing part %s", ErrCorrupt, name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, name, err)
	}
	sq := &squeezeSpace{limitedReadCloser: &limitedReadCloser{r: rc, left: &x.budget, name: name}}
	return struct {
		io.Reader
		io.Closer
	}{newXMLGuard(sq, name), rc}, nil
}

// maxSpaceRun is the longest run of white space passed on to the XML
// decoder. No cell needs more; a part padded with hundreds of megabytes of
// spaces (a zip bomb under the size limit) would otherwise reach the
// decoder as one text token held in memory.
const maxSpaceRun = 4096

// squeezeSpace drops white space beyond maxSpaceRun in a row.
type squeezeSpace struct {
	*limitedReadCloser
	run int
}

func (s *squeezeSpace) Read(p []byte) (int, error) {
	for {
		n, err := s.limitedReadCloser.Read(p)
		w := 0
		for _, b := range p[:n] {
			if b == ' ' || b == '\n' || b == '\r' || b == '\t' {
				if s.run++; s.run > maxSpaceRun {
					continue
				}
			} else {
				s.run = 0
			}
			p[w] = b
			w++
		}
		if w > 0 || err != nil || n == 0 {
			return w, err
		}
	}
}

// limitedReadCloser draws on the budget shared by every part and every
// pass over the workbook: however the zip is built (one huge part, many
// parts, entries sharing the same compressed bytes), no more than
// Limits.MaxUnzippedBytes is inflated in all.
type limitedReadCloser struct {
	r    io.ReadCloser
	left *int64
	name string
}

func (l *limitedReadCloser) Read(p []byte) (int, error) {
	if *l.left <= 0 {
		return 0, fmt.Errorf("%w: part %s unzips beyond the limit", ErrTooLarge, l.name)
	}
	if int64(len(p)) > *l.left {
		p = p[:*l.left]
	}
	n, err := l.r.Read(p)
	*l.left -= int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("%w: %s: %v", ErrCorrupt, l.name, err)
	}
	return n, err
}

func (l *limitedReadCloser) Close() error { return l.r.Close() }

func (x *xlsx) decode(name string, v any) error {
	rc, err := x.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		return wrapXML(name, err)
	}
	return nil
}

func wrapXML(name string, err error) error {
	if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrCorrupt) {
		return err
	}
	return fmt.Errorf("%w: %s: %v", ErrCorrupt, name, err)
}

// readSharedStrings loads the string table: <si> holds either <t> or rich
// text runs <r><rPr><rFont val=".VnTime"/></rPr><t>…</t></r>; phonetic runs
// <rPh> are not part of the text. A run in a legacy font is converted here.
func (x *xlsx) readSharedStrings(name string) error {
	rc, err := x.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	return x.parseSharedStrings(rc, name)
}

// parseSharedStrings is readSharedStrings on the part's bytes (already
// guarded by open), so a fuzz target can feed them directly.
func (x *xlsx) parseSharedStrings(r io.Reader, name string) error {
	d := xml.NewDecoder(r)
	var (
		all, b, run          strings.Builder
		inSI, inR, inT, inPh bool
		runFont, enc         string
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			x.sstText = all.String()
			return nil
		}
		if err != nil {
			return wrapXML(name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI, enc = true, ""
				b.Reset()
			case "r":
				inR, runFont = true, ""
				run.Reset()
			case "rFont":
				runFont = attr(t, "val")
			case "t":
				inT = inSI && !inPh
			case "rPh":
				inPh = true
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				if cellTooLong(b.String()) {
					return fmt.Errorf("%w: a shared string of over %d characters", ErrTooLarge, MaxCellChars)
				}
				if all.Len()+b.Len() > maxSharedText || len(x.sstEnd) >= maxSharedStrings {
					return fmt.Errorf("%w: shared strings beyond %d entries or %d bytes", ErrTooLarge, maxSharedStrings, maxSharedText)
				}
				all.WriteString(b.String())
				x.sstEnd = append(x.sstEnd, uint32(all.Len()))
				if enc != "" {
					if x.sstEnc == nil {
						x.sstEnc = map[int]string{}
					}
					x.sstEnc[len(x.sstEnd)-1] = enc
				}
				inSI = false
			case "r":
				inR = false
				text := run.String()
				if e, upper := legacy.FromFont(runFont); e != legacy.None && inSI {
					text, enc = legacy.Decode(e, upper, text), string(e)
				}
				b.WriteString(text)
				run.Reset()
			case "t":
				inT = false
			case "rPh":
				inPh = false
			}
		case xml.CharData:
			if !inT {
				continue
			}
			if inR {
				run.Write(t)
			} else {
				b.Write(t)
			}
		}
	}
}

// readStyles maps each cell style to its font name: <cellXfs><xf fontId>
// into <fonts><font><name val>. Only the font matters to us: it tells
// whether the text is TCVN3 or VNI.
func (x *xlsx) readStyles(name string) error {
	var st struct {
		Fonts []struct {
			Name struct {
				Val string `xml:"val,attr"`
			} `xml:"name"`
		} `xml:"fonts>font"`
		Xfs []struct {
			FontID int `xml:"fontId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := x.decode(name, &st); err != nil {
		return err
	}
	x.xfFont = make([]string, len(st.Xfs))
	for i, xf := range st.Xfs {
		if xf.FontID >= 0 && xf.FontID < len(st.Fonts) {
			x.xfFont[i] = st.Fonts[xf.FontID].Name.Val
		}
	}
	return nil
}

// targetOf finds the part of a workbook relationship by its type suffix
// ("styles"), defaulting to the usual location.
func targetOf(targets map[string]string, rels []struct {
	ID     string `xml:"Id,attr"`
	Target string `xml:"Target,attr"`
	Type   string `xml:"Type,attr"`
}, kind string) string {
	for _, r := range rels {
		if strings.HasSuffix(r.Type, "/"+kind) {
			return targets[r.ID]
		}
	}
	return "xl/" + strings.ToLower(kind) + ".xml"
}

// partKey is how a part is looked up: without a leading slash and in
// lower case, as OPC compares part names.
func partKey(name string) string {
	return strings.ToLower(strings.TrimPrefix(name, "/"))
}

var mergeRe = regexp.MustCompile(`<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"`)

// scanMerges finds <mergeCell ref="A1:B2"> without decoding the XML: merges
// come after the sheet data, and the header needs them before the rows.
func (x *xlsx) scanMerges(name string) ([]Range, error) {
	rc, err := x.open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var out []Range
	var carry []byte
	buf := make([]byte, 32<<10)
	for {
		n, err := io.ReadFull(rc, buf)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = io.EOF
		}
		chunk := append(carry, buf[:n]...)
		// The regexp runs from the tag that holds the first "mergeCell"
		// (its '<' and namespace prefix come before it): merges follow
		// the sheet data, which the regexp need not crawl through. A
		// chunk without one, the common case, is a fast scan only.
		from := len(chunk)
		if i := bytes.Index(chunk, []byte("mergeCell")); i >= 0 {
			from = max(0, bytes.LastIndexByte(chunk[:i], '<'))
		}
		for _, m := range mergeRe.FindAllSubmatch(chunk[from:], -1) {
			r1, c1, ok1 := ParseRef(string(m[1]))
			r2, c2, ok2 := ParseRef(string(m[2]))
			if ok1 && ok2 {
				out = append(out, Range{r1, c1, r2, c2})
			}
		}
		if len(out) > 2*maxMerges { // duplicates from the carried tail count twice at most
			return nil, fmt.Errorf("%w: %s has over %d merged ranges", ErrTooLarge, name, maxMerges)
		}
		// Keep a tail so a tag split across reads is seen whole next time.
		// A match fully inside the tail is found twice; dedupe below.
		if len(chunk) > 128 {
			carry = append(carry[:0], chunk[len(chunk)-128:]...)
		} else {
			carry = append(carry[:0], chunk...)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	out = dedupe(out)
	if len(out) > maxMerges {
		return nil, fmt.Errorf("%w: %s has over %d merged ranges", ErrTooLarge, name, maxMerges)
	}
	return out, nil
}

// maxMerges bounds the merged ranges of one sheet, which are held for the
// whole read: a form has a few dozen; a small zip can declare millions.
const maxMerges = 100_000

// addMerge records a merged range of a sheet read cell by cell (.ods,
// SpreadsheetML, HTML), refusing the maxMerges+1st.
func (sh *Sheet) addMerge(m Range) error {
	if len(sh.Merges) >= maxMerges {
		return fmt.Errorf("%w: sheet %q has over %d merged ranges", ErrTooLarge, sh.Name, maxMerges)
	}
	sh.Merges = append(sh.Merges, m)
	return nil
}

func dedupe(rs []Range) []Range {
	seen := map[Range]bool{}
	out := rs[:0]
	for _, r := range rs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// MaxBlankRun is how many empty rows in a row end a sheet. A form's table
// has separator rows, never thousands of them; what follows such a gap is
// not part of any form, and reading on could mean a million styled rows.
const MaxBlankRun = 10_000

// streamRows decodes <sheetData> one <row> at a time.
func (x *xlsx) streamRows(name string, fn func(Row) error) error {
	rc, err := x.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	return x.parseRows(rc, name, fn)
}

// parseRows is streamRows on the part's bytes (already guarded by open),
// so a fuzz target can feed them directly.
func (x *xlsx) parseRows(r io.Reader, name string, fn func(Row) error) error {
	d := xml.NewDecoder(r)
	var (
		row                   Row
		inRow                 bool
		cellStyle             int
		cell                  Cell
		cellCol               int
		cellType              string
		inV, inIS, inT, inPh  bool
		val, isText           strings.Builder
		rowText               int // bytes of text held by the row's cells
		lastRow, lastData     int
		haveFormula, haveCell bool
		// decoded: the shared strings this pass converted from legacy fonts.
		decoded sharedDecoded
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return wrapXML(name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				inRow, rowText = true, 0
				row = Row{Num: lastRow + 1}
				if v := attr(t, "r"); v != "" {
					if n, err := strconv.Atoi(v); err == nil && n > 0 {
						row.Num = n
					}
				}
			case "c":
				if !inRow {
					continue
				}
				haveCell = true
				cellType = attr(t, "t")
				cellStyle = 0 // no s attribute: the default style, whose font may be .VnTime
				if v := attr(t, "s"); v != "" {
					if n, err := strconv.Atoi(v); err == nil {
						cellStyle = n
					}
				}
				cellCol = len(row.Cells) + 1
				if ref := attr(t, "r"); ref != "" {
					if _, c, ok := ParseRef(ref); ok {
						cellCol = c
					}
				}
				cell = Cell{}
				haveFormula = false
				val.Reset()
				isText.Reset()
			case "v":
				inV = haveCell
			case "is":
				inIS = haveCell
			case "t":
				inT = inIS
			case "rPh":
				inPh = true
			case "f":
				haveFormula = haveCell
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "row":
				inRow = false
				if row.IsBlank() {
					// Rows written only for their formatting (a whole
					// column coloured down to row 1,048,576): a long run of
					// them ends the sheet, with nothing left to read.
					if row.Num-lastData > MaxBlankRun {
						return nil
					}
				} else {
					lastData = row.Num
					if err := fn(row); err != nil {
						return err
					}
				}
				lastRow = row.Num
			case "c":
				if !haveCell {
					continue
				}
				haveCell = false
				cell.Formula = haveFormula
				// An inline string is the text of <is> alone: a <v> beside
				// it is not part of the cell (Excel and openpyxl ignore it).
				text := val.String()
				if cellType == "inlineStr" {
					text = isText.String()
				}
				if err := x.finishCell(&decoded, &cell, cellType, cellStyle, text); err != nil {
					return fmt.Errorf("%s row %d: %w", name, row.Num, err)
				}
				if cellType != "s" {
					// Shared strings are held once by the table; text
					// stored in the cells themselves is bounded per row,
					// or 16,384 cells of 32,767 characters each would
					// sit in memory at once.
					if rowText += len(cell.Text); rowText > maxRowText {
						return fmt.Errorf("%w: %s row %d holds over %d bytes of text", ErrTooLarge, name, row.Num, maxRowText)
					}
				}
				if cellCol > 16384 {
					return fmt.Errorf("%w: column beyond XFD", ErrCorrupt)
				}
				for len(row.Cells) < cellCol {
					row.Cells = append(row.Cells, Cell{})
				}
				row.Cells[cellCol-1] = cell
			case "v":
				inV = false
			case "is":
				inIS = false
			case "t":
				inT = false
			case "rPh":
				inPh = false
			}
		case xml.CharData:
			switch {
			case inV:
				val.Write(t)
			case inT && !inPh:
				isText.Write(t)
			}
		}
	}
}

// finishCell sets the cell's kind and value from its type attribute and
// text, converting legacy-font text to Unicode.
func (x *xlsx) finishCell(decoded *sharedDecoded, c *Cell, typ string, style int, v string) error {
	switch typ {
	case "s":
		if v == "" {
			return nil
		}
		i, err := strconv.Atoi(v)
		text, enc, ok := x.sharedString(i)
		if err != nil || !ok {
			return fmt.Errorf("%w: shared string index %q", ErrCorrupt, v)
		}
		c.Kind, c.Text, c.Encoding = String, text, enc
		if enc == "" {
			x.decodeShared(decoded, c, style, i)
		}
	case "str", "inlineStr":
		if cellTooLong(v) {
			return fmt.Errorf("%w: a cell of over %d characters", ErrTooLarge, MaxCellChars)
		}
		c.Kind, c.Text = String, v
		x.decodeLegacy(c, style)
	case "b":
		c.Kind, c.Text = Bool, v
	case "e":
		c.Kind, c.Text = Error, v
	case "d":
		// An ISO 8601 date (newer Excel, some tools): read as the serial
		// number Excel would have stored, as every other date is.
		if v == "" {
			return nil
		}
		f, ok := isoDateSerial(v)
		if !ok {
			// Before 1900-03-01 (no serial Excel agrees on) or no date:
			// the cell is named by the check, the file is still read.
			c.Kind, c.Text = Error, notANumber(v)
			break
		}
		c.Kind, c.Text, c.Num = Number, strconv.FormatFloat(f, 'f', -1, 64), f
	default: // "n" or absent: a number (dates are numbers too)
		if v == "" {
			return nil
		}
		f, err := parseExcelNumber(v)
		switch {
		case errors.Is(err, errNotANumber):
			// NaN, infinity, 1e309: no number Excel can hold. The cell
			// reads as Excel's own error for it, so the check of its
			// column names the cell instead of losing the whole file.
			c.Kind, c.Text = Error, notANumber(v)
		case err != nil:
			// "1_000", "0x1p-2": no number Excel writes; named at the
			// cell, not the whole file refused.
			c.Kind, c.Text = Error, notANumber(v)
		default:
			c.Kind, c.Text, c.Num = Number, strings.Trim(v, " \t\r\n"), f
		}
	}
	if c.Kind == String && c.Text == "" {
		c.Kind = Blank
	}
	return nil
}

// decodeLegacy converts a text cell whose font is TCVN3 or VNI.
func (x *xlsx) decodeLegacy(c *Cell, style int) {
	if style < 0 || style >= len(x.xfFont) {
		return
	}
	if enc, upper := legacy.FromFont(x.xfFont[style]); enc != legacy.None {
		c.Text, c.Encoding = legacy.Decode(enc, upper, c.Text), string(enc)
	}
}

// decodeShared is decodeLegacy for shared string i, converted once per
// pass and encoding (see sharedDecoded).
func (x *xlsx) decodeShared(decoded *sharedDecoded, c *Cell, style, i int) {
	if style < 0 || style >= len(x.xfFont) {
		return
	}
	if enc, upper := legacy.FromFont(x.xfFont[style]); enc != legacy.None {
		c.Text, c.Encoding = decoded.decode(i, style, legacyFont{enc, upper}, c.Text), string(enc)
	}
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
