// Package deadlines holds the yearly report deadlines (1 and 15 December)
// and, per province, when commune uploads for each report are due and when
// to remind communes. They are data: schemas/deadlines/deadlines.csv and
// schemas/deadlines/commune_due.csv; a province edits those, not this code.
//
// Every date means "before 00:00 of that day in Vietnam": a report due
// "trước ngày 15/12" must arrive by 23:59:59 on 14 December, so the cut-off
// is 00:00 ICT on the 15th (17:00 UTC on the 14th) and a submission received
// exactly at the cut-off is late (see OnTime).
package deadlines

import (
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/internal/csvtable"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/schemas"
)

// Files read from the schemas folder.
const (
	DeadlinesFile  = "deadlines/deadlines.csv"
	CommuneDueFile = "deadlines/commune_due.csv"
)

// ICT is Vietnam's time, UTC+7. A fixed zone rather than
// time.LoadLocation("Asia/Ho_Chi_Minh"): Vietnam has kept UTC+7 without
// daylight saving since 1975, and a fixed zone needs no zoneinfo database,
// which a Lambda OS-only runtime or a scratch container may lack
// (LoadLocation would then fail at run time); importing time/tzdata would
// fix that too, but adds about 450 KB to every binary for the same answer.
var ICT = time.FixedZone("ICT", 7*60*60)

// ReminderHour is the local hour reminders are sent at: the start of the
// office day, not midnight.
const ReminderHour = 8

// DefaultReminders are the reminder offsets, in days before the commune
// due date, used when a commune_due row leaves reminders blank.
var DefaultReminders = []int{7, 1}

// Deadline is one yearly report.
type Deadline struct {
	ID         string // "12-01", "12-15"
	Month      time.Month
	Day        int
	NameVI     string
	Recipients string
}

// CutOff is the first instant that is too late for the report of a year:
// 00:00 ICT on the day, returned in UTC (12-15 of 2026 → 2026-12-14T17:00:00Z).
func (d Deadline) CutOff(year int) time.Time { return cutOff(year, d.Month, d.Day) }

func cutOff(year int, m time.Month, day int) time.Time {
	return time.Date(year, m, day, 0, 0, 0, 0, ICT).UTC()
}

// OnTime reports whether something received at the given instant beat a
// cut-off. "Before 15 December" excludes 00:00 on the 15th itself.
func OnTime(received, cutoff time.Time) bool { return received.Before(cutoff) }

// Set is the loaded deadlines and commune due dates.
type Set struct {
	deadlines []Deadline                // in file order
	due       map[string]map[string]due // deadline id → "*" or era|province → due
}

type due struct {
	month     time.Month
	day       int
	reminders []int // days before the due date, descending
}

// Load reads the embedded deadlines.
func Load() (*Set, error) { return LoadFS(schemas.FS) }

// LoadFS reads deadlines/deadlines.csv and deadlines/commune_due.csv from
// fsys and checks every row; all problems are reported together, each with
// its file and line.
func LoadFS(fsys fs.FS) (*Set, error) {
	s := &Set{due: map[string]map[string]due{}}
	if err := s.loadDeadlines(fsys); err != nil {
		return nil, err
	}
	if err := s.loadDue(fsys); err != nil {
		return nil, err
	}
	return s, nil
}

// All lists the deadlines in the order of the file.
func (s *Set) All() []Deadline { return slices.Clone(s.deadlines) }

// Get finds a deadline by id.
func (s *Set) Get(id string) (Deadline, bool) {
	for _, d := range s.deadlines {
		if d.ID == id {
			return d, true
		}
	}
	return Deadline{}, false
}

// CommuneDue is the cut-off for a commune of a province to upload its data
// for a report of a year: 00:00 ICT on the due day, in UTC. The province
// code is one of the registry in force that year (codes were reused in the
// 2025 reform); a province without its own row gets the default ("*").
func (s *Set) CommuneDue(province, id string, year int) (time.Time, error) {
	d, err := s.lookup(province, id, year)
	if err != nil {
		return time.Time{}, err
	}
	return cutOff(year, d.month, d.day), nil
}

