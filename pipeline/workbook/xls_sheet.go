package workbook

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/xhht/xhht/pipeline/legacy"
)

// sheetScan is what Open learns from one pass over a worksheet substream.
type sheetScan struct {
	merges    []Range
	unordered bool // cell records are not in row order
	end       int  // offset after the sheet's EOF record
}

// isCellRecord reports whether a worksheet record carries a cell, and
// refuses the cell records of older BIFF versions, whose values this reader
// would otherwise miss.
func isCellRecord(typ uint16) (bool, error) {
	switch typ {
	case recNumber, recRK, recMulRK, recLabelSST, recLabel, recRString,
		recBoolErr, recFormula, recBlank, recMulBlank:
		return true, nil
	case 0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0007, 0x0206, 0x0406:
		return false, xlsUnsupported("BIFF2-4 cell record %#04x in a BIFF8 sheet", typ)
	}
	return false, nil
}

// walkSheet calls fn for each record of the worksheet substream at pos
// (after its BOF, before its EOF), skipping embedded substreams (charts
// drawn on the sheet have their own BOF…EOF). It returns the offset after
// the EOF.
func (x *xlsBook) walkSheet(pos int, fn func(r record) error) (int, error) {
	r, err := x.bof(pos, bofWorksheet)
	if err != nil {
		return 0, err
	}
	depth := 0
	for off := r.next; ; {
		if off >= len(x.wb) {
			return 0, xlsCorrupt("worksheet without EOF")
		}
		r, err := x.record(off)
		if err != nil {
			return 0, err
		}
		off = r.next
		switch {
		case r.typ == recBOF:
			depth++
		case r.typ == recEOF && depth == 0:
			return off, nil
		case r.typ == recEOF:
			depth--
		case r.typ == recFilePass:
			return 0, errFilePass
		case depth == 0:
			if err := fn(r); err != nil {
				return 0, err
			}
		}
	}
}

// cellPos returns the 0-based row and column of a cell record.
func cellPos(r record) (row, col int, err error) {
	if len(r.body) < 6 {
		return 0, 0, xlsCorrupt("short cell record %#04x", r.typ)
	}
	row = int(binary.LittleEndian.Uint16(r.body))
	col = int(binary.LittleEndian.Uint16(r.body[2:]))
	if col >= xlsMaxCols {
		return 0, 0, xlsCorrupt("cell record %#04x in column %d", r.typ, col+1)
	}
	return row, col, nil
}

// scanSheet checks a worksheet's record structure, collects its merges and
// notes whether its cells come in row order (Excel and LibreOffice write
// them so; some generators do not).
func (x *xlsBook) scanSheet(pos int) (sheetScan, error) {
	var sc sheetScan
	last := -1
	var err error
	sc.end, err = x.walkSheet(pos, func(r record) error {
		if r.typ == recMergedCells {
			return sc.addMerges(r.body)
		}
		cell, err := isCellRecord(r.typ)
		if err != nil || !cell {
			return err
		}
		row, _, err := cellPos(r)
		if err != nil {
			return err
		}
		if row < last {
			sc.unordered = true
		}
		last = row
		return nil
	})
	return sc, err
}

func (sc *sheetScan) addMerges(b []byte) error {
	if len(b) < 2 {
		return xlsCorrupt("short MERGEDCELLS record")
	}
	n := int(binary.LittleEndian.Uint16(b))
	if len(b) != 2+8*n {
		return xlsCorrupt("MERGEDCELLS record of %d bytes for %d ranges", len(b), n)
	}
	for i := 0; i < n; i++ {
		p := b[2+8*i:]
		r1, r2 := int(binary.LittleEndian.Uint16(p)), int(binary.LittleEndian.Uint16(p[2:]))
		c1, c2 := int(binary.LittleEndian.Uint16(p[4:])), int(binary.LittleEndian.Uint16(p[6:]))
		if r1 > r2 || c1 > c2 || c2 >= xlsMaxCols {
			return xlsCorrupt("merged range rows %d-%d, columns %d-%d", r1+1, r2+1, c1+1, c2+1)
		}
		sc.merges = append(sc.merges, Range{r1 + 1, c1 + 1, r2 + 1, c2 + 1})
	}
	return nil
}

