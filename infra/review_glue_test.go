package infra_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// crashStore is the local store whose audit record writes fail: it
// stands for a Lambda dying between the status write and the record
// write, which a real store cannot be made to do at that exact point.
type crashStore struct{ *local.Store }

func (c crashStore) PutIf(ctx context.Context, key string, body []byte, contentType, ifMatch string) error {
	if strings.HasPrefix(key, lake.AuditPrefix) {
		return errors.New("the Lambda died here")
	}
	return c.Store.PutIf(ctx, key, body, contentType, ifMatch)
}

// reviewLake is a pipeline-made lake (demo uploads through ingest) with
// review actions of every kind on it, two CSVs (one per form) of a commune,
// and a change whose audit record a crash left unwritten.
func reviewLake(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	const year, prov = 2026, "19"
	dir := lakeFor(t, year, prov, 12)
	st := local.New(dir)
	by := review.Actor{Role: access.RoleProvince, Province: prov, CodeID: "aaaaaaaaaaaa", Year: year}
	at := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
	act := func(w storage.Writer, commune, kind, sub, comment string) error {
		at = at.Add(time.Minute)
		a := review.Action{Kind: kind, Year: year, Province: prov, Commune: commune, Submission: sub, Comment: comment, By: by, At: at}
		if kind == review.KindCheck {
			a.FlagID = "rate_change/ty_le_ho_dat/-"
		}
		_, err := review.Apply(ctx, w, a)
		return err
	}
	// Two CSVs, one per form, of a commune of the register the demo did
	// not upload for.
	for i, f := range []string{"bieu01", "bieu02"} {
		id := fmt.Sprintf("csv%d", i+1)
		rc := receipt.Receipt{SubmissionID: id, Status: receipt.Accepted, Year: year, ProvinceCode: prov, CommuneCode: "99990",
			SourceKey: fmt.Sprintf("%d/%s/99990/%s.csv", year, prov, f), ReceivedAt: at.Add(time.Duration(i) * time.Second), Form: f, Forms: []string{f}}
		b, err := rc.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Put(ctx, lake.ReceiptKey(lake.Key{Year: year, Province: prov, Commune: "99990"}, id), b, "application/json"); err != nil {
			t.Fatal(err)
		}
	}
	var communes []string
	objs, err := st.List(ctx, lake.ReceiptsPrefix)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		_, c, ok := strings.Cut(o.Key, "/commune=")
		if c, _, _ = strings.Cut(c, "/"); ok && !slices.Contains(communes, c) {
			if cur, err := review.CurrentAccepted(ctx, st, year, prov, c); err == nil && len(cur) > 0 {
				communes = append(communes, c)
			}
		}
	}
	if len(communes) < 5 {
		t.Fatalf("the demo lake has %d communes with accepted data (%v), want at least 5", len(communes), communes)
	}
	sub := func(c string) string {
		cur, err := review.CurrentAccepted(ctx, st, year, prov, c)
		if err != nil || len(cur) == 0 {
			t.Fatalf("%s: %v %v", c, cur, err)
		}
		return cur.IDs()[0]
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(act(st, "99990", review.KindApprove, "csv1", ""))
	must(act(st, communes[0], review.KindApprove, sub(communes[0]), ""))
	must(act(st, communes[1], review.KindReturn, sub(communes[1]), "thiếu thôn"))
	must(act(st, communes[1], review.KindCheck, sub(communes[1]), "đã gọi"))
	must(act(st, communes[2], review.KindApprove, sub(communes[2]), ""))
	must(act(st, communes[2], review.KindReopen, "", "mở lại"))
	must(act(st, communes[3], review.KindApprove, sub(communes[3]), ""))
	if err := act(crashStore{st}, communes[3], review.KindReturn, sub(communes[3]), "sai"); err == nil {
		t.Fatal("the return's record was written through the crashing store")
	}
	return dir
}

