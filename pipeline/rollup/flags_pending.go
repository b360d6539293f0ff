package rollup

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/xhht/xhht/pipeline/quality"
	"github.com/xhht/xhht/pipeline/review"
)

// Flags of a waiting file (issue 15, review finding H1). An approved
// commune that uploads again keeps its approved data counted; the new
// upload waits for the province (approved.go). The province must see the
// flags of the file it is about to approve, so the roll-up also computes
// them, for every commune with a waiting file, on the data set that would
// count once the province approves: per form the latest accepted upload
// (review.Set's pick, exactly what an approval counts).
//
// A commune has a waiting file when its new upload waits behind approved
// data: review.Effective's shown state is "submitted" while what counts is
// not its latest upload of some form, and approved data exists (rev_cur:
// shown = submitted, override and approved; e.g. Approved A, latest != A).
// A returned commune that never had approved data counts its new upload
// live: nothing waits, and its flags are the counted ones, once (review
// finding H1, session 7: they were written twice, pending and not). Then:
//
//   - year-on-year rules compare it with the same last year as the
//     counted data (its Previous: the same values, hamlets, comparability);
//   - hamlet rules (outliers, recognised = total) look at the hamlet rows
//     of that data set;
//   - rate outliers score its rates against the province's distribution
//     with this commune's counted value replaced by the waiting one: the
//     other communes stay as counted, since what the province asks is "if
//     I approve this file, does this commune stand out?"; a waiting file
//     never changes another commune's flags (those describe counted data);
//   - the "unchanged" flag (a re-upload identical to the previous one) is
//     about the latest upload, which is then the waiting file: it moves to
//     the waiting file's flags.
//
// Every flag computed so carries pending = true and the submission_id of
// the commune's newest waiting upload (the one the province's page offers
// to approve), whatever form or hamlet it is about. The counted data's
// flags are computed exactly as before (pending = false); a commune with
// no waiting file gets exactly the flags it had. Approved-only builds
// (reports) count no waiting file and compute none; re-based builds
// ignore reviews and have none.

// pendingFlagsDoc is the waiting files' part of the flags table's
// description in docs/ROLLUP_COLUMNS.md.
const pendingFlagsDoc = "  A commune whose new upload waits for the province's approval (its approved data still counts) also\n" +
	"  has the flags of that waiting file, with `pending = true` and the waiting upload's `submission_id`: computed\n" +
	"  on the data the approval would count (per form, the latest accepted upload), against the same last year,\n" +
	"  and for `rate_outlier` against the province's other communes as counted. `WHERE NOT pending` gives the\n" +
	"  flags of the counted data (one row per `flag_id` and commune); approved-only snapshots have no pending row.\n"

// evaluateFlags applies the rules to the counted communes and to the
// waiting files of the provinces todo (communes are the counted ones,
// gathered by gatherFlags; their Unchanged moves to a waiting file's).
func (b *builder) evaluateFlags(ctx context.Context, c *sql.Conn, src *flagSource, todo []string, rules *quality.Rules,
	communes []quality.Commune, communeCols, hamletCols []string) ([]quality.Flag, error) {
	pend, err := b.gatherPending(ctx, c, src, todo, communes, communeCols, hamletCols)
	if err != nil {
		return nil, err
	}
	flags := quality.Evaluate(rules, b.o.Year, communes)
	if len(pend) == 0 {
		return flags, nil
	}
	flags = append(flags, evaluatePending(rules, b.o.Year, communes, pend)...)
	slices.SortStableFunc(flags, func(x, y quality.Flag) int {
		return cmp.Or(strings.Compare(x.ProvinceCode, y.ProvinceCode), strings.Compare(x.CommuneCode, y.CommuneCode), strings.Compare(x.FlagID, y.FlagID))
	})
	return flags, nil
}

// evaluatePending computes the waiting files' flags (see the top of the
// file): the rules on the commune alone, and rate outliers against its
// province as counted with this commune replaced.
func evaluatePending(rules *quality.Rules, year int, counted []quality.Commune, pend []quality.Commune) []quality.Flag {
	// Only the values matter to rate outliers: the other communes are
	// given without hamlets, last year or upload history, so nothing
	// else can come out of them.
	peers := map[string][]quality.Commune{}
	for _, o := range counted {
		peers[o.ProvinceCode] = append(peers[o.ProvinceCode], quality.Commune{ProvinceCode: o.ProvinceCode,
			CommuneCode: o.CommuneCode, CommuneName: o.CommuneName, SubmissionID: o.SubmissionID, Values: o.Values})
	}
	var out []quality.Flag
	for _, p := range pend {
		var fs []quality.Flag
		for _, f := range quality.Evaluate(rules, year, []quality.Commune{p}) {
			if f.Rule != quality.RuleRateOutlier { // a distribution of one commune
				fs = append(fs, f)
			}
		}
		dist := slices.DeleteFunc(slices.Clone(peers[p.ProvinceCode]), func(o quality.Commune) bool { return o.CommuneCode == p.CommuneCode })
		dist = append(dist, quality.Commune{ProvinceCode: p.ProvinceCode, CommuneCode: p.CommuneCode,
			CommuneName: p.CommuneName, SubmissionID: p.SubmissionID, Values: p.Values})
		for _, f := range quality.Evaluate(rules, year, dist) {
			if f.Rule == quality.RuleRateOutlier && f.CommuneCode == p.CommuneCode {
				fs = append(fs, f)
			}
		}
		for i := range fs {
			fs[i].Pending, fs[i].SubmissionID = true, p.SubmissionID
		}
		out = append(out, fs...)
	}
	return out
}

