package rollup

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/xhht/xhht/pipeline/lake"
)

// Query views of the province review (issue 15), over the JSON objects
// pipeline/review writes: reviews/ (one current status per commune and
// year) and audit/ (one immutable record per change). Columns in
// docs/COLUMNS.md.
//
// # reviews: review.Effective in SQL, per form
//
// A review is of the commune's data set: per form (bieu01, bieu02) the
// latest accepted upload carrying it (review.Set, review.Current), so a
// commune's data may be two uploads (two CSVs). The view has one row per
// (year, commune, form) of a reviewed commune and gives, on each, what
// review.Effective answers: the commune's shown state (the same on every
// form row of the commune: review is of the whole set) and, for the form,
// the submission that counts in live and in approved-only mode.
//
// The rule is written twice, in Go (review.Effective) and here; a test
// (reviewviews_test.go) checks the view against review.Effective row by
// row on hand-made and on random histories. The SQL is in two parts:
//   - inputs, per engine (DuckDB here, Athena in AthenaReviewViews): the
//     CTEs rv_status (one row per status), rv_forms (its forms and
//     approved_forms maps, one row per entry, kind 'f' or 'a') and
//     rv_latest (per commune and form the latest accepted submission,
//     ordered by received_at, source key, version as review.Newer);
//   - rv_digests, every accepted upload's data_sha256 per form (one
//     row per entry), so that a re-upload of the data the status's last
//     action was about is that submission (review.Digests.Same);
//   - reviewsCore, the same text for both engines (plain joins, CASE,
//     bool_and, VALUES): review.Effective's spread of the form "" (receipts
//     that name no form), a status written before the per-form fix (no
//     forms: submission and approved_submission stand for every form),
//     the shown state and what counts.

// ReviewsViewColumns and AuditViewColumns are the views' columns, in order
// (the doc test compares them with docs/COLUMNS.md and with both engines).
var (
	ReviewsViewColumns = []string{"year", "province_code", "commune_code", "form", "stored_state", "shown_state",
		"submission", "approved_submission", "latest_accepted", "counted_live",
		"comment", "by_role", "by_province", "by_code_id", "by_reviewer", "at", "checked_flags"}
	AuditViewColumns = []string{"year", "province_code", "commune_code", "action", "from_state", "to_state", "submission",
		"flag_id", "comment", "by_role", "by_province", "by_code_id", "by_reviewer", "at", "key", "recorded"}
)

// same is the join condition of two CTEs on (year, province, commune).
func same(a, b string) string {
	return fmt.Sprintf("%[1]s.year = %[2]s.year AND %[1]s.province = %[2]s.province AND %[1]s.commune = %[2]s.commune", a, b)
}

