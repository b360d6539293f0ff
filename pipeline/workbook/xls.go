package workbook

// Excel 97-2003 (.xls): a BIFF8 "Workbook" stream inside an OLE2 compound
// file. The reader understands exactly the records that carry the facts the
// pipeline needs (cell values, cached formula results, shared strings, fonts,
// merges, sheet visibility) and refuses everything it cannot read for sure:
// a wrong number is worse than a rejected file, which the official can save
// as .xlsx and upload again.
//
// Reference: [MS-XLS] (Excel Binary File Format), [MS-CFB] (compound file).

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/richardlehane/mscfb"

	"github.com/xhht/xhht/pipeline/legacy"
)

// BIFF8 record types.
const (
	recFormula     = 0x0006
	recEOF         = 0x000A
	recFilePass    = 0x002F
	recFont        = 0x0031
	recContinue    = 0x003C
	recBoundSheet  = 0x0085
	recMulRK       = 0x00BD
	recMulBlank    = 0x00BE
	recRString     = 0x00D6
	recXF          = 0x00E0
	recMergedCells = 0x00E5
	recSST         = 0x00FC
	recLabelSST    = 0x00FD
	recBlank       = 0x0201
	recNumber      = 0x0203
	recLabel       = 0x0204
	recBoolErr     = 0x0205
	recString      = 0x0207
	recArray       = 0x0221
	recTable       = 0x0236
	recRK          = 0x027E
	recShrFmla     = 0x04BC
	recBOF         = 0x0809
)

// BOF substream types.
const (
	bofGlobals   = 0x0005
	bofWorksheet = 0x0010
)

const (
	xlsMaxCols     = 256 // BIFF8 columns A…IV
	biff8MaxRecord = 8224
)

// xlsErrors are the BIFF8 error codes (BErr).
var xlsErrors = map[byte]string{
	0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!",
	0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA",
}

// xlsError is an error of the .xls reader: it matches its kind (ErrCorrupt,
// ErrEncrypted) and ErrLegacyXLS.
type xlsError struct {
	kind error
	msg  string
}

func (e *xlsError) Error() string   { return e.kind.Error() + ": xls: " + e.msg }
func (e *xlsError) Unwrap() []error { return []error{e.kind, ErrLegacyXLS} }

func xlsCorrupt(format string, a ...any) error {
	return &xlsError{ErrCorrupt, fmt.Sprintf(format, a...)}
}

var errFilePass = &xlsError{ErrEncrypted, "FILEPASS record (the workbook needs a password to open)"}

func xlsUnsupported(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupportedXLS, fmt.Sprintf(format, a...))
}

// xlsBook is the parsed workbook globals; it is read-only once opened, so
// sheets may be streamed concurrently and more than once.
type xlsBook struct {
	wb      []byte               // the Workbook stream
	sstText string               // all shared strings, concatenated
	sstEnd  []uint32             // end of shared string i in sstText
	sstRuns map[uint32][]fontRun // formatting runs of rich shared strings
	fonts   []xlsFont            // FONT records in BIFF8 numbering (index 4 absent)
	fontEnc []legacyFont         // font index → the legacy encoding it implies
	xfFont  []uint16             // XF index → index into fonts
	xfEnc   []legacyFont         // XF index → legacy encoding of its font
}

type xlsFont struct{ name string }

type legacyFont struct {
	enc   legacy.Encoding
	upper bool
}

type xlsSheetInfo struct {
	name   string
	hidden bool
	pos    int // offset of the sheet's BOF in the Workbook stream
}

// openXLS reads the compound file's Workbook stream and its globals. Sheet
// cells are decoded when Sheet.Rows is called.
func openXLS(data []byte, lim Limits) (*Book, error) {
	wb, err := xlsWorkbookStream(data, lim)
	if err != nil {
		return nil, err
	}
	return openBIFF(wb, lim)
}

