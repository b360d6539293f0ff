package infra_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/xhht/xhht/infra"
	"github.com/xhht/xhht/pipeline/demo"
	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// lakeFor runs the pipeline as the functions do — demo uploads through
// ingest.Processor.Process, then rollup.Build — into a temporary local lake
// and returns its directory.
func lakeFor(t *testing.T, year int, province string, files int) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	uploadsDir, lakeDir := filepath.Join(dir, "uploads"), filepath.Join(dir, "lake")
	p, err := ingest.New(local.New(uploadsDir), local.New(lakeDir))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := demo.NewPlan(p.Registry, year, province)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Files) > files {
		plan.Files = plan.Files[:files]
	}
	for _, f := range plan.Files {
		b, err := demo.Render(f, plan, p.Forms)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Uploads.Put(ctx, f.Key, b, ""); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(uploadsDir, filepath.FromSlash(f.Key)), f.ReceivedAt, f.ReceivedAt); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Process(ctx, ingest.Upload{Bucket: "local", Key: f.Key}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rollup.Build(ctx, rollup.Options{Lake: local.New(lakeDir), Year: year, Province: province, WorkDir: filepath.Join(dir, "work"),
		Log: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	return lakeDir
}

// athenaType is the Athena type of a Parquet leaf column, from its physical
// and logical type: what Athena (Trino) reads it as.
func athenaType(t *testing.T, f parquet.Field) string {
	typ := f.Type()
	var lt format.LogicalTypeValue
	if l := typ.LogicalType(); l != nil {
		lt = l.Value
	}
	switch typ.Kind() {
	case parquet.ByteArray:
		if _, ok := lt.(*format.StringType); ok {
			return "string"
		}
	case parquet.Int32:
		switch l := lt.(type) {
		case nil:
			return "int"
		case *format.IntType:
			if l.BitWidth == 32 && l.IsSigned {
				return "int"
			}
		case *format.DateType:
			return "date"
		}
	case parquet.Int64:
		switch l := lt.(type) {
		case nil:
			return "bigint"
		case *format.IntType:
			if l.BitWidth == 64 && l.IsSigned {
				return "bigint"
			}
		case *format.TimestampType:
			return "timestamp"
		}
	case parquet.Double:
		return "double"
	case parquet.Float:
		return "float"
	case parquet.Boolean:
		return "boolean"
	}
	t.Errorf("column %s: no Athena type for Parquet %v (logical %v)", f.Name(), typ, lt)
	return "?"
}

func parquetColumns(t *testing.T, path string) []infra.GlueColumn {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []infra.GlueColumn
	for _, c := range pf.Schema().Fields() {
		if !c.Leaf() {
			t.Errorf("%s: column %s is nested", path, c.Name())
			continue
		}
		out = append(out, infra.GlueColumn{Name: c.Name(), Type: athenaType(t, c)})
	}
	return out
}

// glueTable is a Glue table as the template declares it.
type glueTable struct {
	columns  []infra.GlueColumn
	location string            // the prefix under the lake bucket
	template string            // storage.location.template, prefix form
	paths    map[string]string // JSON tables: column → field (Ion path extractors)
}

func glueTables(t *testing.T, tp tmpl) map[string]glueTable {
	out := map[string]glueTable{}
	subLake := regexp.MustCompile(`^s3://\$\{LakeBucket\}/`)
	for id, r := range tp.resources("AWS::Glue::Table") {
		in, _ := props(r)["TableInput"].(map[string]any)
		name := str(in["Name"])
		var g glueTable
		cols, _ := get(in, "StorageDescriptor", "Columns").([]any)
		for _, c := range cols {
			g.columns = append(g.columns, infra.GlueColumn{Name: str(get(c, "Name")), Type: str(get(c, "Type"))})
		}
		g.location = subLake.ReplaceAllString(str(get(in, "StorageDescriptor", "Location", "Fn::Sub")), "")
		serde, _ := get(in, "StorageDescriptor", "SerdeInfo", "Parameters").(map[string]any)
		for k, v := range serde {
			if col, ok := strings.CutSuffix(strings.TrimPrefix(k, "ion."), ".path_extractor"); ok && strings.HasPrefix(k, "ion.") {
				if g.paths == nil {
					g.paths = map[string]string{}
				}
				g.paths[col] = strings.TrimSuffix(strings.TrimPrefix(str(v), "("), ")")
			}
		}
		params, _ := in["Parameters"].(map[string]any)
		g.template = subLake.ReplaceAllString(str(get(params, "storage.location.template", "Fn::Sub")), "")
		// Partition projection: every partition key is projected and in
		// the location template.
		if params["projection.enabled"] != "true" {
			t.Errorf("%s: partition projection not enabled", id)
		}
		keys, _ := in["PartitionKeys"].([]any)
		var names []string
		for _, k := range keys {
			n := str(get(k, "Name"))
			names = append(names, n)
			if params["projection."+n+".type"] == nil {
				t.Errorf("%s: partition key %s has no projection type", id, n)
			}
			if !strings.Contains(g.template, n+"=${!"+n+"}/") {
				t.Errorf("%s: storage.location.template %q lacks %s", id, g.template, n)
			}
			if slices.ContainsFunc(g.columns, func(c infra.GlueColumn) bool { return c.Name == n }) {
				t.Errorf("%s: column %s is also a partition key", id, n)
			}
		}
		if !slices.Equal(names, []string{"year", "province"}) {
			t.Errorf("%s: partition keys %v, want [year province]", id, names)
		}
		out[name] = g
	}
	return out
}

// locationOf is the object key's partition directory in the template's
// form: "rollups/level=commune/year=${!year}/province=${!province}/".
var partitionDirs = regexp.MustCompile(`year=\d{4}/province=(\d\d|all)/`)

// TestGlueMatchesParquet runs ingest and a roll-up on demo uploads, reads
// the Parquet files they write, and compares every file's columns (names,
// order, Athena types) and location with the template's Glue tables.
func TestGlueMatchesParquet(t *testing.T) {
	jsonTables := []string{"receipts", "review_status", "review_audit"}
	tp := load(t)
	tables := glueTables(t, tp)
	seen := map[string]bool{}
	check := func(lakeDir string) {
		err := filepath.WalkDir(lakeDir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".parquet") {
				return err
			}
			key := filepath.ToSlash(strings.TrimPrefix(path, lakeDir+string(filepath.Separator)))
			if strings.HasPrefix(key, "rollups/cache/") || strings.HasPrefix(key, "rollups/units=") {
				return nil // the input cache, re-based builds: not Glue tables
			}
			var name string
			for n, g := range tables {
				if strings.HasPrefix(key, g.location) {
					name = n
				}
			}
			if name == "" {
				t.Errorf("%s: no Glue table covers it", key)
				return nil
			}
			g := tables[name]
			rest := strings.TrimPrefix(key, g.location)
			if loc := partitionDirs.FindStringIndex(rest); loc == nil || loc[0] != 0 ||
				g.location+partitionDirs.ReplaceAllString(rest[:loc[1]], "year=$${!year}/province=$${!province}/") != g.template {
				t.Errorf("%s: not under the table %s's location template %s", key, name, g.template)
			}
			got := parquetColumns(t, path)
			if !slices.Equal(got, g.columns) {
				t.Errorf("table %s vs %s:\nParquet %v\nGlue    %v", name, key, got, g.columns)
			}
			seen[name] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		checkReceipts(t, lakeDir, tables["receipts"])
	}
	// 2026: the 2025 register (no districts); 12 uploads are enough for
	// every table, accepted and rejected receipts alike.
	check(lakeFor(t, 2026, "19", 12))
	// Districts exist up to 2024 only.
	if !seen[rollup.Districts] {
		check(lakeFor(t, 2024, "19", 6))
	}
	for name := range tables {
		if !seen[name] && !slices.Contains(jsonTables, name) {
			t.Errorf("table %s: the pipeline wrote no Parquet file for it", name)
		}
	}
}

// checkReceipts compares the receipts the pipeline wrote with the receipts
// table: every JSON field is a column (year → report_year) of a matching
// kind.
func checkReceipts(t *testing.T, lakeDir string, g glueTable) {
	cols := map[string]string{}
	for _, c := range g.columns {
		cols[c.Name] = c.Type
	}
	n := 0
	err := filepath.WalkDir(filepath.Join(lakeDir, "receipts"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		key := filepath.ToSlash(strings.TrimPrefix(path, lakeDir+string(filepath.Separator)))
		if !strings.HasPrefix(key, g.location) || !partitionDirs.MatchString(key) {
			t.Errorf("%s: not under the receipts table's location", key)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("%s: %v", key, err)
			return nil
		}
		for k, v := range m {
			if k == "year" {
				k = infra.ReceiptYearColumn
			}
			typ, ok := cols[k]
			if !ok {
				t.Errorf("%s: field %s is not a column of the receipts table", key, k)
				continue
			}
			if !kindFits(v, typ) {
				t.Errorf("%s: field %s = %v does not fit the column type %s", key, k, v, typ)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Error("the pipeline wrote no receipts")
	}
}

func kindFits(v any, typ string) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return typ == "string"
	case bool:
		return typ == "boolean"
	case float64:
		return typ == "double" || (typ == "bigint" && x == float64(int64(x)))
	case []any:
		return strings.HasPrefix(typ, "array<")
	case map[string]any:
		return strings.HasPrefix(typ, "map<") || strings.HasPrefix(typ, "struct<")
	}
	return false
}
