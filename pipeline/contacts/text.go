package contacts

import (
	"fmt"
	"strings"
)

// Text is the receipt in Vietnamese for the province's official. It names
// rows, never the addresses themselves, so it can be shown or mailed
// without repeating personal data.
func (r *Receipt) Text() string {
	var b strings.Builder
	name := r.ProvinceName
	if name == "" {
		name = "tỉnh " + r.Province
	}
	if r.Status == Accepted {
		fmt.Fprintf(&b, "ĐÃ NHẬN danh bạ liên hệ của %s: %d địa chỉ, %d/%d xã có địa chỉ nhận thư nhắc.\n", name, r.Contacts, r.Communes, r.Expected)
	} else {
		fmt.Fprintf(&b, "TỆP DANH BẠ BỊ TỪ CHỐI (%s): %d lỗi. Danh bạ đang dùng không thay đổi; sửa các lỗi dưới đây rồi tải lại cả tệp.\n", name, r.ErrorCount)
	}
	for _, p := range r.Problems {
		kind := "Lỗi"
		if p.Severity == "warning" {
			kind = "Lưu ý"
		}
		fmt.Fprintf(&b, "- %s: %s\n", kind, p.Message)
	}
	return b.String()
}
