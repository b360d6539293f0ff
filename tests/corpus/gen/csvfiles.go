package main

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"strconv"
	"unicode/utf16"

	"golang.org/x/text/unicode/norm"

	"github.com/xhht/xhht/pipeline/legacy"
)

// CSV and text exports, as office suites write them.

type csvOpts struct {
	sep  rune
	crlf bool
	bom  bool
}

func writeCSV(recs [][]string, o csvOpts) string {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma, w.UseCRLF = o.sep, o.crlf
	must(w.WriteAll(recs))
	s := buf.String()
	if o.bom {
		s = "\uFEFF" + s
	}
	return s
}

// grid turns a table into CSV records: title lines, the header, the rows
// (values by formatter), a totals row, then the signature lines. Every
// record has width fields, as Excel pads them.
func grid(width int, titleLines []string, header []string, hs []hamlet, codes []string, totals string, num func(int) string, signature bool) [][]string {
	pad := func(r []string) []string {
		r = append([]string(nil), r...) // never the caller's slice
		for len(r) < width {
			r = append(r, "")
		}
		return r
	}
	var recs [][]string
	for _, t := range titleLines {
		recs = append(recs, pad([]string{t}))
	}
	if len(titleLines) > 0 {
		recs = append(recs, pad(nil))
	}
	recs = append(recs, pad(header))
	val := func(v any) string {
		switch v := v.(type) {
		case int:
			return num(v)
		case string:
			return v
		}
		return ""
	}
	for i, hm := range hs {
		r := []string{strconv.Itoa(i + 1), hm.name}
		for _, c := range codes {
			r = append(r, val(hm.v[c]))
		}
		recs = append(recs, pad(r))
	}
	if totals != "" {
		r := []string{"", totals}
		for _, c := range codes {
			n, _ := sum(hs, c)
			r = append(r, num(n))
		}
		recs = append(recs, pad(r))
	}
	if signature {
		recs = append(recs, pad(nil))
		sig := make([]string, width)
		sig[1], sig[width-3] = "Người lập biểu", "TM. ỦY BAN NHÂN DÂN"
		recs = append(recs, sig)
		sig2 := make([]string, width)
		sig2[width-3] = "CHỦ TỊCH"
		recs = append(recs, sig2)
	}
	return recs
}

var flatHeader01 = []string{"STT", "Tên thôn", "Tổng số hộ", "Số hộ đăng ký", "Số hộ được công nhận", "Tổng số dòng họ",
	"Số dòng họ đăng ký", "Số dòng họ được công nhận", "Thôn đăng ký CĐHT", "Thôn đạt CĐHT",
	"Số người trong độ tuổi lao động", "Số công dân học tập"}

var codesGD = []string{"ho_tong", "ho_dang_ky", "ho_dat", "dong_ho_tong", "dong_ho_dang_ky", "dong_ho_dat"}
var codesC = []string{"ho_tong", "ho_dang_ky", "ho_dat", "lao_dong_tong", "cong_dan_dat"}

var titleA = []string{"UBND XÃ BẰNG THÀNH", "KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP NĂM 2026"}

// c01: Excel (vi-VN) "CSV UTF-8": BOM, ";" and CRLF; the sheet's title
// block and signature come along as lines. Title 1–2, empty 3, header 4,
// hamlets 5–10, totals 11.
func c01() []byte {
	return []byte(writeCSV(grid(12, titleA, flatHeader01, setA, fields01, "Tổng cộng", strconv.Itoa, true), csvOpts{sep: ';', crlf: true, bom: true}))
}

// c02: LibreOffice / Google Sheets CSV: UTF-8 without BOM, "," and LF; a
// header with a comma inside quotes. Header 1, hamlets 2–6, totals 7.
func c02() []byte {
	head := []string{"STT", "Tên thôn, tổ dân phố", "Tổng số hộ", "Số hộ đăng ký", "Số hộ được công nhận", "Tổng số dòng họ", "Số dòng họ đăng ký", "Số dòng họ được công nhận"}
	return []byte(writeCSV(grid(8, nil, head, setB, codesGD, "Tổng cộng", strconv.Itoa, false), csvOpts{sep: ','}))
}

