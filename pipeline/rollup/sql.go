package rollup

import (
	"fmt"
	"strings"
)

// The roll-up SQL is generated from the column dictionary, so the tables
// always have exactly the documented columns in the documented order.
//
// Tables and views built in DuckDB, per year tag t (cur, prev):
//   r_t    (view) the counted rows: for each (commune, form) the latest accepted
//          submission by received_at, ties by source_key, source_version
//          (larger wins), with ucode = the unit the row counts for (the
//          commune itself, or its successor when re-basing; null = not
//          re-based)
//   c_t    one row per expected commune: sums, null-row counts
//   d_t    per district (registers with districts only), p_t per province

// pickSQL picks the counted submission of each (commune, form) into the
// small table win_<tag>, and defines r_<tag>, the counted rows, as a view:
// each statement then reads from the inputs only the columns it needs.
// cnt_<tag> keeps one row per (submission, unit) for the inputs lists.
func pickSQL(tag string, year int, rebase bool) string {
	ucode := "s.commune_code"
	join := ""
	if rebase {
		// Biểu 01 rows follow their commune when it went whole into one
		// new commune, else their hamlet's assignment (by the hamlet's
		// identity, identity.go); Biểu 02 describes the whole old commune,
		// so it follows only a whole-commune move.
		ucode = "CASE WHEN s.form = 'bieu01' THEN coalesce(fm.new_code, hm.new_code) ELSE fm.new_code END"
		join = `
LEFT JOIN fullmap fm ON fm.old_code = s.commune_code
` + hamletIDJoin("hid", "s") + `
LEFT JOIN hamletmap hm ON hm.old_code = s.commune_code AND hm.ma_thon = coalesce(hid.ma_thon, s.ma_thon)`
	}
	return fmt.Sprintf(`
CREATE OR REPLACE TABLE win_%[1]s AS
SELECT commune_code, form,
  max({'t': received_at, 'k': source_key, 'v': source_version, 's': submission_id}).s AS submission_id
FROM subs WHERE report_year = %[2]d GROUP BY commune_code, form;
CREATE OR REPLACE VIEW r_%[1]s AS
SELECT s.*, %[3]s AS ucode
FROM subs s SEMI JOIN win_%[1]s w USING (commune_code, form, submission_id)%[4]s
WHERE s.report_year = %[2]d;
CREATE OR REPLACE TABLE cnt_%[1]s AS
SELECT submission_id, ucode, max(received_at) AS received_at FROM r_%[1]s GROUP BY ALL;`, tag, year, ucode, join)
}

