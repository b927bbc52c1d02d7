package auth

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// User is the caller a valid token identifies. It is identified by TenantID + ObjectID; UPN is
// for display and audit only (it can change and may be empty).
type User struct {
	TenantID string // tid
	ObjectID string // oid
	// UPN is preferred_username (v2) or upn / unique_name (v1); may be "".
	UPN string
	// ClientApp is the calling client application: azp (v2) or appid (v1).
	ClientApp string
	// Scopes are the delegated scopes of the scp claim.
	Scopes []string
	// Expiry is the token's exp.
	Expiry time.Time
	// Token is the raw access token, kept in memory for the on-behalf-of exchange only. It is never
	// printed by String, GoString, LogValue or encoding/json.
	Token string `json:"-"`
}

// Key identifies the user across tokens: tid + "/" + oid.
func (u User) Key() string { return u.TenantID + "/" + u.ObjectID }

// String describes the user without the token, so a %v or %+v in a log is safe.
func (u User) String() string {
	return fmt.Sprintf("User{tid=%s oid=%s upn=%s client=%s scopes=%s expiry=%s token=%s}",
		u.TenantID, u.ObjectID, u.UPN, u.ClientApp, strings.Join(u.Scopes, " "),
		u.Expiry.UTC().Format(time.RFC3339), redacted(u.Token))
}

// GoString is String, so %#v does not print the token either.
func (u User) GoString() string { return u.String() }

// LogValue makes slog log the user without the token.
func (u User) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("tid", u.TenantID),
		slog.String("oid", u.ObjectID),
		slog.String("upn", u.UPN),
		slog.String("client", u.ClientApp),
	)
}

func redacted(token string) string {
	if token == "" {
		return ""
	}
	return "[redacted]"
}
