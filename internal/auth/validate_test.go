package auth

import (
	"bytes"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/fakeentra"
)

func TestValidate(t *testing.T) {
	f := startFake(t)
	v := newValidator(t, fakeConfig(f))
	now := time.Now()

	tests := []struct {
		name   string
		claims func(*fakeentra.TokenClaims)
		raw    string // instead of minting
		// wantReason is "" for an accepted token.
		wantReason string
		wantScope  bool // ErrInsufficientScope as well
		wantUser   *User
	}{
		{name: "good v2", claims: func(*fakeentra.TokenClaims) {},
			wantUser: &User{TenantID: tenantA, ObjectID: userOID, UPN: userUPN, ClientApp: outlookID, Scopes: []string{"User.Read", "access_as_user"}}},
		{name: "good v1 with app id URI", claims: func(c *fakeentra.TokenClaims) {
			c.Version, c.Audience, c.Scope = fakeentra.V1, appIDURI, "access_as_user"
		}, wantUser: &User{TenantID: tenantA, ObjectID: userOID, UPN: userUPN, ClientApp: outlookID, Scopes: []string{"access_as_user"}}},
		{name: "v1 unique_name only", claims: func(c *fakeentra.TokenClaims) {
			c.Version, c.UPN = fakeentra.V1, ""
			c.Extra = map[string]any{"unique_name": "other.person@kommune.example"}
		}, wantUser: &User{TenantID: tenantA, ObjectID: userOID, UPN: "other.person@kommune.example", ClientApp: outlookID, Scopes: []string{"User.Read", "access_as_user"}}},
		{name: "within leeway", claims: func(c *fakeentra.TokenClaims) {
			c.IssuedAt, c.Expiry = now.Add(-time.Hour), now.Add(-time.Minute)
		}, wantUser: &User{TenantID: tenantA, ObjectID: userOID, UPN: userUPN, ClientApp: outlookID, Scopes: []string{"User.Read", "access_as_user"}}},

		{name: "alg none", claims: func(c *fakeentra.TokenClaims) { c.Alg = fakeentra.AlgNone }, wantReason: "unsupported algorithm"},
		{name: "HS256 signed with the public key", claims: func(c *fakeentra.TokenClaims) { c.Alg = fakeentra.AlgHS256PublicKey }, wantReason: "unsupported algorithm"},
		{name: "unknown kid", claims: func(c *fakeentra.TokenClaims) { c.Kid = "not-a-published-kid" }, wantReason: "unknown signing key"},
		{name: "tampered payload", raw: tamper(f.MintToken(goodClaims())), wantReason: "bad signature"},
		{name: "wrong audience", claims: func(c *fakeentra.TokenClaims) { c.Audience = "api://someone-else" }, wantReason: "wrong audience"},
		{name: "Graph token", claims: func(c *fakeentra.TokenClaims) { c.Audience = fakeentra.GraphAppID }, wantReason: "wrong audience"},
		{name: "no audience", claims: func(c *fakeentra.TokenClaims) { c.Audience = "" }, wantReason: "wrong audience"},
		{name: "wrong issuer", claims: func(c *fakeentra.TokenClaims) { c.Issuer = "https://issuer.example/" + tenantA + "/v2.0" }, wantReason: "wrong issuer"},
		{name: "issuer of another tenant", claims: func(c *fakeentra.TokenClaims) { c.Issuer = f.IssuerV2(tenantB) }, wantReason: "wrong issuer"},
		{name: "other tenant", claims: func(c *fakeentra.TokenClaims) { c.Tenant = tenantB }, wantReason: "tenant not allowed"},
		{name: "missing scope", claims: func(c *fakeentra.TokenClaims) { c.Scope = "User.Read" }, wantReason: "missing scope access_as_user", wantScope: true},
		{name: "scope as substring", claims: func(c *fakeentra.TokenClaims) { c.Scope = "access_as_user_x" }, wantReason: "missing scope access_as_user", wantScope: true},
		{name: "roles only (app token)", claims: func(c *fakeentra.TokenClaims) {
			c.Scope, c.Roles, c.UPN = "", []string{"access_as_application"}, ""
		}, wantReason: "app-only token (roles, no delegated scope)", wantScope: true},
		{name: "expired beyond leeway", claims: func(c *fakeentra.TokenClaims) {
			c.IssuedAt, c.Expiry = now.Add(-time.Hour), now.Add(-3*time.Minute)
		}, wantReason: "expired"},
		{name: "no expiry", claims: func(c *fakeentra.TokenClaims) { c.NoExpiry = true }, wantReason: "no expiry"},
		{name: "future nbf", claims: func(c *fakeentra.TokenClaims) {
			c.IssuedAt, c.NotBefore = now, now.Add(5*time.Minute)
		}, wantReason: "not valid yet"},
		{name: "iat in the future", claims: func(c *fakeentra.TokenClaims) {
			c.IssuedAt, c.NotBefore = now.Add(5*time.Minute), now
		}, wantReason: "issued in the future"},
		{name: "missing oid", claims: func(c *fakeentra.TokenClaims) { c.ObjectID = "" }, wantReason: "missing object id"},
		{name: "missing tid", claims: func(c *fakeentra.TokenClaims) { c.Tenant = "" }, wantReason: "missing tenant id"},
		{name: "garbage", raw: "not a token", wantReason: "malformed"},
		{name: "three garbage segments", raw: "a.b.c", wantReason: "malformed"},
		{name: "empty", raw: "", wantReason: "malformed"},
		{name: "huge", raw: strings.Repeat("a", maxTokenBytes+1), wantReason: "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.raw
			if tt.claims != nil {
				c := goodClaims()
				tt.claims(&c)
				raw = f.MintToken(c)
			}
			u, err := v.Validate(t.Context(), raw)
			if tt.wantReason == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				checkUser(t, u, tt.wantUser, raw)
				return
			}
			if err == nil {
				t.Fatalf("accepted %+v, want rejection %q", u, tt.wantReason)
			}
			if !errors.Is(err, ErrInvalidToken) {
				t.Errorf("error %v does not wrap ErrInvalidToken", err)
			}
			if errors.Is(err, ErrInsufficientScope) != tt.wantScope {
				t.Errorf("errors.Is(err, ErrInsufficientScope) = %v, want %v", !tt.wantScope, tt.wantScope)
			}
			if got, want := err.Error(), "invalid token: "+tt.wantReason; got != want {
				t.Errorf("error %q, want %q", got, want)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Reason != tt.wantReason {
				t.Errorf("ValidationError reason = %+v", ve)
			}
			if len(raw) > 10 && strings.Contains(err.Error(), raw[len(raw)-10:]) {
				t.Error("the error message contains part of the token")
			}
		})
	}
}

