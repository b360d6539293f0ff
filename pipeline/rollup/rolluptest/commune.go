package rolluptest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/hamlet"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/storage"
)

// communeGen plans, writes and totals one commune's uploads.
type communeGen struct {
	o   *Options
	v   *registry.Version
	c   *registry.Unit
	rng *rand.Rand

	names      []string // the commune's hamlets, as its office names them
	codeSource string   // how ma_thon is filled for this commune: file or derived
	blankCols  []string // optional Biểu 01 columns this commune leaves blank
	base       []row    // the first upload's hamlet values; re-uploads correct them
	codes      map[string]string
}

// File names communes give their uploads. Deliberately unrelated to upload
// time: "sua-lai" (corrected) is not always the later one.
var fileNames = []string{
	"bao-cao-xhht.xlsx", "Bieu01_02.xlsx", "XHHT_final.xlsx", "bao cao XHHT nam nay.xlsx",
	"bieu-tong-hop.xlsx", "bao-cao-sua-lai.xlsx", "Báo cáo XHHT.xlsx", "bieu01-xa.xlsx", "ket-qua-xhht.xlsx",
}

// run plans the commune's uploads, writes them in a shuffled order (Parquet
// first, then the receipt, as ingest does) and returns its outcome and
// totals (nil when no row of it counts).
func (g *communeGen) run(ctx context.Context, lake storage.Store) (*CommuneOutcome, *Totals, stats, error) {
	ups := g.plan()
	out := &CommuneOutcome{Code: g.c.Code, Province: g.c.ProvinceCode, District: g.c.DistrictCode, Uploads: len(ups), Winner: map[string]string{}}
	var st stats
	var accepted []*upload
	for _, u := range ups {
		if u.rejection != nil {
			continue
		}
		accepted = append(accepted, u)
		if out.FirstAccepted.IsZero() || u.receivedAt.Before(out.FirstAccepted) {
			out.FirstAccepted = u.receivedAt
		}
	}
	out.Accepted = len(accepted)

	// Per form, the latest accepted upload that has rows of that form.
	var t *Totals
	for _, f := range set.Forms {
		var win *upload
		for _, u := range accepted {
			if !u.has(f.Code) {
				continue
			}
			if win == nil || later(u, win) > 0 {
				win = u
			}
		}
		if win == nil {
			continue
		}
		for _, u := range accepted {
			if u != win && u.has(f.Code) && u.receivedAt.Equal(win.receivedAt) {
				st.ties++ // counted per form: the tie decided this form's winner
				break
			}
		}
		out.Winner[f.Code] = win.id
		if t == nil {
			t = newTotals(set)
		}
		t.Reported[f.Code]++
		for _, r := range win.rows(f.Code) {
			t.add(f, r)
		}
	}

	order := g.writeOrder(ups)
	for _, u := range order {
		if err := ctx.Err(); err != nil {
			return nil, nil, st, err
		}
		if err := g.write(ctx, lake, u, &st); err != nil {
			return nil, nil, st, err
		}
	}
	return out, t, st, nil
}

// writeOrder shuffles the uploads, then makes sure the latest accepted one
// is not the last accepted one written: ingest runs uploads concurrently
// and S3 events arrive out of order, so neither "last written wins" (file
// times) nor listing order may decide, only received_at.
func (g *communeGen) writeOrder(ups []*upload) []*upload {
	order := slices.Clone(ups)
	g.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	var acc []int // positions of accepted uploads in order
	for i, u := range order {
		if u.rejection == nil {
			acc = append(acc, i)
		}
	}
	if len(acc) < 2 {
		return order
	}
	latest := acc[0]
	for _, i := range acc[1:] {
		if later(order[i], order[latest]) > 0 {
			latest = i
		}
	}
	if last := acc[len(acc)-1]; latest == last {
		order[acc[0]], order[last] = order[last], order[acc[0]]
	}
	return order
}

func (u *upload) has(form string) bool {
	if form == "bieu01" {
		return u.hamlets != nil
	}
	return u.b02 != nil
}

func (u *upload) rows(form string) []row {
	if form == "bieu01" {
		return u.hamlets
	}
	if u.b02 != nil {
		return []row{u.b02}
	}
	return nil
}

// chance is true with probability p.
func (g *communeGen) chance(p float64) bool { return g.rng.Float64() < p }

