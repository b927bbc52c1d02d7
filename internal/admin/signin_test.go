package admin

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sendevagt/sendevagt/internal/auth"
	"github.com/sendevagt/sendevagt/internal/auth/authtest"
	"github.com/sendevagt/sendevagt/internal/fakeentra"
)

// The sign-in pages against a fake Entra ID. The sign-in itself is tested in package auth.

// oidcEnv is the admin pages signing in against a fake Entra ID.
type oidcEnv struct {
	t        *testing.T
	fake     *fakeentra.Server
	e        *echo.Echo
	sessions *authtest.Sessions
}

func newOIDCEnv(t *testing.T) *oidcEnv {
	t.Helper()
	fake := authtest.StartEntra(t).Fake
	env := &oidcEnv{t: t, fake: fake, sessions: authtest.NewSessions()}
	s, err := auth.NewSignIn(auth.SignInConfig{Sessions: env.sessions, PublicURL: authtest.Public,
		OIDC: &auth.OIDCConfig{Issuer: fake.IssuerV2(authtest.Tenant), ClientID: authtest.ClientID, ClientSecret: authtest.Secret,
			HTTPClient: &http.Client{Transport: fake.Client().Transport, Timeout: 10 * time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	a, tc := newTestAdmin(t, Config{SignIn: s})
	env.e = tc.e
	addWhoami(a, tc.e)
	return env
}

// addWhoami adds a page that shows the signed-in user as JSON.
func addWhoami(a *Admin, e *echo.Echo) {
	e.GET("/admin/test/whoami", func(c echo.Context) error { return c.JSON(http.StatusOK, userOf(c)) }, adminHeaders, a.session)
}

// browser is a browser (authtest) in a test.
type browser struct {
	*authtest.Browser
	t *testing.T
}

func newBrowser(t *testing.T, h http.Handler) *browser { return &browser{authtest.NewBrowser(h), t} }

// whoami returns the signed-in user, or nil when the browser is not signed in.
func (b *browser) whoami() *auth.Person {
	b.t.Helper()
	var u auth.Person
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

func (env *oidcEnv) setUser(roles ...string) { env.entra().SetUser(roles...) }

// The page of a refused sign-in names the roles and offers the button again.
func TestSignInRefusedPage(t *testing.T) {
	env := newOIDCEnv(t)
	env.setUser()
	w := env.signIn(newBrowser(t, env.e), "/admin/")
	wantStatus(t, w, http.StatusForbidden)
	wantBody(t, w, "Sendevagt.Admin", "Sendevagt.Auditor", "mangler rollen", authtest.UserUPN, "Log ind med Microsoft")
	if h := w.Header().Get("Cache-Control"); h != "no-store" {
		t.Errorf("Cache-Control %q", h)
	}
}

func TestLoginPage(t *testing.T) {
	env := newOIDCEnv(t)
	b := newBrowser(t, env.e)
	w := b.Get("/admin/login?next=" + url.QueryEscape("/admin/audit?action=block&page=2"))
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, `lang="da"`, "<h1>Log ind</h1>", "Log ind med Microsoft",
		`href="/admin/login/start?next=%2fadmin%2faudit%3faction%3dblock%26page%3d2"`)
	if strings.Contains(w.Body.String(), "<script") {
		t.Error("the sign-in page has a script")
	}
	// An open-redirect next is not even put in the button.
	w = b.Get("/admin/login?next=" + url.QueryEscape("https://evil.example/"))
	if strings.Contains(w.Body.String(), "evil") {
		t.Error("the button carries an outside next")
	}
	// Signed in: straight on.
	env.setUser(RoleAdmin)
	env.signIn(b, "")
	if w := b.Get("/admin/login?next=/admin/policy"); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/policy" {
		t.Errorf("signed in, sign-in page: %d %q", w.Code, w.Header().Get("Location"))
	}
	// Local mode explains the link and has no Microsoft button.
	_, tc := newTestAdmin(t, Config{})
	w = tc.get("/admin/login")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "engangslink", "Lokal tilstand")
	if strings.Contains(w.Body.String(), "Log ind med Microsoft") {
		t.Error("local mode shows the Microsoft button")
	}
	if w := tc.get("/admin/login/start"); w.Code != http.StatusNotFound {
		t.Errorf("local mode sign-in start: %d, want 404", w.Code)
	}
	// Anonymous page requests are sent to the sign-in page and back.
	if w := tc.get("/admin/audit?x=1"); w.Code != http.StatusSeeOther ||
		w.Header().Get("Location") != "/admin/login?next="+url.QueryEscape("/admin/audit?x=1") {
		t.Errorf("anonymous page: %d %q", w.Code, w.Header().Get("Location"))
	}
}

func TestLogout(t *testing.T) {
	env := newOIDCEnv(t)
	env.setUser(RoleAdmin)
	b := newBrowser(t, env.e)
	wantStatus(t, env.signIn(b, ""), http.StatusSeeOther)
	old := b.Jar[sessionCookie]
	s, _ := env.sessions.GetSession(t.Context(), auth.HashSessionID(old))
	csrf := s.CSRF
	if b.whoami() == nil {
		t.Fatal("not signed in")
	}
	// Without the CSRF token the session stays.
	wantStatus(t, b.Post("/admin/logout", url.Values{}), http.StatusForbidden)
	if b.whoami() == nil {
		t.Fatal("a logout without CSRF token ended the session")
	}
	w := b.Post("/admin/logout", url.Values{"_csrf": {csrf}})
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/admin/login?ok=logged-out" {
		t.Errorf("logout redirects to %q", loc)
	}
	if ck := authtest.FindCookie(w, sessionCookie); ck == nil || ck.MaxAge >= 0 || ck.Value != "" || !ck.Secure || ck.Path != "/" {
		t.Errorf("logout cookie %+v, want it deleted", ck)
	}
	if wantBody(t, b.Get(loc(w)), "Du er logget ud"); b.whoami() != nil {
		t.Error("still signed in after logout")
	}
	// The old cookie no longer works.
	stale := newBrowser(t, env.e)
	stale.Jar[sessionCookie] = old
	if stale.whoami() != nil {
		t.Error("the old session cookie still works")
	}
	if w := stale.Post("/admin/logout", url.Values{"_csrf": {csrf}}); w.Code != http.StatusForbidden {
		t.Errorf("post with the old cookie: %d, want 403", w.Code)
	}
}

func loc(w *httptest.ResponseRecorder) string { return w.Header().Get("Location") }
