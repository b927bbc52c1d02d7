package admin

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/auth"
	"github.com/sendevagt/sendevagt/internal/auth/authtest"
	"github.com/sendevagt/sendevagt/internal/store"
)

// sessionCookie is the cookie package auth keeps the session id in.
const sessionCookie = "__Host-sendevagt-admin"

// testStatus maps error codes to HTTP status as package web does (admin must not import web).
var testStatus = map[string]int{
	apperr.Invalid: 400, apperr.Unauthorized: 401, apperr.Forbidden: 403, apperr.NotFound: 404,
	apperr.TooLarge: 413, apperr.Overloaded: 503, apperr.Unavailable: 503, apperr.Internal: 500,
}

// testClient drives the admin pages through e.ServeHTTP as one signed-in user.
type testClient struct {
	t      *testing.T
	a      *Admin
	e      *echo.Echo
	cookie string // session id ("" = not signed in)
	csrf   string
}

// newTestAdmin builds the pages from cfg (local mode's sign-in with a memory session store
// unless cfg has a sign-in) and a client signed in with roles (none: not signed in).
func newTestAdmin(t *testing.T, cfg Config, roles ...string) (*Admin, *testClient) {
	t.Helper()
	sessions := authtest.NewSessions()
	if cfg.SignIn == nil {
		s, err := auth.NewSignIn(auth.SignInConfig{Sessions: sessions, Local: true, PublicURL: "https://sendevagt.example.dk", Now: cfg.Now})
		if err != nil {
			t.Fatal(err)
		}
		cfg.SignIn = s
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		status := testStatus[apperr.CodeOf(err)]
		var he *echo.HTTPError
		if errors.As(err, &he) {
			status = he.Code
		}
		if status == 0 {
			status = 500
			t.Logf("internal error: %v", err)
		}
		a.RenderError(c, status, apperr.CodeOf(err), apperr.MessageOf(err))
	}
	a.Register(e)
	tc := &testClient{t: t, a: a, e: e}
	if len(roles) > 0 {
		id := "test-session-" + strings.Join(roles, "+")
		tc.cookie, tc.csrf = id, "test-csrf-token"
		err := sessions.SaveSession(context.Background(), store.AdminSession{
			IDHash: auth.HashSessionID(id), Subject: "0b9c8d7e-0000-4000-8000-000000000001", TenantID: "6f1d2c3b-0000-4000-8000-00000000000a",
			Name: "Dorte Databeskyttelse", Email: "dpo@testkommune.dk", Roles: roles, CSRF: tc.csrf,
			Created: time.Now(), Expires: time.Now().Add(time.Hour),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return a, tc
}

func (tc *testClient) do(r *http.Request) *httptest.ResponseRecorder {
	if tc.cookie != "" {
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: tc.cookie})
	}
	w := httptest.NewRecorder()
	tc.e.ServeHTTP(w, r)
	return w
}

// get fetches a page.
func (tc *testClient) get(path string) *httptest.ResponseRecorder {
	return tc.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// post submits a form with the session's CSRF token.
func (tc *testClient) post(path string, form url.Values) *httptest.ResponseRecorder {
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", tc.csrf)
	}
	return tc.postRaw(path, form)
}

// postRaw submits a form as given (no CSRF token added).
func (tc *testClient) postRaw(path string, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return tc.do(r)
}

// postMultipart submits a multipart body (file uploads) with the CSRF token in a header.
func (tc *testClient) postMultipart(path, contentType string, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("X-CSRF-Token", tc.csrf)
	return tc.do(r)
}

func TestSessionMiddleware(t *testing.T) {
	_, anon := newTestAdmin(t, Config{})
	w := anon.get("/admin/")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/admin/login?next=") {
		t.Errorf("anonymous page request: %d %q, want 303 to the sign-in page", w.Code, w.Header().Get("Location"))
	}
	if w := anon.post("/admin/logout", nil); w.Code != http.StatusForbidden {
		t.Errorf("anonymous post: %d, want 403", w.Code)
	}
	_, admin := newTestAdmin(t, Config{}, RoleAdmin)
	if w := admin.postRaw("/admin/logout", url.Values{"_csrf": {"wrong"}}); w.Code != http.StatusForbidden {
		t.Errorf("post with a wrong CSRF token: %d, want 403", w.Code)
	}
}

// The response checks every test here uses.
var (
	wantStatus = authtest.WantStatus
	wantBody   = authtest.WantBody
)
