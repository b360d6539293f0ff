package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// localBucket is the bucket name recorded for uploads from a directory.
const localBucket = "local"

func cmdIngest(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newCommand("ingest", Help{
		Usage:   "xhht ingest [--uploads DIR] [--lake DIR] [--max-mb 50] [KEY ...]",
		Summary: "xử lý các tệp trong thư mục nộp như Lambda, ghi biên nhận và Parquet vào kho (process uploads in a directory as the Lambda does)",
		Details: `KEY: đường dẫn tệp trong --uploads, dạng NĂM/MÃ_TỈNH/MÃ_XÃ/TÊN_TỆP; không có KEY = mọi tệp (default: every file).
In một dòng cho mỗi tệp: accepted hoặc rejected và lỗi đầu tiên. Mã thoát 1 khi có tệp bị từ chối
(exit 1 when a file is rejected; its receipt is in the lake all the same).`,
		Examples: []string{
			"xhht ingest                                    # mọi tệp trong xhht-data/uploads",
			"xhht ingest --uploads nop --lake kho 2026/19/05443/bao-cao.xlsx",
		},
	})
	uploads := fs.String("uploads", defaultUploads, "uploads directory `DIR` (stands in for the uploads bucket)")
	lake := fs.String("lake", defaultLake, "lake directory `DIR`")
	maxMB := maxMBFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if st, err := os.Stat(*uploads); err != nil || !st.IsDir() {
		return exitUsage, usageError{fmt.Sprintf("không có thư mục tệp nộp %s (no uploads directory)", *uploads)}
	}
	p, err := ingest.New(local.New(*uploads), local.New(*lake))
	if err != nil {
		return exitRuntime, err
	}
	p.Limits.MaxBytes = *maxMB << 20
	keys := fs.Args()
	if len(keys) == 0 {
		objs, err := p.Uploads.List(ctx, "")
		if err != nil {
			return exitRuntime, err
		}
		for _, o := range objs {
			keys = append(keys, o.Key)
		}
	}
	rcs, err := ingestKeys(ctx, p, keys)
	if err != nil {
		return exitRuntime, err
	}
	rejected := 0
	for _, rc := range rcs {
		line := fmt.Sprintf("%-9s %s", rc.Status, rc.SourceKey)
		if rc.Status == receipt.Rejected {
			rejected++
			line += " — " + firstError(rc)
		}
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintf(stdout, "%d tệp, %d bị từ chối. Kho dữ liệu (lake): %s\n", len(rcs), rejected, abs(*lake))
	if rejected > 0 {
		return exitRejected, nil // each has its receipt in the lake; the status tells a script
	}
	return exitOK, nil
}

// ingestKeys runs each upload through the same Processor.Process the
// Lambda function calls, on every core: communes in parallel, the files of
// one commune in the order given. Receipts come back in the order of keys.
// Two files per core: each waits on two fsyncs of the local lake, during
// which the other keeps the core busy.
func ingestKeys(ctx context.Context, p *ingest.Processor, keys []string) ([]*receipt.Receipt, error) {
	uploads := make([]ingest.Upload, len(keys))
	for i, k := range keys {
		uploads[i] = ingest.Upload{Bucket: localBucket, Key: k}
	}
	return p.ProcessAll(ctx, uploads, 2*runtime.GOMAXPROCS(0))
}

func firstError(rc *receipt.Receipt) string {
	for _, is := range rc.Errors {
		if is.Severity == receipt.SevError {
			return is.Message
		}
	}
	return ""
}

func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return strings.TrimSpace(p)
}
