package portal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/marked"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/vnnum"
)

//go:embed assets
var assetsFS embed.FS

// server is the portal's handler.
type server struct {
	cfg       Config
	keys      keyring
	proc      *ingest.Processor
	deadlines *deadlines.Set
	pages     *template.Template
	static    map[string]staticFile
	throttle  *throttle
	csp       string
	// process: run ingest.Processor.Process (write the receipt and rows to
	// the lake) right after an upload. True when the portal is the only
	// processor (Uploader nil: `xhht serve`); with an Uploader the S3 event
	// processes the object and the portal only checks it (see docs/portal.md).
	process bool
	mux     *http.ServeMux
	verify  verifier
	// The province board's caches (board.go, rollupread.go): objects
	// that never change under their key.
	rc receiptCache
	sc statusCache
	pq parquetCache
}

// verifier is the part of *access.Authority the portal uses.
type verifier interface {
	Verify(ctx context.Context, code string, now time.Time) (access.Grant, error)
	StillValid(ctx context.Context, g access.Grant, now time.Time) error
}

type staticFile struct {
	body  []byte
	ctype string
	etag  string
}

func newServer(cfg Config) (*server, error) {
	switch {
	case cfg.Lake == nil || cfg.Uploads == nil:
		return nil, fmt.Errorf("%w: Lake and Uploads are required", ErrConfig)
	case cfg.Authority == nil:
		return nil, fmt.Errorf("%w: Authority is required", ErrConfig)
	case len(cfg.SessionKeys) == 0:
		return nil, fmt.Errorf("%w: at least one session key is required", ErrConfig)
	}
	if !cfg.Secure && cfg.PublicURL != "" && !loopbackURL(cfg.PublicURL) {
		// Cookies without Secure travel in clear text: only on this machine.
		return nil, fmt.Errorf("%w: Secure cookies are required for %s (plain HTTP only on 127.0.0.1)", ErrConfig, cfg.PublicURL)
	}
	for i, k := range cfg.SessionKeys {
		if len(k) < 32 {
			return nil, fmt.Errorf("%w: session key %d has %d bytes, need at least 32", ErrConfig, i, len(k))
		}
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.UploadsBucket == "" {
		cfg.UploadsBucket = "local"
	}
	if cfg.Flags == nil {
		cfg.Flags = QualityFlags(cfg.Lake)
	}
	p, err := ingest.New(cfg.Uploads, cfg.Lake)
	if err != nil {
		return nil, fmt.Errorf("portal: load schemas: %w", err)
	}
	p.Limits.MaxBytes = cfg.MaxUploadBytes
	dl, err := deadlines.Load()
	if err != nil {
		return nil, fmt.Errorf("portal: load deadlines: %w", err)
	}
	s := &server{cfg: cfg, keys: keyring{cfg.SessionKeys}, proc: p, deadlines: dl,
		throttle: newThrottle(), process: cfg.Uploader == nil, verify: cfg.Authority}
	if s.pages, err = template.New("").Funcs(funcs).ParseFS(assetsFS, "assets/*.html"); err != nil {
		return nil, fmt.Errorf("portal: parse pages: %w", err)
	}
	if err := s.loadStatic(); err != nil {
		return nil, err
	}
	connect := "'self'"
	if cfg.Uploader != nil {
		// The script PUTs the file to the bucket: allow its origin, found
		// from a target for a key no session can have.
		t, err := cfg.Uploader.Target(context.Background(), "0000/00/00000/probe.xlsx", 1, "application/octet-stream", nil)
		if err != nil {
			return nil, fmt.Errorf("portal: probe the uploader: %w", err)
		}
		if u, err := url.Parse(t.URL); err == nil && u.Scheme != "" && u.Host != "" {
			connect += " " + u.Scheme + "://" + u.Host
		}
	}
	s.csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src " + connect +
		"; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	s.routes()
	return s, nil
}

func (s *server) loadStatic() error {
	s.static = map[string]staticFile{}
	for _, name := range []string{"app.js", "style.css"} {
		b, err := fs.ReadFile(assetsFS, "assets/"+name)
		if err != nil {
			return fmt.Errorf("portal: asset %s: %w", name, err)
		}
		sum := sha256.Sum256(b)
		ctype := "text/css; charset=utf-8"
		if path.Ext(name) == ".js" {
			ctype = "text/javascript; charset=utf-8"
		}
		s.static[name] = staticFile{body: b, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	return nil
}

// Paths. Short Vietnamese slugs: officials may read them in the address bar.
const (
	pathHome     = "/"
	pathSignIn   = "/dang-nhap"
	pathSignOut  = "/dang-xuat"
	pathTemplate = "/bieu-mau"
	pathUpload   = "/nop"
	pathTarget   = "/nop/dia-chi" // JSON: where the browser PUTs the file (Uploader mode)
	pathCheck    = "/kiem-tra"    // after a direct upload: check the object now
	pathMarked   = "/danh-dau"
	pathStatic   = "/tep/"
)

func (s *server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET "+pathHome+"{$}", s.home)
	m.HandleFunc("POST "+pathSignIn, s.signIn)
	m.HandleFunc("POST "+pathSignOut, s.withRole(anyRole, s.signOut))
	m.HandleFunc("GET "+pathTemplate, s.withSession(s.template))
	m.HandleFunc("POST "+pathUpload, s.withRoleCSRF(access.RoleCommune, csrfMultipart, s.upload))
	m.HandleFunc("POST "+pathTarget, s.withSession(s.target))
	m.HandleFunc("POST "+pathCheck, s.withSession(s.check))
	m.HandleFunc("GET "+pathMarked, s.withSession(s.marked))
	m.HandleFunc("GET "+pathStatic+"{name}", s.serveStatic)
	s.provinceRoutes(m)
	s.mux = m
}

// ServeHTTP sets the headers every response carries, refuses cross-site
// state changes, and never lets a panic take the process down.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin") // not no-referrer: Chromium then sends "Origin: null" on form posts
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.cfg.Secure {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	defer func() {
		if v := recover(); v != nil {
			s.cfg.Logger.Error("portal: panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
			http.Error(w, "Lỗi hệ thống. Vui lòng thử lại sau.", http.StatusInternalServerError)
		}
	}()
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !s.sameOrigin(r) {
		s.cfg.Logger.Warn("portal: cross-site request refused", "path", r.URL.Path, "origin", r.Header.Get("Origin"), "client", clientAddr(r))
		s.fail(w, r, http.StatusForbidden, "Yêu cầu không hợp lệ (gửi từ trang khác). Hãy mở lại cổng nộp báo cáo và thử lại.")
		return
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.unrouted(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// unrouted answers a request no route takes: an unknown path (404) or a
// known path with another method (405, with Allow), on the Vietnamese
// error page rather than Go's English text; anything else the mux says
// (a redirect to the clean path) as it says it.
func (s *server) unrouted(w http.ResponseWriter, r *http.Request) {
	h, _ := s.mux.Handler(r)
	rec := &recorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	switch rec.status {
	case http.StatusNotFound:
		s.notFound(w, r)
	case http.StatusMethodNotAllowed:
		if a := rec.header.Get("Allow"); a != "" {
			w.Header().Set("Allow", a)
		}
		s.fail(w, r, http.StatusMethodNotAllowed, "Không mở được trang này theo cách này. Hãy về trang chính và dùng các nút trên trang.")
	default:
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		w.Write(rec.body.Bytes())
	}
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, http.StatusNotFound, "Không có trang này. Hãy kiểm tra lại địa chỉ, hoặc về trang chính.")
}

// recorder keeps what the mux's own handlers (not found, method not
// allowed, redirect) write, so unrouted can answer in Vietnamese instead.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// sameOrigin refuses a state-changing request that a browser says came
// from another site (Sec-Fetch-Site, Origin). Requests without those
// headers (old browsers, scripts) still need the CSRF token.
func (s *server) sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil {
		return false
	}
	if u.Host == r.Host {
		return true
	}
	if s.cfg.PublicURL != "" {
		if p, err := url.Parse(s.cfg.PublicURL); err == nil && p.Host == u.Host && p.Scheme == u.Scheme {
			return true
		}
	}
	return false
}

func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := u.Hostname()
	ip := net.ParseIP(h)
	return h == "localhost" || ip != nil && ip.IsLoopback()
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *server) serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := s.static[r.PathValue("name")]
	if !ok {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("ETag", f.etag)
	w.Header().Set("Cache-Control", "no-cache")
	if r.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(f.body)
}

// ---- sessions and sign-in ----

type sessionHandler func(w http.ResponseWriter, r *http.Request, ss session, g access.Grant)

// withSession runs h for a signed-in commune whose code is still valid,
// and checks the CSRF token of every state-changing request. A province
// session is refused: these pages act on the session's own commune.
func (s *server) withSession(h sessionHandler) http.HandlerFunc {
	return s.withRole(access.RoleCommune, h)
}

// anyRole lets withRole accept both roles (sign-out).
const anyRole access.Role = ""

// withRole runs h for a signed-in request of that role whose code is still
// valid, and checks the CSRF token of every state-changing request.
func (s *server) withRole(role access.Role, h sessionHandler) http.HandlerFunc {
	return s.withRoleCSRF(role, csrfHeaderOrForm, h)
}

// Where a POST's CSRF token may be. Never the query string: URLs end up
// in access logs (API Gateway's among them) and in the history.
type csrfMode int

const (
	// csrfHeaderOrForm: the X-CSRF-Token header (the script's requests),
	// or the csrf field of a url-encoded form body.
	csrfHeaderOrForm csrfMode = iota
	// csrfMultipart: also the csrf field of a multipart body (the upload
	// form without the script), which the handler reads itself, before
	// the file: csrfInBody.
	csrfMultipart
)

// ctxCSRFSession marks a request whose CSRF token is still to be read from
// its multipart body; the value is the session id the token is bound to.
type ctxCSRFSession struct{}

// withRoleCSRF is withRole with the places a token may be in.
func (s *server) withRoleCSRF(role access.Role, mode csrfMode, h sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss, g, err := s.session(r)
		if errors.Is(err, errCheckCode) {
			s.internal(w, r, err)
			return
		}
		if err != nil {
			if r.Method == http.MethodGet && !wantsFragment(r) {
				http.Redirect(w, r, pathHome, http.StatusSeeOther)
				return
			}
			s.fail(w, r, http.StatusUnauthorized, "Phiên làm việc đã hết hạn hoặc mã truy cập không còn hiệu lực. Hãy đăng nhập lại.")
			return
		}
		if role != anyRole && g.Role != role {
			// Checked before the CSRF token, so a commune code learns
			// nothing about review endpoints beyond "not yours".
			s.cfg.Logger.Warn("portal: request refused for the session's role", "path", r.URL.Path, "role", g.Role,
				"province", g.Province, "commune", g.Commune, "code_id", g.CodeID, "client", clientAddr(r))
			msg := "Trang này chỉ dành cho cán bộ Sở duyệt số liệu."
			if role == access.RoleCommune {
				msg = "Trang này dành cho xã nộp báo cáo. Mã cấp tỉnh dùng bảng theo dõi."
			}
			s.fail(w, r, http.StatusForbidden, msg)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			tok := r.Header.Get("X-CSRF-Token")
			ctype := r.Header.Get("Content-Type")
			if tok == "" && mode == csrfMultipart && strings.HasPrefix(ctype, "multipart/form-data") {
				// The handler reads the token from the body (csrfInBody).
				h(w, r.WithContext(context.WithValue(r.Context(), ctxCSRFSession{}, ss.SID)), ss, g)
				return
			}
			if tok == "" && strings.HasPrefix(ctype, "application/x-www-form-urlencoded") {
				// The largest form is a review form with its comment.
				r.Body = http.MaxBytesReader(w, r.Body, reviewFormLimit)
				err := r.ParseForm()
				if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
					s.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("Ý kiến quá dài: tối đa %s ký tự. Hãy bấm nút Quay lại của trình duyệt, rút gọn ý kiến rồi gửi lại.", vnnum.Int(review.MaxCommentRunes)))
					return
				}
				if err == nil {
					tok = r.PostForm.Get("csrf")
				}
			}
			if !s.keys.checkToken(purposeCSRF, ss.SID, tok) {
				s.csrfRefused(w, r, ss)
				return
			}
		}
		h(w, r, ss, g)
	}
}

func (s *server) csrfRefused(w http.ResponseWriter, r *http.Request, ss session) {
	s.cfg.Logger.Warn("portal: CSRF token missing or wrong", "path", r.URL.Path, "commune", ss.Commune, "province", ss.Province, "client", clientAddr(r))
	s.fail(w, r, http.StatusForbidden, "Yêu cầu không hợp lệ. Hãy tải lại trang và thử lại.")
}

// csrfInBody is the session id a multipart request's body must carry the
// token of (withRoleCSRF found no token in the header), or "" when the
// token was already checked.
func csrfInBody(r *http.Request) string {
	sid, _ := r.Context().Value(ctxCSRFSession{}).(string)
	return sid
}

// session reads the signed cookie and asks the Authority whether its code
// is still the commune's active code (one small read of access/ per
// request, no cache), so a revoked, replaced or expired code ends the
// session at once.
func (s *server) session(r *http.Request) (session, access.Grant, error) {
	now := s.cfg.Now()
	ss, err := s.readSession(r, now)
	if err != nil {
		return session{}, access.Grant{}, err
	}
	g := ss.grant()
	if err := s.verify.StillValid(r.Context(), g, now); err != nil {
		if !errors.Is(err, access.ErrRevoked) && !errors.Is(err, access.ErrExpired) && !errors.Is(err, access.ErrInvalid) {
			// The lake could not be read: not the official's fault, and
			// not a reason to sign them out.
			return session{}, access.Grant{}, fmt.Errorf("%w: %w", errCheckCode, err)
		}
		return session{}, access.Grant{}, err
	}
	if g.Role == access.RoleProvince {
		// The holder's name, shown on the province's pages, is not in the
		// cookie (personal data): read from the slot's access record,
		// only if that slot was issued the session's code.
		h, err := access.ReviewerHolder(r.Context(), s.cfg.Lake, g.Year, g.Province, g.Reviewer, g.CodeID)
		if err != nil {
			s.cfg.Logger.Warn("portal: reviewer's holder unreadable", "province", g.Province, "reviewer", g.Reviewer, "err", err)
		}
		g.Holder = h
	}
	return ss, g, nil
}

// errCheckCode: the session's code could not be checked (storage error).
var errCheckCode = errors.New("portal: check the session's code")

func (s *server) home(w http.ResponseWriter, r *http.Request) {
	ss, g, err := s.session(r)
	if errors.Is(err, errCheckCode) {
		s.internal(w, r, err)
		return
	}
	if err != nil {
		s.signInPage(w, r, http.StatusOK, "")
		return
	}
	if g.Role == access.RoleProvince {
		http.Redirect(w, r, pathBoard, http.StatusSeeOther)
		return
	}
	v, err := s.communeView(r.Context(), ss, g, nil)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "commune", v)
}

