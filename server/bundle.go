package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/sendevagt/sendevagt/addin"
	"github.com/sendevagt/sendevagt/manifest"
)

const bundleUsage = `Usage: sendevagt addin-bundle --api-url URL --addin-url URL --out DIR [flags]

Writes the Outlook add-in as a static site, so it can be hosted on its own highly available
origin (a static web host or CDN) apart from the API. When the API is down, Outlook still loads
the add-in from there and the add-in applies its fail mode with a Danish message; when the add-in
itself cannot load, Outlook applies the manifest's SendMode instead, which no message of ours
explains. DIR gets:

  addin/                 launchevent.js (configured for the API), commands.html, taskpane.*, assets/
  manifest.xml           the manifest, every file URL on --addin-url (checked before it is written)
  .well-known/microsoft-officeaddins-allowed.json   lists addin/launchevent.js for classic Outlook
  _headers               the response headers the host should send (Content-Security-Policy with
                         the API in connect-src, Cache-Control), in the _headers format of
                         Netlify and Cloudflare Pages; other hosts: set the same by hand

Publish DIR at the root of --addin-url, and run the service with SENDEVAGT_ADDIN_URL set to it
(its /manifest.xml then points there too) and, optionally, SENDEVAGT_CORS_ORIGINS to it. The
fail mode, budget and data path are fixed in the bundle: build it again when they change.
Every flag can also be set with the environment variable shown in brackets; a flag wins.

Flags:
`

type bundleOptions struct {
	manifest  manifest.Options
	out       string
	failMode  string
	budgetMs  int
	graph     bool
	msalFile  string
	inlineMB  int64
	maxAttMB  int64
	officeMax int
	// cspReportOnly writes the pages' CSP as report-only (the rollout's first step).
	cspReportOnly bool
}

// runBundle is `sendevagt addin-bundle`.
func runBundle(_ context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseBundleFlags(args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitAllow
	}
	if err != nil {
		fmt.Fprintf(stderr, "sendevagt addin-bundle: %v\n", err)
		return exitUsage
	}
	files, err := buildBundle(o)
	if err != nil {
		fmt.Fprintf(stderr, "sendevagt addin-bundle: %v\n", err)
		if errors.Is(err, manifest.ErrInvalidOptions) {
			return exitUsage
		}
		return exitError
	}
	for _, name := range addin.SiteNames(files) {
		dst := filepath.Join(o.out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			fmt.Fprintf(stderr, "sendevagt addin-bundle: %v\n", err)
			return exitError
		}
		if err := writeFileAtomic(dst, files[name]); err != nil {
			fmt.Fprintf(stderr, "sendevagt addin-bundle: %v\n", err)
			return exitError
		}
	}
	fmt.Fprintf(stdout, "sendevagt addin-bundle: wrote %d files to %s for %s (API %s)\n", len(files), o.out, o.manifest.AddinURL, o.manifest.PublicURL)
	return exitAllow
}

// buildBundle returns the static site's files by their path under DIR. The manifest is checked
// against the well-known file and the add-in's handlers before anything is written.
func buildBundle(o bundleOptions) (map[string][]byte, error) {
	api, err := manifest.Origin(o.manifest.PublicURL)
	if err != nil {
		return nil, err
	}
	origin, err := manifest.Origin(o.manifest.AddinURL)
	if err != nil {
		return nil, err
	}
	doc, err := manifest.Render(o.manifest)
	if err != nil {
		return nil, err
	}
	wk, err := manifest.WellKnown(origin)
	if err != nil {
		return nil, err
	}
	if errs := manifest.Check(doc, manifest.Expect{Origin: origin, APIOrigin: api, Associated: manifestAssociated(), WellKnown: wk}); len(errs) > 0 {
		return nil, fmt.Errorf("refusing to write a manifest with %d problem(s): %w", len(errs), errors.Join(errs...))
	}
	scope := ""
	if o.manifest.ClientID != "" {
		// Office SSO and NAA ask for the scope under the Application ID URI on the add-in's host.
		scope = "api://" + strings.TrimPrefix(origin, "https://") + "/" + strings.ToLower(o.manifest.ClientID) + "/access_as_user"
	}
	cfg := addin.Config{
		APIBase: api, ClientID: strings.ToLower(o.manifest.ClientID), APIScope: scope, FailMode: o.failMode,
		BudgetMs: o.budgetMs, Graph: o.graph, MaxInlineBytes: o.inlineMB << 20, MaxAttachmentBytes: o.maxAttMB << 20,
		MSAL: o.msalFile != "", Version: version, OfficeConcurrency: o.officeMax, Preview: true,
	}
	site, err := addin.Site(cfg, o.msalFile != "")
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for name, b := range site {
		files["addin/"+name] = b
	}
	if o.msalFile != "" {
		b, err := os.ReadFile(o.msalFile)
		if err != nil {
			return nil, fmt.Errorf("MSAL build: %w", err)
		}
		files["addin/msal-browser.min.js"] = b
	}
	files["manifest.xml"] = doc
	files[strings.TrimPrefix(manifest.WellKnownPath, "/")] = wk
	files["_headers"] = []byte(staticHeaders(api, o.cspReportOnly))
	return files, nil
}

