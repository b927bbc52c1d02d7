//go:build !linux

package extract

import "os/exec"

// isolateTool: elsewhere only the tool itself is killed when its context ends.
func isolateTool(cmd *exec.Cmd) {
	cmd.Cancel = func() error { return cmd.Process.Kill() }
}
