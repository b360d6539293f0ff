// Package forms loads the form definitions in schemas/forms and answers the
// questions the reader asks of them: which field does this header mean,
// which fields apply to a reporting year, which value is this enum spelling.
package forms

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/xhht/xhht/pipeline/textnorm"
	"github.com/xhht/xhht/schemas"
)

// Field types.
const (
	Count = "count"
	Bool  = "bool"
	Enum  = "enum"
	Score = "score"
	Text  = "text"
)

// Form is one versioned form (Biểu 01, Biểu 02).
type Form struct {
	Code           string   `json:"form"`
	Version        string   `json:"version"`
	SchemaVersion  string   `json:"schema_version"`
	Grain          string   `json:"grain"` // "hamlet" or "commune"
	Title          string   `json:"title"`
	TitleEN        string   `json:"title_en"`
	Groups         []Group  `json:"groups"`
	Fields         []*Field `json:"fields"`
	IgnoredHeaders []string `json:"ignored_headers"`
	Rules          []Rule   `json:"rules"`
	// Rates are the percentages a commune may write beside its counts
	// ("Tỷ lệ %"): cross-checked against the counts, never stored.
	Rates []*Rate `json:"rates"`
	// RateHeaders are the generic headers of a rate column ("Tỷ lệ %"):
	// they name the rate of the field or group header above them.
	RateHeaders []string `json:"rate_headers"`
	// QuantityHeaders are generic sub-headers ("SL", "Số lượng") under a
	// field's own header, in three-row headers where a rate sits beside
	// the count: "Số hộ được công nhận" over "SL | Tỷ lệ %".
	QuantityHeaders []string `json:"quantity_headers"`

	byCode      map[string]*Field
	groups      map[string]*Group
	ignored     map[string]bool
	rateHeaders map[string]bool
	quantity    map[string]bool
	// vocab holds every folded text that can take part in naming a field
	// read from the file: its aliases and sub-aliases, and each of their
	// endings after a space (the sub-header of a group and sub-header
	// written as one phrase). See MayName.
	vocab map[string]bool
}

// RowsDenominator is the Denominator of a rate over hamlet rows: each
// hamlet counts 1 (the share of hamlets recognised as learning communities).
const RowsDenominator = "#rows"

// Rate is a percentage column: Numerator / Denominator × 100, computed
// from the counts of the same row (or, on a totals or subtotal row, from
// the sums over the hamlets it covers).
type Rate struct {
	Code        string   `json:"code"` // names the rate in receipts; never a Parquet column
	Group       string   `json:"group"`
	Label       string   `json:"label"`
	LabelEN     string   `json:"label_en"`
	Numerator   string   `json:"numerator"`   // a count or bool field
	Denominator string   `json:"denominator"` // a count field, or RowsDenominator
	Aliases     []string `json:"aliases"`     // headers that name the rate alone
	SubAliases  []string `json:"sub_aliases"` // headers that name it under its group only
	aliases     map[string]bool
	subAliases  map[string]bool
	title       string
}

// Title names the rate for people: "Gia đình học tập (GĐHT) – Tỷ lệ hộ
// được công nhận (%)".
func (r *Rate) Title() string { return r.title }

// Group is a header spanning several fields ("Gia đình học tập").
type Group struct {
	Code    string          `json:"code"`
	Label   string          `json:"label"`
	Aliases []string        `json:"aliases"`
	folded  map[string]bool // FoldKeepD of label and aliases
	loose   map[string]bool // Fold of those that no other group folds to
}

// matches reports whether a header text names the group. Đ is kept
// ("CĐHT" is not "CDHT"), except for spellings no other group shares:
// "Gia dinh hoc tap" typed without diacritics still names its group.
func (g *Group) matches(text string) bool {
	return g.folded[textnorm.FoldKeepD(text)] || g.loose[textnorm.Fold(text)]
}

