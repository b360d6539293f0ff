// Package template writes the blank form a commune fills in: one .xlsx with
// a sheet per form (Biểu 01, one row per hamlet; Biểu 02, one row for the
// commune) and a sheet of instructions. The sheets are laid out the way the
// reader (pipeline/table) and the validator expect, so a template filled in
// with numbers is accepted as it is: the title block carries "NĂM <year>" and
// "Mã xã: <code>", the header is the form's own labels, the totals row adds
// up the data rows, and the signature block starts with a footer keyword.
package template

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/registry"
)

// DefaultBlankRows is the number of empty hamlet rows left when no hamlets
// are known and Options.BlankRows is not set.
const DefaultBlankRows = 15

// InstructionsSheet is the name of the sheet of instructions.
const InstructionsSheet = "Hướng dẫn"

// Options say whose template to write.
type Options struct {
	Forms     *forms.Set
	Year      int
	Commune   *registry.Unit
	Province  *registry.Unit
	District  *registry.Unit   // before 2025 only; may be nil
	Hamlets   []receipt.Hamlet // prefilled Biểu 01 rows, in this order; may be empty
	BlankRows int              // empty Biểu 01 rows when Hamlets is empty; 0 = DefaultBlankRows
	// Deadlines give the commune's own due dates, which the instructions
	// state (not the province's report dates: a commune must upload
	// earlier). Nil: loaded from schemas/deadlines.
	Deadlines *deadlines.Set
}

// Rows of a form sheet. The title block is above the header; the reader
// takes every text above the header as the title.
const (
	rowTitleLeft1  = 1 // ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
	rowTitleLeft2  = 2 // XÃ … | Độc lập - Tự do - Hạnh phúc
	rowFormTitle   = 4 // BIỂU 01: … NĂM 2026
	rowPlace       = 5 // Xã …, Tỉnh … — Mã xã: 01864
	rowGroupHeader = 7 // group labels, merged across their fields
	rowLabelHeader = 8 // field labels
	rowFirstData   = 9
)

// Column is one column of a form sheet.
type Column struct {
	Col   int          // 1-based
	Field *forms.Field // nil for the STT column
}

// Sheet is one form sheet as laid out by Write.
type Sheet struct {
	Name       string
	Form       *forms.Form
	Columns    []Column // STT first, then the form's fields in schema order
	HeaderRows [2]int   // group row, label row
	FirstData  int      // first data row
	LastData   int      // last data row (FirstData for a commune form)
	TotalsRow  int      // the "Tổng cộng" row; 0 when the form has none
	Hamlets    []receipt.Hamlet
}

// Column returns the 1-based column of a field code, or 0.
func (s *Sheet) Column(code string) int {
	for _, c := range s.Columns {
		if c.Field != nil && c.Field.Code == code {
			return c.Col
		}
	}
	return 0
}

// Cell returns the A1 reference of a field's cell in a sheet row, or "" when
// the sheet has no such field.
func (s *Sheet) Cell(row int, code string) string {
	c := s.Column(code)
	if c == 0 {
		return ""
	}
	return ref(c, row)
}

// Layout tells where Write puts everything, without writing: which sheet
// holds which form, which column holds which field, and the data rows.
func Layout(opts Options) ([]Sheet, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	var out []Sheet
	for _, f := range opts.Forms.Forms {
		s := Sheet{Name: sheetName(f), Form: f, HeaderRows: [2]int{rowGroupHeader, rowLabelHeader}, FirstData: rowFirstData}
		s.Columns = append(s.Columns, Column{Col: 1})
		for _, fd := range f.Fields {
			if !fd.Read() || !fd.AppliesTo(opts.Year) || (fd.Identity && f.Grain == "hamlet") {
				continue
			}
			s.Columns = append(s.Columns, Column{Col: len(s.Columns) + 1, Field: fd})
		}
		if f.Grain == "hamlet" {
			n := len(opts.Hamlets)
			if n == 0 {
				n = opts.BlankRows
				if n <= 0 {
					n = DefaultBlankRows
				}
			}
			s.Hamlets = opts.Hamlets
			s.LastData = s.FirstData + n - 1
			s.TotalsRow = s.LastData + 1
		} else {
			s.LastData = s.FirstData
		}
		out = append(out, s)
	}
	return out, nil
}

