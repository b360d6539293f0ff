package workbook

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

const (
	nsMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
)

// rawSheet is a worksheet written by hand: data is the inside of
// <sheetData>, extra what follows it (mergeCells).
type rawSheet struct {
	name, state, data, extra string
	target                   string // relationship target; default worksheets/sheetN.xml
}

// rawXLSX builds an .xlsx zip from hand-written parts, so each cell's
// stored form (shared, inline, formula, error …) is exactly what a test says.
func rawXLSX(t testing.TB, sst string, sheets ...rawSheet) []byte {
	t.Helper()
	var wb, rels strings.Builder
	fmt.Fprintf(&wb, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="%s" xmlns:r="%s"><sheets>`, nsMain, nsRel)
	fmt.Fprintf(&rels, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	parts := map[string]string{}
	var order []string
	for i, s := range sheets {
		state := ""
		if s.state != "" {
			state = fmt.Sprintf(` state="%s"`, s.state)
		}
		fmt.Fprintf(&wb, `<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>`, s.name, i+1, state, i+1)
		target := s.target
		if target == "" {
			target = fmt.Sprintf("worksheets/sheet%d.xml", i+1)
		}
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%s/worksheet" Target="%s"/>`, i+1, nsRel, target)
		name := "xl/" + target
		if strings.HasPrefix(target, "/") {
			name = target[1:]
		}
		parts[name] = fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="%s" xmlns:r="%s"><sheetData>%s</sheetData>%s</worksheet>`, nsMain, nsRel, s.data, s.extra)
		order = append(order, name)
	}
	wb.WriteString(`</sheets></workbook>`)
	rels.WriteString(`</Relationships>`)
	parts["xl/workbook.xml"] = wb.String()
	parts["xl/_rels/workbook.xml.rels"] = rels.String()
	parts["[Content_Types].xml"] = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`
	order = append([]string{"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}, order...)
	if sst != "" {
		parts["xl/sharedStrings.xml"] = fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="%s">%s</sst>`, nsMain, sst)
		order = append(order, "xl/sharedStrings.xml")
	}
	return zipParts(t, order, parts)
}

func zipParts(t testing.TB, order []string, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range order {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, parts[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// allRows reads a sheet; a panic becomes a test failure.
func allRows(t *testing.T, s *Sheet) (rows []Row, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("Rows panicked: %v", p)
		}
	}()
	err = s.Rows(func(r Row) error {
		rows = append(rows, r)
		return nil
	})
	return rows, err
}

func openOK(t *testing.T, data []byte, lim Limits) *Book {
	t.Helper()
	b, err := Open("a.xlsx", data, lim)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return b
}

func TestXLSXCellKinds(t *testing.T) {
	sst := `<si><t>Tên thôn</t></si>` +
		`<si><r><t>Thôn </t></r><r><rPr><b/></rPr><t>Nà Rì</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>` +
		`<si><t xml:space="preserve">  </t></si>`
	data := `<row r="1">` +
		`<c r="A1" t="s"><v>0</v></c>` +
		`<c r="B1" t="s"><v>1</v></c>` +
		`<c r="C1" t="inlineStr"><is><t>Số hộ</t></is></c>` +
		`<c r="D1" t="inlineStr"><is><r><t>Được </t></r><r><t>công nhận</t></r></is></c>` +
		`<c r="F1" t="s"><v>2</v></c>` +
		`</row>` +
		`<row r="2">` +
		`<c r="A2"><v>-3</v></c>` +
		`<c r="B2" t="n"><v>12.5</v></c>` +
		`<c r="C2"><v>-0.25</v></c>` +
		`<c r="D2"><f>SUM(A2:B2)</f><v>9.5</v></c>` +
		`<c r="E2" t="str"><f>B1&amp;"!"</f><v>Thôn Nà Rì!</v></c>` +
		`<c r="F2" t="b"><v>1</v></c>` +
		`<c r="G2" t="b"><v>0</v></c>` +
		`<c r="H2" t="e"><v>#DIV/0!</v></c>` +
		`<c r="I2" t="e"><f>A2/0</f><v>#REF!</v></c>` +
		`<c r="J2" s="3"/>` +
		`<c r="K2"><v>1234</v></c>` +
		`</row>`
	b := openOK(t, rawXLSX(t, sst, rawSheet{name: "Biểu 01", data: data}), DefaultLimits)
	if b.Format != "xlsx" || len(b.Sheets) != 1 || b.Sheets[0].Name != "Biểu 01" {
		t.Fatalf("book %s with %d sheets", b.Format, len(b.Sheets))
	}
	rows, err := allRows(t, b.Sheets[0])
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows = %d, %v", len(rows), err)
	}
	tests := []struct {
		row, col int
		want     Cell
	}{
		{0, 1, Cell{Kind: String, Text: "Tên thôn"}},
		{0, 2, Cell{Kind: String, Text: "Thôn Nà Rì"}},
		{0, 3, Cell{Kind: String, Text: "Số hộ"}},
		{0, 4, Cell{Kind: String, Text: "Được công nhận"}},
		{0, 5, Cell{}},
		{0, 6, Cell{Kind: String, Text: "  "}},
		{1, 1, Cell{Kind: Number, Text: "-3", Num: -3}},
		{1, 2, Cell{Kind: Number, Text: "12.5", Num: 12.5}},
		{1, 3, Cell{Kind: Number, Text: "-0.25", Num: -0.25}},
		{1, 4, Cell{Kind: Number, Text: "9.5", Num: 9.5, Formula: true}},
		{1, 5, Cell{Kind: String, Text: "Thôn Nà Rì!", Formula: true}},
		{1, 6, Cell{Kind: Bool, Text: "1"}},
		{1, 7, Cell{Kind: Bool, Text: "0"}},
		{1, 8, Cell{Kind: Error, Text: "#DIV/0!"}},
		{1, 9, Cell{Kind: Error, Text: "#REF!", Formula: true}},
		{1, 10, Cell{}},
		{1, 11, Cell{Kind: Number, Text: "1234", Num: 1234}},
	}
	for _, tt := range tests {
		if got := rows[tt.row].Cell(tt.col); got != tt.want {
			t.Errorf("%s = %+v, want %+v", CellRef(rows[tt.row].Num, tt.col), got, tt.want)
		}
	}
}

func TestXLSXFormulaWithoutCachedValue(t *testing.T) {
	data := `<row r="1"><c r="A1"><f>SUM(B1:C1)</f></c><c r="B1"><v>2</v></c></row>`
	b := openOK(t, rawXLSX(t, "", rawSheet{name: "S", data: data}), DefaultLimits)
	rows, err := allRows(t, b.Sheets[0])
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows = %d, %v", len(rows), err)
	}
	if got := rows[0].Cell(1); got.Kind != Blank || !got.Formula {
		t.Errorf("A1 = %+v, want a blank formula cell", got)
	}
}

func TestXLSXRowAndColumnPositions(t *testing.T) {
	// Rows and cells without r, a skipped row, a row of styled empty cells.
	data := `<row><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is></c></row>` +
		`<row r="4"><c r="C4"><v>7</v></c></row>` +
		`<row><c><v>1</v></c><c r="E5"><v>2</v></c><c><v>3</v></c></row>` +
		`<row r="6"><c r="A6" s="1"/><c r="B6" s="1"/></row>` +
		`<row r="7"><c r="B7" t="inlineStr"><is><t>z</t></is></c></row>`
	b := openOK(t, rawXLSX(t, "", rawSheet{name: "S", data: data}), DefaultLimits)
	rows, err := allRows(t, b.Sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	type pos struct {
		num   int
		cells []string
	}
	var got []pos
	for _, r := range rows {
		var cells []string
		for _, c := range r.Cells {
			cells = append(cells, c.Text)
		}
		got = append(got, pos{r.Num, cells})
	}
	want := []pos{
		{1, []string{"a", "b"}},
		{4, []string{"", "", "7"}},
		{5, []string{"1", "", "", "", "2", "3"}},
		{7, []string{"", "z"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows = %+v\nwant %+v", got, want)
	}
}

func TestXLSXMergesAndHidden(t *testing.T) {
	merges := `<mergeCells count="3"><mergeCell ref="A1:L1"/><mergeCell ref="C5:E5"/><mergeCell ref="A5:A6"/></mergeCells>`
	prefixed := `<x:mergeCells xmlns:x="` + nsMain + `" count="1"><x:mergeCell ref="B2:C3"/></x:mergeCells>`
	row := `<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>`
	data := rawXLSX(t, "",
		rawSheet{name: "Hướng dẫn", data: row},
		rawSheet{name: "Biểu 01", data: row, extra: merges},
		rawSheet{name: "Cũ", state: "hidden", data: row, extra: prefixed},
		rawSheet{name: "Rất ẩn", state: "veryHidden", data: row, target: "/xl/worksheets/other.xml"},
	)
	b := openOK(t, data, DefaultLimits)
	type sh struct {
		name   string
		hidden bool
		merges []Range
	}
	var got []sh
	for _, s := range b.Sheets {
		got = append(got, sh{s.Name, s.Hidden, s.Merges})
	}
	want := []sh{
		{"Hướng dẫn", false, nil},
		{"Biểu 01", false, []Range{{1, 1, 1, 12}, {5, 3, 5, 5}, {5, 1, 6, 1}}},
		{"Cũ", true, []Range{{2, 2, 3, 3}}},
		{"Rất ẩn", true, nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sheets = %+v\nwant %+v", got, want)
	}
}

// Many merges: the scan reads the part in chunks, and a tag that straddles
// two chunks must be found once.
func TestXLSXManyMerges(t *testing.T) {
	var m strings.Builder
	var want []Range
	m.WriteString(`<mergeCells>`)
	for r := 1; r <= 5000; r++ {
		fmt.Fprintf(&m, `<mergeCell ref="A%d:C%d"/>`, r, r)
		want = append(want, Range{r, 1, r, 3})
	}
	m.WriteString(`</mergeCells>`)
	b := openOK(t, rawXLSX(t, "", rawSheet{name: "S", data: "", extra: m.String()}), DefaultLimits)
	if got := b.Sheets[0].Merges; !reflect.DeepEqual(got, want) {
		t.Errorf("%d merges, want %d", len(got), len(want))
	}
}

// The same facts through a real writer.
func TestXLSXFromExcelize(t *testing.T) {
	f := excelize.NewFile()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Biểu 01"))
	_, err := f.NewSheet("Ẩn")
	must(err)
	must(f.SetCellStr("Biểu 01", "B2", "Thôn Nà Rì"))
	must(f.SetCellStr("Biểu 01", "C2", "Thôn Nà Rì")) // the same shared string twice
	must(f.SetCellInt("Biểu 01", "D2", -42))
	must(f.SetCellFloat("Biểu 01", "E2", 85.5, -1, 64))
	must(f.SetCellBool("Biểu 01", "F2", true))
	must(f.MergeCell("Biểu 01", "B4", "D5"))
	must(f.SetCellStr("Ẩn", "A1", "x"))
	must(f.SetSheetVisible("Ẩn", false))
	buf, err := f.WriteToBuffer()
	must(err)
	b := openOK(t, buf.Bytes(), DefaultLimits)
	if len(b.Sheets) != 2 || b.Sheets[0].Hidden || !b.Sheets[1].Hidden || b.Sheets[1].Name != "Ẩn" {
		t.Fatalf("sheets: %+v %+v", b.Sheets[0], b.Sheets[1])
	}
	if want := []Range{{4, 2, 5, 4}}; !reflect.DeepEqual(b.Sheets[0].Merges, want) {
		t.Errorf("merges = %v, want %v", b.Sheets[0].Merges, want)
	}
	rows, err := allRows(t, b.Sheets[0])
	if err != nil || len(rows) != 1 || rows[0].Num != 2 {
		t.Fatalf("rows = %+v, %v", rows, err)
	}
	want := []Cell{{}, {Kind: String, Text: "Thôn Nà Rì"}, {Kind: String, Text: "Thôn Nà Rì"},
		{Kind: Number, Text: "-42", Num: -42}, {Kind: Number, Text: "85.5", Num: 85.5}, {Kind: Bool, Text: "1"}}
	if !reflect.DeepEqual(rows[0].Cells, want) {
		t.Errorf("cells = %+v\nwant %+v", rows[0].Cells, want)
	}
}

func bigSheet(n int) string {
	var b strings.Builder
	for r := 1; r <= n; r++ {
		fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>Thôn %d</t></is></c><c r="B%d"><v>%d</v></c></row>`, r, r, r, r, r)
	}
	return b.String()
}

func TestXLSXLimits(t *testing.T) {
	big := rawXLSX(t, "", rawSheet{name: "S", data: bigSheet(5000)})
	if len(big) > 200<<10 {
		t.Fatalf("fixture: compressed size %d is not small", len(big))
	}
	tests := []struct {
		name string
		data []byte
		lim  Limits
		want error
	}{
		{"a part unzips beyond the limit", big, Limits{MaxUnzippedBytes: 64 << 10}, ErrTooLarge},
		{"upload over MaxBytes", big, Limits{MaxBytes: 1000}, ErrTooLarge},
		{"too many sheets", rawXLSX(t, "", rawSheet{name: "A"}, rawSheet{name: "B"}, rawSheet{name: "C"}), Limits{MaxSheets: 2}, ErrTooLarge},
		{"default limits open it", big, DefaultLimits, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Open("a.xlsx", tt.data, tt.lim)
			if err == nil && tt.want != nil {
				// The limit may also be met while streaming rows.
				_, err = allRows(t, b.Sheets[0])
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

// MaxUnzippedBytes bounds all the bytes inflated from a workbook, every
// part and every pass (the merge scan and the row stream both read a
// sheet): a book that needs exactly that is read; parts each under the
// limit that together exceed it are not (zip entries can even share their
// compressed bytes, so per-part limits alone let a small file inflate
// without end).
func TestXLSXLimitIsTotal(t *testing.T) {
	data := rawXLSX(t, "", rawSheet{name: "S", data: bigSheet(50)})
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var total, sheet int64
	for _, f := range zr.File {
		total += int64(f.UncompressedSize64)
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			sheet = int64(f.UncompressedSize64)
		}
	}
	need := total + sheet // the sheet is read twice; [Content_Types].xml is never read
	if ct := zr.File[0]; ct.Name == "[Content_Types].xml" {
		need -= int64(ct.UncompressedSize64)
	}
	b, err := Open("a.xlsx", data, Limits{MaxUnzippedBytes: need})
	if err == nil {
		_, err = allRows(t, b.Sheets[0])
	}
	if err != nil {
		t.Errorf("limit %d = all it needs: %v", need, err)
	}

	three := rawXLSX(t, "", rawSheet{name: "A", data: bigSheet(50)}, rawSheet{name: "B", data: bigSheet(50)}, rawSheet{name: "C", data: bigSheet(50)})
	b, err = Open("a.xlsx", three, Limits{MaxUnzippedBytes: 3 * sheet})
	if err == nil {
		for _, sh := range b.Sheets {
			if _, err = allRows(t, sh); err != nil {
				break
			}
		}
	}
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("three sheets each under a limit they exceed together: %v, want ErrTooLarge", err)
	}
}

func TestXLSXDamaged(t *testing.T) {
	good := rawXLSX(t, `<si><t>a</t></si>`, rawSheet{name: "S", data: bigSheet(200)})
	docx := zipParts(t, []string{"word/document.xml"}, map[string]string{"word/document.xml": "<w:document/>"})
	noRels := zipParts(t, []string{"xl/workbook.xml"}, map[string]string{"xl/workbook.xml": fmt.Sprintf(`<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`, nsMain, nsRel)})
	tests := []struct {
		name string
		data []byte
		want error // nil: any error
	}{
		{"a zip that is not a workbook", docx, ErrUnsupported},
		{"no relationships part", noRels, ErrCorrupt},
		{"sheet part missing", dropPart(t, rawXLSX(t, "", rawSheet{name: "S", data: bigSheet(2)}), "xl/worksheets/sheet1.xml"), ErrCorrupt},
		{"shared string index out of range", rawXLSX(t, `<si><t>a</t></si>`, rawSheet{name: "S", data: `<row r="1"><c r="A1" t="s"><v>5</v></c></row>`}), ErrCorrupt},
		{"malformed sheet XML", rawXLSX(t, "", rawSheet{name: "S", data: `<row r="1"><c r="A1"><v>1</v></row>`}), ErrCorrupt},
	}
	for i := 1; i < 10; i++ {
		n := len(good) * i / 10
		tests = append(tests, struct {
			name string
			data []byte
			want error
		}{fmt.Sprintf("truncated to %d%%", i*10), good[:n], nil})
	}
	// Damaged compressed data with an intact directory.
	flipped := append([]byte{}, good...)
	for i := 200; i < len(flipped)/2; i += 37 {
		flipped[i] ^= 0x5A
	}
	tests = append(tests, struct {
		name string
		data []byte
		want error
	}{"bytes flipped inside", flipped, nil})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("panic: %v", p)
					}
				}()
				var b *Book
				b, err = Open("a.xlsx", tt.data, DefaultLimits)
				if err == nil {
					for _, s := range b.Sheets {
						if _, err = allRows(t, s); err != nil {
							break
						}
					}
				}
			}()
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
			if tt.want == nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) {
				t.Errorf("error = %v, want ErrCorrupt or ErrUnsupported", err)
			}
		})
	}
}

// A cell or merge reference with so many column letters that the column
// number overflows must be refused, not crash the reader.
func TestXLSXHostileReferences(t *testing.T) {
	tests := []struct {
		name  string
		sheet rawSheet
	}{
		{"cell reference", rawSheet{name: "S", data: `<row r="1"><c r="ZZZZZZZZZZZZZZ1"><v>1</v></c></row>`}},
		{"merge reference", rawSheet{name: "S", data: `<row r="1"><c r="A1"><v>1</v></c></row>`, extra: `<mergeCells><mergeCell ref="ZZZZZZZZZZZZZZ1:A2"/></mergeCells>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("panic: %v", p)
				}
			}()
			b, err := Open("a.xlsx", rawXLSX(t, "", tt.sheet), DefaultLimits)
			if err != nil {
				return
			}
			for _, m := range b.Sheets[0].Merges {
				if m.Col1 < 1 || m.Col2 < 1 || m.Col1 > 16384 || m.Col2 > 16384 {
					t.Errorf("merge %+v has a column outside 1…16384", m)
				}
			}
			_ = b.Sheets[0].Rows(func(r Row) error { return nil })
		})
	}
}

func TestXLSXStop(t *testing.T) {
	b := openOK(t, rawXLSX(t, "", rawSheet{name: "S", data: bigSheet(10)}), DefaultLimits)
	var nums []int
	err := b.Sheets[0].Rows(func(r Row) error {
		nums = append(nums, r.Num)
		if r.Num == 3 {
			return Stop
		}
		return nil
	})
	if err != nil || !reflect.DeepEqual(nums, []int{1, 2, 3}) {
		t.Errorf("rows %v, err %v; want [1 2 3], nil", nums, err)
	}
	// A sheet can be read twice (the table finder streams it again).
	rows, err := allRows(t, b.Sheets[0])
	if err != nil || len(rows) != 10 {
		t.Errorf("second read: %d rows, %v", len(rows), err)
	}
}

// dropPart returns the zip without one part.
func dropPart(t *testing.T, data []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	var order []string
	for _, f := range zr.File {
		if f.Name == name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name] = string(b)
		order = append(order, f.Name)
	}
	if len(order) == len(zr.File) {
		t.Fatalf("no part %s", name)
	}
	return zipParts(t, order, parts)
}
