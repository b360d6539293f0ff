package deadlines

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/registry"
)

// cronRE is an EventBridge Scheduler cron expression: cron(minutes hours
// day-of-month month day-of-week year), six fields.
var cronRE = regexp.MustCompile(`^cron\(([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+)\)$`)

// checkCron reports why expr is not a valid EventBridge cron expression,
// for the field forms Schedules uses (numbers, *, ?): each number in its
// field's range, and exactly one of day-of-month and day-of-week "?".
func checkCron(expr string) error {
	m := cronRE.FindStringSubmatch(expr)
	if m == nil {
		return fmt.Errorf("%q: want cron( with 6 space-separated fields )", expr)
	}
	f := m[1:]
	ranges := []struct {
		name     string
		min, max int
	}{{"minutes", 0, 59}, {"hours", 0, 23}, {"day-of-month", 1, 31}, {"month", 1, 12}, {"day-of-week", 1, 7}, {"year", 1970, 2199}}
	for i, r := range ranges {
		v := f[i]
		if v == "*" || (v == "?" && (i == 2 || i == 4)) {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < r.min || n > r.max || strconv.Itoa(n) != v {
			return fmt.Errorf("%q: %s %q is not %d–%d", expr, r.name, v, r.min, r.max)
		}
	}
	if (f[2] == "?") == (f[4] == "?") {
		return fmt.Errorf("%q: exactly one of day-of-month and day-of-week must be ?", expr)
	}
	return nil
}

func TestCheckCron(t *testing.T) {
	for _, tt := range []struct {
		expr string
		ok   bool
	}{
		{"cron(0 8 28 11 ? *)", true},
		{"cron(30 0 15 12 ? *)", true},
		{"cron(0 8 * * ? *)", true},
		{"cron(0 8 28 11 *)", false},         // five fields
		{"cron(0 8 28 11 * *)", false},       // day-of-month set, day-of-week not ?
		{"cron(0 8 ? 11 ? *)", false},        // both ?
		{"cron(60 8 28 11 ? *)", false},      // minute 60
		{"cron(0 24 28 11 ? *)", false},      // hour 24
		{"cron(0 8 28 13 ? *)", false},       // month 13
		{"cron(0 8 0 11 ? *)", false},        // day 0
		{"cron(0 08 28 11 ? *)", false},      // leading zero: not how we write it
		{"0 8 28 11 ? *", false},             // no cron( )
		{"cron(0  8 28 11 ? *)", false},      // two spaces
		{"cron(0 8 28 11 ? * extra)", false}, // seven fields
	} {
		if err := checkCron(tt.expr); (err == nil) != tt.ok {
			t.Errorf("checkCron(%q) = %v, want ok=%v", tt.expr, err, tt.ok)
		}
	}
}

// cronAt is the instant a yearly schedule fires in a year.
func cronAt(t *testing.T, sc Schedule, year int) time.Time {
	t.Helper()
	if sc.Timezone != "Asia/Ho_Chi_Minh" {
		t.Fatalf("%s: timezone %q", sc.Name, sc.Timezone)
	}
	m := cronRE.FindStringSubmatch(sc.Cron)
	if m == nil || m[5] != "?" || m[6] != "*" {
		t.Fatalf("%s: %q is not a yearly cron with day-of-month", sc.Name, sc.Cron)
	}
	n := make([]int, 4)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	// Asia/Ho_Chi_Minh is UTC+7 all year: ICT.
	return time.Date(year, time.Month(n[3]), n[2], n[1], n[0], 0, 0, ICT)
}

// cronOf is the expected expression for an instant, worked out from the
// data through the public API (Reminders, CutOff), not from Schedules.
func cronOf(at time.Time) string {
	l := at.In(ICT)
	return fmt.Sprintf("cron(%d %d %d %d ? *)", l.Minute(), l.Hour(), l.Day(), int(l.Month()))
}

func TestSchedulesFromData(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	// Served: Hà Nội (01, defaults) and Thái Nguyên (19, whose 12-15 due
	// date is the example override of commune_due.csv).
	scs, err := s.Schedules([]string{"19", "01"})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Schedule{}
	for _, sc := range scs {
		if _, dup := byName[sc.Name]; dup {
			t.Errorf("schedule name %s twice", sc.Name)
		}
		byName[sc.Name] = sc
	}
	const year = 2026
	type want struct {
		name, kind, deadline, province string
		at                             time.Time // from the data
	}
	var tests []want
	for _, d := range s.All() {
		// Province "": the schedules of the default row, as 01 sees them.
		for _, r := range s.Reminders("01", d.ID, year) {
			days := int(mustDue(t, s, "01", d.ID, year).Sub(r).Hours()/24) + 1
			tests = append(tests, want{fmt.Sprintf("reminder-%s-default-%dd", d.ID, days), KindReminder, d.ID, "", r})
		}
		tests = append(tests, want{"report-" + d.ID, KindReport, d.ID, "", d.CutOff(year).Add(ReportDelay)})
	}
	// Thái Nguyên's own 12-15 row (10, 3 and 1 days before 5 December).
	rem19 := s.Reminders("19", "12-15", year)
	if len(rem19) != 3 {
		t.Fatalf("the example override of province 19 has %d reminders; the test expects it in commune_due.csv", len(rem19))
	}
	for i, days := range []int{10, 3, 1} {
		tests = append(tests, want{fmt.Sprintf("reminder-12-15-p19-%dd", days), KindReminder, "12-15", "19", rem19[i]})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, ok := byName[tt.name]
			if !ok {
				t.Fatalf("no schedule %s among %q", tt.name, slices.Sorted(maps.Keys(byName)))
			}
			if sc.Cron != cronOf(tt.at) {
				t.Errorf("cron %s, want %s (%s ICT)", sc.Cron, cronOf(tt.at), tt.at.In(ICT).Format("2006-01-02 15:04"))
			}
			if sc.Timezone != ScheduleTimezone {
				t.Errorf("timezone %q", sc.Timezone)
			}
			wantP := Payload{Kind: tt.kind, Deadline: tt.deadline, Province: tt.province}
			if sc.Payload != wantP {
				t.Errorf("payload %+v, want %+v", sc.Payload, wantP)
			}
		})
	}
	if len(scs) != len(tests) {
		t.Errorf("%d schedules, want %d: %q", len(scs), len(tests), slices.Sorted(maps.Keys(byName)))
	}
	// The report fires after the cut-off, never before it.
	if r := byName["report-12-15"]; r.Cron != "cron(30 0 15 12 ? *)" {
		t.Errorf("report-12-15: %s; the cut-off is 00:00 on 15/12 and the report runs %v after", r.Cron, ReportDelay)
	}
}

