package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/hamlet"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/storage/local"
	"github.com/xhht/xhht/pipeline/template"
)

// cmdTemplate writes a commune's blank form for a year, with the hamlets of
// its earlier accepted submissions already listed.
func cmdTemplate(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newCommand("template", Help{
		Usage:   "xhht template --commune MÃ_XÃ --year NĂM [-o FILE.xlsx] [--force] [--lake DIR]",
		Summary: "tạo biểu mẫu trống (.xlsx) của một xã, điền sẵn các thôn đã nộp năm trước (write a commune's blank form)",
		Examples: []string{
			"xhht template --commune 05443 --year 2026                 # ghi bieu-mau-05443-2026.xlsx",
			"xhht template --commune 05443 --year 2026 -o bieu-mau.xlsx --force",
		},
	})
	code := fs.String("commune", "", "commune code `MÃ_XÃ`, 5 digits, of the year's register (required)")
	year := fs.Int("year", 0, "reporting year `NĂM` (required)")
	out := fs.String("o", "", "output `FILE.xlsx` (default bieu-mau-<commune>-<year>.xlsx)")
	lakeDir := fs.String("lake", defaultLake, "lake directory `DIR` (earlier submissions, for the hamlet list)")
	force := fs.Bool("force", false, "overwrite an existing output file")
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() > 0 {
		return exitUsage, usageError{fmt.Sprintf("template: đối số thừa %q (unexpected argument)", fs.Arg(0))}
	}
	if *code == "" || *year == 0 {
		return exitUsage, usageError{"template cần --commune và --year (needs --commune and --year)"}
	}
	if len(*code) != 5 || strings.IndexFunc(*code, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return exitUsage, usageError{fmt.Sprintf("template: mã xã %q phải gồm 5 chữ số, ví dụ 01864 (commune code must be 5 digits)", *code)}
	}
	if last := time.Now().Year() + 1; *year < lake.FirstYear || *year > last {
		return exitUsage, usageError{fmt.Sprintf("template: năm báo cáo %d ngoài khoảng %d–%d (year out of range)", *year, lake.FirstYear, last)}
	}
	path := *out
	if path == "" {
		path = template.DefaultFileName(*code, *year)
	}
	if !strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return exitUsage, usageError{fmt.Sprintf("template: tệp ra %q phải có đuôi .xlsx (the form is an .xlsx workbook)", path)}
	}
	if _, err := os.Stat(path); err == nil && !*force {
		// It may be a form an official has already filled in.
		return exitUsage, usageError{fmt.Sprintf("tệp %s đã có; không ghi đè (dùng --force để ghi đè) (file exists; use --force to overwrite)", path)}
	}

	reg, err := registry.Load()
	if err != nil {
		return exitRuntime, err
	}
	set, err := forms.Load()
	if err != nil {
		return exitRuntime, err
	}
	opts, err := templateOptions(reg, set, *code, *year)
	if err != nil {
		return exitRuntime, err
	}
	known, err := hamlet.Known(ctx, local.New(*lakeDir), *year, opts.Province.Code, *code, time.Now().UTC())
	if err != nil {
		return exitRuntime, fmt.Errorf("đọc danh sách thôn đã nộp (read known hamlets): %w", err)
	}
	opts.Hamlets = hamlet.FormHamlets(known)

	var buf bytes.Buffer
	if err := template.Write(&buf, opts); err != nil {
		return exitRuntime, err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return exitRuntime, fmt.Errorf("tạo thư mục (create directory): %w", err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return exitRuntime, fmt.Errorf("ghi tệp (write file): %w", err)
	}
	fmt.Fprintln(stdout, path)
	return exitOK, nil
}

// templateOptions finds the commune, its province and (before 2025) its
// district in the register of the year. An unknown code gets the same
// explanation as an upload under it would.
func templateOptions(reg *registry.Registry, set *forms.Set, code string, year int) (template.Options, error) {
	v := reg.ForYear(year)
	if v == nil {
		return template.Options{}, usageError{fmt.Sprintf("không có danh mục đơn vị hành chính cho năm %d (no register for %d)", year, year)}
	}
	c := v.Communes[code]
	if c == nil {
		msg := fmt.Sprintf("mã xã %s không có trong danh mục đơn vị hành chính năm %d", code, year)
		if hint, _ := reg.ReformHint(code, year); hint != "" {
			msg += ". " + strings.TrimSuffix(hint, ".") + ". Hãy tạo biểu theo mã xã mới"
		}
		return template.Options{}, usageError{fmt.Sprintf("%s (commune %s is not in the %d register)", msg, code, year)}
	}
	prov := v.Provinces[c.ProvinceCode]
	if prov == nil {
		return template.Options{}, fmt.Errorf("không tìm thấy tỉnh mã %s của %s (province %s missing from the register)", c.ProvinceCode, c.Name, c.ProvinceCode)
	}
	o := template.Options{Forms: set, Year: year, Commune: c, Province: prov, BlankRows: template.DefaultBlankRows}
	if c.DistrictCode != "" {
		o.District = v.Districts[c.DistrictCode]
	}
	return o, nil
}
