package rollup_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/quality"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// split separates the counted data's flags from the waiting files'.
func split(fs []quality.Flag) (counted, pending []quality.Flag) {
	for _, f := range fs {
		if f.Pending {
			pending = append(pending, f)
		} else {
			counted = append(counted, f)
		}
	}
	return counted, pending
}

// An approved commune uploads again with a zero too many: the roll-up
// keeps counting (and flagging) the approved file, and computes the new
// file's flags too, with its submission_id and pending = true; the other
// communes' flags do not move. Every number is worked out by hand below.
func TestFlagsOfAWaitingFile(t *testing.T) {
	const xaC, xaD, xaE = "01849", "01864", "01879"
	dir := t.TempDir()
	st := local.New(dir)
	day := func(y, d int) time.Time { return time.Date(y, 11, d, 2, 0, 0, 0, time.UTC) }
	// 2025. xaB: 786 households in six hamlets (393 recognised, 50 %).
	// xaA: three hamlets, T03 will disappear.
	upload{year: 2025, commune: xaB, at: day(2025, 10), hamlets: thons(100, 118, 130, 148, 140, 150)}.write(t, st)
	upload{year: 2025, commune: xaA, at: day(2025, 10), hamlets: thons(100, 200, 50)}.write(t, st)
	// 2026, counted. ty_le_ho_dat: xaA 50 %, xaB 449/898 = 50 %, xaC
	// 130/250 = 52 %, xaD 120/250 = 48 %, xaE 50 %: median 50 %, MAD 2
	// points, no deviation of 5 points: no rate outlier. xaB gains T07
	// (hamlet_new), its households +14,2 % (under 15 %); its hamlets
	// 100–150 (median 130, MAD 18): no outlier.
	s1 := upload{year: 2026, commune: xaB, file: "s1.xlsx", at: day(2026, 10), hamlets: thons(100, 120, 130, 148, 140, 150, 110)}.write(t, st)
	upload{year: 2026, commune: xaA, at: day(2026, 10), hamlets: thons(100, 200)}.write(t, st)
	upload{year: 2026, commune: xaC, at: day(2026, 10), hamlets: []hamlet{h(100, 52, false), h(150, 78, false)}}.write(t, st)
	upload{year: 2026, commune: xaD, at: day(2026, 10), hamlets: []hamlet{h(100, 48, false), h(150, 72, false)}}.write(t, st)
	e1 := upload{year: 2026, commune: xaE, file: "e1.xlsx", at: day(2026, 10), hamlets: []hamlet{h(100, 50, false)}}.write(t, st)
	putReview(t, st, 2026, xaB, review.Approved, s1, s1, "")
	putReview(t, st, 2026, xaE, review.Approved, e1, e1, "")
	build(t, dir, rollup.Options{Year: 2025, Province: prov})
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	before, err := quality.ReadFlags(context.Background(), st, 2026, prov)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{xaA + " hamlet_gone/ho_tong/T03", xaB + " hamlet_new/ho_tong/T07"}; !slices.Equal(flagIDs(before), want) {
		t.Fatalf("flags before the new uploads:\n got %q\nwant %q", flagIDs(before), want)
	}
	if _, p := split(before); len(p) != 0 {
		t.Fatalf("no file waits, yet pending flags: %+v", p)
	}

	// xaB uploads T04 = 1480 instead of 148: 2230 households, 449
	// recognised (20,13 %). xaE uploads its approved file again.
	zero := thons(100, 120, 130, 148, 140, 150, 110)
	zero[3] = th("T04", "Thôn 4", h(1480, 74, false))
	s2 := upload{year: 2026, commune: xaB, file: "s2.xlsx", at: day(2026, 12), hamlets: zero}.write(t, st)
	e2 := upload{year: 2026, commune: xaE, file: "e2.xlsx", at: day(2026, 12), hamlets: []hamlet{h(100, 50, false)}}.write(t, st)
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	after, err := quality.ReadFlags(context.Background(), st, 2026, prov)
	if err != nil {
		t.Fatal(err)
	}
	counted, pending := split(after)
	// The counted (approved) data's flags, and every other commune's,
	// are exactly those of before.
	if !reflect.DeepEqual(counted, before) {
		t.Errorf("counted flags moved:\n got %+v\nwant %+v", counted, before)
	}
	want := []string{
		// 786 → 2230 households (+183,7 %), and working-age people alike.
		xaB + " change/ho_tong/-", xaB + " change/lao_dong_tong/-",
		xaB + " hamlet_new/ho_tong/T07",
		// 1480 among 100–150: median 130, MAD 20, M = 0,6745·1350/20 = 45,53.
		xaB + " hamlet_outlier/ho_tong/T04",
		// 50 % → 20,13 %: −29,9 points.
		xaB + " rate_change/ty_le_ho_dat/-",
		// Among 50, 20,13, 52, 48, 50 %: median 50 %, MAD 2 points,
		// M = 0,6745·(−29,87)/2 = −10,07. Working-age people reached
		// (half the households, over twice the households): 25, 26, 24,
		// 25 % and 449/4460 = 10,07 %: MAD 1 point, M = −10,07 (its
		// change, −14,9 points, is under 20).
		xaB + " rate_outlier/ty_le_cong_dan_dat/-",
		xaB + " rate_outlier/ty_le_ho_dat/-",
		xaE + " unchanged/-/-",
	}
	if got := flagIDs(pending); !slices.Equal(got, want) {
		t.Fatalf("waiting files' flags:\n got %q\nwant %q", got, want)
	}
	by := map[string]quality.Flag{}
	for _, f := range pending {
		by[f.CommuneCode+" "+f.FlagID] = f
		sub := map[string]string{xaB: s2, xaE: e2}[f.CommuneCode]
		if f.SubmissionID != sub {
			t.Errorf("%s %s: submission %q, want the waiting file %q", f.CommuneCode, f.FlagID, f.SubmissionID, sub)
		}
	}
	if f := by[xaB+" hamlet_outlier/ho_tong/T04"]; !near(f.Value, 1480) || !near(f.Score, 0.6745*1350/20) || !near(f.PreviousValue, 148) {
		t.Errorf("hamlet outlier: %+v", f)
	}
	if f := by[xaB+" change/ho_tong/-"]; !near(f.Value, 2230) || !near(f.PreviousValue, 786) {
		t.Errorf("change: %+v", f)
	}
	if f := by[xaB+" rate_outlier/ty_le_ho_dat/-"]; !near(f.Value, 449.0/2230) || !near(f.Score, 0.6745*(449.0/2230-0.5)/0.02) {
		t.Errorf("rate outlier: %+v", f)
	}

	// The query view has both, told apart by pending.
	db := views(t, dir)
	wantInt(t, "pending rows in the view", row(t, db, "SELECT count(*) AS n FROM flags WHERE year = 2026 AND pending")["n"], int64(len(want)))
	wantInt(t, "counted rows in the view", row(t, db, "SELECT count(*) AS n FROM flags WHERE year = 2026 AND NOT pending")["n"], int64(len(before)))

	// An approved-only snapshot (the final report) counts no waiting file
	// and has none of its flags.
	snap := snapshot(t, dir, rollup.Options{Year: 2026, Province: prov, ApprovedOnly: true})
	wantInt(t, "pending rows in an approved-only snapshot", row(t, snap, "SELECT count(*) AS n FROM flags WHERE pending")["n"], 0)

	// Once the province approves the new file, its flags are the counted
	// ones: the same as it was shown before approving.
	putReview(t, st, 2026, xaB, review.Approved, s2, s2, "")
	build(t, dir, rollup.Options{Year: 2026, Province: prov})
	approved, err := quality.ReadFlags(context.Background(), st, 2026, prov)
	if err != nil {
		t.Fatal(err)
	}
	var gotB, wasB []quality.Flag
	for _, f := range approved {
		if f.CommuneCode == xaB {
			if f.Pending {
				t.Errorf("approved, yet pending: %+v", f)
			}
			gotB = append(gotB, f)
		}
	}
	for _, f := range pending {
		if f.CommuneCode == xaB {
			f.Pending = false
			wasB = append(wasB, f)
		}
	}
	if !reflect.DeepEqual(gotB, wasB) {
		t.Errorf("flags after approving differ from those shown before:\n got %+v\nwant %+v", gotB, wasB)
	}
}
