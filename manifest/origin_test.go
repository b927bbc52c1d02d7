package manifest

import (
	"errors"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/addin"
)

// The add-in's files on a separate static origin (sendevagt addin-bundle): every file URL, the
// well-known file and the SSO resource are on that origin, the API is an AppDomain, the add-in
// keeps its GUID, and the rendered manifest passes the checks with and without a client id.
func TestManifestSeparateAddinOrigin(t *testing.T) {
	const api, static = "https://sendevagt.kommune.dk", "https://sendevagt-addin.kommune.dk:8443"
	same := render(t, Options{PublicURL: api})
	for _, clientID := range []string{"", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"} {
		t.Run("client id "+clientID, func(t *testing.T) {
			b := render(t, Options{PublicURL: api, AddinURL: static, ClientID: clientID})
			wk, err := WellKnown(static)
			if err != nil {
				t.Fatal(err)
			}
			want := Expect{Origin: static, APIOrigin: api, Associated: addin.AssociatedNames(), WellKnown: wk}
			if errs := Check(b, want); len(errs) > 0 {
				t.Fatalf("Check: %v\n%s", errors.Join(errs...), b)
			}
			m := parseManifest(t, b)
			for _, u := range []string{m.url("Commands.Url"), m.url("Taskpane.Url"), m.url("JSRuntime.Url"), m.url("WebViewRuntime.Url")} {
				if !strings.HasPrefix(u, static+"/addin/") {
					t.Errorf("file URL %q is not on the static origin", u)
				}
			}
			s := string(b)
			for _, frag := range []string{"<AppDomain>" + static + "</AppDomain>", "<AppDomain>" + api + "</AppDomain>",
				`<IconUrl DefaultValue="` + static + `/addin/assets/icon-64.png"/>`} {
				if !strings.Contains(s, frag) {
					t.Errorf("manifest lacks %s", frag)
				}
			}
			if clientID != "" && !strings.Contains(s, "<Resource>api://sendevagt-addin.kommune.dk:8443/"+clientID+"</Resource>") {
				t.Errorf("SSO resource not on the add-in's host")
			}
			if idOf(t, b) != idOf(t, same) {
				t.Errorf("the add-in's GUID changed with the static origin")
			}
			// Checked as if everything were on the API's origin, the manifest fails.
			if errs := Check(b, Expect{Origin: api, Associated: addin.AssociatedNames(), WellKnown: wk}); len(errs) == 0 {
				t.Error("a manifest with files on another origin passed against the API origin")
			}
		})
	}
}

func idOf(t *testing.T, b []byte) string {
	t.Helper()
	s := string(b)
	i, j := strings.Index(s, "<Id>"), strings.Index(s, "</Id>")
	if i < 0 || j < i {
		t.Fatal("no <Id>")
	}
	return s[i+4 : j]
}