// Field is one column of a form.
type Field struct {
	Code       string      `json:"code"`
	Group      string      `json:"group"`
	Type       string      `json:"type"`
	Label      string      `json:"label"`
	LabelEN    string      `json:"label_en"`
	Aliases    []string    `json:"aliases"`
	SubAliases []string    `json:"sub_aliases"`
	Column     string      `json:"column"` // "required" | "optional"; empty for derived fields
	Blank      string      `json:"blank"`  // "error" | "allowed"
	Values     []EnumValue `json:"values"`
	Min        *float64    `json:"min"`
	Max        *float64    `json:"max"`
	Years      *YearRange  `json:"years"`
	Derived    *Derivation `json:"derived"`
	Identity   bool        `json:"identity"` // identifies the commune (ma_xa, ten_xa): checked against the key
	Width      float64     `json:"width"`    // template column width; 0 = default
	aliases    map[string]bool
	subAliases map[string]bool
	enum       map[string]string
	bands      []Band
	title      string
}

// Title names the field for people: its group and its header,
// "Gia đình học tập (GĐHT) – Số hộ được công nhận".
func (fd *Field) Title() string { return fd.title }

// EnumValue is an allowed value with its accepted spellings.
type EnumValue struct {
	Value   string   `json:"value"`
	Aliases []string `json:"aliases"`
}

// YearRange limits a field to some reporting years (inclusive; 0 = open).
type YearRange struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Derivation computes a field from another one through grading bands.
type Derivation struct {
	From  string `json:"from"`
	Bands string `json:"bands"`
}

// Band is one grade of a grading scale: scores ≥ Min get Grade.
type Band struct {
	Min   float64 `json:"min"`
	Grade string  `json:"grade"`
}

// Rule is a cross-field check on one row.
type Rule struct {
	Rule     string `json:"rule"` // "lte": field ≤ other; "implies": field true ⇒ other true
	Field    string `json:"field"`
	Other    string `json:"other"`
	Severity string `json:"severity"`
}

// Set is every form of one schema release.
type Set struct {
	Forms []*Form // in file-name order: bieu01, bieu02
}

// Load reads the embedded schemas.
func Load() (*Set, error) { return LoadFS(schemas.FS) }

// LoadFS reads forms/*.json and grading.json from fsys and checks them.
func LoadFS(fsys fs.FS) (*Set, error) {
	var grading struct {
		Bands map[string][]Band `json:"bands"`
	}
	if err := readJSON(fsys, "grading.json", &grading); err != nil {
		return nil, err
	}
	bands := grading.Bands
	names, err := fs.Glob(fsys, "forms/*.json")
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("forms: no forms/*.json in schemas (%v)", err)
	}
	sort.Strings(names)
	set := &Set{}
	for _, name := range names {
		f := &Form{}
		if err := readJSON(fsys, name, f); err != nil {
			return nil, err
		}
		if err := f.init(bands); err != nil {
			return nil, fmt.Errorf("forms: %s: %w", path.Base(name), err)
		}
		set.Forms = append(set.Forms, f)
	}
	return set, nil
}

// MustLoad is Load for program start-up, where embedded schemas that do not
// load are a build defect.
func MustLoad() *Set {
	s, err := Load()
	if err != nil {
		panic(err)
	}
	return s
}

// Form returns the form with the given code, or nil.
func (s *Set) Form(code string) *Form {
	for _, f := range s.Forms {
		if f.Code == code {
			return f
		}
	}
	return nil
}

func readJSON(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("forms: read %s: %w", name, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("forms: parse %s: %w", name, err)
	}
	return nil
}

func foldSet(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[textnorm.Fold(s)] = true
	}
	return m
}

