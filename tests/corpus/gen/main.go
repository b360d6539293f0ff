// Command gen makes the files of the real-world corpus (tests/corpus/files):
// workbooks and CSV files the way commune offices send them, and hostile
// or broken uploads. Run from anywhere in the module:
//
//	go run ./tests/corpus/gen            # everything (needs soffice and Gnumeric's ssconvert)
//	go run ./tests/corpus/gen -offline   # only the files Go makes; office-made files are kept
//
// Files made by Go are byte-for-byte the same on every run. Files made by
// LibreOffice or Gnumeric carry the same cells every run but not the same
// bytes (the suites stamp dates and ids), so they are rewritten only when
// -offline is not given. The expected receipts are in ../cases.json,
// written by hand; the test is ../../corpus_test.go.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	offline := flag.Bool("offline", false, "do not run LibreOffice or Gnumeric: keep the office-made files already in the directory")
	dirFlag := flag.String("dir", "", "output directory (default: tests/corpus/files of the module)")
	flag.Parse()
	root, err := moduleRoot()
	must(err)
	dir := *dirFlag
	if dir == "" {
		dir = filepath.Join(root, "tests", "corpus", "files")
	}
	must(os.MkdirAll(dir, 0o755))

	files, err := goFiles(root)
	must(err)
	tpl := files["t01-template-filled.xlsx"]
	add := func(name string, b []byte) {
		if _, dup := files[name]; dup {
			panic("two files named " + name)
		}
		files[name] = b
	}

	// Office-made.
	office := map[string]func() (map[string][]byte, error){
		"xlsx": func() (map[string][]byte, error) {
			return soffice("xlsx", map[string][]byte{"t02-template-libreoffice.xlsx": tpl, "f02-formulas-libreoffice.xlsx": f02src(),
				"s05-sum-skips-text-libreoffice.xlsx":      s05src(),
				"p02-rate-percent-format-libreoffice.xlsx": p02src(), "n05-fraction-typed-libreoffice.xlsx": n05src()})
		},
		"xls": func() (map[string][]byte, error) {
			return soffice("xls", map[string][]byte{"t03-template-libreoffice.xls": tpl,
				"e03-vntime-libreoffice.xls": e01(), "e04-vni-times-libreoffice.xls": e02()})
		},
		"ods": func() (map[string][]byte, error) {
			return soffice("ods", map[string][]byte{"x13-libreoffice.ods": odsSrc()})
		},
		"html": func() (map[string][]byte, error) {
			return soffice("html", map[string][]byte{"t04-template-libreoffice-html.xls": tpl})
		},
		"excel95": func() (map[string][]byte, error) {
			b, err := excel95(excel95src())
			return map[string][]byte{"x10-excel95.xls": b}, err
		},
	}
	officeNames := map[string][]string{
		"xlsx":    {"t02-template-libreoffice.xlsx", "f02-formulas-libreoffice.xlsx", "s05-sum-skips-text-libreoffice.xlsx", "p02-rate-percent-format-libreoffice.xlsx", "n05-fraction-typed-libreoffice.xlsx"},
		"xls":     {"t03-template-libreoffice.xls", "e03-vntime-libreoffice.xls", "e04-vni-times-libreoffice.xls"},
		"ods":     {"x13-libreoffice.ods"},
		"html":    {"t04-template-libreoffice-html.xls"},
		"excel95": {"x10-excel95.xls"},
	}
	for _, k := range []string{"xlsx", "xls", "ods", "html", "excel95"} {
		if *offline {
			for _, n := range officeNames[k] {
				b, err := os.ReadFile(filepath.Join(dir, n))
				if err != nil {
					fmt.Fprintf(os.Stderr, "gen: -offline: %s is missing; run without -offline (needs soffice and ssconvert)\n", n)
					os.Exit(1)
				}
				add(n, b)
			}
			continue
		}
		got, err := office[k]()
		if err != nil {
			fmt.Fprintf(os.Stderr, "gen: %s: %v\n", k, err)
			os.Exit(1)
		}
		for n, b := range got {
			add(n, b)
		}
	}

	// Write, and remove what is no longer made.
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	total := 0
	for _, n := range names {
		must(os.WriteFile(filepath.Join(dir, n), files[n], 0o644))
		total += len(files[n])
		fmt.Printf("%8d  %s\n", len(files[n]), n)
	}
	ents, err := os.ReadDir(dir)
	must(err)
	for _, e := range ents {
		if _, ok := files[e.Name()]; !ok && !e.IsDir() {
			fmt.Printf("removing %s (no longer made)\n", e.Name())
			must(os.Remove(filepath.Join(dir, e.Name())))
		}
	}
	fmt.Printf("%d files, %d bytes\n", len(names), total)
}