// communeSQL sums the counted rows per unit commune into c_<tag>.
func communeSQL(tag string) string {
	agg := func(form string) string {
		var cols []string
		for _, m := range measuresOf(form) {
			switch m.kind {
			case kSum:
				cols = append(cols, fmt.Sprintf("sum(%s) AS %s", m.src, m.name))
			case kRows:
				cols = append(cols, fmt.Sprintf("count(*) AS %s", m.name))
			case kTrue:
				// Null when every row left it blank: unknown, not zero.
				cols = append(cols, fmt.Sprintf("CASE WHEN count(%[1]s) > 0 THEN count_if(%[1]s) END AS %[2]s", m.src, m.name))
			case kEqual:
				cols = append(cols, fmt.Sprintf("CASE WHEN count(%[1]s) > 0 THEN count_if(%[1]s = %[2]s) END AS %[3]s", m.src, quote(m.eq), m.name))
			}
		}
		for _, m := range nullSources(form) {
			cols = append(cols, fmt.Sprintf("count(*) - count(%[1]s) AS %[1]s_null_rows", m.src))
		}
		// A rate's operands over the rows that reported both: sums over
		// no row are null, so the rate is unknown rather than 0.
		for _, r := range ratesOf(form) {
			both := bothReported(r)
			cols = append(cols,
				fmt.Sprintf("sum(%s) FILTER (WHERE %s) AS %s", rowValue(measureNamed(r.num)), both, r.name+sfxNum),
				fmt.Sprintf("sum(%s) FILTER (WHERE %s) AS %s", rowValue(measureNamed(r.den)), both, r.name+sfxDen),
				fmt.Sprintf("count(*) FILTER (WHERE %s) AS %s", both, r.name+sfxRows),
				fmt.Sprintf("count(*) FILTER (WHERE NOT (%s)) AS %s", both, r.name+sfxRowsLeft))
		}
		cols = append(cols,
			"count(DISTINCT commune_code) AS n_src",
			"string_agg(DISTINCT submission_id, ',' ORDER BY submission_id) AS sub_ids",
			"max(received_at) AS sub_at")
		return fmt.Sprintf("SELECT ucode, %s FROM r_%s WHERE form = '%s' AND ucode IS NOT NULL GROUP BY ucode",
			strings.Join(cols, ", "), tag, form)
	}
	var sel []string
	for _, m := range measures {
		a := "a1"
		if m.form == "bieu02" {
			a = "a2"
		}
		sel = append(sel, fmt.Sprintf("%s.%s", a, m.name))
	}
	for _, f := range []string{"bieu01", "bieu02"} {
		a := "a1"
		if f == "bieu02" {
			a = "a2"
		}
		for _, m := range nullSources(f) {
			sel = append(sel, fmt.Sprintf("coalesce(%s.%s_null_rows, 0) AS %[2]s_null_rows", a, m.src))
		}
		for _, r := range ratesOf(f) {
			sel = append(sel, fmt.Sprintf("%s.%s", a, r.name+sfxNum), fmt.Sprintf("%s.%s", a, r.name+sfxDen),
				fmt.Sprintf("coalesce(%s.%s, 0) AS %[2]s", a, r.name+sfxRows), fmt.Sprintf("coalesce(%s.%s, 0) AS %[2]s", a, r.name+sfxRowsLeft))
		}
	}
	return fmt.Sprintf(`
CREATE OR REPLACE TABLE c_%[1]s AS
WITH a1 AS (%[2]s), a2 AS (%[3]s)
SELECT u.*, 1::BIGINT AS so_xa,
  (a1.ucode IS NOT NULL)::BIGINT AS so_xa_bieu01, (a2.ucode IS NOT NULL)::BIGINT AS so_xa_bieu02,
  %[4]s,
  a1.sub_ids AS submission_id_bieu01, a1.sub_at AS received_at_bieu01,
  a2.sub_ids AS submission_id_bieu02, a2.sub_at AS received_at_bieu02
FROM units u LEFT JOIN a1 ON a1.ucode = u.commune_code LEFT JOIN a2 ON a2.ucode = u.commune_code;`,
		tag, agg("bieu01"), agg("bieu02"), strings.Join(sel, ",\n  "))
}

// groupSQL sums a finer level (from) into a coarser one: sums skip nulls
// (a level is null only when nothing below reported the field), null-row
// counts add.
func groupSQL(into, from string, keys []string) string {
	var sel []string
	sel = append(sel, keys...)
	sel = append(sel, "sum(so_xa)::BIGINT AS so_xa", "sum(so_xa_bieu01)::BIGINT AS so_xa_bieu01", "sum(so_xa_bieu02)::BIGINT AS so_xa_bieu02")
	for _, m := range measures {
		sel = append(sel, fmt.Sprintf("sum(%[1]s)::BIGINT AS %[1]s", m.name))
	}
	for _, m := range nullSources("bieu01", "bieu02") {
		sel = append(sel, fmt.Sprintf("sum(%[1]s_null_rows)::BIGINT AS %[1]s_null_rows", m.src))
	}
	for _, r := range rates {
		for _, c := range pairedCounts(r) {
			sel = append(sel, fmt.Sprintf("sum(%[1]s)::BIGINT AS %[1]s", c))
		}
	}
	gb := "GROUP BY ALL"
	if len(keys) == 0 {
		gb = ""
	}
	return fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT %s FROM %s %s;", into, strings.Join(sel, ", "), from, gb)
}