func (f *Form) init(bands map[string][]Band) error {
	f.byCode = map[string]*Field{}
	f.groups = map[string]*Group{}
	f.ignored = foldSet(f.IgnoredHeaders)
	f.rateHeaders = foldSet(f.RateHeaders)
	f.quantity = foldSet(f.QuantityHeaders)
	owners := map[string]map[string]bool{} // Fold → group codes
	for i := range f.Groups {
		g := &f.Groups[i]
		g.folded = map[string]bool{}
		for _, a := range append([]string{g.Label}, g.Aliases...) {
			g.folded[textnorm.FoldKeepD(a)] = true
			k := textnorm.Fold(a)
			if owners[k] == nil {
				owners[k] = map[string]bool{}
			}
			owners[k][g.Code] = true
		}
		f.groups[g.Code] = g
	}
	for i := range f.Groups {
		g := &f.Groups[i]
		g.loose = map[string]bool{}
		for _, a := range append([]string{g.Label}, g.Aliases...) {
			if k := textnorm.Fold(a); len(owners[k]) == 1 {
				g.loose[k] = true
			}
		}
	}
	for _, fd := range f.Fields {
		if fd.Code == "" || f.byCode[fd.Code] != nil {
			return fmt.Errorf("field code %q empty or repeated", fd.Code)
		}
		switch fd.Type {
		case Count, Bool, Enum, Score, Text:
		default:
			return fmt.Errorf("field %s: unknown type %q", fd.Code, fd.Type)
		}
		if fd.Group != "" && f.groups[fd.Group] == nil {
			return fmt.Errorf("field %s: unknown group %q", fd.Code, fd.Group)
		}
		fd.title = fd.Label
		if g := f.groups[fd.Group]; g != nil {
			fd.title = g.Label + " – " + fd.Label
		}
		fd.aliases = foldSet(append([]string{fd.Label}, fd.Aliases...))
		fd.subAliases = foldSet(fd.SubAliases)
		if fd.Type == Enum {
			fd.enum = map[string]string{}
			for _, v := range fd.Values {
				for _, a := range append([]string{v.Value}, v.Aliases...) {
					fd.enum[textnorm.Fold(a)] = v.Value
				}
			}
		}
		if fd.Derived != nil {
			fd.bands = bands[fd.Derived.Bands]
			if len(fd.bands) == 0 {
				return fmt.Errorf("field %s: no grading bands %q in grading.json", fd.Code, fd.Derived.Bands)
			}
			sort.Slice(fd.bands, func(i, j int) bool { return fd.bands[i].Min > fd.bands[j].Min })
		} else if fd.Column != "required" && fd.Column != "optional" {
			return fmt.Errorf("field %s: column must be required or optional", fd.Code)
		}
		f.byCode[fd.Code] = fd
	}
	f.vocab = map[string]bool{}
	for _, fd := range f.Fields {
		if !fd.Read() {
			continue
		}
		for _, set := range []map[string]bool{fd.aliases, fd.subAliases} {
			for a := range set {
				f.vocab[a] = true
				for i := range len(a) {
					if a[i] == ' ' {
						f.vocab[a[i+1:]] = true
					}
				}
			}
		}
	}
	for _, r := range f.Rules {
		if f.byCode[r.Field] == nil || f.byCode[r.Other] == nil {
			return fmt.Errorf("rule %s: unknown field %q or %q", r.Rule, r.Field, r.Other)
		}
		if r.Rule != "lte" && r.Rule != "implies" {
			return fmt.Errorf("unknown rule %q", r.Rule)
		}
		if r.Severity != "error" && r.Severity != "warning" {
			return fmt.Errorf("rule %s %s: severity must be error or warning", r.Rule, r.Field)
		}
	}
	for _, fd := range f.Fields {
		if d := fd.Derived; d != nil && f.byCode[d.From] == nil {
			return fmt.Errorf("field %s: derived from unknown field %q", fd.Code, d.From)
		}
	}
	return f.initRates()
}