// gatherPending reads the waiting files' data sets (each as the commune
// would count once its waiting upload is approved) of the provinces todo,
// with their last year, and moves an "unchanged" re-upload from the
// counted commune to its waiting file.
func (b *builder) gatherPending(ctx context.Context, c *sql.Conn, src *flagSource, todo []string, counted []quality.Commune,
	communeCols, hamletCols []string) ([]quality.Commune, error) {
	if b.o.ApprovedOnly || b.units != b.ver || len(todo) == 0 {
		return nil, nil
	}
	// Per form, the latest accepted upload of each commune whose shown
	// state is submitted while it counts approved data; waiting: that
	// upload is not what counts.
	err := b.execOn(ctx, c, "flags waiting files", fmt.Sprintf(`
CREATE OR REPLACE TABLE pend_subs AS
WITH latest AS (
  SELECT commune_code, form, max({'t': received_at, 'k': source_key, 'v': source_version, 's': submission_id}) AS m
  FROM subs
  WHERE report_year = %[1]d%[2]s AND commune_code IN (SELECT commune_code FROM rev_cur WHERE override AND approved AND shown = %[3]s)
  GROUP BY commune_code, form)
SELECT l.commune_code, l.form, l.m.s AS submission_id, l.m AS upload_order, f.submission_id IS NULL AS waiting
FROM latest l LEFT JOIN revf_cur f ON f.commune_code = l.commune_code AND f.form = l.form AND f.submission_id = l.m.s;
DELETE FROM pend_subs WHERE commune_code NOT IN (SELECT commune_code FROM pend_subs WHERE waiting);
CREATE OR REPLACE TABLE win_pend AS SELECT commune_code, form, submission_id FROM pend_subs;
CREATE OR REPLACE VIEW r_pend AS
SELECT s.*, s.commune_code AS ucode FROM subs s SEMI JOIN win_pend w USING (commune_code, form, submission_id)
WHERE s.report_year = %[1]d;`, b.o.Year, b.provinceFilter("province_code", todo), quote(string(review.Submitted))))
	if err != nil {
		return nil, err
	}
	// Each waiting commune: its newest waiting upload, and all of them.
	rows, err := c.QueryContext(ctx, `SELECT commune_code, submission_id, upload_order = max(upload_order) OVER (PARTITION BY commune_code) AS newest
FROM pend_subs WHERE waiting ORDER BY commune_code, submission_id`)
	if err != nil {
		return nil, fmt.Errorf("rollup: flags waiting files: %w", err)
	}
	waiting := map[string]map[string]bool{}
	newest := map[string]string{}
	for rows.Next() {
		var code, sub string
		var isNewest bool
		if err := rows.Scan(&code, &sub, &isNewest); err != nil {
			rows.Close()
			return nil, fmt.Errorf("rollup: flags waiting files: %w", err)
		}
		if waiting[code] == nil {
			waiting[code] = map[string]bool{}
		}
		waiting[code][sub] = true
		if isNewest {
			newest[code] = sub
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rollup: flags waiting files: %w", err)
	}
	if len(waiting) == 0 {
		return nil, nil
	}
	// The same sums and hamlet rows as the counted data, over r_pend.
	if err := b.execOn(ctx, c, "flags waiting communes", communeSQL("pend")); err != nil {
		return nil, err
	}
	var rs []string
	for _, r := range rates {
		rs = append(rs, fmt.Sprintf("%s AS %s", rateExpr("c", r), ident(r.name)))
	}
	q := &flagQuery{b: b, c: c}
	byCode := map[string]*quality.Commune{}
	var order []string
	err = q.scan(ctx, fmt.Sprintf(`SELECT province_code, commune_code, commune_name, %s
FROM (SELECT c.*, %s FROM c_pend c WHERE so_xa_bieu01 + so_xa_bieu02 > 0 AND commune_code IN (SELECT commune_code FROM win_pend))
ORDER BY commune_code`, doubles("", communeCols), strings.Join(rs, ", ")), 3, communeCols,
		func(s []sql.NullString, v map[string]float64) {
			p := &quality.Commune{ProvinceCode: s[0].String, CommuneCode: s[1].String, CommuneName: s[2].String,
				SubmissionID: newest[s[1].String], Values: v}
			byCode[p.CommuneCode] = p
			order = append(order, p.CommuneCode)
		})
	if err != nil {
		return nil, err
	}
	err = q.hamlets(ctx, "("+hamletSelect("pend")+")", "pend", hamletCols, func(code string, hs []quality.Hamlet) {
		if p := byCode[code]; p != nil {
			for i := range hs {
				hs[i].SubmissionID = "" // the flags are the waiting file's
			}
			p.Hamlets = hs
		}
	})
	if err != nil {
		return nil, err
	}
	// Last year is the counted data's; a waiting commune that counts
	// nothing (its approved upload is not among the inputs) reads its own.
	countedOf := map[string]*quality.Commune{}
	for i := range counted {
		countedOf[counted[i].CommuneCode] = &counted[i]
	}
	alone := map[string]*quality.Commune{}
	provs := map[string]bool{}
	for _, code := range order {
		p := byCode[code]
		cc := countedOf[code]
		if cc == nil {
			alone[code] = p
			provs[p.ProvinceCode] = true
			continue
		}
		p.Prev = cc.Prev
		if u := cc.Unchanged; u != nil && waiting[code][u.Latest] {
			p.Unchanged, cc.Unchanged = u, nil
		}
	}
	if len(alone) > 0 {
		ps := make([]string, 0, len(provs))
		for p := range provs {
			ps = append(ps, p)
		}
		slices.Sort(ps)
		if err := b.flagPrevious(ctx, q, src, ps, alone, communeCols, hamletCols); err != nil {
			return nil, err
		}
	}
	out := make([]quality.Commune, 0, len(order))
	for _, code := range order {
		out = append(out, *byCode[code])
	}
	return out, nil
}