// between is uniform in [lo, hi].
func (g *communeGen) between(lo, hi int) int64 { return int64(lo + g.rng.IntN(hi-lo+1)) }

// plan decides the commune's uploads.
func (g *communeGen) plan() []*upload {
	r := g.o.Rates
	p := g.rng.Float64()
	switch {
	case p < r.Missing:
		return nil
	case p < r.Missing+r.RejectedOnly:
		ups := make([]*upload, 1+g.rng.IntN(2))
		times := g.times(len(ups))
		for i := range ups {
			ups[i] = g.rejected(times[i])
		}
		return g.identify(ups)
	}

	g.setupHamlets()
	noB02 := g.chance(r.NoBieu02)
	nAcc := 1
	if g.chance(r.Resubmit) {
		nAcc = 2 + g.rng.IntN(2)
	}
	nRej := 0
	if g.chance(r.ExtraRejected) {
		nRej = 1 + g.rng.IntN(2)
	}
	times := g.times(nAcc + nRej)
	// Rejected uploads sit anywhere in the timeline: before the accepted
	// one (the usual fix-and-resend), between, or after it (a late bad
	// file must not replace good data).
	rejAt := map[int]bool{}
	for len(rejAt) < nRej {
		rejAt[g.rng.IntN(nAcc+nRej)] = true
	}
	var ups, acc []*upload
	for i, t := range times {
		if rejAt[i] {
			ups = append(ups, g.rejected(t))
			continue
		}
		u := g.accepted(t, len(acc), noB02)
		ups, acc = append(ups, u), append(acc, u)
	}
	if len(acc) >= 2 && g.chance(r.Tie) {
		// S3 LastModified has whole seconds: two uploads in the same second
		// tie, and source_key then source_version decide. Half the ties
		// re-upload the same key (a new version), half another file name.
		a, b := acc[len(acc)-2], acc[len(acc)-1]
		b.receivedAt = a.receivedAt
		if g.chance(0.5) {
			b.key = a.key
		} else {
			for b.key == a.key {
				b.key = g.key()
			}
		}
		b.version = g.version()
		// Both forms in both files, so the tie decides them.
		for _, u := range []*upload{a, b} {
			if u.hamlets == nil {
				u.hamlets, u.names = g.hamletRows(true)
				u.codeSource = g.reuploadSource(true)
			}
			if u.b02 == nil && !noB02 {
				u.b02 = g.bieu02()
			}
		}
	}
	return g.identify(ups)
}

// identify sets each upload's submission id from where it is stored, as
// ingest does.
func (g *communeGen) identify(ups []*upload) []*upload {
	for _, u := range ups {
		u.id = lake.SubmissionID(g.o.Bucket, u.key, u.version)
	}
	return ups
}

// times returns n increasing upload times, whole seconds, UTC. Most first
// uploads come in November, fewer before 15 December, some after it.
func (g *communeGen) times(n int) []time.Time {
	y := g.o.Year
	start := time.Date(y, 11, 1, 0, 0, 0, 0, time.UTC)
	var day int
	switch p := g.rng.Float64(); {
	case p < 0.55:
		day = g.rng.IntN(30) // 1–30 Nov
	case p < 0.80:
		day = 30 + g.rng.IntN(14) // 1–14 Dec
	default:
		day = 44 + g.rng.IntN(14) // 15–28 Dec
	}
	// Office hours in Vietnam (08:00–17:30 ICT = 01:00–10:30 UTC), with
	// some evening uploads.
	sec := 3600 + g.rng.IntN(9*3600+1800)
	if g.chance(0.15) {
		sec = g.rng.IntN(24 * 3600)
	}
	t := start.Add(time.Duration(day)*24*time.Hour + time.Duration(sec)*time.Second)
	if g.chance(g.o.Rates.OnBoundary) {
		// Exactly at a due time (00:00 ICT): "before" must be strict.
		t = time.Date(y, 11, 30, 17, 0, 0, 0, time.UTC)
		if g.chance(0.5) {
			t = time.Date(y, 12, 14, 17, 0, 0, 0, time.UTC)
		}
	}
	out := []time.Time{t}
	for len(out) < n {
		// Re-uploads follow within minutes (a quick fix) or days.
		gap := 5*time.Minute + time.Duration(g.rng.ExpFloat64()*float64(36*time.Hour))
		t = t.Add(gap).Truncate(time.Second)
		out = append(out, t)
	}
	return out
}

