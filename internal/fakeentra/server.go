// Package fakeentra is a faithful fake of Microsoft Entra ID (Azure AD) on loopback over HTTPS, for
// tests of token validation, on-behalf-of token exchange and the end-to-end service. It serves the
// endpoints MSAL/azidentity and JWKS clients use, with the shapes real Entra ID answers:
//
//	GET  /{tenant}/v2.0/.well-known/openid-configuration   OpenID metadata (v2)
//	GET  /{tenant}/.well-known/openid-configuration        OpenID metadata (v1)
//	GET  /common/discovery/v2.0/keys, /{tenant}/discovery/v2.0/keys, /{tenant}/discovery/keys   JWKS
//	GET  /common/discovery/instance                        MSAL instance discovery
//	POST /{tenant}/oauth2/v2.0/token                       client_credentials, on-behalf-of and
//	                                                       authorization_code (with PKCE)
//	GET  /{tenant}/oauth2/v2.0/authorize                   auto-approves the SetSignInUser user
//	GET  /{tenant}/oauth2/v2.0/logout                      back to post_logout_redirect_uri
//
// Tokens are minted with MintToken and signed with the fake's current RSA key; the JWKS publishes
// that key (and, after RotateKey, the earlier ones until DropOldKeys). The package does not import
// "testing", so an end-to-end harness or a small command can use it.
//
// Issuers on the fake: v2 tokens carry IssuerV2(tenant) = URL+"/{tenant}/v2.0", as real Entra ID
// does on its own host. Real v1 tokens carry "https://sts.windows.net/{tenant}/", a host the fake
// cannot own, so v1 tokens from the fake carry IssuerV1(tenant) = URL+"/{tenant}/v1/" instead; a
// validator under test is configured with that template.
package fakeentra

import (
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// GraphAppID is the application id of Microsoft Graph: the audience of Graph access tokens.
const GraphAppID = "00000003-0000-0000-c000-000000000000"

// GraphResource is Microsoft Graph's resource URI, the prefix of Graph scopes.
const GraphResource = "https://graph.microsoft.com"

// defaultGraphScopes are the delegated Graph permissions an App has consent for when its
// GraphScopes is empty.
func defaultGraphScopes() []string { return []string{"Mail.Read", "User.Read"} }

// App is an application registration the token endpoint accepts as a client. An App is usable
// in every tenant (a multi-tenant app with admin consent everywhere).
type App struct {
	// ClientID is the application (client) id, a GUID.
	ClientID string
	// Secret is the client secret; empty means secret authentication is refused.
	Secret string
	// CertPEM optionally holds a PEM certificate; a client_assertion signed (PS256 or RS256) by
	// its key authenticates the app.
	CertPEM []byte
	// IdentifierURIs are extra application id URIs (e.g. "api://host/{clientId}") that user
	// tokens for this app may carry as audience in an on-behalf-of assertion. The ClientID and any
	// URI ending in "/"+ClientID are always accepted.
	IdentifierURIs []string
	// GraphScopes are the delegated Graph permissions consented for this app (default Mail.Read
	// and User.Read). Asking on-behalf-of for another one fails with AADSTS65001.
	GraphScopes []string
	// GraphRoles are the application permissions put in app-only (client_credentials) Graph
	// tokens; default ["Mail.Read"].
	GraphRoles []string
	// RedirectURIs are the web redirect URIs of the authorization-code flow; empty accepts any
	// https URL (and http on loopback).
	RedirectURIs []string
}

// Server is a running fake Entra ID. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL, like https://127.0.0.1:PORT; the authority host for azidentity is
	// URL+"/".
	URL string

	srv  *httptest.Server
	apps map[string]*app

	mu     sync.Mutex
	keys   []*signingKey // the last one is current
	fail   failure
	counts counters
	signIn *SignInUser          // the user the authorize endpoint signs in (nil: access_denied)
	codes  map[string]*authCode // issued authorization codes; redeemed ones keep a tombstone
}

type counters struct {
	token, obo, clientCredentials, jwks, authorize int
}

