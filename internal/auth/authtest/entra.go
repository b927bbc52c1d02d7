package authtest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/fakeentra"
)

// The synthetic tenant, app registration and user of the sign-in tests.
const (
	Tenant   = "6f1d2c3b-0000-4000-8000-00000000000a"
	ClientID = "5e3c1a2b-0000-4000-8000-0000000000c1"
	Secret   = "test-client-secret"
	UserOID  = "0b9c8d7e-0000-4000-8000-000000000007"
	UserUPN  = "it-chef@testkommune.dk"
	UserName = "Ida IT-chef"
	Public   = "https://sendevagt.example.dk" // the service's public URL
)

// StartEntra starts a fake Entra ID that knows the test app (ClientID, Secret, and the admin
// pages' callback under Public) for the rest of the test.
func StartEntra(t testing.TB) Entra {
	t.Helper()
	fake, err := fakeentra.Start(fakeentra.App{ClientID: ClientID, Secret: Secret, RedirectURIs: []string{Public + "/admin/callback"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	return Entra{Fake: fake, Tenant: Tenant, Public: Public}
}

// SetUser makes the test user (UserOID, UserUPN) the one who signs in next, with these roles.
func (e Entra) SetUser(roles ...string) {
	e.Fake.SetSignInUser(fakeentra.SignInUser{ObjectID: UserOID, Name: UserName, UPN: UserUPN, Roles: roles})
}

// Entra drives sign-ins to the admin pages against a fake Entra ID.
type Entra struct {
	Fake   *fakeentra.Server
	Tenant string
	Public string // the service's public URL (the redirect URI's base)
}

// Start presses "Log ind med Microsoft" in b and returns the authorize URL and the state.
func (e Entra) Start(t testing.TB, b *Browser, next string) (string, string) {
	t.Helper()
	w := b.Get("/admin/login/start?next=" + url.QueryEscape(next))
	loc := w.Header().Get("Location")
	u, err := url.Parse(loc)
	if w.Code != http.StatusFound || err != nil || !strings.HasPrefix(loc, e.Fake.AuthorizeEndpoint(e.Tenant)+"?") {
		t.Fatalf("sign-in start: %d, redirect to %q\n%s", w.Code, loc, w.Body.String())
	}
	return loc, u.Query().Get("state")
}

// Authorize lets the fake Entra ID answer the authorize request; returns the callback URL.
func (e Entra) Authorize(t testing.TB, authURL string) string {
	t.Helper()
	c := e.Fake.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, e.Public+"/admin/callback?") {
		t.Fatalf("authorize: %d %q", resp.StatusCode, loc)
	}
	return loc
}

// SignIn runs the whole flow in b and returns the callback's answer.
func (e Entra) SignIn(t testing.TB, b *Browser, next string) *httptest.ResponseRecorder {
	t.Helper()
	authURL, _ := e.Start(t, b, next)
	return b.Get(e.Authorize(t, authURL))
}
