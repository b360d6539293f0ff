package rollup

import (
	"fmt"
	"slices"
	"strings"
)

// The column dictionary: every column of every roll-up table, in file
// order, with its type and a Vietnamese and an English label. The SQL that
// writes the tables, the query views, docs/ROLLUP_COLUMNS.md and the
// reports all read it, so a name or label lives in exactly one place.

// Table names, as views and as the level partition value.
const (
	Hamlets      = "hamlets"
	Communes     = "communes"
	Districts    = "districts"
	Provinces    = "provinces"
	Nation       = "nation"
	Completeness = "completeness"
)

// Tables lists the roll-up tables in hierarchy order.
var Tables = []string{Hamlets, Communes, Districts, Provinces, Nation, Completeness, Flags}

// Column is one column of a roll-up table.
type Column struct {
	Name    string
	Type    string // DuckDB type: VARCHAR, INTEGER, BIGINT, DOUBLE, BOOLEAN, TIMESTAMPTZ
	LabelVI string
	LabelEN string
}

// measure is a summed quantity. Form says which form's rows it comes from;
// src is the submissions column; kind says how one row contributes.
type measure struct {
	name, form, src, kind, eq string
	vi, en                    string
}

const (
	kSum   = "sum"   // sum(src)
	kRows  = "rows"  // number of rows of the form
	kTrue  = "true"  // rows where the boolean src is true
	kEqual = "equal" // rows where src = eq
)

var measures = []measure{
	{"ho_tong", "bieu01", "ho_tong", kSum, "", "Tổng số hộ", "households"},
	{"ho_dang_ky", "bieu01", "ho_dang_ky", kSum, "", "Số hộ đăng ký Gia đình học tập", "households registered"},
	{"ho_dat", "bieu01", "ho_dat", kSum, "", "Số hộ được công nhận Gia đình học tập", "households recognised (GĐHT)"},
	{"dong_ho_tong", "bieu01", "dong_ho_tong", kSum, "", "Tổng số dòng họ", "clans"},
	{"dong_ho_dang_ky", "bieu01", "dong_ho_dang_ky", kSum, "", "Số dòng họ đăng ký Dòng họ học tập", "clans registered"},
	{"dong_ho_dat", "bieu01", "dong_ho_dat", kSum, "", "Số dòng họ được công nhận Dòng họ học tập", "clans recognised (DHHT)"},
	{"thon_tong", "bieu01", "", kRows, "", "Số thôn, tổ dân phố đã báo cáo", "hamlets reported"},
	{"thon_dang_ky", "bieu01", "cong_dong_dang_ky", kTrue, "", "Số thôn đăng ký Cộng đồng học tập", "hamlets registered"},
	{"thon_dat", "bieu01", "cong_dong_dat", kTrue, "", "Số thôn được công nhận Cộng đồng học tập", "hamlets recognised (CĐHT)"},
	{"lao_dong_tong", "bieu01", "lao_dong_tong", kSum, "", "Số người trong độ tuổi lao động", "working-age people"},
	{"cong_dan_dat", "bieu01", "cong_dan_dat", kSum, "", "Số người được công nhận Công dân học tập", "learning citizens recognised (CDHT)"},
	{"don_vi_tong", "bieu02", "don_vi_tong", kSum, "", "Tổng số đơn vị", "units"},
	{"don_vi_dang_ky", "bieu02", "don_vi_dang_ky", kSum, "", "Số đơn vị đăng ký Đơn vị học tập", "units registered"},
	{"don_vi_dat", "bieu02", "don_vi_dat", kSum, "", "Số đơn vị được công nhận Đơn vị học tập", "units recognised (ĐVHT)"},
	{"can_bo_tong", "bieu02", "can_bo_tong", kSum, "", "Tổng số cán bộ, người lao động trong đơn vị", "unit staff"},
	{"can_bo_cong_dan_dat", "bieu02", "can_bo_cong_dan_dat", kSum, "", "Số cán bộ được công nhận Công dân học tập", "unit staff recognised as learning citizens"},
	{"xa_cdht_muc_do_2", "bieu02", "cong_dong_xa_ket_qua", kEqual, "Mức độ 2", "Số xã đạt Cộng đồng học tập cấp xã Mức độ 2", "communes at learning-community level 2"},
	{"xa_cdht_muc_do_1", "bieu02", "cong_dong_xa_ket_qua", kEqual, "Mức độ 1", "Số xã đạt Cộng đồng học tập cấp xã Mức độ 1", "communes at learning-community level 1"},
	{"tthtcd_so_lop", "bieu02", "tthtcd_so_lop", kSum, "", "Số lớp của Trung tâm học tập cộng đồng", "community learning centre classes"},
	{"tthtcd_luot_nguoi_hoc", "bieu02", "tthtcd_luot_nguoi_hoc", kSum, "", "Số lượt người học tại Trung tâm học tập cộng đồng", "learner attendances"},
	{"tthtcd_ung_dung_cntt", "bieu02", "tthtcd_ung_dung_cntt", kTrue, "", "Số Trung tâm học tập cộng đồng ứng dụng CNTT", "centres using IT"},
	{"hoi_vien_tong", "bieu02", "hoi_vien_tong", kSum, "", "Tổng số hội viên Hội Khuyến học", "association members"},
	{"hoi_vien_tap_huan", "bieu02", "hoi_vien_tap_huan", kSum, "", "Số hội viên được tập huấn", "members trained"},
}

