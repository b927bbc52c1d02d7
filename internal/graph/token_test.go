package graph

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	absauth "github.com/microsoft/kiota-abstractions-go/authentication"

	"github.com/sendevagt/sendevagt/internal/fakeentra"
	"github.com/sendevagt/sendevagt/internal/fakegraph"
)

func TestTokenCachedPerUser(t *testing.T) {
	e := newEnv(t, Limits{})
	e.fg.AddMessage(testOID, "m", mail("m", "m"))
	const otherOID = "22222222-3333-4444-8555-666666666666"
	e.fg.AddMessage(otherOID, "m", mail("andet", "m"))
	for range 2 {
		if _, err := fetchAs(t, e, "", "m", 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.entra.OBORequests(); n != 1 {
		t.Errorf("OBO requests after two fetches of one user = %d, want 1", n)
	}
	// A new assertion of the same user is served from the cache as well.
	e.user = e.userFor(testOID, testUPN)
	if _, err := fetchAs(t, e, "", "m", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := e.entra.OBORequests(); n != 1 {
		t.Errorf("OBO requests after a new assertion of the same user = %d, want 1", n)
	}
	e.user = e.userFor(otherOID, "kollega@kommune.example")
	got, err := fetchAs(t, e, "", "m", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "andet" {
		t.Errorf("other user's /me gave %q", got.Subject)
	}
	if n := e.entra.OBORequests(); n != 2 {
		t.Errorf("OBO requests after a second user = %d, want 2", n)
	}
}

func TestOnBehalfOfFailures(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(e *env)
		wantErr error
	}{
		{"consent missing (AADSTS65001)", func(e *env) { e.entra.SetFailures(1, 400) }, ErrConsent},
		{"assertion for another app (invalid_grant)", func(e *env) {
			e.user.Assertion = e.entra.MintToken(fakeentra.TokenClaims{Tenant: testTenant, ObjectID: testOID,
				Audience: "ffffffff-0000-4000-8000-000000000000", Scope: "access_as_user"})
		}, ErrConsent},
		{"entra unavailable", func(e *env) { e.entra.SetFailures(10, 503) }, ErrUnavailable},
		{"wrong client secret", func(e *env) {
			cfg := e.cfg
			cfg.ClientSecret = "wrong"
			c, err := New(cfg)
			if err != nil {
				panic(err)
			}
			e.client = c
		}, ErrAccessDenied},
		{"no assertion", func(e *env) { e.user.Assertion = "" }, ErrAccessDenied},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Limits{})
			e.fg.AddMessage(testOID, "m", mail("m", "m"))
			tc.setup(e)
			_, err := fetchAs(t, e, "", "m", 5*time.Second)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), e.user.Assertion) && e.user.Assertion != "" {
				t.Errorf("error contains the assertion")
			}
			if n := len(e.fg.Requests()); n != 0 {
				t.Errorf("Graph got %d requests without a token", n)
			}
		})
	}
}

