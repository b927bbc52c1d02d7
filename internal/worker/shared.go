package worker

import (
	"os"
	"sync"
)

// sharedRegion is the parent's end of a worker's shared request region (shared_linux.go).
type sharedRegion struct {
	file *os.File
	mem  []byte
	once sync.Once // release unmaps once: when the worker is retired, or by the proc's cleanup
}

const (
	// EnvSharedRequests tells a worker the size of the shared request region on its fd 3 (empty
	// or unset: none; requests then carry their bytes in the pipe).
	EnvSharedRequests = "SENDEVAGT_WORKER_SHARED"
	// sharedRequestBytes is each worker's region: requests up to it go through the region, larger
	// ones (rare) through the pipe. The file is sparse, so the size costs address space only.
	sharedRequestBytes = 64 << 20
	// keepSharedBytes is how much of a region keeps its pages between requests; the pages of an
	// unusually large request beyond it are given back after its response (as a worker gave back
	// a request buffer larger than keepRequestBuffer).
	keepSharedBytes = 16 << 20
)
