package fakeentra

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ownClaims are the claims of a token this fake minted.
type ownClaims struct {
	jwt.RegisteredClaims
	Tid               string   `json:"tid"`
	Oid               string   `json:"oid"`
	Scp               string   `json:"scp"`
	Roles             []string `json:"roles"`
	Upn               string   `json:"upn"`
	PreferredUsername string   `json:"preferred_username"`
	Azp               string   `json:"azp"`
	Appid             string   `json:"appid"`
	Idtyp             string   `json:"idtyp"`
	Ver               string   `json:"ver"`
}

func (c *ownClaims) upn() string {
	if c.PreferredUsername != "" {
		return c.PreferredUsername
	}
	return c.Upn
}

func (c *ownClaims) clientApp() string {
	if c.Azp != "" {
		return c.Azp
	}
	return c.Appid
}

// parseOwn verifies that raw is an RS256 token signed by one of the published keys and unexpired
// (30 s of clock skew), and returns its claims.
func (s *Server) parseOwn(raw string, opts ...jwt.ParserOption) (*ownClaims, error) {
	opts = append([]jwt.ParserOption{
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithExpirationRequired(), jwt.WithLeeway(30 * time.Second),
	}, opts...)
	var c ownClaims
	_, err := jwt.NewParser(opts...).ParseWithClaims(raw, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k, ok := s.publicKey(kid)
		if !ok {
			return nil, errors.New("the key was not found")
		}
		return k, nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// assertionUser is the user an on-behalf-of assertion was issued to.
type assertionUser struct {
	tenant, oid, upn string
}

// assertionError is a rejected on-behalf-of assertion (answered as invalid_grant).
type assertionError struct {
	aadsts int
	desc   string
}

// verifyUserAssertion checks an on-behalf-of assertion as Entra ID does: a token it issued,
// unexpired, from tenant's issuer, for this app, for a user (delegated).
func (s *Server) verifyUserAssertion(raw string, a *app, tenant string) (*assertionUser, *assertionError) {
	c, err := s.parseOwn(raw)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired), errors.Is(err, jwt.ErrTokenNotValidYet):
		return nil, &assertionError{500133, "Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token."}
	case err != nil:
		return nil, &assertionError{50013, "Assertion failed signature validation. [Reason - The key was not found or the token is malformed.]"}
	}
	if !strings.EqualFold(c.Tid, tenant) || (c.Issuer != s.IssuerV2(c.Tid) && c.Issuer != s.IssuerV1(c.Tid)) {
		return nil, &assertionError{50013, fmt.Sprintf("Assertion is not valid for tenant '%s'.", tenant)}
	}
	aud := ""
	if len(c.Audience) == 1 {
		aud = c.Audience[0]
	}
	if !a.acceptsAudience(aud) {
		return nil, &assertionError{50013, fmt.Sprintf("Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '%s' and the expected audience is '%s' or one of the Application Id URIs of this application.", aud, a.ClientID)}
	}
	if c.Oid == "" || c.Scp == "" {
		return nil, &assertionError{50013, "Assertion is not a delegated user token; on-behalf-of needs one."}
	}
	return &assertionUser{tenant: c.Tid, oid: c.Oid, upn: c.upn()}, nil
}

// GraphToken describes a Graph access token this fake issued.
type GraphToken struct {
	Tenant    string
	ObjectID  string // the user's oid, or the app's service principal for app-only tokens
	UPN       string
	ClientApp string // the app the token was issued to
	Scopes    []string
	Roles     []string
	AppOnly   bool
	Expiry    time.Time
}

// GraphTokenInfo verifies accessToken as Microsoft Graph would (signed by one of this fake's
// published keys, unexpired, audience Graph) and describes it. ok is false for anything else.
func (s *Server) GraphTokenInfo(accessToken string) (GraphToken, bool) {
	c, err := s.parseOwn(accessToken, jwt.WithAudience(GraphAppID))
	if err != nil || c.Tid == "" || c.Oid == "" {
		return GraphToken{}, false
	}
	g := GraphToken{
		Tenant: c.Tid, ObjectID: c.Oid, UPN: c.upn(), ClientApp: c.clientApp(),
		Scopes: strings.Fields(c.Scp), Roles: c.Roles, AppOnly: c.Idtyp == "app" || c.Scp == "",
	}
	if c.ExpiresAt != nil {
		g.Expiry = c.ExpiresAt.Time
	}
	return g, true
}

// GraphTokenUser verifies accessToken as Microsoft Graph would and returns the user it was issued
// for (from an on-behalf-of exchange). ok is false for an invalid, expired, non-Graph or app-only
// token.
func (s *Server) GraphTokenUser(accessToken string) (tenant, oid string, ok bool) {
	g, ok := s.GraphTokenInfo(accessToken)
	if !ok || g.AppOnly {
		return "", "", false
	}
	return g.Tenant, g.ObjectID, true
}