// rateExpr recomputes a rate from sums, never an average of rates: its
// numerator and denominator summed over the same rows, those that
// reported both.
func rateExpr(alias string, r rate) string {
	return fmt.Sprintf("CASE WHEN %[1]s.%[3]s > 0 THEN %[1]s.%[2]s::DOUBLE / %[1]s.%[3]s END", alias, r.name+sfxNum, r.name+sfxDen)
}

// shareLeftExpr is the share of the level's reported denominator (the sum
// over every row that reported it) that the rate left out.
func shareLeftExpr(alias string, r rate) string {
	return fmt.Sprintf("CASE WHEN %[1]s.%[2]s > 0 THEN (%[1]s.%[2]s - coalesce(%[1]s.%[3]s, 0))::DOUBLE / %[1]s.%[2]s END", alias, r.den, r.name+sfxDen)
}

// levelSQL is the final SELECT of a level table: the dictionary's columns
// in order, from cur (x), last year (y, same unit keys) and targets (tg).
func levelSQL(table, from, prevFrom string, keys []string, tgLevel, tgKey string) string {
	exprs := map[string]string{}
	for _, r := range rates {
		exprs[r.name] = rateExpr("x", r)
		exprs[r.name+sfxShareLeft] = shareLeftExpr("x", r)
		prev := "NULL::DOUBLE"
		if prevFrom != "" {
			prev = rateExpr("y", r)
		}
		exprs[r.name+"_nam_truoc"] = prev
		exprs[r.name+"_thay_doi"] = fmt.Sprintf("(%s) - (%s)", rateExpr("x", r), prev)
		s := r.suffix()
		exprs["chi_tieu_"+s] = "tg.chi_tieu_" + s
		exprs["nguon_chi_tieu_"+s] = "tg.nguon_chi_tieu_" + s
		exprs["dat_chi_tieu_"+s] = fmt.Sprintf("(%s) >= tg.chi_tieu_%s", rateExpr("x", r), s)
	}
	exprs["report_year"] = "year_param.y"
	exprs["units"] = "year_param.units"
	exprs["build_id"] = "year_param.build_id"
	exprs["built_at"] = "year_param.built_at"
	var sel []string
	for _, c := range Columns(table) {
		e, ok := exprs[c.Name]
		if !ok {
			e = "x." + ident(c.Name)
		}
		sel = append(sel, fmt.Sprintf("CAST(%s AS %s) AS %s", e, c.Type, ident(c.Name)))
	}
	var on []string
	for _, k := range keys {
		// Unit keys are never null at their own level: a plain equality
		// lets DuckDB hash-join.
		on = append(on, fmt.Sprintf("y.%[1]s = x.%[1]s", k))
	}
	join := ""
	if prevFrom != "" {
		cond := "true"
		if len(on) > 0 {
			cond = strings.Join(on, " AND ")
		}
		join = fmt.Sprintf("\nLEFT JOIN %s y ON %s", prevFrom, cond)
	}
	tgOn := fmt.Sprintf("tg.level = '%s'", tgLevel)
	if tgKey != "" {
		tgOn += " AND tg.code = x." + tgKey
	}
	// The hamlet level, ~100,000 rows, is a view: it is read once, by the
	// write, and materialising it first would cost as much again.
	kind := "TABLE"
	if table == Hamlets {
		kind = "VIEW"
	}
	return fmt.Sprintf("CREATE OR REPLACE %s out_%s AS SELECT %s\nFROM %s x CROSS JOIN year_param%s\nLEFT JOIN tg ON %s;",
		kind, table, strings.Join(sel, ",\n  "), from, join, tgOn)
}

// hamletSQL builds the hamlet rows of the current year with last year's
// row of the same hamlet (commune and ma_thon) for the change.
func hamletSQL(withPrev bool) string {
	// Views: the hamlet level is read once, when it is written.
	s := fmt.Sprintf("CREATE OR REPLACE VIEW h_cur AS %s;\n", hamletSelect("cur"))
	if withPrev {
		s += fmt.Sprintf("CREATE OR REPLACE VIEW h_prev AS %s;\n", hamletSelect("prev"))
	}
	return s
}

