// Command sendevagt is the Sendevagt binary: the on-send service (serve, the default), the scan
// command line, local-mode tokens and the hidden extraction worker. main only parses flags and
// wires the parts together.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
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
  sendevagt [serve] [flags]        run the on-send service (HTTPS; local mode without configuration)
  sendevagt scan [flags] FILE...   scan a message (.eml/.msg) or attachments and print the verdict
  sendevagt token [flags]          print a bearer token for a service in local mode
  sendevagt manifest [flags]       print the Outlook add-in manifest for the service (--public-url)
  sendevagt addin-bundle [flags]   write the add-in as a static site for its own origin (--api-url, --addin-url, --out)
  sendevagt help                   show this help

Run 'sendevagt serve -h' or 'sendevagt scan -h' for their flags.
`

// run is main without the process: a test calls it with its own arguments and writers.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "-help" && args[0] != "--help" {
		return runServe(ctx, args, stdout, stderr) // serve is the default command
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "token":
		return runToken(ctx, args[1:], stdout, stderr)
	case "scan":
		return runScan(ctx, args[1:], stdout, stderr)
	case "manifest":
		return runManifest(ctx, args[1:], stdout, stderr)
	case "addin-bundle":
		return runBundle(ctx, args[1:], stdout, stderr)
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
