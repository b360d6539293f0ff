package lambdaingest

import (
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/lambdaconfig"
)

func TestConfigFromEnv(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr string
	}{
		{
			name: "minimal",
			env:  map[string]string{"LAKE_BUCKET": "lake"},
			want: Config{Lake: lambdaconfig.Lake{Bucket: "lake"}},
		},
		{
			name: "everything",
			env: map[string]string{
				"LAKE_BUCKET": "lake", "LAKE_PREFIX": "env/dev/", "UPLOADS_BUCKET": "uploads",
				"S3_ENDPOINT": "http://127.0.0.1:7070", "S3_FORCE_PATH_STYLE": "true",
			},
			want: Config{Lake: lambdaconfig.Lake{Bucket: "lake", Prefix: "env/dev/", Endpoint: "http://127.0.0.1:7070", PathStyle: true}, UploadsBucket: "uploads"},
		},
		{
			name: "prefix gets its slash",
			env:  map[string]string{"LAKE_BUCKET": "lake", "LAKE_PREFIX": "env/dev", "S3_FORCE_PATH_STYLE": "false"},
			want: Config{Lake: lambdaconfig.Lake{Bucket: "lake", Prefix: "env/dev/"}},
		},
		{
			name:    "no lake bucket",
			env:     map[string]string{"UPLOADS_BUCKET": "uploads"},
			wantErr: "LAKE_BUCKET is not set",
		},
		{
			name: "upload size limit",
			env:  map[string]string{"LAKE_BUCKET": "lake", "MAX_UPLOAD_MB": "20"},
			want: Config{Lake: lambdaconfig.Lake{Bucket: "lake"}, MaxUploadBytes: 20 << 20},
		},
		{
			name:    "bad upload size limit",
			env:     map[string]string{"LAKE_BUCKET": "lake", "MAX_UPLOAD_MB": "0"},
			wantErr: "MAX_UPLOAD_MB",
		},
		{
			name: "roll-up queue",
			env: map[string]string{"LAKE_BUCKET": "lake",
				"ROLLUP_QUEUE_URL": " https://sqs.ap-southeast-1.amazonaws.com/123456789012/xhht-rollup ",
				"SQS_ENDPOINT":     "http://127.0.0.1:9324"},
			want: Config{Lake: lambdaconfig.Lake{Bucket: "lake"}, RollupQueueURL: "https://sqs.ap-southeast-1.amazonaws.com/123456789012/xhht-rollup",
				SQSEndpoint: "http://127.0.0.1:9324"},
		},
		{
			name:    "roll-up queue without scheme",
			env:     map[string]string{"LAKE_BUCKET": "lake", "ROLLUP_QUEUE_URL": "sqs.ap-southeast-1.amazonaws.com/123456789012/xhht-rollup"},
			wantErr: "ROLLUP_QUEUE_URL",
		},
		{
			name:    "roll-up queue is a name, not a URL",
			env:     map[string]string{"LAKE_BUCKET": "lake", "ROLLUP_QUEUE_URL": "xhht-rollup"},
			wantErr: "ROLLUP_QUEUE_URL",
		},
		{
			name:    "roll-up queue URL does not parse",
			env:     map[string]string{"LAKE_BUCKET": "lake", "ROLLUP_QUEUE_URL": "https://sqs.example.com/%zz"},
			wantErr: "ROLLUP_QUEUE_URL",
		},
		{
			name:    "bad SQS endpoint",
			env:     map[string]string{"LAKE_BUCKET": "lake", "ROLLUP_QUEUE_URL": "http://127.0.0.1:9324/q", "SQS_ENDPOINT": "ftp://127.0.0.1"},
			wantErr: "SQS_ENDPOINT",
		},
		{
			name:    "bad path style",
			env:     map[string]string{"LAKE_BUCKET": "lake", "S3_FORCE_PATH_STYLE": "yes please"},
			wantErr: "S3_FORCE_PATH_STYLE",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []string{"LAKE_BUCKET", "LAKE_PREFIX", "UPLOADS_BUCKET", "S3_ENDPOINT", "S3_FORCE_PATH_STYLE", "MAX_UPLOAD_MB", "ROLLUP_QUEUE_URL", "SQS_ENDPOINT"} {
				t.Setenv(k, c.env[k])
			}
			got, err := ConfigFromEnv()
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}
