// Package lake is the contract of the data lake: what is stored, under
// which key, and with which columns. Every package that reads or writes the
// lake builds its keys here, so the layout is written down in one place,
// and the Glue and column-doc tests guard it.
//
// Keys use Hive-style partitions (year=, province=, commune=) so DuckDB and
// Athena prune by them. What ingest and the roll-up write is a pure function
// of the uploads; reviews/, audit/, access/ and config/ hold what provinces
// and operators decide.
//
// Uploads (their own bucket, never modified or deleted):
//
//	<year>/<province>/<commune>/<file name>                       Key, ParseKey, UploadKey
//
// Written by ingest, one of each per upload, named by SubmissionID:
//
//	submissions/year=Y/province=P/commune=C/<id>.parquet           SubmissionKey; columns SubmissionColumns
//	                                                               (LineageColumns, FieldColumns; docs/COLUMNS.md)
//	receipts/year=Y/province=P/commune=C/<id>.json                 ReceiptKey; receipt.Receipt as JSON
//	receipts-unplaced/<id>.json                                    UnplacedReceiptKey (malformed upload keys)
//
// Written by the roll-up (columns: pipeline/rollup, docs/ROLLUP_COLUMNS.md):
//
//	rollups/level=<level>/year=Y/province=<P|all>/<build>.parquet  RollupFileKey
//	rollups/completeness/year=Y/province=<P|all>/<build>.parquet
//	rollups/cache/<kind>/year=Y/province=<P|all>/<build>.parquet   the roll-up's input caches
//	rollups/_manifests/year=Y/province=<P|all>.json                ManifestKey; Manifest
//	rollups/units=<register>/...                                   the same, re-based (RollupUnitsPrefix)
//
// Province review (issue 15), access codes and configuration:
//
//	reviews/year=Y/province=P/commune=C.json                       ReviewKey
//	audit/year=Y/province=P/commune=C/<time>-<id>.json             AuditKey
//	access/year=Y/province=P/commune=C.json                        AccessRecordKey
//	access/year=Y/province=P/reviewer=NN.json                      AccessReviewerKey
//	access/codes/<sha256 hex>.json                                 AccessCodeKey
//	config/contacts/province=P.csv                                 ContactsKey
//	config/issuers/province=P.json                                 IssuerKey
//	reports/<year>/<deadline>/province=P/<file name>               ReportKey (the report function's output)
//
// Code elsewhere neither spells nor parses a partition segment (year=,
// province=, commune=, level=, reviewer=): it uses the builders here and
// the parsers of partition.go (ParseReviewKey, ParseContactsKey,
// ParseYearProvince, CommuneFolder, CommuneFile); layout_guard_test.go
// enforces it.
//
// FirstYear bounds the year partitions; NationCode is the province
// partition value of national roll-ups.
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
