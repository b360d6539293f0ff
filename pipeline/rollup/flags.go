package rollup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/xhht/xhht/pipeline/hamlet"
	"github.com/xhht/xhht/pipeline/quality"
)

// Plausibility flags (issue 15). The rules are pure Go (pipeline/quality,
// thresholds in schemas/quality/rules.json); this file gathers what they
// look at from the build's tables, applies them, and leaves the result in
// out_flags, which write and writeOut store like the other tables: one
// Parquet file per province under rollups/flags/, named in the manifest.
//
// The flags need the whole history (last year, the other communes, the
// earlier uploads of the year), which is why they are computed here and
// not by ingest: the lake stays a pure function of the uploads.
//
// Last year is the commune's previous reporting year, on this year's
// units: the build's own last-year rows when both years share a register,
// and across the 2025 reform the re-based roll-up of the year before
// (`xhht rollup --year 2024 --units 2025`, rollups/units=<v>/…). A new
// commune that the re-basing could not complete (a split commune without
// a hamlet assignment, or an old commune merged into it that had no
// accepted data that year: review finding M-A) is "không so sánh được":
// a not_comparable row and no year-on-year flag.

// Flags is the table of plausibility flags.
const Flags = quality.Table

// flagColumns are the columns of the flags table, in file order.
func flagColumns() []Column {
	return []Column{
		{"report_year", "INTEGER", "Năm báo cáo", "reporting year"},
		{"province_code", "VARCHAR", "Mã tỉnh", "province code"},
		{"commune_code", "VARCHAR", "Mã xã", "commune code"},
		{"commune_name", "VARCHAR", "Tên xã", "commune name"},
		{"ma_thon", "VARCHAR", "Mã thôn (null: cảnh báo cấp xã)", "hamlet code (null: a commune-level flag)"},
		{"ten_thon", "VARCHAR", "Tên thôn, tổ dân phố", "hamlet name"},
		{"flag_id", "VARCHAR", "Mã cảnh báo, không đổi giữa các lần tổng hợp: quy tắc/chỉ tiêu/mã thôn, dấu - khi không có (change/ho_tong/-)", "stable flag id: rule/indicator/ma_thon, - when none (change/ho_tong/-)"},
		{"rule", "VARCHAR", "Quy tắc (schemas/quality/rules.json): change, hamlet_gone, hamlet_new, rate_change, copied, recognised_all, rate_outlier, hamlet_outlier, unchanged, not_comparable", "rule (schemas/quality/rules.json)"},
		{"indicator", "VARCHAR", "Cột được so sánh (ho_tong, ty_le_ho_dat …); null khi quy tắc không có", "roll-up column compared; null when the rule has none"},
		{"value", "DOUBLE", "Giá trị năm nay (tỷ lệ 0–1)", "this year's value (rates as fractions)"},
		{"previous_value", "DOUBLE", "Giá trị năm trước được chấp nhận (null với quy tắc so sánh giữa các xã)", "last accepted year's value (null for cross-commune rules)"},
		{"previous_year", "INTEGER", "Năm của previous_value: năm gần nhất trước năm báo cáo có số liệu được chấp nhận của xã (tối đa 3 năm trước, không vượt qua cải cách 2025 trừ qua số liệu quy đổi); null khi không so sánh với năm nào", "the year of previous_value: the commune's last accepted year before the reporting year (at most 3 years back; across the 2025 reform only through the re-based roll-up); null when none"},
		{"threshold", "DOUBLE", "Ngưỡng của quy tắc", "the rule's threshold"},
		{"score", "DOUBLE", "Mức lệch: điểm z hiệu chỉnh (rate_outlier, hamlet_outlier), thay đổi tương đối (change), thay đổi theo điểm 0–1 (rate_change), tỷ lệ thôn (recognised_all)", "modified z-score, relative change, change in points (fraction) or share of hamlets"},
		{"comparable", "BOOLEAN", "false: không so sánh được với năm trước (chỉ để biết, không phải cảnh báo)", "false: not comparable with last year (information, not a warning)"},
		{"submission_id", "VARCHAR", "Mã bản nộp mà cảnh báo nói đến (bản được tính, hoặc tệp chờ duyệt khi pending)", "the submission the flag is about: the counted one, or the waiting file when pending"},
		{"pending", "BOOLEAN", "true: cảnh báo của tệp mới đang chờ tỉnh duyệt (số liệu đã duyệt vẫn được tính); false: của số liệu đang được tính", "true: a flag of a new upload awaiting the province's approval (flags_pending.go); false: of the counted data"},
		{"message", "VARCHAR", "Nội dung cảnh báo (tiếng Việt)", "the flag in Vietnamese"},
		{"build_id", "VARCHAR", "Mã lần tổng hợp", "roll-up build id"},
		{"built_at", "TIMESTAMPTZ", "Thời điểm tổng hợp", "build time"},
	}
}

