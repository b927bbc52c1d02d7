package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sendevagt/sendevagt/addin"
	"github.com/sendevagt/sendevagt/manifest"
)

const manifestUsage = `Usage: sendevagt manifest --public-url URL [flags]

Prints the Outlook add-in manifest (XML) for the service at URL, for an admin to deploy in the
Microsoft 365 admin center (Integrated apps). The manifest is checked before it is written: the
command refuses (exit 1) a manifest whose handlers, resources or URLs do not match the add-in
the service serves. The service must also publish
URL/.well-known/microsoft-officeaddins-allowed.json (it does). Every flag but -o can also be set
with the environment variable shown in brackets; a flag wins over its variable.

Flags:
`

// manifestAssociated are the handler names launchevent.js associates (a test replaces it).
var manifestAssociated = addin.AssociatedNames

// runManifest is `sendevagt manifest`.
func runManifest(_ context.Context, args []string, stdout, stderr io.Writer) int {
	opts, out, err := parseManifestFlags(args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitAllow
	}
	if err != nil {
		fmt.Fprintf(stderr, "sendevagt manifest: %v\n", err)
		return exitUsage
	}
	doc, err := manifest.Render(opts)
	if err != nil {
		fmt.Fprintf(stderr, "sendevagt manifest: %v\n", err)
		if errors.Is(err, manifest.ErrInvalidOptions) {
			return exitUsage
		}
		return exitError
	}
	origin, err := opts.AddinOrigin()
	if err != nil {
		fmt.Fprintf(stderr, "sendevagt manifest: %v\n", err)
		return exitUsage
	}
	wk, err := manifest.WellKnown(origin)
	if err != nil {
		fmt.Fprintf(stderr, "sendevagt manifest: %v\n", err)
		return exitUsage
	}
	if errs := manifest.Check(doc, manifest.Expect{Origin: origin, APIOrigin: opts.PublicURL, Associated: manifestAssociated(), WellKnown: wk}); len(errs) > 0 {
		fmt.Fprintf(stderr, "sendevagt manifest: refusing to write a manifest with %d problem(s):\n", len(errs))
		for _, e := range errs {
			fmt.Fprintf(stderr, "  - %v\n", e)
		}
		return exitError
	}
	if out == "" || out == "-" {
		if _, err := stdout.Write(doc); err != nil {
			fmt.Fprintf(stderr, "sendevagt manifest: %v\n", err)
			return exitError
		}
		return exitAllow
	}
	if err := writeFileAtomic(out, doc); err != nil {
		fmt.Fprintf(stderr, "sendevagt manifest: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stderr, "sendevagt manifest: wrote %s\n", out)
	return exitAllow
}

// parseManifestFlags reads the flags of `sendevagt manifest` over their environment variables.
// It returns flag.ErrHelp for -h.
func parseManifestFlags(args []string, getenv func(string) string, stderr io.Writer) (manifest.Options, string, error) {
	var opts manifest.Options
	var out string
	fs := flag.NewFlagSet("manifest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := map[string]string{} // flag name → environment variable
	str := func(p *string, name, envName, def, usage string) {
		env[name] = envName
		fs.StringVar(p, name, def, usage+" ["+envName+"]")
	}
	str(&opts.PublicURL, "public-url", envVar("public-url"), "", "the service's public `URL`, https://host[:port], as Outlook reaches it (required)")
	str(&opts.ClientID, "client-id", envVar("client-id"), "", "application (client) `ID` of the Sendevagt app registration; adds WebApplicationInfo for Office SSO")
	str(&opts.SendMode, "send-mode", envVar("send-mode"), manifest.DefaultSendMode, "OnMessageSend `MODE` when the add-in cannot load or times out: SoftBlock, PromptUser or Block")
	str(&opts.ID, "id", envVar("manifest-id"), "", "the add-in's `GUID` (default derived from the public URL, the same for every run)")
	str(&opts.Version, "version", envVar("manifest-version"), manifest.DefaultVersion, "add-in `VERSION` with four parts; raise it for each change an admin deploys")
	str(&opts.ProviderName, "provider", envVar("manifest-provider"), manifest.DefaultProviderName, "provider `NAME` shown to users and admins")
	str(&opts.AddinURL, "addin-url", envVar("addin-url"), "", "the separate static `URL` serving the add-in's files (sendevagt addin-bundle); default the public URL")
	fs.StringVar(&out, "o", "", "write the manifest to `FILE` instead of standard output")
	fs.Usage = func() { fmt.Fprint(stderr, manifestUsage); fs.PrintDefaults() }

	// Environment first, flags over it.
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name, ok := env[f.Name]
		if !ok || envErr != nil {
			return
		}
		if v := getenv(name); v != "" {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s: %w", name, err)
			}
		}
	})
	if envErr != nil {
		return opts, "", envErr
	}
	if err := fs.Parse(args); err != nil {
		return opts, "", err
	}
	if fs.NArg() > 0 {
		return opts, "", fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if opts.PublicURL == "" {
		return opts, "", fmt.Errorf("--public-url (or %s) is required: the manifest points Outlook at the service", envVar("public-url"))
	}
	return opts, out, nil
}

// writeFileAtomic writes data to name through a temporary file in the same directory, so a
// reader never sees half a manifest.
func writeFileAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
