//go:build unix

package access

import (
	"bytes"
	"context"
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/internal/officetest"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// TestSheetPrintsAsPDF prints the 92-commune sheet with LibreOffice, as a
// province office would, and checks the page count and size, so a layout
// change that breaks printing (a column that no longer fits, taller rows)
// fails. A missing soffice fails the test (make tools installs it).
//
// Why 5 pages (measured on the PDF, and consistent): A4 landscape is
// 784 × 509 pt inside the margins. In LibreOffice's metrics the 7 columns
// (126 width units) are about 880 pt wide, so fitting to the width prints
// at about 88%: 12-point text comes out at 10.5 pt, the codes at 12.3 pt.
// A page then holds 509 / 0.88 ≈ 578 pt of sheet: on page 1 the title
// block (24 + 34 + 20 + 15 pt) and the 34 pt header leave room for 17 rows
// of 26 pt; later pages repeat the header and hold 20. 92 = 17 + 3 × 20 +
// 15: 5 pages. 4 pages would need the scale under 0.75 (unreadable), 6
// rows that grew.
func TestSheetPrintsAsPDF(t *testing.T) {
	if testing.Short() {
		t.Skip("LibreOffice conversion is slow; run without -short")
	}
	lake := local.New(t.TempDir())
	issued, err := Issue(context.Background(), lake, IssueOptions{Year: testYear, Province: testProvince, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	dl, err := deadlines.Load()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteSheet(&buf, Sheet{Year: testYear, ProvinceName: "Tỉnh Thái Nguyên", PortalURL: "https://nop.thainguyen.example.vn/", Issued: issued, Deadlines: dl, Now: t0}); err != nil {
		t.Fatal(err)
	}
	pdf := sheetToPDF(t, buf.Bytes())
	if bytes.Contains(pdf, []byte("/ObjStm")) {
		t.Fatal("PDF uses object streams: counting /Type /Page in the file no longer counts pages")
	}
	if got := len(regexp.MustCompile(`/Type\s*/Page\b`).FindAll(pdf, -1)); got != 5 {
		t.Errorf("PDF has %d pages, want 5: the print layout changed", got)
	}
	boxes := regexp.MustCompile(`/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]`).FindAllSubmatch(pdf, -1)
	for _, b := range boxes {
		w, _ := strconv.ParseFloat(string(b[1]), 64)
		h, _ := strconv.ParseFloat(string(b[2]), 64)
		if math.Abs(w-841.89) > 1 || math.Abs(h-595.28) > 1 {
			t.Fatalf("page size %s × %s pt, want A4 landscape (841.89 × 595.28)", b[1], b[2])
		}
	}
	if len(boxes) == 0 {
		t.Error("no page size in the PDF")
	}
}

// sheetToPDF prints the sheet as LibreOffice does.
func sheetToPDF(t *testing.T, xlsx []byte) []byte {
	t.Helper()
	pdf := officetest.Convert(t, "ma-truy-cap.xlsx", xlsx, "pdf", "")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 16)])
	}
	return pdf
}

// TestProvinceSheetPrints: the sheet of province reviewer codes prints on
// one A4 landscape page, with the holders' names and the title saying
// these are province codes (read back from the PDF's text).
func TestProvinceSheetPrints(t *testing.T) {
	if testing.Short() {
		t.Skip("LibreOffice conversion is slow; run without -short")
	}
	lake := local.New(t.TempDir())
	issued, err := Issue(context.Background(), lake, IssueOptions{Year: testYear, Province: testProvince, Role: RoleProvince,
		Holders: []string{"Nguyễn Văn An", "Trần Thị Bình", ""}, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	dl, err := deadlines.Load()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteSheet(&buf, Sheet{Year: testYear, ProvinceName: "Tỉnh Thái Nguyên", PortalURL: "https://nop.thainguyen.example.vn/", Issued: issued, Deadlines: dl, Now: t0}); err != nil {
		t.Fatal(err)
	}
	pdf := sheetToPDF(t, buf.Bytes())
	if got := len(regexp.MustCompile(`/Type\s*/Page\b`).FindAll(pdf, -1)); got != 1 {
		t.Errorf("PDF has %d pages, want 1", got)
	}
	text := officetest.Convert(t, "ma-truy-cap.xlsx", buf.Bytes(), "csv:Text - txt - csv (StarCalc):44,34,76", "")
	for _, want := range []string{"CẤP TỈNH", "Nguyễn Văn An", "Trần Thị Bình", "19-01", "19-03", "Cán bộ Sở GD&ĐT", issued[0].Code} {
		if !bytes.Contains(text, []byte(want)) {
			t.Errorf("sheet lacks %q", want)
		}
	}
}
