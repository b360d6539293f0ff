//go:build !unix

package workbook

import "os/exec"

// xlsKillGroup: without process groups, the context kills soffice only.
func xlsKillGroup(cmd *exec.Cmd) {}
