package admin

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/directory"
	"github.com/sendevagt/sendevagt/internal/store"
	"github.com/sendevagt/sendevagt/internal/store/storetest"
)

// Issue 13: huge page numbers made the offset overflow and the pages answer 500.
func TestHugePageNumbers(t *testing.T) {
	fx := feedbackFixture(t)
	_, dir := newTestAdmin(t, Config{Directory: fx.s, Keys: directory.NewKeys(fx.h)}, RoleAdmin)
	tc := fx.client(t, RoleAdmin)
	for _, page := range []string{"99999999999999999", "9223372036854775807", "4611686018427387904", "-9223372036854775808", "1e9", "x"} {
		for _, tt := range []struct {
			c    *testClient
			path string
		}{
			{tc, "/admin/audit?page="},
			{tc, "/admin/feedback?status=open&page="},
			{dir, "/admin/directory?side="},
		} {
			if w := tt.c.get(tt.path + url.QueryEscape(page)); w.Code != http.StatusOK {
				t.Errorf("%s%s: %d, want 200", tt.path, page, w.Code)
			}
		}
	}
}

// Issue 13: the ?ok= banner showed whatever text the link carried. Only known codes show a
// message now; text and unknown codes show nothing.
func TestFlashOnlyFromCodes(t *testing.T) {
	fx := feedbackFixture(t)
	tc := fx.client(t, RoleAdmin)
	lure := "Sikkerhedsfejl: ring straks til 12345678 og oplys din kode"
	for _, path := range []string{"/admin/audit?ok=", "/admin/feedback?status=open&ok="} {
		w := tc.get(path + url.QueryEscape(lure))
		wantStatus(t, w, http.StatusOK)
		if strings.Contains(w.Body.String(), "Sikkerhedsfejl") || strings.Contains(w.Body.String(), `class="flash"`) {
			t.Errorf("%s shows the link's text", path)
		}
	}
	w := tc.get("/admin/feedback?status=open&ok=feedback-confirmed")
	wantBody(t, w, `<p class="flash" role="status">Rapporten er bekræftet som falsk alarm.</p>`)
	w = tc.get("/admin/audit?ok=policy-saved&n=" + url.QueryEscape("4<script>"))
	wantBody(t, w, `<p class="flash" role="status">Politikken er gemt.</p>`)
}

// Issue 13: the directory kept the uploaded file's name (which may name a citizen) and the
// birth date beside the keyed hash of the full CPR number.
func TestDirectoryKeepsNoFileNameOrBirthDate(t *testing.T) {
	st, path, c := directoryAdmin(t, time.Now)
	name := "borgere Birthe Kjær Andersen 010190-1234.csv"
	w := upload(c, name, []byte(directoryCSV))
	wantStatus(t, w, http.StatusOK)
	rows, _, err := st.ListDirectory(t.Context(), store.DirectoryFilter{})
	if err != nil || len(rows) == 0 {
		t.Fatalf("rows %v, %v", rows, err)
	}
	for _, r := range rows {
		if strings.ContainsAny(r.CPRMasked, "0123456789") || strings.Contains(r.Source, "Birthe") || strings.Contains(r.Source, ".csv") {
			t.Errorf("row keeps %q / %q", r.CPRMasked, r.Source)
		}
	}
	db := storetest.DatabaseFiles(t, path)
	for _, v := range []string{"Birthe", "Andersen", "borgere", "010190-xxxx", "070881-xxxx"} {
		if bytes.Contains(db, []byte(v)) {
			t.Errorf("the database file holds %q", v)
		}
	}
	if w := c.get("/admin/directory"); strings.Contains(w.Body.String(), "Birthe") {
		t.Error("the list shows the file's name")
	}
}

// Issue 13: an admin whose role was removed in Entra ID kept it for the 8 hours of the
// session. Roles are now re-read at least every hour: after that the next page goes through
// Entra ID again, and a user without the role is then refused.
func TestRolesRecheckedHourly(t *testing.T) {
	env := newOIDCEnv(t)
	// age moves the sign-in time of every session back by d (the fake Entra ID's tokens use the
	// real clock, so the pages' clock stays real).
	age := env.sessions.Age
	env.setUser(RoleAdmin)
	b := newBrowser(t, env.e)
	wantStatus(t, env.signIn(b, "/admin/"), http.StatusSeeOther)
	if u := b.whoami(); u == nil || !u.IsAdmin() {
		t.Fatalf("not signed in as admin: %+v", u)
	}
	age(59 * time.Minute)
	if u := b.whoami(); u == nil || !u.IsAdmin() {
		t.Fatal("signed out before the hour")
	}
	env.setUser() // the role is removed in Entra ID
	age(2 * time.Minute)
	w := b.Get("/admin/test/whoami")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(loc(w), "/admin/login/start?next=") {
		t.Fatalf("after an hour: %d %q, want a new sign-in through Entra ID", w.Code, loc(w))
	}
	if b.Jar[sessionCookie] != "" {
		t.Error("the old session cookie is kept")
	}
	if n := env.sessions.Len(); n != 0 {
		t.Errorf("%d sessions left, want the old one deleted", n)
	}
	// Following the redirect: Entra ID gives no role now, so no session.
	w = b.Get(loc(w))
	wantStatus(t, w, http.StatusFound)
	w = b.Get(env.authorize(loc(w)))
	wantStatus(t, w, http.StatusForbidden)
	if b.whoami() != nil {
		t.Error("signed in without the role")
	}
	// A post with the stale session is refused, not served.
	env.setUser(RoleAdmin)
	wantStatus(t, env.signIn(b, "/admin/"), http.StatusSeeOther)
	age(time.Hour)
	if w := b.Post("/admin/logout", url.Values{}); w.Code != http.StatusForbidden {
		t.Errorf("post with stale roles: %d, want 403", w.Code)
	}
}
