package workbook

import (
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// segReader reads a record body continued across CONTINUE records. Bytes
// that are not characters run on from one segment to the next; characters
// split by a CONTINUE resume after a new 1-byte flag (compressed Latin-1 or
// UTF-16LE), which may differ from the string's own flag.
type segReader struct {
	segs [][]byte
	i, p int // current segment, position in it
}

// next moves to the next segment when the current one is used up.
func (r *segReader) advance() error {
	for r.p == len(r.segs[r.i]) {
		if r.i+1 >= len(r.segs) {
			return xlsCorrupt("string data past the end of the record")
		}
		r.i++
		r.p = 0
	}
	return nil
}

func (r *segReader) byte() (byte, error) {
	if err := r.advance(); err != nil {
		return 0, err
	}
	b := r.segs[r.i][r.p]
	r.p++
	return b, nil
}

func (r *segReader) u16() (uint16, error) {
	lo, err := r.byte()
	if err != nil {
		return 0, err
	}
	hi, err := r.byte()
	return uint16(lo) | uint16(hi)<<8, err
}

func (r *segReader) u32() (uint32, error) {
	lo, err := r.u16()
	if err != nil {
		return 0, err
	}
	hi, err := r.u16()
	return uint32(lo) | uint32(hi)<<16, err
}

// skip passes n bytes that are not characters (formatting runs, phonetic
// data), across segments.
func (r *segReader) skip(n int64) error {
	for n > 0 {
		if err := r.advance(); err != nil {
			return err
		}
		k := int64(len(r.segs[r.i]) - r.p)
		if k > n {
			k = n
		}
		r.p += int(k)
		n -= k
	}
	return nil
}

// fontRun is a formatting run of a rich string: the characters from ich
// (a UTF-16 index) to the next run's are in font ifnt.
type fontRun struct{ ich, ifnt uint16 }

// richString reads an XLUnicodeRichExtendedString (the SST entry; LABEL and
// STRING records hold the same layout without the optional parts) and
// appends its text as UTF-8 to buf. units is scratch space, returned for
// reuse; runs are the formatting runs, if any.
func (r *segReader) richString(buf []byte, units []uint16) (_ []byte, _ []uint16, runs []fontRun, err error) {
	buf, units, nRuns, ext, err := r.richText(buf, units)
	if err != nil {
		return buf, units, nil, err
	}
	if runs, err = r.runs(nRuns, len(units)); err != nil {
		return buf, units, nil, err
	}
	return buf, units, runs, r.skip(int64(ext))
}

// runs reads n formatting runs of a string of cch UTF-16 characters.
func (r *segReader) runs(n, cch int) ([]fontRun, error) {
	if n == 0 {
		return nil, nil
	}
	runs := make([]fontRun, n)
	for i := range runs {
		var err error
		if runs[i].ich, err = r.u16(); err != nil {
			return nil, err
		}
		if runs[i].ifnt, err = r.u16(); err != nil {
			return nil, err
		}
		if int(runs[i].ich) > cch || (i > 0 && runs[i].ich < runs[i-1].ich) {
			return nil, xlsCorrupt("formatting run at character %d of %d", runs[i].ich, cch)
		}
	}
	return runs, nil
}

// richText reads a string's header and characters, leaving the reader at
// its formatting runs (nRuns of them), then its phonetic data (ext bytes).
func (r *segReader) richText(buf []byte, units []uint16) (_ []byte, _ []uint16, nRuns int, ext uint32, err error) {
	cch, err := r.u16()
	if err != nil {
		return buf, units, 0, 0, err
	}
	flags, err := r.byte()
	if err != nil {
		return buf, units, 0, 0, err
	}
	if flags&^0x0D != 0 {
		return buf, units, 0, 0, xlsCorrupt("string flags %#02x", flags)
	}
	var runs uint16
	if flags&0x08 != 0 { // fRichSt: formatting runs follow the text
		if runs, err = r.u16(); err != nil {
			return buf, units, 0, 0, err
		}
	}
	if flags&0x04 != 0 { // fExtSt: phonetic (Far East) data follows
		if ext, err = r.u32(); err != nil {
			return buf, units, 0, 0, err
		}
	}
	high := flags&1 != 0
	units = units[:0]
	left := int(cch)
	for left > 0 {
		if r.p == len(r.segs[r.i]) {
			// The characters continue in the next CONTINUE record, which
			// starts with its own flag byte.
			if r.i+1 >= len(r.segs) {
				return buf, units, 0, 0, xlsCorrupt("string of %d chars past the end of the record", cch)
			}
			r.i++
			r.p = 0
			seg := r.segs[r.i]
			if len(seg) == 0 || seg[0]&^1 != 0 {
				return buf, units, 0, 0, xlsCorrupt("string continuation without a valid flag byte")
			}
			high = seg[0]&1 != 0
			r.p = 1
			continue
		}
		seg := r.segs[r.i][r.p:]
		if high {
			n := min(left, len(seg)/2)
			if n == 0 {
				return buf, units, 0, 0, xlsCorrupt("UTF-16 character split across records")
			}
			for k := 0; k < n; k++ {
				units = append(units, binary.LittleEndian.Uint16(seg[2*k:]))
			}
			r.p += 2 * n
			left -= n
		} else {
			n := min(left, len(seg))
			for _, b := range seg[:n] {
				units = append(units, uint16(b))
			}
			r.p += n
			left -= n
		}
	}
	return utf16ToUTF8(buf, units), units, int(runs), ext, nil
}

// latin1 appends the compressed (high byte 0) characters b as UTF-8.
func latin1(buf []byte, b []byte) []byte {
	for _, c := range b {
		if c < utf8.RuneSelf {
			buf = append(buf, c)
		} else {
			buf = utf8.AppendRune(buf, rune(c))
		}
	}
	return buf
}

// utf16ToUTF8 appends UTF-16 code units as UTF-8; a lone surrogate becomes
// U+FFFD.
func utf16ToUTF8(buf []byte, units []uint16) []byte {
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case u < utf8.RuneSelf:
			buf = append(buf, byte(u))
		case utf16.IsSurrogate(rune(u)) && i+1 < len(units):
			r := utf16.DecodeRune(rune(u), rune(units[i+1]))
			if r != utf8.RuneError {
				i++
			}
			buf = utf8.AppendRune(buf, r)
		default:
			buf = utf8.AppendRune(buf, rune(u))
		}
	}
	return buf
}