// rowBuilder gathers the cells of one row and hands finished rows to fn.
type rowBuilder struct {
	fn    func(Row) error
	row   int // 0-based; -1 before the first cell
	cells []Cell
	set   [xlsMaxCols / 64]uint64
	// decoded: the shared strings this pass converted from legacy fonts.
	decoded sharedDecoded
}

func (b *rowBuilder) put(row, col int, c Cell) error {
	if row != b.row {
		if err := b.flush(); err != nil {
			return err
		}
		b.row = row
	}
	if b.set[col/64]&(1<<(col%64)) != 0 {
		return xlsCorrupt("two records for cell %s", CellRef(row+1, col+1))
	}
	b.set[col/64] |= 1 << (col % 64)
	for len(b.cells) <= col {
		b.cells = append(b.cells, Cell{})
	}
	b.cells[col] = c
	return nil
}

func (b *rowBuilder) flush() error {
	if b.row < 0 {
		return nil
	}
	r := Row{Num: b.row + 1, Cells: b.cells}
	b.cells, b.set, b.row = nil, [xlsMaxCols / 64]uint64{}, -1
	if r.IsBlank() {
		return nil
	}
	return b.fn(r)
}

// streamRows decodes a worksheet's cells and calls fn row by row.
func (x *xlsBook) streamRows(name string, pos int, unordered bool, fn func(Row) error) error {
	b := &rowBuilder{fn: fn, row: -1}
	wrap := func(err error) error { return fmt.Errorf("sheet %q: %w", name, err) }
	if !unordered {
		_, err := x.walkSheet(pos, func(r record) error {
			if cell, _ := isCellRecord(r.typ); !cell {
				return nil
			}
			return x.cell(r, b)
		})
		if err != nil {
			return wrap(err)
		}
		return b.flush()
	}
	// Cells out of row order: sort the cell records by row, then by
	// position in the stream, and decode them in that order.
	var refs []uint64 // row<<32 | offset
	_, err := x.walkSheet(pos, func(r record) error {
		if cell, _ := isCellRecord(r.typ); !cell {
			return nil
		}
		row, _, err := cellPos(r)
		refs = append(refs, uint64(row)<<32|uint64(r.off))
		return err
	})
	if err != nil {
		return wrap(err)
	}
	slices.Sort(refs)
	for _, rf := range refs {
		r, err := x.record(int(rf & math.MaxUint32))
		if err != nil {
			return wrap(err)
		}
		if err := x.cell(r, b); err != nil {
			return wrap(err)
		}
	}
	return b.flush()
}

