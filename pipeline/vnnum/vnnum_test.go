package vnnum

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1234", 1234, true},
		{"1.234", 1234, true},
		{"1.234.567", 1234567, true},
		{"1 234", 1234, true},
		{"12,5", 12.5, true},
		{"1.234,5", 1234.5, true},
		{"85,5%", 0, false}, // a percentage is not a plain number
		{"-3", -3, true},
		{"0", 0, true},
		{"12.5", 0, false},    // English decimal: not Vietnamese
		{"1,234.5", 0, false}, // English format
		{"1.23", 0, false},    // a thousands group needs three digits
		{"abc", 0, false},
		{"", 0, false},
		{"12,", 0, false},
		// Spaces group thousands only between groups of three digits;
		// a line break never does (two numbers in one cell).
		{"1 234 567", 1234567, true},
		{"1\u00A0234", 1234, true},
		{"1\u202F234,5", 1234.5, true},
		{"-12 345", -12345, true},
		{"15 6", 0, false},
		{"429\r13", 0, false},
		{"429\n134", 0, false},
		{"1\t234", 0, false},
		{"1 23", 0, false},
		{"1 2345", 0, false},
		{"1234 567", 0, false},
		{"1  234", 0, false},
	}
	for _, tt := range tests {
		got, ok := Parse(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParsePercentAndLooksEnglish(t *testing.T) {
	if v, ok := ParsePercent("85,5%"); !ok || v != 85.5 {
		t.Errorf("ParsePercent(85,5%%) = %v, %v", v, ok)
	}
	if v, ok := ParsePercent("70"); !ok || v != 70 {
		t.Errorf("ParsePercent(70) = %v, %v", v, ok)
	}
	for s, want := range map[string]bool{"2,000": true, "1,234,567": true, "1,234.5": true, "12,5": false, "2.000": false, "2000": false, "12,50": false, "abc": false} {
		if got := LooksEnglish(s); got != want {
			t.Errorf("LooksEnglish(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestFormat(t *testing.T) {
	ints := map[int64]string{0: "0", 999: "999", 1000: "1.000", 245310: "245.310", 1234567: "1.234.567", -1200: "-1.200"}
	for in, want := range ints {
		if got := Int(in); got != want {
			t.Errorf("Int(%d) = %q, want %q", in, got, want)
		}
	}
	floats := []struct {
		in   float64
		d    int
		want string
	}{{78.64, 1, "78,6"}, {1234.5, 1, "1.234,5"}, {70, 0, "70"}, {0.25, 2, "0,25"}, {-0.5, 1, "-0,5"}}
	for _, tt := range floats {
		if got := Float(tt.in, tt.d); got != tt.want {
			t.Errorf("Float(%v, %d) = %q, want %q", tt.in, tt.d, got, tt.want)
		}
	}
}

// Beyond int64, Float groups the digits it is given instead of printing
// the int64 maximum (ParseInt's range error was ignored).
func TestFloatBeyondInt64(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		want string
	}{
		{1e20, "100.000.000.000.000.000.000,0"},
		{-1e20, "-100.000.000.000.000.000.000,0"},
		{-0.04, "-0,0"},
		{1234.5, "1.234,5"},
	} {
		if got := Float(tc.f, 1); got != tc.want {
			t.Errorf("Float(%v, 1) = %q, want %q", tc.f, got, tc.want)
		}
	}
}
