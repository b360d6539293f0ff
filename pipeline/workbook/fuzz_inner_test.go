package workbook

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets of the inner parsers, fed directly (no zip, no compound
// file around them), so every mutation reaches the parser. Seeds are
// small: a mutation of a small input runs and minimizes fast.

// FuzzBIFFStream: any bytes as a BIFF8 Workbook stream.
func FuzzBIFFStream(f *testing.F) {
	f.Add(biffStream(nil, sstRecs(2, xlStr("Tên thôn"), cat([]byte{1}, []byte{'b', 0, 'c', 0})),
		synthSheet{name: "S", recs: [][]byte{
			labelSSTRec(0, 0, 1, 0), rkRec(0, 1, 0x3), numberRec(1, 0, 1.5), mergedRec([4]int{0, 1, 0, 1}),
			formulaRec(2, 0, 0, formulaSpecial(0, 0)), biffRec(recString, xlStr("s")),
			biffRec(recMulRK, rc(3, 1, 0), le32(6), le16(0), le32(10), le16(2)),
			biffRec(recRString, rc(4, 0, 0), xlStr("Hµ Néi!"), le16(1), cat(le16(3), le16(6))),
		}}))
	f.Add(biffStream(nil, nil, synthSheet{name: "S", recs: [][]byte{numberRec(0, 0, 1)}}, synthSheet{name: "T", state: 1, recs: [][]byte{biffRec(recBoolErr, rc(0, 0, 0), []byte{7, 1})}}))
	f.Add(cat(bofRec(0x0600, bofGlobals), biffRec(recEOF)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 256<<10 {
			return
		}
		b, err := openBIFF(data, fuzzLimits)
		if err != nil {
			knownError(t, err)
			return
		}
		if err := readAll(t, b); err != nil {
			knownError(t, err)
		}
	})
}

// FuzzSheetXML: any bytes as the XML of a worksheet, read with the string
// table and legacy-font styles of FuzzOpenXLSX.
func FuzzSheetXML(f *testing.F) {
	f.Add([]byte(fuzzSheet))
	f.Add([]byte(`<worksheet><sheetData><row r="2"><c r="B2" t="inlineStr"><v>1</v><is><t>a</t><rPh><t>b</t></rPh></is></c><c t="d"><v>2026-11-30</v></c><c><v>1e309</v></c></row></sheetData></worksheet>`))
	f.Add([]byte(`<worksheet><sheetData><!-- ' --><row><c s="3" t="str"><v>Haø</v></c></row></sheetData></worksheet>`))
	x := &xlsx{}
	if err := x.parseSharedStrings(strings.NewReader(fuzzShared), "sst"); err != nil {
		f.Fatal(err)
	}
	x.xfFont = []string{"Calibri", ".VnTime", ".VnTimeH", "VNI-Times"}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 256<<10 {
			return
		}
		r := newXMLGuard(bytes.NewReader(data), "sheet")
		err := x.parseRows(r, "sheet", func(row Row) error {
			if row.Num < 1 || len(row.Cells) > maxColumns || row.IsBlank() {
				t.Fatalf("row %d with %d cells", row.Num, len(row.Cells))
			}
			for _, c := range row.Cells {
				if c.Kind > Error || !utf8.ValidString(c.Text) || (c.Kind == Blank && c.Text != "") {
					t.Fatalf("row %d: cell %+v", row.Num, c)
				}
			}
			return nil
		})
		if err != nil {
			knownError(t, err)
		}
	})
}

// FuzzSharedStrings: any bytes as the string table; every entry read is
// valid UTF-8 and within a cell's length.
func FuzzSharedStrings(f *testing.F) {
	f.Add([]byte(fuzzShared))
	f.Add([]byte(`<sst><si><r><rPr><rFont val="VNI-Times"/></rPr><t>Haø</t></r></si><si><t/></si></sst>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 256<<10 {
			return
		}
		x := &xlsx{}
		if err := x.parseSharedStrings(newXMLGuard(bytes.NewReader(data), "sst"), "sst"); err != nil {
			knownError(t, err)
			return
		}
		for i := range x.sstEnd {
			s, _, ok := x.sharedString(i)
			if !ok || !utf8.ValidString(s) || cellTooLong(s) {
				t.Fatalf("entry %d: %q", i, s)
			}
		}
	})
}

// FuzzCSVFields: any text and separator through the CSV line-end rule and
// field reader. A bare CR becomes LF and nothing else changes; in place
// and copied give the same text; the fields are read without an error
// of an unknown kind.
func FuzzCSVFields(f *testing.F) {
	f.Add([]byte("a;\"x\r\ny\";\"p\rq\"\rb;\"say \"\"hi\"\"\";3\r\nc;4\n\"d\";5\r"), byte(';'))
	f.Add([]byte("1,429\r13\r\n"), byte(','))
	f.Add([]byte("x\t\"\r\"\t\r"), byte('\t'))
	f.Fuzz(func(t *testing.T, data []byte, sep byte) {
		if len(data) > 64<<10 {
			return
		}
		if sep != ',' && sep != ';' && sep != '\t' {
			sep = ';'
		}
		orig := append([]byte{}, data...)
		copied := bareCRToLF(data, rune(sep), false)
		if !bytes.Equal(data, orig) {
			t.Fatal("the copying variant changed its input")
		}
		if len(copied) != len(data) {
			t.Fatalf("length %d from %d", len(copied), len(data))
		}
		for i := range copied {
			if copied[i] != data[i] && (data[i] != '\r' || copied[i] != '\n') {
				t.Fatalf("byte %d: %q became %q", i, data[i], copied[i])
			}
		}
		inPlace := bareCRToLF(append([]byte{}, data...), rune(sep), true)
		if !bytes.Equal(inPlace, copied) {
			t.Fatalf("in place %q, copied %q", inPlace, copied)
		}
		r := csv.NewReader(bytes.NewReader(copied))
		r.Comma, r.FieldsPerRecord, r.LazyQuotes = rune(sep), -1, true
		for {
			_, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			var pe *csv.ParseError
			if err != nil && !errors.As(err, &pe) {
				t.Fatalf("error %v", err)
			}
			if err != nil {
				break
			}
		}
	})
}

// FuzzOpenMarkup: any bytes through Open's text formats: an HTML table
// saved as .xls, Excel 2003 XML, or (neither) a CSV.
func FuzzOpenMarkup(f *testing.F) {
	f.Add([]byte(`<html><body><h3>UBND XÃ BẰNG THÀNH</h3><table><tr><th rowspan="2">STT</th><th colspan="2">Hộ</th></tr><tr><td x:num="1">1</td><td sdval="2.5">2,5</td></tr></table></body></html>`))
	f.Add([]byte(`<table><tr><td>a<br>b</td><td colspan=3 rowspan=2>c</td></tr><tr><td>d</td></tr></table>`))
	f.Add([]byte(`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Styles><Style ss:ID="s1"><Font ss:FontName=".VnTime"/></Style></Styles><Worksheet ss:Name="S"><Table><Row ss:Index="2"><Cell ss:MergeAcross="1" ss:StyleID="s1"><Data ss:Type="String">Hµ</Data></Cell><Cell><Data ss:Type="Number">1.5</Data></Cell></Row></Table><WorksheetOptions><Visible>SheetHidden</Visible></WorksheetOptions></Worksheet></Workbook>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 256<<10 {
			return
		}
		b, err := Open("a.xls", data, fuzzLimits)
		if err != nil {
			knownError(t, err)
			return
		}
		if err := readAll(t, b); err != nil {
			knownError(t, err)
		}
	})
}
