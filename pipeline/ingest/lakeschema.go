package ingest

import (
	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/parquetout"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/validate"
)

// lakeSchema writes lake/submissions files with the columns the lake
// contract gives (lake.SubmissionColumns).
type lakeSchema struct {
	*parquetout.Schema
	fields []*forms.Field
}

func newLakeSchema(set *forms.Set) (*lakeSchema, error) {
	_, fields := lake.FieldColumns(set)
	s, err := parquetout.NewSchema("submission", lake.SubmissionColumns(set))
	if err != nil {
		return nil, err
	}
	return &lakeSchema{Schema: s, fields: fields}, nil
}

func (s *lakeSchema) encode(rc *receipt.Receipt, results []*validate.Result) ([]byte, error) {
	var rows []map[string]any
	for _, vr := range results {
		for i, rec := range vr.Records {
			row := map[string]any{
				"submission_id": rc.SubmissionID, "form": vr.Form.Code, "form_version": vr.Form.Version,
				"schema_version": vr.Form.SchemaVersion, "report_year": int32(rc.Year), "registry_version": rc.Registry,
				"province_code": rc.ProvinceCode, "province_name": rc.ProvinceName,
				"commune_code": rc.CommuneCode, "commune_name": rc.CommuneName,
				"source_bucket": rc.Bucket, "source_key": rc.SourceKey, "source_version": rc.SourceVersion,
				"source_sheet": vr.Sheet, "source_row": int32(rec.Row), "received_at": rc.ReceivedAt,
			}
			if rc.DistrictCode != "" {
				row["district_code"], row["district_name"] = rc.DistrictCode, rc.DistrictName
			}
			if vr.Form.Grain == "hamlet" && i < len(rc.Hamlets) {
				row["ma_thon_source"] = rc.Hamlets[i].CodeSource
			}
			for _, fd := range s.fields {
				v, ok := rec.Values[fd.Code]
				if !ok || v.Null || vr.Form.Field(fd.Code) != fd {
					continue
				}
				switch fd.Type {
				case forms.Count:
					row[fd.Code] = v.Int
				case forms.Bool:
					row[fd.Code] = v.Bool
				case forms.Score:
					row[fd.Code] = v.Float
				default:
					row[fd.Code] = v.Str
				}
			}
			rows = append(rows, row)
		}
	}
	return s.Encode(rows, map[string]string{"xhht.submission_id": rc.SubmissionID})
}
