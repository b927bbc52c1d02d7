package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sendevagt/sendevagt/addin"
	"github.com/sendevagt/sendevagt/internal/apperr"
)

// Addin serves the Outlook add-in from the API's own origin: its files, the manifest and the
// well-known file classic Outlook checks before it lets launchevent.js fetch a token.
type Addin struct {
	// Config is launchevent.js's configuration, asked per request so it follows the live
	// policy (its fail mode).
	Config func() addin.Config
	// Manifest renders the add-in manifest for the public URL.
	Manifest func() ([]byte, error)
	// WellKnown is /.well-known/microsoft-officeaddins-allowed.json.
	WellKnown []byte
	// MSALFile is an msal-browser.min.js build to serve beside the add-in ("" = none).
	MSALFile string
	// CSPReportOnly sends the pages' policy as Content-Security-Policy-Report-Only: the rollout's
	// first step, to learn what Office.js needs in each client before the policy is enforced.
	CSPReportOnly bool
}

// addinCSP lets the add-in's pages load Office.js from Microsoft and nothing else from outside,
// and be framed only by Outlook's own origins (Outlook on the web, new Outlook).
var addinCSP = addin.CSP("")

func (s *Server) addinRoutes(e *echo.Echo) {
	a := s.cfg.Addin
	if a == nil {
		return
	}
	e.GET("/manifest.xml", func(c echo.Context) error {
		b, err := a.Manifest()
		if err != nil {
			return apperr.Wrap(apperr.Internal, err, "the manifest could not be rendered")
		}
		c.Response().Header().Set("Content-Disposition", `inline; filename="sendevagt-manifest.xml"`)
		return serveBytes(c, "application/xml; charset=utf-8", b)
	})
	e.GET("/.well-known/microsoft-officeaddins-allowed.json", func(c echo.Context) error {
		return serveBytes(c, "application/json", a.WellKnown)
	})
	e.GET("/addin/launchevent.js", func(c echo.Context) error {
		b, err := addin.LaunchEventJS(a.Config())
		if err != nil {
			return apperr.Wrap(apperr.Internal, err, "the add-in could not be rendered")
		}
		return serveBytes(c, "text/javascript; charset=utf-8", b)
	})
	for _, page := range []string{"commands.html", "taskpane.html"} {
		e.GET("/addin/"+page, func(c echo.Context) error {
			b, err := addin.Page(page, a.MSALFile != "")
			if err != nil {
				return apperr.Wrap(apperr.Internal, err, "the add-in page could not be read")
			}
			c.Response().Header().Set(addin.CSPHeader(a.CSPReportOnly), addinCSP)
			return serveBytes(c, "text/html; charset=utf-8", b)
		})
	}
	if a.MSALFile != "" {
		e.GET("/addin/msal-browser.min.js", func(c echo.Context) error {
			b, err := os.ReadFile(a.MSALFile)
			if err != nil {
				return apperr.Wrap(apperr.NotFound, err, "msal-browser.min.js is not available")
			}
			return serveBytes(c, "text/javascript; charset=utf-8", b)
		})
	}
	e.GET("/addin/*", func(c echo.Context) error {
		name := path.Clean(strings.TrimPrefix(c.Param("*"), "/"))
		if name == "." || strings.HasPrefix(name, "..") {
			return apperr.Errorf(apperr.NotFound, "not found")
		}
		b, err := fs.ReadFile(addin.Files(), name)
		if err != nil {
			return apperr.Errorf(apperr.NotFound, "not found")
		}
		if path.Ext(name) == ".js" {
			b = addin.ASCII(b) // taskpane.js: see addin.ASCII
		}
		return serveBytes(c, contentType(name), b)
	})
}

// serveBytes answers with b, an ETag of its content and revalidation on every use: Outlook
// must pick up a new add-in version as soon as it is deployed.
func serveBytes(c echo.Context, ctype string, b []byte) error {
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	if match := c.Request().Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, ctype, b)
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".png":
		return "image/png"
	case ".svg":
		return "image/svg+xml"
	case ".json":
		return "application/json"
	}
	return "application/octet-stream"
}