// cell decodes one cell record (MULRK and MULBLANK: several cells).
func (x *xlsBook) cell(r record, b *rowBuilder) error {
	row, col, err := cellPos(r)
	if err != nil {
		return err
	}
	body := r.body
	le := binary.LittleEndian
	need := func(n int) error {
		if len(body) < n {
			return xlsCorrupt("cell record %#04x at %s: %d bytes, want %d", r.typ, CellRef(row+1, col+1), len(body), n)
		}
		return nil
	}
	xf := int(le.Uint16(body[4:]))
	if xf >= len(x.xfFont) {
		return xlsCorrupt("cell %s has format %d of %d", CellRef(row+1, col+1), xf, len(x.xfFont))
	}
	var c Cell
	switch r.typ {
	case recNumber:
		if err := need(14); err != nil {
			return err
		}
		if c, err = xlsNumber(math.Float64frombits(le.Uint64(body[6:]))); err != nil {
			return err
		}
	case recRK:
		if err := need(10); err != nil {
			return err
		}
		if c, err = xlsNumber(rkValue(le.Uint32(body[6:]))); err != nil {
			return err
		}
	case recMulRK, recMulBlank:
		width := 6 // MULRK: XF and RK per cell
		if r.typ == recMulBlank {
			width = 2 // XF per cell
		}
		n := (len(body) - 6) / width
		if len(body) < 6+width || (len(body)-6)%width != 0 {
			return xlsCorrupt("record %#04x of %d bytes", r.typ, len(body))
		}
		last := int(le.Uint16(body[len(body)-2:]))
		if last != col+n-1 || last >= xlsMaxCols {
			return xlsCorrupt("record %#04x: columns %d-%d for %d cells", r.typ, col+1, last+1, n)
		}
		for i := 0; i < n; i++ {
			p := body[4+width*i:]
			if xf := int(le.Uint16(p)); xf >= len(x.xfFont) {
				return xlsCorrupt("cell %s has format %d of %d", CellRef(row+1, col+i+1), xf, len(x.xfFont))
			}
			var c Cell
			if r.typ == recMulRK {
				if c, err = xlsNumber(rkValue(le.Uint32(p[2:]))); err != nil {
					return err
				}
			}
			if err := b.put(row, col+i, c); err != nil {
				return err
			}
		}
		return nil
	case recBlank:
	case recLabelSST:
		if err := need(10); err != nil {
			return err
		}
		i := le.Uint32(body[6:])
		s, runs, err := x.sst(i)
		if err != nil {
			return err
		}
		c = x.sstCell(&b.decoded, int(i), s, runs, xf)
	case recLabel, recRString:
		segs, _, err := x.continued(r)
		if err != nil {
			return err
		}
		segs[0] = segs[0][6:]
		s, runs, err := plainString(segs, r.typ == recRString)
		if err != nil {
			return err
		}
		for _, run := range runs {
			if !x.validFont(run.ifnt) {
				return xlsCorrupt("cell %s has a run in font %d of %d", CellRef(row+1, col+1), run.ifnt, len(x.fonts))
			}
		}
		c = x.text(s, runs, xf)
	case recBoolErr:
		if err := need(8); err != nil {
			return err
		}
		if c, err = boolErr(body[6], body[7]); err != nil {
			return err
		}
	case recFormula:
		if c, err = x.formula(r, xf); err != nil {
			return fmt.Errorf("formula in %s: %w", CellRef(row+1, col+1), err)
		}
	}
	return b.put(row, col, c)
}

// formula decodes the cached result of a FORMULA record.
func (x *xlsBook) formula(r record, xf int) (Cell, error) {
	if len(r.body) < 20 {
		return Cell{}, xlsCorrupt("short FORMULA record")
	}
	v := r.body[6:14]
	var c Cell
	var err error
	if v[6] != 0xFF || v[7] != 0xFF {
		c, err = xlsNumber(math.Float64frombits(binary.LittleEndian.Uint64(v)))
	} else {
		switch v[0] {
		case 0: // string: the text is in the STRING record that follows
			var s string
			s, err = x.formulaString(r)
			c = x.text(s, nil, xf)
		case 1:
			c, err = boolErr(v[2], 0)
		case 2:
			c, err = boolErr(v[2], 1)
		case 3: // empty string
		default:
			err = xlsUnsupported("formula result type %d", v[0])
		}
	}
	c.Formula = true
	return c, err
}

// formulaString finds the STRING record after a FORMULA record (shared,
// array and table formula records may come between).
func (x *xlsBook) formulaString(f record) (string, error) {
	for off := f.next; off < len(x.wb); {
		r, err := x.record(off)
		if err != nil {
			return "", err
		}
		switch r.typ {
		case recString:
			segs, _, err := x.continued(r)
			if err != nil {
				return "", err
			}
			s, _, err := plainString(segs, false)
			return s, err
		case recShrFmla, recArray, recTable, recContinue:
			off = r.next
		default:
			return "", xlsCorrupt("string formula result without a STRING record (record %#04x follows)", r.typ)
		}
	}
	return "", xlsCorrupt("string formula result without a STRING record")
}

