package marked

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strings"
)

// Bounds on marking an .xlsx in place. excelize holds a sheet it edits in
// memory, at many times its XML size and with time that grows with its
// rows (a form formatted down to row 1,048,576 is 60 MB of XML and took
// minutes), and when it saves it reads every part of the workbook into
// memory. A commune's form is tens of kilobytes and its workbook rarely a
// few megabytes; past these bounds the upload is marked on a copy of its
// cells, streamed, as an .xls is.
const (
	MaxEditedSheetBytes = 8 << 20  // XML of a sheet with marks
	MaxEditedBookBytes  = 32 << 20 // all parts, uncompressed
)

// sheetSizes gives the uncompressed XML size of each sheet of an .xlsx,
// by name, and of all its parts, from the zip directory (the reader has already read the file
// within the limits, so the sizes are real: archive/zip fails a part that
// inflates past its declared size). It reads the parts the reader reads:
// xl/workbook.xml and xl/_rels/workbook.xml.rels.
func sheetSizes(data []byte) (sheets map[string]uint64, total uint64, err error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, 0, err
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[strings.TrimPrefix(f.Name, "/")] = f
		total += f.UncompressedSize64
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := decodePart(files, "xl/workbook.xml", &wb); err != nil {
		return nil, 0, err
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := decodePart(files, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return nil, 0, err
	}
	targets := map[string]string{}
	for _, r := range rels.Rels {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join("xl", t)
		}
		targets[r.ID] = t
	}
	sizes := map[string]uint64{}
	for _, s := range wb.Sheets {
		f := files[targets[s.RID]]
		if f == nil {
			return nil, 0, fmt.Errorf("sheet %q has no part", s.Name)
		}
		sizes[s.Name] = f.UncompressedSize64
	}
	return sizes, total, nil
}

// maxSmallPart bounds the workbook and relationship parts read here.
const maxSmallPart = 8 << 20

func decodePart(files map[string]*zip.File, name string, v any) error {
	f := files[name]
	if f == nil {
		return fmt.Errorf("no %s", name)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, maxSmallPart)).Decode(v)
}
