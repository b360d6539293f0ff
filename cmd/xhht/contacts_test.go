package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestContactsCommand(t *testing.T) {
	dir := t.TempDir()
	lakeDir := filepath.Join(dir, "lake")
	if err := os.MkdirAll(lakeDir, 0o755); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(good, []byte("ma_xa,ten_xa,email,dien_thoai\n01840,Phường Đức Xuân,vanthu@example.vn,0912345678\n"), 0o644)
	os.WriteFile(bad, []byte("ma_xa,email\n01840,vanthu.example.vn\n"), 0o644)
	cases := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"contacts", "--province", "19", "--lake", lakeDir, "--put", good}, exitOK, "ĐÃ NHẬN danh bạ"},
		{[]string{"contacts", "--province", "19", "--lake", lakeDir, "--put", bad}, exitRejected, "Dòng 2: địa chỉ thư điện tử không hợp lệ"},
		{[]string{"contacts", "--province", "1", good}, exitUsage, ""},
		{[]string{"contacts", "--province", "19"}, exitUsage, ""},
		{[]string{"contacts", "--help"}, exitOK, "xhht contacts --province 19 danh-ba.csv"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if code := run(context.Background(), c.args, &out, &errb); code != c.code {
			t.Errorf("%v: exit %d, want %d (%s%s)", c.args, code, c.code, out.String(), errb.String())
		}
		if !strings.Contains(out.String(), c.out) {
			t.Errorf("%v: output lacks %q:\n%s", c.args, c.out, out.String())
		}
	}
	// The accepted file is in the lake; the rejected one did not replace it.
	b, err := os.ReadFile(filepath.Join(lakeDir, "config", "contacts", "province=19.csv"))
	if err != nil || !strings.Contains(string(b), "vanthu@example.vn") {
		t.Errorf("lake copy %q, %v", b, err)
	}
	rcs, _ := filepath.Glob(filepath.Join(lakeDir, "config", "contacts", "receipts", "province=19", "*.json"))
	if len(rcs) != 1 {
		t.Errorf("%d receipts in the lake, want 1", len(rcs))
	}
}