// rate is a rate recomputed from sums at every level; it is also the
// indicator name of its target (pipeline/targets).
type rate struct {
	name, num, den string
	vi, en         string
	form           string
}

// Rates lists the rate columns, in order. A rate is a fraction (0–1), null
// when the denominator is 0 or unknown.
var rates = []rate{
	{"ty_le_ho_dat", "ho_dat", "ho_tong", "Tỷ lệ hộ đạt Gia đình học tập", "households recognised (GĐHT)", "bieu01"},
	{"ty_le_dong_ho_dat", "dong_ho_dat", "dong_ho_tong", "Tỷ lệ dòng họ đạt Dòng họ học tập", "clans recognised (DHHT)", "bieu01"},
	{"ty_le_thon_dat", "thon_dat", "thon_tong", "Tỷ lệ thôn, tổ dân phố đạt Cộng đồng học tập", "hamlets recognised (CĐHT)", "bieu01"},
	{"ty_le_don_vi_dat", "don_vi_dat", "don_vi_tong", "Tỷ lệ đơn vị đạt Đơn vị học tập", "units recognised (ĐVHT)", "bieu02"},
	{"ty_le_cong_dan_dat", "cong_dan_dat", "lao_dong_tong", "Tỷ lệ người lao động đạt Công dân học tập", "working-age people recognised as learning citizens (CDHT)", "bieu01"},
	{"ty_le_can_bo_dat", "can_bo_cong_dan_dat", "can_bo_tong", "Tỷ lệ cán bộ trong đơn vị đạt Công dân học tập", "unit staff recognised as learning citizens", "bieu02"},
}

// Every rate is computed over the same rows for its numerator and its
// denominator: the rows (hamlets for Biểu 01, communes' rows for Biểu 02)
// that reported both. A row that left either blank is left out of both,
// and each level says how much was left out. These suffixes name the
// columns that carry it, after the rate's own name (ty_le_ho_dat_tu_so …).
const (
	sfxNum       = "_tu_so"          // numerator summed over the rows that reported both
	sfxDen       = "_mau_so"         // denominator summed over the same rows
	sfxRows      = "_so_dong"        // rows that reported both
	sfxRowsLeft  = "_so_dong_bo_qua" // rows that left the numerator or the denominator blank
	sfxShareLeft = "_mau_so_bo_qua"  // share (0–1) of the reported denominator left out
)

// pairedCounts are the summed coverage columns of a rate (the share is
// recomputed from them at every level, like the rate).
func pairedCounts(r rate) []string {
	return []string{r.name + sfxNum, r.name + sfxDen, r.name + sfxRows, r.name + sfxRowsLeft}
}

// rowValue is what one counted row contributes to a measure, as SQL over
// the submissions row s: null when the row left the cell blank.
func rowValue(m measure) string {
	switch m.kind {
	case kRows:
		return "1::BIGINT"
	case kTrue:
		return m.src + "::BIGINT"
	case kEqual:
		return fmt.Sprintf("(%s = %s)::BIGINT", m.src, quote(m.eq))
	}
	return m.src
}

