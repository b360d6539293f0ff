package portal_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
)

// Final-walk L7 (session 8): once the due date has passed, the days count
// is red ("late") only for a commune that still has to send; beside "Đã
// nộp đúng hạn" it is grey ("small"), not a warning about the commune.
func TestDueCountColour(t *testing.T) {
	e := newEnv(t)
	setClock := func(at time.Time) {
		e.clock.mu.Lock()
		e.clock.t = at.UTC()
		e.clock.mu.Unlock()
	}
	// Sent 20/11, before the 1/12 due date (24/11).
	h := []map[string]any{{"ho_tong": int64(100), "ho_dang_ky": int64(50), "ho_dat": int64(50)}}
	if _, err := (rolluptest.Upload{Year: year, Commune: communeA, At: time.Date(2026, 11, 20, 9, 0, 0, 0, deadlines.ICT), Hamlets: h}).Write(ctx(), e.lake); err != nil {
		t.Fatal(err)
	}
	setClock(time.Date(2026, 11, 27, 9, 0, 0, 0, deadlines.ICT)) // due date passed
	row := regexp.MustCompile(`<td>Báo cáo 1/12</td><td>hết ngày 24/11/2026<br><span class="([a-z]+)">([^<]*)</span></td><td><span class="tag ([a-z]+)">`)
	for _, c := range []struct {
		commune, class, state string
	}{
		{communeA, "small", "ok"},  // sent on time: grey
		{communeB, "late", "none"}, // nothing sent: red
	} {
		cl := e.client()
		cl.mustSignIn(c.commune)
		m := row.FindStringSubmatch(cl.get("/").body)
		if m == nil || m[1] != c.class || m[3] != c.state || m[2] != "đã quá hạn 2 ngày" {
			t.Errorf("%s: due row %q, want class %q, state %q, \"đã quá hạn 2 ngày\"", c.commune, m, c.class, c.state)
		}
	}
}
