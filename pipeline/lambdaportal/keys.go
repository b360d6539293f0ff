package lambdaportal

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Session keys live in one SSM Parameter Store SecureString (encrypted with
// KMS), never in the function's environment, which anyone who can read the
// function's configuration sees. The value is one or more base64 keys of at
// least MinKeyBytes bytes, separated by commas, spaces or new lines:
//
//	<new key>,<previous key>
//
// The first key signs new sessions; every key verifies. Rotation keeps the
// sessions signed with the previous key valid (docs/deploy.md, "Session
// keys"): put "<new>,<old>", let new instances start, and drop <old> once
// sessions signed with it have expired (portal.SessionTTL).
const (
	MinKeyBytes = 32 // HMAC-SHA256 keys: 256 bits
	MaxKeys     = 4  // a rotation needs two; more is a forgotten clean-up
)

// ParameterGetter is the part of the SSM client the loader uses.
type ParameterGetter interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// LoadSessionKeys reads the session keys from the SecureString parameter
// name. It refuses a parameter that is not a SecureString (its value would
// sit unencrypted in Parameter Store) and keys that are short, repeated or
// not base64. Errors never quote the value.
func LoadSessionKeys(ctx context.Context, c ParameterGetter, name string) ([][]byte, error) {
	out, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("lambdaportal: read session keys from SSM parameter %s: %w", name, err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return nil, fmt.Errorf("lambdaportal: SSM parameter %s has no value", name)
	}
	if out.Parameter.Type != types.ParameterTypeSecureString {
		return nil, fmt.Errorf("lambdaportal: SSM parameter %s is a %s: session keys must be a SecureString", name, out.Parameter.Type)
	}
	keys, err := ParseSessionKeys(*out.Parameter.Value)
	if err != nil {
		return nil, fmt.Errorf("lambdaportal: SSM parameter %s (version %d): %w", name, out.Parameter.Version, err)
	}
	return keys, nil
}

// ParseSessionKeys parses a parameter value (see the package's key format).
func ParseSessionKeys(value string) ([][]byte, error) {
	fields := strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	if len(fields) == 0 {
		return nil, errors.New("no session key")
	}
	if len(fields) > MaxKeys {
		return nil, fmt.Errorf("%d session keys, at most %d (the current one and the previous one are enough)", len(fields), MaxKeys)
	}
	keys := make([][]byte, 0, len(fields))
	for i, f := range fields {
		k, err := decodeKey(f)
		if err != nil {
			return nil, fmt.Errorf("session key %d is not base64", i+1)
		}
		if len(k) < MinKeyBytes {
			return nil, fmt.Errorf("session key %d has %d bytes, need at least %d (e.g. openssl rand -base64 32)", i+1, len(k), MinKeyBytes)
		}
		for j, prev := range keys {
			if subtle.ConstantTimeCompare(prev, k) == 1 {
				return nil, fmt.Errorf("session keys %d and %d are the same", j+1, i+1)
			}
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// decodeKey accepts standard and URL-safe base64, with or without padding.
func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			return k, nil
		}
	}
	return nil, errors.New("not base64")
}
