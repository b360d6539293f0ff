package rolluptest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// Upload writes the objects ingest writes (Parquet and receipt, or only
// the receipt of a rejection) and refuses units not in the register.
func TestUploadWrite(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC)
	cases := []struct {
		name      string
		u         Upload
		wantErr   string
		wantFiles int // objects written: receipt, plus the Parquet when accepted
		status    string
	}{
		{"accepted", Upload{Year: 2026, Commune: "01840", At: at, Hamlets: []map[string]any{{"ho_tong": int64(10)}}}, "", 2, receipt.Accepted},
		{"rejected", Upload{Year: 2026, Commune: "01840", At: at, Rejected: "Ô D12 sai"}, "", 1, receipt.Rejected},
		{"unknown commune", Upload{Year: 2026, Commune: "99999", At: at}, "not in the 2026 register", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lake := local.New(t.TempDir())
			id, err := c.u.Write(ctx, lake)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			objs, err := lake.List(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(objs) != c.wantFiles {
				t.Fatalf("%d objects written, want %d: %v", len(objs), c.wantFiles, objs)
			}
			for _, o := range objs {
				if !strings.HasSuffix(o.Key, ".json") {
					continue
				}
				body, _, err := lake.Get(ctx, o.Key, "")
				if err != nil {
					t.Fatal(err)
				}
				var rc receipt.Receipt
				if err := json.Unmarshal(body, &rc); err != nil {
					t.Fatal(err)
				}
				if rc.Status != c.status || rc.SubmissionID != id || !rc.ReceivedAt.Equal(at) {
					t.Errorf("receipt %s: status %s, id %s, received %v; want %s, %s, %v", o.Key, rc.Status, rc.SubmissionID, rc.ReceivedAt, c.status, id, at)
				}
			}
		})
	}
}
