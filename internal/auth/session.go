package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sendevagt/sendevagt/internal/store"
)

// SessionStore keeps the sessions of people signed in to the admin pages (package store). A
// sign-in under way is not stored: it lives in the sealed login cookie (logincookie.go).
type SessionStore interface {
	SaveSession(ctx context.Context, s store.AdminSession) error
	// GetSession returns the session with this id hash, or an error wrapping store.ErrNotFound.
	GetSession(ctx context.Context, idHash string) (store.AdminSession, error)
	DeleteSession(ctx context.Context, idHash string) error
}

// sessionCookie holds the session id. __Host-: only over HTTPS, only for this host, path /.
const sessionCookie = "__Host-sendevagt-admin"

// Session is a signed-in person with the session's CSRF token and times.
type Session struct {
	Person
	CSRF             string
	Created, Expires time.Time
}

// Current reads and checks the session cookie of r.
func (a *SignIn) Current(r *http.Request) (Session, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 128 {
		return Session{}, false
	}
	s, err := a.cfg.Sessions.GetSession(r.Context(), HashSessionID(ck.Value))
	if err != nil || !a.cfg.Now().Before(s.Expires) {
		return Session{}, false
	}
	return Session{Person: Person{Subject: s.Subject, TenantID: s.TenantID, Name: s.Name, Email: s.Email, Roles: s.Roles},
		CSRF: s.CSRF, Created: s.Created, Expires: s.Expires}, true
}

// Stale tells whether s holds roles from an Entra ID sign-in older than RoleTTL: the browser
// must sign in again (silently while its Entra session lives) before it is served.
func (a *SignIn) Stale(s Session) bool {
	return a.oidc != nil && s.Subject != localSubject && !a.cfg.Now().Before(s.Created.Add(a.cfg.RoleTTL))
}

// ValidCSRF compares the request's token (header X-CSRF-Token or form field _csrf) with the
// session's in constant time, and refuses a cross-site Origin outright.
func ValidCSRF(r *http.Request, want string) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		if u, err := url.Parse(o); err != nil || !strings.EqualFold(u.Host, r.Host) {
			return false
		}
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.FormValue("_csrf")
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// startSession stores a new session for u and sets its cookie.
func (a *SignIn) startSession(w http.ResponseWriter, r *http.Request, u Person) error {
	id, err := randomToken(32)
	if err != nil {
		return err
	}
	csrf, err := randomToken(32)
	if err != nil {
		return err
	}
	now := a.cfg.Now()
	s := store.AdminSession{IDHash: HashSessionID(id), Subject: u.Subject, TenantID: u.TenantID, Name: u.Name, Email: u.Email,
		Roles: u.Roles, CSRF: csrf, Created: now, Expires: now.Add(a.cfg.SessionTTL)}
	if err := a.cfg.Sessions.SaveSession(r.Context(), s); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Expires: s.Expires})
	return nil
}

// End deletes the session of r and its cookie (sign-out).
func (a *SignIn) End(w http.ResponseWriter, r *http.Request) error {
	if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := a.cfg.Sessions.DeleteSession(r.Context(), HashSessionID(ck.Value)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: -1, Expires: time.Unix(0, 0)})
	return nil
}

// HashSessionID is how a session id is stored: its SHA-256, never the id.
func HashSessionID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
