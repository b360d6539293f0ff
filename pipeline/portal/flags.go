package portal

import (
	"context"

	"github.com/xhht/xhht/pipeline/quality"
	"github.com/xhht/xhht/pipeline/storage"
)

// QualityFlags is the FlagReader of the roll-up's flags table
// (quality.ReadFlags: parquet-go through the roll-up manifest, no DuckDB).
// New uses it when Config.Flags is nil.
func QualityFlags(lake storage.Store) FlagReader {
	return FlagReaderFunc(func(ctx context.Context, year int, province string) ([]Flag, error) {
		fs, err := quality.ReadFlags(ctx, lake, year, province)
		if err != nil {
			return nil, err
		}
		out := make([]Flag, len(fs))
		for i, f := range fs {
			out[i] = Flag{CommuneCode: f.CommuneCode, MaThon: f.MaThon, TenThon: f.TenThon, FlagID: f.FlagID, Rule: f.Rule,
				Indicator: f.Indicator, Value: f.Value, PreviousValue: f.PreviousValue, PreviousYear: f.PreviousYear, Threshold: f.Threshold,
				Comparable: f.Comparable, Message: f.Message, SubmissionID: f.SubmissionID}
		}
		return out, nil
	})
}
