// Package demo generates realistic submissions for every commune of one
// province: Vietnamese hamlet names, plausible counts, most files clean and a
// few with the mistakes commune offices really make. `make run` uses it.
// Years other than BaseYear derive from BaseYear's data (years.go), so one
// year compares with the next as a real commune's would.
package demo

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/registry"
)

// Hamlet is one generated Biểu 01 row. Pointers are blank cells.
type Hamlet struct {
	Name                                string
	HoTong, HoDangKy, HoDat             int
	DongHoTong, DongHoDangKy, DongHoDat int
	CongDongDangKy, CongDongDat         bool
	LaoDongTong, CongDanDat             int
	Override                            map[string]string // field code → raw text written instead (mistakes)
}

// Commune is one generated Biểu 02 row.
type Commune struct {
	DonViTong, DonViDangKy, DonViDat int
	CanBoTong, CanBoDat              int
	KetQua                           string
	TTXepLoai                        string
	TTSoLop, TTLuot                  int
	TTCNTT                           bool
	HoiVienTong, HoiVienTapHuan      int
}

// Mistake names a deliberate error in a file.
type Mistake string

// The mistakes the demo makes, one file each.
const (
	None            Mistake = ""
	RecognisedOver  Mistake = "ho_dat > ho_tong"
	TotalsOff       Mistake = "totals row off by one"
	TextInNumber    Mistake = "text in a number cell"
	DuplicateHamlet Mistake = "duplicate hamlet"
	WrongYear       Mistake = "wrong year in the title"
	MissingColumn   Mistake = "missing column"
	Fraction        Mistake = "fractional count"
	WrongCommune    Mistake = "another commune's code in the title"
	WarningOnly     Mistake = "recognised > registered (warning)"
)

// File is one generated upload.
type File struct {
	Key        string // <year>/<province>/<commune>/<file name>
	Commune    *registry.Unit
	Format     string // "xlsx" or "csv"
	Mistake    Mistake
	Hamlets    []Hamlet
	Form02     *Commune // nil: no Biểu 02 sheet
	ReceivedAt time.Time
	Fixes      string // key of the rejected file this one corrects
	// Anomaly is the deliberate year-on-year oddity of a derived year's
	// data (years.go), NoAnomaly for most.
	Anomaly Anomaly
}

// Plan lists every upload for a province and year, deterministically.
type Plan struct {
	Year     int
	Province *registry.Unit
	Files    []File
	Missing  []*registry.Unit // communes that upload nothing
	communes map[string]*registry.Unit
}

var ict = time.FixedZone("ICT", 7*3600)

// mistakes are given to the communes at these positions (in code order),
// so every run shows each rule once.
var mistakes = []Mistake{RecognisedOver, TotalsOff, TextInNumber, DuplicateHamlet, WrongYear, MissingColumn, Fraction, WrongCommune, WarningOnly}

// NewPlan builds the plan for every commune of the province.
func NewPlan(reg *registry.Registry, year int, province string) (*Plan, error) {
	v := reg.ForYear(year)
	prov := v.Provinces[province]
	if prov == nil {
		return nil, fmt.Errorf("demo: no province %s in the %d register", province, year)
	}
	communes := v.CommunesOf(province)
	p := &Plan{Year: year, Province: prov, communes: map[string]*registry.Unit{}}
	for i, c := range communes {
		p.communes[c.Code] = c
		rng := rand.New(rand.NewPCG(seed(c.Code), uint64(year)))
		switch {
		case i == len(communes)-1 || i == len(communes)/2+1:
			p.Missing = append(p.Missing, c)
			continue
		}
		f := File{Commune: c, Format: "xlsx"}
		if year == BaseYear {
			f.Hamlets = hamlets(rng, c)
			f.Form02 = commune02(rng, year)
		} else {
			f.Hamlets, f.Form02 = derived(reg, v, rng, c, i, year) // years.go
			f.Anomaly = anomalyOf(year, i)
		}
		if i%9 == 4 {
			f.Format, f.Form02 = "csv", nil
		}
		// Uploads arrive over the last weeks of November, ICT office hours.
		day := 1 + rng.IntN(28)
		f.ReceivedAt = time.Date(year, 11, day, 8+rng.IntN(9), rng.IntN(60), rng.IntN(60), 0, ict).UTC()
		f.Key = lake.UploadKey(lake.Key{Year: year, Province: province, Commune: c.Code, File: fileName(f, year)})
		if m := i / 5; i%5 == 2 && m < len(mistakes) {
			bad := f
			bad.Mistake = mistakes[m]
			bad.Hamlets = append([]Hamlet(nil), f.Hamlets...)
			switch bad.Mistake {
			case MissingColumn: // a hand-made CSV
				bad.Format, bad.Form02 = "csv", nil
			case WrongYear, WrongCommune: // the title block is only in a workbook
				bad.Format, bad.Form02 = "xlsx", commune02(rng, year)
			}
			bad.Key = lake.UploadKey(lake.Key{Year: year, Province: province, Commune: c.Code, File: fileName(bad, year)})
			bad.ReceivedAt = f.ReceivedAt.Add(-72 * time.Hour)
			if bad.Mistake == WarningOnly {
				p.Files = append(p.Files, bad) // accepted with a warning: no second upload
				continue
			}
			// Half of the rejected communes upload a corrected file later.
			p.Files = append(p.Files, bad)
			if m%2 == 1 {
				continue
			}
			f.Fixes = bad.Key
			f.Key = lake.UploadKey(lake.Key{Year: year, Province: province, Commune: c.Code, File: "sua-lai-" + fileName(f, year)})
		}
		p.Files = append(p.Files, f)
	}
	return p, nil
}

