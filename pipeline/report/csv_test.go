package report

import (
	"bytes"
	"encoding/csv"
	"strconv"
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

// TestCSVContent: one line per table row, plain locale-free values
// (4917, 0.7861, true), "" for unknown figures, ma_huyen only with
// districts.
func TestCSVContent(t *testing.T) {
	for _, districts := range []int{3, 0} {
		r := fixtureReport(92, districts)
		recs := readCSV(t, r)
		if got, want := len(recs), 1+len(r.Communes)+len(r.Districts)+1; got != want {
			t.Fatalf("%d lines, want %d", got, want)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		for _, c := range []string{"ho_tong", "ho_dat", "ty_le_ho_dat", "chi_tieu_ho_dat", "dat_chi_tieu_ho_dat", "ty_le_ho_dat_thay_doi"} {
			if _, ok := col[c]; !ok {
				t.Errorf("header lacks %s", c)
			}
		}
		if _, ok := col["ty_le_thon_dat_thay_doi"]; ok {
			t.Error("a ± column for a model without last year's rates")
		}
		if _, ok := col["ma_huyen"]; ok != (districts > 0) {
			t.Errorf("districts %d: ma_huyen column present = %v", districts, ok)
		}
		last := recs[len(recs)-1]
		tot := r.Total.Cells["ho_dat"]
		if last[col["cap"]] != "tỉnh" || last[col["ho_tong"]] != strconv.FormatInt(*tot.Total, 10) {
			t.Errorf("total line %q", last)
		}
		if got, err := strconv.ParseFloat(last[col["ty_le_ho_dat"]], 64); err != nil || got != *tot.Rate {
			t.Errorf("total rate %q, want %v", last[col["ty_le_ho_dat"]], *tot.Rate)
		}
		if got := last[col["chi_tieu_ho_dat"]]; got != "0.8" {
			t.Errorf("target %q, want 0.8", got)
		}
		if got := last[col["dat_chi_tieu_ho_dat"]]; got != strconv.FormatBool(*tot.Met) {
			t.Errorf("met %q, want %v", got, *tot.Met)
		}
		for _, rec := range recs[1:] {
			for i, v := range rec[col["ho_tong"]:] {
				if strings.ContainsAny(v, ",%–") {
					t.Fatalf("%s = %q: not a plain value", recs[0][col["ho_tong"]+i], v)
				}
			}
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
			if rec[col["ma"]] == none.Code && rec[col["cap"]] == "xã" {
				found = true
				if rec[col["ho_tong"]] != "" || rec[col["ty_le_ho_dat"]] != "" || rec[col["dat_chi_tieu_ho_dat"]] != "" {
					t.Errorf("unknown figures written as %q", rec)
				}
			}
		}
		if !found {
			t.Error("the commune without households is missing")
		}
	}
}
