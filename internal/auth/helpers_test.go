package auth

import (
	"io"
	"log/slog"
	"testing"

	"github.com/sendevagt/sendevagt/internal/fakeentra"
)

// Synthetic identities only.
const (
	tenantA   = "11111111-2222-4333-8444-555555555555"
	tenantB   = "99999999-8888-4777-8666-555555555555"
	clientID  = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
	appIDURI  = "api://localhost:8443/" + clientID
	outlookID = "d3590ed6-52b3-4102-aeff-aad2292ab01c"
	userOID   = "0a0a0a0a-1b1b-4c2c-8d3d-4e4e4e4e4e4e"
	userUPN   = "test.person@kommune.example"
)

func startFake(t testing.TB) *fakeentra.Server {
	t.Helper()
	f, err := fakeentra.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

// fakeConfig is a Config for tokens from f: v2 and (fake-host) v1 issuers, our client id and app
// id URI, tenant A only.
func fakeConfig(f *fakeentra.Server) Config {
	return Config{
		Issuers:    []string{f.IssuerV2(TenantPlaceholder), f.IssuerV1(TenantPlaceholder)},
		JWKSURL:    f.JWKSURL(),
		Audiences:  []string{clientID, appIDURI},
		TenantIDs:  []string{tenantA},
		HTTPClient: f.Client(),
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func newValidator(t testing.TB, cfg Config) *Validator {
	t.Helper()
	v, err := NewValidator(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	return v
}

// goodClaims is a valid v2 user token for our API.
func goodClaims() fakeentra.TokenClaims {
	return fakeentra.TokenClaims{
		Tenant: tenantA, ObjectID: userOID, UPN: userUPN, Audience: clientID,
		Scope: "User.Read access_as_user", ClientApp: outlookID,
	}
}
