// Package auth is who may call Sendevagt. For the API it validates the Microsoft Entra ID access
// tokens the Outlook add-in sends (golang-jwt/jwt/v5 with a cached, rotating JWKS from
// MicahParks/keyfunc/v3) and turns a valid one into the User it identifies (tid + oid). For
// people it signs administrators in to the admin pages (SignIn: OpenID Connect with Entra ID, or
// local mode's one-time link) and keeps their sessions, roles and CSRF tokens.
//
// An access token is accepted only if it is RS256-signed by a key of the configured key set, unexpired
// (with a small leeway), issued for one of our audiences by the token's own tenant's issuer, from
// an allowed tenant, and delegated with the required scope (access_as_user).
package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// TenantPlaceholder in an issuer template is replaced by the token's own tid before comparing.
const TenantPlaceholder = "{tenantid}"

// AnyTenant in Config.TenantIDs allows every tenant.
const AnyTenant = "*"

// Defaults for Config.
const (
	DefaultAuthorityHost          = "https://login.microsoftonline.com"
	DefaultRequiredScope          = "access_as_user"
	DefaultLeeway                 = 2 * time.Minute
	DefaultHTTPTimeout            = 10 * time.Second
	DefaultRefreshUnknownKIDWait  = 2 * time.Second
	DefaultRefreshUnknownKIDEvery = 5 * time.Minute
	DefaultRefreshInterval        = time.Hour
)

// ErrConfig is wrapped by every configuration error from NewValidator.
var ErrConfig = errors.New("auth configuration")

// Config configures a Validator.
type Config struct {
	// Issuers are issuer templates; TenantPlaceholder ("{tenantid}") is replaced by the token's own
	// tid claim before comparing. A template without the placeholder is compared as is.
	// Default: AuthorityHost+"/{tenantid}/v2.0" and "https://sts.windows.net/{tenantid}/".
	Issuers []string
	// AuthorityHost is the Entra ID host, default DefaultAuthorityHost.
	AuthorityHost string
	// JWKSURL is the key set URL, default AuthorityHost+"/common/discovery/v2.0/keys" (with
	// "?appid="+SigningKeyAppID when that is set).
	JWKSURL string
	// SigningKeyAppID is set for an app registration with its own signing keys (claims mapping):
	// Entra ID publishes those only with ?appid={client id}.
	SigningKeyAppID string
	// StaticJWKS, when set, is the key set, used instead of fetching one (local mode: the keys
	// from the data directory). Unknown key ids are then simply rejected.
	StaticJWKS json.RawMessage
	// Audiences are accepted aud values, any of them (client id GUID and/or the api://… app id
	// URI). Required.
	Audiences []string
	// TenantIDs is the tenant allow-list; AnyTenant ("*") allows any tenant. Required: an empty
	// list is a configuration error rather than a service that refuses every token.
	TenantIDs []string
	// RequiredScope must be one of the space-separated scopes of the scp claim; default
	// DefaultRequiredScope.
	RequiredScope string
	// ClientApps optionally restricts the calling client (azp in v2, appid in v1); empty allows any.
	ClientApps []string
	// Leeway is the allowed clock skew for exp, nbf and iat; default DefaultLeeway.
	Leeway time.Duration
	// HTTPClient fetches the key set; default a client with a DefaultHTTPTimeout timeout. Each
	// fetch is also bounded by DefaultHTTPTimeout.
	HTTPClient *http.Client
	// RefreshUnknownKIDWait bounds how long one request waits for a key set refetch when its
	// token names an unknown key id (and for the rate limiter that guards refetches); default
	// DefaultRefreshUnknownKIDWait, never keyfunc's one-minute default.
	RefreshUnknownKIDWait time.Duration
	// RefreshUnknownKIDEvery is the least time between two refetches caused by unknown key ids;
	// default DefaultRefreshUnknownKIDEvery.
	RefreshUnknownKIDEvery time.Duration
	// RefreshInterval is how often the key set is refetched in the background; default
	// DefaultRefreshInterval.
	RefreshInterval time.Duration
	// Logger receives key set fetch failures (never tokens); default slog.Default().
	Logger *slog.Logger
}

// withDefaults returns cfg with every default filled in, or an ErrConfig error.
func (cfg Config) withDefaults() (Config, error) {
	if len(cfg.Audiences) == 0 {
		return cfg, fmt.Errorf("%w: no audience (client id or app id URI) is configured", ErrConfig)
	}
	if len(cfg.TenantIDs) == 0 {
		return cfg, fmt.Errorf("%w: no tenant is allowed (set the tenant ids, or %q for any tenant)", ErrConfig, AnyTenant)
	}
	for _, list := range [][]string{cfg.Audiences, cfg.TenantIDs, cfg.Issuers, cfg.ClientApps} {
		for _, s := range list {
			if strings.TrimSpace(s) == "" {
				return cfg, fmt.Errorf("%w: empty value in a list", ErrConfig)
			}
		}
	}
	if cfg.AuthorityHost == "" {
		cfg.AuthorityHost = DefaultAuthorityHost
	}
	cfg.AuthorityHost = strings.TrimSuffix(cfg.AuthorityHost, "/")
	if err := checkHTTPS("authority host", cfg.AuthorityHost); err != nil {
		return cfg, err
	}
	if len(cfg.Issuers) == 0 {
		cfg.Issuers = []string{
			cfg.AuthorityHost + "/" + TenantPlaceholder + "/v2.0",
			"https://sts.windows.net/" + TenantPlaceholder + "/",
		}
	}
	if len(cfg.StaticJWKS) > 0 {
		if !json.Valid(cfg.StaticJWKS) {
			return cfg, fmt.Errorf("%w: the static key set is not JSON", ErrConfig)
		}
	} else {
		if cfg.JWKSURL == "" {
			cfg.JWKSURL = cfg.AuthorityHost + "/common/discovery/v2.0/keys"
			if cfg.SigningKeyAppID != "" {
				cfg.JWKSURL += "?appid=" + url.QueryEscape(cfg.SigningKeyAppID)
			}
		}
		if err := checkHTTPS("key set URL", cfg.JWKSURL); err != nil {
			return cfg, err
		}
	}
	if cfg.RequiredScope == "" {
		cfg.RequiredScope = DefaultRequiredScope
	}
	if cfg.Leeway < 0 || cfg.RefreshUnknownKIDWait < 0 || cfg.RefreshUnknownKIDEvery < 0 || cfg.RefreshInterval < 0 {
		return cfg, fmt.Errorf("%w: negative duration", ErrConfig)
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = DefaultLeeway
	}
	if cfg.RefreshUnknownKIDWait == 0 {
		cfg.RefreshUnknownKIDWait = DefaultRefreshUnknownKIDWait
	}
	if cfg.RefreshUnknownKIDEvery == 0 {
		cfg.RefreshUnknownKIDEvery = DefaultRefreshUnknownKIDEvery
	}
	if cfg.RefreshInterval == 0 {
		cfg.RefreshInterval = DefaultRefreshInterval
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg, nil
}

// checkHTTPS requires an absolute https URL: keys and issuers fetched over plain HTTP could be
// replaced by anyone on the path.
func checkHTTPS(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%w: the %s %q is not an absolute https URL", ErrConfig, what, raw)
	}
	return nil
}
