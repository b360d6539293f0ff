package tests

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/xhht/xhht/pipeline/demo"
	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/hamlet"
	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/rollup"
	"github.com/xhht/xhht/pipeline/storage/local"
	"github.com/xhht/xhht/pipeline/storage/s3store"
	"github.com/xhht/xhht/pipeline/storage/s3test"
	"github.com/xhht/xhht/pipeline/template"
	"github.com/xhht/xhht/pipeline/template/templatetest"
)

// TestLakeIsAFunctionOfTheUploads (issue 14): one stream of uploads to a
// versioned bucket (several versions of one key, several communes, 2024,
// 2025 and 2026, accepted and rejected files, hamlets with and without
// codes) is processed into fresh lakes in several orders, with duplicate
// events, serially and by 4 concurrent workers. Every lake holds the same
// objects, byte for byte; reprocessing every upload later changes nothing;
// and the roll-ups of two of the lakes are the same but for their build
// id and time.
func TestLakeIsAFunctionOfTheUploads(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads to versitygw and several lakes: about a minute")
	}
	ctx := context.Background()
	srv := s3test.Start(t)
	client := srv.Client(t)
	const bucket = "xhht-uploads"
	srv.CreateBucket(t, bucket)
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	set := forms.MustLoad()

	var events []ingest.Upload
	put := func(key string, body []byte) {
		t.Helper()
		out, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatalf("put %s: %v", key, err)
		}
		events = append(events, ingest.Upload{Bucket: bucket, Key: key, Version: aws.ToString(out.VersionId)})
	}
	// form is the official template of the commune, with these hamlets
	// (names, and the codes when given), filled in as an official would.
	form := func(year int, commune string, names []string, codes ...string) []byte {
		t.Helper()
		v := reg.ForYear(year)
		c := v.Communes[commune]
		o := template.Options{Forms: set, Year: year, Commune: c, Province: v.Provinces[c.ProvinceCode], BlankRows: template.DefaultBlankRows}
		if c.DistrictCode != "" {
			o.District = v.Districts[c.DistrictCode]
		}
		for i, n := range names {
			h := receipt.Hamlet{Name: n}
			if i < len(codes) {
				h.Code = codes[i]
			}
			o.Hamlets = append(o.Hamlets, h)
		}
		var buf bytes.Buffer
		if err := template.Write(&buf, o); err != nil {
			t.Fatal(err)
		}
		sheets, err := template.Layout(o)
		if err != nil {
			t.Fatal(err)
		}
		f, err := templatetest.Fill(buf.Bytes(), sheets, 0)
		if err != nil {
			t.Fatal(err)
		}
		return f.Bytes
	}
	demoFiles := func(year, n int) {
		t.Helper()
		plan, err := demo.NewPlan(reg, year, "19")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range plan.Files[:n] {
			b, err := demo.Render(f, plan, set)
			if err != nil {
				t.Fatal(err)
			}
			put(f.Key, b)
		}
	}
	// S3 keeps upload times to the second: a new round, a later time.
	nextRound := func() { time.Sleep(1100 * time.Millisecond) }

	names := []string{"Thôn Nà Rì", "Thôn Khuổi Cái", "Thôn Pác Chợ"}
	put("2024/19/05440/bao-cao.xlsx", form(2024, "05440", names, "T01", "T02", "T03"))
	put("2025/19/01864/bao-cao.xlsx", form(2025, "01864", names, "TN01", "TN02", "TN03"))
	put("2025/19/01849/bao-cao.xlsx", form(2025, "01849", names))
	demoFiles(2025, 3)
	nextRound()
	put("2026/19/01864/bao-cao.xlsx", form(2026, "01864", append(names, "Thôn Mới")))
	put("2026/19/01849/bao-cao.xlsx", form(2026, "01849", names, "PQ1", "PQ2", "PQ3"))
	demoFiles(2026, 4)
	nextRound()
	// Renamed under its code; Pác Chợ left out of this version.
	put("2026/19/01864/bao-cao.xlsx", form(2026, "01864", []string{"Thôn Nà Rì", "Thôn Khuổi Cái Mới"}, "TN01", "TN02"))
	put("2026/19/01849/bao-cao.xlsx", form(2026, "01849", names))
	demoFiles(2026, 1) // the same file again: a new version
	nextRound()
	put("2026/19/01864/bao-cao.xlsx", form(2026, "01864", []string{"Thôn Nà Rì", "Thôn Khuổi Cái Mới", "Thôn Pác Chợ", "Thôn Mới"}))
	put("2025/19/01864/nop-lai.xlsx", form(2025, "01864", names)) // last year's, late

	uploads := s3store.New(client, bucket, "")
	top := t // lakes outlive the subtest that fills them
	newProc := func(t *testing.T) (*ingest.Processor, string) {
		dir := top.TempDir()
		p, err := ingest.New(uploads, local.New(dir))
		if err != nil {
			t.Fatal(err)
		}
		return p, dir
	}
	// shuffled is the stream in a random order, a third of it twice.
	shuffled := func(seed uint64) []ingest.Upload {
		r := rand.New(rand.NewPCG(seed, 14))
		s := slices.Clone(events)
		for i, e := range events {
			if i%3 == int(seed%3) {
				s = append(s, e)
			}
		}
		r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
		return s
	}
	serial := func(t *testing.T, p *ingest.Processor, us []ingest.Upload) {
		for _, u := range us {
			if _, err := p.Process(ctx, u); err != nil {
				t.Fatalf("process %s %s: %v", u.Key, u.Version, err)
			}
		}
	}
	// workers processes us with n goroutines taking the next upload, as n
	// Lambda instances would: uploads of one commune run at once too.
	workers := func(t *testing.T, p *ingest.Processor, us []ingest.Upload, n int) {
		next := make(chan ingest.Upload)
		errs := make(chan error, len(us))
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				for u := range next {
					if _, err := p.Process(ctx, u); err != nil {
						errs <- fmt.Errorf("process %s %s: %w", u.Key, u.Version, err)
					}
				}
			})
		}
		for _, u := range us {
			next <- u
		}
		close(next)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}

	ref, refDir := newProc(t)
	serial(t, ref, events)
	want := lakeDigest(t, refDir)
	accepted, rejected := 0, 0
	for k := range want {
		switch {
		case strings.HasPrefix(k, "submissions/"):
			accepted++
		case strings.HasPrefix(k, "receipts/"):
			rejected++
		}
	}
	rejected -= accepted
	if accepted < 10 || rejected < 1 {
		t.Fatalf("the stream gave %d accepted and %d rejected uploads: too few to tell orders apart", accepted, rejected)
	}

	runs := []struct {
		name string
		run  func(t *testing.T, p *ingest.Processor)
	}{
		{"serial, shuffled (1)", func(t *testing.T, p *ingest.Processor) { serial(t, p, shuffled(1)) }},
		{"serial, shuffled (2)", func(t *testing.T, p *ingest.Processor) { serial(t, p, shuffled(2)) }},
		{"serial, newest first", func(t *testing.T, p *ingest.Processor) {
			r := slices.Clone(events)
			slices.Reverse(r)
			serial(t, p, r)
		}},
		{"ProcessAll, 4 workers, shuffled (3)", func(t *testing.T, p *ingest.Processor) {
			if _, err := p.ProcessAll(ctx, shuffled(3), 4); err != nil {
				t.Fatal(err)
			}
		}},
		{"4 concurrent workers, any commune, shuffled (4)", func(t *testing.T, p *ingest.Processor) { workers(t, p, shuffled(4), 4) }},
	}
	var lastDir string
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			p, dir := newProc(t)
			r.run(t, p)
			sameLake(t, want, lakeDigest(t, dir))
			lastDir = dir
		})
	}

	t.Run("reprocessing later writes the same bytes", func(t *testing.T) {
		// Everything again, newest first, into the reference lake, after
		// the other runs (and a second later than any upload).
		time.Sleep(1100 * time.Millisecond)
		workers(t, ref, shuffled(5), 4)
		sameLake(t, want, lakeDigest(t, refDir))
	})

	t.Run("the roll-ups are the same but for the build id and time", func(t *testing.T) {
		if lastDir == "" {
			t.Skip("no second lake: an earlier subtest failed")
		}
		tables := map[string]string{}
		for i, dir := range []string{refDir, lastDir} {
			for _, y := range []int{2024, 2025, 2026} {
				if _, err := rollup.Build(ctx, rollup.Options{Lake: local.New(dir), Year: y, Province: "19", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now().Add(time.Duration(i) * time.Hour)}); err != nil {
					t.Fatal(err)
				}
			}
			db, err := rollup.OpenViews(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, table := range []string{"hamlets", "communes", "provinces", "completeness"} {
				got := dump(t, db, "SELECT * EXCLUDE (build_id, built_at) FROM "+table+" ORDER BY ALL")
				if i == 0 {
					tables[table] = got
				} else if got != tables[table] {
					a, b := strings.Split(tables[table], "\n"), strings.Split(got, "\n")
					for j := range min(len(a), len(b)) {
						if a[j] != b[j] {
							t.Errorf("%s differ between the two lakes' roll-ups, first at row %d:\n%s\n%s", table, j, a[j], b[j])
							break
						}
					}
					if len(a) != len(b) {
						t.Errorf("%s: %d rows, then %d", table, len(a), len(b))
					}
				}
			}
			if i == 0 {
				// The hamlets of 01864 in 2026 by hand: the counted upload
				// has no codes; TN01 and TN02 come from the upload before it
				// (Khuổi Cái renamed under TN02), TN03 from 2025; Thôn Mới
				// never had a code.
				got := sortedLines(dump(t, db, "SELECT ten_thon, ma_thon FROM hamlets WHERE year = 2026 AND commune_code = '01864'"))
				want := strings.Join([]string{"Thôn Nà Rì|TN01", "Thôn Khuổi Cái Mới|TN02", "Thôn Pác Chợ|TN03", "Thôn Mới|" + hamlet.Derive("Thôn Mới")}, "\n")
				if got != sortedLines(want) {
					t.Errorf("2026 hamlets of 01864:\n%s\nwant\n%s", got, sortedLines(want))
				}
			}
		}
	})
}

// lakeDigest is the sha256 of every object of a local lake, by key.
func lakeDigest(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		sum := sha256.Sum256(b)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameLake(t *testing.T, want, got map[string]string) {
	t.Helper()
	for k, h := range want {
		if got[k] != h {
			t.Errorf("%s: sha256 %.12s, want %.12s", k, got[k], h)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: not in the reference lake", k)
		}
	}
}

// dump is a query's rows, one line each, columns joined by "|".
func dump(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rs, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var lines []string
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(v)
		}
		lines = append(lines, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func sortedLines(s string) string {
	l := strings.Split(s, "\n")
	slices.Sort(l)
	return strings.Join(l, "\n")
}
