package rollup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/internal/csvtable"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/parquetout"
	"github.com/xhht/xhht/schemas"
)

// emptySubmissionsSQL is a typed empty table with the lake/submissions
// columns, for a year with no accepted upload yet.
func emptySubmissionsSQL() string {
	set, err := forms.Load()
	if err != nil {
		// The embedded forms are tested to load; this cannot happen in a build that passed its tests.
		panic(err)
	}
	cols := lake.SubmissionColumns(set)
	var sel []string
	for _, c := range cols {
		t := map[string]string{parquetout.String: "VARCHAR", parquetout.Int64: "BIGINT", parquetout.Int32: "INTEGER",
			parquetout.Double: "DOUBLE", parquetout.Bool: "BOOLEAN", parquetout.Timestamp: "TIMESTAMPTZ"}[c.Type]
		sel = append(sel, fmt.Sprintf("NULL::%s AS %s", t, ident(c.Name)))
	}
	return "SELECT " + strings.Join(sel, ", ") + " WHERE false"
}

// HamletAssignmentFile is where a province assigns the hamlets of split
// (partial) pre-2025 communes to their 2025 communes.
const HamletAssignmentFile = "rebase/hamlet_assignments.csv"

// loadRebaseMaps creates reform(old_code, new_code, full), fullmap and
// hamletmap from the reform table and the hamlet assignments.
func (b *builder) loadRebaseMaps(ctx context.Context) error {
	rows := [][]string{{"old_code", "old_name", "new_code", "is_full"}}
	olds := make([]string, 0, len(b.ver.Communes))
	for code := range b.ver.Communes {
		olds = append(olds, code)
	}
	sort.Strings(olds)
	for _, code := range olds {
		for _, s := range b.reg.Successors(code) {
			rows = append(rows, []string{code, b.ver.Communes[code].Name, s.NewCode, strconv.FormatBool(s.Full)})
		}
	}
	if err := b.loadCSV(ctx, "reform map", "reform", "*", rows, map[string]string{"is_full": "BOOLEAN"}); err != nil {
		return err
	}
	fsys := b.o.Schemas
	if fsys == nil {
		fsys = schemas.FS
	}
	assign, err := loadAssignments(fsys)
	if err != nil {
		return err
	}
	if err := b.loadCSV(ctx, "hamlet assignments", "assign", "*", assign, nil); err != nil {
		return err
	}
	return b.exec(ctx, "rebase maps", `
CREATE TABLE fullmap AS SELECT old_code, any_value(new_code) AS new_code FROM reform WHERE is_full GROUP BY old_code HAVING count(*) = 1;
CREATE TABLE hamletmap AS
SELECT a.old_code, a.ma_thon, a.new_code FROM assign a
JOIN reform r ON r.old_code = a.old_code AND r.new_code = a.new_code AND NOT r.is_full;`)
}

// loadAssignments reads schemas/rebase/hamlet_assignments.csv: columns
// old_commune_code, ma_thon, new_commune_code (and free notes). Missing
// file = no assignments. Every bad row is reported, with its line.
func loadAssignments(fsys fs.FS) ([][]string, error) {
	out := [][]string{{"old_code", "ma_thon", "new_code"}}
	t, err := readSchemaCSV(fsys, HamletAssignmentFile, "old_commune_code", "ma_thon", "new_commune_code")
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	var errs csvtable.Errors
	seen := map[string]int{}
	for _, r := range t.Rows {
		old, thon, nw := r.Get("old_commune_code"), r.Get("ma_thon"), r.Get("new_commune_code")
		if old == "" && thon == "" && nw == "" {
			continue // a notes-only row
		}
		if old == "" || thon == "" || nw == "" {
			errs.Add(r.Err("", errors.New("old_commune_code, ma_thon and new_commune_code are all required")))
			continue
		}
		if prev, dup := seen[old+"|"+thon]; dup {
			errs.Add(r.Err("", fmt.Errorf("hamlet %s of commune %s already assigned on line %d (a hamlet goes to one commune)", thon, old, prev)))
			continue
		}
		seen[old+"|"+thon] = r.Line
		out = append(out, []string{old, thon, nw})
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// notRebasedSQL lists, after the current rows are picked, the old split
// communes whose rows found no new commune.
const notRebasedSQL = `
CREATE OR REPLACE TABLE not_rebased_rows AS
SELECT DISTINCT r.commune_code AS old_code, m.new_code
FROM r_cur r JOIN reform m ON m.old_code = r.commune_code
WHERE r.ucode IS NULL;`

// listNotRebased fills Result.NotRebased.
func (b *builder) listNotRebased(ctx context.Context) error {
	rows, err := b.db.QueryContext(ctx, `
SELECT r.commune_code, coalesce(any_value(m.old_name), any_value(r.commune_name)),
  coalesce(string_agg(DISTINCT m.new_code, ',' ORDER BY m.new_code), ''),
  count(DISTINCT r.source_row) FILTER (WHERE r.form = 'bieu01'), bool_or(r.form = 'bieu02')
FROM r_cur r LEFT JOIN reform m ON m.old_code = r.commune_code
WHERE r.ucode IS NULL GROUP BY r.commune_code ORDER BY r.commune_code`)
	if err != nil {
		return fmt.Errorf("rollup: list not re-based: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n NotRebased
		var codes string
		// Each hamlet row of the commune appears once per successor in
		// the join; count distinct rows instead.
		if err := rows.Scan(&n.OldCode, &n.OldName, &codes, &n.Hamlets, &n.Biểu02); err != nil {
			return fmt.Errorf("rollup: list not re-based: %w", err)
		}
		if codes != "" {
			n.NewCodes = strings.Split(codes, ",")
		}
		b.res.NotRebased = append(b.res.NotRebased, n)
	}
	return rows.Err()
}

// readSchemaCSV reads a CSV file from the schemas folder whose header
// holds the given columns, besides any free-note columns; rows may be
// ragged. Errors start with "rollup: " and name the file and line.
func readSchemaCSV(fsys fs.FS, name string, columns ...string) (*csvtable.Table, error) {
	return csvtable.Read(fsys, name, csvtable.Spec{Prefix: "rollup", Columns: columns, AllowExtra: true, Ragged: true})
}
