// Package artifact checks the deployable zips `make package` builds: their
// size against the targets, that the roll-up and report binaries are
// statically linked (so the provided.al2023 runtime's glibc cannot break
// them) and that the ingest and portal binaries have no cgo. It depends on the standard
// library only, so `make package` runs it without compiling the pipeline.
package artifact

import (
	"archive/zip"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
)

// MB is a megabyte: the targets are decimal, as the issue states them.
const MB = 1_000_000

// Target is what one function's zip must satisfy.
type Target struct {
	Name     string // function: functions/<Name>, build/<Name>.zip
	MaxBytes int64  // the zip's size limit
	Static   bool   // cgo binary that must be linked fully static
	Arch     elf.Machine
}

// Targets are the size targets: the ingest zip under 15 MB, the
// roll-up and report (DuckDB inside) under 40 MB each.
var Targets = []Target{
	{Name: "ingest", MaxBytes: 15 * MB, Arch: elf.EM_AARCH64},
	{Name: "rollup", MaxBytes: 40 * MB, Static: true, Arch: elf.EM_X86_64},
	{Name: "report", MaxBytes: 40 * MB, Static: true, Arch: elf.EM_X86_64},
	// The portal links ingest, the marked workbook writer and its pages:
	// the ingest target, for the same reasons (a small zip starts fast).
	{Name: "portal", MaxBytes: 15 * MB, Arch: elf.EM_AARCH64},
}

// TargetFor returns the target of a function.
func TargetFor(name string) (Target, bool) {
	for _, t := range Targets {
		if t.Name == name {
			return t, true
		}
	}
	return Target{}, false
}

// Report is what Check found.
type Report struct {
	ZipBytes, BinaryBytes int64
}

// Check checks the zip at path against t: its size, that it holds exactly
// an executable "bootstrap", the binary's architecture, and static linking
// (t.Static) or no cgo (otherwise). binDir receives the extracted binary.
func Check(t Target, path, binDir string) (Report, error) {
	var r Report
	st, err := os.Stat(path)
	if err != nil {
		return r, err
	}
	r.ZipBytes = st.Size()
	var errs []error
	if r.ZipBytes >= t.MaxBytes {
		errs = append(errs, fmt.Errorf("%s: %.1f MB, target under %d MB", path, float64(r.ZipBytes)/MB, t.MaxBytes/MB))
	}
	bin, n, err := extractBootstrap(path, binDir)
	if err != nil {
		return r, errors.Join(append(errs, err)...)
	}
	r.BinaryBytes = n
	if t.Static {
		err = CheckStatic(bin)
	} else {
		err = CheckNoCgo(bin)
	}
	if err != nil {
		errs = append(errs, err)
	}
	if err := checkArch(bin, t.Arch); err != nil {
		errs = append(errs, err)
	}
	return r, errors.Join(errs...)
}

// extractBootstrap writes the zip's only entry, which must be an
// executable named bootstrap, to dir.
func extractBootstrap(path, dir string) (string, int64, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", 0, err
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
		return "", 0, fmt.Errorf("%s: want exactly one entry named bootstrap", path)
	}
	f := zr.File[0]
	if f.Mode()&0o111 == 0 {
		return "", 0, fmt.Errorf("%s: bootstrap is not executable (mode %v)", path, f.Mode())
	}
	rc, err := f.Open()
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	out, err := os.CreateTemp(dir, "bootstrap-*")
	if err != nil {
		return "", 0, err
	}
	n, err := io.Copy(out, rc)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return out.Name(), n, err
}

// CheckStatic fails when the ELF binary asks for a program interpreter
// (the dynamic loader) or names shared libraries it needs.
func CheckStatic(bin string) error {
	f, err := elf.Open(bin)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s: has a program interpreter (PT_INTERP): dynamically linked", bin)
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return fmt.Errorf("%s: %w", bin, err)
	}
	if len(libs) > 0 {
		return fmt.Errorf("%s: needs shared libraries %v", bin, libs)
	}
	return nil
}

// CheckNoCgo fails unless the Go binary was built with CGO_ENABLED=0.
func CheckNoCgo(bin string) error {
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		return fmt.Errorf("%s: no Go build info: %w", bin, err)
	}
	for _, s := range bi.Settings {
		if s.Key == "CGO_ENABLED" {
			if s.Value != "0" {
				return fmt.Errorf("%s: built with CGO_ENABLED=%s", bin, s.Value)
			}
			return CheckStatic(bin)
		}
	}
	return fmt.Errorf("%s: build info has no CGO_ENABLED setting", bin)
}

func checkArch(bin string, want elf.Machine) error {
	f, err := elf.Open(bin)
	if err != nil {
		return err
	}
	defer f.Close()
	if f.Machine != want {
		return fmt.Errorf("%s: %v, want %v", bin, f.Machine, want)
	}
	return nil
}
