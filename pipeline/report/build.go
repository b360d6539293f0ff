package report

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/targets"
)

// Options says which report to build.
type Options struct {
	Lake     storage.Store
	Year     int
	Province string
	Deadline string // "12-01" or "12-15"
	WorkDir  string // scratch; "" = a temp dir, removed after
	// Now is when the report is made (zero: time.Now()). Before the
	// deadline's cut-off the report is a draft counting uploads received
	// before Now; at or after it, the final report, the same whatever Now.
	// An explicit input so that tests and re-runs are deterministic; the
	// report Lambda passes its invocation time.
	Now time.Time
	// ApprovedOnly: count only approved data (true), live data (false),
	// or as the province's settings say for this deadline (nil; approved.go).
	ApprovedOnly *bool

	// Optional; loaded from schemas/ when nil.
	Registry  *registry.Registry
	Targets   *targets.Set
	Deadlines *deadlines.Set
	Log       *slog.Logger
}

// FirstTrendYear is the first year the trend looks for data.
const FirstTrendYear = 2014

// Build computes a deadline report from a roll-up snapshot at its cut-off.
func Build(ctx context.Context, o Options) (*Report, error) {
	in, err := resolve(o.Registry, o.Deadlines, o.Targets, o.Log, o.Deadline, o.Year, o.Province)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	o.Registry, o.Deadlines, o.Targets, o.Log = in.reg, in.dl, in.tg, in.log
	d, ver, prov := in.deadline, in.ver, in.prov
	work := o.WorkDir
	if work == "" {
		if work, err = os.MkdirTemp("", "xhht-report-"); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		defer os.RemoveAll(work)
	}
	issuer, err := ResolveIssuer(ctx, o.Lake, o.Deadlines, prov, d.ID)
	if err != nil {
		return nil, fmt.Errorf("report: cơ quan ban hành (issuer): %w", err)
	}
	r := &Report{
		Deadline: d.ID, Title: fmt.Sprintf("%s năm %d", d.NameVI, o.Year),
		Year: o.Year, Province: prov.Code, ProvinceName: prov.Name, Issuer: issuer,
		CutOff: d.CutOff(o.Year), Registry: ver.Name, HasDistricts: ver.HasDistricts(),
	}
	if o.ApprovedOnly != nil {
		r.ApprovedOnly = *o.ApprovedOnly
	} else {
		var ids []string
		for _, dd := range o.Deadlines.All() {
			ids = append(ids, dd.ID)
		}
		set, err := LoadSettings(ctx, o.Lake, prov.Code, ids)
		if err != nil {
			return nil, err
		}
		r.ApprovedOnly = slices.Contains(set.ApprovedOnly, d.ID)
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	counted := r.CutOff
	if now.Before(r.CutOff) {
		// A draft: only what had arrived when it was made, to the second,
		// so the banner's time is the true limit of the figures.
		r.DraftAt = now.UTC().Truncate(time.Second)
		counted = r.DraftAt
	}
	snap := filepath.Join(work, "snapshot")
	so := o.snapshot(counted, snap, filepath.Join(work, "rollup"))
	so.ApprovedOnly = r.ApprovedOnly
	res, err := rollup.Build(ctx, so)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	r.DataTime = res.DataTime
	db, err := rollup.OpenSnapshot(ctx, snap)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer db.Close()
	if err := r.load(ctx, db); err != nil {
		return nil, err
	}
	if err := r.flagsOf(ctx, o, db, counted, work); err != nil {
		return nil, err
	}
	st, err := r.reviewStates(ctx, o.Lake)
	if err != nil {
		return nil, err
	}
	r.markChecked(st)
	r.reviewsAt(st)
	if err := r.trend(ctx, o, d, work); err != nil {
		return nil, err
	}
	r.dropPartialComparison()
	r.Summary = summary(r)
	return r, nil
}

// snapshot are the options of a roll-up snapshot of o's province and
// year counting what was received before cutoff, into out (work: the
// build's scratch directory).
func (o Options) snapshot(cutoff time.Time, out, work string) rollup.Options {
	return rollup.Options{Lake: o.Lake, Year: o.Year, Province: o.Province, Cutoff: cutoff, OutDir: out,
		WorkDir: work, Registry: o.Registry, Targets: o.Targets, Deadlines: o.Deadlines, Log: o.Log}
}

// rowColumns are the roll-up columns a Row needs, besides the unit's own.
func rowColumns() []string {
	cols := []string{"thon_tong", "xa_cdht_muc_do_1", "xa_cdht_muc_do_2", "tthtcd_so_lop", "tthtcd_luot_nguoi_hoc",
		"tthtcd_ung_dung_cntt", "hoi_vien_tong", "hoi_vien_tap_huan"}
	for _, m := range Models {
		cols = append(cols, m.Den, m.Num, "ty_le_"+m.Code, "chi_tieu_"+m.Code, "nguon_chi_tieu_"+m.Code,
			"dat_chi_tieu_"+m.Code, "ty_le_"+m.Code+"_nam_truoc", "ty_le_"+m.Code+"_thay_doi",
			"ty_le_"+m.Code+"_so_dong", "ty_le_"+m.Code+"_so_dong_bo_qua")
	}
	return cols
}

// readRows reads rows of a level view: key columns first (code, name,
// district), then rowColumns.
func readRows(ctx context.Context, db *sql.DB, level, view, code, name, district, where string) ([]Row, error) {
	cols := rowColumns()
	q := fmt.Sprintf("SELECT %s, %s, %s AS district_key, %s FROM %s WHERE %s ORDER BY district_key NULLS FIRST, %s",
		code, name, district, strings.Join(cols, ", "), view, where, code)
	rs, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("report: read %s: %w", view, err)
	}
	defer rs.Close()
	var out []Row
	for rs.Next() {
		var c, n, dist sql.NullString
		vals := make([]any, len(cols))
		ptrs := []any{&c, &n, &dist}
		for i := range vals {
			ptrs = append(ptrs, &vals[i])
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("report: read %s: %w", view, err)
		}
		v := map[string]any{}
		for i, col := range cols {
			v[col] = vals[i]
		}
		row := Row{Level: level, Code: c.String, Name: n.String, District: dist.String, Cells: map[string]Cell{},
			Hamlets: i64(v["thon_tong"]), XaMucDo1: i64(v["xa_cdht_muc_do_1"]), XaMucDo2: i64(v["xa_cdht_muc_do_2"]),
			TTHTCDLop: i64(v["tthtcd_so_lop"]), TTHTCDLuot: i64(v["tthtcd_luot_nguoi_hoc"]), TTHTCDCNTT: i64(v["tthtcd_ung_dung_cntt"]),
			HoiVien: i64(v["hoi_vien_tong"]), HoiVienTapHuan: i64(v["hoi_vien_tap_huan"])}
		for _, m := range Models {
			src, _ := v["nguon_chi_tieu_"+m.Code].(string)
			row.Cells[m.Code] = Cell{Total: i64(v[m.Den]), Recognised: i64(v[m.Num]), Rate: f64(v["ty_le_"+m.Code]),
				Target: f64(v["chi_tieu_"+m.Code]), TargetSource: src, Met: boolp(v["dat_chi_tieu_"+m.Code]),
				PrevRate: f64(v["ty_le_"+m.Code+"_nam_truoc"]), Change: f64(v["ty_le_"+m.Code+"_thay_doi"]),
				Counted: i64(v["ty_le_"+m.Code+"_so_dong"]), LeftOut: i64(v["ty_le_"+m.Code+"_so_dong_bo_qua"])}
		}
		out = append(out, row)
	}
	return out, rs.Err()
}

