// Package manifest renders and checks the Outlook add-in manifest of a Sendevagt deployment: the
// XML (add-in only) manifest Microsoft 365 admins deploy, and the well-known file that lets
// classic Outlook's JavaScript-only runtime load launchevent.js. Both point at the service's
// public origin, which serves the add-in under /addin/ (package addin).
package manifest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/sendevagt/sendevagt/addin"
)

// Where the service publishes the two files (on its public origin).
const (
	ManifestPath  = "/manifest.xml"
	WellKnownPath = "/.well-known/microsoft-officeaddins-allowed.json"
	// AddinPath is the prefix of the add-in's files (addin.Files()).
	AddinPath = "/addin/"
)

// Defaults of Options.
const (
	DefaultSendMode     = "SoftBlock"
	DefaultVersion      = "1.0.0.0"
	DefaultProviderName = "Sendevagt"
	DefaultDisplayName  = "Sendevagt"
)

// ErrInvalidOptions is wrapped by every error Render and WellKnown return for bad options (as
// opposed to a failure of the package itself).
var ErrInvalidOptions = errors.New("invalid manifest options")

// Options describe one deployment's manifest. Only PublicURL is required.
type Options struct {
	// PublicURL is the service's public origin, https://host[:port], as Outlook reaches it.
	PublicURL string
	// ClientID is the Entra ID app registration (a GUID). When set, the manifest gets a
	// <WebApplicationInfo> for Office's legacy SSO (OfficeRuntime.auth.getAccessToken).
	ClientID string
	// SendMode is the OnMessageSend SendMode: SoftBlock (default), PromptUser or Block; the
	// unified manifest's names softBlock, promptUser and block are accepted too.
	SendMode string
	// ID is the add-in's GUID. The default is derived from the public URL (UUID v5), so every
	// rendering for one deployment is the same add-in.
	ID string
	// Version has four numeric parts (default 1.0.0.0). Raise it for each change an admin
	// deploys.
	Version string
	// ProviderName and DisplayName default to "Sendevagt".
	ProviderName string
	DisplayName  string
	// SupportURL defaults to PublicURL + "/"; it must be an https URL on the public origin (or
	// on AddinURL).
	SupportURL string
	// AddinURL is the origin that serves the add-in's files when they are hosted apart from the
	// API (sendevagt addin-bundle), https://host[:port]; "" means PublicURL. Every file URL in
	// the manifest, the well-known file and the SSO resource (api://host/<client id>) are on it,
	// so Outlook loads the add-in, and its fail mode, while the API is down.
	AddinURL string
}

// AddinOrigin is the origin of the add-in's files: AddinURL when set, else PublicURL.
func (o Options) AddinOrigin() (string, error) {
	if o.AddinURL != "" {
		return Origin(o.AddinURL)
	}
	return Origin(o.PublicURL)
}

// sendModes maps the accepted SendMode spellings to the XML manifest's.
var sendModes = map[string]string{
	"SoftBlock": "SoftBlock", "PromptUser": "PromptUser", "Block": "Block",
	"softBlock": "SoftBlock", "promptUser": "PromptUser", "block": "Block",
}

// versionRE is the XSD's version pattern, with exactly four parts.
var versionRE = regexp.MustCompile(`^(0|[1-9][0-9]{0,4})(\.(0|[1-9][0-9]{0,4})){3}$`)

// hostRE is an ASCII DNS name (IDNs must be given in their xn-- form).
var hostRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)

// Origin checks a public URL and returns its origin, https://host[:port]: scheme and host in
// lower case, no port 443, no trailing slash. It rejects http, a path other than "/", a query,
// a fragment and user info.
func Origin(publicURL string) (string, error) {
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("%w: public URL %q %s", ErrInvalidOptions, publicURL, why)
	}
	if publicURL == "" {
		return bad("is empty")
	}
	u, err := url.Parse(publicURL)
	switch {
	case err != nil:
		return bad("is not a URL")
	case !strings.EqualFold(u.Scheme, "https"):
		return bad("must be an https URL (Outlook loads add-ins only over https)")
	case u.Opaque != "" || u.Host == "":
		return bad("must be https://host[:port]")
	case u.User != nil:
		return bad("must not contain user info")
	case u.RawQuery != "" || u.ForceQuery || strings.Contains(publicURL, "?"):
		return bad("must not have a query")
	case u.Fragment != "" || strings.Contains(publicURL, "#"):
		return bad("must not have a fragment")
	case u.Path != "" && u.Path != "/":
		return bad("must be an origin, without a path (the add-in is served under /addin/)")
	}
	host := strings.ToLower(u.Hostname())
	if ip := net.ParseIP(host); ip == nil && !hostRE.MatchString(host) {
		return bad("has an invalid host name (give an internationalised name in its xn-- form)")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return bad("has an invalid port")
		}
		if n != 443 {
			host = net.JoinHostPort(host, p)
		} else if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return "https://" + host, nil
}

// LaunchEventURL is the URL of launchevent.js on origin (as returned by Origin): the
// manifest's JavaScript runtime and the well-known file's one entry.
func LaunchEventURL(origin string) string { return origin + AddinPath + "launchevent.js" }

