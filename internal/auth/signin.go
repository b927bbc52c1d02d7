package auth

// Sign-in of people to the admin pages: OpenID Connect with Entra ID (authorization code with
// PKCE, confidential client) and the one-time sign-in link of local mode. Each step returns an
// Outcome (a redirect, or the sign-in page with a Danish message); the pages render it.

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCConfig is the Entra ID app used to sign administrators in.
type OIDCConfig struct {
	// Issuer is the tenant's v2 issuer, https://login.microsoftonline.com/<tenant id>/v2.0 (a
	// tenant-specific one: the multi-tenant aliases have no fixed issuer).
	Issuer       string
	ClientID     string
	ClientSecret string
	// HTTPClient reaches Entra ID (discovery, keys, token endpoint); default a client with a
	// 15-second timeout.
	HTTPClient *http.Client
	// Scopes requested; default openid, profile and email.
	Scopes []string
}

// Sign-in timing.
const (
	pendingLoginTTL  = 10 * time.Minute // from the sign-in button to the callback
	localLinkTTL     = 24 * time.Hour   // the one-time link of local mode
	discoveryTimeout = 10 * time.Second
)

// localSubject is the subject of a session from local mode's one-time link.
const localSubject = "local"

// loginCookie binds a sign-in under way to the browser that started it (its value is the state),
// so a callback URL from someone else's sign-in cannot sign this browser in (login CSRF).
const loginCookie = "__Host-sendevagt-login"

// oidcClient is the OpenID Connect relying party. Discovery happens at start; when Entra ID
// cannot be reached then, it is retried at the next sign-in.
type oidcClient struct {
	cfg         OIDCConfig
	redirectURL string
	now         func() time.Time

	mu       sync.Mutex // held while discovering, so only one discovery runs at a time
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// ready returns the OAuth2 config and ID-token verifier, discovering the provider if that has
// not succeeded yet.
func (o *oidcClient) ready(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.oauth != nil {
		return o.oauth, o.verifier, nil
	}
	ctx, cancel := context.WithTimeout(ctx, discoveryTimeout)
	defer cancel()
	p, err := oidc.NewProvider(o.ctx(ctx), o.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("auth: OpenID discovery at %s: %w", o.cfg.Issuer, err)
	}
	ep := p.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInParams // client_secret in the body, as Entra ID documents
	o.oauth = &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: ep,
		RedirectURL: o.redirectURL, Scopes: o.cfg.Scopes}
	// The verifier checks the signature (keys from the provider's JWKS, fetched with our
	// client), the issuer, the audience (our client id) and the expiry.
	o.verifier = p.VerifierContext(o.ctx(context.Background()), &oidc.Config{ClientID: o.cfg.ClientID, Now: o.now})
	return o.oauth, o.verifier, nil
}

// ctx carries the HTTP client for go-oidc and oauth2.
func (o *oidcClient) ctx(ctx context.Context) context.Context {
	ctx = oidc.ClientContext(ctx, o.cfg.HTTPClient)
	return context.WithValue(ctx, oauth2.HTTPClient, o.cfg.HTTPClient)
}

// localLinks is the one-time sign-in link of local mode. Only the token's hash is kept.
type localLinks struct {
	mu      sync.Mutex
	issued  bool // a link was made (once per process)
	used    bool
	hash    [sha256.Size]byte
	expires time.Time
}

// SignInConfig configures the sign-in of people to the admin pages.
type SignInConfig struct {
	// Sessions keeps the sessions (package store). Required.
	Sessions SessionStore
	// OIDC signs administrators in with Entra ID; nil in local mode.
	OIDC *OIDCConfig
	// Local enables the one-time sign-in link (local mode: no identity provider).
	Local bool
	// PublicURL is the service's public URL (the redirect URI, the local link).
	PublicURL string
	// SessionTTL is how long a sign-in lasts (default 8 hours).
	SessionTTL time.Duration
	// RoleTTL is how long the roles of an Entra ID sign-in are trusted (default 1 hour): then
	// the next page sends the browser through Entra ID again (silent while the user's Entra
	// session lives), so a role removed in Entra ID stops working within RoleTTL.
	RoleTTL time.Duration
	// LoginKey seals the cookie of a sign-in under way; the replicas must share it (the server
	// gives the audit key). Empty: a random key for this process.
	LoginKey []byte
	Logger   *slog.Logger
	// Now is the clock (tests).
	Now func() time.Time
}

