// Package lambdaportal is the commune portal as a Lambda function, without
// the Lambda runtime: configuration from the environment, the S3 presigner
// that is the portal's Uploader (a presigned PUT whose signature covers the
// size), the session keys read from SSM Parameter Store at cold start, and
// the adapter between API Gateway HTTP API (payload 2.0) or function URL
// events and pipeline/portal's http.Handler.
//
// functions/portal is the thin main package around it.
//
// How a file reaches the lake on AWS (docs/portal.md, "On AWS"): the page
// asks the portal for an upload target (POST /nop/dia-chi); the portal
// builds the key <year>/<province>/<commune>/<time>-<random>-<safe name>
// from the session alone and presigns a PUT of exactly that size; the
// browser PUTs the file to S3; then it asks the portal to check the object
// (POST /kiem-tra), which runs ingest.Check on the stored bytes (reading
// the lake's receipts for hamlet codes) and shows the receipt. The S3 event
// then runs the ingest function, which writes the same receipt (same
// object version, same submission id) and the Parquet rows. So the portal
// writes nothing to the lake: its role only reads receipts/ and access/.
package lambdaportal

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/xhht/xhht/pipeline/envvars"
	"github.com/xhht/xhht/pipeline/lambdaconfig"
)

// Config is the function's configuration, from its environment.
type Config struct {
	// Lake (LAKE_BUCKET, LAKE_PREFIX, S3_ENDPOINT, S3_FORCE_PATH_STYLE):
	// receipts/ and access/ are read here; the same S3 client presigns the
	// uploads.
	Lake lambdaconfig.Lake
	// UploadsBucket (UPLOADS_BUCKET, required) receives the uploads, through
	// presigned PUTs (and the plain form without JavaScript).
	UploadsBucket string
	// MaxUploadBytes (MAX_UPLOAD_MB, in MiB; 0 = portal.DefaultMaxUploadBytes)
	// is the largest upload the portal signs for. Set it as for ingest.
	MaxUploadBytes int64
	// PublicURL (PUBLIC_URL, required): https://host of the portal, as
	// officials open it; the portal's Origin check accepts it.
	PublicURL string
	// SessionKeysParameter (SESSION_KEYS_PARAMETER, required) is the name of
	// the SSM SecureString holding the session keys (see LoadSessionKeys).
	SessionKeysParameter string
	SSMEndpoint          string // SSM_ENDPOINT: tests only; "" for AWS
}

// parameterName is an SSM parameter name as a full path (the IAM policy
// names it by ARN, arn:…:parameter/<path>); SSM allows 1011 characters.
// The length is checked apart: a counted repetition of 1000 would compile
// to a regexp program large enough to cost milliseconds of cold start.
var parameterName = regexp.MustCompile(`^/[A-Za-z0-9_.\-/]+$`)

const maxParameterName = 1011

// ConfigFromEnv reads the configuration; every problem is reported at once
// and the function then fails its init (lambdainit.Fail).
func ConfigFromEnv() (Config, error) {
	lake, errs := lambdaconfig.LakeFromEnv()
	c := Config{
		Lake:                 lake,
		UploadsBucket:        strings.TrimSpace(os.Getenv(envvars.UploadsBucket)),
		PublicURL:            strings.TrimRight(strings.TrimSpace(os.Getenv(envvars.PublicURL)), "/"),
		SessionKeysParameter: strings.TrimSpace(os.Getenv(envvars.SessionKeysParameter)),
		SSMEndpoint:          strings.TrimSpace(os.Getenv(envvars.SSMEndpoint)),
	}
	if c.UploadsBucket == "" {
		errs = append(errs, errors.New("UPLOADS_BUCKET is not set"))
	}
	if v := strings.TrimSpace(os.Getenv(envvars.MaxUploadMB)); v != "" {
		mb, err := strconv.ParseInt(v, 10, 64)
		if err != nil || mb <= 0 || mb > 1024 {
			errs = append(errs, fmt.Errorf("MAX_UPLOAD_MB=%q is not a whole number of MiB between 1 and 1024", v))
		}
		c.MaxUploadBytes = mb << 20
	}
	switch u, err := url.Parse(c.PublicURL); {
	case c.PublicURL == "":
		errs = append(errs, errors.New("PUBLIC_URL is not set"))
	case err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil:
		errs = append(errs, fmt.Errorf("PUBLIC_URL=%q is not an origin such as https://portal.example.vn", c.PublicURL))
	case u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())):
		// Session cookies are Secure: over plain HTTP the browser would
		// never send them back.
		errs = append(errs, fmt.Errorf("PUBLIC_URL=%q: the portal must be served over https", c.PublicURL))
	}
	if !parameterName.MatchString(c.SessionKeysParameter) || len(c.SessionKeysParameter) > maxParameterName {
		errs = append(errs, fmt.Errorf("SESSION_KEYS_PARAMETER=%q is not an SSM parameter path such as /xhht/prod/portal/session-keys", c.SessionKeysParameter))
	}
	if c.SSMEndpoint != "" {
		if err := lambdaconfig.CheckEndpoint(c.SSMEndpoint); err != nil {
			errs = append(errs, fmt.Errorf("SSM_ENDPOINT: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("lambdaportal: config: %w", err)
	}
	return c, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
