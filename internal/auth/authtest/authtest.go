// Package authtest helps tests of the sign-in: a session store in memory and a browser that
// keeps cookies between requests to a handler.
package authtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/store"
)

// Sessions is an in-memory auth.SessionStore.
type Sessions struct {
	mu       sync.Mutex
	sessions map[string]store.AdminSession // by id hash
}

// NewSessions returns an empty store.
func NewSessions() *Sessions { return &Sessions{sessions: map[string]store.AdminSession{}} }

func (m *Sessions) SaveSession(_ context.Context, s store.AdminSession) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[s.IDHash] = s
	return nil
}

func (m *Sessions) GetSession(_ context.Context, idHash string) (store.AdminSession, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[idHash]
	if !ok {
		return store.AdminSession{}, store.ErrNotFound
	}
	return s, nil
}

func (m *Sessions) DeleteSession(_ context.Context, idHash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, idHash)
	return nil
}

// Len is the number of sessions stored.
func (m *Sessions) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sessions)
}

// Has tells whether a session is stored under key.
func (m *Sessions) Has(key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.sessions[key]
	return ok
}

// Age moves the sign-in time of every session back by d.
func (m *Sessions) Age(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, s := range m.sessions {
		s.Created = s.Created.Add(-d)
		m.sessions[k] = s
	}
}

// Browser sends requests to Handler and keeps the cookies they set, as a browser does.
type Browser struct {
	Handler http.Handler
	Jar     map[string]string // cookie name → value
	Remote  string            // RemoteAddr ("" = httptest's 192.0.2.1)
	Host    string            // Host ("" = from the target)
}

// NewBrowser is a browser without cookies.
func NewBrowser(h http.Handler) *Browser { return &Browser{Handler: h, Jar: map[string]string{}} }

// Do sends r with the browser's cookies and keeps the ones the answer sets or deletes.
func (b *Browser) Do(r *http.Request) *httptest.ResponseRecorder {
	for k, v := range b.Jar {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if b.Remote != "" {
		r.RemoteAddr = b.Remote
	}
	if b.Host != "" {
		r.Host = b.Host
	}
	w := httptest.NewRecorder()
	b.Handler.ServeHTTP(w, r)
	for _, ck := range SetCookies(w) {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(b.Jar, ck.Name)
		} else {
			b.Jar[ck.Name] = ck.Value
		}
	}
	return w
}

// Get fetches target.
func (b *Browser) Get(target string) *httptest.ResponseRecorder {
	return b.Do(httptest.NewRequest(http.MethodGet, target, nil))
}

// Post submits form to target.
func (b *Browser) Post(target string, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.Do(r)
}

// Whoami decodes the signed-in user from the test route /admin/test/whoami into u; false when
// the browser is not signed in (the route redirects to the sign-in page).
func (b *Browser) Whoami(t testing.TB, u any) bool {
	t.Helper()
	w := b.Get("/admin/test/whoami")
	if w.Code == http.StatusSeeOther {
		return false
	}
	WantStatus(t, w, http.StatusOK)
	if err := json.Unmarshal(w.Body.Bytes(), u); err != nil {
		t.Fatal(err)
	}
	return true
}

// SetCookies are the cookies an answer sets.
func SetCookies(w *httptest.ResponseRecorder) []*http.Cookie {
	return (&http.Response{Header: w.Header()}).Cookies()
}

// FindCookie is the cookie name an answer sets, or nil.
func FindCookie(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range SetCookies(w) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// WantStatus fails unless w has status code.
func WantStatus(t testing.TB, w *httptest.ResponseRecorder, code int) {
	t.Helper()
	if w.Code != code {
		t.Fatalf("status %d, want %d; body:\n%s", w.Code, code, w.Body.String())
	}
}

// WantBody fails unless the body contains every s.
func WantBody(t testing.TB, w *httptest.ResponseRecorder, s ...string) {
	t.Helper()
	for _, x := range s {
		if !strings.Contains(w.Body.String(), x) {
			t.Errorf("body lacks %q:\n%s", x, w.Body.String())
		}
	}
}
