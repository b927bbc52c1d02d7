// Command sendevagt is the Sendevagt binary: the scan command line now, the on-send service and
// the extraction worker later. main only parses flags and wires the parts together.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit statuses of the command line (see DESIGN.md).
const (
	exitAllow  = 0
	exitError  = 1
	exitUsage  = 2
	exitWarn   = 3
	exitSecure = 4
	exitBlock  = 5
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `Sendevagt stops citizens' personal data from leaving by email to the wrong person or unencrypted.

Usage:
  sendevagt scan [flags] FILE...   scan a message (.eml) or attachments and print the verdict
  sendevagt help                   show this help

Run 'sendevagt scan -h' for the scan flags.
`

// run is main without the process: a test calls it with its own arguments and writers.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "scan":
		return runScan(ctx, args[1:], stdout, stderr)
	case "worker": // hidden: the extraction worker process
		return runWorker(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitAllow
	default:
		fmt.Fprintf(stderr, "sendevagt: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
}
