package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/hamlet"
	"github.com/xhht/xhht/pipeline/quality"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/reminder"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/storage"
	tmpl "github.com/xhht/xhht/pipeline/template"
	"github.com/xhht/xhht/pipeline/vnnum"
)

// communePage is what the commune page shows.
type communePage struct {
	CommuneName, ProvinceName, Commune string
	Year                               int
	CSRF                               string
	Direct                             bool // the script uploads straight to the bucket (Uploader mode)
	MaxMB                              int64
	Due                                []dueView
	Status                             string // "none", "accepted", "rejected"
	StatusText                         string
	Counting                           []uploadView // the uploads that count, one per form
	Pending                            []uploadView // accepted uploads that do not count: waiting for the province, or returned
	Uploads                            []uploadView // newest first
	Result                             *resultView
	Paths                              map[string]string
	Review                             *communeReview // the province's review (issue 15); nil: nothing to review yet
	Reminder                           string         // what to do (reminderText: the reminder's action line); "" nothing
	// Flags are the plausibility warnings the roll-up found in the
	// commune's counted data (issue 15), with last year's value; checked
	// ones ("đã xác minh") greyed. Shown with the receipt, never blocking.
	Flags []flagView
	// WaitingFlags: those of a newer file waiting for the province while
	// approved data counts (shown apart, "Tệp chờ duyệt"). FlagsLater:
	// the roll-up has not read the newest file yet ("đang được tổng hợp";
	// never shown for an unchanged re-upload, which brings nothing new).
	WaitingFlags []flagView
	FlagsLater   bool
	FlagCount    int
}

type dueView struct {
	Label    string // "Báo cáo 1/12"
	Date     string // "30/11/2026" (the last day to upload)
	Left     string // "còn 9 ngày" / "hôm nay là ngày cuối" / "đã quá hạn 3 ngày"
	State    string // "ok", "late", "none", "rejected"
	Text     string // "Đã nộp đúng hạn" …
	Past     bool
	Deadline time.Time
}

type uploadView struct {
	Key, Version, Name, Time string
	Accepted                 bool
	Counts                   string // "Số liệu đang dùng: Biểu 01"
	// Review says why an accepted upload of the current data does not
	// count: "Chờ Sở duyệt: Biểu 01" (ReviewClass "waiting") or "Bị Sở trả
	// lại: Biểu 01" ("returned"); "" otherwise.
	Review, ReviewClass string
	Errors, Warnings    int
	ID                  string
	receivedAt          time.Time
	forms               []string
}

type resultView struct {
	Receipt      *receipt.Receipt
	OriginalName string
	Totals       []totalView
	Groups       []issueGroup // errors grouped by cell, in reading order
	Warnings     []issueGroup
	MarkedURL    string
	Unchanged    string // "không thay đổi": the upload repeats earlier data (unchangedText)
}

type totalView struct{ Label, Value string }

// issueGroup is every message about one place ("Trang Biểu 01, ô E12"),
// or about the whole file.
type issueGroup struct {
	Place    string
	Messages []string
}

var funcs = template.FuncMap{
	"vntime": func(t time.Time) string { return t.In(deadlines.ICT).Format("15:04 02/01/2006") },
	// dict builds a map for a sub-template: dict "k1" v1 "k2" v2.
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"pct": func(v *float64) string {
		if v == nil {
			return ""
		}
		return pct(*v)
	},
	"seq": func(n int) []int { return make([]int, n) },
	"holder": func(name, slot string) string {
		if name != "" {
			return name + " (mã " + slot + ")"
		}
		return "mã cấp tỉnh " + slot
	},
}

