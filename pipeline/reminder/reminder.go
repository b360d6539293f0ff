// Package reminder is the reminder one commune receives (issue 15): its
// text, in Vietnamese, and how SNS routes it to the commune's own
// addresses. It has no DuckDB and reads nothing: the report function
// fills a Commune from its roll-up snapshot and review states, the portal
// from the receipts and review state it already shows (WithState), and both print
// Commune.Text, so a commune reads the same words in its mail and on its
// page.
//
// Routing: every commune reminder is published to the reminder topic with
// the message attribute commune_code (AttrCommune). Each address of a
// commune is subscribed with the filter policy FilterPolicy(code), so it
// receives only its own commune's reminders; the province's officials
// subscribe with ProvinceFilterPolicy, which receives the one summary per
// province and none of the commune messages. See docs/reminders.md.
package reminder

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/review"
)

// Message attribute names (SNS). kind, province, deadline and year are
// also on the province summary (pipeline/lambdareport).
const (
	AttrKind     = "kind"
	AttrProvince = "province"
	AttrDeadline = "deadline"
	AttrYear     = "year"
	AttrCommune  = "commune_code"
)

// Upload states of a commune (its receipts, not its review).
const (
	Missing  = "missing"  // nothing received
	Rejected = "rejected" // every upload rejected
	Accepted = "accepted" // something accepted
)

// Commune is what one commune's reminder says. JSON names are stable (the
// report function's reminder JSON lists them under "communes").
type Commune struct {
	Year         int       `json:"year"`
	Deadline     string    `json:"deadline"`      // "12-01", "12-15"
	DeadlineName string    `json:"deadline_name"` // the report's Vietnamese name
	Province     string    `json:"province"`
	ProvinceName string    `json:"province_name"`
	Code         string    `json:"code"`
	Name         string    `json:"name"`
	DueAt        time.Time `json:"due_at"` // the commune's due time (00:00 ICT of the due day)
	At           time.Time `json:"at"`     // the moment described
	Upload       string    `json:"upload"` // missing, rejected, accepted
	// Reason is the first error of the latest rejected upload (Upload
	// rejected): commune-facing text from the receipt.
	Reason string `json:"reason,omitempty"`
	// Review is review.Effective's shown state ("" nothing accepted), and
	// Comment the province's comment when it returned the data.
	Review  review.State `json:"review_state,omitempty"`
	Comment string       `json:"comment,omitempty"`
}

// Needed says whether the commune has to act: it sent nothing, its
// uploads were all rejected, or the province returned its data.
func (c Commune) Needed() bool {
	return c.Upload == Missing || c.Upload == Rejected || c.Review == review.Returned
}

// DaysLeft is the one count of days every commune-facing text uses (this
// reminder, the province's reminder, the portal's due table): calendar
// days in Vietnam from at's day to the due day. The due day is the
// schemas/deadlines "due" date, whose 00:00 is the cut-off (DOMAIN.md:
// "before 15 December" is 00:00 on 15 December); so before the cut-off it
// is the number of days left to upload, today included (1 on the last
// day), and after it the whole days since the cut-off (0 on the due day
// itself, already late; 2 on 07/12 for a cut-off at 00:00 on 05/12).
func DaysLeft(at, due time.Time) int {
	day := func(t time.Time) time.Time {
		l := t.In(deadlines.ICT)
		return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	}
	return int(day(due).Sub(day(at)).Hours() / 24)
}

// Countdown is DaysLeft in words, lower case: "còn 3 ngày", "hôm nay là
// ngày cuối", "đã quá hạn từ 00:00 hôm nay", "đã quá hạn 2 ngày".
func Countdown(at, due time.Time) string {
	days := DaysLeft(at, due)
	switch {
	case at.Before(due) && days > 1:
		return fmt.Sprintf("còn %d ngày", days)
	case at.Before(due):
		return "hôm nay là ngày cuối"
	case days >= 0:
		return "đã quá hạn từ 00:00 hôm nay"
	}
	return fmt.Sprintf("đã quá hạn %d ngày", -days)
}

// sentence is s with its first letter in upper case and a full stop.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:] + "."
}

// Text is the reminder mail in plain Vietnamese: a title and the
// commune's name (what a mail needs to say whom it is for), then State and
// Todo. Comment and Reason are printed as written: plain text here,
// escaped by the page that shows them. The words are the page's: the
// province's department is "Sở" throughout, as on the portal.
func (c Commune) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Nhắc việc: số liệu xây dựng xã hội học tập năm %d\n", c.Year)
	fmt.Fprintf(&b, "%s (mã %s), %s — %s năm %d\n\n", c.Name, c.Code, c.ProvinceName, c.DeadlineName, c.Year)
	b.WriteString(c.State())
	b.WriteString(c.Todo())
	return b.String()
}

