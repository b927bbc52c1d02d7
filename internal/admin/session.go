package admin

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

	"github.com/labstack/echo/v4"

	"github.com/sendevagt/sendevagt/internal/store"
)

// SessionStore keeps admin sessions (package store). A sign-in under way is not stored: it
// lives in the sealed login cookie (logincookie.go).
type SessionStore interface {
	SaveSession(ctx context.Context, s store.AdminSession) error
	// GetSession returns the session with this id hash, or an error wrapping store.ErrNotFound.
	GetSession(ctx context.Context, idHash string) (store.AdminSession, error)
	DeleteSession(ctx context.Context, idHash string) error
}

// sessionCookie holds the session id. __Host-: only over HTTPS, only for this host, path /.
const sessionCookie = "__Host-sendevagt-admin"

// Context keys set by the session middleware.
const (
	userKey = "admin.user"
	csrfKey = "admin.csrf"
)

// publicPaths need no session (the sign-in itself).
var publicPaths = []string{"/admin/login", "/admin/login/start", "/admin/callback", "/admin/login/local"}

// session loads the signed-in user from the session cookie. Without a valid session a page
// request is sent to the sign-in page (and back afterwards); any other method is refused. Every
// state-changing request must carry the session's CSRF token (form field _csrf).
func (a *Admin) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		for _, p := range publicPaths {
			if r.URL.Path == p {
				return next(c)
			}
		}
		s, ok := a.currentSession(c)
		if !ok {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				return c.Redirect(http.StatusSeeOther, "/admin/login?next="+url.QueryEscape(r.URL.RequestURI()))
			}
			return forbidden("Du er ikke logget ind, eller din session er udløbet. Log ind igen.")
		}
		if a.staleRoles(s) {
			// Roles are re-read from Entra ID at least every RoleTTL: a new sign-in, silent while
			// the user's Entra session lives. The old session ends here.
			if err := a.endSession(c); err != nil {
				return err
			}
			a.cfg.Logger.Info("admin session: roles older than the role check interval; signing in again", "oid", s.Subject)
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				return c.Redirect(http.StatusSeeOther, "/admin/login/start?next="+url.QueryEscape(r.URL.RequestURI()))
			}
			return forbidden("Din Sendevagt-rolle bekræftes hos Microsoft hver time. Indlæs siden igen for at logge ind på ny.")
		}
		c.Set(userKey, &User{Subject: s.Subject, TenantID: s.TenantID, Name: s.Name, Email: s.Email, Roles: s.Roles})
		c.Set(csrfKey, s.CSRF)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !validCSRF(c, s.CSRF) {
				return forbidden("Formularen er udløbet eller kom ikke fra denne side (CSRF). Indlæs siden igen og prøv igen.")
			}
		}
		return next(c)
	}
}

// currentSession reads and checks the session cookie.
func (a *Admin) currentSession(c echo.Context) (store.AdminSession, bool) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 128 {
		return store.AdminSession{}, false
	}
	s, err := a.cfg.Sessions.GetSession(c.Request().Context(), hashID(ck.Value))
	if err != nil || !a.cfg.Now().Before(s.Expires) {
		return store.AdminSession{}, false
	}
	return s, true
}

// staleRoles tells whether s holds roles from an Entra ID sign-in older than RoleTTL.
func (a *Admin) staleRoles(s store.AdminSession) bool {
	return a.oidc != nil && s.Subject != localSubject && !a.cfg.Now().Before(s.Created.Add(a.cfg.RoleTTL))
}

// validCSRF compares the request's token with the session's in constant time, and refuses a
// cross-site Origin outright.
func validCSRF(c echo.Context, want string) bool {
	r := c.Request()
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		if u, err := url.Parse(o); err != nil || !strings.EqualFold(u.Host, r.Host) {
			return false
		}
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = c.FormValue("_csrf")
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// startSession stores a new session for u and sets its cookie.
func (a *Admin) startSession(c echo.Context, u User) error {
	id, err := randomToken(32)
	if err != nil {
		return err
	}
	csrf, err := randomToken(32)
	if err != nil {
		return err
	}
	now := a.cfg.Now()
	s := store.AdminSession{IDHash: hashID(id), Subject: u.Subject, TenantID: u.TenantID, Name: u.Name, Email: u.Email,
		Roles: u.Roles, CSRF: csrf, Created: now, Expires: now.Add(a.cfg.SessionTTL)}
	if err := a.cfg.Sessions.SaveSession(c.Request().Context(), s); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: id, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Expires: s.Expires})
	return nil
}

// endSession deletes the session and its cookie.
func (a *Admin) endSession(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := a.cfg.Sessions.DeleteSession(c.Request().Context(), hashID(ck.Value)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: -1, Expires: time.Unix(0, 0)})
	return nil
}

// requireReader lets admins and auditors through.
func (a *Admin) requireReader(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !userOf(c).CanReadAudit() {
			return forbidden("Din konto har ikke en Sendevagt-rolle. Bed en administrator om rollen Sendevagt.Auditor eller Sendevagt.Admin.")
		}
		return next(c)
	}
}

// requireAdmin lets only admins through.
func (a *Admin) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !userOf(c).IsAdmin() {
			return forbidden("Kun administratorer (rollen Sendevagt.Admin) kan se og ændre dette.")
		}
		return next(c)
	}
}

func userOf(c echo.Context) *User  { u, _ := c.Get(userKey).(*User); return u }
func csrfOf(c echo.Context) string { s, _ := c.Get(csrfKey).(string); return s }

func hashID(id string) string {
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