// openBIFF reads a BIFF8 Workbook stream: the globals, then a scan of each
// sheet.
func openBIFF(wb []byte, lim Limits) (*Book, error) {
	x := &xlsBook{wb: wb}
	infos, globalsEnd, err := x.readGlobals(lim)
	if err != nil {
		return nil, err
	}
	if err := x.resolveFonts(); err != nil {
		return nil, err
	}
	if lim.MaxSheets > 0 && len(infos) > lim.MaxSheets {
		return nil, fmt.Errorf("%w: %d sheets, limit %d", ErrTooLarge, len(infos), lim.MaxSheets)
	}
	// Scan the sheets in stream order, each after the end of the one
	// before: sheets that overlap (a hostile file pointing many sheets at
	// one large substream) are refused before their bytes are read twice.
	order := make([]int, len(infos))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return infos[a].pos - infos[b].pos })
	book := &Book{Format: "xls", Sheets: make([]*Sheet, len(infos))}
	end := globalsEnd
	for _, i := range order {
		in := infos[i]
		if in.pos < end {
			return nil, xlsCorrupt("sheet %q at %d overlaps the substream before it (ending at %d)", in.name, in.pos, end)
		}
		sc, err := x.scanSheet(in.pos)
		if err != nil {
			return nil, fmt.Errorf("sheet %q: %w", in.name, err)
		}
		end = sc.end
		sh := &Sheet{Name: in.name, Hidden: in.hidden, Merges: sc.merges}
		sh.rows = func(fn func(Row) error) error { return x.streamRows(in.name, in.pos, sc.unordered, fn) }
		book.Sheets[i] = sh
	}
	return book, nil
}

// xlsWorkbookStream returns the bytes of the BIFF8 Workbook stream.
func xlsWorkbookStream(data []byte, lim Limits) (wb []byte, err error) {
	if err := cfbPrecheck(data); err != nil {
		return nil, err
	}
	// mscfb checks most structures but not all; a panic on a hostile file
	// is an error, not a crash. (Allocations are bounded by cfbPrecheck.)
	defer func() {
		if p := recover(); p != nil {
			wb, err = nil, xlsCorrupt("compound file: %v", p)
		}
	}()
	doc, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return nil, xlsCorrupt("compound file: %v", err)
	}
	var workbook, book *mscfb.File
	encrypted := false
	for _, f := range doc.File {
		if len(f.Path) != 0 || f.FileInfo().IsDir() {
			continue // not a stream at the root
		}
		switch {
		case strings.EqualFold(f.Name, "Workbook"):
			workbook = f
		case strings.EqualFold(f.Name, "Book"):
			book = f
		case strings.EqualFold(f.Name, "EncryptedPackage"):
			encrypted = true
		}
	}
	switch {
	case workbook != nil:
	case encrypted:
		return nil, fmt.Errorf("%w: encrypted .xlsx (EncryptedPackage)", ErrEncrypted)
	case book != nil:
		// "Book" is where Excel 5.0/95 keeps BIFF5, but some writers put
		// a BIFF8 stream under that name: its BOF says which. A BIFF8
		// one is read; openBIFF refuses anything else as BIFF5.
		workbook = book
	default:
		return nil, fmt.Errorf("%w: compound file without a Workbook stream (a Word or other Office document?)", ErrUnsupported)
	}
	size := workbook.Size
	if size <= 0 || size > int64(len(data)) {
		return nil, xlsCorrupt("Workbook stream size %d in a file of %d bytes", size, len(data))
	}
	if (lim.MaxUnzippedBytes > 0 && size > lim.MaxUnzippedBytes) || size > math.MaxUint32 {
		return nil, fmt.Errorf("%w: Workbook stream %d bytes, limit %d", ErrTooLarge, size, lim.MaxUnzippedBytes)
	}
	wb = make([]byte, size)
	// Read in pieces: mscfb's sector-run merging is quadratic in the
	// number of sectors of one Read call.
	const chunk = 32 << 10
	for off := 0; off < len(wb); off += chunk {
		end := min(off+chunk, len(wb))
		if _, err := io.ReadFull(workbook, wb[off:end]); err != nil {
			return nil, xlsCorrupt("reading the Workbook stream: %v", err)
		}
	}
	return wb, nil
}

// cfbPrecheck bounds the compound-file header counts by the file size
// before mscfb allocates from them.
func cfbPrecheck(data []byte) error {
	if len(data) < 512 {
		return xlsCorrupt("compound file of %d bytes", len(data))
	}
	le := binary.LittleEndian
	var ss int
	switch le.Uint16(data[30:]) {
	case 9:
		ss = 512
	case 12:
		ss = 4096
	default:
		return xlsCorrupt("compound file sector shift %d", le.Uint16(data[30:]))
	}
	sectors := uint32(len(data)/ss + 1)
	for _, f := range []struct {
		name string
		off  int
	}{{"directory", 40}, {"FAT", 44}, {"mini FAT", 64}, {"DIFAT", 72}} {
		if n := le.Uint32(data[f.off:]); n > sectors {
			return xlsCorrupt("compound file claims %d %s sectors in %d bytes", n, f.name, len(data))
		}
	}
	if dir := le.Uint32(data[48:]); dir >= sectors {
		return xlsCorrupt("compound file directory at sector %#x", dir)
	}
	return nil
}

// record is one BIFF record: its type, body and the offset of the next.
type record struct {
	typ  uint16
	body []byte
	off  int // offset of the record header
	next int
}

