package lake

import (
	"fmt"
	"time"
)

// ContactsReceiptPrefix holds the receipts of a province's contacts files
// (issue 15). They sit under ContactsPrefix on purpose: a receipt names
// the bad e-mail addresses and phone numbers, which are personal data,
// so it has the contacts' access rules (report function and province).
func ContactsReceiptPrefix(province string) string {
	return ContactsPrefix + "receipts/province=" + province + "/"
}

// ContactsReceiptKey is the receipt of one version of a contacts file:
// received time (fixed width, so keys sort by time), then the version's id.
func ContactsReceiptKey(province string, received time.Time, id string) string {
	return fmt.Sprintf("%s%s-%s.json", ContactsReceiptPrefix(province), received.UTC().Format("20060102T150405.000000000Z"), id)
}

// ReportSettingsPrefix holds each province's report settings (issue 15:
// which deadlines' reports count only approved data), put there by the
// province like its issuer file.
const ReportSettingsPrefix = "config/reports/"

// ReportSettingsKey is a province's report settings file.
func ReportSettingsKey(province string) string {
	return ReportSettingsPrefix + "province=" + province + ".json"
}
