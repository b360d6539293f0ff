package main

// The hamlet data of the corpus. The expected receipts in ../cases.json
// were added up by hand from these tables (see the sums in the comments).

// hamlet is one row of Biểu 01: the name and its values by field code
// (int counts, "Có"/"Không" for the yes/no fields).
type hamlet struct {
	name string
	v    map[string]any
}

// Field codes of Biểu 01 in template order.
var fields01 = []string{"ho_tong", "ho_dang_ky", "ho_dat", "dong_ho_tong", "dong_ho_dang_ky", "dong_ho_dat",
	"cong_dong_dang_ky", "cong_dong_dat", "lao_dong_tong", "cong_dan_dat"}

func h(name string, vals ...any) hamlet {
	hm := hamlet{name: name, v: map[string]any{}}
	for i, v := range vals {
		if v != nil {
			hm.v[fields01[i]] = v
		}
	}
	return hm
}

// Dataset A: Xã Bằng Thành (01864), six hamlets, every field.
//
//	ho_tong 625, ho_dang_ky 577, ho_dat 531, dong_ho_tong 31, dong_ho_dang_ky 28,
//	dong_ho_dat 24, cong_dong_dang_ky 5 (Có), cong_dong_dat 3, lao_dong_tong 1477,
//	cong_dan_dat 954
var setA = []hamlet{
	h("Thôn Nà Pài", 112, 105, 98, 6, 5, 4, "Có", "Có", 265, 170),
	h("Thôn Khuổi Đeng", 87, 80, 71, 4, 4, 3, "Có", "Không", 203, 118),
	h("Thôn Bản Cái", 143, 130, 121, 7, 6, 6, "Có", "Có", 341, 240),
	h("Thôn Nặm Nhả", 65, 60, 52, 3, 3, 2, "Có", "Không", 150, 85),
	h("Thôn Phiêng Kham", 98, 92, 85, 5, 4, 4, "Có", "Có", 230, 151),
	h("Thôn Trường Sơn", 120, 110, 104, 6, 6, 5, "Không", "Không", 288, 190),
}

// Dataset B: Xã Phong Quang (01849), five hamlets, households and clans.
//
//	ho_tong 686, ho_dang_ky 630, ho_dat 579, dong_ho_tong 34, dong_ho_dang_ky 30, dong_ho_dat 27
var setB = []hamlet{
	h("Thôn Tả Lèng", 156, 140, 128, 8, 7, 6),
	h("Thôn Lũng Hòa", 134, 120, 115, 6, 6, 5),
	h("Thôn Chúng Trải", 98, 90, 82, 5, 4, 4),
	h("Thôn Bản Tùy", 177, 165, 150, 9, 8, 7),
	h("Thôn Đồng Tâm", 121, 115, 104, 6, 5, 5),
}

// Dataset C: Phường Phan Đình Phùng (05443), five residential groups,
// households and learning citizens (counts over a thousand).
//
//	ho_tong 1921, ho_dang_ky 1838, ho_dat 1737, lao_dong_tong 5140, cong_dan_dat 3811
var setC = []hamlet{
	h("Tổ dân phố Đồng Quang 1", 412, 398, 371, nil, nil, nil, nil, nil, 1085, 812),
	h("Tổ dân phố Đồng Quang 2", 389, 370, 352, nil, nil, nil, nil, nil, 1012, 760),
	h("Tổ dân phố Phan Đình Phùng", 455, 440, 417, nil, nil, nil, nil, nil, 1234, 905),
	h("Tổ dân phố Tân Thịnh", 298, 280, 266, nil, nil, nil, nil, nil, 806, 590),
	h("Tổ dân phố Hoàng Văn Thụ", 367, 350, 331, nil, nil, nil, nil, nil, 1003, 744),
}

// Dataset D: Phường Hoàng Văn Thụ (05440) in 2024, before the reform; no
// clans.
//
//	ho_tong 1203, ho_dang_ky 1135, ho_dat 1068, cong_dong_dang_ky 3, cong_dong_dat 2,
//	lao_dong_tong 3422, cong_dan_dat 2475
var setD = []hamlet{
	h("Tổ dân phố 1", 320, 300, 281, nil, nil, nil, "Có", "Có", 910, 655),
	h("Tổ dân phố 2", 275, 260, 244, nil, nil, nil, "Có", "Không", 802, 560),
	h("Tổ dân phố 3", 410, 395, 377, nil, nil, nil, "Có", "Có", 1150, 870),
	h("Tổ dân phố 4", 198, 180, 166, nil, nil, nil, "Không", "Không", 560, 390),
}

// sum adds a count field over hamlets, or counts the "Có" of a yes/no
// field; ok is false when no hamlet has a value. Used only to write the
// totals rows that officials type or compute in their files.
func sum(hs []hamlet, code string) (int, bool) {
	n, ok := 0, false
	for _, hm := range hs {
		switch v := hm.v[code].(type) {
		case int:
			n += v
			ok = true
		case string:
			if v == "Có" || v == "x" {
				n++
			}
			ok = true
		}
	}
	return n, ok
}
