package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/marked"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/vnnum"
	"github.com/xhht/xhht/pipeline/workbook"
)

// maxMBFlag is the upload size limit, as the Lambda's MAX_UPLOAD_MB.
func maxMBFlag(fs *flag.FlagSet) *int64 {
	return fs.Int64("max-mb", workbook.DefaultLimits.MaxBytes>>20, "largest upload accepted, in `MiB`")
}

const (
	defaultUploads = "xhht-data/uploads"
	defaultLake    = "xhht-data/lake"
)

func cmdValidate(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs := newCommand("validate", Help{
		Usage:   "xhht validate --key NĂM/MÃ_TỈNH/MÃ_XÃ/TÊN_TỆP [--json] [--marked OUT.xlsx] [--lake DIR] [--max-mb 50] FILE",
		Summary: "kiểm tra một tệp trước khi nộp, như Lambda sẽ kiểm tra (check a file before upload, as the Lambda will)",
		Details: `FILE: tệp .xlsx (cả Strict Open XML), .xls, .ods (LibreOffice) hoặc .csv của xã; cũng nhận bảng HTML
và Excel 2003 XML lưu thành .xls. --key là tên tệp sẽ có trong kho nộp (the object key the upload
will get): năm báo cáo, mã tỉnh, mã xã theo danh mục của năm đó, tên tệp. Không ghi gì vào kho (writes nothing).
--marked: ghi thêm "tệp đã đánh dấu": chính bảng tính của xã, ô có lỗi tô đỏ nhạt, ô có cảnh báo tô vàng,
mỗi ô có ghi chú tiếng Việt, và trang "Kết quả kiểm tra" liệt kê mọi lỗi; tệp .xls/.csv được trả về dạng .xlsx.
Mã thoát: 0 được chấp nhận (có thể có cảnh báo), 1 bị từ chối.`,
		Examples: []string{
			"xhht validate --key 2026/19/05443/bao-cao.xlsx bao-cao.xlsx",
			"xhht validate --key 2026/19/05443/bao-cao.xlsx --marked bao-cao-danh-dau.xlsx bao-cao.xlsx",
		},
	})
	key := fs.String("key", "", "object key `NĂM/TỈNH/XÃ/TỆP`, e.g. 2026/19/05443/bao-cao.xlsx (required)")
	asJSON := fs.Bool("json", false, "print the receipt as JSON")
	markedOut := fs.String("marked", "", "also write the marked workbook to `OUT.xlsx`")
	// Checking reads nothing of the lake since issue 14 (hamlet codes come
	// from the file alone); the flag stays so existing scripts keep working.
	_ = fs.String("lake", defaultLake, "ignored: checking reads nothing of the lake `DIR` (kept for old scripts)")
	maxMB := maxMBFlag(fs)
	// Flags may follow the file: "validate FILE --json".
	var files []string
	for rest := args; ; {
		if err := parseFlags(fs, rest); err != nil {
			return exitUsage, err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if *key == "" || len(files) != 1 {
		return exitUsage, usageError{"validate cần --key và đúng một tệp (needs --key and one FILE)"}
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return exitUsage, usageError{fmt.Sprintf("đọc tệp (read file): %v", err)}
	}
	if *markedOut != "" {
		if !strings.EqualFold(filepath.Ext(*markedOut), ".xlsx") {
			return exitUsage, usageError{"--marked cần tên tệp .xlsx (--marked needs an .xlsx file name)"}
		}
		if a, err := os.Stat(files[0]); err == nil {
			if b, err := os.Stat(*markedOut); err == nil && os.SameFile(a, b) {
				return exitUsage, usageError{"--marked không được ghi đè lên chính tệp cần kiểm tra (--marked must not overwrite FILE)"}
			}
		}
	}
	p, err := ingest.New(nil, nil)
	if err != nil {
		return exitRuntime, err
	}
	p.Limits.MaxBytes = *maxMB << 20
	// The ETag a local upload would get, so the id matches a later ingest.
	sum := md5.Sum(data)
	res, err := ingest.Check(ctx, p, ingest.Upload{Bucket: "local", Key: *key}, hex.EncodeToString(sum[:]), time.Now(), data)
	if err != nil {
		return exitRuntime, fmt.Errorf("kiểm tra tệp (check the file): %w", err)
	}
	rc := res.Receipt
	if *markedOut != "" {
		err := writeMarked(*markedOut, filepath.Base(files[0]), data, rc)
		switch {
		case errors.Is(err, marked.ErrUnreadable):
			// The receipt says why the file cannot be read: there is no
			// workbook to mark, and the answer stays the receipt's.
			fmt.Fprintf(stderr, "xhht: không tạo được tệp đánh dấu vì không đọc được tệp; xem lỗi trong kết quả (no marked workbook: %v)\n", err)
		case err != nil:
			return exitUsage, err
		}
	}
	if *asJSON {
		b, err := rc.JSON()
		if err != nil {
			return exitRuntime, err
		}
		stdout.Write(b)
	} else {
		fmt.Fprint(stdout, summary(rc, p.Forms))
	}
	if rc.Status != receipt.Accepted {
		return exitRejected, nil
	}
	return exitOK, nil
}

// writeMarked writes the marked workbook to name through a temporary file
// in the same directory, so a failure leaves no partial file.
func writeMarked(name, fileName string, data []byte, rc *receipt.Receipt) error {
	var buf bytes.Buffer
	if err := marked.Write(&buf, fileName, data, rc); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".xhht-marked-*.xlsx")
	if err != nil {
		return fmt.Errorf("ghi tệp đánh dấu (write the marked workbook): %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("ghi tệp đánh dấu (write the marked workbook): %w", err)
	}
	// CreateTemp makes the file private (0600); the workbook is an
	// ordinary document, like one the official saves.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("ghi tệp đánh dấu (write the marked workbook): %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("ghi tệp đánh dấu (write the marked workbook): %w", err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("ghi tệp đánh dấu (write the marked workbook): %w", err)
	}
	return nil
}

// summary is the receipt for a person: Vietnamese, short, every problem
// with its cell.
func summary(rc *receipt.Receipt, set *forms.Set) string {
	var b strings.Builder
	place := rc.CommuneName
	if place == "" {
		place = "mã xã " + rc.CommuneCode
	}
	if rc.ProvinceName != "" {
		place += ", " + rc.ProvinceName
	}
	fmt.Fprintf(&b, "Tệp: %s\n", rc.SourceKey)
	if rc.Year > 0 {
		fmt.Fprintf(&b, "Đơn vị: %s — năm báo cáo %d\n", place, rc.Year)
	}
	if rc.Status == receipt.Accepted {
		fmt.Fprintf(&b, "Kết quả: ĐƯỢC CHẤP NHẬN")
	} else {
		fmt.Fprintf(&b, "Kết quả: BỊ TỪ CHỐI — %d lỗi", rc.ErrorCount)
	}
	if rc.WarningCount > 0 {
		fmt.Fprintf(&b, " (%d cảnh báo)", rc.WarningCount)
	}
	b.WriteString("\n")
	var read []string
	for _, code := range rc.Forms {
		if f := set.Form(code); f != nil {
			name, _, _ := strings.Cut(f.Title, ":") // "Biểu 01"
			if f.Grain == "hamlet" {
				name += fmt.Sprintf(" (%d thôn)", rc.Rows)
			}
			read = append(read, name)
		}
	}
	if len(read) > 0 {
		fmt.Fprintf(&b, "Biểu đã đọc: %s\n", strings.Join(read, ", "))
	}
	if rc.Status == receipt.Accepted && len(rc.Totals) > 0 {
		b.WriteString("Tổng hợp (số \"Có\" với các cột Có/Không):\n")
		type line struct{ label, value string }
		var lines []line
		width := 0
		for _, f := range set.Forms {
			for _, fd := range f.Fields {
				n := rc.Totals[fd.Code]
				if n == nil {
					continue
				}
				v := vnnum.Int(n.Int)
				if !n.IsInt {
					v = vnnum.Float(n.Float, 1)
				}
				lines = append(lines, line{fd.Title(), v})
				width = max(width, utf8.RuneCountInString(fd.Title()))
			}
		}
		for _, l := range lines {
			fmt.Fprintf(&b, "  %-*s %s\n", width, l.label, l.value)
		}
	}
	sheets := map[string]bool{}
	for _, is := range rc.Errors {
		if is.Sheet != "" {
			sheets[is.Sheet] = true
		}
	}
	multiSheet := len(rc.Forms) > 1 || len(sheets) > 1
	for _, sev := range []string{receipt.SevError, receipt.SevWarning} {
		title := "Lỗi cần sửa:"
		if sev == receipt.SevWarning {
			title = "Cảnh báo (không bắt buộc sửa):"
		}
		n := 0
		for _, is := range rc.Errors {
			if is.Severity != sev {
				continue
			}
			if n == 0 {
				b.WriteString(title + "\n")
			}
			n++
			// The message as the commune reads it; the sheet when the
			// book has several. Codes are in --json, for programs.
			fmt.Fprintf(&b, "  %d. %s", n, is.Message)
			if is.Sheet != "" && multiSheet {
				fmt.Fprintf(&b, " — trang %s", is.Sheet)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}
