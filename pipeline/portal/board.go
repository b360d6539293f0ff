package portal

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/quality"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/textnorm"
	"github.com/xhht/xhht/pipeline/vnnum"
)

// Flag is one plausibility flag as the board shows it: a row of the
// roll-up's flags table (h-flags' quality.Flag, read by quality.ReadFlags
// with parquet-go). Value, PreviousValue and Threshold are NaN-free:
// nil when the table has NULL.
type Flag struct {
	CommuneCode   string
	MaThon        string // "" for a commune-level flag
	TenThon       string
	FlagID        string // stable: "<rule>/<indicator or ->/<ma_thon or ->"
	Rule          string
	Indicator     string
	Value         *float64
	PreviousValue *float64
	PreviousYear  int // the year of PreviousValue (0: unknown, shown as "năm trước")
	Threshold     *float64
	Comparable    bool // false: "không so sánh được", shown, never as an alarm
	Message       string
	SubmissionID  string // the upload the flag is about: a check greys it only while it is the checked one
}

// Informational: shown, with no "đã xác minh" form, never counted as an
// open warning (quality.Informational: not comparable, or unchanged).
func (f Flag) Informational() bool { return quality.Informational(f.Rule, f.Comparable) }

// FlagReader gives a province's current plausibility flags of a year. It
// is an interface so the portal does not depend on how they are computed
// (pipeline/quality.ReadFlags, wired in by the binaries); nil: no flags.
type FlagReader interface {
	ReadFlags(ctx context.Context, year int, province string) ([]Flag, error)
}

// FlagReaderFunc adapts a function to FlagReader.
type FlagReaderFunc func(ctx context.Context, year int, province string) ([]Flag, error)

// ReadFlags implements FlagReader.
func (f FlagReaderFunc) ReadFlags(ctx context.Context, year int, province string) ([]Flag, error) {
	return f(ctx, year, province)
}

// lightReceipt is what the board needs of one receipt.
type lightReceipt struct {
	Commune       string
	SubmissionID  string
	Status        string
	ReceivedAt    time.Time
	SourceKey     string
	SourceVersion string
	OriginalName  string
	ErrorCount    int
	WarningCount  int
	FirstError    string            // the first error's message (receipts list errors in reading order)
	Form          string            // main form (review.Current: the data set is per form)
	Forms         []string          // every form of the upload
	DataSHA256    map[string]string // form → digest of its data (review.EffectiveData)
}

func (l lightReceipt) upload() review.Upload {
	return review.Upload{SubmissionID: l.SubmissionID, Status: l.Status, ReceivedAt: l.ReceivedAt,
		SourceKey: l.SourceKey, SourceVersion: l.SourceVersion, Form: l.Form, Forms: l.Forms, DataSHA256: l.DataSHA256}
}

// receiptCache keeps decoded receipts by key and ETag: a receipt's key is
// its submission id and ingest writes the same bytes for the same upload,
// so a board load after the first reads only the new receipts (one LIST
// per load: an upload shows at the next load).
type receiptCache struct {
	mu sync.Mutex
	m  map[string]lightReceipt // key + "@" + etag
}

// maxCachedReceipts bounds the cache: a national year is ~ 10 000 communes × a few uploads.
const maxCachedReceipts = 200_000

// provinceReceipts reads every receipt of a province's year: commune → receipts.
func (s *server) provinceReceipts(ctx context.Context, year int, province string) (map[string][]lightReceipt, error) {
	prefix := lake.ReceiptsProvincePrefix(year, province)
	objs, err := s.cfg.Lake.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("portal: list receipts: %w", err)
	}
	out := make([]lightReceipt, len(objs))
	found := make([]bool, len(objs))
	var todo []int
	s.rc.mu.Lock()
	if s.rc.m == nil || len(s.rc.m) > maxCachedReceipts {
		s.rc.m = map[string]lightReceipt{}
	}
	for i, o := range objs {
		if l, ok := s.rc.m[o.Key+"@"+o.ETag]; ok {
			out[i], found[i] = l, true
		} else if strings.HasSuffix(o.Key, ".json") {
			todo = append(todo, i)
		}
	}
	s.rc.mu.Unlock()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	errs := make([]error, len(objs))
	for _, i := range todo {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			l, err := readLight(ctx, s.cfg.Lake, objs[i].Key, prefix)
			if errors.Is(err, storage.ErrNotFound) {
				return
			}
			var syn *json.SyntaxError
			var typ *json.UnmarshalTypeError
			if errors.As(err, &syn) || errors.As(err, &typ) {
				// As the commune's page does: a damaged receipt is skipped
				// (and logged), not a reason to lose the whole board.
				s.cfg.Logger.Warn("portal: unreadable receipt skipped", "key", objs[i].Key, "err", err)
				return
			}
			if err != nil {
				errs[i] = err
				return
			}
			out[i], found[i] = l, true
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	by := map[string][]lightReceipt{}
	s.rc.mu.Lock()
	for i, o := range objs {
		if !found[i] {
			continue
		}
		s.rc.m[o.Key+"@"+o.ETag] = out[i]
		by[out[i].Commune] = append(by[out[i].Commune], out[i])
	}
	s.rc.mu.Unlock()
	return by, nil
}