// goFiles makes the files Go writes (everything but the office-made ones),
// by name. Its output depends only on the code and the committed inputs
// under root (the .xls test files it copies): gen_test.go holds it equal
// to the committed corpus.
func goFiles(root string) (map[string][]byte, error) {
	files := map[string][]byte{}
	add := func(name string, b []byte) {
		if _, dup := files[name]; dup {
			panic("two files named " + name)
		}
		files[name] = b
	}
	tpl := t01()
	for name, f := range map[string]func() []byte{
		"y01-2024-pre-reform-ward.xlsx": y01, "y02-last-years-workbook.xlsx": y02,
		"l01-title-block-table-at-C9.xlsx": l01, "l02-four-sheets-form-on-third.xlsx": l02,
		"l03-title-names-another-provinces-commune.xlsx": l03,
		"h01-one-header-row-cong.xlsx":                   h01, "h02-two-header-rows-rate.xlsx": h02, "h03-three-header-rows-sl-tyle.xlsx": h03,
		"h04-wording-abbreviations.xlsx": h04, "h05-header-line-breaks.xlsx": h05,
		"r01-roman-group-rows.xlsx": r01, "r02-roman-stt.xlsx": r02,
		"s01-totals-on-top.xlsx": s01, "s02-toan-xa-mismatch.xlsx": s02, "s03-subtotals-cum.xlsx": s03, "s04-subtotal-wrong.xlsx": s04,
		"p01-rate-wrong.xlsx": p01, "p03-rate-vn-text-percent.xlsx": p03,
		"f01-signature-blank-rows.xlsx": f01, "f03-formulas-no-results.xlsx": f03,
		"n01-numbers-as-vn-text.xlsx": n01, "n02-en-us-number-format.xlsx": n02, "n03-en-us.csv": n03, "n04-fractional-count.csv": n04, "n06-digits-across-line-breaks.csv": n06,
		"c01-utf8-bom-semicolon.csv": c01, "c02-utf8-comma.csv": c02, "c03-unicode-text-utf16.txt": c03,
		"c04-windows-1258.csv": c04, "c05-multiline-invisible.csv": c05, "c06-tcvn3-glyphs-utf8.csv": c06, "c07-vni-ansi.csv": c07,
		"e01-vntime.xlsx": e01, "e02-vni-times.xlsx": e02, "e05-default-font-vntime.xlsx": e05,
		"m01-merged-data-cell.xlsx": m01,
		"x03-zip-bomb.xlsx":         x03, "x14-zip-bomb-under-limit.xlsx": x14, "x15-huge-cell-text.xlsx": x15, "x16-huge-attribute.xlsx": x16, "x04-million-empty-rows.xlsx": x04, "x05-photo-renamed.xlsx": x05,
		"x09-title-only.xlsx": x09, "x11-household-list-oversize.csv": x11, "x12-word-report.docx": x12,
	} {
		add(name, f())
	}
	add("t01-template-filled.xlsx", tpl)
	add("x01-truncated.xlsx", x01(tpl))
	add("x02-corrupt-zip.xlsx", x02(tpl))
	add("x06-empty.xlsx", []byte{})
	enc97, err := os.ReadFile(filepath.Join(root, "pipeline", "workbook", "testdata", "xls", "encrypted.xls"))
	if err != nil {
		return nil, err
	}
	add("x08-password-97.xls", enc97)
	velvet, err := os.ReadFile(filepath.Join(root, "pipeline", "workbook", "testdata", "xls", "velvetsweatshop.xls"))
	if err != nil {
		return nil, err
	}
	add("x17-default-password-97.xls", velvet)

	return files, nil
}

// moduleRoot finds the directory of go.mod above the working directory.
func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/xhht/xhht") {
			return d, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return "", fmt.Errorf("no go.mod of github.com/xhht/xhht above the working directory")
		}
		d = up
	}
}
