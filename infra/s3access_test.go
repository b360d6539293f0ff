package infra_test

import (
	"path"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/lake"
)

// A small evaluator of the template's S3 statements, for the questions
// below ("may this principal read this lake key?"). It knows what these
// statements use: Resource and NotResource with * and ? wildcards, the
// principal-tag policy variable, and the conditions ArnNotEquals on
// aws:PrincipalArn, Null on a principal tag and Bool on
// aws:SecureTransport (requests are taken to use TLS). Anything else
// fails the test rather than being guessed. IAM itself cannot run here
// (versitygw does not enforce policies), hence this.

const (
	lakeARN   = "arn:aws:s3:::lake"
	reportARN = "arn:aws:iam::111122223333:role/report"
	tagKey    = "aws:PrincipalTag/xhht-province"
)

// principal is who asks: its ARN and its tags.
type principal struct {
	arn  string
	tags map[string]string
}

// resolve turns one Resource entry of the template into an ARN pattern for
// p; ok is false when a policy variable has no value for p (AWS then
// matches nothing with that entry).
func resolve(t *testing.T, v any, p principal) (string, bool) {
	t.Helper()
	if g := refTo(v); g == "LakeBucket" {
		return lakeARN, true
	}
	sub, isSub := get(v, "Fn::Sub").(string)
	if !isSub {
		t.Fatalf("resource %v: not a !Sub or !GetAtt of the lake", v)
	}
	out := strings.ReplaceAll(sub, "${LakeBucket.Arn}", lakeARN)
	if strings.Contains(out, "${!"+tagKey+"}") {
		val, ok := p.tags[strings.TrimPrefix(tagKey, "aws:PrincipalTag/")]
		if !ok {
			return "", false
		}
		out = strings.ReplaceAll(out, "${!"+tagKey+"}", val)
	}
	if strings.Contains(out, "${") {
		t.Fatalf("resource %q: a variable the evaluator does not know", sub)
	}
	return out, true
}

// arnMatch is IAM's ARN matching: * any run of characters, ? one.
func arnMatch(pattern, arn string) bool {
	// path.Match treats / specially; IAM does not: compare with / swapped.
	ok, err := path.Match(strings.ReplaceAll(pattern, "/", "\x00"), strings.ReplaceAll(arn, "/", "\x00"))
	return err == nil && ok
}

// statementApplies says whether statement st covers p reading key.
func statementApplies(t *testing.T, st any, p principal, key string) bool {
	t.Helper()
	arn := lakeARN + "/" + key
	in := func(list any) bool {
		for _, r := range anyList(list) {
			if pat, ok := resolve(t, r, p); ok && arnMatch(pat, arn) {
				return true
			}
		}
		return false
	}
	if r := get(st, "Resource"); r != nil && !in(r) {
		return false
	}
	if nr := get(st, "NotResource"); nr != nil && in(nr) {
		return false
	}
	for op, kv := range anyMap(get(st, "Condition")) {
		for k, want := range anyMap(kv) {
			switch {
			case op == "ArnNotEquals" && k == "aws:PrincipalArn":
				w := reportARN
				if refTo(want) != "ReportRole" {
					t.Fatalf("ArnNotEquals %v: the evaluator knows only the report role", want)
				}
				if p.arn == w {
					return false
				}
			case op == "Null" && strings.HasPrefix(k, "aws:PrincipalTag/"):
				_, has := p.tags[strings.TrimPrefix(k, "aws:PrincipalTag/")]
				if (want == "true") != !has {
					return false
				}
			case op == "Bool" && k == "aws:SecureTransport":
				if want != "true" {
					return false // requests here use TLS
				}
			default:
				t.Fatalf("condition %s %s: not known to the evaluator", op, k)
			}
		}
	}
	return true
}

func anyMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

