package report_test

import (
	"context"
	"testing"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// The report lists the flags of its own snapshot, with last year's value.
// 01840: 100 households in 2025, 150 in 2026 (+50 %: over 15 %), and its
// second hamlet T02 is new; hamlets recognised CĐHT went from 1 of 1 to 1
// of 2 (−50 points: over 20).
func TestReportListsFlags(t *testing.T) {
	lake := local.New(t.TempDir())
	bUpload{year: 2025, commune: "01840", at: at("2025-12-01 09:00"), hamlets: [][2]int64{{100, 60}}}.write(t, lake)
	bUpload{year: 2026, commune: "01840", at: at("2026-12-01 09:00"), hamlets: [][2]int64{{100, 90}, {50, 20}}}.write(t, lake)
	// After the cut-off: its flags are not in the report either.
	bUpload{year: 2026, commune: "01843", at: at("2026-12-15 00:00"), hamlets: [][2]int64{{10, 10}}}.write(t, lake)
	bUpload{year: 2025, commune: "01843", at: at("2025-12-01 00:00"), hamlets: [][2]int64{{100, 10}}}.write(t, lake)

	r := buildReport(t, lake, "12-15")
	if len(r.Flags) != 3 || len(r.NotComparable) != 0 {
		t.Fatalf("flags %+v, not comparable %v", r.Flags, r.NotComparable)
	}
	ch, nw, rc := r.Flags[0], r.Flags[1], r.Flags[2]
	if ch.Code != "01840" || ch.Rule != "change" || ch.Value != "150" || ch.Previous != "100" || ch.Hamlet != "" ||
		ch.Text != "Tổng số hộ tăng 50,0% so với năm 2025 (100 → 150)" {
		t.Errorf("change line %+v", ch)
	}
	if nw.Rule != "hamlet_new" || nw.Hamlet != "Thôn 2" || nw.Value != "50" || nw.Previous != "" {
		t.Errorf("new hamlet line %+v", nw)
	}
	if rc.Rule != "rate_change" || rc.Value != "50,0%" || rc.Previous != "100,0%" {
		t.Errorf("rate change line %+v", rc)
	}

	// The province marks the change "đã xác minh": the annex says so, with
	// its comment; the other flags stay unchecked.
	_, err := review.Apply(context.Background(), lake, review.Action{Kind: review.KindCheck, Year: 2026, Province: "19", Commune: "01840",
		FlagID: ch.FlagID, Comment: "Xã sáp nhập thêm thôn 2, đã gọi điện xác nhận",
		By: review.Actor{Role: access.RoleProvince, Province: "19", CodeID: "r01", Year: 2026}, At: at("2026-12-16 09:00")})
	if err != nil {
		t.Fatal(err)
	}
	r = buildReport(t, lake, "12-15")
	if r.Flags[0].Checked != "Xã sáp nhập thêm thôn 2, đã gọi điện xác nhận" || r.Flags[1].Checked != "" || r.Flags[0].FlagID != "change/ho_tong/-" {
		t.Errorf("checked: %+v", r.Flags)
	}
}
