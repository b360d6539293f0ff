// Package rolluptest generates a realistic lake — the Parquet files and
// receipts ingest writes — for a whole year of one province or of the
// nation, deterministically from a seed, and computes in plain Go (no
// DuckDB) what the roll-up must give for it: per-province, per-district and
// national sums, null counts, rates and completeness.
//
// The lake holds what makes a roll-up wrong in practice: several accepted
// uploads per commune whose file names and write order do not follow their
// upload time, ties on received_at (S3 LastModified has whole seconds),
// uploads carrying only one of the two forms, rejected uploads (receipts
// only) before and after accepted ones, communes that upload nothing or
// nothing acceptable, blank cells and blank columns, and communes that
// never send Biểu 02.
package rolluptest

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/parquetout"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// Options choose what to generate.
type Options struct {
	Year     int    // reporting year: its register decides the communes
	Province string // "" = every province of the register
	// MinHamlets and MaxHamlets bound the hamlets per commune (0: 15 and 40).
	MinHamlets, MaxHamlets int
	Seed                   uint64
	Rates                  *Rates // nil: DefaultRates
	Bucket                 string // upload bucket written as source_bucket; "" = "xhht-uploads"
	Workers                int    // concurrent encoders; 0 = 2
}

// Rates are the shares of the realistic irregularities, each 0–1.
type Rates struct {
	Missing       float64 // communes that upload nothing
	RejectedOnly  float64 // communes whose every upload is rejected
	NoBieu02      float64 // communes that never send Biểu 02
	Resubmit      float64 // submitting communes with 2 or 3 accepted uploads
	Tie           float64 // of those, the last two accepted uploads share received_at
	ExtraRejected float64 // submitting communes that also have a rejected upload
	SingleForm    float64 // re-uploads carrying only Biểu 01 or only Biểu 02
	BlankHamlet   float64 // hamlet rows leaving one to three optional cells blank
	BlankColumn   float64 // communes leaving an optional Biểu 01 column blank in every row
	Blank02       float64 // Biểu 02 rows leaving some optional cells blank
	OnBoundary    float64 // first uploads received exactly at 00:00 ICT on 1 or 15 December
}

// DefaultRates are plausible for a national year.
var DefaultRates = Rates{
	Missing: 0.04, RejectedOnly: 0.03, NoBieu02: 0.08, Resubmit: 0.18, Tie: 0.12,
	ExtraRejected: 0.12, SingleForm: 0.3, BlankHamlet: 0.08, BlankColumn: 0.05, Blank02: 0.25,
	OnBoundary: 0.004,
}

// Lake is what was generated and what the roll-up must give for it.
type Lake struct {
	Year      int
	Register  *registry.Version
	Forms     *forms.Set
	Provinces map[string]*Totals // every province in scope, data or not
	Districts map[string]*Totals // years with districts only: every district in scope
	Nation    *Totals            // over the provinces in scope
	// Communes holds every commune of the register in scope.
	Communes map[string]*CommuneOutcome
	// CommuneTotals holds the totals of every commune in scope (with
	// every sum unknown when nothing of it counts).
	CommuneTotals map[string]*Totals

	Parquet, Receipts, Rows int // objects and Parquet rows written
	Ties                    int // communes whose winner was decided by a received_at tie
}

var (
	loadOnce sync.Once
	reg      *registry.Registry
	set      *forms.Set
	schema   *parquetout.Schema
	loadErr  error
)

// load reads the register, the forms and the lake schema once per process:
// they are embedded, and the schema is the one ingest writes.
func load() error {
	loadOnce.Do(func() {
		if reg, loadErr = registry.Load(); loadErr != nil {
			return
		}
		if set, loadErr = forms.Load(); loadErr != nil {
			return
		}
		cols, _ := lake.FieldColumns(set)
		schema, loadErr = parquetout.NewSchema("submission", append(slices.Clone(lake.LineageColumns), cols...))
	})
	return loadErr
}

