package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func readCSV(t *testing.T, r *Report) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Fatal("no UTF-8 byte-order mark: Excel would misread the diacritics")
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestCSVInjection: no data-supplied field can start a formula; hostile
// names keep their text behind a single quote (OWASP CSV injection).
func TestCSVInjection(t *testing.T) {
	r := fixtureReport(92, 3)
	recs := readCSV(t, r)
	names := map[string]bool{}
	for _, rec := range recs[1:] {
		for _, i := range []int{2, 3, 4} { // code, name, district: from the data
			if formulaLead(rec[i]) {
				t.Errorf("field %q starts a formula", rec[i])
			}
		}
		names[rec[3]] = true
	}
	for _, h := range hostile {
		want := h
		if formulaLead(h) {
			want = "'" + h
		}
		// encoding/csv drops a lone CR when writing CRLF line ends.
		want = strings.ReplaceAll(want, "\r", "")
		if !names[want] {
			t.Errorf("name %q not written as %q", h, want)
		}
	}
	if !names["<script>alert(1)</script>"] {
		t.Error("a name without a formula lead must be kept as is")
	}
}

// TestCSVContent: one line per table row, Vietnamese number format, "–"
// for unknown figures.
func TestCSVContent(t *testing.T) {
	r := fixtureReport(92, 3)
	recs := readCSV(t, r)
	if got, want := len(recs), 1+len(r.Communes)+len(r.Districts)+1; got != want {
		t.Fatalf("%d lines, want %d", got, want)
	}
	head := strings.Join(recs[0], ",")
	for _, col := range []string{"ho_tong", "ty_le_ho_dat", "chi_tieu_ho_dat", "dat_chi_tieu_ho_dat", "ty_le_ho_dat_thay_doi"} {
		if !strings.Contains(head, col) {
			t.Errorf("header lacks %s", col)
		}
	}
	if strings.Contains(head, "ty_le_thon_dat_thay_doi") {
		t.Error("a ± column for a model without last year's rates")
	}
	last := recs[len(recs)-1]
	if last[1] != "tỉnh" || last[5] != fmtInt(*r.Total.Cells["ho_dat"].Total) {
		t.Errorf("total line %q", last[:8])
	}
	// A commune that reported no households: unknown, not 0.
	var none *Row
	for i := range r.Communes {
		if r.Communes[i].Cells["ho_dat"].Total == nil {
			none = &r.Communes[i]
			break
		}
	}
	var found bool
	for _, rec := range recs[1:] {
		if rec[2] == none.Code && rec[1] == "xã" {
			found = true
			if rec[5] != dash || rec[7] != dash {
				t.Errorf("unknown figures written as %q, %q", rec[5], rec[7])
			}
		}
	}
	if !found {
		t.Error("the commune without households is missing")
	}
}
