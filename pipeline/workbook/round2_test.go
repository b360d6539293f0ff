package workbook

import (
	"archive/zip"
	"bytes"
	"crypto/md5"
	"crypto/rc4"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// hostileXLSX builds an .xlsx whose sheet is prefix + n bytes of fill +
// suffix, streamed into the zip so the test itself stays small in memory.
func hostileXLSX(t testing.TB, prefix string, fill byte, n int, suffix string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	put("xl/workbook.xml", fmt.Sprintf(`<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`, nsMain, nsRel))
	put("xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="`+nsRel+`/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(prefix))
	chunk := bytes.Repeat([]byte{fill}, 1<<20)
	for left := n; left > 0; left -= len(chunk) {
		w.Write(chunk[:min(left, len(chunk))])
	}
	w.Write([]byte(suffix))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Every XML token has a size limit: a small upload whose sheet holds one
// enormous attribute, text or name is refused as too large, and reading
// it allocates a bounded amount (today's reader held the token whole,
// several times over: 740 MB for 190 MiB).
func TestXLSXHugeTokens(t *testing.T) {
	const n = 40 << 20
	tests := []struct {
		name   string
		data   []byte
		before string // where the limit must be met: opening or reading rows
	}{
		{"attribute value", hostileXLSX(t, `<worksheet><sheetData><row r="1"><c r="A1" x="`, 'a', n, `"><v>1</v></c></row></sheetData></worksheet>`), "rows"},
		{"attribute in a merge", hostileXLSX(t, `<worksheet><sheetData/><mergeCells><mergeCell ref="A1:B1" x='`, 'a', n, `'/></mergeCells></worksheet>`), "rows"},
		{"text", hostileXLSX(t, `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>`, 'a', n, `</t></is></c></row></sheetData></worksheet>`), "rows"},
		{"element name", hostileXLSX(t, `<worksheet><sheetData><row r="1"><c`, 'c', n, `/></row></sheetData></worksheet>`), "rows"},
		{"attribute name", hostileXLSX(t, `<worksheet><sheetData><row r="1" `, 'r', n, `="1"/></sheetData></worksheet>`), "rows"},
		{"comment", hostileXLSX(t, `<worksheet><sheetData><!--`, '-', n, `--></sheetData></worksheet>`), "rows"},
		{"nesting", hostileXLSX(t, `<worksheet><sheetData>`, 'x', 0, strings.Repeat("<a>", 100000)), "rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.data) > 1<<20 {
				t.Fatalf("fixture: %d bytes, meant to be small", len(tt.data))
			}
			runtime.GC()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			b, err := Open("a.xlsx", tt.data, DefaultLimits)
			if err == nil {
				_, err = allRows(t, b.Sheets[0])
			}
			runtime.ReadMemStats(&m1)
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("error = %v, want ErrTooLarge", err)
			}
			if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 24<<20 {
				t.Errorf("allocated %d MiB reading it, want under 24 MiB", alloc>>20)
			}
		})
	}
}

// The limits leave real parts alone: a cell of 32,767 characters, each
// written as a character reference, is one text token of ~300 KB; a
// start tag with many namespaces is a few KB; comments with a lone quote
// do not confuse the count.
func TestXLSXTokenLimitKeepsRealParts(t *testing.T) {
	long := strings.Repeat("&#x1EA0;", MaxCellChars)
	data := `<!-- don't count "this" --><row r="1"><c r="A1" t="inlineStr"><is><t>` + long + `</t></is></c><c r="B1" x="a>b"><v>2</v></c></row>`
	b := openOK(t, rawXLSX(t, "", rawSheet{name: "S", data: data}), DefaultLimits)
	rows, err := allRows(t, b.Sheets[0])
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %d, %v", len(rows), err)
	}
	if got := rows[0].Cell(1).Text; got != strings.Repeat("Ạ", MaxCellChars) {
		t.Errorf("A1 has %d bytes", len(got))
	}
	if got := rows[0].Cell(2); got.Num != 2 {
		t.Errorf("B1 = %+v", got)
	}
}

// The string table is bounded on its own: it is held while the sheets
// stream. Entries that are each small but many are refused.
func TestXLSXSharedStringsBounded(t *testing.T) {
	var sst strings.Builder
	si := "<si><t>" + strings.Repeat("x", 4000) + "</t></si>"
	for n := 0; n*4000 <= maxSharedText; n++ {
		sst.WriteString(si)
	}
	_, err := Open("a.xlsx", rawXLSX(t, sst.String(), rawSheet{name: "S"}), DefaultLimits)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("%d bytes of shared strings: %v, want ErrTooLarge", sst.Len(), err)
	}
}

