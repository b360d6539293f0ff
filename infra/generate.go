// Package infra keeps the generated parts of infra/template.yaml in step
// with the code: the EventBridge Scheduler schedules (from schemas/deadlines
// through deadlines.ScheduleJSON) and the Glue tables (from the column
// dictionaries the code writes its Parquet with). Everything else in the
// template is written by hand; this package's tests check it against the
// code and the CloudFormation resource specification.
//
// Generated parts sit between two comment lines,
//
//	# BEGIN GENERATED <name>
//	# END GENERATED <name>
//
// and are indented like the BEGIN line. Regenerate with go generate ./infra.
package infra

//go:generate go run ./gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/parquetout"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
)

// TemplatePath is the template, relative to the module root.
const TemplatePath = "infra/template.yaml"

// Projection ranges. Years start with the first year ingest accepts; the
// end is far enough that nobody redeploys for it, and costs nothing (a
// query without a year filter lists one prefix per year and province).
const (
	projectionLastYear = 2050
)

// Generate returns the template src with every generated part rewritten.
func Generate(src []byte) ([]byte, error) {
	provinces, err := ProvinceCodes(src)
	if err != nil {
		return nil, err
	}
	parts := map[string]func() (string, error){
		"provinces": func() (string, error) {
			b, _ := json.Marshal(strings.Join(provinces, ","))
			return "AllowedValues: [" + string(b) + "]\n", nil
		},
		"schedules":   func() (string, error) { return schedulesYAML(provinces) },
		"glue-tables": glueTablesYAML,
	}
	out := src
	for name, gen := range parts {
		body, err := gen()
		if err != nil {
			return nil, fmt.Errorf("infra: %s: %w", name, err)
		}
		if out, err = replacePart(out, name, body); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var provinceDefault = regexp.MustCompile(`(?m)^  ProvinceCodes:\n(?:    .*\n)*?    Default: "([0-9,]*)"\n`)

// ProvinceCodes reads the ProvinceCodes parameter's default from the
// template: the provinces the schedules are generated for. Each must be a
// province of the current (2025) register.
func ProvinceCodes(src []byte) ([]string, error) {
	m := provinceDefault.FindSubmatch(src)
	if m == nil {
		return nil, fmt.Errorf("infra: no ProvinceCodes parameter with a quoted Default in the template")
	}
	reg, err := registry.Load()
	if err != nil {
		return nil, err
	}
	v := reg.ForYear(time.Now().Year())
	codes := strings.Split(string(m[1]), ",")
	for _, c := range codes {
		if _, ok := v.Provinces[c]; !ok {
			return nil, fmt.Errorf("infra: ProvinceCodes: %q is not a province of the %s register", c, v.Name)
		}
	}
	if !slices.IsSorted(codes) {
		return nil, fmt.Errorf("infra: ProvinceCodes: list the codes in order (%s)", m[1])
	}
	return codes, nil
}

// replacePart replaces the lines between the markers of part name with
// body, indented like the BEGIN marker.
func replacePart(src []byte, name, body string) ([]byte, error) {
	begin := regexp.MustCompile(`(?m)^( *)# BEGIN GENERATED ` + regexp.QuoteMeta(name) + `\n`)
	loc := begin.FindSubmatchIndex(src)
	if loc == nil {
		return nil, fmt.Errorf("infra: no %q part (# BEGIN GENERATED %s) in the template", name, name)
	}
	indent := string(src[loc[2]:loc[3]])
	endMarker := indent + "# END GENERATED " + name + "\n"
	end := bytes.Index(src[loc[1]:], []byte(endMarker))
	if end < 0 {
		return nil, fmt.Errorf("infra: %q part has no END line", name)
	}
	var b bytes.Buffer
	b.Write(src[:loc[1]])
	for _, line := range strings.SplitAfter(body, "\n") {
		if strings.TrimSpace(line) != "" {
			b.WriteString(indent)
		}
		b.WriteString(line)
	}
	b.Write(src[loc[1]+end:])
	return b.Bytes(), nil
}

// q is a YAML double-quoted scalar (JSON strings are valid YAML).
func q(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// ScheduleProps is one element of deadlines.ScheduleJSON.
type ScheduleProps struct {
	Name                       string
	ScheduleExpression         string
	ScheduleExpressionTimezone string
	FlexibleTimeWindow         struct{ Mode string }
	Input                      string
}

// Schedules are the schedules for the provinces, as ScheduleJSON gives them.
func Schedules(provinces []string) ([]ScheduleProps, error) {
	set, err := deadlines.Load()
	if err != nil {
		return nil, err
	}
	js, err := set.ScheduleJSON(provinces)
	if err != nil {
		return nil, err
	}
	var out []ScheduleProps
	if err := json.Unmarshal(js, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ScheduleLogicalID is the template's logical id of a schedule: its name in
// CamelCase, alphanumeric ("reminder-12-01-default-7d" →
// "ScheduleReminder1201Default7d").
func ScheduleLogicalID(name string) string {
	var b strings.Builder
	b.WriteString("Schedule")
	up := true
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z':
			if up {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}

func schedulesYAML(provinces []string) (string, error) {
	scs, err := Schedules(provinces)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %d schedules for ProvinceCodes, from schemas/deadlines (deadlines.ScheduleJSON).\n", len(scs))
	fmt.Fprintf(&b, "# Cron fields are wall-clock time in %s; Input is the report function's payload.\n", deadlines.ScheduleTimezone)
	seen := map[string]bool{}
	for _, s := range scs {
		id := ScheduleLogicalID(s.Name)
		if seen[id] {
			return "", fmt.Errorf("two schedules map to the logical id %s", id)
		}
		seen[id] = true
		fmt.Fprintf(&b, "%s:\n  Type: AWS::Scheduler::Schedule\n  Properties:\n", id)
		fmt.Fprintf(&b, "    Name: %s\n", q(s.Name))
		fmt.Fprintf(&b, "    GroupName: !Ref ScheduleGroup\n")
		fmt.Fprintf(&b, "    ScheduleExpression: %s\n", q(s.ScheduleExpression))
		fmt.Fprintf(&b, "    ScheduleExpressionTimezone: %s\n", q(s.ScheduleExpressionTimezone))
		fmt.Fprintf(&b, "    FlexibleTimeWindow:\n      Mode: %s\n", q(s.FlexibleTimeWindow.Mode))
		fmt.Fprintf(&b, "    State: ENABLED\n")
		fmt.Fprintf(&b, "    Target:\n")
		fmt.Fprintf(&b, "      Arn: !GetAtt ReportFunction.Arn\n")
		fmt.Fprintf(&b, "      RoleArn: !GetAtt SchedulerRole.Arn\n")
		fmt.Fprintf(&b, "      Input: %s\n", q(s.Input))
		// Scheduler retries a failed delivery (not a failed run: Lambda's
		// async retries and ReportInvokeConfig handle those).
		fmt.Fprintf(&b, "      RetryPolicy:\n        MaximumRetryAttempts: 5\n        MaximumEventAgeInSeconds: 3600\n")
		fmt.Fprintf(&b, "      DeadLetterConfig:\n        Arn: !GetAtt ReportDeadLetterQueue.Arn\n")
	}
	return b.String(), nil
}

// GlueColumn is one column of a Glue table, with its Athena type.
type GlueColumn struct{ Name, Type string }

// athenaOfParquetout maps the submissions schema's types (parquetout).
var athenaOfParquetout = map[string]string{
	parquetout.String: "string", parquetout.Int64: "bigint", parquetout.Int32: "int",
	parquetout.Double: "double", parquetout.Bool: "boolean", parquetout.Timestamp: "timestamp",
}

// athenaOfDuckDB maps the roll-up column dictionary's DuckDB types.
var athenaOfDuckDB = map[string]string{
	"VARCHAR": "string", "INTEGER": "int", "BIGINT": "bigint", "DOUBLE": "double",
	"BOOLEAN": "boolean", "TIMESTAMPTZ": "timestamp",
}

// GlueTable is a generated Glue table.
type GlueTable struct {
	Name    string // Glue table name: the `xhht query` view name
	Prefix  string // lake prefix holding its partitions
	Columns []GlueColumn
	Nation  bool // the province partition includes "all"
	JSON    bool // JSON objects (receipts, review states, audit records), not Parquet
	// Paths: for JSON tables, the columns read from a field of another
	// name (Ion SerDe path extractors): a field named like a partition key
	// (year, province) cannot be a column.
	Paths []GlueColumn // Name: column, Type: the JSON field it reads
}

// GlueTables lists the generated tables: submissions, receipts and every
// roll-up table, named like the `xhht query` views so that one query runs
// in DuckDB and Athena alike.
func GlueTables() ([]GlueTable, error) {
	set, err := forms.Load()
	if err != nil {
		return nil, err
	}
	var subs []GlueColumn
	for _, c := range lake.SubmissionColumns(set) {
		t, ok := athenaOfParquetout[c.Type]
		if !ok {
			return nil, fmt.Errorf("submissions column %s: no Athena type for %q", c.Name, c.Type)
		}
		subs = append(subs, GlueColumn{c.Name, t})
	}
	out := []GlueTable{
		{Name: "submissions", Prefix: lake.SubmissionsPrefix, Columns: subs},
		{Name: "receipts", Prefix: lake.ReceiptsPrefix, Columns: ReceiptColumns(), JSON: true,
			Paths: []GlueColumn{{ReceiptYearColumn, "year"}}},
		// Issue 15: the province review's objects, raw; the views reviews
		// and audit over them are AthenaReviewViews (named queries).
		{Name: rollup.AthenaReviewStatusTable, Prefix: lake.ReviewsPrefix, Columns: ReviewColumns(reflect.TypeFor[review.Status]()),
			JSON: true, Paths: reviewPaths},
		{Name: rollup.AthenaReviewAuditTable, Prefix: lake.AuditPrefix, Columns: ReviewColumns(reflect.TypeFor[review.Record]()),
			JSON: true, Paths: reviewPaths},
	}
	for _, t := range rollup.Tables {
		var cols []GlueColumn
		for _, c := range rollup.Columns(t) {
			at, ok := athenaOfDuckDB[c.Type]
			if !ok {
				return nil, fmt.Errorf("%s column %s: no Athena type for %q", t, c.Name, c.Type)
			}
			cols = append(cols, GlueColumn{c.Name, at})
		}
		// The table's folder in the lake contract; the tests compare it
		// with the files a real build leaves in the lake.
		dir, ok := lake.RollupTableDir(t)
		if !ok {
			return nil, fmt.Errorf("roll-up table %s has no folder in pipeline/lake", t)
		}
		out = append(out, GlueTable{Name: t, Prefix: lake.RollupsPrefix + dir, Columns: cols,
			Nation: t == rollup.Nation || t == rollup.Completeness})
	}
	return out, nil
}

// ReceiptYearColumn is the receipts table's name for the receipt's "year"
// field: a column cannot share its name with the partition key year.
const ReceiptYearColumn = "report_year"

// ReceiptColumns are the receipt JSON's top-level fields (receipt.Receipt)
// as Glue columns, "year" renamed to ReceiptYearColumn.
func ReceiptColumns() []GlueColumn {
	var out []GlueColumn
	t := reflect.TypeFor[receipt.Receipt]()
	for i := range t.NumField() {
		name := jsonName(t.Field(i))
		if name == "" {
			continue
		}
		if name == "year" {
			name = ReceiptYearColumn
		}
		out = append(out, GlueColumn{name, hiveType(t.Field(i).Type)})
	}
	return out
}

// reviewPaths are the review tables' path extractors (column ← field):
// the fields named like a partition key (or next to one), under the
// column names of the query views.
var reviewPaths = []GlueColumn{{ReceiptYearColumn, "year"}, {"province_code", "province"}, {"commune_code", "commune"}}

// ReviewColumns are a review object's top-level JSON fields (review.Status,
// review.Record) as Glue columns, year, province and commune renamed.
func ReviewColumns(t reflect.Type) []GlueColumn {
	var out []GlueColumn
	for i := range t.NumField() {
		name := jsonName(t.Field(i))
		if name == "" {
			continue
		}
		for _, p := range reviewPaths {
			if p.Type == name {
				name = p.Name
			}
		}
		out = append(out, GlueColumn{name, hiveType(t.Field(i).Type)})
	}
	return out
}

func jsonName(f reflect.StructField) string {
	tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if tag == "-" || !f.IsExported() {
		return ""
	}
	if tag == "" {
		return f.Name
	}
	return tag
}

// hiveType is the Hive type of a receipt field as its JSON reads: numbers
// are bigint or double, times are RFC 3339 strings (cast them with
// from_iso8601_timestamp), and receipt.Num totals are numbers.
func hiveType(t reflect.Type) string {
	if t == reflect.TypeFor[time.Time]() {
		return "string"
	}
	if t == reflect.TypeFor[*receipt.Num]() {
		return "double"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "bigint"
	case reflect.Float64:
		return "double"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice:
		return "array<" + hiveType(t.Elem()) + ">"
	case reflect.Map:
		return "map<" + hiveType(t.Key()) + "," + hiveType(t.Elem()) + ">"
	case reflect.Pointer:
		return hiveType(t.Elem())
	case reflect.Struct:
		var fs []string
		for i := range t.NumField() {
			if n := jsonName(t.Field(i)); n != "" {
				fs = append(fs, n+":"+hiveType(t.Field(i).Type))
			}
		}
		return "struct<" + strings.Join(fs, ",") + ">"
	}
	panic(fmt.Sprintf("infra: no Hive type for %s", t))
}

// ProvinceValues is the province partition projection's value list: every
// 2-digit code (registers change; an empty prefix costs one LIST), plus
// "all" for national files.
func ProvinceValues(nation bool) string {
	var vs []string
	for i := 1; i <= 99; i++ {
		vs = append(vs, fmt.Sprintf("%02d", i))
	}
	if nation {
		vs = append(vs, lake.NationCode)
	}
	return strings.Join(vs, ",")
}

// logicalName is a table name in CamelCase, a logical id's part
// ("review_status" → "ReviewStatus").
func logicalName(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func glueTablesYAML() (string, error) {
	tables, err := GlueTables()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("# One table per lake dataset, named like the `xhht query` views. Partition\n")
	b.WriteString("# projection (year, province): no crawler, no MSCK REPAIR. The commune=\n")
	b.WriteString("# level of submissions/ and receipts/ is below the projected location and\n")
	b.WriteString("# read with it; commune_code is a column. Columns come from the code's\n")
	b.WriteString("# column dictionaries; the tests compare them with real Parquet files.\n")
	b.WriteString("# review_status and review_audit are the province review's JSON objects,\n")
	b.WriteString("# raw; the saved queries at the end create the views reviews and audit.\n")
	for _, t := range tables {
		id := "Glue" + logicalName(t.Name) + "Table"
		fmt.Fprintf(&b, "%s:\n  Type: AWS::Glue::Table\n  Properties:\n", id)
		b.WriteString("    CatalogId: !Ref AWS::AccountId\n    DatabaseName: !Ref GlueDatabase\n    TableInput:\n")
		fmt.Fprintf(&b, "      Name: %s\n      TableType: EXTERNAL_TABLE\n", t.Name)
		b.WriteString("      PartitionKeys:\n        - Name: year\n          Type: int\n        - Name: province\n          Type: string\n")
		b.WriteString("      Parameters:\n")
		if t.JSON {
			b.WriteString("        classification: json\n")
		} else {
			b.WriteString("        classification: parquet\n")
		}
		b.WriteString("        projection.enabled: \"true\"\n")
		b.WriteString("        projection.year.type: integer\n")
		fmt.Fprintf(&b, "        projection.year.range: \"%d,%d\"\n", lake.FirstYear, projectionLastYear)
		b.WriteString("        projection.province.type: enum\n")
		fmt.Fprintf(&b, "        projection.province.values: %s\n", q(ProvinceValues(t.Nation)))
		fmt.Fprintf(&b, "        storage.location.template: !Sub \"s3://${LakeBucket}/%syear=${!year}/province=${!province}/\"\n", t.Prefix)
		b.WriteString("      StorageDescriptor:\n")
		fmt.Fprintf(&b, "        Location: !Sub \"s3://${LakeBucket}/%s\"\n", t.Prefix)
		if t.JSON {
			// Receipts are indented JSON, one object per file: the Hive
			// JSON SerDe wants one object per line; the Ion SerDe reads
			// JSON (a subset of Ion) across lines.
			b.WriteString("        InputFormat: com.amazon.ionhiveserde.formats.IonInputFormat\n")
			b.WriteString("        OutputFormat: com.amazon.ionhiveserde.formats.IonOutputFormat\n")
			b.WriteString("        SerdeInfo:\n          SerializationLibrary: com.amazon.ionhiveserde.IonHiveSerDe\n")
			b.WriteString("          Parameters:\n")
			for _, p := range t.Paths {
				fmt.Fprintf(&b, "            ion.%s.path_extractor: \"(%s)\"\n", p.Name, p.Type)
			}
		} else {
			b.WriteString("        InputFormat: org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat\n")
			b.WriteString("        OutputFormat: org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat\n")
			b.WriteString("        SerdeInfo:\n          SerializationLibrary: org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe\n")
		}
		b.WriteString("        Columns:\n")
		for _, c := range t.Columns {
			fmt.Fprintf(&b, "          - {Name: %s, Type: %s}\n", c.Name, q(c.Type))
		}
	}
	// Issue 15: the views reviews and audit (the `xhht query` views of the
	// same names and columns) over review_status, review_audit and
	// receipts. CloudFormation cannot create an Athena view; an analyst
	// runs each saved query once (docs/COLUMNS.md, "Athena").
	for i, sql := range rollup.AthenaReviewViews() {
		view := []string{"Reviews", "Audit"}[i]
		fmt.Fprintf(&b, "Athena%sViewQuery:\n  Type: AWS::Athena::NamedQuery\n  Properties:\n", view)
		fmt.Fprintf(&b, "    Name: !Sub \"xhht-${StageName}: create view %s\"\n", strings.ToLower(view))
		fmt.Fprintf(&b, "    Description: Run once (and after a redeploy that changes it) to create the view %s; docs/COLUMNS.md\n", strings.ToLower(view))
		b.WriteString("    Database: !Ref GlueDatabase\n    WorkGroup: !Ref AthenaWorkGroup\n    QueryString: |-\n")
		for _, line := range strings.Split(sql, "\n") {
			if line = strings.TrimRight(line, " "); line == "" {
				b.WriteString("\n")
				continue
			}
			b.WriteString("      " + line + "\n")
		}
	}
	return b.String(), nil
}
