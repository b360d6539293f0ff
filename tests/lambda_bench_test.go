package tests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// BenchmarkIngestColdStart: from exec of the real bootstrap to its answer
// to the first event (target: under 50 ms). The event is one SQS message
// with the S3 notification of a real 2-hamlet CSV upload on a local
// versitygw server, so the first answer includes loading the register of
// the year, reading the object, validating, and writing Parquet and the
// receipt over HTTP. Reported beside it, in the same run: exec to the first
// /next call (init alone) and a warm invocation of the same event.
func BenchmarkIngestColdStart(b *testing.B) {
	bin := buildLambdaBootstrap(b, "./functions/ingest", runtime.GOARCH)
	srv, client := lambdaS3(b)
	ctx := context.Background()
	u := lambdaPut(ctx, b, client, "2026/19/01864/bao-cao.csv", lambdaValidCSV)
	event := lambdaSQSEvent([]lambdaSQSMessage{{id: lambdaUUID(), body: lambdaS3Notification(u)}})
	var cold, initDur, warm, cpu time.Duration
	var colds []time.Duration
	for b.Loop() {
		rt := startLambdaRuntime(b)
		proc := startLambdaBootstrap(b, bin, []string{
			"PATH=/usr/bin:/bin", "HOME=/nonexistent",
			"AWS_LAMBDA_RUNTIME_API=" + rt.Addr, "AWS_LAMBDA_FUNCTION_NAME=xhht-ingest",
			"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512", "AWS_REGION=" + srv.Region,
			"AWS_ACCESS_KEY_ID=" + srv.AccessKey, "AWS_SECRET_ACCESS_KEY=" + srv.SecretKey, "AWS_EC2_METADATA_DISABLED=true",
			"LAKE_BUCKET=" + lambdaLakeBucket, "S3_ENDPOINT=" + srv.Endpoint, "S3_FORCE_PATH_STYLE=true",
		})
		ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
		inv, err := rt.Invoke(ictx, event, time.Minute)
		if err != nil || inv.Response == nil || string(inv.Response) != `{"batchItemFailures":[]}` {
			cancel()
			b.Fatalf("cold invocation: %v %+v\nstderr: %s", err, inv, proc.Stderr)
		}
		cold += inv.Done.Sub(proc.Started)
		colds = append(colds, inv.Done.Sub(proc.Started))
		cpu += processCPU(proc.cmd.Process.Pid)
		initDur += rt.FirstNext().Sub(proc.Started)
		inv2, err := rt.Invoke(ictx, event, time.Minute)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		warm += inv2.Done.Sub(inv2.Sent)
		proc.Stop()
	}
	n := float64(b.N) * float64(time.Millisecond)
	b.ReportMetric(float64(cold)/n, "start-to-first-answer-ms")
	b.ReportMetric(float64(initDur)/n, "init-ms")
	b.ReportMetric(float64(warm)/n, "warm-ms")
	slices.Sort(colds)
	b.ReportMetric(float64(colds[len(colds)/2])/float64(time.Millisecond), "median-first-answer-ms")
	if cpu > 0 {
		b.ReportMetric(float64(cpu)/n, "first-answer-cpu-ms")
	}
}

// processCPU is the CPU time a running process has used so far, summed
// over its threads from /proc/PID/task/*/schedstat (nanoseconds on CPU,
// the first field); 0 where /proc does not say.
func processCPU(pid int) time.Duration {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var sum time.Duration
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var ns int64
		if _, err := fmt.Sscan(string(b), &ns); err == nil {
			sum += time.Duration(ns)
		}
	}
	return sum
}
