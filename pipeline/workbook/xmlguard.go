package workbook

import (
	"fmt"
	"io"
)

// encoding/xml holds each token whole in memory (an attribute value, a run
// of text, a name), however long, and more than once while it grows its
// buffers: a 200 KB .xlsx whose sheet has one attribute of 190 MiB made the
// reader peak at 740 MB. xmlGuard sits between the inflater and the
// decoder and counts the bytes of the token being read; a token over
// maxXMLToken, or elements nested deeper than maxXMLDepth, end the read
// with ErrTooLarge before the decoder has seen them.
//
// No real part comes near the limits: a cell holds at most 32,767
// characters, which escaped as character references ("&#x1EA0;") are
// under 300 KB; a start tag with every namespace Excel declares is a few
// KB; Excel nests sheet elements about six deep.
const (
	maxXMLToken = 1 << 20
	maxXMLDepth = 256
)

// xmlGuard states: where in the XML the last byte was.
const (
	gText     = iota // character data (between tags)
	gLT              // just after '<'
	gTag             // inside a start or end tag, outside quotes
	gQuoted          // inside an attribute value (quote in q)
	gBang            // after "<!"
	gComment         // inside <!-- … -->
	gCDATA           // inside <![CDATA[ … ]]>
	gDecl            // inside <!DOCTYPE …> or another <!…> declaration
	gPI              // inside <? … ?>
	gBangDash        // after "<!-"
)

type xmlGuard struct {
	r     io.Reader
	name  string
	state int
	q     byte // the quote that opened the attribute value
	tok   int  // bytes of the current token so far
	depth int
	close bool    // the tag being read is an end tag
	last  [2]byte // the two bytes before this one (ends of comments, CDATA, PIs, "/>")
}

func newXMLGuard(r io.Reader, name string) *xmlGuard { return &xmlGuard{r: r, name: name} }

func (g *xmlGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for _, b := range p[:n] {
		if e := g.step(b); e != nil {
			return 0, e
		}
	}
	return n, err
}

func (g *xmlGuard) step(b byte) error {
	g.tok++
	switch g.state {
	case gText:
		if b == '<' {
			g.state, g.tok, g.close = gLT, 1, false
		}
	case gLT:
		switch b {
		case '/':
			g.state, g.close = gTag, true
		case '!':
			g.state = gBang
		case '?':
			g.state = gPI
		default:
			g.state = gTag
		}
	case gTag:
		switch b {
		case '"', '\'':
			g.state, g.q = gQuoted, b
		case '>':
			switch {
			case g.close:
				g.depth--
			case g.last[1] != '/':
				if g.depth++; g.depth > maxXMLDepth {
					return fmt.Errorf("%w: %s: elements nested over %d deep", ErrTooLarge, g.name, maxXMLDepth)
				}
			}
			g.state, g.tok = gText, 0
		}
	case gQuoted:
		if b == g.q {
			g.state = gTag
		}
	case gBang:
		switch b {
		case '-':
			g.state = gBangDash
		case '[':
			g.state = gCDATA
		default:
			g.state = gDecl
		}
	case gBangDash:
		g.state = gComment
	case gComment:
		if b == '>' && g.last == [2]byte{'-', '-'} {
			g.state, g.tok = gText, 0
		}
	case gCDATA:
		if b == '>' && g.last == [2]byte{']', ']'} {
			g.state, g.tok = gText, 0
		}
	case gDecl:
		if b == '>' {
			g.state, g.tok = gText, 0
		}
	case gPI:
		if b == '>' && g.last[1] == '?' {
			g.state, g.tok = gText, 0
		}
	}
	g.last[0], g.last[1] = g.last[1], b
	if g.tok > maxXMLToken {
		return fmt.Errorf("%w: %s: an XML token (attribute, text or name) of over %d bytes", ErrTooLarge, g.name, maxXMLToken)
	}
	return nil
}
