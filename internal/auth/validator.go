package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

// maxTokenBytes bounds the tokens we parse; Entra ID access tokens are a few kilobytes (group
// overage replaces long group lists).
const maxTokenBytes = 32 << 10

// Validator validates access tokens for our API. It is safe for concurrent use.
type Validator struct {
	cfg    Config
	kf     keyfunc.Keyfunc
	parser *jwt.Parser
	cancel context.CancelFunc
}

// NewValidator checks cfg and prepares the key set: the static one, or the remote one, fetched
// now and then refreshed in the background until ctx ends or Close is called. A remote key set
// that cannot be fetched now does not fail NewValidator (the service starts while Entra ID is
// unreachable); it is retried with backoff, and Ready reports it.
func NewValidator(ctx context.Context, cfg Config) (*Validator, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	kf, err := newKeyfunc(ctx, cfg)
	if err != nil {
		cancel()
		return nil, err
	}
	return &Validator{
		cfg:    cfg,
		kf:     kf,
		cancel: cancel,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{"RS256"}), // refuses alg none and HS256 signed with the public key
			jwt.WithLeeway(cfg.Leeway),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithAudience(cfg.Audiences...), // any of them
		),
	}, nil
}

// Close stops the background key set refresh.
func (v *Validator) Close() { v.cancel() }

// Ready returns ErrNoKeys while no signing key is loaded (the key set has not been fetched yet).
func (v *Validator) Ready(ctx context.Context) error {
	keys, err := v.kf.Storage().KeyReadAll(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoKeys, err)
	}
	if len(keys) == 0 {
		return ErrNoKeys
	}
	return nil
}

// errNoKeyID is the cause when a token's header names no key.
var errNoKeyID = errors.New("token header has no kid")

// Validate checks the raw access token and returns the user it identifies. Every rejection wraps
// ErrInvalidToken (see ValidationError). ctx bounds the wait for a key set refetch when the token
// names an unknown key.
func (v *Validator) Validate(ctx context.Context, raw string) (*User, error) {
	if raw == "" || len(raw) > maxTokenBytes {
		return nil, reject("malformed", nil)
	}
	var c claims
	tok, err := v.parser.ParseWithClaims(raw, &c, v.keyfunc(ctx))
	if err != nil {
		return nil, classify(ctx, tok, &c, err)
	}
	if c.Tid == "" {
		return nil, reject("missing tenant id", nil)
	}
	if c.Oid == "" {
		return nil, reject("missing object id", nil)
	}
	if !v.issuerMatches(c.Issuer, c.Tid) {
		return nil, reject("wrong issuer", nil)
	}
	if !v.tenantAllowed(c.Tid) {
		return nil, reject("tenant not allowed", nil)
	}
	scopes := strings.Fields(c.Scp)
	if !slices.Contains(scopes, v.cfg.RequiredScope) {
		if len(scopes) == 0 && len(c.Roles) > 0 {
			return nil, rejectScope("app-only token (roles, no delegated scope)")
		}
		return nil, rejectScope("missing scope " + v.cfg.RequiredScope)
	}
	client := c.clientApp()
	if len(v.cfg.ClientApps) > 0 && !slices.ContainsFunc(v.cfg.ClientApps, func(a string) bool { return strings.EqualFold(a, client) }) {
		return nil, reject("client app not allowed", nil)
	}
	return &User{
		TenantID:  c.Tid,
		ObjectID:  c.Oid,
		UPN:       c.upn(),
		ClientApp: client,
		Scopes:    scopes,
		Expiry:    c.ExpiresAt.Time, // required by the parser
		Token:     raw,
	}, nil
}

// keyfunc requires a kid (Entra ID always sets one; without it keyfunc would try every key) and
// looks it up, refetching the key set on an unknown kid within ctx and the configured wait.
func (v *Validator) keyfunc(ctx context.Context) jwt.Keyfunc {
	kf := v.kf.KeyfuncCtx(ctx)
	return func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid == "" {
			return nil, errNoKeyID
		}
		return kf(t)
	}
}

// issuerMatches reports whether iss equals one of the issuer templates filled with tid.
func (v *Validator) issuerMatches(iss, tid string) bool {
	for _, tmpl := range v.cfg.Issuers {
		if iss == strings.ReplaceAll(tmpl, TenantPlaceholder, tid) {
			return true
		}
	}
	return false
}

func (v *Validator) tenantAllowed(tid string) bool {
	for _, t := range v.cfg.TenantIDs {
		if t == AnyTenant || strings.EqualFold(t, tid) {
			return true
		}
	}
	return false
}

// classify turns a jwt parse error into a rejection with a safe reason.
func classify(ctx context.Context, tok *jwt.Token, c *claims, err error) error {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return reject("malformed", err)
	case tok != nil && (tok.Method == nil || tok.Method.Alg() != "RS256"):
		return reject("unsupported algorithm", err)
	case errors.Is(err, errNoKeyID):
		return reject("missing key id", err)
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		if ctx.Err() != nil {
			err = errors.Join(err, ctx.Err())
		}
		return reject("unknown signing key", err)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return reject("bad signature", err)
	case errors.Is(err, jwt.ErrTokenExpired):
		return reject("expired", err)
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return reject("not valid yet", err)
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return reject("issued in the future", err)
	case c.ExpiresAt == nil:
		return reject("no expiry", err)
	case errors.Is(err, jwt.ErrTokenInvalidAudience), errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return reject("wrong audience", err)
	default:
		return reject("invalid claims", err)
	}
}
