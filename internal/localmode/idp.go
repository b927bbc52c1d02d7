// Package localmode is what the service keeps in its data directory when it runs without an
// identity provider or certificates from outside (local mode): a development identity provider
// (an RSA signing key, its key set, tokens shaped like Entra ID v2 access tokens), a
// self-signed TLS certificate for the public host and loopback, and the audit's HMAC key. Every
// secret file is written atomically with mode 0600.
package localmode

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// What local mode's tokens carry, and where the service names itself their issuer.
const (
	Tenant   = "00000000-0000-0000-0000-00000000beef"
	Audience = "sendevagt-local"
	Scope    = "access_as_user"
	// IssuerPath follows the public URL in the tokens' issuer.
	IssuerPath = "/local"
)

const signingKeyFile = "local-signing-key.pem"

// SigningKey loads or makes the RSA key local mode signs its development tokens with.
func SigningKey(dir string) (*rsa.PrivateKey, error) {
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

// JWKS is the key set local mode validates tokens with.
func JWKS(k *rsa.PrivateKey) (json.RawMessage, error) {
	e := big.NewInt(int64(k.PublicKey.E)).Bytes()
	set := map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": keyID(&k.PublicKey),
		"n": base64.RawURLEncoding.EncodeToString(k.PublicKey.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(e),
	}}}
	return json.Marshal(set)
}

// Token mints a development token for local mode, shaped like an Entra ID v2 access token.
func Token(k *rsa.PrivateKey, issuer, user string, ttl time.Duration) (string, error) {
	now := time.Now()
	oid := sha256.Sum256([]byte(user))
	claims := jwt.MapClaims{
		"iss": issuer, "aud": Audience, "tid": Tenant,
		"oid":                fmt.Sprintf("%x-%x-%x-%x-%x", oid[0:4], oid[4:6], oid[6:8], oid[8:10], oid[10:16]),
		"preferred_username": user, "scp": Scope, "ver": "2.0", "azp": "sendevagt-local-cli",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(ttl).Unix(),
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = keyID(&k.PublicKey)
	return t.SignedString(k)
}
