package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"github.com/sendevagt/sendevagt/addin"
	"github.com/sendevagt/sendevagt/internal/admin"
	"github.com/sendevagt/sendevagt/internal/doccache"
	"github.com/sendevagt/sendevagt/manifest"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/auth"
	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/directory"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/graph"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/localmode"
	"github.com/sendevagt/sendevagt/internal/logging"
	"github.com/sendevagt/sendevagt/internal/metrics"
	"github.com/sendevagt/sendevagt/internal/onsend"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/scan"
	"github.com/sendevagt/sendevagt/internal/store"
	"github.com/sendevagt/sendevagt/internal/web"
	"github.com/sendevagt/sendevagt/internal/worker"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Main is the running service: Run opens every part and starts listening, Close shuts it down
// gracefully. A test can start it on port 0 and read URL.
type Main struct {
	cfg    *serveConfig
	stdout io.Writer
	logger *slog.Logger

	closers  []func() error // in reverse order of opening
	server   *http.Server
	listener net.Listener
	served   chan error
	url      string
	// internalURL is the internal listener's http://host:port ("" when off).
	internalURL string
	admin       *admin.Admin // nil when the admin pages are off
}

// NewMain returns a Main for cfg; nothing is opened yet.
func NewMain(cfg *serveConfig, stdout, stderr io.Writer) *Main {
	return &Main{cfg: cfg, stdout: stdout, logger: logging.New(stderr, logging.ParseLevel(cfg.LogLevel))}
}

// URL is the address the service listens on (https://host:port), known after Run.
func (m *Main) URL() string { return m.url }

func (m *Main) onClose(f func() error) { m.closers = append(m.closers, f) }

