package access

import (
	"bytes"
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/deadlines"
	lakekeys "github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
	"github.com/xhht/xhht/pipeline/storage/s3store"
	"github.com/xhht/xhht/pipeline/storage/s3test"
	"github.com/xhht/xhht/pipeline/storage/storagetest"
)

// Thái Nguyên in the 2026 register (2025 codes): 92 communes.
const (
	testYear     = 2026
	testProvince = "19"
	communeA     = "05443" // Phường Phan Đình Phùng
	communeB     = "01840" // Phường Đức Xuân
)

var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

// backends: the local directory (the CLI's default) and a real S3 server
// (versitygw through aws-sdk-go-v2), where PutIf is an HTTP conditional
// write. Tests whose rule depends on the storage contract run on both.
func backends(t *testing.T) map[string]func(t *testing.T) storage.Store {
	srv := s3test.Start(t) // one server for the whole test; a bucket per subtest
	var (
		seq int
		mu  sync.Mutex
	)
	return map[string]func(t *testing.T) storage.Store{
		"local": func(t *testing.T) storage.Store { return local.New(t.TempDir()) },
		"s3": func(t *testing.T) storage.Store {
			mu.Lock()
			seq++
			name := fmt.Sprintf("lake-%03d", seq)
			mu.Unlock()
			srv.CreateBucket(t, name)
			return s3store.New(srv.Client(t), name, "")
		},
	}
}

func issueAll(t *testing.T, lake storage.Store, opt IssueOptions) map[string]Issued {
	t.Helper()
	if opt.Year == 0 {
		opt.Year, opt.Province = testYear, testProvince
	}
	if opt.Now.IsZero() {
		opt.Now = t0
	}
	got, err := Issue(context.Background(), lake, opt)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	out := map[string]Issued{}
	for _, is := range got {
		out[is.Grant.Commune] = is
	}
	return out
}

var codeShape = regexp.MustCompile(`^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$`)

func TestCodeFormat(t *testing.T) {
	if CodeBits < 80 {
		t.Fatalf("CodeBits = %d, want at least 80", CodeBits)
	}
	if len(Alphabet) != 32 || strings.ContainsAny(Alphabet, "01OI") {
		t.Fatalf("alphabet %q: want 32 symbols without 0, 1, O, I", Alphabet)
	}
	seen := map[string]bool{}
	perPos := make([]map[byte]bool, CodeLen)
	for i := range perPos {
		perPos[i] = map[byte]bool{}
	}
	for range 4000 {
		c, err := newCode(randReader)
		if err != nil {
			t.Fatal(err)
		}
		if !codeShape.MatchString(c) {
			t.Fatalf("code %q is not four dash-separated groups of four alphabet symbols", c)
		}
		if seen[c] {
			t.Fatalf("code %q drawn twice", c)
		}
		seen[c] = true
		for i, s := range []byte(strings.ReplaceAll(c, "-", "")) {
			perPos[i][s] = true
		}
	}
	// 4000 draws: a position that misses a symbol of 32 (p ≈ 32·e^-125)
	// means some bits are stuck or biased.
	for i, m := range perPos {
		if len(m) != 32 {
			t.Errorf("position %d saw %d of 32 symbols", i, len(m))
		}
	}
}

