// Command gen rewrites the generated parts of the SAM template (see package
// infra): go generate ./infra, or go run ./infra/gen -template infra/template.yaml.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/xhht/xhht/infra"
)

func main() {
	// go generate runs in the package directory: infra/.
	path := flag.String("template", "template.yaml", "the template to rewrite in place")
	flag.Parse()
	if err := run(*path); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := infra.Generate(src)
	if err != nil {
		return err
	}
	if bytes.Equal(src, out) {
		return nil
	}
	return os.WriteFile(path, out, 0o644)
}
