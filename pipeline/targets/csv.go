package targets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
)

// RowError is a problem in one row of a targets file: the file, its line
// (1-based, as an editor shows it) and the column, so the message leads a
// province straight to the cell.
type RowError struct {
	File   string
	Line   int
	Column string // "" when the whole row is at fault
	Err    error
}

func (e *RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("targets: %s line %d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("targets: %s line %d, column %s: %v", e.File, e.Line, e.Column, e.Err)
}

func (e *RowError) Unwrap() error { return e.Err }

// rowErrors collects every bad row of a file.
type rowErrors []error

func (r *rowErrors) add(err error) { *r = append(*r, err) }
func (r rowErrors) err() error     { return errors.Join(r...) }

type record struct {
	line   int
	fields []string
}

func (r record) get(t *table, col string) string {
	if i, ok := t.cols[col]; ok && i < len(r.fields) {
		return strings.TrimSpace(r.fields[i])
	}
	return ""
}

type table struct {
	name string
	cols map[string]int
	rows []record
}

func (t *table) errAt(line int, col string, err error) error {
	return &RowError{File: t.name, Line: line, Column: col, Err: err}
}

// readTable reads a CSV file whose header must hold exactly the given
// columns (in any order): a misspelt column would otherwise read as blank
// in every row and fail far from its cause.
func readTable(fsys fs.FS, name string, columns []string) (*table, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("targets: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("targets: %s: header: %w", name, err)
	}
	t := &table{name: name, cols: map[string]int{}}
	for i, h := range header {
		// Excel saves "CSV UTF-8" with a byte-order mark.
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := t.cols[h]; dup {
			return nil, fmt.Errorf("targets: %s line 1: column %q appears twice", name, h)
		}
		t.cols[h] = i
	}
	for _, c := range columns {
		if _, ok := t.cols[c]; !ok {
			return nil, fmt.Errorf("targets: %s line 1: missing column %q (want %s)", name, c, strings.Join(columns, ","))
		}
	}
	if len(t.cols) != len(columns) {
		for h := range t.cols {
			if !slices.Contains(columns, h) {
				return nil, fmt.Errorf("targets: %s line 1: unknown column %q (want %s)", name, h, strings.Join(columns, ","))
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
			return nil, fmt.Errorf("targets: %s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue // a trailing empty line left by a spreadsheet
		}
		t.rows = append(t.rows, record{line: line, fields: rec})
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
