package workbook

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets of the CSV and .xlsx decoders (FuzzOpenXLS is in
// xls_test.go). The seeds are the real-world corpus (tests/corpus/files)
// plus the parts that mutations should reach: the text of a CSV, the XML
// of a sheet. Short runs: scripts/fuzz-short.sh; longer runs and what they
// found: tests/corpus/README.md.

// fuzzLimits keep one input cheap: a hostile input may use all of them,
// but never more.
var fuzzLimits = Limits{MaxBytes: 2 << 20, MaxUnzippedBytes: 8 << 20, MaxSheets: 20}

// maxFuzzSeed: seeds are small, so that a mutation runs and minimizes in
// well under a millisecond; the corpus's larger files are covered by the
// corpus test. (Seeds of up to 2 MB held FuzzOpenCSV and FuzzOpenXLSX to a
// few hundred executions per second.)
const maxFuzzSeed = 32 << 10

// corpusFiles returns the corpus files whose name ends in one of exts.
func corpusFiles(tb testing.TB, exts ...string) map[string][]byte {
	tb.Helper()
	dir := filepath.Join("..", "..", "tests", "corpus", "files")
	ents, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatalf("corpus: %v", err)
	}
	out := map[string][]byte{}
	for _, e := range ents {
		for _, ext := range exts {
			if strings.HasSuffix(e.Name(), ext) {
				b, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					tb.Fatal(err)
				}
				out[e.Name()] = b
			}
		}
	}
	if len(out) == 0 {
		tb.Fatalf("corpus: no %v files in %s", exts, dir)
	}
	return out
}

