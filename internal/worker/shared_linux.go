//go:build linux

package worker

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// A shared region is a memory file (memfd) that the parent maps read-write and hands to one
// worker as its fd 3; the worker maps it read-only. A request's bytes are copied into it once,
// and the worker reads them where they are: no pipe copy on either side and no wake-up per pipe
// buffer. The parent only ever writes the region, never reads it, so nothing a worker does to
// it (it holds the descriptor) can change what the parent believes; the seals keep its size
// fixed, so a worker cannot shrink the file under the parent's mapping (the parent's next copy
// would die of SIGBUS).

// newSharedRegion creates and maps a sealed region of size bytes. The file is sparse: only the
// pages a request fills take memory.
func newSharedRegion(size int) (*sharedRegion, error) {
	fd, err := unix.MemfdCreate("sendevagt-request", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), "sendevagt-request")
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		f.Close()
		return nil, fmt.Errorf("sizing the shared region: %w", err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_SEAL); err != nil {
		f.Close()
		return nil, fmt.Errorf("sealing the shared region: %w", err)
	}
	mem, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("mapping the shared region: %w", err)
	}
	return &sharedRegion{file: f, mem: mem}, nil
}

// release unmaps the region and closes its file, once. Only the region's owner calls it, when no
// request can use it any more.
func (r *sharedRegion) release() {
	r.once.Do(func() {
		unix.Munmap(r.mem)
		r.file.Close()
	})
}

// trim gives back the memory of the region beyond keep bytes after a request of used bytes
// (best effort: a region that keeps its pages only costs memory).
func (r *sharedRegion) trim(keep, used int) {
	if used <= keep {
		return
	}
	unix.Fallocate(int(r.file.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, int64(keep), int64(used-keep))
}

// mapSharedRequests maps the worker's end of the region (fd 3, size bytes) read-only and closes
// the descriptor.
func mapSharedRequests(fd, size int) ([]byte, error) {
	defer unix.Close(fd)
	seals, err := unix.FcntlInt(uintptr(fd), unix.F_GET_SEALS, 0)
	if err != nil {
		return nil, fmt.Errorf("shared region: %w", err)
	}
	if seals&(unix.F_SEAL_SHRINK|unix.F_SEAL_GROW) != unix.F_SEAL_SHRINK|unix.F_SEAL_GROW {
		return nil, fmt.Errorf("shared region: not sealed (seals %#x)", seals)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Size != int64(size) {
		return nil, fmt.Errorf("shared region: size %d, want %d (%v)", st.Size, size, err)
	}
	mem, err := unix.Mmap(fd, 0, size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mapping the shared region: %w", err)
	}
	return mem, nil
}
