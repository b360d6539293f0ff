package rollup_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/quality"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// Review finding H1 (session 7): after a return and a corrected upload,
// every flag was written twice, pending = false and pending = true, both
// on the new submission. A file is "waiting" only when it waits behind
// approved data that still counts. Statuses are written by review.Apply,
// as the province's page writes them.
func TestFlagsOnceAfterReturnOrNewUpload(t *testing.T) {
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 2, 0, 0, 0, time.UTC) }
	// Last year: three hamlets; this year T03 is gone (one hamlet_gone
	// flag per file), and the second file of each case also drops T02.
	// 420 households last year, 410 and 400 this year (under the 15 %
	// change threshold): only hamlet flags.
	first, second := thons(200, 200, 10), thons(200, 200)
	// As ingest writes them: one workbook carries both forms, with their
	// data digests. The corrected workbook changes Biểu 01 only: its
	// Biểu 02 is the returned one's data (the reviewer's 01864).
	b02 := map[string]any{"don_vi_tong": int64(10), "don_vi_dat": int64(9)}
	both := []string{"bieu01", "bieu02"}
	type flag struct {
		id      string
		pending bool
		sub     int // 1: the first upload, 2: the second
	}
	cases := []struct {
		name    string
		actions []string // review actions on the first upload, in order
		want    []flag
		hoTong  int64 // households counted live; Biểu 02 (10 units) always counts
	}{
		{"returned, then a corrected upload", []string{review.KindReturn},
			// The corrected file counts live: its flags once, not waiting.
			[]flag{{"hamlet_gone/ho_tong/T03", false, 2}, {"hamlet_gone/ho_tong/T04", false, 2}}, 400},
		{"never reviewed, then a new upload", nil,
			[]flag{{"hamlet_gone/ho_tong/T03", false, 2}, {"hamlet_gone/ho_tong/T04", false, 2}}, 400},
		{"approved, then a new upload", []string{review.KindApprove},
			// The approved file counts (its flags); the new one waits.
			[]flag{{"hamlet_gone/ho_tong/T04", false, 1},
				{"hamlet_gone/ho_tong/T03", true, 2}, {"hamlet_gone/ho_tong/T04", true, 2}}, 410},
		{"approved, returned, then a new upload", []string{review.KindApprove, review.KindReopen, review.KindReturn},
			// Reopened then returned: nothing approved counts; the new file does.
			[]flag{{"hamlet_gone/ho_tong/T03", false, 2}, {"hamlet_gone/ho_tong/T04", false, 2}}, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			st := local.New(dir)
			upload{year: 2025, commune: xaA, at: day(2025, 11, 10), hamlets: thons(200, 200, 10, 10)}.write(t, st)
			s1 := upload{year: 2026, commune: xaA, file: "v1.xlsx", at: day(2026, 11, 20), hamlets: first, b02: b02, forms: both,
				digests: map[string]string{"bieu01": "d1-first", "bieu02": "d2"}}.write(t, st)
			build(t, dir, rollup.Options{Year: 2025, Province: prov})
			for i, k := range c.actions {
				a := review.Action{Kind: k, Year: 2026, Province: prov, Commune: xaA, Submission: s1, By: provinceActor,
					At: day(2026, 12, 1+i), Comment: "Sai số hộ"}
				if k == review.KindApprove {
					a.Comment = ""
				}
				if _, err := review.Apply(context.Background(), st, a); err != nil {
					t.Fatalf("%s: %v", k, err)
				}
			}
			s2 := upload{year: 2026, commune: xaA, file: "v2.xlsx", at: day(2026, 12, 7), hamlets: second, b02: b02, forms: both,
				digests: map[string]string{"bieu01": "d1-second", "bieu02": "d2"}}.write(t, st)
			build(t, dir, rollup.Options{Year: 2026, Province: prov})
			fs, err := quality.ReadFlags(context.Background(), st, 2026, prov)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, fmt.Sprintf("%s pending=%v %s", f.FlagID, f.Pending, f.SubmissionID))
			}
			var want []string
			for _, f := range c.want {
				want = append(want, fmt.Sprintf("%s pending=%v %s", f.id, f.pending, map[int]string{1: s1, 2: s2}[f.sub]))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("flags:\n got %q\nwant %q", got, want)
			}
			r := row(t, views(t, dir), "SELECT ho_tong, don_vi_tong FROM communes WHERE year = 2026 AND commune_code = ?", xaA)
			wantInt(t, "ho_tong counted", r["ho_tong"], c.hoTong)
			wantInt(t, "don_vi_tong counted", r["don_vi_tong"], 10)
		})
	}
}

// The same finding when a commune's data is two CSVs: Biểu 01 and
// Biểu 02 returned, and only a corrected Biểu 01 sent. The new Biểu 01
// counts live (the returned Biểu 02 never counts), nothing waits: its
// flags once, not pending.
func TestFlagsOnceAfterReturnOfTwoCSVs(t *testing.T) {
	dir := t.TempDir()
	st := local.New(dir)
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 2, 0, 0, 0, time.UTC) }
	upload{year: 2025, commune: xaA, at: day(2025, 11, 10), hamlets: thons(200, 200, 10, 10)}.write(t, st)
	b1 := upload{year: 2026, commune: xaA, file: "b01.csv", at: day(2026, 11, 20), hamlets: thons(200, 200, 10), forms: []string{"bieu01"},
		digests: map[string]string{"bieu01": "d1"}}.write(t, st)
	upload{year: 2026, commune: xaA, file: "b02.csv", at: day(2026, 11, 20), b02: map[string]any{"don_vi_tong": int64(10)}, forms: []string{"bieu02"},
		digests: map[string]string{"bieu02": "d2"}}.write(t, st)
	build(t, dir, rollup.Options{Year: 2025, Province: prov})
	if _, err := review.Apply(context.Background(), st, review.Action{Kind: review.KindReturn, Year: 2026, Province: prov, Commune: xaA,
		Submission: b1, By: provinceActor, At: day(2026, 12, 1), Comment: "Sai số hộ"}); err != nil {
		t.Fatal(err)
	}
	b1b := upload{year: 2026, commune: xaA, file: "b01-sua.csv", at: day(2026, 12, 7), hamlets: thons(200, 200), forms: []string{"bieu01"},
		digests: map[string]string{"bieu01": "d1-sua"}}.write(t, st)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	fs, err := quality.ReadFlags(context.Background(), st, 2026, prov)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%s pending=%v %s", f.FlagID, f.Pending, f.SubmissionID))
	}
	want := []string{"hamlet_gone/ho_tong/T03 pending=false " + b1b, "hamlet_gone/ho_tong/T04 pending=false " + b1b}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("flags:\n got %q\nwant %q", got, want)
	}
	r := row(t, views(t, dir), "SELECT ho_tong, don_vi_tong FROM communes WHERE year = 2026 AND commune_code = ?", xaA)
	wantInt(t, "ho_tong counted", r["ho_tong"], 400)
	wantNull(t, "don_vi_tong (the returned Biểu 02)", r["don_vi_tong"])
}
