package lake

import (
	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/parquetout"
)

// The columns of lake/submissions: LineageColumns, then FieldColumns of
// every form in schema order. A Biểu 01 row (form = 'bieu01', one per
// hamlet) leaves the Biểu 02 columns null and the other way round, so one
// table (one Athena location) holds both and the columns never change with
// the content of a file. Documented in docs/COLUMNS.md.

// LineageColumns come first in every submissions file.
var LineageColumns = []parquetout.Column{
	{Name: "submission_id", Type: parquetout.String, Doc: "id of the upload: hash of (bucket, key, version or ETag)"},
	{Name: "form", Type: parquetout.String, Doc: "bieu01 (row = hamlet) or bieu02 (row = commune)"},
	{Name: "form_version", Type: parquetout.String, Doc: "version of the form definition"},
	{Name: "schema_version", Type: parquetout.String, Doc: "version of the column set"},
	{Name: "report_year", Type: parquetout.Int32, Doc: "reporting year (the partition `year` too)"},
	{Name: "registry_version", Type: parquetout.String, Doc: "administrative-unit register used: pre2025, 2025, 2026-04"},
	{Name: "province_code", Type: parquetout.String},
	{Name: "province_name", Type: parquetout.String},
	{Name: "district_code", Type: parquetout.String, Optional: true, Doc: "null from 2025 (no districts)"},
	{Name: "district_name", Type: parquetout.String, Optional: true},
	{Name: "commune_code", Type: parquetout.String},
	{Name: "commune_name", Type: parquetout.String},
	{Name: "source_bucket", Type: parquetout.String},
	{Name: "source_key", Type: parquetout.String},
	{Name: "source_version", Type: parquetout.String, Doc: "S3 version id, or the ETag"},
	{Name: "source_sheet", Type: parquetout.String},
	{Name: "source_row", Type: parquetout.Int32, Doc: "row of the sheet (or CSV line) the values came from"},
	{Name: "received_at", Type: parquetout.Timestamp, Doc: "upload time (UTC), not processing time"},
	{Name: "ma_thon_source", Type: parquetout.String, Optional: true, Doc: "where ma_thon came from (bieu01): file (the commune wrote it) or derived (from ten_thon); known in lakes written before issue 14"},
}

// FieldColumns lists the form-field columns in order (identity columns such
// as ma_xa are checked against the key and not stored: commune_code is it),
// with the field each comes from.
func FieldColumns(set *forms.Set) ([]parquetout.Column, []*forms.Field) {
	var cols []parquetout.Column
	var fields []*forms.Field
	for _, f := range set.Forms {
		for _, fd := range f.Fields {
			if fd.Identity {
				continue
			}
			c := parquetout.Column{Name: fd.Code, Optional: true, Doc: fd.Label + " — " + fd.LabelEN}
			switch fd.Type {
			case forms.Count:
				c.Type = parquetout.Int64
			case forms.Bool:
				c.Type = parquetout.Bool
			case forms.Score:
				c.Type = parquetout.Double
			default:
				c.Type = parquetout.String
			}
			cols = append(cols, c)
			fields = append(fields, fd)
		}
	}
	return cols, fields
}

// SubmissionColumns is every column of a submissions file, in order:
// LineageColumns then FieldColumns.
func SubmissionColumns(set *forms.Set) []parquetout.Column {
	fields, _ := FieldColumns(set)
	return append(append([]parquetout.Column{}, LineageColumns...), fields...)
}
