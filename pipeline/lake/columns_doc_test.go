package lake

import (
	"os"
	"regexp"
	"testing"

	"github.com/xhht/xhht/pipeline/forms"
)

// TestColumnsDocumented: docs/COLUMNS.md is the analysts' contract. It must
// list exactly the columns of lake/submissions (the columns ingest writes
// and the Glue table declares), in order, with their types.
func TestColumnsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/COLUMNS.md")
	if err != nil {
		t.Fatal(err)
	}
	var documented [][2]string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9_]+)` \\| ([a-z0-9]+) \\|").FindAllSubmatch(doc, -1) {
		documented = append(documented, [2]string{string(m[1]), string(m[2])})
	}
	written := SubmissionColumns(forms.MustLoad())
	if len(documented) != len(written) {
		t.Fatalf("docs/COLUMNS.md lists %d columns, the pipeline writes %d", len(documented), len(written))
	}
	for i, c := range written {
		if documented[i] != [2]string{c.Name, c.Type} {
			t.Errorf("column %d: doc says %v, pipeline writes %s %s", i+1, documented[i], c.Name, c.Type)
		}
	}
}