// DefaultID is the add-in GUID derived from a public origin (UUID v5 of its manifest URL).
func DefaultID(origin string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte(origin+ManifestPath)).String()
}

// WellKnown returns /.well-known/microsoft-officeaddins-allowed.json for the public URL: it
// allows launchevent.js, which classic Outlook's JavaScript runtime loads from the manifest.
func WellKnown(publicURL string) ([]byte, error) {
	origin, err := Origin(publicURL)
	if err != nil {
		return nil, err
	}
	return json.Marshal(wellKnown{Allowed: []string{LaunchEventURL(origin)}})
}

type wellKnown struct {
	Allowed []string `json:"allowed"`
}

//go:embed manifest.xml.tmpl
var templateText string

var manifestTemplate = template.Must(template.New("manifest.xml").Option("missingkey=error").Parse(templateText))

// xmlValue is a value printed by the template: its String method escapes it for XML text and
// attributes, so no value reaches the manifest unescaped.
type xmlValue string

func (v xmlValue) String() string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(v)) // writes to a strings.Builder do not fail
	return b.String()
}

// templateData is what the template sees: only xmlValues.
type templateData struct {
	ID, Version, ProviderName, DisplayName, SupportURL xmlValue
	Origin, Base, SendMode, ClientID, Resource         xmlValue
	TaskpaneCommandID, AppointmentCommandID            xmlValue
	// APIOrigin is the API's origin when the add-in's files are elsewhere ("" otherwise).
	APIOrigin xmlValue
}

// Render returns the XML manifest for opts. Errors about the options wrap ErrInvalidOptions.
func Render(opts Options) ([]byte, error) {
	d, err := opts.data()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := manifestTemplate.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return b.Bytes(), nil
}

// data checks the options and fills the defaults.
func (o Options) data() (*templateData, error) {
	api, err := Origin(o.PublicURL)
	if err != nil {
		return nil, err
	}
	origin, err := o.AddinOrigin()
	if err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) (*templateData, error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{ErrInvalidOptions}, args...)...)
	}
	d := &templateData{
		Origin:               xmlValue(origin),
		Base:                 xmlValue(origin + AddinPath),
		TaskpaneCommandID:    addin.TaskpaneCommandID,
		AppointmentCommandID: addin.AppointmentCommandID,
	}
	if api != origin {
		d.APIOrigin = xmlValue(api)
	}

	mode := o.SendMode
	if mode == "" {
		mode = DefaultSendMode
	}
	m, ok := sendModes[mode]
	if !ok {
		return bad("send mode %q: use SoftBlock, PromptUser or Block", o.SendMode)
	}
	d.SendMode = xmlValue(m)

	id := o.ID
	if id == "" {
		id = DefaultID(api)
	}
	if !isGUID(id) {
		return bad("add-in id %q is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", o.ID)
	}
	d.ID = xmlValue(strings.ToLower(id))

	if o.ClientID != "" {
		if !isGUID(o.ClientID) {
			return bad("client id %q is not a GUID (the Entra ID application (client) ID)", o.ClientID)
		}
		cid := strings.ToLower(o.ClientID)
		d.ClientID = xmlValue(cid)
		d.Resource = xmlValue("api://" + strings.TrimPrefix(origin, "https://") + "/" + cid)
	}

	version := o.Version
	if version == "" {
		version = DefaultVersion
	}
	if !versionRE.MatchString(version) {
		return bad("version %q must have four numeric parts, such as 1.0.0.0", o.Version)
	}
	d.Version = xmlValue(version)

	for _, f := range []struct {
		name     string
		v, def   string
		dst      *xmlValue
		maxRunes int
	}{
		{"provider name", o.ProviderName, DefaultProviderName, &d.ProviderName, 125},
		{"display name", o.DisplayName, DefaultDisplayName, &d.DisplayName, 125},
	} {
		v := strings.TrimSpace(f.v)
		if v == "" {
			v = f.def
		}
		if !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 {
			return bad("%s %q must be text on one line", f.name, f.v)
		}
		if utf8.RuneCountInString(v) > f.maxRunes {
			return bad("%s is longer than %d characters", f.name, f.maxRunes)
		}
		*f.dst = xmlValue(v)
	}

	support := o.SupportURL
	if support == "" {
		support = api + "/"
	}
	if err := onOrigin(support, api); err != nil && onOrigin(support, origin) != nil {
		return bad("support URL: %v", err)
	}
	d.SupportURL = xmlValue(support)
	return d, nil
}

// isGUID reports a GUID in its 36-character form.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

// onOrigin checks that raw is an absolute https URL on origin (as returned by Origin).
func onOrigin(raw, origin string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if u.Scheme != "https" {
		return fmt.Errorf("%q is not an absolute https URL", raw)
	}
	if u.User != nil {
		return fmt.Errorf("%q contains user info", raw)
	}
	o, err := Origin(u.Scheme + "://" + u.Host)
	if err != nil || o != origin {
		return fmt.Errorf("%q is not on %s", raw, origin)
	}
	return nil
}
