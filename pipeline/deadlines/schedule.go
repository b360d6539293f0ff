package deadlines

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/registry"
)

// Schedules for the report function (functions/report), computed from the
// same data as CommuneDue and Reminders so the dates are written only once,
// in schemas/deadlines/.
//
// They are yearly EventBridge Scheduler cron schedules in the timezone
// Asia/Ho_Chi_Minh, with a payload whose Year is 0 (the function resolves
// it when it runs; see Payload). Per deadline:
//
//   - one reminder schedule per reminder offset of the default ("*") row,
//     with Province "" = every served province that follows the default
//     row for that deadline;
//   - for each served province with its own commune_due row, one reminder
//     schedule per offset of its row, with Province set;
//   - one report schedule with Province "" = every served province: the
//     report's cut-off is the deadline day, the same for every province.
//
// "Served provinces" is the list given to Schedules, which must be the
// PROVINCES list the function is deployed with: a reminder for Province ""
// then reaches exactly the served provinces that have no schedule of their
// own, so no province is reminded twice or never.

// Schedule kinds: the Payload.Kind values.
const (
	KindReport   = "report"
	KindReminder = "reminder"
)

// ScheduleTimezone is the ScheduleExpressionTimezone of every schedule: the
// cron fields are Vietnamese wall-clock time (UTC+7 all year, no DST).
const ScheduleTimezone = "Asia/Ho_Chi_Minh"

// ReportDelay is how long after the cut-off the report schedule fires.
//
// Why not at 00:00: the report reads the lake, and an upload received at
// 23:59:59 — on time, it counts — reaches the lake only after the ingest
// function has processed it: S3 notification → SQS → Lambda, seconds
// normally, minutes when a first attempt fails and SQS redelivers after
// the visibility timeout. A report built at 00:00 would leave such uploads
// out and show those communes as missing. Firing late cannot let a late
// upload in: report.Build counts only uploads received strictly before
// the cut-off (rollup.Options.Cutoff), whenever it runs, so the delay only
// buys time for on-time uploads to land. Thirty minutes covers a few
// redeliveries; an upload stuck longer (dead-letter queue) needs the
// report to be run again by hand, which gives the same figures plus it.
const ReportDelay = 30 * time.Minute

// Schedule is one EventBridge Scheduler schedule of the report function.
type Schedule struct {
	// Name is unique among the schedules of a set and valid for
	// EventBridge Scheduler: 1–64 characters of [0-9a-zA-Z-_.].
	Name string
	// Cron is the ScheduleExpression, "cron(minutes hours day-of-month
	// month day-of-week year)" in Timezone, e.g. "cron(0 8 28 11 ? *)".
	Cron string
	// Timezone is the ScheduleExpressionTimezone: ScheduleTimezone.
	Timezone string
	// Payload is the function's input (the target's Input, as JSON).
	Payload Payload
}

// Payload is the report function's input. The JSON field names are the
// ones EventBridge Scheduler sends: {"kind":"reminder","deadline":"12-15",
// "year":2026,"province":"19"}; year and province may be left out.
type Payload struct {
	Kind     string `json:"kind"`     // KindReport or KindReminder
	Deadline string `json:"deadline"` // a deadline id: "12-01", "12-15"
	// Year is the reporting year; 0 (what schedules send, as they recur
	// every year) is resolved when the function runs, from the time in
	// Vietnam: see YearFor.
	Year int `json:"year,omitempty"`
	// Province is a 2-digit code, or "" for every served province: for a
	// report, all of them; for a reminder, those that follow the default
	// commune due date of the deadline (see UsesDefault).
	Province string `json:"province,omitempty"`
}

// schedulePattern is what EventBridge Scheduler accepts as a name.
var schedulePattern = regexp.MustCompile(`^[0-9a-zA-Z_.-]{1,64}$`)