func (g *communeGen) key() string {
	return lake.UploadKey(lake.Key{Year: g.o.Year, Province: g.c.ProvinceCode, Commune: g.c.Code, File: fileNames[g.rng.IntN(len(fileNames))]})
}

// version looks like an S3 version id: 32 characters in no time order.
func (g *communeGen) version() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._"
	var b [32]byte
	for i := range b {
		b[i] = alphabet[g.rng.IntN(len(alphabet))]
	}
	return string(b[:])
}

// rejections are the first errors of rejected uploads, as ingest words
// them for the commune.
var rejections = []receipt.Issue{
	{Code: receipt.ConstraintError, Severity: receipt.SevError, Sheet: "Biểu 01", Cell: "F12", Row: 12, Field: "ho_dat", Value: "412",
		Message: "Số hộ được công nhận (412) lớn hơn Tổng số hộ (398).", MessageEN: "households recognised (412) is greater than households (398)."},
	{Code: receipt.MissingCell, Severity: receipt.SevError, Sheet: "Biểu 01", Cell: "D9", Row: 9, Field: "ho_tong",
		Message: "Ô Tổng số hộ bị bỏ trống.", MessageEN: "households is blank."},
	{Code: receipt.TypeError, Severity: receipt.SevError, Sheet: "Biểu 01", Cell: "E15", Row: 15, Field: "ho_dang_ky", Value: "khoảng 200",
		Message: "\"khoảng 200\" không phải là số nguyên.", MessageEN: "\"khoảng 200\" is not a whole number."},
	{Code: receipt.FormNotFound, Severity: receipt.SevError,
		Message: "Không tìm thấy Biểu 01 hoặc Biểu 02 trong tệp.", MessageEN: "No sheet carries Form 01 or Form 02."},
	{Code: receipt.UnreadableFile, Severity: receipt.SevError,
		Message:   "Không đọc được tệp. Hệ thống nhận tệp Excel (.xlsx) hoặc CSV (UTF-8). Hãy mở tệp bằng Excel, lưu lại dạng .xlsx và nộp lại.",
		MessageEN: "The file cannot be read: zip: not a valid zip file"},
	{Code: receipt.YearMismatch, Severity: receipt.SevError, Sheet: "Biểu 01", Cell: "A4", Row: 4, Value: "2023",
		Message: "Năm ghi trong tệp (2023) khác năm trong đường dẫn.", MessageEN: "The year in the file (2023) differs from the key's year."},
}

func (g *communeGen) rejected(t time.Time) *upload {
	is := rejections[g.rng.IntN(len(rejections))]
	return &upload{key: g.key(), version: g.version(), receivedAt: t, rejection: &is}
}

// accepted plans the n-th accepted upload. The first carries Biểu 01 and
// (unless the commune never sends it) Biểu 02; re-uploads sometimes carry
// only one of them, so each form's winner is decided separately.
func (g *communeGen) accepted(t time.Time, n int, noB02 bool) *upload {
	u := &upload{key: g.key(), version: g.version(), receivedAt: t}
	b01, b02 := true, !noB02
	if n > 0 && !noB02 && g.chance(g.o.Rates.SingleForm) {
		b01 = g.chance(0.6)
		b02 = !b01
	}
	if b01 {
		u.hamlets, u.names = g.hamletRows(n > 0)
		u.codeSource = g.reuploadSource(n > 0)
	}
	if b02 {
		u.b02 = g.bieu02()
	}
	return u
}

// reuploadSource is ma_thon_source: ingest codes every upload from the
// file alone, so a re-upload is coded as the first one was (the roll-up
// resolves identity across uploads).
func (g *communeGen) reuploadSource(bool) string { return g.codeSource }

var (
	hamletWords = []string{"Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Tân", "Phú", "An", "Hòa", "Thịnh",
		"Quyết Tiến", "Đoàn Kết", "Tân Lập", "Hợp Nhất", "Đồng Tâm", "Na Hang", "Khe Mạ", "Làng Mới", "Cầu Trắng", "Bình Minh"}
	optionalB01 = []string{"ho_dang_ky", "ho_dat", "dong_ho_tong", "dong_ho_dang_ky", "dong_ho_dat",
		"cong_dong_dang_ky", "cong_dong_dat", "lao_dong_tong", "cong_dan_dat"}
	// blankColumnGroups are the column sets a commune leaves empty
	// together: a whole model it does not track, or one column.
	blankColumnGroups = [][]string{
		{"dong_ho_tong", "dong_ho_dang_ky", "dong_ho_dat"}, // urban wards: no clans
		{"lao_dong_tong", "cong_dan_dat"},
		{"ho_dang_ky"},
		{"cong_dong_dang_ky"},
		// A numerator or a denominator left blank in every row while the
		// other is filled: the rate is over no row, so unknown, not 0.
		{"ho_dat"},
		{"cong_dong_dat"},
		{"cong_dan_dat"},
		{"dong_ho_tong"},
		{"lao_dong_tong"},
	}
)

