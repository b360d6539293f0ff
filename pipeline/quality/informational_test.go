package quality

import "testing"

// Informational (review finding L-H): only "không so sánh được" and an
// unchanged re-upload are information; every warning rule is an alarm.
func TestInformational(t *testing.T) {
	for _, c := range []struct {
		rule       string
		comparable bool
		info       bool
	}{
		{RuleUnchanged, true, true},
		{RuleNotComparable, false, true},
		{RuleChange, false, true}, // any row written not comparable
		{RuleChange, true, false},
		{RuleCopied, true, false},
		{RuleRateOutlier, true, false},
		{RuleHamletOutlier, true, false},
		{RuleRecognisedAll, true, false},
	} {
		if got := Informational(c.rule, c.comparable); got != c.info {
			t.Errorf("Informational(%q, %v) = %v, want %v", c.rule, c.comparable, got, c.info)
		}
		if got := (Flag{Rule: c.rule, Comparable: c.comparable}).Alarm(); got == c.info {
			t.Errorf("Flag{%q, comparable %v}.Alarm() = %v, want %v", c.rule, c.comparable, got, !c.info)
		}
	}
}
