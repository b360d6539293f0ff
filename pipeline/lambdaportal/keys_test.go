package lambdaportal

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/xhht/xhht/pipeline/lambdaportal/ssmtest"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func b64(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

func ssmClient(srv *ssmtest.Server, access, secret string) *ssm.Client {
	return ssm.New(ssm.Options{Region: srv.Region, BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(access, secret, "")})
}

func TestLoadSessionKeysFromSSM(t *testing.T) {
	srv := ssmtest.Start(t, "AKIDTEST", "test-secret", "ap-southeast-1")
	const name = "/xhht/prod/portal/session-keys"
	c := ssmClient(srv, "AKIDTEST", "test-secret")

	srv.Put(name, "SecureString", b64(key(1)))
	got, err := LoadSessionKeys(context.Background(), c, name)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !bytes.Equal(got[0], key(1)) {
		t.Fatalf("keys %x", got)
	}

	// Rotation: the new key first signs, the previous one still verifies.
	srv.Put(name, "SecureString", b64(key(2))+",\n"+b64(key(1)))
	got, err = LoadSessionKeys(context.Background(), c, name)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !bytes.Equal(got[0], key(2)) || !bytes.Equal(got[1], key(1)) {
		t.Fatalf("after rotation: keys %x, want [new, old]", got)
	}
}

func TestLoadSessionKeysRefuses(t *testing.T) {
	srv := ssmtest.Start(t, "AKIDTEST", "test-secret", "ap-southeast-1")
	srv.Put("/plain", "String", b64(key(1)))
	srv.Put("/short", "SecureString", b64(key(1)[:16]))
	secret := b64(key(7))
	srv.Put("/secure", "SecureString", secret)
	cases := []struct {
		name, param, access, secret, want string
	}{
		{"plain String parameter", "/plain", "AKIDTEST", "test-secret", "must be a SecureString"},
		{"short key", "/short", "AKIDTEST", "test-secret", "16 bytes"},
		{"missing parameter", "/nope", "AKIDTEST", "test-secret", "ParameterNotFound"},
		{"wrong secret (signature)", "/secure", "AKIDTEST", "wrong", "InvalidSignature"},
		{"unknown access key", "/secure", "AKIDOTHER", "test-secret", "InvalidSignature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadSessionKeys(context.Background(), ssmClient(srv, tc.access, tc.secret), tc.param)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), b64(key(1))) {
				t.Fatalf("error quotes a key: %v", err)
			}
		})
	}
}

func TestParseSessionKeys(t *testing.T) {
	url := base64.RawURLEncoding.EncodeToString(append(key(3), 0xfb, 0xff)) // '-' and '_' in URL base64
	cases := []struct {
		name, value string
		want        int
		wantErr     string
	}{
		{"one", b64(key(1)), 1, ""},
		{"two, comma", b64(key(1)) + "," + b64(key(2)), 2, ""},
		{"two, new lines and spaces", "  " + b64(key(1)) + "\r\n " + b64(key(2)) + "\n", 2, ""},
		{"URL-safe without padding", url, 1, ""},
		{"empty", " \n, ", 0, "no session key"},
		{"not base64", "not*base64!", 0, "not base64"},
		{"short", b64(key(1)[:31]), 0, "31 bytes"},
		{"repeated", b64(key(1)) + "," + b64(key(1)), 0, "the same"},
		{"too many", strings.Join([]string{b64(key(1)), b64(key(2)), b64(key(3)), b64(key(4)), b64(key(5))}, ","), 0, "at most"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSessionKeys(tc.value)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(got) != tc.want {
				t.Fatalf("got %d keys, %v; want %d", len(got), err, tc.want)
			}
		})
	}
}
