package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/sendevagt/sendevagt/internal/auth/authtest"
	"github.com/sendevagt/sendevagt/internal/fakeentra"
)

// oidcEnv is the sign-in against a fake Entra ID, served by a small stand-in for the pages.
type oidcEnv struct {
	t        *testing.T
	fake     *fakeentra.Server
	a        *SignIn
	e        http.Handler
	sessions *authtest.Sessions
	down     *atomic.Bool // makes every request to Entra ID fail
}

// failingTransport fails while down is set (Entra ID unreachable).
type failingTransport struct {
	down *atomic.Bool
	next http.RoundTripper
}

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.down.Load() {
		return nil, errors.New("connection refused (test)")
	}
	return f.next.RoundTrip(r)
}

func newOIDCEnv(t *testing.T, down bool) *oidcEnv {
	t.Helper()
	fake := authtest.StartEntra(t).Fake
	env := &oidcEnv{t: t, fake: fake, sessions: authtest.NewSessions(), down: &atomic.Bool{}}
	env.down.Store(down)
	client := &http.Client{Transport: failingTransport{env.down, fake.Client().Transport}, Timeout: 10 * time.Second}
	env.a = newTestSignIn(t, SignInConfig{Sessions: env.sessions, PublicURL: authtest.Public,
		OIDC: &OIDCConfig{Issuer: fake.IssuerV2(authtest.Tenant), ClientID: authtest.ClientID, ClientSecret: authtest.Secret, HTTPClient: client}})
	env.e = pages(env.a)
	return env
}

// newTestSignIn is NewSignIn with a memory session store and local mode unless cfg says otherwise.
func newTestSignIn(t *testing.T, cfg SignInConfig) *SignIn {
	t.Helper()
	if cfg.Sessions == nil {
		cfg.Sessions = authtest.NewSessions()
	}
	if cfg.OIDC == nil {
		cfg.Local = true
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = authtest.Public
	}
	a, err := NewSignIn(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// pages serves the sign-in steps the way the admin pages do, with the outcome's message as
// the page, and /admin/test/whoami: the signed-in person as JSON.
func pages(a *SignIn) http.Handler {
	mux := http.NewServeMux()
	show := func(w http.ResponseWriter, o Outcome, err error) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if o.Location != "" {
			w.Header().Set("Location", o.Location)
			w.WriteHeader(o.Status)
			return
		}
		w.WriteHeader(o.Status)
		fmt.Fprintf(w, "%s\nnext=%s", o.Message, o.Next)
	}
	for path, step := range map[string]func(http.ResponseWriter, *http.Request) (Outcome, error){
		startPath: a.Start, callbackPath: a.Callback, localPath: a.Local,
	} {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			o, err := step(w, r)
			show(w, o, err)
		})
	}
	mux.HandleFunc("GET "+loginPath, func(w http.ResponseWriter, r *http.Request) { show(w, a.LoginPage(r), nil) })
	mux.HandleFunc("GET /admin/test/whoami", func(w http.ResponseWriter, r *http.Request) {
		s, ok := a.Current(r)
		if !ok || a.Stale(s) {
			w.Header().Set("Location", loginPath)
			w.WriteHeader(http.StatusSeeOther)
			return
		}
		_ = json.NewEncoder(w).Encode(s.Person)
	})
	return mux
}

// browser is a browser (authtest) in a test.
type browser struct {
	*authtest.Browser
	t *testing.T
}

func newBrowser(t *testing.T, h http.Handler) *browser { return &browser{authtest.NewBrowser(h), t} }

// whoami returns the signed-in user, or nil when the browser is not signed in.
func (b *browser) whoami() *Person {
	b.t.Helper()
	var u Person
	if !b.Whoami(b.t, &u) {
		return nil
	}
	return &u
}

// start presses "Log ind med Microsoft" and returns the authorize URL and the state.
func (env *oidcEnv) start(b *browser, next string) (string, string) {
	return env.entra().Start(env.t, b.Browser, next)
}

