package lake

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Hive partition segments of the layout. Code outside this package neither
// spells nor parses them (layout_guard_test.go): it calls the helpers
// below, so a reader cannot drift from the writers.
const (
	YearSeg     = "year="
	ProvinceSeg = "province="
	CommuneSeg  = "commune="
	LevelSeg    = "level="
	ReviewerSeg = "reviewer="
)

// ProvinceDir is a province's folder, "province=<P>/", to append to a year
// prefix (SubmissionsYearPrefix, ReceiptsYearPrefix) or to a local output
// folder laid out like the lake (reports, reminders, DuckDB's PARTITION_BY
// (province) output).
func ProvinceDir(province string) string { return ProvinceSeg + province + "/" }

// SubmissionsProvincePrefix lists the submissions of a province's year.
func SubmissionsProvincePrefix(year int, province string) string {
	return SubmissionsYearPrefix(year) + ProvinceDir(province)
}

// ReceiptsProvincePrefix lists the receipts of a province's year.
func ReceiptsProvincePrefix(year int, province string) string {
	return ReceiptsYearPrefix(year) + ProvinceDir(province)
}

// CommuneFolder is the commune of rest, the part of a key after a
// province's prefix (ReceiptsProvincePrefix, SubmissionsProvincePrefix),
// which is "commune=<C>/…"; ok is false when rest is not in a commune's
// folder.
func CommuneFolder(rest string) (commune string, ok bool) {
	c, ok := strings.CutPrefix(rest, CommuneSeg)
	if !ok {
		return "", false
	}
	c, _, ok = strings.Cut(c, "/")
	if !ok {
		return "", false
	}
	return c, true
}

// CommuneFile is the commune of rest, the part of a key after a province's
// prefix (ReviewProvincePrefix), which is "commune=<C><ext>" with no "/" in
// C; ok is false otherwise.
func CommuneFile(rest, ext string) (commune string, ok bool) {
	c, ok := strings.CutPrefix(rest, CommuneSeg)
	if !ok {
		return "", false
	}
	c, ok = strings.CutSuffix(c, ext)
	if !ok || strings.Contains(c, "/") {
		return "", false
	}
	return c, true
}

// ParseReviewKey parses a review state key, ReviewKey's
// reviews/year=<Y>/province=<P>/commune=<C>.json (relative to the lake's
// root); ok is false for any other key.
func ParseReviewKey(key string) (year int, province, commune string, ok bool) {
	rest, ok := strings.CutPrefix(key, ReviewsPrefix+YearSeg)
	if !ok {
		return 0, "", "", false
	}
	y, rest, ok := strings.Cut(rest, "/"+ProvinceSeg)
	if !ok {
		return 0, "", "", false
	}
	year, err := strconv.Atoi(y)
	if err != nil {
		return 0, "", "", false
	}
	province, rest, ok = strings.Cut(rest, "/")
	if !ok || province == "" {
		return 0, "", "", false
	}
	commune, ok = CommuneFile(rest, ".json")
	if !ok {
		return 0, "", "", false
	}
	return year, province, commune, true
}

// ParseContactsKey parses a province's contacts file key, ContactsKey's
// config/contacts/province=<P>.csv (relative to the lake's root; P two
// digits); ok is false for any other key (the contacts receipts among
// them).
func ParseContactsKey(key string) (province string, ok bool) {
	rest, ok := strings.CutPrefix(key, ContactsPrefix+ProvinceSeg)
	if !ok {
		return "", false
	}
	p, ok := strings.CutSuffix(rest, ".csv")
	if !ok || len(p) != 2 || strings.Trim(p, "0123456789") != "" {
		return "", false
	}
	return p, true
}

// yearProvinceRe finds the year and (two-digit) province partitions in a
// key; the nation's province=all does not match.
var yearProvinceRe = regexp.MustCompile(`/` + YearSeg + `(\d{4})/` + ProvinceSeg + `(\d{2})/`)

// ParseYearProvince finds the year and province partitions of a key, such
// as …/year=2026/province=19/… (anywhere after a "/", so under any table
// folder or roll-up prefix). A national key (province=all) or a key
// without both partitions gives ok false.
func ParseYearProvince(key string) (year int, province string, ok bool) {
	m := yearProvinceRe.FindStringSubmatch(key)
	if m == nil {
		return 0, "", false
	}
	y, _ := strconv.Atoi(m[1])
	return y, m[2], true
}

// ProvinceKeySQL is a DuckDB expression of the (two-digit) province of the
// key in the column col, as ParseYearProvince finds it; "" when the key has
// none.
func ProvinceKeySQL(col string) string {
	return fmt.Sprintf(`regexp_extract(%s, '/%s([0-9]{2})/', 1)`, col, ProvinceSeg)
}

// ReportsPrefix holds the provinces' reports, written by the report
// function at each deadline's cut-off (pipeline/lambdareport).
const ReportsPrefix = "reports/"

// ReportKey is the lake key of a report file:
// reports/<year>/<deadline>/province=<P>/<file name>.
func ReportKey(year int, deadline, province, file string) string {
	return fmt.Sprintf("%s%s%s", ReportsPrefix, ReportDir(year, deadline, province), file)
}

// ReportDir is the folder of a province's reports of a deadline under
// ReportsPrefix, <year>/<deadline>/province=<P>/; the CLI lays out its
// local report and reminder folders the same way.
func ReportDir(year int, deadline, province string) string {
	return fmt.Sprintf("%d/%s/%s", year, deadline, ProvinceDir(province))
}
