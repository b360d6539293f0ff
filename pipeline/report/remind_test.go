package report_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/rollup/rolluptest"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// rUpload is one upload written as ingest writes it (rolluptest.Upload):
// accepted = one Biểu 01 row in Parquet plus the receipt; rejected = the
// receipt only, with its first error.
type rUpload struct {
	commune  string
	file     string
	at       time.Time
	rejected string
}

func (u rUpload) write(t *testing.T, lake storage.Store) {
	t.Helper()
	var hs []map[string]any
	if u.rejected == "" {
		hs = []map[string]any{{"ho_tong": int64(100), "ho_dang_ky": int64(90), "ho_dat": int64(80)}}
	}
	if _, err := (rolluptest.Upload{Year: 2026, Commune: u.commune, File: u.file, At: u.at, Hamlets: hs, Rejected: u.rejected}).Write(context.Background(), lake); err != nil {
		t.Fatal(err)
	}
}

func rICT(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, deadlines.ICT)
	if err != nil {
		panic(err)
	}
	return t
}

// Province 19 (Thái Nguyên) has its own 12-15 due date in the data: 00:00
// on 5 December (the example row of commune_due.csv); 12-01 uses the
// default, 00:00 on 25 November.
const (
	remindProvince = "19"
	xaDucXuan      = "01840" // accepted early
	xaBacKan       = "01843" // rejected only
	xaPhongQuang   = "01849" // rejected, then accepted on 3 December
	xaBangThanh    = "01864" // accepted late, on 6 December
	xaCaoMinh      = "01879" // nothing
)

func remindLake(t *testing.T) storage.Store {
	t.Helper()
	lake := local.New(t.TempDir())
	for _, u := range []rUpload{
		{commune: xaDucXuan, at: rICT("2026-11-20 09:00")},
		{commune: xaBacKan, file: "1.xlsx", at: rICT("2026-11-21 09:00"), rejected: "Ô D7: không phải là số"},
		{commune: xaBacKan, file: "2.xlsx", at: rICT("2026-11-25 10:00"), rejected: "Ô C12: trùng tên thôn"},
		{commune: xaPhongQuang, file: "1.xlsx", at: rICT("2026-11-22 09:00"), rejected: "Thiếu Biểu 01"},
		{commune: xaPhongQuang, file: "2.xlsx", at: rICT("2026-12-03 15:00")},
		// Received exactly at 08:00 on 6 December: not yet there for a
		// reminder at that instant ("strictly before").
		{commune: xaBangThanh, at: rICT("2026-12-06 08:00")},
	} {
		u.write(t, lake)
	}
	return lake
}

func codes(cs []report.ReminderCommune) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Code)
	}
	return out
}

