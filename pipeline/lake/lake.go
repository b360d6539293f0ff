// Package lake is the contract of the data lake: what is stored, under
// which key, and with which columns. Every package that reads or writes the
// lake builds its keys here, so the layout is written down in one place and
// the Glue and column-doc tests can guard it.
//
// Keys use Hive-style partitions (year=, province=, commune=) so DuckDB and
// Athena prune by them.
package lake

import (
	"fmt"
	"time"
)

// Partition is the year/province/commune partition path of a commune.
func Partition(year int, province, commune string) string {
	return fmt.Sprintf("year=%d/province=%s/commune=%s", year, province, commune)
}

// Province review (issue 15).
const (
	// ReviewsPrefix holds one object per (year, commune): the current review
	// state, changed only by compare-and-swap (storage.Writer.PutIf).
	ReviewsPrefix = "reviews/"
	// AuditPrefix holds one immutable object per review state change,
	// written create-only (PutIf with ifMatch "").
	AuditPrefix = "audit/"
	// ContactsPrefix holds each province's commune contacts (personal data:
	// readable only by the report function and the province).
	ContactsPrefix = "config/contacts/"
)

// ReviewKey is the current review state of a commune's year.
func ReviewKey(year int, province, commune string) string {
	return ReviewsPrefix + Partition(year, province, commune) + ".json"
}

// ReviewProvincePrefix lists the review states of a province's year.
func ReviewProvincePrefix(year int, province string) string {
	return fmt.Sprintf("%syear=%d/province=%s/", ReviewsPrefix, year, province)
}

// AuditKey is one state change. at is written in UTC with fixed-width
// nanoseconds so keys sort by time; id (a few random or hashed hex digits)
// keeps two changes in the same nanosecond apart.
func AuditKey(year int, province, commune string, at time.Time, id string) string {
	return AuditPrefix + Partition(year, province, commune) + "/" + at.UTC().Format("20060102T150405.000000000Z") + "-" + id + ".json"
}

// AuditCommunePrefix lists a commune's state changes of a year, oldest first.
func AuditCommunePrefix(year int, province, commune string) string {
	return AuditPrefix + Partition(year, province, commune) + "/"
}

// ContactsKey is where a province's contacts file is kept once accepted.
func ContactsKey(province string) string {
	return ContactsPrefix + "province=" + province + ".csv"
}
