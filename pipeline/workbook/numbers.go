package workbook

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// maxRowText bounds the text the cells of one row hold (shared strings
// aside): no form row comes near it.
const maxRowText = 8 << 20

// maxExcelNumber is the largest magnitude Excel accepts in a cell
// (9.99999999999999E+307); anything beyond is no number Excel wrote.
const maxExcelNumber = 9.99999999999999e307

// errNotANumber: a value stored as a number that is NaN, infinite or
// beyond Excel's range.
var errNotANumber = errors.New("workbook: not a finite number")

// parseExcelNumber reads the text of a numeric .xlsx cell. Only the
// decimal forms Excel writes are numbers ("-12", "0.25", "1.5E-3"): Go's
// strconv also takes "0x1p-2", "1_000", "Inf" and "NaN", which Excel never
// writes and would open as something else. NaN and infinity (however
// spelled) and numbers beyond Excel's range give errNotANumber; any other
// text is an error of its own.
func parseExcelNumber(v string) (float64, error) {
	// XML Schema's double allows white space around the value (LibreOffice
	// reads "<v> 112</v>" as 112).
	v = strings.Trim(v, " \t\r\n")
	if !decimalNumber(v) {
		switch strings.ToLower(strings.TrimLeft(v, "+-")) {
		case "nan", "inf", "infinity":
			return 0, errNotANumber
		}
		return 0, strconv.ErrSyntax
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.Abs(f) > maxExcelNumber {
		return 0, errNotANumber
	}
	return f, nil
}

// decimalNumber reports whether v is [sign] digits [. digits] [E [sign] digits]
// with at least one digit before the exponent.
func decimalNumber(v string) bool {
	i := 0
	if i < len(v) && (v[i] == '-' || v[i] == '+') {
		i++
	}
	digits := 0
	for ; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
		digits++
	}
	if i < len(v) && v[i] == '.' {
		for i++; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '-' || v[i] == '+') {
			i++
		}
		exp := 0
		for ; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(v)
}

// excelEpoch is day 0 of Excel's 1900 date system as it counts after
// February 1900 (serial 61 is 1 March 1900).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// isoDateSerial turns the ISO 8601 text of a t="d" cell ("2026-11-30",
// "2026-11-30T08:30:00", "2026-11-30T08:30:00.000Z", or a time alone
// "08:30:00") into the serial number Excel stores for it.
func isoDateSerial(v string) (float64, bool) {
	layouts := []string{"2006-01-02", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00"}
	for _, l := range layouts {
		if t, err := time.Parse(l, v); err == nil {
			// The wall-clock time as written: Excel has no time zones.
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
			if t.Before(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)) || t.Year() > 9999 {
				return 0, false
			}
			// In seconds: a time.Duration cannot span the years to 9999.
			return float64(t.Unix()-excelEpoch.Unix())/86400 + float64(t.Nanosecond())/86400e9, true
		}
	}
	for _, l := range []string{"15:04:05", "15:04:05.999999999", "15:04"} {
		if t, err := time.Parse(l, v); err == nil {
			return float64(t.Hour()*3600+t.Minute()*60+t.Second())/86400 + float64(t.Nanosecond())/86400e9, true
		}
	}
	return 0, false
}