// Reminders are the instants, earliest first, at which communes of a
// province are reminded of a report's upload: the configured number of days
// before the due day, at 08:00 ICT, in UTC. Nil for an unknown deadline.
func (s *Set) Reminders(province, id string, year int) []time.Time {
	d, err := s.lookup(province, id, year)
	if err != nil {
		return nil
	}
	var out []time.Time
	for _, days := range d.reminders {
		// time.Date normalises a day before the 1st into the previous month.
		out = append(out, time.Date(year, d.month, d.day-days, ReminderHour, 0, 0, 0, ICT).UTC())
	}
	return out
}

func (s *Set) lookup(province, id string, year int) (due, error) {
	rows, ok := s.due[id]
	if !ok {
		return due{}, fmt.Errorf("deadlines: unknown deadline %q", id)
	}
	if d, ok := rows[registry.EraOfYear(year)+"|"+province]; ok {
		return d, nil
	}
	return rows["*"], nil // every deadline has one: checked by loadDue
}

var deadlineColumns = []string{"id", "month", "day", "name_vi", "recipients", "source", "note"}

func (s *Set) loadDeadlines(fsys fs.FS) error {
	t, err := csvtable.Read(fsys, DeadlinesFile, csvtable.Spec{Prefix: "deadlines", Columns: deadlineColumns})
	if err != nil {
		return err
	}
	var errs csvtable.Errors
	seen := map[string]int{}
	for _, rec := range t.Rows {
		get := func(c string) string { return rec.Get(c) }
		d := Deadline{ID: get("id"), NameVI: get("name_vi"), Recipients: get("recipients")}
		if d.ID == "" {
			errs.Add(t.ErrAt(rec.Line, "id", fmt.Errorf("id is required")))
			continue
		}
		if first, dup := seen[d.ID]; dup {
			errs.Add(t.ErrAt(rec.Line, "id", fmt.Errorf("deadline %q already defined on line %d", d.ID, first)))
			continue
		}
		m, err := strconv.Atoi(get("month"))
		if err != nil || m < 1 || m > 12 {
			errs.Add(t.ErrAt(rec.Line, "month", fmt.Errorf("not a month (1–12): %q", get("month"))))
			continue
		}
		day, err := strconv.Atoi(get("day"))
		if err != nil {
			errs.Add(t.ErrAt(rec.Line, "day", fmt.Errorf("not a day: %q", get("day"))))
			continue
		}
		if err := validDay(time.Month(m), day); err != nil {
			errs.Add(t.ErrAt(rec.Line, "day", err))
			continue
		}
		d.Month, d.Day = time.Month(m), day
		if d.NameVI == "" || d.Recipients == "" {
			errs.Add(t.ErrAt(rec.Line, "name_vi", fmt.Errorf("name_vi and recipients are required: they head the report")))
			continue
		}
		seen[d.ID] = rec.Line
		s.deadlines = append(s.deadlines, d)
	}
	return errs.Err()
}

// validDay accepts a month and day that exist every year: 29 February is
// refused because a yearly date must recur.
func validDay(m time.Month, day int) error {
	if m < time.January || m > time.December {
		return fmt.Errorf("month %d is not 1–12", m)
	}
	// 2025 is not a leap year: February has 28 days.
	if last := time.Date(2025, m+1, 0, 0, 0, 0, 0, time.UTC).Day(); day < 1 || day > last {
		return fmt.Errorf("%d/%d is not a date every year (month %d has %d days)", day, m, m, last)
	}
	return nil
}

var dueColumns = []string{"province", "registry", "deadline", "due", "reminders", "note"}