// Years the schedule dates are checked in: a cron expression names one
// month and day for every year, which is wrong if a date computed as "N
// days before" falls on a different day in a leap year (only across the
// end of February). Post-2025 era years: schedules serve the years to come.
const (
	scheduleYear     = 2027 // not a leap year
	scheduleLeapYear = 2028
)

// Schedules lists the schedules for the served provinces (2-digit codes of
// the 2025+ register), in a stable order: per deadline (file order), the
// default reminders (earliest first), each overriding province's reminders
// (by code), then the report. No province, a province listed twice or
// malformed, or a date that moves in leap years, is an error.
func (s *Set) Schedules(provinces []string) ([]Schedule, error) {
	seen := map[string]bool{}
	for _, p := range provinces {
		if len(p) != 2 || strings.Trim(p, "0123456789") != "" {
			return nil, fmt.Errorf("deadlines: schedules: province %q is not a 2-digit code", p)
		}
		if seen[p] {
			return nil, fmt.Errorf("deadlines: schedules: province %s listed twice", p)
		}
		seen[p] = true
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("deadlines: schedules: no provinces served")
	}
	served := slices.Sorted(maps.Keys(seen))
	var out []Schedule
	for _, d := range s.deadlines {
		var defaults bool // some served province follows the default row
		var own []string  // served provinces with their own row
		for _, p := range served {
			if s.UsesDefault(p, d.ID, scheduleYear) {
				defaults = true
			} else {
				own = append(own, p)
			}
		}
		if defaults {
			rs, err := s.reminderSchedules(d, "")
			if err != nil {
				return nil, err
			}
			out = append(out, rs...)
		}
		for _, p := range own {
			rs, err := s.reminderSchedules(d, p)
			if err != nil {
				return nil, err
			}
			out = append(out, rs...)
		}
		cron, err := yearlyCron(d.ID+" report", func(y int) time.Time { return d.CutOff(y).Add(ReportDelay) })
		if err != nil {
			return nil, err
		}
		out = append(out, Schedule{Name: "report-" + d.ID, Cron: cron, Timezone: ScheduleTimezone,
			Payload: Payload{Kind: KindReport, Deadline: d.ID}})
	}
	for _, sc := range out {
		if !schedulePattern.MatchString(sc.Name) {
			return nil, fmt.Errorf("deadlines: schedules: %q is not a valid schedule name (1–64 of [0-9a-zA-Z-_.])", sc.Name)
		}
	}
	return out, nil
}

// reminderSchedules are the reminder schedules of a deadline for one
// province with its own row, or for the default row (province "").
func (s *Set) reminderSchedules(d Deadline, province string) ([]Schedule, error) {
	row := s.due[d.ID]["*"]
	scope := "default"
	if province != "" {
		row, _ = s.lookup(province, d.ID, scheduleYear)
		scope = "p" + province
	}
	var out []Schedule
	for _, days := range row.reminders {
		what := fmt.Sprintf("%s reminder %d days before the %s due date", d.ID, days, scope)
		cron, err := yearlyCron(what, func(y int) time.Time {
			return time.Date(y, row.month, row.day-days, ReminderHour, 0, 0, 0, ICT)
		})
		if err != nil {
			return nil, err
		}
		out = append(out, Schedule{
			Name:     fmt.Sprintf("reminder-%s-%s-%dd", d.ID, scope, days),
			Cron:     cron,
			Timezone: ScheduleTimezone,
			Payload:  Payload{Kind: KindReminder, Deadline: d.ID, Province: province},
		})
	}
	return out, nil
}

// yearlyCron is the cron expression, in ICT, of the instant at(year), which
// must fall on the same month, day and time in a leap and a common year.
func yearlyCron(what string, at func(year int) time.Time) (string, error) {
	a, b := at(scheduleYear).In(ICT), at(scheduleLeapYear).In(ICT)
	if a.Month() != b.Month() || a.Day() != b.Day() || a.Hour() != b.Hour() || a.Minute() != b.Minute() {
		return "", fmt.Errorf("deadlines: schedules: %s falls on %02d/%02d in %d but %02d/%02d in %d: a yearly schedule cannot express it; move the date away from the end of February",
			what, a.Day(), a.Month(), scheduleYear, b.Day(), b.Month(), scheduleLeapYear)
	}
	// Day-of-month is set, so day-of-week must be "?" (EventBridge cron).
	return fmt.Sprintf("cron(%d %d %d %d ? *)", a.Minute(), a.Hour(), a.Day(), int(a.Month())), nil
}