// communeView gathers the page: due dates, this year's receipts, status.
// res, when not nil, is the upload just answered; it is merged into the list
// (with an Uploader the S3 event may not have written its receipt yet).
func (s *server) communeView(ctx context.Context, ss session, g access.Grant, res *resultView) (*communePage, error) {
	now := s.cfg.Now()
	v := &communePage{CommuneName: g.CommuneName, ProvinceName: g.ProvinceName, Commune: g.Commune, Year: g.Year,
		CSRF: s.keys.token(purposeCSRF, ss.SID), Direct: s.cfg.Uploader != nil, MaxMB: s.cfg.MaxUploadBytes >> 20,
		Paths: map[string]string{"upload": pathUpload, "target": pathTarget, "check": pathCheck, "template": pathTemplate,
			"signout": pathSignOut, "marked": pathMarked, "static": pathStatic}}
	rcs, err := s.receipts(ctx, ss)
	if err != nil {
		return nil, err
	}
	if res != nil {
		if !slices.ContainsFunc(rcs, func(rc *receipt.Receipt) bool { return rc.SubmissionID == res.Receipt.SubmissionID }) {
			rcs = append(rcs, res.Receipt)
		}
		s.fillResult(res)
		v.Result = res
	}
	var (
		st review.Status
		fu fileUnder
	)
	if v.Review, st, fu, err = s.reviewFor(ctx, ss, rcs); err != nil {
		return nil, err
	}
	// The flags of the file the page is about, never another file's in
	// its place; a waiting file's apart from the counted data's.
	ff, err := s.flagsForFile(ctx, ss.Year, ss.Province, ss.Commune, st, fu)
	if err != nil {
		return nil, err
	}
	v.Flags, v.WaitingFlags, v.FlagsLater = plainFlags(ff.Flags), plainFlags(ff.Waiting), ff.State == fileNotYet || ff.WaitingLater
	if res != nil && res.Unchanged != "" {
		// The file repeats data already sent: nothing new to compute, so
		// no "being computed" notice beside "Không thay đổi".
		v.FlagsLater = false
	}
	// Counted as "cần xem lại": information only ("không so sánh được",
	// "không thay đổi") is listed but asks nothing of the commune.
	v.FlagCount = 0
	for _, f := range append(slices.Clip(v.Flags), v.WaitingFlags...) {
		if !f.Informational() {
			v.FlagCount++
		}
	}
	// The reminder is advice: a failure to build it never hides the page.
	if v.Reminder, err = s.reminderText(ctx, ss, rcs); err != nil {
		s.cfg.Logger.Warn("portal: reminder text unavailable", "commune", ss.Commune, "err", err)
		v.Reminder = ""
	}
	var ups []uploadView
	for _, rc := range rcs {
		u := uploadView{Key: rc.SourceKey, Version: rc.SourceVersion, Name: uploadName(rc),
			Time: rc.ReceivedAt.In(deadlines.ICT).Format("15:04 02/01/2006"), Accepted: rc.Status == receipt.Accepted,
			Errors: rc.ErrorCount, Warnings: rc.WarningCount, ID: rc.SubmissionID, receivedAt: rc.ReceivedAt, forms: rc.Forms}
		ups = append(ups, u)
	}
	// Newest first; the same order the roll-up uses to pick the one that counts.
	sort.Slice(ups, func(i, j int) bool { return later(ups[i], ups[j]) })
	// Which file counts is review.Effective's answer (THE rule the roll-up,
	// the board and the reminders use), not merely the newest accepted one:
	// approved data keeps counting while a newer file waits for the
	// province, and a returned file never counts.
	cur := review.Current(reviewUploads(rcs))
	_, counted := review.Effective(st, cur, false)
	markReview(s, ups, st, cur, counted)
	for i := range ups {
		if ups[i].Counts != "" {
			v.Counting = append(v.Counting, ups[i])
		}
		if ups[i].Review != "" {
			v.Pending = append(v.Pending, ups[i])
		}
	}
	v.Uploads = ups
	anyAccepted := slices.ContainsFunc(ups, func(u uploadView) bool { return u.Accepted })
	switch {
	case len(ups) == 0:
		v.Status, v.StatusText = "none", "Chưa nộp tệp nào."
	case !anyAccepted:
		v.Status, v.StatusText = "rejected", "Mới có tệp bị từ chối."
	case len(v.Counting) == 0:
		v.Status, v.StatusText = "rejected", "Chưa có số liệu được dùng."
	default:
		v.Status, v.StatusText = "accepted", "Đã có tệp được chấp nhận."
	}
	// When the commune first had a valid file: review.TimelyFrom, the rule
	// the board and the roll-up's completeness use (a returned file, or a
	// re-send of its data, never makes the report on time).
	from, valid := review.TimelyFrom(st, reviewUploads(rcs))
	for _, d := range s.deadlines.All() {
		cut, err := s.deadlines.CommuneDue(ss.Province, d.ID, ss.Year)
		if err != nil {
			continue
		}
		v.Due = append(v.Due, dueFor(d, cut, now, ups, from, valid, anyAccepted && len(v.Counting) == 0))
	}
	return v, nil
}

