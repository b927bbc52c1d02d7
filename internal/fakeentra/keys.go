package fakeentra

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // #nosec G505 -- x5t is defined as the SHA-1 thumbprint (RFC 7517 §4.8)
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net"
	"time"
)

// signingKey is one token-signing key with its self-signed certificate, as Entra ID publishes
// them (kid = x5t = base64url SHA-1 of the certificate).
type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
	cert []byte // DER
}

func newSigningKey() (*signingKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("fakeentra: signing key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: "accounts.accesscontrol.windows.net"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, fmt.Errorf("fakeentra: signing certificate: %w", err)
	}
	sum := sha1.Sum(der) // #nosec G401 -- thumbprint, not a security hash here
	return &signingKey{kid: base64.RawURLEncoding.EncodeToString(sum[:]), priv: priv, cert: der}, nil
}

// jwk is the key as Entra ID's JWKS lists it.
func (k *signingKey) jwk(issuerTemplate string) map[string]any {
	pub := &k.priv.PublicKey
	return map[string]any{
		"kty":                 "RSA",
		"use":                 "sig",
		"kid":                 k.kid,
		"x5t":                 k.kid,
		"n":                   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":                   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"x5c":                 []string{base64.StdEncoding.EncodeToString(k.cert)},
		"cloud_instance_name": "microsoftonline.com",
		"issuer":              issuerTemplate,
	}
}

// RotateKey makes a new RSA signing key with a new kid the current one: tokens minted from now on
// are signed with it and the JWKS publishes it. Earlier keys stay published (and their tokens
// valid) until DropOldKeys. It returns the new kid.
func (s *Server) RotateKey() string {
	k, err := newSigningKey()
	if err != nil {
		panic(err) // only on a failing random source
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, k)
	return k.kid
}

// DropOldKeys stops publishing every key but the current one, as Entra ID does when a key is
// retired; tokens signed with the dropped keys no longer verify.
func (s *Server) DropOldKeys() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = s.keys[len(s.keys)-1:]
}

// CurrentKID returns the kid of the key MintToken signs with.
func (s *Server) CurrentKID() string {
	return s.currentKey().kid
}

// JWKS returns the key set the server publishes, as JSON (useful as a static key set).
func (s *Server) JWKS() []byte {
	b, err := marshalJSON(s.jwksDoc())
	if err != nil {
		panic(err) // maps of strings always marshal
	}
	return b
}

func (s *Server) jwksDoc() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jwksDocLocked()
}

func (s *Server) jwksDocLocked() map[string]any {
	keys := make([]map[string]any, 0, len(s.keys))
	for _, k := range s.keys {
		keys = append(keys, k.jwk(s.URL+"/{tenantid}/v2.0"))
	}
	return map[string]any{"keys": keys}
}

func (s *Server) currentKey() *signingKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[len(s.keys)-1]
}

// publicKey returns the published key with kid.
func (s *Server) publicKey(kid string) (*rsa.PublicKey, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if k.kid == kid {
			return &k.priv.PublicKey, true
		}
	}
	return nil, false
}

// newTLSCert makes a self-signed server certificate for the loopback names; it is its own root.
func newTLSCert() (tls.Certificate, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("fakeentra: TLS key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "fakeentra loopback", Organization: []string{"Sendevagt tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("fakeentra: TLS certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv}, nil
}

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic(err) // only on a failing random source
	}
	return n
}