// SignIn signs people in to the admin pages and keeps their sessions.
type SignIn struct {
	cfg   SignInConfig
	oidc  *oidcClient
	local *localLinks
	login *loginSealer
}

// NewSignIn checks cfg and prepares the sign-in. Entra ID discovery is tried now; when it
// fails the service still starts and discovery is retried at the next sign-in.
func NewSignIn(cfg SignInConfig) (*SignIn, error) {
	if cfg.Sessions == nil {
		return nil, errors.New("auth: a session store is required")
	}
	if cfg.OIDC == nil && !cfg.Local {
		return nil, errors.New("auth: either OIDC or local mode is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.RoleTTL <= 0 {
		cfg.RoleTTL = time.Hour
	}
	login, err := newLoginSealer(cfg.LoginKey)
	if err != nil {
		return nil, err
	}
	a := &SignIn{cfg: cfg, login: login}
	if cfg.Local {
		a.local = &localLinks{}
	}
	if cfg.OIDC == nil {
		return a, nil
	}
	oc := *cfg.OIDC
	oc.Issuer = strings.TrimRight(strings.TrimSpace(oc.Issuer), "/")
	switch {
	case oc.Issuer == "" || oc.ClientID == "" || oc.ClientSecret == "":
		return nil, errors.New("auth: OIDC needs an issuer, a client id and a client secret")
	case cfg.PublicURL == "":
		return nil, errors.New("auth: OIDC needs the public URL (for the redirect URI)")
	}
	if u, err := url.Parse(oc.Issuer); err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("auth: OIDC issuer %q is not an https URL", oc.Issuer)
	}
	if oc.HTTPClient == nil {
		oc.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if len(oc.Scopes) == 0 {
		oc.Scopes = []string{oidc.ScopeOpenID, "profile", "email"}
	} else if !slices.Contains(oc.Scopes, oidc.ScopeOpenID) {
		oc.Scopes = append([]string{oidc.ScopeOpenID}, oc.Scopes...)
	}
	a.oidc = &oidcClient{cfg: oc, now: cfg.Now,
		redirectURL: strings.TrimRight(cfg.PublicURL, "/") + callbackPath}
	if _, _, err := a.oidc.ready(context.Background()); err != nil {
		cfg.Logger.Warn("admin sign-in: Entra ID discovery failed; retrying at the next sign-in", "err", err)
	}
	return a, nil
}

// Paths of the sign-in under /admin.
const (
	loginPath    = "/admin/login"
	startPath    = "/admin/login/start"
	callbackPath = "/admin/callback"
	localPath    = "/admin/login/local"
	logoutPath   = "/admin/logout"
	homePath     = "/admin/"
)

// IsSignInPath tells whether path is a step of the sign-in itself, which needs no session.
func IsSignInPath(path string) bool {
	switch path {
	case loginPath, startPath, callbackPath, localPath:
		return true
	}
	return false
}

// Methods tells which ways to sign in are on: Entra ID, the local one-time link.
func (a *SignIn) Methods() (oidc, local bool) { return a.oidc != nil, a.local != nil }

// Outcome is where a sign-in step leads: a redirect to Location with Status, or (Location
// empty) the sign-in page with Status, a Danish Message (may be empty) and the return path Next.
type Outcome struct {
	Status   int
	Location string
	Message  string
	Next     string
}

func redirectTo(status int, location string) Outcome {
	return Outcome{Status: status, Location: location}
}

// page is the sign-in page with a problem (msg, may be empty).
func page(status int, next, msg string) (Outcome, error) {
	return Outcome{Status: status, Next: SafeReturn(next), Message: msg}, nil
}

// LoginPage is GET /admin/login: a signed-in browser goes straight on.
func (a *SignIn) LoginPage(r *http.Request) Outcome {
	next := r.URL.Query().Get("next")
	if s, ok := a.Current(r); ok && !a.Stale(s) {
		return redirectTo(http.StatusSeeOther, SafeReturn(next))
	}
	o, _ := page(http.StatusOK, next, "")
	return o
}

// Start is GET /admin/login/start: a new pending sign-in, then off to Entra ID.
func (a *SignIn) Start(w http.ResponseWriter, r *http.Request) (Outcome, error) {
	next := SafeReturn(r.URL.Query().Get("next"))
	if a.oidc == nil {
		return page(http.StatusNotFound, next, "Log ind med Microsoft er ikke slået til på denne tjeneste.")
	}
	ctx := r.Context()
	oc, _, err := a.oidc.ready(ctx)
	if err != nil {
		a.cfg.Logger.Warn("admin sign-in: Entra ID unavailable", "err", err)
		return page(http.StatusServiceUnavailable, next, "Microsoft Entra ID kan ikke nås lige nu. Prøv igen om lidt.")
	}
	state, err1 := randomToken(32)
	nonce, err2 := randomToken(32)
	if err := errors.Join(err1, err2); err != nil {
		return Outcome{}, err
	}
	verifier := oauth2.GenerateVerifier()
	expires := a.cfg.Now().Add(pendingLoginTTL)
	if len(next) > maxLoginReturn {
		next = SafeReturn("")
	}
	// Nothing is stored on the server: the sign-in under way is sealed into the login cookie.
	sealed, err := a.login.seal(loginState{State: state, Nonce: nonce, Verifier: verifier, ReturnTo: next, Expires: expires.Unix()})
	if err != nil {
		return Outcome{}, err
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: sealed, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(pendingLoginTTL / time.Second)})
	to := oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("prompt", "select_account"))
	return redirectTo(http.StatusFound, to), nil
}