// measureNamed finds a measure by its column name.
func measureNamed(name string) measure {
	for _, m := range measures {
		if m.name == name {
			return m
		}
	}
	panic("rollup: no measure " + name)
}

// bothReported is the SQL condition that a row reported both operands of r.
func bothReported(r rate) string {
	return fmt.Sprintf("%s IS NOT NULL AND %s IS NOT NULL", rowValue(measureNamed(r.num)), rowValue(measureNamed(r.den)))
}

// RateNames lists the rate columns (also the target indicators) in order.
func RateNames() []string {
	out := make([]string, len(rates))
	for i, r := range rates {
		out[i] = r.name
	}
	return out
}

// suffix of a rate name: ty_le_ho_dat → ho_dat.
func (r rate) suffix() string { return strings.TrimPrefix(r.name, "ty_le_") }

// nullSources are the submissions columns whose blanks are counted at the
// levels above (<src>_null_rows), in measure order without repeats.
func nullSources(forms ...string) []measure {
	var out []measure
	seen := map[string]bool{}
	for _, m := range measures {
		if m.src == "" || seen[m.src] || !slices.Contains(forms, m.form) {
			continue
		}
		seen[m.src] = true
		out = append(out, m)
	}
	return out
}

func measuresOf(forms ...string) []measure {
	var out []measure
	for _, m := range measures {
		if slices.Contains(forms, m.form) {
			out = append(out, m)
		}
	}
	return out
}

func ratesOf(forms ...string) []rate {
	var out []rate
	for _, r := range rates {
		if slices.Contains(forms, r.form) {
			out = append(out, r)
		}
	}
	return out
}

