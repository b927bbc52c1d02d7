package manifest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sendevagt/sendevagt/addin"
)

// publicURLs are deployments the manifest is rendered for, with their origins.
var publicURLs = []struct{ url, origin string }{
	{"https://sendevagt.kommune.dk", "https://sendevagt.kommune.dk"},
	{"https://sendevagt.aarhus.dk/", "https://sendevagt.aarhus.dk"},
	{"https://localhost:8443", "https://localhost:8443"},
	{"https://Addin.Example.DK:9443/", "https://addin.example.dk:9443"},
	{"https://sendevagt.example.dk:443", "https://sendevagt.example.dk"},
	{"https://10.1.2.3:8443", "https://10.1.2.3:8443"},
}

// testManifest is an independent reading of the manifest (encoding/xml structs, not the
// checker's tree) for the acceptance checks.
type testManifest struct {
	XMLName      xml.Name `xml:"http://schemas.microsoft.com/office/appforoffice/1.1 OfficeApp"`
	ID           string   `xml:"Id"`
	ProviderName string   `xml:"ProviderName"`
	DisplayName  struct {
		DefaultValue string `xml:"DefaultValue,attr"`
	} `xml:"DisplayName"`
	Runtimes []struct {
		Resid     string `xml:"resid,attr"`
		Overrides []struct {
			Type  string `xml:"type,attr"`
			Resid string `xml:"resid,attr"`
		} `xml:"Override"`
	} `xml:"VersionOverrides>VersionOverrides>Hosts>Host>Runtimes>Runtime"`
	ExtensionPoints []struct {
		Type         string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
		LaunchEvents []struct {
			Type         string `xml:"Type,attr"`
			FunctionName string `xml:"FunctionName,attr"`
			SendMode     string `xml:"SendMode,attr"`
		} `xml:"LaunchEvents>LaunchEvent"`
		SourceLocation struct {
			Resid string `xml:"resid,attr"`
		} `xml:"SourceLocation"`
	} `xml:"VersionOverrides>VersionOverrides>Hosts>Host>DesktopFormFactor>ExtensionPoint"`
	Urls []struct {
		ID           string `xml:"id,attr"`
		DefaultValue string `xml:"DefaultValue,attr"`
	} `xml:"VersionOverrides>VersionOverrides>Resources>Urls>Url"`
	WebApplicationInfo *struct {
		ID       string   `xml:"Id"`
		Resource string   `xml:"Resource"`
		Scopes   []string `xml:"Scopes>Scope"`
	} `xml:"VersionOverrides>VersionOverrides>WebApplicationInfo"`
}

func parseManifest(t *testing.T, b []byte) testManifest {
	t.Helper()
	var m testManifest
	if err := xml.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest does not parse: %v\n%s", err, b)
	}
	return m
}

func (m testManifest) url(id string) string {
	for _, u := range m.Urls {
		if u.ID == id {
			return u.DefaultValue
		}
	}
	return ""
}

func render(t *testing.T, opts Options) []byte {
	t.Helper()
	b, err := Render(opts)
	if err != nil {
		t.Fatalf("Render(%+v): %v", opts, err)
	}
	return b
}

func expect(t *testing.T, publicURL string) Expect {
	t.Helper()
	wk, err := WellKnown(publicURL)
	if err != nil {
		t.Fatalf("WellKnown(%q): %v", publicURL, err)
	}
	return Expect{Origin: publicURL, Associated: addin.AssociatedNames(), WellKnown: wk}
}

