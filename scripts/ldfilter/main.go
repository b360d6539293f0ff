// Command ldfilter passes a static cgo build's output through, minus the
// linker warnings known to be harmless for the DuckDB functions, and says
// once how many it held back and why:
//
//	go build … 2>&1 | go run ./scripts/ldfilter rollup
//
// GNU ld warns that DuckDB's static library calls dlopen, getpwuid and
// getaddrinfo, which in a static binary need glibc's shared libraries at
// run time. The roll-up and report functions load no extension (parquet
// and json are built in, autoinstall is off), set DuckDB's home directory
// and open no URL, so those calls are never made (see the Makefile). Any
// other line, another warning included, is printed as it came.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// known is the warning line of each harmless call; it follows a line
// "/usr/bin/ld: …libduckdb_static.a(…): in function `…':" naming where.
var known = regexp.MustCompile(`warning: Using '(dlopen|getpwuid|getaddrinfo)' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking$`)

var where = regexp.MustCompile(`libduckdb_static\.a\([^)]*\): in function `)

func main() {
	name := "build"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	if err := filter(os.Stdin, os.Stdout, name); err != nil {
		fmt.Fprintln(os.Stderr, "ldfilter:", err)
		os.Exit(1)
	}
}

// filter copies in to out without the known warnings (and the lines that
// locate them, and the "# package" heading when nothing else is left under
// it), then writes one line naming what it held back.
func filter(in io.Reader, out io.Writer, name string) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 4<<20) // mangled C++ names make long lines
	var heading, pending string
	var calls []string
	emit := func(line string) {
		if heading != "" {
			fmt.Fprintln(out, heading)
			heading = ""
		}
		fmt.Fprintln(out, line)
	}
	flush := func() {
		if pending != "" {
			emit(pending)
			pending = ""
		}
	}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# "):
			flush()
			heading = line
		case where.MatchString(line):
			flush()
			pending = line
		case known.MatchString(line):
			pending = "" // the warning and the line that located it
			calls = append(calls, known.FindStringSubmatch(line)[1])
		default:
			flush()
			emit(line)
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return err
	}
	if len(calls) > 0 {
		fmt.Fprintf(out, "%s: %d known linker warnings not shown (DuckDB's static library uses %s; this function never calls them: no extension loaded, DuckDB's home set, no URL opened; see the Makefile)\n",
			name, len(calls), strings.Join(calls, ", "))
	}
	return nil
}
