package parquetout_test

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/xhht/xhht/pipeline/parquetout"
)

var cols = []parquetout.Column{
	{Name: "zeta_id", Type: parquetout.String},
	{Name: "alpha_count", Type: parquetout.Int64, Optional: true},
	{Name: "mid_year", Type: parquetout.Int32},
	{Name: "b_score", Type: parquetout.Double, Optional: true},
	{Name: "a_flag", Type: parquetout.Bool, Optional: true},
	{Name: "received_at", Type: parquetout.Timestamp},
	{Name: "note", Type: parquetout.String, Optional: true},
}

func schema(t *testing.T) *parquetout.Schema {
	t.Helper()
	s, err := parquetout.NewSchema("row", cols)
	if err != nil {
		t.Fatalf("NewSchema: %v", err)
	}
	return s
}

var at = time.Date(2026, 11, 20, 3, 4, 5, 123456789, time.FixedZone("ICT", 7*3600))

func sampleRows() []map[string]any {
	return []map[string]any{
		{"zeta_id": "a", "alpha_count": int64(0), "mid_year": int32(2026), "b_score": 69.5, "a_flag": false, "received_at": at, "note": ""},
		{"zeta_id": "b", "mid_year": int32(2026), "received_at": at, "alpha_count": nil},
	}
}

func readBack(t *testing.T, b []byte) (*parquet.File, []map[string]any) {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	r := parquet.NewGenericReader[map[string]any](bytes.NewReader(b), f.Schema())
	defer r.Close()
	rows := make([]map[string]any, f.NumRows())
	for i := range rows {
		rows[i] = map[string]any{}
	}
	n, err := r.Read(rows)
	if err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("Read: %v", err)
	}
	return f, rows[:n]
}

func TestColumnOrderAndTypes(t *testing.T) {
	b, err := schema(t).Encode(sampleRows(), nil)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := readBack(t, b)
	var names []string
	for _, fl := range f.Schema().Fields() {
		names = append(names, fl.Name())
	}
	want := []string{"zeta_id", "alpha_count", "mid_year", "b_score", "a_flag", "received_at", "note"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("columns = %v, want %v (the given order, not sorted)", names, want)
	}
	optional := map[string]bool{"alpha_count": true, "b_score": true, "a_flag": true, "note": true}
	for _, fl := range f.Schema().Fields() {
		if fl.Optional() != optional[fl.Name()] {
			t.Errorf("%s optional = %v", fl.Name(), fl.Optional())
		}
	}
	if ts := f.Schema().Fields()[5].Type().String(); ts != "TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)" {
		t.Errorf("received_at type = %s, want TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", ts)
	}
}

func TestValuesRoundTrip(t *testing.T) {
	b, err := schema(t).Encode(sampleRows(), map[string]string{"xhht.submission_id": "abc", "other": "x"})
	if err != nil {
		t.Fatal(err)
	}
	f, rows := readBack(t, b)
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	micros := at.UTC().UnixMicro() // 2026-11-19T20:04:05.123456Z
	want0 := map[string]any{"zeta_id": "a", "alpha_count": int64(0), "mid_year": int32(2026), "b_score": 69.5, "a_flag": false, "received_at": micros, "note": ""}
	want1 := map[string]any{"zeta_id": "b", "alpha_count": nil, "mid_year": int32(2026), "b_score": nil, "a_flag": nil, "received_at": micros, "note": nil}
	for i, want := range []map[string]any{want0, want1} {
		for k, w := range want {
			if got := rows[i][k]; !reflect.DeepEqual(got, w) {
				t.Errorf("row %d %s = %#v, want %#v", i, k, got, w)
			}
		}
	}
	if v, ok := f.Lookup("xhht.submission_id"); !ok || v != "abc" {
		t.Errorf("metadata xhht.submission_id = %q, %v", v, ok)
	}
}

