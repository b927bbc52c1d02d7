package admin

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/auth"
	"github.com/sendevagt/sendevagt/internal/directory"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/onsend"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/store"
	"github.com/sendevagt/sendevagt/internal/store/storetest"
)

type allowConsole struct{}

func (allowConsole) Console(context.Context, onsend.ConsoleUser, *message.Message) (*onsend.Response, error) {
	return &onsend.Response{ScanID: "console-1", Action: policy.Allow}, nil
}

// fullConfig is every area of the admin page on a real SQLite store.
func fullConfig(t *testing.T) Config {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "admin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return Config{Policies: st, Audit: st, Directory: st, Console: allowConsole{}, Keys: directory.NewKeys(storetest.Hasher(t))}
}

// adminRoutes lists every route of the admin page except the sign-in itself.
func adminRoutes(t *testing.T, tc *testClient) (gets, posts []string) {
	t.Helper()
	for _, r := range tc.e.Routes() {
		p := r.Path
		if !strings.HasPrefix(p, "/admin") || strings.HasPrefix(p, "/admin/static") {
			continue
		}
		if auth.IsSignInPath(p) {
			continue
		}
		p = strings.NewReplacer(":id", "1", ":v", "1", "*", "x").Replace(p)
		switch r.Method {
		case http.MethodGet:
			gets = append(gets, p)
		case http.MethodPost:
			posts = append(posts, p)
		}
	}
	if len(gets) < 8 || len(posts) < 8 {
		t.Fatalf("only %d GET and %d POST admin routes found: %v %v", len(gets), len(posts), gets, posts)
	}
	return gets, posts
}

// Every admin route without a session sends a page request to the sign-in and refuses a post.
func TestSecurityEveryRouteNeedsASession(t *testing.T) {
	_, anon := newTestAdmin(t, fullConfig(t))
	gets, posts := adminRoutes(t, anon)
	for _, p := range gets {
		w := anon.get(p)
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/admin/login?next=") {
			t.Errorf("GET %s without a session: %d %q, want 303 to the sign-in", p, w.Code, w.Header().Get("Location"))
		}
	}
	for _, p := range posts {
		if w := anon.post(p, url.Values{}); w.Code != http.StatusForbidden {
			t.Errorf("POST %s without a session: %d, want 403", p, w.Code)
		}
	}
}

// An auditor reads the audit but changes nothing: every post except sign-out is refused, and so
// are the pages that only administrators use.
func TestSecurityAuditorChangesNothing(t *testing.T) {
	_, auditor := newTestAdmin(t, fullConfig(t), RoleAuditor)
	gets, posts := adminRoutes(t, auditor)
	for _, p := range posts {
		if p == "/admin/logout" || p == "/admin/audit" { // sign-out; the audit search form (a read)
			continue
		}
		if w := auditor.post(p, url.Values{"comment": {"x"}}); w.Code != http.StatusForbidden {
			t.Errorf("auditor POST %s: %d, want 403", p, w.Code)
		}
	}
	for _, p := range gets {
		adminOnly := strings.HasPrefix(p, "/admin/policy") || strings.HasPrefix(p, "/admin/directory") || strings.HasPrefix(p, "/admin/console")
		w := auditor.get(p)
		if adminOnly && w.Code != http.StatusForbidden {
			t.Errorf("auditor GET %s: %d, want 403", p, w.Code)
		}
		if !adminOnly && w.Code == http.StatusForbidden {
			t.Errorf("auditor GET %s: 403, want it readable", p)
		}
	}
	for _, p := range []string{"/admin/", "/admin/audit", "/admin/feedback"} {
		wantStatus(t, auditor.get(p), http.StatusOK)
	}
}

// Every form post without the session's CSRF token is refused, and so is one from another site.
func TestSecurityCSRF(t *testing.T) {
	_, admin := newTestAdmin(t, fullConfig(t), RoleAdmin)
	_, posts := adminRoutes(t, admin)
	for _, p := range posts {
		if w := admin.postRaw(p, url.Values{"comment": {"x"}}); w.Code != http.StatusForbidden {
			t.Errorf("POST %s without a CSRF token: %d, want 403", p, w.Code)
		}
		if w := admin.postRaw(p, url.Values{"_csrf": {"forged"}}); w.Code != http.StatusForbidden {
			t.Errorf("POST %s with a wrong CSRF token: %d, want 403", p, w.Code)
		}
	}
	r := httpPost("/admin/policy", url.Values{"_csrf": {admin.csrf}, "comment": {"x"}})
	r.Header.Set("Origin", "https://evil.example")
	if w := admin.do(r); w.Code != http.StatusForbidden {
		t.Errorf("cross-site post with the right token: %d, want 403", w.Code)
	}
}

// The pages carry the headers that keep them out of frames and scripts out of them.
func TestSecurityHeaders(t *testing.T) {
	_, admin := newTestAdmin(t, fullConfig(t), RoleAdmin)
	w := admin.get("/admin/")
	wantStatus(t, w, http.StatusOK)
	csp := w.Header().Get("Content-Security-Policy")
	for _, want := range []string{"frame-ancestors 'none'", "script-src 'self'", "default-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if w.Header().Get("X-Frame-Options") != "DENY" || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", w.Header())
	}
	if strings.Contains(w.Body.String(), "<script") {
		t.Error("an admin page carries a script")
	}
}

func httpPost(path string, form url.Values) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}
