package quality

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/storage"
)

// flagRow is a row as DuckDB writes it (every column nullable).
type flagRow struct {
	Year          *int32   `parquet:"report_year,optional"` // the views call it year
	ProvinceCode  *string  `parquet:"province_code,optional"`
	CommuneCode   *string  `parquet:"commune_code,optional"`
	CommuneName   *string  `parquet:"commune_name,optional"`
	MaThon        *string  `parquet:"ma_thon,optional"`
	TenThon       *string  `parquet:"ten_thon,optional"`
	FlagID        *string  `parquet:"flag_id,optional"`
	Rule          *string  `parquet:"rule,optional"`
	Indicator     *string  `parquet:"indicator,optional"`
	Value         *float64 `parquet:"value,optional"`
	PreviousValue *float64 `parquet:"previous_value,optional"`
	PreviousYear  *int32   `parquet:"previous_year,optional"` // absent in files written before it
	Threshold     *float64 `parquet:"threshold,optional"`
	Score         *float64 `parquet:"score,optional"`
	Comparable    *bool    `parquet:"comparable,optional"`
	SubmissionID  *string  `parquet:"submission_id,optional"`
	Pending       *bool    `parquet:"pending,optional"` // absent from files written before it existed
	Message       *string  `parquet:"message,optional"`
}

// maxFlagsFile bounds the flags file read into memory (a province's flags
// are a few hundred rows; 64 MiB is far above any real one).
const maxFlagsFile = 64 << 20

// ReadFlags reads the current flags of a province's year through the
// roll-up manifest, sorted by commune, rule, indicator and hamlet. No
// manifest yet, or a manifest without a flags file (a build from before
// flags existed, or a province with none): an empty list and no error.
func ReadFlags(ctx context.Context, store storage.Store, year int, province string) ([]Flag, error) {
	body, _, err := store.Get(ctx, lake.ManifestKey(lake.RollupsPrefix, year, province), "")
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("quality: read manifest of %d/%s: %w", year, province, err)
	}
	var m lake.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("quality: manifest of %d/%s: %w", year, province, err)
	}
	key := m.Files[Table]
	if key == "" {
		return nil, nil
	}
	data, _, err := storage.GetAtMost(ctx, store, key, "", maxFlagsFile)
	if err != nil {
		return nil, fmt.Errorf("quality: read %s: %w", key, err)
	}
	flags, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("quality: %s: %w", key, err)
	}
	return flags, nil
}

// decode reads a flags Parquet file.
func decode(data []byte) ([]Flag, error) {
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	r := parquet.NewGenericReader[flagRow](f)
	defer r.Close()
	var out []Flag
	buf := make([]flagRow, 256)
	for {
		n, err := r.Read(buf)
		for _, row := range buf[:n] {
			out = append(out, row.flag())
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b Flag) int {
		return strings.Compare(a.CommuneCode+"\x00"+a.FlagID, b.CommuneCode+"\x00"+b.FlagID)
	})
	return out, nil
}

func (r flagRow) flag() Flag {
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	f := Flag{ProvinceCode: s(r.ProvinceCode), CommuneCode: s(r.CommuneCode), CommuneName: s(r.CommuneName),
		MaThon: s(r.MaThon), TenThon: s(r.TenThon), FlagID: s(r.FlagID), Rule: s(r.Rule), Indicator: s(r.Indicator),
		Value: r.Value, PreviousValue: r.PreviousValue, Threshold: r.Threshold, Score: r.Score,
		SubmissionID: s(r.SubmissionID), Message: s(r.Message)}
	if r.Year != nil {
		f.Year = int(*r.Year)
	}
	if r.Comparable != nil {
		f.Comparable = *r.Comparable
	}
	if r.Pending != nil {
		f.Pending = *r.Pending
	}
	if r.PreviousYear != nil {
		f.PreviousYear = int(*r.PreviousYear)
	}
	return f
}
