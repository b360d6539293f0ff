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
			w := s.NewWriter(nil)
			if err := s.row(w, row); err != nil {
				t.Fatal(err)
			}
			if got := w.rows[0]; !got.Equal(want) {
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

// The typed setters, as ingest calls them, give the bytes of Encode (and so
// of the struct path) for the same rows.
func TestWriterSettersGiveEncodesBytes(t *testing.T) {
	s, err := NewSchema("t", testCols)
	if err != nil {
		t.Fatal(err)
	}
	rows := randomRows(rand.New(rand.NewPCG(5, 6)), 5000)
	meta := map[string]string{"form": "bieu01"}
	want, err := s.Encode(rows, meta)
	if err != nil {
		t.Fatal(err)
	}
	w := s.NewWriter(meta)
	for _, r := range rows {
		w.String(r["id"].(string))
		if n, ok := r["n"].(int64); ok {
			w.Int64(n)
		} else {
			w.Null()
		}
		w.Int32(r["year"].(int32))
		if f, ok := r["score"].(float64); ok {
			w.Double(f)
		} else {
			w.Null()
		}
		if b, ok := r["ok"].(bool); ok {
			w.Bool(b)
		} else {
			w.Null()
		}
		w.Time(r["at"].(time.Time))
		if at2, ok := r["at2"].(int64); ok {
			w.Time(time.UnixMicro(at2))
		} else {
			w.Null()
		}
		if note, ok := r["note"].(string); ok {
			w.String(note)
		} else {
			w.Null()
		}
		if g, ok := r["grade"].(code); ok {
			w.String(string(g))
		} else {
			w.Null()
		}
		if err := w.EndRow(); err != nil {
			t.Fatal(err)
		}
	}
	got, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the setters give %d bytes, different from Encode's %d", len(got), len(want))
	}
}

func TestWriterRejectsBadRows(t *testing.T) {
	s, err := NewSchema("t", testCols[:3]) // id string, n optional int64, year int32
	if err != nil {
		t.Fatal(err)
	}
	for name, fill := range map[string]func(w *Writer){
		"int64 for a string":   func(w *Writer) { w.Int64(1); w.Null(); w.Int32(2026) },
		"int32 for an int64":   func(w *Writer) { w.String("x"); w.Int32(1); w.Int32(2026) },
		"null in required":     func(w *Writer) { w.String("x"); w.Null(); w.Null() },
		"short row":            func(w *Writer) { w.String("x"); w.Null() },
		"one value too many":   func(w *Writer) { w.String("x"); w.Null(); w.Int32(2026); w.Bool(true) },
		"null after the row":   func(w *Writer) { w.String("x"); w.Null(); w.Int32(2026); w.Null() },
		"time for an int32":    func(w *Writer) { w.String("x"); w.Null(); w.Time(time.Unix(0, 0)) },
		"double for an int64":  func(w *Writer) { w.String("x"); w.Double(1); w.Int32(2026) },
		"string for an int32":  func(w *Writer) { w.String("x"); w.Null(); w.String("2026") },
		"bool for a string":    func(w *Writer) { w.Bool(true); w.Null(); w.Int32(2026) },
		"error sticks, row ok": func(w *Writer) { w.Bool(true); w.String("x"); w.Null(); w.Int32(2026) },
	} {
		w := s.NewWriter(nil)
		fill(w)
		if err := w.EndRow(); err == nil {
			t.Errorf("%s: EndRow accepts it", name)
		}
		if _, err := w.Close(); err == nil {
			t.Errorf("%s: Close accepts it", name)
		}
	}
	w := s.NewWriter(nil)
	w.String("x")
	if _, err := w.Close(); err == nil {
		t.Error("Close accepts a row that was not ended")
	}
	w = s.NewWriter(nil)
	w.String("x")
	w.Null()
	w.Int32(2026)
	if err := w.EndRow(); err != nil {
		t.Fatal(err)
	}
	if b, err := w.Close(); err != nil || len(b) == 0 {
		t.Errorf("a good row: %d bytes, %v", len(b), err)
	}
}
