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
//   - "Phụ lục": the province trend and the communes' reporting status.
//   - "Biểu đồ": native charts, one per printed page.
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
	chartRows = 32   // rows a chart covers on the chart sheet (20 px each)
)

// Number formats. Excel and LibreOffice take separators from the locale;
// [$-42A] (Vietnamese) makes LibreOffice print "245.310" and "78,6%" even
// on a machine with another locale, and is harmless in Excel.
var (
	fmtCount    = "[$-42A]#,##0"
	fmtRate     = "[$-42A]0.0%"
	fmtTarget0  = "[$-42A]0%"
	fmtChangePt = "[$-42A]+0.0%;-0.0%;0.0%"
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
}

func (x *xlsxWriter) style(k styleKey) int {
	if id, ok := x.styles[k]; ok {
		return id
	}
	s := &excelize.Style{
		Font:      &excelize.Font{Family: fontName, Size: k.size, Bold: k.bold, Italic: k.italic},
		Alignment: &excelize.Alignment{Horizontal: k.hAlign, Vertical: k.vAlign, WrapText: k.wrap},
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
			val, k.numFmt = *v.f, fmtChangePt
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
	x.fail(f.SetDocProps(&excelize.DocProperties{
		Title: r.Title, Creator: "xhht", Language: "vi-VN",
		// Fixed dates: the report carries no clock of its own, so the same
		// report gives the same workbook.
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
	row = x.footnote(sheetMain, 2+len(first), row+1, !r.isMovement())
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
		x.footnote(sheetSecond, 2+len(second), end+1, true)
		x.printSetup(sheetSecond, 4, 5)
		chartSheet, chartTop, mainCols = sheetSecond, 6, second
	}

	trendTop := x.annex(lines)
	x.charts(chartSheet, chartTop, chartTop+len(lines)-2, mainCols, trendTop)
	f.SetActiveSheet(0)
	return x.err
}

// heading writes the national heading block and the title; it returns the
// next free row.
func (x *xlsxWriter) heading(sheet string, ncol int) int {
	r := x.r
	split := max(3, ncol*2/5) // the issuer's block: left two fifths
	left := func(row int, s string, k styleKey) { x.merged(sheet, 1, split, row, s, k) }
	right := func(row int, s string, k styleKey) { x.merged(sheet, split+1, ncol, row, s, k) }
	bold := styleKey{size: fontBody + 1, bold: true, hAlign: "center", wrap: true}
	plain := styleKey{size: fontBody + 1, hAlign: "center"}
	left(1, r.Issuer, bold)
	right(1, motto1, bold)
	left(2, "", plain)
	right(2, motto2, styleKey{size: fontBody + 1, bold: true, hAlign: "center"})
	left(3, numberLine(r), plain)
	right(3, dateLine(r), styleKey{size: fontBody + 1, italic: true, hAlign: "center"})
	x.height(sheet, 1, 2*hLine+2) // a long issuer name wraps onto a second line
	x.height(sheet, 2, hLine+2)
	x.height(sheet, 3, hLine+4)
	x.height(sheet, 4, hLine)
	title := styleKey{size: fontBody + 3, bold: true, hAlign: "center", wrap: true}
	x.merged(sheet, 1, ncol, 5, r.Title, title)
	x.height(sheet, 5, float64(x.lines(r.Title, ncol, fontBody+3))*(hLine+3)+4)
	x.merged(sheet, 1, ncol, 6, "Kính gửi: "+r.Recipients, styleKey{size: fontBody + 1, hAlign: "center", wrap: true})
	x.height(sheet, 6, float64(x.lines("Kính gửi: "+r.Recipients, ncol, fontBody+1))*hLine+4)
	italic := styleKey{size: fontBody, italic: true, hAlign: "center"}
	x.merged(sheet, 1, ncol, 7, cutOffLine(r), italic)
	x.merged(sheet, 1, ncol, 8, dataTimeLine(r), italic)
	x.height(sheet, 7, hLine)
	x.height(sheet, 8, hLine)
	x.height(sheet, 9, hLine/2)
	return 10
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
		name = math.Max(name, float64(utf8.RuneCountInString(lineName(l)))*0.95+2)
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

// footnote writes the table's note and, for a table of rates, the rates
// computed over part of their rows (marked "*" in the table).
func (x *xlsxWriter) footnote(sheet string, ncol, row int, rates bool) int {
	x.merged(sheet, 1, ncol, row, rateNote, styleKey{size: fontTable, italic: true, hAlign: "left", wrap: true})
	x.height(sheet, row, 2*hLine+2)
	row++
	if notes := coverageNotes(x.r); rates && len(notes) > 0 {
		text := "(*) Tỷ lệ chỉ tính trên một phần số thôn (xã): " + strings.Join(notes, "; ") + "."
		x.merged(sheet, 1, ncol, row, text, styleKey{size: fontTable, italic: true, hAlign: "left", wrap: true})
		x.height(sheet, row, hLine*float64(1+utf8.RuneCountInString(text)/(ncol*7)))
		row++
	}
	return row
}

// signature writes the signature block with room to sign and stamp.
func (x *xlsxWriter) signature(sheet string, ncol, row int) {
	s := signatureOf(x.r)
	split := max(3, ncol*2/5)
	left := func(row int, t string, k styleKey) { x.merged(sheet, 1, split, row, t, k) }
	right := func(row int, t string, k styleKey) { x.merged(sheet, split+1, ncol, row, t, k) }
	b := styleKey{size: fontBody + 1, bold: true, hAlign: "center"}
	i := styleKey{size: fontBody, italic: true, hAlign: "center"}
	left(row, s.LeftTitle, b)
	right(row, s.RightTM, b)
	left(row+1, s.LeftNote, i)
	right(row+1, s.RightRole, b)
	right(row+2, s.RightNote, i)
	for k := 0; k < 3; k++ {
		x.height(sheet, row+k, hLine+2)
	}
	for k := 3; k < 8; k++ { // blank space to sign
		x.height(sheet, row+k, hLine)
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
	lr, tb, hf := 0.4, 0.6, 0.3
	center := true
	x.fail(x.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{
		Left: &lr, Right: &lr, Top: &tb, Bottom: &tb, Header: &hf, Footer: &hf, Horizontally: &center,
	}))
	x.fail(x.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{
		OddFooter: `&C&"Times New Roman,Regular"&10Trang &P/&N`,
	}))
}

// annex writes the trend and the communes' reporting status; it returns
// the first row of the trend table, which the trend chart reads.
func (x *xlsxWriter) annex(lines []line) int {
	r := x.r
	sh := sheetAnnex
	_, err := x.f.NewSheet(sh)
	x.fail(err)
	ncol := 7 // six columns; merged rows span ncol-1
	widths := []float64{6, 12, 30, 12, 22, 60}
	for i, w := range widths {
		x.fail(x.f.SetColWidth(sh, colName(i+1), colName(i+1), w))
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
		x.text(sh, 2+i, trendTop, m.Short, head)
	}
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
	x.merged(sh, 1, ncol-1, row, "Ô trống: năm đó chưa có số liệu. "+trendNote, styleKey{size: fontTable, italic: true, wrap: true})
	x.height(sh, row, 2*hLine)
	row += 2

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
	heads := []string{"STT", "Mã xã", "Tên xã", "Mã huyện", "Thời điểm nhận bản hợp lệ (giờ Việt Nam)", "Lý do bị từ chối gần nhất"}
	for i, h := range heads {
		x.text(sh, 1+i, row, h, head)
	}
	x.height(sh, row, hHead1)
	row++
	for gi, g := range statusGroups {
		n := 0
		for _, s := range c.Communes {
			if s.Status == g.code {
				n++
			}
		}
		x.merged(sh, 1, ncol-1, row, fmt.Sprintf("%s. Xã %s (%s xã)", roman(gi+1), g.label, fmtInt(int64(n))),
			styleKey{size: fontTable, bold: true, border: true, numFmt: "@"})
		x.height(sh, row, hRow)
		row++
		k := 0
		for _, s := range c.Communes {
			if s.Status != g.code {
				continue
			}
			k++
			x.text(sh, 1, row, fmtInt(int64(k)), cellC)
			x.text(sh, 2, row, s.Code, cellC)
			x.text(sh, 3, row, s.Name, cellT)
			x.text(sh, 4, row, s.District, cellC)
			x.text(sh, 5, row, fmtTime(s.FirstAccepted), cellC)
			x.text(sh, 6, row, s.LastRejection, styleKey{size: fontTable, hAlign: "left", border: true, wrap: true, numFmt: "@"})
			h := hRow
			if s.LastRejection != "" {
				// Reasons wrap inside the 60-wide column.
				h = float64(max(1, int(math.Ceil(float64(utf8.RuneCountInString(s.LastRejection))/62)))) * (hRow - 2)
				h = math.Max(h, hRow)
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
	_, err := f.NewSheet(sheetCharts)
	x.fail(err)
	rateCol, targetCol := 0, 0
	for i, c := range cols {
		if c.group == Models[0].Name && c.kind == kRate && rateCol == 0 {
			rateCol = 3 + i
		}
		if c.group == Models[0].Name && c.kind == kTarget && targetCol == 0 {
			targetCol = 3 + i
		}
	}
	font := excelize.Font{Family: fontName, Size: 9}
	titleFont := &excelize.Font{Family: fontName, Size: 12, Bold: true}
	ref := func(sheet string, col, r1, r2 int) string {
		return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheet, colName(col), r1, colName(col), r2)
	}
	one, pct := 1.0, excelize.ChartNumFmt{CustomNumFmt: "0%"}
	zero := 0.0
	if last >= first && rateCol > 0 {
		bar := &excelize.Chart{
			Type: excelize.Col,
			Series: []excelize.ChartSeries{{
				Name:       fmt.Sprintf("'%s'!$%s$%d", dataSheet, colName(rateCol), first-1),
				Categories: ref(dataSheet, 1, first, last),
				Values:     ref(dataSheet, rateCol, first, last),
				Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"0072B2"}},
			}},
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Tỷ lệ " + Models[0].Name + " (" + Models[0].Short + ") so với chỉ tiêu, theo số thứ tự của xã trong biểu", Font: titleFont}}},
			Legend:    excelize.ChartLegend{Position: "bottom", Font: &font},
			XAxis:     excelize.ChartAxis{Font: font},
			YAxis:     excelize.ChartAxis{Font: font, Maximum: &one, Minimum: &zero, MajorGridLines: true, NumFmt: pct},
			Dimension: excelize.ChartDimension{Width: 1000, Height: 600},
			Format:    excelize.GraphicOptions{PrintObject: boolPtr(true), Locked: boolPtr(false)},
		}
		target := &excelize.Chart{
			Type: excelize.Line,
			Series: []excelize.ChartSeries{{
				Name:       fmt.Sprintf("'%s'!$%s$%d", dataSheet, colName(targetCol), first-1),
				Categories: ref(dataSheet, 1, first, last),
				Values:     ref(dataSheet, targetCol, first, last),
				Line:       excelize.LineOptions{Width: 2},
				Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D55E00"}},
				Marker:     excelize.ChartMarker{Symbol: "none"},
			}},
		}
		x.fail(f.AddChart(sheetCharts, "A1", bar, target))
	}
	if len(r.Trend) > 0 {
		line := &excelize.Chart{
			Type:      excelize.Line,
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Tỷ lệ đạt các mô hình học tập của tỉnh qua các năm", Font: titleFont}}},
			Legend:    excelize.ChartLegend{Position: "right", Font: &font},
			XAxis:     excelize.ChartAxis{Font: font},
			YAxis:     excelize.ChartAxis{Font: font, Maximum: &one, Minimum: &zero, MajorGridLines: true, NumFmt: pct},
			Dimension: excelize.ChartDimension{Width: 1000, Height: 600},
			Format:    excelize.GraphicOptions{PrintObject: boolPtr(true), Locked: boolPtr(false)},
			// Unknown years are empty cells in the trend table: a gap in
			// the line, not a fall to 0.
			ShowBlanksAs: "gap",
		}
		y1, y2 := trendTop+1, trendTop+len(r.Trend)
		for i := range Models {
			line.Series = append(line.Series, excelize.ChartSeries{
				Name:       fmt.Sprintf("'%s'!$%s$%d", sheetAnnex, colName(2+i), trendTop),
				Categories: ref(sheetAnnex, 1, y1, y2),
				Values:     ref(sheetAnnex, 2+i, y1, y2),
				Line:       excelize.LineOptions{Width: 2},
				Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{strings.TrimPrefix(seriesColors[i], "#")}},
				Marker:     excelize.ChartMarker{Symbol: "circle", Size: 5},
			})
		}
		// Second chart on the second page: a manual break above it.
		at := chartRows + 2
		x.fail(f.AddChart(sheetCharts, cellName(1, at), line))
		x.fail(f.InsertPageBreak(sheetCharts, cellName(1, at)))
	}
	// Rows at the 20 px excelize assumes when it anchors a chart, so the
	// chart keeps its size in LibreOffice, whose default row is lower.
	for row := 1; row <= 2*chartRows+4; row++ {
		x.height(sheetCharts, row, 15)
	}
	a4, land := 9, "landscape"
	x.fail(f.SetPageLayout(sheetCharts, &excelize.PageLayoutOptions{Size: &a4, Orientation: &land}))
	x.margins(sheetCharts)
}

func boolPtr(b bool) *bool { return &b }
