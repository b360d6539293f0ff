package report

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/internal/officetest"
)

// These tests look at the printed pages as a province official gets them:
// the .xlsx printed by LibreOffice, the .html printed by Chromium, the
// text of each page read back with pdftotext (poppler-utils). Missing
// tools fail the tests (make tools installs them), never skip them.

// pdfText returns the text of each page of a PDF.
func pdfText(t *testing.T, pdf []byte) []string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext (poppler-utils) is not installed: run make tools (scripts/report-tools.sh)")
	}
	src := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(src, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", src, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(string(out), "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	if len(pages) == 0 {
		t.Fatal("pdftotext found no pages")
	}
	return pages
}

// squash drops all white space: pdftotext's layout mode spaces words by
// their position, so compare texts without it.
func squash(s string) string { return strings.Join(strings.Fields(s), "") }

func pageHas(page, want string) bool { return strings.Contains(squash(page), squash(want)) }

// htmlToPDF prints a page with headless Chromium, as a browser's "Print"
// does (A4 landscape from the page's @page rule, no browser header).
func htmlToPDF(t *testing.T, html []byte) []byte {
	t.Helper()
	var bin string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Fatal("chromium is not installed: run make tools (scripts/report-tools.sh)")
	}
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "report.html"), filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(src, html, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), sofficeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--no-pdf-header-footer", "--print-to-pdf="+dst, "file://"+src)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	killGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("chromium: %v\n%s", err, out.String())
	}
	pdf, err := os.ReadFile(dst)
	if err != nil {
		t.Fatalf("chromium wrote no PDF: %v\n%s", err, out.String())
	}
	return pdf
}

// draftFixture is the 92-commune report made on 6 December at 10:30.
func draftFixture() *Report {
	r := fixtureReport(92, 0)
	r.DraftAt = time.Date(2026, 12, 6, 3, 30, 0, 0, time.UTC)
	return r
}

const draftMark = "DỰ THẢO – số liệu tạm tính đến 10:30 ngày 06/12/2026"

// bodyLines are a page's non-empty lines without the page header and
// footer (the draft mark, "Trang n/N").
func bodyLines(page string) []string {
	var out []string
	for _, l := range strings.Split(page, "\n") {
		s := strings.TrimSpace(l)
		if s == "" || strings.HasPrefix(squash(s), squash(draftMark)) || strings.HasPrefix(s, "Trang ") || s == "DỰ THẢO" ||
			strings.HasSuffix(squash(s), "DỰTHẢO") && strings.Contains(s, "Trang ") {
			continue
		}
		out = append(out, s)
	}
	return out
}

// checkSectionNotAtFoot fails when the heading is the last text of its
// page (the section's content starting on the next page).
func checkSectionNotAtFoot(t *testing.T, pages []string, heading, next string) {
	t.Helper()
	for i, p := range pages {
		if !pageHas(p, heading) {
			continue
		}
		lines := bodyLines(p)
		for j, l := range lines {
			if pageHas(l, heading) {
				rest := strings.Join(lines[j+1:], "\n")
				if !pageHas(rest, next) {
					t.Errorf("page %d: %q is not followed on its page by %q:\n%s", i+1, heading, next, p)
				}
				return
			}
		}
	}
	t.Errorf("no page has %q", heading)
}

// checkSignable: the heading of the issuer, the addressees, "Nơi nhận:"
// and the signer, and nothing in the People's Committee's name.
func checkSignable(t *testing.T, pages []string, format string) {
	t.Helper()
	first := pages[0]
	for _, want := range []string{"ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", motto1, motto2, "Số: …/BC-SGDĐT",
		"Thái Nguyên, ngày …… tháng 12 năm 2026", "BÁO CÁO", "Kính gửi:", "- Bộ Giáo dục và Đào tạo;", "- Ủy ban nhân dân tỉnh Thái Nguyên."} {
		if !pageHas(first, want) {
			t.Errorf("%s page 1 lacks %q", format, want)
		}
	}
	all := strings.Join(pages, "\n")
	for _, want := range []string{"Nơi nhận:", "- Như trên;", "- Giám đốc Sở (để báo cáo);", "- Lưu: VT, GDTX.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn An"} {
		if !pageHas(all, want) {
			t.Errorf("%s lacks %q", format, want)
		}
	}
	for _, bad := range []string{"CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN", "NGƯỜI LẬP BIỂU"} {
		if pageHas(all, bad) {
			t.Errorf("%s still has %q", format, bad)
		}
	}
}

