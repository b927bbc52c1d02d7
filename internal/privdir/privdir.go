// Package privdir makes and checks directories that must be private to the service's user:
// the data directory (database, keys in local mode) and the audit spool. A directory that other
// users can write to is refused, because whatever it holds (a planted key, a forged spool file,
// a swapped database) cannot be trusted; one that other users can only read is made private.
package privdir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ErrNotPrivate is wrapped by Ensure's error for a directory others can write to or that
// belongs to another user.
var ErrNotPrivate = errors.New("directory is not private to the service's user")

// Ensure creates dir (mode 0700) when missing, and refuses (ErrNotPrivate) an existing one that
// is not a directory, belongs to another user, or is writable by its group or by others. Read
// and search bits for group and others on a directory of ours are removed (0700).
func Ensure(dir string) error {
	if dir == "" {
		return errors.New("privdir: no directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("check %s: %w", dir, err)
	}
	return check(dir, fi)
}

func check(dir string, fi fs.FileInfo) error {
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if uid, ok := owner(fi); ok && uid != os.Geteuid() {
		return fmt.Errorf("%w: %s belongs to user %d, the service runs as %d", ErrNotPrivate, dir, uid, os.Geteuid())
	}
	perm := fi.Mode().Perm()
	if perm&0o022 != 0 {
		return fmt.Errorf("%w: %s has mode %#o, writable by other users; what it holds cannot be trusted: check its contents and make it private (chmod 700)",
			ErrNotPrivate, dir, perm)
	}
	if perm&0o077 != 0 {
		if err := os.Chmod(dir, perm&0o700); err != nil {
			return fmt.Errorf("%w: %s has mode %#o and cannot be made private: %w", ErrNotPrivate, dir, perm, err)
		}
	}
	return nil
}
