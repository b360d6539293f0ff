package rollup

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/xhht/xhht/pipeline/review"
)

// Province review (issue 15) in the roll-up.
//
// Which submission of a commune counts is review.Effective's answer, the
// rule the board, the portal and the reminders use too, given the
// commune's latest accepted submission and its review status
// (reviews/year=Y/province=P/commune=C.json):
//
//   - live mode (every committed build, and reports unless the province
//     chose otherwise): today's latest accepted upload, except that
//     approved data is not replaced by a newer upload until the province
//     approves that one, and a returned file never counts;
//   - approved-only mode (Options.ApprovedOnly, snapshots only): only
//     approved data counts; a commune without it counts as not reported.
//
// A commune's data is per form (a Biểu 01 and a Biểu 02 may come in
// different files); a review is about one upload, the latest when the
// province acted. So "submission X counts" means: the commune's data as it
// stood when X was its latest upload, i.e. per form the latest accepted
// submission ordered at or before X (received_at, source key, version, as
// everywhere). With no review status and in live mode this is the latest
// per form, exactly what the roll-up counted before reviews existed. A
// counted submission received after a report's cut-off is not in the
// report's inputs, so the commune counts nothing there.
//
// Reviews are read as they are at build time, also by a report made after
// its cut-off: an approved-only final report changes as the province
// approves communes (that is its purpose); a live report changes only
// when a returned or approved state changes what counts.
//
// Last year's figures (the change columns) are counted in live mode even
// in an approved-only build: years before reviews existed have no approved
// data, and a comparison with nothing would hide every change.
//
// Re-based builds (a pre-2025 year on 2025 units) ignore reviews: review
// states exist from 2026 on, keyed by the year's own communes.
//
// Completeness gains, per commune, review_state (review.Effective's shown
// state: submitted, approved, returned; null when nothing was accepted)
// and, at every level but the nation, approved (communes whose approved
// data exists, i.e. would count in an approved-only report) and returned
// (communes whose latest upload was returned).

// errApprovedOnlyCommit: an approved-only build must not replace the live
// roll-up that the board and the query views read.
var errApprovedOnlyCommit = errors.New("rollup: an approved-only build is a snapshot (set OutDir): it must not replace the live roll-up")

// reviewRow is one commune's row of the rev_<tag> table.
type reviewRow struct {
	commune  string
	shown    review.State
	counted  string
	override bool // counted is not the latest: the pick must change
	approved bool // approved data exists (counts in approved-only mode)
}

// loadReviews creates rev_cur (and rev_prev with last year) from the
// review states and the latest accepted submission of each commune in
// subs. It runs after load and before compute: the pick and the
// completeness read it.
func (b *builder) loadReviews(ctx context.Context, provs []string, withPrev bool) error {
	if b.o.ApprovedOnly && b.o.OutDir == "" {
		return errApprovedOnlyCommit
	}
	tags := map[string]int{"cur": b.o.Year}
	if withPrev {
		tags["prev"] = b.prevYear
	}
	for tag, year := range tags {
		var rows []reviewRow
		if b.units == b.ver { // not a re-based build
			var err error
			if rows, err = b.reviewRows(ctx, provs, year, b.o.ApprovedOnly && tag == "cur"); err != nil {
				return err
			}
		}
		for _, r := range rows {
			if r.override {
				if b.overrides == nil {
					b.overrides = map[string]bool{}
				}
				b.overrides[tag] = true
			}
		}
		csvRows := [][]string{{"commune_code", "shown", "counted", "override", "approved"}}
		for _, r := range rows {
			csvRows = append(csvRows, []string{r.commune, string(r.shown), r.counted, strconv.FormatBool(r.override), strconv.FormatBool(r.approved)})
		}
		if err := b.loadCSV(ctx, "reviews "+tag, "rev_"+tag, "*", csvRows,
			map[string]string{"override": "BOOLEAN", "approved": "BOOLEAN"}); err != nil {
			return err
		}
	}
	return nil
}

// reviewRows applies review.Effective to every commune of the year that
// has an accepted submission or a review status.
func (b *builder) reviewRows(ctx context.Context, provs []string, year int, approvedOnly bool) ([]reviewRow, error) {
	latest := map[string]string{}
	q := fmt.Sprintf(`SELECT commune_code, max({'t': received_at, 'k': source_key, 'v': source_version, 's': submission_id}).s
FROM subs WHERE report_year = %d GROUP BY commune_code`, year)
	rs, err := b.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("rollup: latest submissions %d: %w", year, err)
	}
	for rs.Next() {
		var c, s string
		if err := rs.Scan(&c, &s); err != nil {
			rs.Close()
			return nil, fmt.Errorf("rollup: latest submissions %d: %w", year, err)
		}
		latest[c] = s
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("rollup: latest submissions %d: %w", year, err)
	}
	statuses := map[string]review.Status{}
	for _, p := range provs {
		st, err := review.ForProvince(ctx, b.o.Lake, year, p)
		if err != nil {
			return nil, fmt.Errorf("rollup: review states of %d, province %s: %w", year, p, err)
		}
		for c, s := range st {
			statuses[c] = s
		}
	}
	codes := map[string]bool{}
	for c := range latest {
		codes[c] = true
	}
	for c := range statuses {
		codes[c] = true
	}
	var out []reviewRow
	for c := range codes {
		s, l := statuses[c], latest[c]
		shown, counted := review.Effective(s, l, approvedOnly)
		_, approved := review.Effective(s, l, true)
		out = append(out, reviewRow{commune: c, shown: shown, counted: counted, override: counted != l, approved: approved != ""})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].commune < out[j].commune })
	return out, nil
}

// reviewPickSQL replaces, for the communes whose counted submission is not
// their latest, the pick of pickSQL by their data as of the counted
// submission (nothing when it is "" or not among the inputs), then
// recomputes cnt_<tag>.
func reviewPickSQL(tag string, year int) string {
	return fmt.Sprintf(`
CREATE OR REPLACE TABLE lim_%[1]s AS
SELECT r.commune_code,
  -- a struct of nulls is not null: no counted row must give a null limit
  max(CASE WHEN s.submission_id IS NOT NULL THEN {'t': s.received_at, 'k': s.source_key, 'v': coalesce(s.source_version, '')} END) AS o
FROM rev_%[1]s r LEFT JOIN subs s ON s.submission_id = r.counted AND s.commune_code = r.commune_code AND s.report_year = %[2]d
WHERE r.override GROUP BY r.commune_code;
DELETE FROM win_%[1]s WHERE commune_code IN (SELECT commune_code FROM lim_%[1]s);
INSERT INTO win_%[1]s
SELECT s.commune_code, s.form, max({'t': s.received_at, 'k': s.source_key, 'v': s.source_version, 's': s.submission_id}).s
FROM subs s JOIN lim_%[1]s l ON l.commune_code = s.commune_code
WHERE s.report_year = %[2]d AND {'t': s.received_at, 'k': s.source_key, 'v': coalesce(s.source_version, '')} <= l.o
GROUP BY s.commune_code, s.form;
CREATE OR REPLACE TABLE cnt_%[1]s AS
SELECT submission_id, ucode, max(received_at) AS received_at FROM r_%[1]s GROUP BY ALL;`, tag, year)
}
