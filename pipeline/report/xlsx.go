package report

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The workbook is what the province prints, signs and files, and what an
// analyst checks: figures stay numbers (counts with a thousands format,
// rates as fractions with a percent format) so sums can be verified in the
// spreadsheet, and unknown figures are the text "–", never 0.
//
// Sheets:
//   - "Báo cáo": heading, title, summary, Biểu 01, signature. Biểu 01 is
//     the results table (15 December) or the movement table (1 December).
//   - "Biểu 02" (1 December only): the results table.
//   - "Biểu đồ": section III, native charts, one per printed page.
//   - "Phụ lục": the province trend and the communes' reporting status.
//
// Every sheet prints on A4 landscape, fitted to the page width, with the
// table's header rows repeated on each page.
//
// Safety: every string comes in through SetCellStr (a shared-string cell)
// with the text number format "@", never as a formula, so a commune named
// "=HYPERLINK(…)" is shown, not evaluated, and stays text when edited.

const (
	fontName  = "Times New Roman"
	fontBody  = 11.0
	fontTable = 10.0

	sheetMain   = "Báo cáo"
	sheetSecond = "Biểu 02"
	sheetAnnex  = "Phụ lục"
	sheetCharts = "Biểu đồ"

	// Row heights in points. Fixed rather than automatic so that LibreOffice
	// and Excel paginate alike, and so the printed page count can be
	// reasoned about (see the PDF test).
	hRow      = 16.0
	hHead1    = 30.0
	hHead2    = 48.0
	hLine     = 15.5 // one line of wrapped body text
	chartRows = 28   // rows a chart covers on the chart sheet (20 px each), its caption below
)

// Number formats. Excel and LibreOffice take separators from the locale;
// [$-42A] (Vietnamese) makes LibreOffice print "245.310" and "78,6%" even
// on a machine with another locale, and is harmless in Excel.
var (
	fmtCount    = "[$-42A]#,##0"
	fmtRate     = "[$-42A]0.0%"
	fmtTarget0  = "[$-42A]0%"
	fmtChangePt = "[$-42A]+0.0;-0.0;0.0" // percentage points: the cell holds 2.3 for +2,3 điểm %
)

// WriteXLSX writes the report as an .xlsx workbook.
func WriteXLSX(w io.Writer, r *Report) error {
	if err := validate(r); err != nil {
		return err
	}
	x := &xlsxWriter{r: r, f: excelize.NewFile(), styles: map[styleKey]int{}}
	defer x.f.Close()
	if err := x.build(); err != nil {
		return err
	}
	buf, err := x.f.WriteToBuffer()
	if err != nil {
		return err
	}
	return canonicalZip(w, buf.Bytes())
}

// defaultType matches one <Default …> element of [Content_Types].xml.
var defaultType = regexp.MustCompile(`<Default [^>]*>(?:</Default>)?`)

