// Package parquetout writes rows to Parquet with a schema built at run time
// from the form definitions, in a fixed column order, deterministically: the
// same rows always give the same bytes.
package parquetout

import (
	"bytes"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"

	"github.com/parquet-go/parquet-go"
)

// Column types.
const (
	String    = "string"
	Int64     = "int64"
	Int32     = "int32"
	Double    = "double"
	Bool      = "bool"
	Timestamp = "timestamp" // UTC, microseconds
)

// Column is one Parquet column.
type Column struct {
	Name     string
	Type     string
	Optional bool // nullable; required columns never hold null
	Doc      string
}

// Schema is a compiled column list.
type Schema struct {
	Columns []Column
	typ     reflect.Type
	schema  *parquet.Schema
}

// NewSchema compiles columns into a Go struct type (reflect.StructOf), so
// parquet-go keeps our column order instead of sorting names.
func NewSchema(name string, cols []Column) (*Schema, error) {
	fields := make([]reflect.StructField, len(cols))
	seen := map[string]bool{}
	for i, c := range cols {
		if seen[c.Name] {
			return nil, fmt.Errorf("parquetout: column %q repeated", c.Name)
		}
		seen[c.Name] = true
		var t reflect.Type
		tag := c.Name
		switch c.Type {
		case String:
			t = reflect.TypeOf("")
		case Int64:
			t = reflect.TypeOf(int64(0))
		case Int32:
			t = reflect.TypeOf(int32(0))
		case Double:
			t = reflect.TypeOf(float64(0))
		case Bool:
			t = reflect.TypeOf(false)
		case Timestamp:
			// int64 microseconds, not time.Time: explicit and portable.
			t = reflect.TypeOf(int64(0))
			tag += ",timestamp(microsecond)"
		default:
			return nil, fmt.Errorf("parquetout: column %q: unknown type %q", c.Name, c.Type)
		}
		if c.Optional {
			t = reflect.PointerTo(t)
			tag += ",optional"
		}
		fields[i] = reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: t, Tag: reflect.StructTag(`parquet:"` + tag + `"`)}
	}
	typ := reflect.StructOf(fields)
	return &Schema{Columns: cols, typ: typ, schema: parquet.SchemaOf(reflect.New(typ).Interface())}, nil
}

// Encode writes rows (column name → value; nil or absent = null) to one
// Parquet file. Values: string, int64, int32, float64, bool, time.Time.
func (s *Schema) Encode(rows []map[string]any, meta map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	opts := []parquet.WriterOption{s.schema, parquet.Compression(&parquet.Snappy)}
	for _, k := range slices.Sorted(maps.Keys(meta)) {
		opts = append(opts, parquet.KeyValueMetadata(k, meta[k]))
	}
	w := parquet.NewWriter(&buf, opts...)
	// Each row is built as the parquet.Row that Write would deconstruct
	// from the struct (same values, levels and columns; tested), without
	// reflection, and written one at a time as Write does: same bytes.
	prow := make([]parquet.Row, 1)
	for i, row := range rows {
		r, err := s.row(prow[0][:0], row)
		if err != nil {
			return nil, fmt.Errorf("parquetout: row %d: %w", i, err)
		}
		prow[0] = r
		if _, err := w.WriteRows(prow); err != nil {
			return nil, fmt.Errorf("parquetout: write row %d: %w", i, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("parquetout: close: %w", err)
	}
	return buf.Bytes(), nil
}

// kinds is the Go kind each column type takes (a Timestamp as int64
// microseconds, after a time.Time is converted).
var kinds = map[string]reflect.Kind{String: reflect.String, Int64: reflect.Int64, Int32: reflect.Int32,
	Double: reflect.Float64, Bool: reflect.Bool, Timestamp: reflect.Int64}

// row appends one row's values to dst in column order: a null is the null
// value at definition level 0, a value of an optional column is at level 1.
// The types accepted are set's: a value of the column's kind (named types
// too), or a time.Time for a Timestamp.
func (s *Schema) row(dst parquet.Row, row map[string]any) (parquet.Row, error) {
	for j, c := range s.Columns {
		val, ok := row[c.Name]
		if !ok || val == nil {
			if !c.Optional {
				return nil, fmt.Errorf("required column %q is null", c.Name)
			}
			dst = append(dst, parquet.Value{}.Level(0, 0, j))
			continue
		}
		if t, ok := val.(time.Time); ok {
			if c.Type != Timestamp {
				return nil, fmt.Errorf("column %q: time for %s", c.Name, c.Type)
			}
			val = t.UTC().UnixMicro()
		}
		if reflect.TypeOf(val).Kind() != kinds[c.Type] {
			return nil, fmt.Errorf("column %q: %T is not %s", c.Name, val, c.Type)
		}
		def := 0
		if c.Optional {
			def = 1
		}
		dst = append(dst, parquet.ValueOf(val).Level(0, def, j))
	}
	return dst, nil
}

// set stores val in a field of the schema's struct type: the definition of
// row, which the tests compare it with.
func set(f reflect.Value, c Column, val any) error {
	if t, ok := val.(time.Time); ok {
		if c.Type != Timestamp {
			return fmt.Errorf("column %q: time for %s", c.Name, c.Type)
		}
		val = t.UTC().UnixMicro()
	}
	rv := reflect.ValueOf(val)
	target := f.Type()
	if c.Optional {
		target = target.Elem()
	}
	if !rv.Type().ConvertibleTo(target) || rv.Kind() != target.Kind() {
		return fmt.Errorf("column %q: %T is not %s", c.Name, val, c.Type)
	}
	rv = rv.Convert(target) // named types (type code string) to the plain one
	if c.Optional {
		p := reflect.New(target)
		p.Elem().Set(rv)
		f.Set(p)
		return nil
	}
	f.Set(rv)
	return nil
}
