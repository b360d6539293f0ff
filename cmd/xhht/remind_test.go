package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/deadlines"
)

// remindLake ingests two uploads of province 19 with `xhht ingest`, their
// upload times set through the files' modification times (the local
// uploads store's "received" time): Xã Bằng Thành accepted on 1 December,
// Xã Phong Quang rejected on 30 November.
func remindLake(t *testing.T) (lake string) {
	t.Helper()
	dir := t.TempDir()
	uploads, lake := filepath.Join(dir, "uploads"), filepath.Join(dir, "lake")
	bad := strings.Replace(goodCSV, "1;Thôn Nà Rì;1.120;100;90", "1;Thôn Nà Rì;1.120;100;abc", 1)
	for _, f := range []struct {
		key, body string
		at        time.Time
	}{
		{"2026/19/01864/good.csv", goodCSV, time.Date(2026, 12, 1, 10, 0, 0, 0, deadlines.ICT)},
		{"2026/19/01849/bad.csv", bad, time.Date(2026, 11, 30, 10, 0, 0, 0, deadlines.ICT)},
	} {
		p := filepath.Join(uploads, filepath.FromSlash(f.key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, f.at, f.at); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	// One upload is rejected: ingest says so with exit 1 (exitRejected).
	if code, err := cmdIngest(context.Background(), []string{"--uploads", uploads, "--lake", lake}, &out); code != exitRejected || err != nil {
		t.Fatalf("ingest: %d %v, want %d\n%s", code, err, exitRejected, out.String())
	}
	if !strings.Contains(out.String(), "2 tệp, 1 bị từ chối") {
		t.Fatalf("ingest output:\n%s", out.String())
	}
	return lake
}

func TestRemindCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds roll-up snapshots with DuckDB")
	}
	lake := remindLake(t)
	base := []string{"--deadline", "12-15", "--year", "2026", "--province", "19", "--lake", lake}
	defaultJSON := filepath.Join(filepath.Dir(lake), "reminders", "2026", "12-15", "province=19", "2026-12-04T0800.json")
	own := filepath.Join(t.TempDir(), "ds.json")
	tests := []struct {
		name     string
		args     []string
		jsonFile string   // where the JSON must be; "" = on stdout
		text     []string // in stdout
		at       string
		accepted int
	}{
		{"a day: 08:00 in Vietnam, default JSON file", append(base, "--at", "2026-12-04"), defaultJSON,
			[]string{"Hôm nay là ngày cuối để nộp (00:00 ngày 05/12/2026", "Tình hình lúc 08:00 ngày 04/12/2026: 1/92 xã",
				"01849 Xã Phong Quang — lý do: ", "Danh sách (JSON): " + defaultJSON},
			"2026-12-04T01:00:00Z", 1},
		{"RFC 3339, own JSON file", append(base, "--at", "2026-12-01T09:59:59+07:00", "--json", own), own,
			[]string{"Còn 4 ngày", "0/92 xã", "Danh sách (JSON): " + own}, "2026-12-01T02:59:59Z", 0},
		{"the issue's example, JSON on stdout", append(base, "--at", "2026-12-08", "--json", "-"), "",
			nil, "2026-12-08T01:00:00Z", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			code, err := cmdRemind(context.Background(), tt.args, &out)
			if code != exitOK || err != nil {
				t.Fatalf("exit %d, %v\n%s", code, err, out.String())
			}
			for _, w := range tt.text {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			js := out.Bytes()
			if tt.jsonFile != "" {
				if js, err = os.ReadFile(tt.jsonFile); err != nil {
					t.Fatal(err)
				}
			}
			var r struct {
				At       string `json:"at"`
				Accepted int    `json:"accepted"`
				Expected int    `json:"expected"`
				Missing  []struct{ Code string }
				Rejected []struct{ Code, Reason string }
			}
			if err := json.Unmarshal(js, &r); err != nil {
				t.Fatalf("JSON: %v\n%s", err, js)
			}
			if r.At != tt.at || r.Accepted != tt.accepted || r.Expected != 92 || len(r.Missing)+len(r.Rejected) != 92-tt.accepted {
				t.Errorf("JSON at %s accepted %d expected %d, %d missing, %d rejected; want at %s, %d accepted of 92",
					r.At, r.Accepted, r.Expected, len(r.Missing), len(r.Rejected), tt.at, tt.accepted)
			}
			if len(r.Rejected) != 1 || r.Rejected[0].Code != "01849" || !strings.Contains(r.Rejected[0].Reason, "E2") {
				t.Errorf("rejected %+v, want 01849 with the cell of its error", r.Rejected)
			}
		})
	}
}

func TestRemindUsage(t *testing.T) {
	lake := t.TempDir()
	ok := []string{"--deadline", "12-15", "--year", "2026", "--province", "19", "--lake", lake, "--at", "2026-12-04"}
	without := func(flag string) []string {
		var out []string
		for i := 0; i < len(ok); i += 2 {
			if ok[i] != flag {
				out = append(out, ok[i], ok[i+1])
			}
		}
		return out
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no deadline", without("--deadline"), "--deadline is required"},
		{"no year", without("--year"), "--year is required"},
		{"no province", without("--province"), "--province is required"},
		{"province of three digits", append(without("--province"), "--province", "019"), "2-digit"},
		{"unknown deadline", append(without("--deadline"), "--deadline", "12-31"), "want one of 12-01, 12-15"},
		{"day written the Vietnamese way", append(without("--at"), "--at", "08/12/2026"), "YYYY-MM-DD"},
		{"year not a number", append(without("--year"), "--year", "hai nghìn"), "invalid value"},
		{"unknown flag", append(ok, "--s3", "s3://x"), "flag provided but not defined"},
		{"extra argument", append(ok, "19"), "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			code, err := cmdRemind(context.Background(), tt.args, &out)
			var ue usageError
			if code != exitUsage || !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("exit %d, %v (%T); want exit %d and a usage error with %q", code, err, err, exitUsage, tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("printed on a usage error:\n%s", out.String())
			}
		})
	}
	// Not a usage error, but still a failure: a province the register of
	// the year does not have.
	var out bytes.Buffer
	code, err := cmdRemind(context.Background(), append(without("--province"), "--province", "99"), &out)
	if code != exitUsage || err == nil || !strings.Contains(err.Error(), `province "99"`) {
		t.Fatalf("province 99: exit %d, %v", code, err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(lake), "reminders")); err == nil {
		t.Error("a failed reminder wrote a JSON file")
	}
	// -h is help, not an error (run prints the help).
	if _, err := cmdRemind(context.Background(), []string{"-h"}, &out); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %d %v", code, err)
	}
}