func TestRemind(t *testing.T) {
	if testing.Short() {
		t.Skip("builds roll-up snapshots with DuckDB")
	}
	lake := remindLake(t)
	const expected = 92 // communes of province 19 in the 2026 register
	tests := []struct {
		name, deadline string
		at             time.Time
		daysLeft       int
		overdue        bool
		accepted       []string
		rejected       map[string]string // code → reason
		text           []string
	}{
		{
			name: "7 days before (08:00, as the schedule)", deadline: "12-15", at: rICT("2026-11-28 08:00"), daysLeft: 7,
			accepted: []string{xaDucXuan},
			rejected: map[string]string{xaBacKan: "Ô C12: trùng tên thôn", xaPhongQuang: "Thiếu Biểu 01"},
			text: []string{
				"Còn 7 ngày đến hạn nộp của xã (00:00 ngày 05/12/2026, tức là nộp xong trước khi hết ngày 04/12/2026).",
				"Tình hình lúc 08:00 ngày 28/11/2026: 1/92 xã đã có số liệu được chấp nhận; 91 xã chưa có.",
				"Xã chưa nộp (89):", "01864 Xã Bằng Thành", "01879 Xã Cao Minh",
				"Xã đã nộp nhưng tệp bị từ chối, cần sửa và nộp lại (2):",
				"1. 01843 Phường Bắc Kạn — lý do: Ô C12: trùng tên thôn",
				"2. 01849 Xã Phong Quang — lý do: Thiếu Biểu 01",
				"Đề nghị các xã trên nộp tệp báo cáo trước hạn.",
			},
		},
		{
			name: "1 day before, after a fix", deadline: "12-15", at: rICT("2026-12-04 08:00"), daysLeft: 1,
			accepted: []string{xaDucXuan, xaPhongQuang},
			rejected: map[string]string{xaBacKan: "Ô C12: trùng tên thôn"},
			text:     []string{"Hôm nay là ngày cuối để nộp (00:00 ngày 05/12/2026", "2/92 xã", "Xã chưa nộp (89):"},
		},
		{
			name: "on the due day: overdue by hours", deadline: "12-15", at: rICT("2026-12-05 08:00"), daysLeft: 0, overdue: true,
			accepted: []string{xaDucXuan, xaPhongQuang},
			rejected: map[string]string{xaBacKan: "Ô C12: trùng tên thôn"},
			text:     []string{"Đã hết hạn nộp của xã (00:00 ngày 05/12/2026", "Đề nghị các xã trên nộp ngay"},
		},
		{
			name: "an upload at the instant itself does not count", deadline: "12-15", at: rICT("2026-12-06 08:00"), daysLeft: -1, overdue: true,
			accepted: []string{xaDucXuan, xaPhongQuang},
			rejected: map[string]string{xaBacKan: "Ô C12: trùng tên thôn"},
			text:     []string{"Đã quá hạn nộp của xã 1 ngày"},
		},
		{
			name: "the issue's example: 8 December", deadline: "12-15", at: rICT("2026-12-08 00:00"), daysLeft: -3, overdue: true,
			accepted: []string{xaDucXuan, xaPhongQuang, xaBangThanh}, // late still counts as accepted
			rejected: map[string]string{xaBacKan: "Ô C12: trùng tên thôn"},
			text:     []string{"Hạn nộp của xã: trước 00 giờ 00 ngày 05/12/2026 (nộp xong chậm nhất trong ngày 04/12/2026)", "Đã quá hạn nộp của xã 3 ngày (hạn: 00:00 ngày 05/12/2026", "Xã chưa nộp (88):"},
		},
		{
			name: "12-01 on the default due date", deadline: "12-01", at: rICT("2026-11-18 08:00"), daysLeft: 7,
			accepted: nil,                 // nothing had arrived by 18/11
			rejected: map[string]string{}, // the first rejection came on 21/11
			text:     []string{"Còn 7 ngày đến hạn nộp của xã (00:00 ngày 25/11/2026", "Hạn nộp của xã: trước 00 giờ 00 ngày 25/11/2026 (nộp xong chậm nhất trong ngày 24/11/2026)", "0/92 xã"},
		},
		{
			name: "the latest rejection's reason", deadline: "12-01", at: rICT("2026-11-21 10:00"), daysLeft: 4,
			accepted: []string{xaDucXuan},
			rejected: map[string]string{xaBacKan: "Ô D7: không phải là số"}, // its second rejection (25/11) is later
			text:     []string{"Còn 4 ngày", "01843 Phường Bắc Kạn — lý do: Ô D7: không phải là số"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := report.Remind(context.Background(), report.RemindOptions{Lake: lake, Year: 2026, Province: remindProvince,
				Deadline: tt.deadline, At: tt.at, WorkDir: t.TempDir(), Log: bQuiet})
			if err != nil {
				t.Fatal(err)
			}
			if r.DaysLeft != tt.daysLeft || r.Overdue != tt.overdue || !r.At.Equal(tt.at) || r.At.Location() != time.UTC {
				t.Errorf("days_left %d overdue %v at %v; want %d %v %v", r.DaysLeft, r.Overdue, r.At, tt.daysLeft, tt.overdue, tt.at)
			}
			if r.Expected != expected || r.Accepted != len(tt.accepted) {
				t.Errorf("expected %d accepted %d; want %d %d", r.Expected, r.Accepted, expected, len(tt.accepted))
			}
			if got := len(r.Missing) + len(r.Rejected) + r.Accepted; got != expected {
				t.Errorf("missing + rejected + accepted = %d, want every commune (%d)", got, expected)
			}
			gotRej := map[string]string{}
			for _, c := range r.Rejected {
				gotRej[c.Code] = c.Reason
				if c.Uploads < 1 {
					t.Errorf("rejected commune %s with %d uploads", c.Code, c.Uploads)
				}
			}
			if !maps.Equal(gotRej, tt.rejected) {
				t.Errorf("rejected %v, want %v", gotRej, tt.rejected)
			}
			miss := codes(r.Missing)
			if !slices.IsSorted(miss) || !slices.Contains(miss, xaCaoMinh) {
				t.Errorf("missing %v: not sorted or without %s", miss, xaCaoMinh)
			}
			for _, c := range tt.accepted {
				if slices.Contains(miss, c) || gotRej[c] != "" {
					t.Errorf("accepted commune %s listed as not accepted", c)
				}
			}
			text := r.Text()
			for _, want := range tt.text {
				if !strings.Contains(text, want) {
					t.Errorf("text lacks %q:\n%s", want, text)
				}
			}
			if r.ProvinceName != "Tỉnh Thái Nguyên" || !strings.HasPrefix(text, "NHẮC HẠN NỘP SỐ LIỆU XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026\nTỉnh Thái Nguyên — ") {
				t.Errorf("province %q; text starts %q", r.ProvinceName, text[:min(len(text), 200)])
			}
		})
	}
}

