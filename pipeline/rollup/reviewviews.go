package rollup

import (
	"fmt"
	"path/filepath"
)

// Query views of the province review (issue 15), over the JSON objects
// pipeline/review writes: reviews/ (one current status per commune and
// year) and audit/ (one immutable record per change). Columns in
// docs/COLUMNS.md.
//
// reviews.shown_state is review.Effective's shown state, written in SQL:
// the stored state, read against the commune's latest accepted upload
// (latest_accepted, from the receipts; the roll-up's order). A test
// (reviewviews_test.go) checks it against review.Effective row by row.
const (
	reviewsStatusCols = `{version: 'INTEGER', year: 'INTEGER', province: 'VARCHAR', commune: 'VARCHAR', state: 'VARCHAR',
  submission: 'VARCHAR', approved_submission: 'VARCHAR', comment: 'VARCHAR',
  "by": 'STRUCT(role VARCHAR, province VARCHAR, commune VARCHAR, code_id VARCHAR)', "at": 'TIMESTAMPTZ', checks: 'JSON'}`
	auditCols = `{version: 'INTEGER', year: 'INTEGER', province: 'VARCHAR', commune: 'VARCHAR', action: 'VARCHAR',
  from_state: 'VARCHAR', to_state: 'VARCHAR', submission: 'VARCHAR', flag_id: 'VARCHAR', comment: 'VARCHAR',
  "by": 'STRUCT(role VARCHAR, province VARCHAR, commune VARCHAR, code_id VARCHAR)', "at": 'TIMESTAMPTZ', "key": 'VARCHAR'}`
)

// reviewViews returns the statements defining the views reviews and
// audit (empty views with the same columns when the lake has none).
func reviewViews(lakeDir string) []string {
	status := `SELECT NULL::INTEGER AS year, NULL::VARCHAR AS province, NULL::VARCHAR AS commune, NULL::VARCHAR AS state,
  NULL::VARCHAR AS submission, NULL::VARCHAR AS approved_submission, NULL::VARCHAR AS comment,
  NULL::STRUCT(role VARCHAR, province VARCHAR, commune VARCHAR, code_id VARCHAR) AS "by", NULL::TIMESTAMPTZ AS "at", NULL::JSON AS checks WHERE false`
	if has(lakeDir, "reviews") {
		status = fmt.Sprintf("SELECT * FROM read_json(%s, format = 'auto', columns = %s)", quote(filepath.Join(lakeDir, "reviews", "**", "*.json")), reviewsStatusCols)
	}
	latest := `SELECT NULL::INTEGER AS year, NULL::VARCHAR AS commune_code, NULL::VARCHAR AS submission_id WHERE false`
	if has(lakeDir, "receipts") {
		latest = fmt.Sprintf(`SELECT year, commune_code, arg_max(submission_id, (received_at, source_key, source_version)) AS submission_id
FROM read_json(%s, format = 'auto', columns = {submission_id: 'VARCHAR', status: 'VARCHAR', year: 'INTEGER', commune_code: 'VARCHAR',
  source_key: 'VARCHAR', source_version: 'VARCHAR', received_at: 'TIMESTAMPTZ'})
WHERE status = 'accepted' GROUP BY ALL`, quote(filepath.Join(lakeDir, "receipts", "**", "*.json")))
	}
	reviews := fmt.Sprintf(`CREATE OR REPLACE VIEW reviews AS
WITH s AS (%s), l AS (%s)
SELECT s.year, s.province AS province_code, s.commune AS commune_code, s.state AS stored_state,
  CASE
    WHEN s.state = 'approved' THEN CASE WHEN l.submission_id IS NULL OR l.submission_id = coalesce(s.approved_submission, s.submission) THEN 'approved' ELSE 'submitted' END
    WHEN s.state = 'returned' THEN CASE WHEN l.submission_id IS NULL OR l.submission_id = s.submission THEN 'returned' ELSE 'submitted' END
    ELSE CASE WHEN l.submission_id IS NULL THEN NULL ELSE 'submitted' END
  END AS shown_state,
  s.submission, s.approved_submission, l.submission_id AS latest_accepted, s.comment,
  s."by".role AS by_role, s."by".province AS by_province, s."by".code_id AS by_code_id, s."at",
  coalesce(len(json_keys(s.checks)), 0)::INTEGER AS checked_flags
FROM s LEFT JOIN l ON l.year = s.year AND l.commune_code = s.commune`, status, latest)
	audit := `SELECT NULL::INTEGER AS year, NULL::VARCHAR AS province_code, NULL::VARCHAR AS commune_code, NULL::VARCHAR AS action,
  NULL::VARCHAR AS from_state, NULL::VARCHAR AS to_state, NULL::VARCHAR AS submission, NULL::VARCHAR AS flag_id, NULL::VARCHAR AS comment,
  NULL::VARCHAR AS by_role, NULL::VARCHAR AS by_province, NULL::VARCHAR AS by_code_id, NULL::TIMESTAMPTZ AS "at", NULL::VARCHAR AS "key" WHERE false`
	if has(lakeDir, "audit") {
		audit = fmt.Sprintf(`SELECT year, province AS province_code, commune AS commune_code, action, from_state, to_state, submission,
  flag_id, comment, "by".role AS by_role, "by".province AS by_province, "by".code_id AS by_code_id, "at", "key"
FROM read_json(%s, format = 'auto', columns = %s)`, quote(filepath.Join(lakeDir, "audit", "**", "*.json")), auditCols)
	}
	return []string{reviews, "CREATE OR REPLACE VIEW audit AS " + audit}
}