// reviewsCore follows the inputs rv_status, rv_forms, rv_latest (", ..."
// continues their WITH) and selects the reviews view. Each CTE is one step
// of review.Effective (pipeline/review/review.go), named after it.
func reviewsCore() string {
	return strings.NewReplacer(
		"{l.s}", same("l", "s"), "{a.s}", same("a", "s"), "{n.l}", same("n", "l"), "{b.n}", same("b", "n"), "{x.n}", same("x", "n"),
		"{m.f}", same("m", "f"), "{f.s}", same("f", "s"), "{l.f}", same("l", "f"), "{x.f}", same("x", "f"),
		"{m.s}", same("m", "s"), "{p.s}", same("p", "s"), "{f1.a}", same("f1", "a"), "{f0.a}", same("f0", "a"),
		"{x.y}", same("x", "y"), "{x.a}", same("x", "a"), "{b.a}", same("b", "a"),
	).Replace(`,
-- latest: the commune's current data set (reviewed communes only), with the
-- submission the status's last action was about for each form (Status.actedOn)
rv_acted AS (
  SELECT a.year, a.province, a.commune, a.form, a.id,
    CASE WHEN s.per_form THEN coalesce(f1.id, f0.id) ELSE s.submission END AS t
  FROM rv_latest a JOIN rv_status s ON {a.s}
  LEFT JOIN rv_forms f1 ON {f1.a} AND f1.kind = 'f' AND f1.form = a.form
  LEFT JOIN rv_forms f0 ON {f0.a} AND f0.kind = 'f' AND f0.form = ''
  WHERE a.id <> ''
),
-- Digests.Same: a form's latest upload whose data (data_sha256) equals that
-- of the submission acted on is that submission ("không thay đổi"), when the
-- upload repeats as a whole: every form it is current for repeats
rv_rep AS (
  SELECT a.year, a.province, a.commune, a.form, a.id, a.t,
    (a.form <> '' AND a.t IS NOT NULL AND a.t <> a.id AND EXISTS (
      SELECT 1 FROM rv_digests x JOIN rv_digests y ON {x.y} AND x.form = y.form AND x.digest = y.digest
      WHERE {x.a} AND x.form = a.form AND x.id = a.id AND y.id = a.t)) AS rep
  FROM rv_acted a
),
rv_l0 AS (
  SELECT a.year, a.province, a.commune, a.form,
    CASE WHEN NOT EXISTS (SELECT 1 FROM rv_rep b WHERE {b.a} AND b.id = a.id AND NOT b.rep) THEN a.t ELSE a.id END AS id
  FROM rv_rep a
),
-- named: the forms the status names (forms, approved_forms)
rv_named AS (SELECT DISTINCT year, province, commune, form FROM rv_forms WHERE form <> ''),
-- latest.spread(named): an upload naming no form (form '') stands for each named form it lacks
rv_l2 AS (
  SELECT l.year, l.province, l.commune, l.form, l.id FROM rv_l0 l
  WHERE l.form <> '' OR NOT EXISTS (SELECT 1 FROM rv_named n WHERE {n.l})
  UNION ALL
  SELECT n.year, n.province, n.commune, n.form, b.id FROM rv_named n JOIN rv_l0 b ON {b.n} AND b.form = ''
  WHERE NOT EXISTS (SELECT 1 FROM rv_l0 x WHERE {x.n} AND x.form = n.form)
),
rv_l2named AS (SELECT DISTINCT year, province, commune FROM rv_l2 WHERE form <> ''),
-- Status.sets: forms (kind 'f') and approved (kind 'a') per form
rv_sets AS (
  SELECT f.year, f.province, f.commune, f.kind, f.form, f.id FROM rv_forms f JOIN rv_status s ON {f.s}
  WHERE s.per_form AND (f.form <> '' OR NOT EXISTS (SELECT 1 FROM rv_l2named m WHERE {m.f}))
  UNION ALL
  SELECT f.year, f.province, f.commune, f.kind, l.form, f.id FROM rv_forms f JOIN rv_status s ON {f.s} JOIN rv_l2 l ON {l.f} AND l.form <> ''
  WHERE s.per_form AND f.form = '' AND NOT EXISTS (SELECT 1 FROM rv_forms x WHERE {x.f} AND x.kind = f.kind AND x.form = l.form)
  UNION ALL
  -- a status written before the per-form fix: its submissions stand for every form
  SELECT s.year, s.province, s.commune, k.kind, coalesce(l.form, ''),
    CASE k.kind WHEN 'f' THEN s.submission ELSE coalesce(s.approved_submission, CASE WHEN s.state = 'approved' THEN s.submission END) END
  FROM rv_status s CROSS JOIN (VALUES ('f'), ('a')) AS k(kind) LEFT JOIN rv_l2 l ON {l.s}
  WHERE NOT s.per_form
),
rv_pairs AS (
  SELECT year, province, commune, form,
    max(CASE WHEN src = 'l' THEN id END) AS l, max(CASE WHEN src = 'f' THEN id END) AS f, max(CASE WHEN src = 'a' THEN id END) AS a
  FROM (SELECT year, province, commune, 'l' AS src, form, id FROM rv_l2
        UNION ALL SELECT year, province, commune, kind AS src, form, id FROM rv_sets WHERE id IS NOT NULL AND id <> '') u
  GROUP BY year, province, commune, form
),
-- same: nothing accepted, or the current set is the set the last approve/return was about
rv_same AS (
  SELECT year, province, commune, count(l) AS nl, (count(l) = 0 OR bool_and(l IS NOT DISTINCT FROM f)) AS same
  FROM rv_pairs GROUP BY year, province, commune
)
SELECT s.year, s.province AS province_code, s.commune AS commune_code, p.form, s.state AS stored_state,
  CASE
    WHEN s.state = 'approved' THEN CASE WHEN coalesce(m.same, true) THEN 'approved' ELSE 'submitted' END
    WHEN s.state = 'returned' THEN CASE WHEN coalesce(m.same, true) THEN 'returned' ELSE 'submitted' END
    WHEN coalesce(m.nl, 0) > 0 THEN 'submitted'
  END AS shown_state,
  p.f AS submission, p.a AS approved_submission, p.l AS latest_accepted,
  CASE
    WHEN p.l IS NULL AND p.a IS NULL THEN NULL
    WHEN s.state = 'approved' THEN CASE WHEN p.a IS NULL AND p.f IS NULL THEN p.l ELSE p.a END
    WHEN s.state = 'returned' THEN CASE WHEN p.l IS NOT NULL AND p.l IS DISTINCT FROM p.f AND p.a IS NULL THEN p.l ELSE p.a END
    ELSE p.l
  END AS counted_live,
  s.comment, s.by_role, s.by_province, s.by_code_id, s.by_reviewer, s."at", s.checked_flags
FROM rv_status s LEFT JOIN rv_same m ON {m.s} LEFT JOIN rv_pairs p ON {p.s}`)
}

