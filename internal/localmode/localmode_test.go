package localmode

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/auth"
)

func TestCertificate(t *testing.T) {
	dir := t.TempDir()
	hosts := Hosts("sendevagt.example.dk")
	c, err := Certificate(dir, hosts)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range append(hosts, "127.0.0.1", "::1", "localhost") {
		if err := c.Leaf.VerifyHostname(h); err != nil {
			t.Errorf("certificate does not cover %s: %v", h, err)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, keyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", fi, err)
	}
	// Kept while it covers the hosts; made anew for another host.
	again, err := Certificate(dir, hosts)
	if err != nil || !bytes.Equal(again.Leaf.Raw, c.Leaf.Raw) {
		t.Errorf("certificate not reused: %v", err)
	}
	other, err := Certificate(dir, Hosts("andet.example.dk"))
	if err != nil || bytes.Equal(other.Leaf.Raw, c.Leaf.Raw) || other.Leaf.VerifyHostname("andet.example.dk") != nil {
		t.Errorf("certificate for another host: %v", err)
	}
}

func TestHosts(t *testing.T) {
	for host, want := range map[string]int{"": 3, "localhost": 3, "127.0.0.1": 3, "::1": 3, "sendevagt.example.dk": 4} {
		if got := Hosts(host); len(got) != want || got[len(got)-1] != "::1" {
			t.Errorf("Hosts(%q) = %v", host, got)
		}
	}
}

// A token of local mode passes the validator the service builds from the key set.
func TestTokenValidates(t *testing.T) {
	dir := t.TempDir()
	k, err := SigningKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := SigningKey(dir); err != nil || !again.Equal(k) {
		t.Fatalf("signing key not kept: %v", err)
	}
	jwks, err := JWKS(k)
	if err != nil {
		t.Fatal(err)
	}
	const issuer = "https://localhost:8443" + IssuerPath
	v, err := auth.NewValidator(t.Context(), auth.Config{StaticJWKS: jwks, Issuers: []string{issuer},
		Audiences: []string{Audience}, TenantIDs: []string{Tenant}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	tok, err := Token(k, issuer, "medarbejder@kommune.example", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	u, err := v.Validate(t.Context(), tok)
	if err != nil {
		t.Fatalf("local token refused: %v", err)
	}
	if u.UPN != "medarbejder@kommune.example" || u.TenantID != Tenant || u.ObjectID == "" {
		t.Errorf("user %v", u)
	}
	if tok2, _ := Token(k, "https://elsewhere.example/local", "x@kommune.example", time.Hour); tok2 != "" {
		if _, err := v.Validate(t.Context(), tok2); err == nil {
			t.Error("a token from another issuer passed")
		}
	}
}

func TestAuditKey(t *testing.T) {
	dir := t.TempDir()
	k, err := AuditKey(dir)
	if err != nil || len(k) < 32 {
		t.Fatalf("AuditKey: %d bytes, %v", len(k), err)
	}
	if again, err := AuditKey(dir); err != nil || !bytes.Equal(again, k) {
		t.Errorf("audit key not kept: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, AuditKeyFile), []byte("kaputt\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := AuditKey(dir); err == nil {
		t.Error("a damaged key file was accepted")
	}
}
