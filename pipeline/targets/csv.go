package targets

import (
	"io/fs"

	"github.com/xhht/xhht/pipeline/internal/csvtable"
)

// RowError is a problem in one row of a targets file: the file, its line
// (1-based, as an editor shows it) and the column, so the message leads a
// province straight to the cell. Its message starts with "targets: ".
type RowError = csvtable.RowError

// rowErrors collects every bad row of a file.
type rowErrors struct{ csvtable.Errors }

func (r *rowErrors) add(err error) { r.Add(err) }
func (r *rowErrors) err() error    { return r.Errors.Err() }

type record struct {
	csvtable.Record
	line int
}

func (r record) get(_ *table, col string) string { return r.Get(col) }

type table struct {
	*csvtable.Table
	rows []record
}

func (t *table) errAt(line int, col string, err error) error { return t.ErrAt(line, col, err) }

// readTable reads a CSV file whose header must hold exactly the given
// columns (in any order): a misspelt column would otherwise read as blank
// in every row and fail far from its cause.
func readTable(fsys fs.FS, name string, columns []string) (*table, error) {
	ct, err := csvtable.Read(fsys, name, csvtable.Spec{Prefix: "targets", Columns: columns})
	if err != nil {
		return nil, err
	}
	t := &table{Table: ct, rows: make([]record, len(ct.Rows))}
	for i, r := range ct.Rows {
		t.rows[i] = record{Record: r, line: r.Line}
	}
	return t, nil
}
