//go:build unix

package workbook

import (
	"os/exec"
	"syscall"
)

// xlsKillGroup runs the command in its own process group and, on timeout,
// kills the whole group: soffice is a launcher for soffice.bin.
func xlsKillGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
