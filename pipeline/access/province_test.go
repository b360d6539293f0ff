package access

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/storage/local"
)

// TestProvinceCodes: `--role province` issues reviewer codes of one
// province; each signs in as the province (no commune), can be revoked
// and reissued on its own, and a second run skips slots that have a code.
func TestProvinceCodes(t *testing.T) {
	ctx := context.Background()
	lake := local.New(t.TempDir())
	auth := NewAuthority(lake)
	got, err := Issue(ctx, lake, IssueOptions{Year: testYear, Province: testProvince, Role: RoleProvince,
		Holders: []string{"Nguyễn Văn An", " Trần Thị Bình "}, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d codes, want 2", len(got))
	}
	for i, want := range []struct{ slot, holder string }{{"01", "Nguyễn Văn An"}, {"02", "Trần Thị Bình"}} {
		is := got[i]
		if !codeShape.MatchString(is.Code) {
			t.Errorf("code %q", is.Code)
		}
		g, err := auth.Verify(ctx, is.Code, t0)
		if err != nil {
			t.Fatal(err)
		}
		if g.Role != RoleProvince || g.Province != testProvince || g.Commune != "" || g.CommuneName != "" ||
			g.Reviewer != want.slot || g.Holder != want.holder || g.ProvinceName == "" || g.Year != testYear {
			t.Errorf("grant %+v, want province %s slot %s holder %q", g, testProvince, want.slot, want.holder)
		}
		if err := auth.StillValid(ctx, g, t0); err != nil {
			t.Errorf("StillValid: %v", err)
		}
		// The same grant claiming a commune is not valid: the role and unit
		// come from the record, not from what a session says.
		forged := g
		forged.Commune = "05443"
		if err := auth.StillValid(ctx, forged, t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("province grant with a commune: %v, want ErrInvalid", err)
		}
		asCommune := g
		asCommune.Role = RoleCommune
		if err := auth.StillValid(ctx, asCommune, t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("province grant as a commune: %v, want ErrInvalid", err)
		}
	}
	// Commune codes of the same province are untouched by, and do not touch, reviewer codes.
	if objs, _ := lake.List(ctx, "access/year=2026/province=19/"); len(objs) != 2 {
		t.Errorf("records under the province: %v", objs)
	}

	// Run again: both slots have a code, nothing changes.
	again, err := Issue(ctx, lake, IssueOptions{Year: testYear, Province: testProvince, Role: RoleProvince, Reviewers: 2, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range again {
		if is.Code != "" || is.Skipped != StatusActive {
			t.Errorf("second run: %+v", is)
		}
	}
	if _, err := auth.Verify(ctx, got[0].Code, t0); err != nil {
		t.Errorf("first code stopped working after a second run: %v", err)
	}

	// Revoke slot 01: it stops at once; 02 still works.
	g1, _ := auth.Verify(ctx, got[0].Code, t0)
	if _, err := RevokeReviewer(ctx, lake, testYear, testProvince, "01", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Verify(ctx, got[0].Code, t0); !errors.Is(err, ErrRevoked) {
		t.Errorf("revoked reviewer code: %v", err)
	}
	if err := auth.StillValid(ctx, g1, t0); !errors.Is(err, ErrRevoked) {
		t.Errorf("session of a revoked reviewer code: %v", err)
	}
	if _, err := auth.Verify(ctx, got[1].Code, t0); err != nil {
		t.Errorf("slot 02 after revoking 01: %v", err)
	}
	if _, err := RevokeReviewer(ctx, lake, testYear, testProvince, "07", t0); !errors.Is(err, ErrNoCode) {
		t.Errorf("revoke a slot never issued: %v", err)
	}
	// Reissue slot 01: a new code, same holder.
	re, err := Reissue(ctx, lake, ReissueOptions{Year: testYear, Province: testProvince, Reviewer: "01", Now: t0.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	g, err := auth.Verify(ctx, re.Code, t0.Add(time.Minute))
	if err != nil || g.Holder != "Nguyễn Văn An" || g.Reviewer != "01" || !re.Replaced {
		t.Errorf("reissued: %+v, %v", g, err)
	}
}
