package fakeentra

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"go/build"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Synthetic identities only.
const (
	tenantA   = "11111111-2222-4333-8444-555555555555"
	tenantB   = "99999999-8888-4777-8666-555555555555"
	clientID  = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
	certAppID = "cccccccc-bbbb-4ccc-8ddd-eeeeeeeeeeee"
	outlookID = "d3590ed6-52b3-4102-aeff-aad2292ab01c"
	secret    = "s3cr3t-value"
	userOID   = "0a0a0a0a-1b1b-4c2c-8d3d-4e4e4e4e4e4e"
	userUPN   = "test.person@kommune.example"
)

var graphDefault = policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}

func start(t *testing.T, apps ...App) *Server {
	t.Helper()
	s, err := Start(apps...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func clientOptions(s *Server) azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: s.AuthorityHost()},
		Transport: s.Client(),
		Retry:     policy.RetryOptions{MaxRetries: -1},
	}
}

func userToken(s *Server, tenant string) string {
	return s.MintToken(TokenClaims{
		Tenant: tenant, ObjectID: userOID, UPN: userUPN, Audience: "api://localhost:8443/" + clientID,
		Scope: "access_as_user", ClientApp: outlookID,
	})
}

func oboSecret(t *testing.T, s *Server, tenant, assertion, sec string) *azidentity.OnBehalfOfCredential {
	t.Helper()
	cred, err := azidentity.NewOnBehalfOfCredentialWithSecret(tenant, clientID, assertion, sec,
		&azidentity.OnBehalfOfCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

func TestOnBehalfOfWithSecret(t *testing.T) {
	s := start(t, App{ClientID: clientID, Secret: secret})
	ctx := t.Context()
	cred := oboSecret(t, s, tenantA, userToken(s, tenantA), secret)
	tok, err := cred.GetToken(ctx, graphDefault)
	if err != nil {
		t.Fatal(err)
	}
	tid, oid, ok := s.GraphTokenUser(tok.Token)
	if !ok || tid != tenantA || oid != userOID {
		t.Fatalf("GraphTokenUser = %q, %q, %v; want %s, %s, true", tid, oid, ok, tenantA, userOID)
	}
	info, _ := s.GraphTokenInfo(tok.Token)
	if strings.Join(info.Scopes, " ") != "Mail.Read User.Read" || info.ClientApp != clientID || info.UPN != userUPN {
		t.Errorf("GraphTokenInfo = %+v", info)
	}
	if until := time.Until(tok.ExpiresOn); until < 55*time.Minute || until > time.Hour {
		t.Errorf("ExpiresOn in %v, want about 3599 s", until)
	}
	if n := s.OBORequests(); n != 1 {
		t.Fatalf("OBORequests = %d after one GetToken, want 1", n)
	}
	if _, err := cred.GetToken(ctx, graphDefault); err != nil {
		t.Fatal(err)
	}
	if n := s.OBORequests(); n != 1 {
		t.Errorf("OBORequests = %d after a second GetToken, want 1 (served from MSAL's cache)", n)
	}
	// The user's own token is not a Graph token.
	if _, _, ok := s.GraphTokenUser(userToken(s, tenantA)); ok {
		t.Error("GraphTokenUser accepted a token for our API")
	}
}

// entraError is the part of an Entra ID error body the tests look at.
type entraError struct {
	Error      string `json:"error"`
	Desc       string `json:"error_description"`
	ErrorCodes []int  `json:"error_codes"`
	Suberror   string `json:"suberror"`
}

func authFailure(t *testing.T, err error) (int, entraError) {
	t.Helper()
	var afe *azidentity.AuthenticationFailedError
	if !errors.As(err, &afe) {
		t.Fatalf("error = %v (%T), want *azidentity.AuthenticationFailedError", err, err)
	}
	if afe.RawResponse == nil {
		t.Fatalf("AuthenticationFailedError without RawResponse: %v", err)
	}
	var body entraError
	if err := json.NewDecoder(afe.RawResponse.Body).Decode(&body); err != nil {
		t.Fatalf("error body: %v", err)
	}
	return afe.RawResponse.StatusCode, body
}

func TestOnBehalfOfRejections(t *testing.T) {
	s := start(t, App{ClientID: clientID, Secret: secret, GraphScopes: []string{"Mail.Read"}})
	expired := s.MintToken(TokenClaims{
		Tenant: tenantA, ObjectID: userOID, Audience: clientID, Scope: "access_as_user",
		IssuedAt: time.Now().Add(-3 * time.Hour), Expiry: time.Now().Add(-2 * time.Hour),
	})
	otherApp := s.MintToken(TokenClaims{Tenant: tenantA, ObjectID: userOID, Audience: "api://other/123", Scope: "x"})
	appOnly := s.MintToken(TokenClaims{Tenant: tenantA, ObjectID: userOID, Audience: clientID, Roles: []string{"r"}})
	forged := userToken(s, tenantA)
	forged = forged[:len(forged)-4] + "AAAA"

	tests := []struct {
		name       string
		tenant     string
		assertion  string
		secret     string
		scope      string
		wantStatus int
		wantCode   int
		wantError  string
	}{
		{"bad secret", tenantA, userToken(s, tenantA), "wrong", "", 401, 7000215, "invalid_client"},
		{"expired assertion", tenantA, expired, secret, "", 400, 500133, "invalid_grant"},
		{"assertion from another tenant", tenantB, userToken(s, tenantA), secret, "", 400, 50013, "invalid_grant"},
		{"assertion for another app", tenantA, otherApp, secret, "", 400, 50013, "invalid_grant"},
		{"app-only assertion", tenantA, appOnly, secret, "", 400, 50013, "invalid_grant"},
		{"forged signature", tenantA, forged, secret, "", 400, 50013, "invalid_grant"},
		{"scope without consent", tenantA, userToken(s, tenantA), secret, "https://graph.microsoft.com/Mail.Send", 400, 65001, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred := oboSecret(t, s, tt.tenant, tt.assertion, tt.secret)
			opts := graphDefault
			if tt.scope != "" {
				opts = policy.TokenRequestOptions{Scopes: []string{tt.scope}}
			}
			_, err := cred.GetToken(t.Context(), opts)
			status, body := authFailure(t, err)
			if status != tt.wantStatus || body.Error != tt.wantError || len(body.ErrorCodes) != 1 || body.ErrorCodes[0] != tt.wantCode {
				t.Errorf("got %d %+v, want %d %s AADSTS%d", status, body, tt.wantStatus, tt.wantError, tt.wantCode)
			}
			if !strings.HasPrefix(body.Desc, "AADSTS") {
				t.Errorf("error_description %q does not start with the AADSTS code", body.Desc)
			}
		})
	}
}

func TestSetFailures(t *testing.T) {
	s := start(t, App{ClientID: clientID, Secret: secret})
	s.SetFailures(1, http.StatusBadRequest)
	cred := oboSecret(t, s, tenantA, userToken(s, tenantA), secret)
	_, err := cred.GetToken(t.Context(), graphDefault)
	status, body := authFailure(t, err)
	if status != 400 || body.Error != "invalid_grant" || body.Suberror != "consent_required" || !strings.HasPrefix(body.Desc, "AADSTS65001:") {
		t.Fatalf("injected failure: %d %+v", status, body)
	}
	s.SetFailures(1, http.StatusInternalServerError)
	_, err = cred.GetToken(t.Context(), graphDefault)
	if status, _ := authFailure(t, err); status != 500 {
		t.Fatalf("status %d, want 500", status)
	}
	if _, err := cred.GetToken(t.Context(), graphDefault); err != nil {
		t.Fatalf("after the injected failures: %v", err)
	}
	if n := s.OBORequests(); n != 3 {
		t.Errorf("OBORequests = %d, want 3 (failed ones count)", n)
	}
}

// testCert makes a self-signed client certificate as an admin would upload to the app
// registration.
func testCert(t *testing.T) (*x509.Certificate, *rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "sendevagt test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestOnBehalfOfWithCertificate(t *testing.T) {
	cert, key, certPEM := testCert(t)
	otherCert, otherKey, _ := testCert(t)
	s := start(t, App{ClientID: certAppID, CertPEM: certPEM})
	assertion := s.MintToken(TokenClaims{Tenant: tenantA, ObjectID: userOID, Audience: certAppID, Scope: "access_as_user"})
	newCred := func(c *x509.Certificate, k *rsa.PrivateKey) *azidentity.OnBehalfOfCredential {
		cred, err := azidentity.NewOnBehalfOfCredentialWithCertificate(tenantA, certAppID, assertion,
			[]*x509.Certificate{c}, k,
			&azidentity.OnBehalfOfCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
		if err != nil {
			t.Fatal(err)
		}
		return cred
	}
	tok, err := newCred(cert, key).GetToken(t.Context(), graphDefault)
	if err != nil {
		t.Fatal(err)
	}
	if _, oid, ok := s.GraphTokenUser(tok.Token); !ok || oid != userOID {
		t.Fatalf("GraphTokenUser: %q %v", oid, ok)
	}
	// A certificate the app registration does not hold.
	_, err = newCred(otherCert, otherKey).GetToken(t.Context(), graphDefault)
	if status, body := authFailure(t, err); status != 401 || body.Error != "invalid_client" {
		t.Errorf("wrong key: %d %+v", status, body)
	}
}

func TestClientCredentials(t *testing.T) {
	s := start(t, App{ClientID: clientID, Secret: secret})
	cred, err := azidentity.NewClientSecretCredential(tenantA, clientID, secret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(t.Context(), graphDefault)
	if err != nil {
		t.Fatal(err)
	}
	info, ok := s.GraphTokenInfo(tok.Token)
	if !ok || !info.AppOnly || info.Tenant != tenantA || len(info.Roles) == 0 {
		t.Fatalf("GraphTokenInfo = %+v, %v", info, ok)
	}
	if _, _, ok := s.GraphTokenUser(tok.Token); ok {
		t.Error("GraphTokenUser accepted an app-only token")
	}
	if s.OBORequests() != 0 || s.TokenRequests() != 1 {
		t.Errorf("OBORequests %d TokenRequests %d, want 0 and 1", s.OBORequests(), s.TokenRequests())
	}
}

func getJSON(t *testing.T, s *Server, u string, v any) int {
	t.Helper()
	resp, err := s.Client().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q", u, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	return resp.StatusCode
}

func TestDiscoveryAndKeys(t *testing.T) {
	s := start(t)
	var meta map[string]any
	if st := getJSON(t, s, s.URL+"/"+tenantA+"/v2.0/.well-known/openid-configuration", &meta); st != 200 {
		t.Fatalf("status %d", st)
	}
	want := map[string]string{
		"issuer":         s.IssuerV2(tenantA),
		"token_endpoint": s.TokenEndpoint(tenantA),
		"jwks_uri":       s.URL + "/" + tenantA + "/discovery/v2.0/keys",
	}
	for k, v := range want {
		if meta[k] != v {
			t.Errorf("metadata %s = %v, want %s", k, meta[k], v)
		}
	}
	getJSON(t, s, s.URL+"/common/v2.0/.well-known/openid-configuration", &meta)
	if meta["issuer"] != s.URL+"/{tenantid}/v2.0" {
		t.Errorf("common issuer = %v", meta["issuer"])
	}
	var bad map[string]any
	if st := getJSON(t, s, s.URL+"/not_a_tenant/v2.0/.well-known/openid-configuration", &bad); st != 400 || bad["error"] != "invalid_tenant" {
		t.Errorf("unknown tenant: %d %v", st, bad)
	}

	var inst map[string]any
	q := url.Values{"api-version": {"1.1"}, "authorization_endpoint": {s.URL + "/" + tenantA + "/oauth2/v2.0/authorize"}}
	getJSON(t, s, s.URL+"/common/discovery/instance?"+q.Encode(), &inst)
	if inst["tenant_discovery_endpoint"] != s.URL+"/"+tenantA+"/v2.0/.well-known/openid-configuration" {
		t.Errorf("instance discovery = %v", inst)
	}

	kids := func() []string {
		var set struct {
			Keys []struct {
				Kid, Kty, Use, N, E, X5t string
				X5c                      []string
			} `json:"keys"`
		}
		getJSON(t, s, s.JWKSURL(), &set)
		var out []string
		for _, k := range set.Keys {
			der, err := base64.StdEncoding.DecodeString(k.X5c[0])
			if err != nil {
				t.Fatal(err)
			}
			c, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			n, _ := base64.RawURLEncoding.DecodeString(k.N)
			if k.Kty != "RSA" || k.Use != "sig" || k.Kid != k.X5t || c.PublicKey.(*rsa.PublicKey).N.Cmp(new(big.Int).SetBytes(n)) != 0 {
				t.Errorf("key %s is not a consistent RSA signing key", k.Kid)
			}
			out = append(out, k.Kid)
		}
		return out
	}
	first := kids()
	if len(first) != 1 || first[0] != s.CurrentKID() {
		t.Fatalf("JWKS kids %v, current %s", first, s.CurrentKID())
	}
	newKid := s.RotateKey()
	if got := kids(); len(got) != 2 || got[1] != newKid || got[0] != first[0] {
		t.Errorf("after RotateKey: %v", got)
	}
	s.DropOldKeys()
	if got := kids(); len(got) != 1 || got[0] != newKid {
		t.Errorf("after DropOldKeys: %v", got)
	}
	if n := s.JWKSRequests(); n != 3 {
		t.Errorf("JWKSRequests = %d, want 3", n)
	}
}

func decodeSegment(t *testing.T, seg string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMintToken(t *testing.T) {
	s := start(t)
	base := TokenClaims{Tenant: tenantA, ObjectID: userOID, UPN: userUPN, Audience: clientID, Scope: "access_as_user", ClientApp: outlookID}
	tests := []struct {
		name      string
		mutate    func(*TokenClaims)
		alg       string
		emptySig  bool
		wantClaim map[string]any
		absent    []string
	}{
		{"v2", func(*TokenClaims) {}, "RS256", false,
			map[string]any{"ver": "2.0", "iss": s.IssuerV2(tenantA), "azp": outlookID, "preferred_username": userUPN, "scp": "access_as_user"},
			[]string{"appid", "upn", "roles"}},
		{"v1", func(c *TokenClaims) { c.Version = V1 }, "RS256", false,
			map[string]any{"ver": "1.0", "iss": s.IssuerV1(tenantA), "appid": outlookID, "upn": userUPN, "unique_name": userUPN},
			[]string{"azp", "preferred_username"}},
		{"none", func(c *TokenClaims) { c.Alg = AlgNone }, "none", true, nil, nil},
		{"hs256", func(c *TokenClaims) { c.Alg = AlgHS256PublicKey }, "HS256", false, nil, nil},
		{"no exp, no oid", func(c *TokenClaims) { c.NoExpiry = true; c.ObjectID = "" }, "RS256", false, nil, []string{"exp", "oid", "sub"}},
		{"overrides", func(c *TokenClaims) { c.Issuer = "https://elsewhere/"; c.Kid = "other-kid" }, "RS256", false,
			map[string]any{"iss": "https://elsewhere/"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.mutate(&c)
			parts := strings.Split(s.MintToken(c), ".")
			if len(parts) != 3 {
				t.Fatalf("%d segments", len(parts))
			}
			h := decodeSegment(t, parts[0])
			if h["alg"] != tt.alg {
				t.Errorf("alg %v, want %s", h["alg"], tt.alg)
			}
			if (parts[2] == "") != tt.emptySig {
				t.Errorf("signature %q", parts[2])
			}
			if c.Kid != "" && h["kid"] != c.Kid {
				t.Errorf("kid %v", h["kid"])
			}
			cl := decodeSegment(t, parts[1])
			for k, v := range tt.wantClaim {
				if cl[k] != v {
					t.Errorf("claim %s = %v, want %v", k, cl[k], v)
				}
			}
			for _, k := range tt.absent {
				if _, ok := cl[k]; ok {
					t.Errorf("claim %s present", k)
				}
			}
		})
	}
}

func TestNoTestingImport(t *testing.T) {
	// The e2e harness and commands use this package outside tests.
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if imp == "testing" || strings.HasPrefix(imp, "testing/") {
			t.Errorf("package imports %s", imp)
		}
	}
}

func TestClose(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.JWKSURL(), nil)
	if resp, err := s.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Error("a closed server still answers")
	}
}

func TestCAPEMIsTrustedRoot(t *testing.T) {
	s := start(t)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CAPEM()) {
		t.Fatal("CAPEM holds no certificate")
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	u, _ := url.Parse(s.JWKSURL())
	for _, host := range []string{"127.0.0.1", "localhost"} {
		u.Host = host + ":" + u.Port()
		resp, err := c.Get(u.String())
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", host, resp.StatusCode)
		}
	}
	// And the system roots alone do not trust it.
	if resp, err := (&http.Client{Transport: &http.Transport{}}).Get(s.JWKSURL()); err == nil {
		resp.Body.Close()
		t.Error("the fake's certificate is trusted without CAPEM")
	}
}
