package receipt

import "testing"

func TestWordingProblem(t *testing.T) {
	tests := []struct{ msg, want string }{
		{"Ô D8 (Gia đình học tập): Số hộ đăng ký (420) lớn hơn Tổng số hộ (338).", ""},
		{`Ô C9 (Gia đình học tập – Tổng số hộ): "khoảng (95)" không phải là số.`, ""}, // the file's text, quoted
		{"Ô F10 (Gia đình học tập (GĐHT) – Số hộ được công nhận): 91 lớn hơn 86.", "brackets inside brackets"},
		{"Ô E8: 130 lớn hơn 120. {constraint-error}", "a {tag}"},
		{`Thiếu cột bắt buộc "Số hộ được công nhận" (ho_dat) trong Biểu 01.`, "the field code ho_dat"},
		{"Thôn ban-pac-hin-941943 đã có trong năm trước.", "the derived code ban-pac-hin-941943"},
		{"Tệp nặng 51,2 MB, vượt giới hạn 50,0 MB.", ""},
	}
	for _, tt := range tests {
		if got := WordingProblem(tt.msg); got != tt.want {
			t.Errorf("WordingProblem(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}
