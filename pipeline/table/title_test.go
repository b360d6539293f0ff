package table

import (
	"reflect"
	"testing"
)

func TestTitleCommuneCodes(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		// Every form the issue lists, with and without the leading zero.
		{"Mã xã: 01840", []string{"01840"}},
		{"Mã xã: 1840", []string{"01840"}},
		{"Mã số xã: 01840", []string{"01840"}},
		{"Mã số xã: 1840", []string{"01840"}},
		{"MÃ SỐ XÃ 01840", []string{"01840"}},
		{"Mã: 01840", []string{"01840"}},
		{"Mã: 1840", []string{"01840"}},
		{"Mã số: 1840", []string{"01840"}},
		{"Mã ĐVHC: 01840", []string{"01840"}},
		{"Mã số ĐVHC: 1840", []string{"01840"}},
		{"Mã đơn vị hành chính: 1840", []string{"01840"}},
		{"Mã đơn vị: 01840", []string{"01840"}},
		{"Mã phường: 01840", []string{"01840"}},
		{"Mã xã/phường: 1840", []string{"01840"}},
		{"UBND XÃ BẰNG THÀNH (01840)", []string{"01840"}},
		{"UBND XÃ BẰNG THÀNH (1840)", []string{"01840"}},
		{"Xã Bằng Thành ( 01840 )", []string{"01840"}},
		{"Xã Bằng Thành ( 1840 )", []string{"01840"}},
		{"Xã Bằng Thành [1849]", []string{"01849"}},
		{"(01840)", []string{"01840"}},
		{"(1849)", []string{"01849"}}, // a cell of its own under the commune's name
		{"Mã xã: ０１８４０", []string{"01840"}},
		{"Mã xã: １８４０", []string{"01840"}},
		{"Mã: １８４０", []string{"01840"}},
		{"Xã Bằng Thành (０１８４０)", []string{"01840"}},
		{"Xã Bằng Thành （１８４０）", []string{"01840"}},
		{"Mã xã: 97", []string{"00097"}}, // 00097 read as a number
		{"Mã xã: 01840.", []string{"01840"}},
		{"Xã Mường Phăng, tỉnh Điện Biên (03199)", []string{"03199"}},
		{"Xã Mường Phăng, tỉnh Điện Biên (3199)", []string{"03199"}},
		{"Xã Bằng Thành (01840) - Mã xã: 01840", []string{"01840", "01840"}},
		// Not commune codes.
		{"Mã thôn: 01840", nil},
		{"Mã thôn: 1840", nil},
		{"Mã xã: 01840-003", nil},
		{"Mã thôn: 01840-003", nil},
		{"Mã hộ: 01840", nil},
		{"Mã tỉnh: 19", nil},
		{"Mã: 97", nil},
		{"Mã: 0209", nil},
		{"Mã đơn vị: 97", nil},
		{"Mã xã: 0", nil},
		{"Mã số thuế: 0101234567", nil},
		{"Mã bưu chính: 24000", nil},
		{"Mã bưu chính (24000)", nil},
		{"Điện thoại: (0209) 3870 123", nil},
		{"Xã Bằng Thành, ĐT: (0209) 3870 123", nil},
		{"Xã Bằng Thành, ĐT (1840)", nil},
		{"Xã Bằng Thành, Fax: (02093)", nil},
		{"Xã Bằng Thành, điện thoại (02093)", nil},
		{"Xã Bằng Thành, mã bưu chính (24000)", nil},
		{"Xã Bằng Thành, số tài khoản (1840)", nil},
		{"ĐT: 0209.3870.123", nil},
		{"(0209)", nil},
		{"(02093870123)", nil},
		{"Tổng số hộ: 01840", nil},
		{"Năm 2026", nil},
		{"BÁO CÁO NĂM (2026)", nil},
		{"(2026)", nil},
		{"(1998)", nil},
		{"Xã Bằng Thành, năm (2026)", nil},
		{"Mã xã: 018400", nil},
		{"Mã: 1840/QĐ-UBND", nil},
		{"Quyết định số 1840/QĐ-UBND", nil},
	}
	for _, tt := range tests {
		if got := TitleCommuneCodes(tt.line); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: %v, want %v", tt.line, got, tt.want)
		}
	}
}

