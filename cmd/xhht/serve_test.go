package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestServeUsage(t *testing.T) {
	cases := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"serve", "--help"}, exitOK, "Examples:"},
		{[]string{"serve", "--addr", "0.0.0.0:8080"}, exitUsage, "loopback"},
		{[]string{"serve", "--addr", "192.168.1.5:8080"}, exitUsage, "loopback"},
		{[]string{"serve", "--addr", "nonsense"}, exitUsage, "--addr"},
		{[]string{"serve", "--max-mb", "0"}, exitUsage, "--max-mb"},
		{[]string{"serve", "extra"}, exitUsage, "extra"},
	}
	for _, tc := range cases {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tc.args, &out, &errOut)
		if code != tc.code || !strings.Contains(out.String()+errOut.String(), tc.out) {
			t.Errorf("%q: exit %d, want %d; output lacks %q:\n%s%s", tc.args, code, tc.code, tc.out, out.String(), errOut.String())
		}
	}
}