// signInPage shows the code form with a fresh login CSRF nonce.
func (s *server) signInPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	nonce := randomID()
	s.setCookie(w, "xhht_dn", nonce, 3600)
	s.render(w, r, status, "signin", map[string]any{"CSRF": s.keys.token(purposeLogin, nonce), "Error": msg, "Action": pathSignIn})
}

func (s *server) signIn(w http.ResponseWriter, r *http.Request) {
	now := s.cfg.Now()
	client := clientAddr(r)
	if wait := s.throttle.wait(client, now); wait > 0 {
		secs := int(wait.Round(time.Second) / time.Second)
		w.Header().Set("Retry-After", fmt.Sprint(max(secs, 1)))
		s.cfg.Logger.Warn("portal: sign-in refused while slowed down", "client", client, "time", now.UTC())
		s.signInPage(w, r, http.StatusTooManyRequests, fmt.Sprintf("Nhập sai nhiều lần. Vui lòng đợi %d giây rồi thử lại.", max(secs, 1)))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		s.signInPage(w, r, http.StatusBadRequest, "Yêu cầu không hợp lệ.")
		return
	}
	c, err := r.Cookie(s.cookieName("xhht_dn"))
	if err != nil || !s.keys.checkToken(purposeLogin, c.Value, r.PostForm.Get("csrf")) {
		s.cfg.Logger.Warn("portal: sign-in without a valid CSRF token", "client", client)
		s.signInPage(w, r, http.StatusForbidden, "Trang đăng nhập đã cũ. Vui lòng nhập lại mã.")
		return
	}
	code := r.PostForm.Get("code")
	g, err := s.verify.Verify(r.Context(), code, now)
	if err == nil && g.Role != access.RoleCommune && g.Role != access.RoleProvince {
		err = fmt.Errorf("role %q: %w", g.Role, access.ErrInvalid)
	}
	if err != nil {
		wait := s.throttle.fail(client, now)
		reason := "invalid"
		msg := "Mã truy cập không đúng. Hãy kiểm tra lại (mã in trên giấy do tỉnh gửi)."
		switch {
		case errors.Is(err, access.ErrRevoked):
			reason, msg = "revoked", "Mã truy cập này đã bị thu hồi. Hãy liên hệ Sở để nhận mã mới."
		case errors.Is(err, access.ErrExpired):
			reason, msg = "expired", "Mã truy cập này đã hết hạn. Hãy liên hệ Sở để nhận mã mới."
		case !errors.Is(err, access.ErrInvalid):
			reason = "error"
			msg = "Không kiểm tra được mã lúc này. Vui lòng thử lại sau ít phút."
			s.cfg.Logger.Error("portal: verify code", "err", err)
		}
		// Never the code itself: the commune (when the code was found), the
		// client and the time.
		var f *access.Failure
		if errors.As(err, &f) {
			g = access.Grant{Year: f.Year, Province: f.Province, Commune: f.Commune, CodeID: f.CodeID}
		}
		s.cfg.Logger.Warn("portal: sign-in failed", "reason", reason, "commune", g.Commune, "province", g.Province,
			"code_id", g.CodeID, "client", client, "time", now.UTC(), "slowed_for", wait.String())
		s.signInPage(w, r, http.StatusUnauthorized, msg)
		return
	}
	s.throttle.success(client)
	val, ss, err := s.newSession(g, now)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.setCookie(w, "xhht_phien", val, int(time.Unix(ss.Exp, 0).Sub(now)/time.Second)+1)
	s.setCookie(w, "xhht_dn", "", -1)
	if g.Role == access.RoleProvince {
		s.cfg.Logger.Info("portal: signed in", "role", g.Role, "province", g.Province, "reviewer", g.Reviewer, "year", g.Year, "code_id", g.CodeID, "client", client)
	} else {
		s.cfg.Logger.Info("portal: signed in", "role", access.RoleCommune, "commune", g.Commune, "province", g.Province, "year", g.Year, "code_id", g.CodeID, "client", client)
	}
	http.Redirect(w, r, pathHome, http.StatusSeeOther)
}

