package portal

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/quality"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/vnnum"
)

// The province's side of the portal (issue 15): a province reviewer's
// code signs in on the same page and lands on the board of its province
// and year. Every handler here runs only for a province session
// (withRole), acts only on communes of the session's province in the
// register of the session's year, and every action is a POST with the
// session's CSRF token. A commune code gets 403 on every one of them.
const (
	pathBoard       = "/tinh"
	pathBoardCSV    = "/tinh/bang.csv"
	pathProvCommune = "/tinh/xa/"         // + commune code
	pathProvMarked  = "/danh-dau"         // after pathProvCommune + code
	pathProvReceipt = "/bien-nhan"        // after pathProvCommune + code
	actApprove      = "/duyet"            // after pathProvCommune + code
	actReturn       = "/tra-lai"          //
	actReopen       = "/mo-lai"           //
	actCheck        = "/xac-minh"         //
	provinceOnly    = access.RoleProvince // for withRole
	boardCSVName    = "bang-theo-doi-%s-%d-%s.csv"
	// reviewFormLimit: bytes of a review form. A browser sends the comment
	// URL-encoded: each rune at worst 4 UTF-8 bytes, each byte "%XX", so
	// 12 bytes a rune (a Vietnamese letter takes 6 to 9); 1 KiB for the
	// other fields (csrf, submission, flag).
	reviewFormLimit = review.MaxCommentRunes*4*3 + 1<<10
)

// ReviewPaths are the province's endpoints, for the authorisation tests
// (every one refuses a commune code): method and path with "{commune}".
var ReviewPaths = []struct{ Method, Path string }{
	{"GET", pathBoard},
	{"GET", pathBoardCSV},
	{"GET", pathProvCommune + "{commune}"},
	{"GET", pathProvCommune + "{commune}" + pathProvMarked},
	{"GET", pathProvCommune + "{commune}" + pathProvReceipt},
	{"POST", pathProvCommune + "{commune}" + actApprove},
	{"POST", pathProvCommune + "{commune}" + actReturn},
	{"POST", pathProvCommune + "{commune}" + actReopen},
	{"POST", pathProvCommune + "{commune}" + actCheck},
}

func (s *server) provinceRoutes(m *http.ServeMux) {
	m.HandleFunc("GET "+pathBoard, s.withRole(provinceOnly, s.board))
	m.HandleFunc("GET "+pathBoardCSV, s.withRole(provinceOnly, s.boardCSV))
	m.HandleFunc("GET "+pathProvCommune+"{commune}", s.withRole(provinceOnly, s.provCommune))
	m.HandleFunc("GET "+pathProvCommune+"{commune}"+pathProvMarked, s.withRole(provinceOnly, s.provMarked))
	m.HandleFunc("GET "+pathProvCommune+"{commune}"+pathProvReceipt, s.withRole(provinceOnly, s.provReceipt))
	for _, a := range []struct{ path, kind string }{{actApprove, review.KindApprove}, {actReturn, review.KindReturn}, {actReopen, review.KindReopen}, {actCheck, review.KindCheck}} {
		m.HandleFunc("POST "+pathProvCommune+"{commune}"+a.path, s.withRole(provinceOnly, s.reviewAction(a.kind)))
	}
}

// boardPage is what the board template shows.
type boardPage struct {
	*board
	Holder, Reviewer, CSRF string
	Query                  boardQuery
	Shown                  []boardRow
	Deadlines              []deadlineLink
	Statuses               []statusLink
	Sorts                  map[string]string // sort key → link (toggles the direction)
	CSVURL                 string
	CutText                string
	Indicators             []string
	Paths                  map[string]string
	Now                    string
}

type deadlineLink struct {
	ID, Label, URL string
	Current        bool
}

type statusLink struct {
	Key, Label, URL string
	Count           int
	Current         bool
}

// parseBoardQuery reads the board's address. Unknown values fall back to
// the defaults: the address is typed and shared by people.
func (s *server) parseBoardQuery(r *http.Request, g access.Grant, now time.Time) (boardQuery, deadlines.Deadline) {
	q := r.URL.Query()
	bq := boardQuery{Deadline: q.Get("han"), Status: q.Get("loc"), Search: q.Get("q"), Sort: q.Get("sap"), Desc: q.Get("chieu") == "giam"}
	if len(bq.Search) > 100 {
		bq.Search = bq.Search[:100]
	}
	if _, ok := statusOrder[bq.Status]; !ok && bq.Status != filterFlags && bq.Status != filterWaiting {
		bq.Status = ""
	}
	all := s.deadlines.All()
	d, ok := s.deadlines.Get(bq.Deadline)
	if !ok {
		// The first report whose communes' due date is still ahead, else the last.
		d = all[len(all)-1]
		for _, x := range all {
			if cut, err := s.deadlines.CommuneDue(g.Province, x.ID, g.Year); err == nil && now.Before(cut) {
				d = x
				break
			}
		}
	}
	bq.Deadline = d.ID
	return bq, d
}

func (bq boardQuery) url(path string, change func(*boardQuery)) string {
	c := bq
	if change != nil {
		change(&c)
	}
	v := url.Values{"han": {c.Deadline}}
	if c.Status != "" {
		v.Set("loc", c.Status)
	}
	if c.Search != "" {
		v.Set("q", c.Search)
	}
	if c.Sort != "" {
		v.Set("sap", c.Sort)
	}
	if c.Desc {
		v.Set("chieu", "giam")
	}
	return path + "?" + v.Encode()
}