// DuckDB types of the JSON objects' fields read by the views.
const (
	actorType  = `STRUCT(role VARCHAR, province VARCHAR, commune VARCHAR, code_id VARCHAR, reviewer VARCHAR)`
	recordType = `STRUCT(version INTEGER, "year" INTEGER, province VARCHAR, commune VARCHAR, "action" VARCHAR, from_state VARCHAR,
  to_state VARCHAR, submission VARCHAR, flag_id VARCHAR, "comment" VARCHAR, "by" ` + actorType + `, "at" TIMESTAMPTZ, "key" VARCHAR)`
	statusCols = `{version: 'INTEGER', year: 'INTEGER', province: 'VARCHAR', commune: 'VARCHAR', state: 'VARCHAR',
  submission: 'VARCHAR', approved_submission: 'VARCHAR', forms: 'MAP(VARCHAR, VARCHAR)', approved_forms: 'MAP(VARCHAR, VARCHAR)', comment: 'VARCHAR',
  "by": '` + actorType + `', "at": 'TIMESTAMPTZ', checks: 'JSON', last_change: '` + recordType + `'}`
	auditCols = `{version: 'INTEGER', year: 'INTEGER', province: 'VARCHAR', commune: 'VARCHAR', action: 'VARCHAR',
  from_state: 'VARCHAR', to_state: 'VARCHAR', submission: 'VARCHAR', flag_id: 'VARCHAR', comment: 'VARCHAR',
  "by": '` + actorType + `', "at": 'TIMESTAMPTZ', "key": 'VARCHAR'}`
)