func (s *server) signOut(w http.ResponseWriter, r *http.Request, ss session, _ access.Grant) {
	s.setCookie(w, "xhht_phien", "", -1)
	http.Redirect(w, r, pathHome, http.StatusSeeOther)
}

// ---- uploads ----

// upload receives a file POSTed to the portal (the plain form, and the
// script when there is no Uploader), stores it under the session's commune
// and answers with the receipt.
func (s *server) upload(w http.ResponseWriter, r *http.Request, ss session, g access.Grant) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUploadBytes+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "Không nhận được tệp. Hãy chọn tệp rồi bấm Nộp.")
		return
	}
	var name string
	var data []byte
	// Without the script the token is the form's csrf field, which the
	// page puts before the file: it is checked before the file is read.
	sid := csrfInBody(r)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.uploadReadError(w, r, err)
			return
		}
		if part.FormName() == "csrf" && sid != "" {
			tok, err := io.ReadAll(io.LimitReader(part, 256))
			if err != nil {
				s.uploadReadError(w, r, err)
				return
			}
			if !s.keys.checkToken(purposeCSRF, sid, string(tok)) {
				s.csrfRefused(w, r, ss)
				return
			}
			sid = ""
			continue
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		if sid != "" {
			s.csrfRefused(w, r, ss) // a file before (or without) the token
			return
		}
		name = rawFileName(part)
		data, err = io.ReadAll(io.LimitReader(part, s.cfg.MaxUploadBytes+1))
		if err != nil {
			s.uploadReadError(w, r, err)
			return
		}
		break
	}
	if sid != "" {
		s.csrfRefused(w, r, ss)
		return
	}
	if name == "" && len(data) == 0 {
		s.fail(w, r, http.StatusBadRequest, "Chưa chọn tệp. Hãy chọn tệp Excel hoặc CSV rồi bấm Nộp.")
		return
	}
	if int64(len(data)) > s.cfg.MaxUploadBytes {
		s.tooLarge(w, r)
		return
	}
	key := ss.prefix() + objectName(name, s.cfg.Now())
	if err := s.put(r.Context(), key, data, storage.OriginalNameMeta(name)); err != nil {
		s.internal(w, r, err)
		return
	}
	s.cfg.Logger.Info("portal: upload stored", "key", key, "original_name", name, "bytes", len(data), "commune", ss.Commune)
	s.answer(w, r, ss, g, key)
}

