package report_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// L-H (review of issue 15, session 8): a re-upload identical to the
// commune's earlier one ("không thay đổi") is information for the
// commune, not a flag for the Sở: it is not in the signed report's flags
// annex (nor given a "Đã xác minh" slot), while a real warning still is.
//
// Lake, by hand: 01840 uploads the same rows on 20/11 and 22/11 (the
// roll-up's unchanged rule); 01843 reports every household recognised in
// both its hamlets (recognised_all: 2 of 2 hamlets, threshold 100 %).
func TestFlagsAnnexLeavesOutUnchanged(t *testing.T) {
	ctx := context.Background()
	lk := local.New(t.TempDir())
	uploadSub(t, lk, 2026, "01840", "2026-11-20 09:00", [2]int64{100, 60}, [2]int64{80, 40})
	// The same workbook again, under another name.
	again := []map[string]any{{"ho_tong": int64(100), "ho_dat": int64(60), "cong_dong_dat": true}, {"ho_tong": int64(80), "ho_dat": int64(40), "cong_dong_dat": false}}
	if _, err := (rolluptest.Upload{Year: 2026, Commune: "01840", File: "bao-cao-lan-2.xlsx", At: at("2026-11-22 09:00"), Hamlets: again}).Write(ctx, lk); err != nil {
		t.Fatal(err)
	}
	uploadSub(t, lk, 2026, "01843", "2026-11-20 09:00", [2]int64{100, 100}, [2]int64{50, 50})

	// The snapshot does have the unchanged flag: the test is about the
	// report leaving it out, not about the roll-up not computing it.
	dir := t.TempDir()
	snap := filepath.Join(dir, "snap")
	if _, err := rollup.Build(ctx, rollup.Options{Lake: lk, Year: 2026, Province: "19", Cutoff: afterCutOffs, OutDir: snap,
		WorkDir: filepath.Join(dir, "work"), Log: bQuiet}); err != nil {
		t.Fatal(err)
	}
	db, err := rollup.OpenSnapshot(ctx, snap)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM `+rollup.Flags+` WHERE "rule" = 'unchanged' AND commune_code = '01840'`).Scan(&n)
	db.Close()
	if err != nil || n != 1 {
		t.Fatalf("snapshot: %d unchanged flags of 01840 (%v), want 1", n, err)
	}

	r := buildReport(t, lk, "12-15")
	var rules []string
	for _, l := range r.Flags {
		rules = append(rules, l.Code+" "+l.Rule)
	}
	if got := strings.Join(rules, ", "); got != "01843 recognised_all" {
		t.Errorf("annex flags: %s, want 01843 recognised_all only", got)
	}
	var html bytes.Buffer
	if err := report.WriteHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html.String(), "không thay đổi") || !strings.Contains(html.String(), "01843") {
		t.Errorf("html annex: unchanged listed, or the real flag missing")
	}
	var xb bytes.Buffer
	if err := report.WriteXLSX(&xb, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh)
		for _, row := range rows {
			if s := strings.Join(row, " "); strings.Contains(s, "không thay đổi") {
				t.Errorf("xlsx %s lists the unchanged re-upload: %s", sh, s)
			}
		}
	}
}