// hamletViewSQL creates the view h_<tag> of the hamlet rows of r_<tag>
// (an earlier year the flags compare with, flags.go).
func hamletViewSQL(tag string) string {
	return fmt.Sprintf("CREATE OR REPLACE VIEW h_%s AS %s;\n", tag, hamletSelect(tag))
}

// hamletSelect selects the hamlet rows of r_<tag>.
func hamletSelect(tag string) string {
	var cols []string
	for _, m := range measuresOf("bieu01") {
		switch m.kind {
		case kSum:
			cols = append(cols, fmt.Sprintf("r.%s AS %s", m.src, m.name))
		case kRows:
			cols = append(cols, fmt.Sprintf("1::BIGINT AS %s", m.name))
		case kTrue:
			cols = append(cols, fmt.Sprintf("r.%s::BIGINT AS %s", m.src, m.name))
		}
	}
	// One row's operands, when it reported both (the levels above sum them).
	for _, r := range ratesOf("bieu01") {
		both := bothReported(r)
		cols = append(cols,
			fmt.Sprintf("CASE WHEN %s THEN %s END AS %s", both, rowValue(measureNamed(r.num)), r.name+sfxNum),
			fmt.Sprintf("CASE WHEN %s THEN %s END AS %s", both, rowValue(measureNamed(r.den)), r.name+sfxDen),
			fmt.Sprintf("(%s)::BIGINT AS %s", both, r.name+sfxRows),
			fmt.Sprintf("(NOT (%s))::BIGINT AS %s", both, r.name+sfxRowsLeft))
	}
	// ma_thon is the hamlet's identity (identity.go), not always the
	// code ingest wrote.
	return fmt.Sprintf(`SELECT u.province_code, u.province_name, u.district_code, u.district_name, u.commune_code, u.commune_name, u.vung_kho_khan,
  coalesce(hid.ma_thon, r.ma_thon) AS ma_thon, r.ten_thon, %s, r.submission_id, r.received_at, r.source_key, r.source_row
FROM r_%s r JOIN units u ON u.commune_code = r.ucode %s WHERE r.form = 'bieu01'`, strings.Join(cols, ", "), tag, hamletIDJoin("hid", "r"))
}

