package rollup

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xhht/xhht/pipeline/lake"
)

// The submissions view's `counted` says which rows the roll-up counts.
// Since the province review (issue 15) that is not always the latest
// upload: approved data stays counted until a newer upload is approved,
// and a returned file never counts (approved.go). So where a province and
// year have a committed roll-up, counted is "its manifest lists the
// submission among its inputs"; elsewhere (never rolled up) it is the
// latest upload, as before. An analyst filtering on counted thus never
// exports a returned file.

// Pseudo-entries of pinOnce's result (not views): the manifests' inputs.
const (
	pinCounted = "_counted" // submission ids counted
	pinRolled  = "_rolled"  // "year,province" with a committed roll-up
)

// manifestInputs records a plain (not re-based) province manifest's
// inputs in files.
func manifestInputs(files map[string][]string, m *lake.Manifest) {
	if m.Province == lake.NationCode {
		return
	}
	files[pinRolled] = append(files[pinRolled], strconv.Itoa(m.Year)+","+m.Province)
	files[pinCounted] = append(files[pinCounted], m.Inputs...)
}

// countedSQL is the expression of the submissions view's counted column;
// it writes the two small lists it reads into pins.
func countedSQL(files map[string][]string, pins string) (string, error) {
	write := func(name string, head []string, rows [][]string) (string, error) {
		p := filepath.Join(pins, name)
		f, err := os.Create(p)
		if err != nil {
			return "", fmt.Errorf("rollup: %w", err)
		}
		w := csv.NewWriter(f)
		_ = w.Write(head)
		_ = w.WriteAll(rows)
		if err := f.Close(); err != nil {
			return "", fmt.Errorf("rollup: %w", err)
		}
		return p, w.Error()
	}
	var ids, rolled [][]string
	for _, id := range files[pinCounted] {
		ids = append(ids, []string{id})
	}
	for _, yp := range files[pinRolled] {
		if y, p, ok := strings.Cut(yp, ","); ok {
			rolled = append(rolled, []string{y, p})
		}
	}
	cp, err := write("_counted.csv", []string{"submission_id"}, ids)
	if err != nil {
		return "", err
	}
	rp, err := write("_rolled.csv", []string{"year", "province"}, rolled)
	if err != nil {
		return "", err
	}
	latest := `submission_id = first_value(submission_id) OVER (
  PARTITION BY report_year, commune_code, form ORDER BY received_at DESC, source_key DESC, source_version DESC, submission_id DESC)`
	return fmt.Sprintf(`CASE WHEN report_year::VARCHAR || ',' || province_code IN (SELECT year || ',' || province FROM %s)
  THEN submission_id IN (SELECT submission_id FROM %s)
  ELSE %s END`,
		readCSVSQL(rp, []string{"year", "province"}, nil),
		readCSVSQL(cp, []string{"submission_id"}, nil), latest), nil
}