// flagRules are the rules in force: Options.Schemas' rules file when it
// has one, else the embedded one.
func (b *builder) flagRules() (*quality.Rules, error) {
	if b.o.Schemas != nil {
		r, err := quality.LoadFS(b.o.Schemas)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return r, err
		}
	}
	return quality.Load()
}

// computeFlags builds out_flags for the selected provinces, on connection
// c. write runs it on the lane of the small tables, while the hamlet level
// is written on the other connection.
func (b *builder) computeFlags(ctx context.Context, c *sql.Conn) error {
	start := time.Now()
	rules, err := b.flagRules()
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	communeCols, hamletCols := rules.Columns()
	known := map[string]bool{}
	for _, m := range measures {
		known[m.name] = true
	}
	for _, r := range rates {
		known[r.name] = true
	}
	for _, col := range append(slices.Clone(communeCols), hamletCols...) {
		if !known[col] {
			return fmt.Errorf("rollup: %s: %q is not a roll-up column (%s)", quality.RulesFile, col, "docs/ROLLUP_COLUMNS.md")
		}
	}
	for _, col := range hamletCols {
		if !slices.ContainsFunc(measuresOf("bieu01"), func(m measure) bool { return m.name == col }) {
			return fmt.Errorf("rollup: %s: %q is not a hamlet column (a Biểu 01 count)", quality.RulesFile, col)
		}
	}
	src, err := b.flagPrevSource(ctx)
	if err != nil {
		return err
	}
	// Provinces whose inputs did not change keep their flags (flagcache.go).
	reuse, reused, err := b.reusableFlags(ctx, rules, src)
	if err != nil {
		return err
	}
	var todo []string
	for _, p := range b.provinces() {
		if !reused[p] {
			todo = append(todo, p)
		}
	}
	var flags []quality.Flag
	ncommunes := 0
	if len(todo) > 0 {
		communes, err := b.gatherFlags(ctx, c, src, todo, communeCols, hamletCols)
		if err != nil {
			return err
		}
		ncommunes = len(communes)
		// The counted data's flags and the waiting files' (flags_pending.go).
		if flags, err = b.evaluateFlags(ctx, c, src, todo, rules, communes, communeCols, hamletCols); err != nil {
			return err
		}
	}
	gathered := time.Since(start)
	if err := b.loadFlags(ctx, c, flags, reuse); err != nil {
		return err
	}
	b.log.Debug("rollup phase", "phase", "flags", "communes", ncommunes, "flags", len(flags), "provinces_computed", len(todo), "provinces_reused", len(reused),
		"gather_ms", gathered.Milliseconds(), "ms", time.Since(start).Milliseconds())
	return nil
}

// provinceFilter restricts a query to the provinces todo (" AND
// <col> IN (…)"), or to nothing when todo is every province of the build.
func (b *builder) provinceFilter(col string, todo []string) string {
	if !b.narrowed && len(todo) == len(b.provinces()) {
		return "" // every province of the inputs

	}
	q := make([]string, len(todo))
	for i, p := range todo {
		q[i] = quote(p)
	}
	return fmt.Sprintf(" AND %s IN (%s)", col, strings.Join(q, ", "))
}

