package lake

import "fmt"

// Configuration and inputs that provinces and operators put in the lake.
const (
	// IssuersPrefix holds a province's own issuer file for its reports
	// (who issues and signs them, and to whom), overriding schemas/issuers.
	IssuersPrefix = "config/issuers/"
	// AccessPrefix holds the communes' access-code records (hashes only):
	//
	//	access/year=<Y>/province=<P>/commune=<C>.json    a commune's record
	//	access/year=<Y>/province=<P>/reviewer=<NN>.json  a province reviewer's record (issue 15)
	//	access/codes/<sha256 hex>.json                   which record a code's hash belongs to
	AccessPrefix = "access/"
	// AccessCodesPrefix holds the lookup from a code's hash to its record.
	AccessCodesPrefix = AccessPrefix + "codes/"
)

// IssuerKey is the lake key of a province's own issuer file.
func IssuerKey(province string) string {
	return IssuersPrefix + "province=" + province + ".json"
}

// AccessRecordKey is a commune's access-code record of a year: its current
// code hash, status, expiry and history.
func AccessRecordKey(year int, province, commune string) string {
	return AccessPrefix + Partition(year, province, commune) + ".json"
}

// AccessCodeKey is the lookup object of a code's hash (hex SHA-256): which
// record it belongs to.
func AccessCodeKey(hash string) string { return AccessCodesPrefix + hash + ".json" }

// AccessReviewerKey is a province reviewer's access-code record: under the
// province, beside the communes' records, so IAM scoping by year and
// province covers both.
func AccessReviewerKey(year int, province, reviewer string) string {
	return fmt.Sprintf("%syear=%d/province=%s/reviewer=%s.json", AccessPrefix, year, province, reviewer)
}
