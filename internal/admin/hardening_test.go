package admin

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/store"
	"github.com/sendevagt/sendevagt/internal/store/storetest"
)

// Issue 13: huge page numbers made the offset overflow and the pages answer 500.
func TestHugePageNumbers(t *testing.T) {
	fx := feedbackFixture(t)
	_, dir := newTestAdmin(t, Config{Directory: fx.s, Hasher: fx.h}, RoleAdmin)
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
