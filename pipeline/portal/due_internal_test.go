package portal

import (
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/deadlines"
)

// dueFor: days left counted in Vietnam's calendar days up to the last day
// before the cut-off, and the state from the accepted uploads' times.
func TestDueFor(t *testing.T) {
	d := deadlines.Deadline{ID: "12-01", Month: time.December, Day: 1}
	cut := time.Date(2026, 11, 25, 0, 0, 0, 0, deadlines.ICT).UTC() // upload by the end of 24/11
	ict := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, deadlines.ICT) }
	before, after := uploadView{Accepted: true, receivedAt: ict(20, 9)}, uploadView{Accepted: true, receivedAt: ict(25, 0)}
	rejected := uploadView{receivedAt: ict(20, 9)}
	cases := []struct {
		now         time.Time
		ups         []uploadView
		left, state string
	}{
		{ict(20, 23), nil, "còn 4 ngày", "none"},
		{ict(24, 0), nil, "hôm nay là ngày cuối", "none"},
		{ict(24, 23), []uploadView{rejected}, "hôm nay là ngày cuối", "rejected"},
		{ict(25, 0), []uploadView{after, rejected}, "đã quá hạn 1 ngày", "late"},
		{ict(28, 6), []uploadView{before, after}, "đã quá hạn 4 ngày", "ok"},
	}
	for _, tc := range cases {
		got := dueFor(d, cut, tc.now.UTC(), tc.ups)
		if got.Left != tc.left || got.State != tc.state || got.Date != "24/11/2026" || got.Label != "Báo cáo 1/12" {
			t.Errorf("at %s: %+v, want %q %q", tc.now, got, tc.left, tc.state)
		}
	}
}