// Danish messages of the callback.
const (
	msgUnknownLogin = "Log-ind-forsøget er ukendt, udløbet eller allerede brugt. Start forfra med knappen herunder."
	msgOtherBrowser = "Log-ind-forsøget blev ikke startet i denne browser. Start forfra med knappen herunder."
	msgBadToken     = "Svaret fra Microsoft kunne ikke godkendes, så du er ikke logget ind. Prøv igen, og kontakt IT, hvis det bliver ved."
)

// Callback is GET /admin/callback, where Entra ID sends the browser back.
func (a *SignIn) Callback(w http.ResponseWriter, r *http.Request) (Outcome, error) {
	q := r.URL.Query()
	ctx := r.Context()
	log := a.cfg.Logger
	ck, _ := r.Cookie(loginCookie)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	if a.oidc == nil {
		return page(http.StatusNotFound, "", "Log ind med Microsoft er ikke slået til på denne tjeneste.")
	}
	state := q.Get("state")
	if state == "" || len(state) > 128 {
		log.Info("admin sign-in refused: unknown or expired state")
		return page(http.StatusBadRequest, "", msgUnknownLogin)
	}
	// The sign-in under way is the one sealed in this browser's login cookie (cleared above, so
	// it is used once); its state must be the one Entra ID sent back.
	var pl loginState
	if ck != nil {
		var err error
		if pl, err = a.login.open(ck.Value, a.cfg.Now()); err != nil {
			log.Info("admin sign-in refused: login cookie not valid or expired")
			return page(http.StatusBadRequest, "", msgUnknownLogin)
		}
	}
	if ck == nil || subtle.ConstantTimeCompare([]byte(pl.State), []byte(state)) != 1 {
		log.Warn("admin sign-in refused: state not bound to this browser")
		return page(http.StatusBadRequest, pl.ReturnTo, msgOtherBrowser)
	}
	if e := q.Get("error"); e != "" {
		log.Info("admin sign-in: Entra ID returned an error", "error", e, "description", q.Get("error_description"))
		return page(http.StatusBadRequest, pl.ReturnTo, entraErrorMessage(e, q.Get("error_description")))
	}
	code := q.Get("code")
	if code == "" {
		return page(http.StatusBadRequest, pl.ReturnTo, msgUnknownLogin)
	}
	oc, verifier, err := a.oidc.ready(ctx)
	if err != nil {
		log.Warn("admin sign-in: Entra ID unavailable", "err", err)
		return page(http.StatusServiceUnavailable, pl.ReturnTo, "Microsoft Entra ID kan ikke nås lige nu. Prøv igen om lidt.")
	}
	tok, err := oc.Exchange(a.oidc.ctx(ctx), code, oauth2.VerifierOption(pl.Verifier))
	if err != nil {
		log.Warn("admin sign-in: code exchange failed", "err", err)
		return page(http.StatusBadRequest, pl.ReturnTo, msgBadToken)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		log.Warn("admin sign-in: no id_token in the token response")
		return page(http.StatusBadRequest, pl.ReturnTo, msgBadToken)
	}
	idt, err := verifier.Verify(a.oidc.ctx(ctx), raw)
	if err != nil {
		log.Warn("admin sign-in: ID token refused", "err", err)
		return page(http.StatusBadRequest, pl.ReturnTo, msgBadToken)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(pl.Nonce)) != 1 {
		log.Warn("admin sign-in: ID token nonce mismatch")
		return page(http.StatusBadRequest, pl.ReturnTo, msgBadToken)
	}
	var cl struct {
		OID               string   `json:"oid"`
		TID               string   `json:"tid"`
		Name              string   `json:"name"`
		PreferredUsername string   `json:"preferred_username"`
		Roles             []string `json:"roles"`
	}
	if err := idt.Claims(&cl); err != nil || cl.OID == "" {
		log.Warn("admin sign-in: ID token without oid", "err", err)
		return page(http.StatusBadRequest, pl.ReturnTo, msgBadToken)
	}
	var roles []string
	for _, r := range []string{RoleAdmin, RoleAuditor} {
		if slices.Contains(cl.Roles, r) {
			roles = append(roles, r)
		}
	}
	who := cl.PreferredUsername
	if who == "" {
		who = cl.Name
	}
	if len(roles) == 0 {
		log.Info("admin sign-in refused: no Sendevagt role", "oid", cl.OID, "tid", cl.TID)
		return page(http.StatusForbidden, pl.ReturnTo, fmt.Sprintf(
			"Kontoen %s mangler rollen %s eller %s i Sendevagt-appen i Microsoft Entra ID. Bed en administrator om at tildele dig rollen, og log ind igen.",
			who, RoleAdmin, RoleAuditor))
	}
	u := Person{Subject: cl.OID, TenantID: cl.TID, Name: cl.Name, Email: cl.PreferredUsername, Roles: roles}
	if err := a.startSession(w, r, u); err != nil {
		return Outcome{}, err
	}
	log.Info("admin signed in", "oid", cl.OID, "tid", cl.TID, "roles", roles)
	return redirectTo(http.StatusSeeOther, SafeReturn(pl.ReturnTo)), nil
}

