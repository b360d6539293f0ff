package lake

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestKeys(t *testing.T) {
	at := time.Date(2026, 12, 6, 21, 5, 0, 42, time.FixedZone("ICT", 7*3600))
	for _, c := range []struct{ got, want string }{
		{ReviewKey(2026, "19", "05500"), "reviews/year=2026/province=19/commune=05500.json"},
		{ReviewProvincePrefix(2026, "19"), "reviews/year=2026/province=19/"},
		{AuditKey(2026, "19", "05500", at, "ab12"), "audit/year=2026/province=19/commune=05500/20261206T140500.000000042Z-ab12.json"},
		{AuditCommunePrefix(2026, "19", "05500"), "audit/year=2026/province=19/commune=05500/"},
		{ContactsKey("19"), "config/contacts/province=19.csv"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestUploadKeys(t *testing.T) {
	k, err := ParseKey("2026/19/01864/Báo cáo 2026.xlsx")
	if err != nil || k != (Key{Year: 2026, Province: "19", Commune: "01864", File: "Báo cáo 2026.xlsx"}) {
		t.Fatalf("ParseKey = %+v, %v", k, err)
	}
	for _, c := range []struct{ got, want string }{
		{SubmissionKey(k, "abc"), "submissions/year=2026/province=19/commune=01864/abc.parquet"},
		{ReceiptKey(k, "abc"), "receipts/year=2026/province=19/commune=01864/abc.json"},
		{UnplacedReceiptKey("abc"), "receipts-unplaced/abc.json"},
		{SubmissionsYearPrefix(2026), "submissions/year=2026/"},
		{ReceiptsYearPrefix(2026), "receipts/year=2026/"},
		{ReceiptsCommunePrefix(2026, "19", "01864"), "receipts/year=2026/province=19/commune=01864/"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestParseKeyRejects(t *testing.T) {
	for _, key := range []string{
		"", "2026/19/01864", "2026/19/01864/", "2026/19/01864/ ", "26/19/01864/a.xlsx",
		"2026/9/01864/a.xlsx", "2026/19/1864/a.xlsx", "2026/19/01864/sub/a.xlsx", "/2026/19/01864/a.xlsx",
		"x2026/19/01864/a.xlsx",
	} {
		if k, err := ParseKey(key); err == nil {
			t.Errorf("ParseKey(%q) = %+v, want an error", key, k)
		}
	}
}

func TestSubmissionID(t *testing.T) {
	base := SubmissionID("b", "2026/19/01864/a.xlsx", "v1")
	if len(base) != 32 || strings.Trim(base, "0123456789abcdef") != "" {
		t.Fatalf("id %q is not 32 hex digits", base)
	}
	if SubmissionID("b", "2026/19/01864/a.xlsx", "v1") != base {
		t.Error("same inputs gave another id")
	}
	differ := []struct{ bucket, key, version string }{
		{"b2", "2026/19/01864/a.xlsx", "v1"},
		{"b", "2026/19/01864/b.xlsx", "v1"},
		{"b", "2026/19/01864/a.xlsx", "v2"},
		{"b", "2026/19/01864/a.xlsx", ""},
		{"b2026/19/01864/a.xlsx", "", "v1"}, // no ambiguous joins
		{"", "b2026/19/01864/a.xlsx", "v1"},
	}
	for _, d := range differ {
		if SubmissionID(d.bucket, d.key, d.version) == base {
			t.Errorf("SubmissionID(%q, %q, %q) equals the base id", d.bucket, d.key, d.version)
		}
	}
	if SubmissionID("ab", "c", "") == SubmissionID("a", "bc", "") {
		t.Error("length prefix missing: (ab, c) = (a, bc)")
	}
}

func TestRollupKeys(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{ManifestKey(RollupsPrefix, 2026, "19"), "rollups/_manifests/year=2026/province=19.json"},
		{ManifestKey(RollupUnitsPrefix("2025"), 2024, NationCode), "rollups/units=2025/_manifests/year=2024/province=all.json"},
		{ManifestsYearPrefix(RollupsPrefix, 2026), "rollups/_manifests/year=2026/"},
		{RollupFileKey(RollupsPrefix, "hamlets", 2026, "19", "b1"), "rollups/level=hamlet/year=2026/province=19/b1.parquet"},
		{RollupFileKey(RollupsPrefix, "communes", 2026, "19", "b1"), "rollups/level=commune/year=2026/province=19/b1.parquet"},
		{RollupFileKey(RollupsPrefix, "districts", 2024, "19", "b1"), "rollups/level=district/year=2024/province=19/b1.parquet"},
		{RollupFileKey(RollupsPrefix, "provinces", 2026, "19", "b1"), "rollups/level=province/year=2026/province=19/b1.parquet"},
		{RollupFileKey(RollupsPrefix, "nation", 2026, NationCode, "b1"), "rollups/level=nation/year=2026/province=all/b1.parquet"},
		{RollupFileKey(RollupsPrefix, "completeness", 2026, "19", "b1"), "rollups/completeness/year=2026/province=19/b1.parquet"},
		{RollupFileKey(RollupsPrefix, "flags", 2026, "19", "b1"), "rollups/flags/year=2026/province=19/b1.parquet"},
		{RollupFileKey(RollupsPrefix, "cache_submissions", 2026, "19", "b1"), "rollups/cache/submissions/year=2026/province=19/b1.parquet"},
		{RollupFileKey(RollupsPrefix, "cache_receipts", 2026, "19", "b1"), "rollups/cache/receipts/year=2026/province=19/b1.parquet"},
		{RollupFileKey(RollupsPrefix, "cache_nation", 2026, NationCode, "b1"), "rollups/cache/nation/year=2026/province=all/b1.parquet"},
		{RollupFileKey(RollupUnitsPrefix("2025"), "communes", 2024, "19", "b1"), "rollups/units=2025/level=commune/year=2024/province=19/b1.parquet"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if dir, ok := RollupTableDir("no_such_table"); ok {
		t.Errorf("RollupTableDir(no_such_table) = %q, true; want false", dir)
	}
	defer func() {
		if recover() == nil {
			t.Error("RollupFileKey of an unknown table did not panic")
		}
	}()
	RollupFileKey(RollupsPrefix, "no_such_table", 2026, "19", "b1")
}

func TestConfigAndAccessKeys(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{IssuerKey("19"), "config/issuers/province=19.json"},
		{AccessRecordKey(2026, "19", "05443"), "access/year=2026/province=19/commune=05443.json"},
		{AccessCodeKey("ab12"), "access/codes/ab12.json"},
		{AccessReviewerKey(2026, "19", "01"), "access/year=2026/province=19/reviewer=01.json"},
		{UploadPrefix(2026, "19", "05443"), "2026/19/05443/"},
		{UploadKey(Key{Year: 2026, Province: "19", Commune: "05443", File: "bao-cao.xlsx"}), "2026/19/05443/bao-cao.xlsx"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	// UploadKey is ParseKey's inverse.
	k := Key{Year: 2025, Province: "01", Commune: "00004", File: "Báo cáo.xlsx"}
	if got, err := ParseKey(UploadKey(k)); err != nil || got != k {
		t.Errorf("ParseKey(UploadKey(%+v)) = %+v, %v", k, got, err)
	}
}

func TestRollupTables(t *testing.T) {
	want := []string{"communes", "completeness", "districts", "flags", "hamlets", "nation", "provinces"}
	if got := RollupTables(); !slices.Equal(got, want) {
		t.Errorf("RollupTables() = %v, want %v", got, want)
	}
}
