package report_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/demo"
	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// province19 is a province reviewer of Thái Nguyên.
var province19 = review.Actor{Role: access.RoleProvince, Province: "19", CodeID: "test", Year: 2026}

// approve is the province approving a commune's submission (h-review's
// review.Apply: the real authorisation, staleness check and CAS).
func approve(t *testing.T, st storage.Store, year int, province, commune, sub string) {
	t.Helper()
	if _, err := review.Apply(context.Background(), st.(storage.Writer), review.Action{Kind: review.KindApprove, Year: year,
		Province: province, Commune: commune, Submission: sub, By: province19}); err != nil {
		t.Fatal(err)
	}
}

// uploadReal renders a commune's demo workbook, puts it in the uploads
// store and runs ingest on it, as the ingest function does.
func uploadReal(t *testing.T, uploads, lk storage.Store, f demo.File, plan *demo.Plan, p *ingest.Processor) string {
	t.Helper()
	body, err := demo.Render(f, plan, p.Forms)
	if err != nil {
		t.Fatal(err)
	}
	if err := uploads.Put(context.Background(), f.Key, body, ""); err != nil {
		t.Fatal(err)
	}
	rc, err := p.Process(context.Background(), ingest.Upload{Bucket: "local", Key: f.Key})
	if err != nil {
		t.Fatal(err)
	}
	if rc.Status != "accepted" {
		t.Fatalf("%s: %s, want accepted", f.Key, rc.Status)
	}
	return rc.SubmissionID
}

