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
		{"Mã xã: 01840", []string{"01840"}},
		{"Mã số xã: 01840", []string{"01840"}},
		{"MÃ SỐ XÃ 01840", []string{"01840"}},
		{"Mã: 01840", []string{"01840"}},
		{"Mã ĐVHC: 01840", []string{"01840"}},
		{"Mã phường: 01840", []string{"01840"}},
		{"UBND XÃ BẰNG THÀNH (01840)", []string{"01840"}},
		{"Xã Bằng Thành ( 01840 )", []string{"01840"}},
		{"Mã xã: 1840", []string{"01840"}},
		{"Mã xã: ０１８４０", []string{"01840"}},
		{"Xã Bằng Thành (０１８４０)", []string{"01840"}},
		// Not commune codes.
		{"Mã thôn: 01840", nil},
		{"Mã thôn: 01840-003", nil},
		{"Mã hộ: 01840", nil},
		{"Mã tỉnh: 19", nil},
		{"Mã: 1840", nil},
		{"Mã số thuế: 0101234567", nil},
		{"Điện thoại: (0209) 3870 123", nil},
		{"ĐT: 0209.3870.123", nil},
		{"(02093870123)", nil},
		{"Tổng số hộ: 01840", nil},
		{"Năm 2026", nil},
		{"Mã xã: 018400", nil},
	}
	for _, tt := range tests {
		if got := TitleCommuneCodes(tt.line); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: %v, want %v", tt.line, got, tt.want)
		}
	}
}

func TestTitleOtherCommune(t *testing.T) {
	others := map[string]string{"phong quang": "Xã Phong Quang", "tan": "Xã Tân", "tan lap": "Xã Tân Lập", "duc xuan": "Phường Đức Xuân"}
	tests := []struct {
		line, want string
	}{
		{"UBND XÃ PHONG QUANG", "Xã Phong Quang"},
		{"Ủy ban nhân dân xã Phong Quang, tỉnh Thái Nguyên", "Xã Phong Quang"},
		{"PHƯỜNG ĐỨC XUÂN", "Phường Đức Xuân"},
		{"Xã Tân Lập", "Xã Tân Lập"},
		{"Xã Tân", "Xã Tân"},
		{"UBND XÃ BẰNG THÀNH", ""},
		{"Thôn Phong Quang", ""},
		{"Huyện Phong Quang", ""},
		{"Phong Quang", ""},
		{"Xã Phong Quang Nam", ""},           // another name, not in the register
		{"XÃ PHONG QUẢNG", "Xã Phong Quang"}, // folded: tones do not count
		{"Xã Phong Quang huyện Bạch Thông", "Xã Phong Quang"},
		{"UBND xã Phong Quang - tỉnh Thái Nguyên", "Xã Phong Quang"},
		{"BIỂU 01 NĂM 2026 XÃ TÂN LẬP NĂM 2026", "Xã Tân Lập"},
	}
	for _, tt := range tests {
		got, _ := TitleOtherCommune(tt.line, others)
		if got != tt.want {
			t.Errorf("%q: %q, want %q", tt.line, got, tt.want)
		}
	}
}