// rawFileName is the file name as the browser sent it. multipart's
// FileName keeps only the base name; the original is kept whole as
// metadata (shown escaped, never used for the key: SafeName makes that).
func rawFileName(part *multipart.Part) string {
	_, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
	if err != nil || params["filename"] == "" {
		return part.FileName()
	}
	return params["filename"]
}

func (s *server) uploadReadError(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		s.tooLarge(w, r)
		return
	}
	s.fail(w, r, http.StatusBadRequest, "Tệp gửi lên bị gián đoạn. Vui lòng nộp lại.")
}

func (s *server) tooLarge(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("Tệp quá lớn (tối đa %d MB). Hãy xoá các trang tính không cần thiết rồi nộp lại.", s.cfg.MaxUploadBytes>>20))
}

// put writes a new upload, with its original name as metadata when the
// store keeps metadata (both backends do). Its key is new (upload time and 24 random
// bits, objectName): an existing object is never replaced, which the
// check below makes sure of for the case of a clash.
func (s *server) put(ctx context.Context, key string, data []byte, meta map[string]string) error {
	if objs, err := s.cfg.Uploads.List(ctx, key); err != nil {
		return fmt.Errorf("portal: check upload key: %w", err)
	} else if slices.ContainsFunc(objs, func(o storage.Object) bool { return o.Key == key }) {
		return fmt.Errorf("portal: upload key %q exists", key)
	}
	var err error
	if mp, ok := s.cfg.Uploads.(storage.MetaPutter); ok {
		err = mp.PutMeta(ctx, key, data, "application/octet-stream", meta)
	} else {
		err = s.cfg.Uploads.Put(ctx, key, data, "application/octet-stream")
	}
	if err != nil {
		return fmt.Errorf("portal: store upload: %w", err)
	}
	return nil
}

