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
	"unsafe"

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
	w := s.NewWriter(meta)
	for i, row := range rows {
		if err := s.row(w, row); err != nil {
			return nil, fmt.Errorf("parquetout: row %d: %w", i, err)
		}
		if err := w.EndRow(); err != nil {
			return nil, err
		}
	}
	return w.Close()
}

// kinds is the Go kind each column type takes (a Timestamp as int64
// microseconds, after a time.Time is converted).
var kinds = map[string]reflect.Kind{String: reflect.String, Int64: reflect.Int64, Int32: reflect.Int32,
	Double: reflect.Float64, Bool: reflect.Bool, Timestamp: reflect.Int64}

// row gives one row's values to w in column order. The types accepted are
// set's: a value of the column's kind (named types too), or a time.Time
// for a Timestamp.
func (s *Schema) row(w *Writer, row map[string]any) error {
	for _, c := range s.Columns {
		val, ok := row[c.Name]
		if !ok || val == nil {
			if !c.Optional {
				return fmt.Errorf("required column %q is null", c.Name)
			}
			w.Null()
			continue
		}
		if t, ok := val.(time.Time); ok {
			if c.Type != Timestamp {
				return fmt.Errorf("column %q: time for %s", c.Name, c.Type)
			}
			val = t.UTC().UnixMicro()
		}
		rv := reflect.ValueOf(val)
		if rv.Kind() != kinds[c.Type] {
			return fmt.Errorf("column %q: %T is not %s", c.Name, val, c.Type)
		}
		switch rv.Kind() {
		case reflect.String:
			w.String(rv.String())
		case reflect.Int64:
			w.value(parquet.Int64Value(rv.Int()), c.Type)
		case reflect.Int32:
			w.Int32(int32(rv.Int()))
		case reflect.Float64:
			w.Double(rv.Float())
		case reflect.Bool:
			w.Bool(rv.Bool())
		}
	}
	return w.err
}

// Writer writes the rows of one Parquet file value by value, in column
// order: Null or the setter of the column's type for each column, then
// EndRow. It builds each parquet.Row directly, as the one Writer.Write
// would deconstruct from a struct of the schema's type (same values,
// levels and columns; TestEncodeRowsAreThoseOfTheStruct), and writes the
// rows one at a time as Write does, so the bytes are the same: parquet-go
// flushes a page after the write that fills it, so writing rows in batches
// would move page boundaries. The first error (a value of the wrong type,
// a null in a required column, a short row) sticks: EndRow and Close
// return it.
type Writer struct {
	s    *Schema
	buf  bytes.Buffer
	w    *parquet.Writer
	rows []parquet.Row // one row, its values reused
	rowN int           // rows written
	err  error
}

// NewWriter starts a file with the schema and the key-value metadata.
func (s *Schema) NewWriter(meta map[string]string) *Writer {
	w := &Writer{s: s, rows: make([]parquet.Row, 1)}
	opts := []parquet.WriterOption{s.schema, parquet.Compression(&parquet.Snappy)}
	for _, k := range slices.Sorted(maps.Keys(meta)) {
		opts = append(opts, parquet.KeyValueMetadata(k, meta[k]))
	}
	w.w = parquet.NewWriter(&w.buf, opts...)
	w.rows[0] = make(parquet.Row, 0, len(s.Columns))
	return w
}

// value appends v as the next column's value, which must be of type typ: a
// value of an optional column is at definition level 1.
func (w *Writer) value(v parquet.Value, typ string) {
	j := len(w.rows[0])
	if w.err != nil {
		return
	}
	if j >= len(w.s.Columns) {
		w.err = fmt.Errorf("parquetout: row %d: more values than the %d columns", w.rowN, len(w.s.Columns))
		return
	}
	c := w.s.Columns[j]
	if c.Type != typ {
		w.err = fmt.Errorf("parquetout: row %d: column %q: %s is not %s", w.rowN, c.Name, typ, c.Type)
		return
	}
	def := 0
	if c.Optional {
		def = 1
	}
	w.rows[0] = append(w.rows[0], v.Level(0, def, j))
}

// Null makes the next column null (the null value at definition level 0).
func (w *Writer) Null() {
	j := len(w.rows[0])
	if w.err != nil {
		return
	}
	if j >= len(w.s.Columns) {
		w.err = fmt.Errorf("parquetout: row %d: more values than the %d columns", w.rowN, len(w.s.Columns))
		return
	}
	if c := w.s.Columns[j]; !c.Optional {
		w.err = fmt.Errorf("parquetout: row %d: required column %q is null", w.rowN, c.Name)
		return
	}
	w.rows[0] = append(w.rows[0], parquet.Value{}.Level(0, 0, j))
}

// String sets the next column, of type String. The value refers to v's
// bytes without copying them (as parquet.ValueOf does): parquet-go copies
// them into its column buffer when the row is written.
func (w *Writer) String(v string) {
	w.value(parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(v), len(v))), String)
}

// Int64 sets the next column, of type Int64.
func (w *Writer) Int64(v int64) { w.value(parquet.Int64Value(v), Int64) }

// Int32 sets the next column, of type Int32.
func (w *Writer) Int32(v int32) { w.value(parquet.Int32Value(v), Int32) }

// Double sets the next column, of type Double.
func (w *Writer) Double(v float64) { w.value(parquet.DoubleValue(v), Double) }

// Bool sets the next column, of type Bool.
func (w *Writer) Bool(v bool) { w.value(parquet.BooleanValue(v), Bool) }

// Time sets the next column, of type Timestamp (microseconds, UTC).
func (w *Writer) Time(t time.Time) { w.value(parquet.Int64Value(t.UTC().UnixMicro()), Timestamp) }

// EndRow writes the row whose values were set.
func (w *Writer) EndRow() error {
	if w.err != nil {
		return w.err
	}
	if n := len(w.rows[0]); n != len(w.s.Columns) {
		w.err = fmt.Errorf("parquetout: row %d: %d values for %d columns", w.rowN, n, len(w.s.Columns))
		return w.err
	}
	if _, err := w.w.WriteRows(w.rows); err != nil {
		w.err = fmt.Errorf("parquetout: write row %d: %w", w.rowN, err)
		return w.err
	}
	w.rows[0] = w.rows[0][:0]
	w.rowN++
	return nil
}

// Close ends the file and returns its bytes, or the first error.
func (w *Writer) Close() ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	if n := len(w.rows[0]); n != 0 {
		return nil, fmt.Errorf("parquetout: row %d: %d values set, not ended", w.rowN, n)
	}
	if err := w.w.Close(); err != nil {
		return nil, fmt.Errorf("parquetout: close: %w", err)
	}
	return w.buf.Bytes(), nil
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
