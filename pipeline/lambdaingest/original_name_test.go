package lambdaingest

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/xhht/xhht/pipeline/lambdaconfig"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/s3store"
)

// TestHandleRecordsOriginalName: an upload that carries the portal's
// original-name metadata (S3 user metadata, here on versitygw) gets it in
// the receipt the S3 event writes.
func TestHandleRecordsOriginalName(t *testing.T) {
	f := newFixture(t)
	f.srv.CreateBucket(t, "lake")
	const key = "2026/19/01864/20261206-185100-a1b2c3-script-bao-cao.csv"
	const original = "<script>bao cao</script>\u202E.csv"
	ctx := context.Background()
	if err := s3store.New(f.client, uploadsBucket, "").PutMeta(ctx, key, []byte(validCSV), "text/csv", storage.OriginalNameMeta(original)); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h, err := NewWithClient(Config{Lake: lambdaconfig.Lake{Bucket: "lake"}, UploadsBucket: uploadsBucket}, f.client, NewLogger(&logs))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: s3Body(s3Rec{event: "ObjectCreated:Put", bucket: uploadsBucket, key: key, size: 100})},
	}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle = %+v, %v\n%s", resp, err, logs.String())
	}
	lake := s3store.New(f.client, "lake", "")
	objs, err := lake.List(ctx, "receipts/")
	if err != nil || len(objs) != 1 {
		t.Fatalf("receipts %+v, %v; want one", objs, err)
	}
	b, _, err := lake.Get(ctx, objs[0].Key, "")
	if err != nil {
		t.Fatal(err)
	}
	var rc receipt.Receipt
	if err := json.Unmarshal(b, &rc); err != nil {
		t.Fatal(err)
	}
	if rc.OriginalName != original || rc.SourceKey != key {
		t.Errorf("receipt original name %q, key %q; want %q, %q", rc.OriginalName, rc.SourceKey, original, key)
	}
}
