package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/quality"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// TestPrevHamletsAcrossTheReform (review finding M6): last year's side of
// the hamlet table follows the 2025 re-basing, as the flags do. 05467 is
// Phường Cam Giá in the 2024 register and Phường Gia Sàng in 2025: the
// plain 2024 roll-up's 05467 is another unit and must never be shown as
// Gia Sàng's last year. Hand-made roll-up files (Parquet written with
// parquet-go, manifests as the roll-up writes them).
func TestPrevHamletsAcrossTheReform(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := local.New(dir + "/lake")
	s, err := newServer(Config{Lake: st, Uploads: local.New(dir + "/uploads"), Authority: access.NewAuthority(st),
		SessionKeys: [][]byte{bytes.Repeat([]byte{1}, 32)}})
	if err != nil {
		t.Fatal(err)
	}
	const commune, province = "05467", "19"
	str := func(v string) *string { return &v }
	num := func(v int64) *int64 { return &v }
	put := func(key string, body []byte) {
		t.Helper()
		if err := st.Put(ctx, key, body, "application/octet-stream"); err != nil {
			t.Fatal(err)
		}
	}
	writeParquet := func(key string, rows any) {
		t.Helper()
		var buf bytes.Buffer
		var err error
		switch r := rows.(type) {
		case []hamletRow:
			err = parquet.Write(&buf, r)
		case []rebaseRow:
			err = parquet.Write(&buf, r)
		}
		if err != nil {
			t.Fatal(err)
		}
		put(key, buf.Bytes())
	}
	manifest := func(prefix string, year int, files map[string]string) {
		t.Helper()
		b, err := json.Marshal(lake.Manifest{BuildID: "b", Year: year, Province: province, Files: files})
		if err != nil {
			t.Fatal(err)
		}
		put(lake.ManifestKey(prefix, year, province), b)
	}
	// The plain 2024 build: old 05467 (Cam Giá), 700 households.
	writeParquet("rollups/t/plain-h.parquet", []hamletRow{{CommuneCode: commune, MaThon: str("CG1"), TenThon: str("Tổ Cam Giá 1"), HoTong: num(700)}})
	manifest(lake.RollupsPrefix, 2024, map[string]string{"hamlets": "rollups/t/plain-h.parquet"})

	prev, why, err := s.prevHamlets(ctx, 2025, province, commune, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(prev) != 0 || !strings.Contains(why, "chưa có số liệu năm 2024 quy đổi") {
		t.Errorf("no re-based build: %d rows, %q; want none and 'không so sánh được' with the reason", len(prev), why)
	}

	// A re-based build that could not re-base 05467 completely.
	rb := lake.RollupUnitsPrefix("2025")
	f := false
	writeParquet("rollups/t/rb-c1.parquet", []rebaseRow{{CommuneCode: commune, RebaseComplete: &f, RebaseMissing: str("05461,05467")}})
	writeParquet("rollups/t/rb-h.parquet", []hamletRow{{CommuneCode: commune, MaThon: str("GS1"), TenThon: str("Tổ Gia Sàng 1"), HoTong: num(420)}})
	manifest(rb, 2024, map[string]string{"communes": "rollups/t/rb-c1.parquet", "hamlets": "rollups/t/rb-h.parquet"})
	prev, why, err = s.prevHamlets(ctx, 2025, province, commune, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(prev) != 0 || !strings.Contains(why, "xã cũ 05461, 05467 bị chia tách") {
		t.Errorf("split without assignment: %d rows, %q", len(prev), why)
	}

	// A merged-in old commune without 2024 data (review finding M-A):
	// the re-based figures are part of the commune.
	writeParquet("rollups/t/rb-c3.parquet", []rebaseRow{{CommuneCode: commune, RebaseComplete: &f, RebaseNoData: str("05470")}})
	manifest(rb, 2024, map[string]string{"communes": "rollups/t/rb-c3.parquet", "hamlets": "rollups/t/rb-h.parquet"})
	prev, why, err = s.prevHamlets(ctx, 2025, province, commune, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(prev) != 0 || !strings.Contains(why, "xã cũ 05470 không có số liệu năm 2024 được chấp nhận") {
		t.Errorf("predecessor without data: %d rows, %q", len(prev), why)
	}

	// Re-based completely: last year is the re-based hamlets, not old 05467's.
	tr := true
	writeParquet("rollups/t/rb-c2.parquet", []rebaseRow{{CommuneCode: commune, RebaseComplete: &tr}})
	manifest(rb, 2024, map[string]string{"communes": "rollups/t/rb-c2.parquet", "hamlets": "rollups/t/rb-h.parquet"})
	prev, why, err = s.prevHamlets(ctx, 2025, province, commune, nil)
	if err != nil {
		t.Fatal(err)
	}
	if why != "" || len(prev) != 1 || *prev[0].TenThon != "Tổ Gia Sàng 1" || *prev[0].HoTong != 420 {
		t.Errorf("re-based: %q, %+v; want the re-based hamlet", why, prev)
	}

	// The flags file's "không so sánh được" row wins: the flags and the
	// table never disagree.
	nc := Flag{CommuneCode: commune, Rule: quality.RuleNotComparable, FlagID: "not_comparable/-/-", Message: "Không so sánh được với năm 2024: xã cũ 05461 bị chia tách"}
	if prev, why, _ = s.prevHamlets(ctx, 2025, province, commune, []Flag{nc}); len(prev) != 0 || why != nc.Message {
		t.Errorf("not_comparable flag: %d rows, %q", len(prev), why)
	}

	// On the same units (2026 after 2025) last year is the plain build.
	writeParquet("rollups/t/plain25-h.parquet", []hamletRow{{CommuneCode: commune, MaThon: str("GS1"), TenThon: str("Tổ Gia Sàng 1"), HoTong: num(430)}})
	manifest(lake.RollupsPrefix, 2025, map[string]string{"hamlets": "rollups/t/plain25-h.parquet"})
	if prev, why, _ = s.prevHamlets(ctx, 2026, province, commune, nil); why != "" || len(prev) != 1 || *prev[0].HoTong != 430 {
		t.Errorf("2026: %q, %+v; want 2025's plain roll-up", why, prev)
	}
}