// Columns returns the columns of a table in file order. Views add `year`
// (the partition) first; files carry report_year.
func Columns(table string) []Column {
	if table == Flags {
		return flagColumns() // flags.go
	}
	var cols []Column
	add := func(name, typ, vi, en string) { cols = append(cols, Column{name, typ, vi, en}) }
	add("report_year", "INTEGER", "Năm báo cáo", "reporting year")
	add("units", "VARCHAR", "Danh mục đơn vị hành chính dùng để tổng hợp (pre2025, 2025, 2026-04)", "administrative-unit register the figures are expressed on")
	if table == Completeness {
		add("level", "VARCHAR", "Cấp tổng hợp: commune, district, province, nation", "level: commune, district, province, nation")
	}
	if table != Nation {
		add("province_code", "VARCHAR", "Mã tỉnh", "province code")
		add("province_name", "VARCHAR", "Tên tỉnh", "province name")
	}
	if table == Hamlets || table == Communes || table == Districts || table == Completeness {
		add("district_code", "VARCHAR", "Mã huyện (null từ năm 2025: không còn cấp huyện)", "district code (null from 2025)")
		add("district_name", "VARCHAR", "Tên huyện", "district name")
	}
	if table == Hamlets || table == Communes || table == Completeness {
		add("commune_code", "VARCHAR", "Mã xã", "commune code")
		add("commune_name", "VARCHAR", "Tên xã", "commune name")
	}
	switch table {
	case Completeness:
		add("deadline", "VARCHAR", "Kỳ báo cáo: 12-01 (trước 1/12) hoặc 12-15 (trước 15/12)", "deadline: 12-01 or 12-15")
		add("due_at", "TIMESTAMPTZ", "Hạn nộp của xã (nộp trước thời điểm này là đúng hạn)", "commune due time: received before it is on time")
		add("expected", "BIGINT", "Số xã phải báo cáo", "communes expected")
		add("submitted", "BIGINT", "Số xã đã nộp (có bản được chấp nhận)", "communes with an accepted submission")
		add("on_time", "BIGINT", "Số xã nộp đúng hạn (bản hợp lệ trước hạn; tệp bị tỉnh trả lại không tính)", "communes on time (a valid file before the due time; a file the province returned does not count)")
		add("late", "BIGINT", "Số xã nộp muộn", "communes late")
		add("missing", "BIGINT", "Số xã chưa nộp", "communes with no upload")
		add("rejected_only", "BIGINT", "Số xã chưa có bản hợp lệ: tệp bị từ chối, hoặc chỉ có tệp bị tỉnh trả lại", "communes with no valid file: every upload rejected, or only data the province returned")
		add("approved", "BIGINT", "Số xã có số liệu đã được tỉnh duyệt (null ở cấp toàn quốc)", "communes with data the province approved, i.e. counted in an approved-only report (null at the national level)")
		add("returned", "BIGINT", "Số xã có số liệu (tệp mới nhất, hoặc tệp được tính ở thời điểm chốt số liệu của báo cáo) bị tỉnh trả lại (null ở cấp toàn quốc)", "communes whose data (the latest upload; in a report, the upload before its cut-off) the province returned (null at the national level)")
		add("ty_le_nop", "DOUBLE", "Tỷ lệ xã đã nộp", "share of communes submitted")
		add("ty_le_dung_han", "DOUBLE", "Tỷ lệ xã nộp đúng hạn", "share of communes on time")
		add("status", "VARCHAR", "Tình trạng của xã: on_time, late, missing, rejected_only (null ở các cấp trên)", "commune status (null above commune level)")
		add("review_state", "VARCHAR", "Tình trạng duyệt của xã: submitted (chờ duyệt), approved (đã duyệt), returned (bị trả lại); null khi chưa có bản được chấp nhận và ở các cấp trên", "commune review state: submitted, approved, returned (null without an accepted upload, and above commune level)")
		add("first_accepted_at", "TIMESTAMPTZ", "Thời điểm nhận bản hợp lệ đầu tiên: bản được chấp nhận đầu tiên, hoặc, nếu tỉnh đã trả lại, bản được chấp nhận đầu tiên sau tệp bị trả lại; trong báo cáo, chỉ xét các tệp nhận trước thời điểm chốt số liệu (null: chưa có)", "first valid upload time: the first accepted upload, or after a return the first accepted upload after the returned data; in a report, only uploads received before its cut-off (null: none)")
		add("uploads", "BIGINT", "Số lần tải lên", "uploads received")
		add("last_rejection", "VARCHAR", "Lý do từ chối gần nhất (lỗi đầu tiên)", "first error of the latest rejected upload")
		add("build_id", "VARCHAR", "Mã lần tổng hợp", "roll-up build id")
		add("built_at", "TIMESTAMPTZ", "Thời điểm tổng hợp", "build time")
		return cols
	case Hamlets:
		add("ma_thon", "VARCHAR", "Mã thôn", "the hamlet's identity, stable across uploads and years: the code the commune wrote, else the one it last wrote for the same name (earlier uploads of the register era), else derived from the name")
		add("ten_thon", "VARCHAR", "Tên thôn, tổ dân phố", "hamlet name")
	case Communes:
		add("vung_kho_khan", "BOOLEAN", "Xã thuộc vùng khó khăn", "commune in a difficult area")
	}
	forms := []string{"bieu01", "bieu02"}
	if table == Hamlets {
		forms = forms[:1]
	}
	if table != Hamlets {
		add("so_xa", "BIGINT", "Số xã phải báo cáo", "communes expected")
		add("so_xa_bieu01", "BIGINT", "Số xã có Biểu 01 được tính", "communes with a Biểu 01 counted")
		add("so_xa_bieu02", "BIGINT", "Số xã có Biểu 02 được tính", "communes with a Biểu 02 counted")
	}
	for _, m := range measuresOf(forms...) {
		add(m.name, "BIGINT", m.vi, m.en)
	}
	if table != Hamlets {
		for _, m := range nullSources(forms...) {
			add(m.src+"_null_rows", "BIGINT", "Số dòng để trống ô này — "+m.vi, "rows that left "+m.src+" blank")
		}
	}
	for _, r := range ratesOf(forms...) {
		add(r.name, "DOUBLE", r.vi+" (0–1), tính trên các dòng ghi đủ cả tử số và mẫu số", r.en+" (fraction), over the rows that reported both numerator and denominator")
	}
	for _, r := range ratesOf(forms...) {
		num, den := measureNamed(r.num), measureNamed(r.den)
		rows, rowsEN := "thôn", "hamlet rows"
		if r.form == "bieu02" {
			rows, rowsEN = "dòng Biểu 02 của xã", "communes' Biểu 02 rows"
		}
		add(r.name+sfxNum, "BIGINT", "Tử số của tỷ lệ: "+num.vi+", cộng trên các "+rows+" ghi đủ cả hai số",
			"numerator of "+r.name+": "+num.en+" over the "+rowsEN+" that reported both")
		add(r.name+sfxDen, "BIGINT", "Mẫu số của tỷ lệ: "+den.vi+", cộng trên các "+rows+" ghi đủ cả hai số",
			"denominator of "+r.name+": "+den.en+" over the same rows")
		add(r.name+sfxRows, "BIGINT", "Số "+rows+" được tính tỷ lệ (ghi đủ cả tử số và mẫu số)",
			rowsEN+" the rate is computed over")
		add(r.name+sfxRowsLeft, "BIGINT", "Số "+rows+" không được tính tỷ lệ (để trống tử số hoặc mẫu số)",
			rowsEN+" left out of the rate (numerator or denominator blank)")
		add(r.name+sfxShareLeft, "DOUBLE", "Phần mẫu số không được tính (0–1): mẫu số của các "+rows+" để trống tử số, trên tổng mẫu số đã báo cáo ("+den.vi+")",
			"share (fraction) of the reported denominator left out: that of rows with a blank numerator")
	}
	for _, r := range ratesOf(forms...) {
		s := r.suffix()
		add("chi_tieu_"+s, "DOUBLE", "Chỉ tiêu — "+r.vi+" (0–1)", "target for "+r.name)
		add("nguon_chi_tieu_"+s, "VARCHAR", "Nguồn chỉ tiêu (văn bản, năm mục tiêu)", "target source (document, target year)")
		add("dat_chi_tieu_"+s, "BOOLEAN", "Đạt chỉ tiêu (true: đạt, false: chưa đạt)", "target met")
	}
	for _, r := range ratesOf(forms...) {
		add(r.name+"_nam_truoc", "DOUBLE", r.vi+" năm trước", r.en+", previous year")
		add(r.name+"_thay_doi", "DOUBLE", "Thay đổi so với năm trước (điểm, 0–1)", "change since the previous year")
	}
	switch table {
	case Hamlets:
		add("submission_id", "VARCHAR", "Mã bản nộp được tính", "submission counted")
		add("received_at", "TIMESTAMPTZ", "Thời điểm nhận bản nộp", "upload time of that submission")
		add("source_key", "VARCHAR", "Tệp gốc", "source object key")
		add("source_row", "INTEGER", "Dòng trong tệp gốc", "row in the source file")
	case Communes:
		add("submission_id_bieu01", "VARCHAR", "Mã bản nộp Biểu 01 được tính", "Biểu 01 submission counted")
		add("received_at_bieu01", "TIMESTAMPTZ", "Thời điểm nhận Biểu 01 được tính", "its upload time")
		add("submission_id_bieu02", "VARCHAR", "Mã bản nộp Biểu 02 được tính", "Biểu 02 submission counted")
		add("received_at_bieu02", "TIMESTAMPTZ", "Thời điểm nhận Biểu 02 được tính", "its upload time")
		add("rebase_complete", "BOOLEAN", "Quy đổi đầy đủ sang đơn vị mới: mọi xã cũ đều có số liệu và đã quy đổi được (chỉ khi quy đổi)", "re-based completely: every old commune has data and was re-based (re-based builds only)")
		add("rebase_missing", "VARCHAR", "Các xã cũ chưa quy đổi được (bị chia tách, chưa có phân bổ thôn)", "old communes not re-based into this one")
		add("rebase_no_data", "VARCHAR", "Các xã cũ nhập vào xã này nhưng không có số liệu được chấp nhận năm đó (số liệu quy đổi chỉ gồm một phần xã; chỉ khi quy đổi)", "old communes merged into this one without accepted data that year: the re-based figures cover part of it (re-based builds only)")
	}
	add("build_id", "VARCHAR", "Mã lần tổng hợp", "roll-up build id")
	add("built_at", "TIMESTAMPTZ", "Thời điểm tổng hợp", "build time")
	return cols
}

