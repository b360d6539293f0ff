package reminder

import (
	"strings"
	"unicode"
)

// Indented is text written by a person (a province's return comment, a
// rejection reason) made fit for one item of a plain-text list: line
// breaks (CR LF, CR, LF, and the Unicode line and paragraph separators)
// become a new line starting with indent, so a multi-line comment stays
// under its numbered item instead of starting lines that read as the
// list's own; blank lines are dropped, and control and bidirectional
// formatting characters (which reorder what follows them in a mail or a
// terminal) are removed. Printable text is kept as written.
func Indented(text, indent string) string {
	text = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n").Replace(text)
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(strings.Map(func(r rune) rune {
			if r == '\t' {
				return ' '
			}
			if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
				return -1
			}
			return r
		}, l))
		if l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n"+indent)
}
