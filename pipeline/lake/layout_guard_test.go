package lake

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoLakeKeysBuiltElsewhere: outside this package, no Go code (tests
// apart) spells a lake prefix in a string literal: keys are built here, so
// the layout cannot drift in one reader or writer. A literal that starts
// with a prefix ("receipts/year=…", "rollups/"), or holding
// "/_manifests/", is a key being built. Nor does any literal hold a
// partition segment (year=, province=, commune=, level=, reviewer=): that
// is a key built or parsed by hand. Comments are not literals; the one
// exemption is declared documentation, the literals of a const, var or
// func whose name ends in "Doc" (the text of docs/ROLLUP_COLUMNS.md, which
// the column-doc test checks).
func TestNoLakeKeysBuiltElsewhere(t *testing.T) {
	prefixes := []string{SubmissionsPrefix, ReceiptsPrefix, UnplacedReceiptsPrefix, RollupsPrefix, ReviewsPrefix,
		AuditPrefix, ContactsPrefix, IssuersPrefix, AccessPrefix, ManifestsDir}
	// storagetest exercises any store with made-up keys; they are not the
	// lake's layout.
	segments := []string{YearSeg, ProvinceSeg, CommuneSeg, LevelSeg, ReviewerSeg}
	skip := map[string]bool{"pipeline/lake": true, "pipeline/storage/storagetest": true}
	root := "../.."
	fset := token.NewFileSet()
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			if rel != "." && (skip[rel] || strings.HasPrefix(name, ".") || name == "testdata" || name == "build" || name == "xhht-data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		n++
		docs := docLiterals(f)
		ast.Inspect(f, func(node ast.Node) bool {
			lit, ok := node.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && !docs[lit] {
				for _, seg := range segments {
					if strings.Contains(s, seg) {
						t.Errorf("%s: %q spells the partition %q: build or parse the key with pipeline/lake", fset.Position(lit.Pos()), s, seg)
					}
				}
			}
			if err != nil || strings.Contains(s, "`") {
				return true // Markdown (docs/ROLLUP_COLUMNS.md): its own test checks its paths
			}
			for _, p := range prefixes {
				if strings.HasPrefix(s, p) || (p == ManifestsDir && strings.Contains(s, "/"+p)) {
					t.Errorf("%s: %q spells the lake prefix %q: build the key with pipeline/lake", fset.Position(lit.Pos()), s, p)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("read %d Go files: the walk missed the module", n)
	}
}

// docLiterals are the string literals of f's declared documentation: the
// const, var and func declarations whose name ends in "Doc".
func docLiterals(f *ast.File) map[*ast.BasicLit]bool {
	out := map[*ast.BasicLit]bool{}
	mark := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				out[lit] = true
			}
			return true
		})
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && strings.HasSuffix(d.Name.Name, "Doc") {
				mark(d)
			}
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				vs, ok := sp.(*ast.ValueSpec)
				if !ok {
					continue
				}
				for i, name := range vs.Names {
					if strings.HasSuffix(name.Name, "Doc") && i < len(vs.Values) {
						mark(vs.Values[i])
					}
				}
			}
		}
	}
	return out
}