// readAll reads every row of every sheet and checks what any book must
// satisfy, whatever the input: rows in order within the sheet's bounds,
// cells of a known kind with valid UTF-8 text. It returns the first
// reading error.
func readAll(t *testing.T, b *Book) error {
	for _, s := range b.Sheets {
		if !utf8.ValidString(s.Name) {
			t.Fatalf("sheet name %q is not UTF-8", s.Name)
		}
		for _, m := range s.Merges {
			if m.Row1 < 1 || m.Col1 < 1 || m.Row2 > 1048576 || m.Col2 > 16384 {
				t.Fatalf("merge %+v out of bounds", m)
			}
		}
		rows := 0
		err := s.Rows(func(r Row) error {
			rows++
			if r.Num < 1 || len(r.Cells) > maxColumns || r.IsBlank() {
				t.Fatalf("row %d with %d cells (blank %v)", r.Num, len(r.Cells), r.IsBlank())
			}
			for _, c := range r.Cells {
				if c.Kind > Error || !utf8.ValidString(c.Text) || (c.Kind == Blank && c.Text != "") {
					t.Fatalf("row %d: cell %+v", r.Num, c)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// knownError: every failure is one the receipt can explain.
func knownError(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrTooLarge) &&
		!errors.Is(err, ErrEncrypted) && !errors.Is(err, ErrLegacyXLS) {
		t.Fatalf("error of no known kind: %v", err)
	}
}

// FuzzOpenCSV: any bytes as a CSV upload (the detector of encodings and
// separators, the legacy decoders, the CSV reader): no panic, a known
// error or a book whose every row reads as valid UTF-8.
func FuzzOpenCSV(f *testing.F) {
	for _, b := range corpusFiles(f, ".csv", ".txt") {
		if len(b) <= maxFuzzSeed {
			f.Add(b)
		}
	}
	f.Add([]byte("STT;Tên thôn;Tổng số hộ\r\n1;\"Thôn\nA\";1.234\r\n"))
	f.Add([]byte("\xff\xfeS\x00T\x00T\x00\t\x00"))
	f.Add([]byte("\xfe\xff\x00S\x00T"))
	f.Add([]byte("Th\xf4n Ho\xcca Bi\xccnh;12\n"))
	f.Add([]byte("Th«n Nµ P¸i;Tr\u00adêng\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if int64(len(data)) > fuzzLimits.MaxBytes {
			return
		}
		b, err := openCSV("fuzz.csv", data)
		if err != nil {
			knownError(t, err)
			return
		}
		if b.Format != "csv" || len(b.Sheets) != 1 {
			t.Fatalf("format %q, %d sheets", b.Format, len(b.Sheets))
		}
		if err := readAll(t, b); err != nil {
			knownError(t, err)
		}
	})
}

// fuzzStyles gives the wrapped sheets of FuzzOpenXLSX legacy fonts: style
// 1 is .VnTime, 2 .VnTimeH, 3 VNI-Times.
const fuzzStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="4"><font><name val="Calibri"/></font><font><name val=".VnTime"/></font><font><name val=".VnTimeH"/></font><font><name val="VNI-Times"/></font></fonts><cellXfs count="4"><xf fontId="0"/><xf fontId="1"/><xf fontId="2"/><xf fontId="3"/></cellXfs></styleSheet>`

// fuzzShared is a string table with plain, legacy and rich-text entries.
const fuzzShared = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4"><si><t>Tên thôn</t></si><si><t>Th«n Nµ P¸i</t></si><si><r><rPr><rFont val=".VnTime"/></rPr><t>Tæng sè hé</t></r><r><t> (hộ)</t></r></si><si><t>Haø Noäi</t><rPh><t>x</t></rPh></si></sst>`

const fuzzSheet = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s" s="1"><v>2</v></c><c r="C1" t="inlineStr" s="2"><is><t>n¨m 2026</t></is></c></row><row r="2"><c r="A2" t="s" s="1"><v>1</v></c><c r="B2"><v>1234.5</v></c><c r="C2" t="s" s="3"><v>3</v></c><c r="D2"><f>SUM(B2:B2)</f><v>1234.5</v></c><c r="E2" t="b"><v>1</v></c><c r="F2" t="e"><v>#DIV/0!</v></c><c r="G2" t="str"><f>A2</f><v>x</v></c></row><row><c s="1"/></row></sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>`

// wrapSheet builds an .xlsx around one sheet's XML, so mutations of the
// XML reach the row reader. (A second, hidden sheet sharing the part
// doubled the cost of every execution and reached no other code: the
// sheet list is fuzzed through whole-zip inputs.)
func wrapSheet(sheetXML []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name string, body []byte) {
		// Stored, not deflated: a deflate writer per part cost more than
		// reading the book, and the inflater is not what this fuzzes.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			panic(err)
		}
		if _, err := w.Write(body); err != nil {
			panic(err)
		}
	}
	put("[Content_Types].xml", []byte(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`))
	put("xl/workbook.xml", []byte(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Biểu 01" sheetId="1" r:id="rId1"/></sheets></workbook>`))
	put("xl/_rels/workbook.xml.rels", []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`))
	put("xl/styles.xml", []byte(fuzzStyles))
	put("xl/sharedStrings.xml", []byte(fuzzShared))
	put("xl/worksheets/sheet1.xml", sheetXML)
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// sheetParts returns the sheet XML parts of an .xlsx (nil if it is not a
// readable zip).
func sheetParts(data []byte) [][]byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil
	}
	var out [][]byte
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") || f.UncompressedSize64 > 1<<20 {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			continue
		}
		var b bytes.Buffer
		_, err = b.ReadFrom(rc)
		rc.Close()
		if err == nil {
			out = append(out, b.Bytes())
		}
	}
	return out
}

// FuzzOpenXLSX: an input starting "PK" is a whole .xlsx; anything else is
// the XML of a sheet, wrapped into an .xlsx with legacy-font styles and a
// shared string table, so that mutations reach the XML readers instead of
// mostly breaking the zip. Every sheet and row is read: no panic, a known
// error or valid rows, within the limits.
func FuzzOpenXLSX(f *testing.F) {
	for _, b := range corpusFiles(f, ".xlsx", ".docx", ".ods") {
		if len(b) <= maxFuzzSeed {
			f.Add(b)
		}
		for _, s := range sheetParts(b) {
			if len(s) <= maxFuzzSeed {
				f.Add(s)
			}
		}
	}
	f.Add([]byte(fuzzSheet))
	f.Add([]byte(`<worksheet><sheetData><row r="1048576"><c r="XFD1048576" t="s"><v>1</v></c></row><row r="2"/></sheetData></worksheet>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if int64(len(data)) > fuzzLimits.MaxBytes {
			return
		}
		if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			data = wrapSheet(data)
		}
		b, err := Open("fuzz.xlsx", data, fuzzLimits)
		if err != nil {
			knownError(t, err)
			return
		}
		if err := readAll(t, b); err != nil {
			knownError(t, err)
		}
	})
}
