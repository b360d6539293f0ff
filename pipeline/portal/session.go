package portal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/lake"
)

// session is what the signed cookie carries. Year, province and commune of
// every request come from here and nowhere else.
type session struct {
	V            int    `json:"v"`
	SID          string `json:"sid"` // random; the CSRF token is bound to it
	CodeID       string `json:"cid"` // the access code's non-secret id
	Year         int    `json:"y"`
	Province     string `json:"p"`
	ProvinceName string `json:"pn"`
	Commune      string `json:"c"`
	CommuneName  string `json:"cn"`
	// Role is "" for a commune's session (sessions from before issue 15
	// have none) or "province" for a province reviewer's; Reviewer is the
	// reviewer code's slot. The holder's name is personal data the cookie
	// (readable base64 JSON) does not carry: server.session reads it from
	// the slot's access record. Cookies from before that carried it as
	// "h"; it is ignored.
	Role     access.Role `json:"r,omitempty"`
	Reviewer string      `json:"rv,omitempty"`
	Exp      int64       `json:"exp"` // unix seconds: min(sign-in + SessionTTL, code expiry)
}

// grant is the session's grant, for Authority.StillValid.
func (ss session) grant() access.Grant {
	role := access.RoleCommune
	if ss.Role == access.RoleProvince {
		role = access.RoleProvince
	}
	return access.Grant{Role: role, Year: ss.Year, Province: ss.Province, ProvinceName: ss.ProvinceName,
		Commune: ss.Commune, CommuneName: ss.CommuneName, Reviewer: ss.Reviewer, CodeID: ss.CodeID}
}

// keyring signs with keys[0] and verifies with any key, so the signing key
// can rotate without logging everyone out.
type keyring struct{ keys [][]byte }

func (k keyring) mac(key []byte, purpose, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// sign returns msg.tag for msg (already base64url).
func (k keyring) sign(purpose, msg string) string {
	return msg + "." + base64.RawURLEncoding.EncodeToString(k.mac(k.keys[0], purpose, msg))
}

// open checks a msg.tag against every key and returns msg.
func (k keyring) open(purpose, signed string) (string, bool) {
	msg, tag, ok := strings.Cut(signed, ".")
	if !ok {
		return "", false
	}
	got, err := b64.DecodeString(tag)
	if err != nil {
		return "", false
	}
	for _, key := range k.keys {
		if hmac.Equal(got, k.mac(key, purpose, msg)) {
			return msg, true
		}
	}
	return "", false
}

// token is a value derived from the signing key, for CSRF: it verifies
// against any key.
func (k keyring) token(purpose, msg string) string {
	return base64.RawURLEncoding.EncodeToString(k.mac(k.keys[0], purpose, msg))
}

func (k keyring) checkToken(purpose, msg, tok string) bool {
	got, err := b64.DecodeString(tok)
	if err != nil || tok == "" {
		return false
	}
	for _, key := range k.keys {
		if hmac.Equal(got, k.mac(key, purpose, msg)) {
			return true
		}
	}
	return false
}

func randomID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("portal: crypto/rand: %v", err)) // never happens on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

const (
	purposeSession = "xhht-portal-session-v1"
	purposeCSRF    = "xhht-portal-csrf-v1"
	purposeLogin   = "xhht-portal-login-v1"
)

// cookie names: with Secure, the __Host- prefix makes the browser refuse
// the cookie unless it is Secure, host-only and for path /.
func (s *server) cookieName(base string) string {
	if s.cfg.Secure {
		return "__Host-" + base
	}
	return base
}

func (s *server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteStrictMode,
	})
}

// newSession makes the cookie value for a verified grant.
func (s *server) newSession(g access.Grant, now time.Time) (string, session, error) {
	exp := now.Add(SessionTTL)
	if !g.ExpiresAt.IsZero() && g.ExpiresAt.Before(exp) {
		exp = g.ExpiresAt
	}
	ss := session{V: 1, SID: randomID(), CodeID: g.CodeID, Year: g.Year, Province: g.Province, ProvinceName: g.ProvinceName,
		Commune: g.Commune, CommuneName: g.CommuneName, Exp: exp.Unix()}
	if g.Role == access.RoleProvince {
		ss.Role, ss.Reviewer = access.RoleProvince, g.Reviewer
	}
	b, err := json.Marshal(ss)
	if err != nil {
		return "", session{}, err
	}
	return s.keys.sign(purposeSession, base64.RawURLEncoding.EncodeToString(b)), ss, nil
}

var errNoSession = errors.New("no valid session")

// readSession checks the cookie's signature and expiry. It does not ask
// the Authority (see server.session).
func (s *server) readSession(r *http.Request, now time.Time) (session, error) {
	c, err := r.Cookie(s.cookieName("xhht_phien"))
	if err != nil {
		return session{}, errNoSession
	}
	msg, ok := s.keys.open(purposeSession, c.Value)
	if !ok {
		return session{}, errNoSession
	}
	b, err := base64.RawURLEncoding.DecodeString(msg)
	if err != nil {
		return session{}, errNoSession
	}
	var ss session
	if err := json.Unmarshal(b, &ss); err != nil || ss.V != 1 || ss.SID == "" {
		return session{}, errNoSession
	}
	if !now.Before(time.Unix(ss.Exp, 0)) {
		return session{}, errNoSession
	}
	return ss, nil
}

// prefix is the only part of the uploads bucket a session may touch.
func (ss session) prefix() string {
	return lake.UploadPrefix(ss.Year, ss.Province, ss.Commune)
}

// receiptsPrefix is the only part of the lake's receipts a session may read.
func (ss session) receiptsPrefix() string {
	return lake.ReceiptsCommunePrefix(ss.Year, ss.Province, ss.Commune)
}

// b64 decodes tags strictly: unused trailing bits must be zero, so one
// tag has one spelling.
var b64 = base64.RawURLEncoding.Strict()
