package main

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/legacy"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/template"
)

// Each function below makes one corpus file (see ../README.md for what it
// stands for and ../cases.json for what the receipt must say). Row numbers
// in the comments are the sheet rows the layout produces.

// title writes lines from row 1 in column left; "" leaves a row empty.
func title(s *sheet, left int, lines ...string) {
	for i, l := range lines {
		if l != "" {
			s.put(i+1, left, cell{v: l, bold: i < 2})
		}
	}
}

// ---------------------------------------------------------------------------
// The official template, filled.

// templateBook writes the template of a commune and year with the hamlets
// prefilled, and types the values in as an official would.
func templateBook(year int, commune string, hamlets []hamlet, b02 map[string]any) []byte {
	reg, err := registry.Load()
	must(err)
	v := reg.ForYear(year)
	c := v.Communes[commune]
	if c == nil {
		panic("no commune " + commune)
	}
	o := template.Options{Forms: forms.MustLoad(), Year: year, Commune: c, Province: v.Provinces[c.ProvinceCode]}
	if c.DistrictCode != "" {
		o.District = v.Districts[c.DistrictCode]
	}
	for i, hm := range hamlets {
		o.Hamlets = append(o.Hamlets, receipt.Hamlet{Code: fmt.Sprintf("%02d", i+1), Name: hm.name})
	}
	var buf bytes.Buffer
	must(template.Write(&buf, o))
	sheets, err := template.Layout(o)
	must(err)
	x, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	must(err)
	defer x.Close()
	setv := func(sh, ref string, v any) {
		switch v := v.(type) {
		case int:
			must(x.SetCellInt(sh, ref, int64(v)))
		case string:
			must(x.SetCellStr(sh, ref, v))
		}
	}
	for _, s := range sheets {
		if s.Form.Grain == "hamlet" {
			for i, hm := range hamlets {
				for _, code := range fields01 {
					if val, ok := hm.v[code]; ok {
						setv(s.Name, s.Cell(s.FirstData+i, code), val)
					}
				}
			}
			continue
		}
		for _, code := range slices.Sorted(maps.Keys(b02)) {
			ref := s.Cell(s.FirstData, code)
			if ref == "" {
				panic("Biểu 02 has no " + code)
			}
			setv(s.Name, ref, b02[code])
		}
	}
	buf.Reset()
	must(x.Write(&buf))
	return buf.Bytes()
}

// Biểu 02 of Xã Bằng Thành, 2026.
var b02BangThanh = map[string]any{
	"don_vi_tong": 14, "don_vi_dang_ky": 12, "don_vi_dat": 10, "can_bo_tong": 186, "can_bo_cong_dan_dat": 150,
	"cong_dong_xa_ket_qua": "Mức độ 1", "tthtcd_xep_loai": "Khá", "tthtcd_so_lop": 24, "tthtcd_luot_nguoi_hoc": 1350,
	"tthtcd_ung_dung_cntt": "Có", "hoi_vien_tong": 1120, "hoi_vien_tap_huan": 310,
}

// Biểu 02 of Phường Hoàng Văn Thụ, 2024.
var b02HoangVanThu = map[string]any{
	"don_vi_tong": 9, "don_vi_dang_ky": 8, "don_vi_dat": 7, "can_bo_tong": 142, "can_bo_cong_dan_dat": 120,
	"cong_dong_xa_ket_qua": "Mức độ 2", "tthtcd_xep_loai": "Tốt", "tthtcd_so_lop": 18, "tthtcd_luot_nguoi_hoc": 960,
	"tthtcd_ung_dung_cntt": "Có", "hoi_vien_tong": 870, "hoi_vien_tap_huan": 240,
}

func t01() []byte { return templateBook(2026, "01864", setA, b02BangThanh) }
func y01() []byte { return templateBook(2024, "05440", setD, b02HoangVanThu) }
func y02() []byte { return templateBook(2025, "01864", setA, b02BangThanh) }

// ---------------------------------------------------------------------------
// Layouts.

