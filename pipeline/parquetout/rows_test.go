package parquetout

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// encodeByStruct is Encode as it was written first: each row set into a
// struct of the schema's type by reflection and handed to Writer.Write.
// Encode must give the same bytes.
func (s *Schema) encodeByStruct(rows []map[string]any, meta map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	opts := []parquet.WriterOption{s.schema, parquet.Compression(&parquet.Snappy)}
	for _, k := range slices.Sorted(maps.Keys(meta)) {
		opts = append(opts, parquet.KeyValueMetadata(k, meta[k]))
	}
	w := parquet.NewWriter(&buf, opts...)
	for i, row := range rows {
		v, err := s.structOf(row)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
		if err := w.Write(v.Interface()); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (s *Schema) structOf(row map[string]any) (reflect.Value, error) {
	v := reflect.New(s.typ)
	for j, c := range s.Columns {
		val, ok := row[c.Name]
		if !ok || val == nil {
			if !c.Optional {
				return v, fmt.Errorf("required column %q is null", c.Name)
			}
			continue
		}
		if err := set(v.Elem().Field(j), c, val); err != nil {
			return v, err
		}
	}
	return v, nil
}

type code string // a named type, as the lake's enums are

var testCols = []Column{
	{Name: "id", Type: String}, {Name: "n", Type: Int64, Optional: true}, {Name: "year", Type: Int32},
	{Name: "score", Type: Double, Optional: true}, {Name: "ok", Type: Bool, Optional: true},
	{Name: "at", Type: Timestamp}, {Name: "at2", Type: Timestamp, Optional: true},
	{Name: "note", Type: String, Optional: true}, {Name: "grade", Type: String, Optional: true},
}

func randomRows(rng *rand.Rand, n int) []map[string]any {
	at := time.Date(2026, 11, 20, 3, 4, 5, 123456789, time.FixedZone("ICT", 7*3600))
	var rows []map[string]any
	for i := range n {
		r := map[string]any{"id": fmt.Sprintf("Thôn %d", i), "year": int32(2014 + i%13), "at": at.Add(time.Duration(i) * time.Second)}
		if rng.IntN(4) > 0 {
			r["n"] = int64(rng.IntN(1000))
		}
		if rng.IntN(4) > 0 {
			r["score"] = rng.Float64() * 100
		}
		if rng.IntN(3) > 0 {
			r["ok"] = rng.IntN(2) == 0
		}
		if rng.IntN(2) > 0 {
			r["at2"] = int64(rng.IntN(1 << 40))
		}
		if rng.IntN(2) > 0 {
			r["note"] = "ghi chú " + fmt.Sprint(rng.IntN(50))
		} else if rng.IntN(2) > 0 {
			r["note"] = nil
		}
		if rng.IntN(2) > 0 {
			r["grade"] = code([]string{"tot", "kha", "trung-binh"}[rng.IntN(3)])
		}
		rows = append(rows, r)
	}
	return rows
}

func TestEncodeRowsAreThoseOfTheStruct(t *testing.T) {
	s, err := NewSchema("t", testCols)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 30, 5000} {
		rows := randomRows(rng, n)
		for i, row := range rows {
			v, err := s.structOf(row)
			if err != nil {
				t.Fatal(err)
			}
			want := s.schema.Deconstruct(nil, v.Interface())
			got, err := s.row(nil, row)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(want) {
				t.Fatalf("row %d: %v, Deconstruct gives %v", i, got, want)
			}
		}
		meta := map[string]string{"form": "bieu01", "a": "b"}
		want, err := s.encodeByStruct(rows, meta)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Encode(rows, meta)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%d rows: Encode gives %d bytes, different from the struct path's %d", n, len(got), len(want))
		}
	}
}

func TestEncodeRejectsWhatSetRejects(t *testing.T) {
	s, err := NewSchema("t", testCols)
	if err != nil {
		t.Fatal(err)
	}
	base := func() map[string]any {
		return map[string]any{"id": "x", "year": int32(2026), "at": time.Unix(0, 0)}
	}
	for name, change := range map[string]func(map[string]any){
		"int for int64":     func(r map[string]any) { r["n"] = 5 },
		"int64 for int32":   func(r map[string]any) { r["year"] = int64(2026) },
		"string for bool":   func(r map[string]any) { r["ok"] = "có" },
		"time for a string": func(r map[string]any) { r["note"] = time.Now() },
		"float32":           func(r map[string]any) { r["score"] = float32(1) },
		"required null":     func(r map[string]any) { r["id"] = nil },
		"required missing":  func(r map[string]any) { delete(r, "at") },
	} {
		r := base()
		change(r)
		if _, err := s.structOf(r); err == nil {
			t.Fatalf("%s: the struct path accepts it: bad test", name)
		}
		if _, err := s.Encode([]map[string]any{r}, nil); err == nil {
			t.Errorf("%s: Encode accepts it", name)
		}
	}
}
