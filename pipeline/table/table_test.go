package table_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/internal/fixture"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/table"
	"github.com/xhht/xhht/pipeline/workbook"
)

func setup(t *testing.T) (*forms.Set, *table.Keywords) {
	t.Helper()
	set, err := forms.Load()
	if err != nil {
		t.Fatal(err)
	}
	kw, err := table.LoadKeywords()
	if err != nil {
		t.Fatal(err)
	}
	return set, kw
}

// find opens the bytes and locates the tables; a panic fails the test
// instead of killing the run.
func find(t *testing.T, name string, data []byte) (tables []*table.Table, issues []receipt.Issue, err error) {
	t.Helper()
	set, kw := setup(t)
	book, err := workbook.Open(name, data, workbook.DefaultLimits)
	if err != nil {
		t.Fatalf("workbook.Open: %v", err)
	}
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("table.Find panicked: %v", p)
		}
	}()
	return table.Find(book, set, kw)
}

func findOne(t *testing.T, name string, data []byte) *table.Table {
	t.Helper()
	tables, _, err := find(t, name, data)
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	if len(tables) != 1 {
		t.Fatalf("Find: %d tables, want 1", len(tables))
	}
	return tables[0]
}

// mapping gives column letter → field code.
func mapping(tb *table.Table) map[string]string {
	m := map[string]string{}
	for _, c := range tb.Columns {
		m[workbook.ColName(c.Col)] = c.Field.Code
	}
	return m
}

func rowNums(rows []workbook.Row) []int {
	out := []int{}
	for _, r := range rows {
		out = append(out, r.Num)
	}
	return out
}

// want01 is the Biểu 01 template column map, written out by hand.
var want01 = map[string]string{
	"B": "ten_thon", "C": "ho_tong", "D": "ho_dang_ky", "E": "ho_dat",
	"F": "dong_ho_tong", "G": "dong_ho_dang_ky", "H": "dong_ho_dat",
	"I": "cong_dong_dang_ky", "J": "cong_dong_dat", "K": "lao_dong_tong", "L": "cong_dan_dat",
}

func TestFindHeaderBelowTitleBlock(t *testing.T) {
	lay := fixture.Form{Rows: fixture.Hamlets01()}.Build()
	tb := findOne(t, "bao-cao.xlsx", fixture.XLSX(t, lay.G))
	if tb.Form.Code != "bieu01" || tb.Sheet != "Biểu 01" {
		t.Errorf("form %s on %q, want bieu01 on \"Biểu 01\"", tb.Form.Code, tb.Sheet)
	}
	if want := []int{5, 6}; !reflect.DeepEqual(tb.HeaderRows, want) {
		t.Errorf("HeaderRows = %v, want %v", tb.HeaderRows, want)
	}
	if got := mapping(tb); !reflect.DeepEqual(got, want01) {
		t.Errorf("columns = %v\nwant %v", got, want01)
	}
	// Row 7 holds (1) (2) …; rows 8-10 the hamlets; row 11 "Tổng cộng".
	if got := rowNums(tb.Data); !reflect.DeepEqual(got, []int{8, 9, 10}) {
		t.Errorf("data rows = %v, want [8 9 10]", got)
	}
	if got := rowNums(tb.Totals); !reflect.DeepEqual(got, []int{11}) {
		t.Errorf("totals rows = %v, want [11]", got)
	}
	for _, s := range []string{"UBND XÃ BẰNG THÀNH", "NĂM 2026", "Mã xã: 01864"} {
		found := false
		for _, ti := range tb.Title {
			if ti == s {
				found = true
			}
		}
		if !found {
			t.Errorf("title %q missing from %q", s, tb.Title)
		}
	}
	if len(tb.Issues) != 0 {
		t.Errorf("issues on a clean table: %+v", tb.Issues)
	}
}

func TestFindHeaderShapes(t *testing.T) {
	flat01 := map[string]string{
		"B": "ten_thon", "C": "ho_tong", "D": "ho_dang_ky", "E": "ho_dat",
		"F": "dong_ho_tong", "G": "dong_ho_dang_ky", "H": "dong_ho_dat",
		"I": "cong_dong_dang_ky", "J": "cong_dong_dat", "K": "lao_dong_tong", "L": "cong_dan_dat",
	}
	// Sub-aliases that only mean something under their group: "Tổng số"
	// under two groups, "Đăng ký" under three, "Đạt" under four.
	subs := []fixture.Col{
		{Head: "STT"}, {Head: "Thôn"},
		{Group: "Gia đình học tập", Head: "Tổng số"}, {Group: "Gia đình học tập", Head: "Đăng ký"}, {Group: "Gia đình học tập", Head: "Đạt"},
		{Group: "Dòng họ học tập", Head: "Tổng số"}, {Group: "Dòng họ học tập", Head: "Đăng ký"}, {Group: "Dòng họ học tập", Head: "Đạt"},
		{Group: "Cộng đồng học tập", Head: "Đăng ký"}, {Group: "Cộng đồng học tập", Head: "Đạt"},
		{Group: "Công dân học tập", Head: "Tổng số"}, {Group: "Công dân học tập", Head: "Đạt"},
	}
	xlsx := func(fm fixture.Form) []byte { return fixture.XLSX(t, fm.Build().G) }
	csvc := func(fm fixture.Form) []byte { return fixture.CSV(t, fm.Build().G, ',', false) }
	tests := []struct {
		name       string
		file       string
		data       []byte
		wantHeader []int
		wantCols   map[string]string
		wantData   []int
	}{
		{"one-row header, no title", "a.xlsx", xlsx(fixture.Form{Title: []string{}, Cols: fixture.Cols01Flat, Rows: fixture.Hamlets01(), NoColNums: true}),
			[]int{1}, flat01, []int{2, 3, 4}},
		{"one-row header under title", "a.xlsx", xlsx(fixture.Form{Cols: fixture.Cols01Flat, Rows: fixture.Hamlets01()}),
			[]int{5}, flat01, []int{7, 8, 9}},
		{"two-row header, merged groups", "a.xlsx", xlsx(fixture.Form{Rows: fixture.Hamlets01()}),
			[]int{5, 6}, want01, []int{8, 9, 10}},
		{"two-row header, sub-aliases by group", "a.xlsx", xlsx(fixture.Form{Cols: subs, Rows: fixture.Hamlets01()}),
			[]int{5, 6}, want01, []int{8, 9, 10}},
		{"two-row header in CSV, group only over its first column", "a.csv", csvc(fixture.Form{Rows: fixture.Hamlets01()}),
			[]int{5, 6}, want01, []int{8, 9, 10}},
		{"CSV sub-aliases by group", "a.csv", csvc(fixture.Form{Cols: subs, Rows: fixture.Hamlets01(), NoColNums: true}),
			[]int{5, 6}, want01, []int{7, 8, 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := findOne(t, tt.file, tt.data)
			if !reflect.DeepEqual(tb.HeaderRows, tt.wantHeader) {
				t.Errorf("HeaderRows = %v, want %v", tb.HeaderRows, tt.wantHeader)
			}
			if got := mapping(tb); !reflect.DeepEqual(got, tt.wantCols) {
				t.Errorf("columns = %v\nwant      %v", got, tt.wantCols)
			}
			if got := rowNums(tb.Data); !reflect.DeepEqual(got, tt.wantData) {
				t.Errorf("data rows = %v, want %v", got, tt.wantData)
			}
			for _, is := range tb.Issues {
				t.Errorf("unexpected issue %+v", is)
			}
		})
	}
}

