package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/reminder"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/targets"
)

// RemindOptions says which communes to remind, and as of when.
type RemindOptions struct {
	Lake     storage.Store // must be a storage.Writer (rollup.Build's requirement)
	Year     int
	Province string // one province code
	Deadline string // "12-01" or "12-15"
	// At is the moment the reminder describes: only uploads received
	// strictly before it count, so a reminder can be reproduced later.
	At      time.Time
	WorkDir string // scratch; "" = a temp dir, removed after
	Log     *slog.Logger

	// Optional; loaded from schemas/ when nil (a Lambda loads them once).
	Registry  *registry.Registry
	Targets   *targets.Set
	Deadlines *deadlines.Set
}

// Reminder is the state of a province's commune uploads for one report at
// one moment. Its JSON field names are stable (the JSON is what `xhht
// remind` writes and what the report function publishes):
//
//	year, deadline, deadline_name, province, province_name: what it is about
//	deadline_at: the province's report cut-off (RFC 3339, UTC)
//	at: the moment described (RFC 3339, UTC)
//	due_at: the communes' due time, 00:00 ICT of the due day (RFC 3339, UTC)
//	days_left: calendar days in Vietnam from at's day to the due day; since
//	  the due time is midnight, it is the time left rounded up to whole
//	  days. 0 or less once overdue (−3: three days late)
//	overdue: at is on or after due_at
//	expected: communes of the province in the register of the year
//	accepted: communes with an accepted upload before at
//	missing: communes that sent nothing (status missing), by code
//	rejected: communes whose every upload was rejected (rejected_only), by
//	  code, with reason = the first error of the latest rejected upload
//	returned: communes whose data the province returned (review_state
//	  returned), with reason = the province's comment; never also in
//	  missing or rejected, and not counted in accepted
//
// expected = accepted + len(missing) + len(rejected) + len(returned). A
// commune in none of the lists has accepted data. missing, rejected and
// returned are [] rather than null when empty.
type Reminder struct {
	Year         int               `json:"year"`
	Deadline     string            `json:"deadline"`
	DeadlineName string            `json:"deadline_name"`
	DeadlineAt   time.Time         `json:"deadline_at"`
	Province     string            `json:"province"`
	ProvinceName string            `json:"province_name"`
	At           time.Time         `json:"at"`
	DueAt        time.Time         `json:"due_at"`
	DaysLeft     int               `json:"days_left"` // reminder.DaysLeft: days to the due day, today included; ≤ 0 overdue
	Overdue      bool              `json:"overdue"`
	Expected     int               `json:"expected"`
	Accepted     int               `json:"accepted"`
	Missing      []ReminderCommune `json:"missing"`
	Rejected     []ReminderCommune `json:"rejected"`
	// Returned and Communes: see remind_communes.go.
	Returned []ReminderCommune  `json:"returned"`
	Communes []reminder.Commune `json:"communes"`

	all []communeRow // every commune of the snapshot, for Communes
}

// ReminderCommune is one commune that has nothing accepted yet.
type ReminderCommune struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	District string `json:"district,omitempty"` // years up to 2024
	Uploads  int    `json:"uploads"`            // uploads received before at, rejected ones included
	Reason   string `json:"reason,omitempty"`   // rejected communes: why
}

