package main

import (
	"context"
	"fmt"
	"io"

	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
	"github.com/sendevagt/sendevagt/internal/scan"
	"github.com/sendevagt/sendevagt/internal/worker"
)

// runWorker is the hidden `sendevagt worker` command: the isolated extraction worker that the
// scan command and the service start (package worker). It speaks the worker protocol on
// stdin/stdout and is not meant to be run by hand.
func runWorker(_ context.Context, args []string, _, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "sendevagt worker: takes no arguments (it is started by sendevagt itself)")
		return exitUsage
	}
	return worker.Main(worker.ServeOptions{NewExtractor: newExtractor})
}

// newExtractor is the in-process extractor, used inside the workers and with --in-process.
func newExtractor(lim extract.Limits) worker.Extractor { return formats.New(lim) }

// newExtraction returns the extractor for a scan: a pool of worker processes, or with inProcess
// the extractor in this process (for debugging). close releases it.
func newExtraction(lim extract.Limits, inProcess bool) (x scan.Extractor, close func(), err error) {
	if inProcess {
		return newExtractor(lim), func() {}, nil
	}
	p, err := worker.NewPool(worker.Config{Limits: lim})
	if err != nil {
		return nil, nil, err
	}
	// The command line's files are buffers of their own that nothing changes (readFile).
	return worker.Split{Local: extract.New(lim, extract.WithStableInput()), Isolated: p}, func() { p.Close() }, nil
}