// The abbreviations printed on many templates: CĐHT (Cộng đồng học tập)
// and CDHT (Công dân học tập) differ only by Đ/D.
func TestFindGroupAbbreviationsCDHTvsCDanHT(t *testing.T) {
	cols := []fixture.Col{
		{Head: "STT"}, {Head: "Tên thôn"},
		{Group: "GĐHT", Head: "Tổng số"}, {Group: "GĐHT", Head: "Đăng ký"}, {Group: "GĐHT", Head: "Đạt"},
		{Group: "DHHT", Head: "Tổng số"}, {Group: "DHHT", Head: "Đăng ký"}, {Group: "DHHT", Head: "Đạt"},
		{Group: "CĐHT", Head: "Đăng ký"}, {Group: "CĐHT", Head: "Đạt"},
		{Group: "CDHT", Head: "Tổng số"}, {Group: "CDHT", Head: "Đạt"},
	}
	tables, _, err := find(t, "a.xlsx", fixture.XLSX(t, fixture.Form{Cols: cols, Rows: fixture.Hamlets01()}.Build().G))
	if err != nil || len(tables) != 1 {
		t.Fatalf("Find: %d tables, %v", len(tables), err)
	}
	tb := tables[0]
	if got := mapping(tb); !reflect.DeepEqual(got, want01) {
		t.Errorf("columns = %v\nwant      %v", got, want01)
	}
	for _, is := range tb.Issues {
		t.Errorf("unexpected issue %s at %s: %s", is.Code, is.Cell, is.MessageEN)
	}
}

