package rollup

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadAssignments(t *testing.T) {
	const head = "old_commune_code,ma_thon,new_commune_code,note\n"
	tests := []struct {
		name, file string
		rows       int
		err        string
	}{
		{"missing file means none", "", 0, ""},
		{"header only", head, 0, ""},
		{"two hamlets", head + "00007,T01,00008,\n00007,T02,00025,x\n\n", 2, ""},
		{"BOM and spaces", "\ufeff" + head + " 00007 , T01 ,00008,\n", 1, ""},
		{"missing column", "old_commune_code,ma_thon\n00007,T01\n", 0, `rebase/hamlet_assignments.csv line 1: missing column "new_commune_code"`},
		{"blank field", head + "00007,,00008,\n", 0, "line 2: old_commune_code, ma_thon and new_commune_code are all required"},
		{"hamlet twice", head + "00007,T01,00008,\n00007,T01,00025,\n", 0, "line 3: hamlet T01 of commune 00007 already assigned on line 2"},
		{"broken CSV", head + "\"00007,T01,00008\n", 0, "rebase/hamlet_assignments.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			if tt.file != "" {
				fsys[HamletAssignmentFile] = &fstest.MapFile{Data: []byte(tt.file)}
			}
			got, err := loadAssignments(fsys)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got)-1 != tt.rows {
				t.Fatalf("%d rows, want %d: %v", len(got)-1, tt.rows, got)
			}
			if tt.rows > 0 && (got[1][0] != "00007" || got[1][1] != "T01" || got[1][2] != "00008") {
				t.Errorf("first row = %v", got[1])
			}
		})
	}
}
