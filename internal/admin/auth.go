package admin

// STUB — replaced by the sign-in helper (sessions, OIDC, local link, CSRF).

import "github.com/labstack/echo/v4"

// SessionStore keeps admin sessions and pending sign-ins (package store).
type SessionStore interface{}

// OIDCConfig is the Entra ID app used to sign administrators in.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
}

type oidcClient struct{}
type localLinks struct{}

func (a *Admin) initAuth() error                                { return nil }
func (a *Admin) authRoutes(g *echo.Group)                       {}
func (a *Admin) session(next echo.HandlerFunc) echo.HandlerFunc { return next }

// requireReader lets admins and auditors through; requireAdmin only admins.
func (a *Admin) requireReader(next echo.HandlerFunc) echo.HandlerFunc { return next }
func (a *Admin) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc  { return next }

func userOf(c echo.Context) *User  { u, _ := c.Get("admin.user").(*User); return u }
func csrfOf(c echo.Context) string { s, _ := c.Get("admin.csrf").(string); return s }
