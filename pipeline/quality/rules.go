package quality

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"sync"

	"github.com/xhht/xhht/schemas"
)

// RulesFile is the rules' file in the schemas folder.
const RulesFile = "quality/rules.json"

// Rule names (the `rule` column of the flags table).
const (
	RuleChange        = "change"         // a count changed by more than the threshold (relative)
	RuleHamletGone    = "hamlet_gone"    // a hamlet of last year is missing this year
	RuleHamletNew     = "hamlet_new"     // a hamlet not reported last year
	RuleRateChange    = "rate_change"    // a rate moved by more than the threshold (points)
	RuleCopied        = "copied"         // every number equals last year's
	RuleRecognisedAll = "recognised_all" // recognised = total in every hamlet
	RuleRateOutlier   = "rate_outlier"   // modified z-score among the province's communes
	RuleHamletOutlier = "hamlet_outlier" // modified z-score among the commune's hamlets
	RuleUnchanged     = "unchanged"      // the latest upload repeats the previous one
	RuleNotComparable = "not_comparable" // "không so sánh được": no year-on-year rule applies
)

// Pair is a recognised/total pair of the recognised_all rule.
type Pair struct {
	Indicator  string `json:"indicator"`  // the rate they make (flag indicator)
	Recognised string `json:"recognised"` // hamlet column of the recognised count
	Total      string `json:"total"`      // hamlet column of the total
}

// Rule is one rule of schemas/quality/rules.json.
type Rule struct {
	Rule       string   `json:"rule"`
	About      string   `json:"about"`
	Indicators []string `json:"indicators,omitempty"`
	// CommuneIndicators: commune-level (Biểu 02) columns the copied rule
	// compares besides the hamlet rows.
	CommuneIndicators []string `json:"commune_indicators,omitempty"`
	Pairs             []Pair   `json:"pairs,omitempty"`
	Threshold         float64  `json:"threshold"`
	MinUnits          int      `json:"min_units,omitempty"`
	// MinDeviation (outlier rules): the least |value − median| flagged,
	// whatever the z-score. When MAD is 0 ModifiedZ falls back on the mean
	// absolute deviation, which can be tiny: without this bound 99,9 %
	// among communes at 100 % would be an outlier.
	MinDeviation float64 `json:"min_deviation,omitempty"`
}

// Rules are the plausibility rules in force.
type Rules struct {
	Version int               `json:"version"`
	About   string            `json:"about"`
	Labels  map[string]string `json:"labels"` // indicator → short Vietnamese label
	Rules   []Rule            `json:"rules"`
	byName  map[string]*Rule
}

// Get returns the rule named name, or nil when the rules do not have it
// (a province may drop a rule from its copy of the file).
func (r *Rules) Get(name string) *Rule { return r.byName[name] }

// Label is an indicator's Vietnamese label (the indicator itself when the
// file has none).
func (r *Rules) Label(indicator string) string {
	if l := r.Labels[indicator]; l != "" {
		return l
	}
	return indicator
}

// needs says, per rule, what its entry must have.
var needs = map[string]struct{ indicators, threshold, minUnits, pairs bool }{
	RuleChange:        {indicators: true, threshold: true},
	RuleHamletGone:    {},
	RuleHamletNew:     {},
	RuleRateChange:    {indicators: true, threshold: true},
	RuleCopied:        {indicators: true, threshold: true},
	RuleRecognisedAll: {threshold: true, minUnits: true, pairs: true},
	RuleRateOutlier:   {indicators: true, threshold: true, minUnits: true},
	RuleHamletOutlier: {indicators: true, threshold: true, minUnits: true},
	RuleUnchanged:     {},
	RuleNotComparable: {},
}

var embedded = sync.OnceValues(func() (*Rules, error) { return LoadFS(schemas.FS) })

// Load returns the embedded rules (parsed once).
func Load() (*Rules, error) { return embedded() }

// LoadFS reads and checks RulesFile from fsys. Errors name the file and
// the rule, so whoever edits it finds the mistake.
func LoadFS(fsys fs.FS) (*Rules, error) {
	b, err := fs.ReadFile(fsys, RulesFile)
	if err != nil {
		return nil, fmt.Errorf("quality: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var r Rules
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("quality: %s: %w", RulesFile, err)
	}
	if r.Version != 1 {
		return nil, fmt.Errorf("quality: %s: version %d, want 1", RulesFile, r.Version)
	}
	r.byName = map[string]*Rule{}
	for i := range r.Rules {
		ru := &r.Rules[i]
		n, ok := needs[ru.Rule]
		switch {
		case !ok:
			return nil, fmt.Errorf("quality: %s: unknown rule %q", RulesFile, ru.Rule)
		case r.byName[ru.Rule] != nil:
			return nil, fmt.Errorf("quality: %s: rule %q appears twice", RulesFile, ru.Rule)
		case n.indicators && len(ru.Indicators) == 0:
			return nil, fmt.Errorf("quality: %s: rule %q needs indicators", RulesFile, ru.Rule)
		case n.threshold && !(ru.Threshold > 0):
			return nil, fmt.Errorf("quality: %s: rule %q needs a threshold above 0", RulesFile, ru.Rule)
		case ru.MinDeviation < 0 || math.IsNaN(ru.MinDeviation):
			return nil, fmt.Errorf("quality: %s: rule %q has a negative min_deviation", RulesFile, ru.Rule)
		case n.minUnits && ru.MinUnits < 2:
			return nil, fmt.Errorf("quality: %s: rule %q needs min_units of at least 2", RulesFile, ru.Rule)
		case n.pairs && len(ru.Pairs) == 0:
			return nil, fmt.Errorf("quality: %s: rule %q needs pairs", RulesFile, ru.Rule)
		}
		for _, p := range ru.Pairs {
			if p.Indicator == "" || p.Recognised == "" || p.Total == "" {
				return nil, fmt.Errorf("quality: %s: rule %q: each pair needs indicator, recognised and total", RulesFile, ru.Rule)
			}
		}
		r.byName[ru.Rule] = ru
	}
	return &r, nil
}

// Columns lists the roll-up columns the rules read: commune-level ones
// (sums and rates) and hamlet-level ones, in a fixed order. The roll-up
// gathers only these.
func (r *Rules) Columns() (commune, hamlet []string) {
	add := func(list *[]string, cols ...string) {
		for _, c := range cols {
			if c != "" && !slices.Contains(*list, c) {
				*list = append(*list, c)
			}
		}
	}
	add(&hamlet, "ho_tong") // hamlet_gone, hamlet_new show it
	for _, ru := range r.Rules {
		switch ru.Rule {
		case RuleChange, RuleRateChange, RuleRateOutlier:
			add(&commune, ru.Indicators...)
		case RuleCopied:
			add(&hamlet, ru.Indicators...)
			add(&commune, ru.CommuneIndicators...)
		case RuleRecognisedAll:
			for _, p := range ru.Pairs {
				add(&commune, p.Indicator)
				add(&hamlet, p.Recognised, p.Total)
			}
		case RuleHamletOutlier:
			add(&hamlet, ru.Indicators...)
		}
	}
	return commune, hamlet
}