// gatherFlags reads what the rules look at for the communes of the
// provinces todo.
func (b *builder) gatherFlags(ctx context.Context, c *sql.Conn, src *flagSource, todo, communeCols, hamletCols []string) ([]quality.Commune, error) {
	q := &flagQuery{b: b, c: c}
	byCode := map[string]*quality.Commune{}
	var order []string
	// This year's communes that sent something, as counted.
	err := q.scan(ctx, fmt.Sprintf(`SELECT province_code, commune_code, commune_name, coalesce(submission_id_bieu01, submission_id_bieu02), %s
FROM out_communes WHERE so_xa_bieu01 + so_xa_bieu02 > 0%s ORDER BY commune_code`, doubles("", communeCols), b.provinceFilter("province_code", todo)), 4, communeCols,
		func(s []sql.NullString, v map[string]float64) {
			c := &quality.Commune{ProvinceCode: s[0].String, CommuneCode: s[1].String, CommuneName: s[2].String, SubmissionID: s[3].String, Values: v}
			byCode[c.CommuneCode] = c
			order = append(order, c.CommuneCode)
		})
	if err != nil {
		return nil, err
	}
	hsrc := "h_cur"
	if f := b.provinceFilter("province_code", todo); f != "" {
		hsrc = "(SELECT * FROM h_cur WHERE true" + f + ")"
	}
	err = q.hamlets(ctx, hsrc, "cur", hamletCols, func(code string, hs []quality.Hamlet) {
		if c := byCode[code]; c != nil {
			c.Hamlets = hs
		}
	})
	if err != nil {
		return nil, err
	}
	if err := b.flagPrevious(ctx, q, src, todo, byCode, communeCols, hamletCols); err != nil {
		return nil, err
	}
	if err := b.flagUnchanged(ctx, c, todo, byCode); err != nil {
		return nil, err
	}
	communes := make([]quality.Commune, 0, len(order))
	for _, code := range order {
		communes = append(communes, *byCode[code])
	}
	return communes, nil
}

// flagQuery runs the flags' queries on one connection.
type flagQuery struct {
	b *builder
	c *sql.Conn
}

// doubles selects cols (of alias a, "" for none) as DOUBLE.
func doubles(a string, cols []string) string {
	if a != "" {
		a += "."
	}
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = fmt.Sprintf("CAST(%s%s AS DOUBLE) AS %[2]s", a, ident(c))
	}
	return strings.Join(out, ", ")
}

// scan runs q, whose first nStr columns are text and the rest the numbers
// cols, and calls each with the row (nulls are left out of the map).
func (fq *flagQuery) scan(ctx context.Context, q string, nStr int, cols []string, each func([]sql.NullString, map[string]float64)) error {
	rows, err := fq.c.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("rollup: flags: %w", err)
	}
	defer rows.Close()
	strs := make([]sql.NullString, nStr)
	nums := make([]sql.NullFloat64, len(cols))
	dst := make([]any, 0, nStr+len(cols))
	for i := range strs {
		dst = append(dst, &strs[i])
	}
	for i := range nums {
		dst = append(dst, &nums[i])
	}
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return fmt.Errorf("rollup: flags: %w", err)
		}
		v := make(map[string]float64, len(cols))
		for i, c := range cols {
			if nums[i].Valid {
				v[c] = nums[i].Float64
			}
		}
		each(append([]sql.NullString(nil), strs...), v)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rollup: flags: %w", err)
	}
	return nil
}

// maxLookBack bounds how far back a commune's last accepted year is
// looked for: last year, then the two years before it.
const maxLookBack = 3

// lookbackYears are the years before last year, newest first, in which a
// commune without accepted data last year is looked for: at most
// maxLookBack years back, and never across the 2025 reform (a code before
// it may name another place; across it only the re-based roll-up of 2024
// compares, for 2025). The build reads their submissions anyway, for
// hamlet identity (historyYears).
func (b *builder) lookbackYears() []int {
	if b.prevYear == 0 {
		return nil
	}
	first := max(b.o.Year-maxLookBack, hamlet.HistoryFirstYear(b.o.Year))
	var ys []int
	for y := b.prevYear - 1; y >= first; y-- {
		ys = append(ys, y)
	}
	return ys
}