// The code is the 80 random bits written in base 32 with this alphabet:
// the standard library's encoder is an independent oracle.
func TestCodeIsTheRandomBits(t *testing.T) {
	enc := base32.NewEncoding(Alphabet).WithPadding(base32.NoPadding)
	for _, raw := range [][]byte{
		bytes.Repeat([]byte{0}, 10), bytes.Repeat([]byte{0xff}, 10),
		{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x10, 0x32},
		[]byte("xa hoi hoc"),
	} {
		c, err := newCode(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if want := enc.EncodeToString(raw); strings.ReplaceAll(c, "-", "") != want {
			t.Errorf("bits %x → %q, want %q", raw, c, want)
		}
	}
	if _, err := newCode(bytes.NewReader(make([]byte, 9))); err == nil {
		t.Error("a random source that runs dry gave a code")
	}
}

func TestNormalize(t *testing.T) {
	const want = "7KQ4M2XD9PTAW3RN"
	for _, c := range []struct {
		typed string
		ok    bool
	}{
		{"7KQ4-M2XD-9PTA-W3RN", true},
		{"7kq4-m2xd-9pta-w3rn", true},
		{"7KQ4M2XD9PTAW3RN", true},
		{" 7KQ4 M2XD 9PTA W3RN ", true},
		{"7KQ4 – M2XD — 9PTA\u00a0W3RN", true}, // typographic dashes, no-break space
		{"7KQ4--M2XD_9PTA.W3RN\t", true},
		{"7KQ4-M2XD-9PTA-W3R", false},   // one short
		{"7KQ4-M2XD-9PTA-W3RNX", false}, // one long
		{"7KQ4-M2XD-9PTA-W3R0", false},  // 0 is not in the alphabet
		{"7KQ4-M2XD-9PTA-W3RO", false},  // nor O
		{"7KQ4-M2XD-9PTA-W3R1", false},
		{"7KQ4-M2XD-9PTA-W3RI", false},
		{"7KQ4-M2XD-9PTA-W3RÑ", false},
		{"", false},
		{strings.Repeat(" ", 200) + "7KQ4M2XD9PTAW3RN", false}, // too long to look at
	} {
		got, ok := Normalize(c.typed)
		if ok != c.ok || (ok && got != want) {
			t.Errorf("Normalize(%q) = %q, %v; want ok=%v", c.typed, got, ok, c.ok)
		}
	}
	if f := Format(want); f != "7KQ4-M2XD-9PTA-W3RN" {
		t.Errorf("Format = %q", f)
	}
}

// Only hashes are stored: no object of the lake contains a code, in any of
// the forms a person could type it.
func TestHashOnlyAtRest(t *testing.T) {
	lake := local.New(t.TempDir())
	issued := issueAll(t, lake, IssueOptions{})
	re, err := Reissue(context.Background(), lake, ReissueOptions{Year: testYear, Commune: communeA, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	snap := storagetest.Snapshot(t, lake)
	if len(snap) < 2*len(issued) {
		t.Fatalf("lake has %d objects for %d codes", len(snap), len(issued))
	}
	codes := []string{re.Code}
	for _, is := range issued {
		codes = append(codes, is.Code)
	}
	for _, code := range codes {
		norm, _ := Normalize(code)
		for key, body := range snap {
			for _, form := range []string{code, norm, strings.ToLower(norm), strings.ReplaceAll(code, "-", " ")} {
				if bytes.Contains(body, []byte(form)) || strings.Contains(key, form) {
					t.Fatalf("%s contains the code %s", key, code)
				}
			}
			// Not even half of one: a hex hash cannot hold these symbols.
			if bytes.Contains(body, []byte(norm[:8])) {
				t.Fatalf("%s contains half of the code %s", key, code)
			}
		}
	}
	// And what is stored is the hash.
	body := snap[recordKey(testYear, testProvince, communeA)]
	norm, _ := Normalize(re.Code)
	if !bytes.Contains(body, []byte(hashCode(norm))) {
		t.Errorf("record of %s does not hold the hash of its code:\n%s", communeA, body)
	}
}

// Verify compares hashes through crypto/subtle, never with ==.
func TestVerifyComparesInConstantTime(t *testing.T) {
	lake := local.New(t.TempDir())
	is, err := IssueOne(context.Background(), lake, testYear, communeA, t0)
	if err != nil {
		t.Fatal(err)
	}
	var calls [][2]string
	orig := equalHash
	equalHash = func(a, b string) bool { calls = append(calls, [2]string{a, b}); return orig(a, b) }
	defer func() { equalHash = orig }()
	if _, err := NewAuthority(lake).Verify(context.Background(), is.Code, t0); err != nil {
		t.Fatal(err)
	}
	norm, _ := Normalize(is.Code)
	if len(calls) != 1 || calls[0][0] != hashCode(norm) || calls[0][1] != hashCode(norm) {
		t.Fatalf("equalHash calls = %q, want one comparison of the code's hash with the record's", calls)
	}
	// The real comparison is the constant-time one.
	if !orig("ab", "ab") || orig("ab", "ac") || orig("ab", "abc") {
		t.Error("equalHash is not an equality")
	}
}

func TestWrongCodeIsInvalid(t *testing.T) {
	ctx := context.Background()
	lake := local.New(t.TempDir())
	is, err := IssueOne(ctx, lake, testYear, communeA, t0)
	if err != nil {
		t.Fatal(err)
	}
	norm, _ := Normalize(is.Code)
	// The same code with one symbol changed.
	i := strings.IndexByte(Alphabet, norm[5])
	oneOff := norm[:5] + string(Alphabet[(i+1)%32]) + norm[6:]
	never, _ := newCode(randReader)
	auth := NewAuthority(lake)
	for _, code := range []string{oneOff, never, "", "xin chào", is.Code + "A", strings.Repeat("A", 10000)} {
		g, err := auth.Verify(ctx, code, t0)
		if !errors.Is(err, ErrInvalid) || g != (Grant{}) {
			t.Errorf("Verify(%q) = %+v, %v; want ErrInvalid and no grant", code, g, err)
		}
	}
	if _, err := auth.Verify(ctx, strings.ToLower(strings.ReplaceAll(is.Code, "-", " ")), t0); err != nil {
		t.Errorf("the right code, typed in lower case with spaces: %v", err)
	}
}

// Each code yields its own commune's grant, and only that.
func TestCodeYieldsOnlyItsCommune(t *testing.T) {
	ctx := context.Background()
	lake := local.New(t.TempDir())
	issued := issueAll(t, lake, IssueOptions{})
	if len(issued) != 92 {
		t.Fatalf("issued %d codes, want one per commune of Thái Nguyên 2026 (92)", len(issued))
	}
	auth := NewAuthority(lake)
	seen := map[string]string{}
	for commune, is := range issued {
		g, err := auth.Verify(ctx, is.Code, t0)
		if err != nil {
			t.Fatalf("%s: %v", commune, err)
		}
		if g.Commune != commune || g.Province != testProvince || g.Year != testYear || g.Role != RoleCommune {
			t.Errorf("code of %s yields %+v", commune, g)
		}
		if g.CommuneName == "" || g.ProvinceName != "Tỉnh Thái Nguyên" || len(g.CodeID) != 12 || strings.Contains(is.Code, g.CodeID) {
			t.Errorf("grant of %s: %+v", commune, g)
		}
		if other, dup := seen[is.Code]; dup {
			t.Errorf("%s and %s got the same code", other, commune)
		}
		seen[is.Code] = commune
	}
	if g := issued[communeA].Grant; g.CommuneName != "Phường Phan Đình Phùng" {
		t.Errorf("%s is %q", communeA, g.CommuneName)
	}
}

// The lifecycle rules, on both backends: revoke and reissue act on the
// very next Verify (same Authority: nothing cached), for new sign-ins and
// open sessions (StillValid); expiry at now.
func TestLifecycle(t *testing.T) {
	for name, newLake := range backends(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("revoke", func(t *testing.T) { testRevoke(t, newLake(t)) })
			t.Run("reissue", func(t *testing.T) { testReissue(t, newLake(t)) })
			t.Run("expiry", func(t *testing.T) { testExpiry(t, newLake(t)) })
			t.Run("concurrent reissue", func(t *testing.T) { testConcurrentReissue(t, newLake(t)) })
			t.Run("concurrent mix", func(t *testing.T) { testConcurrentMix(t, newLake(t)) })
		})
	}
}

func mustFail(t *testing.T, what string, err, want error, commune string) {
	t.Helper()
	var f *Failure
	if !errors.Is(err, want) || !errors.As(err, &f) {
		t.Fatalf("%s: err = %v, want a *Failure wrapping %v", what, err, want)
	}
	if f.Commune != commune {
		t.Errorf("%s: failure names commune %q, want %q", what, f.Commune, commune)
	}
}

func testRevoke(t *testing.T, lake storage.Store) {
	ctx := context.Background()
	issued := issueAll(t, lake, IssueOptions{Communes: []string{communeA, communeB}})
	auth := NewAuthority(lake)
	g, err := auth.Verify(ctx, issued[communeA].Code, t0)
	if err != nil {
		t.Fatal(err)
	}
	rg, err := Revoke(ctx, lake, testYear, communeA, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if rg.CodeID != g.CodeID {
		t.Errorf("revoked code %s, want %s", rg.CodeID, g.CodeID)
	}
	_, err = auth.Verify(ctx, issued[communeA].Code, t0.Add(2*time.Minute))
	mustFail(t, "Verify after revoke", err, ErrRevoked, communeA)
	mustFail(t, "StillValid after revoke", auth.StillValid(ctx, g, t0.Add(2*time.Minute)), ErrRevoked, communeA)
	// B is untouched.
	if _, err := auth.Verify(ctx, issued[communeB].Code, t0.Add(2*time.Minute)); err != nil {
		t.Errorf("B after revoking A: %v", err)
	}
	// Revoking twice changes nothing; a commune without a code is an error.
	if _, err := Revoke(ctx, lake, testYear, communeA, t0.Add(3*time.Minute)); err != nil {
		t.Errorf("second revoke: %v", err)
	}
	if _, err := Revoke(ctx, lake, testYear, "05440", t0); err == nil || !strings.Contains(err.Error(), "05443") {
		t.Errorf("revoke of a pre-reform code: %v, want the register's hint naming 05443", err)
	}
	if _, err := Revoke(ctx, lake, 2025, communeA, t0); !errors.Is(err, ErrNoCode) {
		t.Errorf("revoke without a code for 2025: %v, want ErrNoCode", err)
	}
	rec, _, err := readRecord(ctx, lake, recordKey(testYear, testProvince, communeA))
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.History) != 2 || rec.History[1].Action != "revoke" || rec.Status != StatusRevoked {
		t.Errorf("record after revoke: %+v", rec)
	}
}

func testReissue(t *testing.T, lake storage.Store) {
	ctx := context.Background()
	auth := NewAuthority(lake)
	first, err := IssueOne(ctx, lake, testYear, communeA, t0)
	if err != nil {
		t.Fatal(err)
	}
	old, err := auth.Verify(ctx, first.Code, t0)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Reissue(ctx, lake, ReissueOptions{Year: testYear, Commune: communeA, Now: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if !second.Replaced || second.Code == first.Code || second.Grant.ExpiresAt != first.Grant.ExpiresAt {
		t.Errorf("reissue: %+v after %+v; want a new code, Replaced, the same expiry", second, first)
	}
	now := t0.Add(time.Hour)
	_, err = auth.Verify(ctx, first.Code, now)
	mustFail(t, "old code after reissue", err, ErrRevoked, communeA)
	mustFail(t, "old session after reissue", auth.StillValid(ctx, old, now), ErrRevoked, communeA)
	g, err := auth.Verify(ctx, second.Code, now)
	if err != nil || g.Commune != communeA {
		t.Fatalf("new code: %+v, %v", g, err)
	}
	if err := auth.StillValid(ctx, g, now); err != nil {
		t.Errorf("new session: %v", err)
	}
	// A revoked commune gets a working code back by a reissue.
	if _, err := Revoke(ctx, lake, testYear, communeA, now); err != nil {
		t.Fatal(err)
	}
	third, err := Reissue(ctx, lake, ReissueOptions{Year: testYear, Commune: communeA, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Verify(ctx, third.Code, now); err != nil {
		t.Errorf("code reissued after a revoke: %v", err)
	}
	_, err = auth.Verify(ctx, second.Code, now)
	mustFail(t, "revoked code after reissue", err, ErrRevoked, communeA)
}

func testExpiry(t *testing.T, lake storage.Store) {
	ctx := context.Background()
	exp := time.Date(2026, 12, 20, 0, 0, 0, 0, deadlines.ICT)
	issued := issueAll(t, lake, IssueOptions{Communes: []string{communeA}, ExpiresAt: exp})
	auth := NewAuthority(lake)
	g, err := auth.Verify(ctx, issued[communeA].Code, exp.Add(-time.Nanosecond))
	if err != nil {
		t.Fatalf("just before expiry: %v", err)
	}
	if !g.ExpiresAt.Equal(exp) {
		t.Errorf("ExpiresAt = %v, want %v", g.ExpiresAt, exp)
	}
	_, err = auth.Verify(ctx, issued[communeA].Code, exp)
	mustFail(t, "at expiry", err, ErrExpired, communeA)
	mustFail(t, "session at expiry", auth.StillValid(ctx, g, exp), ErrExpired, communeA)
	// A reissue after the expiry needs a new one.
	if _, err := Reissue(ctx, lake, ReissueOptions{Year: testYear, Commune: communeA, Now: exp}); err == nil {
		t.Error("reissue keeping a past expiry succeeded")
	}
	re, err := Reissue(ctx, lake, ReissueOptions{Year: testYear, Commune: communeA, Now: exp, ExpiresAt: exp.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Verify(ctx, re.Code, exp.Add(time.Hour)); err != nil {
		t.Errorf("reissued with a new expiry: %v", err)
	}
}

// Concurrent reissues of one commune: every one commits (none is lost),
// one after the other; the last one's code is the only one that works.
func testConcurrentReissue(t *testing.T, lake storage.Store) {
	ctx := context.Background()
	if _, err := IssueOne(ctx, lake, testYear, communeA, t0); err != nil {
		t.Fatal(err)
	}
	const n = 12
	codes := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			is, err := Reissue(ctx, lake, ReissueOptions{Year: testYear, Commune: communeA, Now: t0})
			if err != nil {
				errs <- err
				return
			}
			codes[i] = is.Code
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent reissue: %v", err)
	}
	rec, _, err := readRecord(ctx, lake, recordKey(testYear, testProvince, communeA))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Generation != n+1 || len(rec.History) != n+1 {
		t.Fatalf("after 1 issue and %d reissues: generation %d, %d history events; an update was lost", n, rec.Generation, len(rec.History))
	}
	ids := map[string]bool{}
	for _, e := range rec.History {
		ids[e.CodeID] = true
	}
	auth := NewAuthority(lake)
	valid := 0
	for _, c := range codes {
		norm, _ := Normalize(c)
		if !ids[codeID(hashCode(norm))] {
			t.Errorf("code %s was returned but is not in the history", codeID(hashCode(norm)))
		}
		if _, err := auth.Verify(ctx, c, t0); err == nil {
			valid++
			if codeID(hashCode(norm)) != rec.CodeID {
				t.Errorf("a code that is not the record's works")
			}
		} else if !errors.Is(err, ErrRevoked) {
			t.Errorf("replaced code: %v, want ErrRevoked", err)
		}
	}
	if valid != 1 {
		t.Errorf("%d codes work after %d concurrent reissues, want exactly 1", valid, n)
	}
	// Lookup objects left by lost races are removed: one per committed code.
	objs, err := lake.List(ctx, lakekeys.AccessCodesPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != n+1 {
		t.Errorf("%d lookup objects for %d committed codes", len(objs), n+1)
	}
}

// Reissues and revokes of one commune at once: each is in the history.
func testConcurrentMix(t *testing.T, lake storage.Store) {
	ctx := context.Background()
	if _, err := IssueOne(ctx, lake, testYear, communeB, t0); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []error
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				_, err = Reissue(ctx, lake, ReissueOptions{Year: testYear, Commune: communeB, Now: t0})
			} else {
				_, err = Revoke(ctx, lake, testYear, communeB, t0)
			}
			if err != nil {
				mu.Lock()
				failed = append(failed, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(failed) > 0 {
		t.Fatal(failed)
	}
	rec, _, err := readRecord(ctx, lake, recordKey(testYear, testProvince, communeB))
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, e := range rec.History {
		actions[e.Action]++
	}
	// Every reissue is recorded; a revoke of an already revoked code is a
	// no-op, so between 1 and n/2 revokes.
	if actions["issue"] != 1 || actions["reissue"] != n/2 || actions["revoke"] < 1 || actions["revoke"] > n/2 || rec.Generation != 1+n/2 {
		t.Errorf("history %v, generation %d after 1 issue, %d reissues, %d revokes", actions, rec.Generation, n/2, n/2)
	}
	last := rec.History[len(rec.History)-1].Action
	if (last == "revoke") != (rec.Status == StatusRevoked) {
		t.Errorf("status %s after a last %s", rec.Status, last)
	}
}

// A second issue only fills in what is missing; --force replaces.
func TestIssueAgain(t *testing.T) {
	ctx := context.Background()
	lake := local.New(t.TempDir())
	first := issueAll(t, lake, IssueOptions{Communes: []string{communeA}})
	all := issueAll(t, lake, IssueOptions{})
	if len(all) != 92 {
		t.Fatalf("second issue covered %d communes", len(all))
	}
	if a := all[communeA]; a.Code != "" || a.Skipped != StatusActive || a.Grant.CodeID != first[communeA].Grant.CodeID {
		t.Errorf("commune with a code: %+v, want skipped (active), same code id", a)
	}
	if b := all[communeB]; b.Code == "" || b.Skipped != "" || b.Replaced {
		t.Errorf("commune without a code: %+v, want a new code", b)
	}
	auth := NewAuthority(lake)
	if _, err := auth.Verify(ctx, first[communeA].Code, t0); err != nil {
		t.Errorf("first code after a second issue: %v", err)
	}
	forced := issueAll(t, lake, IssueOptions{Replace: true, Communes: []string{communeA, communeB}})
	for _, c := range []string{communeA, communeB} {
		if !forced[c].Replaced || forced[c].Code == "" {
			t.Errorf("--force on %s: %+v", c, forced[c])
		}
	}
	_, err := auth.Verify(ctx, first[communeA].Code, t0)
	mustFail(t, "code replaced by --force", err, ErrRevoked, communeA)
}

func TestIssueRefuses(t *testing.T) {
	ctx := context.Background()
	lake := local.New(t.TempDir())
	for name, opt := range map[string]IssueOptions{
		"unknown role":                    {Year: testYear, Province: testProvince, Role: "admin", Now: t0},
		"province role, unknown province": {Year: testYear, Province: "99", Role: RoleProvince, Now: t0},
		"province role, 100 reviewers":    {Year: testYear, Province: testProvince, Role: RoleProvince, Reviewers: 100, Now: t0},
		"province role, bad holder":       {Year: testYear, Province: testProvince, Role: RoleProvince, Holders: []string{"a\nb"}, Now: t0},
		"past expiry":                     {Year: testYear, Province: testProvince, ExpiresAt: t0, Now: t0},
		"unknown province":                {Year: testYear, Province: "99", Now: t0},
		"commune elsewhere":               {Year: testYear, Province: "01", Communes: []string{communeA}, Now: t0},
		"no register":                     {Year: 1990, Province: testProvince, Now: t0},
	} {
		if got, err := Issue(ctx, lake, opt); err == nil {
			t.Errorf("%s: issued %d codes", name, len(got))
		}
	}
	if objs, _ := lake.List(ctx, ""); len(objs) != 0 {
		t.Errorf("refused issues wrote %d objects", len(objs))
	}
	// A lake without conditional writes cannot keep concurrent updates.
	if _, err := Issue(ctx, readOnly{lake}, IssueOptions{Year: testYear, Province: testProvince, Now: t0}); err == nil {
		t.Error("issue into a store without PutIf succeeded")
	}
	// The random source failing stops the issue; nothing half-written.
	randReader = bytes.NewReader(nil)
	defer func() { randReader = origRand }()
	if _, err := Issue(ctx, lake, IssueOptions{Year: testYear, Province: testProvince, Communes: []string{communeA}, Now: t0}); err == nil {
		t.Error("issue with a failing random source succeeded")
	}
	if objs, _ := lake.List(ctx, ""); len(objs) != 0 {
		t.Errorf("failed issue wrote %v", objs)
	}
}

var origRand = randReader

type readOnly struct{ storage.Store }

// The default expiry is after every report deadline and commune due date
// of the schemas, for the years the register covers.
func TestDefaultExpiryAfterTheSeason(t *testing.T) {
	set, err := deadlines.Load()
	if err != nil {
		t.Fatal(err)
	}
	for year := 2024; year <= 2030; year++ {
		exp := DefaultExpiry(year)
		if got := exp.In(deadlines.ICT); got.Year() != year+1 || got.YearDay() != 1 || got.Hour() != 0 {
			t.Errorf("DefaultExpiry(%d) = %v, want 00:00 ICT 1 January %d", year, got, year+1)
		}
		for _, d := range set.All() {
			if !exp.After(d.CutOff(year)) {
				t.Errorf("DefaultExpiry(%d) = %v is not after the %s report (%v)", year, exp, d.ID, d.CutOff(year))
			}
			due, err := set.CommuneDue(testProvince, d.ID, year)
			if err != nil || !exp.After(due) {
				t.Errorf("DefaultExpiry(%d) not after the commune due date %v (%v)", year, due, err)
			}
		}
	}
}

// A lookup object that names a record which does not exist (an issue
// that crashed between the two writes) or one that is damaged grants nothing.
func TestDanglingOrDamagedLookup(t *testing.T) {
	ctx := context.Background()
	lake := local.New(t.TempDir())
	code, _ := newCode(randReader)
	norm, _ := Normalize(code)
	put := func(body string) {
		if err := lake.Put(ctx, pointerKey(hashCode(norm)), []byte(body), ""); err != nil {
			t.Fatal(err)
		}
	}
	put(`{"role":"commune","year":2026,"province":"19","commune":"05443"}`)
	if g, err := NewAuthority(lake).Verify(ctx, code, t0); !errors.Is(err, ErrInvalid) {
		t.Errorf("dangling lookup: %+v, %v; want ErrInvalid", g, err)
	}
	put(`{"role":"commune","year":2026,"province":"19","commune":"../../x"}`)
	if g, err := NewAuthority(lake).Verify(ctx, code, t0); err == nil || errors.Is(err, ErrInvalid) {
		t.Errorf("damaged lookup: %+v, %v; want a (non-ErrInvalid) error", g, err)
	}
}

// BenchmarkVerify is one sign-in on the local lake: two small reads.
func BenchmarkVerify(b *testing.B) {
	lake := local.New(b.TempDir())
	is, err := IssueOne(context.Background(), lake, testYear, communeA, t0)
	if err != nil {
		b.Fatal(err)
	}
	auth := NewAuthority(lake)
	for b.Loop() {
		if _, err := auth.Verify(context.Background(), is.Code, t0); err != nil {
			b.Fatal(err)
		}
	}
}
