package lambdaportal

import (
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/lambdaconfig"
)

func TestConfigFromEnv(t *testing.T) {
	base := map[string]string{
		"LAKE_BUCKET": "lake", "UPLOADS_BUCKET": "uploads", "PUBLIC_URL": "https://abc123.execute-api.ap-southeast-1.amazonaws.com",
		"SESSION_KEYS_PARAMETER": "/xhht/prod/portal/session-keys",
	}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr string
	}{
		{"minimal", base, Config{Lake: lambdaconfig.Lake{Bucket: "lake"}, UploadsBucket: "uploads", PublicURL: "https://abc123.execute-api.ap-southeast-1.amazonaws.com",
			SessionKeysParameter: "/xhht/prod/portal/session-keys"}, ""},
		{"everything, trailing slash dropped", with("LAKE_PREFIX", "env/dev", "MAX_UPLOAD_MB", "20", "PUBLIC_URL", "https://nopbaocao.example.vn/",
			"S3_ENDPOINT", "http://127.0.0.1:7070", "S3_FORCE_PATH_STYLE", "true", "SSM_ENDPOINT", "http://127.0.0.1:9999"),
			Config{Lake: lambdaconfig.Lake{Bucket: "lake", Prefix: "env/dev/", Endpoint: "http://127.0.0.1:7070", PathStyle: true}, UploadsBucket: "uploads", MaxUploadBytes: 20 << 20,
				PublicURL: "https://nopbaocao.example.vn", SessionKeysParameter: "/xhht/prod/portal/session-keys", SSMEndpoint: "http://127.0.0.1:9999"}, ""},
		{"plain http on loopback (tests)", with("PUBLIC_URL", "http://127.0.0.1:8080"), Config{}, ""},
		{"no uploads bucket", with("UPLOADS_BUCKET", ""), Config{}, "UPLOADS_BUCKET is not set"},
		{"no lake", with("LAKE_BUCKET", ""), Config{}, "LAKE_BUCKET"},
		{"no public URL", with("PUBLIC_URL", ""), Config{}, "PUBLIC_URL is not set"},
		{"public URL over http", with("PUBLIC_URL", "http://nopbaocao.example.vn"), Config{}, "https"},
		{"public URL with a path", with("PUBLIC_URL", "https://nopbaocao.example.vn/portal"), Config{}, "not an origin"},
		{"public URL without host", with("PUBLIC_URL", "nopbaocao.example.vn"), Config{}, "not an origin"},
		{"no keys parameter", with("SESSION_KEYS_PARAMETER", ""), Config{}, "SESSION_KEYS_PARAMETER"},
		{"keys parameter is a key, not a name", with("SESSION_KEYS_PARAMETER", "c2VjcmV0IGtleSBtYXRlcmlhbCBoZXJlIDMyIGJ5dGVz=="), Config{}, "SESSION_KEYS_PARAMETER"},
		{"keys parameter name too long", with("SESSION_KEYS_PARAMETER", "/"+strings.Repeat("a", 1011)), Config{}, "SESSION_KEYS_PARAMETER"},
		{"bad upload limit", with("MAX_UPLOAD_MB", "0"), Config{}, "MAX_UPLOAD_MB"},
		{"bad SSM endpoint", with("SSM_ENDPOINT", "127.0.0.1:9"), Config{}, "SSM_ENDPOINT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []string{"LAKE_BUCKET", "LAKE_PREFIX", "UPLOADS_BUCKET", "MAX_UPLOAD_MB", "PUBLIC_URL", "SESSION_KEYS_PARAMETER",
				"S3_ENDPOINT", "S3_FORCE_PATH_STYLE", "SSM_ENDPOINT"} {
				t.Setenv(k, c.env[k])
			}
			got, err := ConfigFromEnv()
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.want != (Config{}) && got != c.want {
				t.Fatalf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}