// Generate writes the lake of o into lake and returns what the roll-up
// must compute from it. The same options give the same objects.
func Generate(ctx context.Context, lake storage.Store, o Options) (*Lake, error) {
	if err := load(); err != nil {
		return nil, fmt.Errorf("rolluptest: %w", err)
	}
	v := reg.ForYear(o.Year)
	if v == nil {
		return nil, fmt.Errorf("rolluptest: no register for %d", o.Year)
	}
	if o.Province != "" && v.Provinces[o.Province] == nil {
		return nil, fmt.Errorf("rolluptest: province %s is not in the %s register", o.Province, v.Name)
	}
	if o.MinHamlets <= 0 {
		o.MinHamlets = 15
	}
	if o.MaxHamlets < o.MinHamlets {
		o.MaxHamlets = max(40, o.MinHamlets)
	}
	if o.Rates == nil {
		o.Rates = &DefaultRates
	}
	if o.Bucket == "" {
		o.Bucket = "xhht-uploads"
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}

	l := &Lake{Year: o.Year, Register: v, Forms: set, Provinces: map[string]*Totals{}, Districts: map[string]*Totals{},
		Nation: newTotals(set), Communes: map[string]*CommuneOutcome{}, CommuneTotals: map[string]*Totals{}}
	var communes []*registry.Unit
	for _, c := range v.Communes {
		if o.Province == "" || c.ProvinceCode == o.Province {
			communes = append(communes, c)
		}
	}
	slices.SortFunc(communes, func(a, b *registry.Unit) int { return cmp.Compare(a.Code, b.Code) })
	for _, c := range communes {
		if l.Provinces[c.ProvinceCode] == nil {
			l.Provinces[c.ProvinceCode] = newTotals(set)
		}
		l.Provinces[c.ProvinceCode].Units++
		l.Nation.Units++
		if c.DistrictCode != "" {
			if l.Districts[c.DistrictCode] == nil {
				l.Districts[c.DistrictCode] = newTotals(set)
			}
			l.Districts[c.DistrictCode].Units++
		}
	}
	// Communes are written in a shuffled order, so nothing about the
	// lake's write order (file times, inode order) follows commune codes
	// or upload times.
	order := slices.Clone(communes)
	rand.New(rand.NewPCG(o.Seed, 0x5eed)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })

	type result struct {
		out    *CommuneOutcome
		totals *Totals
		stats  stats
		err    error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *registry.Unit)
	results := make(chan result)
	var wg sync.WaitGroup
	for range o.Workers {
		wg.Go(func() {
			for c := range jobs {
				g := &communeGen{o: &o, v: v, c: c, rng: communeRNG(o.Seed, c.Code)}
				out, t, st, err := g.run(ctx, lake)
				results <- result{out, t, st, err}
			}
		})
	}
	go func() {
		defer close(jobs)
		for _, c := range order {
			select {
			case jobs <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	var firstErr error
	for r := range results {
		if r.err != nil {
			if firstErr == nil {
				firstErr = r.err
				cancel()
			}
			continue
		}
		l.Communes[r.out.Code] = r.out
		l.Parquet += r.stats.parquet
		l.Receipts += r.stats.receipts
		l.Rows += r.stats.rows
		l.Ties += r.stats.ties
		if r.totals == nil {
			r.totals = newTotals(set) // nothing counts: every sum unknown
		}
		r.totals.Units = 1
		l.CommuneTotals[r.out.Code] = r.totals
		l.Provinces[r.out.Province].merge(r.totals)
		if r.out.District != "" {
			l.Districts[r.out.District].merge(r.totals)
		}
		l.Nation.merge(r.totals)
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return l, nil
}

// merge adds another unit's totals: sums of sums are sums over the rows,
// and a sum unknown in one unit stays unknown only if unknown everywhere.
func (t *Totals) merge(o *Totals) {
	for k, v := range o.Sums {
		t.Sums[k] += v
	}
	for k, v := range o.Trues {
		t.Trues[k] += v
	}
	for k, v := range o.NullRows {
		t.NullRows[k] += v
	}
	for k, v := range o.Rows {
		t.Rows[k] += v
	}
	for k, v := range o.Reported {
		t.Reported[k] += v
	}
	for k, p := range o.Paired {
		q := t.Paired[k]
		q.Num, q.Den, q.Rows, q.Left = q.Num+p.Num, q.Den+p.Den, q.Rows+p.Rows, q.Left+p.Left
	}
	for k, vs := range o.Values {
		for val, n := range vs {
			t.Values[k][val] += n
		}
	}
}

// communeRNG gives each commune its own stream, so a commune's uploads do
// not depend on which worker made them or on the other communes.
func communeRNG(seed uint64, code string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(code))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

type stats struct{ parquet, receipts, rows, ties int }

// row is one form row: field code → int64, bool, string or float64;
// absent = null (a blank cell).
type row map[string]any

// upload is one planned upload of a commune.
type upload struct {
	key, version, id string
	receivedAt       time.Time
	rejection        *receipt.Issue // nil: accepted
	hamlets          []row          // Biểu 01 rows; nil: no Biểu 01 in the file
	names            []string       // hamlet names, parallel to hamlets
	codeSource       string         // ma_thon_source of the hamlets
	b02              row            // nil: no Biểu 02 in the file
}

// later orders uploads as the roll-up must: received_at, then source_key,
// then source_version; the larger wins.
func later(a, b *upload) int {
	return cmp.Or(a.receivedAt.Compare(b.receivedAt), cmp.Compare(a.key, b.key), cmp.Compare(a.version, b.version))
}

// Dir is a lake directory for generating into: the objects are those of
// local.New(dir) (and read back through it), but written without the
// fsync of every file and directory local's Put does for crash safety,
// which a throw-away test lake does not need and which makes writing
// tens of thousands of objects take minutes instead of seconds.
func Dir(dir string) storage.Store { return dirStore{local.New(dir), dir} }

type dirStore struct {
	*local.Store
	dir string
}

func (s dirStore) Put(ctx context.Context, key string, body []byte, _ string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("rolluptest: put %q: %w", key, err)
	}
	p := filepath.Join(s.dir, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("rolluptest: put %q: %w", key, err)
	}
	if err := os.WriteFile(p, body, 0o644); err != nil {
		return fmt.Errorf("rolluptest: put %q: %w", key, err)
	}
	return nil
}
