package reminder_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/reminder"
	"github.com/xhht/xhht/pipeline/review"
)

func base() reminder.Commune {
	return reminder.Commune{Year: 2026, Deadline: "12-15", DeadlineName: "Báo cáo kết quả", Province: "19", ProvinceName: "Tỉnh Thái Nguyên",
		Code: "01840", Name: "Phường Đức Xuân",
		DueAt: time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC), // 00:00 ICT 05/12
		At:    time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)}  // 08:00 ICT 02/12
}

func TestCommuneText(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(*reminder.Commune)
		needed bool
		want   []string
	}{
		{"missing", func(c *reminder.Commune) { c.Upload = reminder.Missing }, true,
			[]string{"Phường Đức Xuân (mã 01840), Tỉnh Thái Nguyên", "trước 00 giờ 00 ngày 05/12/2026", "Còn 3 ngày.", "chưa nhận được tệp báo cáo nào"}},
		{"rejected", func(c *reminder.Commune) { c.Upload, c.Reason = reminder.Rejected, "Ô D12: không phải là số" }, true,
			[]string{"bị từ chối", "Lý do: Ô D12: không phải là số"}},
		{"returned with comment", func(c *reminder.Commune) {
			c.Upload, c.Review, c.Comment = reminder.Accepted, review.Returned, "Số hộ thôn Bản Pài gấp 10 lần năm trước"
		}, true, []string{"Sở đã trả lại", "Ý kiến của Sở: Số hộ thôn Bản Pài gấp 10 lần năm trước", "không được tính"}},
		{"returned, overdue", func(c *reminder.Commune) {
			c.Upload, c.Review, c.Comment = reminder.Accepted, review.Returned, "Thiếu thôn"
			c.At = time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
		}, true, []string{"Đã quá hạn 2 ngày.", "ghi là nộp muộn"}},
		{"submitted", func(c *reminder.Commune) { c.Upload, c.Review = reminder.Accepted, review.Submitted }, false,
			[]string{"đang chờ Sở duyệt"}},
		{"approved", func(c *reminder.Commune) { c.Upload, c.Review = reminder.Accepted, review.Approved }, false,
			[]string{"đã được Sở duyệt"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := base()
			c.edit(&x)
			if x.Needed() != c.needed {
				t.Errorf("Needed = %v, want %v", x.Needed(), c.needed)
			}
			txt := x.Text()
			for _, w := range c.want {
				if !strings.Contains(txt, w) {
					t.Errorf("text lacks %q:\n%s", w, txt)
				}
			}
			if s := x.Subject(); len(s) >= 100 || strings.ContainsFunc(s, func(r rune) bool { return r > 127 }) {
				t.Errorf("subject %q is not short ASCII", s)
			}
		})
	}
}

// TestCountdown: the one day count of every commune-facing text, on the
// boundary days of a cut-off at 00:00 on 05/12 (DOMAIN.md: "before 5
// December"; the last day to upload is 04/12).
func TestCountdown(t *testing.T) {
	due := time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC) // 00:00 ICT 05/12
	ict := func(day, h, m int) time.Time {
		return time.Date(2026, 12, day, h, m, 0, 0, time.FixedZone("ICT", 7*3600))
	}
	cases := []struct {
		at             time.Time
		days           int
		text, sentence string
	}{
		{ict(1, 8, 0), 4, "còn 4 ngày", "Còn 4 ngày."},
		{ict(3, 0, 0), 2, "còn 2 ngày", "Còn 2 ngày."},
		{ict(3, 23, 59), 2, "còn 2 ngày", "Còn 2 ngày."},
		{ict(4, 0, 0), 1, "hôm nay là ngày cuối", "Hôm nay là ngày cuối."},
		{ict(4, 23, 59), 1, "hôm nay là ngày cuối", "Hôm nay là ngày cuối."},
		{ict(5, 0, 0), 0, "đã quá hạn từ 00:00 hôm nay", "Đã quá hạn từ 00:00 hôm nay."},
		{ict(5, 23, 59), 0, "đã quá hạn từ 00:00 hôm nay", "Đã quá hạn từ 00:00 hôm nay."},
		{ict(6, 0, 0), -1, "đã quá hạn 1 ngày", "Đã quá hạn 1 ngày."},
		{ict(7, 7, 6), -2, "đã quá hạn 2 ngày", "Đã quá hạn 2 ngày."}, // the review of issue 15: 07/12
	}
	for _, c := range cases {
		if got := reminder.DaysLeft(c.at, due); got != c.days {
			t.Errorf("DaysLeft(%s) = %d, want %d", c.at, got, c.days)
		}
		if got := reminder.Countdown(c.at, due); got != c.text {
			t.Errorf("Countdown(%s) = %q, want %q", c.at, got, c.text)
		}
		x := base()
		x.At = c.at
		if want := "\n" + c.sentence + "\n"; !strings.Contains(x.Text(), want) {
			t.Errorf("reminder at %s lacks %q:\n%s", c.at, want, x.Text())
		}
	}
}

