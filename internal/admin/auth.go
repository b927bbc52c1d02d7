package admin

// Sign-in: OpenID Connect with Entra ID (authorization code with PKCE, confidential client), the
// one-time sign-in link of local mode, and sign-out.

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
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
	"github.com/labstack/echo/v4"
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
		return nil, nil, fmt.Errorf("admin: OpenID discovery at %s: %w", o.cfg.Issuer, err)
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

func (a *Admin) initAuth() error {
	if a.cfg.Local {
		a.local = &localLinks{}
	}
	if a.cfg.OIDC == nil {
		return nil
	}
	cfg := *a.cfg.OIDC
	cfg.Issuer = strings.TrimRight(strings.TrimSpace(cfg.Issuer), "/")
	switch {
	case cfg.Issuer == "" || cfg.ClientID == "" || cfg.ClientSecret == "":
		return errors.New("admin: OIDC needs an issuer, a client id and a client secret")
	case a.cfg.PublicURL == "":
		return errors.New("admin: OIDC needs the public URL (for the redirect URI)")
	}
	if u, err := url.Parse(cfg.Issuer); err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("admin: OIDC issuer %q is not an https URL", cfg.Issuer)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{oidc.ScopeOpenID, "profile", "email"}
	} else if !slices.Contains(cfg.Scopes, oidc.ScopeOpenID) {
		cfg.Scopes = append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
	}
	a.oidc = &oidcClient{cfg: cfg, now: a.cfg.Now,
		redirectURL: strings.TrimRight(a.cfg.PublicURL, "/") + "/admin/callback"}
	// The service must start while Entra ID is down: a failed discovery is retried at sign-in.
	if _, _, err := a.oidc.ready(context.Background()); err != nil {
		a.cfg.Logger.Warn("admin sign-in: Entra ID discovery failed; retrying at the next sign-in", "err", err)
	}
	return nil
}

func (a *Admin) authRoutes(g *echo.Group) {
	g.GET("/login", a.loginPage)
	g.GET("/login/start", a.loginStart)
	g.GET("/callback", a.callback)
	g.GET("/login/local", a.localLogin)
	g.POST("/logout", a.logout)
}

// loginData is the sign-in page's data.
type loginData struct {
	OIDC  bool
	Local bool
	Next  string
}

// showLogin renders the sign-in page with status and a problem (msg, may be empty).
func (a *Admin) showLogin(c echo.Context, status int, next, msg string) error {
	return a.render(c, status, "login.html", Page{Title: "Log ind", Error: msg,
		Data: loginData{OIDC: a.oidc != nil, Local: a.local != nil, Next: safeReturn(next)}})
}

// loginPage serves GET /admin/login.
func (a *Admin) loginPage(c echo.Context) error {
	next := c.QueryParam("next")
	if s, ok := a.currentSession(c); ok && !a.staleRoles(s) {
		return c.Redirect(http.StatusSeeOther, safeReturn(next))
	}
	return a.showLogin(c, http.StatusOK, next, "")
}

// loginStart serves GET /admin/login/start: a new pending sign-in, then off to Entra ID.
func (a *Admin) loginStart(c echo.Context) error {
	next := safeReturn(c.QueryParam("next"))
	if a.oidc == nil {
		return a.showLogin(c, http.StatusNotFound, next, "Log ind med Microsoft er ikke slået til på denne tjeneste.")
	}
	ctx := c.Request().Context()
	oc, _, err := a.oidc.ready(ctx)
	if err != nil {
		a.cfg.Logger.Warn("admin sign-in: Entra ID unavailable", "err", err)
		return a.showLogin(c, http.StatusServiceUnavailable, next,
			"Microsoft Entra ID kan ikke nås lige nu. Prøv igen om lidt.")
	}
	state, err1 := randomToken(32)
	nonce, err2 := randomToken(32)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	verifier := oauth2.GenerateVerifier()
	expires := a.cfg.Now().Add(pendingLoginTTL)
	// Nothing is stored on the server: the sign-in under way is sealed into the login cookie.
	sealed, err := a.login.seal(loginState{State: state, Nonce: nonce, Verifier: verifier, ReturnTo: next, Expires: expires.Unix()})
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: loginCookie, Value: sealed, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(pendingLoginTTL / time.Second)})
	to := oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("prompt", "select_account"))
	return c.Redirect(http.StatusFound, to)
}

// Danish messages of the callback.
const (
	msgUnknownLogin = "Log-ind-forsøget er ukendt, udløbet eller allerede brugt. Start forfra med knappen herunder."
	msgOtherBrowser = "Log-ind-forsøget blev ikke startet i denne browser. Start forfra med knappen herunder."
	msgBadToken     = "Svaret fra Microsoft kunne ikke godkendes, så du er ikke logget ind. Prøv igen, og kontakt IT, hvis det bliver ved."
)

