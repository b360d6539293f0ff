package workbook

import (
	"github.com/xhht/xhht/pipeline/legacy"
)

// sharedDecoded remembers, for one pass over a sheet, the Unicode text of
// shared strings read in a legacy font, so a string used in many cells
// ("Có" and "Không" on every row) is converted once rather than once per
// cell.
//
// A conversion costs a few hundred nanoseconds, and most strings of a
// form are used once (hamlet names, headers), so the cache must cost next
// to nothing: a fixed direct-mapped table (string i in slot i mod
// decodedSlots, replacing what the slot held) inside the pass's own state.
// No allocation, no lock (a pass is one goroutine; the book stays
// read-only), and no growth however large the string table. A table sized
// to the string table was tried first: allocating it cost as much as the
// conversions it saved.
type sharedDecoded struct {
	slots [decodedSlots]decodedSlot
}

// decodedSlots: enough for the few strings a form repeats on every row.
const decodedSlots = 32

type decodedSlot struct {
	i    int // shared string index + 1; 0: empty
	font int // the font the text was converted from, as the reader numbers fonts
	text string
}

// decode is legacy.Decode(f.enc, f.upper, s) for shared string i, whose
// text is s, read in font number font, whose encoding is f.
func (c *sharedDecoded) decode(i, font int, f legacyFont, s string) string {
	sl := &c.slots[i%decodedSlots]
	if sl.i == i+1 && sl.font == font {
		return sl.text
	}
	t := legacy.Decode(f.enc, f.upper, s)
	*sl = decodedSlot{i + 1, font, t}
	return t
}