// One row cannot hold more than maxRowText of text in its own cells.
func TestXLSXRowTextBounded(t *testing.T) {
	var row strings.Builder
	row.WriteString(`<row r="1">`)
	cell := strings.Repeat("y", MaxCellChars)
	for c := 1; c*MaxCellChars <= maxRowText+MaxCellChars; c++ {
		fmt.Fprintf(&row, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, CellRef(1, c), cell)
	}
	row.WriteString(`</row>`)
	b := openOK(t, rawXLSX(t, "", rawSheet{name: "S", data: row.String()}), DefaultLimits)
	if _, err := allRows(t, b.Sheets[0]); !errors.Is(err, ErrTooLarge) {
		t.Errorf("error = %v, want ErrTooLarge", err)
	}
}

// An inline string is the text of <is> alone (Excel, openpyxl); phonetic
// runs are not part of it.
func TestXLSXInlineStringIsOnlyIs(t *testing.T) {
	data := `<row r="1"><c r="A1" t="inlineStr"><v>12</v><is><t>3</t></is></c>` +
		`<c r="B1" t="inlineStr"><is><t>Nà</t><rPh><t>NA</t></rPh></is></c>` +
		`<c r="C1" t="inlineStr"><v>7</v></c></row>`
	b := openOK(t, rawXLSX(t, "", rawSheet{name: "S", data: data}), DefaultLimits)
	rows, err := allRows(t, b.Sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	want := []Cell{{Kind: String, Text: "3"}, {Kind: String, Text: "Nà"}, {}}
	for i, w := range want {
		if got := rows[0].Cell(i + 1); got != w {
			t.Errorf("%s = %+v, want %+v", CellRef(1, i+1), got, w)
		}
	}
}

// Two zip entries with one name, or names equal but for case: which one
// Excel reads is unknowable, so the file is damaged.
func TestXLSXDuplicateEntries(t *testing.T) {
	good := rawXLSX(t, "", rawSheet{name: "S", data: `<row r="1"><c r="A1"><v>1</v></c></row>`})
	for _, dup := range []string{"xl/worksheets/sheet1.xml", "XL/Worksheets/Sheet1.xml", "/xl/worksheets/sheet1.xml"} {
		t.Run(dup, func(t *testing.T) {
			data := appendEntry(t, good, dup, `<worksheet><sheetData><row r="1"><c r="A1"><v>999</v></c></row></sheetData></worksheet>`)
			_, err := Open("a.xlsx", data, DefaultLimits)
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("error = %v, want ErrCorrupt", err)
			}
		})
	}
}

// appendEntry rewrites a zip with one more entry at its end.
func appendEntry(t *testing.T, data []byte, name, body string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(body))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Part names are compared without case, as Excel does: a string table
// stored as xl/SharedStrings.xml, a sheet as xl/Worksheets/Sheet1.xml.
func TestXLSXPartNameCase(t *testing.T) {
	parts := map[string]string{
		"xl/workbook.xml":            fmt.Sprintf(`<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`, nsMain, nsRel),
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + nsRel + `/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="` + nsRel + `/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
		"xl/SharedStrings.xml":       `<sst xmlns="` + nsMain + `"><si><t>Thôn Nà Rì</t></si></sst>`,
		"XL/Worksheets/Sheet1.xml":   `<worksheet xmlns="` + nsMain + `"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>`,
	}
	order := []string{"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/SharedStrings.xml", "XL/Worksheets/Sheet1.xml"}
	b := openOK(t, zipParts(t, order, parts), DefaultLimits)
	rows, err := allRows(t, b.Sheets[0])
	if err != nil || len(rows) != 1 || rows[0].Cell(1).Text != "Thôn Nà Rì" {
		t.Fatalf("rows %+v, %v", rows, err)
	}
}

// Strict Open XML (Excel's "Strict Open XML Spreadsheet"): the same parts
// under the purl.oclc.org namespaces.
func TestXLSXStrict(t *testing.T) {
	const (
		sMain = "http://purl.oclc.org/ooxml/spreadsheetml/main"
		sRel  = "http://purl.oclc.org/ooxml/officeDocument/relationships"
	)
	parts := map[string]string{
		"xl/workbook.xml":            fmt.Sprintf(`<workbook xmlns="%s" xmlns:r="%s" conformance="strict"><sheets><sheet name="Biểu 01" sheetId="1" r:id="rId1"/></sheets></workbook>`, sMain, sRel),
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + sRel + `/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="` + sRel + `/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
		"xl/sharedStrings.xml":       `<sst xmlns="` + sMain + `"><si><t>Tên thôn</t></si></sst>`,
		"xl/worksheets/sheet1.xml":   `<worksheet xmlns="` + sMain + `"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>42</v></c></row></sheetData></worksheet>`,
	}
	order := []string{"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"}
	b := openOK(t, zipParts(t, order, parts), DefaultLimits)
	rows, err := allRows(t, b.Sheets[0])
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %+v, %v", rows, err)
	}
	if rows[0].Cell(1).Text != "Tên thôn" || rows[0].Cell(2).Num != 42 {
		t.Errorf("row = %+v", rows[0].Cells)
	}
}