// c03: Excel "Unicode Text": UTF-16 LE with BOM, tab-separated, CRLF;
// numbers as shown on a vi-VN machine ("1.085"). Title 1, empty 2, header
// 3, groups 4–8, "Toàn phường" 9.
func c03() []byte {
	head := []string{"STT", "Tên tổ dân phố", "Tổng số hộ", "Số hộ đăng ký", "Số hộ được công nhận", "Số người trong độ tuổi lao động", "Số người được công nhận Công dân học tập"}
	s := writeCSV(grid(7, []string{"UBND PHƯỜNG PHAN ĐÌNH PHÙNG"}, head, setC, codesC, "Toàn phường", vnInt, false), csvOpts{sep: '\t', crlf: true})
	u := utf16.Encode([]rune(s))
	out := []byte{0xFF, 0xFE}
	for _, c := range u {
		out = binary.LittleEndian.AppendUint16(out, c)
	}
	return out
}

// c04: "CSV (Comma delimited)" on a Vietnamese Windows: Windows-1258 (tone
// marks stored as combining characters), ";" and CRLF. Same lines as c01.
func c04() []byte {
	return cp1258(writeCSV(grid(12, titleA, flatHeader01, setA, fields01, "Tổng cộng", strconv.Itoa, true), csvOpts{sep: ';', crlf: true}))
}

// c05: quoted header fields with line breaks in them, and hamlet names
// with invisible characters: a trailing no-break space, a decomposed
// (NFD) name, a trailing space, a zero-width space, a trailing soft hyphen.
// The header takes lines 1–3; hamlets start on line 4.
func c05() []byte {
	head := []string{"STT", "Tên thôn,\ntổ dân phố", "Tổng số hộ", "Số hộ\nđăng ký", "Số hộ\nđược công nhận", "Tổng số dòng họ", "Số dòng họ đăng ký", "Số dòng họ được công nhận"}
	hs := make([]hamlet, len(setB))
	copy(hs, setB)
	hs[0].name = "Thôn Tả Lèng\u00a0"
	hs[1].name = norm.NFD.String("Thôn Lũng Hòa")
	hs[2].name = "Thôn Chúng Trải "
	hs[3].name = "Thôn Bản Tù\u200by"
	hs[4].name = "Thôn Đồng Tâm\u00ad"
	return []byte(writeCSV(grid(8, nil, head, hs, codesGD, "Tổng cộng", strconv.Itoa, false), csvOpts{sep: ',', crlf: true, bom: true}))
}

// c06: a .VnTime sheet exported by Excel as "CSV UTF-8": the TCVN3 glyphs
// become Unicode Latin-1 characters ("Th«n Nµ Pµi"); "ư" is U+00AD.
func c06() []byte {
	recs := grid(12, titleA, flatHeader01, setA, fields01, "Tổng cộng", strconv.Itoa, true)
	for _, r := range recs {
		for i := range r {
			r[i] = encodeGlyphs(legacy.TCVN3, r[i])
		}
	}
	return []byte(writeCSV(recs, csvOpts{sep: ';', crlf: true, bom: true}))
}

// c07: a VNI-Times sheet saved as "CSV (Comma delimited)" on an English
// Windows: the glyphs as Windows-1252 bytes.
func c07() []byte {
	head := []string{"STT", "Tên thôn", "Tổng số hộ", "Số hộ đăng ký", "Số hộ được công nhận", "Tổng số dòng họ", "Số dòng họ đăng ký", "Số dòng họ được công nhận"}
	recs := grid(8, []string{"UBND XÃ PHONG QUANG", "KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026"}, head, setB, codesGD, "Tổng cộng", strconv.Itoa, false)
	for _, r := range recs {
		for i := range r {
			r[i] = encodeGlyphs(legacy.VNI, r[i])
		}
	}
	return cp1252(writeCSV(recs, csvOpts{sep: ',', crlf: true}))
}

