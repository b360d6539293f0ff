package textnorm

import "testing"

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Thôn\u00A0Na   Rì ", "Thôn Na Rì"},
		{"Tho\u0302n 1", "Thôn 1"}, // NFD → NFC
		{"Tổng\u200B số\u00ADhộ", "Tổng sốhộ"},
		{"Tổng số\nhộ", "Tổng số hộ"},
		{"\uFEFFSTT", "STT"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNameKey(t *testing.T) {
	same := [][2]string{
		{"Thôn Hòa Bình", "thôn hoà bình"},
		{"Xóm Thủy", "Xóm Thuỷ"},
		{"Ho\u0300a", "Hòa"},
		{"Tổ dân phố  1", "Tổ dân phố 1"},
	}
	for _, p := range same {
		if NameKey(p[0]) != NameKey(p[1]) {
			t.Errorf("NameKey(%q)=%q != NameKey(%q)=%q", p[0], NameKey(p[0]), p[1], NameKey(p[1]))
		}
	}
	differ := [][2]string{{"Hoà", "Hoá"}, {"Đồng", "Dong"}, {"Bản Mới", "Bản Mời"}}
	for _, p := range differ {
		if NameKey(p[0]) == NameKey(p[1]) {
			t.Errorf("NameKey(%q) == NameKey(%q), want different", p[0], p[1])
		}
	}
}

func TestFoldAndSlug(t *testing.T) {
	tests := []struct{ in, fold, slug string }{
		{"Số hộ đạt GĐHT (hộ)", "so ho dat gdht ho", "so-ho-dat-gdht-ho"},
		{"TỶ LỆ %", "ty le %", "ty-le-pct"},
		{"Thôn Nà Rì", "thon na ri", "thon-na-ri"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.fold {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.fold)
		}
		if got := Slug(tt.in); got != tt.slug {
			t.Errorf("Slug(%q) = %q, want %q", tt.in, got, tt.slug)
		}
	}
}

func TestFoldKeepD(t *testing.T) {
	if FoldKeepD("CĐHT") == FoldKeepD("CDHT") {
		t.Error("FoldKeepD must tell CĐHT (cộng đồng) from CDHT (công dân)")
	}
	if got, want := FoldKeepD("Cộng đồng học tập (CĐHT)"), "cong đong hoc tap cđht"; got != want {
		t.Errorf("FoldKeepD = %q, want %q", got, want)
	}
	if Fold("CĐHT") != Fold("CDHT") {
		t.Error("Fold folds đ to d")
	}
}