func i64(v any) *int64 {
	if x, ok := v.(int64); ok {
		return &x
	}
	return nil
}

func f64(v any) *float64 {
	if x, ok := v.(float64); ok {
		return &x
	}
	return nil
}

func boolp(v any) *bool {
	if x, ok := v.(bool); ok {
		return &x
	}
	return nil
}

// load fills the rows and the completeness from the snapshot.
func (r *Report) load(ctx context.Context, db *sql.DB) error {
	var err error
	if r.Communes, err = readRows(ctx, db, "commune", rollup.Communes, "commune_code", "commune_name", "district_code", "true"); err != nil {
		return err
	}
	if r.HasDistricts {
		if r.Districts, err = readRows(ctx, db, "district", rollup.Districts, "district_code", "district_name", "district_code", "true"); err != nil {
			return err
		}
	}
	tot, err := readRows(ctx, db, "province", rollup.Provinces, "province_code", "province_name", "NULL::VARCHAR", "true")
	if err != nil {
		return err
	}
	if len(tot) != 1 {
		return fmt.Errorf("report: the snapshot has %d province rows, want 1", len(tot))
	}
	r.Total = tot[0]
	rs, err := db.QueryContext(ctx, `SELECT commune_code, commune_name, coalesce(district_code, ''), status, first_accepted_at,
  coalesce(last_rejection, ''), due_at, coalesce(review_state, ''), approved = 1 FROM completeness WHERE level = 'commune' AND deadline = ? ORDER BY commune_code`, r.Deadline)
	if err != nil {
		return fmt.Errorf("report: completeness: %w", err)
	}
	defer rs.Close()
	c := &r.Completeness
	for rs.Next() {
		var s CommuneStatus
		var first sql.NullTime
		if err := rs.Scan(&s.Code, &s.Name, &s.District, &s.Status, &first, &s.LastRejection, &s.Due, &s.ReviewState, &s.Approved); err != nil {
			return fmt.Errorf("report: completeness: %w", err)
		}
		if first.Valid {
			s.FirstAccepted = first.Time.UTC()
		}
		s.Due = s.Due.UTC()
		c.Communes = append(c.Communes, s)
		c.Expected++
		if s.Approved {
			c.Approved++
		}
		// A returned commune's latest file does not count, whatever time
		// it arrived: it is neither on time nor late but "bị Sở trả lại"
		// until the commune sends a corrected file (whose upload makes the
		// state "submitted" again). Classified from review_state, so this
		// holds whether or not the roll-up's status already leaves the
		// returned file out.
		if s.returned() {
			c.Returned++
			continue
		}
		switch s.Status {
		case "on_time":
			c.OnTime++
			c.Submitted++
		case "late":
			c.Late++
			c.Submitted++
		case "missing":
			c.Missing++
		case "rejected_only":
			c.RejectedOnly++
		default:
			return fmt.Errorf("report: commune %s has status %q", s.Code, s.Status)
		}
	}
	return rs.Err()
}