// authorize lets the fake Entra ID answer the authorize request; returns the callback URL.
func (env *oidcEnv) authorize(authURL string) string { return env.entra().Authorize(env.t, authURL) }

// signIn runs the whole flow and returns the callback's answer.
func (env *oidcEnv) signIn(b *browser, next string) *httptest.ResponseRecorder {
	return env.entra().SignIn(env.t, b.Browser, next)
}

func (env *oidcEnv) entra() authtest.Entra {
	return authtest.Entra{Fake: env.fake, Tenant: authtest.Tenant, Public: authtest.Public}
}

// editLogin changes the sign-in sealed in b's login cookie (as only the service could).
func (env *oidcEnv) editLogin(b *browser, edit func(*loginState)) {
	env.t.Helper()
	l, err := env.a.login.open(b.Jar[loginCookie], time.Now())
	if err != nil {
		env.t.Fatalf("login cookie: %v", err)
	}
	edit(&l)
	if b.Jar[loginCookie], err = env.a.login.seal(l); err != nil {
		env.t.Fatal(err)
	}
}

func (env *oidcEnv) setUser(roles ...string) { env.entra().SetUser(roles...) }

func TestOIDCSignInRoles(t *testing.T) {
	env := newOIDCEnv(t, false)
	tests := []struct {
		name      string
		roles     []string
		wantRoles []string // nil: refused with 403
	}{
		{"admin", []string{RoleAdmin}, []string{RoleAdmin}},
		{"auditor", []string{RoleAuditor}, []string{RoleAuditor}},
		{"both, other roles dropped", []string{"Other.Role", RoleAuditor, RoleAdmin}, []string{RoleAdmin, RoleAuditor}},
		{"no role", nil, nil},
		{"only another app's role", []string{"Sendevagt.Reader", "sendevagt.admin"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env.t = t
			env.setUser(tc.roles...)
			b := newBrowser(t, env.e)
			w := env.signIn(b, "/admin/audit?action=block")
			if tc.wantRoles == nil {
				wantStatus(t, w, http.StatusForbidden)
				wantBody(t, w, "Sendevagt.Admin", "Sendevagt.Auditor", "mangler rollen", authtest.UserUPN)
				if b.Jar[sessionCookie] != "" || b.whoami() != nil {
					t.Error("a user without a role got a session")
				}
				return
			}
			wantStatus(t, w, http.StatusSeeOther)
			if loc := w.Header().Get("Location"); loc != "/admin/audit?action=block" {
				t.Errorf("redirect to %q, want the page asked for", loc)
			}
			u := b.whoami()
			if u == nil {
				t.Fatal("not signed in")
			}
			want := Person{Subject: authtest.UserOID, TenantID: authtest.Tenant, Name: "Ida IT-chef", Email: authtest.UserUPN, Roles: tc.wantRoles}
			if u.Subject != want.Subject || u.TenantID != want.TenantID || u.Name != want.Name || u.Email != want.Email ||
				!slices.Equal(u.Roles, want.Roles) {
				t.Errorf("signed in as %+v, want %+v", u, want)
			}
			if _, ok := b.Jar[loginCookie]; ok {
				t.Error("the sign-in cookie outlived the callback")
			}
		})
	}
}

