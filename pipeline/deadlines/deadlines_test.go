package deadlines

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/xhht/xhht/pipeline/registry"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestEmbedded(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	all := s.All()
	if len(all) != 2 || all[0].ID != "12-01" || all[1].ID != "12-15" {
		t.Fatalf("All() = %+v", all)
	}
	d, ok := s.Get("12-15")
	if !ok || d.Month != time.December || d.Day != 15 || !strings.Contains(d.Recipients, "Sở Giáo dục và Đào tạo") || d.NameVI == "" {
		t.Fatalf("Get(12-15) = %+v, %v", d, ok)
	}
	if d, _ := s.Get("12-01"); !strings.Contains(d.Recipients, "Ban Thi đua") || !strings.Contains(d.NameVI, "Cả nước thi đua xây dựng xã hội học tập") {
		t.Errorf("12-01 = %+v", d)
	}
	if _, ok := s.Get("12-31"); ok {
		t.Error("Get(12-31) found something")
	}
	all[0].ID = "changed"
	if s.All()[0].ID != "12-01" {
		t.Error("All() returned the set's own slice")
	}
}

func TestCutOff(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		id   string
		year int
		want string
	}{
		{"12-15", 2026, "2026-12-14T17:00:00Z"},
		{"12-01", 2026, "2026-11-30T17:00:00Z"},
		{"12-01", 2024, "2024-11-30T17:00:00Z"},
	} {
		d, _ := s.Get(tt.id)
		got := d.CutOff(tt.year)
		if !got.Equal(utc(tt.want)) || got.Location() != time.UTC {
			t.Errorf("%s %d: CutOff = %v, want %s", tt.id, tt.year, got, tt.want)
		}
	}
	cut := utc("2026-12-14T17:00:00Z")
	if OnTime(cut, cut) {
		t.Error("received exactly at the cut-off counts as on time; 'before 15 December' excludes 00:00")
	}
	if !OnTime(cut.Add(-time.Nanosecond), cut) {
		t.Error("received just before the cut-off is late")
	}
	// 23:59 on 14 December in Hà Nội is in time, whatever zone it is written in.
	if !OnTime(time.Date(2026, 12, 14, 23, 59, 0, 0, ICT), cut) {
		t.Error("23:59 ICT on the 14th is late")
	}
}

func TestCommuneDueAndReminders(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, province, id string
		year               int
		due                string
		reminders          []string
	}{
		{"default 12-15", "01", "12-15", 2026, "2026-12-07T17:00:00Z", []string{"2026-12-01T01:00:00Z", "2026-12-07T01:00:00Z"}},
		{"default 12-01", "19", "12-01", 2026, "2026-11-24T17:00:00Z", []string{"2026-11-18T01:00:00Z", "2026-11-24T01:00:00Z"}},
		{"override (example row for Thái Nguyên)", "19", "12-15", 2026, "2026-12-04T17:00:00Z", []string{"2026-11-25T01:00:00Z", "2026-12-02T01:00:00Z", "2026-12-04T01:00:00Z"}},
		{"override in 2025 too", "19", "12-15", 2025, "2025-12-04T17:00:00Z", []string{"2025-11-25T01:00:00Z", "2025-12-02T01:00:00Z", "2025-12-04T01:00:00Z"}},
		{"override is for the 2025 code: not pre-2025 province 19", "19", "12-15", 2024, "2024-12-07T17:00:00Z", []string{"2024-12-01T01:00:00Z", "2024-12-07T01:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.CommuneDue(tt.province, tt.id, tt.year)
			if err != nil || !got.Equal(utc(tt.due)) {
				t.Fatalf("CommuneDue = %v, %v; want %s", got, err, tt.due)
			}
			rem := s.Reminders(tt.province, tt.id, tt.year)
			if len(rem) != len(tt.reminders) {
				t.Fatalf("Reminders = %v, want %v", rem, tt.reminders)
			}
			for i := range rem {
				if !rem[i].Equal(utc(tt.reminders[i])) {
					t.Errorf("Reminders[%d] = %v, want %s", i, rem[i], tt.reminders[i])
				}
				if h := rem[i].In(ICT).Hour(); h != ReminderHour {
					t.Errorf("reminder at %d:00 ICT", h)
				}
			}
		})
	}
	if _, err := s.CommuneDue("01", "12-31", 2026); err == nil {
		t.Error("unknown deadline: want an error")
	}
	if r := s.Reminders("01", "12-31", 2026); r != nil {
		t.Errorf("unknown deadline: Reminders = %v", r)
	}
}

const (
	dlHeader  = "id,month,day,name_vi,recipients,source,note\n"
	dueHeader = "province,registry,deadline,due,reminders,note\n"
	goodDL    = "12-15,12,15,Báo cáo,Sở GD&ĐT,seed 002,\n" // line 2
	goodDue   = "*,,12-15,12-08,\"7,1\",\n"                // line 2
)

func fixture(deadlines, due string) fstest.MapFS {
	return fstest.MapFS{
		DeadlinesFile:  {Data: []byte(dlHeader + deadlines)},
		CommuneDueFile: {Data: []byte(dueHeader + due)},
	}
}

