package rollup_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/rollup"
)

var update = flag.Bool("update", false, "rewrite docs/ROLLUP_COLUMNS.md from the column dictionary")

const docPath = "../../docs/ROLLUP_COLUMNS.md"

// The documented columns are the dictionary's; `go test ./pipeline/rollup
// -update` rewrites the file after a deliberate change.
func TestColumnsDocMatchesDictionary(t *testing.T) {
	want := rollup.ColumnsDoc()
	if *update {
		if err := os.WriteFile(docPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s is out of date: run go test ./pipeline/rollup -run ColumnsDoc -update", docPath)
	}
}

// The files the roll-up writes have exactly the dictionary's columns, in
// order, with its types (the views add `year` first).
func TestWrittenColumnsMatchDictionary(t *testing.T) {
	dir := t.TempDir()
	build(t, dir, rollup.Options{Year: 2024, Province: prov})
	db := views(t, dir)
	for _, table := range rollup.Tables {
		rows := all(t, db, "SELECT column_name, column_type FROM (DESCRIBE "+table+")")
		want := rollup.Columns(table)
		if len(rows) != len(want)+1 || rows[0]["column_name"] != "year" {
			t.Errorf("%s: %d columns, want year + %d", table, len(rows), len(want))
			continue
		}
		for i, c := range want {
			got := rows[i+1]
			typ := strings.ReplaceAll(c.Type, "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE")
			if got["column_name"] != c.Name || got["column_type"] != typ {
				t.Errorf("%s column %d = %v %v, want %s %s", table, i+1, got["column_name"], got["column_type"], c.Name, typ)
			}
		}
	}
}