func (s *server) board(w http.ResponseWriter, r *http.Request, ss session, g access.Grant) {
	now := s.cfg.Now()
	bq, d := s.parseBoardQuery(r, g, now)
	b, err := s.buildBoard(r.Context(), g.Year, g.Province, d)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	p := &boardPage{board: b, Holder: g.Holder, Reviewer: g.Reviewer, CSRF: s.keys.token(purposeCSRF, ss.SID), Query: bq,
		Shown: bq.apply(b.Rows), CSVURL: bq.url(pathBoardCSV, nil), Sorts: map[string]string{},
		CutText: b.Cut.In(deadlines.ICT).AddDate(0, 0, -1).Format("02/01/2006"),
		Paths:   map[string]string{"signout": pathSignOut, "static": pathStatic, "board": pathBoard},
		Now:     now.In(deadlines.ICT).Format("15:04 02/01/2006")}
	for _, ind := range boardIndicators {
		p.Indicators = append(p.Indicators, ind.Label)
	}
	for _, x := range s.deadlines.All() {
		p.Deadlines = append(p.Deadlines, deadlineLink{ID: x.ID, Label: fmt.Sprintf("Báo cáo %d/%d", x.Day, int(x.Month)),
			URL: bq.url(pathBoard, func(c *boardQuery) { c.Deadline = x.ID }), Current: x.ID == d.ID})
	}
	p.Statuses = append(p.Statuses, statusLink{Key: "", Label: "Tất cả", Count: len(b.Rows), URL: bq.url(pathBoard, func(c *boardQuery) { c.Status = "" }), Current: bq.Status == ""})
	for _, st := range []string{stMissing, stRejected, stReturned, stLate, stOnTime, stApproved} {
		p.Statuses = append(p.Statuses, statusLink{Key: st, Label: statusText[st], Count: b.Counts[st],
			URL: bq.url(pathBoard, func(c *boardQuery) { c.Status = st }), Current: bq.Status == st})
	}
	open := 0
	for _, row := range b.Rows {
		if row.FlagsOpen > 0 {
			open++
		}
	}
	p.Statuses = append(p.Statuses, statusLink{Key: filterWaiting, Label: "Có tệp mới chờ duyệt", Count: b.Counts[filterWaiting],
		URL: bq.url(pathBoard, func(c *boardQuery) { c.Status = filterWaiting }), Current: bq.Status == filterWaiting})
	p.Statuses = append(p.Statuses, statusLink{Key: filterFlags, Label: "Có cảnh báo chưa xác minh", Count: open,
		URL: bq.url(pathBoard, func(c *boardQuery) { c.Status = filterFlags }), Current: bq.Status == filterFlags})
	for _, k := range []string{"ma", "ten", "trang-thai", "nop", "ho", "thon", "cd", "canh-bao"} {
		p.Sorts[k] = bq.url(pathBoard, func(c *boardQuery) {
			c.Desc = c.Sort == k && !c.Desc
			c.Sort = k
		})
	}
	s.render(w, r, http.StatusOK, "board", p)
}

