package fakeentra

import (
	"crypto/sha1" // #nosec G505 -- x5t is defined as the SHA-1 thumbprint
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// clientAssertionType is the client_assertion_type of certificate (private_key_jwt) auth.
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// app is a registered App with its parsed certificates.
type app struct {
	App
	certs []*x509.Certificate
}

func newApp(a App) (*app, error) {
	if a.ClientID == "" {
		return nil, errors.New("fakeentra: an App needs a ClientID")
	}
	pa := &app{App: a}
	rest := a.CertPEM
	for len(rest) > 0 {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("fakeentra: app %s certificate: %w", a.ClientID, err)
		}
		pa.certs = append(pa.certs, c)
	}
	if len(a.CertPEM) > 0 && len(pa.certs) == 0 {
		return nil, fmt.Errorf("fakeentra: app %s: CertPEM holds no certificate", a.ClientID)
	}
	return pa, nil
}

func (a *app) graphScopes() []string {
	if len(a.GraphScopes) > 0 {
		return a.GraphScopes
	}
	return defaultGraphScopes()
}

func (a *app) graphRoles() []string {
	if len(a.GraphRoles) > 0 {
		return a.GraphRoles
	}
	return []string{"Mail.Read"}
}

// acceptsAudience reports whether a user token with audience aud was issued for this app.
func (a *app) acceptsAudience(aud string) bool {
	if strings.EqualFold(aud, a.ClientID) || strings.HasSuffix(strings.ToLower(aud), "/"+strings.ToLower(a.ClientID)) {
		return true
	}
	for _, u := range a.IdentifierURIs {
		if aud == u {
			return true
		}
	}
	return false
}

// clientError is a failed client authentication, answered as Entra ID does.
type clientError struct {
	status int
	code   string
	aadsts int
	desc   string
}

// authenticateClient checks the client's secret (form or HTTP Basic) or its client_assertion.
func (s *Server) authenticateClient(r *http.Request, a *app, tenant string) *clientError {
	secret := r.PostForm.Get("client_secret")
	if _, p, ok := r.BasicAuth(); ok && secret == "" {
		secret = p
	}
	assertion := r.PostForm.Get("client_assertion")
	switch {
	case secret != "":
		if a.Secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(a.Secret)) != 1 {
			return &clientError{http.StatusUnauthorized, "invalid_client", 7000215,
				fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", a.ClientID)}
		}
		return nil
	case assertion != "":
		if t := r.PostForm.Get("client_assertion_type"); t != clientAssertionType {
			return &clientError{http.StatusBadRequest, "invalid_request", 70002,
				"The value of 'client_assertion_type' must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'."}
		}
		if err := s.verifyClientAssertion(assertion, a, tenant); err != nil {
			return &clientError{http.StatusUnauthorized, "invalid_client", 700027,
				"Client assertion failed signature validation: " + err.Error() + "."}
		}
		return nil
	default:
		return &clientError{http.StatusUnauthorized, "invalid_client", 7000218,
			"The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
	}
}

// verifyClientAssertion checks a private_key_jwt client assertion as MSAL makes it: PS256 (or
// RS256), x5t#S256 (or x5t) naming one of the app's certificates, signed by its key, aud the
// tenant's token endpoint, iss = sub = client id, unexpired.
func (s *Server) verifyClientAssertion(assertion string, a *app, tenant string) error {
	if len(a.certs) == 0 {
		return errors.New("no certificate is registered for the app")
	}
	p := jwt.NewParser(jwt.WithValidMethods([]string{"PS256", "RS256"}), jwt.WithExpirationRequired(),
		jwt.WithAudience(s.TokenEndpoint(tenant), s.URL+"/"+tenant+"/oauth2/token"),
		jwt.WithIssuer(a.ClientID), jwt.WithSubject(a.ClientID))
	_, err := p.Parse(assertion, func(t *jwt.Token) (any, error) {
		c := a.certFor(t.Header)
		if c == nil {
			return nil, errors.New("the key was not found")
		}
		return c.PublicKey, nil
	})
	if err != nil {
		return fmt.Errorf("assertion rejected (%w)", err)
	}
	return nil
}

// certFor finds the certificate the assertion header's thumbprint names; with no thumbprint
// and a single certificate, that one.
func (a *app) certFor(h map[string]any) *x509.Certificate {
	s256, _ := h["x5t#S256"].(string)
	s1, _ := h["x5t"].(string)
	if s256 == "" && s1 == "" {
		if len(a.certs) == 1 {
			return a.certs[0]
		}
		return nil
	}
	for _, c := range a.certs {
		sum256 := sha256.Sum256(c.Raw)
		sum1 := sha1.Sum(c.Raw) // #nosec G401 -- thumbprint
		if (s256 != "" && thumbEqual(s256, sum256[:])) || (s1 != "" && thumbEqual(s1, sum1[:])) {
			return c
		}
	}
	return nil
}

// thumbEqual compares a thumbprint in standard or URL base64, padded or not, with sum.
func thumbEqual(enc string, sum []byte) bool {
	enc = strings.TrimRight(enc, "=")
	for _, e := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := e.DecodeString(enc); err == nil && subtle.ConstantTimeCompare(b, sum) == 1 {
			return true
		}
	}
	return false
}