// readLight decodes one receipt; the commune comes from the key (the
// partition ingest wrote it under), checked against the receipt.
func readLight(ctx context.Context, st storage.Store, key, prefix string) (lightReceipt, error) {
	rest := strings.TrimPrefix(key, prefix)
	c, ok := lake.CommuneFolder(rest)
	if !ok {
		return lightReceipt{}, fmt.Errorf("portal: receipt key %q: %w", key, storage.ErrNotFound)
	}
	b, _, err := storage.GetAtMost(ctx, st, key, "", 32<<20)
	if err != nil {
		return lightReceipt{}, err
	}
	var rc struct {
		SubmissionID  string            `json:"submission_id"`
		Status        string            `json:"status"`
		CommuneCode   string            `json:"commune_code"`
		SourceKey     string            `json:"source_key"`
		SourceVersion string            `json:"source_version"`
		OriginalName  string            `json:"original_name"`
		Form          string            `json:"form"`
		Forms         []string          `json:"forms"`
		DataSHA256    map[string]string `json:"data_sha256"`
		ReceivedAt    time.Time         `json:"received_at"`
		ErrorCount    int               `json:"error_count"`
		WarningCount  int               `json:"warning_count"`
		Errors        []struct {
			Severity string `json:"severity"`
			Message  string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(b, &rc); err != nil {
		return lightReceipt{}, fmt.Errorf("portal: receipt %s: %w", key, err)
	}
	l := lightReceipt{Commune: c, SubmissionID: rc.SubmissionID, Status: rc.Status, ReceivedAt: rc.ReceivedAt,
		SourceKey: rc.SourceKey, SourceVersion: rc.SourceVersion, OriginalName: rc.OriginalName,
		ErrorCount: rc.ErrorCount, WarningCount: rc.WarningCount, Form: rc.Form, Forms: rc.Forms, DataSHA256: rc.DataSHA256}
	for _, e := range rc.Errors {
		if e.Severity == receipt.SevError {
			l.FirstError = e.Message
			break
		}
	}
	return l, nil
}

// Board statuses, in the board's order of urgency.
const (
	stMissing  = "missing"
	stRejected = "rejected"
	stReturned = "returned"
	stLate     = "late"
	stOnTime   = "ontime"
	stApproved = "approved"
	// Filters that are not a status: unchecked flags, a newer file
	// waiting while approved data counts.
	filterFlags   = "canh-bao"
	filterWaiting = "tep-moi"
)

var statusOrder = map[string]int{stMissing: 0, stRejected: 1, stReturned: 2, stLate: 3, stOnTime: 4, stApproved: 5}

var statusText = map[string]string{
	stMissing:  "Chưa nộp",
	stRejected: "Chỉ có tệp bị từ chối",
	stReturned: "Bị trả lại",
	stLate:     "Nộp muộn, chờ duyệt",
	stOnTime:   "Đúng hạn, chờ duyệt",
	stApproved: "Đã duyệt",
}

// rateCell is one main rate against its target.
type rateCell struct {
	Value, Target *float64
	Text, Class   string // "72,5 %" / "dat" (met), "chua" (below), "" (no target or no value)
}

// boardRow is one commune of the register.
type boardRow struct {
	Code, Name string
	Status     string // stMissing …
	StatusText string
	Waiting    bool // a newer upload waits while approved data still counts
	Late       bool // accepted, but only after the deadline
	Uploads    int
	LastAt     time.Time
	LastText   string
	Reason     string // first reason of the latest rejection, when the latest upload was rejected
	Rates      []rateCell
	Flags      []flagView // unchecked first
	FlagsOpen  int        // unchecked and comparable: the ones that need a look
	// FlagsChecked are the flags marked "đã xác minh": they stay listed,
	// greyed, but are not open. FlagsFirst are the flags shown in the row;
	// FlagsMore counts the rest, listed on the commune's page.
	FlagsChecked int
	FlagsFirst   []flagView
	FlagsMore    int
	Comment      string // the province's last return/reopen comment
	Latest       string // latest accepted submission_id
	// HasApproved: the commune has approved data, i.e. it would count in an
	// approved-only report (the report's "x/y xã đã được duyệt", the
	// roll-up's completeness.approved): the board's "Đã duyệt" counts and
	// filters these, also when a newer file waits (Waiting) or a newer
	// file was returned while the approved data still counts.
	HasApproved bool
	// Pending: the data that counts now (review.EffectiveData) is not in
	// the roll-up's current build (a new upload not read yet, finding
	// L-A): the rates and flags the build has for the commune are an
	// older file's, so the row shows "đang được tổng hợp" instead of them.
	Pending bool
	// NewFile: Pending because of a new upload (else a review action
	// changed what counts): the row says whose figures are coming.
	NewFile    bool
	foldedName string
}

type flagView struct {
	Flag
	Checked      bool
	CheckComment string
	Text         string // message with the values
	Waiting      bool   // about the newer upload awaiting approval, not the counted data (flagswaiting.go)
}

// boardFlagsShown is how many flags a board row lists; the rest are on
// the commune's page, behind a link (finding L5: inlining every flag made
// the board of 92 communes 294 KB, over the portal's 150 KB page budget).
// The CSV export still counts them all.
const boardFlagsShown = 2

// boardIndicators are the main rates the board shows, with the short
// Vietnamese header.
var boardIndicators = []struct{ Col, Label string }{
	{"ty_le_ho_dat", "Hộ GĐHT"},
	{"ty_le_thon_dat", "Thôn CĐHT"},
	{"ty_le_cong_dan_dat", "CDHT"},
}

// board is one province's board for one deadline.
type board struct {
	Year                   int
	Province, ProvinceName string
	Deadline               deadlines.Deadline
	Cut                    time.Time
	Rows                   []boardRow
	Counts                 map[string]int
	RatesBuilt             bool // a roll-up exists
	FlagsRead              bool
}

// buildBoard gathers a province's board: the register's communes, their
// receipts, review states, roll-up rates and flags.
func (s *server) buildBoard(ctx context.Context, year int, province string, d deadlines.Deadline) (*board, error) {
	v := s.proc.Registry.ForYear(year)
	if v == nil || v.Provinces[province] == nil {
		return nil, fmt.Errorf("portal: province %s not in the %d register", province, year)
	}
	cut, err := s.deadlines.CommuneDue(province, d.ID, year)
	if err != nil {
		return nil, fmt.Errorf("portal: deadline %s: %w", d.ID, err)
	}
	b := &board{Year: year, Province: province, ProvinceName: v.Provinces[province].Name, Deadline: d, Cut: cut, Counts: map[string]int{}}

	var (
		wg                     sync.WaitGroup
		rcs                    map[string][]lightReceipt
		statuses               map[string]review.Status
		rates                  map[string]communeRates
		built                  *rollupManifest
		flags                  []Flag
		errR, errS, errT, errF error
	)
	wg.Add(3)
	go func() { defer wg.Done(); rcs, errR = s.provinceReceipts(ctx, year, province) }()
	go func() { defer wg.Done(); statuses, errS = s.provinceStatuses(ctx, year, province) }()
	go func() { defer wg.Done(); rates, built, errT = s.ratesOf(ctx, year, province) }()
	if s.cfg.Flags != nil {
		wg.Add(1)
		go func() { defer wg.Done(); flags, errF = s.cfg.Flags.ReadFlags(ctx, year, province) }()
	}
	wg.Wait()
	if err := errors.Join(errR, errS, errT); err != nil {
		return nil, err
	}
	if errF != nil {
		// Flags are advice: the board still works without them, and says so.
		s.cfg.Logger.Warn("portal: plausibility flags unavailable", "province", province, "year", year, "err", errF)
	} else {
		b.FlagsRead = s.cfg.Flags != nil
	}
	b.RatesBuilt = rates != nil
	flagsOf := map[string][]Flag{}
	for _, f := range flags {
		flagsOf[f.CommuneCode] = append(flagsOf[f.CommuneCode], f)
	}

	for _, c := range v.CommunesOf(province) {
		row := boardRow{Code: c.Code, Name: c.Name, foldedName: textnorm.Fold(c.Name)}
		list := rcs[c.Code]
		ups := make([]review.Upload, len(list))
		var newest *lightReceipt
		for i := range list {
			ups[i] = list[i].upload()
			if newest == nil || review.Newer(ups[i], newest.upload()) {
				newest = &list[i]
			}
		}
		row.Uploads = len(list)
		if newest != nil {
			row.LastAt = newest.ReceivedAt
			row.LastText = newest.ReceivedAt.In(deadlines.ICT).Format("15:04 02/01")
			if newest.Status != receipt.Accepted {
				row.Reason = newest.FirstError
			}
		}
		row.Latest = review.Latest(ups)
		st := statuses[c.Code]
		cur, d := review.Current(ups), review.DigestsOf(ups)
		shown, counted := review.EffectiveData(st, cur, d, false)
		_, approved := review.EffectiveData(st, cur, d, true)
		// On time against this tab's cut-off, counting from the first valid
		// file: a returned file never makes the commune on time (the
		// roll-up's completeness uses the same rule).
		from, valid := review.TimelyFrom(st, ups)
		onTime := valid && deadlines.OnTime(from, cut)
		row.Late = valid && !onTime
		row.Waiting = shown == review.Submitted && len(approved) > 0
		row.HasApproved = len(approved) > 0
		switch {
		case len(list) == 0:
			row.Status = stMissing
		case row.Latest == "":
			row.Status = stRejected
		case shown == review.Approved || row.Waiting:
			// Approved data counts (finding L-C: the report counts a commune
			// with a newer file waiting as approved; the text says both).
			row.Status = stApproved
		case shown == review.Returned:
			row.Status = stReturned
			row.Comment = st.Comment
		case onTime:
			row.Status = stOnTime
		default:
			row.Status = stLate
		}
		// A rejection after accepted data (finding L13: 01849, approved,
		// then a rejected upload) is a later failed attempt: said so, not
		// shown as if it were the reason of the state shown.
		if row.Reason != "" && row.Latest != "" {
			row.Reason = fmt.Sprintf("Lần nộp sau (%s) bị từ chối: %s", row.LastText, row.Reason)
		}
		row.StatusText = statusText[row.Status]
		switch {
		case row.Waiting:
			row.StatusText = textApprovedWaiting
		case row.Status == stReturned && row.HasApproved:
			row.StatusText = textReturnedNewer
		}
		r, ok := rates[c.Code]
		// Pending: the build has not read the data that counts now, or its
		// rates are of a file that no longer counts (returned since).
		row.Pending = built != nil && (!countedIn(counted, built) || (ok && r.Sub01 != nil && *r.Sub01 != "" && !counted.Has(*r.Sub01)))
		row.NewFile = row.Pending && !countedIn(counted, built)
		switch {
		case row.Pending:
			row.Rates = []rateCell{pendingCell, pendingCell, pendingCell}
		case ok:
			row.Rates = []rateCell{cell(r.TyLeHoDat, r.ChiTieuHoDat), cell(r.TyLeThonDat, r.ChiTieuThonDat), cell(r.TyLeCongDanDat, r.ChiTieuCongDanDat)}
		default:
			row.Rates = []rateCell{{Text: "–"}, {Text: "–"}, {Text: "–"}}
		}
		if !row.Pending {
			// A pending row's flags in the build are about an older file:
			// not shown as the new file's (its own are being computed).
			row.Flags = flagViews(flagsOf[c.Code], st)
		}
		if row.Waiting {
			row.Flags = markWaiting(row.Flags, row.Latest) // flagswaiting.go
		}
		for _, f := range row.Flags {
			switch {
			case f.Checked:
				row.FlagsChecked++
			case !f.Informational():
				row.FlagsOpen++
			}
		}
		row.FlagsFirst, row.FlagsMore = row.Flags[:min(len(row.Flags), boardFlagsShown)], max(0, len(row.Flags)-boardFlagsShown)
		b.Counts[row.Status]++
		if row.HasApproved && row.Status != stApproved {
			b.Counts[stApproved]++ // a newer file returned while approved data counts: in both
		}
		if row.Waiting {
			b.Counts[filterWaiting]++
		}
		b.Rows = append(b.Rows, row)
	}
	return b, nil
}

// The states that say two things, in the board's status cell and on the
// commune's page for the province (the same words on both).
const (
	textApprovedWaiting = "Đã duyệt; có tệp mới chờ duyệt (số liệu đã duyệt vẫn được tính)"
	textReturnedNewer   = "Bị trả lại tệp mới; số liệu đã duyệt trước vẫn được tính"
)

// pendingCell is a rate of a row whose counted data the roll-up has not
// read yet.
var pendingCell = rateCell{Text: "đang tổng hợp", Class: "dang-tinh"}

// countedIn reports whether every upload of counted (form → submission
// id) was read by the build m: then the build's rates and flags of the
// commune are those of the data that counts now.
func countedIn(counted review.Set, m *rollupManifest) bool {
	for _, id := range counted {
		if id != "" && !inputsOf(m, id) {
			return false
		}
	}
	return true
}

func flagViews(fs []Flag, st review.Status) []flagView {
	out := make([]flagView, 0, len(fs))
	for _, f := range fs {
		fv := flagView{Flag: f, Text: flagText(f)}
		c, ok := st.Checked(f.FlagID, f.SubmissionID)
		if f.SubmissionID == "" {
			c, ok = st.Checks[f.FlagID] // a flag reader that does not say which upload
		}
		if ok {
			fv.Checked, fv.CheckComment = true, c.Comment
		}
		out = append(out, fv)
	}
	slices.SortStableFunc(out, func(a, b flagView) int {
		if a.Checked != b.Checked {
			if a.Checked {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.FlagID, b.FlagID)
	})
	return out
}

// flagText is the flag's message with its values, for the page.
func flagText(f Flag) string {
	t := f.Message
	if f.TenThon != "" && !strings.Contains(t, f.TenThon) {
		t = f.TenThon + ": " + t
	}
	if !f.Comparable {
		// Finding L4: pipeline/quality's message may already say it.
		if strings.Contains(strings.ToLower(t), "không so sánh được") {
			return t
		}
		return t + " (không so sánh được)"
	}
	// pipeline/quality's messages already say both values, formatted
	// ("(2.777 → 4.917)") and which year they compare with: the values are
	// added only to a message that does not.
	if f.Value != nil && f.PreviousValue != nil && !strings.Contains(t, "→") {
		prev := "năm trước"
		if f.PreviousYear != 0 {
			prev = fmt.Sprintf("năm %d", f.PreviousYear) // the last accepted year, not always last year
		}
		t += fmt.Sprintf(" (%s %s → năm nay %s)", prev, flagNum(f.Indicator, *f.PreviousValue), flagNum(f.Indicator, *f.Value))
	}
	return t
}

// flagNum writes a flag's value as the reports do: a rate (ty_le_…, a
// fraction) as a percentage, a count with "." for thousands.
func flagNum(indicator string, v float64) string {
	switch {
	case strings.HasPrefix(indicator, "ty_le_"):
		return pct(v)
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return vnnum.Int(int64(v))
	}
	return vnnum.Float(v, 1)
}

func pct(v float64) string {
	return strings.Replace(fmt.Sprintf("%.1f %%", v*100), ".", ",", 1)
}

func cell(v, target *float64) rateCell {
	c := rateCell{Value: v, Target: target, Text: "–"}
	if v == nil {
		return c
	}
	c.Text = pct(*v)
	if target != nil {
		if *v >= *target {
			c.Class = "dat"
		} else {
			c.Class = "chua"
		}
	}
	return c
}

// boardQuery is what the board's address asks for: filter and order.
type boardQuery struct {
	Deadline string // deadline id, "12-01"
	Status   string // "" all, a status, filterFlags or filterWaiting
	Search   string
	Sort     string // ma, ten, trang-thai, nop, ho, thon, cd, canh-bao
	Desc     bool
}

// apply filters and sorts the rows (a copy).
func (q boardQuery) apply(rows []boardRow) []boardRow {
	needle := textnorm.Fold(strings.TrimSpace(q.Search))
	var out []boardRow
	for _, r := range rows {
		switch q.Status {
		case "":
		case filterFlags:
			if r.FlagsOpen == 0 {
				continue
			}
		case filterWaiting:
			if !r.Waiting {
				continue
			}
		case stApproved:
			if !r.HasApproved {
				continue
			}
		default:
			if r.Status != q.Status {
				continue
			}
		}
		if needle != "" && !strings.Contains(r.foldedName, needle) && !strings.Contains(r.Code, needle) {
			continue
		}
		out = append(out, r)
	}
	rate := func(i int) func(a, b boardRow) int {
		return func(a, b boardRow) int {
			av, bv := a.Rates[i].Value, b.Rates[i].Value
			switch {
			case av == nil && bv == nil:
				return 0
			case av == nil:
				return 1 // blanks last either way
			case bv == nil:
				return -1
			}
			return cmp.Compare(*av, *bv)
		}
	}
	var by func(a, b boardRow) int
	switch q.Sort {
	case "ten":
		keys := make(map[string]string, len(out))
		for _, r := range out {
			keys[r.Code] = nameSortKey(r.Name)
		}
		by = func(a, b boardRow) int { return cmp.Compare(keys[a.Code], keys[b.Code]) }
	case "trang-thai":
		by = func(a, b boardRow) int { return cmp.Compare(statusOrder[a.Status], statusOrder[b.Status]) }
	case "nop":
		by = func(a, b boardRow) int { return a.LastAt.Compare(b.LastAt) }
	case "ho":
		by = rate(0)
	case "thon":
		by = rate(1)
	case "cd":
		by = rate(2)
	case "canh-bao":
		by = func(a, b boardRow) int { return cmp.Compare(a.FlagsOpen, b.FlagsOpen) }
	default:
		by = func(a, b boardRow) int { return 0 }
	}
	slices.SortStableFunc(out, func(a, b boardRow) int {
		c := by(a, b)
		if q.Desc {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a.Code, b.Code))
	})
	return out
}

// nameSortKey orders communes by name in Vietnamese alphabetical order
// (final-walk L8, session 8), without their kind ("Xã", "Phường", "Thị
// trấn", "Đặc khu"): "Phường Bắc Kạn" sorts among the B's, after "Xã Bách
// Quang".
func nameSortKey(name string) string {
	for _, kind := range []string{"Xã ", "Phường ", "Thị trấn ", "Đặc khu "} {
		if rest, ok := strings.CutPrefix(name, kind); ok {
			name = rest
			break
		}
	}
	return textnorm.VietnameseKey(name)
}

// statusCache keeps review statuses by key and ETag (a status changes only
// by a write, which changes its ETag), so a board load reads only the
// statuses changed since the last one: one LIST, as review.ForProvince
// does, and a GET per changed status.
type statusCache struct {
	mu sync.Mutex
	m  map[string]review.Status // key + "@" + etag
}

// provinceStatuses is review.ForProvince through the cache.
func (s *server) provinceStatuses(ctx context.Context, year int, province string) (map[string]review.Status, error) {
	prefix := lake.ReviewProvincePrefix(year, province)
	objs, err := s.cfg.Lake.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("portal: list review states: %w", err)
	}
	out := map[string]review.Status{}
	var todo []string
	s.sc.mu.Lock()
	if s.sc.m == nil || len(s.sc.m) > maxCachedReceipts {
		s.sc.m = map[string]review.Status{}
	}
	for _, o := range objs {
		c, ok := lake.CommuneFile(strings.TrimPrefix(o.Key, prefix), ".json")
		if !ok || !strings.HasPrefix(o.Key, prefix) {
			continue
		}
		if st, ok := s.sc.m[o.Key+"@"+o.ETag]; ok {
			out[c] = st
		} else {
			todo = append(todo, c)
		}
	}
	s.sc.mu.Unlock()
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	errs := make([]error, len(todo))
	for i, c := range todo {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			st, etag, err := review.Get(ctx, s.cfg.Lake, year, province, c)
			if errors.Is(err, review.ErrUnreadable) {
				// One damaged status must not blank the province's board:
				// the commune shows as never reviewed, and it is logged.
				s.cfg.Logger.Warn("portal: unreadable review state skipped", "province", province, "commune", c, "err", err)
				return
			}
			if err != nil {
				errs[i] = err
				return
			}
			if st.State == "" {
				return
			}
			mu.Lock()
			out[c] = st
			mu.Unlock()
			s.sc.mu.Lock()
			s.sc.m[lake.ReviewKey(year, province, c)+"@"+etag] = st
			s.sc.mu.Unlock()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
