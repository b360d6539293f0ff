package template

import (
	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/forms"
)

// font is the font of Vietnamese administrative documents (Unicode, not
// the legacy .VnTime).
const font = "Times New Roman"

// styles are the cell styles of the template, created once per file.
type styles struct {
	titleBold, titleMotto, formTitle, place int
	header                                  int
	text, code, count, score, center        int
	totalText, totalNum                     int
	note, signBold, signItalic, heading     int
}

func newStyles(x *excelize.File) (*styles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1},
		{Type: "bottom", Color: "000000", Style: 1},
	}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	left := &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}
	right := &excelize.Alignment{Horizontal: "right", Vertical: "center"}
	f := func(size float64, bold, italic bool) *excelize.Font {
		return &excelize.Font{Family: font, Size: size, Bold: bold, Italic: italic}
	}
	textFmt := "@"
	countFmt := "#,##0"
	st := &styles{}
	for _, s := range []struct {
		id    *int
		style excelize.Style
	}{
		{&st.titleBold, excelize.Style{Font: f(12, true, false), Alignment: center}},
		{&st.titleMotto, excelize.Style{Font: &excelize.Font{Family: font, Size: 12, Bold: true, Underline: "single"}, Alignment: center}},
		{&st.formTitle, excelize.Style{Font: f(14, true, false), Alignment: center}},
		{&st.place, excelize.Style{Font: f(12, false, true), Alignment: center}},
		{&st.header, excelize.Style{Font: f(11, true, false), Alignment: center, Border: border,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}},
		{&st.text, excelize.Style{Font: f(11, false, false), Alignment: left, Border: border}},
		{&st.code, excelize.Style{Font: f(11, false, false), Alignment: left, Border: border, CustomNumFmt: &textFmt}},
		{&st.count, excelize.Style{Font: f(11, false, false), Alignment: right, Border: border, CustomNumFmt: &countFmt}},
		{&st.score, excelize.Style{Font: f(11, false, false), Alignment: right, Border: border}},
		{&st.center, excelize.Style{Font: f(11, false, false), Alignment: center, Border: border}},
		{&st.totalText, excelize.Style{Font: f(11, true, false), Alignment: center, Border: border}},
		{&st.totalNum, excelize.Style{Font: f(11, true, false), Alignment: right, Border: border, CustomNumFmt: &countFmt}},
		{&st.note, excelize.Style{Font: f(11, false, true), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true}}},
		{&st.signBold, excelize.Style{Font: f(12, true, false), Alignment: center}},
		{&st.signItalic, excelize.Style{Font: f(12, false, true), Alignment: center}},
		{&st.heading, excelize.Style{Font: f(12, true, false), Alignment: left}},
	} {
		id, err := x.NewStyle(&s.style)
		if err != nil {
			return nil, err
		}
		*s.id = id
	}
	return st, nil
}

// forField is the style of a data cell: codes and names as text (so
// "01864" keeps its zero), counts right-aligned with thousands, choices
// centred. The STT column (nil field) is centred.
func (st *styles) forField(fd *forms.Field) int {
	switch {
	case fd == nil:
		return st.center
	case fd.Type == forms.Text && (fd.Code == "ma_xa" || fd.Code == "ma_thon"):
		return st.code
	case fd.Type == forms.Text:
		return st.text
	case fd.Type == forms.Count:
		return st.count
	case fd.Type == forms.Score:
		return st.score
	default:
		return st.center
	}
}
