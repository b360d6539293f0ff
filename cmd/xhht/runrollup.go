package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// quietLog keeps the library's JSON-ready logs out of the terminal: the
// commands print their own summary.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// rollupAndPrint rebuilds the province's roll-up after the demo's ingest
// and prints, per commune and for the province, the counts, the rates
// against their targets and the reporting status at the 15 December
// deadline.
func rollupAndPrint(ctx context.Context, w io.Writer, lakeDir, province string, year int) error {
	res, _, err := rollup.BuildKeepingNextYear(ctx, rollup.Options{Lake: local.New(lakeDir), Year: year, Province: province, Log: quietLog})
	if err != nil {
		return err
	}
	db, err := rollup.OpenViews(ctx, lakeDir)
	if err != nil {
		return err
	}
	defer db.Close()
	if r := res.RebasedLastYear; r != nil {
		// Built first because it was missing: the year-on-year flags
		// across the 2025 reform compare with it (finding L-L).
		fmt.Fprintf(w, "\nTổng hợp năm %d quy đổi sang đơn vị hành chính mới để so sánh (%d bản nộp, %d ms)\n", year-1, r.Inputs, r.Elapsed.Milliseconds())
	}
	fmt.Fprintf(w, "\nTổng hợp năm %d (DuckDB, %d ms): tỷ lệ so với chỉ tiêu, tình trạng nộp theo hạn của xã cho báo cáo 1/12 và 15/12\n", year, res.Elapsed.Milliseconds())
	runTable.header(w)
	rows, err := db.QueryContext(ctx, `
SELECT c.commune_code, c.commune_name, c.thon_tong, c.ty_le_ho_dat_tu_so, c.ty_le_ho_dat_mau_so, c.ty_le_ho_dat, c.chi_tieu_ho_dat, c.dat_chi_tieu_ho_dat,
  c.ty_le_thon_dat, c.chi_tieu_thon_dat, c.dat_chi_tieu_thon_dat, k1.status, k2.status
FROM communes c
LEFT JOIN completeness k1 ON k1.level = 'commune' AND k1.deadline = '12-01' AND k1.commune_code = c.commune_code AND k1.year = c.year
LEFT JOIN completeness k2 ON k2.level = 'commune' AND k2.deadline = '12-15' AND k2.commune_code = c.commune_code AND k2.year = c.year
WHERE c.year = ? AND c.province_code = ? ORDER BY c.commune_code`, year, province)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var code, name string
		var thon, dat, tong sql.NullInt64
		var rate, target, rateThon, targetThon sql.NullFloat64
		var met, metThon sql.NullBool
		var st1, st2 sql.NullString
		if err := rows.Scan(&code, &name, &thon, &dat, &tong, &rate, &target, &met, &rateThon, &targetThon, &metThon, &st1, &st2); err != nil {
			return err
		}
		runTable.row(w, code, name, num(thon), num(dat)+"/"+num(tong),
			pct(rate), pct(target), verdict(met), pct(rateThon), pct(targetThon), verdict(metThon), statusVI(st1.String), statusVI(st2.String))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var p struct {
		name                          string
		xa, thon, dat, tong           sql.NullInt64
		rate, target                  sql.NullFloat64
		rateThon, targetThon          sql.NullFloat64
		met, metThon                  sql.NullBool
		src                           sql.NullString
		submitted, onTime, late, miss sql.NullInt64
		rejOnly                       sql.NullInt64
	}
	err = db.QueryRowContext(ctx, `
SELECT p.province_name, p.so_xa, p.thon_tong, p.ty_le_ho_dat_tu_so, p.ty_le_ho_dat_mau_so, p.ty_le_ho_dat, p.chi_tieu_ho_dat, p.dat_chi_tieu_ho_dat,
  p.ty_le_thon_dat, p.chi_tieu_thon_dat, p.dat_chi_tieu_thon_dat, p.nguon_chi_tieu_ho_dat, k.submitted, k.on_time, k.late, k.missing, k.rejected_only
FROM provinces p JOIN completeness k ON k.level = 'province' AND k.deadline = '12-15' AND k.province_code = p.province_code AND k.year = p.year
WHERE p.year = ? AND p.province_code = ?`, year, province).Scan(&p.name, &p.xa, &p.thon, &p.dat, &p.tong, &p.rate, &p.target, &p.met,
		&p.rateThon, &p.targetThon, &p.metThon, &p.src, &p.submitted, &p.onTime, &p.late, &p.miss, &p.rejOnly)
	if err != nil {
		return fmt.Errorf("province total: %w", err)
	}
	runTable.row(w, "TỈNH", p.name, num(p.thon), num(p.dat)+"/"+num(p.tong),
		pct(p.rate), pct(p.target), verdict(p.met), pct(p.rateThon), pct(p.targetThon), verdict(p.metThon), "", "")
	fmt.Fprintln(w, runLegend)
	fmt.Fprintf(w, "Chỉ tiêu GĐHT: %s. Nộp trước hạn 15/12: %d/%d xã đã nộp (%d đúng hạn, %d muộn), %d chưa nộp, %d chỉ có tệp bị từ chối.\n",
		p.src.String, p.submitted.Int64, p.xa.Int64, p.onTime.Int64, p.late.Int64, p.miss.Int64, p.rejOnly.Int64)
	fmt.Fprintf(w, "Bảng tổng hợp (Parquet):  %s\n", abs(lakeDir+"/rollups"))
	fmt.Fprintf(w, "Truy vấn:                 build/xhht query --lake %s \"SELECT * FROM communes\"   (make build)\n", lakeDir)
	return nil
}