// The acceptance check: for every deployment and send mode the manifest passes Check,
// every LaunchEvent FunctionName is a name launchevent.js associates, and classic Outlook's
// JavaScript runtime is launchevent.js, listed in the well-known file.
func TestManifestRenderPassesCheck(t *testing.T) {
	associated := addin.AssociatedNames()
	if len(associated) == 0 {
		t.Fatal("addin.AssociatedNames() is empty")
	}
	for _, pu := range publicURLs {
		for _, mode := range []struct{ in, want string }{
			{"", "SoftBlock"}, {"SoftBlock", "SoftBlock"}, {"PromptUser", "PromptUser"}, {"Block", "Block"},
			{"softBlock", "SoftBlock"}, {"promptUser", "PromptUser"}, {"block", "Block"},
		} {
			for _, clientID := range []string{"", "3F2504E0-4F89-11D3-9A0C-0305E82C3301"} {
				name := pu.url + " " + mode.in
				if clientID != "" {
					name += " sso"
				}
				t.Run(name, func(t *testing.T) {
					b := render(t, Options{PublicURL: pu.url, SendMode: mode.in, ClientID: clientID})
					if errs := Check(b, expect(t, pu.url)); len(errs) > 0 {
						t.Fatalf("Check: %v\n%s", errors.Join(errs...), b)
					}
					m := parseManifest(t, b)

					var events int
					var onSend, onAppointment []string
					for _, ep := range m.ExtensionPoints {
						for _, le := range ep.LaunchEvents {
							events++
							if !slices.Contains(associated, le.FunctionName) {
								t.Errorf("LaunchEvent %s: FunctionName %q is not in addin.AssociatedNames() %q", le.Type, le.FunctionName, associated)
							}
							if want := LaunchEventTypes[le.Type]; le.FunctionName != want {
								t.Errorf("LaunchEvent %s: FunctionName %q, want %q", le.Type, le.FunctionName, want)
							}
							switch le.Type {
							case "OnMessageSend":
								onSend = append(onSend, le.SendMode)
							case "OnAppointmentSend":
								onAppointment = append(onAppointment, le.SendMode)
							}
						}
						if ep.Type == "LaunchEvent" && ep.SourceLocation.Resid != m.Runtimes[0].Resid {
							t.Errorf("LaunchEvent SourceLocation %q is not the Runtime %q", ep.SourceLocation.Resid, m.Runtimes[0].Resid)
						}
					}
					if events != 5 || !slices.Equal(onSend, []string{mode.want}) || !slices.Equal(onAppointment, []string{mode.want}) {
						t.Errorf("%d LaunchEvents, OnMessageSend SendModes %q, OnAppointmentSend %q; want 5 and [%s]", events, onSend, onAppointment, mode.want)
					}

					if len(m.Runtimes) != 1 || len(m.Runtimes[0].Overrides) != 1 || m.Runtimes[0].Overrides[0].Type != "javascript" {
						t.Fatalf("runtimes: %+v", m.Runtimes)
					}
					js := m.url(m.Runtimes[0].Overrides[0].Resid)
					if js != pu.origin+"/addin/launchevent.js" || !strings.HasSuffix(js, "/addin/launchevent.js") {
						t.Errorf("JavaScript runtime %q, want %s/addin/launchevent.js", js, pu.origin)
					}
					var wk struct{ Allowed []string }
					if err := json.Unmarshal(expect(t, pu.url).WellKnown, &wk); err != nil || !slices.Contains(wk.Allowed, js) {
						t.Errorf("well-known %s does not allow %s (%v)", expect(t, pu.url).WellKnown, js, err)
					}
					if web := m.url(m.Runtimes[0].Resid); web != pu.origin+"/addin/commands.html" {
						t.Errorf("web runtime %q", web)
					}

					if clientID == "" {
						if m.WebApplicationInfo != nil {
							t.Errorf("WebApplicationInfo without a client id")
						}
					} else {
						w := m.WebApplicationInfo
						lower := strings.ToLower(clientID)
						host := strings.TrimPrefix(pu.origin, "https://")
						if w == nil || w.ID != lower || w.Resource != "api://"+host+"/"+lower || !slices.Equal(w.Scopes, []string{"openid", "profile"}) {
							t.Errorf("WebApplicationInfo %+v", w)
						}
					}
				})
			}
		}
	}
}