func TestSessionCookieFlags(t *testing.T) {
	env := newOIDCEnv(t, false)
	env.setUser(RoleAdmin)
	b := newBrowser(t, env.e)
	authURL, _ := env.start(b, "")
	w := b.Get(env.authorize(authURL))
	wantStatus(t, w, http.StatusSeeOther)
	ck := authtest.FindCookie(w, sessionCookie)
	if ck == nil {
		t.Fatal("no session cookie")
	}
	if !strings.HasPrefix(ck.Name, "__Host-") || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode ||
		ck.Path != "/" || ck.Domain != "" {
		t.Errorf("session cookie %+v: want __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain", ck)
	}
	// The store holds the id's hash, never the id.
	byHash, byID := env.sessions.Has(HashSessionID(ck.Value)), env.sessions.Has(ck.Value)
	if !byHash || byID {
		t.Errorf("session stored by hash: %v, by id: %v", byHash, byID)
	}
	// The sign-in cookie of the start has the same flags.
	b2 := newBrowser(t, env.e)
	w = b2.Get("/admin/login/start")
	lc := authtest.FindCookie(w, loginCookie)
	if lc == nil || !lc.Secure || !lc.HttpOnly || lc.SameSite != http.SameSiteLaxMode || lc.Path != "/" || lc.MaxAge <= 0 {
		t.Errorf("sign-in cookie %+v", lc)
	}
}

func TestOIDCCallbackRefusals(t *testing.T) {
	env := newOIDCEnv(t, false)
	env.setUser(RoleAdmin)
	refused := func(t *testing.T, b *browser, w *httptest.ResponseRecorder, status int, body ...string) {
		t.Helper()
		wantStatus(t, w, status)
		wantBody(t, w, body...)
		if authtest.FindCookie(w, sessionCookie) != nil || b.whoami() != nil {
			t.Error("signed in anyway")
		}
	}

	t.Run("missing state", func(t *testing.T) {
		env.t = t
		b := newBrowser(t, env.e)
		authURL, _ := env.start(b, "")
		cb, _ := url.Parse(env.authorize(authURL))
		q := cb.Query()
		q.Del("state")
		refused(t, b, b.Get("/admin/callback?"+q.Encode()), http.StatusBadRequest, "ukendt, udløbet eller allerede brugt")
	})
	t.Run("wrong state", func(t *testing.T) {
		env.t = t
		b := newBrowser(t, env.e)
		authURL, _ := env.start(b, "")
		cb, _ := url.Parse(env.authorize(authURL))
		q := cb.Query()
		q.Set("state", "made-up-state")
		b.Jar[loginCookie] = "made-up-state"
		refused(t, b, b.Get("/admin/callback?"+q.Encode()), http.StatusBadRequest, "ukendt, udløbet eller allerede brugt")
	})
	t.Run("reused state", func(t *testing.T) {
		env.t = t
		b := newBrowser(t, env.e)
		authURL, _ := env.start(b, "")
		sealed := b.Jar[loginCookie]
		cb := env.authorize(authURL)
		wantStatus(t, b.Get(cb), http.StatusSeeOther)
		// The same callback again, with the sign-in cookie put back: the code is spent.
		b2 := newBrowser(t, env.e)
		b2.Jar[loginCookie] = sealed
		refused(t, b2, b2.Get(cb), http.StatusBadRequest, "kunne ikke godkendes")
	})
	t.Run("other browser", func(t *testing.T) {
		env.t = t
		// An attacker starts a sign-in and sends the callback URL to a victim (login CSRF).
		attacker := newBrowser(t, env.e)
		authURL, _ := env.start(attacker, "")
		cb := env.authorize(authURL)
		victim := newBrowser(t, env.e)
		refused(t, victim, victim.Get(cb), http.StatusBadRequest, "ikke startet i denne browser")
		// A login cookie made up by the attacker (not sealed by the service) is refused.
		victim.Jar[loginCookie] = "made-up"
		refused(t, victim, victim.Get(cb), http.StatusBadRequest, "ukendt")
	})
	t.Run("expired pending sign-in", func(t *testing.T) {
		env.t = t
		b := newBrowser(t, env.e)
		authURL, _ := env.start(b, "")
		cb := env.authorize(authURL)
		env.editLogin(b, func(l *loginState) { l.Expires = time.Now().Add(-time.Second).Unix() })
		refused(t, b, b.Get(cb), http.StatusBadRequest, "ukendt, udløbet")
	})
	t.Run("nonce mismatch", func(t *testing.T) {
		env.t = t
		b := newBrowser(t, env.e)
		authURL, _ := env.start(b, "")
		cb := env.authorize(authURL)
		env.editLogin(b, func(l *loginState) { l.Nonce = "another-nonce" })
		refused(t, b, b.Get(cb), http.StatusBadRequest, "kunne ikke godkendes")
	})
	t.Run("PKCE verifier checked", func(t *testing.T) {
		env.t = t
		b := newBrowser(t, env.e)
		authURL, _ := env.start(b, "")
		if u, _ := url.Parse(authURL); u.Query().Get("code_challenge_method") != "S256" || u.Query().Get("code_challenge") == "" ||
			u.Query().Get("nonce") == "" {
			t.Fatalf("authorize URL lacks PKCE or nonce: %s", authURL)
		}
		cb := env.authorize(authURL)
		env.editLogin(b, func(l *loginState) { l.Verifier = oauth2.GenerateVerifier() })
		before := env.fake.TokenRequests()
		refused(t, b, b.Get(cb), http.StatusBadRequest, "kunne ikke godkendes")
		if env.fake.TokenRequests() != before+1 {
			t.Errorf("token requests %d → %d, want one (refused by the fake)", before, env.fake.TokenRequests())
		}
	})
	t.Run("missing code", func(t *testing.T) {
		env.t = t
		b := newBrowser(t, env.e)
		_, state := env.start(b, "")
		refused(t, b, b.Get("/admin/callback?state="+url.QueryEscape(state)), http.StatusBadRequest, "ukendt")
	})
	t.Run("Entra error", func(t *testing.T) {
		env.t = t
		env.fake.SetSignInUser(fakeentra.SignInUser{}) // the user cancels
		defer env.setUser(RoleAdmin)
		b := newBrowser(t, env.e)
		authURL, _ := env.start(b, "")
		refused(t, b, b.Get(env.authorize(authURL)), http.StatusBadRequest, "afbrudt eller afvist", "access_denied", "AADSTS50126")
	})
	t.Run("Entra error text not shown", func(t *testing.T) {
		env.t = t
		b := newBrowser(t, env.e)
		_, state := env.start(b, "")
		q := url.Values{"state": {state}, "error": {"<b>x</b>"}, "error_description": {"Ring straks til 12345678"}}
		w := b.Get("/admin/callback?" + q.Encode())
		refused(t, b, w, http.StatusBadRequest, "Microsoft afviste log-ind", "ukendt")
		if strings.Contains(w.Body.String(), "12345678") || strings.Contains(w.Body.String(), "<b>") {
			t.Errorf("the error description from the query string is shown:\n%s", w.Body.String())
		}
	})
}