// flagPrevious fills each commune's last accepted year, on this year's
// units: last year from the build's own last-year tables (c_prev, h_prev)
// when both years share a register, and for a commune without accepted
// data last year the latest earlier year with some (lookbackYears),
// counted as the roll-up counts a year (the latest accepted upload per
// form, review states applied); across the 2025 reform, the re-based
// roll-up of last year. A commune with no accepted year among them gets
// no year-on-year flag.
func (b *builder) flagPrevious(ctx context.Context, fq *flagQuery, src *flagSource, todo []string, byCode map[string]*quality.Commune, communeCols, hamletCols []string) error {
	filter := b.provinceFilter("province_code", todo)
	withRates := func(table string) string {
		var rs []string
		for _, r := range rates {
			rs = append(rs, fmt.Sprintf("%s AS %s", rateExpr("c", r), ident(r.name)))
		}
		return fmt.Sprintf("(SELECT c.*, %s, true AS rebase_complete, NULL::VARCHAR AS rebase_missing, NULL::VARCHAR AS rebase_no_data FROM %s c WHERE so_xa_bieu01 + so_xa_bieu02 > 0%s)", strings.Join(rs, ", "), table, filter)
	}
	hamletsOf := func(view string) string {
		if filter == "" {
			return view
		}
		return "(SELECT * FROM " + view + " WHERE true" + filter + ")"
	}
	switch src.mode {
	case "build":
		if b.prevYear != 0 && b.prevInputs > 0 {
			if err := b.scanPrevious(ctx, fq, b.prevYear, withRates("c_prev"), hamletsOf("h_prev"), byCode, communeCols, hamletCols); err != nil {
				return err
			}
		}
		for _, y := range b.lookbackYears() {
			var missing []string
			for code, c := range byCode {
				if c.Prev == nil {
					missing = append(missing, quote(code))
				}
			}
			if len(missing) == 0 {
				return nil
			}
			slices.Sort(missing)
			tag := fmt.Sprintf("f%d", y)
			q := pickSQL(tag, y, false)
			if b.overrides[tag] {
				q += reviewPickSQL(tag, y)
			}
			q += communeSQL(tag) + hamletViewSQL(tag)
			if err := b.execOn(ctx, fq.c, fmt.Sprintf("flags: year %d", y), q); err != nil {
				return err
			}
			only := " AND commune_code IN (" + strings.Join(missing, ", ") + ")"
			csrc := strings.TrimSuffix(withRates("c_"+tag), ")") + only + ")"
			hsrc := "(SELECT * FROM h_" + tag + " WHERE true" + only + ")"
			if err := b.scanPrevious(ctx, fq, y, csrc, hsrc, byCode, communeCols, hamletCols); err != nil {
				return err
			}
		}
		return nil
	case "rebased":
		// Across the reform: the re-based roll-up of last year, if built.
		var cf, hf []string
		for _, p := range todo {
			m := src.rebased[p]
			if m == nil {
				continue
			}
			for t, list := range map[string]*[]string{Communes: &cf, Hamlets: &hf} {
				key := m.Files[t]
				if key == "" {
					continue
				}
				lp, err := b.localPath(ctx, key)
				if err == nil {
					lp, err = b.pin(lp)
				}
				if err != nil {
					return err
				}
				*list = append(*list, lp)
			}
		}
		if len(cf) == 0 {
			return nil // no re-based roll-up of last year: nothing to compare with
		}
		// rebase_no_data (finding M-A) is absent from a re-based roll-up
		// built before it: such a one says nothing about predecessors
		// without data (the re-based build of the previous year is redone
		// by `xhht rollup` when it lacks the column, runrollup.go).
		noData := "NULL::VARCHAR AS rebase_no_data"
		var n int
		if err := fq.c.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (DESCRIBE SELECT * FROM %s) WHERE column_name = 'rebase_no_data'", readParquet(cf))).Scan(&n); err != nil {
			return fmt.Errorf("rollup: flags: re-based columns: %w", err)
		}
		if n > 0 {
			noData = "rebase_no_data"
		}
		csrc := fmt.Sprintf("(SELECT *, %s FROM %s WHERE so_xa_bieu01 + so_xa_bieu02 > 0)", noData, readParquet(cf))
		if n > 0 {
			csrc = fmt.Sprintf("(SELECT * FROM %s WHERE so_xa_bieu01 + so_xa_bieu02 > 0)", readParquet(cf))
		}
		hsrc := "(" + emptyTableSQL(Hamlets) + ")"
		if len(hf) > 0 {
			hsrc = readParquet(hf)
		}
		return b.scanPrevious(ctx, fq, b.o.Year-1, csrc, hsrc, byCode, communeCols, hamletCols)
	}
	return nil
}

