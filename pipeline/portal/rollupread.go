package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/parquet-go/parquet-go"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/storage"
)

// The board reads the roll-up's outputs with parquet-go, through the
// roll-up's manifest (the portal has no DuckDB). Only the plain build is
// read (rollups/, the figures on the year's own register), not re-based
// ones.

// rollupManifest is the roll-up's manifest (pipeline/lake).
type rollupManifest = lake.Manifest

func rollupManifestKey(year int, province string) string {
	return lake.ManifestKey(lake.RollupsPrefix, year, province)
}

// readRollupManifest reads the manifest of a province's current build:
// nil, nil when there is none (the roll-up has not run yet).
func readRollupManifest(ctx context.Context, st storage.Store, year int, province string) (*rollupManifest, error) {
	return readManifestAt(ctx, st, rollupManifestKey(year, province))
}

// readManifestAt reads the roll-up manifest at key (a plain or a re-based
// build's): nil, nil when there is none.
func readManifestAt(ctx context.Context, st storage.Store, key string) (*rollupManifest, error) {
	body, _, err := st.Get(ctx, key, "")
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("portal: read roll-up manifest: %w", err)
	}
	var m rollupManifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("portal: roll-up manifest %s: %w", key, err)
	}
	return &m, nil
}

// communeRates is one row of the roll-up's communes table: the main rates
// and their targets (columns in docs/ROLLUP_COLUMNS.md).
type communeRates struct {
	CommuneCode       string   `parquet:"commune_code"`
	TyLeHoDat         *float64 `parquet:"ty_le_ho_dat,optional"`
	ChiTieuHoDat      *float64 `parquet:"chi_tieu_ho_dat,optional"`
	TyLeThonDat       *float64 `parquet:"ty_le_thon_dat,optional"`
	ChiTieuThonDat    *float64 `parquet:"chi_tieu_thon_dat,optional"`
	TyLeCongDanDat    *float64 `parquet:"ty_le_cong_dan_dat,optional"`
	ChiTieuCongDanDat *float64 `parquet:"chi_tieu_cong_dan_dat,optional"`
	Sub01             *string  `parquet:"submission_id_bieu01,optional"`
}

// hamletRow is one row of the roll-up's hamlets table.
type hamletRow struct {
	CommuneCode  string   `parquet:"commune_code"`
	MaThon       *string  `parquet:"ma_thon,optional"`
	TenThon      *string  `parquet:"ten_thon,optional"`
	HoTong       *int64   `parquet:"ho_tong,optional"`
	HoDat        *int64   `parquet:"ho_dat,optional"`
	LaoDongTong  *int64   `parquet:"lao_dong_tong,optional"`
	CongDanDat   *int64   `parquet:"cong_dan_dat,optional"`
	TyLeHoDat    *float64 `parquet:"ty_le_ho_dat,optional"`
	SubmissionID *string  `parquet:"submission_id,optional"`
	SourceRow    *int32   `parquet:"source_row,optional"` // the hamlet's row in the commune's file: the order officials know
}

// maxRollupBytes bounds one roll-up file read into memory: a province's
// hamlets table is a few megabytes.
const maxRollupBytes = 256 << 20

// parquetCache keeps decoded roll-up files by key: a build's files are
// never rewritten (new builds get new keys), so a key's rows never change.
type parquetCache struct {
	mu    sync.Mutex
	rates map[string][]communeRates
	hams  map[string][]hamletRow
}

// readRollupFile reads table of a province's current build: the file the
// manifest names, decoded into T. No manifest or no such table: nil, nil
// (the roll-up has not run yet).
func readRollupFile[T any](ctx context.Context, st storage.Store, year int, province, table string) ([]T, string, error) {
	m, err := readRollupManifest(ctx, st, year, province)
	if m == nil || err != nil {
		return nil, "", err
	}
	key := m.Files[table]
	if key == "" {
		return nil, "", nil
	}
	rows, err := decodeParquet[T](ctx, st, key)
	return rows, key, err
}

func decodeParquet[T any](ctx context.Context, st storage.Store, key string) ([]T, error) {
	b, _, err := storage.GetAtMost(ctx, st, key, "", maxRollupBytes)
	if err != nil {
		return nil, fmt.Errorf("portal: read %s: %w", key, err)
	}
	return decodeParquetBytes[T](b, key)
}

// decodeParquetBytes decodes a Parquet file (key names it in errors).
func decodeParquetBytes[T any](b []byte, key string) ([]T, error) {
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("portal: open %s: %w", key, err)
	}
	r := parquet.NewGenericReader[T](f)
	defer r.Close()
	rows := make([]T, f.NumRows())
	n, err := r.Read(rows)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("portal: decode %s: %w", key, err)
	}
	return rows[:n], nil
}

// ratesOf reads the communes table of a province's current build:
// commune → rates, and the build's manifest (nil when there is none), whose
// Inputs say which uploads the rates are of.
func (s *server) ratesOf(ctx context.Context, year int, province string) (map[string]communeRates, *rollupManifest, error) {
	m, err := readRollupManifest(ctx, s.cfg.Lake, year, province)
	if m == nil || err != nil {
		return nil, nil, err
	}
	key := m.Files["communes"]
	if key == "" {
		return nil, m, nil
	}
	s.pq.mu.Lock()
	rows, ok := s.pq.rates[key]
	s.pq.mu.Unlock()
	if !ok {
		if rows, err = decodeParquet[communeRates](ctx, s.cfg.Lake, key); err != nil {
			return nil, nil, err
		}
		s.pq.mu.Lock()
		if s.pq.rates == nil || len(s.pq.rates) > 64 {
			s.pq.rates = map[string][]communeRates{}
		}
		s.pq.rates[key] = rows
		s.pq.mu.Unlock()
	}
	out := make(map[string]communeRates, len(rows))
	for _, r := range rows {
		out[r.CommuneCode] = r
	}
	return out, m, nil
}

// hamletsOf reads one commune's hamlet rows of a year from the roll-up.
func (s *server) hamletsOf(ctx context.Context, year int, province, commune string) ([]hamletRow, error) {
	rows, _, err := readRollupFile[hamletRow](ctx, s.cfg.Lake, year, province, "hamlets")
	if err != nil {
		return nil, err
	}
	var out []hamletRow
	for _, r := range rows {
		if r.CommuneCode == commune {
			out = append(out, r)
		}
	}
	return out, nil
}
