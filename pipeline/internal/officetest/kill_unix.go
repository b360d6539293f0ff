//go:build unix

package officetest

import (
	"os/exec"
	"syscall"
)

// killGroup runs soffice in its own process group and, on timeout, kills
// the group: soffice is a launcher for soffice.bin.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
