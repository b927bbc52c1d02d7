package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/sendevagt/sendevagt/internal/privdir"
)

// Files in the data directory.
const (
	localCertFile   = "tls-cert.pem"
	localKeyFile    = "tls-key.pem"
	hmacKeyFile     = "audit-hmac.key"
	signingKeyFile  = "local-signing-key.pem"
	localTenant     = "00000000-0000-0000-0000-00000000beef"
	localAudience   = "sendevagt-local"
	localScope      = "access_as_user"
	localIssuerPath = "/local"
)

// ensureDataDir creates the data directory, private to the service's user, and refuses one
// that belongs to another user or that others can write to (see privdir).
func ensureDataDir(dir string) error {
	if err := privdir.Ensure(dir); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	return nil
}

// localCertificate loads the self-signed certificate in dir, or makes one for the hosts (valid
// one year; renewed when it has less than a month left or does not cover the hosts).
func localCertificate(dir string, hosts []string) (tls.Certificate, error) {
	certPath, keyPath := filepath.Join(dir, localCertFile), filepath.Join(dir, localKeyFile)
	if c, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil && c.Leaf != nil &&
		time.Until(c.Leaf.NotAfter) > 30*24*time.Hour && coversHosts(c.Leaf, hosts) {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: hosts[0], Organization: []string{"Sendevagt (local, self-signed)"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
	if err := writePrivate(keyPath, keyPEM); err != nil {
		return tls.Certificate{}, err
	}
	if err := os.WriteFile(certPath, certPEM, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

func coversHosts(c *x509.Certificate, hosts []string) bool {
	for _, h := range hosts {
		if c.VerifyHostname(h) != nil {
			return false
		}
	}
	return true
}

// localHosts are the names the local certificate covers: the public URL's host and loopback.
func localHosts(publicHost string) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if publicHost != "" && publicHost != "localhost" && publicHost != "127.0.0.1" && publicHost != "::1" {
		hosts = append([]string{publicHost}, hosts...)
	}
	return hosts
}

// writePrivate writes a secret file atomically with mode 0600.
func writePrivate(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// errNoHMACKey: outside local mode the audit key must come from outside the data directory.
var errNoHMACKey = errors.New("SENDEVAGT_HMAC_KEY is required outside local mode: give the audit key (32 random bytes, base64) " +
	"from a secret store; it must not be kept in the data directory beside the hashes it protects")

// auditKey returns the HMAC key for the audit's keyed hashes: from configuration (base64, from a
// secret store), or, in local mode only, a random key kept in the data directory. Outside local
// mode a missing key refuses the start: a key in the data directory would let a copy of that
// directory reverse every hash in it. Replicas must be given the same key.
func auditKey(configured, dir string, local bool) ([]byte, error) {
	if configured != "" {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(configured))
		if err != nil {
			return nil, fmt.Errorf("SENDEVAGT_HMAC_KEY is not base64: %w", err)
		}
		if len(k) < 32 {
			return nil, errors.New("SENDEVAGT_HMAC_KEY must be at least 32 bytes")
		}
		return k, nil
	}
	if !local {
		return nil, errNoHMACKey
	}
	path := filepath.Join(dir, hmacKeyFile)
	if b, err := os.ReadFile(path); err == nil {
		k, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) < 32 {
			return nil, fmt.Errorf("%s is damaged: restore it from backup (without it, earlier audit hashes cannot be searched)", path)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	return k, writePrivate(path, []byte(hex.EncodeToString(k)+"\n"))
}

// localSigningKey loads or makes the RSA key local mode signs its development tokens with.
func localSigningKey(dir string) (*rsa.PrivateKey, error) {
	path := filepath.Join(dir, signingKeyFile)
	if b, err := os.ReadFile(path); err == nil {
		blk, _ := pem.Decode(b)
		if blk == nil {
			return nil, fmt.Errorf("%s: not PEM", path)
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s: not an RSA key", path)
		}
		return rk, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	return k, writePrivate(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// keyID is the JWK key id of a public key: a hash of its modulus.
func keyID(k *rsa.PublicKey) string {
	h := sha256.Sum256(k.N.Bytes())
	return base64.RawURLEncoding.EncodeToString(h[:12])
}

// localJWKS is the key set local mode validates tokens with.
func localJWKS(k *rsa.PrivateKey) (json.RawMessage, error) {
	e := big.NewInt(int64(k.PublicKey.E)).Bytes()
	set := map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": keyID(&k.PublicKey),
		"n": base64.RawURLEncoding.EncodeToString(k.PublicKey.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(e),
	}}}
	return json.Marshal(set)
}

// localToken mints a development token for local mode, shaped like an Entra ID v2 access token.
func localToken(k *rsa.PrivateKey, issuer, user string, ttl time.Duration) (string, error) {
	now := time.Now()
	oid := sha256.Sum256([]byte(user))
	claims := jwt.MapClaims{
		"iss": issuer, "aud": localAudience, "tid": localTenant,
		"oid":                fmt.Sprintf("%x-%x-%x-%x-%x", oid[0:4], oid[4:6], oid[6:8], oid[8:10], oid[10:16]),
		"preferred_username": user, "scp": localScope, "ver": "2.0", "azp": "sendevagt-local-cli",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(ttl).Unix(),
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = keyID(&k.PublicKey)
	return t.SignedString(k)
}
