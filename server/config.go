package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sendevagt/sendevagt/internal/scan"
)

// serveConfig is the configuration of `sendevagt serve`: flags, each with a SENDEVAGT_*
// environment variable (the flag wins). With none set, the service runs in local mode.
type serveConfig struct {
	Addr      string
	PublicURL string
	// AddinURL is the separate static origin of the add-in's files (sendevagt addin-bundle), or "".
	AddinURL string
	// AddinCSPReportOnly sends the add-in pages' CSP as report-only.
	AddinCSPReportOnly bool
	// CORSOrigins are the browser origins allowed to call the API ("" = any; bearer tokens only).
	CORSOrigins []string
	DataDir     string
	DatabaseURL string
	TLSCert     string
	TLSKey      string

	TenantIDs            []string
	ClientID             string
	ClientSecret         string
	ClientCert           string
	ClientCertPassword   string
	AuthIssuers          []string
	AuthJWKSURL          string
	AuthAudiences        []string
	AuthClientApps       []string
	AuthorityHost        string
	GraphURL             string
	HMACKey              string
	PolicyFile           string
	PolicyPoll           time.Duration
	LogLevel             string
	Workers              int
	OnSendTimeout        time.Duration
	MaxRequestMB         int64
	MaxInFlight          int
	MaxQueue             int
	MaxPerUser           int
	MaxPrescansPerUser   int
	BodyTimeout          time.Duration
	BodyBufferMB         int64
	DirectoryProbeLimit  int
	DirectoryProbeWindow time.Duration
	ShutdownTimeout      time.Duration
	InlineAttachmentMB   int64
	MaxAttachmentMB      int64
	NotSyncedRetry       time.Duration
	DocumentTimeout      time.Duration
	WorkerMemoryLimitMB  int64
	DebugAddr            string
	InternalAddr         string

	// The Outlook add-in and its manifest.
	SendMode        string
	ManifestID      string
	ManifestVersion string
	AddinMSAL       string
	AddinInlineMB   int64
	CacheMB         int64
	CacheTTL        time.Duration
	PrescanTimeout  time.Duration
	AdminTenant     string
}

// local reports local mode: no identity provider configured. Tokens are then issued by
// `sendevagt token` from a key in the data directory, and Graph is off.
func (c *serveConfig) local() bool { return c.ClientID == "" && c.AuthJWKSURL == "" }

// graphEnabled reports whether drafts can be fetched through Graph (an app with a credential).
func (c *serveConfig) graphEnabled() bool {
	return !c.local() && c.ClientID != "" && (c.ClientSecret != "" || c.ClientCert != "")
}

// envVar names the environment variable of a flag: "public-url" → SENDEVAGT_PUBLIC_URL.
func envVar(flagName string) string {
	return "SENDEVAGT_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

type listValue struct{ p *[]string }

func (l listValue) String() string {
	if l.p == nil {
		return ""
	}
	return strings.Join(*l.p, ",")
}

func (l listValue) Set(v string) error {
	*l.p = nil
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l.p = append(*l.p, s)
		}
	}
	return nil
}

const serveUsage = `Usage: sendevagt serve [flags]

Runs the on-send service over HTTPS. Every flag can also be set with the environment variable
shown in brackets; a flag wins over its variable. With no identity provider configured the
service runs in local mode: https://localhost:8443, a self-signed certificate and SQLite in the
data directory, Graph off, tokens from 'sendevagt token'.

Flags:
`

