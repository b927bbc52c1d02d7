// Package admin is the administration web pages of Sendevagt, served by the service under
// /admin: the sign-in pages (package auth signs people in), the policy editor (its form made
// from the policy's struct tags), the audit and its dashboard, false-alarm reports, the citizen
// directory (package directory holds its rules) and the test console. Pages are
// server-rendered HTML (html/template) with no script; every form carries a CSRF token. Each
// page uses a small interface declared here; packages auth, directory and store implement them.
//
// Roles: Sendevagt.Admin may do everything; Sendevagt.Auditor may read the audit, the dashboard
// and the false-alarm reports, and change nothing.
package admin

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/auth"
)

// Config wires the admin pages. Every dependency is an interface declared beside the pages that
// use it.
type Config struct {
	// SignIn signs people in and keeps their sessions (package auth). Required.
	SignIn    SignIn
	Policies  PolicyStore
	Audit     AuditStore
	Directory DirectoryStore
	Console   Console
	// Keys makes the keyed hashes of the citizen directory and the audit search.
	Keys   Keys
	Logger *slog.Logger
	// SendMode is the manifest's send mode, shown on the policy page (it is deployed with the
	// manifest, not changed here).
	SendMode string
	// Now is the clock (tests).
	Now func() time.Time
}

// Admin serves the pages.
type Admin struct {
	cfg   Config
	pages map[string]*template.Template
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// New parses the templates.
func New(cfg Config) (*Admin, error) {
	// Only the sign-in is required: an area whose store is nil is not mounted (tests build an
	// Admin with just the area they test).
	if cfg.SignIn == nil {
		return nil, errors.New("admin: a sign-in is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &Admin{cfg: cfg, pages: map[string]*template.Template{}}
	if err := a.parseTemplates(); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *Admin) parseTemplates() error {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	base := template.New("layout.html").Funcs(funcs)
	if base, err = base.ParseFS(templateFS, "templates/layout.html"); err != nil {
		return fmt.Errorf("admin: layout: %w", err)
	}
	for _, n := range names {
		name := strings.TrimPrefix(n, "templates/")
		if name == "layout.html" {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if t, err = t.ParseFS(templateFS, n); err != nil {
			return fmt.Errorf("admin: %s: %w", name, err)
		}
		a.pages[name] = t
	}
	return nil
}

// Register mounts the pages on e under /admin.
func (a *Admin) Register(e *echo.Echo) {
	static := echo.WrapHandler(http.StripPrefix("/admin/", http.FileServerFS(staticFS)))
	e.GET("/admin/static/*", static, noStore(false))
	g := e.Group("/admin", adminHeaders, limitBody(maxUpload), a.session)
	a.authRoutes(g)
	a.dashboardRoutes(g)
	a.policyRoutes(g)
	a.auditRoutes(g)
	a.directoryRoutes(g)
	a.consoleRoutes(g)
}

// maxUpload bounds every request to the admin pages (the test console's largest message, with
// multipart overhead). It is enforced before the session middleware parses a form.
const maxUpload = 40 << 20

func limitBody(n int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > n {
				return apperr.Errorf(apperr.TooLarge, "Forespørgslen er større end %d MB.", n>>20)
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, n)
			return next(c)
		}
	}
}

// adminHeaders: the pages are never framed, run no inline script and are not cached.
func adminHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
			"object-src 'none'; base-uri 'none'; form-action 'self' https://login.microsoftonline.com; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}

func noStore(store bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !store {
				c.Response().Header().Set("Cache-Control", "no-cache")
			}
			return next(c)
		}
	}
}

// Page is what every page template gets besides its own data.
type Page struct {
	Title   string
	Section string // nav entry to highlight: dashboard, policy, audit, feedback, directory, console
	User    *auth.Person
	CSRF    string
	Flash   string // a one-line confirmation ("Politikken er gemt som version 4.")
	Error   string // a one-line problem shown above the content
	Data    any    // the page's own data
}

// render writes page name (a file in templates/) inside the layout.
func (a *Admin) render(c echo.Context, status int, name string, p Page) error {
	t, ok := a.pages[name]
	if !ok {
		return fmt.Errorf("admin: no template %s", name)
	}
	p.User, p.CSRF = userOf(c), csrfOf(c)
	if p.Flash == "" {
		p.Flash = flashText(c)
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout.html", p); err != nil {
		return fmt.Errorf("admin: rendering %s: %w", name, err)
	}
	return c.HTML(status, b.String())
}

// RenderError is the admin pages' error page (package web's error handler calls it for /admin).
func (a *Admin) RenderError(c echo.Context, status int, code, message string) {
	title := map[int]string{
		http.StatusBadRequest: "Forkert forespørgsel", http.StatusForbidden: "Ingen adgang",
		http.StatusNotFound: "Siden findes ikke", http.StatusRequestEntityTooLarge: "Filen er for stor",
	}[status]
	if title == "" {
		title = "Der opstod en fejl"
	}
	_ = a.render(c, status, "error.html", Page{Title: title, Data: map[string]any{"Status": status, "Code": code, "Message": message}})
}

// formError is a problem with one form field, shown beside it.
type formError struct{ Field, Msg string }

// badRequest is a 400 with a message safe to show.
func badRequest(format string, args ...any) error {
	return apperr.Errorf(apperr.Invalid, format, args...)
}

// forbidden is a 403.
func forbidden(msg string) error { return apperr.Errorf(apperr.Forbidden, "%s", msg) }

// redirect answers a form post with 303 See Other.
func redirect(c echo.Context, to string) error { return c.Redirect(http.StatusSeeOther, to) }