type targetRequest struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
	Type string `json:"type"`
}

// target tells the script where to send a file (Uploader mode). The key is
// built here from the session; the browser sends only the name and size.
func (s *server) target(w http.ResponseWriter, r *http.Request, ss session, _ access.Grant) {
	var req targetRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<10)).Decode(&req); err != nil {
		s.fail(w, r, http.StatusBadRequest, "Yêu cầu không hợp lệ.")
		return
	}
	if req.Size <= 0 {
		s.fail(w, r, http.StatusBadRequest, "Tệp rỗng (0 byte). Hãy kiểm tra lại tệp.")
		return
	}
	if req.Size > s.cfg.MaxUploadBytes {
		s.tooLarge(w, r)
		return
	}
	key := ss.prefix() + objectName(req.Name, s.cfg.Now())
	t := UploadTarget{Method: http.MethodPost, URL: pathUpload, Key: key}
	if s.cfg.Uploader != nil {
		var err error
		if t, err = s.cfg.Uploader.Target(r.Context(), key, req.Size, "application/octet-stream", storage.OriginalNameMeta(req.Name)); err != nil {
			s.internal(w, r, err)
			return
		}
		t.Key = key
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(t)
}

// check answers for an object the browser has just sent straight to the
// bucket. The key is accepted only inside the session's own prefix.
func (s *server) check(w http.ResponseWriter, r *http.Request, ss session, g access.Grant) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "Yêu cầu không hợp lệ.")
		return
	}
	key := r.PostForm.Get("key")
	if !s.ownsKey(ss, key) {
		s.forbidden(w, r, ss, "check", key)
		return
	}
	// The name the script posts along is not used: the object's own
	// metadata (signed into the upload) says it.
	s.answer(w, r, ss, g, key)
}