// names is a register in small: names shared within and across provinces,
// a name with a dash, a ward and a commune of one name, and names that are
// also words of a title ("Hội", "Nam").
var names = NewCommuneNames([]CommuneName{
	{"01864", "Xã Bằng Thành", "Bằng Thành"},
	{"01849", "Xã Phong Quang", "Phong Quang"},
	{"05443", "Phường Đức Xuân", "Đức Xuân"},
	{"26734", "Xã Tân Phú", "Tân Phú"},     // another province
	{"29001", "Phường Tân Phú", "Tân Phú"}, // and another
	{"24001", "Xã Tân Lập", "Tân Lập"},
	{"24002", "Xã Tân", "Tân"},
	{"00226", "Phường Văn Miếu - Quốc Tử Giám", "Văn Miếu - Quốc Tử Giám"},
	{"09001", "Xã Sơn Tây", "Sơn Tây"},
	{"02001", "Xã Phương Tú", "Phương Tú"},
	{"02002", "Xã Tú", "Tú"},
	{"02003", "Xã Hội", "Hội"},
	{"02004", "Xã Nam", "Nam"},
	{"02005", "Xã Si Ma Cai", "Si Ma Cai"},
	{"02006", "Xã Quan Sơn", "Quan Sơn"},
})

func TestTitleOtherCommune(t *testing.T) {
	tests := []struct {
		line, own, want string
	}{
		{"UBND XÃ PHONG QUANG", "01864", "Xã Phong Quang"},
		{"Ủy ban nhân dân xã Phong Quang, tỉnh Thái Nguyên", "01864", "Xã Phong Quang"},
		{"PHƯỜNG ĐỨC XUÂN", "01864", "Phường Đức Xuân"},
		{"Xã Tân Lập", "01864", "Xã Tân Lập"},
		{"Xã Tân", "01864", "Xã Tân"},
		{"XÃ PHONG QUẢNG", "01864", "Xã Phong Quang"}, // folded: tones do not count
		{"Xã Phong Quang huyện Bạch Thông", "01864", "Xã Phong Quang"},
		{"UBND xã Phong Quang - tỉnh Thái Nguyên", "01864", "Xã Phong Quang"},
		{"BIỂU 01 NĂM 2026 XÃ TÂN LẬP NĂM 2026", "01864", "Xã Tân Lập"},
		// Spellings: a colon after the kind, abbreviated kinds, dashes.
		{"Tên xã: Phong Quang", "01864", "Xã Phong Quang"},
		{"Xã: Phong Quang", "01864", "Xã Phong Quang"},
		{"Đơn vị: Xã Phong Quang.", "01864", "Xã Phong Quang"},
		{"UBND P. Đức Xuân", "01864", "Phường Đức Xuân"},
		{"X.Phong Quang", "01864", "Xã Phong Quang"},
		{"UBND PHƯỜNG VĂN MIẾU – QUỐC TỬ GIÁM", "01864", "Phường Văn Miếu - Quốc Tử Giám"},
		{"Phường Văn Miếu-Quốc Tử Giám", "01864", "Phường Văn Miếu - Quốc Tử Giám"},
		{"Phường Văn Miếu Quốc Tử Giám", "01864", "Phường Văn Miếu - Quốc Tử Giám"},
		{"Xã Si Ma Cai", "01864", "Xã Si Ma Cai"},
		{"Xã Quan Sơn", "01864", "Xã Quan Sơn"},
		// Another province's commune: a name that is only others'.
		{"UBND XÃ TÂN PHÚ", "01864", "Xã Tân Phú"},
		{"UBND PHƯỜNG TÂN PHÚ", "01864", "Phường Tân Phú"},
		// Not another commune.
		{"UBND XÃ BẰNG THÀNH", "01864", ""},
		{"UBND XÃ TÂN PHÚ", "26734", ""}, // its own name, shared with others
		{"UBND PHƯỜNG TÂN PHÚ", "26734", ""},
		{"UBND XÃ PHƯƠNG TÚ", "02001", ""}, // "Phương" folds like "phường"; "Tú" is another commune
		{"Thôn Phong Quang", "01864", ""},
		{"Thôn Tân Phú, xã Bằng Thành", "01864", ""},
		{"Huyện Phong Quang", "01864", ""},
		{"Thị xã Sơn Tây", "01864", ""},
		{"UBND THỊ XÃ SƠN TÂY", "01864", ""},
		{"Phong Quang", "01864", ""},
		{"Xã Phong Quang Nam", "01864", ""}, // another name, not in the register
		{"Mã xã: 01849", "01864", ""},
		{"BIỂU 02: KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP CẤP XÃ NĂM 2026", "01864", ""},
		{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "01864", ""},
		{"(Dùng cho xã, phường, đặc khu)", "01864", ""},
		{"Áp dụng cho xã phường thị trấn", "01864", ""},
	}
	for _, tt := range tests {
		if got, ok := names.TitleOther(tt.line, tt.own); got != tt.want || ok != (tt.want != "") {
			t.Errorf("%q (upload for %s): %q %v, want %q", tt.line, tt.own, got, ok, tt.want)
		}
	}
	var none *CommuneNames
	if _, ok := none.TitleOther("UBND XÃ PHONG QUANG", "01864"); ok {
		t.Error("no register: no name found")
	}
}