// End to end: a commune uploads (real workbook, real ingest); the
// approved-only report leaves it out until the province approves it; then
// it is in, and "x/y xã đã được duyệt" counts it.
func TestApprovedOnlyReportFollowsApproval(t *testing.T) {
	uploads, lk := local.New(t.TempDir()), local.New(t.TempDir())
	p, err := ingest.New(uploads, lk)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := demo.NewPlan(reg, 2026, "19")
	if err != nil {
		t.Fatal(err)
	}
	var f demo.File
	for _, x := range plan.Files {
		if x.Mistake == "" && x.Format == "xlsx" {
			f = x
			break
		}
	}
	sub := uploadReal(t, uploads, lk, f, plan, p)
	code := f.Commune.Code
	opts := report.Options{Lake: lk, Year: 2026, Province: "19", Now: afterCutOffs, Log: bQuiet}
	commune := func(r *report.Report) report.Row {
		for _, c := range r.Communes {
			if c.Code == code {
				return c
			}
		}
		t.Fatalf("no row for %s", code)
		return report.Row{}
	}
	sentence := func(r *report.Report, want string) {
		t.Helper()
		for _, s := range r.Summary {
			if strings.HasPrefix(s, want) {
				return
			}
		}
		t.Errorf("summary lacks %q:\n%s", want, strings.Join(r.Summary, "\n"))
	}

	before, err := report.BuildApprovedOnly(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !before.ApprovedOnly || commune(before).Cells["ho_dat"].Total != nil || before.Total.Cells["ho_dat"].Total != nil {
		t.Errorf("before approval the approved-only report counts the commune: %+v", commune(before).Cells["ho_dat"])
	}
	sentence(before, "0/92 xã đã được duyệt. Số liệu trong báo cáo này chỉ gồm số liệu đã được duyệt")
	// The live report (the province chose nothing) counts it already.
	live, err := report.Build(context.Background(), report.Options{Lake: lk, Year: 2026, Province: "19", Deadline: "12-15", Now: afterCutOffs, Log: bQuiet})
	if err != nil {
		t.Fatal(err)
	}
	liveTotal := live.Total.Cells["ho_dat"].Total
	if live.ApprovedOnly || liveTotal == nil || *liveTotal == 0 {
		t.Fatalf("live report: approved-only %v, households %v", live.ApprovedOnly, liveTotal)
	}
	sentence(live, "0/92 xã đã được duyệt.")

	approve(t, lk, 2026, "19", code, sub)
	after, err := report.BuildApprovedOnly(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := commune(after).Cells["ho_dat"].Total; got == nil || *got != *liveTotal {
		t.Errorf("after approval the commune's households = %v, want %d (the live figure)", got, *liveTotal)
	}
	sentence(after, "1/92 xã đã được duyệt.")
	if after.Completeness.Approved != 1 {
		t.Errorf("completeness approved = %d, want 1", after.Completeness.Approved)
	}
}

// The province's setting chooses approved-only for a deadline; a bad
// settings file stops the report with its name.
func TestReportSettings(t *testing.T) {
	lk := local.New(t.TempDir())
	bUpload{year: 2026, commune: "01840", at: at("2026-11-20 09:00"), hamlets: [][2]int64{{100, 90}}}.write(t, lk)
	put := func(body string) {
		if err := lk.Put(context.Background(), report.SettingsKey("19"), []byte(body), "application/json"); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		settings string // "" no file
		deadline string
		approved bool   // approved-only report
		err      string // part of the error
	}{
		{"", "12-15", false, ""},
		{`{"approved_only": ["12-15"]}`, "12-15", true, ""},
		{`{"approved_only": ["12-15"]}`, "12-01", false, ""},
		{`{"approved_only": ["15-12"]}`, "12-15", false, `"15-12" không có`},
		{`{"approved": true}`, "12-15", false, "config/reports/province=19.json không hợp lệ"},
		// The unknown field is named with the settings file's own field, not the issuers file's.
		{`{"approved_only": ["12-15"], "signer": {}}`, "12-15", false, `"signer" (unknown field; allowed: approved_only ["12-01", "12-15"])`},
		{`{"approved_only": "12-15"}`, "12-15", false, "config/reports/province=19.json không hợp lệ"},
	}
	for _, c := range cases {
		t.Run(c.settings+" "+c.deadline, func(t *testing.T) {
			if c.settings == "" {
				if err := lk.Delete(context.Background(), report.SettingsKey("19")); err != nil {
					t.Fatal(err)
				}
			} else {
				put(c.settings)
			}
			r, err := report.Build(context.Background(), report.Options{Lake: lk, Year: 2026, Province: "19", Deadline: c.deadline, Now: afterCutOffs, Log: bQuiet})
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.ApprovedOnly != c.approved {
				t.Errorf("approved-only = %v, want %v", r.ApprovedOnly, c.approved)
			}
			// The two reports never share a file name.
			if want := "bao-cao-" + c.deadline + "-2026-19"; c.approved && report.FileBase(r) != want+"-da-duyet" || !c.approved && report.FileBase(r) != want {
				t.Errorf("file name %q (approved-only %v)", report.FileBase(r), c.approved)
			}
			if got := r.Total.Cells["ho_dat"].Total; (got == nil) != c.approved {
				t.Errorf("province households %v with approved-only %v (nothing is approved)", got, c.approved)
			}
		})
	}
}

// A returned commune gets its own reminder with the province's comment;
// the summary lists it too.
func TestRemindReturnedCommune(t *testing.T) {
	lk := local.New(t.TempDir())
	bUpload{year: 2026, commune: "01840", at: at("2026-11-20 09:00"), hamlets: [][2]int64{{100, 90}}}.write(t, lk)
	bUpload{year: 2026, commune: "01843", at: at("2026-11-20 09:00"), rejected: "Ô C12: trùng tên thôn"}.write(t, lk)
	var sub string
	objs, err := lk.List(context.Background(), "receipts/year=2026/province=19/commune=01840/")
	if err != nil || len(objs) != 1 {
		t.Fatalf("receipts %v %v", objs, err)
	}
	body, _, err := lk.Get(context.Background(), objs[0].Key, "")
	if err != nil {
		t.Fatal(err)
	}
	var rc struct {
		SubmissionID string `json:"submission_id"`
	}
	if err := json.Unmarshal(body, &rc); err != nil {
		t.Fatal(err)
	}
	sub = rc.SubmissionID
	s, err := review.Apply(context.Background(), lk, review.Action{Kind: review.KindReturn, Year: 2026, Province: "19", Commune: "01840",
		Submission: sub, Comment: "Số hộ thôn 1 gấp 10 lần năm trước", By: province19})
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Remind(context.Background(), report.RemindOptions{Lake: lk, Year: 2026, Province: "19", Deadline: "12-15", At: at("2026-11-28 08:00"), Log: bQuiet})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Returned) != 1 || r.Returned[0].Code != "01840" || r.Returned[0].Reason != s.Comment {
		t.Errorf("returned %+v", r.Returned)
	}
	// 90 missing + 1 rejected + 1 returned communes, each with a reminder.
	if len(r.Communes) != 92 {
		t.Fatalf("%d commune reminders, want 92", len(r.Communes))
	}
	byCode := map[string]string{}
	for _, c := range r.Communes {
		byCode[c.Code] = c.Text()
	}
	for code, want := range map[string]string{
		"01840": "Ý kiến của Sở: Số hộ thôn 1 gấp 10 lần năm trước",
		"01843": "Lý do: Ô C12: trùng tên thôn",
		"01849": "chưa nhận được tệp báo cáo nào",
	} {
		if !strings.Contains(byCode[code], want) {
			t.Errorf("%s reminder lacks %q:\n%s", code, want, byCode[code])
		}
	}
	if !strings.Contains(r.Text(), "1. 01840 Phường Đức Xuân — ý kiến của Sở: Số hộ thôn 1 gấp 10 lần năm trước") {
		t.Errorf("summary lacks the returned commune:\n%s", r.Text())
	}
}