// l01: title and address blocks; the table starts at row 9, column C.
// Header C9:J10, "(1)…(8)" row 11, hamlets 12–16, "Tổng cộng" 17.
func l01() []byte {
	s := newSheet("Biểu 01")
	s.put(1, 1, cell{v: "UBND XÃ PHONG QUANG", bold: true})
	s.put(1, 8, cell{v: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold: true})
	s.put(2, 1, cell{v: "VĂN PHÒNG HĐND - UBND", bold: true})
	s.put(2, 8, cell{v: "Độc lập - Tự do - Hạnh phúc", bold: true})
	s.put(4, 1, cell{v: "BIỂU TỔNG HỢP KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP", bold: true})
	s.merge("A4", "J4")
	s.put(5, 1, "Năm 2026")
	s.merge("A5", "J5")
	s.put(6, 1, "Địa chỉ: UBND xã Phong Quang, tỉnh Thái Nguyên. Điện thoại: 0209 3870 123")
	s.put(7, 1, "Mã xã: 01849")
	lay := writeTable(s, tableOpts{top: 9, left: 3, hamlets: setB, colNums: "paren", totals: "bottom", border: true,
		cols: []column{stt(), name("Tên thôn"),
			fld(gGD, "Tổng số hộ", "ho_tong"), fld(gGD, "Số hộ đăng ký", "ho_dang_ky"), fld(gGD, "Số hộ được công nhận", "ho_dat"),
			fld(gDH, "Tổng số dòng họ", "dong_ho_tong"), fld(gDH, "Đăng ký", "dong_ho_dang_ky"), fld(gDH, "Được công nhận", "dong_ho_dat")}})
	signature(s, lay.next+1, 3, 8, "Phong Quang", nil)
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// l02: four sheets: instructions, last year's form (hidden), this year's
// form (third), a household list.
func l02() []byte {
	help := newSheet("Hướng dẫn")
	for i, l := range []string{
		"HƯỚNG DẪN ĐIỀN BIỂU",
		"1. Cột Tổng số hộ: ghi tổng số hộ gia đình của thôn tại thời điểm báo cáo.",
		"2. Cột Số hộ đăng ký: số hộ đăng ký danh hiệu Gia đình học tập.",
		"3. Cột Số hộ được công nhận: số hộ được UBND xã công nhận trong năm.",
		"4. Không sửa tên cột, không chèn cột.",
	} {
		help.put(i+1, 1, l)
	}
	old := newSheet("Năm 2025")
	old.hidden = true
	title(old, 1, "UBND XÃ BẰNG THÀNH", "KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP NĂM 2025")
	var last []hamlet
	for _, hm := range setA {
		last = append(last, h(hm.name, 100, 90, 80, 5, 5, 4, "Có", "Có", 200, 100))
	}
	writeTable(old, tableOpts{top: 4, left: 1, hamlets: last, totals: "bottom", cols: cols01(),
		override: map[string]any{"ho_tong": 999}})
	form := newSheet("Biểu 01")
	title(form, 1, "UBND XÃ BẰNG THÀNH", "KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP NĂM 2026")
	lay := writeTable(form, tableOpts{top: 4, left: 1, hamlets: setA, totals: "bottom", colNums: "paren", border: true, cols: cols01()})
	signature(form, lay.next+1, 2, 9, "Bằng Thành", nil)
	list := newSheet("Danh sách hộ")
	list.put(1, 1, "STT", "Họ và tên chủ hộ", "Thôn", "Năm được công nhận")
	owners := []string{"Hoàng Văn Tâm", "Nông Thị Hoa", "Lý Văn Sình", "Triệu Thị Mai", "Ma Văn Khánh", "Lường Thị Dung"}
	for i := 0; i < 30; i++ {
		list.put(i+2, 1, i+1, owners[i%len(owners)], setA[i%len(setA)].name, 2026-i%3)
	}
	return (&book{sheets: []*sheet{help, old, form, list}}).xlsx()
}

// l03: Xã Bằng Thành's figures typed into a sample another province's
// commune published (Xã Tân Phú, Nghệ An, 17272): its title still names
// that commune, by name alone. The phone number's area code in
// parentheses is no commune code. Header row 7, hamlets 8–13, totals 14.
func l03() []byte {
	s := newSheet("Biểu 01")
	s.put(1, 1, cell{v: "UBND XÃ TÂN PHÚ", bold: true})
	s.put(1, 7, cell{v: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold: true})
	s.put(2, 7, cell{v: "Độc lập - Tự do - Hạnh phúc", bold: true})
	s.put(4, 1, cell{v: "KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP CẤP THÔN NĂM 2026", bold: true})
	s.merge("A4", "L4")
	s.put(5, 1, "Điện thoại: (0238) 3870 123")
	lay := writeTable(s, tableOpts{top: 7, left: 1, hamlets: setA, totals: "bottom", border: true, cols: cols01()})
	signature(s, lay.next+1, 2, 9, "Bằng Thành", nil)
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// ---------------------------------------------------------------------------
// Headers.

func flat01() []column {
	return []column{stt(), name("Tên thôn"),
		fld("", "Tổng số hộ", "ho_tong"), fld("", "Số hộ đăng ký", "ho_dang_ky"), fld("", "Số hộ được công nhận", "ho_dat"),
		fld("", "Tổng số dòng họ", "dong_ho_tong"), fld("", "Số dòng họ đăng ký", "dong_ho_dang_ky"), fld("", "Số dòng họ được công nhận", "dong_ho_dat"),
		fld("", "Thôn đăng ký CĐHT", "cong_dong_dang_ky"), fld("", "Thôn đạt CĐHT", "cong_dong_dat"),
		fld("", "Số người trong độ tuổi lao động", "lao_dong_tong"), fld("", "Số công dân học tập", "cong_dan_dat")}
}

// h01: one header row (4), hamlets 5–10, "Cộng" 11.
func h01() []byte {
	s := newSheet("Sheet1")
	title(s, 1, "UBND XÃ BẰNG THÀNH", "KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026")
	writeTable(s, tableOpts{top: 4, left: 1, hamlets: setA, totals: "bottom", totalsLabel: "Cộng", cols: flat01()})
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// h02: two header rows (5–6) with merged groups and a "Tỷ lệ %" column
// written with one decimal; "(1)…" row 7, hamlets 8–12, totals 13.
func h02() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ PHONG QUANG", "BIỂU TỔNG HỢP KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP", "Năm 2026")
	writeTable(s, tableOpts{top: 5, left: 1, hamlets: setB, totals: "bottom", colNums: "paren", rateDec: 1, border: true,
		cols: []column{stt(), name("Tên thôn"),
			fld("Gia đình học tập", "Tổng số hộ", "ho_tong"), fld("Gia đình học tập", "Đăng ký", "ho_dang_ky"),
			fld("Gia đình học tập", "Đạt", "ho_dat"), rate("Gia đình học tập", "Tỷ lệ %", "ho_dat", "ho_tong"),
			fld("Dòng họ học tập", "Tổng số", "dong_ho_tong"), fld("Dòng họ học tập", "Đăng ký", "dong_ho_dang_ky"),
			fld("Dòng họ học tập", "Đạt", "dong_ho_dat")}})
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// h03: three header rows (4–6): group, field, and "SL | Tỷ lệ %" under
// "Số hộ được công nhận"; a "1 2 3 …" row of numbers (7); groups 8–12;
// "Toàn phường" 13. Rates with two decimals.
func h03() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND PHƯỜNG PHAN ĐÌNH PHÙNG", "BÁO CÁO KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP NĂM 2026")
	hd := func(r, c int, v string) { s.put(r, c, cell{v: v, bold: true, wrap: true, border: true}) }
	hd(4, 1, "STT")
	s.merge("A4", "A6")
	hd(4, 2, "Tên tổ dân phố")
	s.merge("B4", "B6")
	hd(4, 3, "Gia đình học tập (GĐHT)")
	s.merge("C4", "F4")
	hd(5, 3, "Tổng số hộ")
	s.merge("C5", "C6")
	hd(5, 4, "Số hộ đăng ký")
	s.merge("D5", "D6")
	hd(5, 5, "Số hộ được công nhận")
	s.merge("E5", "F5")
	hd(6, 5, "SL")
	hd(6, 6, "Tỷ lệ %")
	hd(4, 7, "Công dân học tập (CDHT)")
	s.merge("G4", "H4")
	hd(5, 7, "Số người trong độ tuổi lao động")
	s.merge("G5", "G6")
	hd(5, 8, "Số người được công nhận")
	s.merge("H5", "H6")
	for c := 1; c <= 8; c++ {
		s.put(7, c, cell{v: c, border: true})
	}
	row := func(r int, stt any, label string, hs []hamlet) {
		v := func(code string) any { n, _ := sum(hs, code); return n }
		ho, dat := v("ho_tong").(int), v("ho_dat").(int)
		s.put(r, 1, stt, label, v("ho_tong"), v("ho_dang_ky"), v("ho_dat"), round(float64(dat)/float64(ho)*100, 2), v("lao_dong_tong"), v("cong_dan_dat"))
	}
	for i, hm := range setC {
		row(8+i, i+1, hm.name, []hamlet{hm})
	}
	row(13, nil, "Toàn phường", setC)
	signature(s, 15, 2, 6, "Phan Đình Phùng", nil)
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// h04: wording variants, abbreviations, case, missing diacritics and
// double spaces; an unknown column F ("Số hộ nghèo"); "x"/blank for the
// yes/no columns. Header row 4, hamlets 5–10, "Tổng số" 11.
func h04() []byte {
	s := newSheet("Tổng hợp")
	title(s, 1, "UBND XÃ BẰNG THÀNH", "TỔNG HỢP XÂY DỰNG XHHT NĂM 2026")
	poor := []int{5, 3, 8, 2, 4, 6}
	x := func(v any) any {
		if v == "Có" {
			return "x"
		}
		return nil
	}
	var hs []hamlet
	for _, hm := range setA {
		c := hamlet{name: hm.name, v: map[string]any{}}
		for k, v := range hm.v {
			c.v[k] = v
		}
		c.v["cong_dong_dang_ky"], c.v["cong_dong_dat"] = x(hm.v["cong_dong_dang_ky"]), x(hm.v["cong_dong_dat"])
		if c.v["cong_dong_dang_ky"] == nil {
			delete(c.v, "cong_dong_dang_ky")
		}
		if c.v["cong_dong_dat"] == nil {
			delete(c.v, "cong_dong_dat")
		}
		hs = append(hs, c)
	}
	writeTable(s, tableOpts{top: 4, left: 1, hamlets: hs, totals: "bottom", totalsLabel: "Tổng số",
		cols: []column{{head: "TT", kind: kSTT}, name("TÊN THÔN"),
			fld("", "TS hộ", "ho_tong"), fld("", "so ho dang ky", "ho_dang_ky"), fld("", "Số hộ đạt GĐHT", "ho_dat"),
			{head: "Số hộ nghèo", kind: kExtra, extra: func(i int) any { return poor[i] }, sum: func() (any, bool) { return 28, true }},
			fld("", "TS dòng họ", "dong_ho_tong"), fld("", "Số dòng họ  ĐK", "dong_ho_dang_ky"), fld("", "Số DHHT", "dong_ho_dat"),
			fld("", "Đăng ký CĐHT", "cong_dong_dang_ky"), fld("", "Đạt CĐHT", "cong_dong_dat"),
			fld("", "Số người độ tuổi LĐ", "lao_dong_tong"), fld("", "SL công dân học tập", "cong_dan_dat")}})
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// h05: header cells broken over lines inside the cell (Alt+Enter).
// Header row 4, groups 5–9, totals 10.
func h05() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND PHƯỜNG PHAN ĐÌNH PHÙNG", "KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026")
	writeTable(s, tableOpts{top: 4, left: 1, hamlets: setC, totals: "bottom", border: true,
		cols: []column{stt(), name("Tên tổ\ndân phố"),
			fld("", "Tổng số\nhộ", "ho_tong"), fld("", "Số hộ\nđăng ký", "ho_dang_ky"), fld("", "Số hộ được\ncông nhận", "ho_dat"),
			fld("", "Số người trong\nđộ tuổi lao động", "lao_dong_tong"), fld("", "Số người đạt\nCông dân học tập", "cong_dan_dat")}})
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// ---------------------------------------------------------------------------
// Row numbers, totals and subtotals.

var roman = []string{"I", "II", "III", "IV", "V", "VI"}

// groupRows writes hamlets in groups, with the group's row above (top) or
// below each group, and the grand total at the end. Header rows 5–6, "(1)…"
// row 7, first row 8. It returns the row of each group row.
func groupRows(s *sheet, hs []hamlet, groups [][2]int, top bool, label func(g int) (any, string), override map[int]map[string]any) []int {
	cols := cols01()
	writeTable(s, tableOpts{top: 5, left: 1, cols: cols, colNums: "paren", border: true})
	r := 8
	var out []int
	sumRow := func(stt any, lbl string, part []hamlet, ov map[string]any) {
		s.put(r, 1, cell{v: stt, bold: true, border: true}, cell{v: lbl, bold: true, border: true})
		for j, c := range cols[2:] {
			n, _ := sum(part, c.code)
			var v any = n
			if x, ok := ov[c.code]; ok {
				v = x
			}
			s.put(r, 3+j, cell{v: v, bold: true, border: true})
		}
		r++
	}
	n := 0
	for g, span := range groups {
		part := hs[span[0]:span[1]]
		stt, lbl := label(g)
		if top {
			out = append(out, r)
			sumRow(stt, lbl, part, override[g])
		}
		for i, hm := range part {
			n++
			num := n
			if top {
				num = i + 1 // numbering restarts in each group
			}
			s.put(r, 1, cell{v: num, border: true}, cell{v: hm.name, border: true})
			for j, c := range cols[2:] {
				s.put(r, 3+j, cell{v: hm.v[c.code], border: true})
			}
			r++
		}
		if !top {
			out = append(out, r)
			sumRow(stt, lbl, part, override[g])
		}
	}
	out = append(out, r)
	sumRow(nil, "Tổng cộng", hs, nil)
	signature(s, r+1, 2, 9, "Bằng Thành", nil)
	return out
}

// r01: Roman-numbered group rows with the group's sums at the top of each
// group ("I Khu vực Bắc" row 8, hamlets 9–11; "II Khu vực Nam" 12, hamlets
// 13–15); numbering restarts at 1 in each group; "Tổng cộng" 16.
func r01() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ BẰNG THÀNH", "KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP NĂM 2026")
	names := []string{"Khu vực Bắc", "Khu vực Nam"}
	groupRows(s, setA, [][2]int{{0, 3}, {3, 6}}, true, func(g int) (any, string) { return roman[g], names[g] }, nil)
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// r02: every hamlet numbered in Roman numerals (I … V), no groups. One
// header row (4), hamlets 5–9, "Cộng" 10.
func r02() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ PHONG QUANG", "KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026")
	writeTable(s, tableOpts{top: 4, left: 1, hamlets: setB, totals: "bottom", totalsLabel: "Cộng",
		sttText: func(i int) any { return roman[i] },
		cols: []column{stt(), name("Tên thôn"),
			fld("", "Tổng số hộ", "ho_tong"), fld("", "Số hộ đăng ký", "ho_dang_ky"), fld("", "Số hộ đạt", "ho_dat"),
			fld("", "Tổng số dòng họ", "dong_ho_tong"), fld("", "Số dòng họ đăng ký", "dong_ho_dang_ky"), fld("", "Số dòng họ đạt", "dong_ho_dat")}})
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// s01: the totals row right under the header: header 5–6, "(1)…" 7,
// "Tổng cộng" 8, hamlets 9–14.
func s01() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ BẰNG THÀNH", "KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP NĂM 2026", "Mã xã: 01864")
	lay := writeTable(s, tableOpts{top: 5, left: 1, hamlets: setA, totals: "top", colNums: "paren", border: true, cols: cols01()})
	signature(s, lay.next+1, 2, 9, "Bằng Thành", nil)
	return (&book{sheets: []*sheet{s}}).xlsx()
}

func cols01GD() []column {
	return []column{stt(), name("Tên thôn"),
		fld(gGD, "Tổng số hộ", "ho_tong"), fld(gGD, "Đăng ký", "ho_dang_ky"), fld(gGD, "Được công nhận", "ho_dat"),
		fld(gDH, "Tổng số", "dong_ho_tong"), fld(gDH, "Đăng ký", "dong_ho_dang_ky"), fld(gDH, "Được công nhận", "dong_ho_dat")}
}

// s02: "Toàn xã" at the bottom (row 13) with households recognised typed
// as 589; the hamlets (8–12) add up to 579: E13 is wrong.
func s02() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ PHONG QUANG", "KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026")
	lay := writeTable(s, tableOpts{top: 5, left: 1, hamlets: setB, totals: "bottom", totalsLabel: "Toàn xã", colNums: "paren",
		border: true, cols: cols01GD(), override: map[string]any{"ho_dat": 589}})
	signature(s, lay.next+1, 2, 7, "Phong Quang", nil)
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// s03: subtotal rows "Cụm 1" (row 11, hamlets 8–10) and "Cụm 2" (row 15,
// hamlets 12–14) below their groups; "Tổng cộng" 16. All sums right.
func s03() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ BẰNG THÀNH", "KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP NĂM 2026")
	groupRows(s, setA, [][2]int{{0, 3}, {3, 6}}, false, func(g int) (any, string) { return nil, fmt.Sprintf("Cụm %d", g+1) }, nil)
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// s04: "Cộng cụm 1" (row 10, hamlets 8–9) right, "Cộng cụm 2" (row 14,
// hamlets 11–13) with households typed as 406 (the hamlets add up to 396):
// C14 is wrong; "Tổng cộng" 15 right.
func s04() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ PHONG QUANG", "KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026")
	cols := cols01GD()
	writeTable(s, tableOpts{top: 5, left: 1, cols: cols, colNums: "paren", border: true})
	r := 8
	put := func(stt any, lbl string, part []hamlet, ov map[string]any) {
		s.put(r, 1, stt, lbl)
		for j, c := range cols[2:] {
			n, _ := sum(part, c.code)
			var v any = n
			if x, ok := ov[c.code]; ok {
				v = x
			}
			s.put(r, 3+j, v)
		}
		r++
	}
	for i, hm := range setB[:2] {
		put(i+1, hm.name, []hamlet{hm}, nil)
	}
	put(nil, "Cộng cụm 1", setB[:2], nil)
	for i, hm := range setB[2:] {
		put(i+3, hm.name, []hamlet{hm}, nil)
	}
	put(nil, "Cộng cụm 2", setB[2:], map[string]any{"ho_tong": 406})
	put(nil, "Tổng cộng", setB, nil)
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// p01: a "Tỷ lệ %" column F (two decimals) right except F11 (Thôn Nặm Nhả,
// 52 of 65 = 80,00 %) typed as 90,00. Header 5–6, "(1)…" 7, hamlets 8–13,
// totals 14.
func p01() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ BẰNG THÀNH", "KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP NĂM 2026")
	cols := cols01()
	cols = append(cols[:5], append([]column{rate(gGD, "Tỷ lệ %", "ho_dat", "ho_tong")}, cols[5:]...)...)
	lay := writeTable(s, tableOpts{top: 5, left: 1, hamlets: setA, totals: "bottom", colNums: "paren", rateDec: 2, border: true, cols: cols})
	s.at(lay.rows[3], 6, func(c *cell) { c.v = 90.0 })
	signature(s, lay.next+1, 2, 9, "Bằng Thành", nil)
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// ---------------------------------------------------------------------------
// Signature blocks, blank rows, formulas.

// f01: blank bordered rows inside the data (after the 2nd and 4th group),
// a signature block, and a stray number row under the signatures.
// Header 5–6, rows 7, 8, (9 blank), 10, 11, (12 blank), 13; totals 14.
func f01() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND PHƯỜNG PHAN ĐÌNH PHÙNG", "KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026")
	lay := writeTable(s, tableOpts{top: 5, left: 1, hamlets: setC, totals: "bottom", border: true, blankAfter: map[int]bool{1: true, 3: true},
		cols: []column{stt(), name("Tên tổ dân phố"),
			fld(gGD, "Tổng số hộ", "ho_tong"), fld(gGD, "Số hộ đăng ký", "ho_dang_ky"), fld(gGD, "Số hộ được công nhận", "ho_dat"),
			fld(gCDa, "Số người trong độ tuổi lao động", "lao_dong_tong"), fld(gCDa, "Số người được công nhận", "cong_dan_dat")}})
	end := signature(s, lay.next+1, 2, 6, "Phan Đình Phùng", nil)
	s.put(end+1, 2, "Ghi nhớ: số hộ năm 2025", 1890, 1790, 1650)
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// f02src: formulas everywhere an office would have them: a hamlet's
// households "=50+62", a learning-citizen count "=ROUND(L9*0.58,0)", the
// rate "=ROUND(E/C*100,1)" in F, SUM and COUNTIF in the totals row 14.
// Saved by LibreOffice (office.go), which stores the results.
// Header 5–6, "(1)…" 7, hamlets 8–13, totals 14.
func f02src() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ BẰNG THÀNH", "KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP NĂM 2026")
	cols := cols01()
	cols = append(cols[:5], append([]column{rate(gGD, "Tỷ lệ %", "ho_dat", "ho_tong")}, cols[5:]...)...)
	lay := writeTable(s, tableOpts{top: 5, left: 1, hamlets: setA, totals: "bottom", colNums: "paren", rateDec: 1, border: true, cols: cols})
	for _, r := range append(lay.rows, lay.totalsRow) {
		s.at(r, 6, func(c *cell) { c.formula = fmt.Sprintf("ROUND(E%d/C%d*100,1)", r, r) })
	}
	s.at(lay.rows[0], 3, func(c *cell) { c.formula = "50+62" })
	s.at(lay.rows[1], 13, func(c *cell) { c.formula = fmt.Sprintf("ROUND(L%d*0.58,0)", lay.rows[1]) })
	totalFormulas(s, lay, []int{3, 4, 5, 7, 8, 9, 12, 13}, []int{10, 11})
	signature(s, lay.next+1, 2, 9, "Bằng Thành", nil)
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// totalFormulas writes the totals row as an office user does: SUM over the
// hamlets in each column of sum, COUNTIF(…,"Có") in each column of count.
func totalFormulas(s *sheet, lay tableLayout, sum, count []int) {
	first, last := lay.rows[0], lay.rows[len(lay.rows)-1]
	put := func(col int, format string) {
		cn, _ := excelize.ColumnNumberToName(col)
		f := fmt.Sprintf(format, cn, first, cn, last)
		s.at(lay.totalsRow, col, func(c *cell) { c.formula = f })
	}
	for _, col := range sum {
		put(col, "SUM(%s%d:%s%d)")
	}
	for _, col := range count {
		put(col, `COUNTIF(%s%d:%s%d,"Có")`)
	}
}

// s05: numbers typed as text under SUM totals, recalculated by LibreOffice:
// hamlets 8–13 (set A), "Tổng cộng" 14 with SUM and COUNTIF(…,"Có").
// C10 (Thôn Bản Cái) is "143 " with a trailing space and E8 (Thôn Nà Pài)
// the text "98": SUM skips them, so C14 = 625 − 143 = 482 and
// E14 = 531 − 98 = 433. I12 (Thôn Phiêng Kham) is "x" instead of "Có":
// COUNTIF counts 4 of the 5 yes cells. Each total names its skipped cell.
func s05src() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ BẰNG THÀNH", "KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP NĂM 2026")
	lay := writeTable(s, tableOpts{top: 5, left: 1, hamlets: setA, totals: "bottom", colNums: "paren", border: true, cols: cols01()})
	s.at(lay.rows[2], 3, func(c *cell) { c.v = "143 " })
	s.at(lay.rows[0], 5, func(c *cell) { c.v = "98" })
	s.at(lay.rows[4], 9, func(c *cell) { c.v = "x" })
	totalFormulas(s, lay, []int{3, 4, 5, 6, 7, 8, 11, 12}, []int{9, 10})
	signature(s, lay.next+1, 2, 9, "Bằng Thành", nil)
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// f03: written by a script (excelize), never opened in an office suite:
// the formulas have no stored results. Households recognised (E5:E9) are
// "=ROUND(C*0.82,0)"; the totals row 10 is all SUM. Header row 4.
func f03() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ PHONG QUANG", "KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026")
	lay := writeTable(s, tableOpts{top: 4, left: 1, hamlets: setB, totals: "bottom",
		cols: []column{stt(), name("Tên thôn"),
			fld("", "Tổng số hộ", "ho_tong"), fld("", "Số hộ đăng ký", "ho_dang_ky"), fld("", "Số hộ được công nhận", "ho_dat"),
			fld("", "Tổng số dòng họ", "dong_ho_tong"), fld("", "Số dòng họ đăng ký", "dong_ho_dang_ky"), fld("", "Số dòng họ được công nhận", "dong_ho_dat")}})
	for _, r := range lay.rows {
		s.at(r, 5, func(c *cell) { c.formula = fmt.Sprintf("ROUND(C%d*0.82,0)", r) })
	}
	for col := 3; col <= 8; col++ {
		cn, _ := excelize.ColumnNumberToName(col)
		s.at(lay.totalsRow, col, func(c *cell) {
			c.formula = fmt.Sprintf("SUM(%s%d:%s%d)", cn, lay.rows[0], cn, lay.rows[len(lay.rows)-1])
		})
	}
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// ---------------------------------------------------------------------------
// Numbers.

func colsC() []column {
	return []column{stt(), name("Tên tổ dân phố"),
		fld("", "Tổng số hộ", "ho_tong"), fld("", "Số hộ đăng ký", "ho_dang_ky"), fld("", "Số hộ được công nhận", "ho_dat"),
		fld("", "Số người trong độ tuổi lao động", "lao_dong_tong"), fld("", "Số người được công nhận Công dân học tập", "cong_dan_dat")}
}

// n01: every number typed as text the Vietnamese way ("1.085"), totals
// "1.921". Header row 4, groups 5–9, totals 10.
func n01() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND PHƯỜNG PHAN ĐÌNH PHÙNG", "KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026")
	writeTable(s, tableOpts{top: 4, left: 1, hamlets: setC, totals: "bottom", textNums: true, cols: colsC()})
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// n02: made on an en-US machine: numeric cells shown "#,##0" (1,085).
// Header 4–5, groups 6–10, totals 11.
func n02() []byte {
	s := newSheet("Sheet1")
	title(s, 1, "UBND PHƯỜNG PHAN ĐÌNH PHÙNG", "KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026")
	writeTable(s, tableOpts{top: 4, left: 1, hamlets: setC, totals: "bottom", numFmt: "#,##0", border: true,
		cols: []column{stt(), name("Tên tổ dân phố"),
			fld(gGD, "Tổng số hộ", "ho_tong"), fld(gGD, "Số hộ đăng ký", "ho_dang_ky"), fld(gGD, "Số hộ được công nhận", "ho_dat"),
			fld(gCDa, "Số người trong độ tuổi lao động", "lao_dong_tong"), fld(gCDa, "Số người được công nhận", "cong_dan_dat")}})
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// ---------------------------------------------------------------------------
// Legacy fonts.

// e01: Biểu 01 typed in .VnTime (TCVN3), the title in .VnTimeH (the
// upper-case font, typed with caps lock off). Header 5–6, "(1)…" 7,
// hamlets 8–13, totals 14.
func e01() []byte {
	s := newSheet("Biểu 01")
	s.font = ".VnTime"
	enc := func(v string) string { return encodeGlyphs(legacy.TCVN3, v) }
	s.put(1, 1, cell{v: encodeUpperFont("UBND xã Bằng Thành"), font: ".VnTimeH", bold: true})
	s.put(2, 1, cell{v: encodeUpperFont("Kết quả xây dựng các mô hình học tập năm 2026"), font: ".VnTimeH", bold: true})
	s.put(3, 1, enc("Mã xã: 01864"))
	lay := writeTable(s, tableOpts{top: 5, left: 1, hamlets: setA, totals: "bottom", colNums: "paren", border: true, enc: enc, cols: cols01()})
	signature(s, lay.next+1, 2, 9, "Bằng Thành", enc)
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// e02: typed in VNI-Times. Header 4–5, groups 6–10, totals 11.
func e02() []byte {
	s := newSheet("Biểu 01")
	s.font = "VNI-Times"
	enc := func(v string) string { return encodeGlyphs(legacy.VNI, v) }
	title(s, 1, enc("UBND PHƯỜNG PHAN ĐÌNH PHÙNG"), enc("KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026"))
	lay := writeTable(s, tableOpts{top: 4, left: 1, hamlets: setC, totals: "bottom", border: true, enc: enc,
		cols: []column{stt(), name("Tên tổ dân phố"),
			fld(gGD, "Tổng số hộ", "ho_tong"), fld(gGD, "Số hộ đăng ký", "ho_dang_ky"), fld(gGD, "Số hộ được công nhận", "ho_dat"),
			fld(gCDa, "Số người trong độ tuổi lao động", "lao_dong_tong"), fld(gCDa, "Số người được công nhận", "cong_dan_dat")}})
	signature(s, lay.next+1, 2, 6, "Phan Đình Phùng", enc)
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// e05: an old workbook whose standard font is .VnTime (set once in Excel's
// options, as many commune offices did): every cell is in the default
// style, so no cell carries a style of its own (no s attribute) and the
// font comes from style 0. One header row (3), hamlets 4–9, "Cộng" 10.
func e05() []byte {
	s := newSheet("Sheet1")
	enc := func(v string) string { return encodeGlyphs(legacy.TCVN3, v) }
	s.put(1, 1, enc("UBND xã Bằng Thành - Kết quả xây dựng xã hội học tập năm 2026"))
	writeTable(s, tableOpts{top: 3, left: 1, hamlets: setA, totals: "bottom", totalsLabel: "Cộng", enc: enc, plain: true, cols: flat01()})
	return (&book{sheets: []*sheet{s}, defaultFont: ".VnTime"}).xlsx()
}

// m01: two hamlets share their clans: F9:F10 (Thôn Lũng Hòa and Thôn
// Chúng Trải) merged holding 11. Header 5–6, "(1)…" 7, hamlets 8–12,
// totals 13 (34, which the merged value makes add up).
func m01() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ PHONG QUANG", "KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026")
	lay := writeTable(s, tableOpts{top: 5, left: 1, hamlets: setB, totals: "bottom", colNums: "paren", border: true, cols: cols01GD()})
	s.at(lay.rows[1], 6, func(c *cell) { c.v = 11 })
	s.at(lay.rows[2], 6, func(c *cell) { c.v = nil })
	s.mergeRC(lay.rows[1], 6, lay.rows[2], 6)
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// x09: a title and a covering note, no table.
func x09() []byte {
	s := newSheet("Sheet1")
	title(s, 1, "UBND XÃ BẰNG THÀNH", "BÁO CÁO KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026", "",
		"Kính gửi: Sở Giáo dục và Đào tạo tỉnh Thái Nguyên",
		"UBND xã Bằng Thành gửi kèm số liệu theo biểu mẫu (xem tệp đính kèm).")
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// excel95src is what x10 is made from (saved as Excel 95 by Gnumeric).
func excel95src() []byte {
	s := newSheet("Bieu 01")
	title(s, 1, "UBND XÃ BẰNG THÀNH", "KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026")
	writeTable(s, tableOpts{top: 4, left: 1, hamlets: setA, totals: "bottom", cols: flat01()})
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// odsSrc is what x13 is made from (saved as .ods by LibreOffice).
func odsSrc() []byte { return h01() }

var _ = strings.TrimSpace

// p02src: the rate as Excel users write it: "=E8/C8" in a cell formatted
// "0.0%" (the cell stores the fraction 0.875, shown 87.5%); totals row 14
// "=E14/C14". Saved by LibreOffice, which stores the results.
// Header 5–6, "(1)…" 7, hamlets 8–13.
func p02src() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ BẰNG THÀNH", "KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP NĂM 2026")
	cols := cols01()
	cols = append(cols[:5], append([]column{rate(gGD, "Tỷ lệ %", "ho_dat", "ho_tong")}, cols[5:]...)...)
	lay := writeTable(s, tableOpts{top: 5, left: 1, hamlets: setA, totals: "bottom", colNums: "paren", rateDec: 1, border: true, cols: cols})
	for _, r := range append(lay.rows, lay.totalsRow) {
		s.at(r, 6, func(c *cell) { c.formula, c.numFmt = fmt.Sprintf("E%d/C%d", r, r), "0.0%" })
	}
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// p03: rates typed as Vietnamese text with a per cent sign ("82,1%"),
// header "Tỉ lệ (%)". Header 5–6, "(1)…" 7, hamlets 8–12, totals 13.
func p03() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ PHONG QUANG", "KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026")
	pct := func(v any) any {
		if f, ok := v.(float64); ok {
			return strings.Replace(fmt.Sprintf("%.1f%%", f), ".", ",", 1)
		}
		return v
	}
	cols := cols01GD()
	r := rate(gGD, "Tỉ lệ (%)", "ho_dat", "ho_tong")
	r.fmt = pct
	cols = append(cols[:5], append([]column{r}, cols[5:]...)...)
	writeTable(s, tableOpts{top: 5, left: 1, hamlets: setB, totals: "bottom", colNums: "paren", rateDec: 1, border: true, cols: cols})
	return (&book{sheets: []*sheet{s}}).xlsx()
}

// n05src: households recognised of Thôn Nặm Nhả typed "52,5" on a vi-VN
// machine, which stores the number 52.5 (E11); the totals row 14 is SUM
// formulas, computed by LibreOffice (531.5).
func n05src() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ BẰNG THÀNH", "KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP NĂM 2026")
	lay := writeTable(s, tableOpts{top: 5, left: 1, hamlets: setA, totals: "bottom", colNums: "paren", border: true, cols: cols01()})
	s.at(lay.rows[3], 5, func(c *cell) { c.v = 52.5 })
	totalFormulas(s, lay, []int{3, 4, 5, 6, 7, 8, 11, 12}, []int{9, 10})
	return (&book{sheets: []*sheet{s}}).xlsx()
}
