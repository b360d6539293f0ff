package marked

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/internal/fixture"
	"github.com/xhht/xhht/pipeline/legacy"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/template/templatetest"
	"github.com/xhht/xhht/pipeline/workbook"
)

// Fill colours as the official sees them: Excel's "Bad" (light red) and
// "Neutral" (light yellow). Written here, not taken from the package, so a
// changed colour is a failing test.
const (
	wantErrorFill   = "FFC7CE"
	wantWarningFill = "FFEB9C"
)

var checkedAt = time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)

// check runs the validator on an upload of Xã Bằng Thành (01864, Thái
// Nguyên) called name.
func check(t *testing.T, name string, data []byte) *receipt.Receipt {
	t.Helper()
	return templatetest.Check(t, "2026/19/01864/"+name, checkedAt, data)
}

// Formula-looking commune text: each must come back as text.
var formulaLike = []string{"=SUM(A1:A9)", "+84 912 345 678", "-Thôn Dưới", "@Thôn Trên", "=2*3", "=HYPERLINK(\"http://x\")"}

// badForm is a Biểu 01 with errors on cells (a word in a count, registered
// over total, a repeated hamlet name that looks like a formula, a bad
// Có/Không), a warning on a cell (a column of no form), a warning with no
// cell (a row without hamlet data), errors on the title's year and commune
// code, and formula-looking text in cells
// that are not marked. nameLines: the first hamlet name spans two lines
// (a quoted field in a CSV).
func badForm(nameLines bool) fixture.Layout {
	cols := append(append([]fixture.Col{}, fixture.Cols01...), fixture.Col{Head: "Số điện thoại liên hệ"})
	first := "Thôn Nà Rì"
	if nameLines {
		first = "Thôn Nà Rì\n(xóm trên)"
	}
	rows := [][]any{
		{first, "abc", 110, 100, 8, 8, 6, "Có", "Có", 210, 150, formulaLike[4]},
		{"Thôn Khuổi Cái", 95, 200, 80, 5, 5, 4, "Có", "Không", 170, 100, formulaLike[1]},
		{formulaLike[0], 150, 140, 120, 10, 9, 7, "Không", "Không", 260, 130, formulaLike[5]},
		{formulaLike[0], 150, 140, 120, 10, 9, 7, "Không", "Không", 260, 130, formulaLike[3]},
		{formulaLike[2], 60, 50, 40, 3, 3, 2, "Có", "Cóo", 100, 50, nil},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, "0912 345 678"}, // no hamlet data: a blank-row warning, an issue without a cell
	}
	return fixture.Form{Rows: rows, Cols: cols, Title: fixture.Title01(2025, "01865")}.Build() // the title names another year (A3) and another commune (A4)
}

// place is a cell of a sheet.
type place struct{ sheet, ref string }

// wantCell is what the receipt says of one cell: its worst severity and
// its messages.
type wantCell struct {
	sev  string
	msgs []string
}

// receiptCells are the cells the receipt names, worked out from the
// receipt alone; sheetName maps the receipt's sheet name to the output's.
// A cell inside a merged range of f stands for the range's first cell, the
// one a spreadsheet shows.
func receiptCells(t *testing.T, f *excelize.File, rc *receipt.Receipt, sheetName func(string) string) map[place]*wantCell {
	t.Helper()
	out := map[place]*wantCell{}
	for _, is := range rc.Errors {
		if is.Cell == "" {
			continue
		}
		p := place{sheetName(is.Sheet), visibleCell(t, f, sheetName(is.Sheet), is.Cell)}
		w := out[p]
		if w == nil {
			w = &wantCell{sev: "warning"}
			out[p] = w
		}
		if is.Severity == "error" {
			w.sev = "error"
		}
		w.msgs = append(w.msgs, is.Message)
	}
	return out
}

// rawCache holds, per workbook opened by checkMarks, each sheet's cell
// styles and merged ranges read straight from its XML (rawSheets): fast on
// a sheet formatted down to row 1,048,576, which excelize takes minutes to
// load. Tests here do not run in parallel.
var rawCache = map[*excelize.File]map[string]*rawSheet{}

type rawSheet struct {
	styles map[string]int // cell reference → style (cellXfs index), cells with s= only
	merges [][2]string    // first and last cell of each merged range
}