// TestGlueReviewObjects: every field of the review objects a real lake
// holds is a column of its Glue table (year, province and commune under
// their column names), of a fitting kind, and every column is some
// object's field.
func TestGlueReviewObjects(t *testing.T) {
	dir := reviewLake(t)
	tables := glueTables(t, load(t))
	// Written out here, not taken from generate.go.
	renamed := map[string]string{"year": "report_year", "province": "province_code", "commune": "commune_code"}
	for name, prefix := range map[string]string{"review_status": lake.ReviewsPrefix, "review_audit": lake.AuditPrefix} {
		g := tables[name]
		cols := map[string]string{}
		for _, c := range g.columns {
			cols[c.Name] = c.Type
		}
		seen := map[string]bool{}
		n := 0
		err := filepath.WalkDir(filepath.Join(dir, prefix), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
				return err // dot files: the local store's locks, not lake objects
			}
			n++
			key := filepath.ToSlash(strings.TrimPrefix(path, dir+string(filepath.Separator)))
			if !strings.HasPrefix(key, g.location) || !partitionDirs.MatchString(key) {
				t.Errorf("%s: not under the %s table's location", key, name)
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
				if r, ok := renamed[k]; ok {
					k = r
				}
				seen[k] = true
				typ, ok := cols[k]
				if !ok {
					t.Errorf("%s: field %s is not a column of %s", key, k, name)
				} else if !kindFits(v, typ) {
					t.Errorf("%s: field %s = %v does not fit the column type %s", key, k, v, typ)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("%s: the lake has no objects", name)
		}
		for c := range cols {
			if !seen[c] {
				t.Errorf("%s: column %s is no object's field", name, c)
			}
		}
	}
}

// duckType is the DuckDB type of a Glue (Hive) type, to emulate a Glue
// table in DuckDB.
func duckType(t *testing.T, h string) string {
	switch h {
	case "string":
		return "VARCHAR"
	case "bigint":
		return "BIGINT"
	case "int":
		return "INTEGER"
	case "double":
		return "DOUBLE"
	case "boolean":
		return "BOOLEAN"
	}
	inner := func(prefix string) (string, bool) {
		rest, ok := strings.CutPrefix(h, prefix+"<")
		if !ok || !strings.HasSuffix(rest, ">") {
			return "", false
		}
		return rest[:len(rest)-1], true
	}
	if e, ok := inner("array"); ok {
		return duckType(t, e) + "[]"
	}
	if kv, ok := inner("map"); ok {
		p := splitTop(kv)
		return "MAP(" + duckType(t, p[0]) + ", " + duckType(t, p[1]) + ")"
	}
	if fs, ok := inner("struct"); ok {
		var out []string
		for _, f := range splitTop(fs) {
			n, typ, _ := strings.Cut(f, ":")
			out = append(out, `"`+n+`" `+duckType(t, typ))
		}
		return "STRUCT(" + strings.Join(out, ", ") + ")"
	}
	t.Fatalf("no DuckDB type for Glue type %q", h)
	return ""
}

// splitTop splits at the commas outside <>.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '<':
			depth++
		case '>':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// TestAthenaReviewViews runs the template's saved queries (the Athena views
// reviews and audit) in DuckDB, over tables shaped like the Glue tables
// review_status, review_audit and receipts (their columns, types and path
// extractors, the partition keys from the object keys), and compares the
// views row by row with the `xhht query` views, which the roll-up's tests
// check against review.Effective. What this cannot check: Athena itself
// (Trino's reading of the same SQL, the Ion SerDe); from_iso8601_timestamp
// is Trino's, emulated by a cast (DuckDB reads RFC 3339).
func TestAthenaReviewViews(t *testing.T) {
	ctx := context.Background()
	dir := reviewLake(t)
	tp := load(t)
	tables := glueTables(t, tp)
	var queries []string
	for id, r := range tp.resources("AWS::Athena::NamedQuery") {
		if q := str(props(r)["QueryString"]); strings.Contains(q, "CREATE OR REPLACE VIEW") {
			queries = append(queries, q)
		} else {
			t.Errorf("%s: not a view: %.80s", id, q)
		}
	}
	slices.Sort(queries) // audit, then reviews
	if len(queries) != 2 {
		t.Fatalf("%d saved view queries, want 2 (reviews, audit)", len(queries))
	}

	db, err := rollup.OpenViews(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exec := func(q string) {
		t.Helper()
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	exec("CREATE SCHEMA athena")
	for _, name := range []string{"review_status", "review_audit", "receipts"} {
		g := tables[name]
		var fields, sel []string
		for _, c := range g.columns {
			f := c.Name
			if p, ok := g.paths[c.Name]; ok {
				f = p
			}
			fields = append(fields, fmt.Sprintf("%q: '%s'", f, duckType(t, c.Type)))
			sel = append(sel, fmt.Sprintf("%q AS %q", f, c.Name))
		}
		exec(fmt.Sprintf(`CREATE TABLE athena.%s AS
SELECT CAST(regexp_extract(filename, 'year=([0-9]+)/', 1) AS INTEGER) AS year, regexp_extract(filename, 'province=([0-9a-z]+)/', 1) AS province, %s
FROM read_json('%s', format = 'auto', filename = true, columns = {%s})`,
			name, strings.Join(sel, ", "), filepath.Join(dir, g.location, "**", "*.json"), strings.Join(fields, ", ")))
	}
	exec("USE athena")
	exec("CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)")
	for _, q := range queries {
		exec(q)
	}
	rowsOf := func(q string) [][]string {
		t.Helper()
		rs, err := conn.QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
		defer rs.Close()
		cols, _ := rs.Columns()
		var out [][]string
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := []string{strings.Join(cols, ",")}
			for _, v := range vals {
				if tm, ok := v.(time.Time); ok {
					v = tm.UTC()
				}
				row = append(row, fmt.Sprint(v))
			}
			out = append(out, row)
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for view, order := range map[string]string{"reviews": "commune_code, form", "audit": `"key"`} {
		athena := rowsOf(fmt.Sprintf("SELECT * FROM athena.%s ORDER BY %s", view, order))
		local := rowsOf(fmt.Sprintf("SELECT * FROM main.%s ORDER BY %s", view, order))
		if len(local) < 5 {
			t.Errorf("%s: %d rows locally: the lake is not the one meant", view, len(local))
		}
		if !slices.EqualFunc(athena, local, slices.Equal) {
			t.Errorf("%s: the Athena view differs from the local one:\nAthena %v\nlocal  %v", view, athena, local)
		}
	}
	var notRecorded int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM athena.audit WHERE NOT recorded").Scan(&notRecorded); err != nil || notRecorded != 1 {
		t.Errorf("Athena audit view: %d changes not yet recorded (%v), want the crashed return", notRecorded, err)
	}
}