// canonicalZip copies the package, sorting the <Default> elements of
// [Content_Types].xml: excelize writes them from a Go map once a chart is
// added, in a different order on every run. Other entries are copied
// as they are (excelize already writes them sorted and without
// timestamps), so the same report gives byte-identical workbooks.
func canonicalZip(w io.Writer, pkg []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, f := range zr.File {
		if f.Name != "[Content_Types].xml" {
			if err := zw.Copy(f); err != nil {
				return err
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		locs := defaultType.FindAllIndex(b, -1)
		if len(locs) > 0 {
			elems := make([]string, len(locs))
			for i, l := range locs {
				elems[i] = string(b[l[0]:l[1]])
			}
			sort.Strings(elems)
			var out bytes.Buffer
			out.Write(b[:locs[0][0]])
			for i, l := range locs {
				out.WriteString(elems[i])
				if i+1 < len(locs) {
					out.Write(b[l[1]:locs[i+1][0]])
				}
			}
			out.Write(b[locs[len(locs)-1][1]:])
			b = out.Bytes()
		}
		hdr := f.FileHeader
		hdr.CompressedSize64, hdr.UncompressedSize64, hdr.CRC32 = 0, 0, 0
		fw, err := zw.CreateHeader(&hdr)
		if err != nil {
			return err
		}
		if _, err := fw.Write(b); err != nil {
			return err
		}
	}
	return zw.Close()
}

type xlsxWriter struct {
	r      *Report
	f      *excelize.File
	styles map[styleKey]int
	// sheetWidths are the column widths of the sheet being written, to
	// estimate how many lines a wrapped text needs.
	sheetWidths []float64
	err         error // first error; the setters below become no-ops after it
	ruleID      int   // the style of the heading's rules, once created
}

// styleKey describes a cell style; styles are created on first use, in
// the order the workbook is written, so the same report gives the same
// styles.xml.
type styleKey struct {
	size                 float64
	bold, italic         bool
	hAlign, vAlign       string
	wrap, border, shaded bool
	numFmt               string // custom format, "@" for text, "" general
	grey                 bool   // greyed text: a flag the province checked ("đã xác minh")
}

func (x *xlsxWriter) style(k styleKey) int {
	if id, ok := x.styles[k]; ok {
		return id
	}
	s := &excelize.Style{
		Font:      &excelize.Font{Family: fontName, Size: k.size, Bold: k.bold, Italic: k.italic},
		Alignment: &excelize.Alignment{Horizontal: k.hAlign, Vertical: k.vAlign, WrapText: k.wrap},
	}
	if k.grey {
		s.Font.Color = checkedGrey
	}
	if k.vAlign == "" {
		s.Alignment.Vertical = "center"
	}
	if k.border {
		for _, side := range []string{"left", "right", "top", "bottom"} {
			s.Border = append(s.Border, excelize.Border{Type: side, Color: "000000", Style: 1})
		}
	}
	if k.shaded {
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F0F0F0"}}
	}
	switch k.numFmt {
	case "":
	case "@":
		s.NumFmt = 49
	default:
		f := k.numFmt
		s.CustomNumFmt = &f
	}
	id, err := x.f.NewStyle(s)
	x.fail(err)
	x.styles[k] = id
	return id
}

func (x *xlsxWriter) fail(err error) {
	if err != nil && x.err == nil {
		x.err = err
	}
}

func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}

func colName(col int) string {
	n, _ := excelize.ColumnNumberToName(col)
	return n
}

// text writes a string cell (never a formula) with a style.
func (x *xlsxWriter) text(sheet string, col, row int, s string, k styleKey) {
	if x.err != nil {
		return
	}
	c := cellName(col, row)
	x.fail(x.f.SetCellStr(sheet, c, s))
	x.fail(x.f.SetCellStyle(sheet, c, c, x.style(k)))
}

// merged writes a string across columns c1..c2 of a row.
func (x *xlsxWriter) merged(sheet string, c1, c2, row int, s string, k styleKey) {
	x.text(sheet, c1, row, s, k)
	if c2 > c1 && x.err == nil {
		x.fail(x.f.MergeCell(sheet, cellName(c1, row), cellName(c2, row)))
		x.fail(x.f.SetCellStyle(sheet, cellName(c1, row), cellName(c2, row), x.style(k)))
	}
}

func (x *xlsxWriter) height(sheet string, row int, h float64) {
	if x.err == nil {
		x.fail(x.f.SetRowHeight(sheet, row, h))
	}
}

// number writes a figure as a number with the column's format, or "–".
func (x *xlsxWriter) number(sheet string, col, row int, c column, v value, bold, shaded bool) {
	if x.err != nil {
		return
	}
	k := styleKey{size: fontTable, bold: bold, hAlign: "right", border: true, shaded: shaded}
	cell := cellName(col, row)
	var val any
	switch c.kind {
	case kCount:
		if v.n != nil {
			val, k.numFmt = *v.n, fmtCount
		}
	case kRate:
		if v.f != nil {
			val, k.numFmt = *v.f, fmtRate
			if v.cov != "" {
				// Over part of the rows: marked, and listed under the
				// table (the figure stays a number for the charts).
				k.numFmt = fmtRate + `"*"`
			}
		}
	case kTarget:
		if v.f != nil {
			val, k.numFmt = *v.f, fmtRate
			if isWholePercent(*v.f) {
				k.numFmt = fmtTarget0
			}
		}
	case kChange:
		if v.f != nil {
			// In percentage points, as the header says ("điểm %"): a
			// percent format would print +2,3% for a rise from 50% to
			// 52,3%, which reads as a relative change.
			val, k.numFmt = math.Round(*v.f*1e6)/1e4, fmtChangePt
		} else {
			val = "" // no comparison: an empty cell, as in the html
		}
	case kMet:
		k.hAlign = "center"
		if v.b != nil {
			k.italic = !*v.b
			val = metText(*v.b)
		}
	}
	switch t := val.(type) {
	case nil:
		k.hAlign = "center"
		x.fail(x.f.SetCellStr(sheet, cell, dash))
	case string:
		x.fail(x.f.SetCellStr(sheet, cell, t))
	case int64:
		x.fail(x.f.SetCellInt(sheet, cell, t))
	case float64:
		x.fail(x.f.SetCellFloat(sheet, cell, t, -1, 64))
	}
	x.fail(x.f.SetCellStyle(sheet, cell, cell, x.style(k)))
}

func (x *xlsxWriter) build() error {
	r := x.r
	f := x.f
	x.fail(f.SetDefaultFont(fontName))
	x.fail(f.SetSheetName("Sheet1", sheetMain))
	title := r.Title
	if r.isDraft() {
		title = draftLine(r) + ": " + title
	}
	x.fail(f.SetDocProps(&excelize.DocProperties{
		Title: title, Creator: "xhht", Language: "vi-VN",
		// Fixed dates: a final report carries no clock of its own, so the
		// same report gives the same workbook (a draft's time is in its
		// title and pages, from the Report, not from the clock).
		Created: "2000-01-01T00:00:00Z", Modified: "2000-01-01T00:00:00Z",
	}))
	lines := tableLines(r)
	first, second := modelColumns(r), []column(nil)
	firstCaption := "Biểu 01. Kết quả thực hiện các chỉ tiêu xây dựng mô hình học tập"
	if r.isMovement() {
		first, second = movementColumns(), first
		firstCaption = "Biểu 01. Kết quả Phong trào thi đua xây dựng xã hội học tập"
	}
	chartSheet, chartTop := sheetMain, 0
	mainCols := first

	// Sheet 1: the report.
	x.sheetWidths = x.widths(lines, first)
	row := x.heading(sheetMain, 2+len(first))
	row = x.summary(sheetMain, 2+len(first), row)
	x.merged(sheetMain, 1, 2+len(first), row, firstCaption, styleKey{size: fontBody, bold: true})
	x.height(sheetMain, row, hLine+2)
	row++
	hdr := row
	row = x.table(sheetMain, row, lines, first)
	chartTop = hdr + 2
	row = x.footnote(sheetMain, 2+len(first), row+1, lines, first)
	x.signature(sheetMain, 2+len(first), row+1)
	x.printSetup(sheetMain, hdr, hdr+1)

	if second != nil {
		_, err := f.NewSheet(sheetSecond)
		x.fail(err)
		x.merged(sheetSecond, 1, 2+len(second), 1, "Biểu 02. Kết quả thực hiện các chỉ tiêu xây dựng mô hình học tập",
			styleKey{size: fontBody + 1, bold: true, hAlign: "center"})
		x.height(sheetSecond, 1, hLine+4)
		x.merged(sheetSecond, 1, 2+len(second), 2, "(Kèm theo báo cáo; "+strings.ToLower(cutOffLine(r)[:1])+cutOffLine(r)[1:]+")",
			styleKey{size: fontBody, italic: true, hAlign: "center"})
		x.height(sheetSecond, 2, hLine)
		end := x.table(sheetSecond, 4, lines, second)
		x.footnote(sheetSecond, 2+len(second), end+1, lines, second)
		x.printSetup(sheetSecond, 4, 5)
		chartSheet, chartTop, mainCols = sheetSecond, 6, second
	}

	// Section III (the charts) before the annex: the sheets print in the
	// order of the report's sections. The charts read the annex's trend
	// table, so the sheet is made now and drawn after the annex.
	_, err := f.NewSheet(sheetCharts)
	x.fail(err)
	trendTop := x.annex(lines)
	x.charts(chartSheet, chartTop, chartTop+len(lines)-2, mainCols, trendTop)
	x.flagsSheet() // flags.go
	f.SetActiveSheet(0)
	return x.err
}

// heading writes the heading block of Nghị định 30/2020/NĐ-CP (the
// issuer on the left under its governing body, the national motto on the
// right, the number and the place and date below them), a draft's mark,
// the title, the addressees and what the figures count; it returns the
// next free row.
func (x *xlsxWriter) heading(sheet string, ncol int) int {
	r := x.r
	is := r.Issuer
	split := max(3, ncol*2/5) // the issuer's block: left two fifths
	left := func(row int, s string, k styleKey) { x.merged(sheet, 1, split, row, s, k) }
	right := func(row int, s string, k styleKey) { x.merged(sheet, split+1, ncol, row, s, k) }
	bold := styleKey{size: fontBody + 1, bold: true, hAlign: "center", wrap: true}
	plain := styleKey{size: fontBody + 1, hAlign: "center", wrap: true}
	if is.Parent != "" {
		left(1, is.Parent, plain)
		left(2, is.Name, bold)
	} else {
		left(1, is.Name, bold)
		left(2, "", plain)
	}
	right(1, motto1, bold)
	right(2, motto2, styleKey{size: fontBody + 1, bold: true, hAlign: "center"})
	// The short rules under the issuer and under the motto (Nghị định
	// 30/2020/NĐ-CP, Phụ lục I), on a thin row 3.
	x.rule(sheet, 3, 1, split)
	x.rule(sheet, 3, split+1, ncol)
	left(4, numberLine(r), plain)
	right(4, dateLine(r), styleKey{size: fontBody + 1, italic: true, hAlign: "center"})
	x.height(sheet, 1, hLine+4)
	x.height(sheet, 2, hLine+4)
	x.height(sheet, 3, 4)
	x.height(sheet, 4, hLine+6)
	row := 5
	if r.isDraft() {
		x.merged(sheet, 1, ncol, row, draftLine(r), styleKey{size: fontBody + 3, bold: true, hAlign: "center"})
		x.height(sheet, row, hLine+8)
		row++
	}
	x.height(sheet, row, hLine/2)
	row++
	kind, subject := docTitle(r)
	title := styleKey{size: fontBody + 3, bold: true, hAlign: "center", wrap: true}
	if kind != "" {
		x.merged(sheet, 1, ncol, row, kind, title)
		x.height(sheet, row, hLine+5)
		row++
	}
	x.merged(sheet, 1, ncol, row, subject, title)
	x.height(sheet, row, float64(x.lines(subject, ncol, fontBody+3))*(hLine+3)+4)
	row++
	x.height(sheet, row, hLine/2)
	row++
	to := addresseeLines(r)
	for i, l := range to {
		k := styleKey{size: fontBody + 1, hAlign: "center"}
		c1 := 1
		if len(to) > 1 {
			// A list: left-aligned under "Kính gửi:", from the second third.
			k.hAlign, c1 = "left", max(2, ncol/3)
			if i > 0 {
				l = "        " + l
			}
		}
		x.merged(sheet, c1, ncol, row, l, k)
		x.height(sheet, row, hLine+2)
		row++
	}
	italic := styleKey{size: fontBody, italic: true, hAlign: "center", wrap: true}
	x.merged(sheet, 1, ncol, row, cutOffLine(r), italic)
	x.height(sheet, row, float64(x.lines(cutOffLine(r), ncol, fontBody))*hLine+2)
	x.merged(sheet, 1, ncol, row+1, dataTimeLine(r), italic)
	x.height(sheet, row+1, hLine)
	x.height(sheet, row+2, hLine/2)
	return row + 3
}

// rule draws the short rule under a heading block: a top border on the
// middle third of columns c1..c2 of a thin row (a drawn line would need
// pixel positions, which Excel and LibreOffice compute differently).
func (x *xlsxWriter) rule(sheet string, row, c1, c2 int) {
	// The columns whose centres fall in the middle third of the block's
	// width, so the rule is centred under the text however wide the
	// name column is.
	a, b := c1, c2
	if c2 <= len(x.sheetWidths) {
		total := 0.0
		for _, w := range x.sheetWidths[c1-1 : c2] {
			total += w
		}
		a, b = 0, 0
		at := 0.0
		for c := c1; c <= c2; c++ {
			w := x.sheetWidths[c-1]
			if mid := at + w/2; mid >= total/3 && mid <= 2*total/3 {
				if a == 0 {
					a = c
				}
				b = c
			}
			at += w
		}
		if a == 0 {
			a, b = c1, c2
		}
	}
	if x.err != nil {
		return
	}
	id := x.ruleStyle()
	x.fail(x.f.SetCellStyle(sheet, cellName(a, row), cellName(b, row), id))
}

func (x *xlsxWriter) ruleStyle() int {
	if x.ruleID == 0 {
		id, err := x.f.NewStyle(&excelize.Style{Border: []excelize.Border{{Type: "top", Color: "000000", Style: 1}}})
		x.fail(err)
		x.ruleID = id
	}
	return x.ruleID
}

// summary writes the summary sentences, one wrapped row each.
func (x *xlsxWriter) summary(sheet string, ncol, row int) int {
	x.merged(sheet, 1, ncol, row, "I. TÓM TẮT", styleKey{size: fontBody, bold: true})
	x.height(sheet, row, hLine+2)
	row++
	for _, s := range x.r.Summary {
		x.merged(sheet, 1, ncol, row, s, styleKey{size: fontBody, hAlign: "left", vAlign: "top", wrap: true})
		x.height(sheet, row, float64(x.lines(s, ncol, fontBody))*hLine+3)
		row++
	}
	x.merged(sheet, 1, ncol, row, "II. SỐ LIỆU", styleKey{size: fontBody, bold: true})
	x.height(sheet, row, hLine+2)
	return row + 1
}

// widths are the column widths of a table sheet: STT, the name (sized to
// the longest name, so Vietnamese names are not cut), then the figures.
func (x *xlsxWriter) widths(lines []line, cols []column) []float64 {
	name := 14.0
	for _, l := range lines {
		// Times New Roman averages under the width of a digit per
		// character; 0.95 per rune plus padding fits names in practice.
		// The bold subtotal and total labels are upper case, wider:
		// "TỔNG CỘNG 7/92 XÃ ĐÃ DUYỆT" was cut at 0.95.
		per := 0.95
		if l.level() != "commune" {
			per = 1.25
		}
		name = math.Max(name, float64(utf8.RuneCountInString(lineName(l)))*per+2)
	}
	w := []float64{5, math.Min(name, 40)}
	for _, c := range cols {
		w = append(w, c.width)
	}
	return w
}

// lines estimates how many lines a wrapped text takes across the table's
// width, to size its row.
func (x *xlsxWriter) lines(s string, ncol int, size float64) int {
	total := 0.0
	for _, w := range x.sheetWidths {
		total += w
	}
	if total == 0 {
		total = float64(ncol) * 8
	}
	// A width unit is one digit of the 11 pt default font; an average
	// character of running text is about as wide at 11 pt.
	perLine := total * fontBody / size * 0.95
	n := int(math.Ceil(float64(utf8.RuneCountInString(s)) / perLine))
	return max(1, n)
}

// table writes the two header rows at row and the lines below; it returns
// the row after the table.
func (x *xlsxWriter) table(sheet string, row int, lines []line, cols []column) int {
	widths := x.widths(lines, cols)
	x.sheetWidths = widths
	for i, w := range widths {
		x.fail(x.f.SetColWidth(sheet, colName(i+1), colName(i+1), w))
	}
	head := styleKey{size: fontTable, bold: true, hAlign: "center", wrap: true, border: true}
	x.text(sheet, 1, row, "STT", head)
	x.text(sheet, 2, row, "Đơn vị", head)
	x.text(sheet, 1, row+1, "", head)
	x.text(sheet, 2, row+1, "", head)
	x.fail(x.f.MergeCell(sheet, cellName(1, row), cellName(1, row+1)))
	x.fail(x.f.MergeCell(sheet, cellName(2, row), cellName(2, row+1)))
	for i := 0; i < len(cols); {
		j := i + 1
		for j < len(cols) && cols[j].group == cols[i].group && cols[i].group != "" {
			j++
		}
		x.text(sheet, 3+i, row, cols[i].group, head)
		for k := i; k < j; k++ {
			if k > i {
				x.text(sheet, 3+k, row, "", head)
			}
			x.text(sheet, 3+k, row+1, cols[k].head, head)
		}
		if j-1 > i {
			x.fail(x.f.MergeCell(sheet, cellName(3+i, row), cellName(3+j-1, row)))
		}
		i = j
	}
	x.height(sheet, row, hHead1)
	x.height(sheet, row+1, hHead2)
	row += 2
	for _, l := range lines {
		bold := l.level() != "commune"
		shaded := l.level() == "province"
		x.text(sheet, 1, row, l.stt, styleKey{size: fontTable, bold: bold, hAlign: "center", border: true, shaded: shaded, numFmt: "@"})
		x.text(sheet, 2, row, lineName(l), styleKey{size: fontTable, bold: bold, hAlign: "left", border: true, shaded: shaded, numFmt: "@"})
		for i, c := range cols {
			x.number(sheet, 3+i, row, c, c.get(l.row), bold, shaded)
		}
		x.height(sheet, row, hRow)
		row++
	}
	return row
}

// footnote writes the table's note (only the marks the table shows) and,
// for a table of rates, the rates computed over part of their rows
// (marked "*" in the table); it returns the next row.
func (x *xlsxWriter) footnote(sheet string, ncol, row int, lines []line, cols []column) int {
	if note := noteText(x.r, lines, cols); note != "" {
		x.merged(sheet, 1, ncol, row, note, styleKey{size: fontTable, italic: true, hAlign: "left", wrap: true})
		x.height(sheet, row, float64(x.lines(note, ncol, fontTable))*hLine+2)
		row++
	}
	if notes := coverageNotes(x.r); hasRates(cols) && len(notes) > 0 {
		text := "(*) Tỷ lệ chỉ tính trên một phần số thôn (xã): " + strings.Join(notes, "; ") + "."
		x.merged(sheet, 1, ncol, row, text, styleKey{size: fontTable, italic: true, hAlign: "left", wrap: true})
		x.height(sheet, row, float64(x.lines(text, ncol, fontTable))*hLine+2)
		row++
	}
	return row
}

// signature writes "Nơi nhận:" on the left and the signer on the right,
// with room to sign and stamp between the title and the name.
func (x *xlsxWriter) signature(sheet string, ncol, row int) {
	s := signatureOf(x.r)
	split := max(3, ncol*2/5)
	left := func(row int, t string, k styleKey) { x.merged(sheet, 1, split, row, t, k) }
	right := func(row int, t string, k styleKey) { x.merged(sheet, split+1, ncol, row, t, k) }
	head := styleKey{size: fontBody + 1, bold: true, italic: true, hAlign: "left"}
	item := styleKey{size: fontBody - 1, hAlign: "left"}
	b := styleKey{size: fontBody + 1, bold: true, hAlign: "center"}
	left(row, "Nơi nhận:", head)
	for i, rec := range s.Recipients {
		left(row+1+i, rec, item)
	}
	rr := row
	if s.Authority != "" {
		right(rr, s.Authority, b)
		rr++
	}
	right(rr, s.Title, b)
	nameRow := rr + 5 // four blank lines to sign and stamp
	if s.Name != "" {
		right(nameRow, s.Name, b)
	}
	for k := row; k <= max(row+len(s.Recipients), nameRow); k++ {
		x.height(sheet, k, hLine+2)
	}
}

// printSetup prints the sheet on A4 landscape fitted to the page width,
// repeats the table header rows on every page and freezes them (with the
// STT and name columns) on screen.
func (x *xlsxWriter) printSetup(sheet string, hdrFirst, hdrLast int) {
	f := x.f
	a4, land, one, zero := 9, "landscape", 1, 0
	fit := true
	x.fail(f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}))
	x.fail(f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Size: &a4, Orientation: &land, FitToWidth: &one, FitToHeight: &zero,
	}))
	x.margins(sheet)
	if hdrFirst > 0 {
		x.fail(f.SetDefinedName(&excelize.DefinedName{
			Name:     "_xlnm.Print_Titles",
			RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sheet, hdrFirst, hdrLast),
			Scope:    sheet,
		}))
		x.fail(f.SetPanes(sheet, &excelize.Panes{
			Freeze: true, XSplit: 2, YSplit: hdrLast,
			TopLeftCell: cellName(3, hdrLast+1), ActivePane: "bottomRight",
		}))
	}
}

