package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage"
)

// Reports on approved data (issue 15).
//
// A province chooses, per deadline, whether its reports count only the
// communes' data it approved (review states, pipeline/review) or, as by
// default, the live data (the latest accepted upload of each commune,
// except that approved data is not replaced by a newer upload until it is
// approved, and a returned file never counts). The choice is the lake
// object config/reports/province=<P>.json, put there by the province like
// its issuer file:
//
//	{"approved_only": ["12-15"]}
//
// lists the deadlines whose reports (the final one, and drafts of it, so a
// draft previews the final) count only approved data. A missing file
// means none. A file that is not exactly this shape stops the report with
// an error naming it, rather than printing a report on the wrong data.
//
// Whatever the mode, the 15/12 report states how many communes' data the
// province has approved: "x/y xã đã được duyệt".

// SettingsKey is the lake key of a province's report settings
// (lake.ReportSettingsKey).
func SettingsKey(province string) string { return lake.ReportSettingsKey(province) }

// Settings are a province's report settings.
type Settings struct {
	// ApprovedOnly lists the deadlines ("12-01", "12-15") whose reports
	// count only approved data.
	ApprovedOnly []string `json:"approved_only"`
}

// maxSettingsFile bounds the settings file: a few dozen bytes in practice.
const maxSettingsFile = 16 << 10

// LoadSettings reads the province's report settings (zero Settings when
// there is no file). valid are the deadline ids a setting may name.
func LoadSettings(ctx context.Context, lake storage.Store, province string, valid []string) (Settings, error) {
	key := SettingsKey(province)
	body, _, err := storage.GetAtMost(ctx, lake, key, "", maxSettingsFile)
	if errors.Is(err, storage.ErrNotFound) {
		return Settings{}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("report: đọc %s: %w", key, err)
	}
	var s Settings
	if err := decodeStrict(body, &s, `approved_only ["12-01", "12-15"]`); err != nil {
		return Settings{}, fmt.Errorf("report: tệp cài đặt %s không hợp lệ (invalid settings file): %w", key, err)
	}
	for _, d := range s.ApprovedOnly {
		if !slices.Contains(valid, d) {
			return Settings{}, fmt.Errorf("report: tệp cài đặt %s: kỳ báo cáo %q không có (không phải một trong %v)", key, d, valid)
		}
	}
	return s, nil
}

// BuildApprovedOnly builds the report of o.Province, o.Year and
// o.Deadline ("12-15" when empty) counting only the data the province
// approved, whatever the province's setting. Nothing is written to the
// lake; WriteAll renders it.
func BuildApprovedOnly(ctx context.Context, o Options) (*Report, error) {
	if o.Deadline == "" {
		o.Deadline = "12-15"
	}
	on := true
	o.ApprovedOnly = &on
	return Build(ctx, o)
}

// approvedSentence is the 15/12 report's statement of the review.
func approvedSentence(r *Report) string {
	// The returned communes are counted in the first sentence.
	s := fmt.Sprintf("%s/%s xã đã được duyệt.", sentInt(r.Completeness.Approved), sentInt(r.Completeness.Expected))
	if r.ApprovedOnly {
		s += " Số liệu trong báo cáo này chỉ gồm số liệu đã được duyệt; xã chưa được duyệt tính như chưa có số liệu."
	}
	return s
}

// flagsOf loads the annex's flags. An approved-only report lists the
// flags of the live roll-up at the same cut-off for its approved communes
// (final-walk M1, session 8): the approved-only snapshot computes the
// "against the other communes of the province" flags among the approved
// communes only, where few or none can stand out, while the board and the
// reviewer's checks are about the live flags. An approved commune's live
// counted data is its approved data (approved data is not replaced until
// the newer file is approved), so the flags are about what the report
// counts.
func (r *Report) flagsOf(ctx context.Context, o Options, db *sql.DB, counted time.Time, work string) error {
	if !r.ApprovedOnly {
		return r.loadFlags(ctx, db, nil)
	}
	snap := filepath.Join(work, "live-snapshot")
	if _, err := rollup.Build(ctx, o.snapshot(counted, snap, filepath.Join(work, "rollup-live"))); err != nil {
		return fmt.Errorf("report: live flags: %w", err)
	}
	live, err := rollup.OpenSnapshot(ctx, snap)
	if err != nil {
		return fmt.Errorf("report: live flags: %w", err)
	}
	defer live.Close()
	approved := map[string]bool{}
	for _, c := range r.Completeness.Communes {
		approved[c.Code] = c.Approved
	}
	return r.loadFlags(ctx, live, func(code string) bool { return approved[code] })
}

