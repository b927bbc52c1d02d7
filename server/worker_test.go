package main

import (
	"context"
	"os"
	"testing"
)

// TestMain lets the test binary act as `sendevagt worker`: the scan command starts its workers
// with os.Executable() (here: this test binary) and the argument "worker".
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "worker" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// The CLI extracts in worker processes by default; --in-process must give the same answer.
func TestScanWorkersMatchInProcess(t *testing.T) {
	letterFile := writeFile(t, "Afgørelse.txt", letter)
	emlFile := writeFile(t, "sag.eml", eml)
	for _, args := range [][]string{
		{"scan", "--json", "--from", "jonas.fisker@aarhus.dk", "--to", "Patrick Smith <p.smith@yahoo.dk>", letterFile},
		{"scan", "--json", "--show-values", emlFile},
	} {
		code, out, errOut := runCLI(t, args...)
		code2, out2, _ := runCLI(t, append(args, "--in-process")...)
		if code != code2 || out != out2 {
			t.Errorf("%v: workers gave exit %d\n%s\nin-process gave exit %d\n%s\nstderr: %s", args, code, out, code2, out2, errOut)
		}
	}
}

func TestWorkerCommandRejectsArguments(t *testing.T) {
	if code, _, stderr := runCLI(t, "worker", "x"); code != exitUsage {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
}
