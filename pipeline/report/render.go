package report

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file holds what the three renderers share: the table layout (which
// columns, which rows, in which order), Vietnamese number and date
// formatting, and the administrative heading texts. Keeping it in one place
// is what makes the .xlsx, .html and .csv of one report show the same
// figures.

// ict is Vietnam time. A fixed zone rather than time.LoadLocation: Vietnam
// has no daylight saving, and the renderers must not depend on the host's
// tzdata to produce the same bytes everywhere.
var ict = time.FixedZone("ICT", 7*60*60)

// dash marks an unknown figure (nil), which is never shown as 0.
const dash = "–"

// valueKind says how a table cell is formatted.
type valueKind int

const (
	kCount  valueKind = iota // integer count
	kRate                    // fraction shown as a percentage, one decimal
	kTarget                  // fraction shown as a percentage, decimals only if needed
	kMet                     // Đạt / Chưa đạt
	kChange                  // fraction points, signed; empty when unknown
)

// value is one cell of a table: at most one of the pointers is used,
// according to the column's kind. All nil means unknown.
type value struct {
	n *int64
	f *float64
	b *bool
	// cov, on a rate, is its base when rows were left out of it:
	// "tính trên 9/10 thôn" (see coverage).
	cov string
}

// column is one numeric column of a table.
type column struct {
	group string // header spanning the group's columns ("" for none)
	head  string // the column's own header
	width float64
	kind  valueKind
	get   func(*Row) value
	csv   string // machine-friendly header for the .csv
}

// line is one row of a table as printed: a commune, a district subtotal or
// the province total.
type line struct {
	stt string
	row *Row
}

func (l line) level() string { return l.row.Level }

// isMovement reports whether the report is the 1 December one, which is
// about the emulation movement rather than the plan's targets.
func (r *Report) isMovement() bool { return r.Deadline == "12-01" }

// modelColumns are the columns of the main table: per model the total,
// the recognised count, the rate, the target, whether it is met and, when
// last year's rate is known anywhere in the report, the change.
func modelColumns(r *Report) []column {
	var cols []column
	for _, m := range Models {
		code := m.Code
		cell := func(row *Row) Cell { return row.Cells[code] }
		cols = append(cols,
			column{m.Name, "Tổng số (" + m.Unit + ")", countWidth(m), kCount,
				func(row *Row) value { return value{n: cell(row).Total} }, m.Den},
			column{m.Name, "Số đạt", countWidth(m), kCount,
				func(row *Row) value { return value{n: cell(row).Recognised} }, m.Num},
			column{m.Name, "Tỷ lệ", 7.5, kRate,
				func(row *Row) value { return value{f: cell(row).Rate, cov: coverage(code, cell(row))} }, "ty_le_" + code},
			column{m.Name, "Chỉ tiêu", 7.5, kTarget,
				func(row *Row) value { return value{f: cell(row).Target} }, "chi_tieu_" + code},
			column{m.Name, "Đánh giá", 7.5, kMet,
				func(row *Row) value { return value{b: cell(row).Met} }, "dat_chi_tieu_" + code},
		)
		if hasPrev(r, code) {
			cols = append(cols, column{m.Name, "± năm trước (điểm %)", 7.5, kChange,
				func(row *Row) value { return value{f: cell(row).Change} }, "ty_le_" + code + "_thay_doi"})
		}
	}
	return cols
}

// countWidth sizes a count column for the largest figure it can hold at
// province level: people run to millions, clans to thousands.
func countWidth(m Model) float64 {
	switch m.Code {
	case "ho_dat", "cong_dan_dat":
		return 10
	default:
		return 7.5
	}
}

// hasPrev reports whether any row of the report knows last year's rate of
// the model: without that the "±" column would be empty throughout.
func hasPrev(r *Report, code string) bool {
	if r.Total.Cells[code].PrevRate != nil {
		return true
	}
	for _, rows := range [][]Row{r.Communes, r.Districts} {
		for i := range rows {
			if rows[i].Cells[code].PrevRate != nil {
				return true
			}
		}
	}
	return false
}

// movementColumns are the columns of the 1 December table: titles awarded
// (the recognised counts of the same models), communes recognised as
// learning communities, community learning centres and the association.
func movementColumns() []column {
	var cols []column
	for _, m := range Models {
		code := m.Code
		// Names, not abbreviations: CĐHT and CDHT differ by one letter.
		cols = append(cols, column{"Danh hiệu được công nhận", m.Name + " (" + m.Unit + ")", 12, kCount,
			func(row *Row) value { return value{n: row.Cells[code].Recognised} }, m.Num})
	}
	num := func(group, head, csv string, get func(*Row) *int64) column {
		return column{group, head, 9, kCount, func(row *Row) value { return value{n: get(row)} }, csv}
	}
	return append(cols,
		num("Cộng đồng học tập cấp xã", "Mức độ 1", "xa_cdht_muc_do_1", func(r *Row) *int64 { return r.XaMucDo1 }),
		num("Cộng đồng học tập cấp xã", "Mức độ 2", "xa_cdht_muc_do_2", func(r *Row) *int64 { return r.XaMucDo2 }),
		num("Trung tâm học tập cộng đồng", "Số lớp", "tthtcd_so_lop", func(r *Row) *int64 { return r.TTHTCDLop }),
		num("Trung tâm học tập cộng đồng", "Lượt người học", "tthtcd_luot_nguoi_hoc", func(r *Row) *int64 { return r.TTHTCDLuot }),
		num("Trung tâm học tập cộng đồng", "Ứng dụng công nghệ thông tin", "tthtcd_ung_dung_cntt", func(r *Row) *int64 { return r.TTHTCDCNTT }),
		num("Hội Khuyến học", "Hội viên", "hoi_vien_tong", func(r *Row) *int64 { return r.HoiVien }),
		num("Hội Khuyến học", "Được tập huấn", "hoi_vien_tap_huan", func(r *Row) *int64 { return r.HoiVienTapHuan }),
	)
}

// tableLines orders the rows of a table: with districts, each district's
// subtotal (numbered I, II, …) followed by its communes (1, 2, … within
// the district); without, the communes numbered 1…n; the province total
// last. Communes whose district has no subtotal row are listed after the
// districts rather than dropped.
func tableLines(r *Report) []line {
	lines := make([]line, 0, len(r.Communes)+len(r.Districts)+1)
	if r.HasDistricts && len(r.Districts) > 0 {
		byDistrict := make(map[string][]int, len(r.Districts))
		for i := range r.Communes {
			d := r.Communes[i].District
			byDistrict[d] = append(byDistrict[d], i)
		}
		placed := make(map[string]bool, len(r.Districts))
		for di := range r.Districts {
			d := &r.Districts[di]
			lines = append(lines, line{roman(di + 1), d})
			for n, i := range byDistrict[d.Code] {
				lines = append(lines, line{strconv.Itoa(n + 1), &r.Communes[i]})
			}
			placed[d.Code] = true
		}
		n := 0
		for i := range r.Communes {
			if !placed[r.Communes[i].District] {
				n++
				lines = append(lines, line{strconv.Itoa(n), &r.Communes[i]})
			}
		}
	} else {
		for i := range r.Communes {
			lines = append(lines, line{strconv.Itoa(i + 1), &r.Communes[i]})
		}
	}
	return append(lines, line{"", &r.Total})
}

// lineName is the name shown for a row; the total row has a fixed label.
func lineName(l line) string {
	switch {
	case l.level() == "province" && l.row.Part != "":
		// An approved-only report over some communes (dropPartialComparison).
		return "TỔNG CỘNG " + l.row.Part + " XÃ ĐÃ DUYỆT"
	case l.level() == "province":
		return "TỔNG CỘNG TOÀN TỈNH"
	case l.row.Part != "":
		return l.row.Name + " (" + l.row.Part + " xã đã duyệt)"
	}
	return l.row.Name
}

func roman(n int) string {
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

// fmtInt writes n with "." between thousands, the Vietnamese convention.
func fmtInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// fmtDec writes x with the given decimals and a decimal comma.
func fmtDec(x float64, decimals int) string {
	// Round half away from zero, as Excel and LibreOffice display numbers,
	// so the .html and .csv show what the .xlsx shows ("56,3%", not the
	// round-half-even "56,2%" of strconv).
	p := math.Pow(10, float64(decimals))
	x = math.Round(x*p) / p
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	if s == "-"+strconv.FormatFloat(0, 'f', decimals, 64) {
		s = s[1:] // no "-0,0"
	}
	intPart, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(intPart, 10, 64)
	out := fmtInt(n)
	if strings.HasPrefix(intPart, "-") && n == 0 {
		out = "-" + out
	}
	if frac != "" {
		out += "," + frac
	}
	return out
}

// fmtPct writes a fraction as a percentage with one decimal: "78,6%".
func fmtPct(f float64) string { return fmtDec(f*100, 1) + "%" }

// rateRule says what a rate of the report is computed over (the
// roll-up's rule), in the table's note.
const rateRule = "mỗi tỷ lệ chỉ tính trên các thôn (với Đơn vị học tập: các xã) ghi đủ cả hai số của tỷ lệ, " +
	"số được công nhận và tổng số; thôn để trống một trong hai số không được tính vào cả tử số lẫn mẫu số, " +
	"và bên cạnh tỷ lệ ghi rõ phạm vi tính, ví dụ “tính trên 9/10 thôn”"

// hasRates reports whether a table has a rate column.
func hasRates(cols []column) bool {
	for _, c := range cols {
		if c.kind == kRate {
			return true
		}
	}
	return false
}

// coverage is a rate's base when rows were left out of it (some hamlets,
// or for ĐVHT some communes' Biểu 02, left its numerator or denominator
// blank): "tính trên 9/10 thôn", "tính trên 95/100 xã"; "" when every row
// reported both, or none did.
func coverage(code string, c Cell) string {
	// No row with both: the rate is unknown ("–"), which says it already.
	if c.Counted == nil || c.LeftOut == nil || *c.Counted == 0 || *c.LeftOut == 0 {
		return ""
	}
	unit := "thôn"
	if code == "don_vi_dat" {
		unit = "xã"
	}
	return fmt.Sprintf("tính trên %s/%s %s", fmtInt(*c.Counted), fmtInt(*c.Counted+*c.LeftOut), unit)
}

// coverageNotes lists the rates of the main table computed over part of
// their rows, "Xã A – GĐHT: tính trên 9/10 thôn", in table order: the
// .xlsx marks those cells and lists them under the table.
func coverageNotes(r *Report) []string {
	var out []string
	for _, l := range tableLines(r) {
		for _, m := range Models {
			if c := coverage(m.Code, l.row.Cells[m.Code]); c != "" {
				out = append(out, lineName(l)+" – "+m.Short+": "+c)
			}
		}
	}
	return out
}

// fmtTargetPct writes a target without a needless ",0": "80%", "87,5%".
func fmtTargetPct(f float64) string {
	p := f * 100
	if math.Abs(p-math.Round(p)) < 1e-9 {
		return fmtDec(math.Round(p), 0) + "%"
	}
	return fmtDec(p, 1) + "%"
}

// fmtChange writes a change of rate in percentage points, always signed.
func fmtChange(f float64) string {
	s := fmtDec(f*100, 1)
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s
}

// isWholePercent reports whether a target is a whole percentage (80%), so
// the .xlsx can pick the format without decimals, as fmtTargetPct does.
func isWholePercent(f float64) bool {
	p := f * 100
	return math.Abs(p-math.Round(p)) < 1e-9
}

// text formats a value for html and csv.
func (v value) text(k valueKind) string {
	switch k {
	case kCount:
		if v.n == nil {
			return dash
		}
		return fmtInt(*v.n)
	case kRate:
		s := dash
		if v.f != nil {
			s = fmtPct(*v.f)
		}
		if v.cov != "" {
			s += " (" + v.cov + ")"
		}
		return s
	case kTarget:
		if v.f == nil {
			return dash
		}
		return fmtTargetPct(*v.f)
	case kMet:
		if v.b == nil {
			return dash
		}
		return metText(*v.b)
	case kChange:
		if v.f == nil {
			return "" // no comparison, rather than an unknown figure
		}
		return fmtChange(*v.f)
	}
	return ""
}

func metText(b bool) string {
	if b {
		return "Đạt"
	}
	return "Chưa đạt"
}

// dateLine is "Thái Nguyên, ngày …… tháng 12 năm 2026": the place, the
// deadline's month and the report's year, the day left for the clerk who
// registers the signed report (Nghị định 30/2020/NĐ-CP: a document is
// dated the day it is signed, which no generated file can know). Months 1
// and 2 take a leading zero, as the decree prescribes.
func dateLine(r *Report) string {
	month, _ := deadlineMonthDay(r.Deadline)
	ms := strconv.Itoa(month)
	if month < 3 {
		ms = fmt.Sprintf("%02d", month)
	}
	return fmt.Sprintf("%s, ngày …… tháng %s năm %d", r.Issuer.Place, ms, r.Year)
}

// deadlineMonthDay parses "12-15"; a malformed deadline gives 0, 0 and is
// rejected earlier by validate.
func deadlineMonthDay(d string) (month, day int) {
	m, dd, ok := strings.Cut(d, "-")
	if !ok {
		return 0, 0
	}
	month, _ = strconv.Atoi(m)
	day, _ = strconv.Atoi(dd)
	return month, day
}

// isDraft reports whether the report was made before its cut-off.
func (r *Report) isDraft() bool { return !r.DraftAt.IsZero() }

// draftLine is the mark every page of a draft carries.
func draftLine(r *Report) string {
	return "DỰ THẢO – số liệu tạm tính đến " + r.DraftAt.In(ict).Format("15:04 ngày 02/01/2006")
}

// cutOffLine states which uploads the report counts.
func cutOffLine(r *Report) string {
	t := r.CutOff.In(ict)
	if r.isDraft() {
		d := r.DraftAt.In(ict)
		return fmt.Sprintf("Số liệu tạm tính đến %02d giờ %02d ngày %s (giờ Việt Nam), trước thời điểm chốt số liệu %02d giờ %02d ngày %s: chưa phải số liệu chính thức",
			d.Hour(), d.Minute(), d.Format("02/01/2006"), t.Hour(), t.Minute(), t.Format("02/01/2006"))
	}
	return fmt.Sprintf("Số liệu tính đến trước %02d giờ %02d ngày %s (giờ Việt Nam)",
		t.Hour(), t.Minute(), t.Format("02/01/2006"))
}

// dataTimeLine dates the latest upload counted.
func dataTimeLine(r *Report) string {
	if r.DataTime.IsZero() {
		return "Thời điểm số liệu: chưa có số liệu"
	}
	return "Thời điểm số liệu: cập nhật lần cuối: " + r.DataTime.In(ict).Format("02/01/2006 15:04")
}

// fmtTime writes an upload time in Vietnam time, or "" when zero.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(ict).Format("02/01/2006 15:04")
}

// docTitle splits the title as Nghị định 30/2020/NĐ-CP prints it: the
// kind of document ("BÁO CÁO") on its own line, its subject below.
func docTitle(r *Report) (kind, subject string) {
	const prefix = "BÁO CÁO "
	t := strings.TrimSpace(r.Title)
	if len(t) > len(prefix) && strings.ToUpper(t[:len(prefix)]) == prefix {
		rest := strings.TrimSpace(t[len(prefix):])
		if c, n := utf8.DecodeRuneInString(rest); n > 0 {
			rest = string(unicode.ToUpper(c)) + rest[n:]
		}
		return "BÁO CÁO", rest
	}
	return "", t
}

// numberLine is the document number, filled in by the clerk when the
// signed report is registered: "Số: …/BC-SGDĐT".
func numberLine(r *Report) string { return "Số: …/BC-" + r.Issuer.Symbol }

const (
	motto1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	motto2 = "Độc lập - Tự do - Hạnh phúc"
)

// addresseeLines are the "Kính gửi:" lines: one addressee on the same
// line, several as a list below it.
func addresseeLines(r *Report) []string {
	to := r.Issuer.To
	switch len(to) {
	case 0:
		return nil
	case 1:
		return []string{"Kính gửi: " + to[0] + "."}
	}
	out := []string{"Kính gửi:"}
	for i, a := range to {
		end := ";"
		if i == len(to)-1 {
			end = "."
		}
		out = append(out, "- "+a+end)
	}
	return out
}

// signature is the block at the end: "Nơi nhận:" on the left (Nghị định
// 30/2020/NĐ-CP: "- Như trên;" for the addressees, the others, "- Lưu:
// VT, …"), the signer on the right with room to sign and stamp.
type signature struct {
	Recipients []string // the entries under "Nơi nhận:"
	Authority  string   // "KT. GIÁM ĐỐC", "" when the head signs
	Title      string   // "PHÓ GIÁM ĐỐC"
	Name       string   // "" leaves the line to write by hand
}

func signatureOf(r *Report) signature {
	is := r.Issuer
	var rec []string
	if len(is.To) > 0 {
		rec = append(rec, "- Như trên;")
	}
	for _, c := range is.CC {
		rec = append(rec, "- "+c+";")
	}
	rec = append(rec, "- Lưu: "+strings.TrimSuffix(is.Archive, ".")+".")
	return signature{Recipients: rec, Authority: is.Signer.Authority, Title: is.Signer.Title, Name: is.Signer.Name}
}

// noteParts are the parts of the table's note, each only when the table
// shows what it explains: no note for a mark that is not printed.
func noteParts(r *Report, lines []line, cols []column) []string {
	var parts []string
	if hasUnknown(lines, cols) {
		parts = append(parts, "“–” là chưa có số liệu (không phải số 0)")
	}
	if hasRates(cols) {
		parts = append(parts, rateRule)
	}
	for _, c := range cols {
		if c.kind == kChange {
			parts = append(parts, "“±” là mức thay đổi tỷ lệ so với năm "+strconv.Itoa(r.Year-1)+", tính bằng điểm phần trăm")
			break
		}
	}
	if n := partNote(r); n != "" {
		parts = append(parts, n)
	}
	return parts
}

// noteText is the note under a table, "" when there is nothing to explain.
func noteText(r *Report, lines []line, cols []column) string {
	p := noteParts(r, lines, cols)
	if len(p) == 0 {
		return ""
	}
	return "Ghi chú: " + strings.Join(p, "; ") + "."
}

// hasUnknown reports whether a table prints "–" anywhere.
func hasUnknown(lines []line, cols []column) bool {
	for _, l := range lines {
		for _, c := range cols {
			if c.kind != kChange && c.get(l.row).text(c.kind) == dash {
				return true
			}
		}
	}
	return false
}

// statusGroups are the annex's lists, in the order a reader acts on them
// last to first: who reported on time, late, was rejected, sent nothing.
// A returned commune has its own list, not "đúng hạn": its file was sent
// back (CommuneStatus.group).
var statusGroups = []struct{ code, label string }{
	{"on_time", "đúng hạn"},
	{"late", "muộn"},
	{"returned", "bị Sở trả lại, chưa nộp lại bản sửa"},
	{"rejected_only", "bị từ chối, chưa có bản hợp lệ"},
	{"missing", "chưa nộp"},
}

// reviewLabel is a commune's review state as the annex prints it; "" for a
// commune with nothing accepted (nothing to review).
func reviewLabel(s CommuneStatus) string {
	switch {
	case s.returned():
		if s.Approved {
			return "Bị trả lại (tính theo bản đã duyệt trước)"
		}
		return "Bị trả lại"
	case s.ReviewState == "approved" || s.Approved && s.ReviewState == "":
		return "Đã duyệt"
	case s.ReviewState == "submitted" && s.Approved:
		return "Đã duyệt; bản nộp mới chờ duyệt"
	case s.ReviewState == "submitted":
		return "Chờ duyệt"
	}
	return ""
}

// receivedText is the annex's "bản hợp lệ" time: none for a returned
// commune, whose file was sent back.
func receivedText(s CommuneStatus) string {
	if s.returned() {
		return ""
	}
	return fmtTime(s.FirstAccepted)
}

func statusLabel(code string) string {
	for _, g := range statusGroups {
		if g.code == code {
			return g.label
		}
	}
	return code
}

// completenessRows are the counts of the annex, label and value.
func completenessRows(c Completeness) []struct {
	label string
	n     int64
} {
	return []struct {
		label string
		n     int64
	}{
		{"Số xã phải báo cáo", c.Expected},
		{"Số xã đã nộp (có bản được chấp nhận)", c.Submitted},
		{"– Nộp đúng hạn", c.OnTime},
		{"– Nộp muộn", c.Late},
		{"Số xã bị Sở trả lại, chưa nộp lại bản sửa", c.Returned},
		{"Số xã có tệp bị từ chối, chưa có bản hợp lệ", c.RejectedOnly},
		{"Số xã chưa nộp", c.Missing},
		{"Số xã đã được Sở duyệt số liệu", c.Approved},
	}
}

// share formats n of total as a percentage, "–" without a total.
func share(n, total int64) string {
	if total == 0 {
		return dash
	}
	return fmtPct(float64(n) / float64(total))
}

// trendLabel is a trend year's label: "2024*" when re-based on today's
// units, "2023**" when the re-basing is incomplete.
func trendLabel(p YearPoint) string {
	s := strconv.Itoa(p.Year)
	if p.Rebased {
		s += "*"
		if !p.Complete {
			s += "*"
		}
	}
	return s
}

// trendNote explains the marks trendLabel printed, and only those: ""
// when no year is re-based.
func trendNote(trend []YearPoint) string {
	var star, stars bool
	for _, p := range trend {
		star = star || p.Rebased
		stars = stars || p.Rebased && !p.Complete
	}
	var parts []string
	if star {
		parts = append(parts, "(*) Năm trước 2025 được quy đổi theo đơn vị hành chính hiện nay")
	}
	if stars {
		parts = append(parts, "(**) quy đổi chưa đầy đủ do có xã bị chia tách")
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + "."
}

// trendHasGap reports whether a trend year lacks a model's rate.
func trendHasGap(trend []YearPoint) bool {
	for _, p := range trend {
		for _, m := range Models {
			if p.Rates[m.Code] == nil {
				return true
			}
		}
	}
	return false
}

// Files are named bao-cao-<deadline>-<year>-<province>.<ext>; the report
// on approved data only bao-cao-<deadline>-<year>-<province>-da-duyet.<ext>,
// so it and the live report can sit in one folder or mail; a draft's name
// ends -du-thao-<YYYYMMDD-HHMM> (the moment it was made, Vietnam time), so
// a draft never takes the final report's name and successive drafts do
// not overwrite each other.
func fileBase(r *Report) string {
	base := fmt.Sprintf("bao-cao-%s-%d-%s", r.Deadline, r.Year, r.Province)
	if r.ApprovedOnly {
		base += "-da-duyet"
	}
	if r.isDraft() {
		base += "-du-thao-" + r.DraftAt.In(ict).Format("20060102-1504")
	}
	return base
}

// FileBase is the name the report's files share, without extension.
func FileBase(r *Report) string { return fileBase(r) }

// validate rejects reports the renderers cannot lay out, and codes that
// would make unsafe file names.
func validate(r *Report) error {
	if r == nil {
		return errors.New("report: nil report")
	}
	month, day := deadlineMonthDay(r.Deadline)
	if month < 1 || month > 12 || day < 1 || day > 31 || len(r.Deadline) != 5 {
		return fmt.Errorf("report: deadline %q is not MM-DD", r.Deadline)
	}
	if r.Province == "" {
		return errors.New("report: no province code")
	}
	for _, c := range r.Province {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return fmt.Errorf("report: province code %q is not alphanumeric", r.Province)
		}
	}
	return nil
}

// WriteAll writes the report as .xlsx, .html and .csv into dir (created if
// needed) and returns the paths in that order. Each file is written to a
// temporary name and renamed, so a reader never sees half a report.
func WriteAll(r *Report, dir string) ([]string, error) {
	if err := validate(r); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	writers := []struct {
		ext   string
		write func(*os.File, *Report) error
	}{
		{".xlsx", func(f *os.File, r *Report) error { return WriteXLSX(f, r) }},
		{".html", func(f *os.File, r *Report) error { return WriteHTML(f, r) }},
		{".csv", func(f *os.File, r *Report) error { return WriteCSV(f, r) }},
	}
	var paths []string
	for _, w := range writers {
		path := filepath.Join(dir, fileBase(r)+w.ext)
		if err := writeFileAtomic(path, func(f *os.File) error { return w.write(f, r) }); err != nil {
			return paths, fmt.Errorf("report: %s: %w", filepath.Base(path), err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func writeFileAtomic(path string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