func (x *xlsBook) record(off int) (record, error) {
	if off < 0 || off+4 > len(x.wb) {
		return record{}, xlsCorrupt("record header at %d past the end of the stream (%d bytes)", off, len(x.wb))
	}
	typ := binary.LittleEndian.Uint16(x.wb[off:])
	n := int(binary.LittleEndian.Uint16(x.wb[off+2:]))
	if off+4+n > len(x.wb) {
		return record{}, xlsCorrupt("record %#04x at %d: length %d past the end of the stream", typ, off, n)
	}
	return record{typ: typ, body: x.wb[off+4 : off+4+n], off: off, next: off + 4 + n}, nil
}

// continued returns the body of r and of the CONTINUE records after it, and
// the offset of the record after the last CONTINUE.
func (x *xlsBook) continued(r record) ([][]byte, int, error) {
	segs := [][]byte{r.body}
	next := r.next
	for next < len(x.wb) {
		c, err := x.record(next)
		if err != nil {
			return nil, 0, err
		}
		if c.typ != recContinue {
			break
		}
		segs = append(segs, c.body)
		next = c.next
	}
	return segs, next, nil
}

// bof checks a BOF record: BIFF8 of the given substream type.
func (x *xlsBook) bof(off int, want uint16) (record, error) {
	r, err := x.record(off)
	if err != nil {
		return r, err
	}
	switch r.typ {
	case recBOF:
	case 0x0009, 0x0209, 0x0409: // BIFF2, BIFF3, BIFF4
		return r, xlsUnsupported("BIFF2-4 workbook (Excel 4.0 or older)")
	default:
		return r, xlsCorrupt("no BOF record at %d (record %#04x)", off, r.typ)
	}
	if len(r.body) < 4 {
		return r, xlsCorrupt("short BOF record")
	}
	vers, dt := binary.LittleEndian.Uint16(r.body), binary.LittleEndian.Uint16(r.body[2:])
	if vers != 0x0600 {
		return r, xlsUnsupported("BIFF version %#04x (Excel 5.0/95 (BIFF5) or older), not BIFF8", vers)
	}
	if dt != want {
		return r, xlsCorrupt("substream type %#04x at %d, want %#04x", dt, off, want)
	}
	return r, nil
}

// readGlobals reads the workbook globals substream: fonts, cell formats,
// the sheet list and the shared strings.
// It returns the sheets and the offset where the globals end.
func (x *xlsBook) readGlobals(lim Limits) ([]xlsSheetInfo, int, error) {
	r, err := x.bof(0, bofGlobals)
	if err != nil {
		return nil, 0, err
	}
	var (
		infos []xlsSheetInfo
		sst   bool
	)
	for off := r.next; ; {
		if off >= len(x.wb) {
			return nil, 0, xlsCorrupt("workbook globals without EOF")
		}
		r, err := x.record(off)
		if err != nil {
			return nil, 0, err
		}
		off = r.next
		switch r.typ {
		case recEOF:
			return infos, r.next, nil
		case recFilePass:
			// The rest of the stream is encrypted. With Excel's default
			// password it is decrypted and read on; with any other
			// password nothing can be read.
			c, err := filePassCipher(r.body)
			if err != nil {
				return nil, 0, err
			}
			if x.wb, err = decryptStream(x.wb, c); err != nil {
				return nil, 0, err
			}
		case recBOF:
			return nil, 0, xlsCorrupt("BOF inside the workbook globals")
		case recFont:
			if len(x.fonts) == 4 {
				x.fonts = append(x.fonts, xlsFont{}) // BIFF8 font numbering skips 4
			}
			if len(r.body) < 16 {
				return nil, 0, xlsCorrupt("short FONT record")
			}
			name, err := shortString(r.body[14:])
			if err != nil {
				return nil, 0, fmt.Errorf("FONT: %w", err)
			}
			x.fonts = append(x.fonts, xlsFont{name: name})
		case recXF:
			if len(r.body) < 2 {
				return nil, 0, xlsCorrupt("short XF record")
			}
			x.xfFont = append(x.xfFont, binary.LittleEndian.Uint16(r.body))
		case recBoundSheet:
			if len(r.body) < 8 {
				return nil, 0, xlsCorrupt("short BOUNDSHEET record")
			}
			name, err := shortString(r.body[6:])
			if err != nil {
				return nil, 0, fmt.Errorf("BOUNDSHEET: %w", err)
			}
			if r.body[5] != 0 { // 1 macro sheet, 2 chart, 6 VBA module
				continue
			}
			pos := binary.LittleEndian.Uint32(r.body)
			if int64(pos) >= int64(len(x.wb)) {
				return nil, 0, xlsCorrupt("sheet %q at %d past the end of the stream", name, pos)
			}
			infos = append(infos, xlsSheetInfo{name: name, hidden: r.body[4]&3 != 0, pos: int(pos)})
		case recSST:
			if sst {
				return nil, 0, xlsCorrupt("two SST records")
			}
			sst = true
			segs, next, err := x.continued(r)
			if err != nil {
				return nil, 0, err
			}
			if err := x.readSST(segs, lim); err != nil {
				return nil, 0, err
			}
			off = next
		}
	}
}

