package main

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The Go-made corpus files are a function of the code: generating them
// twice gives the same bytes, and those are the committed ones. (A change
// to what they are made from, such as the template's instructions, shows
// here until the corpus is regenerated with `go run ./tests/corpus/gen
// -offline`; it showed the template-made files t01, x01, x02, y01 and y02
// stale.)
func TestGoFilesReproducible(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	a, err := goFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	b, err := goFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) < 40 {
		t.Fatalf("gen made only %d files", len(a))
	}
	dir := filepath.Join(root, "tests", "corpus", "files")
	for _, name := range slices.Sorted(maps.Keys(a)) {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s: two runs of gen give different bytes", name)
		}
		committed, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: gen makes it but it is not committed: %v", name, err)
			continue
		}
		if !bytes.Equal(a[name], committed) {
			t.Errorf("%s: gen makes %d bytes that differ from the committed %d; run go run ./tests/corpus/gen -offline and check the corpus test", name, len(a[name]), len(committed))
		}
	}
}
