package report_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// A commune whose data the province returned is in the summary once, under
// the returned communes with the comment, never also under "tệp bị từ
// chối … không ghi lý do" (review finding M-B: the roll-up's status
// rejected_only also covers "only returned data"). Its own reminder and
// the JSON say its upload was accepted, then returned.
//
// Lake, by hand (province 19, 92 communes in 2026):
//
//	01840  accepted 20/11, returned          → returned
//	01864  rejected 18/11, accepted 20/11,
//	       returned                          → returned (not rejected)
//	01843  rejected 20/11                    → rejected
//	01849  accepted 20/11                    → accepted
//	88 others                                → missing
func TestRemindReturnedOnlyOnce(t *testing.T) {
	ctx := context.Background()
	lk := local.New(t.TempDir())
	a := uploadSub(t, lk, 2026, "01840", "2026-11-20 09:00", [2]int64{100, 90})
	bUpload{year: 2026, commune: "01864", at: at("2026-11-18 09:00"), rejected: "Ô D9: không phải là số"}.write(t, lk)
	b := uploadSub(t, lk, 2026, "01864", "2026-11-20 10:00", [2]int64{100, 80})
	bUpload{year: 2026, commune: "01843", at: at("2026-11-20 09:00"), rejected: "Ô C12: trùng tên thôn"}.write(t, lk)
	uploadSub(t, lk, 2026, "01849", "2026-11-20 09:00", [2]int64{100, 70})
	for commune, sub := range map[string]string{"01840": a, "01864": b} {
		if _, err := review.Apply(ctx, lk, review.Action{Kind: review.KindReturn, Year: 2026, Province: "19", Commune: commune,
			Submission: sub, Comment: "Sai số hộ " + commune, By: province19}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := report.Remind(ctx, report.RemindOptions{Lake: lk, Year: 2026, Province: "19", Deadline: "12-15", At: at("2026-11-28 08:00"), Log: bQuiet})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(codes(r.Rejected), ","); got != "01843" {
		t.Errorf("rejected %s, want 01843", got)
	}
	if got := strings.Join(codes(r.Returned), ","); got != "01840,01864" {
		t.Errorf("returned %s, want 01840,01864", got)
	}
	if r.Accepted != 1 || len(r.Missing) != 88 || r.Expected != 92 {
		t.Errorf("accepted %d missing %d expected %d, want 1, 88, 92", r.Accepted, len(r.Missing), r.Expected)
	}

	text := r.Text()
	for _, want := range []string{
		"Tình hình lúc 08:00 ngày 28/11/2026: 1/92 xã đã có số liệu được chấp nhận; 91 xã chưa có.\n",
		"Xã đã nộp nhưng tệp bị từ chối, cần sửa và nộp lại (1):\n  1. 01843 Phường Bắc Kạn — lý do: Ô C12: trùng tên thôn\n",
		"Xã có số liệu bị Sở trả lại, cần sửa và nộp lại (2):\n" +
			"  1. 01840 Phường Đức Xuân — ý kiến của Sở: Sai số hộ 01840\n" +
			"  2. 01864 Xã Bằng Thành — ý kiến của Sở: Sai số hộ 01864\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
	for _, bad := range []string{"không ghi lý do", "Ô D9"} {
		if strings.Contains(text, bad) {
			t.Errorf("summary has %q:\n%s", bad, text)
		}
	}

	// The JSON the report function publishes and `xhht remind --json` writes.
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Rejected []struct{ Code string }
		Returned []struct{ Code, Reason string }
		Communes []struct {
			Code, Upload, Comment string
			Review                string `json:"review_state"`
		}
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Rejected) != 1 || j.Rejected[0].Code != "01843" || len(j.Returned) != 2 || j.Returned[1].Reason != "Sai số hộ 01864" {
		t.Errorf("JSON rejected %+v returned %+v", j.Rejected, j.Returned)
	}
	seen := 0
	for _, c := range j.Communes {
		switch c.Code {
		case "01840", "01864":
			seen++
			if c.Upload != "accepted" || c.Review != "returned" || c.Comment != "Sai số hộ "+c.Code {
				t.Errorf("JSON commune %+v, want upload accepted, review_state returned, its comment", c)
			}
		case "01843":
			if c.Upload != "rejected" || c.Review != "" {
				t.Errorf("JSON commune %+v, want upload rejected", c)
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d returned communes among the commune reminders, want 2", seen)
	}
	// The commune's own reminder: the comment, not a rejection.
	for _, c := range r.Communes {
		if c.Code != "01864" {
			continue
		}
		txt := c.Text()
		if !strings.Contains(txt, "Sở đã trả lại số liệu của xã để sửa") || !strings.Contains(txt, "Ý kiến của Sở: Sai số hộ 01864\n") ||
			strings.Contains(txt, "bị từ chối") || strings.Contains(txt, "Lý do") {
			t.Errorf("01864's reminder:\n%s", txt)
		}
		if s := c.Subject(); !strings.Contains(s, "so lieu bi tra lai") {
			t.Errorf("01864's subject %q", s)
		}
	}
}