// The handlers the manifest names are exactly those launchevent.js associates.
func TestManifestLaunchEventTypesMatchAddin(t *testing.T) {
	var names []string
	for _, fn := range LaunchEventTypes {
		names = append(names, fn)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	if got := addin.AssociatedNames(); !slices.Equal(got, names) {
		t.Errorf("launchevent.js associates %q, the manifest names %q", got, names)
	}
}

// Every file the manifest references under /addin/ is one the service serves.
func TestManifestReferencedFilesExist(t *testing.T) {
	const origin = "https://sendevagt.kommune.dk"
	b := render(t, Options{PublicURL: origin})
	var urls []string
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			for _, a := range tok.Attr {
				if strings.HasPrefix(a.Value, "https://") {
					urls = append(urls, a.Value)
				}
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(tok)); strings.HasPrefix(s, "https://") {
				urls = append(urls, s)
			}
		}
	}
	seen := map[string]bool{}
	for _, u := range urls {
		p, ok := strings.CutPrefix(u, origin+AddinPath)
		if !ok {
			continue
		}
		seen[p] = true
		if _, err := fs.Stat(addin.Files(), p); err != nil {
			t.Errorf("the manifest references %s, which addin.Files() lacks: %v", u, err)
		}
	}
	for _, p := range []string{"launchevent.js", "commands.html", "taskpane.html",
		"assets/icon-16.png", "assets/icon-32.png", "assets/icon-64.png", "assets/icon-80.png", "assets/icon-128.png"} {
		if !seen[p] {
			t.Errorf("the manifest does not reference /addin/%s", p)
		}
	}
}

func TestManifestRenderDeterministic(t *testing.T) {
	opts := Options{PublicURL: "https://sendevagt.kommune.dk", ClientID: "3f2504e0-4f89-11d3-9a0c-0305e82c3301", SendMode: "Block"}
	a, b := render(t, opts), render(t, opts)
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of the same options differ")
	}
	id := parseManifest(t, a).ID
	if _, err := uuid.Parse(id); err != nil || uuid.MustParse(id).Version() != 5 {
		t.Errorf("default id %q is not a UUID v5", id)
	}
	// The id depends on the origin only: the same deployment written differently is the same
	// add-in; another deployment is another.
	same := parseManifest(t, render(t, Options{PublicURL: "https://SendeVagt.kommune.dk:443/", SendMode: "PromptUser", Version: "1.0.0.7"})).ID
	other := parseManifest(t, render(t, Options{PublicURL: "https://sendevagt.aarhus.dk"})).ID
	if same != id {
		t.Errorf("same origin, ids %s and %s", id, same)
	}
	if other == id {
		t.Errorf("two deployments share the id %s", id)
	}
	if id != DefaultID("https://sendevagt.kommune.dk") {
		t.Errorf("id %s, DefaultID %s", id, DefaultID("https://sendevagt.kommune.dk"))
	}
	given := parseManifest(t, render(t, Options{PublicURL: "https://sendevagt.kommune.dk", ID: "6F9619FF-8B86-D011-B42D-00C04FC964FF"})).ID
	if given != "6f9619ff-8b86-d011-b42d-00c04fc964ff" {
		t.Errorf("given id rendered as %q", given)
	}
}

func TestManifestRenderEscapes(t *testing.T) {
	const url = "https://sendevagt.kommune.dk"
	opts := Options{
		PublicURL:    url,
		ProviderName: "A & B",
		DisplayName:  `Sendevagt <"test"> & 'co'`,
		SupportURL:   url + "/hjaelp?a=1&b=<2>",
	}
	b := render(t, opts)
	for _, raw := range []string{"A & B", `<"test">`, "a=1&b"} {
		if bytes.Contains(b, []byte(raw)) {
			t.Errorf("manifest contains %q unescaped", raw)
		}
	}
	m := parseManifest(t, b)
	if m.ProviderName != opts.ProviderName || m.DisplayName.DefaultValue != opts.DisplayName {
		t.Errorf("read back %q / %q", m.ProviderName, m.DisplayName.DefaultValue)
	}
	if errs := Check(b, expect(t, url)); len(errs) > 0 {
		t.Errorf("Check: %v", errors.Join(errs...))
	}
}

func TestManifestRenderDefaults(t *testing.T) {
	b := string(render(t, Options{PublicURL: "https://sendevagt.kommune.dk"}))
	for _, want := range []string{
		"<Version>1.0.0.0</Version>", "<ProviderName>Sendevagt</ProviderName>", `<DisplayName DefaultValue="Sendevagt"/>`,
		`<SupportUrl DefaultValue="https://sendevagt.kommune.dk/"/>`, `SendMode="SoftBlock"`, "<DefaultLocale>da-DK</DefaultLocale>",
		"<Permissions>ReadWriteItem</Permissions>", `DefaultMinVersion="1.12"`, `id="` + addin.TaskpaneCommandID + `"`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("manifest lacks %s", want)
		}
	}
	if strings.Contains(b, "WebApplicationInfo") {
		t.Error("WebApplicationInfo without a client id")
	}
}

