package authtest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/fakeentra"
)

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
