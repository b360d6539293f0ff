package marked

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/receipt"
)

// Columns of the list sheet.
const (
	colNo = iota + 1
	colSeverity
	colSheet
	colCell
	colMessage
)

// messageLineChars is about how many characters of a message fit on one
// line of its column (width 90), a little fewer to be safe.
const messageLineChars = 80

// listHeaderRow is the row of the list's column titles; problems follow.
const listHeaderRow = 8

// writeSummary adds the sheet listing every problem of the receipt, in the
// receipt's order (ingest writes it in reading order: the whole file first,
// then sheet by sheet, row by row), each with its sheet and cell; a marked
// cell's reference links to it. All text is written as strings.
func writeSummary(f *excelize.File, ms *marks, rc *receipt.Receipt, fileName, note string) error {
	used := map[string]bool{}
	for _, n := range f.GetSheetList() {
		used[strings.ToLower(n)] = true
	}
	name := uniqueSheetName(SummarySheet, used)
	if _, err := f.NewSheet(name); err != nil {
		return fmt.Errorf("marked: add %q: %w", name, err)
	}
	tab := "C6EFCE" // Excel's "Good" green: accepted, nothing to fix
	switch {
	case rc.ErrorCount > 0:
		tab = "FF0000"
	case rc.WarningCount > 0:
		tab = "FFC000"
	}
	if err := f.SetSheetProps(name, &excelize.SheetPropsOptions{TabColorRGB: &tab}); err != nil {
		return fmt.Errorf("marked: %q tab colour: %w", name, err)
	}
	if err := printWide(f, name); err != nil {
		return err
	}
	s, err := newSummaryStyles(f)
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("marked: %q: %w", name, err)
	}
	for col, w := range map[int]float64{colNo: 6, colSeverity: 11, colSheet: 18, colCell: 8, colMessage: 90} {
		if err := sw.SetColWidth(col, col, w); err != nil {
			return fmt.Errorf("marked: %q: %w", name, err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: listHeaderRow, TopLeftCell: fmt.Sprintf("A%d", listHeaderRow+1), ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("marked: %q: %w", name, err)
	}
	place := rc.CommuneName
	if place == "" && rc.CommuneCode != "" {
		place = "mã xã " + rc.CommuneCode
	}
	if rc.ProvinceName != "" {
		place += ", " + rc.ProvinceName
	}
	if rc.Year > 0 {
		place += fmt.Sprintf(" — năm báo cáo %d", rc.Year)
	}
	verdict := "Kết quả: ĐƯỢC CHẤP NHẬN"
	if rc.Status != receipt.Accepted {
		verdict = fmt.Sprintf("Kết quả: BỊ TỪ CHỐI — %d lỗi cần sửa", rc.ErrorCount)
	}
	if rc.WarningCount > 0 {
		verdict += fmt.Sprintf(" (%d cảnh báo)", rc.WarningCount)
	}
	cell := func(style int, v any) excelize.Cell { return excelize.Cell{StyleID: style, Value: v} }
	var noteCell any // blank when there is no note
	if note != "" {
		noteCell = cell(s.bold, note)
	}
	rows := [][]any{
		{cell(s.title, "KẾT QUẢ KIỂM TRA TỆP BÁO CÁO")},
		{nil, "Tệp: " + fileName},
		{nil, "Đơn vị: " + place},
		{nil, cell(s.bold, verdict)},
		{nil, noteCell},
		{nil, cell(s.errFill, "Lỗi"), "Ô tô màu này có lỗi cần sửa trước khi nộp lại (rê chuột lên ô để xem ghi chú)."},
		{nil, cell(s.warnFill, "Cảnh báo"), "Ô tô màu này có cảnh báo: nên kiểm tra, không bắt buộc sửa."},
		{cell(s.head, "STT"), cell(s.head, "Mức độ"), cell(s.head, "Trang"), cell(s.head, "Ô"), cell(s.head, "Nội dung")},
	}
	for i, r := range rows {
		if err := sw.SetRow(fmt.Sprintf("A%d", i+1), r); err != nil {
			return fmt.Errorf("marked: %q: %w", name, err)
		}
	}
	row := listHeaderRow + 1
	if len(rc.Errors) == 0 {
		if err := sw.SetRow(fmt.Sprintf("A%d", row), []any{nil, nil, nil, nil, "Không có lỗi hay cảnh báo nào."}); err != nil {
			return fmt.Errorf("marked: %q: %w", name, err)
		}
		row++
	}
	var links [][2]string // list cell → location
	for i, is := range rc.Errors {
		sev := cell(s.warnFill, severityLabel(is.Severity))
		if is.Severity == receipt.SevError {
			sev = cell(s.errFill, severityLabel(is.Severity))
		}
		ref := is.Cell
		if ref == "" && is.Row > 0 {
			ref = fmt.Sprintf("dòng %d", is.Row)
		}
		vals := []any{cell(s.top, i+1), sev, cell(s.top, is.Sheet), cell(s.top, ref), cell(s.wrap, is.Message)}
		if p := ms.placed[i]; p != "" {
			vals[colCell-1] = cell(s.link, ref)
			if len(links) < MaxComments {
				links = append(links, [2]string{fmt.Sprintf("D%d", row), p})
			}
		}
		// Rows of wrapped text get their height here: LibreOffice does not
		// fit them when it prints, and a stream writes no fitted heights.
		lines := 1 + utf8.RuneCountInString(is.Message)/messageLineChars + strings.Count(is.Message, "\n")
		if err := sw.SetRow(fmt.Sprintf("A%d", row), vals, excelize.RowOpts{Height: float64(lines) * 15}); err != nil {
			return fmt.Errorf("marked: %q: %w", name, err)
		}
		row++
	}
	if ms.comment >= MaxComments {
		note := fmt.Sprintf("Tệp có quá nhiều ô bị đánh dấu: chỉ %d ô đầu tiên có ghi chú; mọi ô vẫn được tô màu và mọi lỗi đều có trong danh sách trên.", MaxComments)
		if err := sw.SetRow(fmt.Sprintf("A%d", row+1), []any{nil, nil, nil, nil, cell(s.bold, note)}); err != nil {
			return fmt.Errorf("marked: %q: %w", name, err)
		}
	}
	// Links go in before Flush, which writes them with the sheet.
	for _, l := range links {
		sheet, ref, _ := strings.Cut(l[1], "!")
		loc := "'" + strings.ReplaceAll(sheet, "'", "''") + "'!" + ref
		if err := f.SetCellHyperLink(name, l[0], loc, "Location"); err != nil {
			return fmt.Errorf("marked: %q link: %w", name, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("marked: %q: %w", name, err)
	}
	return nil
}

type summaryStyles struct{ title, bold, head, top, wrap, link, errFill, warnFill int }

func newSummaryStyles(f *excelize.File) (*summaryStyles, error) {
	top := excelize.Alignment{Vertical: "top"}
	defs := []*excelize.Style{
		{Font: &excelize.Font{Bold: true, Size: 14}},
		{Font: &excelize.Font{Bold: true}},
		{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}},
			Border: []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}},
		{Alignment: &top},
		{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}},
		{Alignment: &top, Font: &excelize.Font{Color: "0563C1", Underline: "single"}},
		{Alignment: &top, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{ErrorFill}}},
		{Alignment: &top, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{WarningFill}}},
	}
	ids := make([]int, len(defs))
	for i, d := range defs {
		id, err := f.NewStyle(d)
		if err != nil {
			return nil, fmt.Errorf("marked: list style: %w", err)
		}
		ids[i] = id
	}
	return &summaryStyles{ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7]}, nil
}

// printWide prints a sheet on A4 landscape, one page wide: the list is
// what an official prints and takes to the meeting, and a copied form is
// as wide as the printed one. Called before the sheet's stream writer,
// which writes these settings first.
func printWide(f *excelize.File, sheet string) error {
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return fmt.Errorf("marked: %q page layout: %w", sheet, err)
	}
	a4, landscape, wide, tall := 9, "landscape", 1, 0
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall}); err != nil {
		return fmt.Errorf("marked: %q page layout: %w", sheet, err)
	}
	return nil
}
