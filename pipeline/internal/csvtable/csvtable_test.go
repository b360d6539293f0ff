package csvtable

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

const file = "dir/t.csv"

func read(data string, spec Spec) (*Table, error) {
	return Read(fstest.MapFS{file: &fstest.MapFile{Data: []byte(data)}}, file, spec)
}

func TestReadHeader(t *testing.T) {
	cols := []string{"a", "b"}
	tests := []struct {
		name  string
		data  string
		extra bool
		err   string // "" = no error
	}{
		{"exact", "a,b\n1,2\n", false, ""},
		{"any order", "b,a\n2,1\n", false, ""},
		{"spaces around names", " a , b \n1,2\n", false, ""},
		{"BOM", "\ufeffa,b\n1,2\n", false, ""},
		{"BOM on a quoted name", "\ufeff\"a\",b\n1,2\n", false, ""},
		{"missing column", "a\n1\n", false, `p: dir/t.csv line 1: missing column "b" (want a,b)`},
		{"missing beats unknown", "a,c\n1,2\n", false, `p: dir/t.csv line 1: missing column "b" (want a,b)`},
		{"unknown column", "a,b,c\n1,2,3\n", false, `p: dir/t.csv line 1: unknown column "c" (want a,b)`},
		{"unknown column allowed", "a,note,b\n1,x,2\n", true, ""},
		{"repeated column", "a,b,a\n1,2,3\n", false, `p: dir/t.csv line 1: column "a" appears twice`},
		{"repeated wanted column with extras", "a,b,a\n1,2,3\n", true, `p: dir/t.csv line 1: column "a" appears twice`},
		{"repeated extra column", "a,b,,\n1,2,,\n", true, ""},
		{"repeated extra column when strict", "a,b,,\n1,2,,\n", false, `p: dir/t.csv line 1: column "" appears twice`},
		{"empty file", "", false, "p: dir/t.csv: header: EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := read(tt.data, Spec{Prefix: "p", Columns: cols, AllowExtra: tt.extra})
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(tab.Rows) != 1 {
				t.Fatalf("%d rows, want 1", len(tab.Rows))
			}
			if r := tab.Rows[0]; r.Get("a") != "1" || r.Get("b") != "2" || r.Line != 2 {
				t.Errorf("row = line %d a=%q b=%q, want line 2 a=1 b=2", r.Line, r.Get("a"), r.Get("b"))
			}
			if !tab.Has("a") || tab.Has("zz") {
				t.Errorf("Has(a) = %v, Has(zz) = %v", tab.Has("a"), tab.Has("zz"))
			}
		})
	}
}

func TestReadRows(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		ragged bool
		lines  []int    // line of each row read
		a      []string // column a of each row, trimmed
		err    string   // substring of the error; "" = none
	}{
		{"header only", "a,b\n", false, nil, nil, ""},
		{"no trailing newline", "a,b\n1,2", false, []int{2}, []string{"1"}, ""},
		{"blank lines skipped, lines kept", "a,b\n\n1,2\n\n\n3,4\n\n", false, []int{3, 6}, []string{"1", "3"}, ""},
		{"blank-field rows skipped", "a,b\n1,2\n,\n \t, \n3,4\n", false, []int{2, 5}, []string{"1", "3"}, ""},
		{"CRLF", "a,b\r\n1,2\r\n\r\n3,4\r\n", false, []int{2, 4}, []string{"1", "3"}, ""},
		{"multi-line field counts its lines", "a,b\n\"x\ny\",2\n3,4\n", false, []int{2, 4}, []string{"x\ny", "3"}, ""},
		{"values trimmed", "a,b\n  1 ,2\n", false, []int{2}, []string{"1"}, ""},
		{"short row is an error", "a,b\n1,2\n3\n", false, nil, nil, "p: dir/t.csv: record on line 3: wrong number of fields"},
		{"short row when ragged", "a,b\n1,2\n3\n", true, []int{2, 3}, []string{"1", "3"}, ""},
		{"broken quote", "a,b\n1,2\n\"3,4\n", false, nil, nil, "p: dir/t.csv: parse error on line 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := read(tt.data, Spec{Prefix: "p", Columns: []string{"a", "b"}, Ragged: tt.ragged})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var lines []int
			var as []string
			for _, r := range tab.Rows {
				lines = append(lines, r.Line)
				as = append(as, r.Get("a"))
			}
			if fmt.Sprint(lines) != fmt.Sprint(tt.lines) || fmt.Sprint(as) != fmt.Sprint(tt.a) {
				t.Errorf("lines %v, a %q; want lines %v, a %q", lines, as, tt.lines, tt.a)
			}
		})
	}
}