var (
	cellTag   = regexp.MustCompile(`<c\s[^>]*>`)
	refAttr   = regexp.MustCompile(`\sr="([A-Z]+[0-9]+)"`)
	styleAttr = regexp.MustCompile(`\ss="([0-9]+)"`)
	mergeTag  = regexp.MustCompile(`<mergeCell\s+ref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"`)
)

// rawSheets reads every worksheet of an .xlsx: its name (workbook.xml and
// its relationships), the style of each cell and the merged ranges.
func rawSheets(t *testing.T, data []byte) map[string]*rawSheet {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		rc, err := zr.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(read("xl/workbook.xml"), &wb); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(read("xl/_rels/workbook.xml.rels"), &rels); err != nil {
		t.Fatal(err)
	}
	out := map[string]*rawSheet{}
	for _, sh := range wb.Sheets {
		for _, r := range rels.Rels {
			if r.ID != sh.RID {
				continue
			}
			part := strings.TrimPrefix(r.Target, "/")
			if !strings.HasPrefix(r.Target, "/") {
				part = path.Join("xl", r.Target)
			}
			x := read(part)
			rs := &rawSheet{styles: map[string]int{}}
			for _, tag := range cellTag.FindAll(x, -1) {
				ref, st := refAttr.FindSubmatch(tag), styleAttr.FindSubmatch(tag)
				if ref != nil && st != nil {
					n, _ := strconv.Atoi(string(st[1]))
					rs.styles[string(ref[1])] = n
				}
			}
			for _, m := range mergeTag.FindAllSubmatch(x, -1) {
				rs.merges = append(rs.merges, [2]string{string(m[1]), string(m[2])})
			}
			out[sh.Name] = rs
		}
	}
	return out
}

