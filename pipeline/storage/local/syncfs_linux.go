package local

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFileSystem flushes every dirty file of the file system holding dir
// in one call (syncfs(2)), which also reports an earlier write-back error.
func syncFileSystem(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}