var (
	entraCodeRE   = regexp.MustCompile(`^[a-z_]{1,64}$`)
	entraAADSTSRE = regexp.MustCompile(`AADSTS\d{1,9}`)
)

// entraErrorMessage turns an error Entra ID sent back into a Danish message. Only the error code
// and the AADSTS number are shown: the description comes from the query string, and anyone can
// write a link with text of their own.
func entraErrorMessage(code, description string) string {
	msg := "Microsoft afviste log-ind."
	switch code {
	case "access_denied":
		msg = "Log-ind blev afbrudt eller afvist hos Microsoft."
	case "consent_required", "interaction_required", "login_required":
		msg = "Microsoft kræver, at en administrator giver samtykke til Sendevagt-appen, før du kan logge ind."
	case "temporarily_unavailable", "server_error":
		msg = "Microsoft Entra ID havde en midlertidig fejl. Prøv igen om lidt."
	}
	if !entraCodeRE.MatchString(code) {
		code = "ukendt"
	}
	detail := code
	if n := entraAADSTSRE.FindString(description); n != "" {
		detail += ", " + n
	}
	return msg + " (Fejlkode fra Microsoft: " + detail + ".)"
}

// LocalSignInURL makes the one-time sign-in link of local mode, valid for 24 hours and for one
// sign-in from this machine. It makes one per process: later calls (and calls outside local
// mode) return "". The service prints it at start; restarting makes a new one.
func (a *SignIn) LocalSignInURL() string {
	if a.local == nil {
		return ""
	}
	l := a.local
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.issued {
		return ""
	}
	token, err := randomToken(32)
	if err != nil {
		a.cfg.Logger.Error("admin: making the local sign-in link", "err", err)
		return ""
	}
	l.issued, l.hash, l.expires = true, sha256.Sum256([]byte(token)), a.cfg.Now().Add(localLinkTTL)
	return strings.TrimRight(a.cfg.PublicURL, "/") + localPath + "?token=" + url.QueryEscape(token)
}

