package demo

import (
	"bytes"
	"encoding/csv"
	"strconv"

	"github.com/xhht/xhht/pipeline/forms"
)

// Cells gives each Biểu 01 row as field code → cell text, mistakes
// applied, and the totals row computed from the values as written.
func (f File) Cells() (rows []map[string]string, totals map[string]string) {
	hs := append([]Hamlet(nil), f.Hamlets...)
	switch f.Mistake {
	// A derived year's old commune may have fewer than four hamlets
	// (years.go): the mistakes then fall on the rows it has.
	case RecognisedOver:
		k := min(1, len(hs)-1)
		hs[k].HoDat = hs[k].HoTong + 5
	case DuplicateHamlet:
		if len(hs) > 3 {
			hs[3].Name = hs[0].Name + " " // same hamlet twice, with a stray space
		} else {
			dup := hs[0]
			dup.Name += " "
			hs = append(hs, dup)
		}
	case WarningOnly:
		hs[0].HoDangKy, hs[0].HoDat = hs[0].HoTong-3, hs[0].HoTong-1
	}
	sums := map[string]int{}
	for i, h := range hs {
		ints := map[string]int{
			"ho_tong": h.HoTong, "ho_dang_ky": h.HoDangKy, "ho_dat": h.HoDat,
			"dong_ho_tong": h.DongHoTong, "dong_ho_dang_ky": h.DongHoDangKy, "dong_ho_dat": h.DongHoDat,
			"lao_dong_tong": h.LaoDongTong, "cong_dan_dat": h.CongDanDat,
		}
		row := map[string]string{"ten_thon": h.Name, "cong_dong_dang_ky": yesNo(h.CongDongDangKy), "cong_dong_dat": yesNo(h.CongDongDat)}
		for k, v := range ints {
			row[k] = strconv.Itoa(v)
			sums[k] += v
		}
		if h.CongDongDangKy {
			sums["cong_dong_dang_ky"]++
		}
		if h.CongDongDat {
			sums["cong_dong_dat"]++
		}
		switch {
		case f.Mistake == TextInNumber && i == min(2, len(hs)-1):
			row["ho_dang_ky"] = "khoảng " + row["ho_dang_ky"]
		case f.Mistake == Fraction && i == 0:
			row["ho_dang_ky"] += ",5"
		}
		rows = append(rows, row)
	}
	totals = map[string]string{"ten_thon": "Tổng cộng"}
	for k, v := range sums {
		totals[k] = strconv.Itoa(v)
	}
	if f.Mistake == TotalsOff {
		totals["ho_tong"] = strconv.Itoa(sums["ho_tong"] + 1)
	}
	if f.Mistake == MissingColumn {
		for _, r := range append(rows, totals) {
			delete(r, "ho_dat")
		}
	}
	return rows, totals
}

// Cells02 gives the Biểu 02 row.
func (c *Commune) Cells02() map[string]string {
	return map[string]string{
		"don_vi_tong": strconv.Itoa(c.DonViTong), "don_vi_dang_ky": strconv.Itoa(c.DonViDangKy), "don_vi_dat": strconv.Itoa(c.DonViDat),
		"can_bo_tong": strconv.Itoa(c.CanBoTong), "can_bo_cong_dan_dat": strconv.Itoa(c.CanBoDat),
		"cong_dong_xa_ket_qua": c.KetQua, "tthtcd_xep_loai": c.TTXepLoai,
		"tthtcd_so_lop": strconv.Itoa(c.TTSoLop), "tthtcd_luot_nguoi_hoc": strconv.Itoa(c.TTLuot),
		"tthtcd_ung_dung_cntt": yesNo(c.TTCNTT), "hoi_vien_tong": strconv.Itoa(c.HoiVienTong), "hoi_vien_tap_huan": strconv.Itoa(c.HoiVienTapHuan),
	}
}

func yesNo(b bool) string {
	if b {
		return "Có"
	}
	return "Không"
}

// CSV writes Biểu 01 as a commune office would export it: one header row
// with the field's first unambiguous alias, an STT column, the totals row at
// the bottom. Half the files use ";" and a BOM (Excel on a Vietnamese
// Windows), half ",".
func (f File) CSV(form *forms.Form, semicolon bool) []byte {
	rows, totals := f.Cells()
	var cols []*forms.Field
	for _, fd := range form.Fields {
		if fd.Read() && !fd.Identity && fd.Code != "ma_thon" && (len(rows) == 0 || rows[0][fd.Code] != "") {
			cols = append(cols, fd)
		}
	}
	var buf bytes.Buffer
	if semicolon {
		buf.WriteString("\uFEFF")
	}
	w := csv.NewWriter(&buf)
	if semicolon {
		w.Comma = ';'
	}
	header := []string{"STT"}
	for _, fd := range cols {
		header = append(header, fd.Aliases[0])
	}
	w.Write(header)
	for i, r := range append(rows, totals) {
		rec := []string{strconv.Itoa(i + 1)}
		if i == len(rows) {
			rec[0] = ""
		}
		for _, fd := range cols {
			rec = append(rec, r[fd.Code])
		}
		w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}

// Title is the year and commune code the workbook's title block shows.
func (f File) Title(year int, next string) (titleYear int, code string) {
	titleYear, code = year, f.Commune.Code
	switch f.Mistake {
	case WrongYear:
		titleYear = year - 1
	case WrongCommune:
		code = next
	}
	return titleYear, code
}

// Render gives the bytes of an upload.
func Render(f File, plan *Plan, set *forms.Set) ([]byte, error) {
	switch f.Format {
	case "csv":
		return f.CSV(set.Form("bieu01"), f.Commune.Code[4]%2 == 0), nil
	}
	// A neighbour whose form a careless office might reuse.
	next := f.Commune.Code
	for code := range plan.communes {
		if code != f.Commune.Code && (next == f.Commune.Code || code < next) {
			next = code
		}
	}
	return f.XLSX(plan, set, next)
}
