package lake

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The roll-up's outputs. A build writes each table as one Parquet file per
// province (or per nation: NationCode), named by the build's id, then
// commits the province's Manifest, which names the files that are current:
//
//	rollups/level=<hamlet|commune|district|province|nation>/year=Y/province=P/<build>.parquet
//	rollups/completeness/year=Y/province=P/<build>.parquet
//	rollups/flags/year=Y/province=P/<build>.parquet          (plausibility flags; see pipeline/quality)
//	rollups/cache/<submissions|receipts|nation>/year=Y/province=P/<build>.parquet
//	rollups/_manifests/year=Y/province=<P|all>.json
//
// Figures re-based onto a later register (units) have the same layout under
// RollupUnitsPrefix(units).
const (
	// RollupsPrefix holds the roll-ups on the register of their year.
	RollupsPrefix = "rollups/"
	// NationCode is the province partition value of national outputs.
	NationCode = "all"
)

// RollupUnitsPrefix holds roll-ups re-based onto the register units
// (for example "2025" for pre-2025 years).
func RollupUnitsPrefix(units string) string { return RollupsPrefix + "units=" + units + "/" }

// Folders of the roll-up tables, under a roll-up prefix, by table name (the
// names of the `xhht query` views and Glue tables: see rollup.Tables), and
// of the roll-up's input caches (not tables anyone queries; see
// pipeline/rollup/cache.go).
var rollupDirs = map[string]string{
	"hamlets":      "level=hamlet/",
	"communes":     "level=commune/",
	"districts":    "level=district/",
	"provinces":    "level=province/",
	"nation":       "level=nation/",
	"completeness": "completeness/",
	"flags":        "flags/", // plausibility flags (pipeline/quality)

	"cache_submissions": "cache/submissions/",
	"cache_receipts":    "cache/receipts/",
	"cache_nation":      "cache/nation/",
	"cache_identity":    "cache/identity/", // hamlet identities (pipeline/rollup/identity.go)
}

// RollupTables lists the roll-up tables analysts query (the input caches
// left out), sorted.
func RollupTables() []string {
	var out []string
	for t, dir := range rollupDirs {
		if !strings.HasPrefix(dir, "cache/") {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// RollupTableDir is the folder of a roll-up table (or input cache) under a
// roll-up prefix, ending in "/"; ok is false for an unknown table.
func RollupTableDir(table string) (dir string, ok bool) {
	dir, ok = rollupDirs[table]
	return dir, ok
}

// RollupFileKey is the file of a table (or input cache) of a build for a
// province (or NationCode) and year, under a roll-up prefix. It panics on
// an unknown table: that is a programming error, and writing it anywhere
// else would put data where no reader looks.
func RollupFileKey(prefix, table string, year int, province, buildID string) string {
	dir, ok := rollupDirs[table]
	if !ok {
		panic(fmt.Sprintf("lake: no folder for roll-up table %q (add it to rollupDirs in pipeline/lake/rollup.go)", table))
	}
	return fmt.Sprintf("%s%syear=%d/province=%s/%s.parquet", prefix, dir, year, province, buildID)
}

// ManifestsDir is the folder of the manifests under a roll-up prefix.
const ManifestsDir = "_manifests/"

// ManifestKey is the manifest of a province (or NationCode) and year under
// a roll-up prefix.
func ManifestKey(prefix string, year int, province string) string {
	return fmt.Sprintf("%s%syear=%d/province=%s.json", prefix, ManifestsDir, year, province)
}

// ManifestsYearPrefix lists the manifests of a year under a roll-up prefix.
func ManifestsYearPrefix(prefix string, year int) string {
	return fmt.Sprintf("%s%syear=%d/", prefix, ManifestsDir, year)
}

// Manifest says which files are the current roll-up of one (year,
// province) or of the nation (NationCode). Readers list files through it.
// A province's files are usually of the manifest's build (their name and
// build_id column); a national build that found nothing changed names the
// files of the earlier build it reused (pipeline/rollup/outputs.go), so a
// file's build id can be older than the manifest's.
type Manifest struct {
	BuildID  string            `json:"build_id"`
	BuiltAt  time.Time         `json:"built_at"`
	Year     int               `json:"year"`
	Province string            `json:"province"` // code, or "all" for the nation
	Units    string            `json:"units"`    // register the figures are expressed on
	Registry string            `json:"registry"` // register of the year
	Files    map[string]string `json:"files"`    // table → lake key
	// Inputs: the submission ids counted (a province), or the province
	// build ids summed (the nation).
	Inputs []string `json:"inputs"`
	// CacheVersion of the input caches in Files (cache_submissions,
	// cache_receipts); see pipeline/rollup/cache.go.
	CacheVersion string `json:"cache_version,omitempty"`
	// CacheDigest, per input cache, identifies the objects (key and ETag)
	// whose rows it holds: the province's listing when it was written;
	// "flags", "identity" and "outputs" are digests of what those outputs
	// depend on (pipeline/rollup).
	CacheDigest map[string]string `json:"cache_digest,omitempty"`
}
