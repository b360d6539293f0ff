package portal_test

import (
	"strings"
	"testing"
)

// Final-walk L8 (session 8): sorting the board by name follows Vietnamese
// alphabetical order (a, ă, â …; tones after letters) and ignores the
// commune's kind, so the three communes of province 19 read Bá Xuyên
// (05533), Bách Quang (05528), Bắc Kạn (01843) — by hand; byte order gave
// "Bá Xuyên, Bắc Kạn, Bách Quang", and "Phường" grouped every ward first.
func TestBoardSortByNameVietnamese(t *testing.T) {
	e := newEnv(t)
	p := e.client()
	p.signInProvince(provinceTN)
	for _, dir := range []string{"", "&chieu=giam"} {
		var order []string
		for _, m := range rowRe.FindAllStringSubmatch(p.get("/tinh?sap=ten"+dir).body, -1) {
			switch m[1] {
			case "05533", "05528", "01843":
				order = append(order, m[1])
			}
		}
		want := "05533,05528,01843"
		if dir != "" {
			want = "01843,05528,05533"
		}
		if got := strings.Join(order, ","); got != want {
			t.Errorf("sap=ten%s: %s, want %s", dir, got, want)
		}
	}
}
