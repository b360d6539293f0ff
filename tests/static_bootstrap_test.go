package tests

// Builds of the cgo functions (roll-up, report: DuckDB) as `make package`
// makes them, shared by the tests of one run: linking DuckDB's static
// archive takes tens of seconds per build, and the Runtime API stand-in
// tests and the emulator tests run the same binary.

import (
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain removes the shared builds after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	staticBuilds.mu.Lock()
	if staticBuilds.dir != "" {
		_ = os.RemoveAll(staticBuilds.dir)
	}
	staticBuilds.mu.Unlock()
	os.Exit(code)
}

var staticBuilds struct {
	mu   sync.Mutex
	dir  string            // made on first use, removed by TestMain
	bins map[string]string // pkg + " " + goarch → bootstrap
}

// staticBootstrap builds a cgo function (./functions/rollup or
// ./functions/report) exactly as `make package` does: cgo, fully static,
// linux/goarch (the host's: the DuckDB archives of another architecture
// do not link static: see package-rollup in the Makefile), once per test
// run. GOFLAGS from the environment are kept
// (e.g. -modfile), with -buildvcs=false added.
func staticBootstrap(t *testing.T, pkg, goarch string) string {
	t.Helper()
	staticBuilds.mu.Lock()
	defer staticBuilds.mu.Unlock()
	key := pkg + " " + goarch
	if bin, ok := staticBuilds.bins[key]; ok {
		return bin
	}
	if staticBuilds.dir == "" {
		dir, err := os.MkdirTemp("", "xhht-static-bootstraps-")
		if err != nil {
			t.Fatal(err)
		}
		staticBuilds.dir, staticBuilds.bins = dir, map[string]string{}
	}
	out := filepath.Join(staticBuilds.dir, strings.NewReplacer("/", "_", ".", "_").Replace(pkg)+"-"+goarch, "bootstrap")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "CGO_ENABLED=1", "GOOS=linux", "GOARCH="+goarch,
		"GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -buildvcs=false"))
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc,netgo,osusergo", "-trimpath",
		"-ldflags", "-s -w -linkmode external -extldflags -static", "-o", out, pkg)
	cmd.Dir = lambdaModuleRoot(t)
	cmd.Env = env
	start := time.Now()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s (static, cgo, linux/%s): %v\n%s", pkg, goarch, err, b)
	}
	st, _ := os.Stat(out)
	t.Logf("static %s bootstrap linux/%s built in %v: %.1f MB", pkg, goarch, time.Since(start).Round(time.Second), float64(st.Size())/1e6)
	staticBuilds.bins[key] = out
	return out
}

// elfMachines are the ELF machine of each GOARCH the functions are built for.
var elfMachines = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}

// checkStaticArch asserts bin is an executable for goarch with no
// interpreter and no dynamic section: nothing is needed from the
// runtime's libraries.
func checkStaticArch(t *testing.T, bin, goarch string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elfMachines[goarch] {
		t.Errorf("%s: machine %v, want %v", bin, f.Machine, elfMachines[goarch])
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s is not static: has %v", bin, p.Type)
		}
	}
}
