package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/hamlet"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/table"
	"github.com/xhht/xhht/pipeline/validate"
	"github.com/xhht/xhht/pipeline/workbook"
)

// encodeByMaps is encode as it was first written: one map per row, handed
// to parquetout.Schema.Encode. encode must give the same bytes.
func (s *lakeSchema) encodeByMaps(rc *receipt.Receipt, results []*validate.Result) ([]byte, error) {
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

// TestEncodeEqualsMaps: for the tables of every corpus file (both forms,
// errors and all, as validate reads them), with and without a district,
// with every hamlet coded or only some, encode gives the bytes of one map
// per row through parquetout.Schema.Encode.
func TestEncodeEqualsMaps(t *testing.T) {
	p := benchProcessor(t)
	files, err := filepath.Glob("../../tests/corpus/files/*")
	if err != nil || len(files) < 40 {
		t.Fatalf("corpus: %d files, %v", len(files), err)
	}
	files = append(files, "") // and the 30-hamlet workbook of the benchmark
	compared := 0
	for _, name := range files {
		var data []byte
		if name == "" {
			name, data = "bench.xlsx", benchWorkbook(t, 30, 0)
		} else if data, err = os.ReadFile(name); err != nil {
			t.Fatal(err)
		}
		book, err := workbook.Open(filepath.Base(name), data, p.Limits)
		if err != nil {
			continue // unreadable on purpose
		}
		tables, _, err := table.Find(book, p.Forms, p.Keywords)
		if err != nil {
			continue
		}
		var results []*validate.Result
		for _, tb := range tables {
			if vr := validate.Table(tb, validate.Context{Year: 2026, CommuneCode: "01864"}); len(vr.Records) > 0 {
				results = append(results, vr)
			}
		}
		if len(results) == 0 {
			continue
		}
		for _, variant := range []struct {
			district bool
			hamlets  int // how many hamlets have a code source; -1: all
		}{{false, -1}, {true, -1}, {false, 1}, {true, 0}} {
			rc := &receipt.Receipt{SubmissionID: "abc123", Year: 2026, Registry: "2025", ProvinceCode: "19",
				ProvinceName: "Tỉnh Thái Nguyên", CommuneCode: "01864", CommuneName: "Xã Bằng Thành",
				Bucket: "uploads", SourceKey: "2026/19/01864/" + filepath.Base(name), SourceVersion: "v1",
				ReceivedAt: time.Date(2026, 11, 20, 3, 4, 5, 678000, time.UTC)}
			if variant.district {
				rc.DistrictCode, rc.DistrictName = "164", "Huyện Võ Nhai"
			}
			for _, vr := range results {
				if vr.Form.Grain == "hamlet" {
					for i := range vr.Records {
						if variant.hamlets < 0 || i < variant.hamlets {
							rc.Hamlets = append(rc.Hamlets, receipt.Hamlet{CodeSource: []string{hamlet.FromFile, hamlet.FromKnown, hamlet.FromDerived}[i%3]})
						}
					}
				}
			}
			got, err := p.schema.encode(rc, results)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			want, err := p.schema.encodeByMaps(rc, results)
			if err != nil {
				t.Fatalf("%s: by maps: %v", name, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s (%+v): encode gives %d bytes, different from the maps' %d", name, variant, len(got), len(want))
			}
			compared++
		}
	}
	if compared < 100 {
		t.Errorf("only %d files × variants compared", compared)
	}
}