// lakeDenies says whether the lake's bucket policy denies p GetObject of key.
func lakeDenies(t *testing.T, tp tmpl, p principal, key string) bool {
	t.Helper()
	var pol map[string]any
	for _, r := range tp.resources("AWS::S3::BucketPolicy") {
		if refTo(props(r)["Bucket"]) == "LakeBucket" {
			pol = props(r)
		}
	}
	if pol == nil {
		t.Fatal("no bucket policy on the lake")
	}
	for _, st := range anyList(get(pol, "PolicyDocument", "Statement")) {
		if get(st, "Effect") != "Deny" {
			continue
		}
		acts := strList(get(st, "Action"))
		if !slicesHas(acts, "s3:GetObject") && !slicesHas(acts, "s3:*") {
			continue
		}
		if statementApplies(t, st, p, key) {
			return true
		}
	}
	return false
}

func slicesHas(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// TestContactsPinnedToProvince (review finding B-L8): the lake's bucket
// policy lets a principal tagged xhht-province=P read, under
// config/contacts/, only P's contacts file and its receipts, whatever
// its IAM policies allow; an untagged principal reads none of it; the
// report function reads all of it; and the deny touches nothing of the
// lake outside config/contacts/ (keys built by pipeline/lake).
func TestContactsPinnedToProvince(t *testing.T) {
	tp := load(t)
	p19 := principal{arn: "arn:aws:iam::111122223333:user/so-gd-19", tags: map[string]string{"xhht-province": "19"}}
	p01 := principal{arn: "arn:aws:iam::111122223333:role/analyst-01", tags: map[string]string{"xhht-province": "01"}}
	untagged := principal{arn: "arn:aws:iam::111122223333:role/analyst"}
	report := principal{arn: reportARN}
	contacts19 := "config/contacts/province=19.csv"
	receipt19 := "config/contacts/receipts/province=19/2026-12-07T01:00:00Z-ab12.json"
	for _, c := range []struct {
		who    string
		p      principal
		key    string
		denied bool
	}{
		{"province 19, its own file", p19, contacts19, false},
		{"province 19, its own receipt", p19, receipt19, false},
		{"province 01 (broad read), province 19's file", p01, contacts19, true},
		{"province 01 (broad read), province 19's receipt", p01, receipt19, true},
		{"province 01, its own file", p01, "config/contacts/province=01.csv", false},
		{"province 19, a file of another name", p19, "config/contacts/province=19.csv.bak", true},
		{"province 19, a key outside the provinces' files", p19, "config/contacts/tat-ca.csv", true},
		{"province 1 prefix trick", principal{arn: "arn:aws:iam::111122223333:user/x", tags: map[string]string{"xhht-province": "1"}}, contacts19, true},
		{"untagged, a contacts file", untagged, contacts19, true},
		{"untagged, a receipt", untagged, receipt19, true},
		{"report function", report, contacts19, false},
		{"report function, a receipt", report, receipt19, false},
	} {
		if got := lakeDenies(t, tp, c.p, c.key); got != c.denied {
			t.Errorf("%s: GetObject %s denied=%v, want %v", c.who, c.key, got, c.denied)
		}
	}
	// Every other area of the lake stays as the IAM policies say, for a
	// tagged principal too (the deny is about contacts only).
	k := lake.Key{Year: 2026, Province: "01", Commune: "00004"}
	for _, key := range []string{
		lake.SubmissionKey(k, "id"), lake.ReceiptKey(k, "id"), lake.UnplacedReceiptsPrefix + "x.json",
		lake.RollupFileKey(lake.RollupsPrefix, "communes", 2026, "01", "build"), lake.ManifestKey(lake.RollupsPrefix, 2026, "01"),
		lake.ReviewKey(2026, "01", "00004"), lake.AuditKey(2026, "01", "00004", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "ab"),
		lake.AccessPrefix + "year=2026/province=01/commune=00004.json", lake.ReportsPrefix + "x.pdf",
		lake.ReportSettingsPrefix + "province=01.json", lake.IssuersPrefix + "x", "athena-results/q.csv",
	} {
		for _, p := range []principal{p01, untagged} {
			if lakeDenies(t, tp, p, key) {
				t.Errorf("%s: GetObject %s denied by the lake's policy: only config/contacts/ is restricted", p.arn, key)
			}
		}
	}
}

// portalReads are the lake keys the portal reads, each with why, built by
// pipeline/lake as the portal builds them. The PortalRole must allow
// GetObject on each: S3 answers a read the role lacks with 403, a 500 page.
func portalReads() map[string]string {
	k := lake.Key{Year: 2026, Province: "19", Commune: "01843"}
	return map[string]string{
		lake.ReceiptKey(k, "id"): "a commune's receipts (its page, the board)",
		lake.AccessPrefix + "year=2026/province=19/commune=01843.json":                         "access codes",
		lake.ReviewKey(2026, "19", "01843"):                                                    "review states",
		lake.AuditKey(2026, "19", "01843", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "ab"): "audit records (review history)",
		lake.ManifestKey(lake.RollupsPrefix, 2026, "19"):                                       "the roll-up's manifest",
		lake.RollupFileKey(lake.RollupsPrefix, "hamlets", 2026, "19", "build"):                 "the roll-up's files (rates, flags, hamlets)",
		lake.ManifestKey(lake.RollupUnitsPrefix("2025"), 2025, "19"):                           "last year re-based (hamlets across the reform)",
		// Finding B-H1: the province's page of a commune reads the hamlet
		// rows of a new, returned or waiting file from its own Parquet file.
		lake.SubmissionKey(k, "0123456789abcdef0123456789abcdef"): "hamlet rows of the file under review",
	}
}

// TestPortalRoleReadsWhatThePortalReads (review finding B-H1): every lake
// key the portal reads is covered by a GetObject of PortalRole, and the
// role reads nothing of the contacts (personal data).
func TestPortalRoleReadsWhatThePortalReads(t *testing.T) {
	tp := load(t)
	role := tp.resources("AWS::IAM::Role")["PortalRole"]
	var reads []any // GetObject statements on the lake
	for _, pol := range anyList(props(role)["Policies"]) {
		for _, st := range anyList(get(pol, "PolicyDocument", "Statement")) {
			if f, ok := get(st, "Fn::If").([]any); ok && len(f) == 3 {
				st = f[1]
			}
			if get(st, "Effect") == "Allow" && slicesHas(strList(get(st, "Action")), "s3:GetObject") {
				reads = append(reads, st)
			}
		}
	}
	allowed := func(key string) bool {
		for _, st := range reads {
			for _, r := range anyList(get(st, "Resource")) {
				if sub, _ := get(r, "Fn::Sub").(string); strings.HasPrefix(sub, "${LakeBucket.Arn}/") {
					if pat, ok := resolve(t, r, principal{}); ok && arnMatch(pat, lakeARN+"/"+key) {
						return true
					}
				}
			}
		}
		return false
	}
	for key, why := range portalReads() {
		if !allowed(key) {
			t.Errorf("PortalRole may not GetObject %s (%s): the page would answer 500", key, why)
		}
	}
	for _, key := range []string{"config/contacts/province=19.csv", "config/contacts/receipts/province=19/x.json"} {
		if allowed(key) {
			t.Errorf("PortalRole may read %s: contacts are for the report function and the province only", key)
		}
	}
	// Narrowly: the submissions read is the lake's submissions/ only.
	for _, st := range reads {
		for _, r := range anyList(get(st, "Resource")) {
			if sub, _ := get(r, "Fn::Sub").(string); strings.Contains(sub, "submissions") && sub != "${LakeBucket.Arn}/submissions/*" {
				t.Errorf("PortalRole reads submissions through %q: want exactly ${LakeBucket.Arn}/submissions/*", sub)
			}
		}
	}
}
