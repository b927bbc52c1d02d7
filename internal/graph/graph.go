// Package graph reads an Outlook draft and its attachments through Microsoft Graph as a
// message.Message, on behalf of the user who presses Send (OAuth 2.0 on-behalf-of with
// azidentity, msgraph-sdk-go for the requests).
//
// One Client serves every user: the user's Graph token travels in the request context, so the
// SDK's request adapter, middleware pipeline and connections are shared. Graph tokens are cached
// per tenant, user and scope. Limits bound what is downloaded, how long a not yet synchronised
// draft is polled for, and how many requests run at once per mailbox.
package graph

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	absauth "github.com/microsoft/kiota-abstractions-go/authentication"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	core "github.com/microsoftgraph/msgraph-sdk-go-core"
)

// Defaults of Config and Limits.
const (
	DefaultAuthorityHost         = "https://login.microsoftonline.com/"
	DefaultGraphURL              = "https://graph.microsoft.com/v1.0"
	DefaultInlineAttachmentBytes = 3 << 20
	DefaultMaxAttachmentBytes    = 35 << 20
	DefaultMaxMessageBytes       = 150 << 20
	DefaultMaxDepth              = 5
	DefaultConcurrency           = 4
	DefaultNotSyncedFor          = 1500 * time.Millisecond
	// MaxConcurrency is Exchange Online's limit of concurrent requests per mailbox.
	MaxConcurrency = 4
	// DefaultTimeout bounds FetchMessage when its context has no deadline.
	DefaultTimeout = 30 * time.Second
	// tokenCacheSize is how many users' Graph tokens are kept.
	tokenCacheSize = 10000
)

// Config configures a Client.
type Config struct {
	// ClientID is the application (client) id of Sendevagt's app registration.
	ClientID string
	// ClientSecret authenticates the app; or Certificate does.
	ClientSecret string
	// Certificate is PEM holding the certificate and its private key (azidentity.ParseCertificates),
	// optionally encrypted with CertificatePassword.
	Certificate         []byte
	CertificatePassword string
	// AuthorityHost is the Entra ID authority (default https://login.microsoftonline.com/); https only.
	AuthorityHost string
	// GraphURL is Graph's base URL (default https://graph.microsoft.com/v1.0); https only. Tokens are
	// attached only to requests for this host.
	GraphURL string
	// Scope is the scope asked for on behalf of the user. Default: "https://<host>/.default" for the
	// national-cloud Graph hosts (graph.microsoft.us, dod-graph.microsoft.us,
	// microsoftgraph.chinacloudapi.cn), else "https://graph.microsoft.com/.default", also when
	// GraphURL is a proxy or a test fake in front of the public cloud.
	Scope string
	// Transport is the base transport for Graph and the authority (default: a clone of
	// http.DefaultTransport). Tests pass a transport that trusts the fakes' certificates.
	Transport http.RoundTripper
	// Limits bound downloads, polling and concurrency; zero fields take the defaults.
	Limits Limits
	// Observer, if set, is told about every Graph HTTP attempt.
	Observer Observer
	// Logger, if set, receives counts and durations; never content, names or tokens.
	Logger *slog.Logger
}

// Limits bound one FetchMessage. Zero fields take the defaults.
type Limits struct {
	// InlineAttachmentBytes: file attachments up to this size are fetched as JSON (contentBytes);
	// larger ones are streamed from /$value. Default 3 MiB.
	InlineAttachmentBytes int64
	// MaxAttachmentBytes: a larger attachment is not downloaded (Unread "too_large"). Default 35 MiB.
	MaxAttachmentBytes int64
	// MaxMessageBytes: all attachments of one message together (in order; the ones past the
	// budget are "too_large"). Default 150 MiB.
	MaxMessageBytes int64
	// MaxDepth is how deeply attached mails inside attached mails are read. Default 5.
	MaxDepth int
	// Concurrency is how many requests run at once per mailbox, at most 4 (Outlook's limit).
	Concurrency int
	// NotSyncedFor is how long a 404 ErrorItemNotFound for the draft is polled before
	// ErrNotSynced. Default 1.5 s.
	NotSyncedFor time.Duration
}

// User is the signed-in user a draft is read for.
type User struct {
	TenantID, ObjectID string
	// Assertion is the user's access token for Sendevagt's API, exchanged on behalf of the user.
	// Never logged.
	Assertion string
}

// Observer is told about every Graph HTTP attempt. op is "message", "attachment",
// "attachment_value" or "item"; status is the HTTP status (0: no response); retry is true for an
// attempt that repeats an earlier one (after 429/503/504, or polling a draft not yet synced).
type Observer interface {
	GraphCall(op string, status int, retry bool)
}

// Client reads drafts through Microsoft Graph. It is safe for concurrent use.
type Client struct {
	lim       Limits
	log       *slog.Logger
	graph     *msgraphsdk.GraphServiceClient
	adapter   abstractions.RequestAdapter
	retry     *khttp.RetryHandlerOptions
	tokens    *tokenSource
	mailboxes *limiter
}

