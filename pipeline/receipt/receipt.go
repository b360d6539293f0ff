// Package receipt is the answer a commune gets for one upload: accepted or
// rejected, and every problem found, each with a stable code, its place in
// the file and a message in Vietnamese and English.
package receipt

import (
	"encoding/json"
	"fmt"
	"time"
)

// Status values.
const (
	Accepted = "accepted"
	Rejected = "rejected"
)

// Severity values.
const (
	SevError   = "error"
	SevWarning = "warning"
)

// Stable problem codes (Frictionless-style). Analysts and officials rely
// on them: add new ones, never rename.
const (
	UnreadableFile   = "unreadable-file"   // not a spreadsheet, damaged, or a format we cannot read
	LegacyFormat     = "legacy-format"     // an .xls we cannot read exactly: save as .xlsx
	EncryptedFile    = "encrypted-file"    // password to open
	FileTooLarge     = "file-too-large"    // over the size limits
	BadKey           = "bad-key"           // object key not <year>/<province>/<commune>/<file>
	UnknownCommune   = "unknown-commune"   // commune code not in the registry of that year
	ProvinceMismatch = "province-mismatch" // commune is not in the key's province
	CommuneMismatch  = "commune-mismatch"  // a commune code written in the file differs from the key
	YearMismatch     = "year-mismatch"     // a year written in the file differs from the key
	FormNotFound     = "form-not-found"    // no sheet carries a known form
	MissingColumn    = "missing-column"    // a form column is absent
	UnknownColumn    = "unknown-column"    // a column matched no field (warning)
	DuplicateColumn  = "duplicate-column"  // two columns mean the same field
	DuplicateForm    = "duplicate-form"    // a form found on two sheets (warning)
	NotApplicable    = "field-not-applicable"
	EmptyTable       = "empty-table"      // no hamlet rows
	TooManyRows      = "too-many-rows"    // more rows than a form allows
	BlankRow         = "blank-row"        // a row with no data in the form's columns (warning)
	MissingCell      = "missing-cell"     // a required cell is blank
	TypeError        = "type-error"       // not a number, not whole, not Có/Không …
	ConstraintError  = "constraint-error" // negative, out of range, registered > total …
	DuplicateKey     = "duplicate-key"    // hamlet code or name repeated
	TotalsMismatch   = "totals-mismatch"  // totals row differs from the sum of the rows
	FormulaNoValue   = "formula-no-value" // a formula cell without a cached result
	InternalError    = "internal-error"   // our fault, not the file's: the message says so
	EnglishNumbers   = "english-numbers"  // a column read as English-format numbers (warning)
	MergedCell       = "merged-cell"      // a merge in the data area that belongs to no single hamlet or field
	RateMismatch     = "rate-mismatch"    // a written rate differs from the counts by more than rounding (warning)
	// BlankCount: a count left blank in a hamlet row whose other counts of
	// the same model are filled; 0 must be written if there are none
	// (warning). The roll-up leaves such a row out of the model's rates.
	BlankCount = "blank-count"
	// EncodingConverted and LegacySuspected are the workbook.Note codes:
	// legacy text converted to Unicode, or text that may be legacy but was
	// not converted (warnings).
	EncodingConverted = "encoding-converted"
	LegacySuspected   = "legacy-text-suspected"
)

// Issue is one problem in one place.
type Issue struct {
	Code      string `json:"code"`
	Severity  string `json:"severity"`
	Sheet     string `json:"sheet,omitempty"`
	Cell      string `json:"cell,omitempty"` // "E12"
	Row       int    `json:"row,omitempty"`  // 1-based row in the sheet or CSV line
	Field     string `json:"field,omitempty"`
	Value     string `json:"value,omitempty"`
	Message   string `json:"message"`    // Vietnamese
	MessageEN string `json:"message_en"` // English
}

