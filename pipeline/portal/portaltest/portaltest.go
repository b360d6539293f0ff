// Package portaltest makes what the portal's tests need, for the unit tests
// (pipeline/portal), the browser tests (tests/browser) and the AWS tests:
// a working access code, a blank form, a good and a bad filled-in form.
package portaltest

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/template"
	"github.com/xhht/xhht/pipeline/template/templatetest"
)

// Code issues (or reissues) the access code of a commune in the lake and
// returns it in plain text.
func Code(t testing.TB, lake storage.Store, year int, commune string, now time.Time) string {
	t.Helper()
	is, err := access.Reissue(context.Background(), lake, access.ReissueOptions{Year: year, Commune: commune, Now: now})
	if err != nil {
		t.Fatalf("issue a code for %s: %v", commune, err)
	}
	return is.Code
}

// Blank writes a commune's blank form with n hamlets ("Thôn 1" … "Thôn n")
// already listed, as the portal's "Tải biểu mẫu" gives after earlier uploads.
func Blank(t testing.TB, year int, commune string, n int) ([]byte, []template.Sheet) {
	t.Helper()
	var names []string
	for i := 1; i <= n; i++ {
		names = append(names, fmt.Sprintf("Thôn %d", i))
	}
	o := options(t, year, commune, names)
	var buf bytes.Buffer
	if err := template.Write(&buf, o); err != nil {
		t.Fatal(err)
	}
	sheets, err := template.Layout(o)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), sheets
}

// LayoutWith is the layout of a commune's blank form listing these hamlets.
func LayoutWith(t testing.TB, year int, commune string, hamlets []string) []template.Sheet {
	t.Helper()
	sheets, err := template.Layout(options(t, year, commune, hamlets))
	if err != nil {
		t.Fatal(err)
	}
	return sheets
}

func options(t testing.TB, year int, commune string, hamlets []string) template.Options {
	t.Helper()
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	v := reg.ForYear(year)
	c := v.Communes[commune]
	if c == nil {
		t.Fatalf("commune %s not in the %d register", commune, year)
	}
	o := template.Options{Forms: forms.MustLoad(), Year: year, Commune: c, Province: v.Provinces[c.ProvinceCode], BlankRows: template.DefaultBlankRows}
	for _, h := range hamlets {
		o.Hamlets = append(o.Hamlets, receipt.Hamlet{Name: h})
	}
	return o
}

// Layout is the layout of a blank form downloaded from the portal with no
// hamlets known yet (template.DefaultBlankRows empty rows).
func Layout(t testing.TB, year int, commune string) []template.Sheet {
	t.Helper()
	_, sheets := Blank(t, year, commune, 0)
	return sheets
}

// Good fills a blank form (its layout in sheets) with values that are
// accepted; newHamlets names that many hamlets when the form lists none.
func Good(t testing.TB, blank []byte, sheets []template.Sheet, newHamlets int) *templatetest.Filled {
	t.Helper()
	f, err := templatetest.Fill(blank, sheets, newHamlets)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Bad breaks a good form in known cells and returns the file and the cells
// ("Sheet!A1") that must be reported as errors, in reading order.
func Bad(t testing.TB, good *templatetest.Filled) ([]byte, []string) {
	t.Helper()
	s := good.Sheets[0] // Biểu 01
	r1, r2 := s.FirstData, s.FirstData+1
	cells := map[string]any{
		s.Name + "!" + s.Cell(r1, "ho_tong"): "nhiều lắm", // not a number
		s.Name + "!" + s.Cell(r2, "ho_dat"):  -5,          // negative
	}
	b, err := templatetest.Set(good.Bytes, cells)
	if err != nil {
		t.Fatal(err)
	}
	return b, []string{s.Name + "!" + s.Cell(r1, "ho_tong"), s.Name + "!" + s.Cell(r2, "ho_dat")}
}

// ProvinceCode issues (or reissues) the province reviewer code of a slot
// ("01" …) (issue 15) and returns it in plain text.
func ProvinceCode(t testing.TB, lake storage.Store, year int, province, slot string, now time.Time) string {
	t.Helper()
	is, err := access.Reissue(context.Background(), lake, access.ReissueOptions{Year: year, Province: province, Reviewer: slot, Now: now})
	if err != nil {
		t.Fatalf("issue a province code for %s-%s: %v", province, slot, err)
	}
	return is.Code
}
