package rollup

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"time"

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
// different files, e.g. two CSVs). A review is about the commune's data set
// when the province acted: per form, the latest accepted submission
// (review.Set; the same pick as pickSQL). review.Effective is given the
// commune's current set and answers per form which submission counts; the
// roll-up counts exactly those (commune, form, submission) rows. With no
// review status and in live mode this is the latest per form, exactly what
// the roll-up counted before reviews existed.
//
// A file the province returned never counts, in any build: live, at a
// report's cut-off, approved-only. The status keeps every submission whose
// return stands (review.Status.ReturnedSubmissions, kept across later
// approvals, reopens and returns; for a status written before it, derived
// from the audit records at a cut-off: review.AtCutoff), and
// review.Effective never counts one of them.
//
// An accepted upload whose data equals (receipt data_sha256) that of the
// submission the province last approved or returned for the form is that
// submission (review.EffectiveData): an approved commune re-sending the
// same data stays approved, a returned one stays returned and the data
// does not count again. The digests are read from the commune's receipts
// only when its status was about another submission than its latest.
//
// A commune whose review status cannot be read (damaged: review.ErrUnreadable)
// does not stop the build: it is logged and the commune counts nothing in
// either mode (what it would count depends on the unreadable state, and a
// returned file must never count), until the status is repaired.
//
// Reviews are read as they are at build time, also by a report made after
// its cut-off, and applied to the data set at the cut-off (finding H-A and
// re-check findings N-1, N-2, session 8): review.AtCutoff gives the review
// state of that data set, what the province decided about THAT data, so
// the state shown, what counts and the timeliness are about the files the
// report counts, and the report never speaks of a later file. A status
// whose actions were all about files before the cut-off is that state
// (review.Status.AsOf only drops the later submissions); one the province
// changed by acting on a file received after the cut-off is replayed from
// the commune's audit records, keeping only the decisions about the
// earlier data. So a file before the cut-off that the province returned,
// even later, does not count and its commune is shown returned
// (rejected_only when that was its only data), unless that return was
// reopened; one it approved stays approved (and counts in an approved-only
// report at that cut-off) whatever it decided after about a later file,
// unless that approval was reopened or the data returned; a decision only
// about a later file says nothing about the earlier files (they count,
// awaiting review). Timeliness reads only the receipts before the cut-off,
// so no time after it appears. An approved-only final report changes as
// the province approves communes (that is its purpose); a live report
// changes only when a decision about a file before its cut-off changes
// what counts.
//
// Last year's figures (the change columns) are counted in live mode even
// in an approved-only build: years before reviews existed have no approved
// data, and a comparison with nothing would hide every change. At province
// and district level they are summed over the communes the build counts
// this year (compute, build.go): like with like, not part of the province
// against the whole of it.
//
// Re-based builds (a pre-2025 year on 2025 units) ignore reviews: review
// states exist from 2026 on, keyed by the year's own communes.
//
// Completeness gains, per commune, review_state (review.Effective's shown
// state: submitted, approved, returned; null when nothing was accepted)
// and, at every level but the nation, approved (communes whose approved
// data exists, i.e. would count in an approved-only report; at a cut-off,
// approved data received before it) and returned (communes shown returned:
// their data set is data the province returned).

// errApprovedOnlyCommit: an approved-only build must not replace the live
// roll-up that the board and the query views read.
var errApprovedOnlyCommit = errors.New("rollup: an approved-only build is a snapshot (set OutDir): it must not replace the live roll-up")

