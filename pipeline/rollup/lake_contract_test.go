package rollup_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/rollup"
)

// TestTablesAreTheLakeContracts: the roll-up writes exactly the tables the
// lake contract has folders for (and Glue tables are generated for).
func TestTablesAreTheLakeContracts(t *testing.T) {
	tables := slices.Sorted(slices.Values(rollup.Tables))
	if want := lake.RollupTables(); !slices.Equal(tables, want) {
		t.Errorf("rollup.Tables %v, lake.RollupTables %v", tables, want)
	}
}

var alternatives = regexp.MustCompile(`<[^<>|]*\|[^<>]*>`)

// TestColumnsDocPathsMatchLake: every lake path docs/ROLLUP_COLUMNS.md
// names, with its placeholders filled in, is a key or prefix the lake
// contract builds, and the doc names the folder of every table.
func TestColumnsDocPathsMatchLake(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	paths := regexp.MustCompile("`lake/([^`]+)`").FindAllStringSubmatch(string(doc), -1)
	if len(paths) == 0 {
		t.Fatal("docs/ROLLUP_COLUMNS.md names no lake path")
	}
	// The keys the contract builds for year 2026, province 19 and the
	// nation, build "B", plain and re-based.
	valid := map[string]bool{}
	for _, prefix := range []string{lake.RollupsPrefix, lake.RollupUnitsPrefix("R")} {
		valid[prefix] = true
		for _, p := range []string{"19", lake.NationCode} {
			valid[lake.ManifestKey(prefix, 2026, p)] = true
			for _, table := range lake.RollupTables() {
				valid[lake.RollupFileKey(prefix, table, 2026, p, "B")] = true
			}
		}
	}
	fill := strings.NewReplacer("<Y>", "2026", "<P>", "19", "<build id>", "B", "<register>", "R")
	covered := map[string]bool{}
	for _, m := range paths {
		// Expand the alternatives <a|b|…> (P: province 19), then fill
		// the placeholders.
		expanded := []string{m[1]}
		for {
			var next []string
			for _, p := range expanded {
				loc := alternatives.FindStringIndex(p)
				if loc == nil {
					next = append(next, p)
					continue
				}
				for _, alt := range strings.Split(p[loc[0]+1:loc[1]-1], "|") {
					if alt == "P" {
						alt = "19"
					}
					next = append(next, p[:loc[0]]+alt+p[loc[1]:])
				}
			}
			if len(next) == len(expanded) {
				break
			}
			expanded = next
		}
		for _, p := range expanded {
			key := fill.Replace(p)
			if !valid[key] {
				t.Errorf("docs/ROLLUP_COLUMNS.md names lake/%s (as %s), which the lake contract does not build", m[1], key)
			}
			covered[key] = true
		}
	}
	for _, table := range lake.RollupTables() {
		if table == rollup.Nation {
			continue // national only: covered with province=all
		}
		if key := lake.RollupFileKey(lake.RollupsPrefix, table, 2026, "19", "B"); !covered[key] {
			t.Errorf("docs/ROLLUP_COLUMNS.md does not name the folder of %s (%s)", table, key)
		}
	}
}
