//go:build unix

package privdir

import (
	"io/fs"
	"syscall"
)

// owner is the uid owning fi.
func owner(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
