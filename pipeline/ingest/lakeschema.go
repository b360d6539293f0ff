package ingest

import (
	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/parquetout"
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
