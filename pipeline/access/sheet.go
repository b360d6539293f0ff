package access

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/deadlines"
)

// Sheet is the printable list of new codes a province hands out: one row
// per commune with its code, the portal's address, and the commune's own
// due dates for the 1/12 and 15/12 reports. The codes' expiry (one for
// all: they come from one Issue or Reissue) is printed above the table.
type Sheet struct {
	Year         int
	ProvinceName string
	PortalURL    string
	Issued       []Issued // rows without a Code (skipped communes) are left out
	Deadlines    *deadlines.Set
	Now          time.Time // the date printed as the issue date
}

// SheetName is the worksheet's name.
const SheetName = "Mã truy cập"

// Sheet layout: a title block, then the table; the header row repeats on
// every printed page.
const (
	sheetHeaderRow = 5
	sheetFirstRow  = sheetHeaderRow + 1
	fontBody       = "Times New Roman" // the report's font; LibreOffice prints it as Liberation Serif
	fontCode       = "Courier New"     // fixed width: each symbol reads on its own (Liberation Mono)
)

// SheetDeadlines are the reports whose due dates the sheet shows.
var SheetDeadlines = []string{"12-01", "12-15"}

// sheetColumns: header and width (characters) of each column, A onwards.
var sheetColumns = []struct {
	header string
	width  float64
}{
	{"STT", 5},
	{"Mã xã", 8},
	{"Tên xã, phường", 26},
	{"Mã truy cập", 27},
	{"Địa chỉ cổng nộp số liệu", 30},
	{"Báo cáo 01/12:\nxã nộp trước ngày", 15},
	{"Báo cáo 15/12:\nxã nộp trước ngày", 15},
}

// WriteSheet writes the workbook: A4 landscape, fitted to the page width,
// the header row repeated on every page, 12-point text and the codes in
// 14-point bold fixed-width type. Dates are date cells (dd/mm/yyyy).
func WriteSheet(w io.Writer, s Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	var first error
	do := func(err error) {
		if first == nil && err != nil {
			first = err
		}
	}
	sh := SheetName
	do(f.SetSheetName("Sheet1", sh))
	style := func(st *excelize.Style) int {
		id, err := f.NewStyle(st)
		do(err)
		return id
	}
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	wrap := func(h string) *excelize.Alignment {
		a := &excelize.Alignment{Horizontal: h, Vertical: "center", WrapText: true}
		if h == "left" {
			a.Indent = 1 // text off the border
		}
		return a
	}
	dateFmt := "dd/mm/yyyy"
	title := style(&excelize.Style{Font: &excelize.Font{Family: fontBody, Size: 15, Bold: true}, Alignment: wrap("center")})
	note := style(&excelize.Style{Font: &excelize.Font{Family: fontBody, Size: 12, Italic: true}, Alignment: wrap("left")})
	header := style(&excelize.Style{Font: &excelize.Font{Family: fontBody, Size: 12, Bold: true}, Alignment: wrap("center"), Border: border,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E2F3"}}})
	text := style(&excelize.Style{Font: &excelize.Font{Family: fontBody, Size: 12}, Alignment: wrap("left"), Border: border})
	center := style(&excelize.Style{Font: &excelize.Font{Family: fontBody, Size: 12}, Alignment: wrap("center"), Border: border})
	date := style(&excelize.Style{Font: &excelize.Font{Family: fontBody, Size: 12}, Alignment: wrap("center"), Border: border, CustomNumFmt: &dateFmt})
	code := style(&excelize.Style{Font: &excelize.Font{Family: fontCode, Size: 14, Bold: true}, Alignment: wrap("center"), Border: border})

	// A sheet of province reviewer codes (RoleProvince) names holders, not
	// communes; the due dates stay: they are the province's communes' own.
	reviewers := len(s.Issued) > 0 && s.Issued[0].Grant.Role == RoleProvince
	last, _ := excelize.ColumnNumberToName(len(sheetColumns))
	for i, c := range sheetColumns {
		col, _ := excelize.ColumnNumberToName(i + 1)
		do(f.SetColWidth(sh, col, col, c.width))
		h := c.header
		if reviewers && i == 1 {
			h = "Số mã"
		} else if reviewers && i == 2 {
			h = "Người nhận mã (cán bộ duyệt số liệu)"
		}
		do(f.SetCellStr(sh, fmt.Sprintf("%s%d", col, sheetHeaderRow), h))
	}
	do(f.SetCellStyle(sh, fmt.Sprintf("A%d", sheetHeaderRow), fmt.Sprintf("%s%d", last, sheetHeaderRow), header))
	do(f.SetRowHeight(sh, sheetHeaderRow, 34))

	issuedOn := s.Now.In(deadlines.ICT).Format("02/01/2006")
	// One Issue or Reissue gives all its codes the same expiry, so it is
	// said once, above the table, instead of in a column of its own (the
	// table then prints at 100%).
	expiry := ""
	for _, is := range s.Issued {
		if is.Code != "" {
			expiry = ExpiryText(is.Grant.ExpiresAt)
			break
		}
	}
	lines := []struct {
		text   string
		style  int
		height float64
	}{
		{titleText(s, reviewers), title, 24},
		{fmt.Sprintf("Cấp ngày %s. Mỗi %s chỉ dùng mã của mình; giữ kín mã, không gửi lên mạng xã hội. "+
			"Mở địa chỉ cổng, nhập mã (chữ hoa hay chữ thường, có hay không có dấu gạch đều được).", issuedOn, holderWord(reviewers)), note, 34},
		{reviewerNote(reviewers) + "Mã dùng được " + expiry + ". Mất mã hoặc lộ mã: báo ngay Sở Giáo dục và Đào tạo để cấp mã mới; mã cũ hết hiệu lực ngay khi có mã mới.", note, noteHeight(reviewers)},
	}
	for i, l := range lines {
		cell := fmt.Sprintf("A%d", i+1)
		do(f.MergeCell(sh, cell, fmt.Sprintf("%s%d", last, i+1)))
		do(f.SetCellStr(sh, cell, l.text))
		do(f.SetCellStyle(sh, cell, cell, l.style))
		do(f.SetRowHeight(sh, i+1, l.height))
	}

	row := sheetFirstRow
	for _, is := range s.Issued {
		if is.Code == "" {
			continue
		}
		g := is.Grant
		cell := func(col string) string { return fmt.Sprintf("%s%d", col, row) }
		do(f.SetCellInt(sh, cell("A"), int64(row-sheetFirstRow+1)))
		if g.Role == RoleProvince {
			do(f.SetCellStr(sh, cell("B"), g.Province+"-"+g.Reviewer))
			holder := g.Holder
			if holder == "" {
				holder = "Cán bộ Sở GD&ĐT " + g.ProvinceName
			}
			do(f.SetCellStr(sh, cell("C"), holder))
		} else {
			do(f.SetCellStr(sh, cell("B"), g.Commune)) // text: keeps the leading zero
			do(f.SetCellStr(sh, cell("C"), g.CommuneName))
		}
		do(f.SetCellStr(sh, cell("D"), is.Code))
		do(f.SetCellStr(sh, cell("E"), s.PortalURL))
		for i, id := range SheetDeadlines {
			due, err := s.Deadlines.CommuneDue(g.Province, id, g.Year)
			if err != nil {
				return fmt.Errorf("access: due date %s of %s: %w", id, g.Commune, err)
			}
			col, _ := excelize.ColumnNumberToName(6 + i)
			do(f.SetCellValue(sh, cell(col), calendarDay(due)))
		}
		do(f.SetCellStyle(sh, cell("A"), cell("B"), center))
		do(f.SetCellStyle(sh, cell("C"), cell("C"), text))
		do(f.SetCellStyle(sh, cell("D"), cell("D"), code))
		do(f.SetCellStyle(sh, cell("E"), cell("E"), text))
		do(f.SetCellStyle(sh, cell("F"), cell("G"), date))
		do(f.SetRowHeight(sh, row, 26))
		row++
	}

	// Print: A4 landscape, one page wide, header row on every page.
	a4, land, one, zero, fit := 9, "landscape", 1, 0, true
	do(f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit}))
	do(f.SetPageLayout(sh, &excelize.PageLayoutOptions{Size: &a4, Orientation: &land, FitToWidth: &one, FitToHeight: &zero}))
	lr, tb, hf, hcenter := 0.4, 0.6, 0.3, true
	do(f.SetPageMargins(sh, &excelize.PageLayoutMarginsOptions{Left: &lr, Right: &lr, Top: &tb, Bottom: &tb, Header: &hf, Footer: &hf, Horizontally: &hcenter}))
	do(f.SetHeaderFooter(sh, &excelize.HeaderFooterOptions{OddFooter: `&C&"Times New Roman,Regular"&10Trang &P/&N`}))
	do(f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sh, sheetHeaderRow, sheetHeaderRow), Scope: sh,
	}))
	do(f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: sheetHeaderRow, TopLeftCell: fmt.Sprintf("A%d", sheetFirstRow), ActivePane: "bottomLeft"}))
	if first != nil {
		return fmt.Errorf("access: write sheet: %w", first)
	}
	return f.Write(w)
}

