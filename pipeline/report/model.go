// Package report builds the province's deadline reports (before 1
// December: the emulation movement; before 15 December: results against
// the plan's targets) from a roll-up snapshot at the report's cut-off, and
// renders them as .xlsx (to print and sign), self-contained .html (with
// SVG charts) and .csv (the main table).
//
// Reproducible: a report counts only submissions received before its
// cut-off (00:00 Asia/Ho_Chi_Minh on the deadline day). A report made at
// or after the cut-off is final and carries no clock of its own, so
// regenerating it later gives the same figures and the same bytes. A
// report made before the cut-off is a draft: it counts what was received
// until the moment it was made (Options.Now), says so on every page and
// in its file names, and is never mistaken for the final one.
package report

import "time"

// Models in the order of the main table. Code is the roll-up's rate
// suffix: rate ty_le_<code>, counts from Model.Num / Model.Den.
type Model struct {
	Code  string // ho_dat, dong_ho_dat, thon_dat, don_vi_dat, cong_dan_dat
	Short string // GĐHT, DHHT, CĐHT, ĐVHT, CDHT
	Name  string // Gia đình học tập …
	Num   string // roll-up column of the recognised count
	Den   string // roll-up column of the total
	Unit  string // hộ, dòng họ, thôn, đơn vị, người
}

// Models are the five learning models of the main table.
var Models = []Model{
	{"ho_dat", "GĐHT", "Gia đình học tập", "ho_dat", "ho_tong", "hộ"},
	{"dong_ho_dat", "DHHT", "Dòng họ học tập", "dong_ho_dat", "dong_ho_tong", "dòng họ"},
	{"thon_dat", "CĐHT", "Cộng đồng học tập cấp thôn", "thon_dat", "thon_tong", "thôn, tổ dân phố"},
	{"don_vi_dat", "ĐVHT", "Đơn vị học tập", "don_vi_dat", "don_vi_tong", "đơn vị"},
	{"cong_dan_dat", "CDHT", "Công dân học tập", "cong_dan_dat", "lao_dong_tong", "người"},
}

// Cell is one model's figures for one unit. Nil means unknown (nothing
// reported), never zero.
type Cell struct {
	Total, Recognised *int64
	Rate              *float64 // fraction 0–1
	Target            *float64 // fraction 0–1
	TargetSource      string
	Met               *bool    // rate ≥ target
	PrevRate          *float64 // last year, same units
	Change            *float64 // rate − last year's, fraction points
	// The rows (hamlets; for ĐVHT, communes' Biểu 02) the rate is over,
	// those that reported both its figures, and the rows left out.
	Counted, LeftOut *int64
}

// Row is a commune, a district subtotal or the province total.
type Row struct {
	Level    string // commune, district, province
	Code     string
	Name     string
	District string          // commune rows before 2025: their district's code
	Cells    map[string]Cell // by Model.Code
	Hamlets  *int64          // hamlets reported (thon_tong)
	// Movement figures (the 12-01 report).
	XaMucDo1, XaMucDo2      *int64 // communes recognised as CĐHT cấp xã, Mức độ 1 / 2
	TTHTCDLop, TTHTCDLuot   *int64 // community learning centres: classes, learner attendances
	TTHTCDCNTT              *int64 // centres using IT
	HoiVien, HoiVienTapHuan *int64 // Hội Khuyến học members, trained
	// Part, on a district or province row of an approved-only report, is
	// set when the row sums only some of its communes, the approved ones
	// (dropPartialComparison): "7/92". Such a row speaks for those
	// communes, not for the unit: labelled so, no target verdict.
	Part string
}

// CommuneStatus is one commune's reporting status at the cut-off.
type CommuneStatus struct {
	Code, Name, District string
	Status               string    // on_time, late, missing, rejected_only
	FirstAccepted        time.Time // zero unless submitted
	LastRejection        string    // first error of the latest rejected upload
	Due                  time.Time
	ReviewState          string // submitted, approved, returned; "" nothing accepted (review.State)
	Approved             bool   // the province approved data of this commune
}

// returned: the province sent the commune's latest file back and no
// valid data of the commune counts; it is neither on time nor late
// (Completeness). A commune whose approved data still counts after a newer
// file was returned is on time or late by that data (re-check N-3,
// session 8: it was listed as returned and "chưa có" while its data was in
// the report's table).
func (s CommuneStatus) returned() bool { return returnedOnly(s.ReviewState, s.Status) }

// returnedOnly: review state returned and no counted valid data (the
// roll-up's completeness status is neither on_time nor late).
func returnedOnly(reviewState, status string) bool {
	return reviewState == "returned" && status != "on_time" && status != "late"
}

// group is the annex list a commune is in: its status, or "returned".
func (s CommuneStatus) group() string {
	if s.returned() {
		return "returned"
	}
	return s.Status
}

// Completeness counts communes by status at the cut-off. Expected =
// Submitted + Returned + Missing + RejectedOnly: a returned commune is
// counted only in Returned (not in OnTime or Late), its file being sent
// back. Approved cuts across: communes with approved data.
type Completeness struct {
	Expected, Submitted, OnTime, Late, Missing, RejectedOnly int64
	Approved, Returned                                       int64           // communes with approved data; whose latest upload was returned
	Communes                                                 []CommuneStatus // every expected commune, by code
}

// YearPoint is one year of the province trend.
type YearPoint struct {
	Year     int
	Rates    map[string]*float64 // by Model.Code
	Rebased  bool                // a pre-2025 year re-expressed on today's units
	Complete bool                // false: some split communes could not be re-based
}

// Report is everything a deadline report shows; the renderers only format it.
type Report struct {
	Deadline     string // "12-01" or "12-15"
	Title        string // the report's title (Vietnamese): "Báo cáo kết quả … năm 2026"
	Year         int
	Province     string // code
	ProvinceName string
	Issuer       Issuer    // who issues and signs it, and to whom (schemas/issuers, the lake's config/issuers)
	CutOff       time.Time // a final report counts only uploads received strictly before it (UTC)
	// DraftAt is zero for a final report. For a report made before its
	// cut-off it is the moment it was made: it counts uploads received
	// strictly before DraftAt, and every page says "DỰ THẢO".
	DraftAt  time.Time
	DataTime time.Time // latest upload counted (zero: none)
	// ReviewsAt is the time of the Sở's latest review decision the report
	// read (zero: none). A report reads the review states as they are when
	// it is made, so a final report made again after new decisions differs,
	// and says up to when it read them (summary).
	ReviewsAt    time.Time
	Registry     string // administrative-unit register of the year
	HasDistricts bool   // years up to 2024: rows grouped by district

	Communes     []Row    // by district (if any), then code
	Districts    []Row    // subtotals, by code (empty from 2025)
	Total        Row      // the province
	Summary      []string // sentences generated from the numbers
	Completeness Completeness
	Trend        []YearPoint // years with data, ascending
	// Flags are the plausibility warnings of the snapshot (annex, flags.go);
	// NotComparable the communes that could not be compared with last year.
	Flags         []FlagLine
	NotComparable []string
	// ApprovedOnly: the figures count only data the province approved
	// (report settings, approved.go).
	ApprovedOnly bool
	// NoComparison, when set, says why the province's figures are not
	// compared with last year: an approved-only report over some of the
	// communes only (approved.go, dropPartialComparison).
	NoComparison string
}