func TestManifestRenderRejectsBadOptions(t *testing.T) {
	const u = "https://sendevagt.kommune.dk"
	tests := []struct {
		name string
		opts Options
		msg  string
	}{
		{"no public URL", Options{}, "is empty"},
		{"http", Options{PublicURL: "http://sendevagt.kommune.dk"}, "https"},
		{"no scheme", Options{PublicURL: "sendevagt.kommune.dk"}, "https"},
		{"path", Options{PublicURL: u + "/sendevagt"}, "without a path"},
		{"query", Options{PublicURL: u + "/?x=1"}, "query"},
		{"empty query", Options{PublicURL: u + "?"}, "query"},
		{"fragment", Options{PublicURL: u + "/#top"}, "fragment"},
		{"user info", Options{PublicURL: "https://admin:pw@sendevagt.kommune.dk"}, "user info"},
		{"bad host", Options{PublicURL: "https://sende_vagt.dk"}, "host name"},
		{"punycode host is accepted", Options{PublicURL: "https://sendevagt.xn--r-xfa.dk"}, ""},
		{"unicode host", Options{PublicURL: "https://sendevagt.ærø.dk"}, "xn--"},
		{"bad port", Options{PublicURL: "https://sendevagt.kommune.dk:99999"}, "port"},
		{"no host", Options{PublicURL: "https://"}, "host"},
		{"send mode", Options{PublicURL: u, SendMode: "Soft"}, "send mode"},
		{"send mode case", Options{PublicURL: u, SendMode: "SOFTBLOCK"}, "send mode"},
		{"id", Options{PublicURL: u, ID: "sendevagt"}, "not a GUID"},
		{"id in braces", Options{PublicURL: u, ID: "{6F9619FF-8B86-D011-B42D-00C04FC964FF}"}, "not a GUID"},
		{"client id", Options{PublicURL: u, ClientID: "api://sendevagt"}, "client id"},
		{"version with three parts", Options{PublicURL: u, Version: "1.0.0"}, "four numeric parts"},
		{"version with five parts", Options{PublicURL: u, Version: "1.0.0.0.0"}, "four numeric parts"},
		{"version with a leading zero", Options{PublicURL: u, Version: "1.01.0.0"}, "four numeric parts"},
		{"version with letters", Options{PublicURL: u, Version: "1.0.0.beta"}, "four numeric parts"},
		{"provider on two lines", Options{PublicURL: u, ProviderName: "A\nB"}, "one line"},
		{"long display name", Options{PublicURL: u, DisplayName: strings.Repeat("x", 126)}, "longer than 125"},
		{"support URL elsewhere", Options{PublicURL: u, SupportURL: "https://kommune.dk/hjaelp"}, "not on https://sendevagt.kommune.dk"},
		{"support URL over http", Options{PublicURL: u, SupportURL: "http://sendevagt.kommune.dk/"}, "https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(tt.opts)
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("Render: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Render accepted the options")
			}
			if !errors.Is(err, ErrInvalidOptions) {
				t.Errorf("error %v does not wrap ErrInvalidOptions", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q lacks %q", err, tt.msg)
			}
		})
	}
}

func TestManifestOrigin(t *testing.T) {
	for _, pu := range publicURLs {
		got, err := Origin(pu.url)
		if err != nil || got != pu.origin {
			t.Errorf("Origin(%q) = %q, %v; want %q", pu.url, got, err, pu.origin)
		}
	}
	if got, err := Origin("https://[::1]:8443"); err != nil || got != "https://[::1]:8443" {
		t.Errorf("IPv6: %q, %v", got, err)
	}
}

func TestManifestWellKnown(t *testing.T) {
	b, err := WellKnown("https://Sendevagt.Kommune.dk:443/")
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"allowed":["https://sendevagt.kommune.dk/addin/launchevent.js"]}`; string(b) != want {
		t.Errorf("WellKnown = %s, want %s", b, want)
	}
	if _, err := WellKnown("http://sendevagt.kommune.dk"); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("WellKnown over http: %v", err)
	}
}