// staticHeaders is the _headers file: the pages' CSP (the API in connect-src), revalidation of
// every file (a new add-in version must reach Outlook at once) and JSON for the well-known file.
func staticHeaders(api string, reportOnly bool) string {
	return "/addin/*\n  Cache-Control: no-cache\n  X-Content-Type-Options: nosniff\n" +
		"/addin/*.html\n  " + addin.CSPHeader(reportOnly) + ": " + addin.CSP(api) + "\n" +
		"/.well-known/microsoft-officeaddins-allowed.json\n  Content-Type: application/json\n  Cache-Control: no-cache\n" +
		"/manifest.xml\n  Content-Type: application/xml; charset=utf-8\n  Cache-Control: no-cache\n"
}

// parseBundleFlags reads the flags of `sendevagt addin-bundle` over their environment variables.
func parseBundleFlags(args []string, getenv func(string) string, stderr io.Writer) (bundleOptions, error) {
	var o bundleOptions
	fs := flag.NewFlagSet("addin-bundle", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := map[string]string{}
	str := func(p *string, name, envName, def, usage string) {
		env[name] = envName
		fs.StringVar(p, name, def, usage+" ["+envName+"]")
	}
	m := &o.manifest
	str(&m.PublicURL, "api-url", envVar("public-url"), "", "the API's public `URL`, https://host[:port] (the service's --public-url; required)")
	str(&m.AddinURL, "addin-url", envVar("addin-url"), "", "the static origin `URL` that will serve the bundle, https://host[:port] (required)")
	str(&m.ClientID, "client-id", envVar("client-id"), "", "application (client) `ID` of the Sendevagt app registration; its Application ID URI must be api://<addin host>/<client id>")
	str(&m.SendMode, "send-mode", envVar("send-mode"), manifest.DefaultSendMode, "`MODE` when the add-in cannot load or times out: SoftBlock, PromptUser or Block")
	str(&m.ID, "id", envVar("manifest-id"), "", "the add-in's `GUID` (default derived from the API URL, as `sendevagt manifest`)")
	str(&m.Version, "version", envVar("manifest-version"), manifest.DefaultVersion, "add-in `VERSION` with four parts; raise it for each change an admin deploys")
	str(&o.failMode, "fail-mode", envVar("bundle-fail-mode"), "warn", "what the add-in does when the API cannot be reached: warn (Send alligevel) or block")
	str(&o.msalFile, "msal-js", envVar("addin-msal-js"), "", "an msal-browser.min.js `FILE` to ship beside the add-in (nested app authentication)")
	env["out"] = ""
	fs.StringVar(&o.out, "out", "", "`DIR` to write the site to (created; files in it are replaced)")
	fs.IntVar(&o.budgetMs, "budget-ms", 4000, "the add-in's time for a verdict in `ms` (the service's --onsend-timeout + 500)")
	fs.BoolVar(&o.graph, "graph", false, "the service reads drafts through Microsoft Graph (Outlook on the web and new Outlook send the item id)")
	fs.Int64Var(&o.inlineMB, "addin-inline-mb", 25, "attachment content the add-in sends inline per request, in `MB`")
	fs.Int64Var(&o.maxAttMB, "max-attachment-mb", 25, "largest attachment the add-in sends inline, in `MB`")
	fs.BoolVar(&o.cspReportOnly, "csp-report-only", false, "send the pages' Content-Security-Policy as report-only (roll it out report-only first)")
	fs.IntVar(&o.officeMax, "office-concurrency", 3, "Office API calls the add-in has in flight at once (Outlook allows 3)")
	fs.Usage = func() { fmt.Fprint(stderr, bundleUsage); fs.PrintDefaults() }

	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name, ok := env[f.Name]
		if !ok || name == "" || envErr != nil {
			return
		}
		if v := getenv(name); v != "" {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s: %w", name, err)
			}
		}
	})
	if envErr != nil {
		return o, envErr
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case m.PublicURL == "":
		return o, errors.New("--api-url is required: the add-in calls the API there")
	case m.AddinURL == "":
		return o, errors.New("--addin-url is required: the manifest points Outlook at the static origin")
	case o.out == "":
		return o, errors.New("--out DIR is required")
	case o.failMode != "warn" && o.failMode != "block":
		return o, fmt.Errorf("--fail-mode %q: use warn or block", o.failMode)
	case o.budgetMs < 1000 || o.budgetMs > 60000:
		return o, fmt.Errorf("--budget-ms %d: use 1000 to 60000", o.budgetMs)
	case o.officeMax < 1 || o.officeMax > 3:
		return o, fmt.Errorf("--office-concurrency %d: use 1 to 3", o.officeMax)
	}
	if u, err := url.Parse(m.AddinURL); err == nil && strings.EqualFold(u.Host, hostOf(m.PublicURL)) {
		return o, errors.New("--addin-url must be another origin than --api-url (the point is that it stays up when the API is down)")
	}
	return o, nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
