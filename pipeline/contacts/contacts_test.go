package contacts_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/contacts"
	"github.com/xhht/xhht/pipeline/registry"
)

func register(t *testing.T) *registry.Version {
	t.Helper()
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	return reg.ForYear(2026)
}

const head = "ma_xa,ten_xa,email,dien_thoai\n"

func TestAcceptedFile(t *testing.T) {
	ver := register(t)
	body := "\ufeffMã xã;Tên xã;Thư điện tử;Số điện thoại\n" +
		"01840;Phường Đức Xuân;VanThu.DucXuan@Example.gov.vn;0208 3855 123\n" +
		"1843;Bắc Kạn;bk@example.vn;\n" + // leading zero dropped by Excel; short name
		"01843;Phường Bắc Kạn;chutich.bk@example.vn;+84 912 345 678\n" +
		"\n"
	r, cs := contacts.Check([]byte(body), "19", ver)
	if r.Status != contacts.Accepted || r.ErrorCount != 0 {
		t.Fatalf("rejected: %s", r.Text())
	}
	if len(cs) != 3 || cs[0].Email != "vanthu.ducxuan@example.gov.vn" || cs[0].Phone != "02083855123" || cs[1].Commune != "01843" || cs[2].Phone != "+84912345678" {
		t.Errorf("contacts %+v", cs)
	}
	if r.Communes != 2 || r.Contacts != 3 || r.Expected != 92 {
		t.Errorf("receipt counts: %d communes, %d contacts, %d expected", r.Communes, r.Contacts, r.Expected)
	}
	if r.WarningCount != 1 || r.Problems[0].Code != contacts.CodeNoContact || !strings.Contains(r.Problems[0].Message, "90 xã chưa có địa chỉ liên hệ") {
		t.Errorf("want one warning for the 90 communes without contact: %+v", r.Problems)
	}
	if !strings.HasPrefix(r.Text(), "ĐÃ NHẬN danh bạ liên hệ của Tỉnh Thái Nguyên: 3 địa chỉ, 2/92 xã") {
		t.Errorf("text %q", r.Text())
	}
}

// Every rule rejects the file, with a Vietnamese message naming the row,
// and never the address or phone number itself.
func TestRejectedFiles(t *testing.T) {
	ver := register(t)
	cases := []struct {
		name, body, code string
		row              int
		msg              string // part of the Vietnamese message
	}{
		{"bad e-mail", head + "01840,,vanthu.example.vn,\n", contacts.CodeBadEmail, 2, "Dòng 2: địa chỉ thư điện tử không hợp lệ"},
		{"two e-mails in one cell", head + "01840,,a@example.vn; b@example.vn,\n", contacts.CodeBadEmail, 2, "một địa chỉ mỗi dòng"},
		{"display name", head + "01840,,Văn thư <a@example.vn>,\n", contacts.CodeBadEmail, 2, "không hợp lệ"},
		{"no dotted domain", head + "01840,,a@localhost,\n", contacts.CodeBadEmail, 2, "không hợp lệ"},
		{"blank e-mail", head + "01840,Đức Xuân,,\n", contacts.CodeBadEmail, 2, "không hợp lệ"},
		{"unknown commune", head + "99999,,a@example.vn,\n", contacts.CodeUnknownCommune, 2, `mã xã "99999" không có trong danh mục`},
		{"letters in code", head + "0184x,,a@example.vn,\n", contacts.CodeUnknownCommune, 2, "không có trong danh mục"},
		{"commune of another province", head + "00004,,a@example.vn,\n", contacts.CodeOtherProvince, 2, "không thuộc tỉnh này"},
		{"duplicate", head + "01840,,a@example.vn,\n01843,,a@example.vn,\n01840,,A@Example.vn,\n", contacts.CodeDuplicate, 4, "Dòng 4: trùng với dòng 2"},
		{"bad phone", head + "01840,,a@example.vn,12345\n", contacts.CodeBadPhone, 2, "số điện thoại không hợp lệ"},
		{"missing e-mail column", "ma_xa,ten_xa\n01840,Đức Xuân\n", contacts.CodeMissingColumn, 1, "Thiếu cột email"},
		{"empty", "", contacts.CodeEmpty, 0, "Tệp rỗng"},
		{"header only", head, contacts.CodeEmpty, 0, "chưa có xã nào"},
		{"not UTF-8", "ma_xa,email\n01840,\xff@example.vn\n", contacts.CodeNotText, 0, "UTF-8"},
		{"unbalanced quote", head + "01840,\"Đức Xuân,a@example.vn,\n", contacts.CodeBadCSV, 0, "không đọc được"},
		{"too large", head + strings.Repeat("01840,,a@example.vn,\n", contacts.MaxBytes/20+1), contacts.CodeTooLarge, 0, "Tệp quá lớn"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, cs := contacts.Check([]byte(c.body), "19", ver)
			if r.Status != contacts.Rejected || cs != nil {
				t.Fatalf("accepted (%d contacts): %s", len(cs), r.Text())
			}
			var found bool
			for _, p := range r.Problems {
				if p.Code == c.code && p.Severity == "error" && (c.row == 0 || p.Row == c.row) && strings.Contains(p.Message, c.msg) {
					found = true
				}
				if strings.Contains(p.Message, "example") || strings.Contains(p.MessageEN, "example") || strings.Contains(p.Message, "12345") {
					t.Errorf("a message repeats an address: %q / %q", p.Message, p.MessageEN)
				}
			}
			if !found {
				js, _ := json.MarshalIndent(r.Problems, "", " ")
				t.Errorf("no %s error at row %d with %q:\n%s", c.code, c.row, c.msg, js)
			}
			if !strings.HasPrefix(r.Text(), "TỆP DANH BẠ BỊ TỪ CHỐI") {
				t.Errorf("text %q", r.Text())
			}
		})
	}
}

func TestNameMismatchIsAWarning(t *testing.T) {
	r, cs := contacts.Check([]byte(head+"01840,Xã Sai Tên,a@example.vn,\n"), "19", register(t))
	if r.Status != contacts.Accepted || len(cs) != 1 {
		t.Fatalf("rejected: %s", r.Text())
	}
	if r.Problems[0].Code != contacts.CodeNameMismatch || r.Problems[0].Severity != "warning" {
		t.Errorf("problems %+v", r.Problems)
	}
}
