//go:build !linux

package ocr

import "os/exec"

// isolateTool: elsewhere only the tool itself is killed when its context ends.
func isolateTool(cmd *exec.Cmd) {
	cmd.Cancel = func() error { return cmd.Process.Kill() }
}