// setupHamlets names the commune's hamlets and decides how it fills the form.
func (g *communeGen) setupHamlets() {
	n := g.o.MinHamlets + g.rng.IntN(g.o.MaxHamlets-g.o.MinHamlets+1)
	prefix := "Thôn"
	switch {
	case strings.HasPrefix(g.c.Name, "Phường"):
		prefix = "Tổ dân phố"
		if g.chance(0.3) {
			prefix = "Khu phố"
		}
	case g.chance(0.2):
		prefix = []string{"Ấp", "Bản", "Xóm", "Buôn"}[g.rng.IntN(4)]
	}
	seen := map[string]bool{}
	for len(g.names) < n {
		name := fmt.Sprintf("%s %d", prefix, len(g.names)+1)
		if g.chance(0.4) {
			name = prefix + " " + hamletWords[g.rng.IntN(len(hamletWords))]
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		g.names = append(g.names, name)
	}
	g.codeSource = hamlet.FromDerived
	if g.chance(0.4) {
		g.codeSource = hamlet.FromFile
	}
	if g.chance(g.o.Rates.BlankColumn) {
		g.blankCols = blankColumnGroups[g.rng.IntN(len(blankColumnGroups))]
	}
}

// hamletRows gives the Biểu 01 rows of one upload: a re-upload corrects
// some numbers of the first and sometimes adds or drops a hamlet.
func (g *communeGen) hamletRows(reupload bool) ([]row, []string) {
	names := g.names
	if reupload && g.chance(0.3) {
		if g.chance(0.5) && len(names) > 1 {
			names = names[:len(names)-1]
		} else {
			names = append(slices.Clip(names), fmt.Sprintf("Thôn mới %d", len(names)+1))
		}
	}
	rows := make([]row, len(names))
	for i := range names {
		if reupload && i < len(g.base) && g.chance(0.7) {
			rows[i] = g.base[i] // unchanged hamlet
			continue
		}
		rows[i] = g.hamlet()
	}
	if g.base == nil {
		g.base = rows
	}
	return rows, names
}

// hamlet is one hamlet's counts, within the form's rules (registered ≤
// total, recognised ≤ registered, citizens ≤ working-age people, a
// recognised hamlet is registered), with some optional cells blank.
func (g *communeGen) hamlet() row {
	hoTong := g.between(60, 650)
	hoDK := hoTong * g.between(70, 100) / 100
	hoDat := hoDK * g.between(55, 100) / 100
	dhTong := g.between(0, 14)
	dhDK := dhTong * g.between(40, 100) / 100
	dhDat := dhDK * g.between(40, 100) / 100
	ld := hoTong * g.between(150, 280) / 100
	cd := ld * g.between(15, 70) / 100
	dk := g.chance(0.88)
	dat := dk && g.chance(0.72)
	r := row{
		"ho_tong": hoTong, "ho_dang_ky": hoDK, "ho_dat": hoDat,
		"dong_ho_tong": dhTong, "dong_ho_dang_ky": dhDK, "dong_ho_dat": dhDat,
		"cong_dong_dang_ky": dk, "cong_dong_dat": dat,
		"lao_dong_tong": ld, "cong_dan_dat": cd,
	}
	if g.chance(g.o.Rates.BlankHamlet) {
		for range 1 + g.rng.IntN(3) {
			delete(r, optionalB01[g.rng.IntN(len(optionalB01))])
		}
	}
	for _, c := range g.blankCols {
		delete(r, c)
	}
	return r
}

var (
	ketQua  = []string{"Mức độ 2", "Mức độ 1", "Chưa đạt", "Chưa đánh giá"}
	xepLoai = []string{"Tốt", "Khá", "Trung bình", "Chưa đạt", "Chưa xếp loại"}
)

// bieu02 is the commune's Biểu 02 row. Fields that do not apply to the
// year (the TT 44/2014 score before 2024, the TT 25/2023 level from 2024)
// are left out, as ingest does.
func (g *communeGen) bieu02() row {
	dvTong := g.between(4, 45)
	dvDK := dvTong * g.between(60, 100) / 100
	dvDat := dvDK * g.between(50, 100) / 100
	cbTong := g.between(25, 700)
	cbDat := cbTong * g.between(30, 95) / 100
	hv := g.between(150, 3500)
	r := row{
		"don_vi_tong": dvTong, "don_vi_dang_ky": dvDK, "don_vi_dat": dvDat,
		"can_bo_tong": cbTong, "can_bo_cong_dan_dat": cbDat,
		"cong_dong_xa_ket_qua":  ketQua[weighted(g.rng, 45, 35, 12, 8)],
		"tthtcd_xep_loai":       xepLoai[weighted(g.rng, 35, 35, 15, 5, 10)],
		"tthtcd_so_lop":         g.between(2, 60),
		"tthtcd_luot_nguoi_hoc": g.between(100, 9000),
		"tthtcd_ung_dung_cntt":  g.chance(0.7),
		"hoi_vien_tong":         hv, "hoi_vien_tap_huan": hv * g.between(5, 60) / 100,
	}
	f := set.Form("bieu02")
	if fd := f.Field("cong_dong_xa_diem"); fd != nil && fd.AppliesTo(g.o.Year) {
		score := float64(g.between(300, 1000)) / 10
		r["cong_dong_xa_diem"] = score
		if x := f.Field("cong_dong_xa_xep_loai"); x != nil {
			r["cong_dong_xa_xep_loai"] = x.Grade(score)
		}
	}
	for code := range r {
		if fd := f.Field(code); fd == nil || !fd.AppliesTo(g.o.Year) {
			delete(r, code)
		}
	}
	if g.chance(g.o.Rates.Blank02) {
		opt := []string{"don_vi_dang_ky", "don_vi_dat", "can_bo_tong", "can_bo_cong_dan_dat", "cong_dong_xa_ket_qua",
			"tthtcd_so_lop", "tthtcd_luot_nguoi_hoc", "tthtcd_ung_dung_cntt", "hoi_vien_tong", "hoi_vien_tap_huan"}
		for range 1 + g.rng.IntN(3) {
			delete(r, opt[g.rng.IntN(len(opt))])
		}
	}
	return r
}

// weighted picks an index with the given relative weights.
func weighted(rng *rand.Rand, w ...int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	n := rng.IntN(total)
	for i, x := range w {
		if n < x {
			return i
		}
		n -= x
	}
	return len(w) - 1
}

// write stores one upload as ingest would: the Parquet file when accepted,
// then the receipt.
func (g *communeGen) write(ctx context.Context, store storage.Store, u *upload, st *stats) error {
	k := lake.Key{Year: g.o.Year, Province: g.c.ProvinceCode, Commune: g.c.Code}
	rc := g.receipt(u)
	if u.rejection == nil {
		b, n, err := g.encode(rc, u)
		if err != nil {
			return fmt.Errorf("rolluptest: commune %s: %w", g.c.Code, err)
		}
		rc.Output = lake.SubmissionKey(k, u.id)
		if err := store.Put(ctx, rc.Output, b, "application/vnd.apache.parquet"); err != nil {
			return fmt.Errorf("rolluptest: %w", err)
		}
		st.parquet++
		st.rows += n
	}
	b, err := rc.JSON()
	if err != nil {
		return fmt.Errorf("rolluptest: %w", err)
	}
	if err := store.Put(ctx, lake.ReceiptKey(k, u.id), b, "application/json"); err != nil {
		return fmt.Errorf("rolluptest: %w", err)
	}
	st.receipts++
	return nil
}

// receipt is the upload's receipt as ingest writes it.
func (g *communeGen) receipt(u *upload) *receipt.Receipt {
	rc := &receipt.Receipt{
		SubmissionID: u.id, Year: g.o.Year, ProvinceCode: g.c.ProvinceCode, CommuneCode: g.c.Code, CommuneName: g.c.Name,
		Registry: g.v.Name, Bucket: g.o.Bucket, SourceKey: u.key, SourceVersion: u.version, ReceivedAt: u.receivedAt, Format: "xlsx",
	}
	if p := g.v.Provinces[g.c.ProvinceCode]; p != nil {
		rc.ProvinceName = p.Name
	}
	if g.c.DistrictCode != "" {
		rc.DistrictCode = g.c.DistrictCode
		if d := g.v.Districts[g.c.DistrictCode]; d != nil {
			rc.DistrictName = d.Name
		}
	}
	if u.rejection != nil {
		rc.Add(*u.rejection)
		rc.Finish()
		return rc
	}
	for _, f := range set.Forms {
		if !u.has(f.Code) {
			continue
		}
		rc.Forms = append(rc.Forms, f.Code)
		if rc.Form == "" {
			rc.Form, rc.FormVersion, rc.SchemaVersion = f.Code, f.Version, f.SchemaVersion
		}
	}
	rc.Rows = len(u.hamlets)
	for i, name := range u.names {
		rc.Hamlets = append(rc.Hamlets, receipt.Hamlet{Code: g.hamletCode(u.codeSource, i, name), Name: name, CodeSource: u.codeSource})
	}
	// Totals as ingest gives them: sums of counts, "yes" rows of booleans,
	// the value for Biểu 02; a field blank in every row has none.
	rc.Totals = map[string]*receipt.Num{}
	for _, f := range set.Forms {
		for _, r := range u.rows(f.Code) {
			for _, fd := range f.Fields {
				v, ok := r[fd.Code]
				if !ok {
					continue
				}
				n := rc.Totals[fd.Code]
				switch fd.Type {
				case forms.Count:
					if n == nil {
						n = &receipt.Num{IsInt: true}
					}
					n.Int += v.(int64)
				case forms.Bool:
					if n == nil {
						n = &receipt.Num{IsInt: true}
					}
					if v.(bool) {
						n.Int++
					}
				case forms.Score:
					if n == nil {
						n = &receipt.Num{}
					}
					n.Float += v.(float64)
				default:
					continue
				}
				rc.Totals[fd.Code] = n
			}
		}
	}
	rc.Finish()
	return rc
}

// hamletCode is ma_thon: what the commune wrote ("01", "02" …) or, for
// derived codes, ingest's code from the name (hashed: kept per
// commune, as re-uploads repeat the names).
func (g *communeGen) hamletCode(source string, i int, name string) string {
	if source == hamlet.FromFile {
		return fmt.Sprintf("%02d", i+1)
	}
	if c, ok := g.codes[name]; ok {
		return c
	}
	if g.codes == nil {
		g.codes = map[string]string{}
	}
	c := hamlet.Derive(name)
	g.codes[name] = c
	return c
}

// encode writes the upload's rows with the lake schema: Biểu 01 rows, then
// the Biểu 02 row, each with the lineage columns.
func (g *communeGen) encode(rc *receipt.Receipt, u *upload) ([]byte, int, error) {
	var rows []map[string]any
	for _, f := range set.Forms {
		sheet := "Biểu 01"
		if f.Code != "bieu01" {
			sheet = "Biểu 02"
		}
		for i, r := range u.rows(f.Code) {
			m := make(map[string]any, 24+len(r))
			m["submission_id"], m["form"], m["form_version"], m["schema_version"] = rc.SubmissionID, f.Code, f.Version, f.SchemaVersion
			m["report_year"], m["registry_version"] = int32(rc.Year), rc.Registry
			m["province_code"], m["province_name"] = rc.ProvinceCode, rc.ProvinceName
			m["commune_code"], m["commune_name"] = rc.CommuneCode, rc.CommuneName
			m["source_bucket"], m["source_key"], m["source_version"] = rc.Bucket, rc.SourceKey, rc.SourceVersion
			m["source_sheet"], m["source_row"], m["received_at"] = sheet, int32(8+i), rc.ReceivedAt
			if rc.DistrictCode != "" {
				m["district_code"], m["district_name"] = rc.DistrictCode, rc.DistrictName
			}
			if f.Grain == "hamlet" {
				h := rc.Hamlets[i]
				m["ma_thon_source"], m["ma_thon"], m["ten_thon"] = h.CodeSource, h.Code, h.Name
			}
			for code, v := range r {
				m[code] = v
			}
			rows = append(rows, m)
		}
	}
	b, err := schema.Encode(rows, map[string]string{"xhht.submission_id": rc.SubmissionID})
	return b, len(rows), err
}
