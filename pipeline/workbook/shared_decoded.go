package workbook

import (
	"github.com/xhht/xhht/pipeline/legacy"
)

// sharedDecoded remembers, for one pass over a sheet, the Unicode text of
// shared strings read in a legacy font, so a string used in many cells
// ("Có" and "Không" on every row) is converted once per font rather than
// once per cell.
//
// A conversion takes a few hundred nanoseconds, so the cache must cost far
// less. It belongs to one pass, so it needs no lock (the book stays
// read-only and its sheets may be read concurrently), and it is a
// direct-mapped table: string i goes to slot i mod size, replacing
// whatever the slot held (another string, or the same one in another
// font). The table has as many slots as the book has strings, up to
// maxDecodedSlots, and is allocated on the first conversion, so memory
// stays small however large the string table, and a Unicode book pays
// nothing.
type sharedDecoded struct {
	strings int // shared strings in the book: sizes the table
	slots   []decodedSlot
}

type decodedSlot struct {
	i    int // shared string index + 1; 0: empty
	font legacyFont
	decodedText
}

type decodedText struct{ text, enc string }

// maxDecodedSlots: a form's string table has a few hundred strings.
const maxDecodedSlots = 256

// slot is where shared string i lives.
func (c *sharedDecoded) slot(i int) *decodedSlot {
	if c.slots == nil {
		n := 1
		for n < c.strings && n < maxDecodedSlots {
			n *= 2
		}
		c.slots = make([]decodedSlot, n)
	}
	return &c.slots[i&(len(c.slots)-1)]
}

// get returns the text of shared string i in font f, if kept.
func (c *sharedDecoded) get(i int, f legacyFont) (decodedText, bool) {
	if s := c.slot(i); s.i == i+1 && s.font == f {
		return s.decodedText, true
	}
	return decodedText{}, false
}

func (c *sharedDecoded) put(i int, f legacyFont, d decodedText) {
	*c.slot(i) = decodedSlot{i + 1, f, d}
}

// decode is legacy.Decode of shared string i, whose text is s, in font f.
func (c *sharedDecoded) decode(i int, f legacyFont, s string) string {
	if d, ok := c.get(i, f); ok {
		return d.text
	}
	t := legacy.Decode(f.enc, f.upper, s)
	c.put(i, f, decodedText{t, string(f.enc)})
	return t
}
