package rollup

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/hamlet"
	"github.com/xhht/xhht/pipeline/textnorm"
)

// Hamlet identity (issue 14). Ingest codes a Biểu 01 row from its own upload
// only (the code the commune wrote, else one derived from the name), so the
// lake is a function of the uploads whatever the order they were processed
// in. The roll-up, which sees the history, gives each row its hamlet's
// identity, the hamlets level's ma_thon, by the rule of package hamlet:
//
//   - a code the commune wrote (ma_thon not derived from ten_thon) is the
//     hamlet's identity: a hamlet renamed under the same code stays one;
//   - a row without one takes the code the commune last wrote for the same
//     name (textnorm.NameKey) in an earlier upload (received_at, then
//     source_key, source_version, submission_id: the roll-up's upload order)
//     of the same commune, of its year or an earlier one of its register
//     era (hamlet.HistoryFirstYear: pre-2025 codes do not cross the reform);
//   - unless that code is already another row's of the same upload (written
//     there, or taken by a name used more recently): a hamlet is counted
//     once. Such a row, and one with no earlier code, keeps the code derived
//     from its name, as ingest wrote it.
//
// A row's identity depends only on uploads received before it, so it is
// the same in every build that counts it: this year's build, next year's
// (as last year's row) and a report's snapshot. For a lake whose uploads
// were processed in upload order it gives the codes ingest gave before
// issue 14 (but for the guard above, which ingest lacked), so such a lake
// rolls up to the same hamlets; its ma_thon_source "known" rows are read
// like any other.
//
// The result, hamlet_ids, holds only the rows whose ma_thon changes; the
// hamlet rows (hamletSQL) and the hamlet assignments of a re-based build
// (pickSQL) take it from there.

// historyYears are the report years a build reads for hamlet identity
// beyond the year and last year (which it reads anyway): the earlier
// years of the register era of the rows it counts.
func (b *builder) historyYears() []int {
	first := hamlet.HistoryFirstYear(b.o.Year)
	last := b.o.Year - 1
	if b.prevYear != 0 {
		first = min(first, hamlet.HistoryFirstYear(b.prevYear))
		last = b.prevYear - 1
	}
	var ys []int
	for y := first; y <= last; y++ {
		ys = append(ys, y)
	}
	return ys
}

// hamletNamesTable lists every hamlet name of the inputs (of the communes
// in communes, a SQL condition on commune_code; "" for all) with its name
// key and the hash ending a code derived from it, computed in Go by the
// same functions ingest uses (textnorm's folding has no SQL twin).
func (b *builder) hamletNamesTable(ctx context.Context, conn *sql.Conn, communes string) error {
	t0 := time.Now()
	rows, err := conn.QueryContext(ctx, fmt.Sprintf(
		"SELECT DISTINCT ten_thon FROM subs_all WHERE form = 'bieu01' AND ten_thon IS NOT NULL AND report_year <= %d%s", b.o.Year, communes))
	if err != nil {
		return fmt.Errorf("rollup: hamlet names: %w", err)
	}
	out := [][]string{{"ten_thon", "name_key", "key_hash"}}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("rollup: hamlet names: %w", err)
		}
		nk := textnorm.NameKey(name)
		out = append(out, []string{name, nk, hamlet.KeyHash(nk)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rollup: hamlet names: %w", err)
	}
	b.log.Debug("rollup step", "step", "hamlet names", "names", len(out)-1, "ms", float64(time.Since(t0).Microseconds())/1000)
	path, err := b.writeCSV("hamlet_names.csv", out)
	if err != nil {
		return err
	}
	return b.execOn(ctx, conn, "hamlet names", "CREATE OR REPLACE TABLE hamlet_names AS SELECT * FROM "+readCSVSQL(path, out[0], nil))
}

// identitySQL creates hamlet_ids_new (submission_id, source_row, ma_thon,
// commune_code): the Biểu 01 rows of the year and the earlier years
// counted (last year, the years the flags look back to) whose identity is
// not the code ingest wrote, of the
// communes in communes (a SQL condition on s.commune_code; "" for all).
func identitySQL(year int, earlier []int, communes string) string {
	years := fmt.Sprint(year)
	for _, y := range earlier {
		years += fmt.Sprintf(", %d", y)
	}
	// h is read once (materialised); the upload order is a struct built
	// only for the few pairs the join finds.
	return fmt.Sprintf(`
CREATE OR REPLACE TABLE hamlet_ids_new AS
WITH h AS MATERIALIZED (
  SELECT s.submission_id, s.source_row, s.commune_code, s.report_year, s.ma_thon, n.name_key,
    s.received_at, s.source_key, s.source_version,
    s.ma_thon IS NOT NULL AND NOT ends_with(s.ma_thon, '-' || n.key_hash) AS own
  FROM subs_all s JOIN hamlet_names n ON n.ten_thon = s.ten_thon
  WHERE s.form = 'bieu01' AND s.report_year <= %[1]d%[4]s),
taken AS (
  SELECT r.submission_id, r.source_row, r.name_key, r.commune_code,
    arg_max(c.ma_thon, {'t': c.received_at, 'k': c.source_key, 'v': c.source_version, 's': c.submission_id}) AS ma_thon,
    max({'t': c.received_at, 'k': c.source_key, 'v': c.source_version, 's': c.submission_id}) AS at
  FROM (SELECT * FROM h WHERE NOT own AND report_year IN (%[2]s)) r
  JOIN (SELECT * FROM h WHERE own) c ON c.commune_code = r.commune_code AND c.name_key = r.name_key
  WHERE c.report_year BETWEEN %[3]s AND r.report_year
    AND {'t': c.received_at, 'k': c.source_key, 'v': c.source_version, 's': c.submission_id}
      < {'t': r.received_at, 'k': r.source_key, 'v': r.source_version, 's': r.submission_id}
  GROUP BY ALL)
SELECT t.submission_id, t.source_row, t.ma_thon, t.commune_code
FROM taken t
ANTI JOIN (SELECT submission_id, ma_thon FROM h WHERE own) w ON w.submission_id = t.submission_id AND w.ma_thon = t.ma_thon
QUALIFY row_number() OVER (PARTITION BY t.submission_id, t.ma_thon ORDER BY t.at DESC, t.name_key) = 1;`,
		year, years, hamlet.HistoryFirstYearSQL("r.report_year"), communes)
}

