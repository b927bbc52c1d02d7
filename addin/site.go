package addin

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// CSP is the Content-Security-Policy of the add-in's pages: Office.js from Microsoft and nothing
// else from outside, calls to the API (apiOrigin, or the page's own origin when "") and Entra ID,
// and framing only by Outlook's own origins (Outlook on the web, new Outlook).
func CSP(apiOrigin string) string {
	connect := "'self'"
	if apiOrigin != "" {
		connect += " " + apiOrigin
	}
	return "default-src 'self'; script-src 'self' https://appsforoffice.microsoft.com; " +
		"style-src 'self'; img-src 'self' data:; connect-src " + connect + " https://login.microsoftonline.com; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; " +
		"frame-ancestors 'self' https://*.office.com https://*.office365.com https://*.outlook.com " +
		"https://outlook.live.com https://*.officeapps.live.com https://*.cloud.microsoft https://*.microsoft.com"
}

// CSPHeader is the header that carries CSP: enforced, or report-only for the rollout's first
// step (violations are reported by the browser's console and reporting, nothing is blocked).
func CSPHeader(reportOnly bool) string {
	if reportOnly {
		return "Content-Security-Policy-Report-Only"
	}
	return "Content-Security-Policy"
}

// Site returns every file of the add-in as it is served under /addin/, keyed by its path there
// (launchevent.js with cfg rendered, the pages with the MSAL tag when withMSAL): the static site
// `sendevagt addin-bundle` writes for a separate origin. msal-browser.min.js is not included.
func Site(cfg Config, withMSAL bool) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		var b []byte
		switch {
		case name == "launchevent.js":
			b, err = LaunchEventJS(cfg)
		case strings.HasSuffix(name, ".html"):
			b, err = Page(name, withMSAL)
		case strings.HasSuffix(name, ".js"):
			b, err = files.ReadFile(name)
			b = ASCII(b)
		default:
			b, err = files.ReadFile(name)
		}
		if err != nil {
			return fmt.Errorf("addin: %s: %w", name, err)
		}
		out[name] = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SiteNames are the keys of a Site, sorted.
func SiteNames(site map[string][]byte) []string {
	names := make([]string, 0, len(site))
	for n := range site {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
