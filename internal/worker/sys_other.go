//go:build !linux

package worker

import (
	"os"
	"syscall"
)

func limitMemory(limit int64) error { setGoMemoryLimit(limit); return nil }

func privateStdout() (*os.File, error) { return os.Stdout, nil }

func procAttr() *syscall.SysProcAttr { return nil }

func killGroup(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}

func spawnOrphan() int { return 0 }

func growPipe(*os.File) {}
