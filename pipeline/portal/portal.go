// Package portal is the commune portal: a small server-rendered web site in
// Vietnamese where a commune official signs in with the commune's access
// code, downloads the blank form, uploads the filled-in workbook and sees the
// answer (the ingest receipt) on screen, with the own workbook marked where
// it is wrong. New returns one http.Handler; `xhht serve` runs it on
// 127.0.0.1 over local directories, functions/portal behind a Lambda URL.
//
// Every page is rendered on the server (html/template: all commune text is
// escaped) and works without JavaScript: the plain form upload posts the file
// to the portal. One small external script adds the drop zone, the progress
// bar and, when an Uploader is configured, the direct upload to S3 with a
// presigned URL. See docs/portal.md for the design.
//
// Beyond the contract of issue 11 (Config, Uploader, UploadTarget, New;
// Uploader.Target also takes the upload's metadata): with Uploader nil the portal processes each upload itself
// (ingest Process: receipt and rows written to the lake, as `xhht serve`
// needs); with an Uploader it only checks the object (ingest Check, no lake
// write) and leaves the writing to the S3 event. New calls Uploader.Target
// once with the key "0000/00/00000/probe.xlsx" to learn the bucket's origin
// for the Content-Security-Policy (connect-src). Throttling of failed
// sign-ins is keyed by http.Request.RemoteAddr: an adapter in front (Lambda)
// must set it to the client's address.
package portal

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/storage"
)

// UploadTarget says how the browser sends one file.
type UploadTarget struct {
	Method string            // "PUT" (presigned URL) or "POST" (to the portal itself, local mode)
	URL    string            // where to send the body
	Header map[string]string // headers the browser must send (signed ones included)
	Key    string            // the object key in the uploads bucket (built from the session only)
}

// Uploader hands out upload targets (on AWS: presigned PUT URLs).
type Uploader interface {
	// Target says how the browser sends a file of `size` bytes to `key`
	// with user metadata meta (the original file name:
	// storage.OriginalNameMeta; may be nil); the size limit and the
	// metadata must be enforced by whoever receives the body (S3 through
	// the signature: UploadTarget.Header then carries the signed
	// x-amz-meta-* headers, which the page sends as they are).
	Target(ctx context.Context, key string, size int64, contentType string, meta map[string]string) (UploadTarget, error)
}

// Config is everything the portal needs.
type Config struct {
	Lake, Uploads storage.Store
	UploadsBucket string   // bucket name recorded in receipts ("local" for directories)
	Uploader      Uploader // nil = uploads POSTed through the portal into Uploads (xhht serve)
	Authority     *access.Authority
	SessionKeys   [][]byte // [0] signs; all verify (rotation without logging everyone out)
	Secure        bool     // Secure cookies; false only for http://127.0.0.1
	// MaxUploadBytes is the largest upload accepted (0: DefaultMaxUploadBytes).
	MaxUploadBytes int64
	PublicURL      string // the portal's address as officials type it (printed, used for the Origin check)
	Now            func() time.Time
	Logger         *slog.Logger
	// Flags gives the plausibility flags the province board shows (issue
	// 15). nil: QualityFlags(Lake), the roll-up's flags table.
	Flags FlagReader
	// Reminder, when set, gives the "what to do" text shown on a commune's
	// page. nil: the action line of pipeline/reminder's mail for the
	// commune's next report (Commune.Action, the mail's words), shown when
	// it has something to do.
	Reminder func(ctx context.Context, year int, province, commune string) (string, error)
}

// DefaultMaxUploadBytes is the upload limit when Config.MaxUploadBytes is 0:
// the same 50 MB the ingest function reads at most.
const DefaultMaxUploadBytes = 50 << 20

// SessionTTL is how long a sign-in lasts: one working day.
const SessionTTL = 8 * time.Hour

// ErrConfig is wrapped by New for an unusable configuration.
var ErrConfig = errors.New("portal: bad configuration")

// New checks the configuration and returns the portal's handler.
func New(cfg Config) (http.Handler, error) {
	return newServer(cfg)
}