// resolveFonts checks that each XF (cell format) has a font and notes the
// legacy Vietnamese encoding that font implies.
func (x *xlsBook) resolveFonts() error {
	x.fontEnc = make([]legacyFont, len(x.fonts))
	for i, f := range x.fonts {
		if i != 4 {
			x.fontEnc[i].enc, x.fontEnc[i].upper = legacy.FromFont(f.name)
		}
	}
	x.xfEnc = make([]legacyFont, len(x.xfFont))
	for i, ifnt := range x.xfFont {
		if !x.validFont(ifnt) {
			return xlsCorrupt("cell format %d refers to font %d of %d", i, ifnt, len(x.fonts))
		}
		x.xfEnc[i] = x.fontEnc[ifnt]
	}
	for i, runs := range x.sstRuns {
		for _, r := range runs {
			if !x.validFont(r.ifnt) {
				return xlsCorrupt("shared string %d has a run in font %d of %d", i, r.ifnt, len(x.fonts))
			}
		}
	}
	return nil
}

func (x *xlsBook) validFont(i uint16) bool { return i != 4 && int(i) < len(x.fonts) }

// readSST reads the shared string table, which continues across CONTINUE
// records (segs[0] is the SST body).
func (x *xlsBook) readSST(segs [][]byte, lim Limits) error {
	if len(segs[0]) < 8 {
		return xlsCorrupt("short SST record")
	}
	unique := binary.LittleEndian.Uint32(segs[0][4:])
	total := 0
	for _, s := range segs {
		total += len(s)
	}
	// Each string takes at least 3 bytes: a count that lies cannot make
	// us allocate more than the data could hold.
	capHint := min(int64(unique), int64(total/3))
	x.sstEnd = make([]uint32, 0, capHint)
	maxText := lim.MaxUnzippedBytes
	if maxText <= 0 || maxText > math.MaxUint32 {
		maxText = math.MaxUint32
	}
	segs[0] = segs[0][8:]
	sr := &segReader{segs: segs}
	var buf []byte
	var units []uint16
	for i := uint32(0); i < unique; i++ {
		var runs []fontRun
		var err error
		buf, units, runs, err = sr.richString(buf, units)
		if err != nil {
			return fmt.Errorf("shared string %d of %d: %w", i, unique, err)
		}
		if runs != nil {
			if x.sstRuns == nil {
				x.sstRuns = map[uint32][]fontRun{}
			}
			x.sstRuns[i] = runs
		}
		if int64(len(buf)) > maxText {
			return fmt.Errorf("%w: shared strings decode beyond %d bytes", ErrTooLarge, maxText)
		}
		x.sstEnd = append(x.sstEnd, uint32(len(buf)))
	}
	x.sstText = string(buf)
	return nil
}

func (x *xlsBook) sst(i uint32) (string, []fontRun, error) {
	if int64(i) >= int64(len(x.sstEnd)) {
		return "", nil, xlsCorrupt("shared string %d of %d", i, len(x.sstEnd))
	}
	start := uint32(0)
	if i > 0 {
		start = x.sstEnd[i-1]
	}
	return x.sstText[start:x.sstEnd[i]], x.sstRuns[i], nil
}

// shortString decodes a ShortXLUnicodeString (8-bit count, flags, chars).
func shortString(b []byte) (string, error) {
	if len(b) < 2 {
		return "", xlsCorrupt("short string header")
	}
	n, flags := int(b[0]), b[1]
	if flags&^1 != 0 {
		return "", xlsCorrupt("string flags %#02x", flags)
	}
	b = b[2:]
	if flags&1 == 0 {
		if len(b) < n {
			return "", xlsCorrupt("string of %d chars in %d bytes", n, len(b))
		}
		return string(latin1(nil, b[:n])), nil
	}
	if len(b) < 2*n {
		return "", xlsCorrupt("string of %d chars in %d bytes", n, len(b))
	}
	units := make([]uint16, n)
	for i := range units {
		units[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16ToUTF8(nil, units)), nil
}
