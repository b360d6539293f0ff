package access

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// Alphabet is the 32 symbols a code is written in: digits 2-9 and the
// letters A-Z without I and O. 0/O and 1/I are left out because they are
// confused when read off paper or typed; with 32 symbols each carries
// exactly 5 bits, so 10 random bytes map onto 16 symbols without bias.
const Alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// Code shape: CodeGroups groups of GroupLen symbols, joined by dashes
// ("7KQ4-M2XD-9PTA-W3RN"): 16 symbols × 5 bits = 80 bits from crypto/rand.
const (
	GroupLen   = 4
	CodeGroups = 4
	CodeLen    = GroupLen * CodeGroups // symbols, without dashes
	CodeBits   = CodeLen * 5
)

// maxTyped bounds what Verify looks at: a code with generous spacing is far
// shorter, and anything longer is refused before any work is done on it.
const maxTyped = 128

// hashDomain separates these hashes from any other SHA-256 of 16 letters.
const hashDomain = "xhht-access-code-v1\x00"

// newCode draws a code from r (crypto/rand.Reader in production).
func newCode(r io.Reader) (string, error) {
	var raw [CodeBits / 8]byte
	if _, err := io.ReadFull(r, raw[:]); err != nil {
		return "", fmt.Errorf("access: random source: %w", err)
	}
	// Read the 80 bits 5 at a time, most significant first.
	var b strings.Builder
	acc, n := uint32(0), 0
	for _, x := range raw {
		acc, n = acc<<8|uint32(x), n+8
		for n >= 5 {
			n -= 5
			if b.Len() > 0 && b.Len()%(GroupLen+1) == GroupLen {
				b.WriteByte('-')
			}
			b.WriteByte(Alphabet[(acc>>n)&31])
		}
	}
	return b.String(), nil
}

// randReader is crypto/rand; tests of failure paths swap it.
var randReader io.Reader = rand.Reader

// Normalize turns what a person typed into the 16 symbols of a code:
// upper case, without spaces (any Unicode space) and dashes (ASCII or
// typographic, and underscores or dots some people type between groups).
// ok is false when the result is not 16 symbols of the alphabet; 0, O, 1
// and I are never guessed into something else: no code contains them.
func Normalize(typed string) (norm string, ok bool) {
	if len(typed) > maxTyped {
		return "", false
	}
	var b strings.Builder
	for _, r := range typed {
		switch {
		case unicode.IsSpace(r), r == '-', r == '_', r == '.', r == '\u2010', r == '\u2011', r == '\u2012', r == '\u2013', r == '\u2014', r == '\u2212':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		if r > unicode.MaxASCII || !strings.ContainsRune(Alphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != CodeLen {
		return "", false
	}
	return b.String(), true
}

// Format writes a normalized code in its printed form, with dashes.
func Format(norm string) string {
	var b strings.Builder
	for i := 0; i < len(norm); i++ {
		if i > 0 && i%GroupLen == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(norm[i])
	}
	return b.String()
}

// hashCode is the hex SHA-256 of a normalized code: what is stored, and
// the name of its lookup object. A plain (unsalted) hash is enough because
// the code has 80 random bits: there is no dictionary to try, and a lookup
// by hash needs the same hash for the same code.
func hashCode(norm string) string {
	sum := sha256.Sum256([]byte(hashDomain + norm))
	return hex.EncodeToString(sum[:])
}

// codeID is the short, non-secret name of a code for logs and audit: the
// first 12 hex digits of its hash (48 bits of a hash of 80 random bits say
// nothing usable about the code).
func codeID(hash string) string { return hash[:12] }

// equalHash compares two hashes in constant time, so how long a check
// takes says nothing about how much of a stored hash matched. A variable
// so that a test can prove Verify goes through it.
var equalHash = func(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