func (f *Form) initRates() error {
	seen := map[string]bool{}
	for _, r := range f.Rates {
		if r.Code == "" || seen[r.Code] || f.byCode[r.Code] != nil {
			return fmt.Errorf("rate code %q empty, repeated or a field code", r.Code)
		}
		seen[r.Code] = true
		if r.Group != "" && f.groups[r.Group] == nil {
			return fmt.Errorf("rate %s: unknown group %q", r.Code, r.Group)
		}
		num := f.byCode[r.Numerator]
		if num == nil || !num.Read() || (num.Type != Count && num.Type != Bool) {
			return fmt.Errorf("rate %s: numerator %q is not a count or bool field", r.Code, r.Numerator)
		}
		switch den := f.byCode[r.Denominator]; {
		case r.Denominator == RowsDenominator && f.Grain == "hamlet":
		case den == nil || !den.Read() || den.Type != Count:
			return fmt.Errorf("rate %s: denominator %q is not a count field (or %s on a hamlet form)", r.Code, r.Denominator, RowsDenominator)
		}
		r.aliases = foldSet(r.Aliases)
		r.subAliases = foldSet(r.SubAliases)
		r.title = r.Label
		if g := f.groups[r.Group]; g != nil {
			r.title = g.Label + " – " + r.Label
		}
	}
	return nil
}

// Field returns the field with the given code, or nil.
func (f *Form) Field(code string) *Field { return f.byCode[code] }

// GroupOf returns the field's group, or nil.
func (f *Form) GroupOf(fd *Field) *Group { return f.groups[fd.Group] }

// AppliesTo reports whether the field is used in reporting year y.
func (fd *Field) AppliesTo(y int) bool {
	if fd.Years == nil {
		return true
	}
	return (fd.Years.From == 0 || y >= fd.Years.From) && (fd.Years.To == 0 || y <= fd.Years.To)
}

// Read reports whether the field is read from the file (not derived).
func (fd *Field) Read() bool { return fd.Derived == nil }

// EnumValue maps a spelling to its canonical value.
func (fd *Field) EnumValue(s string) (string, bool) {
	v, ok := fd.enum[textnorm.Fold(s)]
	return v, ok
}

// Grade derives the grade of a score through the field's bands.
func (fd *Field) Grade(score float64) string {
	for _, b := range fd.bands {
		if score >= b.Min {
			return b.Grade
		}
	}
	return ""
}

// Ignored reports whether a header is a known column that carries no field
// (STT, a rate the commune computed, notes).
func (f *Form) Ignored(header string) bool {
	h := textnorm.Fold(header)
	return f.ignored[h] || h == ""
}

// MatchHeader returns the field a column header means. leaf is the lowest
// header text of the column; above holds the texts above it (group headers),
// nearest first. A sub-alias ("Đăng ký") only counts under its group header.
// A quantity header ("SL", "Số lượng") means the field named just above it.
func (f *Form) MatchHeader(leaf string, above []string) *Field {
	if f.IsQuantity(leaf) && len(above) > 0 {
		// "SL (hộ)" under "Số hộ được công nhận" is that count, even though
		// it folds like the alias "SL hộ".
		if fd := f.MatchHeader(above[0], above[1:]); fd != nil {
			return fd
		}
	}
	if fd := f.matchHeader(leaf, above); fd != nil {
		return fd
	}
	// A unit or note in brackets at the end: "Tổng số hộ (hộ)", "Số lớp (lớp)".
	if n := noteStart(leaf); n > 0 {
		if fd := f.matchHeader(leaf[:n], above); fd != nil {
			return fd
		}
	}
	return nil
}

// MayName reports whether a header text can take part in naming one of the
// form's fields, as a column's lowest header text or as one above it:
// MatchHeader finds a field for a column only if one of its texts passes.
// It costs a fold or two and a map lookup, so the table reader can skip the
// rows that cannot be a header before trying header shapes on them.
func (f *Form) MayName(text string) bool {
	if f.vocab[textnorm.Fold(text)] {
		return true
	}
	n := noteStart(text)
	return n > 0 && f.vocab[textnorm.Fold(text[:n])]
}

// IsQuantity reports whether a header is a generic quantity sub-header
// ("SL", "Số lượng", "SL (hộ)").
func (f *Form) IsQuantity(leaf string) bool {
	if f.quantity[textnorm.Fold(leaf)] {
		return true
	}
	n := noteStart(leaf)
	return n > 0 && f.quantity[textnorm.Fold(leaf[:n])]
}

