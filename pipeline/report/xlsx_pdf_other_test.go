//go:build !unix

package report

import "os/exec"

// killGroup: without process groups, the context kills the launcher only.
func killGroup(*exec.Cmd) {}
