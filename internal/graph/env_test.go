package graph

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"sync"
	"testing"

	"github.com/sendevagt/sendevagt/internal/fakeentra"
	"github.com/sendevagt/sendevagt/internal/fakegraph"
	"github.com/sendevagt/sendevagt/internal/fakegraph/rfc822"
	"github.com/sendevagt/sendevagt/internal/message"
)

// Synthetic tenant, app and user.
const (
	testTenant   = "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
	testClientID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	testSecret   = "test-secret-not-real"
	testOID      = "11111111-2222-4333-8444-555555555555"
	testUPN      = "sagsbehandler@kommune.example"
	testAddinApp = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
)

// env is a fake Entra ID and a fake Graph with a Client pointed at them.
type env struct {
	entra  *fakeentra.Server
	fg     *fakegraph.Server
	client *Client
	obs    *recorder
	user   User
	cfg    Config
}

func newEnv(t *testing.T, lim Limits) *env {
	t.Helper()
	entra, err := fakeentra.Start(fakeentra.App{ClientID: testClientID, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(entra.Close)
	fg, err := fakegraph.Start(entra.GraphTokenUser)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fg.Close)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(entra.CAPEM()) || !pool.AppendCertsFromPEM(fg.CAPEM()) {
		t.Fatal("bad CA PEM")
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	t.Cleanup(tr.CloseIdleConnections)
	e := &env{entra: entra, fg: fg, obs: &recorder{}}
	e.cfg = Config{
		ClientID: testClientID, ClientSecret: testSecret,
		AuthorityHost: entra.AuthorityHost(), GraphURL: fg.URL + "/v1.0",
		Transport: tr, Limits: lim, Observer: e.obs,
	}
	e.client, err = New(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.user = e.userFor(testOID, testUPN)
	return e
}

// userFor mints the user's token for our API, as the add-in would present it.
func (e *env) userFor(oid, upn string) User {
	tok := e.entra.MintToken(fakeentra.TokenClaims{
		Tenant: testTenant, ObjectID: oid, UPN: upn, Audience: testClientID,
		Scope: "access_as_user", ClientApp: testAddinApp,
	})
	return User{TenantID: testTenant, ObjectID: oid, Assertion: tok}
}

// recorder is an Observer that keeps every call.
type recorder struct {
	mu    sync.Mutex
	calls []observed
}

type observed struct {
	op     string
	status int
	retry  bool
}

func (r *recorder) GraphCall(op string, status int, retry bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, observed{op, status, retry})
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = nil
}

func (r *recorder) all() []observed {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]observed(nil), r.calls...)
}

// requestsFor returns the fake's requests for message id.
func requestsFor(fg *fakegraph.Server, id string) []fakegraph.Request {
	var out []fakegraph.Request
	for _, r := range fg.Requests() {
		if r.MessageID == id {
			out = append(out, r)
		}
	}
	return out
}

func mustMIME(t *testing.T, m *message.Message) []byte {
	t.Helper()
	b, err := rfc822.Bytes(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