// Run opens the store, the audit, the workers, the token validator and Graph, and starts serving.
// On error everything opened so far is closed.
func (m *Main) Run(ctx context.Context) (err error) {
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	cfg := m.cfg
	if err := ensureDataDir(cfg.DataDir); err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	m.onClose(st.Close)

	key, err := auditKey(cfg.HMACKey, cfg.DataDir, cfg.local())
	if err != nil {
		return err
	}
	if !cfg.local() {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, localmode.AuditKeyFile)); err == nil {
			m.logger.Warn("the data directory holds an audit key file from local mode; it is not used outside local mode: delete it",
				"file", localmode.AuditKeyFile)
		}
	}
	hasher, err := audit.NewHasher(key)
	if err != nil {
		return err
	}

	var met *metrics.Metrics
	pool, err := worker.NewPool(worker.Config{Size: cfg.Workers, MemoryLimit: mb(cfg.WorkerMemoryLimitMB), Limits: m.extractLimits()})
	if err != nil {
		return fmt.Errorf("starting the extraction workers: %w", err)
	}
	m.onClose(pool.Close)

	var srv *web.Server
	met = metrics.New(metrics.Sources{
		WorkerStarts: pool.Started, WorkerRestarts: pool.Restarts,
		InFlight: func() int {
			if srv == nil {
				return 0
			}
			return srv.InFlight()
		},
	})
	det, err := detect.New(detect.Options{})
	if err != nil {
		return fmt.Errorf("loading detectors: %w", err)
	}
	rec, err := audit.NewRecorder(st, audit.Options{SpoolDir: filepath.Join(cfg.DataDir, "audit-spool"), SpoolKey: key,
		Redactor: det, Logger: m.logger, Observer: met})
	if err != nil {
		return fmt.Errorf("starting the audit: %w", err)
	}
	m.onClose(rec.Close)
	met.AddAuditPending(rec.Pending)

	if err := m.loadPolicyFile(ctx, st); err != nil {
		return err
	}
	live, err := policy.NewLive(ctx, func(ctx context.Context) (int, []byte, error) {
		pv, err := st.LatestPolicy(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return 0, nil, nil
		}
		return pv.Version, pv.YAML, err
	}, cfg.PolicyPoll, m.logger)
	if err != nil {
		return err
	}
	m.onClose(func() error { live.Close(); return nil })

	// The pre-scan document cache; SENDEVAGT_CACHE_MB=0 turns it (and the pre-scan) off.
	var scanCache scan.Cache
	var sendCache onsend.Cache
	var preparer onsend.Preparer
	if cfg.CacheMB > 0 {
		cache := doccache.New(doccache.Options{MaxBytes: mb(cfg.CacheMB), TTL: cfg.CacheTTL})
		met.AddDocumentCache(func() metrics.CacheStats {
			st := cache.Stats()
			return metrics.CacheStats{Entries: st.Entries, Bytes: st.Bytes, Hits: st.Hits, Misses: st.Misses}
		})
		scanCache, sendCache = cache, cache
	}
	// Plain text is read in this process (no parser runs on it: the core extractor without the
	// format readers is enough); every other format in workers.
	local := extract.New(m.extractLimits())
	scanner := scan.New(worker.Split{Local: local, Isolated: pool}, det, identity.New(det, identity.Options{}), scan.Options{
		Cache: scanCache, Directory: directory.NewLookup(st, hasher), Hasher: hasher, Logger: m.logger,
		// Pre-scans never take the last worker: it is kept for verdicts on Send.
		Background: worker.Split{Local: local, Isolated: pool.Background(1)},
		Probes:     m.probeGuard(met),
	})
	if sendCache != nil {
		preparer = scanner
	}

	validator, err := m.validator(ctx)
	if err != nil {
		return err
	}
	m.onClose(func() error { validator.Close(); return nil })

	var fetcher onsend.Fetcher
	if cfg.graphEnabled() {
		gc, err := m.graphClient(met)
		if err != nil {
			return err
		}
		fetcher = gc
	}
	svc, err := onsend.New(onsend.Config{
		Scanner: scanner, Fetcher: fetcher, Recorder: rec, Policies: live, Hasher: hasher, Redactor: det,
		Observer: met, Logger: m.logger, Budget: cfg.OnSendTimeout,
		Preparer: preparer, Cache: sendCache, Audit: st, Feedback: st, PrescanBudget: cfg.PrescanTimeout,
	})
	if err != nil {
		return err
	}
	addinSite, err := m.addinSite(live)
	if err != nil {
		return err
	}
	adm, err := m.adminPages(ctx, st, svc, hasher, key)
	if err != nil {
		return err
	}
	var adminPages web.AdminPages
	if adm != nil {
		adminPages = adm // a nil *admin.Admin must not become a non-nil interface
	}
	srv, err = web.New(web.Config{
		Addin: addinSite, Admin: adminPages,
		Auth: validator, OnSend: svc, Metrics: met, Logger: m.logger, Version: version,
		MaxBodyBytes: mb(cfg.MaxRequestMB), MaxInFlight: cfg.MaxInFlight, MaxQueue: cfg.MaxQueue,
		MaxPerUser: cfg.MaxPerUser, MaxPrescansPerUser: cfg.MaxPrescansPerUser, BodyTimeout: cfg.BodyTimeout,
		BodyBufferBytes: mb(cfg.BodyBufferMB), CORSOrigins: cfg.CORSOrigins,
		OpsOnInternal: cfg.InternalAddr != "",
		Checks: []web.Check{
			{Name: "database", Run: st.Ping},
			{Name: "workers", Run: pool.Check},
		},
	})
	if err != nil {
		return err
	}
	if err := m.debugServer(); err != nil {
		return err
	}
	if err := m.internalServer(srv.Internal()); err != nil {
		return err
	}
	return m.listen(srv)
}

// probeGuard limits the distinct CPR numbers one user may check against one citizen-directory
// address, and raises the alarm (log line and metric: the user's ids, never a number or an
// address) when someone goes past it.
func (m *Main) probeGuard(met *metrics.Metrics) *scan.ProbeGuard {
	return scan.NewProbeGuard(m.cfg.DirectoryProbeLimit, m.cfg.DirectoryProbeWindow, nil, func(c scan.Caller, address string, distinct int) {
		met.DirectoryProbe()
		m.logger.Warn("citizen directory: many distinct CPR numbers sent to one directory address; the directory confirms none for it until the window has passed",
			slog.String("tid", c.TenantID), slog.String("oid", c.ObjectID), slog.String("address_hash", address[:16]),
			slog.Int("distinct_cpr_numbers", distinct), slog.Duration("window", m.cfg.DirectoryProbeWindow))
	})
}