// TestXLSXPrintedPages prints the draft and the final workbook with
// LibreOffice: the draft's mark on every page and none on the final's,
// the issuer and recipients, "III. BIỂU ĐỒ" with its chart on one page,
// percent on the chart axis.
func TestXLSXPrintedPages(t *testing.T) {
	if testing.Short() {
		t.Skip("LibreOffice conversion is slow; run without -short")
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, draftFixture()); err != nil {
		t.Fatal(err)
	}
	pages := pdfText(t, xlsxToPDF(t, buf.Bytes()))
	for i, p := range pages {
		if !pageHas(p, draftMark) {
			t.Errorf("draft page %d/%d lacks %q", i+1, len(pages), draftMark)
		}
	}
	checkSignable(t, pages, "xlsx")
	checkSectionNotAtFoot(t, pages, "III. BIỂU ĐỒ", "Tỷ lệ Gia đình học tập (GĐHT) so với chỉ tiêu")
	all := strings.Join(pages, "\n")
	for _, want := range []string{"100%", "80%", "Gia đình học tập (GĐHT)", "Cộng đồng học tập cấp thôn (CĐHT)", "Công dân học tập (CDHT)",
		"Cột màu xanh dương", "đường màu đen"} {
		if !pageHas(all, want) {
			t.Errorf("charts lack %q", want)
		}
	}

	buf.Reset()
	if err := WriteXLSX(&buf, fixtureReport(92, 0)); err != nil {
		t.Fatal(err)
	}
	for i, p := range pdfText(t, xlsxToPDF(t, buf.Bytes())) {
		if pageHas(p, "DỰ THẢO") {
			t.Errorf("final page %d says DỰ THẢO", i+1)
		}
	}
}

// TestHTMLPrintedPages prints the draft page with Chromium: the mark on
// every page, the signature block, "III. Biểu đồ" with its chart.
func TestHTMLPrintedPages(t *testing.T) {
	if testing.Short() {
		t.Skip("Chromium printing is slow; run without -short")
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, draftFixture()); err != nil {
		t.Fatal(err)
	}
	pages := pdfText(t, htmlToPDF(t, buf.Bytes()))
	if len(pages) < 3 {
		t.Fatalf("%d pages", len(pages))
	}
	for i, p := range pages {
		if !pageHas(p, draftMark) {
			t.Errorf("draft page %d/%d lacks %q", i+1, len(pages), draftMark)
		}
	}
	checkSignable(t, pages, "html")
	checkSectionNotAtFoot(t, pages, "III. Biểu đồ", "Tỷ lệ Gia đình học tập (GĐHT) theo xã")

	buf.Reset()
	if err := WriteHTML(&buf, fixtureReport(92, 0)); err != nil {
		t.Fatal(err)
	}
	for i, p := range pdfText(t, htmlToPDF(t, buf.Bytes())) {
		if pageHas(p, "DỰ THẢO") {
			t.Errorf("final page %d says DỰ THẢO", i+1)
		}
	}
}

// TestCSVImportsAsNumbers opens the .csv with LibreOffice's own import
// (comma, UTF-8, English locale: what "Open" does on most machines) and
// reads the cells back: counts and rates are numbers with their values,
// unknown figures are empty, names stay text.
func TestCSVImportsAsNumbers(t *testing.T) {
	if testing.Short() {
		t.Skip("LibreOffice conversion is slow; run without -short")
	}
	r := fixtureReport(92, 0)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	// CSV filter options: separator 44 (,), text delimiter 34 ("),
	// character set 76 (UTF-8), from line 1, default column types,
	// language 1033 (English, USA).
	xlsx := officetest.Convert(t, "report.csv", buf.Bytes(), "xlsx", "CSV:44,34,76,1,,1033")
	f, err := excelize.OpenReader(bytes.NewReader(xlsx), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	lines := tableLines(r)
	if len(rows) != 1+len(lines) {
		t.Fatalf("%d rows, want %d", len(rows), 1+len(lines))
	}
	number := func(row int, name string) (float64, bool) {
		cell, _ := excelize.CoordinatesToCellName(col[name]+1, row+1)
		typ, err := f.GetCellType(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := f.GetCellValue(sheet, cell)
		if v == "" {
			return 0, false
		}
		if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Errorf("%s (%s) = %q: text, not a number", cell, name, v)
			return 0, false
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Errorf("%s (%s) = %q", cell, name, v)
		}
		return x, true
	}
	for i, l := range lines {
		c := l.row.Cells["ho_dat"]
		total, ok := number(i+1, "ho_tong")
		if ok != (c.Total != nil) || ok && total != float64(*c.Total) {
			t.Errorf("row %d ho_tong = %v (%v), want %v", i+2, total, ok, c.Total)
		}
		rate, ok := number(i+1, "ty_le_ho_dat")
		if ok != (c.Rate != nil) || ok && (rate-*c.Rate > 1e-12 || *c.Rate-rate > 1e-12) {
			t.Errorf("row %d ty_le_ho_dat = %v (%v), want %v", i+2, rate, ok, c.Rate)
		}
		if c.Change != nil {
			if ch, ok := number(i+1, "ty_le_ho_dat_thay_doi"); !ok || ch-*c.Change > 1e-12 || *c.Change-ch > 1e-12 {
				t.Errorf("row %d change = %v, want %v", i+2, ch, *c.Change)
			}
		}
		// Text stays text (a carriage return inside a name is dropped by
		// the import).
		if name, want := rows[i+1][col["ten"]], strings.ReplaceAll(csvSafe(lineName(l)), "\r", ""); name != want {
			t.Errorf("row %d name %q, want %q", i+2, name, want)
		}
	}
}