func TestFixtureDefaults(t *testing.T) {
	s, err := LoadFS(fixture(goodDL, "*,,12-15,12-08,,\n01,2026-04,12-15,12-10,-,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Reminders("02", "12-15", 2026); len(got) != 2 {
		t.Errorf("blank reminders: want the default 7,1, got %v", got)
	}
	if got := s.Reminders("01", "12-15", 2026); got != nil {
		t.Errorf(`"-": want no reminders, got %v`, got)
	}
	// A row written with a 2026-04 code applies to 2025 too: same codes.
	if got, _ := s.CommuneDue("01", "12-15", 2025); !got.Equal(utc("2025-12-09T17:00:00Z")) {
		t.Errorf("2026-04 row for 2025: %v", got)
	}
}

func TestBadRows(t *testing.T) {
	tests := []struct {
		name, deadlines, due string
		file                 string
		line                 int
		column, want         string
	}{
		{"31 November", goodDL + "11-31,11,31,X,Y,S,\n", goodDue, DeadlinesFile, 3, "day", "not a date every year"},
		{"29 February", goodDL + "02-29,2,29,X,Y,S,\n", goodDue, DeadlinesFile, 3, "day", "not a date every year"},
		{"month 13", goodDL + "13-01,13,1,X,Y,S,\n", goodDue, DeadlinesFile, 3, "month", "not a month (1–12)"},
		{"month not a number", goodDL + "x,Dec,1,X,Y,S,\n", goodDue, DeadlinesFile, 3, "month", "not a month"},
		{"duplicate id", goodDL + "12-15,12,14,X,Y,S,\n", goodDue, DeadlinesFile, 3, "id", "already defined on line 2"},
		{"missing recipients", goodDL + "12-01,12,1,X,,S,\n", goodDue, DeadlinesFile, 3, "name_vi", "required"},
		{"due 31 November", goodDL, goodDue + "01,2025,12-15,11-31,,\n", CommuneDueFile, 3, "due", "not a date every year"},
		{"due not MM-DD", goodDL, goodDue + "01,2025,12-15,8/12,,\n", CommuneDueFile, 3, "due", "MM-DD"},
		{"due on the report day", goodDL, goodDue + "01,2025,12-15,12-15,,\n", CommuneDueFile, 3, "due", "not before the report's deadline"},
		{"due after the report", goodDL, goodDue + "01,2025,12-15,12-20,,\n", CommuneDueFile, 3, "due", "not before the report's deadline"},
		{"unknown deadline", goodDL, goodDue + "01,2025,12-31,12-08,,\n", CommuneDueFile, 3, "deadline", `unknown deadline "12-31"`},
		{"province without leading zero", goodDL, goodDue + "1,2025,12-15,12-08,,\n", CommuneDueFile, 3, "province", "2-digit"},
		{"override without registry", goodDL, goodDue + "19,,12-15,12-05,,\n", CommuneDueFile, 3, "registry", "unknown registry"},
		{"default with registry", goodDL, "*,2025,12-15,12-08,,\n", CommuneDueFile, 2, "registry", "leave registry blank"},
		{"reminder not a number", goodDL, goodDue + "01,2025,12-15,12-08,\"7,x\",\n", CommuneDueFile, 3, "reminders", "1–60"},
		{"reminder zero", goodDL, goodDue + "01,2025,12-15,12-08,0,\n", CommuneDueFile, 3, "reminders", "1–60"},
		{"reminder twice", goodDL, goodDue + "01,2025,12-15,12-08,\"7,7\",\n", CommuneDueFile, 3, "reminders", "listed twice"},
		{"duplicate default", goodDL, goodDue + "*,,12-15,12-07,,\n", CommuneDueFile, 3, "province", "already has a due date"},
		{"duplicate across 2025 and 2026-04", goodDL, goodDue + "19,2025,12-15,12-05,,\n19,2026-04,12-15,12-06,,\n", CommuneDueFile, 4, "province", "already has a due date for 12-15 on line 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFS(fixture(tt.deadlines, tt.due))
			var re *RowError
			if !errors.As(err, &re) {
				t.Fatalf("want a *RowError, got %v", err)
			}
			if re.File != tt.file || re.Line != tt.line || re.Column != tt.column || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %s line %d column %q: %v; want %s line %d column %q containing %q", re.File, re.Line, re.Column, err, tt.file, tt.line, tt.column, tt.want)
			}
		})
	}
	t.Run("no default row", func(t *testing.T) {
		_, err := LoadFS(fixture(goodDL, "19,2025,12-15,12-05,,\n"))
		if err == nil || !strings.Contains(err.Error(), "no default row") {
			t.Fatalf("want 'no default row', got %v", err)
		}
	})
	t.Run("wrong number of fields", func(t *testing.T) {
		_, err := LoadFS(fixture(goodDL+"12-01,12\n", goodDue))
		if err == nil || !strings.Contains(err.Error(), "line 3") {
			t.Fatalf("want line 3, got %v", err)
		}
	})
	t.Run("missing column", func(t *testing.T) {
		fsys := fixture(goodDL, goodDue)
		fsys[CommuneDueFile] = &fstest.MapFile{Data: []byte("province,deadline,due\n")}
		if _, err := LoadFS(fsys); err == nil || !strings.Contains(err.Error(), `missing column "registry"`) {
			t.Fatalf("got %v", err)
		}
	})
}

// TestErasMatchRegistry keeps eraOf/eraOfYear in step with
// adminunits/versions.csv.
func TestErasMatchRegistry(t *testing.T) {
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range reg.Versions {
		era, ok := registry.EraOf(v.Name)
		if !ok {
			t.Errorf("registry version %q has no era", v.Name)
			continue
		}
		for _, y := range []int{v.FromYear, v.ToYear} {
			if y != 0 && registry.EraOfYear(y) != era {
				t.Errorf("registry.EraOfYear(%d) = %s, but version %s (era %s) covers it", y, registry.EraOfYear(y), v.Name, era)
			}
		}
	}
}
