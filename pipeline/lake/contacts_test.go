package lake

import (
	"testing"
	"time"
)

func TestIssue15ConfigKeys(t *testing.T) {
	at := time.Date(2026, 11, 20, 1, 2, 3, 4, time.FixedZone("ICT", 7*3600))
	for got, want := range map[string]string{
		ContactsKey("19"):                    "config/contacts/province=19.csv",
		ContactsReceiptKey("19", at, "ab12"): "config/contacts/receipts/province=19/20261119T180203.000000004Z-ab12.json",
		ReportSettingsKey("19"):              "config/reports/province=19.json",
	} {
		if got != want {
			t.Errorf("key %q, want %q", got, want)
		}
	}
}
