package access

import (
	"context"
	"testing"

	"github.com/xhht/xhht/pipeline/storage/local"
)

// TestHolderSlots (review finding L-K): named reviewer codes are placed by
// name. Slot 01 is the demo's code without a name; A and B get 02 and 03;
// a re-run gives nothing; --force (Replace) with [C, B] reissues B's slot
// and gives C a free one, leaving A's and the demo's codes working; a name
// given twice gets one code.
func TestHolderSlots(t *testing.T) {
	ctx := context.Background()
	lake := local.New(t.TempDir())
	auth := NewAuthority(lake)
	issue := func(replace bool, holders ...string) map[string]Issued {
		t.Helper()
		got, err := Issue(ctx, lake, IssueOptions{Year: testYear, Province: testProvince, Role: RoleProvince, Holders: holders, Replace: replace, Now: t0})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]Issued{}
		for _, is := range got {
			out[is.Grant.Reviewer+" "+is.Grant.Holder] = is
		}
		return out
	}
	demo, err := Issue(ctx, lake, IssueOptions{Year: testYear, Province: testProvince, Role: RoleProvince, Now: t0})
	if err != nil || len(demo) != 1 || demo[0].Grant.Reviewer != "01" {
		t.Fatalf("demo code: %+v, %v", demo, err)
	}
	first := issue(false, "A", "B")
	if len(first) != 2 || first["02 A"].Code == "" || first["03 B"].Code == "" {
		t.Fatalf("A and B: %+v, want codes in slots 02 and 03", first)
	}
	again := issue(false, "A", " b ")
	if len(again) != 2 || again["02 A"].Skipped != StatusActive || again["03 B"].Skipped != StatusActive {
		t.Errorf("re-run: %+v, want A (02) and B (03) skipped", again)
	}
	forced := issue(true, "C", "B")
	if len(forced) != 2 || forced["04 C"].Code == "" || forced["04 C"].Replaced || forced["03 B"].Code == "" || !forced["03 B"].Replaced {
		t.Errorf("--force C, B: %+v, want C new in 04 and B reissued in 03", forced)
	}
	for who, code := range map[string]string{"demo": demo[0].Code, "A": first["02 A"].Code, "C": forced["04 C"].Code, "new B": forced["03 B"].Code} {
		if _, err := auth.Verify(ctx, code, t0); err != nil {
			t.Errorf("%s's code: %v", who, err)
		}
	}
	if _, err := auth.Verify(ctx, first["03 B"].Code, t0); err == nil {
		t.Error("B's replaced code still works")
	}
	twice, err := Issue(ctx, lake, IssueOptions{Year: testYear, Province: testProvince, Role: RoleProvince, Holders: []string{"D", "D"}, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	codes := 0
	for _, is := range twice {
		if is.Code != "" {
			codes++
		}
	}
	if codes != 1 {
		t.Errorf("D twice: %+v, want one code", twice)
	}
}