// boardCSV is the board as CSV (UTF-8 with BOM so Excel reads the
// Vietnamese): the same rows, filter and order as the page. Columns are
// documented in docs/portal.md; rates are fractions 0–1.
func (s *server) boardCSV(w http.ResponseWriter, r *http.Request, _ session, g access.Grant) {
	bq, d := s.parseBoardQuery(r, g, s.cfg.Now())
	b, err := s.buildBoard(r.Context(), g.Year, g.Province, d)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	cw.Write([]string{"ma_xa", "ten_xa", "trang_thai", "trang_thai_text", "bao_cao", "han_nop", "so_tep", "nop_gan_nhat",
		"ly_do_tu_choi", "ty_le_ho_dat", "chi_tieu_ho_dat", "ty_le_thon_dat", "chi_tieu_thon_dat", "ty_le_cong_dan_dat",
		"chi_tieu_cong_dan_dat", "canh_bao_chua_xac_minh", "canh_bao_da_xac_minh", "y_kien_cua_tinh", "ban_nop_moi_nhat", "dang_tinh",
		"han_nop_ngay_cuoi"})
	// Rates to 4 decimals (a hundredth of a percent, as the report's CSV):
	// 16 digits said nothing more and read as noise in a spreadsheet (walk M4).
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(math.Round(*p*1e4)/1e4, 'f', -1, 64)
	}
	// han_nop is the first instant too late (00:00 of the day after);
	// han_nop_ngay_cuoi, appended last so no column moves, is the last day
	// to send as the board prints it ("hết ngày 04/12/2026"; walk M4).
	cut := b.Cut.In(deadlines.ICT)
	lastDay := cut.AddDate(0, 0, -1).Format(time.DateOnly)
	for _, row := range bq.apply(b.Rows) {
		last := ""
		if !row.LastAt.IsZero() {
			last = row.LastAt.In(deadlines.ICT).Format(time.RFC3339)
		}
		checked := 0
		for _, fl := range row.Flags {
			if fl.Checked {
				checked++
			}
		}
		rec := []string{row.Code, row.Name, row.Status, row.StatusText, b.Deadline.ID, cut.Format(time.RFC3339),
			strconv.Itoa(row.Uploads), last, row.Reason}
		for i := range boardIndicators {
			rec = append(rec, f(row.Rates[i].Value), f(row.Rates[i].Target))
		}
		open, done, pending := strconv.Itoa(row.FlagsOpen), strconv.Itoa(checked), "0"
		if row.Pending {
			// The build's figures are an older file's: rates (nil above)
			// and flag counts are left empty, not given as the new file's.
			open, done, pending = "", "", "1"
		}
		rec = append(rec, open, done, row.Comment, row.Latest, pending, lastDay)
		for i := range rec {
			rec[i] = csvSafe(rec[i])
		}
		cw.Write(rec)
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="`+boardCSVName+`"`, g.Province, g.Year, b.Deadline.ID))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// csvSafe keeps commune text from running as a spreadsheet formula when
// the CSV is opened in Excel (CSV injection): a leading = + - @ or tab
// gets a quote mark in front. Numbers written by the portal never start
// with those except negative ones, which rates never are.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// communeOf checks that the address's commune is in the session's
// province in the register of the session's year.
func (s *server) communeOf(w http.ResponseWriter, r *http.Request, g access.Grant) (*registry.Unit, bool) {
	code := r.PathValue("commune")
	v := s.proc.Registry.ForYear(g.Year)
	var c *registry.Unit
	if v != nil {
		c = v.Communes[code]
	}
	if c == nil || c.ProvinceCode != g.Province {
		s.cfg.Logger.Warn("portal: province session asked for a commune outside its province", "commune", code,
			"province", g.Province, "year", g.Year, "code_id", g.CodeID, "client", clientAddr(r))
		s.fail(w, r, http.StatusNotFound, "Không có xã này trong danh mục của tỉnh năm "+strconv.Itoa(g.Year)+".")
		return nil, false
	}
	return c, true
}

// provCommunePage is the province's page of one commune.
type provCommunePage struct {
	Year                   int
	Province, ProvinceName string
	Commune, CommuneName   string
	Holder, CSRF           string
	Status                 review.Status
	Shown                  review.State
	ShownText              string
	Latest                 string
	LatestUpload           *lightReceipt
	Uploads                []provUpload
	Hamlets                []hamletPair
	PrevYear               int
	HaveRollup, HavePrev   bool
	Flags                  []flagView
	// Waiting: a newer upload (Latest) awaits approval while approved
	// data counts; WaitingFlags are its flags, Flags the counted data's
	// (flagswaiting.go). WaitingFlagsLater: the roll-up has not read it yet.
	Waiting           bool
	WaitingFlags      []flagView
	WaitingFlagsLater bool
	// FlagsLater: the roll-up has not read the file under review (a new
	// upload, nothing approved waits): its flags and figures are being
	// computed; the older file's flags are not shown in their place.
	// NotCounted: the file under review is a returned one, which the
	// roll-up does not count, so it has no flags; approval is not offered
	// blind (reopen first). HamletsFromFile: this year's hamlet rows are
	// read from the file under review itself, not from the roll-up.
	FlagsLater, NotCounted bool
	HamletsFromFile        bool
	// HamletsUnreadable: the file under review's hamlet rows had to be
	// read from its own file and that read failed (on AWS a denied read,
	// finding B-H1): the page says so instead of failing.
	HamletsUnreadable bool
	// LatestName: the file under review's name as the commune sent it,
	// else the base name of its key (finding B-L3: never the whole key).
	LatestName string
	// NotComparable: why last year cannot be compared (the 2025 reform:
	// a split commune without a hamlet assignment, or no re-based
	// roll-up of last year); "" when it can.
	NotComparable string
	History       []historyRow
	// allFlags: every flag of the commune in the flags file (a check of
	// one not shown is refused, with a reason that depends on it).
	allFlags              []Flag
	CanApprove, CanReturn bool
	CanReopen             bool
	// ReturnLate: the return form's warning that the commune's due date
	// has passed, so its correction will count as late (walk M3); "".
	ReturnLate  string
	Done, Error string
	Paths       map[string]string
	MaxComment  int
	// Seen is the status version the page shows (review.SeenOf): every
	// decision form carries it, so a decision taken on this page is
	// refused if another reviewer acted after it was shown.
	Seen string
	// Kept is the comment of a refused action, by its kind, put back in
	// its form (and shown in the alert, in case that form is gone now).
	Kept        map[string]string
	KeptComment string
}

type provUpload struct {
	lightReceipt
	Time, Name, MarkedURL string
	ReceiptURL            string
	Accepted, IsLatest    bool
	IsApproved            bool
}

type hamletPair struct {
	Code, Name string
	Now, Prev  *hamletRow
	Cells      []pairCell
}

type pairCell struct {
	Now, Prev, Class string
	// Approved: the approved data's value, when a waiting file is shown
	// and its value differs (finding M-D: beside the file "Duyệt tệp
	// này" approves, what approval would replace).
	Approved string
}

type historyRow struct {
	review.Record
	Time, ActionText, From, To string
	Who                        string
}

var actionText = map[string]string{
	review.KindApprove: "Duyệt", review.KindReturn: "Trả lại", review.KindReopen: "Mở lại", review.KindCheck: "Xác minh cảnh báo",
}

var doneText = map[string]string{
	review.KindApprove: "Đã duyệt số liệu của xã.",
	review.KindReturn:  "Đã trả lại tệp cho xã, kèm ý kiến. Xã thấy ý kiến trên trang của xã.",
	review.KindReopen:  "Đã mở lại: số liệu của xã chờ duyệt lại.",
	review.KindCheck:   "Đã ghi cảnh báo là «đã xác minh».",
}

func (s *server) provCommune(w http.ResponseWriter, r *http.Request, ss session, g access.Grant) {
	c, ok := s.communeOf(w, r, g)
	if !ok {
		return
	}
	p, err := s.provCommuneView(r.Context(), ss, g, c)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	p.Done = doneText[r.URL.Query().Get("xong")]
	s.render(w, r, http.StatusOK, "provcommune", p)
}

func (s *server) provCommuneView(ctx context.Context, ss session, g access.Grant, c *registry.Unit) (*provCommunePage, error) {
	base := pathProvCommune + c.Code
	p := &provCommunePage{Year: g.Year, Province: g.Province, ProvinceName: g.ProvinceName, Commune: c.Code, CommuneName: c.Name,
		Holder: g.Holder, CSRF: s.keys.token(purposeCSRF, ss.SID), PrevYear: g.Year - 1, MaxComment: review.MaxCommentRunes,
		Paths: map[string]string{"board": pathBoard, "signout": pathSignOut, "approve": base + actApprove, "return": base + actReturn,
			"reopen": base + actReopen, "check": base + actCheck}}
	prefix := lake.ReceiptsProvincePrefix(g.Year, g.Province)
	objs, err := s.cfg.Lake.List(ctx, lake.ReceiptsCommunePrefix(g.Year, g.Province, c.Code))
	if err != nil {
		return nil, fmt.Errorf("portal: list receipts: %w", err)
	}
	var list []lightReceipt
	for _, o := range objs {
		if !strings.HasSuffix(o.Key, ".json") {
			continue
		}
		l, err := readLight(ctx, s.cfg.Lake, o.Key, prefix)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			s.cfg.Logger.Warn("portal: unreadable receipt skipped", "key", o.Key, "err", err)
			continue
		}
		if err != nil {
			return nil, err
		}
		list = append(list, l)
	}
	ups := make([]review.Upload, len(list))
	for i := range list {
		ups[i] = list[i].upload()
	}
	p.Latest = review.Latest(ups)
	st, etag, err := review.Get(ctx, s.cfg.Lake, g.Year, g.Province, c.Code)
	if err != nil {
		return nil, err
	}
	p.Status, p.Seen = st, review.SeenOf(etag)
	cur, d := review.Current(ups), review.DigestsOf(ups)
	var counted review.Set
	p.Shown, counted = review.EffectiveData(st, cur, d, false)
	_, approved := review.EffectiveData(st, cur, d, true)
	p.ShownText = p.Shown.Label()
	p.Waiting = p.Shown == review.Submitted && len(approved) > 0
	switch {
	case p.Waiting:
		p.ShownText = textApprovedWaiting // as the board says it
	case p.Shown == review.Returned && len(approved) > 0:
		// A newer file returned while approved data counts (re-check L6).
		p.ShownText = textReturnedNewer
	}
	slices.SortFunc(list, func(a, b lightReceipt) int {
		if review.Newer(a.upload(), b.upload()) {
			return -1
		}
		if review.Newer(b.upload(), a.upload()) {
			return 1
		}
		return 0
	})
	for i := range list {
		l := list[i]
		name := l.OriginalName
		if name == "" {
			name = displayName(l.SourceKey)
		}
		u := provUpload{lightReceipt: l, Time: l.ReceivedAt.In(deadlines.ICT).Format("15:04 02/01/2006"), Name: name,
			Accepted: l.Status == receipt.Accepted, IsLatest: l.SubmissionID == p.Latest && p.Latest != "",
			IsApproved: l.SubmissionID == st.ApprovedSubmission && st.ApprovedSubmission != "",
			MarkedURL:  base + pathProvMarked + "?" + queryKey(l.SourceKey, l.SourceVersion),
			ReceiptURL: base + pathProvReceipt + "?" + url.Values{"id": {l.SubmissionID}}.Encode()}
		if u.IsLatest {
			p.LatestUpload = &list[i]
			p.LatestName = name
		}
		p.Uploads = append(p.Uploads, u)
	}
	p.CanApprove = p.Latest != "" && p.Shown != review.Approved
	p.CanReturn = p.Latest != "" && p.Shown != review.Returned
	p.CanReopen = reopenable(p.Shown, p.Waiting)
	if p.CanReturn {
		p.ReturnLate = s.returnLate(g, s.cfg.Now())
	}

	fu := fileUnder{Latest: p.Latest, Shown: p.Shown, Waiting: p.Waiting && p.LatestUpload != nil, Counted: counted}
	if p.LatestUpload != nil {
		fu.LatestAt = p.LatestUpload.ReceivedAt
	}
	ff, err := s.flagsForFile(ctx, g.Year, g.Province, c.Code, st, fu)
	if err != nil {
		return nil, err
	}
	all, state := ff.All, ff.State
	p.allFlags = all
	p.Flags, p.WaitingFlags, p.WaitingFlagsLater = ff.Flags, ff.Waiting, ff.WaitingLater
	switch state {
	case fileNotYet:
		p.FlagsLater = true
	case fileNotCounted:
		p.NotCounted, p.CanApprove = true, false
	}

	// Hamlets, this year and last: the roll-up's (the data that counts),
	// or the file under review's own rows when the roll-up does not hold
	// them (a new file not read yet, a returned file, a file waiting while
	// approved data counts: finding M-D, the hamlets shown are those of
	// the file "Duyệt tệp này" approves).
	var now []hamletRow
	if state == fileNotYet || state == fileNotCounted || state == fileFlagsOnly || fu.Waiting {
		rows, err := s.fileHamlets(ctx, g.Year, g.Province, c.Code, p.Latest)
		if err != nil {
			// Advice, not the page: a denied or failed read of the file
			// (on AWS, a role without submissions/) costs the table only.
			s.cfg.Logger.Warn("portal: hamlet rows of the file under review unreadable", "commune", c.Code, "province", g.Province,
				"submission", p.Latest, "err", err)
			p.HamletsUnreadable = true
		}
		now = rows
		p.HamletsFromFile = len(now) > 0
	}
	if !p.HamletsFromFile && !p.HamletsUnreadable {
		if now, err = s.hamletsOf(ctx, g.Year, g.Province, c.Code); err != nil {
			return nil, err
		}
	}
	// An unreadable file under review has no table at all: last year's
	// hamlets alone would read "(không còn năm nay)", every hamlet gone
	// (re-check M2); the note stands in its place.
	var prev []hamletRow
	if !p.HamletsUnreadable {
		var why string
		if prev, why, err = s.prevHamlets(ctx, g.Year, g.Province, c.Code, all); err != nil {
			return nil, err
		}
		p.NotComparable = why
	}
	p.HaveRollup, p.HavePrev = len(now) > 0, len(prev) > 0
	if !p.HamletsUnreadable {
		p.Hamlets = pairHamlets(now, prev)
	}
	if fu.Waiting && p.HamletsFromFile {
		// The roll-up counts the approved data: its rows, beside.
		counted, err := s.hamletsOf(ctx, g.Year, g.Province, c.Code)
		if err != nil {
			return nil, err
		}
		withApproved(p.Hamlets, counted)
	}

	hist, err := review.History(ctx, s.cfg.Lake, g.Year, g.Province, c.Code)
	if err != nil {
		return nil, err
	}
	holders := map[[2]string]string{} // (slot, code id) → holder, read once per page
	named := map[string]string{}      // flag id → its text, for the checks' rows
	for _, f := range all {
		if _, ok := named[f.FlagID]; !ok {
			named[f.FlagID] = flagText(f)
		}
	}
	for i := len(hist) - 1; i >= 0; i-- { // newest first
		h := hist[i]
		who := s.reviewerName(ctx, g.Year, h.By, holders)
		row := historyRow{Record: h, Time: h.At.In(deadlines.ICT).Format("15:04 02/01/2006"),
			ActionText: actionText[h.Action], From: h.FromState.Label(), To: h.ToState.Label(), Who: who}
		if h.Action == review.KindCheck {
			row.ActionText += ": " + checkedFlagName(h.FlagID, named)
		}
		p.History = append(p.History, row)
	}
	return p, nil
}

// checkedFlagName names the flag a check was about in the history: its
// text when the flags file still has it, else what its id says (rule,
// indicator, hamlet: "<rule>/<indicator or ->/<ma_thon or ->").
func checkedFlagName(id string, named map[string]string) string {
	if t := named[id]; t != "" {
		return "«" + t + "»"
	}
	parts := strings.SplitN(id, "/", 3)
	rule := ruleText[parts[0]]
	if rule == "" {
		rule = parts[0]
	}
	out := "cảnh báo " + rule
	if len(parts) > 1 && parts[1] != "-" && parts[1] != "" {
		out += ", chỉ tiêu " + parts[1]
	}
	if len(parts) > 2 && parts[2] != "-" && parts[2] != "" {
		out += ", thôn mã " + parts[2]
	}
	return out + " (không còn trong lần tổng hợp hiện tại)"
}

// ruleText names the plausibility rules (schemas/quality) for the history.
var ruleText = map[string]string{
	quality.RuleChange: "thay đổi so với năm trước", quality.RuleRateChange: "tỷ lệ thay đổi so với năm trước",
	quality.RuleHamletGone: "thôn không còn", quality.RuleHamletNew: "thôn mới", quality.RuleCopied: "số liệu giống hệt năm trước",
	quality.RuleRecognisedAll: "công nhận toàn bộ", quality.RuleRateOutlier: "tỷ lệ khác thường so với các xã",
	quality.RuleHamletOutlier: "số hộ của thôn khác thường", quality.RuleUnchanged: "nộp lại không thay đổi",
	quality.RuleNotComparable: "không so sánh được",
}

// reviewerName is who acted, for the province's history: "Mã cấp tỉnh
// 19-02 (Trần Thị Bình)", the holder looked up now in the slot's access
// record (audit records keep only the slot and the code's id). Records
// written before the slot was recorded, or whose holder is unknown, show
// the code's short id. Holders are officials' names: shown on the
// province's pages only, never on the commune's.
// An access record that cannot be read costs the name, not the page.
func (s *server) reviewerName(ctx context.Context, year int, by review.Actor, cache map[[2]string]string) string {
	who := "Mã cấp tỉnh " + by.Province
	if by.Reviewer == "" {
		if by.CodeID != "" {
			who += " (mã số " + by.CodeID + ")"
		}
		return who
	}
	who += "-" + by.Reviewer
	k := [2]string{by.Reviewer, by.CodeID}
	holder, ok := cache[k]
	if !ok {
		var err error
		holder, err = access.ReviewerHolder(ctx, s.cfg.Lake, year, by.Province, by.Reviewer, by.CodeID)
		if err != nil {
			s.cfg.Logger.Warn("portal: reviewer's holder unreadable", "province", by.Province, "reviewer", by.Reviewer, "err", err)
		}
		cache[k] = holder
	}
	if holder != "" {
		return who + " (" + holder + ")"
	}
	if by.CodeID != "" {
		who += " (mã số " + by.CodeID + ")"
	}
	return who
}

// pairHamlets puts each hamlet of this year next to the same hamlet (by
// code) last year; hamlets of only one year get an empty side.
func pairHamlets(now, prev []hamletRow) []hamletPair {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	idx := map[string]int{}
	var out []hamletPair
	add := func(r hamletRow, isNow bool) {
		code := str(r.MaThon)
		i, ok := idx[code]
		if !ok || code == "" {
			i = len(out)
			idx[code] = i
			out = append(out, hamletPair{Code: code, Name: str(r.TenThon)})
		}
		rr := r
		if isNow {
			out[i].Now = &rr
		} else {
			out[i].Prev = &rr
			if out[i].Name == "" {
				out[i].Name = str(r.TenThon)
			}
		}
	}
	for _, r := range now {
		add(r, true)
	}
	for _, r := range prev {
		add(r, false)
	}
	n := func(p *int64) string {
		if p == nil {
			return ""
		}
		return vnnum.Int(*p) // "1.650", as the flags write it (finding L-D)
	}
	for i := range out {
		h := &out[i]
		get := func(r *hamletRow, f func(*hamletRow) *int64) *int64 {
			if r == nil {
				return nil
			}
			return f(r)
		}
		for _, f := range []func(*hamletRow) *int64{
			func(r *hamletRow) *int64 { return r.HoTong }, func(r *hamletRow) *int64 { return r.HoDat },
			func(r *hamletRow) *int64 { return r.LaoDongTong }, func(r *hamletRow) *int64 { return r.CongDanDat },
		} {
			a, b := get(h.Now, f), get(h.Prev, f)
			c := pairCell{Now: n(a), Prev: n(b)}
			if a != nil && b != nil && *b > 0 {
				if d := float64(*a-*b) / float64(*b); d > 0.15 || d < -0.15 {
					c.Class = "doi" // changed by more than the flags' 15 %: easy to spot
				}
			}
			h.Cells = append(h.Cells, c)
		}
	}
	// In the order of this year's file (as the commune wrote them), then
	// the hamlets gone since last year in last year's order.
	row := func(h hamletPair) int32 {
		r := h.Now
		if r == nil {
			r = h.Prev
		}
		if r.SourceRow == nil {
			return 0
		}
		return *r.SourceRow
	}
	slices.SortStableFunc(out, func(a, b hamletPair) int {
		if (a.Now == nil) != (b.Now == nil) {
			if a.Now == nil {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(row(a), row(b)), strings.Compare(a.Code, b.Code))
	})
	return out
}

// withApproved notes, in each cell of the waiting file's hamlets, the
// approved data's value when it differs (matched by hamlet code, as
// pairHamlets matches last year's).
func withApproved(pairs []hamletPair, approved []hamletRow) {
	by := map[string]hamletRow{}
	for _, r := range approved {
		if r.MaThon != nil && *r.MaThon != "" {
			by[*r.MaThon] = r
		}
	}
	for i := range pairs {
		a, ok := by[pairs[i].Code]
		if !ok || pairs[i].Now == nil || pairs[i].Code == "" {
			continue
		}
		for j, v := range []*int64{a.HoTong, a.HoDat, a.LaoDongTong, a.CongDanDat} {
			if j >= len(pairs[i].Cells) || v == nil {
				continue
			}
			if s := vnnum.Int(*v); s != pairs[i].Cells[j].Now {
				pairs[i].Cells[j].Approved = s
			}
		}
	}
}

func (s *server) provMarked(w http.ResponseWriter, r *http.Request, ss session, g access.Grant) {
	c, ok := s.communeOf(w, r, g)
	if !ok {
		return
	}
	key := r.URL.Query().Get("key")
	k, err := lake.ParseKey(key)
	if err != nil || k.Year != g.Year || k.Province != g.Province || k.Commune != c.Code || strings.Contains(key, "..") {
		s.cfg.Logger.Warn("portal: marked workbook outside the commune refused", "key", key, "commune", c.Code, "province", g.Province, "code_id", g.CodeID)
		s.fail(w, r, http.StatusForbidden, "Tệp này không thuộc xã đang xem.")
		return
	}
	s.sendMarked(w, r, key, r.URL.Query().Get("v"))
}

// provReceipt shows one upload's whole receipt (every error by cell, the
// totals), as the commune saw it, with its marked workbook.
func (s *server) provReceipt(w http.ResponseWriter, r *http.Request, ss session, g access.Grant) {
	c, ok := s.communeOf(w, r, g)
	if !ok {
		return
	}
	id := r.URL.Query().Get("id")
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		s.fail(w, r, http.StatusNotFound, "Không tìm thấy biên nhận này.")
		return
	}
	key := lake.ReceiptKey(lake.Key{Year: g.Year, Province: g.Province, Commune: c.Code}, id)
	b, _, err := storage.GetAtMost(r.Context(), s.cfg.Lake, key, "", 32<<20)
	if errors.Is(err, storage.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "Không tìm thấy biên nhận này.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	var rc receipt.Receipt
	if err := json.Unmarshal(b, &rc); err != nil {
		s.internal(w, r, fmt.Errorf("portal: receipt %s: %w", key, err))
		return
	}
	res := &resultView{Receipt: &rc, OriginalName: uploadName(&rc)}
	s.fillResult(res)
	res.MarkedURL = pathProvCommune + c.Code + pathProvMarked + "?" + queryKey(rc.SourceKey, rc.SourceVersion)
	s.render(w, r, http.StatusOK, "provreceipt", map[string]any{"CommuneName": c.Name, "Back": pathProvCommune + c.Code, "Result": res})
}

// reviewAction handles one review form: approve, return, reopen, check.
// Works without JavaScript: a plain form POST, answered with a redirect
// to the commune's page (or the page again with the error).
func (s *server) reviewAction(kind string) sessionHandler {
	return func(w http.ResponseWriter, r *http.Request, ss session, g access.Grant) {
		c, ok := s.communeOf(w, r, g)
		if !ok {
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, reviewFormLimit)
		if err := r.ParseForm(); err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				// As withRole answers a body over any comment's size.
				s.fail(w, r, http.StatusRequestEntityTooLarge, commentTooLong(0))
				return
			}
			s.fail(w, r, http.StatusBadRequest, "Yêu cầu không hợp lệ. Hãy tải lại trang và thử lại.")
			return
		}
		w2, ok := s.cfg.Lake.(storage.Writer)
		if !ok {
			s.internal(w, r, fmt.Errorf("portal: the lake (%T) cannot do conditional writes", s.cfg.Lake))
			return
		}
		a := review.Action{Kind: kind, Year: g.Year, Province: g.Province, Commune: c.Code,
			Submission: r.PostForm.Get("submission"), Comment: r.PostForm.Get("comment"), FlagID: r.PostForm.Get("flag"),
			Seen: r.PostForm.Get("seen"), By: review.ActorOf(g), At: s.cfg.Now()}
		var err error
		var done review.Status // for the log line (logReview, server.go)
		switch {
		case utf8.RuneCountInString(a.Comment) > review.MaxCommentRunes:
			// Finding L-E: every over-long comment is one answer, 413 with
			// the limit, whether the body passed the byte limit or not
			// (review.Apply would refuse it too, as a bad action).
			err = errCommentTooLong
		case kind == review.KindCheck:
			// A check changes no decision and racing checks all land (the
			// CAS merges them): it is not refused for a newer page. But it
			// must be about a flag the page shows, of the upload it names.
			a.Seen = ""
			if status, msg := s.checkable(r.Context(), ss, g, c, a.FlagID, a.Submission); msg != "" {
				if status == http.StatusInternalServerError { // the flags could not be read: keep the note
					s.reviewFailed(w, r, ss, c, kind, a, errors.New(msg))
					return
				}
				s.cfg.Logger.Warn("portal: check of a flag not shown refused", "commune", c.Code, "province", g.Province, "code_id", g.CodeID, "status", status)
				s.reviewRefused(w, r, ss, g, c, status, msg)
				return
			}
			done, err = review.Apply(r.Context(), w2, a)
		case a.Seen == "":
			// A decision must name the version its page showed (every form
			// of this page does): without it, it may be from a page of
			// before another reviewer's decision.
			err = fmt.Errorf("%w: %w (biểu mẫu không kèm phiên bản trang)", review.ErrStale, review.ErrChanged)
		case kind == review.KindReopen:
			// Walk M5: the stored state of a corrected file after a return
			// is still "returned", but the page shows "Chờ duyệt"; a reopen
			// there would record returned → submitted, a state the reviewer
			// never saw. Only what the page shows can be reopened.
			p, verr := s.provCommuneView(r.Context(), ss, g, c)
			if verr != nil {
				s.reviewFailed(w, r, ss, c, kind, a, verr)
				return
			}
			if !p.CanReopen {
				err = errNothingToReopen
				break
			}
			done, err = review.Apply(r.Context(), w2, a)
		default:
			done, err = review.Apply(r.Context(), w2, a)
		}
		status, msg := http.StatusOK, ""
		switch {
		case err == nil:
			s.logReview(kind, g, c.Code, done)
			http.Redirect(w, r, pathProvCommune+c.Code+"?xong="+url.QueryEscape(kind), http.StatusSeeOther)
			return
		case errors.Is(err, errNothingToReopen):
			status, msg = http.StatusConflict, "Không có gì để mở lại: số liệu của xã đang chờ duyệt (chưa được duyệt, không bị trả lại). Thao tác chưa được lưu."
		case errors.Is(err, errCommentTooLong):
			status, msg = http.StatusRequestEntityTooLarge, commentTooLong(utf8.RuneCountInString(a.Comment))
		case errors.Is(err, review.ErrCommentRequired):
			status, msg = http.StatusBadRequest, "Cần ghi ý kiến (lý do) cho thao tác này."
		case errors.Is(err, review.ErrChanged):
			s.cfg.Logger.Info("portal: review refused, the page was stale", "action", kind, "commune", c.Code, "province", g.Province, "code_id", g.CodeID)
			status, msg = http.StatusConflict, "Số liệu của xã đã thay đổi từ khi trang được mở: người khác vừa thao tác. Thao tác của bạn chưa được lưu. Hãy xem tình trạng hiện tại dưới đây rồi thao tác lại nếu vẫn cần."
		case errors.Is(err, review.ErrStale):
			status, msg = http.StatusConflict, "Số liệu của xã đã thay đổi từ khi trang được mở (có tệp mới, hoặc người khác vừa thao tác). Hãy xem lại trang dưới đây rồi thao tác lại."
		case errors.Is(err, review.ErrBadAction):
			status, msg = http.StatusBadRequest, upperFirst(err.Error())
		case errors.Is(err, review.ErrForbidden):
			s.fail(w, r, http.StatusForbidden, "Mã này không được duyệt số liệu của xã này.")
			return
		default:
			s.reviewFailed(w, r, ss, c, kind, a, err)
			return
		}
		p, verr := s.provCommuneView(r.Context(), ss, g, c)
		if verr != nil {
			s.reviewFailed(w, r, ss, c, kind, a, verr)
			return
		}
		p.Error = msg
		// What the reviewer typed is not lost with the refusal.
		if cm := strings.TrimSpace(printable(a.Comment)); cm != "" {
			p.KeptComment = cm
			if kind != review.KindCheck { // a check's note has one field per flag: quoted in the alert only
				p.Kept = map[string]string{kind: printable(a.Comment)}
			}
		}
		s.render(w, r, status, "provcommune", p)
	}
}

// returnLate is the return form's warning when the commune's due date of
// a report has passed at now: a correction uploaded after a return counts
// from its own time (review.TimelyFrom), so it is late for that report
// whatever the commune does (walk M3). The rule stays; the Sở is told
// before it returns. "" when no due date has passed.
func (s *server) returnLate(g access.Grant, now time.Time) string {
	all := s.deadlines.All()
	var past []string
	var label, date string
	for _, d := range all {
		cut, err := s.deadlines.CommuneDue(g.Province, d.ID, g.Year)
		if err != nil || now.Before(cut) {
			continue
		}
		label = fmt.Sprintf("báo cáo %d/%d", d.Day, int(d.Month))
		date = cut.In(deadlines.ICT).AddDate(0, 0, -1).Format("02/01/2006") // exclusive end: up to the end of the day before
		past = append(past, label+": hết ngày "+date)
	}
	switch {
	case len(past) == 0:
		return ""
	case len(past) == 1 && len(all) > 1:
		return "Hạn nộp của xã cho " + label + " đã qua (hết ngày " + date + "): tệp sửa sẽ được tính là nộp muộn cho báo cáo này."
	}
	return "Hạn nộp của xã đã qua (" + strings.Join(past, "; ") + "): tệp sửa sẽ được tính là nộp muộn."
}

// errNothingToReopen: a reopen of a commune whose page shows no decision
// (awaiting review): refused, nothing written (walk M5).
var errNothingToReopen = errors.New("portal: nothing to reopen")

// reopenable: the page offers "Mở lại" only where it shows a decision:
// approved or returned data, or approved data still counting while a
// newer file waits ("Đã duyệt; có tệp mới chờ duyệt": reopen withdraws
// that approval). A file awaiting review, a corrected file after a return
// included, has nothing to reopen (walk M5).
func reopenable(shown review.State, waiting bool) bool {
	return shown == review.Approved || shown == review.Returned || waiting
}

// errCommentTooLong: a review form's comment is over review.MaxCommentRunes.
var errCommentTooLong = errors.New("portal: review comment too long")

// commentTooLong is the answer to an over-long comment of n characters
// (0: not counted, the body was over any comment's size). The same words
// and number format as withRole's answer to an oversized body.
func commentTooLong(n int) string {
	if n == 0 {
		return fmt.Sprintf("Ý kiến quá dài: tối đa %s ký tự. Hãy bấm nút Quay lại của trình duyệt, rút gọn ý kiến rồi gửi lại.", vnnum.Int(review.MaxCommentRunes))
	}
	return fmt.Sprintf("Ý kiến quá dài: %s ký tự, tối đa %s ký tự. Thao tác chưa được lưu; hãy rút gọn ý kiến (đã giữ lại trong ô bên dưới) rồi gửi lại.",
		vnnum.Int(int64(n)), vnnum.Int(review.MaxCommentRunes))
}

// retryPage is the answer to a review action that failed for a system
// reason (the lake unreachable: finding B-L5): nothing was saved, and the
// reviewer's comment is not lost. It needs nothing from the lake, so it
// can be shown when the commune's page cannot: the message, the comment,
// and the same form to send again (a plain POST, no JavaScript), with the
// same page version, so a retry after someone else acted is refused (409).
type retryPage struct {
	CommuneName, Action, ActionText string
	CSRF, Submission, Seen, Flag    string
	Comment, Label, Back            string
}

// commentLabel is each action's comment box label, as on the page.
var commentLabel = map[string]string{
	review.KindApprove: "Ý kiến (không bắt buộc)", review.KindReturn: "Lý do trả lại (bắt buộc; xã sẽ thấy)",
	review.KindReopen: "Lý do mở lại (bắt buộc; xã sẽ thấy)", review.KindCheck: "Ghi chú xác minh (xã sẽ thấy)",
}

// reviewFailed answers a review action that failed for a system reason
// with status 500 and the retry page.
func (s *server) reviewFailed(w http.ResponseWriter, r *http.Request, ss session, c *registry.Unit, kind string, a review.Action, err error) {
	s.cfg.Logger.Error("portal: review action failed", "path", r.URL.Path, "action", kind, "commune", c.Code, "err", err)
	path := map[string]string{review.KindApprove: actApprove, review.KindReturn: actReturn, review.KindReopen: actReopen, review.KindCheck: actCheck}[kind]
	seen := a.Seen
	if kind == review.KindCheck {
		seen = ""
	}
	s.render(w, r, http.StatusInternalServerError, "provretry", retryPage{CommuneName: c.Name, Action: pathProvCommune + c.Code + path,
		ActionText: actionText[kind], CSRF: s.keys.token(purposeCSRF, ss.SID), Submission: a.Submission, Seen: seen, Flag: a.FlagID,
		Comment: printable(a.Comment), Label: commentLabel[kind], Back: pathProvCommune + c.Code})
}

// checkable says whether a "đã xác minh" form may be about flag id of
// upload submission: it must be one of the flags the commune's page shows
// now (of the file under review, or of the counted data), else a forged
// or outdated form would store a check, and an audit record, about
// nothing. "" when it may; else the status and the message.
func (s *server) checkable(ctx context.Context, ss session, g access.Grant, c *registry.Unit, id, submission string) (int, string) {
	if id == "" {
		return http.StatusBadRequest, "Thiếu mã cảnh báo: không ghi gì."
	}
	p, err := s.provCommuneView(ctx, ss, g, c)
	if err != nil {
		return http.StatusInternalServerError, "Không đọc được cảnh báo của xã lúc này; hãy thử lại sau ít phút."
	}
	for _, f := range append(slices.Clip(p.WaitingFlags), p.Flags...) {
		if f.FlagID == id && f.SubmissionID == submission {
			if f.Informational() {
				// The page offers no form for it: there is nothing to verify.
				return http.StatusBadRequest, "Cảnh báo này chỉ để biết, không cần xác minh. Chưa ghi gì."
			}
			return 0, ""
		}
	}
	for _, f := range p.allFlags {
		if f.FlagID == id {
			return http.StatusConflict, "Cảnh báo này không thuộc tệp đang xem (xã vừa nộp tệp mới, hoặc số liệu vừa được tổng hợp lại). Chưa ghi gì; hãy xem lại các cảnh báo dưới đây."
		}
	}
	return http.StatusBadRequest, "Xã không có cảnh báo này trong lần tổng hợp hiện tại. Chưa ghi gì."
}

// reviewRefused answers a refused review form: the commune's page again,
// with the reason.
func (s *server) reviewRefused(w http.ResponseWriter, r *http.Request, ss session, g access.Grant, c *registry.Unit, status int, msg string) {
	p, err := s.provCommuneView(r.Context(), ss, g, c)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	p.Error = msg
	s.render(w, r, status, "provcommune", p)
}

// upperFirst starts a message with a capital letter (review's errors are
// lower-case, as Go errors are; a page shows them as sentences).
func upperFirst(msg string) string {
	r, n := utf8.DecodeRuneInString(msg)
	return string(unicode.ToUpper(r)) + msg[n:]
}

// printable is text typed into a form with control and bidirectional
// formatting characters removed (line breaks and tabs kept): what a
// refused form echoes back, so a right-to-left override cannot reorder
// the page around it.
func printable(text string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, text)
}

// communeReview is what the commune's own page says about its review.
type communeReview struct {
	State, Text, Comment, At string
}

// reviewFor reads the commune's review state for its own page.
// It also returns the stored status, which the page's flags need.
// And it says which file the page is about (fileUnder), for its flags.
func (s *server) reviewFor(ctx context.Context, ss session, rcs []*receipt.Receipt) (*communeReview, review.Status, fileUnder, error) {
	st, _, err := review.Get(ctx, s.cfg.Lake, ss.Year, ss.Province, ss.Commune)
	if err != nil {
		return nil, review.Status{}, fileUnder{}, err
	}
	ups := make([]review.Upload, 0, len(rcs))
	for _, rc := range rcs {
		ups = append(ups, review.UploadOf(rc))
	}
	cur, d := review.Current(ups), review.DigestsOf(ups)
	shown, counted := review.EffectiveData(st, cur, d, false)
	_, approved := review.EffectiveData(st, cur, d, true)
	fu := fileUnder{Latest: review.Latest(ups), Shown: shown, Waiting: shown == review.Submitted && len(approved) > 0, Counted: counted}
	for _, u := range ups {
		if u.SubmissionID == fu.Latest {
			fu.LatestAt = u.ReceivedAt
		}
	}
	if fu.Latest == "" {
		fu.Waiting = false
	}
	if shown == "" {
		return nil, st, fu, nil
	}
	cr := &communeReview{State: string(shown)}
	switch shown {
	case review.Approved:
		cr.Text = "Sở đã duyệt số liệu của xã."
	case review.Returned:
		cr.Text, cr.Comment = "Sở đã trả lại tệp để xã sửa. Hãy sửa theo ý kiến dưới đây rồi nộp lại.", st.Comment
	default:
		cr.Text = "Số liệu đang chờ Sở duyệt."
		if len(approved) > 0 {
			cr.Text = "Tệp mới đang chờ Sở duyệt; số liệu đã duyệt trước đó vẫn được tính đến khi tệp mới được duyệt."
		}
		if st.State == review.Submitted && st.Comment != "" {
			cr.Comment = st.Comment // a reopen's reason
		}
	}
	// The time is the Sở's decision's: shown only with the state that
	// decision set. A newer file awaiting review (a correction after a
	// return, a new file after an approval) is not about it (walk L4).
	if !st.At.IsZero() && shown == st.State {
		cr.At = st.At.In(deadlines.ICT).Format("15:04 02/01/2006")
	}
	return cr, st, fu, nil
}
