package infra_test

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/infra"
	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/parquetout"
)

// athenaOf is how Athena reads each column type of the lake contract,
// written out here rather than taken from generate.go, so that a wrong
// mapping there fails.
var athenaOf = map[string]string{
	parquetout.String: "string", parquetout.Int32: "int", parquetout.Int64: "bigint",
	parquetout.Double: "double", parquetout.Bool: "boolean", parquetout.Timestamp: "timestamp",
}

// TestGlueMatchesLakeContract: every Glue table of the template sits where
// pipeline/lake puts its files, and the submissions table has the
// contract's columns. It needs no pipeline run, so it names the
// disagreement directly; TestGlueMatchesParquet checks the same tables
// against real files.
func TestGlueMatchesLakeContract(t *testing.T) {
	notRollups := []string{"submissions", "receipts", "review_status", "review_audit"}
	tp := load(t)
	tables := glueTables(t, tp)
	k := lake.Key{Year: 2026, Province: "19", Commune: "05443"}
	// fill puts a partition's values in a table's location template.
	fill := func(g glueTable, province string) string {
		return strings.NewReplacer("${!year}", "2026", "${!province}", province).Replace(g.template)
	}
	under := func(name, province, key string) {
		t.Helper()
		g, ok := tables[name]
		if !ok {
			t.Errorf("the template has no Glue table %s", name)
			return
		}
		if !strings.HasPrefix(key, g.location) || !strings.HasPrefix(key, fill(g, province)) {
			t.Errorf("Glue table %s (location %s, template %s) does not cover the lake key %s", name, g.location, g.template, key)
		}
	}
	under("submissions", "19", lake.SubmissionKey(k, "id"))
	under("receipts", "19", lake.ReceiptKey(k, "id"))
	if g := tables["submissions"]; g.location != lake.SubmissionsPrefix {
		t.Errorf("submissions: location %q, want %q", g.location, lake.SubmissionsPrefix)
	}
	if g := tables["receipts"]; g.location != lake.ReceiptsPrefix {
		t.Errorf("receipts: location %q, want %q", g.location, lake.ReceiptsPrefix)
	}
	// Issue 15: the province review's objects.
	under("review_status", "19", lake.ReviewKey(2026, "19", "05443"))
	under("review_audit", "19", lake.AuditKey(2026, "19", "05443", time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC), "0a1b2c3d"))
	for name, prefix := range map[string]string{"review_status": lake.ReviewsPrefix, "review_audit": lake.AuditPrefix} {
		if g := tables[name]; g.location != prefix {
			t.Errorf("%s: location %q, want %q", name, g.location, prefix)
		}
		// year, province and commune are read into columns of other names
		// (year and province are the partition keys).
		want := map[string]string{"report_year": "year", "province_code": "province", "commune_code": "commune"}
		if g := tables[name]; !maps.Equal(g.paths, want) {
			t.Errorf("%s: path extractors %v, want %v", name, g.paths, want)
		}
	}

	var want []infra.GlueColumn
	for _, c := range lake.SubmissionColumns(forms.MustLoad()) {
		want = append(want, infra.GlueColumn{Name: c.Name, Type: athenaOf[c.Type]})
	}
	if got := tables["submissions"].columns; !slices.Equal(got, want) {
		t.Errorf("submissions columns:\nGlue %v\nlake %v", got, want)
	}

	// Roll-up tables: exactly the contract's, each at its folder, the
	// national ones projected over lake.NationCode too.
	var rollups []string
	for name := range tables {
		if !slices.Contains(notRollups, name) {
			rollups = append(rollups, name)
		}
	}
	slices.Sort(rollups)
	if want := lake.RollupTables(); !slices.Equal(rollups, want) {
		t.Errorf("Glue roll-up tables %v, lake contract %v", rollups, want)
	}
	for _, name := range rollups {
		dir, ok := lake.RollupTableDir(name)
		if !ok {
			continue // reported above
		}
		if g := tables[name]; g.location != lake.RollupsPrefix+dir {
			t.Errorf("%s: location %q, want %q", name, g.location, lake.RollupsPrefix+dir)
		}
		under(name, "19", lake.RollupFileKey(lake.RollupsPrefix, name, 2026, "19", "build"))
		if name == "nation" || name == "completeness" {
			under(name, lake.NationCode, lake.RollupFileKey(lake.RollupsPrefix, name, 2026, lake.NationCode, "build"))
		}
	}
	for id, r := range tp.resources("AWS::Glue::Table") {
		in, _ := props(r)["TableInput"].(map[string]any)
		params, _ := in["Parameters"].(map[string]any)
		name := str(in["Name"])
		if yr := str(params["projection.year.range"]); !strings.HasPrefix(yr, strconv.Itoa(lake.FirstYear)+",") {
			t.Errorf("%s: projection.year.range %q does not start at lake.FirstYear %d", id, yr, lake.FirstYear)
		}
		provs := strings.Split(str(params["projection.province.values"]), ",")
		national := slices.Contains(provs, lake.NationCode)
		if wantNational := name == "nation" || name == "completeness"; national != wantNational {
			t.Errorf("%s: province projection includes %q: %v, want %v", id, lake.NationCode, national, wantNational)
		}
	}
}