// completenessSQL classifies each expected commune per deadline, then
// counts per level. A commune is on time when an accepted upload arrived
// strictly before its due time; the counts are of expected communes only,
// so a rate can never exceed 100 %. A returned file never makes a commune
// on time (review.TimelyFrom, review finding M1): where a return stands
// (rev_cur.timely), first_accepted_at is the first accepted upload after
// the returned data, and a commune whose only data is the returned data
// has no valid file: rejected_only.
func completenessSQL(withDistricts bool) string {
	counts := `count(*)::BIGINT AS expected,
  count_if(status IN ('on_time', 'late'))::BIGINT AS submitted,
  count_if(status = 'on_time')::BIGINT AS on_time,
  count_if(status = 'late')::BIGINT AS late,
  count_if(status = 'missing')::BIGINT AS missing,
  count_if(status = 'rejected_only')::BIGINT AS rejected_only,
  count_if(approved)::BIGINT AS approved, count_if(review_state = 'returned')::BIGINT AS returned, NULL::VARCHAR AS review_state,
  NULL::VARCHAR AS status, NULL::TIMESTAMPTZ AS first_accepted_at, sum(uploads)::BIGINT AS uploads, NULL::VARCHAR AS last_rejection`
	// Two statements, not one per step: on this machine planning costs
	// more than running these small queries.
	s := `
CREATE OR REPLACE TABLE comp_c AS
WITH acc AS (
  SELECT commune_code, min(received_at) AS first_accepted_at, count(DISTINCT submission_id) AS n
  FROM subs WHERE report_year = (SELECT y FROM year_param) GROUP BY commune_code),
rej AS (
  SELECT commune_code, count(*) AS n, arg_max(reason, received_at) AS last_rejection
  FROM receipts WHERE status = 'rejected' AND year = (SELECT y FROM year_param) GROUP BY commune_code)
SELECT u.province_code, u.province_name, u.district_code, u.district_name, u.commune_code, u.commune_name,
  d.deadline, d.due_at,
  CASE WHEN acc.first_accepted_at IS NULL THEN CASE WHEN coalesce(rej.n, 0) > 0 THEN 'rejected_only' ELSE 'missing' END
       WHEN coalesce(rv.timely, false) AND rv.timely_from IS NULL THEN 'rejected_only'
       WHEN CASE WHEN coalesce(rv.timely, false) THEN rv.timely_from ELSE acc.first_accepted_at END < d.due_at THEN 'on_time'
       ELSE 'late' END AS status,
  CASE WHEN coalesce(rv.timely, false) AND acc.first_accepted_at IS NOT NULL THEN rv.timely_from ELSE acc.first_accepted_at END AS first_accepted_at,
  (coalesce(acc.n, 0) + coalesce(rej.n, 0))::BIGINT AS uploads, rej.last_rejection,
  nullif(rv.shown, '') AS review_state, coalesce(rv.approved, false) AS approved
FROM units u JOIN due d ON d.province_code = u.province_code
LEFT JOIN acc ON acc.commune_code = u.commune_code LEFT JOIN rej ON rej.commune_code = u.commune_code
LEFT JOIN rev_cur rv ON rv.commune_code = u.commune_code;
`
	all := `
SELECT 'commune' AS level, province_code, province_name, district_code, district_name, commune_code, commune_name, deadline, due_at,
  1::BIGINT AS expected, (status IN ('on_time','late'))::BIGINT AS submitted, (status = 'on_time')::BIGINT AS on_time,
  (status = 'late')::BIGINT AS late, (status = 'missing')::BIGINT AS missing, (status = 'rejected_only')::BIGINT AS rejected_only,
  approved::BIGINT AS approved, (review_state = 'returned')::BIGINT AS returned, review_state,
  status, first_accepted_at, uploads, last_rejection
FROM comp_c
UNION ALL BY NAME
SELECT 'province' AS level, province_code, province_name, NULL AS district_code, NULL AS district_name, NULL AS commune_code, NULL AS commune_name,
  deadline, max(due_at) AS due_at, ` + counts + `
FROM comp_c GROUP BY province_code, province_name, deadline`
	if withDistricts {
		all += `
UNION ALL BY NAME
SELECT 'district' AS level, province_code, province_name, district_code, district_name, NULL AS commune_code, NULL AS commune_name,
  deadline, max(due_at) AS due_at, ` + counts + `
FROM comp_c GROUP BY province_code, province_name, district_code, district_name, deadline`
	}
	return s + completenessOutSQL("("+all+")", "out_completeness")
}

// completenessOutSQL selects the dictionary's columns from rows that have
// the counts; the rates are computed here, at every level, from counts.
func completenessOutSQL(from, into string) string {
	exprs := map[string]string{
		"report_year": "year_param.y", "units": "year_param.units", "build_id": "year_param.build_id", "built_at": "year_param.built_at",
		"ty_le_nop":      "CASE WHEN x.expected > 0 THEN x.submitted::DOUBLE / x.expected END",
		"ty_le_dung_han": "CASE WHEN x.expected > 0 THEN x.on_time::DOUBLE / x.expected END",
	}
	var sel []string
	for _, c := range Columns(Completeness) {
		e, ok := exprs[c.Name]
		if !ok {
			e = "x." + ident(c.Name)
		}
		sel = append(sel, fmt.Sprintf("CAST(%s AS %s) AS %s", e, c.Type, ident(c.Name)))
	}
	return fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT %s FROM %s x CROSS JOIN year_param;", into, strings.Join(sel, ", "), from)
}