func (x *xlsxWriter) margins(sheet string) {
	lr, tb, hfm := 0.4, 0.6, 0.3
	center := true
	x.fail(x.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{
		Left: &lr, Right: &lr, Top: &tb, Bottom: &tb, Header: &hfm, Footer: &hfm, Horizontally: &center,
	}))
	hf := &excelize.HeaderFooterOptions{OddFooter: `&C&"Times New Roman,Regular"&10Trang &P/&N`}
	if x.r.isDraft() {
		// The draft's mark in the page header: every printed page says
		// it, whichever sheet and however the rows fall. "&" starts a
		// code in headers; the line has none, but double any anyway.
		hf.OddHeader = `&C&"Times New Roman,Bold"&12` + strings.ReplaceAll(draftLine(x.r), "&", "&&")
		hf.OddFooter = `&L&"Times New Roman,Italic"&9` + "DỰ THẢO" + `&C&"Times New Roman,Regular"&10Trang &P/&N`
	}
	x.fail(x.f.SetHeaderFooter(sheet, hf))
}

// statusColumn is one column of the annex's list of communes.
type statusColumn struct {
	head       string
	width      float64
	left, wrap bool
	get        func(n int, s CommuneStatus) string
}

// statusColumns are the annex list's columns, without those that would be
// empty throughout: the district after the reform, the reason when no
// commune has only rejected uploads.
func statusColumns(r *Report) []statusColumn {
	cols := []statusColumn{
		{head: "STT", width: 6, get: func(n int, _ CommuneStatus) string { return fmtInt(int64(n)) }},
		{head: "Mã xã", width: 10, get: func(_ int, s CommuneStatus) string { return s.Code }},
		{head: "Tên xã", width: 30, left: true, get: func(_ int, s CommuneStatus) string { return s.Name }},
	}
	if r.HasDistricts {
		cols = append(cols, statusColumn{head: "Mã huyện", width: 10, get: func(_ int, s CommuneStatus) string { return s.District }})
	}
	var received, reason, reviewed bool
	for _, s := range r.Completeness.Communes {
		received = received || receivedText(s) != ""
		reason = reason || s.LastRejection != ""
		reviewed = reviewed || reviewLabel(s) != ""
	}
	if received {
		cols = append(cols, statusColumn{head: "Thời điểm nhận bản hợp lệ (giờ Việt Nam)", width: 22,
			get: func(_ int, s CommuneStatus) string { return receivedText(s) }})
	}
	if reviewed {
		cols = append(cols, statusColumn{head: "Tình trạng duyệt của Sở", width: 20, wrap: true,
			get: func(_ int, s CommuneStatus) string { return reviewLabel(s) }})
	}
	if reason {
		cols = append(cols, statusColumn{head: "Lý do bị từ chối gần nhất", width: 60, wrap: true,
			get: func(_ int, s CommuneStatus) string { return s.LastRejection }})
	}
	return cols
}

