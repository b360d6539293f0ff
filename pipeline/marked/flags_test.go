package marked

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/internal/fixture"
	"github.com/xhht/xhht/pipeline/receipt"
)

// TestFlagsInMarkedWorkbook (issue 15 review B-M2): an accepted file with
// plausibility flags does not say "no warnings": the summary lists each
// flag as a warning "Cần xem lại" with last year's value (never an error),
// and a hamlet's flag fills and comments the hamlet's name cell (found
// whatever its case and spacing). The receipt is not changed, and
// LibreOffice opens the result. Texts are written by hand.
func TestFlagsInMarkedWorkbook(t *testing.T) {
	data := fixture.XLSX(t, fixture.Form{Rows: fixture.Hamlets01()}.Build().G)
	rc := check(t, "lon.xlsx", data)
	if rc.Status != receipt.Accepted || len(rc.Errors) != 0 {
		t.Fatalf("test input not clean")
	}
	flags := []Flag{
		{Message: "Tổng số hộ tăng 38,4% so với năm 2025 (4.875 → 6.745)"},
		{Hamlet: "thôn  KHUỔI Cái", Message: "Tổng số hộ của “Thôn Khuổi Cái” (2.000) khác thường so với các thôn khác của xã (năm 2025: 181 → năm nay 2.000)"},
		{Hamlet: "Thôn Không Có Trong Tệp", Message: "“Thôn Không Có Trong Tệp” năm 2025 có, năm nay không có"},
	}
	var buf bytes.Buffer
	if err := WriteFlags(&buf, "lon.xlsx", data, rc, flags); err != nil {
		t.Fatal(err)
	}
	if len(rc.Errors) != 0 || rc.WarningCount != 0 {
		t.Fatal("WriteFlags changed the receipt")
	}
	out := buf.Bytes()
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(SummarySheet)
	text := fmt.Sprint(rows)
	for _, want := range []string{
		"Kết quả: ĐƯỢC CHẤP NHẬN (3 cảnh báo)",
		"Cần xem lại: Tổng số hộ tăng 38,4% so với năm 2025 (4.875 → 6.745)",
		"Cần xem lại: Tổng số hộ của “Thôn Khuổi Cái” (2.000) khác thường so với các thôn khác của xã (năm 2025: 181 → năm nay 2.000)",
		"Cần xem lại: “Thôn Không Có Trong Tệp” năm 2025 có, năm nay không có",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q: %q", want, rows)
		}
	}
	if strings.Contains(text, "Không có lỗi hay cảnh báo nào") || strings.Contains(text, "BỊ TỪ CHỐI") {
		t.Errorf("summary of a flagged file: %q", rows)
	}
	// Each flag's line: severity "Cảnh báo", never "Lỗi"; the hamlet's
	// line names its cell (the name is in column B of row 10 of the form).
	var flagRows [][]string
	for _, r := range rows {
		if len(r) == 5 && strings.HasPrefix(r[4], "Cần xem lại: ") {
			flagRows = append(flagRows, r)
		}
	}
	if len(flagRows) != 3 {
		t.Fatalf("%d flag lines: %q", len(flagRows), rows)
	}
	for _, r := range flagRows {
		if r[1] != "Cảnh báo" {
			t.Errorf("flag line with severity %q: %q", r[1], r)
		}
	}
	sheet, ref := flagRows[1][2], flagRows[1][3]
	if sheet != "Biểu 01" || ref == "" {
		t.Fatalf("the hamlet's flag is not placed: %q", flagRows[1])
	}
	if v, _ := f.GetCellValue(sheet, ref); v != "Thôn Khuổi Cái" {
		t.Errorf("%s!%s holds %q, want the hamlet's name", sheet, ref, v)
	}
	if flagRows[0][3] != "" || flagRows[2][3] != "" {
		t.Errorf("a flag without a cell in the file got one: %q", flagRows)
	}
	if got := fillOf(t, f, xfFills(t, out), sheet, ref); got != wantWarningFill {
		t.Errorf("%s!%s fill %q, want %s", sheet, ref, got, wantWarningFill)
	}
	comments, _ := f.GetComments(sheet)
	found := false
	for _, c := range comments {
		if c.Cell == ref && strings.Contains(noteText(c), "Cần xem lại: Tổng số hộ của “Thôn Khuổi Cái” (2.000)") {
			found = true
		}
	}
	if !found {
		t.Errorf("no comment on %s!%s: %+v", sheet, ref, comments)
	}
	opensInLibreOffice(t, out, func(resaved []byte) {
		g, err := excelize.OpenReader(bytes.NewReader(resaved))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := g.GetRows(SummarySheet)
		if !strings.Contains(fmt.Sprint(rows), "Cần xem lại: Tổng số hộ tăng 38,4%") {
			t.Errorf("LibreOffice's re-save lost the flags: %q", rows)
		}
	})
}

// TestFlagsInMarkedCSV: a CSV upload comes back as an .xlsx copy; a
// hamlet's flag lands on the copy's cell of the hamlet's name.
func TestFlagsInMarkedCSV(t *testing.T) {
	data := fixture.CSV(t, fixture.Form{Rows: fixture.Hamlets01()}.Build().G, ';', true)
	rc := check(t, "bao-cao.csv", data)
	if rc.Status != receipt.Accepted {
		t.Fatalf("test input not accepted")
	}
	var buf bytes.Buffer
	if err := WriteFlags(&buf, "Báo cáo xã.csv", data, rc, []Flag{{Hamlet: "Thôn Pác Chợ", Message: "“Thôn Pác Chợ” tăng 50% (năm 2025 100 → năm nay 150)"}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(SummarySheet)
	var line []string
	for _, r := range rows {
		if len(r) == 5 && strings.HasPrefix(r[4], "Cần xem lại: ") {
			line = r
		}
	}
	if line == nil || line[1] != "Cảnh báo" || line[3] == "" {
		t.Fatalf("flag line %q in %q", line, rows)
	}
	if v, _ := f.GetCellValue("Báo cáo xã", line[3]); v != "Thôn Pác Chợ" {
		t.Errorf("%s of the copy holds %q, want the hamlet's name", line[3], v)
	}
	if got := fillOf(t, f, xfFills(t, buf.Bytes()), "Báo cáo xã", line[3]); got != wantWarningFill {
		t.Errorf("fill %q", got)
	}
}