func checkUser(t *testing.T, got, want *User, raw string) {
	t.Helper()
	if got.TenantID != want.TenantID || got.ObjectID != want.ObjectID || got.UPN != want.UPN ||
		got.ClientApp != want.ClientApp || !slices.Equal(got.Scopes, want.Scopes) {
		t.Errorf("user = %v, want %v", got, want)
	}
	if got.Token != raw {
		t.Error("User.Token is not the raw token")
	}
	if got.Expiry.IsZero() {
		t.Error("User.Expiry not set")
	}
	if got.Key() != want.TenantID+"/"+want.ObjectID {
		t.Errorf("Key() = %q", got.Key())
	}
}

// tamper changes the oid in the payload, keeping the signature.
func tamper(raw string) string {
	parts := strings.Split(raw, ".")
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		panic(err)
	}
	p = bytes.ReplaceAll(p, []byte(userOID), []byte("0b0b0b0b-1b1b-4c2c-8d3d-4e4e4e4e4e4e"))
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(p) + "." + parts[2]
}

func TestClientAppsAllowList(t *testing.T) {
	f := startFake(t)
	cfg := fakeConfig(f)
	cfg.ClientApps = []string{outlookID}
	v := newValidator(t, cfg)
	tests := []struct {
		client string
		ok     bool
	}{{outlookID, true}, {strings.ToUpper(outlookID), true}, {"bc59ab01-8403-45c6-8796-ac3ef710b3e3", false}, {"", false}}
	for _, tt := range tests {
		c := goodClaims()
		c.ClientApp = tt.client
		_, err := v.Validate(t.Context(), f.MintToken(c))
		if (err == nil) != tt.ok {
			t.Errorf("client %q: err = %v, want ok=%v", tt.client, err, tt.ok)
		}
		if err != nil && err.Error() != "invalid token: client app not allowed" {
			t.Errorf("client %q: %v", tt.client, err)
		}
	}
}

func TestAnyTenantAndCustomRequiredScope(t *testing.T) {
	f := startFake(t)
	cfg := fakeConfig(f)
	cfg.TenantIDs = []string{AnyTenant}
	cfg.RequiredScope = "Sendevagt.Check"
	v := newValidator(t, cfg)
	c := goodClaims()
	c.Tenant, c.Scope = tenantB, "Sendevagt.Check"
	u, err := v.Validate(t.Context(), f.MintToken(c))
	if err != nil || u.TenantID != tenantB {
		t.Fatalf("any tenant: %v, %v", u, err)
	}
	if _, err := v.Validate(t.Context(), f.MintToken(goodClaims())); !errors.Is(err, ErrInsufficientScope) {
		t.Errorf("token without the configured scope: %v", err)
	}
}

func TestFixedIssuer(t *testing.T) {
	// A template without the placeholder (local mode, other issuers) is compared as is.
	f := startFake(t)
	cfg := fakeConfig(f)
	cfg.Issuers = []string{"https://localhost:8443/local"}
	v := newValidator(t, cfg)
	c := goodClaims()
	c.Issuer = "https://localhost:8443/local"
	if _, err := v.Validate(t.Context(), f.MintToken(c)); err != nil {
		t.Fatalf("fixed issuer: %v", err)
	}
	if _, err := v.Validate(t.Context(), f.MintToken(goodClaims())); err == nil || err.Error() != "invalid token: wrong issuer" {
		t.Errorf("the fake's own issuer under a fixed template: %v", err)
	}
}

func BenchmarkValidate(b *testing.B) {
	f := startFake(b)
	v := newValidator(b, fakeConfig(f))
	raw := f.MintToken(goodClaims())
	ctx := b.Context()
	if _, err := v.Validate(ctx, raw); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Validate(ctx, raw); err != nil {
			b.Fatal(err)
		}
	}
}
