package portal

import (
	"crypto/rand"
	"encoding/hex"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/xhht/xhht/pipeline/receipt"
)

// maxNameRunes bounds the readable part of an object name; S3 keys are at
// most 1024 bytes and people read the name in lists.
const maxNameRunes = 80

// maxNameBytes bounds it in bytes too: a file system (xhht serve's local
// store) allows 255 bytes a name, and the key adds 23 bytes before it and
// the local store's metadata file 11 more; 80 Vietnamese letters can take
// 240 bytes, and combining marks more.
const maxNameBytes = 160

// SafeName reduces a file name sent by a browser to one object-name segment:
// the base name only (no directories, no ".."), NFC, no control or
// formatting characters (right-to-left overrides, zero-width), no characters
// that mean something in paths or shells, at most maxNameRunes letters, with
// its extension kept in lower case. Vietnamese letters stay, so the name
// remains readable. It never returns an empty string.
func SafeName(original string) string {
	s := strings.ToValidUTF8(original, "")
	s = strings.ReplaceAll(s, "\\", "/")
	s = path.Base("/" + s) // the last segment, whatever came before
	s = norm.NFC.String(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError:
			// dropped: C0/C1 controls, bidi overrides (U+202E…), zero-width marks
		case unicode.IsSpace(r):
			b.WriteByte('-')
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
		case r == '.' || r == '-' || r == '_' || r == '(' || r == ')':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	s = b.String()
	for strings.Contains(s, "..") {
		s = strings.ReplaceAll(s, "..", ".")
	}
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	ext := ""
	if i := strings.LastIndexByte(s, '.'); i >= 0 && i >= len(s)-6 {
		ext = strings.ToLower(s[i:])
		s = s[:i]
	}
	s = strings.Trim(s, ".-_ ")
	if r := []rune(s); len(r) > maxNameRunes {
		s = strings.TrimRight(string(r[:maxNameRunes]), ".-_")
	}
	if len(s) > maxNameBytes {
		cut := maxNameBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = strings.TrimRight(s[:cut], ".-_")
	}
	if s == "" {
		s = "tep"
	}
	if ext == "." {
		ext = ""
	}
	return s + ext
}

// objectName is the file part of an upload's key: the upload time (UTC)
// and a random suffix first, so two uploads never share a key (a local
// directory keeps no versions, and raw uploads are never overwritten),
// then the safe name.
func objectName(original string, now time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b) + "-" + SafeName(original)
}

// displayName is the name an official recognises, from an object key made
// by objectName (other keys are shown whole).
func displayName(key string) string {
	name := path.Base(key)
	// 20261206-185100-a1b2c3-<name>
	if len(name) > 23 && name[8] == '-' && name[15] == '-' && name[22] == '-' {
		return name[23:]
	}
	return name
}

// shownName is an original file name as the page shows it (html/template
// escapes it too): control and formatting characters, which could reorder
// the text on screen (a right-to-left override makes "fdp.xlsx" look like
// "xslx.pdf"), become U+FFFD, and a very long name is cut.
func shownName(original string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.ToValidUTF8(original, "\uFFFD") {
		if n == 120 {
			b.WriteString("…")
			break
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			r = '\uFFFD'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// uploadName is the name an upload is listed under: the original name its
// receipt records (from the object's metadata), made safe to show, or the
// readable part of its key.
func uploadName(rc *receipt.Receipt) string {
	if rc.OriginalName != "" {
		return shownName(rc.OriginalName)
	}
	return displayName(rc.SourceKey)
}
