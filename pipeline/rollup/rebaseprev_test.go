package rollup_test

import (
	"context"
	"slices"
	"testing"

	"github.com/xhht/xhht/pipeline/quality"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// Review finding L-L (session 8): the 2025 roll-up builds the re-based
// 2024 roll-up it compares with when it is missing, so the year-on-year
// flags are not silently absent; a change to 2024 re-bases it again
// before the 2025 roll-up is rebuilt. New 00382 = old 00382, 00397, 00415
// (whole moves, schemas/adminunits/old_to_new_communes.csv).
func TestRebasedLastYearBuiltWhenMissing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := local.New(dir)
	o25 := rollup.Options{Year: 2025, Province: "01"}

	// No 2024 upload at all: nothing to re-base, nothing built, no error.
	upload{year: 2025, commune: "00382", at: ict("2025-11-10 09:00:00"), hamlets: []hamlet{h(400, 300, true)}}.write(t, st)
	if res := build(t, dir, o25); res.RebasedLastYear != nil {
		t.Errorf("re-based a year with no upload: %+v", res.RebasedLastYear)
	}

	// 3 × 100 households in 2024; 400 in 2025: +33.3 % (over 15 %).
	for _, c := range []string{"00382", "00397", "00415"} {
		upload{year: 2024, commune: c, at: ict("2024-11-10 09:00:00"), hamlets: []hamlet{h(100, 70, true)}}.write(t, st)
	}
	res := build(t, dir, o25)
	if res.RebasedLastYear == nil || res.RebasedLastYear.Inputs != 3 {
		t.Fatalf("re-based 2024 not built first: %+v", res.RebasedLastYear)
	}
	flags := func() []string {
		fs, err := quality.ReadFlags(ctx, st, 2025, "01")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range fs {
			if f.CommuneCode == "00382" && f.Rule == quality.RuleChange {
				out = append(out, f.FlagID)
			}
		}
		slices.Sort(out)
		return out
	}
	if got, want := flags(), []string{"change/ho_tong/-", "change/lao_dong_tong/-"}; !slices.Equal(got, want) {
		t.Errorf("2025 change flags %q, want %q", got, want)
	}
	// Present now: not built again.
	if res := build(t, dir, o25); res.RebasedLastYear != nil {
		t.Errorf("re-based 2024 built again while current")
	}

	// A late 2024 upload of 00382 (200): 400 households re-based, no
	// change in 2025. The 2024 build keeps 2025 current, re-basing first.
	upload{year: 2024, commune: "00382", file: "lan-2.xlsx", at: ict("2024-11-12 09:00:00"), hamlets: []hamlet{h(200, 150, true)}}.write(t, st)
	// The roll-up Lambda builds what Following returns: it re-bases too.
	fo, err := rollup.Following(ctx, rollup.Options{Lake: st, Year: 2024, Province: "01"})
	if err != nil || fo == nil || fo.Year != 2025 || !fo.RebaseLastYear {
		t.Fatalf("Following(2024) = %+v, %v; want 2025 with RebaseLastYear", fo, err)
	}
	if fo, _ := rollup.Following(ctx, rollup.Options{Lake: st, Year: 2025, Province: "01"}); fo != nil && fo.RebaseLastYear {
		t.Errorf("Following(2025) re-bases: both years are after the reform")
	}
	_, next, err := rollup.BuildKeepingNextYear(ctx, rollup.Options{Lake: st, Year: 2024, Province: "01", Log: quiet})
	if err != nil || next == nil {
		t.Fatalf("2025 not rebuilt after the 2024 change: %v", err)
	}
	if got := flags(); len(got) != 0 {
		t.Errorf("2025 change flags %q after 2024 changed to 400 households, want none", got)
	}
}
