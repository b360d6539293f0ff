package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportNow: --now before the cut-off writes a draft under a draft's
// names (what had arrived by then); after it, the final report; a bad
// --now is a usage error.
func TestReportNow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds roll-up snapshots with DuckDB")
	}
	lake := remindLake(t) // one accepted upload on 1 December 10:00
	out := t.TempDir()
	base := []string{"--deadline", "12-15", "--year", "2026", "--province", "19", "--lake", lake, "--out", out}
	var stdout bytes.Buffer
	if code, err := cmdReport(context.Background(), append(base, "--now", "2026-12-06T10:30:00+07:00"), &stdout); code != exitOK || err != nil {
		t.Fatalf("draft: %d %v", code, err)
	}
	if !strings.Contains(stdout.String(), "bao-cao-12-15-2026-19-du-thao-20261206-1030.xlsx") {
		t.Errorf("draft paths:\n%s", stdout.String())
	}
	stdout.Reset()
	if code, err := cmdReport(context.Background(), append(base, "--now", "2026-12-20"), &stdout); code != exitOK || err != nil {
		t.Fatalf("final: %d %v", code, err)
	}
	final := filepath.Join(out, "2026", "12-15", "province=19", "bao-cao-12-15-2026-19.html")
	b, err := os.ReadFile(final)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("DỰ THẢO")) || !bytes.Contains(b, []byte("SỞ GIÁO DỤC VÀ ĐÀO TẠO")) {
		t.Error("the final report is marked as a draft, or lacks its issuer")
	}
	if code, err := cmdReport(context.Background(), append(base, "--now", "hôm nay"), &stdout); code != exitUsage || err == nil || !strings.Contains(err.Error(), "--now") {
		t.Errorf("bad --now: %d %v", code, err)
	}
}
