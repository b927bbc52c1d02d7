package web

import (
	"net/http"
	"strings"
	"testing"
)

// With allowed origins configured (the add-in on its own static origin), the API answers CORS
// for those only: a preflight for a route with Authorization from the static origin passes, from
// another origin it is refused, and a real call carries the origin back.
func TestAPICORSAllowedOrigins(t *testing.T) {
	const static = "https://sendevagt-addin.kommune.dk"
	s := newTestServer(t, &fakeOnSend{}, Config{CORSOrigins: []string{static + "/"}})
	for _, tt := range []struct {
		name, origin, method, path string
		preflight                  bool
		code                       int
		allow                      string
	}{
		{"static origin preflight onsend", static, http.MethodOptions, "/api/v1/onsend", true, http.StatusNoContent, static},
		{"static origin preflight scans", "HTTPS://SENDEVAGT-ADDIN.KOMMUNE.DK", http.MethodOptions, "/api/v1/scans/x", true, http.StatusNoContent, "HTTPS://SENDEVAGT-ADDIN.KOMMUNE.DK"},
		{"other origin preflight", "https://evil.example.com", http.MethodOptions, "/api/v1/onsend", true, http.StatusForbidden, ""},
		{"static origin call without token", static, http.MethodPost, "/api/v1/feedback", false, http.StatusUnauthorized, static},
		{"other origin call", "https://evil.example.com", http.MethodPost, "/api/v1/onsend", false, http.StatusUnauthorized, ""},
		{"not the API", static, http.MethodGet, "/healthz", false, http.StatusOK, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Origin": {tt.origin}}
			if tt.preflight {
				h.Set("Access-Control-Request-Method", "POST")
				h.Set("Access-Control-Request-Headers", "authorization,content-type")
			}
			w := doHeaders(s, tt.method, tt.path, h)
			if w.Code != tt.code {
				t.Fatalf("status %d, want %d", w.Code, tt.code)
			}
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != tt.allow {
				t.Errorf("Allow-Origin %q, want %q", got, tt.allow)
			}
			if tt.preflight && tt.code == http.StatusNoContent {
				if got := w.Header().Get("Access-Control-Allow-Headers"); got == "" || !strings.Contains(got, "Authorization") {
					t.Errorf("Allow-Headers %q", got)
				}
			}
		})
	}
}

// The rollout's first step: the pages' policy as report-only.
func TestAddinCSPReportOnly(t *testing.T) {
	a := addinServer(t)
	if w := do(a, http.MethodGet, "/addin/taskpane.html", "", nil); w.Header().Get("Content-Security-Policy") == "" || w.Header().Get("Content-Security-Policy-Report-Only") != "" {
		t.Errorf("enforced by default: %v", w.Header())
	}
	a.cfg.Addin.CSPReportOnly = true
	w := do(a, http.MethodGet, "/addin/commands.html", "", nil)
	if w.Header().Get("Content-Security-Policy") != "" || !strings.Contains(w.Header().Get("Content-Security-Policy-Report-Only"), "script-src 'self' https://appsforoffice.microsoft.com") {
		t.Errorf("report-only: %v", w.Header())
	}
}

// POST /api/v1/override needs a token and answers 201 with the recorded override.
func TestOverrideRoute(t *testing.T) {
	s := newTestServer(t, &fakeOnSend{}, Config{})
	if w := do(s, http.MethodPost, "/api/v1/override", "", []byte(`{"scanId":"s1","reason":"x"}`)); w.Code != http.StatusUnauthorized {
		t.Errorf("without token: %d", w.Code)
	}
	w := do(s, http.MethodPost, "/api/v1/override", "good", []byte(`{"scanId":"s1","reason":"Aftalt med borgeren"}`))
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"overrideId":"o1"`) {
		t.Errorf("override: %d %s", w.Code, w.Body)
	}
	if w := do(s, http.MethodPost, "/api/v1/override", "good", []byte(`{"scanId":"nope"}`)); w.Code != http.StatusNotFound {
		t.Errorf("unknown scan: %d", w.Code)
	}
}