func (o Options) check() error {
	switch {
	case o.Forms == nil || len(o.Forms.Forms) == 0:
		return errors.New("template: no forms")
	case o.Commune == nil || o.Province == nil:
		return errors.New("template: commune and province are required")
	case o.Year < 1000 || o.Year > 9999:
		return fmt.Errorf("template: year %d is not a 4-digit year", o.Year)
	}
	return nil
}

// sheetName is the form's short name: "Biểu 01" from
// "Biểu 01: Kết quả …", else the form code.
func sheetName(f *forms.Form) string {
	name, _, ok := strings.Cut(f.Title, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || len([]rune(name)) > 31 || strings.ContainsAny(name, `[]:*?/\`) {
		return f.Code
	}
	return name
}

// docCreated is the fixed creation time written into docProps/core.xml so
// the same inputs always give the same bytes.
const docCreated = "2025-01-01T00:00:00Z"

// Write writes the template. The output depends only on opts: the same
// options give the same bytes.
func Write(w io.Writer, opts Options) error {
	sheets, err := Layout(opts)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	st, err := newStyles(x)
	if err != nil {
		return err
	}
	for i, s := range sheets {
		if i == 0 {
			err = x.SetSheetName("Sheet1", s.Name)
		} else {
			_, err = x.NewSheet(s.Name)
		}
		if err != nil {
			return fmt.Errorf("template: sheet %q: %w", s.Name, err)
		}
		if err := writeForm(x, st, &s, opts); err != nil {
			return fmt.Errorf("template: sheet %q: %w", s.Name, err)
		}
	}
	if _, err := x.NewSheet(InstructionsSheet); err != nil {
		return fmt.Errorf("template: sheet %q: %w", InstructionsSheet, err)
	}
	if err := writeInstructions(x, st, sheets, opts); err != nil {
		return fmt.Errorf("template: instructions: %w", err)
	}
	x.SetActiveSheet(0)
	full := true
	if err := x.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: &full}); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	err = x.SetDocProps(&excelize.DocProperties{
		Title:          fmt.Sprintf("Biểu mẫu xã hội học tập %d – %s (%s)", opts.Year, opts.Commune.Name, opts.Commune.Code),
		Subject:        "Báo cáo kết quả xây dựng xã hội học tập",
		Creator:        "xhht",
		LastModifiedBy: "xhht",
		Language:       "vi-VN",
		Created:        docCreated,
		Modified:       docCreated,
	})
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	return x.Write(w)
}

func ref(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
}

func colName(col int) string {
	s, _ := excelize.ColumnNumberToName(col)
	return s
}

// writeForm lays out one form sheet: title block, header, data rows,
// totals, notes and signatures.
func writeForm(x *excelize.File, st *styles, s *Sheet, o Options) error {
	sh := s.Name
	last := len(s.Columns)
	e := &errs{}

	// Column widths.
	e.do(x.SetColWidth(sh, "A", "A", 6))
	for _, c := range s.Columns[1:] {
		w := c.Field.Width
		if w <= 0 {
			w = 14
		}
		e.do(x.SetColWidth(sh, colName(c.Col), colName(c.Col), w))
	}

	// Title block: two blocks side by side, the form title and the place.
	leftEnd := min(3, last)
	rightStart := max(leftEnd+1, last-5)
	block := func(row, c1, c2 int, text string, style int) {
		if c2 > c1 {
			e.do(x.MergeCell(sh, ref(c1, row), ref(c2, row)))
		}
		e.do(x.SetCellStr(sh, ref(c1, row), text))
		e.do(x.SetCellStyle(sh, ref(c1, row), ref(c1, row), style))
	}
	block(rowTitleLeft1, 1, leftEnd, "ỦY BAN NHÂN DÂN", st.titleBold)
	block(rowTitleLeft2, 1, leftEnd, strings.ToUpper(o.Commune.Name), st.titleBold)
	if rightStart <= last {
		block(rowTitleLeft1, rightStart, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st.titleBold)
		block(rowTitleLeft2, rightStart, last, "Độc lập - Tự do - Hạnh phúc", st.titleMotto)
	}
	block(rowFormTitle, 1, last, fmt.Sprintf("%s NĂM %d", strings.ToUpper(s.Form.Title), o.Year), st.formTitle)
	block(rowPlace, 1, last, placeLine(o), st.place)
	e.do(x.SetRowHeight(sh, rowFormTitle, 36))

	// Header: group labels merged across their fields, field labels below;
	// STT and fields without a group merged over both rows.
	e.do(x.SetRowHeight(sh, rowGroupHeader, 32))
	e.do(x.SetRowHeight(sh, rowLabelHeader, 64))
	e.do(x.SetCellStyle(sh, ref(1, rowGroupHeader), ref(last, rowLabelHeader), st.header))
	e.do(x.SetCellStr(sh, ref(1, rowGroupHeader), "STT"))
	e.do(x.MergeCell(sh, ref(1, rowGroupHeader), ref(1, rowLabelHeader)))
	for i := 1; i < len(s.Columns); {
		c := s.Columns[i]
		g := s.Form.GroupOf(c.Field)
		if g == nil {
			e.do(x.SetCellStr(sh, ref(c.Col, rowGroupHeader), c.Field.Label))
			e.do(x.MergeCell(sh, ref(c.Col, rowGroupHeader), ref(c.Col, rowLabelHeader)))
			i++
			continue
		}
		j := i
		for j < len(s.Columns) && s.Columns[j].Field.Group == c.Field.Group {
			e.do(x.SetCellStr(sh, ref(s.Columns[j].Col, rowLabelHeader), s.Columns[j].Field.Label))
			j++
		}
		e.do(x.SetCellStr(sh, ref(c.Col, rowGroupHeader), g.Label))
		if end := s.Columns[j-1].Col; end > c.Col {
			e.do(x.MergeCell(sh, ref(c.Col, rowGroupHeader), ref(end, rowGroupHeader)))
		}
		i = j
	}

	// Data rows.
	for row := s.FirstData; row <= s.LastData; row++ {
		for _, c := range s.Columns {
			e.do(x.SetCellStyle(sh, ref(c.Col, row), ref(c.Col, row), st.forField(c.Field)))
		}
	}
	switch s.Form.Grain {
	case "hamlet":
		nameCol := s.Column("ten_thon")
		for i := 0; i <= s.LastData-s.FirstData; i++ {
			row := s.FirstData + i
			if i < len(s.Hamlets) {
				h := s.Hamlets[i]
				e.do(x.SetCellInt(sh, ref(1, row), int64(i+1)))
				if c := s.Column("ma_thon"); c > 0 && h.Code != "" {
					e.do(x.SetCellStr(sh, ref(c, row), h.Code))
				}
				if nameCol > 0 {
					e.do(x.SetCellStr(sh, ref(nameCol, row), h.Name))
				}
				continue
			}
			// An empty row numbers itself once a name is written, and
			// is blank (so never read) until then.
			if nameCol > 0 {
				nc := ref(nameCol, row)
				e.do(x.SetCellFormula(sh, ref(1, row), fmt.Sprintf(`IF(TRIM(%s)="","",ROW()-%d)`, nc, s.FirstData-1)))
			}
		}
	default:
		e.do(x.SetCellInt(sh, ref(1, s.FirstData), 1))
		if c := s.Column("ma_xa"); c > 0 {
			e.do(x.SetCellStr(sh, ref(c, s.FirstData), o.Commune.Code))
		}
		if c := s.Column("ten_xa"); c > 0 {
			e.do(x.SetCellStr(sh, ref(c, s.FirstData), o.Commune.Name))
		}
	}

	// Totals: a SUM per count column, a count of "Có" per yes/no column.
	if s.TotalsRow > 0 {
		tr := s.TotalsRow
		labelEnd := 1
		for _, c := range s.Columns[1:] {
			if c.Field.Type != forms.Text {
				break
			}
			labelEnd = c.Col
		}
		e.do(x.SetCellStyle(sh, ref(1, tr), ref(last, tr), st.totalText))
		e.do(x.SetCellStr(sh, ref(1, tr), "Tổng cộng"))
		if labelEnd > 1 {
			e.do(x.MergeCell(sh, ref(1, tr), ref(labelEnd, tr)))
		}
		for _, c := range s.Columns[1:] {
			rng := fmt.Sprintf("%s:%s", ref(c.Col, s.FirstData), ref(c.Col, s.LastData))
			switch c.Field.Type {
			case forms.Count:
				e.do(x.SetCellFormula(sh, ref(c.Col, tr), "SUM("+rng+")"))
				e.do(x.SetCellStyle(sh, ref(c.Col, tr), ref(c.Col, tr), st.totalNum))
			case forms.Bool:
				e.do(x.SetCellFormula(sh, ref(c.Col, tr), `COUNTIF(`+rng+`,"Có")`))
				e.do(x.SetCellStyle(sh, ref(c.Col, tr), ref(c.Col, tr), st.totalNum))
			}
		}
		e.do(x.SetRowHeight(sh, tr, 22))
	}

	// Data validation on the data cells.
	for _, c := range s.Columns[1:] {
		dv, err := validation(c.Field)
		if err != nil {
			return err
		}
		if dv == nil {
			continue
		}
		dv.Sqref = fmt.Sprintf("%s:%s", ref(c.Col, s.FirstData), ref(c.Col, s.LastData))
		e.do(x.AddDataValidation(sh, dv))
	}

	// Notes and signatures. The notes line starts with "Ghi chú:", which the
	// reader takes as the end of the table, so nothing below is read as data.
	row := s.LastData + 2
	if s.TotalsRow > 0 {
		row = s.TotalsRow + 2
	}
	notes := "Ghi chú: Ô để trống là chưa báo cáo; có số liệu bằng 0 thì ghi 0. " +
		"Số liệu là số nguyên từ 0 trở lên; các cột (Có/Không) chọn Có hoặc Không. " +
		"Không sửa dòng tiêu đề cột. Xem trang \"" + InstructionsSheet + "\"."
	if s.TotalsRow > 0 {
		notes += " Thêm thôn: chèn dòng phía trên dòng Tổng cộng."
	}
	block(row, 1, last, notes, st.note)
	e.do(x.SetRowHeight(sh, row, 34))
	row += 2
	if rightStart <= last {
		block(row, rightStart, last, "…, ngày … tháng … năm …", st.signItalic)
		block(row+1, 1, leftEnd, "Người lập biểu", st.signBold)
		block(row+1, rightStart, last, "TM. ỦY BAN NHÂN DÂN", st.signBold)
		block(row+2, 1, leftEnd, "(Ký, ghi rõ họ tên)", st.signItalic)
		block(row+2, rightStart, last, "CHỦ TỊCH", st.signBold)
		block(row+3, rightStart, last, "(Ký tên, đóng dấu)", st.signItalic)
	}

	// Frozen panes below the header; print on A4 landscape, one page wide.
	top := ref(1, s.FirstData)
	e.do(x.SetPanes(sh, &excelize.Panes{
		Freeze: true, YSplit: rowLabelHeader, TopLeftCell: top, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomLeft"}},
	}))
	landscape, a4, one, zero := "landscape", 9, 1, 0
	e.do(x.SetPageLayout(sh, &excelize.PageLayoutOptions{Orientation: &landscape, Size: &a4, FitToWidth: &one, FitToHeight: &zero}))
	fit := true
	e.do(x.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit}))
	e.do(x.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", Scope: sh,
		RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sh, rowGroupHeader, rowLabelHeader),
	}))
	return e.err
}

// placeLine is the line under the form title. The validator reads
// "Mã xã: NNNNN" there and compares it with the upload key.
func placeLine(o Options) string {
	parts := []string{o.Commune.Name}
	if o.District != nil {
		parts = append(parts, o.District.Name)
	}
	parts = append(parts, o.Province.Name)
	return strings.Join(parts, ", ") + " — Mã xã: " + o.Commune.Code
}

// validation is the data validation of a field's data cells, or nil.
func validation(fd *forms.Field) (*excelize.DataValidation, error) {
	dv := excelize.NewDataValidation(true)
	switch fd.Type {
	case forms.Count:
		if err := dv.SetRange(0, 1000000000, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
			return nil, err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "Số liệu không hợp lệ",
			"Ô này chỉ nhận số nguyên từ 0 trở lên, không ghi chữ hay đơn vị (ví dụ 245). Để trống nếu chưa báo cáo; ghi 0 nếu bằng 0.")
	case forms.Score:
		lo, hi := 0.0, 100.0
		if fd.Min != nil {
			lo = *fd.Min
		}
		if fd.Max != nil {
			hi = *fd.Max
		}
		if err := dv.SetRange(lo, hi, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween); err != nil {
			return nil, err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "Điểm không hợp lệ",
			fmt.Sprintf("Ghi số điểm từ %s đến %s (ví dụ 85 hoặc 85,5).", num(lo), num(hi)))
	case forms.Bool:
		if err := dv.SetDropList([]string{"Có", "Không"}); err != nil {
			return nil, err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "Chọn Có hoặc Không", "Chọn Có hoặc Không trong danh sách. Để trống nếu chưa báo cáo.")
	case forms.Enum:
		var vals []string
		for _, v := range fd.Values {
			vals = append(vals, v.Value)
		}
		if err := dv.SetDropList(vals); err != nil {
			return nil, fmt.Errorf("field %s: %w", fd.Code, err)
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "Giá trị không hợp lệ",
			"Chọn một giá trị trong danh sách: "+strings.Join(vals, "; ")+".")
	default:
		return nil, nil
	}
	return dv, nil
}

func num(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', -1, 64), ".", ",", 1)
}

// writeInstructions fills the instructions sheet.
func writeInstructions(x *excelize.File, st *styles, sheets []Sheet, o Options) error {
	sh := InstructionsSheet
	e := &errs{}
	e.do(x.SetColWidth(sh, "A", "A", 110))
	file := DefaultFileName(o.Commune.Code, o.Year)
	key := lake.UploadKey(lake.Key{Year: o.Year, Province: o.Province.Code, Commune: o.Commune.Code, File: file})
	var names []string
	for _, s := range sheets {
		names = append(names, "«"+s.Name+"»")
	}
	type line struct {
		text  string
		style int
	}
	lines := []line{
		{"HƯỚNG DẪN ĐIỀN VÀ NỘP BIỂU MẪU XÃ HỘI HỌC TẬP", st.formTitle},
		{fmt.Sprintf("Biểu mẫu của %s (mã xã %s), %s — năm báo cáo %d. Không dùng biểu này cho xã khác hoặc năm khác: hãy tạo biểu mới.",
			o.Commune.Name, o.Commune.Code, o.Province.Name, o.Year), st.text},
		{"", st.text},
		{"1. Cách điền", st.heading},
		{"• Tệp có các trang " + strings.Join(names, ", ") + ". Biểu 01: mỗi thôn, tổ dân phố ghi một dòng. Biểu 02: một dòng cho cả xã (mã xã và tên xã đã ghi sẵn, không sửa). Điền đủ các biểu rồi nộp cùng một tệp.", st.text},
		{"• Danh sách thôn đã ghi sẵn (nếu có) lấy từ lần nộp trước: kiểm tra lại tên; thôn đã sáp nhập thì xoá cả dòng; thôn mới thì chèn dòng phía trên dòng «Tổng cộng» để công thức tự cộng. Giữ nguyên «Mã thôn» đã có; thôn mới để trống mã, hệ thống tự cấp mã.", st.text},
		{"• Các cột số lượng: ghi số nguyên lớn hơn hoặc bằng 0, không ghi chữ, không ghi đơn vị (ghi 245, không ghi «245 hộ»). Số đăng ký và số được công nhận không được lớn hơn tổng số.", st.text},
		{"• Các cột (Có/Không): chọn Có hoặc Không trong danh sách thả xuống. Các cột kết quả đánh giá, xếp loại: chọn một giá trị trong danh sách.", st.text},
		{"• Ô để trống nghĩa là CHƯA BÁO CÁO; số 0 nghĩa là đã báo cáo và bằng 0. Nếu số liệu bằng 0 thì ghi 0, không để trống.", st.text},
		{"• Không đổi tên, không xoá, không gộp hay tách các ô tiêu đề cột; không đổi tên các trang tính; không sửa dòng tiêu đề có «Mã xã» và «NĂM».", st.text},
		{"• Giữ dòng «Tổng cộng»: dòng này có công thức tự cộng các thôn, không gõ đè số vào. Hệ thống đối chiếu dòng tổng cộng với tổng các thôn.", st.text},
		{"• Không cần tính tỷ lệ %: hệ thống tự tính từ số liệu.", st.text},
		{"", st.text},
		{"2. Cách nộp", st.heading},
		{"• Lưu tệp dạng Excel (.xlsx); có thể dùng Excel, LibreOffice hoặc WPS. Không lưu dạng .xls (Excel 97-2003).", st.text},
		{"• Tải tệp lên kho nộp báo cáo theo đường dẫn <năm>/<mã tỉnh>/<mã xã>/<tên tệp>: năm 4 chữ số, mã tỉnh 2 chữ số, mã xã 5 chữ số (giữ số 0 ở đầu).", st.text},
		{"• Đường dẫn của xã: " + key, st.code},
		{"• Kiểm tra trước khi nộp (không bắt buộc): xhht validate --key " + key + " " + file, st.code},
		{"• Sau khi nộp, hệ thống trả lời ngay: ĐƯỢC CHẤP NHẬN, hoặc danh sách lỗi kèm ô cần sửa (ví dụ «Ô E12»). Sửa rồi nộp lại; lần nộp sau thay thế lần nộp trước.", st.text},
	}
	dues, err := dueLines(o)
	if err != nil {
		return err
	}
	for _, d := range dues {
		lines = append(lines, line{d, st.text})
	}
	lines = append(lines, line{"• Tệp nhận sau hạn của xã vẫn được tiếp nhận nhưng ghi là nộp muộn.", st.text})
	for i, l := range lines {
		c := ref(1, i+1)
		if l.text != "" {
			e.do(x.SetCellStr(sh, c, l.text))
		}
		e.do(x.SetCellStyle(sh, c, c, l.style))
	}
	return e.err
}

// dueLines are the commune's due dates for the year's reports, from
// schemas/deadlines for its province: "before 00:00 on the due day" is
// also said as the last day to upload, which is what an official plans by.
func dueLines(o Options) ([]string, error) {
	dl := o.Deadlines
	if dl == nil {
		var err error
		if dl, err = deadlines.Load(); err != nil {
			return nil, fmt.Errorf("template: %w", err)
		}
	}
	var out []string
	for _, d := range dl.All() {
		due, err := dl.CommuneDue(o.Province.Code, d.ID, o.Year)
		if err != nil {
			return nil, fmt.Errorf("template: %w", err)
		}
		local := due.In(deadlines.ICT)
		out = append(out, fmt.Sprintf("• Hạn nộp của xã cho «%s năm %d»: trước 00 giờ 00 ngày %s, tức là nộp xong chậm nhất trong ngày %s.",
			d.NameVI, o.Year, local.Format("02/01/2006"), local.AddDate(0, 0, -1).Format("02/01/2006")))
	}
	return out, nil
}

// DefaultFileName is the file name the CLI writes and the instructions
// suggest for the upload: bieu-mau-<commune>-<year>.xlsx.
func DefaultFileName(commune string, year int) string {
	return fmt.Sprintf("bieu-mau-%s-%d.xlsx", commune, year)
}

// errs keeps the first error of a run of excelize calls.
type errs struct{ err error }

func (e *errs) do(err error) {
	if e.err == nil && err != nil {
		e.err = err
	}
}