// n03: an en-US Excel "CSV UTF-8 (Comma delimited)": numbers shown
// "#,##0" are written "1,085" (quoted, the separator being ","). Header 1,
// groups 2–6, totals 7.
func n03() []byte {
	head := []string{"STT", "Tên tổ dân phố", "Tổng số hộ", "Số hộ đăng ký", "Số hộ được công nhận", "Số người trong độ tuổi lao động", "Số người được công nhận Công dân học tập"}
	return []byte(writeCSV(grid(7, nil, head, setC, codesC, "Tổng cộng", enInt, false), csvOpts{sep: ',', crlf: true, bom: true}))
}

// n04: a fractional count: Thôn Bản Tùy's clans typed "12,5". No totals
// row. Title 1, empty 2, header 3, hamlets 4–8: Bản Tùy is line 7, F7.
func n04() []byte {
	head := []string{"STT", "Tên thôn", "Tổng số hộ", "Số hộ đăng ký", "Số hộ được công nhận", "Tổng số dòng họ", "Số dòng họ đăng ký", "Số dòng họ được công nhận"}
	recs := grid(8, []string{"BÁO CÁO XHHT NĂM 2026 - XÃ PHONG QUANG"}, head, setB, codesGD, "", strconv.Itoa, false)
	recs[6][5] = "12,5"
	return []byte(writeCSV(recs, csvOpts{sep: ';', crlf: true, bom: true}))
}

// n06: digits typed across a space or a line break in one cell, which
// were glued into one number: "429⏎13" with a bare CR (Excel for Mac) in
// C4, "15⏎6" with a LF in D5, "15 6" unquoted in the next hamlet's E;
// "1 234" (a space between thousands) in the hamlet after is a number.
// Layout of n04: title 1, empty 2, header 3, hamlets from line 4. A CSV
// row is numbered by the line it starts on, counting LFs (as an editor
// does): the LF inside D5's quotes puts the next hamlet on line 7 (E7).
func n06() []byte {
	head := []string{"STT", "Tên thôn", "Tổng số hộ", "Số hộ đăng ký", "Số hộ được công nhận", "Tổng số dòng họ", "Số dòng họ đăng ký", "Số dòng họ được công nhận"}
	recs := grid(8, []string{"BÁO CÁO XHHT NĂM 2026 - XÃ PHONG QUANG"}, head, setB, codesGD, "", strconv.Itoa, false)
	recs[3][2], recs[4][3], recs[5][4], recs[6][2] = "429\r13", "15\n6", "15 6", "1 234"
	return []byte(writeCSV(recs, csvOpts{sep: ',', crlf: false}))
}

// x11: a household list (1,500 households) exported as CSV: larger than
// the limit the case sets (64 KiB), read or not.
func x11() []byte {
	recs := [][]string{{"STT", "Họ và tên chủ hộ", "Thôn", "Số nhân khẩu", "Đăng ký GĐHT", "Được công nhận GĐHT"}}
	owners := []string{"Hoàng Văn Tâm", "Nông Thị Hoa", "Lý Văn Sình", "Triệu Thị Mai", "Ma Văn Khánh", "Lường Thị Dung", "Đàm Văn Hùng"}
	for i := 0; i < 1500; i++ {
		recs = append(recs, []string{strconv.Itoa(i + 1), owners[i%len(owners)], setA[i%len(setA)].name, strconv.Itoa(2 + i%5), "x", map[bool]string{true: "x", false: ""}[i%3 != 0]})
	}
	return []byte(writeCSV(recs, csvOpts{sep: ';', crlf: true, bom: true}))
}

var _ = fmt.Sprint
