package quality

import (
	"bytes"
	"context"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/xhht/xhht/pipeline/storage/local"
)

func ptr[T any](v T) *T { return &v }

// writeFlags writes rows the way DuckDB does (every column optional).
func writeFlags(t *testing.T, rows []flagRow) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[flagRow](&buf)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadFlags(t *testing.T) {
	ctx := context.Background()
	lake := local.New(t.TempDir())

	// No manifest yet: empty, no error.
	got, err := ReadFlags(ctx, lake, 2026, "19")
	if err != nil || len(got) != 0 {
		t.Fatalf("no manifest: %v, %v", got, err)
	}
	// A manifest from before flags existed: empty, no error.
	if err := lake.Put(ctx, "rollups/_manifests/year=2026/province=19.json", []byte(`{"build_id":"b1","files":{"communes":"x"}}`), "application/json"); err != nil {
		t.Fatal(err)
	}
	if got, err = ReadFlags(ctx, lake, 2026, "19"); err != nil || len(got) != 0 {
		t.Fatalf("manifest without flags: %v, %v", got, err)
	}

	rows := []flagRow{
		{Year: ptr(int32(2026)), ProvinceCode: ptr("19"), CommuneCode: ptr("05443"), CommuneName: ptr("Xã Phú Lạc"),
			MaThon: ptr("T03"), TenThon: ptr("Xóm Đồng"), FlagID: ptr("hamlet_outlier/ho_tong/T03"), Rule: ptr("hamlet_outlier"),
			Indicator: ptr("ho_tong"), Value: ptr(1150.0), Threshold: ptr(3.5), Score: ptr(41.2), Comparable: ptr(true),
			SubmissionID: ptr("s1"), Message: ptr("Số hộ của thôn khác thường")},
		{Year: ptr(int32(2026)), ProvinceCode: ptr("19"), CommuneCode: ptr("05440"), CommuneName: ptr("Xã A"),
			FlagID: ptr("change/ho_tong/-"), Rule: ptr("change"), Indicator: ptr("ho_tong"), Value: ptr(120.0),
			PreviousValue: ptr(100.0), Threshold: ptr(0.15), Score: ptr(0.2), Comparable: ptr(true), SubmissionID: ptr("s2"),
			Message: ptr("Số hộ tăng 20 %")},
		{Year: ptr(int32(2026)), ProvinceCode: ptr("19"), CommuneCode: ptr("05440"), CommuneName: ptr("Xã A"),
			FlagID: ptr("not_comparable/-/-"), Rule: ptr("not_comparable"), Comparable: ptr(false), Message: ptr("Không so sánh được")},
	}
	if err := lake.Put(ctx, "rollups/flags/year=2026/province=19/b2.parquet", writeFlags(t, rows), "application/vnd.apache.parquet"); err != nil {
		t.Fatal(err)
	}
	if err := lake.Put(ctx, "rollups/_manifests/year=2026/province=19.json",
		[]byte(`{"build_id":"b2","files":{"flags":"rollups/flags/year=2026/province=19/b2.parquet"}}`), "application/json"); err != nil {
		t.Fatal(err)
	}
	got, err = ReadFlags(ctx, lake, 2026, "19")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d flags, want 3: %+v", len(got), got)
	}
	// Sorted by commune, then flag id.
	if got[0].FlagID != "change/ho_tong/-" || got[1].FlagID != "not_comparable/-/-" || got[2].FlagID != "hamlet_outlier/ho_tong/T03" {
		t.Errorf("order: %s, %s, %s", got[0].FlagID, got[1].FlagID, got[2].FlagID)
	}
	c := got[0]
	if c.Year != 2026 || c.CommuneName != "Xã A" || c.MaThon != "" || *c.Value != 120 || *c.PreviousValue != 100 || *c.Score != 0.2 || !c.Comparable {
		t.Errorf("change flag read back as %+v", c)
	}
	if got[1].Comparable || got[1].Alarm() || got[1].Value != nil {
		t.Errorf("not comparable flag read back as %+v", got[1])
	}
	if h := got[2]; h.MaThon != "T03" || h.TenThon != "Xóm Đồng" || h.PreviousValue != nil || *h.Threshold != 3.5 {
		t.Errorf("hamlet flag read back as %+v", h)
	}

	// A damaged file is an error, not an empty list.
	if err := lake.Put(ctx, "rollups/flags/year=2026/province=19/b2.parquet", []byte("not parquet"), "application/vnd.apache.parquet"); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFlags(ctx, lake, 2026, "19"); err == nil {
		t.Error("damaged flags file read without error")
	}
}

func TestFlagID(t *testing.T) {
	for _, c := range []struct{ rule, ind, thon, want string }{
		{"change", "ho_tong", "", "change/ho_tong/-"},
		{"hamlet_gone", "", "T01", "hamlet_gone/-/T01"},
		{"unchanged", "", "", "unchanged/-/-"},
	} {
		if got := FlagID(c.rule, c.ind, c.thon); got != c.want {
			t.Errorf("FlagID(%q,%q,%q) = %q, want %q", c.rule, c.ind, c.thon, got, c.want)
		}
	}
}
