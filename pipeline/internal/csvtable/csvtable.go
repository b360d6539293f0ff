// Package csvtable reads the small, hand-edited CSV tables that provinces
// keep in the schemas folder (targets, deadlines, hamlet assignments).
//
// A table is checked against the columns its reader expects, so a misspelt
// header fails on line 1 instead of reading as blank in every row. Rows
// carry their line number as an editor shows it, and problems in a row are
// reported as a *RowError naming the file, line and column:
//
//	targets: targets/targets.csv line 7, column percent: not a percentage: "9O"
//
// Every message starts with the caller's prefix ("targets: "), so a
// reader of the log knows which loader complained.
package csvtable

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
)

// RowError is a problem in one row of a table: the file, its line (1-based,
// as an editor shows it) and the column, so the message leads a province
// straight to the cell.
type RowError struct {
	Prefix string // the caller's package, e.g. "targets"; "" for none
	File   string
	Line   int
	Column string // "" when the whole row is at fault
	Err    error
}

// Error formats the problem as "<prefix>: <file> line N, column C: <err>",
// leaving out ", column C" when the whole row is at fault.
func (e *RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("%s%s line %d: %v", prefix(e.Prefix), e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s%s line %d, column %s: %v", prefix(e.Prefix), e.File, e.Line, e.Column, e.Err)
}

// Unwrap returns the underlying problem.
func (e *RowError) Unwrap() error { return e.Err }

func prefix(p string) string {
	if p == "" {
		return ""
	}
	return p + ": "
}

// Errors collects the problems of a table, so one run reports every bad row
// rather than only the first.
type Errors []error

// Add records err; a nil err is ignored.
func (e *Errors) Add(err error) {
	if err != nil {
		*e = append(*e, err)
	}
}

// Err joins the collected problems (errors.Join), or returns nil if there
// are none. errors.As finds each *RowError in the result.
func (e Errors) Err() error { return errors.Join(e...) }

// Spec describes the table a caller expects.
type Spec struct {
	// Prefix starts every error message, e.g. "targets" gives
	// "targets: <file> line N: …".
	Prefix string
	// Columns are the columns the header must hold, in any order.
	Columns []string
	// AllowExtra permits other columns (free notes) besides Columns; they
	// are ignored. Without it the header must hold exactly Columns.
	AllowExtra bool
	// Ragged lets rows have a different number of fields than the header;
	// missing fields read as "". Without it such a row is a parse error.
	Ragged bool
}

// Table is a CSV file read and checked against a Spec.
type Table struct {
	Prefix string   // from the Spec
	Name   string   // the file's path in the file system it was read from
	Rows   []Record // the non-blank rows after the header, in file order
	cols   map[string]int
}

// Record is one non-blank row of a Table.
type Record struct {
	Line   int      // 1-based line where the row starts; the header is line 1
	Fields []string // the raw fields, untrimmed
	t      *Table
}

// Get returns the row's value in column col with surrounding spaces
// removed, or "" if the column is not in the header or the row is short.
func (r Record) Get(col string) string {
	if r.t == nil {
		return ""
	}
	if i, ok := r.t.cols[col]; ok && i < len(r.Fields) {
		return strings.TrimSpace(r.Fields[i])
	}
	return ""
}

// Err returns a *RowError for this row: column "" blames the whole row.
func (r Record) Err(column string, err error) error {
	if r.t == nil {
		return &RowError{Line: r.Line, Column: column, Err: err}
	}
	return r.t.ErrAt(r.Line, column, err)
}

// Has reports whether the header holds column col.
func (t *Table) Has(col string) bool {
	_, ok := t.cols[col]
	return ok
}

// ErrAt returns a *RowError for line and column of the table (column ""
// blames the whole row).
func (t *Table) ErrAt(line int, column string, err error) error {
	return &RowError{Prefix: t.Prefix, File: t.Name, Line: line, Column: column, Err: err}
}

// Read reads the CSV file name from fsys and checks its header against
// spec. The header may start with a UTF-8 byte-order mark (Excel saves
// "CSV UTF-8" with one) and its names are trimmed of spaces. Rows whose
// fields are all blank, such as the trailing empty lines a spreadsheet
// leaves, are skipped.
//
// A missing file gives an error that matches fs.ErrNotExist. Header
// problems (missing, unknown or repeated column) are reported on line 1;
// malformed CSV is reported with the *csv.ParseError, which names the line.
func Read(fsys fs.FS, name string, spec Spec) (*Table, error) {
	p := prefix(spec.Prefix)
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%s%w", p, err)
	}
	defer f.Close()
	// Excel saves "CSV UTF-8" with a byte-order mark; drop it before the
	// CSV reader sees it, so a quoted first name still parses.
	br := bufio.NewReader(f)
	if bom, _ := br.Peek(3); string(bom) == "\ufeff" {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	if spec.Ragged {
		r.FieldsPerRecord = -1
	}
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s%s: header: %w", p, name, err)
	}
	want := strings.Join(spec.Columns, ",")
	t := &Table{Prefix: spec.Prefix, Name: name, cols: map[string]int{}}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if _, dup := t.cols[h]; dup {
			if !spec.AllowExtra || slices.Contains(spec.Columns, h) {
				return nil, fmt.Errorf("%s%s line 1: column %q appears twice", p, name, h)
			}
			continue // a repeated note column is as harmless as one
		}
		t.cols[h] = i
	}
	for _, c := range spec.Columns {
		if _, ok := t.cols[c]; !ok {
			return nil, fmt.Errorf("%s%s line 1: missing column %q (want %s)", p, name, c, want)
		}
	}
	if !spec.AllowExtra && len(t.cols) != len(spec.Columns) {
		for _, h := range header {
			h = strings.TrimSpace(h)
			if !slices.Contains(spec.Columns, h) {
				return nil, fmt.Errorf("%s%s line 1: unknown column %q (want %s)", p, name, h, want)
			}
		}
	}
	for {
		rec, err := r.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			// csv.ParseError already names the line.
			return nil, fmt.Errorf("%s%s: %w", p, name, err)
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue // a trailing empty line left by a spreadsheet
		}
		t.Rows = append(t.Rows, Record{Line: line, Fields: rec, t: t})
	}
	return t, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