// reviewUploads is what review ordering needs of the receipts.
func reviewUploads(rcs []*receipt.Receipt) []review.Upload {
	ups := make([]review.Upload, 0, len(rcs))
	for _, rc := range rcs {
		ups = append(ups, review.Upload{SubmissionID: rc.SubmissionID, Status: rc.Status, ReceivedAt: rc.ReceivedAt,
			SourceKey: rc.SourceKey, SourceVersion: rc.SourceVersion, Form: rc.Form, Forms: rc.Forms, DataSHA256: rc.DataSHA256})
	}
	return ups
}

// markReview labels the uploads (newest first) from the review: per form,
// the one that counts ("Số liệu đang dùng": the data the roll-up counts;
// not "đang được tính", which the page says of a file still being
// computed); a file of the current data
// (cur: the newest accepted per form) that does not count waits for the
// province ("Chờ Sở duyệt"), unless the province returned it ("Bị Sở trả
// lại", also kept on a returned file a newer upload superseded).
func markReview(s *server, ups []uploadView, st review.Status, cur, counted review.Set) {
	returned := review.Set{}
	if st.State == review.Returned {
		returned = st.Forms
		if len(returned) == 0 {
			returned = review.Set{"": st.Submission}
		}
	}
	index := func(id string) int {
		return slices.IndexFunc(ups, func(u uploadView) bool { return u.Accepted && u.ID == id })
	}
	counts, returns, waits := map[int][]string{}, map[int][]string{}, map[int][]string{}
	for _, f := range slices.Sorted(maps.Keys(counted)) {
		if i := index(counted[f]); i >= 0 {
			counts[i] = append(counts[i], formLabel(s, f))
		}
	}
	for _, f := range slices.Sorted(maps.Keys(returned)) {
		if i := index(returned[f]); i >= 0 && counts[i] == nil {
			returns[i] = append(returns[i], formLabel(s, f))
		}
	}
	for _, f := range slices.Sorted(maps.Keys(cur)) {
		if i := index(cur[f]); i >= 0 && counts[i] == nil && returns[i] == nil {
			waits[i] = append(waits[i], formLabel(s, f))
		}
	}
	for i := range ups {
		switch {
		case counts[i] != nil:
			ups[i].Counts = labelled("Số liệu đang dùng", counts[i])
		case returns[i] != nil:
			ups[i].Review, ups[i].ReviewClass = labelled("Bị Sở trả lại", returns[i]), "returned"
		case waits[i] != nil:
			ups[i].Review, ups[i].ReviewClass = labelled("Chờ Sở duyệt", waits[i]), "waiting"
		}
	}
}

// labelled is "what: Biểu 01, Biểu 02" ("what" alone for a receipt that
// names no form).
func labelled(what string, forms []string) string {
	forms = slices.DeleteFunc(slices.Compact(forms), func(f string) bool { return f == "" })
	if len(forms) == 0 {
		return what
	}
	return what + ": " + strings.Join(forms, ", ")
}

// later: received later, then larger key, then larger version (README: the
// roll-up's rule for the upload that counts).
func later(a, b uploadView) bool {
	if !a.receivedAt.Equal(b.receivedAt) {
		return a.receivedAt.After(b.receivedAt)
	}
	if a.Key != b.Key {
		return a.Key > b.Key
	}
	return a.Version > b.Version
}