// plainString reads the string of a LABEL, RSTRING or STRING record
// (XLUnicodeString, possibly continued) and, for RSTRING, the formatting
// runs after it.
func plainString(segs [][]byte, rstring bool) (string, []fontRun, error) {
	sr := &segReader{segs: segs}
	buf, units, runs, err := sr.richString(nil, nil)
	if err != nil || !rstring {
		return string(buf), runs, err
	}
	n, err := sr.u16()
	if err != nil {
		return "", nil, err
	}
	runs, err = sr.runs(int(n), len(units))
	return string(buf), runs, err
}

// sstCell is text for shared string i (s, with its formatting runs). A
// plain string in a legacy font is converted once per pass and font (see
// sharedDecoded); rich text, rare, is converted run by run every time.
func (x *xlsBook) sstCell(d *sharedDecoded, i int, s string, runs []fontRun, xf int) Cell {
	base := x.xfEnc[xf]
	if s == "" || base.enc == legacy.None || len(runs) > 0 {
		return x.text(s, runs, xf)
	}
	// As text does for a string without runs.
	return Cell{Kind: String, Text: d.decode(i, int(x.xfFont[xf]), base, s), Encoding: string(base.enc)}
}

// text makes a text cell, converting text in a legacy Vietnamese font: the
// cell's font, or for rich text the font of each formatting run (the text
// before the first run is in the cell's font).
func (x *xlsBook) text(s string, runs []fontRun, xf int) Cell {
	if s == "" {
		return Cell{}
	}
	c := Cell{Kind: String, Text: s}
	base := x.xfEnc[xf]
	same := true
	for _, r := range runs {
		same = same && x.fontEnc[r.ifnt] == base
	}
	if same {
		if base.enc != legacy.None {
			c.Text, c.Encoding = legacy.Decode(base.enc, base.upper, s), string(base.enc)
		}
		return c
	}
	// Runs in different encodings: convert each stretch on its own.
	var b strings.Builder
	cur, from, unit := base, 0, 0
	flush := func(to int) {
		seg := s[from:to]
		if cur.enc != legacy.None && seg != "" {
			seg = legacy.Decode(cur.enc, cur.upper, seg)
			if c.Encoding == "" {
				c.Encoding = string(cur.enc)
			}
		}
		b.WriteString(seg)
		from = to
	}
	ri := 0
	for i, r := range s {
		for ri < len(runs) && int(runs[ri].ich) <= unit {
			flush(i)
			cur = x.fontEnc[runs[ri].ifnt]
			ri++
		}
		unit += utf16.RuneLen(r)
	}
	flush(len(s))
	c.Text = b.String()
	return c
}

func boolErr(v, isErr byte) (Cell, error) {
	switch {
	case isErr == 0 && v <= 1:
		return Cell{Kind: Bool, Text: strconv.Itoa(int(v))}, nil
	case isErr == 1:
		if s, ok := xlsErrors[v]; ok {
			return Cell{Kind: Error, Text: s}, nil
		}
		return Cell{}, xlsUnsupported("error code %#02x", v)
	}
	return Cell{}, xlsCorrupt("boolean/error cell %d/%d", v, isErr)
}

func xlsNumber(v float64) (Cell, error) {
	if math.IsNaN(v) || math.Abs(v) > maxExcelNumber {
		// NaN, infinity, or beyond what Excel accepts (an RK or NUMBER
		// of 1.7e308): no number Excel wrote. The cell reads as Excel's
		// error for it, so the check of its column names the cell.
		return Cell{Kind: Error, Text: notANumber(strconv.FormatFloat(v, 'g', 6, 64))}, nil
	}
	return Cell{Kind: Number, Num: v, Text: strconv.FormatFloat(v, 'f', -1, 64)}, nil
}

// rkValue decodes an RK number: a 30-bit signed integer or the high 30
// bits of a double, optionally to be divided by 100.
func rkValue(rk uint32) float64 {
	var v float64
	if rk&2 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&^3) << 32)
	}
	if rk&1 != 0 {
		v /= 100
	}
	return v
}