// reviewViews returns the statements defining the views reviews and
// audit (empty views with the same columns when the lake has none).
func reviewViews(lakeDir string) []string {
	raw := `SELECT NULL::INTEGER AS year, NULL::VARCHAR AS province, NULL::VARCHAR AS commune, NULL::VARCHAR AS state,
  NULL::VARCHAR AS submission, NULL::VARCHAR AS approved_submission, NULL::MAP(VARCHAR, VARCHAR) AS forms, NULL::MAP(VARCHAR, VARCHAR) AS approved_forms,
  NULL::VARCHAR AS comment, NULL::` + actorType + ` AS "by", NULL::TIMESTAMPTZ AS "at", NULL::JSON AS checks, NULL::` + recordType + ` AS last_change WHERE false`
	if has(lakeDir, lake.ReviewsPrefix) {
		raw = fmt.Sprintf("SELECT * FROM read_json(%s, format = 'auto', hive_partitioning = false, columns = %s)", quote(filepath.Join(lakeDir, lake.ReviewsPrefix, "**", "*.json")), statusCols)
	}
	// The latest accepted upload per form: what review.Current gives (the
	// forms of a receipt: forms, else form, else '' for the whole data).
	latest := `SELECT NULL::INTEGER AS year, NULL::VARCHAR AS province, NULL::VARCHAR AS commune, NULL::VARCHAR AS form, NULL::VARCHAR AS id WHERE false`
	if has(lakeDir, lake.ReceiptsPrefix) {
		latest = fmt.Sprintf(`SELECT year, province_code AS province, commune_code AS commune, form,
  arg_max(submission_id, {'t': received_at, 'k': coalesce(source_key, ''), 'v': coalesce(source_version, '')}) AS id
FROM (SELECT year, province_code, commune_code, submission_id, received_at, source_key, source_version,
    unnest(CASE WHEN len(forms) > 0 THEN forms WHEN coalesce(form, '') <> '' THEN [form] ELSE [''] END) AS form
  FROM read_json(%s, format = 'auto', hive_partitioning = false, columns = {submission_id: 'VARCHAR', status: 'VARCHAR', year: 'INTEGER', province_code: 'VARCHAR',
    commune_code: 'VARCHAR', source_key: 'VARCHAR', source_version: 'VARCHAR', received_at: 'TIMESTAMPTZ', form: 'VARCHAR', forms: 'VARCHAR[]'})
  WHERE status = 'accepted' AND coalesce(submission_id, '') <> '')
GROUP BY ALL`, quote(filepath.Join(lakeDir, lake.ReceiptsPrefix, "**", "*.json")))
	}
	// Every accepted upload's data digests, per form (receipt data_sha256).
	digests := `SELECT NULL::INTEGER AS year, NULL::VARCHAR AS province, NULL::VARCHAR AS commune, NULL::VARCHAR AS id, NULL::VARCHAR AS form, NULL::VARCHAR AS digest WHERE false`
	if has(lakeDir, lake.ReceiptsPrefix) {
		digests = fmt.Sprintf(`SELECT year, province, commune, id, form, digest FROM (
  SELECT year, province_code AS province, commune_code AS commune, submission_id AS id,
    unnest(map_keys(data_sha256)) AS form, unnest(map_values(data_sha256)) AS digest
  FROM read_json(%s, format = 'auto', hive_partitioning = false, columns = {submission_id: 'VARCHAR', status: 'VARCHAR', year: 'INTEGER', province_code: 'VARCHAR',
    commune_code: 'VARCHAR', data_sha256: 'MAP(VARCHAR, VARCHAR)'})
  WHERE status = 'accepted' AND coalesce(submission_id, '') <> '' AND data_sha256 IS NOT NULL
) WHERE coalesce(digest, '') <> ''`, quote(filepath.Join(lakeDir, lake.ReceiptsPrefix, "**", "*.json")))
	}
	reviews := fmt.Sprintf(`CREATE OR REPLACE VIEW reviews AS
WITH rv_raw AS (%s),
rv_status AS (
  SELECT year, province, commune, state, nullif(submission, '') AS submission, nullif(approved_submission, '') AS approved_submission,
    (forms IS NOT NULL OR approved_forms IS NOT NULL) AS per_form, comment,
    "by".role AS by_role, "by".province AS by_province, "by".code_id AS by_code_id, "by".reviewer AS by_reviewer, "at",
    coalesce(len(json_keys(checks)), 0)::INTEGER AS checked_flags
  FROM rv_raw
),
rv_forms AS (
  SELECT year, province, commune, kind, form, id FROM (
    SELECT year, province, commune, 'f' AS kind, unnest(map_keys(forms)) AS form, unnest(map_values(forms)) AS id FROM rv_raw
    UNION ALL
    SELECT year, province, commune, 'a' AS kind, unnest(map_keys(approved_forms)) AS form, unnest(map_values(approved_forms)) AS id FROM rv_raw
  ) WHERE id <> ''
),
rv_latest AS (%s),
rv_digests AS (%s)%s`, raw, latest, digests, reviewsCore())

	// audit: the records, and the change of a status whose record is not
	// written yet (review.Apply writes the status first and its record
	// second: a crash between leaves the record only in the status's
	// last_change until the next Apply on the commune writes it). Every
	// row is a change that took effect; recorded tells which are objects.
	rec := `SELECT NULL::INTEGER AS year, NULL::VARCHAR AS province, NULL::VARCHAR AS commune, NULL::VARCHAR AS action,
  NULL::VARCHAR AS from_state, NULL::VARCHAR AS to_state, NULL::VARCHAR AS submission, NULL::VARCHAR AS flag_id, NULL::VARCHAR AS comment,
  NULL::` + actorType + ` AS "by", NULL::TIMESTAMPTZ AS "at", NULL::VARCHAR AS "key" WHERE false`
	if has(lakeDir, lake.AuditPrefix) {
		rec = fmt.Sprintf(`SELECT year, province, commune, action, from_state, to_state, submission, flag_id, comment, "by", "at", "key"
FROM read_json(%s, format = 'auto', hive_partitioning = false, columns = %s)`, quote(filepath.Join(lakeDir, lake.AuditPrefix, "**", "*.json")), auditCols)
	}
	audit := fmt.Sprintf(`CREATE OR REPLACE VIEW audit AS
WITH rv_raw AS (%s), rv_rec AS (%s),
rv_all AS (
  SELECT year, province, commune, action, from_state, to_state, submission, flag_id, comment, "by", "at", "key", true AS recorded FROM rv_rec
  UNION ALL
  SELECT c.year, c.province, c.commune, c.action, c.from_state, c.to_state, c.submission, c.flag_id, c.comment, c."by", c."at", c."key", false
  FROM (SELECT last_change AS c FROM rv_raw WHERE last_change IS NOT NULL) t
  WHERE coalesce(c."key", '') <> '' AND NOT EXISTS (SELECT 1 FROM rv_rec r WHERE r."key" = c."key")
)
SELECT year, province AS province_code, commune AS commune_code, action, from_state, to_state, submission, flag_id, comment,
  "by".role AS by_role, "by".province AS by_province, "by".code_id AS by_code_id, "by".reviewer AS by_reviewer, "at", "key", recorded
FROM rv_all`, raw, rec)
	return []string{reviews, audit}
}

