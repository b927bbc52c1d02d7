//go:build !unix

package privdir

import "io/fs"

// owner is not known outside Unix.
func owner(fs.FileInfo) (int, bool) { return 0, false }