func formLabel(s *server, code string) string {
	if code == "" {
		return "" // a receipt naming no form: the whole file
	}
	if f := s.proc.Forms.Form(code); f != nil {
		if i := strings.Index(f.Title, ":"); i > 0 {
			return f.Title[:i] // "Biểu 01"
		}
		return f.Title
	}
	return code
}

// dueFor: the last day to upload for one report, the days left (see
// reminder.Countdown: the same words as the reminder), and whether an
// accepted upload beat the cut-off (the roll-up's rule: the first accepted
// upload). A returned file never counts: it is left out, and when nothing
// counts (noneCounts: the data was returned) the row says so instead.
func dueFor(d deadlines.Deadline, cut, now time.Time, ups []uploadView, from time.Time, valid, noneCounts bool) dueView {
	last := cut.In(deadlines.ICT).AddDate(0, 0, -1) // "before 00:00 on day D" = up to the end of D-1
	dv := dueView{Label: fmt.Sprintf("Báo cáo %d/%d", d.Day, int(d.Month)), Date: last.Format("02/01/2006"), Deadline: cut}
	dv.Left, dv.Past = reminder.Countdown(now, cut), !now.Before(cut)
	onTime := valid && deadlines.OnTime(from, cut)
	late := valid && !onTime
	rejected := slices.ContainsFunc(ups, func(u uploadView) bool { return !u.Accepted })
	switch {
	case noneCounts:
		dv.State, dv.Text = "rejected", "Bị Sở trả lại"
	case onTime:
		dv.State, dv.Text = "ok", "Đã nộp đúng hạn"
	case late:
		dv.State, dv.Text = "late", "Đã nộp, nhưng muộn"
	case rejected:
		dv.State, dv.Text = "rejected", "Chỉ có tệp bị từ chối"
	default:
		dv.State, dv.Text = "none", "Chưa nộp"
	}
	return dv
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// receipts reads this year's receipts of the session's commune only.
func (s *server) receipts(ctx context.Context, ss session) ([]*receipt.Receipt, error) {
	prefix := ss.receiptsPrefix()
	objs, err := s.cfg.Lake.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("portal: list receipts: %w", err)
	}
	var out []*receipt.Receipt
	for _, o := range objs {
		if !strings.HasSuffix(o.Key, ".json") {
			continue
		}
		b, _, err := s.cfg.Lake.Get(ctx, o.Key, "")
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("portal: read receipt: %w", err)
		}
		var rc receipt.Receipt
		if err := json.Unmarshal(b, &rc); err != nil {
			s.cfg.Logger.Warn("portal: unreadable receipt skipped", "key", o.Key, "err", err)
			continue
		}
		// Belt and braces: the receipt must describe this commune's upload.
		if !s.ownsKey(ss, rc.SourceKey) {
			continue
		}
		out = append(out, &rc)
	}
	return out, nil
}

// fillResult prepares a receipt for the screen: totals with their
// Vietnamese labels in form order, and the issues grouped by place.
func (s *server) fillResult(res *resultView) {
	rc := res.Receipt
	res.MarkedURL = pathMarked + "?" + queryKey(rc.SourceKey, rc.SourceVersion)
	for _, fc := range rc.Forms {
		f := s.proc.Forms.Form(fc)
		if f == nil {
			continue
		}
		for _, fd := range f.Fields {
			n := rc.Totals[fd.Code]
			if n == nil {
				continue
			}
			val := vnnum.Int(n.Int)
			if !n.IsInt {
				val = vnnum.Float(n.Float, 2)
			}
			res.Totals = append(res.Totals, totalView{Label: fd.Title(), Value: val})
		}
	}
	var errs, warns []receipt.Issue
	for _, is := range rc.Errors {
		if is.Severity == receipt.SevError {
			errs = append(errs, is)
		} else {
			warns = append(warns, is)
		}
	}
	res.Groups, res.Warnings = groupIssues(errs), groupIssues(warns)
}

