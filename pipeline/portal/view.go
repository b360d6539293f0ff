package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/hamlet"
	"github.com/xhht/xhht/pipeline/receipt"
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
	Uploads                            []uploadView // newest first
	Result                             *resultView
	Paths                              map[string]string
	Review                             *communeReview // the province's review (issue 15); nil: nothing to review yet
	Reminder                           string         // Config.Reminder's text; "" none
	// Flags are the plausibility warnings the roll-up found in the
	// commune's counted data (issue 15), with last year's value; checked
	// ones ("đã xác minh") greyed. Shown with the receipt, never blocking.
	Flags []flagView
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
	Counts                   string // "Đang được tính (Biểu 01)"
	Errors, Warnings         int
	ID                       string
	receivedAt               time.Time
	forms                    []string
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
	var st review.Status
	if v.Review, st, err = s.reviewFor(ctx, ss, rcs); err != nil {
		return nil, err
	}
	v.Flags = s.flagsOf(ctx, ss.Year, ss.Province, ss.Commune, st)
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
	counted := map[string]int{} // form → index in ups
	for i, u := range ups {
		if !u.Accepted {
			continue
		}
		for _, f := range u.forms {
			if _, ok := counted[f]; !ok {
				counted[f] = i
			}
		}
	}
	for _, f := range slices.Sorted(func(yield func(string) bool) {
		for f := range counted {
			if !yield(f) {
				return
			}
		}
	}) {
		i := counted[f]
		label := formLabel(s, f)
		if ups[i].Counts == "" {
			ups[i].Counts = "Đang được tính: " + label
		} else {
			ups[i].Counts += ", " + label
		}
	}
	for i := range ups {
		if ups[i].Counts != "" {
			v.Counting = append(v.Counting, ups[i])
		}
	}
	v.Uploads = ups
	switch {
	case len(ups) == 0:
		v.Status, v.StatusText = "none", "Chưa nộp tệp nào."
	case len(v.Counting) == 0:
		v.Status, v.StatusText = "rejected", "Mới có tệp bị từ chối. Hãy sửa lỗi và nộp lại."
	default:
		v.Status, v.StatusText = "accepted", "Đã có tệp được chấp nhận."
	}
	for _, d := range s.deadlines.All() {
		cut, err := s.deadlines.CommuneDue(ss.Province, d.ID, ss.Year)
		if err != nil {
			continue
		}
		v.Due = append(v.Due, dueFor(d, cut, now, ups))
	}
	return v, nil
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
	if f := s.proc.Forms.Form(code); f != nil {
		if i := strings.Index(f.Title, ":"); i > 0 {
			return f.Title[:i] // "Biểu 01"
		}
		return f.Title
	}
	return code
}

// dueFor: the last day to upload for one report, the days left (calendar
// days in Vietnam), and whether an accepted upload beat the cut-off.
func dueFor(d deadlines.Deadline, cut, now time.Time, ups []uploadView) dueView {
	last := cut.In(deadlines.ICT).AddDate(0, 0, -1) // "before 00:00 on day D" = up to the end of D-1
	dv := dueView{Label: fmt.Sprintf("Báo cáo %d/%d", d.Day, int(d.Month)), Date: last.Format("02/01/2006"), Deadline: cut}
	today := dateOf(now.In(deadlines.ICT))
	days := int(dateOf(last).Sub(today).Hours() / 24)
	switch {
	case days > 0:
		dv.Left = fmt.Sprintf("còn %d ngày", days)
	case days == 0:
		dv.Left = "hôm nay là ngày cuối"
	default:
		dv.Left, dv.Past = fmt.Sprintf("đã quá hạn %d ngày", -days), true
	}
	onTime, late, rejected := false, false, false
	for _, u := range ups {
		switch {
		case u.Accepted && deadlines.OnTime(u.receivedAt, cut):
			onTime = true
		case u.Accepted:
			late = true
		default:
			rejected = true
		}
	}
	switch {
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

// flagsOf reads the roll-up's plausibility flags of one commune, checked
// against its review status st, for the commune's own page and the
// province's page of that commune. They are advice: a failure to read them
// is logged and shows no flag rather than hiding the page.
func (s *server) flagsOf(ctx context.Context, year int, province, commune string, st review.Status) []flagView {
	if s.cfg.Flags == nil {
		return nil
	}
	fs, err := s.cfg.Flags.ReadFlags(ctx, year, province)
	if err != nil {
		s.cfg.Logger.Warn("portal: plausibility flags unavailable", "province", province, "err", err)
		return nil
	}
	var mine []Flag
	for _, f := range fs {
		if f.CommuneCode == commune {
			mine = append(mine, f)
		}
	}
	if len(mine) == 0 {
		return nil
	}
	return flagViews(mine, st)
}