// Receipt is the whole answer for one upload. Field order is the JSON order.
type Receipt struct {
	SubmissionID  string   `json:"submission_id"`
	Status        string   `json:"status"`
	Form          string   `json:"form,omitempty"`  // the main form read (bieu01, else bieu02)
	Forms         []string `json:"forms,omitempty"` // every form read from the upload
	FormVersion   string   `json:"form_version,omitempty"`
	SchemaVersion string   `json:"schema_version,omitempty"`
	Year          int      `json:"year,omitempty"`
	ProvinceCode  string   `json:"province_code,omitempty"`
	ProvinceName  string   `json:"province_name,omitempty"`
	DistrictCode  string   `json:"district_code,omitempty"`
	DistrictName  string   `json:"district_name,omitempty"`
	CommuneCode   string   `json:"commune_code,omitempty"`
	CommuneName   string   `json:"commune_name,omitempty"`
	Registry      string   `json:"registry,omitempty"` // administrative-unit version used
	Bucket        string   `json:"bucket,omitempty"`
	SourceKey     string   `json:"source_key"`
	SourceVersion string   `json:"source_version,omitempty"`
	// OriginalName is the file name the official's browser sent, kept as
	// the upload's metadata (storage.MetaOriginalName) when the source key
	// carries only a safe form of it. Commune text: shown escaped, never
	// used to build a key or a path.
	OriginalName string          `json:"original_name,omitempty"`
	ReceivedAt   time.Time       `json:"received_at"`
	Format       string          `json:"format,omitempty"` // the reader: xlsx, xls, ods, csv, html (an HTML table saved as .xls), xml2003 (Excel 2003 XML)
	Rows         int             `json:"rows"`             // hamlet rows read
	Totals       map[string]*Num `json:"totals"`
	Hamlets      []Hamlet        `json:"hamlets,omitempty"`
	ErrorCount   int             `json:"error_count"`
	WarningCount int             `json:"warning_count"`
	Errors       []Issue         `json:"errors"`
	Output       string          `json:"output,omitempty"` // Parquet key, when accepted
	// DataSHA256 is, per form read (accepted receipts only), the SHA-256
	// of the data the form's lake rows hold, whatever file carried them
	// (docs/COLUMNS.md, "Receipts: data_sha256"). Two uploads of a commune
	// with equal digests for a form are the same data: readers treat an
	// identical re-upload as the submission it repeats ("không thay đổi",
	// review.EffectiveData). Receipts written before it have none.
	DataSHA256 map[string]string `json:"data_sha256,omitempty"`
}

// Num is a total: an integer count, or a decimal (scores). JSON shows the
// number; a field blank in every row has no entry in the totals.
type Num struct {
	Int   int64
	Float float64
	IsInt bool
}

// MarshalJSON writes the bare number.
func (n *Num) MarshalJSON() ([]byte, error) {
	if n.IsInt {
		return []byte(fmt.Sprint(n.Int)), nil
	}
	return json.Marshal(n.Float)
}

// UnmarshalJSON reads a bare number.
func (n *Num) UnmarshalJSON(b []byte) error {
	var f json.Number
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	if i, err := f.Int64(); err == nil {
		*n = Num{Int: i, IsInt: true}
		return nil
	}
	v, err := f.Float64()
	*n = Num{Float: v}
	return err
}

// Hamlet is a hamlet as read and coded, so officials see what was
// understood and the next upload can keep the same codes.
type Hamlet struct {
	Code       string `json:"ma_thon"`
	Name       string `json:"ten_thon"`
	CodeSource string `json:"code_source"` // "file" or "derived" (from the name); "known" in receipts written before issue 14
}

// Add records an issue and keeps the counts right.
func (r *Receipt) Add(is Issue) {
	r.Errors = append(r.Errors, is)
	if is.Severity == SevError {
		r.ErrorCount++
	} else {
		r.WarningCount++
	}
}

// Finish sets the status from the issues.
func (r *Receipt) Finish() {
	if r.Errors == nil {
		r.Errors = []Issue{}
	}
	if r.Totals == nil {
		r.Totals = map[string]*Num{}
	}
	r.Status = Accepted
	if r.ErrorCount > 0 {
		r.Status = Rejected
	}
}

// JSON is the canonical encoding: indented, stable key order, final newline.
// The same receipt always gives the same bytes.
func (r *Receipt) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("receipt: encode: %w", err)
	}
	return append(b, '\n'), nil
}
