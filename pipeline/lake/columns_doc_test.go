package lake

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/forms"
)

// TestColumnsDocumented: docs/COLUMNS.md is the analysts' contract. It must
// list exactly the columns of lake/submissions (the columns ingest writes
// and the Glue table declares), in order, with their types and whether
// they can be null.
func TestColumnsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/COLUMNS.md")
	if err != nil {
		t.Fatal(err)
	}
	var documented [][3]string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9_]+)` \\| ([a-z0-9]+) \\| (yes|no) \\|").FindAllSubmatch(doc, -1) {
		documented = append(documented, [3]string{string(m[1]), string(m[2]), string(m[3])})
	}
	written := SubmissionColumns(forms.MustLoad())
	if len(documented) != len(written) {
		t.Fatalf("docs/COLUMNS.md lists %d columns, the lake contract has %d", len(documented), len(written))
	}
	for i, c := range written {
		null := map[bool]string{true: "yes", false: "no"}[c.Optional]
		if documented[i] != [3]string{c.Name, c.Type, null} {
			t.Errorf("column %d: doc says %v, the lake contract has %s %s nullable=%s", i+1, documented[i], c.Name, c.Type, null)
		}
	}
}

// TestDocPathsMatchKeys: the lake paths docs/COLUMNS.md names are the keys
// the contract builds, so the doc cannot describe a layout the code left.
func TestDocPathsMatchKeys(t *testing.T) {
	doc, err := os.ReadFile("../../docs/COLUMNS.md")
	if err != nil {
		t.Fatal(err)
	}
	k := Key{Year: 2026, Province: "19", Commune: "05443"}
	subsDir := SubmissionKey(k, "ID")
	subsDir = subsDir[:strings.LastIndex(subsDir, "/")+1]
	want := map[string]string{ // the doc's path with placeholders filled in → the contract's key
		"lake/submissions/year=<Y>/province=<P>/commune=<C>/":             "lake/" + subsDir,
		"receipts/year=<Y>/province=<P>/commune=<C>/<submission_id>.json": ReceiptKey(k, "ID"),
	}
	fill := strings.NewReplacer("<Y>", "2026", "<P>", "19", "<C>", "05443", "<submission_id>", "ID")
	for path, key := range want {
		if !strings.Contains(string(doc), "`"+path+"`") {
			t.Errorf("docs/COLUMNS.md does not name the path `%s`", path)
			continue
		}
		if got := fill.Replace(path); got != key {
			t.Errorf("docs/COLUMNS.md names %s, which is %s; the lake contract's key is %s", path, got, key)
		}
	}
}
