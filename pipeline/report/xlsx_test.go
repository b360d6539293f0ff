package report

import (
	"archive/zip"
	"bytes"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func openXLSX(t *testing.T, r *Report) (*excelize.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, r); err != nil {
		t.Fatal(err)
	}
	// RawCellValue: read the stored numbers, not their formatted display.
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, buf.Bytes()
}

// headerRow finds the table's first header row ("STT") in column A.
func headerRow(t *testing.T, f *excelize.File, sheet string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 1 && r[0] == "STT" && r[1] == "Đơn vị" {
			return i + 1
		}
	}
	t.Fatalf("no table header in %s", sheet)
	return 0
}

// TestXLSXHostileTextIsText: names and rejection reasons that look like
// formulas are stored as strings, never as formulas, in every sheet.
func TestXLSXHostileTextIsText(t *testing.T) {
	for _, r := range []*Report{fixtureReport(92, 0), movementReport(92, 3)} {
		f, _ := openXLSX(t, r)
		found := map[string]bool{}
		for _, sheet := range f.GetSheetList() {
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			for ri, row := range rows {
				for ci, v := range row {
					cell, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
					formula, err := f.GetCellFormula(sheet, cell)
					if err != nil {
						t.Fatal(err)
					}
					if formula != "" {
						t.Errorf("%s!%s has formula %q", sheet, cell, formula)
					}
					for _, h := range hostile {
						if v == h {
							found[h] = true
							if typ, _ := f.GetCellType(sheet, cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
								t.Errorf("%s!%s %q stored as type %v, want a string", sheet, cell, v, typ)
							}
						}
					}
					if strings.HasPrefix(v, "=cmd|") {
						found["rejection"] = true
					}
				}
			}
		}
		for _, h := range hostile {
			if !found[h] {
				t.Errorf("deadline %s: hostile name %q not found verbatim", r.Deadline, h)
			}
		}
		if !found["rejection"] {
			t.Error("rejection reason not found verbatim in the annex")
		}
	}
}

// TestXLSXNumbersMatchReport reads every commune row, every district
// subtotal and the total back and compares them with the Report to the
// unit: counts as integers, rates as the same fractions, "–" for nil.
func TestXLSXNumbersMatchReport(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    *Report
	}{{"flat", fixtureReport(92, 0)}, {"districts", fixtureReport(92, 3)}} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			f, _ := openXLSX(t, r)
			hdr := headerRow(t, f, sheetMain)
			lines := tableLines(r)
			if want := len(r.Communes) + len(r.Districts) + 1; len(lines) != want {
				t.Fatalf("%d table lines, want %d", len(lines), want)
			}
			cols := modelColumns(r)
			seen := map[string]bool{}
			for i, l := range lines {
				row := hdr + 2 + i
				name, _ := f.GetCellValue(sheetMain, cellName(2, row))
				if name != lineName(l) {
					t.Fatalf("row %d: name %q, want %q", row, name, lineName(l))
				}
				seen[l.level()+l.row.Code] = true
				for ci, c := range cols {
					cell := cellName(3+ci, row)
					got, _ := f.GetCellValue(sheetMain, cell)
					checkCell(t, cell, c, c.get(l.row), got)
				}
			}
			for _, c := range r.Communes {
				if !seen["commune"+c.Code] {
					t.Errorf("commune %s missing from the table", c.Code)
				}
			}
			if !seen["province"+r.Total.Code] {
				t.Error("total row missing")
			}
		})
	}
}

func checkCell(t *testing.T, cell string, c column, v value, got string) {
	t.Helper()
	switch c.kind {
	case kCount:
		if v.n == nil {
			if got != dash {
				t.Errorf("%s (%s): %q, want %q for unknown", cell, c.head, got, dash)
			}
			return
		}
		if got != strconv.FormatInt(*v.n, 10) {
			t.Errorf("%s (%s): %q, want %d", cell, c.head, got, *v.n)
		}
	case kChange:
		if v.f == nil {
			if got != "" {
				t.Errorf("%s (%s): %q, want empty for no comparison", cell, c.head, got)
			}
			return
		}
		// Percentage points, as the header says: +2,3 for 50% → 52,3%.
		x, err := strconv.ParseFloat(got, 64)
		if err != nil || math.Abs(x-*v.f*100) > 1e-4 {
			t.Errorf("%s (%s): %q, want %v points", cell, c.head, got, *v.f*100)
		}
	case kRate, kTarget:
		if v.f == nil {
			want := dash
			if c.kind == kChange {
				want = ""
			}
			if got != want {
				t.Errorf("%s (%s): %q, want %q for unknown", cell, c.head, got, want)
			}
			return
		}
		x, err := strconv.ParseFloat(got, 64)
		if err != nil || math.Abs(x-*v.f) > 1e-12 {
			t.Errorf("%s (%s): %q, want %v", cell, c.head, got, *v.f)
		}
	case kMet:
		want := dash
		if v.b != nil {
			want = metText(*v.b)
		}
		if got != want {
			t.Errorf("%s (%s): %q, want %q", cell, c.head, got, want)
		}
	}
}

