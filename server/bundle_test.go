package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/addin"
	"github.com/sendevagt/sendevagt/manifest"
)

func clearBundleEnv(t *testing.T) {
	t.Helper()
	clearManifestEnv(t)
	for _, name := range []string{"addin-url", "bundle-fail-mode", "addin-msal-js"} {
		t.Setenv(envVar(name), "")
	}
}

// addin-bundle writes the static site: every add-in file, launchevent.js configured for the
// API, a manifest on the static origin that passes the checks (with and without a client id),
// the well-known file listing the static launchevent.js, and the host's headers.
func TestAddinBundle(t *testing.T) {
	clearBundleEnv(t)
	const api, static = "https://sendevagt.kommune.dk", "https://sendevagt-addin.kommune.dk"
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"without client id", nil},
		{"with client id and block", []string{"--client-id", "3F2504E0-4F89-11D3-9A0C-0305E82C3301", "--fail-mode", "block", "--graph"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "site")
			args := append([]string{"addin-bundle", "--api-url", api, "--addin-url", static, "--out", dir}, tt.args...)
			code, stdout, stderr := runCLI(t, args...)
			if code != exitAllow {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, "wrote") {
				t.Errorf("stdout %q", stdout)
			}
			site, err := addin.Site(addin.Config{}, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range addin.SiteNames(site) {
				if _, err := os.Stat(filepath.Join(dir, "addin", name)); err != nil {
					t.Errorf("missing addin/%s", name)
				}
			}
			read := func(name string) []byte {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			js := string(read("addin/launchevent.js"))
			if !strings.Contains(js, `"apiBase":"`+api+`"`) {
				t.Errorf("launchevent.js does not call the API at %s", api)
			}
			if len(tt.args) > 0 {
				if !strings.Contains(js, `"apiScope":"api://sendevagt-addin.kommune.dk/3f2504e0-4f89-11d3-9a0c-0305e82c3301/access_as_user"`) ||
					!strings.Contains(js, `"failMode":"block"`) || !strings.Contains(js, `"graph":true`) {
					t.Errorf("launchevent.js config: %s", js[strings.Index(js, "var SENDEVAGT_CONFIG"):][:400])
				}
			}
			wk := read(".well-known/microsoft-officeaddins-allowed.json")
			var allowed struct{ Allowed []string }
			if err := json.Unmarshal(wk, &allowed); err != nil || len(allowed.Allowed) != 1 || allowed.Allowed[0] != static+"/addin/launchevent.js" {
				t.Errorf("well-known %s (%v)", wk, err)
			}
			doc := read("manifest.xml")
			if errs := manifest.Check(doc, manifest.Expect{Origin: static, APIOrigin: api, Associated: addin.AssociatedNames(), WellKnown: wk}); len(errs) > 0 {
				t.Errorf("manifest: %v", errs)
			}
			if !strings.Contains(string(doc), "<AppDomain>"+api+"</AppDomain>") || strings.Contains(string(doc), api+"/addin/") {
				t.Errorf("manifest points at the API for add-in files:\n%s", doc)
			}
			h := string(read("_headers"))
			if !strings.Contains(h, "connect-src 'self' "+api+" https://login.microsoftonline.com") {
				t.Errorf("_headers: %s", h)
			}
		})
	}
}

func TestAddinBundleRefuses(t *testing.T) {
	clearBundleEnv(t)
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--addin-url", "https://a.kommune.dk", "--out", dir}, "--api-url is required"},
		{[]string{"--api-url", "https://s.kommune.dk", "--out", dir}, "--addin-url is required"},
		{[]string{"--api-url", "https://s.kommune.dk", "--addin-url", "https://a.kommune.dk"}, "--out DIR is required"},
		{[]string{"--api-url", "https://s.kommune.dk", "--addin-url", "https://s.kommune.dk", "--out", dir}, "another origin"},
		{[]string{"--api-url", "https://s.kommune.dk", "--addin-url", "http://a.kommune.dk", "--out", dir}, "must be an https URL"},
		{[]string{"--api-url", "https://s.kommune.dk", "--addin-url", "https://a.kommune.dk", "--out", dir, "--fail-mode", "allow"}, "use warn or block"},
	} {
		code, _, stderr := runCLI(t, append([]string{"addin-bundle"}, tt.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", tt.args, code, stderr, tt.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written on refusal: %v", entries)
	}
}

// `sendevagt manifest --addin-url` renders the manifest for the separate static origin.
func TestManifestCommandAddinURL(t *testing.T) {
	clearBundleEnv(t)
	code, stdout, stderr := runCLI(t, "manifest", "--public-url", "https://sendevagt.kommune.dk", "--addin-url", "https://sendevagt-addin.kommune.dk")
	if code != exitAllow {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, `id="JSRuntime.Url" DefaultValue="https://sendevagt-addin.kommune.dk/addin/launchevent.js"`) ||
		!strings.Contains(stdout, "<AppDomain>https://sendevagt.kommune.dk</AppDomain>") {
		t.Errorf("manifest:\n%s", stdout)
	}
}