// adminPages builds the administration pages: Entra ID sign-in with the app registration's
// secret, or in local mode a one-time link printed at start. The citizen directory's expired
// entries are purged every hour.
func (m *Main) adminPages(ctx context.Context, st *store.Store, svc *onsend.Service, hasher *audit.Hasher, key []byte) (*admin.Admin, error) {
	cfg := m.cfg
	scfg := auth.SignInConfig{Sessions: st, Local: cfg.local(), PublicURL: cfg.PublicURL, Logger: m.logger,
		LoginKey: key, // the replicas share it, so a sign-in started on one finishes on another
	}
	if !cfg.local() {
		tenant := cfg.AdminTenant
		if tenant == "" && len(cfg.TenantIDs) > 0 && cfg.TenantIDs[0] != "*" {
			tenant = cfg.TenantIDs[0]
		}
		if tenant == "" || cfg.ClientSecret == "" {
			m.logger.Warn("admin sign-in is off: it needs SENDEVAGT_CLIENT_SECRET and a tenant (SENDEVAGT_ADMIN_TENANT or the first of SENDEVAGT_TENANT_IDS)")
		} else {
			scfg.OIDC = &auth.OIDCConfig{
				Issuer: strings.TrimRight(cfg.AuthorityHost, "/") + "/" + tenant + "/v2.0", ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			}
		}
	}
	if scfg.OIDC == nil && !scfg.Local {
		return nil, nil
	}
	signIn, err := auth.NewSignIn(scfg)
	if err != nil {
		return nil, fmt.Errorf("admin pages: %w", err)
	}
	acfg := admin.Config{
		SignIn: signIn, Policies: st, Audit: st, Directory: st, Console: svc,
		Keys: directory.NewKeys(hasher), Logger: m.logger, SendMode: cfg.SendMode,
	}
	adm, err := admin.New(acfg)
	if err != nil {
		return nil, fmt.Errorf("admin pages: %w", err)
	}
	m.admin = adm
	purgeCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	m.onClose(func() error { stop(); return nil })
	go func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if n, err := adm.PurgeDirectory(purgeCtx); err != nil {
				m.logger.Warn("purging the citizen directory", slog.String("error", err.Error()))
			} else if n > 0 {
				m.logger.Info("citizen directory entries past retention deleted", slog.Int("entries", n))
			}
			select {
			case <-purgeCtx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return adm, nil
}

// addinSite serves the Outlook add-in: launchevent.js configured for this service and the
// live policy's fail mode, the manifest rendered for the public URL, and the well-known file.
func (m *Main) addinSite(live *policy.Live) (*web.Addin, error) {
	cfg := m.cfg
	opts := manifest.Options{PublicURL: cfg.PublicURL, ClientID: cfg.ClientID, SendMode: cfg.SendMode,
		ID: cfg.ManifestID, Version: cfg.ManifestVersion, AddinURL: cfg.AddinURL}
	if _, err := manifest.Render(opts); err != nil {
		return nil, fmt.Errorf("add-in manifest: %w", err)
	}
	wellKnown, err := manifest.WellKnown(cfg.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("add-in well-known file: %w", err)
	}
	if cfg.AddinMSAL != "" {
		if _, err := os.Stat(cfg.AddinMSAL); err != nil {
			return nil, fmt.Errorf("MSAL build for the add-in: %w", err)
		}
	}
	scope := ""
	if cfg.ClientID != "" {
		// The Application ID URI is on the host the add-in's pages come from.
		addinOrigin, err := opts.AddinOrigin()
		if err != nil {
			return nil, fmt.Errorf("add-in URL: %w", err)
		}
		u, _ := url.Parse(addinOrigin)
		scope = "api://" + u.Host + "/" + cfg.ClientID + "/access_as_user"
	}
	// The add-in waits half a second longer than the service takes for a verdict, so the service's
	// own answer (with the documents it could not read in time) arrives before the add-in gives up.
	budget := int((cfg.OnSendTimeout + 500*time.Millisecond) / time.Millisecond)
	return &web.Addin{
		Config: func() addin.Config {
			pol, _ := live.Current()
			return addin.Config{
				APIBase: cfg.PublicURL, ClientID: cfg.ClientID, APIScope: scope, FailMode: string(pol.FailMode),
				BudgetMs: budget, Graph: cfg.graphEnabled(), MaxInlineBytes: mb(cfg.AddinInlineMB),
				MaxAttachmentBytes: mb(cfg.MaxAttachmentMB), MSAL: cfg.AddinMSAL != "", Version: version,
				Preview: cfg.CacheMB > 0,
			}
		},
		Manifest:  func() ([]byte, error) { return manifest.Render(opts) },
		WellKnown: wellKnown,
		MSALFile:  cfg.AddinMSAL,

		CSPReportOnly: cfg.AddinCSPReportOnly,
	}, nil
}

// debugServer serves Go's profiles on a loopback address when SENDEVAGT_DEBUG_ADDR is set.
func (m *Main) debugServer() error {
	if m.cfg.DebugAddr == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", m.cfg.DebugAddr)
	if err != nil {
		return fmt.Errorf("debug listener: %w", err)
	}
	ds := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go ds.Serve(ln)
	m.onClose(ds.Close)
	return nil
}

// internalServer serves /metrics, /readyz and /healthz over plain HTTP on the internal address
// (SENDEVAGT_INTERNAL_ADDR), for Prometheus and the platform's probes; nothing else is there.
func (m *Main) internalServer(h http.Handler) error {
	if m.cfg.InternalAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", m.cfg.InternalAddr)
	if err != nil {
		return fmt.Errorf("internal listener: %w", err)
	}
	m.internalURL = "http://" + ln.Addr().String()
	is := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(m.logger.Handler(), slog.LevelDebug)}
	go is.Serve(ln)
	m.onClose(is.Close)
	m.logger.Info("internal listener (metrics, readiness)", slog.String("addr", ln.Addr().String()))
	return nil
}

