// Command xhht is the pipeline on a laptop: the demo (run), checking a file
// before upload (validate), processing uploads in a directory (ingest),
// writing the blank form (template), the roll-up and its queries (rollup,
// query), deadline reports and reminders (report, remind). Each command's
// help and the exit statuses are in help.go.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

const help = `xhht — dữ liệu xã hội học tập (learning-society statistics)

Cách dùng (usage):
  xhht run      [--dir DIR] [--province 19] [--year 2026]   sinh dữ liệu mẫu cho cả tỉnh và xử lý như Lambda
  xhht validate --key <năm>/<mã tỉnh>/<mã xã>/<tên tệp> [--json] [--marked OUT.xlsx] [--lake DIR] [--max-mb 50] FILE
                                                             kiểm tra một tệp trước khi nộp; --marked: ghi tệp đã
                                                             đánh dấu (ô lỗi tô màu, có ghi chú)
  xhht ingest   [--uploads DIR] [--lake DIR] [--max-mb 50] [KEY ...]
                                                             xử lý các tệp trong thư mục nộp (mặc định: tất cả)
  xhht template --commune MÃ_XÃ --year NĂM [-o FILE.xlsx] [--force] [--lake DIR]
                                                             tạo biểu mẫu trống của xã
  xhht rollup   --year NĂM [--province MÃ_TỈNH] [--units 2025] [--lake DIR | --s3 s3://bucket/prefix]
                                                             tổng hợp thôn → xã → (huyện) → tỉnh → cả nước
  xhht query    [--lake DIR | --s3 s3://bucket/prefix] [--format table|csv|json] "SELECT … FROM communes WHERE …"
                                                             truy vấn DuckDB trên các view: hamlets, communes,
                                                             districts, provinces, nation, completeness,
                                                             submissions, receipts (rebased_* khi quy đổi)
  xhht report   --deadline 12-01|12-15 --year NĂM --province MÃ_TỈNH [--now YYYY-MM-DD] [--out DIR] [--lake DIR]
                                                             báo cáo theo hạn (.xlsx, .html, .csv), chỉ tính
                                                             các tệp nhận trước 00:00 ngày hạn (giờ Việt Nam);
                                                             làm trước hạn (--now, mặc định lúc này): bản DỰ THẢO
  xhht remind   --deadline 12-01|12-15 --year NĂM --province MÃ_TỈNH --at YYYY-MM-DD [--json FILE] [--lake DIR]
                                                             danh sách xã chưa nộp / bị từ chối, số ngày còn lại
  xhht contacts --province MÃ_TỈNH [--put] [--json] [--lake DIR] FILE.csv   kiểm tra danh bạ nhận thư nhắc của các xã
  xhht access   issue|revoke|reissue --year NĂM (--province MÃ_TỈNH | --commune MÃ_XÃ) [-o FILE.xlsx]   mã truy cập cổng của xã
  xhht serve    [--addr 127.0.0.1:8080] [--uploads DIR] [--lake DIR] [--max-mb 50]
                                                             cổng nộp báo cáo cho xã (web), trên máy này
  xhht version                                             phiên bản (version, VCS revision, build time)

Mỗi lệnh có trợ giúp riêng (each command has its own help): xhht <lệnh> --help, xhht help <lệnh>.

` + exitHelp

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, help)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, help)
		return exitOK
	case "help":
		if len(args) == 1 {
			fmt.Fprint(stdout, help)
			return exitOK
		}
		args = []string{args[1], "--help"} // xhht help query = xhht query --help
	}
	var code int
	var err error
	switch args[0] {
	case "validate":
		code, err = cmdValidate(ctx, args[1:], stdout, stderr)
	case "ingest":
		code, err = cmdIngest(ctx, args[1:], stdout)
	case "template":
		code, err = cmdTemplate(ctx, args[1:], stdout)
	case "rollup":
		code, err = cmdRollup(ctx, args[1:], stdout)
	case "query":
		code, err = cmdQuery(ctx, args[1:], stdout)
	case "report":
		code, err = cmdReport(ctx, args[1:], stdout)
	case "remind":
		code, err = cmdRemind(ctx, args[1:], stdout)
	case "contacts":
		code, err = cmdContacts(ctx, args[1:], stdout)
	case "access":
		code, err = cmdAccess(ctx, args[1:], stdout)
	case "serve":
		code, err = cmdServe(ctx, args[1:], stdout)
	case "run", "demo":
		code, err = cmdRun(ctx, args[1:], stdout)
	case "version", "--version":
		code, err = cmdVersion(ctx, args[1:], stdout)
	default:
		fmt.Fprintf(stderr, "xhht: lệnh không có: %q (unknown command)\n\n%s", args[0], help)
		return exitUsage
	}
	return finish(args[0], code, err, stdout, stderr)
}