// trend adds one point per year with data, each as of that year's own
// cut-off of the same deadline (so the trend is reproducible too). Years
// on another register are re-expressed on the report year's units.
func (r *Report) trend(ctx context.Context, o Options, d deadlines.Deadline, work string) error {
	for y := FirstTrendYear; y <= o.Year; y++ {
		if y == o.Year {
			r.Trend = append(r.Trend, YearPoint{Year: y, Rates: rates(r.Total), Complete: true})
			continue
		}
		v := o.Registry.ForYear(y)
		if v == nil {
			continue
		}
		rebase := v.HasDistricts() && !r.HasDistricts
		prefix := lake.SubmissionsYearPrefix(y)
		if !rebase {
			if v.HasDistricts() != r.HasDistricts {
				continue // a post-reform province never re-expressed backwards
			}
			prefix += lake.ProvinceDir(o.Province)
		}
		objs, err := o.Lake.List(ctx, prefix)
		if err != nil {
			return fmt.Errorf("report: trend %d: %w", y, err)
		}
		if len(objs) == 0 {
			continue
		}
		ro := rollup.Options{Lake: o.Lake, Year: y, Province: o.Province, Cutoff: d.CutOff(y), OutDir: filepath.Join(work, fmt.Sprint("trend-", y)),
			WorkDir: filepath.Join(work, fmt.Sprint("trend-work-", y)), Registry: o.Registry, Targets: o.Targets, Deadlines: o.Deadlines, Log: o.Log,
			NoFlags: true}
		if rebase {
			ro.Units = r.Registry
			if ro.Units == "2026-04" {
				ro.Units = "2025" // the reform table maps onto the 2025 codes, which 2026-04 keeps
			}
		}
		res, err := rollup.Build(ctx, ro)
		if err != nil {
			return fmt.Errorf("report: trend %d: %w", y, err)
		}
		db, err := rollup.OpenSnapshot(ctx, ro.OutDir)
		if err != nil {
			return fmt.Errorf("report: trend %d: %w", y, err)
		}
		rows, err := readRows(ctx, db, "province", rollup.Provinces, "province_code", "province_name", "NULL::VARCHAR", "true")
		db.Close()
		// A re-based year reads a whole year of the country: free its disk
		// now, not at the end (a Lambda's /tmp is shared by every year and
		// province of an invocation).
		os.RemoveAll(ro.OutDir)
		os.RemoveAll(ro.WorkDir)
		if err != nil {
			return err
		}
		if len(rows) != 1 {
			continue
		}
		r.Trend = append(r.Trend, YearPoint{Year: y, Rates: rates(rows[0]), Rebased: rebase, Complete: len(res.NotRebased) == 0})
	}
	return nil
}