func TestEncodeErrors(t *testing.T) {
	base := func(k string, v any) map[string]any {
		r := map[string]any{"zeta_id": "a", "mid_year": int32(2026), "received_at": at}
		if v == nil {
			delete(r, k)
			r[k] = nil
		} else {
			r[k] = v
		}
		return r
	}
	without := func(k string) map[string]any { r := base("note", "x"); delete(r, k); return r }
	tests := []struct {
		name string
		row  map[string]any
		want string // part of the error; the column name
	}{
		{"required column absent", without("zeta_id"), "zeta_id"},
		{"required column nil", base("mid_year", nil), "mid_year"},
		{"required timestamp absent", without("received_at"), "received_at"},
		{"int for int64", base("alpha_count", 5), "alpha_count"},
		{"string for int64", base("alpha_count", "5"), "alpha_count"},
		{"int64 for int32", base("mid_year", int64(2026)), "mid_year"},
		{"float32 for double", base("b_score", float32(1.5)), "b_score"},
		{"int64 for double", base("b_score", int64(85)), "b_score"},
		{"string for bool", base("a_flag", "Có"), "a_flag"},
		{"time for string", base("note", at), "note"},
		{"string for timestamp", base("received_at", "2026-11-20"), "received_at"},
		{"pointer for string", base("zeta_id", new(string)), "zeta_id"},
	}
	s := schema(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						err = nil
						t.Errorf("Encode panicked: %v", p)
					}
				}()
				_, err = s.Encode([]map[string]any{base("note", "ok"), tt.row}, nil)
			}()
			if t.Failed() {
				return
			}
			if err == nil {
				t.Fatal("Encode accepted the row")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "row 1") {
				t.Errorf("error %q should name row 1 and column %s", err, tt.want)
			}
		})
	}
}

func TestNewSchemaErrors(t *testing.T) {
	tests := []struct {
		name string
		cols []parquetout.Column
	}{
		{"repeated column", []parquetout.Column{{Name: "a", Type: parquetout.String}, {Name: "a", Type: parquetout.Int64}}},
		{"unknown type", []parquetout.Column{{Name: "a", Type: "decimal"}}},
	}
	for _, tt := range tests {
		if _, err := parquetout.NewSchema("x", tt.cols); err == nil {
			t.Errorf("%s: NewSchema accepted it", tt.name)
		}
	}
}

func TestDeterministicBytes(t *testing.T) {
	meta := map[string]string{"z": "1", "a": "2", "m": "3", "xhht.submission_id": "abc", "b": "4"}
	first, err := schema(t).Encode(sampleRows(), meta)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		// A fresh schema and fresh maps each time: map order must not leak.
		m := map[string]string{}
		for k, v := range meta {
			m[k] = v
		}
		b, err := schema(t).Encode(sampleRows(), m)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, first) {
			t.Fatalf("run %d: %d bytes differ from the first run's %d", i, len(b), len(first))
		}
	}
	other, err := schema(t).Encode(sampleRows()[:1], meta)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other, first) {
		t.Error("different rows gave the same bytes")
	}
	empty, err := schema(t).Encode(nil, nil)
	if err != nil {
		t.Fatalf("no rows: %v", err)
	}
	if f, rows := readBack(t, empty); f.NumRows() != 0 || len(rows) != 0 {
		t.Errorf("no rows: file has %d", f.NumRows())
	}
}

// A value of a named type (type code string) is either converted or
// refused with an error; it must not panic inside reflect.
func TestNamedTypeDoesNotPanic(t *testing.T) {
	type code string
	type count int64
	tests := []struct {
		col string
		val any
		out any
	}{
		{"note", code("x"), "x"},
		{"alpha_count", count(7), int64(7)},
	}
	for _, tt := range tests {
		t.Run(tt.col, func(t *testing.T) {
			row := map[string]any{"zeta_id": "a", "mid_year": int32(2026), "received_at": at, tt.col: tt.val}
			var b []byte
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("Encode panicked: %v", p)
					}
				}()
				b, err = schema(t).Encode([]map[string]any{row}, nil)
			}()
			if err != nil {
				if !strings.Contains(err.Error(), tt.col) {
					t.Errorf("error %q does not name %s", err, tt.col)
				}
				return
			}
			if _, rows := readBack(t, b); len(rows) != 1 || !reflect.DeepEqual(rows[0][tt.col], tt.out) {
				t.Errorf("stored %#v, want %#v", rows, tt.out)
			}
		})
	}
}
