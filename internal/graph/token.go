package graph

import (
	"container/list"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// tokenMargin: a cached Graph token is used until this long before it expires.
const tokenMargin = 5 * time.Minute

type tokenConfig struct {
	clientID  string
	secret    string
	certs     []*x509.Certificate
	key       crypto.PrivateKey
	authority string
	scope     string
	transport http.RoundTripper
}

// tokenSource exchanges user assertions for Graph tokens (on-behalf-of) and caches the results
// per tenant, user and scope in a bounded least-recently-used map.
type tokenSource struct {
	cfg  tokenConfig
	opts azidentity.OnBehalfOfCredentialOptions
	now  func() time.Time

	mu      sync.Mutex
	cap     int
	entries map[string]*list.Element // of *cachedToken
	order   *list.List               // front: most recently used
}

type cachedToken struct {
	key, token string
	useUntil   time.Time
}

func newTokenSource(cfg tokenConfig, capacity int) *tokenSource {
	host := ""
	if u, err := url.Parse(cfg.authority); err == nil {
		host = strings.ToLower(u.Hostname())
	}
	return &tokenSource{
		cfg: cfg,
		opts: azidentity.OnBehalfOfCredentialOptions{
			ClientOptions: azcore.ClientOptions{
				Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: cfg.authority},
				Transport: &http.Client{Transport: cfg.transport},
				Retry:     policy.RetryOptions{MaxRetries: 1, RetryDelay: 200 * time.Millisecond, MaxRetryDelay: time.Second},
			},
			// MSAL asks login.microsoftonline.com about authorities it does not know; an
			// authority outside Microsoft's clouds (Azure Stack, a test fake) is trusted as
			// configured instead.
			DisableInstanceDiscovery: !microsoftAuthority(host),
		},
		now:     time.Now,
		cap:     capacity,
		entries: map[string]*list.Element{},
		order:   list.New(),
	}
}

// microsoftAuthority reports whether host is one of the Entra ID hosts MSAL knows.
func microsoftAuthority(host string) bool {
	return slices.Contains([]string{
		"login.microsoftonline.com", "login.microsoft.com", "login.windows.net", "sts.windows.net",
		"login.microsoftonline.us", "login-us.microsoftonline.com", "login.usgovcloudapi.net",
		"login.partner.microsoftonline.cn", "login.chinacloudapi.cn", "login.microsoftonline.de",
		"login.sovcloud-identity.fr", "login.sovcloud-identity.de", "login.sovcloud-identity.sg",
	}, host)
}

// token returns a Graph token for u: from the cache, or by exchanging u.Assertion.
func (s *tokenSource) token(ctx context.Context, u User) (string, error) {
	if u.TenantID == "" || u.ObjectID == "" || u.Assertion == "" {
		return "", fmt.Errorf("graph: token: %w: user without tenant, object id or assertion", ErrAccessDenied)
	}
	key := u.TenantID + "\x00" + u.ObjectID + "\x00" + s.cfg.scope
	if tok, ok := s.cached(key); ok {
		return tok, nil
	}
	cred, err := s.credential(u)
	if err != nil {
		return "", fmt.Errorf("graph: token: %w: on-behalf-of credential: %w", ErrAccessDenied, err)
	}
	at, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{s.cfg.scope}})
	if err != nil {
		return "", oboError(ctx, err)
	}
	s.store(key, at.Token, at.ExpiresOn.Add(-tokenMargin))
	return at.Token, nil
}

// credential makes the on-behalf-of credential of one assertion: azidentity binds the assertion
// at construction and caches per instance, so there is one per incoming token.
func (s *tokenSource) credential(u User) (azcore.TokenCredential, error) {
	if s.cfg.secret != "" {
		return azidentity.NewOnBehalfOfCredentialWithSecret(u.TenantID, s.cfg.clientID, u.Assertion, s.cfg.secret, &s.opts)
	}
	return azidentity.NewOnBehalfOfCredentialWithCertificate(u.TenantID, s.cfg.clientID, u.Assertion, s.cfg.certs, s.cfg.key, &s.opts)
}

func (s *tokenSource) cached(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.entries[key]
	if !ok {
		return "", false
	}
	ct := el.Value.(*cachedToken)
	if !s.now().Before(ct.useUntil) {
		s.order.Remove(el)
		delete(s.entries, key)
		return "", false
	}
	s.order.MoveToFront(el)
	return ct.token, true
}

// store caches a token until useUntil (not at all when that has passed: a short-lived token
// serves only the fetch that asked for it).
func (s *tokenSource) store(key, token string, useUntil time.Time) {
	if !s.now().Before(useUntil) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.entries[key]; ok {
		el.Value = &cachedToken{key: key, token: token, useUntil: useUntil}
		s.order.MoveToFront(el)
		return
	}
	s.entries[key] = s.order.PushFront(&cachedToken{key: key, token: token, useUntil: useUntil})
	for s.order.Len() > s.cap {
		last := s.order.Back()
		s.order.Remove(last)
		delete(s.entries, last.Value.(*cachedToken).key)
	}
}

// len is the number of cached tokens.
func (s *tokenSource) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.order.Len()
}

// entraError is the error body of Entra ID's token endpoint.
type entraError struct {
	Error      string `json:"error"`
	ErrorCodes []int  `json:"error_codes"`
}

// oboError maps a failed on-behalf-of exchange to a sentinel. The message names the OAuth error
// and AADSTS codes only: Entra's description and the assertion stay out.
func oboError(ctx context.Context, err error) error {
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) && afe.RawResponse != nil {
		status := afe.RawResponse.StatusCode
		var body entraError
		if b, rerr := runtime.Payload(afe.RawResponse); rerr == nil {
			_ = json.Unmarshal(b, &body)
		}
		codes := make([]string, 0, len(body.ErrorCodes))
		for _, c := range body.ErrorCodes {
			codes = append(codes, fmt.Sprintf("AADSTS%d", c))
		}
		detail := fmt.Sprintf("status %d %s %s", status, body.Error, strings.Join(codes, ","))
		switch {
		case body.Error == "invalid_grant" || slices.Contains(body.ErrorCodes, 65001):
			return fmt.Errorf("graph: on-behalf-of: %w (%s)", ErrConsent, detail)
		case status == http.StatusTooManyRequests:
			return fmt.Errorf("graph: on-behalf-of: %w (%s)", ErrThrottled, detail)
		case status >= 500:
			return fmt.Errorf("graph: on-behalf-of: %w (%s)", ErrUnavailable, detail)
		case body.Error == "invalid_client" || body.Error == "unauthorized_client" || status == http.StatusUnauthorized:
			return fmt.Errorf("graph: on-behalf-of: %w: application credentials refused (%s)", ErrAccessDenied, detail)
		}
		return fmt.Errorf("graph: on-behalf-of: %w (%s)", ErrBadRequest, detail)
	}
	// azidentity does not always wrap the context's error: ask the context.
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("graph: on-behalf-of: %w: %w", ErrUnavailable, cerr)
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("graph: on-behalf-of: %w: %w", ErrUnavailable, context.DeadlineExceeded)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("graph: on-behalf-of: %w: %w", ErrUnavailable, context.Canceled)
	}
	return fmt.Errorf("graph: on-behalf-of: %w: %w", ErrUnavailable, netCause(err))
}
