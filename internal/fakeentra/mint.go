package fakeentra

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"maps"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Values for TokenClaims.Alg.
const (
	// AlgRS256 is the algorithm Entra ID signs with (the default).
	AlgRS256 = "RS256"
	// AlgNone makes an unsigned token (alg "none", empty signature).
	AlgNone = "none"
	// AlgHS256PublicKey makes a token with alg HS256 whose HMAC key is the PEM (PKIX) encoding of
	// the current public signing key: the classic algorithm-confusion attack.
	AlgHS256PublicKey = "HS256-with-public-key"
)

// Token versions for TokenClaims.Version.
const (
	V1 = "1.0"
	V2 = "2.0"
)

// TokenClaims describes a token for MintToken. Zero fields are omitted from the token (so a test
// can leave out oid, tid, scp, ...), except where a default is stated.
type TokenClaims struct {
	Tenant   string // tid
	ObjectID string // oid (and a pairwise sub derived from it)
	UPN      string // preferred_username (v2) or upn and unique_name (v1)
	Audience string // aud
	Scope    string // scp, space-separated delegated scopes
	Roles    []string
	// Version is V2 (default) or V1; it picks the issuer and the claim names.
	Version string
	// ClientApp is the calling client's id: azp (v2) or appid (v1).
	ClientApp string
	// IssuedAt defaults to now, NotBefore to IssuedAt, Expiry to IssuedAt+1h.
	IssuedAt, NotBefore, Expiry time.Time
	// NoExpiry leaves exp out.
	NoExpiry bool
	// Issuer overrides iss (default IssuerV2(Tenant) or IssuerV1(Tenant)).
	Issuer string
	// Kid overrides the kid (and x5t) header; the token is still signed with the current key.
	Kid string
	// Alg is AlgRS256 (default), AlgNone or AlgHS256PublicKey.
	Alg string
	// Extra claims are added last and override the ones above.
	Extra map[string]any
}

// MintToken returns a signed JWT access token as Entra ID would issue it, signed with the current
// key (see TokenClaims for the knobs that make it bad on purpose).
func (s *Server) MintToken(c TokenClaims) string {
	key := s.currentKey()
	claims := s.claims(c)
	kid := key.kid
	if c.Kid != "" {
		kid = c.Kid
	}
	header := map[string]any{"typ": "JWT", "kid": kid, "x5t": kid}
	var (
		tok *jwt.Token
		out string
		err error
	)
	switch c.Alg {
	case AlgNone:
		tok = jwt.NewWithClaims(jwt.SigningMethodNone, claims)
		header["alg"] = "none"
		tok.Header = header
		out, err = tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
	case AlgHS256PublicKey:
		tok = jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
		header["alg"] = "HS256"
		tok.Header = header
		out, err = tok.SignedString(publicKeyPEM(key))
	default:
		tok = jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
		header["alg"] = "RS256"
		tok.Header = header
		out, err = tok.SignedString(key.priv)
	}
	if err != nil {
		panic(err) // signing with a valid key does not fail
	}
	return out
}

func (s *Server) claims(c TokenClaims) jwt.MapClaims {
	iat := c.IssuedAt
	if iat.IsZero() {
		iat = time.Now()
	}
	nbf := c.NotBefore
	if nbf.IsZero() {
		nbf = iat
	}
	exp := c.Expiry
	if exp.IsZero() {
		exp = iat.Add(time.Hour)
	}
	v1 := c.Version == V1
	m := jwt.MapClaims{
		"iat": iat.Unix(),
		"nbf": nbf.Unix(),
		"uti": randomID(16),
		"ver": V2,
	}
	if !c.NoExpiry {
		m["exp"] = exp.Unix()
	}
	if v1 {
		m["ver"] = V1
		m["iss"] = s.IssuerV1(c.Tenant)
	} else {
		m["iss"] = s.IssuerV2(c.Tenant)
	}
	if c.Issuer != "" {
		m["iss"] = c.Issuer
	}
	set := func(name, v string) {
		if v != "" {
			m[name] = v
		}
	}
	set("aud", c.Audience)
	set("tid", c.Tenant)
	set("oid", c.ObjectID)
	set("scp", c.Scope)
	if c.ObjectID != "" {
		m["sub"] = pairwiseSub(c.Tenant, c.ObjectID, c.Audience)
	}
	if len(c.Roles) > 0 {
		m["roles"] = append([]string(nil), c.Roles...)
	}
	if v1 {
		set("appid", c.ClientApp)
		set("upn", c.UPN)
		set("unique_name", c.UPN)
		if c.ClientApp != "" {
			m["appidacr"] = "1"
		}
	} else {
		set("azp", c.ClientApp)
		set("preferred_username", c.UPN)
		if c.ClientApp != "" {
			m["azpacr"] = "1"
		}
	}
	maps.Copy(m, c.Extra)
	return m
}

// pairwiseSub is a stable subject per user and audience, as Entra ID's sub is.
func pairwiseSub(tenant, oid, aud string) string {
	sum := sha256.Sum256([]byte(tenant + "/" + oid + "/" + aud))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:43]
}

func publicKeyPEM(k *signingKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(&k.priv.PublicKey)
	if err != nil {
		panic(err) // an RSA public key always marshals
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func randomID(n int) string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(n))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return b
}

func marshalJSON(v any) ([]byte, error) { return json.Marshal(v) }