// Athena (issue 15): the Glue tables over the review objects (infra:
// JSON read by the Ion SerDe; the fields year, province and commune are
// the columns report_year, province_code and commune_code, because year
// and province are the partition keys) and the Athena views of the same
// names and columns as the local ones, created once by the template's
// named queries (docs/COLUMNS.md, "Athena").
const (
	AthenaReviewStatusTable = "review_status"
	AthenaReviewAuditTable  = "review_audit"
)

// AthenaReviewViews are the statements creating the views reviews and
// audit in Athena (Trino SQL) over the Glue tables review_status,
// review_audit and receipts. The reviews view's logic is reviewsCore,
// the text the DuckDB view runs (and the tests check against
// review.Effective); only the inputs are written for Athena here:
// the maps' entries, receipts' received_at parsed from RFC 3339
// (millisecond precision in Athena), the latest upload per form by
// row_number(). They use only what Trino and DuckDB both read the same
// way (map[key] of a key from map_keys, UNNEST in FROM, LEFT JOIN
// UNNEST ... ON true), so infra's test runs these statements in DuckDB over tables
// shaped like the Glue tables and checks them against review.Effective;
// they have not been run in Athena itself from here.
func AthenaReviewViews() []string {
	reviews := fmt.Sprintf(`CREATE OR REPLACE VIEW reviews AS
WITH rv_status AS (
  SELECT year, province, commune_code AS commune, state, nullif(submission, '') AS submission, nullif(approved_submission, '') AS approved_submission,
    (forms IS NOT NULL OR approved_forms IS NOT NULL) AS per_form, comment,
    "by".role AS by_role, "by".province AS by_province, "by".code_id AS by_code_id, "by".reviewer AS by_reviewer, from_iso8601_timestamp("at") AS "at",
    CAST(coalesce(cardinality(checks), 0) AS integer) AS checked_flags
  FROM %[1]s
),
rv_forms AS (
  SELECT year, province, commune, kind, form, id FROM (
    SELECT s.year, s.province, s.commune_code AS commune, 'f' AS kind, t.form, s.forms[t.form] AS id
    FROM %[1]s s CROSS JOIN UNNEST(map_keys(s.forms)) AS t(form)
    UNION ALL
    SELECT s.year, s.province, s.commune_code AS commune, 'a' AS kind, t.form, s.approved_forms[t.form] AS id
    FROM %[1]s s CROSS JOIN UNNEST(map_keys(s.approved_forms)) AS t(form)
  ) u WHERE id <> ''
),
rv_latest AS (
  SELECT year, province, commune, form, id FROM (
    SELECT year, province, commune, form, id,
      row_number() OVER (PARTITION BY year, province, commune, form ORDER BY ts DESC NULLS LAST, k DESC, v DESC) AS rn
    FROM (
      -- the forms of a receipt: forms, else form, else '' (the whole data)
      SELECT r.year, r.province, r.commune_code AS commune, coalesce(f.form, nullif(r.form, ''), '') AS form, r.submission_id AS id,
        from_iso8601_timestamp(r.received_at) AS ts, coalesce(r.source_key, '') AS k, coalesce(r.source_version, '') AS v
      FROM receipts r LEFT JOIN UNNEST(r.forms) AS f(form) ON true
      WHERE r.status = 'accepted' AND coalesce(r.submission_id, '') <> ''
    ) e
  ) u WHERE rn = 1
),
rv_digests AS (
  SELECT r.year, r.province, r.commune_code AS commune, r.submission_id AS id, t.form, r.data_sha256[t.form] AS digest
  FROM receipts r CROSS JOIN UNNEST(map_keys(r.data_sha256)) AS t(form)
  WHERE r.status = 'accepted' AND coalesce(r.submission_id, '') <> '' AND coalesce(r.data_sha256[t.form], '') <> ''
)%[2]s`, AthenaReviewStatusTable, reviewsCore())
	audit := fmt.Sprintf(`CREATE OR REPLACE VIEW audit AS
SELECT year, province AS province_code, commune_code, action, from_state, to_state, submission, flag_id, comment,
  "by".role AS by_role, "by".province AS by_province, "by".code_id AS by_code_id, "by".reviewer AS by_reviewer, from_iso8601_timestamp("at") AS "at", "key", true AS recorded
FROM %[1]s
UNION ALL
SELECT s.year, s.province, s.commune_code, s.last_change.action, s.last_change.from_state, s.last_change.to_state, s.last_change.submission,
  s.last_change.flag_id, s.last_change.comment, s.last_change."by".role, s.last_change."by".province, s.last_change."by".code_id, s.last_change."by".reviewer,
  from_iso8601_timestamp(s.last_change."at"), s.last_change."key", false
FROM %[2]s s
WHERE coalesce(s.last_change."key", '') <> ''
  AND NOT EXISTS (SELECT 1 FROM %[1]s a WHERE a.year = s.year AND a.province = s.province AND a."key" = s.last_change."key")`,
		AthenaReviewAuditTable, AthenaReviewStatusTable)
	return []string{reviews, audit}
}
