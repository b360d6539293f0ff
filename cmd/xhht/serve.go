package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/portal"
	"github.com/xhht/xhht/pipeline/storage/local"
)

const serveHelp = `xhht serve — cổng nộp báo cáo cho xã, chạy trên máy này (the commune portal, locally)

Cách dùng (usage):
  xhht serve [--addr 127.0.0.1:8080] [--uploads DIR] [--lake DIR] [--max-mb 50]

The portal of functions/portal on 127.0.0.1, with directories as the buckets:
uploads go through the server into --uploads and are processed at once
(receipt and rows into --lake, as the ingest Lambda would). Sign in with an
access code from the lake's access/ (make run prints a demo code; codes are
issued with xhht access issue). Plain HTTP, so it listens on loopback only.

Flags:
  --addr     address to listen on, loopback only (default 127.0.0.1:8080)
  --uploads  uploads directory (default xhht-data/uploads)
  --lake     lake directory (default xhht-data/lake)
  --max-mb   largest upload accepted, in MiB (default 50)

Examples:
  make run && build/xhht serve          then open http://127.0.0.1:8080/
  xhht serve --addr 127.0.0.1:9000 --lake /tmp/lake --uploads /tmp/uploads
`

// serveFailed is the exit status of a portal that could not start or
// stopped on an error (runtime failure, 3: run() maps every error to 2).
const serveFailed = 3

// cmdServe runs the commune portal over local directories until
// interrupted.
func cmdServe(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	code, err := serve(ctx, args, stdout)
	if err != nil && code == serveFailed {
		fmt.Fprintf(os.Stderr, "xhht: %v\n", err)
		return code, nil
	}
	return code, err
}

func serve(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newFlags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (loopback only)")
	uploads := fs.String("uploads", defaultUploads, "uploads directory")
	lake := fs.String("lake", defaultLake, "lake directory")
	maxMB := maxMBFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, serveHelp)
			return exitOK, nil
		}
		return exitUsage, err
	}
	if fs.NArg() > 0 {
		return exitUsage, usageError{fmt.Sprintf("serve: đối số thừa %q (unexpected argument)", fs.Arg(0))}
	}
	if *maxMB <= 0 {
		return exitUsage, usageError{"serve: --max-mb phải lớn hơn 0"}
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return exitUsage, usageError{fmt.Sprintf("serve: --addr %q: %v", *addr, err)}
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		// Plain HTTP and cookies without Secure are safe on loopback only.
		return exitUsage, usageError{fmt.Sprintf("serve: chỉ chạy trên 127.0.0.1 (plain HTTP: loopback only), không phải %q", host)}
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return serveFailed, err
	}
	lakeStore := local.New(*lake)
	h, err := portal.New(portal.Config{
		Lake: lakeStore, Uploads: local.New(*uploads), UploadsBucket: "local",
		Authority:   access.NewAuthority(lakeStore),
		SessionKeys: [][]byte{key}, // new at each start: signing in again after a restart is fine locally
		Secure:      false, MaxUploadBytes: *maxMB << 20, PublicURL: "http://" + *addr,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	if err != nil {
		return serveFailed, err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return serveFailed, fmt.Errorf("serve: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute, WriteTimeout: 5 * time.Minute}
	fmt.Fprintf(stdout, "Cổng nộp báo cáo: http://%s/   (Ctrl+C để dừng)\n", ln.Addr())
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return serveFailed, fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return serveFailed, fmt.Errorf("serve: shut down: %w", err)
	}
	return exitOK, nil
}
