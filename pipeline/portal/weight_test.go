package portal_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// pageWeightLimit: a commune page must load over a slow rural connection
// with no internet beyond the portal (issue 11).
const pageWeightLimit = 150 << 10

var (
	refRe      = regexp.MustCompile(`(?i)(?:src|href|action)\s*=\s*"([^"]*)"|url\(\s*['"]?([^'")]+)`)
	externalRe = regexp.MustCompile(`(?i)https?://|^//|@import`)
)

// The heaviest page (an answer with its totals, warnings and a long list)
// plus everything it loads stays under 150 KB, and nothing it references
// is outside the portal: no CDN, no external font or script.
func TestPageWeight(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := c.mustSignIn(communeA)
	for i := 0; i < 10; i++ {
		c.upload(csrf, "bao-cao.xlsx", goodFile(t, communeA, 30), nil, nil)
	}
	bad, _ := badFile(t, communeA)
	r := c.upload(csrf, "sai.xlsx", bad, nil, nil)
	if r.status != http.StatusOK {
		t.Fatal(r.status)
	}
	pages := map[string]string{"answer": r.body, "commune page": c.get("/").body, "sign-in": e.client().get("/").body}
	for name, body := range pages {
		total := len(body)
		for _, m := range refRe.FindAllStringSubmatch(body, -1) {
			ref := m[1] + m[2]
			if externalRe.MatchString(ref) {
				t.Errorf("%s references %q outside the portal", name, ref)
			}
			if strings.HasPrefix(ref, "/tep/") {
				a := c.get(ref)
				if a.status != http.StatusOK {
					t.Errorf("%s: asset %s: %d", name, ref, a.status)
				}
				total += len(a.raw)
				for _, am := range refRe.FindAllStringSubmatch(a.body, -1) {
					if externalRe.MatchString(am[1] + am[2]) {
						t.Errorf("asset %s references %q", ref, am[1]+am[2])
					}
				}
				if strings.Contains(a.body, "http://") || strings.Contains(a.body, "https://") {
					t.Errorf("asset %s contains an external URL", ref)
				}
			}
		}
		t.Logf("%s: %d bytes with its assets", name, total)
		if total > pageWeightLimit {
			t.Errorf("%s weighs %d bytes with its assets, over %d", name, total, pageWeightLimit)
		}
	}
}
