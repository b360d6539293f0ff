package ingest

import (
	"fmt"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/validate"
)

// lineageOrder is the order in which encode writes the lineage columns:
// the schema's own, checked once by encode (a new column or a move fails
// every upload at once, and the tests, rather than shifting values).
var lineageOrder = []string{"submission_id", "form", "form_version", "schema_version", "report_year",
	"registry_version", "province_code", "province_name", "district_code", "district_name",
	"commune_code", "commune_name", "source_bucket", "source_key", "source_version", "source_sheet",
	"source_row", "received_at", "ma_thon_source"}

// encode writes the accepted rows of an upload as one submissions file.
// Each row's values go to the Parquet writer in column order, with no map
// per row (a 5,000-hamlet file spent a quarter of its check building and
// reading them); the bytes are those of one map per row through
// parquetout.Schema.Encode (TestEncodeEqualsMaps).
func (s *lakeSchema) encode(rc *receipt.Receipt, results []*validate.Result) ([]byte, error) {
	if len(s.Columns) != len(lineageOrder)+len(s.fields) {
		return nil, fmt.Errorf("ingest: %d lake columns for %d lineage and %d field columns", len(s.Columns), len(lineageOrder), len(s.fields))
	}
	for j, name := range lineageOrder {
		if s.Columns[j].Name != name {
			return nil, fmt.Errorf("ingest: lake column %d is %q, encode writes %q there", j, s.Columns[j].Name, name)
		}
	}
	w := s.NewWriter(map[string]string{"xhht.submission_id": rc.SubmissionID})
	for _, vr := range results {
		// The fields of this form, by lake column; nil for another form's.
		own := make([]*forms.Field, len(s.fields))
		for j, fd := range s.fields {
			if vr.Form.Field(fd.Code) == fd {
				own[j] = fd
			}
		}
		for i, rec := range vr.Records {
			w.String(rc.SubmissionID)
			w.String(vr.Form.Code)
			w.String(vr.Form.Version)
			w.String(vr.Form.SchemaVersion)
			w.Int32(int32(rc.Year))
			w.String(rc.Registry)
			w.String(rc.ProvinceCode)
			w.String(rc.ProvinceName)
			if rc.DistrictCode != "" {
				w.String(rc.DistrictCode)
				w.String(rc.DistrictName)
			} else {
				w.Null()
				w.Null()
			}
			w.String(rc.CommuneCode)
			w.String(rc.CommuneName)
			w.String(rc.Bucket)
			w.String(rc.SourceKey)
			w.String(rc.SourceVersion)
			w.String(vr.Sheet)
			w.Int32(int32(rec.Row))
			w.Time(rc.ReceivedAt)
			if vr.Form.Grain == "hamlet" && i < len(rc.Hamlets) {
				w.String(rc.Hamlets[i].CodeSource)
			} else {
				w.Null()
			}
			for _, fd := range own {
				if fd == nil {
					w.Null()
					continue
				}
				v, ok := rec.Values[fd.Code]
				switch {
				case !ok || v.Null:
					w.Null()
				case fd.Type == forms.Count:
					w.Int64(v.Int)
				case fd.Type == forms.Bool:
					w.Bool(v.Bool)
				case fd.Type == forms.Score:
					w.Double(v.Float)
				default:
					w.String(v.Str)
				}
			}
			if err := w.EndRow(); err != nil {
				return nil, err
			}
		}
	}
	return w.Close()
}