func TestReminderJSON(t *testing.T) {
	r := &report.Reminder{Year: 2026, Deadline: "12-15", Province: "19", At: time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC),
		Missing: []report.ReminderCommune{}, Rejected: []report.ReminderCommune{{Code: "01843", Name: "Phường Bắc Kạn", Uploads: 2, Reason: "sai"}}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	// The documented names: renaming one breaks whoever reads the JSON.
	want := []string{"accepted", "at", "communes", "days_left", "deadline", "deadline_at", "deadline_name", "due_at", "expected", "missing",
		"overdue", "province", "province_name", "rejected", "returned", "year"}
	if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, want) {
		t.Errorf("JSON fields %q, want %q", got, want)
	}
	if m["at"] != "2026-11-28T01:00:00Z" {
		t.Errorf("at = %v", m["at"])
	}
	if miss, ok := m["missing"].([]any); !ok || len(miss) != 0 {
		t.Errorf("missing = %#v, want []", m["missing"])
	}
	rej := m["rejected"].([]any)[0].(map[string]any)
	if got := slices.Sorted(maps.Keys(rej)); !slices.Equal(got, []string{"code", "name", "reason", "uploads"}) {
		t.Errorf("commune fields %q", got)
	}
}

func TestReminderText(t *testing.T) {
	due := rICT("2026-12-05 00:00")
	base := report.Reminder{Year: 2026, Deadline: "12-15", DeadlineName: "Báo cáo kết quả", DeadlineAt: rICT("2026-12-15 00:00"),
		Province: "19", ProvinceName: "Tỉnh Thái Nguyên", DueAt: due, Expected: 2}
	tests := []struct {
		name string
		edit func(r *report.Reminder)
		want []string
		not  []string
	}{
		{"everyone in", func(r *report.Reminder) { r.At, r.DaysLeft, r.Accepted = rICT("2026-11-28 08:00"), 7, 2 },
			[]string{"2/2 xã đã có số liệu được chấp nhận. Tất cả các xã đã nộp"}, []string{"Xã chưa nộp", "Đề nghị"}},
		{"district shown (years up to 2024)", func(r *report.Reminder) {
			r.At, r.DaysLeft, r.Accepted = rICT("2026-11-28 08:00"), 7, 1
			r.Missing = []report.ReminderCommune{{Code: "00001", Name: "Xã A", District: "Huyện B"}}
		}, []string{"1. 00001 Xã A (Huyện B)"}, []string{"bị từ chối"}},
		{"rejected without a reason", func(r *report.Reminder) {
			r.At, r.DaysLeft, r.Accepted = rICT("2026-11-28 08:00"), 7, 1
			r.Rejected = []report.ReminderCommune{{Code: "00001", Name: "Xã A", Uploads: 1}}
		}, []string{"00001 Xã A — lý do: không ghi lý do"}, []string{"Xã chưa nộp"}},
		{"late", func(r *report.Reminder) {
			r.At, r.DaysLeft, r.Overdue = rICT("2026-12-10 08:00"), -5, true
			r.Missing = []report.ReminderCommune{{Code: "00001", Name: "Xã A"}, {Code: "00002", Name: "Xã B"}}
		}, []string{"Đã quá hạn nộp của xã 5 ngày", "0/2 xã", "2 xã chưa có", "nộp ngay"}, []string{"Còn "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base
			tt.edit(&r)
			text := r.Text()
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(text, w) {
					t.Errorf("has %q:\n%s", w, text)
				}
			}
		})
	}
}