func parseServeFlags(args []string, getenv func(string) string, stderr io.Writer) (*serveConfig, error) {
	c := &serveConfig{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	str := func(p *string, name, def, usage string) { fs.StringVar(p, name, def, usage+" ["+envVar(name)+"]") }
	list := func(p *[]string, name, usage string) { fs.Var(listValue{p}, name, usage+" ["+envVar(name)+"]") }
	dur := func(p *time.Duration, name string, def time.Duration, usage string) {
		fs.DurationVar(p, name, def, usage+" ["+envVar(name)+"]")
	}
	integer := func(p *int, name string, def int, usage string) { fs.IntVar(p, name, def, usage+" ["+envVar(name)+"]") }
	int64v := func(p *int64, name string, def int64, usage string) {
		fs.Int64Var(p, name, def, usage+" ["+envVar(name)+"]")
	}

	str(&c.Addr, "addr", "", "listen `ADDRESS` (default localhost:8443 in local mode, :8443 otherwise)")
	str(&c.PublicURL, "public-url", "", "the service's public `URL` as Outlook reaches it (default https://localhost:8443)")
	str(&c.DataDir, "data-dir", "", "`DIR` for the SQLite database, the audit spool, keys and the local certificate (default ~/.local/share/sendevagt)")
	str(&c.DatabaseURL, "database-url", "", "database `URL`: sqlite:PATH (default DATA_DIR/sendevagt.db)")
	str(&c.TLSCert, "tls-cert", "", "TLS certificate `FILE` (PEM, with chain); without it a self-signed one is made in DATA_DIR")
	str(&c.TLSKey, "tls-key", "", "TLS private key `FILE` (PEM)")
	list(&c.TenantIDs, "tenant-ids", "Entra ID tenant `IDS` whose users may call the service (comma-separated; * for any)")
	str(&c.ClientID, "client-id", "", "application (client) `ID` of the Sendevagt app registration")
	str(&c.ClientSecret, "client-secret", "", "client `SECRET` for on-behalf-of token exchange (Graph)")
	str(&c.ClientCert, "client-cert", "", "client certificate `FILE` (PEM with private key), instead of a secret")
	str(&c.ClientCertPassword, "client-cert-password", "", "`PASSWORD` of the client certificate's key")
	list(&c.AuthIssuers, "auth-issuer", "accepted token issuer `TEMPLATES`, {tenantid} replaced by the token's tenant (default Entra ID v1 and v2)")
	str(&c.AuthJWKSURL, "auth-jwks-url", "", "`URL` of the token signing keys (default Entra ID's)")
	list(&c.AuthAudiences, "auth-audience", "accepted token `AUDIENCES` (default CLIENT_ID and api://PUBLIC_HOST/CLIENT_ID)")
	list(&c.AuthClientApps, "auth-client-apps", "client app `IDS` allowed to call the API (azp/appid; default Outlook's and Office's own apps and CLIENT_ID for nested app authentication; * for any)")
	str(&c.AuthorityHost, "authority-host", "https://login.microsoftonline.com", "Entra ID authority `URL`")
	str(&c.GraphURL, "graph-url", "https://graph.microsoft.com/v1.0", "Microsoft Graph base `URL`")
	str(&c.HMACKey, "hmac-key", "", "base64 `KEY` (32+ bytes) for keyed hashes in the audit; default a key file in DATA_DIR (replicas must share one)")
	str(&c.PolicyFile, "policy-file", "", "policy `FILE` (YAML) saved as a new policy version at start when it differs from the one in force")
	dur(&c.PolicyPoll, "policy-poll", 5*time.Second, "how often the saved policy is re-read (a policy saved elsewhere takes effect within this)")
	str(&c.LogLevel, "log-level", "info", "`LEVEL`: debug, info, warn, error")
	integer(&c.Workers, "workers", 0, "extraction worker processes (default the number of CPUs)")
	dur(&c.OnSendTimeout, "onsend-timeout", 3500*time.Millisecond, "time for one verdict, Graph included; the add-in waits 0.5 s longer (Outlook's dialog appears at 5 s, loading included)")
	int64v(&c.MaxRequestMB, "max-request-mb", 64, "largest on-send request body in `MB` (inline content is base64)")
	integer(&c.MaxInFlight, "max-in-flight", 0, "on-send requests scanned at once (default 4 per CPU)")
	integer(&c.MaxQueue, "max-queue", 256, "on-send requests waiting for a slot before 503")
	integer(&c.MaxPerUser, "max-per-user", 4, "on-send requests one user may have open at once (body upload included) before 503")
	integer(&c.MaxPrescansPerUser, "max-prescans-per-user", 2, "pre-scan requests one user may have open at once before 503")
	int64v(&c.BodyBufferMB, "body-buffer-mb", 128, "memory for all request bodies held at once, in `MB` (at least twice --max-request-mb); a body finding no room waits within its deadline, then 503")
	dur(&c.BodyTimeout, "body-timeout", 60*time.Second, "longest time a request body may take to arrive; it must also keep up 64 KiB/s after 5 s (408 otherwise)")
	dur(&c.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "time to finish requests on shutdown")
	int64v(&c.InlineAttachmentMB, "graph-inline-attachment-mb", 3, "attachments up to this size in `MB` come in Graph's JSON; larger ones are streamed")
	int64v(&c.MaxAttachmentMB, "max-attachment-mb", 35, "attachments larger than this (`MB`) are not downloaded (too_large)")
	dur(&c.NotSyncedRetry, "graph-not-synced-retry", 1500*time.Millisecond, "how long a draft Graph does not have yet is retried before the add-in is asked for inline content")
	dur(&c.DocumentTimeout, "document-timeout", 0, "time limit per attachment in a worker (default the extraction default)")
	int64v(&c.WorkerMemoryLimitMB, "worker-memory-mb", 0, "address-space limit per worker in `MB` (default the worker default)")
	str(&c.InternalAddr, "internal-addr", "", "`ADDRESS` of the internal listener (plain HTTP, no authentication) for /metrics, /readyz and /healthz; default 127.0.0.1:9090 outside local mode, where they are then not served on the public port; 'public' keeps them on the service port (behind a proxy that does not route them)")
	str(&c.DebugAddr, "debug-addr", "", "loopback `ADDRESS` for Go's pprof profiles (e.g. 127.0.0.1:6060); off by default")
	str(&c.SendMode, "send-mode", "SoftBlock", "the manifest's `MODE` when the add-in cannot run: SoftBlock, PromptUser or Block")
	str(&c.ManifestID, "manifest-id", "", "the add-in's `GUID` in the manifest (default derived from the public URL)")
	str(&c.ManifestVersion, "manifest-version", "1.0.0.0", "the manifest's `VERSION` (raise it for every change: Exchange admins must redeploy)")
	str(&c.AddinURL, "addin-url", "", "the separate static origin `URL` serving the add-in (sendevagt addin-bundle); the manifest then points there, so the add-in and its fail mode load while this service is down")
	list(&c.CORSOrigins, "cors-origins", "browser `ORIGINS` allowed to call /api/ (comma-separated, e.g. the --addin-url); default any (the API takes bearer tokens only)")
	fs.BoolVar(&c.AddinCSPReportOnly, "addin-csp-report-only", false, "send the add-in pages' Content-Security-Policy as report-only (roll it out report-only first) [SENDEVAGT_ADDIN_CSP_REPORT_ONLY]")
	str(&c.AddinMSAL, "addin-msal-js", "", "an msal-browser.min.js `FILE` (v3+) to serve beside the add-in for nested app authentication")
	int64v(&c.AddinInlineMB, "addin-inline-mb", 25, "attachment content the add-in sends inline per request, in `MB`; larger attachments are reported unscanned")
	int64v(&c.CacheMB, "cache-mb", 256, "memory for pre-scanned documents, in `MB` (0 turns the cache and the pre-scan off)")
	dur(&c.CacheTTL, "cache-ttl", time.Hour, "how long a pre-scanned attachment is kept for Send")
	dur(&c.PrescanTimeout, "prescan-timeout", 2*time.Minute, "time for one pre-scan request (OCR of scanned letters happens here)")
	integer(&c.DirectoryProbeLimit, "directory-probe-limit", scan.DefaultProbeLimit, "distinct CPR numbers one user may send to one citizen-directory address per window before the directory confirms none for them (and an alert is logged)")
	dur(&c.DirectoryProbeWindow, "directory-probe-window", scan.DefaultProbeWindow, "the window of --directory-probe-limit")
	str(&c.AdminTenant, "admin-tenant", "", "Entra tenant `ID` administrators sign in with (default the first of TENANT_IDS)")
	fs.Usage = func() { fmt.Fprint(stderr, serveUsage); fs.PrintDefaults() }

	// Environment first, flags over it.
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envVar(f.Name)); v != "" && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s: %w", envVar(f.Name), err)
			}
		}
	})
	if envErr != nil {
		return nil, envErr
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, c.complete(getenv)
}