// TestXLSXMovementSheets: the 1 December workbook leads with the movement
// table and carries the results table on "Biểu 02".
func TestXLSXMovementSheets(t *testing.T) {
	r := movementReport(30, 3)
	f, _ := openXLSX(t, r)
	want := []string{sheetMain, sheetSecond, sheetCharts, sheetAnnex}
	if got := f.GetSheetList(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	hdr := headerRow(t, f, sheetMain)
	lines := tableLines(r)
	for ci, c := range movementColumns() {
		head, _ := f.GetCellValue(sheetMain, cellName(3+ci, hdr+1))
		if head != c.head {
			t.Errorf("movement column %d: %q, want %q", ci, head, c.head)
		}
		for i, l := range lines {
			got, _ := f.GetCellValue(sheetMain, cellName(3+ci, hdr+2+i))
			checkCell(t, cellName(3+ci, hdr+2+i), c, c.get(l.row), got)
		}
	}
	hdr2 := headerRow(t, f, sheetSecond)
	total := hdr2 + 2 + len(lines) - 1
	got, _ := f.GetCellValue(sheetSecond, cellName(3, total))
	if got != strconv.FormatInt(*r.Total.Cells["ho_dat"].Total, 10) {
		t.Errorf("Biểu 02 total households %q, want %d", got, *r.Total.Cells["ho_dat"].Total)
	}
}

// TestXLSXPrintSetup: A4 landscape, fitted to one page wide, header rows
// frozen and repeated on every printed page.
func TestXLSXPrintSetup(t *testing.T) {
	r := movementReport(92, 3)
	f, _ := openXLSX(t, r)
	for _, sheet := range []string{sheetMain, sheetSecond, sheetAnnex} {
		pl, err := f.GetPageLayout(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Size == nil || *pl.Size != 9 || pl.Orientation == nil || *pl.Orientation != "landscape" {
			t.Errorf("%s: paper %v orientation %v, want A4 (9) landscape", sheet, pl.Size, pl.Orientation)
		}
		if pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 {
			t.Errorf("%s: fit to %v×%v pages, want 1 wide, any tall", sheet, pl.FitToWidth, pl.FitToHeight)
		}
		props, _ := f.GetSheetProps(sheet)
		if props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("%s: fit to page not enabled", sheet)
		}
	}
	titles := map[string]string{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" {
			titles[dn.Scope] = dn.RefersTo
		}
	}
	for _, sheet := range []string{sheetMain, sheetSecond} {
		hdr := headerRow(t, f, sheet)
		want := "'" + sheet + "'!$" + strconv.Itoa(hdr) + ":$" + strconv.Itoa(hdr+1)
		if titles[sheet] != want {
			t.Errorf("%s print titles %q, want %q", sheet, titles[sheet], want)
		}
		panes, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !panes.Freeze || panes.YSplit != hdr+1 || panes.XSplit != 2 {
			t.Errorf("%s panes %+v, want frozen below row %d and right of column B", sheet, panes, hdr+1)
		}
		// The name column fits the longest (non-hostile) name.
		w, _ := f.GetColWidth(sheet, "B")
		for _, c := range r.Communes {
			if n := len([]rune(c.Name)); n < 40 && float64(n) > w {
				t.Errorf("%s: column B is %.1f wide, %q needs %d", sheet, w, c.Name, n)
			}
		}
	}
}

// TestXLSXFontsTimesNewRoman: every font of the workbook's cells, and
// every font set on the charts, is Times New Roman, the font of Vietnamese
// official documents.
func TestXLSXFontsTimesNewRoman(t *testing.T) {
	_, data := openXLSX(t, fixtureReport(20, 0))
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	nameRe := regexp.MustCompile(`<(?:x:)?name val="([^"]*)"`)
	typeface := regexp.MustCompile(`<a:latin typeface="([^"]*)"`)
	for _, zf := range zr.File {
		var re *regexp.Regexp
		switch {
		case zf.Name == "xl/styles.xml":
			re = nameRe
		case strings.HasPrefix(zf.Name, "xl/charts/"):
			re = typeface
		default:
			continue
		}
		rc, _ := zf.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		ms := re.FindAllSubmatch(b, -1)
		if len(ms) == 0 {
			t.Errorf("%s: no font found", zf.Name)
		}
		for _, m := range ms {
			// excelize writes the theme's minor font ("+mn-lt") for chart
			// parts it has no option for; every font it lets us set is
			// checked.
			if string(m[1]) != fontName && string(m[1]) != "+mn-lt" {
				t.Errorf("%s: font %q", zf.Name, m[1])
			}
		}
	}
}
