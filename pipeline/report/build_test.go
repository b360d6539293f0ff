package report_test

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

var bQuiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// bUpload writes one upload as ingest would (rolluptest.Upload): a Parquet
// file of Biểu 01 rows (households, recognised) and its receipt, or a
// rejected receipt.
type bUpload struct {
	year     int
	commune  string
	file     string
	at       time.Time
	hamlets  [][2]int64 // ho_tong, ho_dat
	rejected string
}

func (u bUpload) write(t *testing.T, lake storage.Store) {
	t.Helper()
	if u.file == "" {
		u.file = "bc.xlsx"
	}
	var hs []map[string]any
	for _, hm := range u.hamlets {
		hs = append(hs, map[string]any{"ho_tong": hm[0], "ho_dat": hm[1], "cong_dong_dat": hm[1]*2 > hm[0]})
	}
	if _, err := (rolluptest.Upload{Year: u.year, Commune: u.commune, File: u.file, At: u.at, Hamlets: hs, Rejected: u.rejected}).Write(context.Background(), lake); err != nil {
		t.Fatal(err)
	}
}

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04 -0700", s+" +0700")
	if err != nil {
		panic(err)
	}
	return t
}

// afterCutOffs is a moment after both 2026 cut-offs: the final reports.
var afterCutOffs = at("2027-01-05 10:00")

func buildReport(t *testing.T, lake storage.Store, deadline string) *report.Report {
	t.Helper()
	return buildReportAt(t, lake, deadline, afterCutOffs)
}

func buildReportAt(t *testing.T, lake storage.Store, deadline string, now time.Time) *report.Report {
	t.Helper()
	r, err := report.Build(context.Background(), report.Options{Lake: lake, Year: 2026, Province: "19", Deadline: deadline, Now: now, Log: bQuiet})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBuildReport(t *testing.T) {
	lake := local.New(t.TempDir())
	bUpload{year: 2025, commune: "01840", at: at("2025-12-01 09:00"), hamlets: [][2]int64{{100, 60}}}.write(t, lake)
	bUpload{year: 2026, commune: "01840", at: at("2026-12-01 09:00"), hamlets: [][2]int64{{100, 90}, {50, 20}}}.write(t, lake)
	bUpload{year: 2026, commune: "01843", at: at("2026-12-14 23:59"), hamlets: [][2]int64{{10, 10}}}.write(t, lake)
	bUpload{year: 2026, commune: "01849", at: at("2026-12-10 08:00"), rejected: "Ô D12: \"=1+1\" không phải là số"}.write(t, lake)
	bUpload{year: 2026, commune: "01864", at: at("2026-12-15 00:00"), hamlets: [][2]int64{{999, 999}}}.write(t, lake) // at the cut-off: out

	r := buildReport(t, lake, "12-15")
	if !r.CutOff.Equal(time.Date(2026, 12, 14, 17, 0, 0, 0, time.UTC)) || !r.DataTime.Equal(at("2026-12-14 23:59")) {
		t.Errorf("cut-off %v, data time %v", r.CutOff, r.DataTime)
	}
	if r.Issuer.Name != "SỞ GIÁO DỤC VÀ ĐÀO TẠO" || r.Issuer.Place != "Thái Nguyên" || len(r.Communes) != 92 || r.HasDistricts {
		t.Errorf("heading: %+v, %d communes, districts %v", r.Issuer, len(r.Communes), r.HasDistricts)
	}
	if !r.DraftAt.IsZero() {
		t.Errorf("a report made after its cut-off is a draft of %v", r.DraftAt)
	}
	gd := r.Total.Cells["ho_dat"]
	if gd.Total == nil || *gd.Total != 160 || *gd.Recognised != 120 || *gd.Rate != 0.75 {
		t.Fatalf("province GĐHT = %+v, want 120/160", gd)
	}
	if gd.PrevRate == nil || *gd.PrevRate != 0.6 {
		t.Errorf("last year's rate = %v, want 0.6", gd.PrevRate)
	}
	c := r.Completeness
	if c.Expected != 92 || c.Submitted != 2 || c.RejectedOnly != 1 || c.Missing != 89 {
		t.Errorf("completeness %+v", c)
	}
	wantSentence := "Toàn tỉnh có 120/160 hộ được công nhận Gia đình học tập, đạt 75%, chưa đạt chỉ tiêu 80% (còn thiếu 5 điểm phần trăm) theo QĐ 387/QĐ-TTg (mục tiêu 2030); tăng 15 điểm phần trăm so với năm 2025."
	if !containsLine(r.Summary, wantSentence) {
		t.Errorf("summary lacks %q:\n%s", wantSentence, strings.Join(r.Summary, "\n"))
	}
	if len(r.Trend) != 2 || r.Trend[0].Year != 2025 || *r.Trend[0].Rates["ho_dat"] != 0.6 || *r.Trend[1].Rates["ho_dat"] != 0.75 {
		t.Errorf("trend = %+v", r.Trend)
	}
	for _, s := range c.Communes {
		if s.Code == "01849" && (s.Status != "rejected_only" || !strings.Contains(s.LastRejection, "=1+1")) {
			t.Errorf("01849: %+v", s)
		}
	}

	// Reproducible: later uploads do not change a regenerated report.
	bUpload{year: 2026, commune: "01879", at: at("2026-12-20 08:00"), hamlets: [][2]int64{{5, 5}}}.write(t, lake)
	again := buildReport(t, lake, "12-15")
	if !reflect.DeepEqual(r, again) {
		t.Error("the report changed after an upload past its cut-off")
	}

	// The 12-01 report has its own cut-off: 01840 (1 December 09:00) is
	// after it.
	early := buildReport(t, lake, "12-01")
	if g := early.Total.Cells["ho_dat"]; g.Total != nil {
		t.Errorf("12-01 report counts %v households, want none before 1 December", *g.Total)
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

func TestBuildReportErrors(t *testing.T) {
	lake := local.New(t.TempDir())
	for _, o := range []report.Options{
		{Lake: lake, Year: 2026, Province: "19", Deadline: "12-31"},
		{Lake: lake, Year: 2026, Province: "06", Deadline: "12-15"}, // Bắc Kạn: merged in 2025
		{Lake: lake, Year: 1990, Province: "19", Deadline: "12-15"},
	} {
		o.Log = bQuiet
		if _, err := report.Build(context.Background(), o); err == nil {
			t.Errorf("Build(%+v) succeeded", o)
		}
	}
}