// State is the commune's state at c.At, with the province's return
// comment or the rejection reason (the mail's middle part; the portal page
// shows the same facts in its own boxes).
func (c Commune) State() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tình trạng lúc %s: ", c.At.In(deadlines.ICT).Format("15:04 ngày 02/01/2006"))
	switch {
	case c.Review == review.Returned:
		b.WriteString("Sở đã trả lại số liệu của xã để sửa; số liệu này không được tính vào báo cáo của tỉnh.\n")
		comment := Indented(c.Comment, "  ")
		if comment == "" {
			comment = "(không ghi ý kiến; liên hệ Sở Giáo dục và Đào tạo)"
		}
		fmt.Fprintf(&b, "Ý kiến của Sở: %s\n", comment)
	case c.Upload == Missing:
		b.WriteString("chưa nhận được tệp báo cáo nào của xã.\n")
	case c.Upload == Rejected:
		reason := strings.TrimSpace(c.Reason)
		if reason == "" {
			reason = "không ghi lý do; xem biên nhận của tệp"
		}
		fmt.Fprintf(&b, "tệp xã đã nộp bị từ chối, chưa có bản hợp lệ.\nLý do: %s\n", reason)
	case c.Review == review.Approved:
		b.WriteString("số liệu của xã đã được Sở duyệt.\n")
	default:
		b.WriteString("đã nhận tệp hợp lệ của xã, đang chờ Sở duyệt.\n")
	}
	return b.String()
}

// Todo is what the commune has to do and by when: Action's line, the due
// date, the days left (its own line, as Countdown says it) and, past the
// due date, that late data is still taken (the mail's last part).
func (c Commune) Todo() string {
	var b strings.Builder
	b.WriteString(c.action())
	due := c.DueAt.In(deadlines.ICT)
	fmt.Fprintf(&b, "Hạn nộp: trước 00 giờ 00 ngày %s (nộp xong chậm nhất trong ngày %s).\n", due.Format("02/01/2006"), due.AddDate(0, 0, -1).Format("02/01/2006"))
	b.WriteString(sentence(Countdown(c.At, c.DueAt)) + "\n")
	b.WriteString(c.late())
	return b.String()
}

// Action is the part of Todo the portal page shows as its "Việc cần làm"
// (the page has its own boxes for the state, the comment and the due
// dates): the action line and, past the due date, the late-data line;
// the same words as the mail.
func (c Commune) Action() string { return c.action() + c.late() }

func (c Commune) action() string {
	switch {
	case c.Review == review.Returned:
		return "Việc cần làm: sửa theo ý kiến của Sở rồi nộp lại tệp trên cổng nộp báo cáo.\n"
	case c.Upload == Missing:
		return "Việc cần làm: tải biểu mẫu, điền số liệu rồi nộp tệp trên cổng nộp báo cáo.\n"
	case c.Upload == Rejected:
		return "Việc cần làm: sửa lỗi rồi nộp lại («Tải tệp đã đánh dấu» trên cổng chỉ ra từng ô sai).\n"
	case c.Review == review.Approved:
		return "Xã không cần làm gì thêm.\n"
	}
	return "Xã không cần nộp lại.\n"
}

func (c Commune) late() string {
	if c.Needed() && !c.At.Before(c.DueAt) {
		return "Số liệu nộp sau hạn vẫn được tiếp nhận nhưng ghi là nộp muộn.\n"
	}
	return ""
}

// Subject is the mail subject: ASCII (SNS has documented subjects as
// ASCII-only in places) and under 100 characters.
func (c Commune) Subject() string {
	what := "chua nop so lieu"
	switch {
	case c.Review == review.Returned:
		what = "so lieu bi tra lai, can sua"
	case c.Upload == Rejected:
		what = "tep bi tu choi, can nop lai"
	case !c.Needed():
		what = "tinh trang so lieu"
	}
	s := fmt.Sprintf("XHHT %d - xa %s: %s (han %s)", c.Year, c.Code, what, c.DueAt.In(deadlines.ICT).Format("02/01"))
	if len(s) > 99 {
		s = s[:99]
	}
	return s
}

// FilterPolicy is the SNS subscription filter policy (scope
// MessageAttributes) of an address that serves the given communes: it
// matches only messages whose commune_code is one of them.
func FilterPolicy(communes ...string) string {
	cs := slices.Clone(communes)
	slices.Sort(cs)
	cs = slices.Compact(cs)
	b, _ := json.Marshal(map[string][]string{AttrCommune: cs})
	return string(b)
}

// ProvinceFilterPolicy is the filter policy of a province official: the
// province's summary reminders only, not its communes' own.
func ProvinceFilterPolicy(province string) string {
	b, _ := json.Marshal(map[string]any{
		AttrKind:     []string{"reminder"},
		AttrProvince: []string{province},
		AttrCommune:  []any{map[string]bool{"exists": false}},
	})
	return string(b)
}