// reviewRow is one commune's row of the rev_<tag> table.
type reviewRow struct {
	commune  string
	shown    review.State
	counted  review.Set
	override bool // counted is not the latest: the pick must change
	approved bool // approved data exists (counts in approved-only mode)
	// timely: a return stands (review.Status.ReturnedSet), so the
	// commune's timeliness counts from timelyFrom (review.TimelyFrom;
	// zero: no valid file), not from its first accepted upload.
	timely     bool
	timelyFrom time.Time
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
	if b.units == b.ver {
		// The earlier years the flags may compare a commune with (flags.go).
		for _, y := range b.lookbackYears() {
			tags[fmt.Sprintf("f%d", y)] = y
		}
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
		csvRows := [][]string{{"commune_code", "shown", "override", "approved", "timely", "timely_from"}}
		formRows := [][]string{{"commune_code", "form", "submission_id"}}
		for _, r := range rows {
			from := ""
			if !r.timelyFrom.IsZero() {
				from = r.timelyFrom.UTC().Format(time.RFC3339Nano)
			}
			csvRows = append(csvRows, []string{r.commune, string(r.shown), strconv.FormatBool(r.override), strconv.FormatBool(r.approved),
				strconv.FormatBool(r.timely), from})
			for _, f := range slices.Sorted(maps.Keys(r.counted)) {
				formRows = append(formRows, []string{r.commune, f, r.counted[f]})
			}
		}
		if err := b.loadCSV(ctx, "reviews "+tag, "rev_"+tag, "* REPLACE (nullif(timely_from, '')::TIMESTAMPTZ AS timely_from)", csvRows,
			map[string]string{"override": "BOOLEAN", "approved": "BOOLEAN", "timely": "BOOLEAN"}); err != nil {
			return err
		}
		if err := b.loadCSV(ctx, "reviewed forms "+tag, "revf_"+tag, "*", formRows, nil); err != nil {
			return err
		}
	}
	return nil
}

// reviewRows applies review.Effective to every commune of the year that
// has an accepted submission or a review status.
func (b *builder) reviewRows(ctx context.Context, provs []string, year int, approvedOnly bool) ([]reviewRow, error) {
	latest := map[string]review.Set{}
	q := fmt.Sprintf(`SELECT commune_code, form, max({'t': received_at, 'k': source_key, 'v': source_version, 's': submission_id}).s
FROM subs WHERE report_year = %d GROUP BY commune_code, form`, year)
	rs, err := b.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("rollup: latest submissions %d: %w", year, err)
	}
	for rs.Next() {
		var c, f, s string
		if err := rs.Scan(&c, &f, &s); err != nil {
			rs.Close()
			return nil, fmt.Errorf("rollup: latest submissions %d: %w", year, err)
		}
		if latest[c] == nil {
			latest[c] = review.Set{}
		}
		latest[c][f] = s
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("rollup: latest submissions %d: %w", year, err)
	}
	statuses := map[string]review.Status{}
	provOf := map[string]string{} // commune → province, of the communes with a status
	unreadable := map[string]bool{}
	for _, p := range provs {
		st, err := b.reviewStatesOf(ctx, year, p) // outputs.go
		if err != nil && !errors.Is(err, review.ErrUnreadable) {
			return nil, fmt.Errorf("rollup: review states of %d, province %s: %w", year, p, err)
		}
		if err != nil {
			// Which communes: those with data whose status is not among
			// the readable ones and does not read alone either.
			for c := range latest {
				if _, ok := st[c]; ok || len(c) != 5 {
					continue
				}
				if _, _, gerr := review.Get(ctx, b.o.Lake, year, p, c); errors.Is(gerr, review.ErrUnreadable) {
					unreadable[c] = true
				}
			}
			b.log.Warn("rollup: unreadable review states: those communes count nothing until repaired",
				"year", year, "province", p, "err", err)
		}
		for c, s := range st {
			statuses[c] = s
			provOf[c] = p
		}
	}
	// A report's cut-off: the statuses (today's decisions) apply to the
	// data set at the cut-off as what the province decided about that data
	// (review.AtCutoff: the audit records are read only for a version 1
	// status, or one changed by an action about a later file; findings H-A,
	// N-1, N-2).
	var inInputs map[string]map[string]bool // commune → submission_id → in the inputs
	cut := b.cutoffOf(year)
	if !cut.IsZero() {
		if inInputs, err = b.inputSubmissions(ctx, year); err != nil {
			return nil, err
		}
		for c, s := range statuses {
			has := func(id string) bool { return inInputs[c][id] }
			asOf, err := review.AtCutoff(ctx, b.o.Lake, s, has)
			if err != nil {
				// An unreadable audit record must not stop a report: the
				// status's own data is still applied (it misses a return
				// followed by another one, and an approval of the cut-off
				// data followed by a decision about a later file).
				b.log.Warn("rollup: review history unreadable; using the status as it is", "year", year, "province", provOf[c], "commune", c, "err", err)
				asOf = s.AsOf(has)
			}
			statuses[c] = asOf
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
		if unreadable[c] {
			out = append(out, reviewRow{commune: c, counted: review.Set{}, override: true})
			continue
		}
		s, l := statuses[c], latest[c]
		d, err := b.dataDigests(ctx, year, provOf[c], c, s, l)
		if err != nil {
			return nil, err
		}
		shown, counted := review.EffectiveData(s, l, d, approvedOnly)
		_, approved := review.EffectiveData(s, l, d, true)
		r := reviewRow{commune: c, shown: shown, counted: counted, override: !counted.Equal(l), approved: len(approved) > 0}
		if len(s.ReturnedIDs(l)) > 0 && provOf[c] != "" {
			// A return stands: timeliness counts from after it (few
			// communes: their receipts are read for it). At a cut-off,
			// only the uploads received before it, as the inputs.
			ups, err := review.Uploads(ctx, b.o.Lake, year, provOf[c], c)
			if err != nil {
				return nil, fmt.Errorf("rollup: receipts of %d/%s/%s for timeliness after a return: %w", year, provOf[c], c, err)
			}
			if !cut.IsZero() {
				ups = slices.DeleteFunc(ups, func(u review.Upload) bool { return !u.ReceivedAt.IsZero() && !u.ReceivedAt.Before(cut) })
			}
			r.timely = true
			r.timelyFrom, _ = review.TimelyFrom(s, ups)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].commune < out[j].commune })
	return out, nil
}

