package portal_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/portal"
	"github.com/xhht/xhht/pipeline/portal/portaltest"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// benchBoard measures the province board's server time (handler only, no
// network) for the largest province of a year's register: every commune's
// receipts (rolluptest's realistic mix: missing, rejected-only,
// re-uploads), a real roll-up build (rates and flags read with
// parquet-go), and a review state for a third of the communes.
//
// Reports first-load-ms (a new portal process: every receipt and review
// state read and decoded), ms/op (later loads: one LIST of the receipts
// and of the review states, only new or changed ones read; the roll-up's
// manifest read, its files decoded once per build) and p95-ms of them, and
// the CPU time of each (cpu-ms: steadier than wall time when the machine
// is shared).
func benchBoard(b *testing.B, year int, province string, wantCommunes int) {
	ctx := context.Background()
	dir := b.TempDir()
	lk := rolluptest.Dir(dir)
	gen, err := rolluptest.Generate(ctx, lk, rolluptest.Options{Year: year, Province: province, MinHamlets: 5, MaxHamlets: 15, Seed: 7})
	if err != nil {
		b.Fatal(err)
	}
	if n := len(gen.Communes); n != wantCommunes {
		b.Fatalf("province %s has %d communes in the %d register, want %d", province, n, year, wantCommunes)
	}
	store := local.New(dir)
	now := time.Date(year, 12, 2, 3, 0, 0, 0, time.UTC)
	if _, err := rollup.Build(ctx, rollup.Options{Lake: store, Year: year, Province: province, Now: now}); err != nil {
		b.Fatal(err)
	}
	by := review.Actor{Role: access.RoleProvince, Province: province, CodeID: "bbbbbbbbbbbb"}
	codes := make([]string, 0, len(gen.Communes))
	for c := range gen.Communes {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	reviewed := 0
	for i, c := range codes {
		if i%3 != 0 {
			continue
		}
		latest, err := review.LatestAccepted(ctx, store, year, province, c)
		if err != nil || latest == "" {
			continue
		}
		kind, comment := review.KindApprove, ""
		if i%2 == 1 {
			kind, comment = review.KindReturn, "Xem lại số hộ thôn 2"
		}
		if _, err := review.Apply(ctx, store, review.Action{Kind: kind, Year: year, Province: province, Commune: c, Submission: latest, Comment: comment, By: by, At: now}); err != nil {
			b.Fatal(err)
		}
		reviewed++
	}
	code := portaltest.ProvinceCode(b, store, year, province, "01", now.Add(-time.Hour))
	newHandler := func() http.Handler {
		h, err := portal.New(portal.Config{Lake: store, Uploads: local.New(b.TempDir()), Authority: access.NewAuthority(store),
			SessionKeys: [][]byte{bytes.Repeat([]byte{7}, 32)}, Now: func() time.Time { return now },
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		return h
	}
	signIn := func(h http.Handler) []*http.Cookie {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		m := csrfRe.FindStringSubmatch(rec.Body.String())
		req := httptest.NewRequest("POST", "/dang-nhap", strings.NewReader(url.Values{"csrf": {m[1]}, "code": {code}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range rec.Result().Cookies() {
			req.AddCookie(c)
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			b.Fatalf("sign in: %d %s", rec.Code, rec.Body.String())
		}
		return rec.Result().Cookies()
	}
	var cpu time.Duration // CPU time of the process during the loads (user + system)
	load := func(h http.Handler, cookies []*http.Cookie) time.Duration {
		req := httptest.NewRequest("GET", "/tinh?han=12-01&sap=trang-thai", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		c0 := cpuTime()
		start := time.Now()
		h.ServeHTTP(rec, req)
		d := time.Since(start)
		cpu += cpuTime() - c0
		if rec.Code != http.StatusOK || strings.Count(rec.Body.String(), "<tr data-xa=") != wantCommunes {
			b.Fatalf("board: %d, %d rows", rec.Code, strings.Count(rec.Body.String(), "<tr data-xa="))
		}
		return d
	}
	h := newHandler()
	cookies := signIn(h)
	first := load(h, cookies)
	firstCPU := cpu
	cpu = 0
	var ds []time.Duration
	b.ResetTimer()
	for b.Loop() {
		ds = append(ds, load(h, cookies))
	}
	b.StopTimer()
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(first.Microseconds())/1000, "first-load-ms")
	b.ReportMetric(float64(firstCPU.Microseconds())/1000, "first-load-cpu-ms")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(ds)), "cpu-ms/op")
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(wantCommunes), "communes")
	b.ReportMetric(float64(reviewed), "reviewed")
}

// cpuTime is the process's CPU time so far: on a shared, loaded machine it
// says what a load costs better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBoard2024Largest: province 38 (Thanh Hóa), 547 communes in the
// 2024 register, the largest board any year has. Target: ≤ 500 ms.
func BenchmarkBoard2024Largest(b *testing.B) { benchBoard(b, 2024, "38", 547) }

// BenchmarkBoard2026Largest: province 79, 168 communes in 2026's register.
func BenchmarkBoard2026Largest(b *testing.B) { benchBoard(b, 2026, "79", 168) }
