package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/demo"
	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// cmdRun is `make run`: generate a province's uploads into the uploads
// directory, process each one exactly as the Lambda does, and summarise.
func cmdRun(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newCommand("run", Help{
		Usage:   "xhht run [--dir DIR] [--province 19] [--year 2026]",
		Summary: "bản chạy thử (demo, make run): sinh tệp nộp mẫu cho cả tỉnh, xử lý như Lambda, tổng hợp, viết hai báo cáo",
		Details: "Ghi (writes) DIR/uploads, DIR/lake, DIR/reports. Chạy lại cho cùng kết quả (running it again changes nothing).",
		Examples: []string{
			"xhht run                       # Thái Nguyên (19), năm 2026, vào xhht-data/",
			"xhht run --dir /tmp/demo --year 2025",
		},
	})
	dir := fs.String("dir", "xhht-data", "working directory `DIR`: uploads/, lake/ and reports/ go here")
	province := fs.String("province", "19", "province code `MÃ_TỈNH` (2025 register)")
	year := fs.Int("year", 2026, "reporting year `NĂM`")
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if last := time.Now().Year() + 1; *year < lake.FirstYear || *year > last {
		return exitUsage, usageError{fmt.Sprintf("run: năm %d ngoài khoảng %d–%d (year out of range)", *year, lake.FirstYear, last)}
	}
	uploadsDir, lakeDir := filepath.Join(*dir, "uploads"), filepath.Join(*dir, "lake")
	p, err := ingest.New(local.New(uploadsDir), local.New(lakeDir))
	if err != nil {
		return exitRuntime, err
	}
	plan, err := demo.NewPlan(p.Registry, *year, *province)
	if err != nil {
		return exitUsage, usageError{err.Error()}
	}
	fmt.Fprintf(stdout, "Sinh dữ liệu mẫu: %s, năm %d — %d xã, %d tệp nộp, %d xã chưa nộp\n",
		plan.Province.Name, *year, len(plan.Files)+len(plan.Missing)-countFixes(plan), len(plan.Files), len(plan.Missing))
	var keys []string
	for _, f := range plan.Files {
		b, err := demo.Render(f, plan, p.Forms)
		if err != nil {
			return exitRuntime, err
		}
		if err := p.Uploads.Put(ctx, f.Key, b, ""); err != nil {
			return exitRuntime, err
		}
		// The upload time is the object's time: set it as S3 would have.
		if err := os.Chtimes(filepath.Join(uploadsDir, filepath.FromSlash(f.Key)), f.ReceivedAt, f.ReceivedAt); err != nil {
			return exitRuntime, fmt.Errorf("set upload time: %w", err)
		}
		keys = append(keys, f.Key)
	}
	// Process in upload order, as the events would arrive.
	sort.SliceStable(keys, func(i, j int) bool { return receivedAt(plan, keys[i]).Before(receivedAt(plan, keys[j])) })
	rcs, err := ingestKeys(ctx, p, keys)
	if err != nil {
		return exitRuntime, err
	}
	printRunSummary(stdout, plan, rcs)
	if err := rollupAndPrint(ctx, stdout, lakeDir, *province, *year); err != nil {
		return exitRuntime, fmt.Errorf("roll-up: %w", err)
	}
	fmt.Fprintf(stdout, "\nBáo cáo theo hạn (chỉ tính các tệp nhận trước 00:00 ngày hạn, giờ Việt Nam):\n")
	for _, dl := range []string{"12-01", "12-15"} {
		paths, err := writeReport(ctx, lakeDir, dl, *year, *province, filepath.Join(*dir, "reports"))
		if err != nil {
			return exitRuntime, fmt.Errorf("report %s: %w", dl, err)
		}
		for _, p := range paths {
			fmt.Fprintf(stdout, "  %s\n", abs(p))
		}
	}
	fmt.Fprintf(stdout, "\nTệp nộp (uploads):        %s\n", abs(uploadsDir))
	fmt.Fprintf(stdout, "Dữ liệu Parquet:          %s\n", abs(filepath.Join(lakeDir, lake.SubmissionsPrefix)))
	fmt.Fprintf(stdout, "Biên nhận (receipts):     %s\n", abs(filepath.Join(lakeDir, lake.ReceiptsPrefix)))
	fmt.Fprintf(stdout, "Kiểm tra một tệp:         build/xhht validate --key %s %s   (make build)\n", keys[0], filepath.Join(uploadsDir, filepath.FromSlash(keys[0])))
	printPortal(ctx, stdout, lakeDir, uploadsDir, *dir, plan, *year)
	return exitOK, nil
}