// New checks cfg and builds a Client. It makes no network calls.
func New(cfg Config) (*Client, error) {
	if cfg.ClientID == "" {
		return nil, errors.New("graph: client id missing")
	}
	if (cfg.ClientSecret == "") == (len(cfg.Certificate) == 0) {
		return nil, errors.New("graph: give exactly one of client secret and certificate")
	}
	authority, err := httpsURL("authority host", cfg.AuthorityHost, DefaultAuthorityHost)
	if err != nil {
		return nil, err
	}
	graphURL, err := httpsURL("graph URL", cfg.GraphURL, DefaultGraphURL)
	if err != nil {
		return nil, err
	}
	base := cfg.Transport
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	lim := cfg.Limits.withDefaults()
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}

	var certs []*x509.Certificate
	var key crypto.PrivateKey
	if len(cfg.Certificate) > 0 {
		var pw []byte
		if cfg.CertificatePassword != "" {
			pw = []byte(cfg.CertificatePassword)
		}
		certs, key, err = azidentity.ParseCertificates(cfg.Certificate, pw)
		if err != nil {
			return nil, fmt.Errorf("graph: certificate: %w", err)
		}
	}
	scope := cfg.Scope
	if scope == "" {
		scope = defaultScope(graphURL)
	}
	tokens := newTokenSource(tokenConfig{
		clientID: cfg.ClientID, secret: cfg.ClientSecret, certs: certs, key: key,
		authority: authority.String(), scope: scope, transport: base,
	}, tokenCacheSize)

	hosts, err := absauth.NewAllowedHostsValidatorErrorCheck([]string{graphURL.Hostname()})
	if err != nil {
		return nil, fmt.Errorf("graph: %w", err)
	}
	opts := msgraphsdk.GetDefaultClientOptions()
	hc := &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(
			&observingTransport{base: base, obs: cfg.Observer}, core.GetDefaultMiddlewaresWithOptions(&opts)...),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		absauth.NewBaseBearerTokenAuthenticationProvider(&contextTokenProvider{hosts: hosts}), nil, nil, hc)
	if err != nil {
		return nil, fmt.Errorf("graph: request adapter: %w", err)
	}
	adapter.SetBaseUrl(strings.TrimSuffix(graphURL.String(), "/"))
	return &Client{
		lim:       lim,
		log:       logger,
		graph:     msgraphsdk.NewGraphServiceClient(adapter),
		adapter:   adapter,
		retry:     &khttp.RetryHandlerOptions{MaxRetries: 3, DelaySeconds: 1, ShouldRetry: shouldRetry},
		tokens:    tokens,
		mailboxes: newLimiter(lim.Concurrency),
	}, nil
}

func (l Limits) withDefaults() Limits {
	if l.InlineAttachmentBytes <= 0 {
		l.InlineAttachmentBytes = DefaultInlineAttachmentBytes
	}
	if l.MaxAttachmentBytes <= 0 {
		l.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	if l.MaxMessageBytes <= 0 {
		l.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.Concurrency <= 0 {
		l.Concurrency = DefaultConcurrency
	}
	l.Concurrency = min(l.Concurrency, MaxConcurrency)
	if l.NotSyncedFor <= 0 {
		l.NotSyncedFor = DefaultNotSyncedFor
	}
	return l
}

func httpsURL(what, raw, def string) (*url.URL, error) {
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("graph: %s: %w", what, err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("graph: %s %q: must be an https URL", what, raw)
	}
	return u, nil
}

// defaultScope is the .default scope of the Graph cloud GraphURL names: a national cloud's own
// host, else the public cloud's (for a proxy or a test fake too).
func defaultScope(graphURL *url.URL) string {
	switch host := strings.ToLower(graphURL.Hostname()); host {
	case "graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn":
		return "https://" + host + "/.default"
	}
	return "https://graph.microsoft.com/.default"
}

// contextTokenProvider gives kiota the Graph token FetchMessage put in the request context, and
// only for the configured Graph host over https.
type contextTokenProvider struct {
	hosts *absauth.AllowedHostsValidator
}

type tokenKey struct{}

func withToken(ctx context.Context, tok string) context.Context {
	return context.WithValue(ctx, tokenKey{}, tok)
}

// GetAuthorizationToken implements absauth.AccessTokenProvider.
func (p *contextTokenProvider) GetAuthorizationToken(ctx context.Context, u *url.URL, _ map[string]any) (string, error) {
	if u == nil || !p.hosts.IsUrlHostValid(u) {
		return "", nil
	}
	if u.Scheme != "https" {
		return "", errors.New("graph: refusing to send a token over plain http")
	}
	tok, _ := ctx.Value(tokenKey{}).(string)
	if tok == "" {
		return "", errors.New("graph: no token in the request context")
	}
	return tok, nil
}

// GetAllowedHostsValidator implements absauth.AccessTokenProvider.
func (p *contextTokenProvider) GetAllowedHostsValidator() *absauth.AllowedHostsValidator {
	return p.hosts
}
