// Package quality holds the plausibility flags of issue 15: the rules and
// their thresholds (data in schemas/quality/rules.json, embedded), the
// modified z-score they use, and the reader of the roll-up's `flags` table.
//
// A flag is a warning, never a rejection: the data still counts, and the
// province decides (the board marks a flag "đã xác minh" with a comment).
//
// Purity: ingest never computes flags. Whatever compares a commune with
// its own past or with other communes needs the whole history, which only
// the roll-up sees; so the roll-up computes the flags (pipeline/rollup,
// flags.go) and writes them as the table `flags`, one Parquet file per
// province named in the province's roll-up manifest. The portal and the
// board show them next to the receipt; the receipt object written by ingest
// stays a function of its own upload. This package is pure Go (no DuckDB),
// so the portal can read the flags with parquet-go.
//
// Change to REVIEW_CONTRACT.md: the flags file's year column is named
// report_year, like every roll-up table (a column may not share its name
// with the Glue partition key year); the query view `flags` calls it year,
// as the other views do, and Flag.Year (JSON "year") is unchanged. The file
// also carries build_id and built_at. Everything else is as in the
// contract.
package quality

// Table is the roll-up table (and manifest file name) of the flags.
const Table = "flags"

// Flag is one row of the roll-up's `flags` table (docs/ROLLUP_COLUMNS.md).
// Nullable columns are pointers (nil = NULL), except the hamlet columns,
// where "" means a commune-level flag.
type Flag struct {
	Year         int    `json:"year"`
	ProvinceCode string `json:"province_code"`
	CommuneCode  string `json:"commune_code"`
	CommuneName  string `json:"commune_name"`
	MaThon       string `json:"ma_thon,omitempty"`  // "" (NULL): a commune-level flag
	TenThon      string `json:"ten_thon,omitempty"` // the hamlet's name, this year's (last year's when it disappeared)
	// FlagID is stable across builds: "<rule>/<indicator or ->/<ma_thon or ->",
	// so a "đã xác minh" check (review.Status.Checks) keeps pointing at it.
	FlagID    string `json:"flag_id"`
	Rule      string `json:"rule"`
	Indicator string `json:"indicator,omitempty"` // roll-up column compared; "" when the rule has none
	// Value is this year's value; PreviousValue last accepted year's (nil for
	// the cross-commune rules and when there is none).
	Value         *float64 `json:"value"`
	PreviousValue *float64 `json:"previous_value"`
	// PreviousYear is the year PreviousValue (and a year-on-year rule) is
	// from: the commune's last accepted year before Year, within a few
	// years (0 when the flag compares with no earlier year).
	PreviousYear int      `json:"previous_year,omitempty"`
	Threshold    *float64 `json:"threshold"`
	// Score: the modified z-score (outlier rules), the relative change
	// (change), the change in rate points as a fraction (rate_change).
	Score *float64 `json:"score"`
	// Comparable false: "không so sánh được" (e.g. a split commune without a
	// hamlet assignment). Such a row informs, it is never an alarm.
	Comparable   bool   `json:"comparable"`
	SubmissionID string `json:"submission_id"`
	// Pending: a flag of a new upload awaiting the province's approval
	// (SubmissionID), computed on the data its approval would count; the
	// counted data's flags have Pending false (pipeline/rollup,
	// flags_pending.go).
	Pending bool   `json:"pending"`
	Message string `json:"message"` // short Vietnamese
}

// Alarm reports whether f is a warning to look at, as opposed to an
// information (Informational).
func (f Flag) Alarm() bool { return !Informational(f.Rule, f.Comparable) }

// Informational reports whether a flag of this rule is information only,
// never a warning for the province to verify ("đã xác minh"), nor one for
// its signed report's annex: the commune could not be compared
// (comparable false), or the upload repeats an earlier one (unchanged: the
// commune is told "không thay đổi"; review finding L-H). The portal and
// the report classify flags with it.
func Informational(rule string, comparable bool) bool {
	return !comparable || rule == RuleUnchanged
}

// FlagID builds the stable id of a flag.
func FlagID(rule, indicator, maThon string) string {
	if indicator == "" {
		indicator = "-"
	}
	if maThon == "" {
		maThon = "-"
	}
	return rule + "/" + indicator + "/" + maThon
}