func TestCertificateCredential(t *testing.T) {
	certPEM, keyPEM := selfSigned(t)
	entra, err := fakeentra.Start(fakeentra.App{ClientID: testClientID, CertPEM: certPEM})
	if err != nil {
		t.Fatal(err)
	}
	defer entra.Close()
	fg, err := fakegraph.Start(entra.GraphTokenUser)
	if err != nil {
		t.Fatal(err)
	}
	defer fg.Close()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(entra.CAPEM())
	pool.AppendCertsFromPEM(fg.CAPEM())
	var logs bytes.Buffer
	c, err := New(Config{
		ClientID: testClientID, Certificate: append(certPEM, keyPEM...),
		AuthorityHost: entra.AuthorityHost(), GraphURL: fg.URL + "/v1.0",
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
		Logger:    slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	fg.AddMessage(testOID, "m", mail("Certifikat", "Kære Borger Testesen, CPR 010190-0000"))
	assertion := entra.MintToken(fakeentra.TokenClaims{Tenant: testTenant, ObjectID: testOID, Audience: testClientID, Scope: "access_as_user"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := c.FetchMessage(ctx, User{TenantID: testTenant, ObjectID: testOID, Assertion: assertion}, "", "m")
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "Certifikat" {
		t.Errorf("subject = %q", got.Subject)
	}
	if logs.Len() == 0 {
		t.Error("nothing logged at debug level")
	}
	for _, secret := range []string{assertion, "Certifikat", "010190", "Testesen"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log contains %q: %s", secret, logs.String())
		}
	}
}

func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sendevagt-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

func TestTokenCacheEviction(t *testing.T) {
	now := time.Date(2024, 4, 2, 8, 0, 0, 0, time.UTC)
	s := newTokenSource(tokenConfig{authority: "https://login.microsoftonline.com/"}, 2)
	s.now = func() time.Time { return now }
	s.store("a", "ta", now.Add(time.Hour))
	s.store("b", "tb", now.Add(time.Hour))
	if _, ok := s.cached("a"); !ok { // a is now the most recently used
		t.Fatal("a not cached")
	}
	s.store("c", "tc", now.Add(time.Hour))
	if _, ok := s.cached("b"); ok {
		t.Error("b (least recently used) not evicted")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := s.cached(k); !ok {
			t.Errorf("%s evicted", k)
		}
	}
	if s.len() != 2 {
		t.Errorf("len = %d", s.len())
	}
	s.store("expired", "tx", now.Add(-time.Second))
	if _, ok := s.cached("expired"); ok {
		t.Error("token past its use-until cached")
	}
	now = now.Add(time.Hour)
	if _, ok := s.cached("a"); ok {
		t.Error("token used past its use-until")
	}
	if s.len() != 1 {
		t.Errorf("len after expiry = %d, want 1", s.len())
	}
}

func TestTokenUseUntil(t *testing.T) {
	// A token is cached until five minutes before it expires.
	e := newEnv(t, Limits{})
	e.fg.AddMessage(testOID, "m", mail("m", "m"))
	if _, err := fetchAs(t, e, "", "m", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	el := e.client.tokens.order.Front()
	if el == nil {
		t.Fatal("nothing cached")
	}
	until := el.Value.(*cachedToken).useUntil
	if d := time.Until(until); d < 50*time.Minute || d > 55*time.Minute {
		t.Errorf("cached for %v, want the 3599 s lifetime minus 5 minutes", d)
	}
}

func TestContextTokenProvider(t *testing.T) {
	hosts, err := absauth.NewAllowedHostsValidatorErrorCheck([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	p := &contextTokenProvider{hosts: hosts}
	ctx := withToken(context.Background(), "tok")
	tests := []struct {
		url     string
		want    string
		wantErr bool
	}{
		{"https://127.0.0.1:9999/v1.0/me/messages/x", "tok", false}, // host match ignores the port
		{"https://evil.example/v1.0/me", "", false},
		{"http://127.0.0.1/v1.0/me", "", true},
	}
	for _, tc := range tests {
		u, _ := url.Parse(tc.url)
		got, err := p.GetAuthorizationToken(ctx, u, nil)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("%s: token %q err %v", tc.url, got, err)
		}
	}
	if _, err := p.GetAuthorizationToken(context.Background(), mustURL("https://127.0.0.1/x"), nil); err == nil {
		t.Error("no error without a token in the context")
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestNewValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"secret", Config{ClientID: "c", ClientSecret: "s"}, true},
		{"no client id", Config{ClientSecret: "s"}, false},
		{"neither secret nor certificate", Config{ClientID: "c"}, false},
		{"both", Config{ClientID: "c", ClientSecret: "s", Certificate: []byte("x")}, false},
		{"bad certificate", Config{ClientID: "c", Certificate: []byte("not pem")}, false},
		{"http authority", Config{ClientID: "c", ClientSecret: "s", AuthorityHost: "http://login.example/"}, false},
		{"http graph", Config{ClientID: "c", ClientSecret: "s", GraphURL: "http://127.0.0.1:1/v1.0"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if (err == nil) != tc.ok {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestDefaultScope(t *testing.T) {
	tests := []struct{ graphURL, want string }{
		{"https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/.default"},
		{"https://graph.microsoft.us/v1.0", "https://graph.microsoft.us/.default"},
		{"https://microsoftgraph.chinacloudapi.cn/v1.0", "https://microsoftgraph.chinacloudapi.cn/.default"},
		{"https://127.0.0.1:8443/v1.0", "https://graph.microsoft.com/.default"},
	}
	for _, tc := range tests {
		if got := defaultScope(mustURL(tc.graphURL)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.graphURL, got, tc.want)
		}
	}
}