// Remind builds a roll-up snapshot at o.At (nothing is committed to the
// lake) and lists the communes of the province with nothing accepted yet
// for the deadline, and the days left until their due date.
func Remind(ctx context.Context, o RemindOptions) (*Reminder, error) {
	var errs []error
	if o.Lake == nil {
		errs = append(errs, errors.New("no lake"))
	}
	if o.At.IsZero() {
		errs = append(errs, errors.New("no time (At) to remind at"))
	}
	if o.Province == "" {
		errs = append(errs, errors.New("no province: a reminder is for one province"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("report: remind: %w", err)
	}
	in, err := resolve(o.Registry, o.Deadlines, o.Targets, o.Log, o.Deadline, o.Year, o.Province)
	if err != nil {
		return nil, fmt.Errorf("report: remind: %w", err)
	}
	o.Registry, o.Deadlines, o.Targets, o.Log = in.reg, in.dl, in.tg, in.log
	d, prov := in.deadline, in.prov
	due, err := o.Deadlines.CommuneDue(o.Province, d.ID, o.Year)
	if err != nil {
		return nil, fmt.Errorf("report: remind: %w", err)
	}
	work := o.WorkDir
	if work == "" {
		if work, err = os.MkdirTemp("", "xhht-remind-"); err != nil {
			return nil, fmt.Errorf("report: remind: %w", err)
		}
		defer os.RemoveAll(work)
	}
	snap := filepath.Join(work, "snapshot")
	if _, err := rollup.Build(ctx, rollup.Options{Lake: o.Lake, Year: o.Year, Province: o.Province, Cutoff: o.At, OutDir: snap,
		WorkDir: filepath.Join(work, "rollup"), Registry: o.Registry, Targets: o.Targets, Deadlines: o.Deadlines, Log: o.Log}); err != nil {
		return nil, fmt.Errorf("report: remind: %w", err)
	}
	db, err := rollup.OpenSnapshot(ctx, snap)
	if err != nil {
		return nil, fmt.Errorf("report: remind: %w", err)
	}
	defer db.Close()

	at := o.At.UTC()
	r := &Reminder{
		Year: o.Year, Deadline: d.ID, DeadlineName: d.NameVI, DeadlineAt: d.CutOff(o.Year), Province: prov.Code, ProvinceName: prov.Name,
		At: at, DueAt: due.UTC(), DaysLeft: reminder.DaysLeft(at, due), Overdue: !at.Before(due),
		Missing: []ReminderCommune{}, Rejected: []ReminderCommune{},
	}
	if err := r.loadCommunes(ctx, db); err != nil {
		return nil, err
	}
	if err := r.addCommunes(ctx, o.Lake); err != nil {
		return nil, err
	}
	return r, nil
}

// loadCommunes reads the commune rows of the snapshot's completeness.
func (r *Reminder) loadCommunes(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT commune_code, commune_name, district_name, status, last_rejection, uploads, coalesce(review_state, '')
FROM completeness WHERE level = 'commune' AND deadline = ? AND province_code = ? ORDER BY commune_code`, r.Deadline, r.Province)
	if err != nil {
		return fmt.Errorf("report: remind: read completeness: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, name, status string
		var district, reason sql.NullString
		var uploads sql.NullInt64
		var state string
		if err := rows.Scan(&code, &name, &district, &status, &reason, &uploads, &state); err != nil {
			return fmt.Errorf("report: remind: read completeness: %w", err)
		}
		r.Expected++
		c := ReminderCommune{Code: code, Name: name, District: district.String, Uploads: int(uploads.Int64)}
		r.all = append(r.all, communeRow{code: code, name: name, status: status, reason: reason.String, state: review.State(state)})
		// A commune whose data the province returned is listed only under
		// Returned (addCommunes), whatever its upload status: the roll-up's
		// rejected_only also covers "only returned data" (ROLLUP_COLUMNS.md),
		// and the report counts it the same way (Completeness.Returned).
		if returnedOnly(state, status) {
			continue
		}
		switch status {
		case "missing":
			r.Missing = append(r.Missing, c)
		case "rejected_only":
			c.Reason = reason.String
			r.Rejected = append(r.Rejected, c)
		case "on_time", "late":
			r.Accepted++
		default:
			return fmt.Errorf("report: remind: commune %s: unknown completeness status %q", code, status)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report: remind: read completeness: %w", err)
	}
	if r.Expected == 0 {
		// Every province of a register has communes: no rows means the
		// snapshot is not the one asked for.
		return fmt.Errorf("report: remind: the snapshot has no communes of province %s for %s", r.Province, r.Deadline)
	}
	return nil
}

// Text is the reminder in Vietnamese for commune officials: how long is
// left (or how late it is), then the communes with nothing received and
// those whose upload was rejected, with the reason. Plain text, so it
// reads the same in an e-mail, a chat message or a terminal.
func (r *Reminder) Text() string {
	var b strings.Builder
	dueLocal := r.DueAt.In(deadlines.ICT)
	lastDay := dueLocal.AddDate(0, 0, -1)
	fmt.Fprintf(&b, "NHẮC HẠN NỘP SỐ LIỆU XÂY DỰNG XÃ HỘI HỌC TẬP NĂM %d\n", r.Year)
	// The commune's own due date, from schemas/deadlines: not the
	// province's report date, which is later (uploads in between are late).
	fmt.Fprintf(&b, "%s — %s năm %d\n", r.ProvinceName, r.DeadlineName, r.Year)
	fmt.Fprintf(&b, "Hạn nộp của xã: trước 00 giờ 00 ngày %s (nộp xong chậm nhất trong ngày %s).\n\n", dueLocal.Format("02/01/2006"), lastDay.Format("02/01/2006"))
	when := fmt.Sprintf("00:00 ngày %s, tức là nộp xong trước khi hết ngày %s", dueLocal.Format("02/01/2006"), lastDay.Format("02/01/2006"))
	switch {
	case !r.Overdue && r.DaysLeft <= 1:
		fmt.Fprintf(&b, "Hôm nay là ngày cuối để nộp (%s).\n", when)
	case !r.Overdue:
		fmt.Fprintf(&b, "Còn %d ngày đến hạn nộp của xã (%s).\n", r.DaysLeft, when)
	case r.DaysLeft == 0:
		fmt.Fprintf(&b, "Đã hết hạn nộp của xã (%s).\n", when)
	default:
		fmt.Fprintf(&b, "Đã quá hạn nộp của xã %d ngày (hạn: %s).\n", -r.DaysLeft, when)
	}
	notYet := len(r.Missing) + len(r.Rejected)
	fmt.Fprintf(&b, "Tình hình lúc %s: %d/%d xã đã có số liệu được chấp nhận", r.At.In(deadlines.ICT).Format("15:04 ngày 02/01/2006"), r.Accepted, r.Expected)
	if notYet == 0 && len(r.Returned) == 0 {
		b.WriteString(". Tất cả các xã đã nộp, không còn xã nào phải nhắc.\n")
		return r.withReturned(&b)
	}
	// The returned communes have no counted data either: they are in the
	// "chưa có" count, and listed (once) at the end.
	fmt.Fprintf(&b, "; %d xã chưa có.\n", notYet+len(r.Returned))
	if notYet == 0 {
		return r.withReturned(&b)
	}
	if len(r.Missing) > 0 {
		fmt.Fprintf(&b, "\nXã chưa nộp (%d):\n", len(r.Missing))
		for i, c := range r.Missing {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, c.label())
		}
	}
	if len(r.Rejected) > 0 {
		fmt.Fprintf(&b, "\nXã đã nộp nhưng tệp bị từ chối, cần sửa và nộp lại (%d):\n", len(r.Rejected))
		for i, c := range r.Rejected {
			reason := c.Reason
			if reason == "" {
				reason = "không ghi lý do; xem biên nhận của tệp"
			}
			fmt.Fprintf(&b, "  %d. %s — lý do: %s\n", i+1, c.label(), reason)
		}
	}
	if r.Overdue {
		b.WriteString("\nĐề nghị các xã trên nộp ngay: số liệu nộp sau hạn vẫn được tiếp nhận nhưng ghi là nộp muộn.\n")
	} else {
		b.WriteString("\nĐề nghị các xã trên nộp tệp báo cáo trước hạn.\n")
	}
	return r.withReturned(&b)
}

func (c ReminderCommune) label() string {
	s := c.Code + " " + c.Name
	if c.District != "" {
		s += " (" + c.District + ")"
	}
	return s
}