// scanPrevious sets, for the communes of csrc that have no earlier year
// yet, year as their last accepted one: the commune row of csrc and the
// hamlet rows of hsrc.
func (b *builder) scanPrevious(ctx context.Context, fq *flagQuery, year int, csrc, hsrc string, byCode map[string]*quality.Commune, communeCols, hamletCols []string) error {
	q := fmt.Sprintf("SELECT commune_code, coalesce(rebase_complete, true)::VARCHAR, rebase_missing, rebase_no_data, %s FROM %s", doubles("", communeCols), csrc)
	err := fq.scan(ctx, q, 4, communeCols, func(s []sql.NullString, v map[string]float64) {
		c := byCode[s[0].String]
		if c == nil || c.Prev != nil {
			return
		}
		p := &quality.Previous{Year: year, Comparable: s[1].String == "true", Values: v}
		if !p.Comparable {
			p.Reason = notRebasedReason(s[2].String, s[3].String, year)
		}
		c.Prev = p
	})
	if err != nil {
		return err
	}
	return fq.hamlets(ctx, hsrc, fmt.Sprintf("prev%d", year), hamletCols, func(code string, hs []quality.Hamlet) {
		if c := byCode[code]; c != nil && c.Prev != nil && c.Prev.Year == year {
			for i := range hs {
				hs[i].SubmissionID = "" // an earlier year's: a flag is about this year's file
			}
			c.Prev.Hamlets = hs
		}
	})
}

// notRebasedReason says, in Vietnamese, why a new commune's re-based
// figures of year are incomplete: old communes split without a hamlet
// assignment (missing), old communes merged into it without accepted data
// that year (noData); both comma-separated codes.
func notRebasedReason(missing, noData string, year int) string {
	var why []string
	if missing != "" {
		why = append(why, "xã cũ "+strings.ReplaceAll(missing, ",", ", ")+" bị chia tách, chưa có phân bổ thôn nên chưa quy đổi được")
	}
	if noData != "" {
		why = append(why, fmt.Sprintf("xã cũ %s không có số liệu năm %d được chấp nhận, nên số liệu quy đổi chỉ gồm một phần xã", strings.ReplaceAll(noData, ",", ", "), year))
	}
	if len(why) == 0 {
		return "có xã cũ chưa quy đổi được"
	}
	return strings.Join(why, "; ")
}

// hamlets reads the hamlet rows of src and hands them over per commune.
// DuckDB copies them to a Parquet file in the work dir, which parquet-go
// reads: scanning the ~100,000 hamlet rows of a national build one by one
// through database/sql took seconds (about 35 µs a row on the 2-core
// machine), and packing them per commune inside DuckDB (list aggregates)
// ran out of the build's memory while the hamlet level was being written.
// A COPY streams. Row order does not matter to the rules.
func (fq *flagQuery) hamlets(ctx context.Context, src, tag string, cols []string, each func(string, []quality.Hamlet)) error {
	if len(cols) > maxHamletCols {
		return fmt.Errorf("rollup: %s: the rules read %d hamlet columns, at most %d", quality.RulesFile, len(cols), maxHamletCols)
	}
	sel := []string{"commune_code", "ma_thon", "ten_thon", "submission_id"}
	for i := range maxHamletCols {
		e := "NULL::DOUBLE"
		if i < len(cols) {
			e = fmt.Sprintf("CAST(%s AS DOUBLE)", ident(cols[i]))
		}
		sel = append(sel, fmt.Sprintf("%s AS v%d", e, i))
	}
	path := filepath.Join(fq.b.work, "flags-hamlets-"+tag+".parquet")
	if err := fq.b.execOn(ctx, fq.c, "flags hamlets "+tag, fmt.Sprintf("COPY (SELECT %s FROM %s) TO %s (FORMAT parquet)",
		strings.Join(sel, ", "), src, quote(path))); err != nil {
		return err
	}
	defer os.Remove(path)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("rollup: flags: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("rollup: flags: %w", err)
	}
	pf, err := parquet.OpenFile(f, fi.Size())
	if err != nil {
		return fmt.Errorf("rollup: flags: %s: %w", path, err)
	}
	r := parquet.NewGenericReader[hamletRow](pf)
	defer r.Close()
	by := map[string][]quality.Hamlet{}
	var order []string
	buf := make([]hamletRow, 1024)
	for {
		n, err := r.Read(buf)
		for _, row := range buf[:n] {
			v := make(map[string]float64, len(cols))
			vals := row.v()
			for j, c := range cols {
				if vals[j] != nil {
					v[c] = *vals[j]
				}
			}
			code := deref(row.Commune)
			if _, ok := by[code]; !ok {
				order = append(order, code)
			}
			by[code] = append(by[code], quality.Hamlet{MaThon: deref(row.MaThon), TenThon: deref(row.TenThon), SubmissionID: deref(row.Sub), Values: v})
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("rollup: flags: %s: %w", path, err)
		}
	}
	for _, code := range order {
		each(code, by[code])
	}
	return nil
}

