package validate

import (
	"strings"

	"github.com/xhht/xhht/pipeline/forms"
)

// Names as officials read them in messages: no field codes, and no
// brackets inside brackets. A title "Gia đình học tập (GĐHT) – Số hộ được
// công nhận" is written "Gia đình học tập – Số hộ được công nhận", so that
// "Ô E8 (…)" holds one level of brackets.

// plainName drops a trailing bracket: "Gia đình học tập (GĐHT)" →
// "Gia đình học tập", "Đăng ký (Có/Không)" → "Đăng ký".
func plainName(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndex(s, " ("); i > 0 {
			return strings.TrimSpace(s[:i])
		}
	}
	return s
}

// groupAndLabel splits a field's or rate's title into its group (empty
// for a field without one) and its label, both plain.
func groupAndLabel(title string) (group, label string) {
	g, l, ok := strings.Cut(title, " – ")
	if !ok {
		return "", plainName(title)
	}
	return plainName(g), plainName(l)
}

// plainTitle is a title without inner brackets: "Gia đình học tập – Số hộ
// được công nhận".
func plainTitle(title string) string {
	g, l := groupAndLabel(title)
	if g == "" {
		return l
	}
	return g + " – " + l
}

// fieldName is plainTitle of a field.
func fieldName(fd *forms.Field) string { return plainTitle(fd.Title()) }

// formName is the short name of a form: "Biểu 01".
func formName(f *forms.Form) string {
	name, _, _ := strings.Cut(f.Title, ":")
	return strings.TrimSpace(name)
}