// columnNames lists Columns(table) names.
func columnNames(table string) []string {
	cs := Columns(table)
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

// emptyTableSQL is a typed, empty SELECT with the table's columns, for
// views over a level that has no files yet.
func emptyTableSQL(table string) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, c := range Columns(table) {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "CAST(NULL AS %s) AS %s", c.Type, ident(c.Name))
	}
	b.WriteString(" WHERE false")
	return b.String()
}

// ColumnsDoc renders the column dictionary as Markdown (docs/ROLLUP_COLUMNS.md).
func ColumnsDoc() string {
	var b strings.Builder
	b.WriteString(`# Columns of the roll-up tables

Generated from the column dictionary in pipeline/rollup/columns.go (` + "`go test ./pipeline/rollup -run ColumnsDoc -update`" + `);
a test keeps this file, the Parquet files and the query views in step.

Files: ` + "`lake/rollups/level=<hamlet|commune|district|province|nation>/year=<Y>/province=<P|all>/<build id>.parquet`" + ` and
` + "`lake/rollups/completeness/year=<Y>/province=<P|all>/<build id>.parquet`" + `; which build is current is in
` + "`lake/rollups/_manifests/year=<Y>/province=<P|all>.json`" + ` (files, inputs, build time). Re-based builds live under
` + "`lake/rollups/units=<register>/`" + ` with the same shape. The query views (` + "`xhht query`" + `) read the current
files through the manifests and add ` + "`year`" + ` (= report_year) as the first column.

Rules analysts can rely on:
- Counts are sums over the counted rows: for each commune, year and form, the latest accepted
  submission by received_at (ties: larger source_key, then larger source_version).
- Rates (` + "`ty_le_*`" + `) are fractions 0–1 recomputed from sums at every level, never averages. A rate's
  numerator and denominator are summed over the same rows, those that reported both
  (` + "`ty_le_*_tu_so`" + ` / ` + "`ty_le_*_mau_so`" + `); a row that left either blank is left out of both, and the level
  says how much was left out: ` + "`ty_le_*_so_dong_bo_qua`" + ` rows and the share ` + "`ty_le_*_mau_so_bo_qua`" + ` of the
  reported denominator (` + "`ty_le_*_so_dong`" + ` rows were counted). A rate is null when no row reported both or
  the denominator is 0; targets (` + "`chi_tieu_*`" + `, fractions too) are met or not on these rates.
- The sums of each field (` + "`ho_tong`" + `, ` + "`ho_dat`" + ` …) are over every row that reported the field, so a sum
  and a rate's numerator or denominator differ when rows left one of the two blank.
- null means unknown (nothing below reported the field); ` + "`<field>_null_rows`" + ` counts the rows that left
  it blank, so a total is never silently partial. A commune that sent nothing has null figures.
- Completeness counts only communes of the register of the year, so its rates never exceed 1.
- A hamlet (` + "`hamlets.ma_thon`" + `) is the same across uploads and years by its code: the code the commune
  wrote, else the code it last wrote for the same name in an earlier upload of the commune in the same
  register era (codes before the 2025 reform do not carry over), else one derived from the name (an
  ASCII slug and 6 hex digits). A hamlet renamed under its code stays one hamlet. A row's code depends
  only on uploads received before it, so it is the same in every build; lake/submissions' ` + "`ma_thon`" + `
  is only the upload's own code (docs/COLUMNS.md).
- ` + "`ty_le_*_nam_truoc`" + ` is last year's rate by the same rule, on the same units (the nation always);
  building a year also rebuilds the following year's roll-up when it has one, so it stays current.
` + flagsDoc + pendingFlagsDoc + `
`)
	for _, t := range Tables {
		fmt.Fprintf(&b, "## %s\n\n| column | type | Vietnamese | English |\n|---|---|---|---|\n", t)
		for _, c := range Columns(t) {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", c.Name, c.Type, c.LabelVI, c.LabelEN)
		}
		b.WriteString("\n")
	}
	return b.String()
}