func num(v sql.NullInt64) string {
	if !v.Valid {
		return "–"
	}
	return groupThousands(v.Int64)
}

// groupThousands writes 245310 as 245.310 (Vietnamese grouping).
func groupThousands(n int64) string {
	s := fmt.Sprint(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// pct writes a fraction as a Vietnamese percentage: 0.786 → 78,6.
func pct(v sql.NullFloat64) string {
	if !v.Valid {
		return "–"
	}
	s := fmt.Sprintf("%.1f", v.Float64*100)
	for i := range len(s) {
		if s[i] == '.' {
			return s[:i] + "," + s[i+1:]
		}
	}
	return s
}

// verdict is a rate against its target, in words: never a bare "chưa"
// that would read on into the next column.
func verdict(v sql.NullBool) string {
	switch {
	case !v.Valid:
		return "–"
	case v.Bool:
		return "đạt"
	}
	return "chưa đạt"
}

func statusVI(s string) string {
	switch s {
	case "on_time":
		return "đúng hạn"
	case "late":
		return "muộn"
	case "missing":
		return "CHƯA NỘP"
	case "rejected_only":
		return "BỊ TỪ CHỐI"
	}
	return s
}

// runTable is the roll-up table of `make run`: every column has a header,
// and the groups (households, hamlets, submission) are set apart by "│" under
// a group title, so that a verdict and a submission status never run
// together ("chưa đạt │ muộn", not "chưa muộn").
var runTable = textTable{cols: []textCol{
	{title: "Mã xã", width: 5},
	{title: "Tên xã", width: 22},
	{title: "Thôn", width: 5, right: true},
	{title: "Hộ đạt/Tổng hộ", width: 15, right: true, group: "Gia đình học tập (GĐHT)"},
	{title: "Tỷ lệ %", width: 7, right: true},
	{title: "Chỉ tiêu %", width: 10, right: true},
	{title: "Kết quả", width: 8},
	{title: "Tỷ lệ %", width: 7, right: true, group: "Cộng đồng học tập (CĐHT)"},
	{title: "Chỉ tiêu %", width: 10, right: true},
	{title: "Kết quả", width: 8},
	{title: "Hạn 1/12", width: 11, group: "Nộp báo cáo"},
	{title: "Hạn 15/12", width: 10},
}}

const runLegend = `GĐHT: tỷ lệ hộ được công nhận gia đình học tập (hộ đạt/tổng hộ của các thôn ghi đủ cả hai số); CĐHT: tỷ lệ thôn,
tổ dân phố được công nhận cộng đồng học tập.
Kết quả: tỷ lệ so với chỉ tiêu (đạt / chưa đạt). Nộp báo cáo: tệp được chấp nhận trước hạn của báo cáo 1/12 và 15/12
(đúng hạn / muộn so với hạn của xã), CHƯA NỘP, hoặc BỊ TỪ CHỐI (chỉ có tệp bị từ chối). "–": không có số liệu.`

// textTable prints fixed-width columns (widths in runes) in groups.
type textTable struct{ cols []textCol }

type textCol struct {
	title string
	width int
	right bool
	group string // a group's title, on its first column; the group runs to the next one
}

// header prints the group titles over their columns, then the column titles.
func (t textTable) header(w io.Writer) {
	var top []string
	for i, c := range t.cols {
		if c.group == "" {
			if i == 0 || !t.grouped(i) {
				top = append(top, strings.Repeat(" ", c.width))
			}
			continue
		}
		span := c.width
		for j := i + 1; j < len(t.cols) && t.cols[j].group == ""; j++ {
			span += 1 + t.cols[j].width
		}
		top = append(top, fit(c.group, span, false))
	}
	fmt.Fprintln(w, strings.TrimRight(t.join(top, true), " "))
	titles := make([]string, len(t.cols))
	for i, c := range t.cols {
		titles[i] = c.title
	}
	t.row(w, titles...)
}

// grouped reports whether column i is inside a group (at or after a
// column with a group title).
func (t textTable) grouped(i int) bool {
	for j := i; j >= 0; j-- {
		if t.cols[j].group != "" {
			return true
		}
	}
	return false
}

// row prints one line; cells longer than their column are cut with "…".
func (t textTable) row(w io.Writer, cells ...string) {
	out := make([]string, len(t.cols))
	for i, c := range t.cols {
		v := ""
		if i < len(cells) {
			v = cells[i]
		}
		out[i] = fit(v, c.width, c.right)
	}
	fmt.Fprintln(w, strings.TrimRight(t.join(out, false), " "))
}

// join puts one space between columns and " │ " before a group; top is
// the group-title line, one part per ungrouped column or group.
func (t textTable) join(parts []string, top bool) string {
	var b strings.Builder
	k := 0
	for i, c := range t.cols {
		if top && c.group == "" && t.grouped(i) {
			continue // inside a group title's span
		}
		switch {
		case k == 0:
		case c.group != "":
			b.WriteString(" │ ")
		default:
			b.WriteString(" ")
		}
		b.WriteString(parts[k])
		k++
	}
	return b.String()
}

// fit pads or cuts s to n runes.
func fit(s string, n int, right bool) string {
	if utf8.RuneCountInString(s) > n {
		s = truncate(s, n)
	}
	pad := strings.Repeat(" ", n-utf8.RuneCountInString(s))
	if right {
		return pad + s
	}
	return s + pad
}
