//go:build linux

package ocr

import (
	"os/exec"
	"syscall"
)

// isolateTool puts cmd in its own process group, killed as a whole when its context ends, and
// has the kernel kill it when the thread that started it dies (a worker killed at its time
// limit must not leave a tesseract behind: the worker's group kill does not reach this group).
func isolateTool(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
