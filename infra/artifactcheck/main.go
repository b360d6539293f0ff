// Command artifactcheck reports each function zip's size and checks it
// against its target (package artifact): `make package` runs it as
//
//	go run ./infra/artifactcheck build/ingest.zip build/rollup.zip …
//
// The function is the zip's base name.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/xhht/xhht/infra/artifact"
)

func main() {
	tmp, err := os.MkdirTemp("", "artifactcheck-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(tmp)
	failed := false
	for _, path := range os.Args[1:] {
		name := strings.TrimSuffix(filepath.Base(path), ".zip")
		t, ok := artifact.TargetFor(name)
		if !ok {
			fmt.Fprintf(os.Stderr, "%s: no target for function %q\n", path, name)
			failed = true
			continue
		}
		r, err := artifact.Check(t, path, tmp)
		link := "static, no cgo"
		if t.Static {
			link = "static (cgo)"
		}
		fmt.Printf("%-20s %6.1f MB (target < %d MB; bootstrap %.1f MB, %s, %s)\n",
			path, float64(r.ZipBytes)/artifact.MB, t.MaxBytes/artifact.MB, float64(r.BinaryBytes)/artifact.MB, t.Arch, link)
		if err != nil {
			fmt.Fprintln(os.Stderr, "FAIL:", err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}