func titleText(s Sheet, reviewers bool) string {
	if reviewers {
		return fmt.Sprintf("MÃ TRUY CẬP DUYỆT SỐ LIỆU XÃ HỘI HỌC TẬP NĂM %d — %s (CẤP TỈNH)", s.Year, s.ProvinceName)
	}
	return fmt.Sprintf("MÃ TRUY CẬP CỔNG NỘP SỐ LIỆU XÃ HỘI HỌC TẬP NĂM %d — %s", s.Year, s.ProvinceName)
}

func holderWord(reviewers bool) string {
	if reviewers {
		return "người"
	}
	return "xã"
}

// noteHeight fits the expiry line: two lines with the reviewer note.
func noteHeight(reviewers bool) float64 {
	if reviewers {
		return 34
	}
	return 20
}

// reviewerNote says what a province code may do, before its expiry.
func reviewerNote(reviewers bool) string {
	if !reviewers {
		return ""
	}
	return "Mã cấp tỉnh xem được mọi xã của tỉnh và duyệt, trả lại số liệu: chỉ giao cho người được phân công. "
}

// calendarDay is the Vietnamese calendar day of an instant, as a date
// without a zone for the date cell.
func calendarDay(t time.Time) time.Time {
	l := t.In(deadlines.ICT)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// ExpiryText says until when a code works, for a person: "hết ngày
// 31/12/2026" when it expires at midnight in Vietnam (the usual case),
// else the exact minute.
func ExpiryText(t time.Time) string {
	l := t.In(deadlines.ICT)
	if l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 && l.Nanosecond() == 0 {
		return "hết ngày " + l.AddDate(0, 0, -1).Format("02/01/2006")
	}
	return "đến " + l.Format("15:04 02/01/2006")
}