// Local is GET /admin/login/local?token=: the one-time link, from this machine only.
func (a *SignIn) Local(w http.ResponseWriter, r *http.Request) (Outcome, error) {
	if a.local == nil {
		return page(http.StatusNotFound, "", "Engangslinket findes kun i lokal tilstand.")
	}
	if !loopbackRemote(r.RemoteAddr) || !localhostHost(r.Host) {
		a.cfg.Logger.Warn("admin local sign-in refused: not from this machine", "remote", r.RemoteAddr, "host", r.Host)
		return page(http.StatusForbidden, "", "Engangslinket virker kun fra den maskine, tjenesten kører på, via http(s)://localhost eller 127.0.0.1.")
	}
	token := r.URL.Query().Get("token")
	sum := sha256.Sum256([]byte(token))
	l := a.local
	l.mu.Lock()
	ok := l.issued && !l.used && token != "" && subtle.ConstantTimeCompare(sum[:], l.hash[:]) == 1
	expired := ok && !a.cfg.Now().Before(l.expires)
	if ok && !expired {
		l.used = true
	}
	l.mu.Unlock()
	switch {
	case !ok:
		a.cfg.Logger.Warn("admin local sign-in refused: unknown or used token")
		return page(http.StatusForbidden, "", "Engangslinket er forkert eller allerede brugt. Genstart tjenesten for at få et nyt link.")
	case expired:
		a.cfg.Logger.Warn("admin local sign-in refused: expired token")
		return page(http.StatusForbidden, "", "Engangslinket er udløbet (det gælder i 24 timer). Genstart tjenesten for at få et nyt link.")
	}
	if err := a.startSession(w, r, Person{Subject: localSubject, Name: "Lokal administrator", Roles: []string{RoleAdmin}}); err != nil {
		return Outcome{}, err
	}
	a.cfg.Logger.Info("admin signed in with the local one-time link")
	return redirectTo(http.StatusSeeOther, homePath), nil
}

// loopbackRemote reports whether the connection's peer address is a loopback address. It is
// the TCP peer, not X-Forwarded-For.
func loopbackRemote(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// localhostHost reports whether the Host header names this machine.
func localhostHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// SafeReturn keeps a post-sign-in destination only when it is a path under /admin/ on this
// site (never an absolute URL, a scheme-relative //host or a path elsewhere: open redirect);
// anything else becomes /admin/.
func SafeReturn(next string) string {
	const home = homePath
	if next == "" || len(next) > 2048 || !strings.HasPrefix(next, "/admin") ||
		strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t\x00") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	p := u.Path
	clean := path.Clean(p)
	if clean != strings.TrimSuffix(p, "/") || (clean != "/admin" && !strings.HasPrefix(clean, "/admin/")) {
		return home // dot segments, doubled slashes, /administrator...
	}
	// Not back into the sign-in itself.
	if IsSignInPath(clean) || clean == logoutPath {
		return home
	}
	return u.RequestURI()
}
