package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"regexp"
	"strings"
)

var dimension = regexp.MustCompile(`<dimension ref="[^"]*"/>`)

// Hostile and broken uploads.

type part struct {
	name string
	body func(w io.Writer)
}

// zipParts writes a zip with maximum compression and no timestamps, so the
// same parts always give the same bytes.
func zipParts(parts []part) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate})
		must(err)
		p.body(w)
	}
	must(zw.Close())
	return buf.Bytes()
}

func text(s string) func(io.Writer) {
	return func(w io.Writer) { _, err := io.WriteString(w, s); must(err) }
}

const (
	xmlHead      = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	contentTypes = xmlHead + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`
	rootRels     = xmlHead + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	workbookXML  = xmlHead + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Biểu 01" sheetId="1" r:id="rId1"/></sheets></workbook>`
	workbookRels = xmlHead + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`
	sheetHead    = xmlHead + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	sheetTail    = `</sheetData></worksheet>`
)

// x03: a zip bomb: the Biểu 01 sheet unzips to 440 MiB (white space
// inside <sheetData>), about 430 KiB compressed (deflate's ratio is about
// 1000:1). Over the 400 MiB limit per part.
func x03() []byte { return whitespaceBomb(440) }

// x14: the same bomb at 390 MiB, just under the 400 MiB limit per part:
// what a bomb built against the limit looks like.
func x14() []byte { return whitespaceBomb(390) }

// whitespaceBomb is a one-sheet workbook whose sheet is mib MiB of white
// space between <sheetData> and </sheetData>.
func whitespaceBomb(mib int) []byte {
	return zipParts([]part{
		{"[Content_Types].xml", text(contentTypes)},
		{"_rels/.rels", text(rootRels)},
		{"xl/workbook.xml", text(workbookXML)},
		{"xl/_rels/workbook.xml.rels", text(workbookRels)},
		{"xl/worksheets/sheet1.xml", func(w io.Writer) {
			_, err := io.WriteString(w, sheetHead)
			must(err)
			chunk := bytes.Repeat([]byte{' '}, 1<<20)
			for n := 0; n < mib; n++ {
				_, err := w.Write(chunk)
				must(err)
			}
			_, err = io.WriteString(w, sheetTail)
			must(err)
		}},
	})
}

// rezip copies a zip, letting edit change a part's bytes.
func rezip(data []byte, edit func(name string, b []byte) []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	must(err)
	var parts []part
	for _, f := range zr.File {
		rc, err := f.Open()
		must(err)
		b, err := io.ReadAll(rc)
		must(err)
		rc.Close()
		b = edit(f.Name, b)
		parts = append(parts, part{f.Name, func(w io.Writer) { _, err := w.Write(b); must(err) }})
	}
	return zipParts(parts)
}

// x04: dataset A with its totals row, then empty rows formatted down to
// row 1,048,576 (whole rows coloured and resized), without row numbers so
// that it compresses to a few kilobytes; no signature block to end the
// table.
func x04() []byte {
	s := newSheet("Biểu 01")
	title(s, 1, "UBND XÃ BẰNG THÀNH", "KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2026")
	lay := writeTable(s, tableOpts{top: 4, left: 1, hamlets: setA, totals: "bottom", border: true, cols: flat01()})
	src := (&book{sheets: []*sheet{s}}).xlsx()
	empty := `<row s="1" customFormat="1" ht="15.75" customHeight="1"/>`
	rows := 1048576 - (lay.next - 1)
	return rezip(src, func(name string, b []byte) []byte {
		if name != "xl/worksheets/sheet1.xml" {
			return b
		}
		x := string(b)
		i := strings.Index(x, "</sheetData>")
		if i < 0 {
			panic("no </sheetData>")
		}
		x = dimension.ReplaceAllString(x[:i], `<dimension ref="A1:L1048576"/>`) + strings.Repeat(empty, rows) + x[i:]
		return []byte(x)
	})
}

// x01: the template upload cut off at 55 %.
func x01(t01 []byte) []byte { return append([]byte{}, t01[:len(t01)*55/100]...) }

// x02: the template with 64 bytes in the middle of the compressed Biểu 01
// sheet overwritten (a bad sector, a broken USB stick).
func x02(t01 []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(t01), int64(len(t01)))
	must(err)
	for _, f := range zr.File {
		if f.Name != "xl/worksheets/sheet1.xml" {
			continue
		}
		off, err := f.DataOffset()
		must(err)
		out := append([]byte{}, t01...)
		mid := off + int64(f.CompressedSize64)/2
		for i := int64(0); i < 64; i++ {
			out[mid+i] ^= 0x5A
		}
		return out
	}
	panic("no sheet1.xml")
}

// x05: a phone photo of the paper form, uploaded as bao-cao.xlsx.
func x05() []byte {
	img := image.NewGray(image.Rect(0, 0, 320, 240))
	for y := 0; y < 240; y++ {
		for x := 0; x < 320; x++ {
			v := uint8(235 - (x+y)%7)
			if y%24 == 0 || x%40 == 0 || (y%24 == 12 && x%40 > 6 && x%40 < 30) {
				v = 40
			}
			img.SetGray(x, y, color.Gray{Y: v})
		}
	}
	var buf bytes.Buffer
	must(jpeg.Encode(&buf, img, &jpeg.Options{Quality: 60}))
	return buf.Bytes()
}

// x12: the commune's Word report uploaded instead of the workbook.
func x12() []byte {
	doc := xmlHead + `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		`<w:p><w:r><w:t>UBND XÃ BẰNG THÀNH</w:t></w:r></w:p>` +
		`<w:p><w:r><w:t>BÁO CÁO Kết quả xây dựng xã hội học tập năm 2026</w:t></w:r></w:p>` +
		`<w:p><w:r><w:t>Tổng số hộ: 625; số hộ được công nhận Gia đình học tập: 531.</w:t></w:r></w:p>` +
		`</w:body></w:document>`
	return zipParts([]part{
		{"[Content_Types].xml", text(xmlHead + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)},
		{"_rels/.rels", text(xmlHead + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`)},
		{"word/document.xml", text(doc)},
	})
}

var _ = fmt.Sprint

// x15: one cell (A1, a shared string) holding 4 MiB of text, "Tên thôn "
// over and over: 128 times what an Excel cell can hold (32,767
// characters). A few kilobytes compressed; no table.
func x15() []byte {
	const sst = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>`
	return zipParts([]part{
		{"[Content_Types].xml", text(contentTypes)},
		{"_rels/.rels", text(rootRels)},
		{"xl/workbook.xml", text(workbookXML)},
		{"xl/_rels/workbook.xml.rels", text(strings.Replace(workbookRels, `</Relationships>`,
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`, 1))},
		{"xl/sharedStrings.xml", func(w io.Writer) {
			_, err := io.WriteString(w, xmlHead+sst+strings.Repeat("Tên thôn ", (4<<20)/len("Tên thôn "))+`</t></si></sst>`)
			must(err)
		}},
		{"xl/worksheets/sheet1.xml", text(sheetHead + `<row r="1"><c r="A1" t="s"><v>0</v></c></row>` + sheetTail)},
	})
}

// x16: the sheet's first cell carries an attribute of 190 MiB ("x" over
// and over), about 190 KB compressed: encoding/xml held it whole, several
// times, and ten such uploads in one batch took the function past its
// memory. Now every XML token is bounded (file-too-large).
func x16() []byte {
	return zipParts([]part{
		{"[Content_Types].xml", text(contentTypes)},
		{"_rels/.rels", text(rootRels)},
		{"xl/workbook.xml", text(workbookXML)},
		{"xl/_rels/workbook.xml.rels", text(workbookRels)},
		{"xl/worksheets/sheet1.xml", func(w io.Writer) {
			_, err := io.WriteString(w, sheetHead+`<row r="1"><c r="A1" x="`)
			must(err)
			chunk := bytes.Repeat([]byte{'x'}, 1<<20)
			for range 190 {
				_, err := w.Write(chunk)
				must(err)
			}
			_, err = io.WriteString(w, `"><v>1</v></c></row>`+sheetTail)
			must(err)
		}},
	})
}