func TestParseErrorUnwraps(t *testing.T) {
	_, err := read("a,b\n1,2\n\"3,4\n", Spec{Columns: []string{"a", "b"}})
	var pe *csv.ParseError
	if !errors.As(err, &pe) || pe.StartLine != 3 {
		t.Fatalf("want a *csv.ParseError starting on line 3, got %v", err)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Read(fstest.MapFS{}, file, Spec{Prefix: "p", Columns: []string{"a"}})
	if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "p: ") {
		t.Fatalf("err = %v, want fs.ErrNotExist with prefix", err)
	}
}

func TestGetUnknownColumn(t *testing.T) {
	tab, err := read("a,note\n1\n", Spec{Columns: []string{"a"}, AllowExtra: true, Ragged: true})
	if err != nil {
		t.Fatal(err)
	}
	r := tab.Rows[0]
	if r.Get("nope") != "" || r.Get("note") != "" || (Record{}).Get("a") != "" {
		t.Errorf("unknown column, short row or zero Record should read as blank")
	}
}

func TestRowError(t *testing.T) {
	tab, err := read("a,b\n1,2\n\n3,4\n", Spec{Prefix: "targets", Columns: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	cause := errors.New("bad value")
	tests := []struct {
		name   string
		err    error
		prefix string
		line   int
		column string
		msg    string
	}{
		{"cell", tab.Rows[1].Err("b", cause), "targets", 4, "b", "targets: dir/t.csv line 4, column b: bad value"},
		{"whole row", tab.Rows[0].Err("", cause), "targets", 2, "", "targets: dir/t.csv line 2: bad value"},
		{"ErrAt", tab.ErrAt(9, "a", cause), "targets", 9, "a", "targets: dir/t.csv line 9, column a: bad value"},
		{"no prefix", &RowError{File: "f.csv", Line: 3, Err: cause}, "", 3, "", "f.csv line 3: bad value"},
		{"wrapped", fmt.Errorf("load: %w", tab.Rows[0].Err("a", cause)), "targets", 2, "a", "load: targets: dir/t.csv line 2, column a: bad value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err.Error() != tt.msg {
				t.Errorf("message %q, want %q", tt.err.Error(), tt.msg)
			}
			var re *RowError
			if !errors.As(tt.err, &re) {
				t.Fatalf("want a *RowError, got %T", tt.err)
			}
			if re.Prefix != tt.prefix || re.File != "dir/t.csv" && re.File != "f.csv" || re.Line != tt.line || re.Column != tt.column {
				t.Errorf("got %+v", re)
			}
			if !errors.Is(tt.err, cause) {
				t.Error("RowError should unwrap to its cause")
			}
		})
	}
}

func TestErrors(t *testing.T) {
	var errs Errors
	if errs.Err() != nil {
		t.Fatal("no errors should give nil")
	}
	errs.Add(nil)
	if len(errs) != 0 {
		t.Fatal("Add(nil) should be ignored")
	}
	errs.Add(&RowError{Prefix: "p", File: "f", Line: 2, Column: "a", Err: errors.New("x")})
	errs.Add(errors.New("plain"))
	errs.Add(&RowError{Prefix: "p", File: "f", Line: 5, Err: errors.New("y")})
	err := errs.Err()
	if got, want := err.Error(), "p: f line 2, column a: x\nplain\np: f line 5: y"; got != want {
		t.Errorf("joined = %q, want %q", got, want)
	}
	var re *RowError
	if !errors.As(err, &re) || re.Line != 2 {
		t.Errorf("errors.As should find the first *RowError, got %+v", re)
	}
}
