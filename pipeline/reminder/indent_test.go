package reminder_test

import (
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/reminder"
	"github.com/xhht/xhht/pipeline/review"
)

// TestIndented (review finding L9): a person's multi-line text becomes one
// list item: every line after the first starts with the indent, blank
// lines go, control and bidirectional formatting characters go.
func TestIndented(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Một dòng", "Một dòng"},
		{"Dòng 1\r\nDòng 2\rDòng 3\nDòng 4", "Dòng 1\n>>Dòng 2\n>>Dòng 3\n>>Dòng 4"},
		{"  1. Thôn A sai\n\n\n2. Thôn B thiếu  ", "1. Thôn A sai\n>>2. Thôn B thiếu"},
		{"Sai \u202esố hộ\u202c\u0007", "Sai số hộ"},
		{"A\u2028B", "A\n>>B"},
		{"\n \n", ""},
	} {
		if got := reminder.Indented(c.in, ">>"); got != c.want {
			t.Errorf("Indented(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestCommuneTextMultiLineComment: a multi-line return comment stays under
// "Ý kiến của Sở:" (its lines indented), and the lines after it are the
// reminder's own.
func TestCommuneTextMultiLineComment(t *testing.T) {
	x := base()
	x.Upload, x.Review, x.Comment = reminder.Accepted, review.Returned, "Xem lại:\n1. Thôn Bản Pài\n\nĐề nghị xã gửi ngay\u202e"
	txt := x.Text()
	if !strings.Contains(txt, "Ý kiến của Sở: Xem lại:\n  1. Thôn Bản Pài\n  Đề nghị xã gửi ngay\nViệc cần làm:") {
		t.Errorf("multi-line comment not kept under its line:\n%s", txt)
	}
	if strings.ContainsRune(txt, '\u202e') {
		t.Error("a right-to-left override reached the reminder text")
	}
}