func rates(row Row) map[string]*float64 {
	out := map[string]*float64{}
	for _, m := range Models {
		out[m.Code] = row.Cells[m.Code].Rate
	}
	return out
}

// summary writes the report's sentences from the numbers.
func summary(r *Report) []string {
	var out []string
	c := r.Completeness
	returned := ""
	if c.Returned > 0 {
		returned = fmt.Sprintf("%s xã bị Sở trả lại, chưa nộp lại bản sửa; ", sentInt(c.Returned))
	}
	out = append(out, fmt.Sprintf("%s, %s/%s xã, phường đã nộp báo cáo được chấp nhận (%s đúng hạn, %s nộp muộn); %s%s xã chưa nộp; %s xã có tệp bị từ chối và chưa nộp lại bản hợp lệ.",
		countedUntil(r), sentInt(c.Submitted), sentInt(c.Expected), sentInt(c.OnTime), sentInt(c.Late), returned, sentInt(c.Missing), sentInt(c.RejectedOnly)))
	if r.Deadline == "12-15" || r.ApprovedOnly {
		// Right after what was received: what the province approved, and
		// what the figures below count (approved.go).
		out = append(out, approvedSentence(r))
	}
	if !r.ReviewsAt.IsZero() {
		out = append(out, reviewsSentence(r))
	}
	if r.NoComparison != "" {
		out = append(out, r.NoComparison)
	}
	// Who the figures speak for: the province, or, in an approved-only
	// report over some communes only, those communes (no target verdict:
	// dropPartialComparison cleared Met and the change).
	who, reach := "Toàn tỉnh có", "đạt"
	if part := r.Total.Part; part != "" {
		who, reach = part+" xã đã được duyệt có", "tỷ lệ"
	}
	for _, m := range Models {
		cell := r.Total.Cells[m.Code]
		if cell.Rate == nil || cell.Recognised == nil || cell.Total == nil {
			continue
		}
		s := fmt.Sprintf("%s %s/%s %s được công nhận %s, %s %s",
			who, sentInt(*cell.Recognised), sentInt(*cell.Total), m.Unit, m.Name, reach, sentPct(*cell.Rate))
		if cv := coverage(m.Code, cell); cv != "" {
			s += " (" + cv + " có đủ số liệu)"
		}
		if cell.Target != nil && cell.Met != nil {
			diff := *cell.Rate - *cell.Target
			switch {
			case diff > 0:
				s += fmt.Sprintf(", vượt chỉ tiêu %s", sentPct(*cell.Target))
			case diff == 0:
				s += fmt.Sprintf(", bằng chỉ tiêu %s", sentPct(*cell.Target))
			default:
				gap := sentNum(-diff * 100)
				if gap == "0" {
					gap = "dưới 0,1" // 79,96% against 80%: "thiếu 0 điểm" would read as met
				}
				s += fmt.Sprintf(", chưa đạt chỉ tiêu %s (còn thiếu %s điểm phần trăm)", sentPct(*cell.Target), gap)
			}
			if cell.TargetSource != "" {
				s += " theo " + cell.TargetSource
			}
		}
		if cell.Change != nil {
			// Compare what is printed: a change of 0,04 points reads
			// "không đổi", not "tăng 0 điểm phần trăm".
			pts := sentNum(*cell.Change * 100)
			switch {
			case pts != "0" && *cell.Change > 0:
				s += fmt.Sprintf("; tăng %s điểm phần trăm so với năm %d", pts, r.Year-1)
			case pts != "0" && *cell.Change < 0:
				s += fmt.Sprintf("; giảm %s điểm phần trăm so với năm %d", strings.TrimPrefix(pts, "-"), r.Year-1)
			default:
				s += fmt.Sprintf("; không đổi so với năm %d", r.Year-1)
			}
		}
		out = append(out, s+".")
	}
	t := r.Total
	if r.Deadline == "12-01" {
		// The movement's totals, scoped like the rates above.
		in := func(s string) string {
			if t.Part == "" {
				return s
			}
			if !strings.HasPrefix(s, "Hội Khuyến học") { // a name keeps its capital
				s = lowerFirst(s)
			}
			return "Trong " + t.Part + " xã đã được duyệt, " + s
		}
		if t.XaMucDo1 != nil || t.XaMucDo2 != nil {
			out = append(out, in(fmt.Sprintf("Có %s xã được công nhận Cộng đồng học tập cấp xã Mức độ 2 và %s xã Mức độ 1.", sentIntP(t.XaMucDo2), sentIntP(t.XaMucDo1))))
		}
		if t.TTHTCDLop != nil || t.TTHTCDLuot != nil {
			out = append(out, in(fmt.Sprintf("Các Trung tâm học tập cộng đồng đã tổ chức %s lớp với %s lượt người học; %s trung tâm ứng dụng công nghệ thông tin.",
				sentIntP(t.TTHTCDLop), sentIntP(t.TTHTCDLuot), sentIntP(t.TTHTCDCNTT))))
		}
		if t.HoiVien != nil {
			out = append(out, in(fmt.Sprintf("Hội Khuyến học cấp xã có %s hội viên, trong đó %s hội viên được tập huấn.", sentIntP(t.HoiVien), sentIntP(t.HoiVienTapHuan))))
		}
	}
	return out
}

// lowerFirst is s with its first letter in lower case.
func lowerFirst(s string) string {
	if c, n := utf8.DecodeRuneInString(s); n > 0 {
		return string(unicode.ToLower(c)) + s[n:]
	}
	return s
}

// countedUntil opens the first sentence: what the figures count.
func countedUntil(r *Report) string {
	if !r.DraftAt.IsZero() {
		t := r.DraftAt.In(deadlines.ICT)
		return fmt.Sprintf("Tạm tính đến %02d giờ %02d ngày %s", t.Hour(), t.Minute(), t.Format("02/01/2006"))
	}
	return "Tính đến trước 00 giờ 00 ngày " + r.CutOff.In(deadlines.ICT).Format("02/01/2006")
}

// sentInt writes 245310 as "245.310".
func sentInt(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(ch)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func sentIntP(n *int64) string {
	if n == nil {
		return "–"
	}
	return sentInt(*n)
}

// sentNum writes a number with one decimal, Vietnamese style: 8,4; a
// whole number without decimals: 70.
func sentNum(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return strings.Replace(s, ".", ",", 1)
}

// sentPct writes a fraction as a percentage: 0.786 → "78,6%".
func sentPct(f float64) string { return sentNum(f*100) + "%" }
