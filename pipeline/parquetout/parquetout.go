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
	for i, row := range rows {
		v := reflect.New(s.typ)
		for j, c := range s.Columns {
			val, ok := row[c.Name]
			if !ok || val == nil {
				if !c.Optional {
					return nil, fmt.Errorf("parquetout: row %d: required column %q is null", i, c.Name)
				}
				continue
			}
			if err := set(v.Elem().Field(j), c, val); err != nil {
				return nil, fmt.Errorf("parquetout: row %d: %w", i, err)
			}
		}
		if err := w.Write(v.Interface()); err != nil {
			return nil, fmt.Errorf("parquetout: write row %d: %w", i, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("parquetout: close: %w", err)
	}
	return buf.Bytes(), nil
}

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
