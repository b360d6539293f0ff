package report

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/internal/officetest"
)

// sofficeTimeout bounds one conversion; a cold start with a fresh profile
// takes a few seconds, a minute and a half means it hangs.
const sofficeTimeout = 90 * time.Second

// xlsxToPDF prints the workbook with LibreOffice, the way an office would,
// and returns the PDF. Like the end-to-end tests in tests/, a missing
// soffice fails the test rather than skipping it (make test installs it
// through make tools), so a missing tool is never mistaken for a pass.
func xlsxToPDF(t *testing.T, xlsx []byte) []byte {
	t.Helper()
	return officetest.Convert(t, "report.xlsx", xlsx, "pdf", "")
}

// pageObject matches a page object's type: "/Type /Page" but not "/Pages".
// LibreOffice writes page objects uncompressed (no object streams), so
// counting them in the file is the page count, without poppler.
var pageObject = regexp.MustCompile(`/Type\s*/Page\b`)

func pdfPages(pdf []byte) int { return len(pageObject.FindAll(pdf, -1)) }

// TestXLSXPrintsAsPDF prints the 92-commune fixture and checks the page
// count, so a layout change that breaks printing (a column that no longer
// fits, rows that lost their height, a chart that spills) fails.
//
// Why 10 pages (A4 landscape: 595 pt high; 0.6 in margins top and bottom
// leave 509 pt; 784 pt wide after 0.4 in side margins):
//
//   - "Báo cáo", 3 pages. The table is 257.5 width units (≈ 1,960 px,
//     1,470 pt) wide, so fitting it to the width prints at about 53%: a
//     page holds about 509/0.53 ≈ 950 pt of sheet. Heading, summary and
//     the two header rows take 351 pt, so page 1 holds 36 communes
//     (351 + 36 × 16 pt); page 2 repeats the 78 pt header and holds 54;
//     page 3 the last 2, the total, the note and the signature block
//     (≈ 200 pt). 2 pages would need the scale above 0.7, 4 below 0.48.
//   - "Phụ lục", 5 pages, at about 100% (142 width units ≈ 770 pt): trend
//     and counts ≈ 380 pt, then 92 communes and 4 group rows at 16 pt (the
//     9 rejected ones 28 pt, their reason wraps) ≈ 1,650 pt, with the
//     30 pt header repeated: ≈ 2,150 pt over 509 pt pages.
//   - "Biểu đồ" (printed between the two above), 2 pages: "III. BIỂU
//     ĐỒ" and one chart with its caption per page, a manual break between.
func TestXLSXPrintsAsPDF(t *testing.T) {
	if testing.Short() {
		t.Skip("LibreOffice conversion is slow; run without -short")
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, fixtureReport(92, 0)); err != nil {
		t.Fatal(err)
	}
	pdf := xlsxToPDF(t, buf.Bytes())
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 16)])
	}
	if bytes.Contains(pdf, []byte("/ObjStm")) {
		t.Fatal("PDF uses object streams: counting /Type /Page in the file no longer counts pages")
	}
	const want = 3 + 5 + 2
	if got := pdfPages(pdf); got != want {
		t.Errorf("PDF has %d pages, want %d (Báo cáo 3, Biểu đồ 2, Phụ lục 5): the print layout changed", got, want)
	}
}