func mustDue(t *testing.T, s *Set, p, id string, year int) time.Time {
	t.Helper()
	d, err := s.CommuneDue(p, id, year)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSchedulesCoverEveryProvince fires every schedule of every province of
// the 2025+ register over five years, applies the Province "" rule as the
// function does (UsesDefault, YearFor), and checks that each province gets
// exactly its Reminders and one report per deadline, in the right year.
func TestSchedulesCoverEveryProvince(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	v := reg.ForYear(2026)
	provinces := slices.Sorted(maps.Keys(v.Provinces))
	scs, err := s.Schedules(provinces)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range scs {
		if err := checkCron(sc.Cron); err != nil {
			t.Errorf("%s: %v", sc.Name, err)
		}
		if len(sc.Name) > 64 || !regexp.MustCompile(`^[0-9a-zA-Z_.-]+$`).MatchString(sc.Name) {
			t.Errorf("schedule name %q is not valid for EventBridge Scheduler", sc.Name)
		}
	}
	for year := 2026; year <= 2030; year++ {
		got := map[string][]time.Time{} // province|deadline → reminders fired
		reports := map[string]int{}
		for _, sc := range scs {
			at := cronAt(t, sc, year)
			y, err := s.YearFor(sc.Payload, at)
			if err != nil || y != year {
				t.Fatalf("%s fired %v: year %d, %v; want %d", sc.Name, at, y, err, year)
			}
			var ps []string
			switch {
			case sc.Payload.Province != "":
				ps = []string{sc.Payload.Province}
			case sc.Payload.Kind == KindReport:
				ps = provinces
			default:
				for _, p := range provinces {
					if s.UsesDefault(p, sc.Payload.Deadline, y) {
						ps = append(ps, p)
					}
				}
			}
			for _, p := range ps {
				key := p + "|" + sc.Payload.Deadline
				if sc.Payload.Kind == KindReport {
					reports[key]++
					d, _ := s.Get(sc.Payload.Deadline)
					if !at.After(d.CutOff(y)) {
						t.Errorf("%s fires at %v, not after the cut-off %v", sc.Name, at, d.CutOff(y))
					}
					continue
				}
				got[key] = append(got[key], at.UTC())
			}
		}
		for _, p := range provinces {
			for _, d := range s.All() {
				key := p + "|" + d.ID
				g := got[key]
				slices.SortFunc(g, time.Time.Compare)
				want := s.Reminders(p, d.ID, year)
				if !slices.EqualFunc(g, want, time.Time.Equal) {
					t.Errorf("%d province %s %s: reminders fired %v, want %v", year, p, d.ID, g, want)
				}
				if reports[key] != 1 {
					t.Errorf("%d province %s %s: %d reports, want 1", year, p, d.ID, reports[key])
				}
			}
		}
	}
}

func TestSchedulesErrors(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		provinces []string
		want      string
	}{
		{"none", nil, "no provinces"},
		{"one digit", []string{"1"}, "not a 2-digit code"},
		{"letters", []string{"ab"}, "not a 2-digit code"},
		{"twice", []string{"01", "19", "01"}, "listed twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Schedules(tt.provinces); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Schedules(%q) = %v, want %q", tt.provinces, err, tt.want)
			}
		})
	}
	// A due date of 3 March with a reminder 7 days before: 24 February in
	// a common year, 25 February in a leap year. One cron cannot say that.
	leap, err := LoadFS(fixture("03-10,3,10,Báo cáo,Sở,seed,\n", "*,,03-10,03-03,7,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leap.Schedules([]string{"01"}); err == nil || !strings.Contains(err.Error(), "end of February") {
		t.Fatalf("reminder across 29 February: %v", err)
	}
	// A reminder that stays in March is the same day every year.
	ok, err := LoadFS(fixture("03-20,3,20,Báo cáo,Sở,seed,\n", "*,,03-20,03-15,7,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ok.Schedules([]string{"01"}); err != nil {
		t.Fatalf("reminder on 8 March: %v", err)
	}
}

func TestYearFor(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ictAt := func(v string) time.Time {
		x, err := time.ParseInLocation("2006-01-02 15:04", v, ICT)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, tt := range []struct {
		p    Payload
		now  string
		want int
	}{
		{Payload{Kind: KindReport, Deadline: "12-15"}, "2026-12-15 00:30", 2026},
		{Payload{Kind: KindReport, Deadline: "12-15"}, "2026-12-14 23:59", 2025}, // 2026's cut-off not passed yet
		{Payload{Kind: KindReport, Deadline: "12-01"}, "2027-01-03 10:00", 2026},
		{Payload{Kind: KindReminder, Deadline: "12-15"}, "2026-11-28 08:00", 2026},
		{Payload{Kind: KindReminder, Deadline: "12-15"}, "2026-12-15 08:00", 2027}, // 2026's is over
		{Payload{Kind: KindReport, Deadline: "12-15", Year: 2024}, "2026-12-15 00:30", 2024},
		// 17:30 UTC on the 14th is 00:30 on the 15th in Vietnam.
		{Payload{Kind: KindReport, Deadline: "12-15"}, "2026-12-15 00:30", 2026},
	} {
		got, err := s.YearFor(tt.p, ictAt(tt.now))
		if err != nil || got != tt.want {
			t.Errorf("YearFor(%+v, %s ICT) = %d, %v; want %d", tt.p, tt.now, got, err, tt.want)
		}
	}
	if got, _ := s.YearFor(Payload{Kind: KindReport, Deadline: "12-15"}, time.Date(2026, 12, 14, 17, 30, 0, 0, time.UTC)); got != 2026 {
		t.Errorf("17:30 UTC on 14/12 is after the cut-off in Vietnam: got %d", got)
	}
	for _, p := range []Payload{{Kind: "rollup", Deadline: "12-15"}, {Kind: KindReport, Deadline: "12-31"}} {
		if _, err := s.YearFor(p, time.Now()); err == nil {
			t.Errorf("YearFor(%+v): want an error", p)
		}
	}
}

func TestUsesDefault(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		p, id string
		year  int
		want  bool
	}{
		{"01", "12-15", 2026, true},
		{"19", "12-15", 2026, false}, // the example override
		{"19", "12-01", 2026, true},  // no override for 12-01
		{"19", "12-15", 2024, true},  // the override is for the 2025 code
		{"19", "12-31", 2026, false}, // unknown deadline
	} {
		if got := s.UsesDefault(tt.p, tt.id, tt.year); got != tt.want {
			t.Errorf("UsesDefault(%s, %s, %d) = %v, want %v", tt.p, tt.id, tt.year, got, tt.want)
		}
	}
}

func TestScheduleJSON(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.ScheduleJSON([]string{"01", "19"})
	if err != nil {
		t.Fatal(err)
	}
	var got []struct {
		Name, ScheduleExpression, ScheduleExpressionTimezone, Input string
		FlexibleTimeWindow                                          struct{ Mode string }
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	scs, _ := s.Schedules([]string{"01", "19"})
	if len(got) != len(scs) {
		t.Fatalf("%d entries, want %d", len(got), len(scs))
	}
	for i, g := range got {
		var p Payload
		dec := json.NewDecoder(strings.NewReader(g.Input))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("%s: Input %q: %v", g.Name, g.Input, err)
		}
		if g.Name != scs[i].Name || g.ScheduleExpression != scs[i].Cron || g.ScheduleExpressionTimezone != "Asia/Ho_Chi_Minh" ||
			g.FlexibleTimeWindow.Mode != "OFF" || p != scs[i].Payload {
			t.Errorf("entry %d = %+v (payload %+v), want %+v", i, g, p, scs[i])
		}
	}
	if !strings.Contains(string(b), `"Input": "{\"kind\":\"reminder\",\"deadline\":\"12-15\",\"province\":\"19\"}"`) {
		t.Errorf("no reminder input for province 19:\n%s", b)
	}
	if _, err := s.ScheduleJSON(nil); err == nil {
		t.Error("ScheduleJSON(nil): want an error")
	}
}