func TestColumnNumberRowSkipped(t *testing.T) {
	tests := []struct {
		name  string
		nums  []any // the row under the header; nil: none
		wantD []int
	}{
		{"(1) (2) (3) text", nil, []int{8, 9, 10}},
		{"1 2 3 as numbers", []any{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, []int{8, 9, 10}},
		{"1 2 3 as text", []any{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"}, []int{8, 9, 10}},
		{"A B C letters are not column numbers", []any{"A", "B", "C", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, []int{7, 8, 9, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lay := fixture.Form{Rows: fixture.Hamlets01()}.Build()
			if tt.nums != nil {
				lay.G.Rows[7] = tt.nums
			}
			tb := findOne(t, "a.xlsx", fixture.XLSX(t, lay.G))
			if got := rowNums(tb.Data); !reflect.DeepEqual(got, tt.wantD) {
				t.Errorf("data rows = %v, want %v", got, tt.wantD)
			}
		})
	}
}

func TestTotalsRow(t *testing.T) {
	tests := []struct {
		name       string
		fm         fixture.Form
		edit       func(l fixture.Layout)
		wantData   []int
		wantTotals []int
	}{
		{"at the bottom", fixture.Form{Rows: fixture.Hamlets01()}, nil, []int{8, 9, 10}, []int{11}},
		{"at the top", fixture.Form{Rows: fixture.Hamlets01(), TotalsTop: true}, nil, []int{9, 10, 11}, []int{8}},
		{"upper case", fixture.Form{Rows: fixture.Hamlets01()}, func(l fixture.Layout) { l.G.Put(l.TotalsRow, 2, "TỔNG CỘNG") }, []int{8, 9, 10}, []int{11}},
		{"Cộng in the STT cell, merged over the name", fixture.Form{Rows: fixture.Hamlets01()}, func(l fixture.Layout) {
			l.G.Put(l.TotalsRow, 1, "Cộng")
			l.G.Put(l.TotalsRow, 2, nil)
			l.G.Merges = append(l.G.Merges, fmt.Sprintf("A%d:B%d", l.TotalsRow, l.TotalsRow))
		}, []int{8, 9, 10}, []int{11}},
		{"Toàn xã", fixture.Form{Rows: fixture.Hamlets01()}, func(l fixture.Layout) { l.G.Put(l.TotalsRow, 2, "Toàn xã") }, []int{8, 9, 10}, []int{11}},
		{"none", fixture.Form{Rows: fixture.Hamlets01(), NoTotals: true}, nil, []int{8, 9, 10}, []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lay := tt.fm.Build()
			if tt.edit != nil {
				tt.edit(lay)
			}
			tb := findOne(t, "a.xlsx", fixture.XLSX(t, lay.G))
			if got := rowNums(tb.Data); !reflect.DeepEqual(got, tt.wantData) {
				t.Errorf("data rows = %v, want %v", got, tt.wantData)
			}
			if got := rowNums(tb.Totals); !reflect.DeepEqual(got, tt.wantTotals) {
				t.Errorf("totals rows = %v, want %v", got, tt.wantTotals)
			}
		})
	}
}

func TestFooterEndsTable(t *testing.T) {
	date := func(s string) [][]any {
		return [][]any{
			{nil, nil, nil, nil, nil, nil, nil, nil, s},
			{nil, "Người lập biểu", nil, nil, nil, nil, nil, nil, "TM. ỦY BAN NHÂN DÂN XÃ"},
			{nil, "Thôn Giả", 1, 1, 1},
		}
	}
	tests := []struct {
		name   string
		footer [][]any
	}{
		{"Người lập biểu", nil},
		{"NGƯỜI LẬP BIỂU in capitals", [][]any{{nil, "NGƯỜI LẬP BIỂU"}, {nil, "Thôn Giả", 1, 1, 1}}},
		{"TM. in the right-hand block only", [][]any{{nil, nil, nil, nil, nil, nil, nil, nil, "TM. ỦY BAN NHÂN DÂN XÃ"}, {nil, "Thôn Giả", 1, 1, 1}}},
		{"signing date with digits", date("Bằng Thành, ngày 5 tháng 1 năm 2027")},
		// Printed templates leave day and month to fill in by hand.
		{"signing date with dotted blanks", date("Bằng Thành, ngày ... tháng ... năm 2027")},
		{"signing date with ellipsis blanks", date("Bằng Thành, ngày … tháng … năm 2027")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lay := fixture.Form{Rows: fixture.Hamlets01(), NoTotals: true, Footer: tt.footer}.Build()
			tb := findOne(t, "a.xlsx", fixture.XLSX(t, lay.G))
			if got := rowNums(tb.Data); !reflect.DeepEqual(got, []int{8, 9, 10}) {
				t.Errorf("data rows = %v, want [8 9 10] (signature block at row %d)", got, lay.FooterRow)
			}
		})
	}
}

func TestKeywords(t *testing.T) {
	_, kw := setup(t)
	footers := []struct {
		text string
		want bool
	}{
		{"Người lập biểu", true},
		{"NGƯỜI LẬP BIỂU", true},
		{"Người tổng hợp", true},
		{"TM. UBND xã", true},
		{"KT. CHỦ TỊCH", true},
		{"Nơi nhận:", true},
		{"Bằng Thành, ngày 5 tháng 1 năm 2027", true},
		{"ngày 05 tháng 01 năm 2027", true},
		{"Bằng Thành, ngày ... tháng ... năm 2027", true},
		{"Bằng Thành, ngày … tháng … năm 2027", true},
		{"Thôn Nà Rì", false},
		{"Tổng cộng", false},
		{"", false},
		{"Tmạ", false},
	}
	for _, tt := range footers {
		if got := kw.IsFooter(tt.text); got != tt.want {
			t.Errorf("IsFooter(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
	totals := []struct {
		text string
		want bool
	}{
		{"Tổng cộng", true},
		{"TỔNG CỘNG", true},
		{"Cộng", true},
		{"Tổng số", true},
		{"Toàn xã", true},
		{" Tổng  cộng ", true},
		{"Thôn Tổng Cộng", false},
		{"Thôn Nà Rì", false},
		{"", false},
	}
	for _, tt := range totals {
		if got := kw.IsTotals(tt.text); got != tt.want {
			t.Errorf("IsTotals(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestHeaderIssues(t *testing.T) {
	tests := []struct {
		name      string
		extra     fixture.Col
		wantCode  string
		wantSev   string
		wantField string
	}{
		{"unknown column", fixture.Col{Head: "Số hộ nghèo"}, receipt.UnknownColumn, receipt.SevWarning, ""},
		{"duplicate column", fixture.Col{Head: "Tổng số hộ"}, receipt.DuplicateColumn, receipt.SevError, "ho_tong"},
		{"ignored column: Ghi chú", fixture.Col{Head: "Ghi chú"}, "", "", ""},
		{"ignored column: Tỷ lệ %", fixture.Col{Head: "Tỷ lệ %"}, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols := append(append([]fixture.Col{}, fixture.Cols01...), tt.extra)
			var rows [][]any
			for _, h := range fixture.Hamlets01() {
				rows = append(rows, append(h, 7))
			}
			tb := findOne(t, "a.xlsx", fixture.XLSX(t, fixture.Form{Cols: cols, Rows: rows}.Build().G))
			if got := mapping(tb); !reflect.DeepEqual(got, want01) {
				t.Errorf("columns = %v", got)
			}
			if tt.wantCode == "" {
				if len(tb.Issues) != 0 {
					t.Errorf("issues = %+v, want none", tb.Issues)
				}
				return
			}
			if len(tb.Issues) != 1 {
				t.Fatalf("issues = %+v, want one %s", tb.Issues, tt.wantCode)
			}
			is := tb.Issues[0]
			// Column M (13), last header row 6.
			if is.Code != tt.wantCode || is.Severity != tt.wantSev || is.Cell != "M6" || is.Row != 6 || is.Field != tt.wantField || is.Value != tt.extra.Head {
				t.Errorf("issue = %+v, want %s %s at M6 field %q value %q", is, tt.wantCode, tt.wantSev, tt.wantField, tt.extra.Head)
			}
			if is.Message == "" || is.MessageEN == "" || !strings.Contains(is.Message, "M") {
				t.Errorf("messages = %q / %q", is.Message, is.MessageEN)
			}
		})
	}
}

func TestFindSheets(t *testing.T) {
	instructions := fixture.NewGrid("Hướng dẫn")
	instructions.Put(1, 1, "HƯỚNG DẪN ĐIỀN BIỂU")
	instructions.Put(2, 1, "1. Cột Tên thôn: ghi đầy đủ tên thôn, tổ dân phố.")
	instructions.Put(3, 1, "2. Cột Tổng số hộ: ghi số hộ trên địa bàn thôn.")
	instructions.Put(4, 1, "3. Số hộ được công nhận: theo quyết định của UBND xã.")
	instructions.Put(6, 1, "Tên thôn")
	instructions.Put(6, 2, "Ghi chú")

	hidden := fixture.Form{Sheet: "Bản cũ", Hidden: true, Rows: fixture.Hamlets01()[:1]}.Build().G
	visible := fixture.Form{Rows: fixture.Hamlets01()}.Build().G
	b02 := fixture.Form{Sheet: "Biểu 02", Cols: fixture.Cols02, Rows: [][]any{fixture.Row02()}, NoTotals: true, NoColNums: true,
		Title: []string{"BIỂU 02: KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP CẤP XÃ", "NĂM 2026"}}.Build().G
	copy01 := fixture.Form{Sheet: "Biểu 01 (2)", Rows: fixture.Hamlets01()[:2]}.Build().G

	type want struct {
		sheet, form string
		data        []int
	}
	tests := []struct {
		name       string
		sheets     []*fixture.Grid
		want       []want
		wantIssues []string // codes from Find
	}{
		{"instruction sheet first is ignored", []*fixture.Grid{instructions, visible},
			[]want{{"Biểu 01", "bieu01", []int{8, 9, 10}}}, nil},
		{"hidden sheet first is ignored", []*fixture.Grid{hidden, visible},
			[]want{{"Biểu 01", "bieu01", []int{8, 9, 10}}}, nil},
		{"only a hidden form: nothing found", []*fixture.Grid{instructions, hidden}, nil, nil},
		{"Biểu 02 beside Biểu 01", []*fixture.Grid{visible, b02},
			[]want{{"Biểu 01", "bieu01", []int{8, 9, 10}}, {"Biểu 02", "bieu02", []int{5}}}, nil},
		{"Biểu 02 first", []*fixture.Grid{b02, instructions, visible},
			[]want{{"Biểu 02", "bieu02", []int{5}}, {"Biểu 01", "bieu01", []int{8, 9, 10}}}, nil},
		{"the same form twice: first sheet read, warning", []*fixture.Grid{visible, copy01},
			[]want{{"Biểu 01", "bieu01", []int{8, 9, 10}}}, []string{receipt.DuplicateForm}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := fixture.XLSX(t, tt.sheets...)
			book, err := workbook.Open("a.xlsx", data, workbook.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			for i, g := range tt.sheets {
				if book.Sheets[i].Hidden != g.Hidden {
					t.Fatalf("fixture: sheet %q hidden = %v, want %v", g.Name, book.Sheets[i].Hidden, g.Hidden)
				}
			}
			tables, issues, err := find(t, "a.xlsx", data)
			if err != nil {
				t.Fatal(err)
			}
			var got []want
			for _, tb := range tables {
				got = append(got, want{tb.Sheet, tb.Form.Code, rowNums(tb.Data)})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("tables = %+v\nwant %+v", got, tt.want)
			}
			var codes []string
			for _, is := range issues {
				codes = append(codes, is.Code)
				if is.Severity != receipt.SevWarning || is.Sheet != "Biểu 01 (2)" {
					t.Errorf("issue %+v: want a warning on sheet \"Biểu 01 (2)\"", is)
				}
			}
			if !reflect.DeepEqual(codes, tt.wantIssues) {
				t.Errorf("issues = %v, want %v", codes, tt.wantIssues)
			}
		})
	}
}

func TestFindBieu02Columns(t *testing.T) {
	lay := fixture.Form{Sheet: "Biểu 02", Cols: fixture.Cols02, Rows: [][]any{fixture.Row02()}, NoTotals: true,
		Title: []string{"BIỂU 02", "NĂM 2026"}}.Build()
	tb := findOne(t, "a.xlsx", fixture.XLSX(t, lay.G))
	want := map[string]string{
		"B": "ten_xa", "C": "don_vi_tong", "D": "don_vi_dang_ky", "E": "don_vi_dat",
		"F": "can_bo_tong", "G": "can_bo_cong_dan_dat", "H": "cong_dong_xa_ket_qua",
		"I": "tthtcd_xep_loai", "J": "tthtcd_so_lop", "K": "tthtcd_luot_nguoi_hoc", "L": "tthtcd_ung_dung_cntt",
		"M": "hoi_vien_tong", "N": "hoi_vien_tap_huan",
	}
	if tb.Form.Code != "bieu02" {
		t.Fatalf("form %s, want bieu02", tb.Form.Code)
	}
	if got := mapping(tb); !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v\nwant      %v", got, want)
	}
	if got := rowNums(tb.Data); !reflect.DeepEqual(got, []int{6}) {
		t.Errorf("data rows = %v, want [6]", got)
	}
}

func TestTooManyRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("STT,Tên thôn,Tổng số hộ,Số hộ được công nhận\n")
	n := table.MaxDataRows + 10
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,Thôn %d,10,5\n", i, i)
	}
	tb := findOne(t, "a.csv", []byte(b.String()))
	if len(tb.Data) != table.MaxDataRows {
		t.Errorf("kept %d rows, want %d", len(tb.Data), table.MaxDataRows)
	}
	if len(tb.Issues) != 1 || tb.Issues[0].Code != receipt.TooManyRows || tb.Issues[0].Severity != receipt.SevError {
		t.Fatalf("issues = %+v, want one too-many-rows error", tb.Issues)
	}
	// Header is line 1, data lines 2…5001; line 5002 is one too many.
	if tb.Issues[0].Row != table.MaxDataRows+2 {
		t.Errorf("issue row = %d, want %d", tb.Issues[0].Row, table.MaxDataRows+2)
	}
}

func TestNoFormInSheet(t *testing.T) {
	g := fixture.NewGrid("Danh sách hộ")
	g.Put(1, 1, "Họ và tên")
	g.Put(1, 2, "Năm sinh")
	g.Put(1, 3, "Địa chỉ")
	for r := 2; r < 50; r++ {
		g.Put(r, 1, fmt.Sprintf("Người %d", r))
		g.Put(r, 2, 1960+r)
		g.Put(r, 3, "Thôn Nà Rì")
	}
	tables, issues, err := find(t, "a.xlsx", fixture.XLSX(t, g))
	if err != nil || len(tables) != 0 || len(issues) != 0 {
		t.Errorf("Find = %d tables, %v, %v; want nothing", len(tables), issues, err)
	}
}

// A damaged merge reference (column letters beyond XFD that overflow an
// int) must not crash the header reader.
func TestHostileMergeRefDoesNotPanic(t *testing.T) {
	data := fixture.XLSX(t, fixture.Form{Rows: fixture.Hamlets01()}.Build().G)
	data = rewritePart(t, data, "xl/worksheets/sheet1.xml", func(s string) string {
		return strings.Replace(s, "<mergeCell ", `<mergeCell ref="ZZZZZZZZZZZZZZ5:A6"/><mergeCell `, 1)
	})
	book, err := workbook.Open("a.xlsx", data, workbook.DefaultLimits)
	if err != nil {
		return // refusing the file is fine
	}
	set, kw := setup(t)
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("table.Find panicked on merge ref ZZZZZZZZZZZZZZ5: %v", p)
		}
	}()
	_, _, _ = table.Find(book, set, kw)
}

// rewritePart returns the zip with one part's text changed.
func rewritePart(t *testing.T, data []byte, name string, edit func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	found := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			found = true
			b = []byte(edit(string(b)))
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("no part %s", name)
	}
	return out.Bytes()
}

// sub is the part of a subtotal a test pins down.
type sub struct {
	Row     int
	Members []int
	Group   string
	Top     bool
}

func subs(tb *table.Table) []sub {
	out := []sub{}
	for _, s := range tb.Subtotals {
		out = append(out, sub{s.Row.Num, s.Members, s.Group, s.Top})
	}
	return out
}

// Groups of hamlets: group header rows, subtotals at the bottom or at the
// top of their group. Title rows 1–4, header 5–6, (1) (2) … on row 7, data
// from row 8. Expected rows written out by hand from each layout.
func TestGroupsAndSubtotals(t *testing.T) {
	h := fixture.Hamlets4()
	L := fixture.Labelled
	g1, g2, all := fixture.SumGroup1, fixture.SumGroup2, fixture.SumAll4
	head := func(label string) []any { return []any{label} } // a row with a label and no numbers
	tests := []struct {
		name       string
		fm         fixture.Form
		edit       func(g *fixture.Grid)
		wantData   []int
		wantGroups []int
		wantSubs   []sub
		wantTotals []int
	}{
		{"group headers, subtotal at the bottom of each group",
			fixture.Form{STT: []any{nil, 1, 2, nil, nil, 3, 4, nil},
				Rows:   [][]any{head("Cụm 1"), h[0], h[1], L("Cộng cụm 1", g1), head("Cụm 2"), h[2], h[3], L("Cộng cụm 2", g2)},
				Totals: L("", all)}, nil,
			[]int{9, 10, 13, 14}, []int{8, 12},
			[]sub{{11, []int{9, 10}, "Cụm 1", false}, {15, []int{13, 14}, "Cụm 2", false}}, []int{16}},
		{"Roman-numbered group rows carrying the subtotal at the top",
			fixture.Form{STT: []any{"I", 1, 2, "II", 3, 4},
				Rows:   [][]any{L("Khu vực thị trấn", g1), h[0], h[1], L("Khu vực nông thôn", g2), h[2], h[3]},
				Totals: L("", all)}, nil,
			[]int{9, 10, 12, 13}, []int{},
			[]sub{{8, []int{9, 10}, "Khu vực thị trấn", true}, {11, []int{12, 13}, "Khu vực nông thôn", true}}, []int{14}},
		{"Cộng row right under its group header covers the rows below",
			fixture.Form{STT: []any{"I", nil, 1, 2, "II", nil, 3, 4},
				Rows:   [][]any{head("Cụm 1"), L("Cộng cụm 1", g1), h[0], h[1], head("Cụm 2"), L("Cộng cụm 2", g2), h[2], h[3]},
				Totals: L("", all)}, nil,
			[]int{10, 11, 14, 15}, []int{8, 12},
			[]sub{{9, []int{10, 11}, "Cụm 1", true}, {13, []int{14, 15}, "Cụm 2", true}}, []int{16}},
		{"Cụm rows with numbers after their hamlets close them",
			fixture.Form{STT: []any{1, 2, nil, 3, 4, nil},
				Rows:   [][]any{h[0], h[1], L("Cụm 1", g1), h[2], h[3], L("Cụm 2", g2)},
				Totals: L("", all)}, nil,
			[]int{8, 9, 11, 12}, []int{},
			[]sub{{10, []int{8, 9}, "Cụm 1", false}, {13, []int{11, 12}, "Cụm 2", false}}, []int{14}},
		{"Cụm rows with numbers before their hamlets open them",
			fixture.Form{STT: []any{nil, 1, 2, nil, 3, 4},
				Rows:   [][]any{L("Cụm 1", g1), h[0], h[1], L("Cụm 2", g2), h[2], h[3]},
				Totals: L("", all)}, nil,
			[]int{9, 10, 12, 13}, []int{},
			[]sub{{8, []int{9, 10}, "Cụm 1", true}, {11, []int{12, 13}, "Cụm 2", true}}, []int{14}},
		{"I. Khu vực … merged across the row is a group header",
			fixture.Form{STT: []any{"I. Khu vực thị trấn", 1, 2, "II. Khu vực nông thôn", 3, 4},
				Rows:   [][]any{{}, h[0], h[1], {}, h[2], h[3]},
				Totals: L("", all)},
			func(g *fixture.Grid) { g.Merges = append(g.Merges, "A8:L8", "A11:L11") },
			[]int{9, 10, 12, 13}, []int{8, 11}, []sub{}, []int{14}},
		{"letters and lower-case Roman numerals",
			fixture.Form{STT: []any{"A", 1, 2, "b", 3, 4},
				Rows:   [][]any{L("Vùng thấp", g1), h[0], h[1], L("Vùng cao", g2), h[2], h[3]},
				Totals: L("", all)}, nil,
			[]int{9, 10, 12, 13}, []int{},
			[]sub{{8, []int{9, 10}, "Vùng thấp", true}, {11, []int{12, 13}, "Vùng cao", true}}, []int{14}},
		{"Cộng I and Tổng khu A close the rows above",
			fixture.Form{STT: []any{1, 2, nil, 3, 4, nil},
				Rows:   [][]any{h[0], h[1], L("Cộng I", g1), h[2], h[3], L("Tổng khu A", g2)},
				Totals: L("", all)}, nil,
			[]int{8, 9, 11, 12}, []int{},
			[]sub{{10, []int{8, 9}, "Cộng I", false}, {13, []int{11, 12}, "Tổng khu A", false}}, []int{14}},
		{"totals at the top, then Roman-numbered groups",
			fixture.Form{TotalsTop: true, STT: []any{"I", 1, 2, "II", 3, 4},
				Rows:   [][]any{L("Khu vực I", g1), h[0], h[1], L("Khu vực II", g2), h[2], h[3]},
				Totals: L("", all)}, nil,
			[]int{10, 11, 13, 14}, []int{},
			[]sub{{9, []int{10, 11}, "Khu vực I", true}, {12, []int{13, 14}, "Khu vực II", true}}, []int{8}},
		// Failure paths of the rules: what must stay a hamlet.
		{"hamlets numbered I, II, III are hamlets",
			fixture.Form{STT: []any{"I", "II", "III"}, Rows: fixture.Hamlets01()}, nil,
			[]int{8, 9, 10}, []int{}, []sub{}, []int{11}},
		{"hamlets numbered a, b, c are hamlets",
			fixture.Form{STT: []any{"a", "b", "c"}, Rows: fixture.Hamlets01()}, nil,
			[]int{8, 9, 10}, []int{}, []sub{}, []int{11}},
		{"hamlets numbered 1, 2, 3 stay hamlets whatever their names",
			fixture.Form{Rows: [][]any{L("Khu vực 1", g1), L("Cụm 2", g2), L("Vùng 3", g1)}, NoTotals: true}, nil,
			[]int{8, 9, 10}, []int{}, []sub{}, []int{}},
		{"a hamlet without STT and without numbers stays a hamlet",
			fixture.Form{STT: []any{1, nil}, Rows: [][]any{h[0], head("Thôn E")}, NoTotals: true}, nil,
			[]int{8, 9}, []int{}, []sub{}, []int{}},
		{"Cộng with a word that is no group stays a hamlet",
			fixture.Form{STT: []any{1, nil}, Rows: [][]any{h[0], L("Cộng Hòa", g1)}, NoTotals: true}, nil,
			[]int{8, 9}, []int{}, []sub{}, []int{}},
		{"a letter in the name cell is no group",
			fixture.Form{STT: []any{1, "A"}, Rows: [][]any{h[0], L("B", g1)}, NoTotals: true}, nil,
			[]int{8, 9}, []int{}, []sub{}, []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lay := tt.fm.Build()
			if tt.edit != nil {
				tt.edit(lay.G)
			}
			tb := findOne(t, "a.xlsx", fixture.XLSX(t, lay.G))
			if got := rowNums(tb.Data); !reflect.DeepEqual(got, tt.wantData) {
				t.Errorf("data rows = %v, want %v", got, tt.wantData)
			}
			if got := rowNums(tb.GroupRows); !reflect.DeepEqual(got, tt.wantGroups) {
				t.Errorf("group rows = %v, want %v", got, tt.wantGroups)
			}
			if got := subs(tb); !reflect.DeepEqual(got, tt.wantSubs) {
				t.Errorf("subtotals = %+v\nwant        %+v", got, tt.wantSubs)
			}
			if got := rowNums(tb.Totals); !reflect.DeepEqual(got, tt.wantTotals) {
				t.Errorf("totals rows = %v, want %v", got, tt.wantTotals)
			}
			if tb.STTCol != 1 {
				t.Errorf("STT column %d, want 1", tb.STTCol)
			}
		})
	}
}