// annex writes the trend and the communes' reporting status; it returns
// the first row of the trend table, which the trend chart reads.
func (x *xlsxWriter) annex(lines []line) int {
	r := x.r
	sh := sheetAnnex
	_, err := x.f.NewSheet(sh)
	x.fail(err)
	cols := statusColumns(r)
	ncol := max(len(cols), 1+len(Models)) + 1 // merged rows span ncol-1
	for i, c := range cols {
		x.fail(x.f.SetColWidth(sh, colName(i+1), colName(i+1), c.width))
	}
	for i := len(cols); i < 1+len(Models); i++ {
		x.fail(x.f.SetColWidth(sh, colName(i+1), colName(i+1), 14))
	}
	bold := styleKey{size: fontBody, bold: true}
	head := styleKey{size: fontTable, bold: true, hAlign: "center", wrap: true, border: true}
	cellT := styleKey{size: fontTable, hAlign: "left", border: true, numFmt: "@"}
	cellC := styleKey{size: fontTable, hAlign: "center", border: true, numFmt: "@"}
	x.merged(sh, 1, ncol-1, 1, "PHỤ LỤC", styleKey{size: fontBody + 1, bold: true, hAlign: "center"})
	x.height(sh, 1, hLine+4)

	// 1. Trend: years down, models across, so the chart reads one series
	// per model.
	x.merged(sh, 1, ncol-1, 3, "1. Tỷ lệ đạt các mô hình học tập của tỉnh qua các năm", bold)
	trendTop := 4
	x.text(sh, 1, trendTop, "Năm", head)
	for i, m := range Models {
		// The chart's legend reads these: names, not abbreviations.
		x.text(sh, 2+i, trendTop, m.Name+" ("+m.Short+")", head)
	}
	x.height(sh, trendTop, hHead2)
	row := trendTop + 1
	rateCol := column{kind: kRate}
	for _, p := range r.Trend {
		x.text(sh, 1, row, trendLabel(p), cellC)
		for i, m := range Models {
			if v := p.Rates[m.Code]; v != nil {
				x.number(sh, 2+i, row, rateCol, value{f: v}, false, false)
			} else {
				// Empty, not "–": a chart plots text as 0. The note below
				// says what an empty cell means.
				x.text(sh, 2+i, row, "", cellC)
			}
		}
		x.height(sh, row, hRow)
		row++
	}
	if len(r.Trend) == 0 {
		x.merged(sh, 1, 1+len(Models), row, "Chưa có số liệu các năm.", cellT)
		row++
	}
	var notes []string
	if trendHasGap(r.Trend) {
		notes = append(notes, "Ô trống: năm đó chưa có số liệu.")
	}
	if n := trendNoteOf(r); n != "" {
		notes = append(notes, n)
	}
	if len(notes) > 0 {
		x.merged(sh, 1, ncol-1, row, strings.Join(notes, " "), styleKey{size: fontTable, italic: true, wrap: true})
		x.height(sh, row, 2*hLine)
		row++
	}
	row++

	// 2. Completeness counts.
	c := r.Completeness
	x.merged(sh, 1, ncol-1, row, "2. Tình hình gửi báo cáo của các xã", bold)
	row++
	x.merged(sh, 1, 3, row, "Nội dung", head)
	x.text(sh, 4, row, "Số xã", head)
	x.text(sh, 5, row, "Tỷ lệ", head)
	row++
	for _, cr := range completenessRows(c) {
		x.merged(sh, 1, 3, row, cr.label, cellT)
		x.number(sh, 4, row, column{kind: kCount}, value{n: &cr.n}, false, false)
		var frac *float64
		if c.Expected > 0 {
			v := float64(cr.n) / float64(c.Expected)
			frac = &v
		}
		x.number(sh, 5, row, rateCol, value{f: frac}, false, false)
		x.height(sh, row, hRow)
		row++
	}
	row++

	// 3. The communes by status.
	x.merged(sh, 1, ncol-1, row, "3. Danh sách xã theo tình trạng gửi báo cáo", bold)
	row++
	hdr := row
	for i, c := range cols {
		x.text(sh, 1+i, row, c.head, head)
	}
	x.height(sh, row, hHead1)
	row++
	for gi, g := range statusGroups {
		n := 0
		for _, s := range c.Communes {
			if s.group() == g.code {
				n++
			}
		}
		x.merged(sh, 1, len(cols), row, fmt.Sprintf("%s. Xã %s (%s xã)", roman(gi+1), g.label, fmtInt(int64(n))),
			styleKey{size: fontTable, bold: true, border: true, numFmt: "@"})
		x.height(sh, row, hRow)
		row++
		k := 0
		for _, s := range c.Communes {
			if s.group() != g.code {
				continue
			}
			k++
			h := hRow
			for i, col := range cols {
				v := col.get(k, s)
				st := cellC
				switch {
				case col.wrap:
					st = styleKey{size: fontTable, hAlign: "left", border: true, wrap: true, numFmt: "@"}
					// Reasons wrap inside their column.
					lines := math.Ceil(float64(utf8.RuneCountInString(v)) / (col.width * 1.03))
					h = math.Max(h, lines*(hRow-2))
				case col.left:
					st = cellT
				}
				x.text(sh, 1+i, row, v, st)
			}
			x.height(sh, row, h)
			row++
		}
	}
	x.printSetup(sh, hdr, hdr)
	// The annex's panes: only the title rows above the status list would
	// freeze, which hides the trend; keep the print titles, drop the freeze.
	x.fail(x.f.SetPanes(sh, &excelize.Panes{}))
	return trendTop
}

