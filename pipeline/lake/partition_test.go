package lake

import "testing"

func TestPartitionKeys(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{ProvinceDir("19"), "province=19/"},
		{SubmissionsProvincePrefix(2026, "19"), "submissions/year=2026/province=19/"},
		{ReceiptsProvincePrefix(2026, "19"), "receipts/year=2026/province=19/"},
		{ReportDir(2026, "12-15", "19"), "2026/12-15/province=19/"},
		{ReportKey(2026, "12-15", "19", "bao-cao.xlsx"), "reports/2026/12-15/province=19/bao-cao.xlsx"},
		{ProvinceKeySQL("_key"), `regexp_extract(_key, '/province=([0-9]{2})/', 1)`},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestCommuneFolder(t *testing.T) {
	for _, c := range []struct {
		rest, commune string
		ok            bool
	}{
		{"commune=01864/abc.json", "01864", true},
		{"commune=01864/sub/abc.json", "01864", true},
		{"commune=01864", "", false}, // not a folder
		{"communes=01864/abc.json", "", false},
		{"x/commune=01864/abc.json", "", false},
		{"", "", false},
	} {
		got, ok := CommuneFolder(c.rest)
		if got != c.commune || ok != c.ok {
			t.Errorf("CommuneFolder(%q) = %q, %v; want %q, %v", c.rest, got, ok, c.commune, c.ok)
		}
	}
}

func TestCommuneFile(t *testing.T) {
	for _, c := range []struct {
		rest, commune string
		ok            bool
	}{
		{"commune=05500.json", "05500", true},
		{"commune=05500.csv", "", false},
		{"commune=05500/x.json", "", false}, // a folder, not the commune's file
		{"reviewer=01.json", "", false},
		{"05500.json", "", false},
	} {
		got, ok := CommuneFile(c.rest, ".json")
		if got != c.commune || ok != c.ok {
			t.Errorf("CommuneFile(%q) = %q, %v; want %q, %v", c.rest, got, ok, c.commune, c.ok)
		}
	}
}

func TestParseReviewKey(t *testing.T) {
	for _, c := range []struct {
		key       string
		year      int
		prov, com string
		ok        bool
	}{
		{ReviewKey(2026, "19", "05500"), 2026, "19", "05500", true},
		{"reviews/year=2026/province=19/commune=05500.json", 2026, "19", "05500", true},
		{"reviews/year=20x6/province=19/commune=05500.json", 0, "", "", false},
		{"reviews/year=2026/commune=05500.json", 0, "", "", false},
		{"reviews/year=2026/province=/commune=05500.json", 0, "", "", false},
		{"reviews/year=2026/province=19/commune=05500", 0, "", "", false},
		{"reviews/year=2026/province=19/commune=05500/x.json", 0, "", "", false},
		{"reviews/year=2026/province=19/reviewer=01.json", 0, "", "", false},
		{"audit/year=2026/province=19/commune=05500.json", 0, "", "", false},
		{"lake/reviews/year=2026/province=19/commune=05500.json", 0, "", "", false}, // callers strip the lake prefix
	} {
		y, p, cm, ok := ParseReviewKey(c.key)
		if y != c.year || p != c.prov || cm != c.com || ok != c.ok {
			t.Errorf("ParseReviewKey(%q) = %d, %q, %q, %v; want %d, %q, %q, %v", c.key, y, p, cm, ok, c.year, c.prov, c.com, c.ok)
		}
	}
}

func TestParseContactsKey(t *testing.T) {
	for _, c := range []struct {
		key, prov string
		ok        bool
	}{
		{ContactsKey("19"), "19", true},
		{"config/contacts/province=01.csv", "01", true},
		{"config/contacts/province=1.csv", "", false},
		{"config/contacts/province=ab.csv", "", false},
		{"config/contacts/province=19.xlsx", "", false},
		{"config/contacts/receipts/province=19/20261206T140500.000000000Z-ab.json", "", false},
		{"config/issuers/province=19.json", "", false},
	} {
		p, ok := ParseContactsKey(c.key)
		if p != c.prov || ok != c.ok {
			t.Errorf("ParseContactsKey(%q) = %q, %v; want %q, %v", c.key, p, ok, c.prov, c.ok)
		}
	}
}

func TestParseYearProvince(t *testing.T) {
	for _, c := range []struct {
		key  string
		year int
		prov string
		ok   bool
	}{
		{"submissions/year=2026/province=19/commune=01864/abc.parquet", 2026, "19", true},
		{RollupFileKey(RollupUnitsPrefix("2025"), "cache_submissions", 2024, "01", "b1"), 2024, "01", true},
		{"lake/receipts/year=2026/province=19/commune=01864/abc.json", 2026, "19", true},
		{RollupFileKey(RollupsPrefix, "nation", 2026, NationCode, "b1"), 0, "", false},
		{"submissions/year=2026/province=1/commune=01864/abc.parquet", 0, "", false},
		{"year=2026/province=19/x", 0, "", false}, // the partition follows a folder
		{"submissions/year=2026/", 0, "", false},
	} {
		y, p, ok := ParseYearProvince(c.key)
		if y != c.year || p != c.prov || ok != c.ok {
			t.Errorf("ParseYearProvince(%q) = %d, %q, %v; want %d, %q, %v", c.key, y, p, ok, c.year, c.prov, c.ok)
		}
	}
}