// matches is SNS's filter-policy matching for the operators used here
// (exact strings, "exists"), on String attributes: a message matches when
// every key of the policy matches (AND), a key when any of its values does.
func matches(t *testing.T, policy string, attrs map[string]string) bool {
	t.Helper()
	var p map[string][]any
	if err := json.Unmarshal([]byte(policy), &p); err != nil {
		t.Fatalf("policy %s: %v", policy, err)
	}
	for key, conds := range p {
		v, has := attrs[key]
		ok := false
		for _, cond := range conds {
			switch c := cond.(type) {
			case string:
				ok = ok || (has && v == c)
			case map[string]any:
				e, isBool := c["exists"].(bool)
				if !isBool || len(c) != 1 {
					t.Fatalf("unsupported operator %v", c)
				}
				ok = ok || e == has
			default:
				t.Fatalf("unsupported condition %v", cond)
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func TestFilterPolicies(t *testing.T) {
	if got, want := reminder.FilterPolicy("01843", "01840", "01843"), `{"commune_code":["01840","01843"]}`; got != want {
		t.Errorf("FilterPolicy = %s, want %s", got, want)
	}
	if got, want := reminder.ProvinceFilterPolicy("19"), `{"commune_code":[{"exists":false}],"kind":["reminder"],"province":["19"]}`; got != want {
		t.Errorf("ProvinceFilterPolicy = %s, want %s", got, want)
	}
	summary19 := map[string]string{"kind": "reminder", "province": "19", "deadline": "12-15", "year": "2026"}
	commune := func(code string) map[string]string {
		return map[string]string{"kind": "reminder", "province": "19", "deadline": "12-15", "year": "2026", "commune_code": code}
	}
	cases := []struct {
		name   string
		policy string
		msg    map[string]string
		want   bool
	}{
		{"commune gets its own", reminder.FilterPolicy("01840"), commune("01840"), true},
		{"commune not another's", reminder.FilterPolicy("01840"), commune("01843"), false},
		{"commune not the province summary", reminder.FilterPolicy("01840"), summary19, false},
		{"two communes, second", reminder.FilterPolicy("01840", "01843"), commune("01843"), true},
		{"province gets its summary", reminder.ProvinceFilterPolicy("19"), summary19, true},
		{"province not the commune messages", reminder.ProvinceFilterPolicy("19"), commune("01840"), false},
		{"province not another province", reminder.ProvinceFilterPolicy("01"), summary19, false},
	}
	for _, c := range cases {
		if got := matches(t, c.policy, c.msg); got != c.want {
			t.Errorf("%s: %s on %v = %v, want %v", c.name, c.policy, c.msg, got, c.want)
		}
	}
}

// The portal has no DuckDB: this package must not bring it in.
func TestNoDuckDB(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if strings.Contains(string(out), "duckdb") {
		t.Error("pipeline/reminder depends on DuckDB")
	}
}

// The portal's way (WithState) gives the state the report function gives.
func TestWithState(t *testing.T) {
	at := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	acc := review.Upload{SubmissionID: "s2", Status: "accepted", ReceivedAt: at}
	rej := review.Upload{SubmissionID: "s1", Status: "rejected", ReceivedAt: at.Add(-time.Hour)}
	cases := []struct {
		name    string
		uploads []review.Upload
		st      review.Status
		upload  string
		state   review.State
		needed  bool
		text    string
	}{
		{"nothing", nil, review.Status{}, reminder.Missing, "", true, "chưa nhận được tệp"},
		{"rejected only", []review.Upload{rej}, review.Status{}, reminder.Rejected, "", true, "Lý do: Ô C5 sai"},
		{"accepted, not reviewed", []review.Upload{rej, acc}, review.Status{}, reminder.Accepted, review.Submitted, false, "đang chờ Sở duyệt"},
		{"returned", []review.Upload{acc}, review.Status{State: review.Returned, Submission: "s2", Comment: "Sai thôn 2"}, reminder.Accepted, review.Returned, true, "Ý kiến của Sở: Sai thôn 2"},
		{"approved", []review.Upload{acc}, review.Status{State: review.Approved, Submission: "s2", ApprovedSubmission: "s2"}, reminder.Accepted, review.Approved, false, "đã được Sở duyệt"},
		{"returned, uploaded again", []review.Upload{acc, {SubmissionID: "s3", Status: "accepted", ReceivedAt: at.Add(time.Hour)}},
			review.Status{State: review.Returned, Submission: "s2", Comment: "Sai thôn 2"}, reminder.Accepted, review.Submitted, false, "đang chờ Sở duyệt"},
	}
	for _, c := range cases {
		got := reminder.WithState(base(), c.uploads, "Ô C5 sai", c.st)
		if got.Upload != c.upload || got.Review != c.state || got.Needed() != c.needed || !strings.Contains(got.Text(), c.text) {
			t.Errorf("%s: upload %q review %q needed %v, text:\n%s", c.name, got.Upload, got.Review, got.Needed(), got.Text())
		}
	}
}

// TestCommuneTextWhole (issue 15 review, B-M3): the whole mail of a
// returned commune, written by hand: sentence case (no ALL-CAPS title),
// "Sở" as on the portal page, the comment once, and Todo (what the page
// shows as "Việc cần làm") its last lines.
func TestCommuneTextWhole(t *testing.T) {
	x := base()
	x.Upload, x.Review, x.Comment = reminder.Accepted, review.Returned, "Thiếu thôn 4"
	want := "Nhắc việc: số liệu xây dựng xã hội học tập năm 2026\n" +
		"Phường Đức Xuân (mã 01840), Tỉnh Thái Nguyên — Báo cáo kết quả năm 2026\n" +
		"\n" +
		"Tình trạng lúc 08:00 ngày 02/12/2026: Sở đã trả lại số liệu của xã để sửa; số liệu này không được tính vào báo cáo của tỉnh.\n" +
		"Ý kiến của Sở: Thiếu thôn 4\n" +
		"Việc cần làm: sửa theo ý kiến của Sở rồi nộp lại tệp trên cổng nộp báo cáo.\n" +
		"Hạn nộp: trước 00 giờ 00 ngày 05/12/2026 (nộp xong chậm nhất trong ngày 04/12/2026).\n" +
		"Còn 3 ngày.\n"
	if got := x.Text(); got != want {
		t.Errorf("mail text:\n%s\nwant:\n%s", got, want)
	}
	wantTodo := "Việc cần làm: sửa theo ý kiến của Sở rồi nộp lại tệp trên cổng nộp báo cáo.\n" +
		"Hạn nộp: trước 00 giờ 00 ngày 05/12/2026 (nộp xong chậm nhất trong ngày 04/12/2026).\n" +
		"Còn 3 ngày.\n"
	if got := x.Todo(); got != wantTodo {
		t.Errorf("Todo:\n%s\nwant:\n%s", got, wantTodo)
	}
	if got, want := x.Action(), "Việc cần làm: sửa theo ý kiến của Sở rồi nộp lại tệp trên cổng nộp báo cáo.\n"; got != want {
		t.Errorf("Action = %q, want %q", got, want)
	}
	late := x
	late.At = time.Date(2026, 12, 6, 1, 0, 0, 0, time.UTC)
	if got, want := late.Action(), "Việc cần làm: sửa theo ý kiến của Sở rồi nộp lại tệp trên cổng nộp báo cáo.\nSố liệu nộp sau hạn vẫn được tiếp nhận nhưng ghi là nộp muộn.\n"; got != want {
		t.Errorf("Action past the due date = %q, want %q", got, want)
	}
	if strings.Contains(x.Todo(), "Thiếu thôn 4") {
		t.Error("Todo repeats the comment the page shows in its own box")
	}
	for _, edit := range []func(*reminder.Commune){
		func(c *reminder.Commune) { c.Upload = reminder.Missing },
		func(c *reminder.Commune) { c.Upload, c.Reason = reminder.Rejected, "Ô D12 sai" },
		func(c *reminder.Commune) { c.Upload, c.Review = reminder.Accepted, review.Approved },
		func(c *reminder.Commune) { c.Upload, c.Review = reminder.Accepted, review.Submitted },
		func(c *reminder.Commune) { c.Upload, c.Review, c.Comment = reminder.Accepted, review.Returned, "x" },
	} {
		c := base()
		edit(&c)
		txt := c.Text()
		for _, bad := range []string{"tỉnh duyệt", "Tỉnh đã", "của tỉnh:", "NHẮC", "TRẢ LẠI"} {
			if strings.Contains(txt, bad) {
				t.Errorf("text says %q:\n%s", bad, txt)
			}
		}
	}
}