// callback serves GET /admin/callback, where Entra ID sends the browser back.
func (a *Admin) callback(c echo.Context) error {
	q := c.QueryParams()
	ctx := c.Request().Context()
	log := a.cfg.Logger
	ck, _ := c.Cookie(loginCookie)
	c.SetCookie(&http.Cookie{Name: loginCookie, Value: "", Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	if a.oidc == nil {
		return a.showLogin(c, http.StatusNotFound, "", "Log ind med Microsoft er ikke slået til på denne tjeneste.")
	}
	state := q.Get("state")
	if state == "" || len(state) > 128 {
		log.Info("admin sign-in refused: unknown or expired state")
		return a.showLogin(c, http.StatusBadRequest, "", msgUnknownLogin)
	}
	// The sign-in under way is the one sealed in this browser's login cookie (cleared above, so
	// it is used once); its state must be the one Entra ID sent back.
	var pl loginState
	if ck != nil {
		var err error
		if pl, err = a.login.open(ck.Value, a.cfg.Now()); err != nil {
			log.Info("admin sign-in refused: login cookie not valid or expired")
			return a.showLogin(c, http.StatusBadRequest, "", msgUnknownLogin)
		}
	}
	if ck == nil || subtle.ConstantTimeCompare([]byte(pl.State), []byte(state)) != 1 {
		log.Warn("admin sign-in refused: state not bound to this browser")
		return a.showLogin(c, http.StatusBadRequest, pl.ReturnTo, msgOtherBrowser)
	}
	if e := q.Get("error"); e != "" {
		log.Info("admin sign-in: Entra ID returned an error", "error", e, "description", q.Get("error_description"))
		return a.showLogin(c, http.StatusBadRequest, pl.ReturnTo, entraErrorMessage(e, q.Get("error_description")))
	}
	code := q.Get("code")
	if code == "" {
		return a.showLogin(c, http.StatusBadRequest, pl.ReturnTo, msgUnknownLogin)
	}
	oc, verifier, err := a.oidc.ready(ctx)
	if err != nil {
		log.Warn("admin sign-in: Entra ID unavailable", "err", err)
		return a.showLogin(c, http.StatusServiceUnavailable, pl.ReturnTo, "Microsoft Entra ID kan ikke nås lige nu. Prøv igen om lidt.")
	}
	tok, err := oc.Exchange(a.oidc.ctx(ctx), code, oauth2.VerifierOption(pl.Verifier))
	if err != nil {
		log.Warn("admin sign-in: code exchange failed", "err", err)
		return a.showLogin(c, http.StatusBadRequest, pl.ReturnTo, msgBadToken)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		log.Warn("admin sign-in: no id_token in the token response")
		return a.showLogin(c, http.StatusBadRequest, pl.ReturnTo, msgBadToken)
	}
	idt, err := verifier.Verify(a.oidc.ctx(ctx), raw)
	if err != nil {
		log.Warn("admin sign-in: ID token refused", "err", err)
		return a.showLogin(c, http.StatusBadRequest, pl.ReturnTo, msgBadToken)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(pl.Nonce)) != 1 {
		log.Warn("admin sign-in: ID token nonce mismatch")
		return a.showLogin(c, http.StatusBadRequest, pl.ReturnTo, msgBadToken)
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
		return a.showLogin(c, http.StatusBadRequest, pl.ReturnTo, msgBadToken)
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
		return a.showLogin(c, http.StatusForbidden, pl.ReturnTo, fmt.Sprintf(
			"Kontoen %s mangler rollen %s eller %s i Sendevagt-appen i Microsoft Entra ID. Bed en administrator om at tildele dig rollen, og log ind igen.",
			who, RoleAdmin, RoleAuditor))
	}
	u := User{Subject: cl.OID, TenantID: cl.TID, Name: cl.Name, Email: cl.PreferredUsername, Roles: roles}
	if err := a.startSession(c, u); err != nil {
		return err
	}
	log.Info("admin signed in", "oid", cl.OID, "tid", cl.TID, "roles", roles)
	return c.Redirect(http.StatusSeeOther, safeReturn(pl.ReturnTo))
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
func (a *Admin) LocalSignInURL() string {
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
	return strings.TrimRight(a.cfg.PublicURL, "/") + "/admin/login/local?token=" + url.QueryEscape(token)
}

// localLogin serves GET /admin/login/local?token=: the one-time link, from this machine only.
func (a *Admin) localLogin(c echo.Context) error {
	if a.local == nil {
		return a.showLogin(c, http.StatusNotFound, "", "Engangslinket findes kun i lokal tilstand.")
	}
	r := c.Request()
	if !loopbackRemote(r.RemoteAddr) || !localhostHost(r.Host) {
		a.cfg.Logger.Warn("admin local sign-in refused: not from this machine", "remote", r.RemoteAddr, "host", r.Host)
		return a.showLogin(c, http.StatusForbidden, "",
			"Engangslinket virker kun fra den maskine, tjenesten kører på, via http(s)://localhost eller 127.0.0.1.")
	}
	token := c.QueryParam("token")
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
		return a.showLogin(c, http.StatusForbidden, "",
			"Engangslinket er forkert eller allerede brugt. Genstart tjenesten for at få et nyt link.")
	case expired:
		a.cfg.Logger.Warn("admin local sign-in refused: expired token")
		return a.showLogin(c, http.StatusForbidden, "",
			"Engangslinket er udløbet (det gælder i 24 timer). Genstart tjenesten for at få et nyt link.")
	}
	if err := a.startSession(c, User{Subject: localSubject, Name: "Lokal administrator", Roles: []string{RoleAdmin}}); err != nil {
		return err
	}
	a.cfg.Logger.Info("admin signed in with the local one-time link")
	return c.Redirect(http.StatusSeeOther, "/admin/")
}

// logout serves POST /admin/logout (the session middleware has checked the session and CSRF).
func (a *Admin) logout(c echo.Context) error {
	if err := a.endSession(c); err != nil {
		return err
	}
	return redirect(c, "/admin/login?"+flashQuery(flashLoggedOut, 0))
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

// safeReturn keeps a post-sign-in destination only when it is a path under /admin/ on this
// site (never an absolute URL, a scheme-relative //host or a path elsewhere: open redirect);
// anything else becomes /admin/.
func safeReturn(next string) string {
	const home = "/admin/"
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
	for _, pp := range append(publicPaths, "/admin/logout") {
		if clean == pp {
			return home
		}
	}
	return u.RequestURI()
}
