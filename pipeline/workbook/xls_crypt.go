package workbook

// Excel's default password. A workbook "protected" without a password to
// open (a protected structure, or "read-only recommended" in some
// versions) is still encrypted, with the password "VelvetSweatshop", which
// Excel tries silently: the official never typed one and cannot remove
// it. Such a file is decrypted here; any other password stays
// ErrEncrypted. Reference: [MS-XLS] 2.2.10 (encryption of the Workbook
// stream), [MS-OFFCRYPTO] 2.3.6 (RC4) and 2.3.5 (RC4 CryptoAPI).

import (
	"bytes"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha1"
	"encoding/binary"
	"unicode/utf16"
)

const defaultPassword = "VelvetSweatshop"

// rc4Block is how many stream bytes one RC4 key covers: the key is
// re-derived for every 1,024-byte block of the Workbook stream.
const rc4Block = 1024

// xlsCipher derives the RC4 key of one block.
type xlsCipher interface{ blockKey(block uint32) []byte }

// rc4Office97 is RC4 encryption ([MS-OFFCRYPTO] 2.3.6): MD5-based keys.
type rc4Office97 struct{ intermediate []byte }

func newRC4Office97(password string, salt []byte) rc4Office97 {
	h0 := md5.Sum(utf16le(password))
	var buf []byte
	for range 16 {
		buf = append(append(buf, h0[:5]...), salt...)
	}
	h1 := md5.Sum(buf)
	return rc4Office97{intermediate: h1[:5]}
}

func (c rc4Office97) blockKey(block uint32) []byte {
	h := md5.Sum(binary.LittleEndian.AppendUint32(append([]byte{}, c.intermediate...), block))
	return h[:]
}

// rc4CryptoAPI is RC4 CryptoAPI encryption ([MS-OFFCRYPTO] 2.3.5.2):
// SHA-1-based keys of keyBits; a 40-bit key is padded to 128 bits.
type rc4CryptoAPI struct {
	h0      [sha1.Size]byte
	keyBits int
}

func newRC4CryptoAPI(password string, salt []byte, keyBits int) rc4CryptoAPI {
	return rc4CryptoAPI{h0: sha1.Sum(append(append([]byte{}, salt...), utf16le(password)...)), keyBits: keyBits}
}

func (c rc4CryptoAPI) blockKey(block uint32) []byte {
	h := sha1.Sum(binary.LittleEndian.AppendUint32(append([]byte{}, c.h0[:]...), block))
	if c.keyBits == 40 {
		return append(h[:5:5], make([]byte, 11)...)
	}
	return h[:c.keyBits/8]
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// filePassCipher reads a FILEPASS record body and returns the cipher of
// the default password, or errFilePass when the file uses another
// password or a scheme this reader does not decrypt (XOR obfuscation).
func filePassCipher(body []byte) (xlsCipher, error) {
	le := binary.LittleEndian
	if len(body) < 6 || le.Uint16(body) != 1 { // 0: XOR obfuscation
		return nil, errFilePass
	}
	major, minor := le.Uint16(body[2:]), le.Uint16(body[4:])
	switch {
	case major == 1 && minor == 1:
		// Salt, EncryptedVerifier, EncryptedVerifierHash: 16 bytes each.
		if len(body) < 6+48 {
			return nil, xlsCorrupt("short RC4 FILEPASS record")
		}
		salt, verifier, hash := body[6:22], body[22:38], body[38:54]
		c := newRC4Office97(defaultPassword, salt)
		if !verify(c, verifier, hash, func(b []byte) []byte { h := md5.Sum(b); return h[:] }) {
			return nil, errFilePass
		}
		return c, nil
	case (major == 2 || major == 3 || major == 4) && minor == 2:
		// Flags, HeaderSize, the EncryptionHeader, then the
		// EncryptionVerifier.
		if len(body) < 14 {
			return nil, xlsCorrupt("short RC4 CryptoAPI FILEPASS record")
		}
		hsize := int(le.Uint32(body[10:]))
		h := 14
		if hsize < 32 || hsize > len(body)-h {
			return nil, xlsCorrupt("RC4 CryptoAPI header of %d bytes", hsize)
		}
		header := body[h : h+hsize]
		keyBits := int(le.Uint32(header[16:]))
		if keyBits == 0 {
			keyBits = 40 // [MS-OFFCRYPTO]: 0 means 40 bits
		}
		if keyBits < 40 || keyBits > 128 || keyBits%8 != 0 {
			return nil, xlsCorrupt("RC4 CryptoAPI key of %d bits", keyBits)
		}
		v := body[h+hsize:]
		if len(v) < 4+16+16+4+20 || le.Uint32(v) != 16 {
			return nil, xlsCorrupt("short RC4 CryptoAPI verifier")
		}
		salt, verifier, hash := v[4:20], v[20:36], v[40:60]
		c := newRC4CryptoAPI(defaultPassword, salt, keyBits)
		if !verify(c, verifier, hash, func(b []byte) []byte { h := sha1.Sum(b); return h[:] }) {
			return nil, errFilePass
		}
		return c, nil
	}
	return nil, errFilePass
}

// verify decrypts the verifier and its hash with the key of block 0, one
// RC4 stream for both, and compares.
func verify(c xlsCipher, verifier, hash []byte, sum func([]byte) []byte) bool {
	r, err := rc4.NewCipher(c.blockKey(0))
	if err != nil {
		return false
	}
	v := make([]byte, len(verifier))
	r.XORKeyStream(v, verifier)
	h := make([]byte, len(hash))
	r.XORKeyStream(h, hash)
	return bytes.Equal(sum(v), h)
}

// decryptStream returns a decrypted copy of the Workbook stream. The
// cipher runs over the whole stream by 1,024-byte blocks, each from the
// start of its own key's stream; record headers, the records written in
// the clear (BOF, FILEPASS, INTERFACEHDR, the revision-log and lock
// records) and a BOUNDSHEET's stream position are then restored from the
// original. The FILEPASS record itself is kept: the reader skips it once
// decrypted.
func decryptStream(wb []byte, c xlsCipher) ([]byte, error) {
	out := make([]byte, len(wb))
	for start := 0; start < len(wb); start += rc4Block {
		end := min(start+rc4Block, len(wb))
		r, err := rc4.NewCipher(c.blockKey(uint32(start / rc4Block)))
		if err != nil {
			return nil, xlsCorrupt("RC4 key: %v", err)
		}
		r.XORKeyStream(out[start:end], wb[start:end])
	}
	le := binary.LittleEndian
	for off := 0; off+4 <= len(wb); {
		typ, n := le.Uint16(wb[off:]), int(le.Uint16(wb[off+2:]))
		end := min(off+4+n, len(wb))
		copy(out[off:off+4], wb[off:off+4])
		switch typ {
		case recBOF, recFilePass, 0x00E1 /* INTERFACEHDR */, 0x0194 /* USREXCL */, 0x0195 /* FILELOCK */, 0x0196 /* RRDINFO */, 0x0138 /* RRDHEAD */ :
			copy(out[off+4:end], wb[off+4:end])
		case recBoundSheet:
			copy(out[off+4:min(off+8, end)], wb[off+4:min(off+8, end)])
		}
		off = end
	}
	return out, nil
}