// complete fills defaults that depend on other settings and checks the combination.
func (c *serveConfig) complete(getenv func(string) string) error {
	if c.DataDir == "" {
		c.DataDir = defaultDataDir(getenv)
	}
	if c.PublicURL == "" {
		c.PublicURL = "https://localhost:8443"
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("public URL %q must be an https URL", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.Addr == "" {
		c.Addr = ":8443"
		if c.local() {
			c.Addr = "localhost:8443"
		}
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, "sendevagt.db")
	}
	if c.InternalAddr == "" && !c.local() {
		c.InternalAddr = "127.0.0.1:9090"
	}
	if c.InternalAddr == "public" {
		c.InternalAddr = ""
	}
	if c.InternalAddr != "" {
		if _, _, err := net.SplitHostPort(c.InternalAddr); err != nil {
			return fmt.Errorf("internal address %q: %w", c.InternalAddr, err)
		}
	}
	if c.DebugAddr != "" {
		host, _, err := net.SplitHostPort(c.DebugAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("debug address %q must be a loopback address such as 127.0.0.1:6060", c.DebugAddr)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("give both the TLS certificate and its key, or neither")
	}
	if c.local() {
		// Identity settings without a client id or key set are a mistake, never local mode: local
		// mode accepts development tokens on whatever address it was given.
		if set := c.partialIdentity(); len(set) > 0 {
			return fmt.Errorf("%s set without SENDEVAGT_CLIENT_ID or SENDEVAGT_AUTH_JWKS_URL: refusing to start in local mode; set the client id (or the key set URL), or unset them", strings.Join(set, ", "))
		}
		return nil
	}
	if len(c.TenantIDs) == 0 {
		return errors.New("SENDEVAGT_TENANT_IDS is required when an identity provider is configured (a comma-separated list, or * for any tenant)")
	}
	if len(c.AuthAudiences) == 0 {
		if c.ClientID == "" {
			return errors.New("SENDEVAGT_CLIENT_ID or SENDEVAGT_AUTH_AUDIENCE is required")
		}
		c.AuthAudiences = []string{c.ClientID, "api://" + u.Host + "/" + c.ClientID}
	}
	switch {
	case len(c.AuthClientApps) == 1 && c.AuthClientApps[0] == "*":
		c.AuthClientApps = nil // any client app
	case len(c.AuthClientApps) == 0:
		c.AuthClientApps = append([]string(nil), officeClientApps...)
		if c.ClientID != "" {
			c.AuthClientApps = append(c.AuthClientApps, c.ClientID) // nested app authentication
		}
	}
	if c.ClientSecret != "" && c.ClientCert != "" {
		return errors.New("give a client secret or a client certificate, not both")
	}
	for _, h := range []struct{ name, v string }{{"authority host", c.AuthorityHost}, {"Graph URL", c.GraphURL}} {
		if hu, err := url.Parse(h.v); err != nil || hu.Scheme != "https" {
			return fmt.Errorf("%s %q must be an https URL", h.name, h.v)
		}
	}
	return nil
}

// officeClientApps are the client ids Office uses when it gets a token for an add-in's API
// (Office's single sign-on, getAccessToken), as Microsoft documents them for "Authorized client
// applications": Microsoft Office (desktop, and the umbrella id), Office on the web and Outlook
// on the web. With nested app authentication the client is the add-in's own app (CLIENT_ID).
var officeClientApps = []string{
	"d3590ed6-52b3-4102-aeff-aad2292ab01c", // Microsoft Office
	"ea5a67f6-b6f3-4338-b240-c655ddc3cc8e", // Microsoft Office (all Office application endpoints)
	"93d53678-613d-4013-afc1-62e9e444a0a5", // Office on the web
	"57fb890c-0dab-4253-a5e0-7188c88b2bb4", // Office on the web
	"08e18876-6177-487e-b8b5-cf950c1e598c", // Office on the web
	"bc59ab01-8403-45c6-8796-ac3ef710b3e3", // Outlook on the web
}

// partialIdentity names the identity settings given although the client id and the key set
// URL are not.
func (c *serveConfig) partialIdentity() []string {
	var set []string
	for _, s := range []struct {
		name string
		on   bool
	}{
		{"SENDEVAGT_TENANT_IDS", len(c.TenantIDs) > 0},
		{"SENDEVAGT_AUTH_AUDIENCE", len(c.AuthAudiences) > 0},
		{"SENDEVAGT_AUTH_ISSUER", len(c.AuthIssuers) > 0},
		{"SENDEVAGT_AUTH_CLIENT_APPS", len(c.AuthClientApps) > 0},
		{"SENDEVAGT_CLIENT_SECRET", c.ClientSecret != ""},
		{"SENDEVAGT_CLIENT_CERT", c.ClientCert != ""},
		{"SENDEVAGT_ADMIN_TENANT", c.AdminTenant != ""},
	} {
		if s.on {
			set = append(set, s.name)
		}
	}
	return set
}

func defaultDataDir(getenv func(string) string) string {
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "sendevagt")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "sendevagt")
	}
	return "sendevagt-data"
}

func mb(n int64) int64 { return n << 20 }
