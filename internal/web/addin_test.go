package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/addin"
)

func addinServer(t *testing.T) *Server {
	return newTestServer(t, &fakeOnSend{}, Config{Addin: &Addin{
		Config: func() addin.Config {
			return addin.Config{APIBase: "https://sendevagt.example.dk", FailMode: "block", BudgetMs: 4000}
		},
		Manifest:  func() ([]byte, error) { return []byte(`<?xml version="1.0"?><OfficeApp/>`), nil },
		WellKnown: []byte(`{"allowed":["https://sendevagt.example.dk/addin/launchevent.js"]}`),
	}})
}

func TestAddinFiles(t *testing.T) {
	s := addinServer(t)
	cases := []struct {
		path, ctype, contains string
		csp                   bool
	}{
		{"/addin/launchevent.js", "text/javascript", `"apiBase":"https://sendevagt.example.dk"`, false},
		{"/addin/launchevent.js", "text/javascript", `"failMode":"block"`, false},
		{"/addin/commands.html", "text/html", "launchevent.js", true},
		{"/addin/taskpane.html", "text/html", "taskpane.js", true},
		{"/addin/taskpane.js", "text/javascript", "", false},
		{"/addin/taskpane.css", "text/css", "", false},
		{"/addin/assets/icon-80.png", "image/png", "\x89PNG", false},
		{"/manifest.xml", "application/xml", "<OfficeApp", false},
		{"/.well-known/microsoft-officeaddins-allowed.json", "application/json", "/addin/launchevent.js", false},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			w := do(s, http.MethodGet, tc.path, "", nil)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
				t.Errorf("Content-Type %q, want %s", ct, tc.ctype)
			}
			if !strings.Contains(w.Body.String(), tc.contains) {
				t.Errorf("body does not contain %q", tc.contains)
			}
			if got := w.Header().Get("Content-Security-Policy"); tc.csp != (got != "") {
				t.Errorf("CSP %q", got)
			} else if tc.csp && (!strings.Contains(got, "frame-ancestors") || strings.Contains(got, "unsafe-inline")) {
				t.Errorf("CSP %q: want frame-ancestors and no unsafe-inline", got)
			}
			if w.Header().Get("ETag") == "" || w.Header().Get("Cache-Control") != "no-cache" {
				t.Errorf("caching headers: ETag %q, Cache-Control %q", w.Header().Get("ETag"), w.Header().Get("Cache-Control"))
			}
			r := do(s, http.MethodGet, tc.path, "", nil)
			req := r.Header().Get("ETag")
			h := http.Header{"If-None-Match": {req}}
			if w2 := doHeaders(s, http.MethodGet, tc.path, h); w2.Code != http.StatusNotModified {
				t.Errorf("If-None-Match: status %d, want 304", w2.Code)
			}
		})
	}
	for _, p := range []string{"/addin/../go.mod", "/addin/addin.go", "/addin/nope.js", "/addin/"} {
		if w := do(s, http.MethodGet, p, "", nil); w.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, w.Code)
		}
	}
}

func TestAPIPreflight(t *testing.T) {
	s := addinServer(t)
	h := http.Header{"Origin": {"https://outlook.office.com"}, "Access-Control-Request-Method": {"POST"},
		"Access-Control-Request-Headers": {"authorization,content-type"}}
	w := doHeaders(s, http.MethodOptions, "/api/v1/onsend", h)
	if w.Code != http.StatusNoContent {
		t.Fatalf("preflight status %d: %s", w.Code, w.Body)
	}
	if w.Header().Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(w.Header().Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight headers %v", w.Header())
	}
	// A real cross-origin call still needs a token.
	w = doHeaders(s, http.MethodPost, "/api/v1/onsend", http.Header{"Origin": {"null"}})
	if w.Code != http.StatusUnauthorized || w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("cross-origin call without token: %d %v", w.Code, w.Header())
	}
}

func TestAddinAPI(t *testing.T) {
	s := addinServer(t)
	cases := []struct {
		method, path, body string
		code               int
		contains           string
	}{
		{"POST", "/api/v1/prescan", `{"attachments":[{"name":"a.pdf","contentBase64":"JVBERg=="}]}`, 200, `"sha256":"aaaa`},
		{"POST", "/api/v1/prescan", `{"attachments":]}`, 400, "not valid JSON"},
		{"GET", "/api/v1/scans/s1", "", 200, `"scanId":"s1"`},
		{"GET", "/api/v1/scans/other", "", 404, `"code":"not_found"`},
		{"POST", "/api/v1/feedback", `{"scanId":"s1","kind":"false_alarm"}`, 201, `"status":"open"`},
		{"POST", "/api/v1/feedback", `{"scanId":"s2"}`, 404, "no such scan"},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			w := do(s, tc.method, tc.path, "good", body)
			if w.Code != tc.code || !strings.Contains(w.Body.String(), tc.contains) {
				t.Fatalf("%d %s, want %d containing %q", w.Code, w.Body, tc.code, tc.contains)
			}
			if w := do(s, tc.method, tc.path, "", body); w.Code != http.StatusUnauthorized {
				t.Errorf("without a token: %d, want 401", w.Code)
			}
		})
	}
}

func doHeaders(s http.Handler, method, path string, h http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	for k, v := range h {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}