// charts draws, on their own sheet, the rate of households recognised
// (GĐHT) per row of the results table against the target, and the
// province trend. The charts read the table cells, so they follow any
// correction made in the workbook. The bars are labelled with the
// table's STT: a hundred commune names cannot be read under a page-wide
// chart, and LibreOffice stacks rotated names letter by letter.
func (x *xlsxWriter) charts(dataSheet string, first, last int, cols []column, trendTop int) {
	if x.err != nil {
		return
	}
	r := x.r
	f := x.f
	rateCol, targetCol := 0, 0
	for i, c := range cols {
		if c.group == Models[0].Name && c.kind == kRate && rateCol == 0 {
			rateCol = 3 + i
		}
		if c.group == Models[0].Name && c.kind == kTarget && targetCol == 0 {
			targetCol = 3 + i
		}
	}
	font := excelize.Font{Family: fontName, Size: 9, Color: "000000"}
	titleFont := &excelize.Font{Family: fontName, Size: 12, Bold: true}
	ref := func(sheet string, col, r1, r2 int) string {
		return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheet, colName(col), r1, colName(col), r2)
	}
	one, zero := 1.0, 0.0
	// The value axis in percent, 0–100 %: the rates are fractions.
	pctAxis := excelize.ChartAxis{Font: font, Maximum: &one, Minimum: &zero, MajorGridLines: true, MajorUnit: 0.2,
		NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}}
	caption := styleKey{size: fontTable, italic: true, hAlign: "left", wrap: true}
	x.merged(sheetCharts, 1, 16, 1, "III. BIỂU ĐỒ", styleKey{size: fontBody + 1, bold: true})
	x.height(sheetCharts, 1, hLine+4)
	const top = 2 // the first chart's row
	n := last - first + 1
	if last >= first && rateCol > 0 {
		// Category labels are the table's STT: a hundred commune names
		// cannot be read under a page-wide chart. Every k-th label, so
		// that about 25 show, horizontal and readable.
		xAxis := excelize.ChartAxis{Font: font, TickLabelSkip: max(1, (n+24)/25), Alignment: excelize.Alignment{TextRotation: -90}}
		bar := &excelize.Chart{
			Type: excelize.Col,
			Series: []excelize.ChartSeries{{
				Name:       fmt.Sprintf("'%s'!$%s$%d", dataSheet, colName(rateCol), first-1),
				Categories: ref(dataSheet, 1, first, last),
				Values:     ref(dataSheet, rateCol, first, last),
				Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{strings.TrimPrefix(barNotMet, "#")}},
			}},
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Tỷ lệ " + Models[0].Name + " (" + Models[0].Short + ") so với chỉ tiêu, theo số thứ tự của xã trong biểu", Font: titleFont}}},
			Legend:    excelize.ChartLegend{Position: "bottom", Font: &font},
			XAxis:     xAxis,
			YAxis:     pctAxis,
			Dimension: excelize.ChartDimension{Width: 1000, Height: 520},
			Format:    excelize.GraphicOptions{PrintObject: boolPtr(true), Locked: boolPtr(false)},
		}
		target := &excelize.Chart{
			Type: excelize.Line,
			Series: []excelize.ChartSeries{{
				Name:       fmt.Sprintf("'%s'!$%s$%d", dataSheet, colName(targetCol), first-1),
				Categories: ref(dataSheet, 1, first, last),
				Values:     ref(dataSheet, targetCol, first, last),
				Line:       excelize.LineOptions{Width: 2},
				Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{strings.TrimPrefix(targetMark, "#")}},
				Marker:     excelize.ChartMarker{Symbol: "none"},
			}},
			// A combined chart takes its axes from the last chart's
			// options: the same percent axis, or LibreOffice and Excel
			// scale it to the data in decimals.
			XAxis: xAxis,
			YAxis: pctAxis,
		}
		x.fail(f.AddChart(sheetCharts, cellName(1, top), bar, target))
		x.merged(sheetCharts, 1, 16, top+chartRows, "Cột màu xanh dương: tỷ lệ "+Models[0].Name+" của từng xã, theo số thứ tự (STT) của xã trong biểu; đường màu đen: chỉ tiêu của xã.", caption)
		x.height(sheetCharts, top+chartRows, 2*hLine)
	}
	if len(r.Trend) > 0 {
		line := &excelize.Chart{
			Type:      excelize.Line,
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Tỷ lệ đạt các mô hình học tập của tỉnh qua các năm", Font: titleFont}}},
			Legend:    excelize.ChartLegend{Position: "right", Font: &font},
			XAxis:     excelize.ChartAxis{Font: font},
			YAxis:     pctAxis,
			Dimension: excelize.ChartDimension{Width: 1000, Height: 520},
			Format:    excelize.GraphicOptions{PrintObject: boolPtr(true), Locked: boolPtr(false)},
			// Unknown years are empty cells in the trend table: a gap in
			// the line, not a fall to 0.
			ShowBlanksAs: "gap",
		}
		y1, y2 := trendTop+1, trendTop+len(r.Trend)
		var names []string
		for i, m := range Models {
			c := seriesColors[i%len(seriesColors)]
			line.Series = append(line.Series, excelize.ChartSeries{
				Name:       fmt.Sprintf("'%s'!$%s$%d", sheetAnnex, colName(2+i), trendTop),
				Categories: ref(sheetAnnex, 1, y1, y2),
				Values:     ref(sheetAnnex, 2+i, y1, y2),
				Line:       excelize.LineOptions{Width: 2},
				Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{strings.TrimPrefix(c, "#")}},
				Marker:     excelize.ChartMarker{Symbol: "circle", Size: 5},
			})
			names = append(names, seriesColorNames[i%len(seriesColorNames)]+": "+m.Name+" ("+m.Short+")")
		}
		// Second chart on the second page: a manual break above it.
		at := top + chartRows + 2
		x.fail(f.AddChart(sheetCharts, cellName(1, at), line))
		x.fail(f.InsertPageBreak(sheetCharts, cellName(1, at)))
		capt := "Màu các đường: " + strings.Join(names, "; ") + "."
		if n := trendNoteOf(r); n != "" {
			capt += " " + n
		}
		x.merged(sheetCharts, 1, 16, at+chartRows, capt, caption)
		x.height(sheetCharts, at+chartRows, 2*hLine)
	}
	// Rows at the 20 px excelize assumes when it anchors a chart, so the
	// chart keeps its size in LibreOffice, whose default row is lower.
	for row := top; row <= 2*chartRows+4; row++ {
		if row != top+chartRows && row != top+2*chartRows+2 {
			x.height(sheetCharts, row, 15)
		}
	}
	for c := 1; c <= 16; c++ {
		x.fail(f.SetColWidth(sheetCharts, colName(c), colName(c), 8.43))
	}
	a4, land := 9, "landscape"
	fit, one1, zero1 := true, 1, 0
	x.fail(f.SetSheetProps(sheetCharts, &excelize.SheetPropsOptions{FitToPage: &fit}))
	x.fail(f.SetPageLayout(sheetCharts, &excelize.PageLayoutOptions{Size: &a4, Orientation: &land, FitToWidth: &one1, FitToHeight: &zero1}))
	x.margins(sheetCharts)
}

func boolPtr(b bool) *bool { return &b }