func (s *Set) loadDue(fsys fs.FS) error {
	t, err := csvtable.Read(fsys, CommuneDueFile, csvtable.Spec{Prefix: "deadlines", Columns: dueColumns})
	if err != nil {
		return err
	}
	var errs csvtable.Errors
	seen := map[string]int{}
	for _, rec := range t.Rows {
		get := func(c string) string { return rec.Get(c) }
		province, version, id := get("province"), get("registry"), get("deadline")
		dl, ok := s.Get(id)
		if !ok {
			errs.Add(t.ErrAt(rec.Line, "deadline", fmt.Errorf("unknown deadline %q (not in %s)", id, DeadlinesFile)))
			continue
		}
		key := "*"
		switch {
		case province == "*":
			if version != "" {
				errs.Add(t.ErrAt(rec.Line, "registry", fmt.Errorf("the default row (*) applies to every registry: leave registry blank")))
				continue
			}
		case len(province) == 2 && strings.Trim(province, "0123456789") == "":
			// Province codes were reused in the 2025 reform, so an override
			// must say which version its code belongs to.
			era, ok := registry.EraOf(version)
			if !ok {
				errs.Add(t.ErrAt(rec.Line, "registry", fmt.Errorf("unknown registry version %q for province %s (want pre2025, 2025 or 2026-04)", version, province)))
				continue
			}
			key = era + "|" + province
		default:
			errs.Add(t.ErrAt(rec.Line, "province", fmt.Errorf("want a 2-digit province code or *, got %q (keep leading zeros: save the column as text)", province)))
			continue
		}
		d, err := parseDue(get("due"))
		if err != nil {
			errs.Add(t.ErrAt(rec.Line, "due", err))
			continue
		}
		// Communes upload before the province reports; a due date on or
		// after the report's own day leaves the province no time.
		if d.month > dl.Month || (d.month == dl.Month && d.day >= dl.Day) {
			errs.Add(t.ErrAt(rec.Line, "due", fmt.Errorf("due %02d-%02d is not before the report's deadline %02d-%02d", d.month, d.day, dl.Month, dl.Day)))
			continue
		}
		if d.reminders, err = parseReminders(get("reminders")); err != nil {
			errs.Add(t.ErrAt(rec.Line, "reminders", err))
			continue
		}
		if first, dup := seen[id+"|"+key]; dup {
			errs.Add(t.ErrAt(rec.Line, "province", fmt.Errorf("province %s already has a due date for %s on line %d (2025 and 2026-04 codes count as the same province)", province, id, first)))
			continue
		}
		seen[id+"|"+key] = rec.Line
		if s.due[id] == nil {
			s.due[id] = map[string]due{}
		}
		s.due[id][key] = d
	}
	for _, d := range s.deadlines {
		if _, ok := s.due[d.ID]["*"]; !ok {
			errs.Add(fmt.Errorf("deadlines: %s: no default row (province *) for deadline %s: every province needs a due date", CommuneDueFile, d.ID))
		}
	}
	return errs.Err()
}

// parseDue reads "MM-DD".
func parseDue(v string) (due, error) {
	m, d, ok := strings.Cut(v, "-")
	mi, err1 := strconv.Atoi(m)
	di, err2 := strconv.Atoi(d)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || len(d) != 2 {
		return due{}, fmt.Errorf("want month-day as MM-DD (e.g. 11-25), got %q", v)
	}
	if err := validDay(time.Month(mi), di); err != nil {
		return due{}, err
	}
	return due{month: time.Month(mi), day: di}, nil
}

// parseReminders reads "7,1" (days before the due date); blank means
// DefaultReminders and "-" none.
func parseReminders(v string) ([]int, error) {
	switch v {
	case "":
		return slices.Clone(DefaultReminders), nil
	case "-":
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 60 {
			return nil, fmt.Errorf("want days before the due date, 1–60, separated by commas (e.g. 7,1), got %q", v)
		}
		if slices.Contains(out, n) {
			return nil, fmt.Errorf("reminder %d days before is listed twice in %q", n, v)
		}
		out = append(out, n)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out))) // earliest reminder first
	return out, nil
}
