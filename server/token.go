package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sendevagt/sendevagt/internal/localmode"
)

// runToken is `sendevagt token`: a development token for local mode, signed with the key in the
// data directory, shaped like an Entra ID access token for the service.
func runToken(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", os.Getenv("SENDEVAGT_DATA_DIR"), "the service's data `DIR` [SENDEVAGT_DATA_DIR]")
	publicURL := fs.String("public-url", os.Getenv("SENDEVAGT_PUBLIC_URL"), "the service's public `URL` [SENDEVAGT_PUBLIC_URL]")
	user := fs.String("user", "medarbejder@kommune.example", "the user's `ADDRESS` (preferred_username)")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: sendevagt token [flags]\n\nPrints a bearer token for a service running in local mode.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitAllow
		}
		return exitUsage
	}
	cfg := &serveConfig{DataDir: *dataDir, PublicURL: *publicURL}
	if err := cfg.complete(os.Getenv); err != nil {
		fmt.Fprintf(stderr, "sendevagt token: %v\n", err)
		return exitUsage
	}
	if err := ensureDataDir(cfg.DataDir); err != nil {
		fmt.Fprintf(stderr, "sendevagt token: %v\n", err)
		return exitError
	}
	k, err := localmode.SigningKey(cfg.DataDir)
	if err != nil {
		fmt.Fprintf(stderr, "sendevagt token: %v\n", err)
		return exitError
	}
	tok, err := localmode.Token(k, cfg.PublicURL+localmode.IssuerPath, strings.TrimSpace(*user), *ttl)
	if err != nil {
		fmt.Fprintf(stderr, "sendevagt token: %v\n", err)
		return exitError
	}
	fmt.Fprintln(stdout, tok)
	return exitAllow
}