// MatchRate returns the rate a column header means, or nil. In order:
//   - a rate's sub-alias under its group header ("Tỷ lệ đăng ký" under
//     "Gia đình học tập");
//   - a rate's alias alone ("Tỷ lệ hộ đạt GĐHT");
//   - a generic rate header ("Tỷ lệ %", "%") under a field's header: the
//     rate whose numerator is that field ("Được công nhận" over "SL | Tỷ
//     lệ %"), or nil when that field has none;
//   - a generic rate header under a group header: the group's first rate.
//
// A generic rate header with neither above it stays unmapped (Ignored).
func (f *Form) MatchRate(leaf string, above []string) *Rate {
	keys := []string{textnorm.Fold(leaf)}
	if n := noteStart(leaf); n > 0 {
		keys = append(keys, textnorm.Fold(leaf[:n]))
	}
	for _, l := range keys {
		if l == "" {
			continue
		}
		for _, r := range f.Rates {
			if r.subAliases[l] && f.under(r.Group, above) {
				return r
			}
		}
		for _, r := range f.Rates {
			if r.aliases[l] {
				return r
			}
		}
	}
	generic := false
	for _, l := range keys {
		generic = generic || f.rateHeaders[l]
	}
	if !generic {
		return nil
	}
	for i, a := range above {
		if fd := f.MatchHeader(a, above[i+1:]); fd != nil {
			for _, r := range f.Rates {
				if r.Numerator == fd.Code {
					return r
				}
			}
			return nil
		}
		for _, r := range f.Rates {
			if f.under(r.Group, above[i:i+1]) {
				return r
			}
		}
	}
	return nil
}

// under reports whether one of the header texts names group g.
func (f *Form) under(g string, above []string) bool {
	grp := f.groups[g]
	if grp == nil {
		return false
	}
	for _, a := range above {
		if grp.matches(a) {
			return true
		}
		if n := noteStart(a); n > 0 && grp.matches(a[:n]) {
			return true
		}
	}
	return false
}

// Rate returns the rate with the given code, or nil.
func (f *Form) Rate(code string) *Rate {
	for _, r := range f.Rates {
		if r.Code == code {
			return r
		}
	}
	return nil
}

// noteStart is where a unit or note in brackets at the end of a header
// begins, with the spaces before it ("Tổng số hộ (hộ)" → 13), or -1. It is
// the leftmost match of `\s*\([^()]*\)\s*$` (\s as in regexp: ASCII
// space, \t, \n, \f, \r), without a regexp: headers are matched
// thousands of times per file.
func noteStart(s string) int {
	i := len(s)
	for i > 0 && isSpace(s[i-1]) {
		i--
	}
	if i == 0 || s[i-1] != ')' {
		return -1
	}
	j := strings.LastIndexAny(s[:i-1], "()")
	if j < 0 || s[j] != '(' {
		return -1
	}
	for j > 0 && isSpace(s[j-1]) {
		j--
	}
	return j
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r'
}

func (f *Form) matchHeader(leaf string, above []string) *Field {
	l := textnorm.Fold(leaf)
	if l == "" {
		return nil
	}
	var byGroup *Field
	for _, fd := range f.Fields {
		if !fd.Read() {
			continue
		}
		if fd.subAliases[l] || fd.aliases[l] {
			if g := f.groups[fd.Group]; g != nil {
				for _, a := range above {
					if g.matches(a) && byGroup == nil {
						byGroup = fd
					}
				}
			}
		}
	}
	if byGroup != nil {
		return byGroup
	}
	for _, fd := range f.Fields {
		if fd.Read() && fd.aliases[l] {
			return fd
		}
	}
	// A group and its sub-header written as one phrase ("Số hộ" over "đạt GĐHT").
	for _, a := range above {
		joined := textnorm.Fold(a) + " " + l
		for _, fd := range f.Fields {
			if fd.Read() && fd.aliases[joined] {
				return fd
			}
		}
	}
	return nil
}