// groupIssues keeps the receipt's reading order (ingest sorts it) and puts
// together the messages about the same cell.
func groupIssues(list []receipt.Issue) []issueGroup {
	var out []issueGroup
	index := map[string]int{}
	for _, is := range list {
		place := "Cả tệp"
		switch {
		case is.Cell != "" && is.Sheet != "":
			place = fmt.Sprintf("Trang %s, ô %s", is.Sheet, is.Cell)
		case is.Cell != "":
			place = "Ô " + is.Cell
		case is.Row > 0 && is.Sheet != "":
			place = fmt.Sprintf("Trang %s, dòng %d", is.Sheet, is.Row)
		case is.Row > 0:
			place = fmt.Sprintf("Dòng %d", is.Row)
		case is.Sheet != "":
			place = "Trang " + is.Sheet
		}
		i, ok := index[place]
		if !ok {
			i = len(out)
			index[place] = i
			out = append(out, issueGroup{Place: place})
		}
		out[i].Messages = append(out[i].Messages, is.Message)
	}
	return out
}

func queryKey(key, version string) string {
	q := url.Values{"key": {key}}
	if version != "" {
		q.Set("v", version)
	}
	return q.Encode()
}

// writeTemplate writes the commune's blank form, hamlets prefilled from its
// earlier accepted submissions, as `xhht template` does.
func (s *server) writeTemplate(ctx context.Context, w io.Writer, ss session) (string, error) {
	v := s.proc.Registry.ForYear(ss.Year)
	if v == nil {
		return "", fmt.Errorf("portal: no register for %d", ss.Year)
	}
	c := v.Communes[ss.Commune]
	if c == nil || c.ProvinceCode != ss.Province {
		return "", fmt.Errorf("portal: commune %s of province %s not in the %d register", ss.Commune, ss.Province, ss.Year)
	}
	o := tmpl.Options{Forms: s.proc.Forms, Year: ss.Year, Commune: c, Province: v.Provinces[c.ProvinceCode], BlankRows: tmpl.DefaultBlankRows}
	if o.Province == nil {
		return "", fmt.Errorf("portal: province %s missing from the register", c.ProvinceCode)
	}
	if c.DistrictCode != "" {
		o.District = v.Districts[c.DistrictCode]
	}
	known, err := hamlet.Known(ctx, s.cfg.Lake, ss.Year, ss.Province, ss.Commune, s.cfg.Now().UTC())
	if err != nil {
		return "", fmt.Errorf("portal: known hamlets: %w", err)
	}
	o.Hamlets = hamlet.FormHamlets(known)
	if err := tmpl.Write(w, o); err != nil {
		return "", err
	}
	return tmpl.DefaultFileName(ss.Commune, ss.Year), nil
}

// communeFlags reads the roll-up's plausibility flags of one commune
// (each (flag_id, submission_id) once: uniqueFlags), for the commune's own
// page and the province's page of that commune. They are advice: a
// failure to read them is logged and shows no flag rather than hiding the
// page (the error return is for callers that must tell; today none).
func (s *server) communeFlags(ctx context.Context, year int, province, commune string) ([]Flag, error) {
	if s.cfg.Flags == nil {
		return nil, nil
	}
	fs, err := s.cfg.Flags.ReadFlags(ctx, year, province)
	if err != nil {
		s.cfg.Logger.Warn("portal: plausibility flags unavailable", "province", province, "err", err)
		return nil, nil
	}
	var mine []Flag
	for _, f := range fs {
		if f.CommuneCode == commune {
			mine = append(mine, f)
		}
	}
	return uniqueFlags(mine), nil
}

// plainFlags gives the commune its flags in plain words (walk L2): an
// outlier's "(trung vị 157; điểm z hiệu chỉnh 6,1)" becomes "(phần lớn các
// thôn của xã khoảng 157 hộ)". The province's pages keep the statistics.
func plainFlags(fs []flagView) []flagView {
	out := make([]flagView, len(fs))
	for i, fv := range fs {
		fv.Text = communeFlagText(fv.Flag)
		out[i] = fv
	}
	return out
}

// communeFlagText is flagText for the commune: the message in plain words
// (quality.CommuneText), then the page's additions (hamlet, last year).
func communeFlagText(f Flag) string {
	f.Message = quality.CommuneText(f.Rule, f.Indicator, f.Message)
	return flagText(f)
}