// hamletIDJoin joins hamlet_ids (as alias) to the submission rows row:
// coalesce(alias.ma_thon, row.ma_thon) is then the row's identity. Only
// the statements that need the code join it: the counted rows stay a plain
// view over the inputs, which DuckDB reads column by column.
func hamletIDJoin(alias, row string) string {
	return fmt.Sprintf("LEFT JOIN hamlet_ids %[1]s ON %[1]s.submission_id = %[2]s.submission_id AND %[1]s.source_row = %[2]s.source_row", alias, row)
}

// The identity cache (issue 14). A row's identity depends only on the
// uploads of its commune in the years the build reads, so, like the
// flags (flagcache.go), a province's hamlet_ids rows are kept with the
// roll-up (rollups/cache/identity/…, cacheIdentity in the manifest) under
// a digest of those uploads' listings (submissionLines) and of the code
// (identityCacheVersion); a build whose digest for a province equals the
// manifest's reads them back instead of computing them. The digest decides
// only whether to recompute, never what the identity is
// (TestIdentityCacheEqualsFresh). Re-based builds do not use it.

// identityCacheVersion changes whenever the identity rule or its inputs
// change in code (identitySQL, package hamlet, textnorm.NameKey).
const identityCacheVersion = "2" // 2: also the years the flags look back to

// identityDigest is the digest of what province p's hamlet identities
// depend on.
func (b *builder) identityDigest(p string) string {
	h := sha256.New()
	line := func(parts ...string) { digestLine(h, parts...) }
	line("identity", identityCacheVersion, CacheVersion, strconv.Itoa(b.o.Year), b.units.Name, b.ver.Name,
		strconv.Itoa(b.prevYear), strconv.FormatBool(b.prevInputs > 0), strconv.FormatBool(b.o.NoFlags))
	b.submissionLines(p, line)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// resolveHamlets creates hamlet_names and hamlet_ids on conn, reusing the
// identity cache of the provinces whose digest did not change.
func (b *builder) resolveHamlets(ctx context.Context, conn *sql.Conn) error {
	var earlier []int
	if b.prevYear != 0 && b.prevInputs > 0 {
		earlier = append(earlier, b.prevYear)
	}
	if b.units == b.ver && !b.o.NoFlags {
		earlier = append(earlier, b.lookbackYears()...) // flags.go
	}
	todo := b.provinces()
	var reuse []string
	if b.units == b.ver {
		todo = nil
		b.identityDigests, b.identityReused = map[string]string{}, map[string]string{}
		for _, p := range b.provinces() {
			d := b.identityDigest(p)
			b.identityDigests[p] = d
			m := b.manifests[b.o.Year][p]
			if b.noCache || m == nil || m.CacheVersion != CacheVersion || m.CacheDigest[cacheIdentity] != d {
				todo = append(todo, p)
				continue
			}
			key := m.Files[cacheIdentity]
			if key == "" {
				b.identityReused[p] = "" // no row recoded, nothing changed
				continue
			}
			lp, ok, err := b.cachedFile(ctx, key, "identity")
			if err != nil {
				return err
			}
			if !ok {
				todo = append(todo, p)
				continue
			}
			reuse = append(reuse, lp)
			b.identityReused[p] = key
		}
	}
	b.res.IdentityReused = len(b.identityReused)
	if len(todo) > 0 {
		communes := ""
		if f := b.provinceFilter("province_code", todo); f != "" {
			communes = " AND commune_code IN (SELECT commune_code FROM units WHERE true" + f + ")"
		}
		if err := b.hamletNamesTable(ctx, conn, communes); err != nil {
			return err
		}
		if err := b.execOn(ctx, conn, "hamlet identity", identitySQL(b.o.Year, earlier, strings.ReplaceAll(communes, "AND commune_code", "AND s.commune_code"))); err != nil {
			return err
		}
	} else if err := b.execOn(ctx, conn, "hamlet identity", "CREATE OR REPLACE TABLE hamlet_ids_new (submission_id VARCHAR, source_row INTEGER, ma_thon VARCHAR, commune_code VARCHAR)"); err != nil {
		return err
	}
	q := "CREATE OR REPLACE TABLE hamlet_ids AS SELECT submission_id, source_row, ma_thon, commune_code FROM hamlet_ids_new"
	if len(reuse) > 0 {
		q += fmt.Sprintf("\nUNION ALL SELECT submission_id, CAST(source_row AS INTEGER), ma_thon, commune_code FROM %s", readParquet(reuse))
	}
	if err := b.execOn(ctx, conn, "hamlet identity cache", q); err != nil {
		return err
	}
	var n sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM hamlet_ids").Scan(&n); err == nil {
		b.log.Debug("rollup hamlet identity", "rows_recoded", n.Int64, "provinces_computed", len(todo), "provinces_reused", len(b.identityReused))
	}
	return nil
}