type failure struct {
	n      int
	status int
}

// Start starts a fake Entra ID on a random loopback port with a fresh signing key and a fresh
// TLS certificate for 127.0.0.1, ::1 and localhost, accepting the given apps as clients.
func Start(apps ...App) (*Server, error) {
	s := &Server{apps: make(map[string]*app, len(apps))}
	for _, a := range apps {
		pa, err := newApp(a)
		if err != nil {
			return nil, err
		}
		s.apps[strings.ToLower(a.ClientID)] = pa
	}
	k, err := newSigningKey()
	if err != nil {
		return nil, err
	}
	s.keys = []*signingKey{k}
	cert, err := newTLSCert()
	if err != nil {
		return nil, err
	}
	s.srv = httptest.NewUnstartedServer(s.routes())
	s.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.srv.StartTLS()
	s.URL = s.srv.URL
	return s, nil
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// CAPEM returns the server's TLS certificate in PEM; it is its own root, so a client that trusts
// it (e.g. via SSL_CERT_FILE) can connect.
func (s *Server) CAPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
}

// Client returns an HTTP client that trusts the server's certificate.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// AuthorityHost is the value for azcore's cloud.Configuration.ActiveDirectoryAuthorityHost.
func (s *Server) AuthorityHost() string { return s.URL + "/" }

// IssuerV2 is the issuer of v2 tokens for tenant: URL+"/"+tenant+"/v2.0".
func (s *Server) IssuerV2(tenant string) string { return s.URL + "/" + tenant + "/v2.0" }

// IssuerV1 is the issuer of v1 tokens for tenant on the fake: URL+"/"+tenant+"/v1/" (real Entra
// ID uses https://sts.windows.net/{tenant}/, a host the fake cannot serve).
func (s *Server) IssuerV1(tenant string) string { return s.URL + "/" + tenant + "/v1/" }

// JWKSURL is the common key set URL, URL+"/common/discovery/v2.0/keys".
func (s *Server) JWKSURL() string { return s.URL + "/common/discovery/v2.0/keys" }

// TokenEndpoint is the v2 token endpoint of tenant.
func (s *Server) TokenEndpoint(tenant string) string {
	return s.URL + "/" + tenant + "/oauth2/v2.0/token"
}

// OBORequests returns how many on-behalf-of requests the token endpoint received (failed ones
// included).
func (s *Server) OBORequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts.obo
}

// TokenRequests returns how many requests the token endpoint received, of any grant type.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts.token
}

// JWKSRequests returns how many times a key set (JWKS) was fetched.
func (s *Server) JWKSRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts.jwks
}

// SetFailures makes the next n token-endpoint requests fail with status and an Entra-shaped error
// body: 400 gives invalid_grant AADSTS65001 (consent missing, suberror consent_required), 401
// invalid_client AADSTS7000215, 429 AADSTS50196 with Retry-After: 1, and any other status
// server_error / temporarily_unavailable. n <= 0 clears it. Every HTTP request counts, retries
// made by the client included.
func (s *Server) SetFailures(n int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 || status < 400 {
		s.fail = failure{}
		return
	}
	s.fail = failure{n: n, status: status}
}

// takeFailure consumes one injected failure, if any, and returns its status.
func (s *Server) takeFailure() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail.n <= 0 {
		return 0
	}
	s.fail.n--
	return s.fail.status
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.openIDConfigV2)
	mux.HandleFunc("GET /{tenant}/.well-known/openid-configuration", s.openIDConfigV1)
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", s.jwks)
	mux.HandleFunc("GET /{tenant}/discovery/keys", s.jwks)
	mux.HandleFunc("GET /common/discovery/instance", s.instanceDiscovery)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.token)
	mux.HandleFunc("GET /{tenant}/oauth2/v2.0/authorize", s.authorize)
	mux.HandleFunc("GET /{tenant}/oauth2/v2.0/logout", s.logout)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "invalid_request", 90002,
			fmt.Sprintf("The endpoint %s %s is not served by this fake.", r.Method, r.URL.Path), "")
	})
	return mux
}
