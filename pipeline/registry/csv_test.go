package registry

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"reflect"
	"testing"

	"github.com/xhht/xhht/schemas"
)

// csvDefinition is encoding/csv's ReadAll, which parseCSV must equal.
func csvDefinition(b []byte) ([][]string, error) {
	return csv.NewReader(bytes.NewReader(b)).ReadAll()
}

func sameCSV(t *testing.T, name string, b []byte) {
	t.Helper()
	got, err := parseCSV(b)
	want, wantErr := csvDefinition(b)
	if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Fatalf("%s: error %v, encoding/csv %v", name, err, wantErr)
	}
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: %d records differ from encoding/csv's %d", name, len(got), len(want))
	}
}

var csvCases = []string{
	"", "\n", "a,b\n1,2\n", "a,b\n1,2", "a,b\n\n1,2\n\n", "a,b\r\n1,2\r\n", "a,b\n1,\"2,3\"\n",
	"a,b\n1,2,3\n", "a,b\n1\n", " a , b \n 1 , 2 \n", "a\n\"x\n", "a,b\n,\n", "#a,b\n1,2\n", "a;b\n1;2\n",
	"a,b\n1,\"\"\n", "code,name\n01,Hà Nội\n", "\xff,\xfe\n1,2\n",
}

// TestParseCSV: every file of the register, and edge cases.
func TestParseCSV(t *testing.T) {
	files, err := fs.Glob(schemas.FS, "adminunits/*.csv")
	if err != nil || len(files) < 5 {
		t.Fatalf("%d register files: %v", len(files), err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(schemas.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		sameCSV(t, f, b)
	}
	for _, c := range csvCases {
		sameCSV(t, c, []byte(c))
	}
}

func FuzzParseCSV(f *testing.F) {
	for _, c := range csvCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) { sameCSV(t, string(b), b) })
}