// visibleCell is the cell a spreadsheet shows for ref: the first cell of
// the merged range of f it is in, or ref.
func visibleCell(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	var merges [][2]string
	if raw, ok := rawCache[f]; ok {
		merges = raw[sheet].merges
	} else {
		ms, err := f.GetMergeCells(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			merges = append(merges, [2]string{m.GetStartAxis(), m.GetEndAxis()})
		}
	}
	c, r, err := excelize.CellNameToCoordinates(ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range merges {
		c1, r1, _ := excelize.CellNameToCoordinates(m[0])
		c2, r2, _ := excelize.CellNameToCoordinates(m[1])
		if r1 <= r && r <= r2 && c1 <= c && c <= c2 {
			return m[0]
		}
	}
	return ref
}

// xfFills reads the solid fill colour (6 hex digits, "" for none) of
// each cell format of a workbook straight from its styles.xml, so the
// check depends neither on the code under test nor on how excelize
// interprets another suite's styles (LibreOffice's re-save).
func xfFills(t *testing.T, data []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open("xl/styles.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var ss struct {
		Fills []struct {
			Pattern struct {
				Type string `xml:"patternType,attr"`
				Fg   struct {
					RGB string `xml:"rgb,attr"`
				} `xml:"fgColor"`
			} `xml:"patternFill"`
		} `xml:"fills>fill"`
		Xfs []struct {
			FillID int `xml:"fillId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := xml.NewDecoder(rc).Decode(&ss); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(ss.Xfs))
	for i, xf := range ss.Xfs {
		if xf.FillID < len(ss.Fills) {
			if p := ss.Fills[xf.FillID].Pattern; p.Type == "solid" {
				c := strings.ToUpper(p.Fg.RGB)
				out[i] = c[max(0, len(c)-6):]
			}
		}
	}
	return out
}

// fillOf is the solid fill colour of a cell ("" for none).
func fillOf(t *testing.T, f *excelize.File, fills []string, sheet, ref string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	if id < 0 || id >= len(fills) {
		t.Fatalf("%s!%s: style %d of %d", sheet, ref, id, len(fills))
	}
	return fills[id]
}

// extent is the rows and columns to scan on a sheet: its values and the
// receipt's cells, plus a margin.
func extent(t *testing.T, f *excelize.File, sheet string, want map[place]*wantCell) (rows, cols int) {
	t.Helper()
	all, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	// Trailing rows without values (a sheet formatted down to row
	// 1,048,576) are left out.
	for i, r := range all {
		if slices.ContainsFunc(r, func(v string) bool { return v != "" }) {
			rows = i + 1
			cols = max(cols, len(r))
		}
	}
	for p := range want {
		if p.sheet == sheet {
			r, c, _ := workbook.ParseRef(p.ref)
			rows, cols = max(rows, r), max(cols, c)
		}
	}
	return rows + 3, cols + 3
}

func noteText(c excelize.Comment) string {
	s := c.Text
	for _, r := range c.Paragraph {
		s += r.Text
	}
	return s
}

// checkMarks reads the marked workbook back and checks, on every sheet but
// the list: the cells filled in a marking colour are exactly the
// receipt's cells, each in its severity's colour (error wins); each has a
// comment with every message of its issues; no other cell got a comment
// (beyond those of before); the list sheet is last and lists every issue
// in the receipt's order, each with its sheet and cell, all as text.
func checkMarks(t *testing.T, out []byte, rc *receipt.Receipt, sheetName func(string) string, oldComments map[place]bool) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("marked workbook does not open: %v", err)
	}
	raw := rawSheets(t, out)
	rawCache[f] = raw
	t.Cleanup(func() { f.Close(); delete(rawCache, f) })
	want := receiptCells(t, f, rc, sheetName)
	sheets := f.GetSheetList()
	if last := sheets[len(sheets)-1]; last != "Kết quả kiểm tra" {
		t.Fatalf("last sheet %q, want the list %q; sheets %q", last, "Kết quả kiểm tra", sheets)
	}
	got := map[place]string{}
	fills := xfFills(t, out)
	for _, sh := range sheets[:len(sheets)-1] {
		for ref, id := range raw[sh].styles {
			if visibleCell(t, f, sh, ref) != ref {
				continue // hidden under a merge (LibreOffice copies the format there)
			}
			if id >= len(fills) {
				t.Fatalf("%s!%s: style %d of %d", sh, ref, id, len(fills))
			}
			switch fills[id] {
			case wantErrorFill:
				got[place{sh, ref}] = "error"
			case wantWarningFill:
				got[place{sh, ref}] = "warning"
			}
		}
	}
	for p, w := range want {
		if got[p] != w.sev {
			t.Errorf("%s!%s: marked %q, want %q (%q)", p.sheet, p.ref, got[p], w.sev, w.msgs)
		}
	}
	for p, sev := range got {
		if want[p] == nil {
			t.Errorf("%s!%s marked %s, but the receipt names no such cell", p.sheet, p.ref, sev)
		}
	}
	for _, sh := range sheets[:len(sheets)-1] {
		cs, err := f.GetComments(sh)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, c := range cs {
			p := place{sh, c.Cell}
			seen[c.Cell] = true
			w := want[p]
			if w == nil {
				if !oldComments[p] {
					t.Errorf("%s!%s has a comment but no issue: %q", sh, c.Cell, noteText(c))
				}
				continue
			}
			text := noteText(c)
			for _, m := range w.msgs {
				if !strings.Contains(text, m) {
					t.Errorf("%s!%s comment lacks %q:\n%s", sh, c.Cell, m, text)
				}
			}
			label := map[string]string{"error": "Lỗi", "warning": "Cảnh báo"}[w.sev]
			if !strings.HasPrefix(text, label+": ") {
				t.Errorf("%s!%s comment does not start with %q: %q", sh, c.Cell, label, text)
			}
		}
		for p := range want {
			if p.sheet == sh && !seen[p.ref] {
				t.Errorf("%s!%s is marked but has no comment", sh, p.ref)
			}
		}
	}
	checkList(t, f, rc, sheetName)
	return f
}

// checkList checks the list sheet: one row per issue, in order, from row 8
// (under a header row "STT | Mức độ | Trang | Ô | Nội dung"), every cell
// text and none a formula.
func checkList(t *testing.T, f *excelize.File, rc *receipt.Receipt, sheetName func(string) string) {
	t.Helper()
	const list = "Kết quả kiểm tra"
	rows, err := f.GetRows(list)
	if err != nil {
		t.Fatal(err)
	}
	head := -1
	for i, r := range rows {
		if slices.Equal(r, []string{"STT", "Mức độ", "Trang", "Ô", "Nội dung"}) {
			head = i
		}
	}
	if head < 0 {
		t.Fatalf("list sheet has no header row:\n%q", rows)
	}
	body := rows[head+1:]
	if len(body) < len(rc.Errors) {
		t.Fatalf("list has %d rows, receipt %d issues", len(body), len(rc.Errors))
	}
	for i, is := range rc.Errors {
		r := append(body[i], make([]string, 5)...)
		sev := map[string]string{"error": "Lỗi", "warning": "Cảnh báo"}[is.Severity]
		if r[0] != fmt.Sprint(i+1) || r[1] != sev || r[2] != is.Sheet || r[4] != is.Message {
			t.Errorf("list row %d = %q, want %d %s %s %s %s", i+1, r[:5], i+1, sev, is.Sheet, is.Cell, is.Message)
		}
		if is.Cell != "" && r[3] != is.Cell {
			t.Errorf("list row %d cell %q, want %q", i+1, r[3], is.Cell)
		}
		if is.Cell != "" {
			ok, loc, err := f.GetCellHyperLink(list, fmt.Sprintf("D%d", head+2+i))
			vis := visibleCell(t, f, sheetName(is.Sheet), is.Cell)
			if err != nil || !ok || !strings.HasSuffix(loc, "!"+vis) || !strings.Contains(loc, sheetName(is.Sheet)) {
				t.Errorf("list row %d: link %v %q %v, want one to %s!%s", i+1, ok, loc, err, sheetName(is.Sheet), vis)
			}
		}
	}
	for ri, r := range rows {
		for ci := range r {
			ref := workbook.CellRef(ri+1, ci+1)
			if fm, _ := f.GetCellFormula(list, ref); fm != "" {
				t.Errorf("list %s is a formula %q", ref, fm)
			}
		}
	}
}

// cellTypeIsText reports whether a cell is stored as text.
func cellTypeIsText(t *testing.T, f *excelize.File, sheet, ref string) bool {
	t.Helper()
	ty, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	return ty == excelize.CellTypeSharedString || ty == excelize.CellTypeInlineString
}

// checkCopy checks the copy of an .xls or CSV upload against what the
// project's reader reads from it: every cell at its row and column, with
// its value; numbers stored as numbers, text as text; no formula.
func checkCopy(t *testing.T, f *excelize.File, name string, data []byte, sheetName func(string) string) {
	t.Helper()
	book, err := workbook.Open(name, data, workbook.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range book.Sheets {
		out := sheetName(sh.Name)
		n := 0
		err := sh.Rows(func(r workbook.Row) error {
			for i, c := range r.Cells {
				ref := workbook.CellRef(r.Num, i+1)
				got, err := f.GetCellValue(out, ref, excelize.Options{RawCellValue: true})
				if err != nil {
					return err
				}
				if fm, _ := f.GetCellFormula(out, ref); fm != "" {
					t.Errorf("%s!%s is a formula %q", out, ref, fm)
				}
				switch c.Kind {
				case workbook.Blank:
					// excelize reads a merged cell as its range's first.
					if got != "" && !slices.ContainsFunc(sh.Merges, func(g workbook.Range) bool { return g.Contains(r.Num, i+1) }) {
						t.Errorf("%s!%s = %q, want blank", out, ref, got)
					}
				case workbook.Number:
					if got != c.Text || cellTypeIsText(t, f, out, ref) {
						t.Errorf("%s!%s = %q (text %v), want the number %s", out, ref, got, cellTypeIsText(t, f, out, ref), c.Text)
					}
				case workbook.String:
					if got != c.Text {
						t.Errorf("%s!%s = %q, want %q", out, ref, got, c.Text)
					}
				}
				n++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("sheet %q: read no cells", sh.Name)
		}
	}
}

// checkFormulaText: each formula-looking text is in the output, as text.
func checkFormulaText(t *testing.T, f *excelize.File, sheet string) {
	t.Helper()
	found := map[string]bool{}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for ri, r := range rows {
		for ci, v := range r {
			if !slices.Contains(formulaLike, v) {
				continue
			}
			ref := workbook.CellRef(ri+1, ci+1)
			found[v] = true
			if !cellTypeIsText(t, f, sheet, ref) {
				t.Errorf("%s!%s %q is not stored as text", sheet, ref, v)
			}
			if fm, _ := f.GetCellFormula(sheet, ref); fm != "" {
				t.Errorf("%s!%s %q became the formula %q", sheet, ref, v, fm)
			}
		}
	}
	for _, s := range formulaLike {
		if !found[s] {
			t.Errorf("%q not found as a value on %s", s, sheet)
		}
	}
}

func mustWrite(t *testing.T, name string, data []byte, rc *receipt.Receipt) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, name, data, rc); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

// hasCodes fails unless the receipt has errors and warnings, on cells and
// without one: the inputs must exercise every kind of mark.
func hasCodes(t *testing.T, rc *receipt.Receipt) {
	t.Helper()
	var cellErr, cellWarn, noCell bool
	for _, is := range rc.Errors {
		switch {
		case is.Cell == "":
			noCell = true
		case is.Severity == "error":
			cellErr = true
		default:
			cellWarn = true
		}
	}
	if !cellErr || !cellWarn || !noCell {
		t.Fatalf("test input: want errors and warnings on cells and an issue without a cell:%s", templatetest.Issues(rc))
	}
}

func same(s string) string { return s }

func TestXLSX(t *testing.T) {
	lay := badForm(false)
	other := fixture.NewGrid("Danh sách hộ")
	other.Put(1, 1, "Hộ")
	other.Put(1, 2, "Ghi chú")
	other.Put(2, 1, "Nguyễn Văn Bình")
	other.Put(2, 2, "=1+1")
	data := fixture.XLSX(t, lay.G, other)
	// The official's formatting, formulas and a comment of their own.
	src, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	bold, err := src.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "1F4E79"}, NumFmt: 3,
		Border: []excelize.Border{{Type: "left", Color: "000000", Style: 1}}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	if err != nil {
		t.Fatal(err)
	}
	tot := lay.TotalsRow
	for _, ref := range []string{"C8", "D9", "D8", fmt.Sprintf("C%d", tot)} { // C8, D9 are marked; D8 and the total are not
		if err := src.SetCellStyle("Biểu 01", ref, ref, bold); err != nil {
			t.Fatal(err)
		}
	}
	if err := src.SetCellFormula("Biểu 01", fmt.Sprintf("C%d", tot), fmt.Sprintf("SUM(C%d:C%d)", lay.FirstData, tot-1)); err != nil {
		t.Fatal(err)
	}
	if err := src.AddComment("Biểu 01", excelize.Comment{Cell: "D9", Author: "An", Text: "số của trưởng thôn"}); err != nil {
		t.Fatal(err)
	}
	if err := src.AddComment("Biểu 01", excelize.Comment{Cell: "F8", Author: "An", Text: "đã kiểm tra"}); err != nil {
		t.Fatal(err)
	}
	if err := src.SetColWidth("Biểu 01", "B", "B", 31); err != nil {
		t.Fatal(err)
	}
	var sb bytes.Buffer
	if err := src.Write(&sb); err != nil {
		t.Fatal(err)
	}
	data = sb.Bytes()

	rc := check(t, "bao-cao.xlsx", data)
	hasCodes(t, rc)
	out := mustWrite(t, "bao-cao.xlsx", data, rc)
	f := checkMarks(t, out, rc, same, map[place]bool{{"Biểu 01", "F8"}: true})

	if got, want := f.GetSheetList(), []string{"Biểu 01", "Danh sách hộ", "Kết quả kiểm tra"}; !slices.Equal(got, want) {
		t.Errorf("sheets %q, want %q", got, want)
	}
	// Every cell of the original sheets keeps its value, type and formula;
	// unmarked cells keep their style; marked ones keep all of it but the fill.
	orig, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	marked := receiptCells(t, f, rc, same)
	boldSeen := 0
	for _, sh := range []string{"Biểu 01", "Danh sách hộ"} {
		rows, cols := extent(t, orig, sh, marked)
		for r := 1; r <= rows; r++ {
			for c := 1; c <= cols; c++ {
				ref := workbook.CellRef(r, c)
				ov, _ := orig.GetCellValue(sh, ref, excelize.Options{RawCellValue: true})
				nv, _ := f.GetCellValue(sh, ref, excelize.Options{RawCellValue: true})
				of, _ := orig.GetCellFormula(sh, ref)
				nf, _ := f.GetCellFormula(sh, ref)
				ot, _ := orig.GetCellType(sh, ref)
				nt, _ := f.GetCellType(sh, ref)
				if ov != nv || of != nf || ot != nt {
					t.Errorf("%s!%s = %q %q (type %v), was %q %q (type %v)", sh, ref, nv, nf, nt, ov, of, ot)
				}
				os, _ := orig.GetCellStyle(sh, ref)
				ns, _ := f.GetCellStyle(sh, ref)
				if marked[place{sh, ref}] == nil {
					if os != ns {
						t.Errorf("%s!%s unmarked, style %d, was %d", sh, ref, ns, os)
					}
					continue
				}
				ost, _ := orig.GetStyle(os)
				nst, _ := f.GetStyle(ns)
				ost.Fill, nst.Fill = excelize.Fill{}, excelize.Fill{}
				if was, now := styleJSON(t, ost), styleJSON(t, nst); was != now {
					t.Errorf("%s!%s style changed beyond its fill:\n was %s\n now %s", sh, ref, was, now)
				}
				if os != 0 {
					boldSeen++
				}
			}
		}
	}
	if boldSeen != 2 {
		t.Errorf("%d marked cells had a style of their own, want 2 (C8, D9)", boldSeen)
	}
	if w, _ := f.GetColWidth("Biểu 01", "B"); w != 31 {
		t.Errorf("column B width %v, want 31", w)
	}
	if om, nm := mergeList(t, orig, "Biểu 01"), mergeList(t, f, "Biểu 01"); !slices.Equal(om, nm) || len(om) == 0 {
		t.Errorf("merges %q, were %q", nm, om)
	}
	// The official's own comment on a marked cell is kept after ours.
	cs, _ := f.GetComments("Biểu 01")
	for _, c := range cs {
		if c.Cell == "D9" && !strings.Contains(noteText(c), "số của trưởng thôn") {
			t.Errorf("D9 lost the official's comment: %q", noteText(c))
		}
		if c.Cell == "F8" && noteText(c) != "đã kiểm tra" {
			t.Errorf("F8's own comment changed: %q", noteText(c))
		}
	}
	checkFormulaText(t, f, "Biểu 01")
}

// styleJSON is a style as JSON (pointers followed), for comparing.
func styleJSON(t *testing.T, st *excelize.Style) string {
	t.Helper()
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mergeList(t *testing.T, f *excelize.File, sheet string) []string {
	t.Helper()
	ms, err := f.GetMergeCells(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	slices.Sort(out)
	return out
}

func TestCSV(t *testing.T) {
	lay := badForm(true)
	data := fixture.CSV(t, lay.G, ';', true)
	// The CSV's sheet is named by ingest after the object key's file name;
	// the file name given to Write may differ (the portal keeps the
	// original name): the marks land on the one sheet all the same.
	rc := check(t, "bao-cao.csv", data)
	hasCodes(t, rc)
	out := mustWrite(t, "Báo cáo xã.csv", data, rc)
	toCopy := func(string) string { return "Báo cáo xã" }
	f := checkMarks(t, out, rc, toCopy, nil)
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Báo cáo xã", "Kết quả kiểm tra"}) {
		t.Errorf("sheets %q", got)
	}
	checkCopy(t, f, "Báo cáo xã.csv", data, toCopy)
	checkFormulaText(t, f, "Báo cáo xã")
	// The first hamlet name spans two lines of the file, so the rows below
	// are one line further down than the rows of the sheet: each marked
	// cell must hold the value the receipt quotes.
	for _, is := range rc.Errors {
		if is.Cell == "" || is.Value == "" || is.Code == receipt.UnknownColumn {
			continue
		}
		got, _ := f.GetCellValue("Báo cáo xã", is.Cell)
		if got != is.Value {
			t.Errorf("%s holds %q, the receipt quotes %q (%s)", is.Cell, got, is.Value, is.Message)
		}
	}
	// Whole numbers of the CSV are numbers in the copy; codes with a
	// leading zero and Vietnamese-format numbers stay as typed.
	for _, c := range []struct {
		data   string
		ref    string
		number bool
	}{
		{"1;Thôn A;1.120;05;85,5;-3;+4\n", "C1", false},
		{"1;Thôn A;1.120;05;85,5;-3;+4\n", "A1", true},
		{"1;Thôn A;1.120;05;85,5;-3;+4\n", "D1", false},
		{"1;Thôn A;1.120;05;85,5;-3;+4\n", "E1", false},
		{"1;Thôn A;1.120;05;85,5;-3;+4\n", "F1", true},
		{"1;Thôn A;1.120;05;85,5;-3;+4\n", "G1", false},
	} {
		out := mustWrite(t, "x.csv", []byte(c.data), &receipt.Receipt{})
		g, err := excelize.OpenReader(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if text := cellTypeIsText(t, g, "x", c.ref); text == c.number {
			v, _ := g.GetCellValue("x", c.ref)
			t.Errorf("%q %s = %q: text %v, want number %v", c.data, c.ref, v, text, c.number)
		}
	}
}

// TestLegacyCSV: a CSV in Windows-1258 comes back in Unicode, as the
// reader read it.
func TestLegacyCSV(t *testing.T) {
	utf := "STT;Tên thôn;Tổng số hộ;Số hộ đăng ký;Số hộ được công nhận\n1;Thôn Nà Rì;100;abc;90\n2;Thôn Bản Cái;80;70;60\n"
	data, err := legacy.EncodeWindows1258(utf)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(data, []byte(utf)) {
		t.Fatal("test input: not converted")
	}
	rc := check(t, "cu.csv", data)
	out := mustWrite(t, "cu.csv", data, rc)
	f := checkMarks(t, out, rc, func(string) string { return "cu" }, nil)
	checkCopy(t, f, "cu.csv", data, func(string) string { return "cu" })
	if v, _ := f.GetCellValue("cu", "B2"); v != "Thôn Nà Rì" {
		t.Errorf("B2 = %q, want Thôn Nà Rì", v)
	}
	if fillOf(t, f, xfFills(t, out), "cu", "D2") != wantErrorFill {
		t.Errorf("D2 (abc) not marked as an error:%s", templatetest.Issues(rc))
	}
}

// TestSeverity: a cell with an error and a warning is an error; messages
// are all in its comment, errors first; a cell on a sheet the workbook
// does not have, or with no valid reference, is only listed.
func TestSeverity(t *testing.T) {
	data := fixture.XLSX(t, fixture.Form{Rows: fixture.Hamlets01()}.Build().G)
	rc := &receipt.Receipt{Status: receipt.Rejected}
	for _, is := range []receipt.Issue{
		{Code: "a", Severity: "warning", Sheet: "Biểu 01", Cell: "E8", Row: 8, Message: "cảnh báo E8"},
		{Code: "b", Severity: "error", Sheet: "Biểu 01", Cell: "E8", Row: 8, Message: "lỗi E8 =1+1"},
		{Code: "c", Severity: "warning", Sheet: "Biểu 01", Cell: "F8", Row: 8, Message: "cảnh báo F8"},
		{Code: "d", Severity: "error", Sheet: "Biểu 01", Cell: "G8", Row: 8, Message: "lỗi G8"},
		{Code: "e", Severity: "error", Sheet: "Trang khác", Cell: "A1", Row: 1, Message: "lỗi trang khác"},
		{Code: "f", Severity: "error", Sheet: "Biểu 01", Cell: "8E", Message: "lỗi ô hỏng"},
		{Code: "g", Severity: "error", Message: "lỗi cả tệp"},
	} {
		rc.Add(is)
	}
	out := mustWrite(t, "b.xlsx", data, rc)
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[string]string{"E8": wantErrorFill, "F8": wantWarningFill, "G8": wantErrorFill, "E9": ""} {
		if got := fillOf(t, f, xfFills(t, out), "Biểu 01", ref); got != want {
			t.Errorf("%s fill %q, want %q", ref, got, want)
		}
	}
	cs, _ := f.GetComments("Biểu 01")
	if len(cs) != 3 {
		t.Fatalf("%d comments, want 3: %+v", len(cs), cs)
	}
	for _, c := range cs {
		if c.Cell == "E8" && noteText(c) != "Lỗi: lỗi E8 =1+1\nCảnh báo: cảnh báo E8" {
			t.Errorf("E8 comment %q", noteText(c))
		}
	}
	rows, _ := f.GetRows("Kết quả kiểm tra")
	var msgs []string
	for _, r := range rows[slices.IndexFunc(rows, func(r []string) bool { return len(r) > 0 && r[0] == "STT" })+1:] {
		msgs = append(msgs, r[len(r)-1])
	}
	if want := []string{"cảnh báo E8", "lỗi E8 =1+1", "cảnh báo F8", "lỗi G8", "lỗi trang khác", "lỗi ô hỏng", "lỗi cả tệp"}; !slices.Equal(msgs, want) {
		t.Errorf("list %q, want %q", msgs, want)
	}
}

func TestAccepted(t *testing.T) {
	data := fixture.XLSX(t, fixture.Form{Rows: fixture.Hamlets01()}.Build().G)
	rc := check(t, "tot.xlsx", data)
	if rc.Status != receipt.Accepted || len(rc.Errors) != 0 {
		t.Fatalf("test input not clean:%s", templatetest.Issues(rc))
	}
	f, err := excelize.OpenReader(bytes.NewReader(mustWrite(t, "tot.xlsx", data, rc)))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Kết quả kiểm tra")
	text := fmt.Sprint(rows)
	if !strings.Contains(text, "ĐƯỢC CHẤP NHẬN") || !strings.Contains(text, "Không có lỗi hay cảnh báo nào.") {
		t.Errorf("list of an accepted file: %q", rows)
	}
}

// TestMaxComments: a receipt naming more cells than MaxComments fills them
// all, comments the first MaxComments, and says so.
func TestMaxComments(t *testing.T) {
	var b strings.Builder
	n := MaxComments + 10
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d;x\n", i)
	}
	rc := &receipt.Receipt{}
	for i := 1; i <= n; i++ {
		rc.Add(receipt.Issue{Severity: "error", Sheet: "s.csv", Cell: fmt.Sprintf("B%d", i), Row: i, Message: fmt.Sprintf("lỗi %d", i)})
	}
	out := mustWrite(t, "s.csv", []byte(b.String()), rc)
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := f.GetComments("s")
	if len(cs) != MaxComments {
		t.Errorf("%d comments, want %d", len(cs), MaxComments)
	}
	if fillOf(t, f, xfFills(t, out), "s", fmt.Sprintf("B%d", n)) != wantErrorFill {
		t.Errorf("last cell not filled")
	}
	rows, _ := f.GetRows("Kết quả kiểm tra")
	if !strings.Contains(fmt.Sprint(rows[len(rows)-1]), "chỉ 5000 ô đầu tiên có ghi chú") {
		t.Errorf("no note that comments stopped: %q", rows[len(rows)-1])
	}
}

// TestBadInput: what cannot be read is an error (ErrUnreadable), with
// nothing written; never a panic.
func TestBadInput(t *testing.T) {
	good := fixture.XLSX(t, fixture.Form{Rows: fixture.Hamlets01()}.Build().G)
	saved := Limits
	t.Cleanup(func() { Limits = saved })
	tests := []struct {
		name   string
		data   []byte
		limits workbook.Limits
	}{
		{"empty", nil, saved},
		{"binary", []byte("\x00\x01\x02garbage\x00"), saved},
		{"truncated xlsx", good[:len(good)/2], saved},
		{"damaged ole", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...), saved},
		{"over the size limit", good, workbook.Limits{MaxBytes: 1000, MaxUnzippedBytes: 1 << 20, MaxSheets: 10}},
		{"over the unzipped limit", good, workbook.Limits{MaxBytes: 1 << 20, MaxUnzippedBytes: 2000, MaxSheets: 10}},
		{"csv field too long", []byte("a;" + strings.Repeat("x", workbook.MaxCellChars+1) + "\n"), saved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			Limits = tt.limits
			var buf bytes.Buffer
			err := Write(&buf, "x.xlsx", tt.data, &receipt.Receipt{})
			if !errors.Is(err, ErrUnreadable) {
				t.Errorf("err = %v, want ErrUnreadable", err)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written on error", buf.Len())
			}
		})
	}
	if err := Write(&bytes.Buffer{}, "x.xlsx", good, nil); err == nil {
		t.Error("nil receipt: no error")
	}
}

func TestFileName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"bao-cao.xlsx", "bao-cao-danh-dau.xlsx"},
		{"Báo cáo xã.csv", "Báo cáo xã-danh-dau.xlsx"},
		{"bieu.XLS", "bieu-danh-dau.xlsx"},
		{`C:\Users\An\bieu.xls`, "bieu-danh-dau.xlsx"},
		{"../../etc/passwd", "passwd-danh-dau.xlsx"},
		{"a\x00b\u202Ecod.exe.xlsx", "abcod.exe-danh-dau.xlsx"},
		{"", "bao-cao-danh-dau.xlsx"},
		{"..", "bao-cao-danh-dau.xlsx"},
		{".xlsx", "bao-cao-danh-dau.xlsx"},
		{strings.Repeat("ấ", 300) + ".xlsx", strings.Repeat("ấ", 80) + "-danh-dau.xlsx"},
	} {
		if got := FileName(c.in); got != c.want {
			t.Errorf("FileName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
