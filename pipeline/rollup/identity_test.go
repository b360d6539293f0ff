package rollup_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	hamletid "github.com/xhht/xhht/pipeline/hamlet"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// A Biểu 01 row as ingest writes it since issue 14: the commune's own code,
// or none (the code derived from the name).
func coded(code, name string, tong, dat int64) hamlet {
	r := h(tong, dat, false)
	r["ma_thon"], r["ten_thon"], r["ma_thon_source"] = code, name, hamletid.FromFile
	return r
}

func uncoded(name string, tong, dat int64) hamlet {
	r := h(tong, dat, false)
	r["ma_thon"], r["ten_thon"], r["ma_thon_source"] = hamletid.Derive(name), name, hamletid.FromDerived
	return r
}

// TestHamletIdentity: the roll-up's hamlets.ma_thon is the hamlet's
// identity across uploads and years (identity.go), worked out by hand.
func TestHamletIdentity(t *testing.T) {
	d := hamletid.Derive
	at := func(y, m, day int) time.Time { return time.Date(y, time.Month(m), day, 2, 0, 0, 0, time.UTC) }
	type want struct {
		year int
		// name → ma_thon|last year's ho_dat rate ("-" when not linked)
		rows map[string]string
	}
	tests := []struct {
		name    string
		years   []int // builds, in order
		ups     []upload
		want    []want
		commune string // of the uploads and the rows checked; "" = xaA
	}{
		{"a code written once is kept when later uploads have none", []int{2025, 2026}, []upload{
			{year: 2025, at: at(2025, 11, 10), hamlets: []hamlet{coded("T01", "Thôn Hòa Bình", 100, 50), coded("T02", "Thôn Nà Rì", 100, 20)}},
			{year: 2026, at: at(2026, 11, 10), hamlets: []hamlet{uncoded("Thôn Hoà Bình", 100, 60), uncoded("thôn Nà Rì", 100, 30), uncoded("Thôn Mới", 100, 10)}},
		}, []want{{2026, map[string]string{"Thôn Hoà Bình": "T01|0.5", "thôn Nà Rì": "T02|0.2", "Thôn Mới": d("Thôn Mới") + "|-"}}}, ""},
		{"a renamed hamlet with its code counts once", []int{2025, 2026}, []upload{
			{year: 2025, at: at(2025, 11, 10), hamlets: []hamlet{coded("T01", "Thôn 1", 100, 50)}},
			{year: 2026, at: at(2026, 11, 10), hamlets: []hamlet{coded("T01", "Thôn Một", 100, 60)}},
		}, []want{{2026, map[string]string{"Thôn Một": "T01|0.5"}}}, ""},
		{"the code of the latest earlier upload, through a re-upload without codes", []int{2026}, []upload{
			{year: 2026, at: at(2026, 11, 1), hamlets: []hamlet{coded("T01", "Thôn A", 100, 50)}},
			{year: 2026, at: at(2026, 11, 3), version: "v2", hamlets: []hamlet{coded("X9", "Thôn A", 100, 50)}},
			{year: 2026, at: at(2026, 11, 5), version: "v3", hamlets: []hamlet{uncoded("Thôn A", 100, 50)}},
			{year: 2026, at: at(2026, 11, 7), version: "v4", hamlets: []hamlet{uncoded("Thôn A", 100, 70)}},
		}, []want{{2026, map[string]string{"Thôn A": "X9|-"}}}, ""},
		{"later uploads and later years teach nothing", []int{2025, 2026}, []upload{
			{year: 2025, at: at(2025, 11, 10), hamlets: []hamlet{uncoded("Thôn A", 100, 50)}},
			{year: 2026, at: at(2026, 11, 10), hamlets: []hamlet{coded("T01", "Thôn A", 100, 60)}},
			// A late 2025 re-upload, received after the 2026 one.
			{year: 2025, file: "nop-lai.xlsx", at: at(2026, 11, 20), hamlets: []hamlet{uncoded("Thôn A", 100, 40)}},
		}, []want{
			{2025, map[string]string{"Thôn A": d("Thôn A") + "|-"}},
			{2026, map[string]string{"Thôn A": "T01|-"}},
		}, ""},
		{"pre-2025 codes do not cross the reform", []int{2024, 2026}, []upload{
			{year: 2024, at: at(2024, 11, 10), hamlets: []hamlet{coded("T01", "Thôn A", 100, 50)}},
			{year: 2026, at: at(2026, 11, 10), hamlets: []hamlet{uncoded("Thôn A", 100, 60)}},
		}, []want{{2026, map[string]string{"Thôn A": d("Thôn A") + "|-"}}}, ""},
		{"before 2025, the ten years before count, beyond last year", []int{2024}, []upload{
			{year: 2021, at: at(2021, 11, 10), hamlets: []hamlet{coded("T01", "Thôn A", 100, 50)}},
			{year: 2024, at: at(2024, 11, 10), hamlets: []hamlet{uncoded("Thôn A", 100, 60)}},
			{year: 2013, at: at(2013, 11, 10), hamlets: []hamlet{coded("T13", "Thôn B", 100, 50)}},
			{year: 2024, file: "b.xlsx", at: at(2024, 11, 1), hamlets: []hamlet{uncoded("Thôn B", 100, 60)}},
		}, []want{{2024, map[string]string{"Thôn A": "T01|-"}}}, "05440"},
		{"after the reform, every year since 2025 counts", []int{2027}, []upload{
			{year: 2025, at: at(2025, 11, 10), hamlets: []hamlet{coded("T01", "Thôn A", 100, 50)}},
			{year: 2027, at: at(2027, 11, 10), hamlets: []hamlet{uncoded("Thôn A", 100, 60)}},
		}, []want{{2027, map[string]string{"Thôn A": "T01|-"}}}, ""},
		{"a code another row of the upload wrote is not taken", []int{2025, 2026}, []upload{
			{year: 2025, at: at(2025, 11, 10), hamlets: []hamlet{coded("T01", "Thôn 1", 100, 50)}},
			{year: 2026, at: at(2026, 11, 10), hamlets: []hamlet{uncoded("Thôn 1", 100, 60), coded("T01", "Thôn Mới", 100, 10)}},
		}, []want{{2026, map[string]string{"Thôn 1": d("Thôn 1") + "|-", "Thôn Mới": "T01|0.5"}}}, ""},
		{"two names of one code in an upload: the name used last takes it", []int{2026}, []upload{
			{year: 2025, at: at(2025, 11, 10), hamlets: []hamlet{coded("T01", "Thôn 1", 100, 50)}},
			{year: 2026, at: at(2026, 11, 1), hamlets: []hamlet{coded("T01", "Thôn Một", 100, 50)}},
			{year: 2026, at: at(2026, 11, 10), version: "v2", hamlets: []hamlet{uncoded("Thôn 1", 100, 60), uncoded("Thôn Một", 100, 70)}},
		}, []want{{2026, map[string]string{"Thôn 1": d("Thôn 1") + "|-", "Thôn Một": "T01|0.5"}}}, ""},
		{"other communes' codes teach nothing", []int{2026}, []upload{
			{year: 2026, commune: xaB, at: at(2026, 11, 1), hamlets: []hamlet{coded("T01", "Thôn A", 100, 50)}},
			{year: 2026, at: at(2026, 11, 10), hamlets: []hamlet{uncoded("Thôn A", 100, 60)}},
		}, []want{{2026, map[string]string{"Thôn A": d("Thôn A") + "|-"}}}, ""},
		{"a code ingest took before issue 14 (known) is read like the commune's", []int{2026}, []upload{
			{year: 2026, at: at(2026, 11, 1), hamlets: []hamlet{func() hamlet {
				r := coded("T07", "Thôn A", 100, 50)
				r["ma_thon_source"] = hamletid.FromKnown
				return r
			}()}},
			{year: 2026, at: at(2026, 11, 10), version: "v2", hamlets: []hamlet{uncoded("Thôn A", 100, 60)}},
		}, []want{{2026, map[string]string{"Thôn A": "T07|-"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			lake := local.New(dir)
			if tt.commune == "" {
				tt.commune = xaA
			}
			for _, u := range tt.ups {
				if u.commune == "" {
					u.commune = tt.commune
				}
				u.write(t, lake)
			}
			for _, y := range tt.years {
				build(t, dir, rollup.Options{Year: y, Province: prov})
			}
			db := views(t, dir)
			for _, w := range tt.want {
				got := map[string]string{}
				for _, r := range all(t, db, "SELECT ten_thon, ma_thon, ty_le_ho_dat_nam_truoc FROM hamlets WHERE year = ? AND commune_code = ?", w.year, tt.commune) {
					prev := "-"
					if r["ty_le_ho_dat_nam_truoc"] != nil {
						prev = fmt.Sprint(r["ty_le_ho_dat_nam_truoc"])
					}
					got[r["ten_thon"].(string)] = fmt.Sprint(r["ma_thon"]) + "|" + prev
				}
				if fmt.Sprint(got) != fmt.Sprint(w.rows) {
					t.Errorf("%d hamlets:\n got %v\nwant %v", w.year, got, w.rows)
				}
				codes := map[string]bool{}
				for _, v := range got {
					c, _, _ := strings.Cut(v, "|")
					if codes[c] {
						t.Errorf("%d: code %s twice", w.year, c)
					}
					codes[c] = true
				}
			}
		})
	}
}
