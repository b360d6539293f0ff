package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
	"github.com/xhht/xhht/pipeline/vnnum"
	"github.com/xhht/xhht/pipeline/workbook"
)

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by run
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return err // -h: help on stdout, exit 0
	}
	if err != nil {
		return usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
	}
	return nil
}

// maxMBFlag is the upload size limit, as the Lambda's MAX_UPLOAD_MB.
func maxMBFlag(fs *flag.FlagSet) *int64 {
	return fs.Int64("max-mb", workbook.DefaultLimits.MaxBytes>>20, "largest upload accepted, in MiB")
}

const (
	defaultUploads = "xhht-data/uploads"
	defaultLake    = "xhht-data/lake"
)

func cmdValidate(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newFlags("validate")
	key := fs.String("key", "", "object key: <year>/<province>/<commune>/<file name>")
	asJSON := fs.Bool("json", false, "print the receipt as JSON")
	lake := fs.String("lake", defaultLake, "lake directory (earlier submissions, for hamlet codes)")
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
		return exitUsage, fmt.Errorf("đọc tệp (read file): %w", err)
	}
	p, err := ingest.New(nil, local.New(*lake))
	if err != nil {
		return exitUsage, err
	}
	p.Limits.MaxBytes = *maxMB << 20
	// The ETag a local upload would get, so the id matches a later ingest.
	sum := md5.Sum(data)
	res, err := ingest.Check(ctx, p, ingest.Upload{Bucket: "local", Key: *key}, hex.EncodeToString(sum[:]), time.Now(), data)
	if err != nil {
		return exitUsage, fmt.Errorf("đọc kho dữ liệu (read the lake): %w", err)
	}
	rc := res.Receipt
	if *asJSON {
		b, err := rc.JSON()
		if err != nil {
			return exitUsage, err
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
			loc := ""
			if is.Sheet != "" {
				loc = "trang " + is.Sheet
			}
			fmt.Fprintf(&b, "  %d. %s", n, is.Message)
			if loc != "" {
				fmt.Fprintf(&b, " [%s]", loc)
			}
			fmt.Fprintf(&b, " {%s}\n", is.Code)
		}
	}
	return b.String()
}