func seed(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func fileName(f File, year int) string {
	if f.Format == "csv" {
		return fmt.Sprintf("bieu01-%d.csv", year)
	}
	return fmt.Sprintf("bao-cao-xhht-%d.xlsx", year)
}

var (
	prefixes = []string{"Thôn", "Xóm", "Bản", "Thôn"}
	first    = []string{"Nà", "Bản", "Khuổi", "Pác", "Cốc", "Phiêng", "Nặm", "Đồng", "Làng", "Bãi", "Na", "Tân", "Hợp", "Lũng"}
	second   = []string{"Rì", "Cái", "Mới", "Thành", "Chợ", "Đèo", "Tiến", "Hòa", "Vèn", "Quang", "Lậu", "Phai", "Hin", "Mu", "Tấu", "Dài", "Thủy", "Tràng"}
)

func hamlets(rng *rand.Rand, c *registry.Unit) []Hamlet {
	n := 6 + rng.IntN(20)
	seen := map[string]bool{}
	var out []Hamlet
	for len(out) < n {
		var name string
		if c.Type == "Phường" {
			name = fmt.Sprintf("Tổ dân phố %d", len(out)+1)
		} else {
			name = prefixes[rng.IntN(len(prefixes))] + " " + first[rng.IntN(len(first))] + " " + second[rng.IntN(len(second))]
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		h := Hamlet{Name: name, HoTong: 40 + rng.IntN(360)}
		h.HoDangKy = h.HoTong * (85 + rng.IntN(16)) / 100
		h.HoDat = h.HoDangKy * (70 + rng.IntN(26)) / 100
		h.DongHoTong = 2 + rng.IntN(14)
		h.DongHoDangKy = h.DongHoTong - rng.IntN(2)
		h.DongHoDat = h.DongHoDangKy * (50 + rng.IntN(51)) / 100
		h.CongDongDangKy = rng.IntN(10) > 0
		h.CongDongDat = h.CongDongDangKy && rng.IntN(10) < 7
		h.LaoDongTong = h.HoTong * (18 + rng.IntN(8)) / 10
		h.CongDanDat = h.LaoDongTong * (30 + rng.IntN(40)) / 100
		out = append(out, h)
	}
	return out
}

var ketQua = []string{"Mức độ 2", "Mức độ 1", "Mức độ 1", "Chưa đạt", "Chưa đánh giá"}
var xepLoai = []string{"Tốt", "Khá", "Khá", "Trung bình"}

func commune02(rng *rand.Rand, year int) *Commune {
	c := &Commune{DonViTong: 8 + rng.IntN(20)}
	c.DonViDangKy = c.DonViTong - rng.IntN(3)
	c.DonViDat = c.DonViDangKy * (60 + rng.IntN(41)) / 100
	c.CanBoTong = 60 + rng.IntN(300)
	c.CanBoDat = c.CanBoTong * (50 + rng.IntN(45)) / 100
	c.KetQua = ketQua[rng.IntN(len(ketQua))]
	c.TTXepLoai = xepLoai[rng.IntN(len(xepLoai))]
	c.TTSoLop = 5 + rng.IntN(40)
	c.TTLuot = c.TTSoLop * (20 + rng.IntN(40))
	c.TTCNTT = rng.IntN(3) > 0
	c.HoiVienTong = 300 + rng.IntN(2000)
	c.HoiVienTapHuan = c.HoiVienTong * (10 + rng.IntN(40)) / 100
	return c
}