// Without an STT column the label decides.
func TestGroupsWithoutSTTColumn(t *testing.T) {
	h := fixture.Hamlets4()
	L := fixture.Labelled
	lay := fixture.Form{Cols: fixture.Cols01[1:], NoColNums: true,
		Rows: [][]any{h[0], h[1], L("Khu vực I", fixture.SumGroup1), h[2], h[3], L("Khu vực II", fixture.SumGroup2)},
	}.Build()
	tb := findOne(t, "a.xlsx", fixture.XLSX(t, lay.G))
	// Title rows 1–4, header rows 5–6, no "(1) (2)" row: data from row 7.
	if tb.STTCol != 0 {
		t.Errorf("STT column %d, want none", tb.STTCol)
	}
	if got := rowNums(tb.Data); !reflect.DeepEqual(got, []int{7, 8, 10, 11}) {
		t.Errorf("data rows = %v, want [7 8 10 11]", got)
	}
	want := []sub{{9, []int{7, 8}, "Khu vực I", false}, {12, []int{10, 11}, "Khu vực II", false}}
	if got := subs(tb); !reflect.DeepEqual(got, want) {
		t.Errorf("subtotals = %+v\nwant        %+v", got, want)
	}
}

func TestSubtotalAndGroupKeywords(t *testing.T) {
	_, kw := setup(t)
	subtotal := []struct {
		text string
		want bool
	}{
		{"Cộng cụm 1", true},
		{"CỘNG CỤM 1", true},
		{"Cong cum 1", true},
		{"Tổng cụm 2", true},
		{"Cộng khu A", true},
		{"Cộng khu vực II", true},
		{"Tổng cộng cụm 3", true},
		{"Cộng I", true},
		{"Cộng (II)", true},
		{"Cộng 2", true},
		{"Tổng cộng", false}, // the grand total
		{"Cộng", false},
		{"Cộng toàn xã", false},
		{"Cộng Hòa", false},
		{"Cụm 1", false},
		{"Thôn Cộng cụm", false},
		{"", false},
	}
	for _, tt := range subtotal {
		if got := kw.IsSubtotal(tt.text); got != tt.want {
			t.Errorf("IsSubtotal(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
	group := []struct {
		text string
		want bool
	}{
		{"Cụm 1", true},
		{"CỤM 2", true},
		{"Khu vực I", true},
		{"Khu vực thị trấn", true},
		{"Vùng cao", true},
		{"Nhóm 3", true},
		{"Khu 5", false}, // "Khu" names hamlets in many provinces
		{"Thôn Cụm", false},
		{"Cụmx", false},
		{"", false},
	}
	for _, tt := range group {
		if got := kw.IsGroupLabel(tt.text); got != tt.want {
			t.Errorf("IsGroupLabel(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// Header wording seen in real files: split over lines inside the cell,
// abbreviations, case, diacritics and spacing. One flat header row.
func TestHeaderVariants(t *testing.T) {
	tests := []struct {
		name  string
		heads []string // columns B…E
		want  map[string]string
	}{
		{"line breaks inside cells", []string{"Tên thôn,\ntổ dân phố", "Tổng số\nhộ", "Số hộ\nđăng ký", "Số hộ được\r\ncông nhận"},
			map[string]string{"B": "ten_thon", "C": "ho_tong", "D": "ho_dang_ky", "E": "ho_dat"}},
		{"abbreviations", []string{"Thôn, bản", "TS hộ", "Số hộ ĐK", "Số hộ được CN"},
			map[string]string{"B": "ten_thon", "C": "ho_tong", "D": "ho_dang_ky", "E": "ho_dat"}},
		{"SL and Hộ GĐHT", []string{"Tên thôn", "SL hộ", "SL hộ đăng ký", "SL hộ đạt"},
			map[string]string{"B": "ten_thon", "C": "ho_tong", "D": "ho_dang_ky", "E": "ho_dat"}},
		{"Hộ GĐHT", []string{"Tên thôn", "Tổng số hộ", "Hộ ĐK", "Hộ GĐHT"},
			map[string]string{"B": "ten_thon", "C": "ho_tong", "D": "ho_dang_ky", "E": "ho_dat"}},
		{"capitals, no diacritics, extra spaces", []string{"TÊN THÔN", "tong so ho", "  Số  hộ   đăng ký ", "SO HO DAT"},
			map[string]string{"B": "ten_thon", "C": "ho_tong", "D": "ho_dang_ky", "E": "ho_dat"}},
		{"units in brackets", []string{"Tên thôn", "Tổng số hộ (hộ)", "Số hộ đăng ký (hộ)", "Số hộ đạt (hộ)"},
			map[string]string{"B": "ten_thon", "C": "ho_tong", "D": "ho_dang_ky", "E": "ho_dat"}},
		// Failure path: a header that is no field stays unmapped.
		{"unknown wording is not guessed", []string{"Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ đạt"},
			map[string]string{"B": "ten_thon", "C": "ho_tong", "E": "ho_dat"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols := []fixture.Col{{Head: "STT"}}
			for _, h := range tt.heads {
				cols = append(cols, fixture.Col{Head: h})
			}
			rows := [][]any{{"Thôn Nà Rì", 120, 110, 100}}
			for _, data := range []struct {
				file string
				b    []byte
			}{
				{"a.xlsx", fixture.XLSX(t, fixture.Form{Cols: cols, Rows: rows, NoTotals: true}.Build().G)},
				{"a.csv", fixture.CSV(t, fixture.Form{Cols: cols, Rows: rows, NoTotals: true}.Build().G, ';', true)},
			} {
				tb := findOne(t, data.file, data.b)
				if got := mapping(tb); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("%s: columns = %v\nwant %v", data.file, got, tt.want)
				}
			}
		})
	}
}

// rateMap gives column letter → rate code.
func rateMap(tb *table.Table) map[string]string {
	m := map[string]string{}
	for _, r := range tb.Rates {
		m[workbook.ColName(r.Col)] = r.Rate.Code
	}
	return m
}

func TestRateColumns(t *testing.T) {
	GD, DH, CD, CDan := fixture.GroupGD, fixture.GroupDH, fixture.GroupCD, fixture.GroupCDan
	tests := []struct {
		name      string
		cols      []fixture.Col
		wantCols  map[string]string
		wantRates map[string]string
	}{
		{"a Tỷ lệ % under each group",
			[]fixture.Col{{Head: "STT"}, {Head: "Tên thôn"},
				{Group: GD, Head: "Tổng số"}, {Group: GD, Head: "Đăng ký"}, {Group: GD, Head: "Được công nhận"}, {Group: GD, Head: "Tỷ lệ %"},
				{Group: DH, Head: "Tổng số"}, {Group: DH, Head: "Đạt"}, {Group: DH, Head: "Tỷ lệ (%)"},
				{Group: CD, Head: "Đạt"}, {Group: CD, Head: "Tỷ lệ %"},
				{Group: CDan, Head: "Tổng số"}, {Group: CDan, Head: "Đạt"}, {Group: CDan, Head: "%"}},
			map[string]string{"B": "ten_thon", "C": "ho_tong", "D": "ho_dang_ky", "E": "ho_dat", "G": "dong_ho_tong", "H": "dong_ho_dat", "J": "cong_dong_dat", "L": "lao_dong_tong", "M": "cong_dan_dat"},
			map[string]string{"F": "ty_le_ho_dat", "I": "ty_le_dong_ho_dat", "K": "ty_le_thon_dat", "N": "ty_le_cong_dan_dat"}},
		{"registered and recognised rates",
			[]fixture.Col{{Head: "STT"}, {Head: "Tên thôn"},
				{Group: GD, Head: "Tổng số"}, {Group: GD, Head: "Đăng ký"}, {Group: GD, Head: "Tỷ lệ đăng ký"}, {Group: GD, Head: "Được công nhận"}, {Group: GD, Head: "Tỷ lệ đạt"}},
			map[string]string{"B": "ten_thon", "C": "ho_tong", "D": "ho_dang_ky", "F": "ho_dat"},
			map[string]string{"E": "ty_le_ho_dang_ky", "G": "ty_le_ho_dat"}},
		{"a rate named in full in a flat header",
			[]fixture.Col{{Head: "STT"}, {Head: "Tên thôn"}, {Head: "Tổng số hộ"}, {Head: "Số hộ đạt"}, {Head: "Tỷ lệ hộ đạt GĐHT"}},
			map[string]string{"B": "ten_thon", "C": "ho_tong", "D": "ho_dat"},
			map[string]string{"E": "ty_le_ho_dat"}},
		// Failure path: a bare "Tỷ lệ %" with no group above is not guessed.
		{"a bare Tỷ lệ % in a flat header stays ignored",
			[]fixture.Col{{Head: "STT"}, {Head: "Tên thôn"}, {Head: "Tổng số hộ"}, {Head: "Số hộ đạt"}, {Head: "Tỷ lệ %"}},
			map[string]string{"B": "ten_thon", "C": "ho_tong", "D": "ho_dat"},
			map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := [][]any{make([]any, len(tt.cols)-1)}
			rows[0][0] = "Thôn Nà Rì"
			tb := findOne(t, "a.xlsx", fixture.XLSX(t, fixture.Form{Cols: tt.cols, Rows: rows, NoTotals: true}.Build().G))
			if got := mapping(tb); !reflect.DeepEqual(got, tt.wantCols) {
				t.Errorf("columns = %v\nwant %v", got, tt.wantCols)
			}
			if got := rateMap(tb); !reflect.DeepEqual(got, tt.wantRates) {
				t.Errorf("rates = %v\nwant %v", got, tt.wantRates)
			}
			for _, is := range tb.Issues {
				t.Errorf("unexpected issue %s at %s: %s", is.Code, is.Cell, is.MessageEN)
			}
		})
	}
}

// A three-row header: group, then each count's own header, then "SL" and
// "Tỷ lệ %" under the registered and recognised counts.
func TestThreeRowHeaderWithRates(t *testing.T) {
	g := fixture.NewGrid("Biểu 01")
	g.Put(1, 1, "STT")
	g.Put(1, 2, "Tên thôn")
	g.Put(1, 3, "Gia đình học tập")
	g.Put(2, 3, "Tổng số hộ")
	g.Put(2, 4, "Số hộ đăng ký")
	g.Put(2, 6, "Số hộ được công nhận")
	for c, s := range map[int]string{4: "SL", 5: "Tỷ lệ %", 6: "SL", 7: "Tỷ lệ %"} {
		g.Put(3, c, s)
	}
	g.Merges = []string{"A1:A3", "B1:B3", "C1:G1", "C2:C3", "D2:E2", "F2:G2"}
	g.Rows[4] = []any{1, "Thôn Nà Rì", 120, 110, "91,67", 100, "83,33"}
	tb := findOne(t, "a.xlsx", fixture.XLSX(t, g))
	if !reflect.DeepEqual(tb.HeaderRows, []int{1, 2, 3}) {
		t.Errorf("header rows %v, want [1 2 3]", tb.HeaderRows)
	}
	if got, want := mapping(tb), map[string]string{"B": "ten_thon", "C": "ho_tong", "D": "ho_dang_ky", "F": "ho_dat"}; !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v, want %v", got, want)
	}
	if got, want := rateMap(tb), map[string]string{"E": "ty_le_ho_dang_ky", "G": "ty_le_ho_dat"}; !reflect.DeepEqual(got, want) {
		t.Errorf("rates = %v, want %v", got, want)
	}
	if got := rowNums(tb.Data); !reflect.DeepEqual(got, []int{4}) {
		t.Errorf("data rows %v, want [4]", got)
	}
}

func TestMergesAreKept(t *testing.T) {
	lay := fixture.Form{Rows: fixture.Hamlets01()}.Build()
	lay.G.Merges = append(lay.G.Merges, "C8:C9")
	tb := findOne(t, "a.xlsx", fixture.XLSX(t, lay.G))
	found := false
	for _, m := range tb.Merges {
		if m == (workbook.Range{Row1: 8, Col1: 3, Row2: 9, Col2: 3}) {
			found = true
		}
	}
	if !found {
		t.Errorf("merge C8:C9 not in %v", tb.Merges)
	}
}

// Three-row headers whose third row only refines the second: the third
// row belongs to the header, not to the data.
func TestThreeRowHeaderTieBreaks(t *testing.T) {
	tests := []struct {
		name   string
		row2   map[int]string
		row3   map[int]string
		merges []string
		want   map[string]string
	}{
		// "SL" under each count: rows 1–2 map the same fields, but only
		// rows 1–3 understand row 3.
		{"SL under each count", map[int]string{3: "Tổng số hộ", 4: "Đăng ký", 5: "Được công nhận"}, map[int]string{4: "SL", 5: "SL"},
			[]string{"C2:C3"}, map[string]string{"B": "ten_thon", "C": "ho_tong", "D": "ho_dang_ky", "E": "ho_dat"}},
		// "Số hộ" merged over C:D repeats ho_tong in D unless row 3 is read.
		{"a merged header refined below", map[int]string{3: "Số hộ", 5: "Số hộ đạt"}, map[int]string{3: "Tổng số hộ", 4: "Ghi chú"},
			[]string{"C2:D2", "E2:E3"}, map[string]string{"B": "ten_thon", "C": "ho_tong", "E": "ho_dat"}},
		// Only "Tỷ lệ %" on row 3: rows 1–2 leave E unknown, rows 1–3
		// read it as the group's rate.
		{"a rate alone on the third row", map[int]string{3: "Tổng số hộ", 4: "Số hộ đạt"}, map[int]string{5: "Tỷ lệ %"},
			[]string{"C2:C3", "D2:D3"}, map[string]string{"B": "ten_thon", "C": "ho_tong", "D": "ho_dat"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := fixture.NewGrid("Biểu 01")
			g.Put(1, 1, "STT")
			g.Put(1, 2, "Tên thôn")
			g.Put(1, 3, "Gia đình học tập")
			for c, s := range tt.row2 {
				g.Put(2, c, s)
			}
			for c, s := range tt.row3 {
				g.Put(3, c, s)
			}
			g.Merges = append([]string{"A1:A3", "B1:B3", "C1:E1"}, tt.merges...)
			g.Rows[4] = []any{1, "Thôn Nà Rì", 120, 110, 100}
			tb := findOne(t, "a.xlsx", fixture.XLSX(t, g))
			if !reflect.DeepEqual(tb.HeaderRows, []int{1, 2, 3}) {
				t.Errorf("header rows %v, want [1 2 3]", tb.HeaderRows)
			}
			if got := mapping(tb); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("columns = %v, want %v", got, tt.want)
			}
			if got := rowNums(tb.Data); !reflect.DeepEqual(got, []int{4}) {
				t.Errorf("data rows %v, want [4]", got)
			}
		})
	}
}

// Two forms on one sheet (a commune that keeps Biểu 01 and Biểu 02 one
// under the other, or an HTML page read as one sheet) are both read: one
// was silently dropped before (the header search kept the one with more
// columns).
func TestTwoFormsOnOneSheet(t *testing.T) {
	b01 := "BIỂU 01\nSTT,Tên thôn,Tổng số hộ,Số hộ đăng ký,Số hộ được công nhận\n"
	b02 := "BIỂU 02\nTên xã,Tổng số đơn vị,Số đơn vị đăng ký,Số đơn vị được công nhận,Tổng số hội viên\nXã Bằng Thành,14,12,10,1120\n"
	hamlets := func(n int) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "%d,Thôn %d,100,90,80\n", i, i)
		}
		return b.String()
	}
	type want struct {
		form string
		data []int // row numbers
	}
	for _, tc := range []struct {
		name string
		csv  string
		want []want
	}{
		{"01 above 02, signature between, one screen", b01 + hamlets(2) + "Người lập biểu\n" + b02,
			[]want{{"bieu01", []int{3, 4}}, {"bieu02", []int{8}}}},
		{"02 above 01, no signature between", b02 + b01 + hamlets(2),
			[]want{{"bieu02", []int{3}}, {"bieu01", []int{6, 7}}}},
		{"01 of 40 hamlets, then 02 below its signature", b01 + hamlets(40) + "Người lập biểu\n,\n" + b02,
			[]want{{"bieu01", rowRange(3, 42)}, {"bieu02", []int{47}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tables, issues, err := find(t, "a.csv", []byte(tc.csv))
			if err != nil {
				t.Fatal(err)
			}
			if len(issues) != 0 {
				t.Errorf("issues %+v", issues)
			}
			if len(tables) != len(tc.want) {
				t.Fatalf("%d tables, want %d", len(tables), len(tc.want))
			}
			for i, w := range tc.want {
				if tables[i].Form.Code != w.form || !reflect.DeepEqual(rowNums(tables[i].Data), w.data) {
					t.Errorf("table %d: %s rows %v, want %s rows %v", i, tables[i].Form.Code, rowNums(tables[i].Data), w.form, w.data)
				}
			}
			// The lower table's title block is its own, not the upper table.
			if last := tables[len(tables)-1]; strings.Contains(strings.Join(last.Title, "|"), "Thôn") {
				t.Errorf("title of %s carries the table above: %q", last.Form.Code, last.Title)
			}
		})
	}
}

func rowRange(a, b int) []int {
	var r []int
	for i := a; i <= b; i++ {
		r = append(r, i)
	}
	return r
}
