package workbook

import (
	"maps"
	"testing"
)

// Sheet.Rows counts converted cells by encoding, over every row read (a
// second read counts again), whatever the order of encodings in a row.
func TestSheetConverted(t *testing.T) {
	cell := func(enc string) Cell { return Cell{Kind: String, Text: "x", Encoding: enc} }
	rows := []Row{
		{Num: 1, Cells: []Cell{cell("tcvn3"), cell("tcvn3"), {}, cell("vni"), cell("tcvn3"), cell(""), cell("vni")}},
		{Num: 2, Cells: []Cell{cell(""), {Kind: Number, Num: 1, Text: "1"}}},
		{Num: 3, Cells: []Cell{cell("vni")}},
	}
	sh := &Sheet{rows: func(fn func(Row) error) error {
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}}
	for i, want := range []map[string]int{{"tcvn3": 3, "vni": 3}, {"tcvn3": 6, "vni": 6}} {
		if err := sh.Rows(func(Row) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(sh.Converted, want) {
			t.Errorf("read %d: Converted = %v, want %v", i+1, sh.Converted, want)
		}
	}
	plain := &Sheet{rows: func(fn func(Row) error) error { return fn(rows[1]) }}
	if err := plain.Rows(func(Row) error { return nil }); err != nil || plain.Converted != nil {
		t.Errorf("no converted cell: Converted = %v, %v", plain.Converted, err)
	}
}