// Numeric cells: only the decimal forms Excel writes are numbers. NaN,
// infinity and numbers beyond Excel's range are an Error cell holding the
// value as written, with no "#" (BadNumber: the check of the column then
// names the cell and says what is wrong); other text in a numeric cell is
// damage.
func TestXLSXNumberForms(t *testing.T) {
	tests := []struct {
		v    string
		want Cell
		err  error
	}{
		{"1234", Cell{Kind: Number, Text: "1234", Num: 1234}, nil},
		{"-0.25", Cell{Kind: Number, Text: "-0.25", Num: -0.25}, nil},
		{"1.5E-3", Cell{Kind: Number, Text: "1.5E-3", Num: 0.0015}, nil},
		{".5", Cell{Kind: Number, Text: ".5", Num: 0.5}, nil},
		{"NaN", Cell{Kind: Error, Text: "NaN"}, nil},
		{"Inf", Cell{Kind: Error, Text: "Inf"}, nil},
		{"-Infinity", Cell{Kind: Error, Text: "-Infinity"}, nil},
		{"1e309", Cell{Kind: Error, Text: "1e309"}, nil},
		{"1.7E308", Cell{Kind: Error, Text: "1.7E308"}, nil},
		// Not a form Excel writes: named at the cell (the whole file
		// was refused as damaged before); white space around a number is
		// XML Schema's and LibreOffice reads it.
		{"1_000", Cell{Kind: Error, Text: "1_000"}, nil},
		{"0x1p-2", Cell{Kind: Error, Text: "0x1p-2"}, nil},
		{"1e", Cell{Kind: Error, Text: "1e"}, nil},
		{".", Cell{Kind: Error, Text: "."}, nil},
		{" 112", Cell{Kind: Number, Text: "112", Num: 112}, nil},
		{"\n 112 \t", Cell{Kind: Number, Text: "112", Num: 112}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.v, func(t *testing.T) {
			data := `<row r="1"><c r="A1"><v>` + tt.v + `</v></c><c r="B1"><v>5</v></c></row>`
			b := openOK(t, rawXLSX(t, "", rawSheet{name: "S", data: data}), DefaultLimits)
			rows, err := allRows(t, b.Sheets[0])
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Errorf("error = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := rows[0].Cell(1); got != tt.want {
				t.Errorf("A1 = %+v, want %+v", got, tt.want)
			} else if got.BadNumber() != (got.Kind == Error) {
				t.Errorf("A1 = %+v: BadNumber() = %v", got, got.BadNumber())
			}
			if got := rows[0].Cell(2); got.Num != 5 {
				t.Errorf("B1 = %+v: the rest of the row is lost", got)
			}
		})
	}
}

