package portal

import (
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/deadlines"
)

// dueFor: days left as reminder.Countdown counts them (calendar days in
// Vietnam to the due day, whose 00:00 is the cut-off), on the boundary
// days; the state from the accepted uploads' times; a returned file never
// makes the row "on time".
func TestDueFor(t *testing.T) {
	d := deadlines.Deadline{ID: "12-01", Month: time.December, Day: 1}
	cut := time.Date(2026, 11, 25, 0, 0, 0, 0, deadlines.ICT).UTC() // upload by the end of 24/11
	ict := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, deadlines.ICT) }
	rejected := uploadView{receivedAt: ict(20, 9)}
	accepted := uploadView{Accepted: true, receivedAt: ict(20, 9)}
	none := time.Time{}
	// from/valid are review.TimelyFrom's answer (when the commune first had
	// a valid file; tested in pipeline/review): the row only judges it
	// against the cut-off.
	cases := []struct {
		now         time.Time
		ups         []uploadView
		from        time.Time
		valid       bool
		noneCounts  bool
		left, state string
	}{
		{ict(20, 23), nil, none, false, false, "còn 5 ngày", "none"},
		{ict(23, 0), nil, none, false, false, "còn 2 ngày", "none"},
		{ict(23, 23), nil, none, false, false, "còn 2 ngày", "none"},
		{ict(24, 0), nil, none, false, false, "hôm nay là ngày cuối", "none"},
		{ict(24, 23), []uploadView{rejected}, none, false, false, "hôm nay là ngày cuối", "rejected"},
		{ict(25, 0), []uploadView{accepted, rejected}, ict(25, 0), true, false, "đã quá hạn từ 00:00 hôm nay", "late"},
		{ict(25, 23), nil, none, false, false, "đã quá hạn từ 00:00 hôm nay", "none"},
		{ict(26, 0), nil, none, false, false, "đã quá hạn 1 ngày", "none"},
		{ict(28, 6), []uploadView{accepted}, ict(20, 9), true, false, "đã quá hạn 3 ngày", "ok"},
		// The last second before the cut-off is on time; the cut-off itself is not.
		{ict(28, 6), []uploadView{accepted}, ict(25, 0).Add(-time.Second), true, false, "đã quá hạn 3 ngày", "ok"},
		// An on-time file was returned: the valid file came later.
		{ict(28, 6), []uploadView{accepted}, ict(26, 8), true, false, "đã quá hạn 3 ngày", "late"},
		// Only a returned file: nothing counts, and the row says so.
		{ict(22, 6), []uploadView{accepted}, none, false, true, "còn 3 ngày", "rejected"},
	}
	for _, tc := range cases {
		got := dueFor(d, cut, tc.now.UTC(), tc.ups, tc.from, tc.valid, tc.noneCounts)
		if got.Left != tc.left || got.State != tc.state || got.Date != "24/11/2026" || got.Label != "Báo cáo 1/12" {
			t.Errorf("at %s: %+v, want %q %q", tc.now, got, tc.left, tc.state)
		}
		if got.Past != !tc.now.Before(cut) {
			t.Errorf("at %s: past %v", tc.now, got.Past)
		}
		if tc.noneCounts && got.Text != "Bị Sở trả lại" {
			t.Errorf("at %s: a returned file's row says %q", tc.now, got.Text)
		}
	}
}