func (m *Main) extractLimits() extract.Limits {
	lim := extract.DefaultLimits
	if m.cfg.DocumentTimeout > 0 {
		lim.Timeout = m.cfg.DocumentTimeout
	}
	return lim
}

// validator checks bearer tokens: Entra ID (or the configured issuer), or in local mode the
// development tokens signed with the data directory's key.
func (m *Main) validator(ctx context.Context) (*auth.Validator, error) {
	cfg := m.cfg
	if cfg.local() {
		k, err := localmode.SigningKey(cfg.DataDir)
		if err != nil {
			return nil, fmt.Errorf("local signing key: %w", err)
		}
		jwks, err := localmode.JWKS(k)
		if err != nil {
			return nil, err
		}
		return auth.NewValidator(ctx, auth.Config{
			StaticJWKS: jwks, Issuers: []string{cfg.PublicURL + localmode.IssuerPath},
			Audiences: []string{localmode.Audience}, TenantIDs: []string{localmode.Tenant},
		})
	}
	return auth.NewValidator(ctx, auth.Config{
		Issuers: cfg.AuthIssuers, AuthorityHost: cfg.AuthorityHost, JWKSURL: cfg.AuthJWKSURL,
		Audiences: cfg.AuthAudiences, TenantIDs: cfg.TenantIDs, ClientApps: cfg.AuthClientApps,
	})
}

func (m *Main) graphClient(obs graph.Observer) (*graph.Client, error) {
	cfg := m.cfg
	gcfg := graph.Config{
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, CertificatePassword: cfg.ClientCertPassword,
		AuthorityHost: cfg.AuthorityHost, GraphURL: cfg.GraphURL, Observer: obs, Logger: m.logger,
		Limits: graph.Limits{
			InlineAttachmentBytes: mb(cfg.InlineAttachmentMB), MaxAttachmentBytes: mb(cfg.MaxAttachmentMB),
			NotSyncedFor: cfg.NotSyncedRetry,
		},
	}
	if cfg.ClientCert != "" {
		b, err := os.ReadFile(cfg.ClientCert)
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		gcfg.Certificate = b
	}
	gc, err := graph.New(gcfg)
	if err != nil {
		return nil, fmt.Errorf("Microsoft Graph: %w", err)
	}
	return gc, nil
}

// loadPolicyFile saves SENDEVAGT_POLICY_FILE as a new policy version when it differs from the
// latest saved one.
func (m *Main) loadPolicyFile(ctx context.Context, st *store.Store) error {
	if m.cfg.PolicyFile == "" {
		return nil
	}
	data, err := os.ReadFile(m.cfg.PolicyFile)
	if err != nil {
		return fmt.Errorf("policy file: %w", err)
	}
	if _, err := policy.Parse(data); err != nil {
		return fmt.Errorf("policy file %s: %w", m.cfg.PolicyFile, err)
	}
	latest, err := st.LatestPolicy(ctx)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("reading the saved policy: %w", err)
	}
	if err == nil && string(latest.YAML) == string(data) {
		return nil
	}
	pv, err := st.SavePolicy(ctx, data, "configuration", "from "+filepath.Base(m.cfg.PolicyFile))
	if err != nil {
		return fmt.Errorf("saving the policy file: %w", err)
	}
	m.logger.Info("policy file saved", slog.Int("version", pv.Version))
	return nil
}

