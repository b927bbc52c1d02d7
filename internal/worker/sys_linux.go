//go:build linux

package worker

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// limitMemory sets RLIMIT_AS so that the process may grow by limit bytes beyond the address
// space it has already reserved: a Go process reserves ~1.2 GB of address space at start-up
// (heap arena index, mostly PROT_NONE), so an absolute 1 GiB limit would fail every allocation.
// The Go memory limit (GC target) is set lower, so the GC works hard before mmap fails; when it
// does, the runtime dies with "fatal error: runtime: out of memory" and the parent reports it.
func limitMemory(limit int64) error {
	base := vmSize()
	rl := &syscall.Rlimit{Cur: uint64(base + limit), Max: uint64(base + limit)}
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, rl); err != nil {
		return fmt.Errorf("setting RLIMIT_AS: %w", err)
	}
	setGoMemoryLimit(limit)
	return nil
}

// vmSize is the process's current address-space size in bytes (0 if unknown).
func vmSize() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if f := bytes.Fields(sc.Bytes()); len(f) >= 2 && string(f[0]) == "VmSize:" {
			n, _ := strconv.ParseInt(string(f[1]), 10, 64)
			return n << 10
		}
	}
	return 0
}

// privateStdout moves the protocol stream to a private descriptor and points fd 1 at stderr, so
// that nothing else in the process (a library, a panic handler, a child process) can write into
// the protocol.
func privateStdout() (*os.File, error) {
	fd, err := syscall.Dup(1)
	if err != nil {
		return nil, fmt.Errorf("dup stdout: %w", err)
	}
	syscall.CloseOnExec(fd)
	if err := syscall.Dup3(2, 1, 0); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("redirecting stdout: %w", err)
	}
	return os.NewFile(uintptr(fd), "protocol"), nil
}

// procAttr starts a worker in its own process group (so it can be killed as a whole) and has
// the kernel kill it when the parent dies.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the worker's process group and every process descended from the worker, also
// those in process groups of their own (a parser's helper program such as pdftotext started
// with Setpgid): the group is stopped first so that nothing can fork or be reaped while the
// descendants are listed.
func killGroup(pid int) {
	syscall.Kill(-pid, syscall.SIGSTOP)
	desc := descendants(pid)
	syscall.Kill(-pid, syscall.SIGKILL)
	syscall.Kill(pid, syscall.SIGKILL)
	own := syscall.Getpgrp()
	for _, d := range desc {
		if pg, err := syscall.Getpgid(d); err == nil && pg != own && pg != pid && pg > 1 {
			syscall.Kill(-pg, syscall.SIGKILL)
		}
		syscall.Kill(d, syscall.SIGKILL)
	}
}

// descendants lists the processes below pid (from /proc/PID/task/TID/children).
func descendants(pid int) []int {
	var out []int
	queue := []int{pid}
	for len(queue) > 0 && len(out) < 10000 {
		p := queue[0]
		queue = queue[1:]
		tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", p))
		for _, t := range tasks {
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", p, t.Name()))
			for _, f := range bytes.Fields(b) {
				if c, err := strconv.Atoi(string(f)); err == nil {
					out = append(out, c)
					queue = append(queue, c)
				}
			}
		}
	}
	return out
}

// spawnOrphan starts a long sleep in a process group of its own (test hook "__spawn__").
func spawnOrphan() int {
	cmd := exec.Command("sleep", "3600")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return 0
	}
	return cmd.Process.Pid
}

// pipeSize is the buffer asked for each worker pipe: a 5 MB attachment then crosses in a few
// large writes instead of eighty 64 KiB ones with a wake-up of the worker each. 1 MiB is the
// largest size an unprivileged process may set by default (/proc/sys/fs/pipe-max-size).
const pipeSize = 1 << 20

// growPipe enlarges a pipe's buffer, best effort (a smaller pipe only costs more wake-ups).
func growPipe(f *os.File) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	const fSetPipeSize = 1031 // F_SETPIPE_SZ, linux/fcntl.h
	rc.Control(func(fd uintptr) {
		syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSize, pipeSize)
	})
}
