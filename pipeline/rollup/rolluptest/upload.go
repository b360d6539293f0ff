package rolluptest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage"
)

// Upload is one upload stored as ingest stores it, for tests that need a
// few hand-made submissions rather than a generated lake: accepted, the
// Parquet of its rows and its receipt; rejected, the receipt only.
type Upload struct {
	Year    int
	Commune string    // code in the register of Year
	File    string    // file name in the upload key; "" = "bao-cao.xlsx"
	Version string    // S3 version of the upload; "" = "v1"
	At      time.Time // received_at
	// Hamlets are the Biểu 01 rows, field → value; a missing field or a
	// nil value is a blank cell. ma_thon defaults to T01, T02, …, and
	// ten_thon to Thôn 1, … (a nil value leaves them blank).
	Hamlets []map[string]any
	// Bieu02 is the Biểu 02 row; nil = no Biểu 02.
	Bieu02 map[string]any
	// Rejected, when not empty, is the first error message: the upload is
	// rejected and only its receipt is written.
	Rejected string
	// DataSHA256 is the accepted receipt's data_sha256 (form → digest);
	// nil: none, as receipts before it. Hand-made: give equal digests to
	// uploads with equal rows.
	DataSHA256 map[string]string
	// Forms is the accepted receipt's forms (as ingest writes them); nil:
	// none, as receipts before the field.
	Forms []string
}

// UploadBucket is the source bucket of Upload's objects.
const UploadBucket = "uploads"

// Write stores u in lake and returns its submission id.
func (u Upload) Write(ctx context.Context, store storage.Store) (string, error) {
	if err := load(); err != nil {
		return "", fmt.Errorf("rolluptest: %w", err)
	}
	v := reg.ForYear(u.Year)
	if v == nil {
		return "", fmt.Errorf("rolluptest: no register for %d", u.Year)
	}
	c := v.Communes[u.Commune]
	if c == nil {
		return "", fmt.Errorf("rolluptest: commune %s not in the %d register", u.Commune, u.Year)
	}
	if u.File == "" {
		u.File = "bao-cao.xlsx"
	}
	if u.Version == "" {
		u.Version = "v1"
	}
	k := lake.Key{Year: u.Year, Province: c.ProvinceCode, Commune: c.Code, File: u.File}
	key := lake.UploadKey(k)
	id := lake.SubmissionID(UploadBucket, key, u.Version)
	rc := &receipt.Receipt{SubmissionID: id, Status: receipt.Accepted, Year: u.Year, ProvinceCode: c.ProvinceCode,
		CommuneCode: c.Code, CommuneName: c.Name, Registry: v.Name, Bucket: UploadBucket, SourceKey: key, SourceVersion: u.Version,
		ReceivedAt: u.At.UTC(), Errors: []receipt.Issue{}, DataSHA256: u.DataSHA256, Forms: u.Forms}
	if u.Rejected != "" {
		rc.DataSHA256, rc.Forms = nil, nil
		rc.Status, rc.ErrorCount = receipt.Rejected, 1
		rc.Errors = []receipt.Issue{{Code: receipt.TypeError, Severity: receipt.SevError, Message: u.Rejected, MessageEN: u.Rejected}}
	} else {
		base := func(form string, row int) map[string]any {
			m := map[string]any{"submission_id": id, "form": form, "form_version": "1", "schema_version": "1.0.0",
				"report_year": int32(u.Year), "registry_version": v.Name, "province_code": c.ProvinceCode,
				"province_name": v.Provinces[c.ProvinceCode].Name, "commune_code": c.Code, "commune_name": c.Name,
				"source_bucket": UploadBucket, "source_key": key, "source_version": u.Version, "source_sheet": "Biểu",
				"source_row": int32(row), "received_at": u.At.UTC()}
			if d := v.Districts[c.DistrictCode]; d != nil {
				m["district_code"], m["district_name"] = d.Code, d.Name
			}
			return m
		}
		var rows []map[string]any
		for i, h := range u.Hamlets {
			m := base("bieu01", 10+i)
			m["ma_thon_source"], m["ma_thon"], m["ten_thon"] = "file", fmt.Sprintf("T%02d", i+1), fmt.Sprintf("Thôn %d", i+1)
			for f, val := range h {
				if val == nil {
					delete(m, f) // blank, also ma_thon and ten_thon
				} else {
					m[f] = val
				}
			}
			rows = append(rows, m)
		}
		if u.Bieu02 != nil {
			m := base("bieu02", 8)
			for f, val := range u.Bieu02 {
				if val != nil {
					m[f] = val
				}
			}
			rows = append(rows, m)
		}
		body, err := schema.Encode(rows, nil)
		if err != nil {
			return "", fmt.Errorf("rolluptest: upload %s: %w", key, err)
		}
		if err := store.Put(ctx, lake.SubmissionKey(k, id), body, ""); err != nil {
			return "", fmt.Errorf("rolluptest: upload %s: %w", key, err)
		}
	}
	js, err := json.Marshal(rc)
	if err != nil {
		return "", fmt.Errorf("rolluptest: receipt of %s: %w", key, err)
	}
	if err := store.Put(ctx, lake.ReceiptKey(k, id), js, ""); err != nil {
		return "", fmt.Errorf("rolluptest: receipt of %s: %w", key, err)
	}
	return id, nil
}
