// Command burst measures the deadline evening: every commune of the country
// uploads at once. It writes the demo uploads of every province
// (pipeline/demo), runs `xhht ingest` into a fresh lake and then
// `xhht rollup --year Y` over it, each as its own process, and prints files
// per second, CPU per file, wall time and peak memory of each step.
//
//	go build -o build/xhht ./cmd/xhht && go run ./tests/burst -xhht build/xhht
//
// `make bench-burst` does that. The uploads are written by a child process,
// so this process stays small and the peak memory measured (the children's
// ru_maxrss) is the children's own.
package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/xhht/xhht/pipeline/demo"
	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/storage/local"
)

func main() {
	if len(os.Args) == 4 && os.Args[1] == "gen" {
		year, err := strconv.Atoi(os.Args[3])
		if err == nil {
			err = generate(os.Args[2], year)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "burst gen:", err)
			os.Exit(3)
		}
		return
	}
	xhht := flag.String("xhht", "build/xhht", "the xhht binary to measure")
	dir := flag.String("dir", "", "working directory (default: a new temporary one, removed at the end)")
	year := flag.Int("year", 2026, "reporting year")
	reuse := flag.Bool("reuse", false, "with --dir: keep the uploads already there (written by an earlier run)")
	flag.Parse()
	if err := run(*xhht, *dir, *year, *reuse); err != nil {
		fmt.Fprintln(os.Stderr, "burst:", err)
		os.Exit(3)
	}
}

func run(xhht, dir string, year int, reuse bool) error {
	bin, err := filepath.Abs(xhht)
	if err != nil {
		return err
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "xhht-burst-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	uploads, lake := filepath.Join(dir, "uploads"), filepath.Join(dir, "lake")
	if err := os.RemoveAll(lake); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	t0 := time.Now()
	if _, err := os.Stat(uploads); !reuse || err != nil {
		if _, err := measure(self, "gen", uploads, strconv.Itoa(year)); err != nil {
			return err
		}
	}
	files, bytes := countFiles(uploads)
	fmt.Printf("uploads: %d files, %.1f MB, written in %.1f s (%s)\n", files, float64(bytes)/1e6, time.Since(t0).Seconds(), uploads)
	fmt.Printf("machine: %s/%s, %d CPUs (GOMAXPROCS %d)\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0))

	// Exit 1 is `xhht ingest`'s answer when some upload was rejected (the
	// demo plants rejections on purpose); their receipts are in the lake.
	loadStart := loadavg()
	in, err := measure(bin, "ingest", "--uploads", uploads, "--lake", lake)
	if err != nil {
		return err
	}
	ru, err := measure(bin, "rollup", "--lake", lake, "--year", strconv.Itoa(year))
	if err != nil {
		return err
	}
	fmt.Printf("ingest:  %6.2f s wall, %7.1f files/s, %5.2f ms CPU per file (%.1f s CPU, %.2f cores busy), peak %4.0f MB\n",
		in.wall.Seconds(), float64(files)/in.wall.Seconds(), in.cpu.Seconds()*1000/float64(files),
		in.cpu.Seconds(), in.cpu.Seconds()/in.wall.Seconds(), in.peakMB)
	fmt.Printf("rollup:  %6.2f s wall, %.1f s CPU, peak %4.0f MB (national, first build)\n", ru.wall.Seconds(), ru.cpu.Seconds(), ru.peakMB)
	total := (in.wall + ru.wall).Seconds()
	verdict := "met"
	if total > 20 {
		verdict = "NOT met"
	}
	fmt.Printf("total:   %6.2f s wall (ingest + national roll-up; target ≤ 20 s on 2 cores: %s), %.1f s CPU\n", total, verdict, (in.cpu + ru.cpu).Seconds())
	fmt.Printf("load:    %s at the start of the ingest, %s at the end of the roll-up (1-minute load average; the wall times mean little above ~2)\n", loadStart, loadavg())
	return nil
}

// loadavg is the 1-minute load average ("?" where /proc is absent): the
// machine is shared, and a loaded run's wall times are not the burst's.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

type usage struct {
	wall, cpu time.Duration
	peakMB    float64
}

// measure runs a command with its output discarded (kept for an error) and
// returns its wall time, CPU time (user + system) and peak resident memory.
func measure(name string, args ...string) (usage, error) {
	cmd := exec.Command(name, args...)
	out, err := os.CreateTemp("", "burst-out-")
	if err != nil {
		return usage{}, err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 && args[0] == "ingest" {
		err = nil
	}
	if err != nil {
		tail, _ := os.ReadFile(out.Name())
		if len(tail) > 4000 {
			tail = tail[len(tail)-4000:]
		}
		return usage{}, fmt.Errorf("%s %v: %w\n%s", filepath.Base(name), args, err, tail)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return usage{
		wall:   wall,
		cpu:    time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		peakMB: float64(ru.Maxrss) / 1024, // KiB on Linux
	}, nil
}

func countFiles(dir string) (n int, size int64) {
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n++
				size += fi.Size()
			}
		}
		return nil
	})
	return n, size
}

// generate writes the demo uploads of every province of the year's
// register into dir, each with its upload time, as `xhht run` does for one.
func generate(dir string, year int) error {
	reg, err := registry.Load()
	if err != nil {
		return err
	}
	set, err := forms.Load()
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	store := local.New(dir)
	ctx := context.Background()
	provinces := slices.Sorted(maps.Keys(reg.ForYear(year).Provinces))
	// Provinces in parallel: the uploads are the same whatever the order,
	// and writing them is not what is measured.
	next := make(chan string)
	errs := make(chan error, len(provinces))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for code := range next {
				errs <- writeProvince(ctx, reg, set, store, dir, year, code)
			}
		})
	}
	for _, code := range provinces {
		next <- code
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func writeProvince(ctx context.Context, reg *registry.Registry, set *forms.Set, store *local.Store, dir string, year int, code string) error {
	plan, err := demo.NewPlan(reg, year, code)
	if err != nil {
		return err
	}
	for _, f := range plan.Files {
		b, err := demo.Render(f, plan, set)
		if err != nil {
			return err
		}
		if err := store.Put(ctx, f.Key, b, ""); err != nil {
			return err
		}
		if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(f.Key)), f.ReceivedAt, f.ReceivedAt); err != nil {
			return err
		}
	}
	return nil
}