func TestSafeReturn(t *testing.T) {
	tests := map[string]string{
		"":                            "/admin/",
		"/admin/":                     "/admin/",
		"/admin":                      "/admin",
		"/admin/audit?action=block":   "/admin/audit?action=block",
		"/admin/policy#frag":          "/admin/policy",
		"https://evil.example/":       "/admin/",
		"https://evil.example/admin":  "/admin/",
		"//evil.example/admin/":       "/admin/",
		"///evil.example/admin/":      "/admin/",
		"/\\evil.example/admin/":      "/admin/",
		"/admin\\..\\x":               "/admin/",
		"/elsewhere":                  "/admin/",
		"/administrator":              "/admin/",
		"/admin/../elsewhere":         "/admin/",
		"/admin/%2e%2e/elsewhere":     "/admin/",
		"/admin//evil.example":        "/admin/",
		"javascript:alert(1)":         "/admin/",
		"/admin/login":                "/admin/",
		"/admin/callback?code=x":      "/admin/",
		"/admin/logout":               "/admin/",
		"/admin/x\r\nSet-Cookie: a=b": "/admin/",
	}
	for in, want := range tests {
		if got := SafeReturn(in); got != want {
			t.Errorf("SafeReturn(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOIDCOpenRedirectRefused(t *testing.T) {
	env := newOIDCEnv(t, false)
	env.setUser(RoleAuditor)
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/elsewhere", "/admin/../elsewhere"} {
		b := newBrowser(t, env.e)
		w := env.signIn(b, next)
		wantStatus(t, w, http.StatusSeeOther)
		if loc := w.Header().Get("Location"); loc != "/admin/" {
			t.Errorf("next=%q: redirected to %q, want /admin/", next, loc)
		}
	}
}

func TestDiscoveryRetriedLazily(t *testing.T) {
	env := newOIDCEnv(t, true) // Entra ID down at start: the service still starts
	b := newBrowser(t, env.e)
	w := b.Get("/admin/login/start")
	wantStatus(t, w, http.StatusServiceUnavailable)
	wantBody(t, w, "kan ikke nås")
	env.down.Store(false)
	env.setUser(RoleAdmin)
	if w := env.signIn(b, "/admin/policy"); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/policy" {
		t.Fatalf("sign-in after Entra ID came back: %d %q", w.Code, w.Header().Get("Location"))
	}
}

func TestNewSignInValidatesOIDC(t *testing.T) {
	for name, c := range map[string]*OIDCConfig{
		"no issuer":   {ClientID: authtest.ClientID, ClientSecret: authtest.Secret},
		"no client":   {Issuer: "https://login.microsoftonline.com/" + authtest.Tenant + "/v2.0", ClientSecret: authtest.Secret},
		"no secret":   {Issuer: "https://login.microsoftonline.com/" + authtest.Tenant + "/v2.0", ClientID: authtest.ClientID},
		"http issuer": {Issuer: "http://login.example/" + authtest.Tenant + "/v2.0", ClientID: authtest.ClientID, ClientSecret: authtest.Secret},
	} {
		if _, err := NewSignIn(SignInConfig{Sessions: authtest.NewSessions(), OIDC: c, PublicURL: authtest.Public}); err == nil {
			t.Errorf("%s: NewSignIn succeeded", name)
		}
	}
}

func loc(w *httptest.ResponseRecorder) string { return w.Header().Get("Location") }

// clock is a settable time for the tests.
type clock struct{ now atomic.Int64 }

func newClock() *clock               { c := &clock{}; c.now.Store(time.Now().UnixNano()); return c }
func (c *clock) Now() time.Time      { return time.Unix(0, c.now.Load()) }
func (c *clock) add(d time.Duration) { c.now.Add(int64(d)) }

func TestLocalSignInLink(t *testing.T) {
	clk := newClock()
	a := newTestSignIn(t, SignInConfig{Now: clk.Now, PublicURL: "http://localhost:8080"})
	e := pages(a)
	link := a.LocalSignInURL()
	if !strings.HasPrefix(link, "http://localhost:8080/admin/login/local?token=") {
		t.Fatalf("LocalSignInURL = %q", link)
	}
	if again := a.LocalSignInURL(); again != "" {
		t.Errorf("second LocalSignInURL = %q, want \"\" (one per process)", again)
	}
	u, _ := url.Parse(link)
	token := u.Query().Get("token")
	if len(token) < 40 {
		t.Errorf("token %q is short", token)
	}
	target := "/admin/login/local?token=" + url.QueryEscape(token)

	refusals := []struct {
		name, remote, host, target, body string
	}{
		{"other machine", "192.0.2.10:50000", "localhost:8080", target, "kun fra den maskine"},
		{"forwarded header does not help", "10.0.0.5:50000", "localhost:8080", target, "kun fra den maskine"},
		{"public host name", "127.0.0.1:50000", "sendevagt.example.dk", target, "kun fra den maskine"},
		{"host that starts with localhost", "127.0.0.1:50000", "localhost.evil.example", target, "kun fra den maskine"},
		{"wrong token", "127.0.0.1:50000", "localhost:8080", "/admin/login/local?token=" + url.QueryEscape(token+"x"), "forkert eller allerede brugt"},
		{"no token", "127.0.0.1:50000", "localhost:8080", "/admin/login/local", "forkert eller allerede brugt"},
	}
	for _, r := range refusals {
		b := newBrowser(t, e)
		b.Remote, b.Host = r.remote, r.host
		req := httptest.NewRequest(http.MethodGet, r.target, nil)
		req.Header.Set("X-Forwarded-For", "127.0.0.1")
		req.Header.Set("X-Real-IP", "127.0.0.1")
		w := b.Do(req)
		if w.Code != http.StatusForbidden || authtest.FindCookie(w, sessionCookie) != nil {
			t.Errorf("%s: %d, want 403 without a session", r.name, w.Code)
		}
		wantBody(t, w, r.body)
	}

	// From this machine: once.
	b := newBrowser(t, e)
	b.Remote, b.Host = "[::1]:50000", "[::1]:8080"
	w := b.Get(target)
	wantStatus(t, w, http.StatusSeeOther)
	if loc(w) != "/admin/" {
		t.Errorf("local sign-in redirects to %q", loc(w))
	}
	me := b.whoami()
	if me == nil || me.Subject != "local" || me.Name != "Lokal administrator" || !slices.Equal(me.Roles, []string{RoleAdmin}) {
		t.Errorf("signed in as %+v", me)
	}
	b2 := newBrowser(t, e)
	b2.Remote, b2.Host = "127.0.0.1:50001", "127.0.0.1:8080"
	w = b2.Get(target)
	wantStatus(t, w, http.StatusForbidden)
	wantBody(t, w, "allerede brugt")

	// Expired after 24 hours.
	clk2 := newClock()
	a2 := newTestSignIn(t, SignInConfig{Now: clk2.Now, PublicURL: "http://127.0.0.1:8080"})
	u2, _ := url.Parse(a2.LocalSignInURL())
	clk2.add(24*time.Hour + time.Second)
	b3 := newBrowser(t, pages(a2))
	b3.Remote, b3.Host = "127.0.0.1:50002", "127.0.0.1:8080"
	w = b3.Get(u2.RequestURI())
	wantStatus(t, w, http.StatusForbidden)
	wantBody(t, w, "udløbet")

	// Not in OIDC mode.
	env := newOIDCEnv(t, false)
	if got := env.a.LocalSignInURL(); got != "" {
		t.Errorf("LocalSignInURL in OIDC mode = %q", got)
	}
	b4 := newBrowser(t, env.e)
	b4.Remote, b4.Host = "127.0.0.1:50003", "localhost"
	if w := b4.Get(target); w.Code != http.StatusNotFound {
		t.Errorf("local link in OIDC mode: %d, want 404", w.Code)
	}
}

// Issue 13: each unauthenticated sign-in start wrote a database row. Now nothing is stored
// until a sign-in succeeds.
func TestSignInStartStoresNothing(t *testing.T) {
	env := newOIDCEnv(t, false)
	for range 50 {
		env.start(newBrowser(t, env.e), "/admin/")
	}
	n := env.sessions.Len()
	if n != 0 {
		t.Errorf("%d rows stored by 50 sign-in starts", n)
	}
}

// A sign-in start with the longest return path SafeReturn accepts still fits its sealed cookie.
func TestSignInStartLongReturnPath(t *testing.T) {
	env := newOIDCEnv(t, false)
	b := newBrowser(t, env.e)
	w := b.Get("/admin/login/start?next=" + url.QueryEscape("/admin/audit?q="+strings.Repeat("a", 2000)))
	wantStatus(t, w, http.StatusFound)
	if len(b.Jar[loginCookie]) == 0 || len(b.Jar[loginCookie]) > maxLoginCookie {
		t.Errorf("login cookie of %d bytes", len(b.Jar[loginCookie]))
	}
}

// The response checks every test here uses.
var (
	wantStatus = authtest.WantStatus
	wantBody   = authtest.WantBody
)
