package report

import (
	"strings"
	"testing"
	"time"
)

// TestReminderReturnedMultiLine (review finding L9, h-fix15p): a returned
// commune's multi-line comment stays inside its numbered item: the
// comment's later lines are indented, so no line of it reads as the next
// item or as the reminder's own text.
func TestReminderReturnedMultiLine(t *testing.T) {
	r := &Reminder{Year: 2026, DeadlineName: "Báo cáo", ProvinceName: "Tỉnh Thái Nguyên", DaysLeft: 3, Expected: 2, Accepted: 2,
		At: time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC), DueAt: time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC),
		Returned: []ReminderCommune{{Code: "01843", Name: "Xã A", Reason: "Sai:\n2. thôn B\r\n\r\nsửa lại"}, {Code: "01864", Name: "Xã B", Reason: "Thiếu thôn"}}}
	txt := r.Text()
	want := "  1. 01843 Xã A — ý kiến của Sở: Sai:\n     2. thôn B\n     sửa lại\n  2. 01864 Xã B — ý kiến của Sở: Thiếu thôn\n"
	if !strings.Contains(txt, want) {
		t.Errorf("returned list:\n%s\nwant it to contain:\n%s", txt, want)
	}
}
