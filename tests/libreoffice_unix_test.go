//go:build unix

package tests

import (
	"os/exec"
	"syscall"
)

// killGroup runs the command in its own process group and, on timeout,
// kills the whole group: soffice is a launcher for soffice.bin.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