// ISO 8601 date cells (t="d") read as the serial number Excel stores.
func TestXLSXISODates(t *testing.T) {
	tests := []struct {
		v    string
		want float64
	}{
		{"2026-11-30", 46356},
		{"2026-11-30T12:00:00", 46356.5},
		{"2026-11-30T06:00:00Z", 46356.25},
		{"1900-03-01", 61},
		{"18:00:00", 0.75},
	}
	for _, tt := range tests {
		data := `<row r="1"><c r="A1" t="d"><v>` + tt.v + `</v></c></row>`
		b := openOK(t, rawXLSX(t, "", rawSheet{name: "S", data: data}), DefaultLimits)
		rows, err := allRows(t, b.Sheets[0])
		if err != nil {
			t.Errorf("%s: %v", tt.v, err)
			continue
		}
		if got := rows[0].Cell(1); got.Kind != Number || got.Num != tt.want {
			t.Errorf("%s = %+v, want the serial %v", tt.v, got, tt.want)
		}
	}
	// No ISO date, or before 1900-03-01: the cell is named, the file read.
	for _, v := range []string{"30/11/2026", "1899-12-31", "1900-01-15"} {
		b := openOK(t, rawXLSX(t, "", rawSheet{name: "S", data: `<row r="1"><c r="A1" t="d"><v>` + v + `</v></c><c r="B1"><v>5</v></c></row>`}), DefaultLimits)
		rows, err := allRows(t, b.Sheets[0])
		if err != nil || rows[0].Cell(1) != (Cell{Kind: Error, Text: v}) || rows[0].Cell(2).Num != 5 {
			t.Errorf("date cell %q: %+v, %v; want an Error cell holding it and the row read", v, rows, err)
		}
	}
}

// .xls numbers that are no number Excel holds (NaN, infinity, an RK or
// NUMBER of 1.7e308) read as Error cells holding the value (BadNumber),
// not a damaged file and not a huge integer.
func TestXLSSpecialNumbers(t *testing.T) {
	big := math.Float64bits(1.7e308)
	for _, tt := range []struct {
		name string
		rec  []byte
		want string
	}{
		{"NaN", numberRec(0, 0, math.NaN()), "NaN"},
		{"-Inf", numberRec(0, 0, math.Inf(-1)), "-Inf"},
		{"1.7e308", numberRec(0, 0, 1.7e308), "1.7e+308"},
		{"RK 1.7e308", rkRec(0, 0, uint32(big>>32)&^3), "1.7e+308"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := openXLSOK(t, synthXLS(nil, nil, synthSheet{name: "S", recs: [][]byte{tt.rec, numberRec(0, 1, 7)}}))
			rows, err := allRows(t, b.Sheets[0])
			if err != nil {
				t.Fatal(err)
			}
			if got := rows[0].Cell(1); got != (Cell{Kind: Error, Text: tt.want}) || !got.BadNumber() {
				t.Errorf("A1 = %+v, want the bad number %s", got, tt.want)
			}
			if got := rows[0].Cell(2); got.Num != 7 {
				t.Errorf("B1 = %+v", got)
			}
		})
	}
}

// The merged ranges of a sheet are bounded: they are held for the whole
// read.
func TestXLSXMergesBounded(t *testing.T) {
	var m strings.Builder
	m.WriteString("<mergeCells>")
	for i := 0; i <= maxMerges; i++ {
		fmt.Fprintf(&m, `<mergeCell ref="A%d:B%d"/>`, i+1, i+1)
	}
	m.WriteString("</mergeCells>")
	_, err := Open("a.xlsx", rawXLSX(t, "", rawSheet{name: "S", extra: m.String()}), DefaultLimits)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("error = %v, want ErrTooLarge", err)
	}
}

// A BIFF8 workbook in a stream named "Book" (any case) is read; a BIFF5
// one there is still Excel 95.
func TestXLSBIFF8InBookStream(t *testing.T) {
	stream := biffStream(nil, nil, synthSheet{name: "S", recs: [][]byte{numberRec(0, 0, 42)}})
	for _, name := range []string{"Book", "BOOK", "book"} {
		b, err := Open("a.xls", cfbFile(cfbStream{name, stream}), DefaultLimits)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rows, err := allRows(t, b.Sheets[0])
		if err != nil || len(rows) != 1 || rows[0].Cell(1).Num != 42 {
			t.Errorf("%s: rows %+v, %v", name, rows, err)
		}
	}
	_, err := Open("a.xls", cfbFile(cfbStream{"BOOK", cat(bofRec(0x0500, bofGlobals), biffRec(recEOF))}), DefaultLimits)
	if !errors.Is(err, ErrUnsupportedXLS) {
		t.Errorf("BIFF5 in BOOK: %v, want ErrUnsupportedXLS", err)
	}
}