// cutoffOf is the cut-off of year's inputs in this build (zero: none):
// Options.Cutoff for the build's year, the same day a year earlier for
// the years before it (the subs view, build.go).
func (b *builder) cutoffOf(year int) time.Time {
	switch {
	case b.o.Cutoff.IsZero():
		return time.Time{}
	case year == b.o.Year:
		return b.o.Cutoff
	}
	return b.o.Cutoff.AddDate(-1, 0, 0)
}

// inputSubmissions are the submissions of year among the build's inputs
// (the subs view: at a cut-off, those received before it), per commune.
func (b *builder) inputSubmissions(ctx context.Context, year int) (map[string]map[string]bool, error) {
	rs, err := b.db.QueryContext(ctx, fmt.Sprintf("SELECT DISTINCT commune_code, submission_id FROM subs WHERE report_year = %d", year))
	if err != nil {
		return nil, fmt.Errorf("rollup: submissions of %d: %w", year, err)
	}
	defer rs.Close()
	out := map[string]map[string]bool{}
	for rs.Next() {
		var c, id string
		if err := rs.Scan(&c, &id); err != nil {
			return nil, fmt.Errorf("rollup: submissions of %d: %w", year, err)
		}
		if out[c] == nil {
			out[c] = map[string]bool{}
		}
		out[c][id] = true
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("rollup: submissions of %d: %w", year, err)
	}
	return out, nil
}

// dataDigests are the data digests review.EffectiveData needs for a
// commune: read from its receipts (data_sha256) only when the status was
// about another submission than the latest for some form, i.e. when a
// re-upload of the approved or returned data is possible (few communes;
// the input cache holds no digests). nil: nothing to compare.
func (b *builder) dataDigests(ctx context.Context, year int, province, commune string, s review.Status, latest review.Set) (review.Digests, error) {
	if s.State == "" || province == "" {
		return nil, nil
	}
	if !s.NeedsDigests(latest) {
		return nil, nil
	}
	ups, err := review.Uploads(ctx, b.o.Lake, year, province, commune)
	if err != nil {
		return nil, fmt.Errorf("rollup: receipts of %d/%s/%s for their data digests: %w", year, province, commune, err)
	}
	return review.DigestsOf(ups), nil
}

// reviewPickSQL replaces, for the communes whose counted data is not their
// latest per form, the pick of pickSQL by the (form, submission) pairs
// review.Effective counts (revf_<tag>; a pair not among the inputs counts
// nothing), then recomputes cnt_<tag>.
func reviewPickSQL(tag string, year int) string {
	return fmt.Sprintf(`
DELETE FROM win_%[1]s WHERE commune_code IN (SELECT commune_code FROM rev_%[1]s WHERE override);
INSERT INTO win_%[1]s
SELECT DISTINCT s.commune_code, s.form, s.submission_id
FROM subs s
JOIN revf_%[1]s f ON f.commune_code = s.commune_code AND f.form = s.form AND f.submission_id = s.submission_id
JOIN rev_%[1]s r ON r.commune_code = f.commune_code AND r.override
WHERE s.report_year = %[2]d;
CREATE OR REPLACE TABLE cnt_%[1]s AS
SELECT submission_id, ucode, max(received_at) AS received_at FROM r_%[1]s GROUP BY ALL;`, tag, year)
}