// listen starts HTTPS on the configured address.
func (m *Main) listen(h http.Handler) error {
	cfg := m.cfg
	var cert tls.Certificate
	var err error
	if cfg.TLSCert != "" {
		cert, err = tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return fmt.Errorf("TLS certificate: %w", err)
		}
	} else {
		u, _ := url.Parse(cfg.PublicURL)
		if cert, err = localmode.Certificate(cfg.DataDir, localmode.Hosts(u.Hostname())); err != nil {
			return fmt.Errorf("self-signed certificate: %w", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	m.listener = ln
	m.server = &http.Server{
		Handler:           h,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}},
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.logger.Handler(), slog.LevelDebug),
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.server.ServeTLS(ln, "", "") }()
	m.url = "https://" + ln.Addr().String()
	m.logger.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("public_url", cfg.PublicURL),
		slog.Bool("local_mode", cfg.local()), slog.Bool("graph", cfg.graphEnabled()), slog.String("version", version))
	return nil
}

// Close stops accepting requests, lets running ones finish (ShutdownTimeout), then closes the
// parts in reverse order: the audit recorder flushes its spool before the database closes.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), m.cfg.ShutdownTimeout)
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
		cancel()
		if err := <-m.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
		m.server = nil
	}
	for i := len(m.closers) - 1; i >= 0; i-- {
		if err := m.closers[i](); err != nil {
			errs = append(errs, err)
		}
	}
	m.closers = nil
	return errors.Join(errs...)
}

// runServe is `sendevagt serve`.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseServeFlags(args, os.Getenv, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitAllow
		}
		fmt.Fprintf(stderr, "sendevagt serve: %v\n", err)
		return exitUsage
	}
	m := NewMain(cfg, stdout, stderr)
	if err := m.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "sendevagt serve: %v\n", err)
		return exitError
	}
	printBanner(stdout, cfg, m.URL(), m.internalURL, m.admin)
	select {
	case <-ctx.Done():
	case err := <-m.served:
		m.served <- err // Close reads it
	}
	m.logger.Info("shutting down")
	if err := m.Close(); err != nil {
		fmt.Fprintf(stderr, "sendevagt serve: shutdown: %v\n", err)
		return exitError
	}
	return exitAllow
}

// printBanner tells the person who started the service where it is and how to call it.
func printBanner(w io.Writer, cfg *serveConfig, listenURL, internalURL string, adm *admin.Admin) {
	fmt.Fprintf(w, "Sendevagt %s is listening on %s (public URL %s)\n", version, listenURL, cfg.PublicURL)
	if cfg.local() {
		fmt.Fprintf(w, "Local mode: self-signed certificate, SQLite and keys in %s; Microsoft Graph off (inline content only).\n", cfg.DataDir)
		fmt.Fprintf(w, "Get a token:  sendevagt token --data-dir %s\n", cfg.DataDir)
		fmt.Fprintf(w, "Try it:       curl -k -H \"Authorization: Bearer $TOKEN\" -d @request.json %s/api/v1/onsend\n", cfg.PublicURL)
	}
	fmt.Fprintf(w, "Outlook add-in manifest: %s/manifest.xml\n", cfg.PublicURL)
	if adm != nil {
		if cfg.local() {
			fmt.Fprintf(w, "Admin page, one-time sign-in link (this machine only, valid 24 h): %s\n", adm.LocalSignInURL())
		} else {
			fmt.Fprintf(w, "Admin page: %s/admin/ (sign in with Entra ID; roles Sendevagt.Admin, Sendevagt.Auditor)\n", cfg.PublicURL)
		}
	}
	ops := cfg.PublicURL
	if internalURL != "" {
		ops = internalURL
		fmt.Fprintf(w, "Internal listener on %s (metrics and readiness; not on the public port)\n", internalURL)
	}
	fmt.Fprintf(w, "Health: %s/healthz  Ready: %s/readyz  Metrics: %s/metrics\n", ops, ops, ops)
}
