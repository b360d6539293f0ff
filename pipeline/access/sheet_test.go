package access

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// The sheet read back: one row per commune of the register, in code order,
// each with a code that signs in as that commune, the portal address and
// the province's due dates (Thái Nguyên: 25/11 by default for the 1/12
// report, its own 05/12 for the 15/12 one, schemas/deadlines/commune_due.csv).
func TestSheetReadBack(t *testing.T) {
	ctx := context.Background()
	lake := local.New(t.TempDir())
	issued, err := Issue(ctx, lake, IssueOptions{Year: testYear, Province: testProvince, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	dl, err := deadlines.Load()
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://cong.example.gov.vn/"
	var buf bytes.Buffer
	if err := WriteSheet(&buf, Sheet{Year: testYear, ProvinceName: "Tỉnh Thái Nguyên", PortalURL: url, Issued: issued, Deadlines: dl, Now: t0}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(SheetName)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := reg.ForYear(testYear).CommunesOf(testProvince)
	body := rows[sheetHeaderRow:]
	if len(body) != len(want) || len(want) != 92 {
		t.Fatalf("%d rows, want one per commune of the register (%d)", len(body), len(want))
	}
	if !strings.Contains(rows[2][0], "Mã dùng được hết ngày 31/12/2026.") {
		t.Errorf("expiry note: %q", rows[2][0])
	}
	if rows[sheetHeaderRow-1][3] != "Mã truy cập" {
		t.Errorf("header row: %q", rows[sheetHeaderRow-1])
	}
	auth := NewAuthority(lake)
	for i, r := range body {
		c := want[i]
		if r[0] != strconv.Itoa(i+1) || r[1] != c.Code || r[2] != c.Name || r[4] != url {
			t.Errorf("row %d = %q, want commune %s %s", i+1, r, c.Code, c.Name)
		}
		if len(r) != 7 || r[5] != "25/11/2026" || r[6] != "05/12/2026" {
			t.Errorf("row %d (%s) dates %q, want 25/11/2026, 05/12/2026", i+1, c.Code, r[5:])
		}
		g, err := auth.Verify(ctx, r[3], t0)
		if err != nil || g.Commune != c.Code {
			t.Errorf("row %d: code %q signs in as %+v, %v; want %s", i+1, r[3], g, err, c.Code)
		}
	}
	// The due dates are real date cells, not text.
	for _, cell := range []string{"F6", "G6"} {
		typ, err := f.GetCellType(SheetName, cell)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := f.GetCellValue(SheetName, cell, excelize.Options{RawCellValue: true})
		serial, perr := strconv.ParseFloat(raw, 64)
		if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString || perr != nil {
			t.Errorf("%s is %v %q, want a date number", cell, typ, raw)
			continue
		}
		got, _ := excelize.ExcelDateToTime(serial, false)
		want := map[string]time.Time{"F6": time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), "G6": time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)}[cell]
		if !got.Equal(want) {
			t.Errorf("%s = %v, want %v", cell, got, want)
		}
	}
	// Printing: A4 landscape, one page wide, the header row repeated.
	pl, err := f.GetPageLayout(SheetName)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Size == nil || *pl.Size != 9 || pl.Orientation == nil || *pl.Orientation != "landscape" ||
		pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 {
		t.Errorf("page layout %+v, want A4 landscape fitted to 1 page wide", pl)
	}
	titles := false
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.RefersTo == "'Mã truy cập'!$5:$5" {
			titles = true
		}
	}
	if !titles {
		t.Errorf("no print titles for the header row: %+v", f.GetDefinedName())
	}
	// Readable: 12-point text at least, the code bigger.
	for cell, min := range map[string]float64{"C6": 12, "D6": 14} {
		id, _ := f.GetCellStyle(SheetName, cell)
		st, err := f.GetStyle(id)
		if err != nil || st.Font == nil || st.Font.Size < min {
			t.Errorf("%s font %+v, want at least %v pt", cell, st.Font, min)
		}
	}
}

// Skipped communes (no new code) have no row.
func TestSheetLeavesOutSkipped(t *testing.T) {
	dl, err := deadlines.Load()
	if err != nil {
		t.Fatal(err)
	}
	g := Grant{Role: RoleCommune, Year: testYear, Province: testProvince, Commune: communeA, CommuneName: "Phường Phan Đình Phùng", ExpiresAt: DefaultExpiry(testYear)}
	var buf bytes.Buffer
	err = WriteSheet(&buf, Sheet{Year: testYear, Issued: []Issued{{Grant: g, Skipped: StatusActive}, {Grant: g, Code: "7KQ4-M2XD-9PTA-W3RN"}}, Deadlines: dl, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(SheetName)
	if len(rows) != sheetFirstRow || rows[sheetFirstRow-1][3] != "7KQ4-M2XD-9PTA-W3RN" {
		t.Errorf("rows %q, want the header and the one new code", rows)
	}
}

func TestExpiryText(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{DefaultExpiry(2026), "hết ngày 31/12/2026"},
		{time.Date(2026, 12, 20, 0, 0, 0, 0, deadlines.ICT), "hết ngày 19/12/2026"},
		{time.Date(2026, 12, 20, 17, 30, 0, 0, deadlines.ICT), "đến 17:30 20/12/2026"},
	} {
		if got := ExpiryText(c.at); got != c.want {
			t.Errorf("ExpiryText(%v) = %q, want %q", c.at, got, c.want)
		}
	}
}
