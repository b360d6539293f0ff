package portal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/quality"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/storage"
)

// What a page about a commune's file shows (issue 15, review findings H1,
// M4, M5, M6): the flags and hamlet rows of the file the page is about,
// never another file's as if they were its own.
//
// The roll-up's tables describe the data it counted when it was built.
// The file under review (review.Latest, what "Duyệt tệp này" approves) is
// in them only when the build counted it (its submission id is among the
// manifest's Inputs), or, for a waiting file, when flags carry its
// submission id, or when it repeats data the build counted (an unchanged
// re-upload). Otherwise:
//   - a new file the roll-up has not read yet: its flags are "being
//     computed" (the old file's are not shown), its hamlet rows are read
//     from its own Parquet file (lake/submissions, parquet-go);
//   - a returned file (by the review state, whether or not the last build
//     still holds it): the roll-up does not count it, so it has no flags;
//     its hamlet rows come from its Parquet file, and approval is not
//     offered blind (reopening puts it back into the roll-up).

// flagKey identifies a flag row: the same flag id can be about two files
// (the counted data and a waiting one), never twice about one.
type flagKey struct{ id, submission string }

// uniqueFlags drops repeated (flag_id, submission_id) rows, keeping the
// first: a flags file with a pending and a non-pending row of the same
// flag of the same upload must not list it twice (nor offer two
// "đã xác minh" forms for one flag).
func uniqueFlags(fs []Flag) []Flag {
	seen := make(map[flagKey]bool, len(fs))
	out := fs[:0:0]
	for _, f := range fs {
		k := flagKey{f.FlagID, f.SubmissionID}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// oneEach keeps one row per flag id, for a page that shows one data set:
// the row about an upload of prefer if there is one, else the first.
func oneEach(fs []flagView, prefer review.Set) []flagView {
	in := func(id string) bool {
		for _, v := range prefer {
			if v == id {
				return true
			}
		}
		return false
	}
	at := map[string]int{}
	var out []flagView
	for _, f := range fs {
		i, ok := at[f.FlagID]
		switch {
		case !ok:
			at[f.FlagID] = len(out)
			out = append(out, f)
		case in(f.SubmissionID) && !in(out[i].SubmissionID):
			out[i] = f
		}
	}
	return out
}

// flagsAbout keeps the flags about submission id.
func flagsAbout(fs []flagView, id string) []flagView {
	var out []flagView
	for _, f := range fs {
		if f.SubmissionID == id {
			out = append(out, f)
		}
	}
	return out
}

// fileState says what the current roll-up knows of the file under review.
type fileState int

const (
	fileInRollup   fileState = iota // counted by the current build, or no build at all to compare with
	fileFlagsOnly                   // not counted by the build, but flags carry its id (e.g. computed while it waited behind approved data)
	fileNotYet                      // a new file the roll-up has not read yet
	fileNotCounted                  // a returned file: the roll-up does not count it, no flags are computed for it
)

// fileHamlet is one Biểu 01 row of a submission's Parquet file (columns:
// pipeline/lake SubmissionColumns).
type fileHamlet struct {
	Form        string  `parquet:"form"`
	CommuneCode string  `parquet:"commune_code"`
	SourceRow   int32   `parquet:"source_row"`
	MaThon      *string `parquet:"ma_thon,optional"`
	TenThon     *string `parquet:"ten_thon,optional"`
	HoTong      *int64  `parquet:"ho_tong,optional"`
	HoDat       *int64  `parquet:"ho_dat,optional"`
	LaoDongTong *int64  `parquet:"lao_dong_tong,optional"`
	CongDanDat  *int64  `parquet:"cong_dan_dat,optional"`
}

// maxSubmissionBytes bounds one submission file read: ingest writes a
// commune's few hundred rows (a few hundred KB at most).
const maxSubmissionBytes = 32 << 20

// fileHamlets reads the hamlet rows of one upload from its own Parquet
// file, as the roll-up's hamlet rows (nil when the file has none, e.g. a
// Biểu 02 only file, or when it is missing).
func (s *server) fileHamlets(ctx context.Context, year int, province, commune, id string) ([]hamletRow, error) {
	key := lake.SubmissionKey(lake.Key{Year: year, Province: province, Commune: commune}, id)
	b, _, err := storage.GetAtMost(ctx, s.cfg.Lake, key, "", maxSubmissionBytes)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("portal: read %s: %w", key, err)
	}
	rows, err := decodeParquetBytes[fileHamlet](b, key)
	if err != nil {
		return nil, err
	}
	var out []hamletRow
	for _, r := range rows {
		if r.Form != "bieu01" || r.CommuneCode != commune {
			continue
		}
		sr, sub := r.SourceRow, id
		out = append(out, hamletRow{CommuneCode: commune, MaThon: r.MaThon, TenThon: r.TenThon, HoTong: r.HoTong, HoDat: r.HoDat,
			LaoDongTong: r.LaoDongTong, CongDanDat: r.CongDanDat, SubmissionID: &sub, SourceRow: &sr})
	}
	return out, nil
}

// prevHamlets is last year's side of the hamlet table. On the same units
// (both years before the 2025 reform, or both after) it is last year's
// roll-up of the same commune code. Across the reform it is the re-based
// roll-up of last year (xhht rollup --year Y-1 --units <this year's
// register>), as the flags compare: a commune that build could not
// re-base completely (split without a hamlet assignment), or a missing
// re-based build, is "không so sánh được" (reason), never last year's
// hamlets of an old commune that happened to have the same code.
// notComparable is then the sentence to show, as the flags word it.
func (s *server) prevHamlets(ctx context.Context, year int, province, commune string, flags []Flag) (rows []hamletRow, notComparable string, err error) {
	for _, f := range flags {
		if f.Rule == quality.RuleNotComparable && f.CommuneCode == commune {
			return nil, f.Message, nil
		}
	}
	cv, pv := s.proc.Registry.ForYear(year), s.proc.Registry.ForYear(year-1)
	if cv == nil || pv == nil {
		return nil, "", nil
	}
	if cv.HasDistricts() == pv.HasDistricts() {
		rows, err := s.hamletsOf(ctx, year-1, province, commune)
		return rows, "", err
	}
	m, err := readManifestAt(ctx, s.cfg.Lake, lake.ManifestKey(lake.RollupUnitsPrefix(cv.Name), year-1, province))
	if err != nil {
		return nil, "", err
	}
	if m == nil {
		return nil, fmt.Sprintf("Không so sánh được với năm %d: chưa có số liệu năm %d quy đổi sang đơn vị hành chính mới", year-1, year-1), nil
	}
	if key := m.Files["communes"]; key != "" {
		cs, err := decodeParquet[rebaseRow](ctx, s.cfg.Lake, key)
		if err != nil {
			return nil, "", err
		}
		for _, c := range cs {
			if c.CommuneCode == commune && c.RebaseComplete != nil && !*c.RebaseComplete {
				var whys []string
				if c.RebaseMissing != nil && *c.RebaseMissing != "" {
					whys = append(whys, "xã cũ "+strings.ReplaceAll(*c.RebaseMissing, ",", ", ")+" bị chia tách, chưa có phân bổ thôn nên chưa quy đổi được")
				}
				if c.RebaseNoData != nil && *c.RebaseNoData != "" { // review finding M-A
					whys = append(whys, fmt.Sprintf("xã cũ %s không có số liệu năm %d được chấp nhận, nên số liệu quy đổi chỉ gồm một phần xã", strings.ReplaceAll(*c.RebaseNoData, ",", ", "), year-1))
				}
				why := "có xã cũ chưa quy đổi được"
				if len(whys) > 0 {
					why = strings.Join(whys, "; ")
				}
				return nil, fmt.Sprintf("Không so sánh được với năm %d: %s", year-1, why), nil
			}
		}
	}
	key := m.Files["hamlets"]
	if key == "" {
		return nil, "", nil
	}
	all, err := decodeParquet[hamletRow](ctx, s.cfg.Lake, key)
	if err != nil {
		return nil, "", err
	}
	for _, r := range all {
		if r.CommuneCode == commune {
			rows = append(rows, r)
		}
	}
	return rows, "", nil
}

// rebaseRow is what the hamlet table needs of a re-based communes table.
type rebaseRow struct {
	CommuneCode    string  `parquet:"commune_code"`
	RebaseComplete *bool   `parquet:"rebase_complete,optional"`
	RebaseMissing  *string `parquet:"rebase_missing,optional"`
	RebaseNoData   *string `parquet:"rebase_no_data,optional"`
}

// inputsOf reports whether the build m counted submission id.
func inputsOf(m *rollupManifest, id string) bool {
	return m != nil && slices.Contains(m.Inputs, id)
}

// fileFlags are a commune's flags as a page about its file under review
// shows them.
type fileFlags struct {
	State fileState
	All   []Flag // every flag of the commune in the flags file, once each
	// Flags: those of the file under review, or of the counted data when
	// a waiting file is shown apart (Waiting: that file's).
	Flags, Waiting []flagView
	// WaitingLater: a waiting file without flags, which the roll-up has
	// not read yet.
	WaitingLater bool
}

// fileUnder describes the file a commune's page is about: latest (the
// newest accepted upload, review.Latest), received at latestAt, the
// review state shown, and whether it waits while approved data counts.
type fileUnder struct {
	Latest   string
	LatestAt time.Time
	Shown    review.State
	Waiting  bool
	// Counted: the data that counts (form → submission id): when a page
	// shows one data set and the flags file has a flag about two uploads
	// (the counted one and a newer file with the same data), the counted
	// one's row is shown.
	Counted review.Set
}

// repeatsCounted reports whether the file under review is an unchanged
// re-upload ("Không thay đổi") of data the build m counted: the rule
// (review.EffectiveData) replaced it by the submission it repeats, so the
// data that counts is not it, and that data is all in the build. The
// board compares the same way (countedIn), so the page and the board agree
// that nothing is being computed (re-check L2).
func (fu fileUnder) repeatsCounted(m *rollupManifest) bool {
	return fu.Shown == review.Submitted && len(fu.Counted) > 0 && !fu.Counted.Has(fu.Latest) && countedIn(fu.Counted, m)
}

// flagsForFile reads the commune's flags and keeps those the page may
// show as its file's (see the top of this file).
func (s *server) flagsForFile(ctx context.Context, year int, province, commune string, st review.Status, fu fileUnder) (fileFlags, error) {
	var ff fileFlags
	all, err := s.communeFlags(ctx, year, province, commune)
	if err != nil {
		return ff, err
	}
	ff.All = all
	m, err := readRollupManifest(ctx, s.cfg.Lake, year, province)
	if err != nil {
		return ff, err
	}
	views := flagViews(all, st)
	switch {
	case fu.Waiting:
		ff.State, ff.Flags = fileInRollup, views
	case fu.Latest == "":
		ff.State, ff.Flags = fileInRollup, oneEach(views, fu.Counted)
	case fu.Shown == review.Returned:
		// Decided from the review state, not from whether the build still
		// holds the file (re-check L1): a file returned since the last
		// roll-up gets the same page as after the next one (no flags, no
		// approve button), not its flags with "đã xác minh" forms.
		ff.State = fileNotCounted
	case fu.Shown == review.Approved || m == nil || inputsOf(m, fu.Latest) || fu.repeatsCounted(m):
		ff.State, ff.Flags = fileInRollup, oneEach(views, fu.Counted)
	case len(flagsAbout(views, fu.Latest)) > 0:
		ff.State, ff.Flags = fileFlagsOnly, flagsAbout(views, fu.Latest)
	default:
		ff.State = fileNotYet
	}
	if fu.Waiting {
		ff.Waiting, ff.Flags = splitWaiting(ff.Flags, fu.Latest)
		if len(ff.Waiting) == 0 {
			if ff.WaitingLater, err = s.rollupBefore(ctx, year, province, fu.LatestAt); err != nil {
				return ff, err
			}
		}
	}
	return ff, nil
}
