package main

import (
	"bytes"
	"strings"
	"testing"
)

// The lines GNU ld 2.40 printed for `make package-rollup` (DuckDB 1.5.x,
// duckdb-go-bindings v0.10505.0), shortened in the middle of the C++ names.
const ldOutput = "# github.com/xhht/xhht/functions/rollup\n" +
	"/usr/bin/ld: /root/go/pkg/mod/github.com/duckdb/duckdb-go-bindings/lib/linux-amd64@v0.10505.0/libduckdb_static.a(extension_load.cpp.o): in function `duckdb::ExtensionHelper::TryInitialLoad(duckdb::DatabaseInstance&)':\n" +
	"extension_load.cpp:(.text+0x5394): warning: Using 'dlopen' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n" +
	"/usr/bin/ld: /root/go/pkg/mod/github.com/duckdb/duckdb-go-bindings/lib/linux-amd64@v0.10505.0/libduckdb_static.a(ub_duckdb_common.cpp.o): in function `duckdb::LocalFileSystem::OpenFile(std::string const&)':\n" +
	"ub_duckdb_common.cpp:(.text+0x55b85): warning: Using 'getpwuid' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n" +
	"/usr/bin/ld: /root/go/pkg/mod/github.com/duckdb/duckdb-go-bindings/lib/linux-amd64@v0.10505.0/libduckdb_static.a(ub_duckdb_common_http.cpp.o): in function `duckdb_httplib::detail::create_client_socket(int)::{lambda(int, addrinfo&, bool&)#1}::operator()(int, addrinfo&, bool&) const':\n" +
	"ub_duckdb_common_http.cpp:(.text._ZZN14duckdb_httplib+0x301): warning: Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"

func TestFilter(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
	}{
		{"the three known warnings", ldOutput,
			"rollup: 3 known linker warnings not shown (DuckDB's static library uses dlopen, getpwuid, getaddrinfo; this function never calls them: no extension loaded, DuckDB's home set, no URL opened; see the Makefile)\n"},
		{"nothing", "", ""},
		{"another warning stays, with its location and heading",
			ldOutput + "/usr/bin/ld: /x/libduckdb_static.a(y.cpp.o): in function `f()':\n" +
				"y.cpp:(.text+0x1): warning: Using 'getpwnam' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n",
			"# github.com/xhht/xhht/functions/rollup\n" +
				"/usr/bin/ld: /x/libduckdb_static.a(y.cpp.o): in function `f()':\n" +
				"y.cpp:(.text+0x1): warning: Using 'getpwnam' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n" +
				"rollup: 3 known linker warnings not shown (DuckDB's static library uses dlopen, getpwuid, getaddrinfo; this function never calls them: no extension loaded, DuckDB's home set, no URL opened; see the Makefile)\n"},
		{"an error stays", "# github.com/xhht/xhht/functions/report\n/usr/bin/ld: cannot find -lstdc++\ncollect2: error: ld returned 1 exit status\n",
			"# github.com/xhht/xhht/functions/report\n/usr/bin/ld: cannot find -lstdc++\ncollect2: error: ld returned 1 exit status\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := filter(strings.NewReader(tt.in), &out, "rollup"); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", out.String(), tt.want)
			}
		})
	}
}