// UsesDefault reports whether a province follows the default ("*") commune
// due row of a deadline in a year, i.e. has no row of its own. It is what a
// reminder with Province "" is sent for; false for an unknown deadline.
func (s *Set) UsesDefault(province, id string, year int) bool {
	rows, ok := s.due[id]
	if !ok {
		return false
	}
	_, own := rows[registry.EraOfYear(year)+"|"+province]
	return !own
}

// YearFor resolves a payload's reporting year at an instant: p.Year when it
// is set; otherwise, for a report, the latest year whose cut-off has passed
// (at 00:30 on 15/12/2026 in Vietnam: 2026), and for a reminder, the
// earliest year whose cut-off is still ahead (on 28/11/2026: 2026). For
// the deadlines in December both are "the year in Vietnam now"; the rule
// only differs from it for a deadline so early in January that its
// reminders fall in the previous December, where it is still right.
func (s *Set) YearFor(p Payload, now time.Time) (int, error) {
	if p.Year != 0 {
		return p.Year, nil
	}
	d, ok := s.Get(p.Deadline)
	if !ok {
		return 0, fmt.Errorf("deadlines: unknown deadline %q", p.Deadline)
	}
	y := now.In(ICT).Year()
	switch p.Kind {
	case KindReport:
		if now.Before(d.CutOff(y)) {
			y--
		}
	case KindReminder:
		if !now.Before(d.CutOff(y)) {
			y++
		}
	default:
		return 0, fmt.Errorf("deadlines: unknown kind %q (want %s or %s)", p.Kind, KindReport, KindReminder)
	}
	return y, nil
}

// scheduleJSON is one entry of ScheduleJSON: the properties of an
// AWS::Scheduler::Schedule resource, named as in CloudFormation.
type scheduleJSON struct {
	Name                       string `json:"Name"`
	ScheduleExpression         string `json:"ScheduleExpression"`
	ScheduleExpressionTimezone string `json:"ScheduleExpressionTimezone"`
	FlexibleTimeWindow         struct {
		Mode string `json:"Mode"`
	} `json:"FlexibleTimeWindow"`
	// Input is the payload as a JSON string, as Target.Input wants it.
	Input string `json:"Input"`
}

// ScheduleJSON is Schedules as a JSON array for the SAM template generator:
// each element holds the properties of one AWS::Scheduler::Schedule —
// Name, ScheduleExpression, ScheduleExpressionTimezone, FlexibleTimeWindow
// ({"Mode":"OFF"}: reminders are meant for 08:00, not "some time that
// morning") and Input (the payload, a JSON string, for Target.Input). The
// generator adds Target.Arn, Target.RoleArn, the group and the retry
// policy, which depend on the deployment. The function must be deployed
// with PROVINCES set to the same provinces.
func (s *Set) ScheduleJSON(provinces []string) ([]byte, error) {
	scs, err := s.Schedules(provinces)
	if err != nil {
		return nil, err
	}
	out := make([]scheduleJSON, len(scs))
	for i, sc := range scs {
		in, err := json.Marshal(sc.Payload)
		if err != nil {
			return nil, fmt.Errorf("deadlines: schedule %s: %w", sc.Name, err)
		}
		out[i] = scheduleJSON{Name: sc.Name, ScheduleExpression: sc.Cron, ScheduleExpressionTimezone: sc.Timezone, Input: string(in)}
		out[i].FlexibleTimeWindow.Mode = "OFF"
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("deadlines: schedules: %w", err)
	}
	return b, nil
}