// ownsKey: key is an upload object of the session's commune and year,
// in the form objectName makes (one segment under the prefix).
func (s *server) ownsKey(ss session, key string) bool {
	rest, ok := strings.CutPrefix(key, ss.prefix())
	if !ok || rest == "" || strings.ContainsAny(rest, "/\\\x00") || strings.Contains(rest, "..") {
		return false
	}
	k, err := lake.ParseKey(key)
	return err == nil && k.Year == ss.Year && k.Province == ss.Province && k.Commune == ss.Commune
}

func (s *server) forbidden(w http.ResponseWriter, r *http.Request, ss session, what, value string) {
	s.cfg.Logger.Warn("portal: request outside the session's commune refused", "what", what, "value", value,
		"commune", ss.Commune, "province", ss.Province, "year", ss.Year, "client", clientAddr(r))
	s.fail(w, r, http.StatusForbidden, "Tệp này không thuộc xã của bạn.")
}

// answer checks (or processes) one upload of the session and shows the
// commune page with the result on top.
func (s *server) answer(w http.ResponseWriter, r *http.Request, ss session, g access.Grant, key string) {
	rc, err := s.checkObject(r.Context(), key)
	if errors.Is(err, storage.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "Chưa thấy tệp trên máy chủ. Vui lòng nộp lại.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	res := &resultView{Receipt: rc, OriginalName: uploadName(rc)}
	rcs, err := s.receipts(r.Context(), ss)
	if err == nil {
		res.Unchanged, err = s.unchangedText(r.Context(), ss, rc, rcs)
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	// The outcome, for the operator: ids and counts, never the code or
	// anything the commune typed beyond the file name logged at storing.
	outcome := "rejected"
	switch {
	case rc.Status == receipt.Accepted && res.Unchanged != "":
		outcome = "unchanged"
	case rc.Status == receipt.Accepted:
		outcome = "accepted"
	}
	s.cfg.Logger.Info("portal: upload checked", "outcome", outcome, "submission_id", rc.SubmissionID, "key", key,
		"errors", rc.ErrorCount, "warnings", rc.WarningCount, "commune", ss.Commune, "province", ss.Province, "year", ss.Year)
	v, err := s.communeView(r.Context(), ss, g, res)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "commune", v)
}

// checkObject runs the ingest processor on an upload. With no Uploader
// (xhht serve) the portal is the processor: Process writes the receipt and
// rows. Otherwise the S3 event will process the object; the portal only
// Checks it, from the same bytes, version and upload time, so the answer on
// screen is the receipt the event writes.
func (s *server) checkObject(ctx context.Context, key string) (*receipt.Receipt, error) {
	u := ingest.Upload{Bucket: s.cfg.UploadsBucket, Key: key}
	if s.process {
		return s.proc.Process(ctx, u)
	}
	data, obj, err := storage.GetAtMost(ctx, s.cfg.Uploads, key, "", s.cfg.MaxUploadBytes)
	if err != nil && !errors.Is(err, storage.ErrTooLarge) {
		return nil, err
	}
	version := obj.VersionID
	if version == "" {
		version = obj.ETag
	}
	u.Version = obj.VersionID
	res, err := ingest.Check(ctx, s.proc, u, version, obj.LastModified, data)
	if err != nil {
		return nil, err
	}
	// As ingest.Process does for the event's receipt.
	res.Receipt.OriginalName = storage.OriginalName(obj)
	return res.Receipt, nil
}

// ---- downloads ----

func (s *server) template(w http.ResponseWriter, r *http.Request, ss session, _ access.Grant) {
	var buf bytes.Buffer
	name, err := s.writeTemplate(r.Context(), &buf, ss)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	download(w, name, buf.Bytes())
}

// marked sends the official's workbook marked with its receipt. The
// upload is named by key (and version), inside the session's prefix; the
// receipt is recomputed with the same processor, so it is the receipt of
// that upload whether or not the S3 event has written it yet.
func (s *server) marked(w http.ResponseWriter, r *http.Request, ss session, _ access.Grant) {
	key := r.URL.Query().Get("key")
	if !s.ownsKey(ss, key) {
		s.forbidden(w, r, ss, "marked", key)
		return
	}
	s.sendMarked(w, r, key, r.URL.Query().Get("v"))
}

// sendMarked sends the marked workbook of one upload whose key the caller
// has checked belongs to the session (commune or province).
func (s *server) sendMarked(w http.ResponseWriter, r *http.Request, key, v string) {
	data, obj, err := storage.GetAtMost(r.Context(), s.cfg.Uploads, key, v, s.cfg.MaxUploadBytes)
	if errors.Is(err, storage.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "Không tìm thấy tệp đã nộp.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	version := obj.VersionID
	if version == "" {
		version = obj.ETag
	}
	res, err := ingest.Check(r.Context(), s.proc, ingest.Upload{Bucket: s.cfg.UploadsBucket, Key: key, Version: obj.VersionID}, version, obj.LastModified, data)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := marked.WriteFlags(&buf, displayName(key), data, res.Receipt, s.markedFlags(r.Context(), key, res.Receipt.SubmissionID)); err != nil {
		if errors.Is(err, marked.ErrUnreadable) {
			s.fail(w, r, http.StatusUnprocessableEntity, "Tệp này không mở được như một bảng tính nên không đánh dấu được. Xem lý do trong kết quả kiểm tra.")
			return
		}
		s.internal(w, r, err)
		return
	}
	download(w, marked.FileName(displayName(key)), buf.Bytes())
}

// markedFlags are the roll-up's plausibility flags of one upload (issue
// 15), for its marked workbook: the ones to look at (not the "không so
// sánh được" notes), a hamlet's with the hamlet's name so the workbook can
// mark its cell. The receipt stays the upload's own; the flags, which need
// the lake's history, go only into this copy made on demand. Advice: a
// failure to read them gives none (communeFlags logs it).
func (s *server) markedFlags(ctx context.Context, key, submission string) []marked.Flag {
	k, err := lake.ParseKey(key)
	if err != nil {
		return nil
	}
	fs, _ := s.communeFlags(ctx, k.Year, k.Province, k.Commune)
	var out []marked.Flag
	for _, f := range fs {
		if f.SubmissionID != submission || !f.Comparable {
			continue
		}
		// As the commune's page says it: with last year's value, in plain
		// words (the workbook is the commune's file, to fix: walk L2).
		mf := marked.Flag{Message: communeFlagText(f)}
		if f.MaThon != "" {
			mf.Hamlet = f.TenThon
		}
		out = append(out, mf)
	}
	return out
}

func download(w http.ResponseWriter, name string, body []byte) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}

// ---- rendering ----

// wantsFragment: the script asks for the page's main part only, to put it
// in place without a reload.
func wantsFragment(r *http.Request) bool { return r.Header.Get("X-Portal-Fragment") == "1" }

func (s *server) render(w http.ResponseWriter, r *http.Request, status int, page string, v any) {
	var buf bytes.Buffer
	name := page
	if wantsFragment(r) {
		name = page + "-main"
	}
	if err := s.pages.ExecuteTemplate(&buf, name, v); err != nil {
		s.cfg.Logger.Error("portal: render", "page", name, "err", err)
		http.Error(w, "Lỗi hệ thống. Vui lòng thử lại sau.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows a short message (a page, or the fragment for the script).
// A province reviewer's session gets the province pages' layout and
// footer (re-check L3): the commune footer sends the reader to the Sở,
// which is the reviewer.
func (s *server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	page := "message"
	if s.sessionRole(r) == access.RoleProvince {
		page = "pmessage"
	}
	s.render(w, r, status, page, map[string]any{"Message": msg, "Status": status})
}

func (s *server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.cfg.Logger.Error("portal: internal error", "path", r.URL.Path, "err", err)
	s.fail(w, r, http.StatusInternalServerError, internalMessage(s.sessionRole(r)))
}

// internalMessage is the 500 page's sentence for who is reading it: a
// commune official is told it is not the commune's fault, a province
// reviewer that it is not theirs.
func internalMessage(role access.Role) string {
	switch role {
	case access.RoleCommune:
		return "Lỗi hệ thống (không phải lỗi của xã). Vui lòng thử lại sau ít phút."
	case access.RoleProvince:
		return "Lỗi hệ thống (không phải do thao tác của cán bộ Sở). Vui lòng thử lại sau ít phút."
	}
	return "Lỗi hệ thống. Vui lòng thử lại sau ít phút."
}

// sessionRole is the role of the request's signed session cookie ("" none),
// without asking the lake (which may be what failed).
func (s *server) sessionRole(r *http.Request) access.Role {
	ss, err := s.readSession(r, s.cfg.Now())
	if err != nil {
		return ""
	}
	return ss.grant().Role
}

// logReview is the operator's line for a review action that was applied:
// who (role, province, reviewer slot, code id; never the holder's name or
// the comment), what (action, submission) and the state before → after,
// from the audit record Apply returns in the status.
func (s *server) logReview(kind string, g access.Grant, commune string, st review.Status) {
	args := []any{"action", kind, "commune", commune, "province", g.Province, "year", g.Year,
		"role", g.Role, "reviewer", g.Reviewer, "code_id", g.CodeID}
	if rec := st.LastChange; rec != nil {
		args = append(args, "submission", rec.Submission, "from", rec.FromState, "to", rec.ToState)
		if rec.FlagID != "" {
			args = append(args, "flag_id", rec.FlagID)
		}
	}
	s.cfg.Logger.Info("portal: review", args...)
}