type rReadOnly struct{ storage.Store }

func TestRemindErrors(t *testing.T) {
	lake := local.New(t.TempDir())
	at := rICT("2026-11-28 08:00")
	ok := report.RemindOptions{Lake: lake, Year: 2026, Province: remindProvince, Deadline: "12-15", At: at, Log: bQuiet}
	tests := []struct {
		name string
		edit func(o *report.RemindOptions)
		want string
	}{
		{"no lake", func(o *report.RemindOptions) { o.Lake = nil }, "no lake"},
		{"no time", func(o *report.RemindOptions) { o.At = time.Time{} }, "no time"},
		{"no province", func(o *report.RemindOptions) { o.Province = "" }, "no province"},
		{"unknown deadline", func(o *report.RemindOptions) { o.Deadline = "12-31" }, `unknown deadline "12-31" (12-01, 12-15)`},
		{"unknown province", func(o *report.RemindOptions) { o.Province = "99" }, `province "99" is not in the 2026-04 register`},
		{"year out of range", func(o *report.RemindOptions) { o.Year = 1990 }, "year 1990"},
		{"lake cannot commit", func(o *report.RemindOptions) { o.Lake = rReadOnly{lake} }, "storage.Writer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.edit(&o)
			_, err := report.Remind(context.Background(), o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if tt.name == "lake cannot commit" && !errors.Is(err, rollup.ErrNoLakeWriter) {
				t.Errorf("err does not wrap rollup.ErrNoLakeWriter: %v", err)
			}
		})
	}
}

// TestReminderTextNoProvinceDate: the text a commune reads gives its own
// due date, never the province's report date (15/12), which is later.
func TestReminderTextNoProvinceDate(t *testing.T) {
	r := &report.Reminder{Year: 2026, Deadline: "12-15", DeadlineName: "Báo cáo kết quả", Province: "19", ProvinceName: "Tỉnh Thái Nguyên",
		DeadlineAt: time.Date(2026, 12, 14, 17, 0, 0, 0, time.UTC), DueAt: time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC),
		At: time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC), DaysLeft: 7, Expected: 2, Accepted: 1,
		Missing: []report.ReminderCommune{{Code: "01864", Name: "Xã A"}}, Rejected: []report.ReminderCommune{}}
	text := r.Text()
	if !strings.Contains(text, "Hạn nộp của xã: trước 00 giờ 00 ngày 05/12/2026") {
		t.Errorf("text lacks the commune's due date:\n%s", text)
	}
	if strings.Contains(text, "15/12") {
		t.Errorf("text gives the province's date 15/12:\n%s", text)
	}
}