// maxHamletCols is how many value columns hamletRow has: every Biểu 01 count.
const maxHamletCols = 11

// hamletRow is a row of the hamlets file hamlets writes.
type hamletRow struct {
	Commune *string  `parquet:"commune_code,optional"`
	MaThon  *string  `parquet:"ma_thon,optional"`
	TenThon *string  `parquet:"ten_thon,optional"`
	Sub     *string  `parquet:"submission_id,optional"`
	V0      *float64 `parquet:"v0,optional"`
	V1      *float64 `parquet:"v1,optional"`
	V2      *float64 `parquet:"v2,optional"`
	V3      *float64 `parquet:"v3,optional"`
	V4      *float64 `parquet:"v4,optional"`
	V5      *float64 `parquet:"v5,optional"`
	V6      *float64 `parquet:"v6,optional"`
	V7      *float64 `parquet:"v7,optional"`
	V8      *float64 `parquet:"v8,optional"`
	V9      *float64 `parquet:"v9,optional"`
	V10     *float64 `parquet:"v10,optional"`
}

// v returns the row's values in column order.
func (h *hamletRow) v() [11]*float64 {
	return [11]*float64{h.V0, h.V1, h.V2, h.V3, h.V4, h.V5, h.V6, h.V7, h.V8, h.V9, h.V10}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// flagUnchanged finds communes whose latest accepted upload of the year
// has exactly the rows of the one before it: the same form, hamlet codes
// and names, and every figure the roll-up reads. The rows are compared as
// a multiset (order-free sum of row hashes, and the row count).
func (b *builder) flagUnchanged(ctx context.Context, c *sql.Conn, todo []string, byCode map[string]*quality.Commune) error {
	cols := []string{"form"}
	for _, c := range subsColumns() {
		if c == "ma_thon" || c == "ten_thon" || measureSource(c) {
			cols = append(cols, ident(c))
		}
	}
	// The latest two uploads of each commune are found from a few narrow
	// columns; only the rows of those two are hashed.
	q := fmt.Sprintf(`WITH per AS (
  SELECT commune_code, submission_id, max(received_at) AS got_at, max(source_key) AS k, max(source_version) AS v
  FROM subs WHERE report_year = %[2]d%[3]s GROUP BY commune_code, submission_id),
top2 AS (
  SELECT *, row_number() OVER (PARTITION BY commune_code ORDER BY got_at DESC, k DESC, v DESC, submission_id DESC) AS rn
  FROM per QUALIFY rn <= 2),
pair AS (SELECT * FROM top2 WHERE commune_code IN (SELECT commune_code FROM top2 WHERE rn = 2)),
hashed AS (
  SELECT commune_code, submission_id, count(*) AS n, sum(hash(%[1]s)::HUGEINT) AS h
  FROM subs SEMI JOIN pair USING (commune_code, submission_id) WHERE report_year = %[2]d GROUP BY commune_code, submission_id)
SELECT a.commune_code, a.submission_id, b.submission_id, a.got_at, b.got_at, ha.n
FROM pair a JOIN pair b ON b.commune_code = a.commune_code AND a.rn = 1 AND b.rn = 2
JOIN hashed ha ON ha.commune_code = a.commune_code AND ha.submission_id = a.submission_id
JOIN hashed hb ON hb.commune_code = b.commune_code AND hb.submission_id = b.submission_id
WHERE ha.h = hb.h AND ha.n = hb.n`, strings.Join(cols, ", "), b.o.Year, b.provinceFilter("province_code", todo))
	rows, err := c.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("rollup: flags unchanged: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var u quality.Unchanged
		if err := rows.Scan(&code, &u.Latest, &u.Previous, &u.LatestAt, &u.PreviousAt, &u.Rows); err != nil {
			return fmt.Errorf("rollup: flags unchanged: %w", err)
		}
		if c := byCode[code]; c != nil {
			c.Unchanged = &u
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rollup: flags unchanged: %w", err)
	}
	return nil
}

// measureSource reports whether a submissions column feeds a measure.
func measureSource(col string) bool {
	for _, m := range measures {
		if m.src == col {
			return true
		}
	}
	return false
}

// loadFlags writes the flags into out_flags, with the dictionary's types.
// reuse are flags files of earlier builds (flagcache.go) whose rows are
// copied in with this build's build_id and built_at.
func (b *builder) loadFlags(ctx context.Context, c *sql.Conn, flags []quality.Flag, reuse []string) error {
	cols := flagColumns()
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.Name
	}
	rows := [][]string{head}
	f64 := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	year := func(y int) string {
		if y == 0 {
			return ""
		}
		return strconv.Itoa(y)
	}
	built := b.builtAt.Format(time.RFC3339Nano)
	for _, f := range flags {
		rows = append(rows, []string{strconv.Itoa(f.Year), f.ProvinceCode, f.CommuneCode, f.CommuneName, f.MaThon, f.TenThon,
			f.FlagID, f.Rule, f.Indicator, f64(f.Value), f64(f.PreviousValue), year(f.PreviousYear), f64(f.Threshold), f64(f.Score),
			strconv.FormatBool(f.Comparable), f.SubmissionID, strconv.FormatBool(f.Pending), f.Message, b.buildID, built})
	}
	path, err := b.writeCSV("flags.csv", rows)
	if err != nil {
		return err
	}
	types := map[string]string{}
	var sel, again []string
	for _, c := range cols {
		types[c.Name] = c.Type
		sel = append(sel, ident(c.Name))
		e := ident(c.Name)
		switch c.Name {
		case "build_id":
			e = quote(b.buildID)
		case "built_at":
			e = quote(built)
		}
		again = append(again, fmt.Sprintf("CAST(%s AS %s) AS %s", e, c.Type, ident(c.Name)))
	}
	from := fmt.Sprintf("SELECT %s FROM %s", strings.Join(sel, ", "), readCSVSQL(path, head, types))
	if len(reuse) > 0 {
		from += fmt.Sprintf("\nUNION ALL SELECT %s FROM %s", strings.Join(again, ", "), readParquet(reuse))
	}
	// Ordered on more than the flag's id, so that rows are in one order
	// however they came (computed or reused): the files are then the same.
	return b.execOn(ctx, c, "flags", fmt.Sprintf("CREATE OR REPLACE TABLE out_flags AS SELECT * FROM (%s) ORDER BY province_code, commune_code, flag_id, ma_thon, ten_thon, submission_id, message",
		from))
}

// flagsDoc is the flags table's part of docs/ROLLUP_COLUMNS.md.
const flagsDoc = "- `flags` (`lake/rollups/flags/year=<Y>/province=<P>/<build id>.parquet`, per province, named in the\n" +
	"  manifest; none when the province has no flag) lists plausibility flags, one row per flag: warnings for\n" +
	"  the province to look at, never rejections. Rules and thresholds are data in `schemas/quality/rules.json`\n" +
	"  (see schemas/README.md). `flag_id` is stable across builds (`<rule>/<indicator or ->/<ma_thon or ->`).\n" +
	"  Last year is the commune's previous reporting year on this year's units (across the 2025 reform, the\n" +
	"  re-based roll-up of 2024, which a 2025 build makes first when it is missing or older than\n" +
	"  `rebase_no_data`); a row with `comparable = false` (rule `not_comparable`) says the commune cannot be\n" +
	"  compared with it (\"không so sánh được\": an old commune split into it without a hamlet assignment, or\n" +
	"  merged or split into it without accepted data that year), and no year-on-year rule is applied to that\n" +
	"  commune. The portal reads the table with `quality.ReadFlags`.\n"
