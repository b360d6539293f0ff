//go:build !unix

package officetest

import "os/exec"

// killGroup: without process groups, the context kills the launcher only.
func killGroup(*exec.Cmd) {}
