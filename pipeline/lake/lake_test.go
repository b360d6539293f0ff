package lake

import (
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
