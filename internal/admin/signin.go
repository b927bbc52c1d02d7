package admin

// The sign-in pages and the session middleware. The sign-in itself (Entra ID, the local
// one-time link, sessions, CSRF) is package auth's; the pages render its outcomes.

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/sendevagt/sendevagt/internal/auth"
)

// SignIn signs people in and keeps their sessions (package auth's *auth.SignIn).
type SignIn interface {
	// Methods tells which ways to sign in are on: Entra ID, the local one-time link.
	Methods() (oidc, local bool)
	LoginPage(r *http.Request) auth.Outcome
	Start(w http.ResponseWriter, r *http.Request) (auth.Outcome, error)
	Callback(w http.ResponseWriter, r *http.Request) (auth.Outcome, error)
	Local(w http.ResponseWriter, r *http.Request) (auth.Outcome, error)
	// LocalSignInURL is local mode's one-time link ("" after the first call or outside local mode).
	LocalSignInURL() string
	Current(r *http.Request) (auth.Session, bool)
	Stale(s auth.Session) bool
	End(w http.ResponseWriter, r *http.Request) error
}

// App roles, as package auth names them.
const (
	RoleAdmin   = auth.RoleAdmin
	RoleAuditor = auth.RoleAuditor
)

// Context keys set by the session middleware.
const (
	userKey = "admin.user"
	csrfKey = "admin.csrf"
)

func (a *Admin) authRoutes(g *echo.Group) {
	g.GET("/login", func(c echo.Context) error { return a.showOutcome(c, a.cfg.SignIn.LoginPage(c.Request()), nil) })
	g.GET("/login/start", a.step(a.cfg.SignIn.Start))
	g.GET("/callback", a.step(a.cfg.SignIn.Callback))
	g.GET("/login/local", a.step(a.cfg.SignIn.Local))
	g.POST("/logout", a.logout)
}

// step serves one step of the sign-in.
func (a *Admin) step(f func(http.ResponseWriter, *http.Request) (auth.Outcome, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		o, err := f(c.Response(), c.Request())
		return a.showOutcome(c, o, err)
	}
}

// loginData is the sign-in page's data.
type loginData struct {
	OIDC  bool
	Local bool
	Next  string
}

// showOutcome redirects, or renders the sign-in page with the outcome's status and message.
func (a *Admin) showOutcome(c echo.Context, o auth.Outcome, err error) error {
	if err != nil {
		return err
	}
	if o.Location != "" {
		return c.Redirect(o.Status, o.Location)
	}
	oidc, local := a.cfg.SignIn.Methods()
	return a.render(c, o.Status, "login.html", Page{Title: "Log ind", Error: o.Message,
		Data: loginData{OIDC: oidc, Local: local, Next: o.Next}})
}

// LocalSignInURL makes the one-time sign-in link of local mode, valid for 24 hours and for one
// sign-in from this machine; "" outside local mode and after the first call.
func (a *Admin) LocalSignInURL() string { return a.cfg.SignIn.LocalSignInURL() }

// logout serves POST /admin/logout (the session middleware has checked the session and CSRF).
func (a *Admin) logout(c echo.Context) error {
	if err := a.cfg.SignIn.End(c.Response(), c.Request()); err != nil {
		return err
	}
	return redirect(c, "/admin/login?"+flashQuery(flashLoggedOut, 0))
}

// session loads the signed-in user from the session cookie. Without a valid session a page
// request is sent to the sign-in page (and back afterwards); any other method is refused. Every
// state-changing request must carry the session's CSRF token (form field _csrf).
func (a *Admin) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if auth.IsSignInPath(r.URL.Path) {
			return next(c)
		}
		s, ok := a.cfg.SignIn.Current(r)
		if !ok {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				return c.Redirect(http.StatusSeeOther, "/admin/login?next="+url.QueryEscape(r.URL.RequestURI()))
			}
			return forbidden("Du er ikke logget ind, eller din session er udløbet. Log ind igen.")
		}
		if a.cfg.SignIn.Stale(s) {
			// Roles are re-read from Entra ID at least every RoleTTL: a new sign-in, silent while
			// the user's Entra session lives. The old session ends here.
			if err := a.cfg.SignIn.End(c.Response(), r); err != nil {
				return err
			}
			a.cfg.Logger.Info("admin session: roles older than the role check interval; signing in again", "oid", s.Subject)
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				return c.Redirect(http.StatusSeeOther, "/admin/login/start?next="+url.QueryEscape(r.URL.RequestURI()))
			}
			return forbidden("Din Sendevagt-rolle bekræftes hos Microsoft hver time. Indlæs siden igen for at logge ind på ny.")
		}
		p := s.Person
		c.Set(userKey, &p)
		c.Set(csrfKey, s.CSRF)
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !auth.ValidCSRF(r, s.CSRF) {
			return forbidden("Formularen er udløbet eller kom ikke fra denne side (CSRF). Indlæs siden igen og prøv igen.")
		}
		return next(c)
	}
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

func userOf(c echo.Context) *auth.Person { u, _ := c.Get(userKey).(*auth.Person); return u }
func csrfOf(c echo.Context) string       { s, _ := c.Get(csrfKey).(string); return s }