// reviewStates reads the province's review states once for the report
// (checked flags, ReviewsAt): an unreadable one is left out, the others
// still count.
func (r *Report) reviewStates(ctx context.Context, lk storage.Store) (map[string]review.Status, error) {
	st, err := review.ForProvince(ctx, lk, r.Year, r.Province)
	if err != nil && !errors.Is(err, review.ErrUnreadable) {
		return nil, fmt.Errorf("report: review states: %w", err)
	}
	return st, nil
}

// reviewsAt sets ReviewsAt, the latest decision among st.
func (r *Report) reviewsAt(st map[string]review.Status) {
	for _, s := range st {
		if s.At.After(r.ReviewsAt) {
			r.ReviewsAt = s.At.UTC()
		}
	}
}

// reviewsSentence says up to when the report read the Sở's review
// decisions (final-walk H1, session 8): a returned file never counts, so a
// report made again after a later return or approval differs from the
// first, and the sentence tells the two apart. From the lake only, so a
// report made again with no new decision is the same file.
func reviewsSentence(r *Report) string {
	return "Tình trạng duyệt của Sở tính theo các quyết định đến " + r.ReviewsAt.In(deadlines.ICT).Format("15:04 ngày 02/01/2006") + "."
}

// dropPartialComparison keeps an approved-only report over some of the
// communes only from speaking for the whole province (or district):
//   - no comparison of a sum of communes with last year: the roll-up's
//     last-year figures are the whole province's (or district's), so
//     "tăng 1,5 điểm phần trăm so với năm 2025" would compare 6 approved
//     communes with all 92 of last year. It clears the change of the
//     province total and of each district some of whose communes are not
//     approved, and the report year's point of the trend; each commune
//     keeps its own change (the same commune both years);
//   - no target verdict for those sums (review finding M-C: "chưa đạt chỉ
//     tiêu 80%" of the province from 7/92 communes): their Met is cleared
//     (printed "–", empty in the .csv), and Part says which communes they
//     sum ("7/92"), so the total row reads "TỔNG CỘNG 7/92 XÃ ĐÃ DUYỆT" and
//     the summary "7/92 xã đã được duyệt có …" (lineName, summary).
//
// NoComparison says why, in the summary and under the trend.
func (r *Report) dropPartialComparison() {
	c := r.Completeness
	// Partial while some commune's valid data is not approved: once every
	// commune with valid data is approved, the figures are the live
	// report's and it reads as one (re-check N-4, session 8: communes that
	// sent nothing valid kept it partial for ever).
	if !r.ApprovedOnly || c.Approved >= c.Submitted {
		return
	}
	r.NoComparison = fmt.Sprintf("Vì mới có %s/%s xã được duyệt, báo cáo không đánh giá việc đạt chỉ tiêu của toàn tỉnh và không so sánh với năm %d.",
		sentInt(c.Approved), sentInt(c.Expected), r.Year-1)
	partial := func(row *Row, approved, expected int64) {
		for code, cell := range row.Cells {
			cell.PrevRate, cell.Change, cell.Met = nil, nil, nil
			row.Cells[code] = cell
		}
		row.Part = sentInt(approved) + "/" + sentInt(expected)
	}
	partial(&r.Total, c.Approved, c.Expected)
	type count struct{ approved, submitted, expected int64 }
	byDistrict := map[string]count{}
	for _, s := range c.Communes {
		n := byDistrict[s.District]
		n.expected++
		if s.Approved {
			n.approved++
		}
		if s.Status == "on_time" || s.Status == "late" {
			n.submitted++
		}
		byDistrict[s.District] = n
	}
	for i := range r.Districts {
		d := &r.Districts[i]
		if n, ok := byDistrict[d.Code]; !ok || n.approved < n.submitted {
			partial(d, n.approved, n.expected)
		}
	}
	r.Trend = slices.DeleteFunc(r.Trend, func(p YearPoint) bool { return p.Year == r.Year })
}

// partNote explains, under the table, the rows that sum only the approved
// communes; "" when there are none.
func partNote(r *Report) string {
	if r.Total.Part == "" {
		return ""
	}
	return "dòng tổng cộng chỉ gồm " + r.Total.Part + " xã đã được duyệt, chưa phải số liệu của toàn tỉnh, nên không đánh giá đạt hay chưa đạt chỉ tiêu (“–”)"
}

// trendNoteOf is the note under the trend: the re-basing marks, and why
// the report year is missing when dropPartialComparison removed it.
func trendNoteOf(r *Report) string {
	n := trendNote(r.Trend)
	if r.NoComparison != "" {
		c := r.Completeness
		s := fmt.Sprintf("Năm %d không đưa vào vì mới có %s/%s xã được duyệt.", r.Year, sentInt(c.Approved), sentInt(c.Expected))
		n = strings.TrimSpace(n + " " + s)
	}
	return n
}
