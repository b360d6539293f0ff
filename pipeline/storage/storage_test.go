package storage_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xhht/xhht/pipeline/storage"
)

// TestOriginalNameMeta: any name a browser sends becomes metadata S3 takes
// (printable ASCII, bounded), and decodes back to the name or, when it had
// to be cut, to a prefix of it that ends on a whole letter.
func TestOriginalNameMeta(t *testing.T) {
	for _, c := range []struct {
		name, in string
		whole    bool
	}{
		{"vietnamese", "Báo cáo thôn Đồng Tháp (1).xlsx", true},
		{"hostile", "<script>alert(1)</script>\u202Efdp.xlsx\r\n../../x%2F", true},
		{"300 letters", strings.Repeat("ư", 300), false},
		{"300 ASCII", strings.Repeat("a", 300), true},
		{"a megabyte", strings.Repeat("Đ", 1<<19), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			meta := storage.OriginalNameMeta(c.in)
			if err := storage.CheckMeta(meta); err != nil {
				t.Fatalf("CheckMeta(%q): %v", meta, err)
			}
			if n := len(meta[storage.MetaOriginalName]); n == 0 || n > 1000 {
				t.Errorf("encoded name is %d bytes, want 1..1000", n)
			}
			got := storage.OriginalName(storage.Object{Meta: meta})
			if c.whole && got != c.in {
				t.Errorf("decoded %q, want %q", got, c.in)
			}
			if !c.whole && (got == c.in || !strings.HasPrefix(c.in, got) || utf8.RuneCountInString(got) < 100) {
				t.Errorf("decoded %d letters, want a cut prefix of at least 100", utf8.RuneCountInString(got))
			}
		})
	}
	if m := storage.OriginalNameMeta(""); m != nil {
		t.Errorf("empty name gives %v, want nil", m)
	}
	if got := storage.OriginalName(storage.Object{Meta: map[string]string{storage.MetaOriginalName: "%zz"}}); got != "" {
		t.Errorf("undecodable value gives %q, want \"\"", got)
	}
	if got := storage.OriginalName(storage.Object{Meta: map[string]string{storage.MetaOriginalName: "%ff"}}); got != "" {
		t.Errorf("invalid UTF-8 gives %q, want \"\"", got)
	}
}