// printPortal ends the demo with how to open the commune portal: a fresh
// access code for one demo commune (its previous demo code stops working).
func printPortal(ctx context.Context, w io.Writer, lakeDir, uploadsDir, dir string, plan *demo.Plan, year int) {
	if len(plan.Files) == 0 {
		return
	}
	c := plan.Files[0].Commune
	is, err := access.IssueOne(ctx, local.New(lakeDir), year, c.Code, time.Now())
	if err != nil {
		fmt.Fprintf(w, "\nCổng nộp báo cáo: không tạo được mã thử (%v)\n", err)
		return
	}
	cmd := "build/xhht serve"
	if dir != "xhht-data" {
		cmd += " --uploads " + uploadsDir + " --lake " + lakeDir
	}
	fmt.Fprintf(w, "\nCổng nộp báo cáo cho xã (commune portal):\n")
	fmt.Fprintf(w, "  %s      (make build; hoặc go run ./cmd/xhht serve)\n", cmd)
	fmt.Fprintf(w, "  mở http://127.0.0.1:8080/ và nhập mã truy cập: %s\n", is.Code)
	fmt.Fprintf(w, "  (mã thử của %s, %s, năm %d; hết hạn %s)\n", is.Grant.CommuneName, is.Grant.ProvinceName, year,
		is.Grant.ExpiresAt.In(deadlines.ICT).Format("02/01/2006"))
	// The province's side (issue 15): a reviewer code of the same province.
	pr, err := access.Reissue(ctx, local.New(lakeDir), access.ReissueOptions{Year: year, Province: c.ProvinceCode, Reviewer: "01", Now: time.Now()})
	if err != nil {
		fmt.Fprintf(w, "Bảng theo dõi của tỉnh: không tạo được mã thử (%v)\n", err)
		return
	}
	fmt.Fprintf(w, "  bảng theo dõi, duyệt số liệu của tỉnh (province board): cùng địa chỉ, mã cấp tỉnh: %s\n", pr.Code)
}

func countFixes(plan *demo.Plan) int {
	n := 0
	seen := map[string]bool{}
	for _, f := range plan.Files {
		if seen[f.Commune.Code] {
			n++
		}
		seen[f.Commune.Code] = true
	}
	return n
}

func receivedAt(plan *demo.Plan, key string) (t time.Time) {
	for _, f := range plan.Files {
		if f.Key == key {
			return f.ReceivedAt
		}
	}
	return t
}

func printRunSummary(w io.Writer, plan *demo.Plan, rcs []*receipt.Receipt) {
	byCommune := map[string][]*receipt.Receipt{}
	var codes []string
	for _, rc := range rcs {
		if byCommune[rc.CommuneCode] == nil {
			codes = append(codes, rc.CommuneCode)
		}
		byCommune[rc.CommuneCode] = append(byCommune[rc.CommuneCode], rc)
	}
	sort.Strings(codes)
	accepted, rejected, files := 0, 0, 0
	fmt.Fprintf(w, "\n%-6s %-28s %-10s %s\n", "Mã xã", "Tên xã", "Kết quả", "Chi tiết")
	for _, code := range codes {
		list := byCommune[code]
		name := list[0].CommuneName
		for _, rc := range list {
			files++
			detail := strconv.Itoa(rc.Rows) + " thôn"
			status := "chấp nhận"
			if rc.Status == receipt.Rejected {
				status, detail = "TỪ CHỐI", firstError(rc)
				rejected++
			} else {
				accepted++
				if rc.WarningCount > 0 {
					detail += fmt.Sprintf(", %d cảnh báo", rc.WarningCount)
				}
			}
			fmt.Fprintf(w, "%-6s %-28s %-10s %s\n", code, truncate(name, 28), status, detail)
			name = ""
		}
	}
	for _, c := range plan.Missing {
		fmt.Fprintf(w, "%-6s %-28s %-10s %s\n", c.Code, truncate(c.Name, 28), "CHƯA NỘP", "không có tệp nào")
	}
	fmt.Fprintf(w, "\nTổng: %d tệp — %d được chấp nhận, %d bị từ chối; %d xã chưa nộp.\n", files, accepted, rejected, len(plan.Missing))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
