package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage"
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
	syncEach := fs.Bool("sync-each", false, "flush each lake object to disk before the next (slower); default: once at the end, with a marker that makes an interrupted run visible and redone")
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if st, err := os.Stat(*uploads); err != nil || !st.IsDir() {
		return exitUsage, usageError{fmt.Sprintf("không có thư mục tệp nộp %s (no uploads directory)", *uploads)}
	}
	lakeStore := local.New(*lake)
	if !*syncEach {
		lakeStore = lakeStore.Deferred()
	}
	p, err := ingest.New(local.New(*uploads), lakeStore)
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
	var bulk *bulkRun
	if !*syncEach {
		if bulk, keys, err = beginBulk(lakeStore, *uploads, keys, stdout); err != nil {
			return exitRuntime, err
		}
	}
	// Every key gets its answer, then the summary: a key that cannot be
	// read (missing, not a safe key) does not hide the others.
	rcs, errs := ingestEach(ctx, p, keys)
	rejected, failed, missing := 0, 0, 0
	for i, k := range keys {
		if errs[i] != nil {
			failed++
			if errors.Is(errs[i], storage.ErrNotFound) || errors.Is(errs[i], local.ErrInvalidKey) {
				missing++
			}
			fmt.Fprintf(stdout, "%-9s %s — %v\n", "lỗi", k, errs[i])
			continue
		}
		rc := rcs[i]
		line := fmt.Sprintf("%-9s %s", rc.Status, rc.SourceKey)
		if rc.Status == receipt.Rejected {
			rejected++
			line += " — " + firstError(rc)
		}
		fmt.Fprintln(stdout, line)
	}
	if bulk != nil {
		if err := bulk.end(keys, errs); err != nil {
			return exitRuntime, err
		}
	}
	summary := fmt.Sprintf("%d tệp, %d bị từ chối", len(keys)-failed, rejected)
	if failed > 0 {
		summary += fmt.Sprintf(", %d không xử lý được", failed)
	}
	fmt.Fprintf(stdout, "%s. Kho dữ liệu (lake): %s\n", summary, abs(*lake))
	switch {
	case failed > 0 && missing == failed:
		// Only keys naming no file (or no safe file): the command line is
		// wrong, as the help's exit codes say.
		return exitUsage, nil
	case failed > 0:
		// The lake holds what could be done; the failures are the
		// caller's to retry (a disk error).
		return exitRuntime, nil
	case rejected > 0:
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

// ingestEach is ingestKeys answering every key: a failed one does not stop
// the others (ingest.Processor.ProcessEach).
func ingestEach(ctx context.Context, p *ingest.Processor, keys []string) ([]*receipt.Receipt, []error) {
	uploads := make([]ingest.Upload, len(keys))
	for i, k := range keys {
		uploads[i] = ingest.Upload{Bucket: localBucket, Key: k}
	}
	return p.ProcessEach(ctx, uploads, 2*runtime.GOMAXPROCS(0))
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