// Excel 2.x-4.0 files (a bare BIFF stream, no compound file) get the
// Excel 95 answer ("save as .xlsx"), not "not a spreadsheet".
func TestBareBIFF2to4(t *testing.T) {
	for _, tt := range []struct {
		name string
		bof  []byte
	}{
		{"BIFF2 worksheet", biffRec(0x0009, le16(0x0002), le16(0x0010))},
		{"BIFF3 worksheet", biffRec(0x0209, le16(0x0000), le16(0x0010), le16(0x0100))},
		{"BIFF4 worksheet", biffRec(0x0409, le16(0x0000), le16(0x0010), le16(0x0100))},
		{"BIFF4 workbook", biffRec(0x0409, le16(0x0000), le16(0x0100), le16(0x0100))},
	} {
		data := cat(tt.bof, biffRec(0x0003, rc(0, 0, 0), make([]byte, 9)), biffRec(recEOF))
		_, err := Open("a.xls", data, DefaultLimits)
		if !errors.Is(err, ErrLegacyXLS) || !errors.Is(err, ErrUnsupportedXLS) {
			t.Errorf("%s: %v, want ErrUnsupportedXLS (legacy .xls)", tt.name, err)
		}
	}
	// Text that merely starts with a tab is still a CSV.
	if b, err := Open("a.csv", []byte("\t\x00\x04\x00"), DefaultLimits); err == nil && b.Format != "csv" {
		t.Errorf("format %s", b.Format)
	}
}

// A workbook encrypted with Excel's default password "VelvetSweatshop"
// (LibreOffice: RC4 CryptoAPI; testdata/xls/make_encrypted.py) is read; a
// real password stays encrypted.
func TestXLSDefaultPassword(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "xls", "velvetsweatshop.xls"))
	if err != nil {
		t.Fatal(err)
	}
	b := openXLSOK(t, data)
	rows, err := allRows(t, b.Sheets[0])
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %+v, %v", rows, err)
	}
	if got := rows[0].Cell(1); got.Text != "Thôn Nà Rì" {
		t.Errorf("A1 = %+v", got)
	}
	if got := rows[0].Cell(2); got.Kind != Number || got.Num != -12.25 {
		t.Errorf("B1 = %+v", got)
	}
	enc, err := os.ReadFile(filepath.Join("testdata", "xls", "encrypted.xls"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open("a.xls", enc, DefaultLimits); !errors.Is(err, ErrEncrypted) {
		t.Errorf("password x: %v, want ErrEncrypted", err)
	}
}

// RC4 (Office 97) with the default password, built by hand: the stream is
// encrypted as [MS-XLS] 2.2.10 says (by 1,024-byte blocks, headers, BOF,
// FILEPASS and BOUNDSHEET positions in the clear); the verifier is
// MD5-based. The same with a wrong verifier stays encrypted.
func TestXLSDefaultPasswordRC4(t *testing.T) {
	salt := bytes.Repeat([]byte{0x5A}, 16)
	c := newRC4Office97(defaultPassword, salt)
	verifier := []byte("0123456789abcdef")
	sum := md5.Sum(verifier)
	r, _ := rc4.NewCipher(c.blockKey(0))
	encV, encH := make([]byte, 16), make([]byte, 16)
	r.XORKeyStream(encV, verifier)
	r.XORKeyStream(encH, sum[:])
	filepass := biffRec(recFilePass, le16(1), le16(1), le16(1), salt, encV, encH)
	var recs [][]byte
	for i := range 300 { // over 1,024 bytes: several keys
		recs = append(recs, numberRec(i, 0, float64(i)+0.5))
	}
	plain := biffStream(filepass, sstRecs(1, xlStr("Thôn Nà Rì")), synthSheet{name: "S", recs: append(recs, labelSSTRec(300, 1, 0, 0))})
	// Encrypting is the same XOR with the same restoration.
	enc, err := decryptStream(plain, c)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(enc, plain) {
		t.Fatal("nothing encrypted")
	}
	b := openXLSOK(t, cfbFile(cfbStream{"Workbook", enc}))
	rows, err := allRows(t, b.Sheets[0])
	if err != nil || len(rows) != 301 || rows[299].Cell(1).Num != 299.5 || rows[300].Cell(2).Text != "Thôn Nà Rì" {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	bad := bytes.Clone(enc)
	i := bytes.Index(bad, encH)
	bad[i] ^= 1
	if _, err := Open("a.xls", cfbFile(cfbStream{"Workbook", bad}), DefaultLimits); !errors.Is(err, ErrEncrypted) {
		t.Errorf("wrong verifier: %v, want ErrEncrypted", err)
	}
}
