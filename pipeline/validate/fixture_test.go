package validate_test

// Fixture builder shared (by copy) with the validate and ingest tests:
// workbooks as commune offices make them, with excelize. Keep the copies in
// pipeline/table, pipeline/validate and pipeline/ingest identical except for
// the package line.

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// grid is one sheet: cells by 1-based row number, from column A.
// Values: string (shared string), int, float64 (number), bool (boolean cell),
// nil or "" (blank).
type grid struct {
	Name   string
	Hidden bool
	Rows   map[int][]any
	Merges []string // "C5:E5"
}

func newGrid(name string) *grid { return &grid{Name: name, Rows: map[int][]any{}} }

// put sets one cell (1-based row and column).
func (g *grid) put(row, col int, v any) {
	r := g.Rows[row]
	for len(r) < col {
		r = append(r, nil)
	}
	r[col-1] = v
	g.Rows[row] = r
}

// get returns one cell (nil when absent).
func (g *grid) get(row, col int) any {
	r := g.Rows[row]
	if col < 1 || col > len(r) {
		return nil
	}
	return r[col-1]
}

func (g *grid) rowNums() []int {
	var ns []int
	for n := range g.Rows {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	return ns
}

func cellName(t testing.TB, row, col int) string {
	t.Helper()
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// xlsxBytes renders the sheets as an .xlsx file. Hidden sheets get
// state="hidden"; the first visible sheet is the active one.
func xlsxBytes(t testing.TB, sheets ...*grid) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, g := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", g.Name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(g.Name); err != nil {
			t.Fatal(err)
		}
		for _, rn := range g.rowNums() {
			for c, v := range g.Rows[rn] {
				ref := cellName(t, rn, c+1)
				var err error
				switch v := v.(type) {
				case nil:
				case string:
					if v != "" {
						err = f.SetCellStr(g.Name, ref, v)
					}
				case int:
					err = f.SetCellInt(g.Name, ref, int64(v))
				case float64:
					err = f.SetCellFloat(g.Name, ref, v, -1, 64)
				case bool:
					err = f.SetCellBool(g.Name, ref, v)
				default:
					t.Fatalf("fixture: unsupported cell value %T", v)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, m := range g.Merges {
			a, b, _ := strings.Cut(m, ":")
			if err := f.MergeCell(g.Name, a, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, g := range sheets {
		if !g.Hidden {
			f.SetActiveSheet(i)
			break
		}
	}
	for _, g := range sheets {
		if g.Hidden {
			if err := f.SetSheetVisible(g.Name, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// csvBytes renders one sheet as CSV: line n is row n (missing rows are
// empty lines), numbers as Vietnamese Excel would print them ("85,5").
func csvBytes(t testing.TB, g *grid, sep rune, bom bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if bom {
		buf.WriteString("\uFEFF")
	}
	w := csv.NewWriter(&buf)
	w.Comma = sep
	last := 0
	for _, rn := range g.rowNums() {
		for ; last+1 < rn; last++ {
			if err := w.Write([]string{""}); err != nil {
				t.Fatal(err)
			}
		}
		var rec []string
		for _, v := range g.Rows[rn] {
			switch v := v.(type) {
			case nil:
				rec = append(rec, "")
			case string:
				rec = append(rec, v)
			case int:
				rec = append(rec, fmt.Sprint(v))
			case float64:
				rec = append(rec, strings.Replace(fmt.Sprint(v), ".", ",", 1))
			case bool:
				rec = append(rec, strings.ToUpper(fmt.Sprint(v)))
			default:
				t.Fatalf("fixture: unsupported cell value %T", v)
			}
		}
		if len(rec) == 0 {
			rec = []string{""}
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		last = rn
	}
	w.Flush()
	return buf.Bytes()
}

// col is one column of a form fixture: group header (row 1 of a two-row
// header, merged over the group) and the column header.
type col struct{ group, head string }

const (
	gGD   = "Gia đình học tập (GĐHT)"
	gDH   = "Dòng họ học tập (DHHT)"
	gCD   = "Cộng đồng học tập cấp thôn (CĐHT)"
	gCDan = "Công dân học tập (CDHT)"
)

// cols01 is the printed Biểu 01 template: columns A…L.
//
//	A STT, B ten_thon, C ho_tong, D ho_dang_ky, E ho_dat, F dong_ho_tong,
//	G dong_ho_dang_ky, H dong_ho_dat, I cong_dong_dang_ky, J cong_dong_dat,
//	K lao_dong_tong, L cong_dan_dat
var cols01 = []col{
	{"", "STT"},
	{"", "Tên thôn, tổ dân phố"},
	{gGD, "Tổng số"}, {gGD, "Đăng ký"}, {gGD, "Được công nhận"},
	{gDH, "Tổng số"}, {gDH, "Đăng ký"}, {gDH, "Đạt"},
	{gCD, "Đăng ký (Có/Không)"}, {gCD, "Được công nhận (Có/Không)"},
	{gCDan, "Số người trong độ tuổi lao động"}, {gCDan, "Số người được công nhận"},
}

// cols01Flat is Biểu 01 with a one-row header of full names.
var cols01Flat = []col{
	{"", "STT"}, {"", "Tên thôn"}, {"", "Tổng số hộ"}, {"", "Số hộ đăng ký"}, {"", "Số hộ được công nhận"},
	{"", "Tổng số dòng họ"}, {"", "Số dòng họ đăng ký"}, {"", "Số dòng họ được công nhận"},
	{"", "Thôn đăng ký CĐHT"}, {"", "Thôn đạt CĐHT"},
	{"", "Số người trong độ tuổi lao động"}, {"", "Số công dân học tập"},
}

const (
	gDV  = "Đơn vị học tập (ĐVHT)"
	gCB  = "Công dân học tập trong các đơn vị"
	gXa  = "Cộng đồng học tập cấp xã"
	gTT  = "Trung tâm học tập cộng đồng (TTHTCĐ)"
	gHKH = "Hội Khuyến học xã"
)

// cols02 is the printed Biểu 02 template (2024 on): columns A…N.
//
//	A STT, B ten_xa, C don_vi_tong, D don_vi_dang_ky, E don_vi_dat,
//	F can_bo_tong, G can_bo_cong_dan_dat, H cong_dong_xa_ket_qua,
//	I tthtcd_xep_loai, J tthtcd_so_lop, K tthtcd_luot_nguoi_hoc,
//	L tthtcd_ung_dung_cntt, M hoi_vien_tong, N hoi_vien_tap_huan
var cols02 = []col{
	{"", "STT"}, {"", "Tên xã"},
	{gDV, "Tổng số"}, {gDV, "Đăng ký"}, {gDV, "Được công nhận"},
	{gCB, "Tổng số"}, {gCB, "Được công nhận"},
	{gXa, "Kết quả đánh giá (TT 25/2023)"},
	{gTT, "Xếp loại"}, {gTT, "Số lớp"}, {gTT, "Số lượt người học"}, {gTT, "Ứng dụng CNTT (Có/Không)"},
	{gHKH, "Tổng số hội viên"}, {gHKH, "Số hội viên được tập huấn"},
}

// row02 is a clean Biểu 02 row for cols02 (after STT).
func row02() []any {
	return []any{"Xã Bằng Thành", 20, 18, 15, 120, 90, "Mức độ 1", "Khá", 12, 480, "Có", 850, 300}
}

// form describes a form sheet; zero values give the usual layout:
// a four-line title block, a two-row header with merged groups, the
// "(1) (2) …" row, the data, "Tổng cộng" at the bottom, a blank row and a
// signature block.
type form struct {
	Sheet     string
	Title     []string // nil: title01; use []string{} for none
	Cols      []col    // nil: cols01
	Rows      [][]any  // values for the columns after STT; STT is numbered 1, 2, …
	Totals    []any    // nil: sums of the int cells (bool columns: "Có"/"x" counted)
	NoTotals  bool
	TotalsTop bool // totals row right under the header instead of at the bottom
	NoColNums bool
	NoFooter  bool
	Footer    [][]any // nil: the standard signature block
	Hidden    bool
}

func title01(year int, commune string) []string {
	return []string{
		"UBND XÃ BẰNG THÀNH",
		"BIỂU 01: KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP CẤP THÔN, TỔ DÂN PHỐ",
		fmt.Sprintf("NĂM %d", year),
		"Mã xã: " + commune,
	}
}

// layout says where build put things.
type layout struct {
	g          *grid
	headerRow  int // last header row
	firstData  int
	totalsRow  int // 0 when none
	footerRow  int // first signature row, 0 when none
	lastColumn int
}

func (fm form) build() layout {
	cols := fm.Cols
	if cols == nil {
		cols = cols01
	}
	title := fm.Title
	if title == nil {
		title = title01(2026, "01864")
	}
	name := fm.Sheet
	if name == "" {
		name = "Biểu 01"
	}
	g := newGrid(name)
	g.Hidden = fm.Hidden
	last := excelColName(len(cols))
	r := 1
	for _, s := range title {
		g.put(r, 1, s)
		g.Merges = append(g.Merges, fmt.Sprintf("A%d:%s%d", r, last, r))
		r++
	}
	twoRows := false
	for _, c := range cols {
		if c.group != "" {
			twoRows = true
		}
	}
	h1 := r
	hLast := h1
	if twoRows {
		hLast = h1 + 1
	}
	for i := 0; i < len(cols); i++ {
		c := cols[i]
		if c.group == "" || !twoRows {
			g.put(h1, i+1, c.head)
			if twoRows {
				g.Merges = append(g.Merges, fmt.Sprintf("%s%d:%s%d", excelColName(i+1), h1, excelColName(i+1), hLast))
			}
			continue
		}
		j := i
		for j+1 < len(cols) && cols[j+1].group == c.group {
			j++
		}
		g.put(h1, i+1, c.group)
		if j > i {
			g.Merges = append(g.Merges, fmt.Sprintf("%s%d:%s%d", excelColName(i+1), h1, excelColName(j+1), h1))
		}
		for k := i; k <= j; k++ {
			g.put(hLast, k+1, cols[k].head)
		}
		i = j
	}
	r = hLast + 1
	if !fm.NoColNums {
		for i := range cols {
			g.put(r, i+1, fmt.Sprintf("(%d)", i+1))
		}
		r++
	}
	stt := len(cols) > 0 && cols[0].head == "STT"
	off := 0
	if stt {
		off = 1
	}
	nameCol := off + 1
	totals := fm.Totals
	if totals == nil {
		totals = make([]any, len(cols)-off)
		sums := map[int]int{}
		isInt := map[int]bool{}
		for _, row := range fm.Rows {
			for i, v := range row {
				switch v := v.(type) {
				case int:
					sums[i] += v
					isInt[i] = true
				case string:
					if v == "Có" || v == "x" {
						sums[i]++
						isInt[i] = true
					}
				}
			}
		}
		for i := range totals {
			if isInt[i] {
				totals[i] = sums[i]
			}
		}
		if len(totals) > 0 {
			totals[0] = nil
		}
	}
	putTotals := func(row int) {
		for i, v := range totals {
			g.put(row, off+i+1, v)
		}
		g.put(row, nameCol, "Tổng cộng")
	}
	lay := layout{g: g, headerRow: hLast, lastColumn: len(cols)}
	if !fm.NoTotals && fm.TotalsTop {
		putTotals(r)
		lay.totalsRow = r
		r++
	}
	lay.firstData = r
	for i, row := range fm.Rows {
		if stt {
			g.put(r, 1, i+1)
		}
		for j, v := range row {
			g.put(r, off+j+1, v)
		}
		r++
	}
	if !fm.NoTotals && !fm.TotalsTop {
		putTotals(r)
		lay.totalsRow = r
		r++
	}
	if fm.NoFooter {
		return lay
	}
	r++ // a blank row before the signature block
	lay.footerRow = r
	footer := fm.Footer
	if footer == nil {
		footer = [][]any{
			{nil, "Người lập biểu", nil, nil, nil, nil, nil, nil, "TM. ỦY BAN NHÂN DÂN XÃ"},
			{nil, "(Ký, ghi rõ họ tên)", nil, nil, nil, nil, nil, nil, "CHỦ TỊCH"},
			{nil, "Nguyễn Văn An", 3, 4, nil, nil, nil, nil, "Hoàng Thị Bình"},
		}
	}
	for _, row := range footer {
		for j, v := range row {
			if v != nil {
				g.put(r, j+1, v)
			}
		}
		r++
	}
	return lay
}

func excelColName(c int) string {
	s, err := excelize.ColumnNumberToName(c)
	if err != nil {
		panic(err)
	}
	return s
}

// hamlets01 are three clean Biểu 01 rows (columns B…L).
func hamlets01() [][]any {
	return [][]any{
		{"Thôn Nà Rì", 120, 110, 100, 8, 8, 6, "Có", "Có", 210, 150},
		{"Thôn Khuổi Cái", 95, 90, 80, 5, 5, 4, "Có", "Không", 170, 100},
		{"Thôn Pác Chợ", 150, 140, 120, 10, 9, 7, "Không", "Không", 260, 130},
	}
}
