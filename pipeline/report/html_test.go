package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func renderHTML(t *testing.T, r *Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestHTMLEscapes: nothing from the data becomes markup; the page has no
// script and loads nothing.
func TestHTMLEscapes(t *testing.T) {
	r := fixtureReport(92, 3)
	r.Title = `<img src=x onerror=alert(1)>`
	r.Completeness.Communes[5].LastRejection = `"><script>alert(2)</script>`
	s := renderHTML(t, r)
	for _, bad := range []string{"<script", "<img", "https://"} {
		if strings.Contains(strings.ToLower(s), bad) {
			t.Errorf("html contains %q", bad)
		}
	}
	if !strings.Contains(s, `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';`) {
		t.Error("no strict Content-Security-Policy")
	}
	if strings.Contains(s, `href="http://evil`) || strings.Contains(s, ` src="`) {
		t.Error("html loads or links a resource from the data")
	}
	if !strings.Contains(s, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("hostile name not shown escaped")
	}
	// 92 communes: the bar chart in 3 parts of at most 40, and the trend.
	if strings.Count(s, "<svg") != 4 {
		t.Errorf("want 4 inline svg charts, got %d", strings.Count(s, "<svg"))
	}
}

// TestHTMLContent: heading, dates, figures in Vietnamese format.
func TestHTMLContent(t *testing.T) {
	r := fixtureReport(92, 0)
	s := renderHTML(t, r)
	for _, want := range []string{
		motto1, motto2, "ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Số: …/BC-SGDĐT",
		"Thái Nguyên, ngày …… tháng 12 năm 2026",
		"Kính gửi:", "- Bộ Giáo dục và Đào tạo;", "- Ủy ban nhân dân tỉnh Thái Nguyên.",
		"Số liệu tính đến trước 00 giờ 00 ngày 15/12/2026 (giờ Việt Nam)",
		"cập nhật lần cuối: 14/12/2026 16:05",
		r.Summary[0], "Nơi nhận:", "- Như trên;", "- Giám đốc Sở (để báo cáo);", "- Lưu: VT, GDTX.",
		"KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn An",
		fmtInt(*r.Total.Cells["ho_dat"].Total), fmtPct(*r.Total.Cells["ho_dat"].Rate),
		"Xã bị từ chối, chưa có bản hợp lệ", "Xã chưa nộp",
	} {
		if !strings.Contains(s, escapedText(want)) {
			t.Errorf("html lacks %q", want)
		}
	}
	r.DataTime = time.Time{}
	if s := renderHTML(t, r); !strings.Contains(s, "chưa có số liệu") {
		t.Error("zero data time not stated as no data")
	}
}

// escapedText escapes like html/template does for text, for comparisons.
func escapedText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

// TestHTMLMovementFirst: the 1 December page leads with the movement.
func TestHTMLMovementFirst(t *testing.T) {
	s := renderHTML(t, movementReport(20, 3))
	a := strings.Index(s, "Biểu 01. Kết quả Phong trào thi đua")
	b := strings.Index(s, "Biểu 02. Kết quả thực hiện các chỉ tiêu")
	if a < 0 || b < 0 || a > b {
		t.Errorf("movement table at %d, results table at %d", a, b)
	}
	for _, h := range []string{"Mức độ 1", "Lượt người học", "Ứng dụng công nghệ thông tin", "Hội viên", "Được tập huấn", "Cộng đồng học tập cấp thôn (thôn, tổ dân phố)", "Công dân học tập (người)"} {
		if !strings.Contains(s, h) {
			t.Errorf("movement table lacks %q", h)
		}
	}
	if !strings.Contains(s, "ngày …… tháng 12 năm 2026") {
		t.Error("date line of the 1 December report")
	}
}
