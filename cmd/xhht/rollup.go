package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
	"github.com/xhht/xhht/pipeline/storage/s3store"
)

func s3Flags(fs *flag.FlagSet) (url, endpoint *string) {
	url = fs.String("s3", "", "lake in S3 instead of --lake, `s3://bucket/prefix` (credentials and region from the usual AWS environment)")
	endpoint = fs.String("endpoint", "", "with --s3: an S3-compatible endpoint `URL`, e.g. http://127.0.0.1:7070 (path-style)")
	return url, endpoint
}

// s3Lake opens s3://bucket/prefix as a lake store.
func s3Lake(ctx context.Context, url, endpoint string) (storage.Store, error) {
	rest, ok := strings.CutPrefix(url, "s3://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	if !ok || bucket == "" {
		return nil, usageError{fmt.Sprintf("--s3 %q: cần dạng s3://bucket/prefix (want s3://bucket/prefix)", url)}
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	client, err := s3store.NewClient(ctx, s3store.Options{Endpoint: endpoint, PathStyle: endpoint != ""})
	if err != nil {
		return nil, err
	}
	return s3store.New(client, bucket, prefix), nil
}

func cmdRollup(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newCommand("rollup", Help{
		Usage:   "xhht rollup --year NĂM [--province MÃ_TỈNH] [--units 2025 | --approved-only [--out DIR]] [--lake DIR | --s3 s3://bucket/prefix] [-v]",
		Summary: "tổng hợp thôn → xã → (huyện) → tỉnh → cả nước bằng DuckDB, ghi vào rollups/ của kho; nếu năm sau đã được tổng hợp thì tổng hợp lại cả năm sau (tỷ lệ năm trước) (roll the lake up, and the following year when it has a roll-up)",
		Details: `--approved-only: chỉ tính số liệu tỉnh đã duyệt, như báo cáo "đã duyệt" (count only approved data, as the
  approved-only report does). Không thay đổi bản tổng hợp đang dùng trong kho (trang của tỉnh, xhht query):
  ghi một bản riêng vào --out (the live roll-up is untouched; the snapshot goes to --out, default
  xhht-data/da-duyet/NĂM/tinh-MÃ_TỈNH), đọc bằng xhht query --snapshot DIR.
  Cột năm trước (*_nam_truoc, *_thay_doi) của tỉnh, huyện là của chính các xã đã duyệt năm nay (last year's
  province/district columns are those of the same approved communes, not the whole unit's).
--units 2025: năm 2024 quy đổi theo các xã sau sáp nhập, để so sánh năm 2025 với năm 2024. Khi tổng hợp năm
  2025 mà chưa có bản quy đổi này, hoặc năm 2024 vừa thay đổi, chương trình tự tổng hợp nó trước (a 2025
  roll-up builds it first when it is missing, or after 2024 changed).`,
		Examples: []string{
			"xhht rollup --year 2026 --province 19",
			"xhht rollup --year 2024 --units 2025   # năm 2024 quy đổi theo các xã sau sáp nhập 2025",
			`xhht rollup --year 2026 --province 19 --approved-only && xhht query --snapshot xhht-data/da-duyet/2026/tinh-19 "SELECT ty_le_ho_dat FROM provinces"`,
		},
	})
	lake := fs.String("lake", defaultLake, "lake directory `DIR`")
	year := fs.Int("year", 0, "reporting year `NĂM` (required)")
	province := fs.String("province", "", "province code `MÃ_TỈNH`; empty = every province")
	units := fs.String("units", "", "re-base a pre-2025 year on a newer register, `NĂM` e.g. 2025")
	approvedOnly := fs.Bool("approved-only", false, "count only the data the province approved; writes a separate snapshot to --out, not the lake's roll-up")
	out := fs.String("out", "", "with --approved-only: snapshot directory `DIR` (default xhht-data/da-duyet/NĂM/tinh-MÃ_TỈNH, …/all without --province)")
	s3url, endpoint := s3Flags(fs)
	verbose := fs.Bool("v", false, "log each step's time to stderr")
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if *out != "" && !*approvedOnly {
		return exitUsage, usageError{"rollup: --out chỉ dùng với --approved-only (--out needs --approved-only; the live roll-up goes into the lake)"}
	}
	if *approvedOnly && *units != "" {
		return exitUsage, usageError{"rollup: --approved-only không dùng được với --units: năm trước 2025 không có duyệt (years before the reform have no reviews)"}
	}
	log := quietLog
	if *verbose {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if *year == 0 {
		return exitUsage, usageError{"rollup: thiếu --year (--year is required)"}
	}
	if fs.NArg() > 0 {
		return exitUsage, usageError{fmt.Sprintf("rollup: thừa đối số %q (unexpected arguments; the province is --province)", fs.Args())}
	}
	if err := checkRollupArgs(*year, *province, *units); err != nil {
		return exitRuntime, err
	}
	var store storage.Store = local.New(*lake)
	if *s3url == "" {
		if err := needLake(*lake); err != nil {
			return exitRuntime, err
		}
		if err := checkLakeSynced(*lake); err != nil {
			return exitRuntime, err
		}
	}
	if *s3url != "" {
		var err error
		if store, err = s3Lake(ctx, *s3url, *endpoint); err != nil {
			return exitRuntime, err
		}
		*lake = *s3url
	}
	if *approvedOnly {
		return approvedSnapshot(ctx, stdout, store, *year, *province, *out, log)
	}
	// The following year's roll-up carries this year's rates (last
	// year's, there): it is rebuilt too when it exists.
	res, next, err := rollup.BuildKeepingNextYear(ctx, rollup.Options{Lake: store, Year: *year, Province: *province, Units: *units, Log: log})
	if res == nil {
		return exitRuntime, err
	}
	printBuild(stdout, res, *lake)
	if next != nil {
		fmt.Fprintf(stdout, "Tổng hợp lại năm %d (tỷ lệ năm trước đã thay đổi): %d tỉnh, %d ms\n", *year+1, len(next.Provinces), next.Elapsed.Milliseconds())
	}
	if err != nil {
		return exitRuntime, err
	}
	return exitOK, nil
}

// checkRollupArgs refuses, as a usage error (exit 2), the year, province
// and --units that rollup.Build would refuse: the same rules, checked
// before any work so that a mistyped argument is not a runtime failure.
func checkRollupArgs(year int, province, units string) error {
	reg, err := registry.Load()
	if err != nil {
		return err
	}
	ver := reg.ForYear(year)
	if ver == nil || year < 2000 || year > 2100 {
		return usageError{fmt.Sprintf("rollup: không có danh mục đơn vị hành chính cho năm %d (no register for year %d)", year, year)}
	}
	target := ver
	if units != "" && units != ver.Name {
		if target = reg.ByName(units); target == nil {
			return usageError{fmt.Sprintf("rollup: --units %q: không có danh mục này (unknown register; pre2025, 2025, 2026-04)", units)}
		}
		if !ver.HasDistricts() || target.HasDistricts() {
			return usageError{fmt.Sprintf("rollup: --units chỉ quy đổi một năm trước 2025 sang danh mục sau sáp nhập (re-basing goes from a pre-2025 year to a post-reform register; %d uses %s, --units %s)", year, ver.Name, units)}
		}
	}
	if province != "" {
		if _, ok := target.Provinces[province]; !ok {
			return usageError{fmt.Sprintf("rollup: không có tỉnh mã %q trong danh mục %s (province %q is not in the %s register)", province, target.Name, province, target.Name)}
		}
	}
	return nil
}

// checkProvince refuses, as a usage error, a province code that is not in
// the register of the year (the report and the reminders are per province).
func checkProvince(cmd string, year int, province string) error {
	reg, err := registry.Load()
	if err != nil {
		return err
	}
	ver := reg.ForYear(year)
	if ver == nil {
		return usageError{fmt.Sprintf("%s: không có danh mục đơn vị hành chính cho năm %d (no register for year %d)", cmd, year, year)}
	}
	if _, ok := ver.Provinces[province]; !ok {
		return usageError{fmt.Sprintf("%s: không có tỉnh mã %q trong danh mục %s (province %q is not in the %s register of %d)", cmd, province, ver.Name, province, ver.Name, year)}
	}
	return nil
}

func printBuild(w io.Writer, res *rollup.Result, lake string) {
	if r := res.RebasedLastYear; r != nil {
		// Built first, because it was missing (finding L-L): the
		// year-on-year flags across the 2025 reform compare with it.
		fmt.Fprintf(w, "Tổng hợp năm trước quy đổi sang đơn vị hành chính mới (để so sánh với năm trước): %d tỉnh, %d bản nộp, %d ms\n",
			len(r.Provinces), r.Inputs, r.Elapsed.Milliseconds())
	}
	fmt.Fprintf(w, "Tổng hợp %s: %d tỉnh, %d bản nộp được tính, %d ms", res.BuildID, len(res.Provinces), res.Inputs, res.Elapsed.Milliseconds())
	if res.Nation {
		fmt.Fprint(w, ", cả nước")
	}
	fmt.Fprintln(w)
	if len(res.Stale) > 0 {
		fmt.Fprintf(w, "Bỏ qua (đã có lần tổng hợp mới hơn): %s\n", strings.Join(res.Stale, ", "))
	}
	if len(res.NotRebased) > 0 {
		fmt.Fprintf(w, "%d xã cũ bị chia tách chưa quy đổi được (cần phân bổ thôn trong schemas/%s):\n", len(res.NotRebased), rollup.HamletAssignmentFile)
		for i, n := range res.NotRebased {
			if i == 10 {
				fmt.Fprintf(w, "  … và %d xã khác\n", len(res.NotRebased)-10)
				break
			}
			fmt.Fprintf(w, "  %s %s → %s (%d thôn)\n", n.OldCode, n.OldName, strings.Join(n.NewCodes, ", "), n.Hamlets)
		}
	}
	if strings.HasPrefix(lake, "s3://") {
		fmt.Fprintf(w, "Kết quả: %s/rollups   (xhht query --s3 %s \"SELECT * FROM provinces\")\n", strings.TrimSuffix(lake, "/"), lake)
		return
	}
	fmt.Fprintf(w, "Kết quả: %s/rollups   (xhht query --lake %s \"SELECT * FROM provinces\")\n", abs(lake), lake)
}

// needLake refuses a lake directory that does not exist: a mistyped
// --lake must not read as "nothing submitted anywhere".
func needLake(dir string) error {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usageError{fmt.Sprintf("không có kho dữ liệu %s (no lake directory %s)", dir, dir)}
	}
	return nil
}

// approvedSnapshot builds the approved-only roll-up as the approved-only
// report does (rollup.Options.ApprovedOnly with OutDir): a snapshot of
// Parquet files in out, never the lake's live roll-up or its manifests,
// which the province's pages and xhht query read. It is built beside out
// and swapped in, so out holds one whole snapshot; an existing out that is
// not a snapshot is refused rather than replaced.
func approvedSnapshot(ctx context.Context, stdout io.Writer, store storage.Store, year int, province, out string, log *slog.Logger) (int, error) {
	if out == "" {
		p := "all"
		if province != "" {
			p = "tinh-" + province // a local folder, not a lake partition
		}
		out = filepath.Join("xhht-data", "da-duyet", strconv.Itoa(year), p)
	}
	if ents, err := os.ReadDir(out); err == nil && len(ents) > 0 {
		if _, err := os.Stat(filepath.Join(out, rollup.Communes+".parquet")); err != nil {
			return exitUsage, usageError{fmt.Sprintf("rollup: %s đã có tệp khác, không phải bản tổng hợp: không ghi đè (%s is not an earlier snapshot; choose another --out)", out, out)}
		}
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return exitRuntime, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+"-")
	if err != nil {
		return exitRuntime, err
	}
	defer os.RemoveAll(tmp)
	res, err := rollup.Build(ctx, rollup.Options{Lake: store, Year: year, Province: province, ApprovedOnly: true,
		OutDir: filepath.Join(tmp, "snapshot"), WorkDir: filepath.Join(tmp, "work"), Log: log})
	if err != nil {
		return exitRuntime, err
	}
	old := filepath.Join(tmp, "old")
	if _, err := os.Stat(out); err == nil {
		if err := os.Rename(out, old); err != nil {
			return exitRuntime, err
		}
	}
	if err := os.Rename(filepath.Join(tmp, "snapshot"), out); err != nil {
		return exitRuntime, err
	}
	fmt.Fprintf(stdout, "Tổng hợp chỉ số liệu đã duyệt năm %d: %d bản nộp được tính, %d ms (bản tổng hợp đang dùng trong kho không đổi)\n",
		year, res.Inputs, res.Elapsed.Milliseconds())
	fmt.Fprintf(stdout, "Kết quả: %s   (xhht query --snapshot %s \"SELECT * FROM provinces\")\n", abs(out), out)
	return exitOK, nil
}
